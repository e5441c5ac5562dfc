// The `asha` searcher: AshaPromoter decides the fate of trials, an inner searcher (random, or AMBS
// for a BOHB-like search) proposes the point of each new trial. It is a Searcher, so the generic
// ask/tell loop runs it (a trial then reports once, its final objective counting at its rung), and
// it adds report()/fail() for a launcher that streams intermediate results and stops runs early.
// The launcher saves stateWithoutRows(), a few words, with the journal of its calls since the last
// save; a restore replays the journal over the trials' points from the rows (docs/architecture.md, asha).
import { ValidationError } from "../../errors.js";
import type { JsonValue, Point } from "../../space/types.js";
import { createAmbsSearcher } from "../ambs/index.js";
import { createRandomSearcher } from "../random.js";
import type { EvaluationResult, Searcher, SearcherContext, SearcherFactory, SearcherHistory, SearcherJournal } from "../searcher.js";
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

/** state(): everything (the scheduler's every trial and rung result, every point). */
interface AshaSearcherState {
  scheduler: JsonValue;
  inner: JsonValue;
  points: Point[];
  told: number[];
  queue: AshaResume[];
  innerDry: boolean;
}

/**
 * stateWithoutRows(): the inner searcher's own stateWithoutRows() and how many journal entries the
 * state has seen. The points are the rows'; the scheduler is the journal replayed.
 */
interface AshaRowlessState {
  version: 2;
  inner: JsonValue;
  entries: number;
}

/**
 * One call that changed the search, as the journal keeps it (the rows hold the values too, but not
 * the order in which the leader heard them; see stateWithoutRows below):
 * n: newTrials created `count` trials (dry 1: the inner searcher ran dry); r: report(trial, length,
 * value); f: fail(trial); t: tell of a running trial (objective, null a failure); q: requeue(trial,
 * fromLength); k: takeResumes took `count`.
 */
