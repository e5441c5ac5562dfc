"""The problems of bench/suite by name (BBOB bbob-f<N>-d<D> and the mixed ones), each with its
search space as a Spruce problem spec, its optimum and its objective on a point (a dict).

    python3 bench/suite/suite.py   # reads JSON lines {"problem": NAME, "point": {...}}, prints {"y": ...}
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bbob import BbobProblem  # noqa: E402
from mixed import mixed_problems  # noqa: E402


class SuiteProblem:
    def __init__(self, name, group, hyperparameters, fopt, objective):
        self.name = name
        self.group = group
        self.hyperparameters = hyperparameters
        self.fopt = fopt
        self.objective = objective


def _bbob(f, d):
    p = BbobProblem(f, d)
    names = [f"x{i}" for i in range(d)]
    hps = [{"type": "float", "name": n, "low": -5.0, "high": 5.0, "log": False} for n in names]
    return SuiteProblem(p.name, p.group, hps, p.fopt, lambda point: p([point[n] for n in names]))


def all_problem_names():
    # The cheap dimensions first, then the mixed problems, 10-D last: a partial run covers most groups.
    bbob = lambda d: [f"bbob-f{f}-d{d}" for f in range(1, 25)]
    return bbob(2) + bbob(5) + [m.name for m in mixed_problems()] + bbob(10)


def get_problem(name):
    if name.startswith("bbob-"):
        _, f, d = name.split("-")
        return _bbob(int(f[1:]), int(d[1:]))
    for m in mixed_problems():
        if m.name == name:
            return SuiteProblem(m.name, "mixed", m.hyperparameters, m.fopt, m)
    raise KeyError(f"no problem {name} in bench/suite")


if __name__ == "__main__":
    cache = {}
    for line in sys.stdin:
        q = json.loads(line)
        if q["problem"] not in cache:
            cache[q["problem"]] = get_problem(q["problem"])
        print(json.dumps({"y": cache[q["problem"]].objective(q["point"])}))
