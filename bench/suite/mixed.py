"""Mixed integer/categorical/ordinal problems of bench/suite: mixed.json's expressions evaluated in
Python exactly as mixed.ts evaluates them (same operations in the same order). Standard library only.
"""
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def load_mixed():
    with open(os.path.join(HERE, "mixed.json")) as f:
        return json.load(f)["problems"]


def _key(v):
    # JSON object keys are strings; a number is looked up by its shortest text, as JavaScript's String() gives it.
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _ackley(xs):
    n = len(xs)
    sq = 0.0
    cs = 0.0
    for x in xs:
        sq += x * x
        cs += math.cos(2 * math.pi * x)
    return -20 * math.exp(-0.2 * math.sqrt(sq / n)) - math.exp(cs / n) + 20 + math.e


def _rastrigin(xs):
    r = 10.0 * len(xs)
    for x in xs:
        r += x * x - 10 * math.cos(2 * math.pi * x)
    return r


def evaluate(expr, point):
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        return float(expr)
    if isinstance(expr, str):
        return float(point[expr])
    (op, args), = expr.items()
    ev = lambda e: evaluate(e, point)
    if op == "add":
        s = 0.0
        for a in args:
            s += ev(a)
        return s
    if op == "mul":
        p = 1.0
        for a in args:
            p *= ev(a)
        return p
    if op == "sub":
        return ev(args[0]) - ev(args[1])
    if op == "div":
        return ev(args[0]) / ev(args[1])
    if op == "pow":
        return math.pow(ev(args[0]), ev(args[1]))
    if op == "sq":
        v = ev(args)
        return v * v
    if op == "sqrt":
        return math.sqrt(ev(args))
    if op == "abs":
        return abs(ev(args))
    if op == "exp":
        return math.exp(ev(args))
    if op == "log10":
        return math.log10(ev(args))
    if op == "log2":
        return math.log2(ev(args))
    if op == "cos":
        return math.cos(ev(args))
    if op == "table":
        return float(args[1][_key(point[args[0]])])
    if op == "ackley":
        return _ackley([ev(a) for a in args])
    if op == "rastrigin":
        return _rastrigin([ev(a) for a in args])
    raise ValueError(f"unknown operation {op}")


class MixedProblem:
    def __init__(self, desc):
        self.name = desc["name"]
        self.group = "mixed"
        self.hyperparameters = desc["hyperparameters"]
        self.fopt = float(desc["optimum"])
        self.expr = desc["objective"]

    def __call__(self, point):
        return evaluate(self.expr, point)


def mixed_problems():
    return [MixedProblem(d) for d in load_mixed()]
