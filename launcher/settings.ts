// Launcher settings stored on the workflow row (so every launcher of a workflow behaves the same),
// their defaults, and their check, which submit runs too so that a bad value is refused before the
// queue wait instead of stopping the launcher. Tests shorten the intervals.
import { ValidationError } from "../src/errors.js";
import type { JsonValue } from "../src/space/types.js";

export interface LauncherSettings {
  /** Per-evaluation timeout; null = none. */
  evalTimeoutSeconds: number | null;
  /** How often a launcher ticks its heartbeat row. */
  heartbeatSeconds: number;
  /** A launcher whose heartbeat is older than this is dead and its evaluations are re-run. */
  staleAfterSeconds: number;
  /** Attempts before an evaluation that keeps losing its launcher is marked FAILED. */
  maxAttempts: number;
  /** SIGTERM -> SIGKILL grace for stopped evaluations. */
  killGraceSeconds: number;
}

export const DEFAULT_SETTINGS: LauncherSettings = {
  evalTimeoutSeconds: null,
  heartbeatSeconds: 30,
  staleAfterSeconds: 150,
  maxAttempts: 3,
  killGraceSeconds: 5,
};

/** The flag each stored setting comes from, for messages. */
const FLAGS: Record<keyof LauncherSettings | "walltimeMarginSeconds", string> = {
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
export function checkLauncherSettings(raw: Record<string, JsonValue>): void {
  const value = (k: keyof typeof FLAGS): JsonValue | undefined => raw[k];
  const bad = (k: keyof typeof FLAGS, what: string, example: string): never => {
    throw new ValidationError(`${FLAGS[k]} must be ${what} (got ${JSON.stringify(value(k))})`, `e.g. ${FLAGS[k]} ${example}`);
  };
  const isNum = (v: JsonValue | undefined): v is number => typeof v === "number" && Number.isFinite(v);
  const given = (k: keyof typeof FLAGS) => value(k) !== undefined && value(k) !== null;
  if (given("evalTimeoutSeconds") && !(isNum(value("evalTimeoutSeconds")) && (value("evalTimeoutSeconds") as number) > 0)) bad("evalTimeoutSeconds", "a positive number of seconds", "3600");
  if (given("heartbeatSeconds") && !(isNum(value("heartbeatSeconds")) && (value("heartbeatSeconds") as number) > 0)) bad("heartbeatSeconds", "a positive number of seconds", String(DEFAULT_SETTINGS.heartbeatSeconds));
  if (given("staleAfterSeconds") && !(isNum(value("staleAfterSeconds")) && (value("staleAfterSeconds") as number) > 0)) bad("staleAfterSeconds", "a positive number of seconds", String(DEFAULT_SETTINGS.staleAfterSeconds));
  if (given("maxAttempts") && !(Number.isInteger(value("maxAttempts")) && (value("maxAttempts") as number) >= 1)) bad("maxAttempts", "a whole number of at least 1", String(DEFAULT_SETTINGS.maxAttempts));
  if (given("killGraceSeconds") && !(isNum(value("killGraceSeconds")) && (value("killGraceSeconds") as number) >= 0)) bad("killGraceSeconds", "a number of seconds, 0 or more", String(DEFAULT_SETTINGS.killGraceSeconds));
  if (given("walltimeMarginSeconds") && !(isNum(value("walltimeMarginSeconds")) && (value("walltimeMarginSeconds") as number) >= 0)) bad("walltimeMarginSeconds", "a number of seconds, 0 or more", "120");
  const heartbeat = isNum(value("heartbeatSeconds")) ? (value("heartbeatSeconds") as number) : DEFAULT_SETTINGS.heartbeatSeconds;
  const stale = isNum(value("staleAfterSeconds")) ? (value("staleAfterSeconds") as number) : DEFAULT_SETTINGS.staleAfterSeconds;
  if (stale <= heartbeat) {
    throw new ValidationError(
      `--stale-after-seconds ${stale} must be longer than --heartbeat-seconds ${heartbeat}: live launchers would be taken for dead`,
      "give --stale-after-seconds several heartbeats (the defaults are 150 and 30)",
    );
  }
}

export function launcherSettings(raw: Record<string, JsonValue>): LauncherSettings {
  checkLauncherSettings(raw);
  const num = (k: keyof LauncherSettings): number | undefined => (typeof raw[k] === "number" ? (raw[k] as number) : undefined);
  return {
    evalTimeoutSeconds: num("evalTimeoutSeconds") ?? DEFAULT_SETTINGS.evalTimeoutSeconds,
    heartbeatSeconds: num("heartbeatSeconds") ?? DEFAULT_SETTINGS.heartbeatSeconds,
    staleAfterSeconds: num("staleAfterSeconds") ?? DEFAULT_SETTINGS.staleAfterSeconds,
    maxAttempts: num("maxAttempts") ?? DEFAULT_SETTINGS.maxAttempts,
    killGraceSeconds: num("killGraceSeconds") ?? DEFAULT_SETTINGS.killGraceSeconds,
  };
}

