"""Reference searchers on bench/suite under bench/simulate.ts's protocol, for bench/suite/run.ts.

Methods: tpe (Optuna TPE, multivariate, constant liar), cmaes (Optuna CmaEsSampler), dh-ambs (a
DeepHyper-style AMBS: scikit-learn extra trees, UCB on the trees' spread, 10 000 random
candidates, constant liar on the pending points) and random. Each run simulates 8 asynchronous
workers with exponential(1) evaluation times drawn by a port of src/util/rng.ts (seed 1000 + seed),
exactly as bench/simulate.ts does, and writes one JSON line per budget (50, 100, 200: the best of
the first n results to complete, minus the optimum) to --out; lines already there are skipped, so
an interrupted run continues where it stopped.

    /usr/bin/python3 bench/suite/reference.py --problems all --methods tpe,cmaes,dh-ambs,random \
        --seeds 10 --out bench/suite/references.jsonl

Seeds 10-19 of tpe, cmaes and random are in the same file (bench/suite/run.ts --seeds 20 --methods
tpe,cmaes,random reads them; dh-ambs's seeds 10-19 would take about 3.5 hours of CPU here):

    /usr/bin/python3 bench/suite/reference.py --problems all --methods random,cmaes,tpe \
        --seeds 20 --out bench/suite/references.jsonl

Needs Debian's python3-optuna, python3-cmaes, python3-sklearn and numpy (bench only).
"""
import argparse
import json
import math
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import all_problem_names, get_problem  # noqa: E402

BUDGETS = (50, 100, 200)
WORKERS = 8
M32 = 0xFFFFFFFF


# ---- src/util/rng.ts (sfc32 seeded by splitmix32), for the evaluation times ----

class Rng:
    def __init__(self, seed):
        s = seed & M32

        def nxt():
            nonlocal s
            s = (s + 0x9E3779B9) & M32
            z = s
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            return (z ^ (z >> 16)) & M32
        self.a, self.b, self.c, self.d = nxt(), nxt(), nxt(), nxt()
        for _ in range(12):
            self.uint32()

    def uint32(self):
        t = (((self.a + self.b) & M32) + self.d) & M32
        self.d = (self.d + 1) & M32
        self.a = self.b ^ (self.b >> 9)
        self.b = (self.c + (self.c << 3)) & M32
        self.c = ((self.c << 21) & M32) | (self.c >> 11)
        self.c = (self.c + t) & M32
        return t

    def next(self):
        return self.uint32() / 4294967296.0

    def exponential(self, mean=1.0):
        u = 0.0
        while u == 0.0:
            u = self.next()
        return -math.log(u) * mean


# ---- bench/simulate.ts's event loop ----

def simulate(searcher, objective, budget, seed, workers=WORKERS, mean_time=1.0, trace=None):
    """Objective values in completion order; `trace` (a list) receives the completed eval ids."""
    clock = Rng(seed)
    running = []  # [end, eval_id, point]
    values = []
    asked = 0
    now = 0.0

    def fill():
        nonlocal asked
        free = min(workers - len(running), budget - asked)
        if free <= 0:
            return
        for point in searcher.ask(free):
            running.append([now + clock.exponential(mean_time), asked, point])
            asked += 1

    fill()
    while running:
        now = min(r[0] for r in running)
        done = [r for r in running if r[0] == now]
        for r in done:
            running.remove(r)
        results = []
        for r in done:
            value = objective(r[2])
            values.append(value)
            if trace is not None:
                trace.append(r[1])
            results.append((r[1], r[2], value))
        searcher.tell(results)
        fill()
    return values


# ---- the search space ----

