// The jobs module's public API: login-node work on launcher batch jobs (submitting one, a new
// workflow with its first job, tracking their states, cancelling a workflow), with the scheduler
// and the logger passed in by the caller (the CLI, the service, a launcher submitting its successor).
export { defaultSchedulerFor, logLines, type JobScheduler, type Logger, type SchedulerResolver } from "./context.js";
export { batchJobFiles, buildScriptContext, databaseEnv, submitBatchJob, type SubmitJobOptions } from "./submit.js";
export { createAndSubmitWorkflow } from "./workflow.js";
export { ACTIVE_JOB_STATES, failLostSubmissions, isActiveJob, NO_ID_GRACE_MS, syncActiveJobs } from "./track.js";
export { cancelWorkflow, type CancelledJob, type CancelOptions, type CancelOutcome } from "./cancel.js";
