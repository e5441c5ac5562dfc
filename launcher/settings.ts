// Launcher settings stored on the workflow row (so every launcher of a workflow behaves the same),
// with the defaults of DESIGN §4/§6. Tests shorten the intervals.
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

export function launcherSettings(raw: Record<string, JsonValue>): LauncherSettings {
  const num = (k: keyof LauncherSettings): number | undefined => (typeof raw[k] === "number" ? (raw[k] as number) : undefined);
  return {
    evalTimeoutSeconds: num("evalTimeoutSeconds") ?? DEFAULT_SETTINGS.evalTimeoutSeconds,
    heartbeatSeconds: num("heartbeatSeconds") ?? DEFAULT_SETTINGS.heartbeatSeconds,
    staleAfterSeconds: num("staleAfterSeconds") ?? DEFAULT_SETTINGS.staleAfterSeconds,
    maxAttempts: num("maxAttempts") ?? DEFAULT_SETTINGS.maxAttempts,
    killGraceSeconds: num("killGraceSeconds") ?? DEFAULT_SETTINGS.killGraceSeconds,
  };
}

