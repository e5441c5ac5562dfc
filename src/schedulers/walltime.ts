// Walltime parsing and the per-scheduler formats that batch directives want. Templates never do
// arithmetic (docs/architecture.md, Templates without arithmetic): every number a directive shows is computed and tested here, so 90 minutes
// is 01:30:00 and never Balsam's 1:90:00.
import { ValidationError } from "../errors.js";

const ACCEPTED = "minutes (90), HH:MM (01:30), HH:MM:SS (1:30:00) or D-HH:MM:SS (1-00:00:00)";

function invalid(input: string | number, why: string): ValidationError {
  return new ValidationError(
    `-t/--time '${String(input)}' is not a valid walltime: ${why}`,
    `give the walltime as ${ACCEPTED}`,
  );
}

/**
 * Walltime in whole minutes from what a user types after -t/--time. Seconds round up, because a
 * job that gets less time than asked is worse than one that gets a minute more.
 */
export function parseWalltime(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isInteger(input) || input <= 0) throw invalid(input, "minutes must be a positive whole number");
    return input;
  }
  const s = input.trim();
  let days = 0;
  let clock = s;
  const dayMatch = /^(\d+)-(.*)$/.exec(s);
  if (dayMatch) {
    days = Number(dayMatch[1]);
    clock = dayMatch[2] ?? "";
    // After "D-" Slurm's forms are HH, HH:MM or HH:MM:SS; a bare number here means hours.
    if (/^\d+$/.test(clock)) clock += ":00";
  }
  if (!/^\d+(:\d+){0,2}$/.test(clock)) throw invalid(input, "unrecognised form");
  const parts = clock.split(":").map(Number);
  let minutes: number;
  if (parts.length === 1 && !dayMatch) {
    minutes = parts[0] ?? 0;
  } else {
    const [h = 0, m = 0, sec = 0] = parts;
    // A minutes or seconds field of 60 or more is how 1:90:00 slips through: refuse it.
    if (m >= 60) throw invalid(input, "the minutes field must be below 60");
    if (sec >= 60) throw invalid(input, "the seconds field must be below 60");
    if (dayMatch && h >= 24) throw invalid(input, "the hours field after a day count must be below 24");
    minutes = days * 1440 + h * 60 + m + Math.ceil(sec / 60);
  }
  if (!Number.isSafeInteger(minutes) || minutes <= 0) throw invalid(input, "the walltime must be longer than zero");
  return minutes;
}

function checkMinutes(minutes: number): void {
  // Callers pass parseWalltime's result; anything else is a programming error, not user input.
  if (!Number.isInteger(minutes) || minutes <= 0) throw new RangeError(`walltime minutes must be a positive integer, got ${minutes}`);
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** HH:MM:SS with hours past 24 kept as hours (PBS `-l walltime=`): 90 -> 01:30:00, 1440 -> 24:00:00. */
export function formatHMS(minutes: number): string {
  checkMinutes(minutes);
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}:00`;
}

/**
 * Slurm `-t`. Slurm reads a bare number as minutes and also accepts HH:MM:SS and D-HH:MM:SS; we
 * write HH:MM:SS below a day and D-HH:MM:SS from one day on, so `squeue`'s TIME_LIMIT column and
 * the script read the same way: 90 -> 01:30:00, 1440 -> 1-00:00:00.
 */
export function formatSlurm(minutes: number): string {
  checkMinutes(minutes);
  const days = Math.floor(minutes / 1440);
  const rest = minutes % 1440;
  const hms = `${pad2(Math.floor(rest / 60))}:${pad2(rest % 60)}:00`;
  return days > 0 ? `${days}-${hms}` : hms;
}

/** LSF `-W [hh:]mm`: 59 -> 59, 60 -> 1:00, 90 -> 1:30, 1440 -> 24:00. */
export function formatLsf(minutes: number): string {
  checkMinutes(minutes);
  if (minutes < 60) return String(minutes);
  return `${Math.floor(minutes / 60)}:${pad2(minutes % 60)}`;
}

/** Cobalt `-t`: plain minutes, which every Cobalt version reads the same way. */
export function formatCobalt(minutes: number): string {
  checkMinutes(minutes);
  return String(minutes);
}

/**
 * How long before the walltime the launcher stops dispatching (docs/architecture.md, Walltime margin and hand-back):
 * min(2 min, max(10 s, 10% of the walltime)), in seconds.
 */
export function walltimeMarginSeconds(minutes: number): number {
  checkMinutes(minutes);
  return Math.min(120, Math.max(10, minutes * 6));
}
