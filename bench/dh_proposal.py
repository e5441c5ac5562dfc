"""bench/dh_proposal.py: the time of one DeepHyper-style AMBS proposal, the reference that
bench/search.ts --timing-only prints beside its own rows (it runs this script in the same run).

One proposal as DeepHyper's centralized search makes it for each point of a batch: scikit-learn's
ExtraTreesRegressor (100 trees, n_jobs=1) fitted on n told evaluations of Hartmann6 (uniform random
points in [0, 1]^6), then 10 000 uniform candidates scored by every tree, UCB (mean - 1.96 * std of
the trees' predictions) and the best one chosen. DeepHyper refits per point, so a batch of k costs k
of these.

    /usr/bin/python3 bench/dh_proposal.py --sizes 1000,5000 --reps 3

Prints one JSON object: {"sklearn": version, "rows": [{"evaluations", "wall_ms", "cpu_ms"}]}, the
medians over --reps proposals. Needs numpy and scikit-learn (Debian's python3-sklearn).
"""

import argparse
import json
import statistics
import time

import numpy as np
import sklearn
from sklearn.ensemble import ExtraTreesRegressor

ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
A = np.array([
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
])
P = 1e-4 * np.array([
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
])


def hartmann6(x):
    inner = ((x[:, None, :] - P[None, :, :]) ** 2 * A[None, :, :]).sum(axis=2)
    return -(ALPHA[None, :] * np.exp(-inner)).sum(axis=1)


def propose(X, y, rng, trees=100, candidates=10_000, kappa=1.96):
    model = ExtraTreesRegressor(n_estimators=trees, n_jobs=1, random_state=int(rng.integers(2**31)))
    model.fit(X, y)
    cands = rng.random((candidates, X.shape[1]))
    per_tree = np.stack([t.predict(cands) for t in model.estimators_])
    acq = per_tree.mean(axis=0) - kappa * per_tree.std(axis=0)
    return cands[int(np.argmin(acq))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000", help="comma-separated numbers of told evaluations")
    ap.add_argument("--reps", type=int, default=3, help="proposals timed per size (the median is printed)")
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        X = rng.random((n, 6))
        y = hartmann6(X)
        propose(X, y, rng)  # warm-up, not counted
        wall, cpu = [], []
        for _ in range(args.reps):
            w0, c0 = time.perf_counter(), time.process_time()
            propose(X, y, rng)
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        rows.append({"evaluations": n, "wall_ms": statistics.median(wall), "cpu_ms": statistics.median(cpu)})
    print(json.dumps({"sklearn": sklearn.__version__, "rows": rows}))


if __name__ == "__main__":
    main()