type JournalEntry =
  | ["n", number, 0 | 1]
  | ["r", number, number, number]
  | ["f", number]
  | ["t", number, number | null]
  | ["q", number, number]
  | ["k", number];

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
  const initial = scheduler.state();
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
  // The journal: entries not yet taken, and the number of the first of them.
  let journal: JournalEntry[] = [];
  let journalFrom = 0;
  // Restored from a full state() (a search begun before the journal): it goes on saving state(),
  // since the journal lacks its beginning.
  let whole = false;
  // While a restore replays the journal: what the inner searcher is told, for its own restore.
  let replayTold: EvaluationResult[] | null = null;

  function teach(trialId: number, decision: AshaDecision, value: number | null): void {
    if (told.has(trialId) || decision.reason === "training") return;
    told.add(trialId);
    const point = points[trialId]!;
    const result: EvaluationResult = { evalId: trialId, point, status: value === null ? "FAILED" : "DONE", objective: value };
    if (replayTold) replayTold.push(result);
    else inner.tell([result]);
  }

  function addTrials(proposed: Point[]): AshaWork[] {
    return proposed.map((point) => {
      const t = scheduler.newTrial()!;
      points[t.trialId] = point;
      byKey.set(ctx.space.key(point), t.trialId);
      return { ...t, point };
    });
  }

  function report(trialId: number, length: number, value: number): AshaDecision {
    const decision = scheduler.report(trialId, length, value);
    teach(trialId, decision, value);
    queue.push(...decision.resume);
    return decision;
  }

  function fail(trialId: number): AshaDecision {
    const decision = scheduler.fail(trialId);
    teach(trialId, decision, null);
    queue.push(...decision.resume);
    return decision;
  }

  /** The result of a running trial's run that never reported up to its decision length. */
  function tellRunning(trialId: number, objective: number | null): void {
    if (objective === null) {
      fail(trialId);
      return;
    }
    const info = scheduler.info(trialId);
    // Without reports, the final objective counts as reached at the trial's rung length.
    const decision = report(trialId, Math.max(info.reached, info.length), objective);
    // The run has ended, so a promotion continues it as a resume.
    if (decision.action === "continue") queue.push({ trialId, fromLength: info.length, length: decision.length });
  }

  function requeue(trialId: number, fromLength: number): void {
    const info = scheduler.info(trialId);
    if (info.status !== "running") throw new ValidationError(`asha: trial ${trialId} is ${info.status}, not running`, "this is a bug in spruce: report it with the output of --verbose");
    queue.push({ trialId, fromLength, length: info.length });
  }

  /** Replays a journal entry; `trials` gives the points of the trials it creates. */
  function replay(e: JournalEntry, trials: Point[]): void {
    switch (e[0]) {
      case "n": {
        const from = points.length;
        const proposed = trials.slice(from, from + e[1]);
        if (proposed.length < e[1] || proposed.some((p) => p === undefined)) {
          throw new ValidationError(`asha: the saved search created trial ${from + proposed.length} but no evaluation row holds it`, "the saved search state is damaged: submit the search again under a new name");
        }
        addTrials(proposed);
        if (e[2] === 1) innerDry = true;
        return;
      }
      case "r":
        report(e[1], e[2], e[3]);
        return;
      case "f":
        fail(e[1]);
        return;
      case "t":
        tellRunning(e[1], e[2]);
        return;
      case "q":
        requeue(e[1], e[2]);
        return;
      case "k":
        queue.splice(0, e[1]);
        return;
      default:
        throw new ValidationError(`asha: unknown journal entry ${JSON.stringify(e)}`, "the saved search state is damaged (or from a newer spruce): submit the search again under a new name");
    }
  }

  function reset(): void {
    scheduler.restore(initial);
    points = [];
    byKey = new Map();
    told = new Set();
    queue = [];
    innerDry = false;
    journal = [];
    journalFrom = 0;
    whole = false;
  }

  const self: AshaSearcher = {
    name: "asha",
    scheduler,
    newTrials(n: number): AshaWork[] {
      const wanted = Math.min(n, scheduler.remainingTrials());
      if (wanted <= 0 || innerDry) return [];
      const proposed = inner.ask(wanted);
      if (proposed.length < wanted) innerDry = true;
      journal.push(["n", proposed.length, innerDry ? 1 : 0]);
      return addTrials(proposed);
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
      const decision = report(trialId, length, value);
      journal.push(["r", trialId, length, value]);
      return decision;
    },
    fail(trialId: number): AshaDecision {
      const decision = fail(trialId);
      journal.push(["f", trialId]);
      return decision;
    },
    tell(results: EvaluationResult[]): void {
      for (const r of results) {
        const trialId = byKey.get(ctx.space.key(r.point));
        if (trialId === undefined) throw new ValidationError(`asha: told a result for a point it never asked: ${JSON.stringify(r.point)}`, "this is a bug in spruce: report it with the output of --verbose");
        // A trial already decided by report() ended because it was told to: nothing more to learn.
        if (scheduler.info(trialId).status !== "running") continue;
        const objective = r.status !== "DONE" || r.objective === null ? null : r.objective;
        tellRunning(trialId, objective);
        journal.push(["t", trialId, objective]);
      }
    },
    requeue(trialId: number, fromLength: number): void {
      requeue(trialId, fromLength);
      journal.push(["q", trialId, fromLength]);
    },
    takeResumes(max = Infinity): AshaResume[] {
      const taken = queue.splice(0, Math.min(max, queue.length));
      if (taken.length > 0) journal.push(["k", taken.length]);
      return taken;
    },
    state(): JsonValue {
      const s: AshaSearcherState = { scheduler: scheduler.state(), inner: inner.state(), points, told: [...told], queue, innerDry };
      return s as unknown as JsonValue;
    },
    /**
     * A few words whatever the length of the search. The rows hold each trial's point (its rows'
     * fidelity) and every progress point and result, but not the order in which the leader heard
     * them: reports are read from its own runs and from agents' rows in batches, results are told
     * between them, and a rung's ties, its promotions and the resumes they queue depend on that
     * order. So asha journals each call that changed it (a few numbers; JournalEntry), the launcher
     * appends the entries taken since its last save in the same transaction as this state, and a
     * restore replays them: the scheduler, the queue and the inner searcher's history come out as
     * they were (docs/architecture.md, asha).
     */
    stateWithoutRows(): JsonValue {
      if (whole) return self.state();
      const s: AshaRowlessState = { version: 2, inner: inner.stateWithoutRows!(), entries: journalFrom + journal.length };
      return s as unknown as JsonValue;
    },
    takeJournal(): SearcherJournal {
      const taken = { from: journalFrom, entries: whole ? [] : (journal as unknown as JsonValue[]) };
      journalFrom += journal.length;
      journal = [];
      return taken;
    },
    restore(state: JsonValue, history?: SearcherHistory): void {
      reset();
      const v2 = state as unknown as AshaRowlessState;
      if (v2 !== null && typeof v2 === "object" && !Array.isArray(v2) && v2.version === 2) {
        const entries = history?.journal;
        if (!history || !entries || !history.trials) throw new ValidationError("asha: this saved state needs the history of the evaluation rows and the journal", "this is a bug in spruce: report it with the output of --verbose");
        // (A loop, not some(): a batch missing from the rows leaves a hole, which some() skips.)
        for (let i = 0; i < v2.entries; i++) {
          if (entries[i] === undefined || entries[i] === null) {
            throw new ValidationError(`asha: the saved journal lacks entry ${i} (of ${v2.entries})`, "the saved search state is damaged: submit the search again under a new name");
          }
        }
        replayTold = [];
        try {
          for (let i = 0; i < v2.entries; i++) replay(entries[i] as unknown as JournalEntry, history.trials);
          // The inner searcher was asked every trial's point, in trial order, and told replayTold.
          inner.restore(v2.inner, { told: replayTold, pending: points.filter((_, i) => !told.has(i)) });
        } finally {
          replayTold = null;
        }
        journalFrom = v2.entries;
        return;
      }
      const s = state as unknown as AshaSearcherState;
      scheduler.restore(s.scheduler);
      inner.restore(s.inner);
      points = s.points;
      byKey = new Map(points.map((p, i) => [ctx.space.key(p), i]));
      told = new Set(s.told);
      queue = s.queue;
      innerDry = s.innerDry;
      whole = true;
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