class Space:
    """A Spruce problem spec's hyperparameters: sampling and the encoding the trees see."""

    def __init__(self, hps):
        self.hps = hps

    def sample(self, rng, n):
        pts = [{} for _ in range(n)]
        for hp in self.hps:
            t = hp["type"]
            if t == "float":
                lo, hi = float(hp["low"]), float(hp["high"])
                if hp.get("log"):
                    vals = [math.exp(v) for v in rng.uniform(math.log(lo), math.log(hi), size=n)]
                else:
                    vals = [float(v) for v in rng.uniform(lo, hi, size=n)]
            elif t == "int":
                lo, hi = int(hp["low"]), int(hp["high"])
                if hp.get("log"):
                    # Uniform in log space over [low, high + 1), floored: each integer gets its share.
                    vals = [min(hi, int(math.floor(math.exp(v)))) for v in rng.uniform(math.log(lo), math.log(hi + 1), size=n)]
                else:
                    vals = [int(v) for v in rng.integers(lo, hi + 1, size=n)]
            if t in ("float", "int"):
                for p, v in zip(pts, vals):
                    p[hp["name"]] = v
            else:
                idx = rng.integers(0, len(hp["values"]), size=n)
                for p, i in zip(pts, idx):
                    p[hp["name"]] = hp["values"][int(i)]
        return pts

    def encode(self, pts):
        import numpy as np
        cols = []
        for hp in self.hps:
            name, t = hp["name"], hp["type"]
            if t in ("float", "int"):
                lo, hi = float(hp["low"]), float(hp["high"])
                if hp.get("log"):
                    col = [(math.log(p[name]) - math.log(lo)) / (math.log(hi) - math.log(lo)) for p in pts]
                else:
                    col = [(p[name] - lo) / (hi - lo) for p in pts]
            else:
                # Label encoding, as DeepHyper gives tree models for categorical and ordinal values.
                index = {json.dumps(v): i for i, v in enumerate(hp["values"])}
                col = [index[json.dumps(p[name])] for p in pts]
            cols.append(col)
        return np.array(cols, dtype=float).T


    def sample_encoded(self, rng, n):
        """n random points straight in the encoded coordinates, distributed as sample() draws them
        (the candidates of dh-ambs: 10 000 of them, too many to build as dicts)."""
        import numpy as np
        cols = []
        for hp in self.hps:
            t = hp["type"]
            if t == "float":
                cols.append(rng.uniform(0.0, 1.0, size=n))
            elif t == "int":
                lo, hi = int(hp["low"]), int(hp["high"])
                if hp.get("log"):
                    v = np.minimum(hi, np.floor(np.exp(rng.uniform(math.log(lo), math.log(hi + 1), size=n))))
                    cols.append((np.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo)))
                else:
                    cols.append((rng.integers(lo, hi + 1, size=n) - lo) / (hi - lo))
            else:
                cols.append(rng.integers(0, len(hp["values"]), size=n).astype(float))
        return np.stack(cols, axis=1)

    def decode(self, row):
        point = {}
        for hp, v in zip(self.hps, row):
            t = hp["type"]
            if t in ("float", "int"):
                lo, hi = float(hp["low"]), float(hp["high"])
                x = math.exp(math.log(lo) + v * (math.log(hi) - math.log(lo))) if hp.get("log") else lo + v * (hi - lo)
                point[hp["name"]] = int(min(hi, max(lo, round(x)))) if t == "int" else min(hi, max(lo, x))
            else:
                point[hp["name"]] = hp["values"][int(v)]
        return point


# ---- searchers: ask(n) -> points, tell([(eval_id, point, value)]) ----

class RandomSearcher:
    def __init__(self, space, seed):
        import numpy as np
        self.space = space
        self.rng = np.random.default_rng(seed)

    def ask(self, n):
        return self.space.sample(self.rng, n)

    def tell(self, results):
        pass


