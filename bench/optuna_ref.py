"""Optuna reference runs for Spruce's benchmarks, under their protocol: 8 asynchronous workers with exponential(1) evaluation times, told as they finish (ask/tell with pending trials).

    python3 bench/optuna_ref.py moo --seeds 10 --budget 200 [--problems zdt1-30,dtlz2-12] [--jobs 2]
        NSGAIISampler and the multi-objective TPESampler (MOTPE's successor in Optuna 3.1)
        on bench/moo-problems.ts's problems; prints {problem: {"nsga2"|"motpe": [values per seed]}}
        with each run's objective vectors in completion order (bench/moo.ts computes the hypervolume).
        The runs are spread over --jobs processes (default: one per CPU); each is seeded, so the
        output does not depend on how many.
    python3 bench/optuna_ref.py conditional --seeds 10 --budget 100
        TPESampler, define-by-run, on bench/functions.ts's conditional problem; prints
        {"tpe": [values per seed]}.

The problems are written again here and must stay the same as the TypeScript ones. Needs Debian's
python3-optuna (3.1); exits 3 with a message when it is missing.
"""

import argparse
import heapq
import json
import math
import os
import random
import sys
import warnings


def zdt(n, shape):
    def evaluate(x):
        g = 1 + 9 * sum(x[1:]) / (n - 1)
        return [x[0], g * (1 - shape(x[0] / g))]

    return n, 2, evaluate


def dtlz2(n):
    def evaluate(x):
        g = sum((v - 0.5) ** 2 for v in x[2:])
        a = x[0] * math.pi / 2
        b = x[1] * math.pi / 2
        return [(1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b), (1 + g) * math.sin(a)]

    return n, 3, evaluate


MOO = {
    "zdt1-30": zdt(30, math.sqrt),
    "zdt1-6": zdt(6, math.sqrt),
    "zdt2-30": zdt(30, lambda r: r * r),
    "zdt2-6": zdt(6, lambda r: r * r),
    "dtlz2-12": dtlz2(12),
}


def conditional(trial):
    """bench/functions.ts's conditional problem, define-by-run: the method first, then its own parameters."""
    method = trial.suggest_categorical("method", ["svm", "forest", "mlp"])
    if method == "svm":
        c = trial.suggest_float("C", 1e-3, 1e3, log=True)
        kernel = trial.suggest_categorical("kernel", ["rbf", "linear"])
        error = 0.15 + 0.02 * (math.log10(c) - 1) ** 2
        if kernel == "rbf":
            gamma = trial.suggest_float("gamma", 1e-4, 1, log=True)
            return error + 0.02 * (math.log10(gamma) + 2) ** 2
        return error + 0.05
    if method == "forest":
        depth = trial.suggest_int("depth", 1, 30)
        leaf = trial.suggest_int("min_leaf", 1, 20)
        return 0.12 + 0.0005 * (depth - 12) ** 2 + 0.001 * (leaf - 3) ** 2
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    layers = trial.suggest_int("layers", 1, 4)
    error = 0.08 + 0.03 * (math.log10(lr) + 3) ** 2 + 0.02 * (layers - 3) ** 2
    if layers > 1:
        dropout = trial.suggest_float("dropout", 0.0, 0.5)
        return error + 0.3 * (dropout - 0.2) ** 2
    return error + 0.06


def run_async(study, objective, budget, seed, workers=8):
    """Values in completion order: up to `workers` trials pending, each finishing exponential(1) after it started."""
    clock = random.Random(1000 + seed)
    running = []
    out = []
    asked = 0
    now = 0.0
    while asked < budget or running:
        while asked < budget and len(running) < workers:
            trial = study.ask()
            value = objective(trial)
            heapq.heappush(running, (now + clock.expovariate(1.0), asked, trial, value))
            asked += 1
        now, _, trial, value = heapq.heappop(running)
        study.tell(trial, value)
        out.append(value)
    return out


MOO_SAMPLERS = ("nsga2", "motpe")


def moo_run(task, budget):
    """One seeded run of a sampler on a problem: the objective vectors in completion order."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")
    name, label, seed = task
    n, k, evaluate = MOO[name]

    def objective(trial):
        return evaluate([trial.suggest_float("x%d" % i, 0.0, 1.0) for i in range(n)])

    # Optuna's defaults otherwise. For several objectives 3.1's TPESampler skips running trials, so
    # constant_liar changes nothing there; it is set as for the single-objective reference.
    sampler = optuna.samplers.NSGAIISampler(seed=seed) if label == "nsga2" else optuna.samplers.TPESampler(seed=seed, constant_liar=True)
    study = optuna.create_study(directions=["minimize"] * k, sampler=sampler)
    return run_async(study, objective, budget, seed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["moo", "conditional"])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=200)
    parser.add_argument("--problems", default=",".join(MOO))
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()
    try:
        import optuna
    except ImportError:
        sys.stderr.write("python3-optuna is not installed (apt-get install python3-optuna)\n")
        sys.exit(3)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")

    if args.mode == "conditional":
        runs = []
        for seed in range(args.seeds):
            study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed, constant_liar=True))
            runs.append(run_async(study, conditional, args.budget, seed))
        json.dump({"tpe": runs}, sys.stdout)
        return

    tasks = [(name, label, seed) for name in args.problems.split(",") for label in MOO_SAMPLERS for seed in range(args.seeds)]
    # Longest first, one task at a time per process: MOTPE costs minutes per run with 3 objectives
    # (DTLZ2) and seconds with 2, NSGA-II about a second; in list order the pool's chunks would
    # leave one process with every DTLZ2 run at the end.
    tasks.sort(key=lambda t: (t[1] != "motpe", -MOO[t[0]][1], -MOO[t[0]][0]))
    jobs = max(1, min(args.jobs or os.cpu_count() or 1, len(tasks)))
    if jobs == 1:
        runs = [moo_run(task, args.budget) for task in tasks]
    else:
        import multiprocessing

        with multiprocessing.Pool(jobs) as pool:
            runs = pool.starmap(moo_run, [(task, args.budget) for task in tasks], chunksize=1)
    result = {}
    for (name, label, _), values in zip(tasks, runs):
        result.setdefault(name, {}).setdefault(label, []).append(values)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
