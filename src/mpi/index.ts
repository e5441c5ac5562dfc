// The MPI and allocation toolkit the launcher uses (docs/architecture.md, Allocation and slots): node discovery, flavour detection
// and launch-command construction. Our replacement for the nonexistent `mpi-env-detector` package.

export { expandHostlist, compressHostlist } from "./hostlist.js";
export {
  detectAllocation,
  currentNodeName,
  countSlots,
  expandCpusPerNode,
  expandCobaltPartname,
  type Allocation,
  type AllocationNode,
  type AllocationSource,
  type DetectOptions,
} from "./allocation.js";
export {
  MPI_FLAVOURS,
  parseMpiVersion,
  detectMpiFlavour,
  runCommand,
  type MpiFlavour,
  type DetectedMpi,
  type RunCommand,
} from "./flavour.js";
export { buildLaunchCommand, buildLaunchPrefix, type LaunchSpec } from "./launch.js";
