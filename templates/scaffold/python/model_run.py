"""The run of the {{name}} problem: trains a one-hidden-layer network with the point's units,
activation and learning rate on load_data's data, and returns its validation R² (the search
maximizes it). Plain Python so that it runs anywhere; in your project, train your own model here
(Keras, PyTorch, scikit-learn) and return its score.

Try it alone with `python3 -m {{ref}}.model_run` from the folder that holds {{top}}."""

import math
import random

from .load_data import load_data

EPOCHS = 10

ACTIVATIONS = {
    None: (lambda z: z, lambda z, a: 1.0),
    "relu": (lambda z: z if z > 0.0 else 0.0, lambda z, a: 1.0 if z > 0.0 else 0.0),
    "sigmoid": (lambda z: 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))), lambda z, a: a * (1.0 - a)),
    "tanh": (math.tanh, lambda z, a: 1.0 - a * a),
}


def run(point):
    (train_x, train_y), (valid_x, valid_y) = load_data()
    units, lr = point["units"], point["lr"]
    act, dact = ACTIVATIONS[point["activation"]]
    rng = random.Random(42)
    dim = len(train_x[0])
    w1 = [[rng.gauss(0.0, 1.0 / math.sqrt(dim)) for _ in range(dim)] for _ in range(units)]
    b1 = [0.0] * units
    w2 = [rng.gauss(0.0, 1.0 / math.sqrt(units)) for _ in range(units)]
    b2 = 0.0

    def forward(x):
        z = [sum(w * v for w, v in zip(row, x)) + b for row, b in zip(w1, b1)]
        a = [act(v) for v in z]
        return z, a, sum(w * v for w, v in zip(w2, a)) + b2

    order = list(range(len(train_x)))
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for i in order:
            x = train_x[i]
            z, a, out = forward(x)
            # The error is divided by the squared size of the gradient (normalised LMS): a large
            # learning rate on a wide layer then converges slowly instead of diverging.
            scale = 1.0 + sum(v * v for v in a) + sum(w * w for w in w2) * sum(v * v for v in x)
            g = (out - train_y[i]) / scale
            for j in range(units):
                gj = g * w2[j] * dact(z[j], a[j])
                w2[j] -= lr * g * a[j]
                b1[j] -= lr * gj
                row = w1[j]
                for k in range(dim):
                    row[k] -= lr * gj * x[k]
            b2 -= lr * g

    mean = sum(valid_y) / len(valid_y)
    residual = sum((forward(x)[2] - y) ** 2 for x, y in zip(valid_x, valid_y))
    total = sum((y - mean) ** 2 for y in valid_y)
    return 1.0 - residual / total


if __name__ == "__main__":
    from .problem import Problem

    point = Problem.starting_point_asdict[0]
    print("R2 of the starting point {}: {:.4f}".format(point, run(point)))
