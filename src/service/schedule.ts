// The service's tick period as a node-cron expression. node-cron takes an optional leading seconds
// field (6 fields), so periods under a minute (tests) are plain cron too. Cron steps restart at
// each minute/hour, so only periods that divide it evenly tick at a steady pace: others are refused.
import { ValidationError } from "../errors.js";

export function everyToCron(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 1) throw new ValidationError(`--every must be a whole number of seconds, at least 1 (got ${seconds})`, "e.g. --every 60");
  if (seconds < 60 && 60 % seconds === 0) return `*/${seconds} * * * * *`;
  const minutes = seconds / 60;
  if (Number.isInteger(minutes) && minutes < 60 && 60 % minutes === 0) return `0 */${minutes} * * * *`;
  const hours = seconds / 3600;
  if (Number.isInteger(hours) && hours <= 24 && 24 % hours === 0) return `0 0 */${hours} * * *`;
  throw new ValidationError(
    `--every ${seconds}: the period must divide a minute, an hour or a day evenly`,
    "use e.g. 5, 10, 30, 60, 120, 300, 600, 3600",
  );
}
