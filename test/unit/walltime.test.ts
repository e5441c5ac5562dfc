// Walltime parsing and formatting at the edge values (59, 60, 90, 1440 minutes; docs/architecture.md, Batch scripts), so no
// directive ever shows Balsam's 1:90:00.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import {
  formatCobalt,
  formatHMS,
  formatLsf,
  formatSlurm,
  parseWalltime,
  walltimeMarginSeconds,
} from "../../src/schedulers/walltime.js";

describe("parseWalltime", () => {
  it.each([
    [90, 90],
    ["90", 90],
    ["1:30:00", 90],
    ["01:30:00", 90],
    ["01:30", 90],
    ["00:59:00", 59],
    ["1:00:00", 60],
    ["24:00:00", 1440],
    ["48:00:00", 2880],
    ["1-00:00:00", 1440],
    ["2-12:30:00", 3630],
    ["1-06", 1800],
    ["1-06:15", 1815],
    [" 60 ", 60],
  ])("%j -> %i minutes", (input, minutes) => {
    expect(parseWalltime(input)).toBe(minutes);
  });

  it("rounds seconds up to the next minute", () => {
    expect(parseWalltime("00:00:30")).toBe(1);
    expect(parseWalltime("1:29:01")).toBe(90);
  });

  it.each([0, -5, 1.5, "", "abc", "0", "00:00:00", "1:90:00", "1:30:75", "1-24:00:00", "1:2:3:4", "90m", "-1"])(
    "rejects %j naming -t/--time and the accepted forms",
    (input) => {
      let caught: unknown;
      try {
        parseWalltime(input);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      const err = caught as ValidationError;
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain("-t/--time");
      expect(err.hint).toContain("HH:MM:SS");
    },
  );
});

describe("walltime formats", () => {
  it.each([
    // minutes, HMS (PBS), Slurm, LSF, Cobalt
    [59, "00:59:00", "00:59:00", "59", "59"],
    [60, "01:00:00", "01:00:00", "1:00", "60"],
    [90, "01:30:00", "01:30:00", "1:30", "90"],
    [1440, "24:00:00", "1-00:00:00", "24:00", "1440"],
    [1530, "25:30:00", "1-01:30:00", "25:30", "1530"],
  ])("%i minutes", (minutes, hms, slurm, lsf, cobalt) => {
    expect(formatHMS(minutes)).toBe(hms);
    expect(formatSlurm(minutes)).toBe(slurm);
    expect(formatLsf(minutes)).toBe(lsf);
    expect(formatCobalt(minutes)).toBe(cobalt);
  });

  it("round-trips HH:MM:SS input through every format", () => {
    const minutes = parseWalltime("1:30:00");
    expect(formatHMS(minutes)).toBe("01:30:00");
    expect(formatSlurm(minutes)).toBe("01:30:00");
    expect(formatLsf(minutes)).toBe("1:30");
    expect(parseWalltime(formatSlurm(1440))).toBe(1440);
    expect(parseWalltime(formatHMS(1530))).toBe(1530);
  });

  it("never writes a minutes field of 60 or more", () => {
    for (let m = 1; m <= 3000; m++) {
      const [, mm] = formatHMS(m).split(":");
      expect(Number(mm)).toBeLessThan(60);
    }
  });

  it("refuses minutes that did not come from parseWalltime", () => {
    expect(() => formatHMS(0)).toThrow(RangeError);
    expect(() => formatSlurm(1.5)).toThrow(RangeError);
  });
});

describe("walltimeMarginSeconds", () => {
  it.each([
    [1, 10], // 10% is 6 s: the 10 s floor applies
    [2, 12],
    [10, 60],
    [20, 120],
    [59, 120], // 10% is 354 s: capped at 2 minutes
    [60, 120],
    [90, 120],
    [1440, 120],
  ])("%i minutes -> %i s", (minutes, seconds) => {
    expect(walltimeMarginSeconds(minutes)).toBe(seconds);
  });
});
