"""examples/multi-objective/run.ts in Python: a stand-in for training and timing a model. Accuracy
grows with width and depth (and a learning rate near 3e-3), latency grows with them too and shrinks
with lower precision. run returns both objectives as a tuple in declared order, as DeepHyper 0.13's
multi-objective runs do; {"objectives": {"accuracy": ..., "latency": ...}} names them instead."""

import math

SPEED = {"fp32": 1.0, "fp16": 0.6, "int8": 0.35}
LOSS = {"fp32": 0.0, "fp16": 0.005, "int8": 0.03}


def run(point):
    width, depth, precision = point["width"], point["depth"], point["precision"]
    lr = math.log10(point["lr"]) + 2.5
    capacity = math.log2(width) * math.sqrt(depth)
    accuracy = 0.98 - 0.45 * math.exp(-capacity / 6) - 0.02 * lr * lr - LOSS[precision]
    latency = 2 + 0.05 * width * depth * SPEED[precision]
    return accuracy, latency


if __name__ == "__main__":
    print(run({"width": 64, "depth": 4, "precision": "fp16", "lr": 3e-3}))
