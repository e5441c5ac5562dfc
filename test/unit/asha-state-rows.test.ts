// asha's stateWithoutRows() (docs/architecture.md, asha): a few words whatever the length of the
// search, with the journal entries taken at each save; restored from the last save, the trials'
// points (the rows) and the journal, it is the searcher that saved: the same state(), then the same
// new trials, decisions and resumes as the one that was never stopped.
import { describe, expect, it } from "vitest";
import { createAshaSearcher, type AshaSearcher } from "../../src/search/asha/index.js";
import type { SearcherHistory } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, Point } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";

const space = new Space({
  hyperparameters: [
    { type: "float", name: "lr", low: 1e-4, high: 1, log: true },
    { type: "categorical", name: "act", values: ["relu", "tanh", "sigmoid"] },
  ],
  startingPoints: [],
});

/** 12 points: the inner searcher runs dry before the trials' budget. */
const small = new Space({
  hyperparameters: [
    { type: "ordinal", name: "lr", values: [1e-3, 1e-2, 0.1, 1] },
    { type: "categorical", name: "act", values: ["relu", "tanh", "sigmoid"] },
  ],
  startingPoints: [],
});

/**
 * A state() as text, the random inner searcher's `seen` sorted: a set it only asks about
 * membership, which its own restore rebuilds from the rows told first, then pending.
 */
function text(state: JsonValue): string {
  const s = roundTrip(state) as { inner?: { seen?: string[] } };
  s.inner?.seen?.sort();
  return JSON.stringify(s);
}

const roundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** What the database keeps: the last state saved, the journal batches, each trial's point (its rows). */
class Saved {
  state: JsonValue | undefined;
  /** state() of the searcher when it was saved: what a restore must give back. */
  snapshot = "";
  private readonly batches: { from: number; entries: JsonValue[] }[] = [];
  private readonly trials: Point[] = [];

  save(s: AshaSearcher): void {
    this.state = roundTrip(s.stateWithoutRows!());
    const batch = roundTrip(s.takeJournal!());
    this.batches.push(batch);
    // A transaction retried after a lost COMMIT may store the same batch again: it counts once.
    if (batch.entries.length > 0 && batch.from % 5 === 0) this.batches.push(batch);
    this.snapshot = text(s.state());
  }

  /** A copy of the database, for a second process to go on with. */
  copy(): Saved {
    const c = new Saved();
    c.state = this.state;
    c.snapshot = this.snapshot;
    c.batches.push(...roundTrip(this.batches));
    c.trials.push(...roundTrip(this.trials));
    return c;
  }

  created(trialId: number, point: Point): void {
    this.trials[trialId] = roundTrip(point);
  }

  history(): SearcherHistory {
    const journal: JsonValue[] = [];
    for (const b of this.batches) b.entries.forEach((e, i) => (journal[b.from + i] = e));
    return { told: [], pending: [], trials: [...this.trials], journal };
  }

  /** The largest journal batch saved, in bytes. */
  largestBatch(): number {
    return Math.max(...this.batches.map((b) => JSON.stringify(b.entries).length));
  }
}

/**
 * An asynchronous search driven as the launcher drives it, by a seeded generator: new trials and
 * resumes start, running trials report (below, at or past their decision length; values rounded so
 * that rungs see ties), fail, end with a told result, or end after a promotion and are requeued;
 * the state is saved now and then, as events save it. Returns what the searcher said, as text.
 */
class Run {
  readonly rng: Rng;
  /** Running trials and the length of their next decision. */
  readonly running = new Map<number, number>();
  readonly said: string[] = [];

  constructor(seed: number, private readonly s: AshaSearcher, private readonly saved: Saved) {
    this.rng = new Rng(seed);
  }

  clone(s: AshaSearcher, saved: Saved): Run {
    const r = new Run(0, s, saved);
    // Same generator state, same running trials: the same choices from here.
    (r as { rng: Rng }).rng = new Rng(this.rng.state());
    for (const [k, v] of this.running) r.running.set(k, v);
    return r;
  }

  steps(n: number, saveEvery = 0.3): void {
    for (let i = 0; i < n; i++) this.step(saveEvery);
  }

  private value(trialId: number, length: number): number {
    const p = this.s.point(trialId);
    const v = (Math.log10(p.lr as number) + 2) ** 2 / 4 + (p.act === "relu" ? 0 : 0.2) + 1 / (1 + length);
    return Math.round(v * 10) / 10;
  }

  private step(saveEvery: number): void {
    const { s, rng } = this;
    const r = rng.next();
    const ids = [...this.running.keys()];
    const pick = ids.length > 0 ? ids[rng.int(0, ids.length - 1)]! : undefined;
    if (r < 0.2 || pick === undefined) {
      for (const w of s.newTrials(rng.int(1, 3))) {
        this.saved.created(w.trialId, w.point);
        this.running.set(w.trialId, w.length);
        this.said.push(`new ${w.trialId} ${JSON.stringify(w.point)} ${w.bracket} ${w.length} ${s.exhausted()}`);
      }
      for (const t of s.takeResumes(rng.int(0, 2))) {
        this.running.set(t.trialId, t.length);
        this.said.push(`resume ${JSON.stringify(t)}`);
      }
    } else if (r < 0.7) {
      const target = this.running.get(pick)!;
      const length = [Math.max(0, target - 1), target, target * 2][rng.int(0, 2)]!;
      const d = s.report(pick, length, this.value(pick, length));
      if (d.action === "stop") this.running.delete(pick);
      else this.running.set(pick, d.length);
      this.said.push(`report ${pick} ${length} ${JSON.stringify(d)}`);
    } else if (r < 0.78) {
      this.running.delete(pick);
      this.said.push(`fail ${pick} ${JSON.stringify(s.fail(pick))}`);
    } else if (r < 0.93) {
      const failed = rng.next() < 0.2;
      const objective = failed ? null : this.value(pick, this.running.get(pick)!);
      this.running.delete(pick);
      s.tell([{ evalId: 1000 + pick, point: s.point(pick), status: failed ? "FAILED" : "DONE", objective }]);
      this.said.push(`tell ${pick} -> ${JSON.stringify(s.scheduler.info(pick))}`);
    } else {
      this.running.delete(pick);
      s.requeue(pick, s.scheduler.info(pick).reached);
      this.said.push(`requeue ${pick}`);
    }
    if (rng.next() < saveEvery) this.saved.save(s);
  }
}

