// The launcher settings of a workflow row with their defaults filled in, read alike by the leader,
// its agents and the service (which re-runs evaluations within the same attempts bound), and their
// check, which submit runs too so that a bad value is refused before the queue wait instead of
// stopping the launcher.
import { ValidationError } from "../errors.js";
import type { WorkflowSettings } from "./types.js";

export type LauncherSettings = Required<Omit<WorkflowSettings, "walltimeMarginSeconds">>;

export const DEFAULT_SETTINGS: LauncherSettings = {
  evalTimeoutSeconds: null,
  heartbeatSeconds: 30,
  staleAfterSeconds: 150,
  maxAttempts: 3,
  killGraceSeconds: 5,
};

/** The flag each stored setting comes from, for messages. */
const FLAGS: Record<keyof WorkflowSettings, string> = {
  evalTimeoutSeconds: "--eval-timeout",
  heartbeatSeconds: "--heartbeat-seconds",
  staleAfterSeconds: "--stale-after-seconds",
  maxAttempts: "--max-attempts",
  killGraceSeconds: "--kill-grace-seconds",
  walltimeMarginSeconds: "--walltime-margin",
};

/**
 * Refuses settings a launcher cannot run with: submit calls it on the flags, launcherSettings on the
 * stored row. A zero heartbeat would spin, a staleness shorter than the heartbeat would have live
 * launchers recovered as dead.
 */
export function checkLauncherSettings(raw: WorkflowSettings): void {
  const value = (k: keyof WorkflowSettings): unknown => raw[k];
  const bad = (k: keyof WorkflowSettings, what: string, example: string): never => {
    throw new ValidationError(`${FLAGS[k]} must be ${what} (got ${JSON.stringify(value(k))})`, `e.g. ${FLAGS[k]} ${example}`);
  };
  const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  const given = (k: keyof WorkflowSettings) => value(k) !== undefined && value(k) !== null;
  const positive = (k: keyof WorkflowSettings) => isNum(value(k)) && (value(k) as number) > 0;
  const nonNegative = (k: keyof WorkflowSettings) => isNum(value(k)) && (value(k) as number) >= 0;
  if (given("evalTimeoutSeconds") && !positive("evalTimeoutSeconds")) bad("evalTimeoutSeconds", "a positive number of seconds", "3600");
  if (given("heartbeatSeconds") && !positive("heartbeatSeconds")) bad("heartbeatSeconds", "a positive number of seconds", String(DEFAULT_SETTINGS.heartbeatSeconds));
  if (given("staleAfterSeconds") && !positive("staleAfterSeconds")) bad("staleAfterSeconds", "a positive number of seconds", String(DEFAULT_SETTINGS.staleAfterSeconds));
  if (given("maxAttempts") && !(Number.isInteger(value("maxAttempts")) && (value("maxAttempts") as number) >= 1)) bad("maxAttempts", "a whole number of at least 1", String(DEFAULT_SETTINGS.maxAttempts));
  if (given("killGraceSeconds") && !nonNegative("killGraceSeconds")) bad("killGraceSeconds", "a number of seconds, 0 or more", String(DEFAULT_SETTINGS.killGraceSeconds));
  if (given("walltimeMarginSeconds") && !nonNegative("walltimeMarginSeconds")) bad("walltimeMarginSeconds", "a number of seconds, 0 or more", "120");
  const heartbeat = isNum(raw.heartbeatSeconds) ? raw.heartbeatSeconds : DEFAULT_SETTINGS.heartbeatSeconds;
  const stale = isNum(raw.staleAfterSeconds) ? raw.staleAfterSeconds : DEFAULT_SETTINGS.staleAfterSeconds;
  if (stale <= heartbeat) {
    throw new ValidationError(
      `--stale-after-seconds ${stale} must be longer than --heartbeat-seconds ${heartbeat}: live launchers would be taken for dead`,
      "give --stale-after-seconds several heartbeats (the defaults are 150 and 30)",
    );
  }
}

export function launcherSettings(saved: WorkflowSettings): LauncherSettings {
  checkLauncherSettings(saved);
  return {
    evalTimeoutSeconds: saved.evalTimeoutSeconds ?? DEFAULT_SETTINGS.evalTimeoutSeconds,
    heartbeatSeconds: saved.heartbeatSeconds ?? DEFAULT_SETTINGS.heartbeatSeconds,
    staleAfterSeconds: saved.staleAfterSeconds ?? DEFAULT_SETTINGS.staleAfterSeconds,
    maxAttempts: saved.maxAttempts ?? DEFAULT_SETTINGS.maxAttempts,
    killGraceSeconds: saved.killGraceSeconds ?? DEFAULT_SETTINGS.killGraceSeconds,
  };
}
