"""examples/conditional/run.ts in Python: a stand-in for training the model the point describes, a
score that depends on the model's own hyperparameters. It first checks what Spruce promises: the
point holds exactly the active hyperparameters (no value for an inactive one) and nothing
forbidden; otherwise it raises, and the evaluation fails with that message."""

import math

from problem import Problem


def run(point):
    try:
        Problem.space.complete_point(point)
    except ValueError as e:
        raise ValueError("the point is not one of the space: {}".format(e))
    lr = math.log10(point["lr"]) + 2.5 if "lr" in point else 0.0  # best near 3e-3
    if point["model"] == "linear":
        return 0.6 - 0.05 * lr * lr
    if point["model"] == "tree":
        return 0.7 - 0.004 * (point["depth"] - 7) ** 2
    width = math.log2(point["units"]) - 6  # best at 64 units
    dropout = abs(point["dropout"] - 0.2) if "dropout" in point else 0.2
    return 0.8 + 0.03 * point["layers"] - 0.02 * width * width - 0.05 * lr * lr - 0.2 * dropout


if __name__ == "__main__":
    for point in Problem.starting_point_asdict:
        print(point, run(point))
