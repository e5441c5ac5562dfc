// The launcher settings of a workflow row with their defaults filled in, read alike by the leader,
// its agents and the service (which re-runs evaluations within the same attempts bound).
import type { WorkflowSettings } from "./types.js";

export type LauncherSettings = Required<Omit<WorkflowSettings, "walltimeMarginSeconds">>;

export const DEFAULT_SETTINGS: LauncherSettings = {
  evalTimeoutSeconds: null,
  heartbeatSeconds: 30,
  staleAfterSeconds: 150,
  maxAttempts: 3,
  killGraceSeconds: 5,
};

export function launcherSettings(saved: WorkflowSettings): LauncherSettings {
  return {
    evalTimeoutSeconds: saved.evalTimeoutSeconds ?? DEFAULT_SETTINGS.evalTimeoutSeconds,
    heartbeatSeconds: saved.heartbeatSeconds ?? DEFAULT_SETTINGS.heartbeatSeconds,
    staleAfterSeconds: saved.staleAfterSeconds ?? DEFAULT_SETTINGS.staleAfterSeconds,
    maxAttempts: saved.maxAttempts ?? DEFAULT_SETTINGS.maxAttempts,
    killGraceSeconds: saved.killGraceSeconds ?? DEFAULT_SETTINGS.killGraceSeconds,
  };
}
