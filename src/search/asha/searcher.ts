// The `asha` searcher: AshaPromoter decides the fate of trials, an inner searcher (random, or AMBS
// for a BOHB-like search) proposes the point of each new trial. It is a Searcher, so the generic
// ask/tell loop runs it (a trial then reports once, its final objective counting at its rung), and
// it adds report()/fail() for a launcher that streams intermediate results and stops runs early.
import { ValidationError } from "../../errors.js";
import type { JsonValue, Point } from "../../space/types.js";
import { createAmbsSearcher } from "../ambs/index.js";
import { createRandomSearcher } from "../random.js";
import type { EvaluationResult, Searcher, SearcherContext, SearcherFactory } from "../searcher.js";
import { ASHA_DEFAULTS, type AshaConfig, type AshaMode } from "./rungs.js";
import { AshaPromoter, type AshaDecision, type AshaResume } from "./promoter.js";

const INNER: Record<string, SearcherFactory> = { random: createRandomSearcher, ambs: createAmbsSearcher };

export interface AshaWork {
  trialId: number;
  point: Point;
  bracket: number;
  /** Train to this length, then report. */
  length: number;
}

export interface AshaSearcher extends Searcher {
  readonly scheduler: AshaPromoter;
  /** Up to n new trials with their points (ask(n) returns the same points, without the rest). */
  newTrials(n: number): AshaWork[];
  point(trialId: number): Point;
  /** A running trial's value after `length` units; see AshaPromoter.report. Resumes it decides
   * are also queued for takeResumes(). */
  report(trialId: number, length: number, value: number): AshaDecision;
  fail(trialId: number): AshaDecision;
  /** A running trial whose run ended at `fromLength` before its decision length: resume it from there. */
  requeue(trialId: number, fromLength: number): void;
  /** Up to max (default all) queued resumes of paused trials promoted since, oldest first. */
  takeResumes(max?: number): AshaResume[];
  /** exhausted() and no trial running: the search is over. */
  finished(): boolean;
}

interface AshaSearcherState {
  scheduler: JsonValue;
  inner: JsonValue;
  points: Point[];
  told: number[];
  queue: AshaResume[];
  innerDry: boolean;
}

/**
 * Reads max_length and max_trials (required: submit's --max-length and --max-evals), divisor,
 * max_rungs, mode, stop_once, and asha_searcher (random | ambs, default random).
 */
export function parseAshaOptions(options: Record<string, JsonValue>): AshaConfig {
  const required = (key: string, flag: string): JsonValue => {
    const v = options[key];
    if (v === undefined || v === null) throw new ValidationError(`asha needs ${flag}`, `e.g. ${flag} 64, in the run's own units`);
    return v;
  };
  return {
    maxLength: required("max_length", "--max-length") as number,
    maxTrials: required("max_trials", "--max-evals") as number,
    divisor: (options.divisor ?? ASHA_DEFAULTS.divisor) as number,
    maxRungs: (options.max_rungs ?? ASHA_DEFAULTS.maxRungs) as number,
    mode: (options.mode ?? ASHA_DEFAULTS.mode) as AshaMode,
    stopOnce: (options.stop_once ?? ASHA_DEFAULTS.stopOnce) as boolean,
  };
}

