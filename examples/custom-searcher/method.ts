// A custom search method: a small evolutionary search. It starts with a random population, and
// every result (or failure) lets it create one child: a Gaussian mutation, in the unit cube, of the
// winner of a 3-way tournament among the best points so far. Its whole state is JSON, so a
// relaunched launcher continues it exactly (Spruce saves it after every event).
import { Rng, type JsonValue, type Operation, type Point, type SearchMethod, type SearchMethodContext } from "spruce-hps";

interface Member {
  point: Point;
  objective: number;
}

interface State {
  population: Member[];
  created: number;
  rng: [number, number, number, number];
  /** Every event handled, in order: what the resume test compares. */
  handled: string[];
}

export default class Evolution implements SearchMethod {
  private s: State;
  private rng: Rng;
  private readonly budget: number;
  private readonly populationSize: number;
  private readonly sigma: number;

  constructor(private readonly ctx: SearchMethodContext) {
    const args = (ctx.args ?? {}) as { budget?: number; population?: number; sigma?: number };
    this.budget = args.budget ?? 30;
    this.populationSize = args.population ?? 4;
    this.sigma = args.sigma ?? 0.1;
    this.rng = new Rng(ctx.seed);
    this.s = { population: [], created: 0, rng: this.rng.state(), handled: [] };
  }

  initialPoints(): Operation[] {
    this.s.handled.push("initial");
    return Array.from({ length: Math.min(this.populationSize, this.budget) }, () => this.create(this.ctx.space.sample(this.rng)));
  }

  onResult(evaluation: { id: number; point: Point; objective: number }): Operation[] {
    this.s.handled.push(`result ${evaluation.id}`);
    this.s.population.push({ point: evaluation.point, objective: evaluation.objective });
    return this.next();
  }

  onFailure(evaluation: { id: number; point: Point }, reason: string): Operation[] {
    this.s.handled.push(`failure ${evaluation.id}: ${reason.split("\n")[0]}`);
    return this.next();
  }

  progress(): number {
    return this.s.created / this.budget;
  }

  saveState(): JsonValue {
    this.s.rng = this.rng.state();
    return this.s as unknown as JsonValue;
  }

  loadState(state: JsonValue): void {
    this.s = state as unknown as State;
    this.rng = new Rng(this.s.rng);
  }

  /** One child per event while the budget lasts, then shut down. */
  private next(): Operation[] {
    if (this.s.created >= this.budget) return [{ shutdown: true }];
    return [this.create(this.mutate(this.tournament()))];
  }

  private create(point: Point): Operation {
    this.s.created++;
    return { create: point };
  }

  private tournament(): Point {
    const sign = this.ctx.direction === "maximize" ? 1 : -1;
    let best: Member | undefined;
    for (let i = 0; i < 3 && this.s.population.length > 0; i++) {
      const m = this.rng.pick(this.s.population);
      if (!best || sign * m.objective > sign * best.objective) best = m;
    }
    return best ? best.point : this.ctx.space.sample(this.rng);
  }

  private mutate(point: Point): Point {
    const x = this.ctx.space.encode(point);
    for (let i = 0; i < x.length; i++) x[i] = Math.min(1, Math.max(0, (x[i] as number) + this.sigma * this.rng.normal()));
    return this.ctx.space.decode(x);
  }
}
