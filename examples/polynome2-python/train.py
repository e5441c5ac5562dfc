#!/usr/bin/env python3
"""polynome2 in plain Python (standard library only): fit y = -sum(x_i^2) on 10-D data with a
one-hidden-layer network and print the validation R^2 as `objective: <number>` (Spruce's objective
protocol; DeepHyper's `DH-OUTPUT:` would work too).

Run by Spruce with:  --command 'python3 examples/polynome2-python/train.py --units {{units}} --activation {{activation}} --lr {{lr}}'
"""
import argparse
import math
import random

DIM, N_TRAIN, N_VALID, EPOCHS, BATCH = 10, 300, 100, 8, 16

ACT = {
    "identity": (lambda z: z, lambda a: 1.0),
    "relu": (lambda z: z if z > 0 else 0.0, lambda a: 1.0 if a > 0 else 0.0),
    "sigmoid": (lambda z: 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))), lambda a: a * (1.0 - a)),
    "tanh": (math.tanh, lambda a: 1.0 - a * a),
}


def load_data():
    r = random.Random(2018)
    xs, ys = [], []
    for _ in range(N_TRAIN + N_VALID):
        x = [r.uniform(-1, 1) for _ in range(DIM)]
        xs.append(x)
        ys.append(-sum(v * v for v in x))
    mean = sum(ys) / len(ys)
    sd = math.sqrt(sum((y - mean) ** 2 for y in ys) / len(ys))
    return xs, [(y - mean) / sd for y in ys]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--units", type=int, required=True)
    p.add_argument("--activation", choices=sorted(ACT), required=True)
    p.add_argument("--lr", type=float, required=True)
    args = p.parse_args()
    f, df = ACT[args.activation]
    h = args.units
    xs, ys = load_data()
    r = random.Random(7)
    lim1, lim2 = math.sqrt(6 / (DIM + h)), math.sqrt(6 / (h + 1))
    w1 = [[r.uniform(-lim1, lim1) for _ in range(h)] for _ in range(DIM)]
    b1 = [0.0] * h
    w2 = [r.uniform(-lim2, lim2) for _ in range(h)]
    b2 = 0.0

    def forward(x):
        a = [f(b1[k] + sum(x[j] * w1[j][k] for j in range(DIM))) for k in range(h)]
        return a, b2 + sum(a[k] * w2[k] for k in range(h))

    order = list(range(N_TRAIN))
    for epoch in range(EPOCHS):
        r.shuffle(order)
        loss = 0.0
        for start in range(0, N_TRAIN, BATCH):
            batch = order[start:start + BATCH]
            g1 = [[0.0] * h for _ in range(DIM)]
            gb1, g2, gb2 = [0.0] * h, [0.0] * h, 0.0
            for i in batch:
                a, out = forward(xs[i])
                err = out - ys[i]
                loss += err * err
                gb2 += err
                for k in range(h):
                    g2[k] += err * a[k]
                    d = err * w2[k] * df(a[k])
                    gb1[k] += d
                    for j in range(DIM):
                        g1[j][k] += d * xs[i][j]
            s = args.lr / len(batch)
            for j in range(DIM):
                for k in range(h):
                    w1[j][k] -= s * g1[j][k]
            for k in range(h):
                b1[k] -= s * gb1[k]
                w2[k] -= s * g2[k]
            b2 -= s * gb2
        if not math.isfinite(loss):
            raise SystemExit(f"training diverged at epoch {epoch + 1} (lr={args.lr})")
        print(f"epoch {epoch + 1}: train mse {loss / N_TRAIN:.4f}", flush=True)

    valid = range(N_TRAIN, N_TRAIN + N_VALID)
    mean = sum(ys[i] for i in valid) / N_VALID
    ss_res = sum((forward(xs[i])[1] - ys[i]) ** 2 for i in valid)
    ss_tot = sum((ys[i] - mean) ** 2 for i in valid)
    print(f"objective: {1 - ss_res / ss_tot}")


if __name__ == "__main__":
    main()