export function createAshaSearcher(ctx: SearcherContext): AshaSearcher {
  const scheduler = new AshaPromoter(parseAshaOptions(ctx.options), ctx.direction);
  const innerName = ctx.options.asha_searcher ?? "random";
  const factory = typeof innerName === "string" ? INNER[innerName] : undefined;
  if (factory === undefined) {
    throw new ValidationError(`asha: unknown asha_searcher ${JSON.stringify(innerName)}`, `use one of: ${Object.keys(INNER).join(", ")}`);
  }
  // Trials are ranked on one value, the (first) objective their progress points and results give: the
  // inner searcher learns that value alone.
  const inner = factory({ ...ctx, objectives: undefined });
  let points: Point[] = [];
  let byKey = new Map<string, number>();
  // Trials whose first rung result the inner searcher has been told: it learns one value per point,
  // at the bracket's shortest length, so that AMBS never sees the same point twice.
  let told = new Set<number>();
  let queue: AshaResume[] = [];
  let innerDry = false;

  function teach(trialId: number, decision: AshaDecision, value: number | null): void {
    if (told.has(trialId) || decision.reason === "training") return;
    told.add(trialId);
    const point = points[trialId]!;
    inner.tell([{ evalId: trialId, point, status: value === null ? "FAILED" : "DONE", objective: value }]);
  }

  const self: AshaSearcher = {
    name: "asha",
    scheduler,
    newTrials(n: number): AshaWork[] {
      const wanted = Math.min(n, scheduler.remainingTrials());
      if (wanted <= 0 || innerDry) return [];
      const proposed = inner.ask(wanted);
      if (proposed.length < wanted) innerDry = true;
      return proposed.map((point) => {
        const t = scheduler.newTrial()!;
        points[t.trialId] = point;
        byKey.set(ctx.space.key(point), t.trialId);
        return { ...t, point };
      });
    },
    ask(n: number): Point[] {
      return self.newTrials(n).map((w) => w.point);
    },
    point(trialId: number): Point {
      const p = points[trialId];
      if (p === undefined) throw new ValidationError(`asha: unknown trial ${trialId}`, "this is a bug in spruce: report it with the output of --verbose");
      return p;
    },
    report(trialId: number, length: number, value: number): AshaDecision {
      const decision = scheduler.report(trialId, length, value);
      teach(trialId, decision, value);
      queue.push(...decision.resume);
      return decision;
    },
    fail(trialId: number): AshaDecision {
      const decision = scheduler.fail(trialId);
      teach(trialId, decision, null);
      queue.push(...decision.resume);
      return decision;
    },
    tell(results: EvaluationResult[]): void {
      for (const r of results) {
        const trialId = byKey.get(ctx.space.key(r.point));
        if (trialId === undefined) throw new ValidationError(`asha: told a result for a point it never asked: ${JSON.stringify(r.point)}`, "this is a bug in spruce: report it with the output of --verbose");
        // A trial already decided by report() ended because it was told to: nothing more to learn.
        const info = scheduler.info(trialId);
        if (info.status !== "running") continue;
        if (r.status !== "DONE" || r.objective === null) {
          self.fail(trialId);
          continue;
        }
        // Without reports, the final objective counts as reached at the trial's rung length.
        const decision = self.report(trialId, Math.max(info.reached, info.length), r.objective);
        // The run has ended, so a promotion continues it as a resume.
        if (decision.action === "continue") queue.push({ trialId, fromLength: info.length, length: decision.length });
      }
    },
    requeue(trialId: number, fromLength: number): void {
      const info = scheduler.info(trialId);
      if (info.status !== "running") throw new ValidationError(`asha: trial ${trialId} is ${info.status}, not running`, "this is a bug in spruce: report it with the output of --verbose");
      queue.push({ trialId, fromLength, length: info.length });
    },
    takeResumes(max = Infinity): AshaResume[] {
      return queue.splice(0, Math.min(max, queue.length));
    },
    state(): JsonValue {
      const s: AshaSearcherState = { scheduler: scheduler.state(), inner: inner.state(), points, told: [...told], queue, innerDry };
      return s as unknown as JsonValue;
    },
    restore(state: JsonValue): void {
      const s = state as unknown as AshaSearcherState;
      scheduler.restore(s.scheduler);
      inner.restore(s.inner);
      points = s.points;
      byKey = new Map(points.map((p, i) => [ctx.space.key(p), i]));
      told = new Set(s.told);
      queue = s.queue;
      innerDry = s.innerDry;
    },
    exhausted(): boolean {
      return innerDry || !scheduler.canCreate();
    },
    finished(): boolean {
      return self.exhausted() && points.every((_, i) => scheduler.info(i).status !== "running");
    },
  };
  return self;
}