class OptunaSearcher:
    def __init__(self, space, seed, method):
        import optuna
        from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        warnings.filterwarnings("ignore")
        if method == "tpe":
            sampler = optuna.samplers.TPESampler(multivariate=True, constant_liar=True, seed=seed)
        else:
            sampler = optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
        self.study = optuna.create_study(direction="minimize", sampler=sampler)
        self.space = space
        self.dists = {}
        for hp in space.hps:
            t = hp["type"]
            if t == "float":
                self.dists[hp["name"]] = FloatDistribution(hp["low"], hp["high"], log=bool(hp.get("log")))
            elif t == "int":
                self.dists[hp["name"]] = IntDistribution(hp["low"], hp["high"], log=bool(hp.get("log")))
            elif t == "ordinal":
                # Optuna has no ordered choice: the index, an integer, keeps the order.
                self.dists[hp["name"]] = IntDistribution(0, len(hp["values"]) - 1)
            else:
                self.dists[hp["name"]] = CategoricalDistribution(hp["values"])
        self.trials = {}

    def ask(self, n):
        out = []
        for _ in range(n):
            trial = self.study.ask(self.dists)
            point = {}
            for hp in self.space.hps:
                v = trial.params[hp["name"]]
                point[hp["name"]] = hp["values"][v] if hp["type"] == "ordinal" else v
            self.trials[id(point)] = trial
            out.append(point)
        return out

    def tell(self, results):
        for _, point, value in results:
            self.study.tell(self.trials.pop(id(point)), value)


class DhAmbsSearcher:
    """DeepHyper's centralized Bayesian optimisation as CBO (0.13.2) sets it up for extra trees,
    with its acquisition optimised by sampling: 2N+1 random points first; then for each point, an
    ExtraTreesRegressor (100 trees, min_impurity_decrease 0.005 shrunk x0.2 when 10 results in a
    row do not improve) is fitted on the results plus the pending points told the best value so far
    (constant liar, DeepHyper's cl_max when maximising), objectives clipped at q3 + 1.5 IQR and
    min-max scaled; the point is the best of 10 000 random candidates by mean - kappa * std of the
    trees' predictions (UCBd), kappa decaying from 1.96 to 0.01 over periods of 10 asks."""

    def __init__(self, space, seed, trees=100, candidates=10_000):
        import numpy as np
        self.np = np
        self.space = space
        self.rng = np.random.default_rng(seed)
        self.tree_rng = np.random.RandomState(seed)
        self.seed = seed
        self.trees = trees
        self.candidates = candidates
        self.n_initial = 2 * len(space.hps) + 1
        self.kappa0 = 1.96
        self.period = 10
        self.rate = -1.0 / self.period * math.log(0.01 / self.kappa0)
        self.kappa = self.kappa0
        self.min_impurity_decrease = 0.005
        self.patience = 10
        self.X = []  # told points, in order
        self.y = []
        self.pending = {}  # id(point) -> point
        self.num_asked = 0
        self.fits = 0

    def _scaled(self, y):
        np = self.np
        y = np.asarray(y, dtype=float)
        q1, q3 = np.quantile(y, 0.25), np.quantile(y, 0.75)
        y = np.minimum(y, q3 + 1.5 * (q3 - q1))
        lo, hi = y.min(), y.max()
        return (y - lo) / (hi - lo) if hi > lo else y - lo

    def _propose(self, lies):
        # The trees of an ExtraTreesRegressor(bootstrap=False) fitted one by one as the forest fits
        # them (float32 input, check_input=False, one random stream) and read through tree_.predict:
        # the same model without the forest's per-tree dispatch and parameter validation, which
        # cost several times the trees themselves (about 30 ms against 4 ms for 100 trees).
        from sklearn.tree import ExtraTreeRegressor
        np = self.np
        pts = self.X + lies
        y = self.y + [min(self.y)] * len(lies)
        enc_x = np.ascontiguousarray(self.space.encode(pts), dtype=np.float32)
        scaled = np.ascontiguousarray(self._scaled(y), dtype=np.float64)
        trees = []
        for _ in range(self.trees):
            tree = ExtraTreeRegressor(min_impurity_decrease=self.min_impurity_decrease, random_state=self.tree_rng)
            tree._validate_params = lambda: None
            trees.append(tree.fit(enc_x, scaled, check_input=False))
        self.fits += 1
        enc = self.space.sample_encoded(self.rng, self.candidates)
        enc32 = enc.astype(np.float32)
        per_tree = np.stack([t.tree_.predict(enc32).ravel() for t in trees])
        acq = per_tree.mean(axis=0) - self.kappa * per_tree.std(axis=0)
        return self.space.decode(enc[int(np.argmin(acq))])

    def ask(self, n):
        out = []
        for _ in range(n):
            if len(self.y) < self.n_initial:
                p = self.space.sample(self.rng, 1)[0]
            else:
                p = self._propose(list(self.pending.values()))
            self.pending[id(p)] = p
            out.append(p)
            self.num_asked += 1
        return out

    def tell(self, results):
        for _, point, value in results:
            self.pending.pop(id(point))
            self.X.append(point)
            self.y.append(value)
        # Kappa at the number of points asked so far, as DeepHyper's periodic exponential decay sets it.
        i = self.num_asked
        self.kappa = self.kappa0 * math.exp(-self.rate * ((i - 1 - self.n_initial) % self.period))
        # A stall of `patience` results (none below the one before them) makes the trees finer.
        if len(self.y) >= self.n_initial:
            s = list(self._scaled(self.y))
            tail = s[self.n_initial:]
            if len(tail) > self.patience + 1 and s[-self.patience - 1] < min(tail[-self.patience:]):
                self.min_impurity_decrease *= 0.2