const OPTIONS: [string, Record<string, JsonValue>, Space][] = [
  ["random inner, standard", { max_length: 64, max_trials: 120 }, space],
  ["ambs inner, aggressive", { max_length: 27, max_trials: 60, divisor: 3, mode: "aggressive", asha_searcher: "ambs", n_initial_points: 5, n_candidates: 200 }, space],
  ["stop once, conservative", { max_length: 16, max_trials: 80, mode: "conservative", stop_once: true }, space],
  ["a space the inner searcher exhausts", { max_length: 16, max_trials: 40, divisor: 2 }, small],
];

describe.each(OPTIONS)("asha restored from stateWithoutRows() and the rows (%s)", (_name, options, sp) => {
  const make = (o: Record<string, JsonValue>, seed = 11): AshaSearcher => createAshaSearcher({ space: sp, seed, direction: "minimize", options: o });

  it("proposes and decides exactly as the searcher that was never stopped", () => {
    const a = make(options);
    const saved = new Saved();
    const run = new Run(5, a, saved);
    // Stopped midway: half the trials (or half the small space) created.
    const half = Math.min(options.max_trials as number, sp.size()) / 2;
    while (a.scheduler.bracketPlan().length > 0 && (options.max_trials as number) - a.scheduler.remainingTrials() < half) run.steps(1);
    run.steps(10);
    saved.save(a);

    // Another process: a fresh searcher (another seed: everything must come from the save).
    const b = make(options, 999);
    b.restore(roundTrip(saved.state!), roundTrip(saved.history()));
    expect(text(b.state())).toBe(text(a.state()));

    // Both go on; b saves into a copy of the database, and is restored again from there.
    const savedB = saved.copy();
    const runB = run.clone(b, savedB);
    const from = run.said.length;
    run.steps(200);
    runB.steps(200);
    expect(runB.said).toEqual(run.said.slice(from));
    // The run went through promotions of paused trials, and went on deciding after the restore.
    expect(run.said.some((l) => l.startsWith("resume"))).toBe(true);
    expect(run.said.slice(from).filter((l) => l.startsWith("report")).length).toBeGreaterThan(10);

    savedB.save(b);
    const c = make(options, 5);
    c.restore(roundTrip(savedB.state!), roundTrip(savedB.history()));
    expect(text(c.state())).toBe(text(a.state()));
    const runC = runB.clone(c, savedB);
    const at = run.said.length;
    run.steps(100);
    runC.steps(100);
    expect(runC.said).toEqual(run.said.slice(at));
  });

  it("restores the last save, not what came after it, and keeps that state a few words", () => {
    const a = make(options);
    const saved = new Saved();
    const run = new Run(8, a, saved);
    run.steps(40);
    saved.save(a);
    const early = JSON.stringify(saved.state).length;
    run.steps(300, 0.5);
    saved.save(a);
    // Calls after the last save (reports below a rung are not saved at once) are not in the restore.
    run.steps(10, 0);
    const b = make(options);
    b.restore(roundTrip(saved.state!), roundTrip(saved.history()));
    expect(text(b.state())).toBe(saved.snapshot);
    // The saved state grows only by the digits of its counters; each journal batch holds the calls since the last save.
    expect(JSON.stringify(saved.state).length).toBeLessThan(early + 40);
    expect(JSON.stringify(a.state()).length).toBeGreaterThan(10 * early);
    expect(saved.largestBatch()).toBeLessThan(2000);
  });
});

describe("asha's journal", () => {
  const make = (options: Record<string, JsonValue>, seed = 11): AshaSearcher => createAshaSearcher({ space, seed, direction: "minimize", options });

  it("refuses a state without rows with no journal, or with a batch missing", () => {
    const a = make(OPTIONS[0]![1]);
    const saved = new Saved();
    const run = new Run(3, a, saved);
    run.steps(30, 1);
    const b = make(OPTIONS[0]![1]);
    expect(() => b.restore(roundTrip(saved.state!), { told: [], pending: [] })).toThrow(/history of the evaluation rows/);
    const history = saved.history();
    delete history.journal![3];
    expect(() => b.restore(roundTrip(saved.state!), history)).toThrow(/lacks entry 3/);
  });

  it("keeps saving state() once restored from a state() saved before the journal", () => {
    const a = make(OPTIONS[0]![1]);
    const run = new Run(4, a, new Saved());
    run.steps(50);
    const b = make(OPTIONS[0]![1]);
    b.restore(roundTrip(a.state()));
    expect(JSON.stringify(b.state())).toBe(JSON.stringify(a.state()));
    // Its journal lacks the search's beginning: the whole state goes on being saved.
    expect(b.stateWithoutRows!()).toEqual(b.state());
    expect(b.takeJournal!().entries).toEqual([]);
  });
});
