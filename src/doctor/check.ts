// What one doctor check reports: a level, one line saying what was found, and the fix when it is
// not ok.

export type CheckLevel = "ok" | "warn" | "fail";

export interface CheckResult {
  /** A short name of the thing checked: "node", "spawner", "database"... */
  check: string;
  level: CheckLevel;
  message: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

export const ok = (check: string, message: string): CheckResult => ({ check, level: "ok", message });
export const warn = (check: string, message: string, fix: string): CheckResult => ({ check, level: "warn", message, fix });
export const fail = (check: string, message: string, fix: string): CheckResult => ({ check, level: "fail", message, fix });