METHODS = ("tpe", "cmaes", "dh-ambs", "random")


def make_searcher(method, space, seed):
    if method == "random":
        return RandomSearcher(space, seed)
    if method in ("tpe", "cmaes"):
        return OptunaSearcher(space, seed, method)
    if method == "dh-ambs":
        return DhAmbsSearcher(space, seed)
    raise ValueError(f"unknown method {method}")


def done_keys(path):
    keys = set()
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    r = json.loads(line)
                    keys.add((r["problem"], r["method"], r["seed"]))
    return keys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--problems", default="all", help="comma-separated names, or 'all'")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1")
    ap.add_argument("--out", help="JSON lines, appended; (problem, method, seed) already there is skipped")
    ap.add_argument("--trace", type=int, metavar="SEED", help="print the completion order of a dummy search and exit")
    args = ap.parse_args(argv)

    if args.trace is not None:
        class Dummy:
            n = 0

            def ask(self, k):
                out = [{"id": self.n + i} for i in range(k)]
                self.n += k
                return out

            def tell(self, results):
                pass
        order = []
        simulate(Dummy(), lambda p: float(p["id"]), max(BUDGETS), 1000 + args.trace, trace=order)
        print(json.dumps(order))
        return 0

    if not args.out:
        print("error: --out: missing\nhint: give the JSON-lines file to append results to, e.g. --out bench/suite/references.jsonl",
              file=sys.stderr)
        return 2
    names = all_problem_names() if args.problems == "all" else args.problems.split(",")
    methods = args.methods.split(",")
    for m in methods:
        if m not in METHODS:
            print(f"error: --methods: unknown method {m}\nhint: choose among {','.join(METHODS)}", file=sys.stderr)
            return 2
    known = set(all_problem_names())
    for n in names:
        if n not in known:
            print(f"error: --problems: unknown problem {n}\nhint: names are bbob-f<1..24>-d<2|5|10> or those of mixed.json",
                  file=sys.stderr)
            return 2
    done = done_keys(args.out)
    budget = max(BUDGETS)
    with open(args.out, "a") as out:
        for name in names:
            problem = get_problem(name)
            space = Space(problem.hyperparameters)
            for method in methods:
                for seed in range(args.seeds):
                    if (name, method, seed) in done:
                        continue
                    t0 = time.process_time()
                    values = simulate(make_searcher(method, space, seed), problem.objective, budget, 1000 + seed)
                    cpu = time.process_time() - t0
                    for b in BUDGETS:
                        out.write(json.dumps({"problem": name, "group": problem.group, "method": method, "seed": seed,
                                              "budget": b, "regret": min(values[:b]) - problem.fopt,
                                              "cpu_s": round(cpu, 2)}) + "\n")
                    out.flush()
                    print(f"{name} {method} seed {seed}: regret@200 {min(values) - problem.fopt:.4g} ({cpu:.1f} s)",
                          file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
