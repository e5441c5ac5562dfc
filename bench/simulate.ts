// An asynchronous-worker simulator: `workers` evaluations run at once, each taking an
// exponentially distributed time; whenever workers free up, their results are told together and
// the searcher is asked for as many new points (the launcher's loop, without processes).
import type { Searcher } from "../src/search/searcher.js";
import type { Point } from "../src/space/types.js";
import { Rng } from "../src/util/rng.js";

export interface SimulationOptions {
  workers: number;
  /** Evaluations in all; the searcher is never asked for more. */
  budget: number;
  /** Mean evaluation time. */
  meanTime: number;
  /** Seed of the evaluation times (independent of the searcher's seed). */
  seed: number;
}

/** Objective values in completion order (at most `budget`; fewer if the searcher runs dry). */
export function simulate(searcher: Searcher, objective: (p: Point) => number, opts: SimulationOptions): number[] {
  const clock = new Rng(opts.seed);
  const running: { end: number; evalId: number; point: Point }[] = [];
  const values: number[] = [];
  let asked = 0;
  let now = 0;
  const fill = (): void => {
    const free = Math.min(opts.workers - running.length, opts.budget - asked);
    if (free <= 0) return;
    for (const point of searcher.ask(free)) {
      running.push({ end: now + clock.exponential(opts.meanTime), evalId: asked++, point });
    }
  };
  fill();
  while (running.length > 0) {
    now = Math.min(...running.map((r) => r.end));
    const done = running.filter((r) => r.end === now);
    for (const r of done) running.splice(running.indexOf(r), 1);
    const results = done.map((r) => {
      const value = objective(r.point);
      values.push(value);
      return { evalId: r.evalId, point: r.point, status: "DONE" as const, objective: value };
    });
    searcher.tell(results);
    fill();
  }
  return values;
}

/** Best (lowest) value among the first n, minus the optimum. */
export function regretAt(values: number[], n: number, optimum: number): number {
  return Math.min(...values.slice(0, n)) - optimum;
}
