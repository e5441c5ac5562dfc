// Neural architecture search (docs/architecture.md, Neural architecture search): architecture
// spaces, their choices as hyperparameters, arch_seq and the decoded graph.
export { ARCH_SEQ, ARCHITECTURE, DEFAULT_INPUT, archChoices, archHyperparameters, checkArchitecture, choiceName, opLabel, type ArchChoice } from "./architecture.js";
export {
  archSeqOf,
  decodeArchitecture,
  describeChoice,
  isNas,
  normalizeNasSpec,
  pointOfArchSeq,
  recordNames,
  recordPoint,
  runNames,
  runPoint,
  type DecodedNode,
} from "./sequence.js";
