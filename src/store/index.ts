// The public API of the workflow store: open a Store, then call the verb-noun functions with it.
// Nothing outside src/store imports knex or these modules' internals (sql.ts, rows.ts).
export { openStore, readSchemaVersion, scriptEnvOf, SQLITE_FILE, type Dialect, type OpenOptions, type Store, type StoreLocation } from "./connection.js";
export { readCredentials, SERVER_INFO_FILE, serverInfoPath, type PgCredentials } from "./credentials.js";
export { ensureDatabase } from "./admin.js";
export { isWorkflowName, validateWorkflowName } from "./names.js";
export { isTransientError } from "./retry.js";
export { schemaVersion } from "../../db/migrations.js";
export {
  createWorkflow,
  deleteWorkflow,
  getWorkflow,
  getWorkflowById,
  getWorkflowState,
  listWorkflows,
  setWorkflowState,
  updateWorkflowMaxEvals,
} from "./workflows.js";
export {
  claimEvaluations,
  countEvaluations,
  endedSummary,
  createEvaluations,
  finishEvaluations,
  getEvaluation,
  killEvaluations,
  listEvaluations,
} from "./evaluations.js";
export { listEvents } from "./events.js";
export { lastToldAt, listSearcherHistory, listUntold, markTold } from "./told.js";
export { lastProgressId, listProgress, readControls, recordProgress } from "./progress.js";
export { findDeadLaunchers, RECOVERED_NOTE, recoverEvaluations, requeueRunning } from "./recovery.js";
export { endLauncher, heartbeatLauncher, listLaunchers, registerLauncher } from "./launchers.js";
export { createBatchJob, getBatchJob, listBatchJobs, updateBatchJob, type BatchJobPatch } from "./batch-jobs.js";
export { loadSearcherState, saveSearcherState } from "./searcher-state.js";
export * from "./types.js";
export {
  ACTIVE_JOB_STATES,
  EVALUATION_STATES,
  EVALUATION_TRANSITIONS,
  FINISHED_STATES,
  illegalPath,
  isActiveJob,
  finishedCount,
  isFinished,
  isWorkflowOver,
  OVER_WORKFLOW_STATES,
} from "./states.js";
export { DEFAULT_SETTINGS, launcherSettings, type LauncherSettings } from "./settings.js";
export {
  acquireServiceLock,
  addServiceEvent,
  batchJobsWithLaunchers,
  clearServiceHold,
  heartbeatServiceLock,
  isLockAbandoned,
  listOrphanedLaunchers,
  listServiceEvents,
  listServiceHolds,
  readServiceLock,
  recordServiceTick,
  releaseServiceLock,
  setServiceHold,
  type LockResult,
  type ServiceEvent,
  type ServiceHold,
  type ServiceLock,
} from "./service.js";
export { peekWorkflowNames, sqliteDriverVersion } from "./peek.js";
export {
  countAllEvaluations,
  EVALUATION_SORTS,
  listAllBatchJobs,
  listChartRows,
  listChartRowsById,
  objectiveRanges,
  pageEvaluations,
  type EvaluationPage,
  type EvaluationPageQuery,
  type EvaluationSort,
} from "./pages.js";
