"""The polynome2 NAS run in plain Python (standard library only): build the network the point's
decoded architecture describes (each node a dense layer or the identity on its first input, its
skip connections added after it, projected by a learnt linear map when the widths differ), train
it with Adam on y = -sum(x_i^2), return the validation R^2. Smaller than run.ts (pure Python is
slow): 200 training samples, EPOCHS (default 20) epochs."""

import math
import os
import random

DIM, N_TRAIN, N_VALID, BATCH = 10, 200, 100, 16
ACT = {
    None: (lambda z: z, lambda a: 1.0),
    "relu": (lambda z: z if z > 0 else 0.0, lambda a: 1.0 if a > 0 else 0.0),
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


class Param(object):
    """A weight matrix (rows x cols, a list of rows) with Adam's moments."""

    def __init__(self, rows, cols, r, scale):
        self.w = [[r.uniform(-scale, scale) for _ in range(cols)] for _ in range(rows)]
        self.g = [[0.0] * cols for _ in range(rows)]
        self.m = [[0.0] * cols for _ in range(rows)]
        self.v = [[0.0] * cols for _ in range(rows)]

    def step(self, lr, t, scale):
        c1, c2 = 1 - 0.9 ** t, 1 - 0.999 ** t
        for w, g, m, v in zip(self.w, self.g, self.m, self.v):
            for k in range(len(w)):
                gk = g[k] * scale
                m[k] = 0.9 * m[k] + 0.1 * gk
                v[k] = 0.999 * v[k] + 0.001 * gk * gk
                w[k] -= lr * (m[k] / c1) / (math.sqrt(v[k] / c2) + 1e-8)
                g[k] = 0.0


def build(architecture, r):
    """The layers: (index of the input, op, width, W, b, [(skip index, projection or None)])."""
    index, widths, layers = {architecture[0]["name"]: 0}, [DIM], []
    for node in architecture[1:]:
        op = node["op"]
        inp = index[node["inputs"][0]]
        width = op["units"] if op["op"] == "dense" else widths[inp]
        W = b = None
        if op["op"] == "dense":
            W = Param(widths[inp], width, r, math.sqrt(6 / (widths[inp] + width)))
            b = Param(1, width, r, 0.0)
        elif op["op"] != "identity":
            raise ValueError("node '{}': unknown operation {}".format(node["name"], op))
        skips = []
        for s in node["inputs"][1:]:
            j = index[s]
            skips.append((j, None if widths[j] == width else Param(widths[j], width, r, math.sqrt(6 / (widths[j] + width)))))
        layers.append((inp, op, width, W, b, skips))
        index[node["name"]] = len(widths)
        widths.append(width)
    return layers, widths


def forward(layers, x):
    values, owns = [list(x)], []
    for inp, op, width, W, b, skips in layers:
        f = ACT[op.get("activation")][0]
        a = values[inp]
        if W is not None:
            own = [f(b.w[0][o] + sum(a[j] * W.w[j][o] for j in range(len(a)))) for o in range(width)]
        else:
            own = list(a)
        out = list(own)
        for j, P in skips:
            src = values[j]
            for o in range(width):
                out[o] += src[o] if P is None else sum(src[k] * P.w[k][o] for k in range(len(src)))
        owns.append(own)
        values.append(out)
    return values, owns


def backward(layers, widths, values, owns, err):
    grads = [[0.0] * w for w in widths]
    grads[-1][0] = err
    for n in range(len(layers) - 1, -1, -1):
        inp, op, width, W, b, skips = layers[n]
        dh = grads[n + 1]
        for j, P in skips:
            src, dsrc = values[j], grads[j]
            for k in range(len(src)):
                if P is None:
                    dsrc[k] += dh[k]
                    continue
                row, grow = P.w[k], P.g[k]
                for o in range(width):
                    grow[o] += dh[o] * src[k]
                    dsrc[k] += row[o] * dh[o]
        a, dinp = values[inp], grads[inp]
        if W is None:
            for k in range(width):
                dinp[k] += dh[k]
            continue
        df = ACT[op.get("activation")][1]
        dz = [dh[o] * df(owns[n][o]) for o in range(width)]
        for o in range(width):
            b.g[0][o] += dz[o]
        for j in range(len(a)):
            row, grow = W.w[j], W.g[j]
            for o in range(width):
                grow[o] += dz[o] * a[j]
                dinp[j] += row[o] * dz[o]


def run(point):
    xs, ys = load_data()
    r = random.Random(7)
    layers, widths = build(point["architecture"], r)
    if widths[-1] != 1:
        raise ValueError("the last node must output one value")
    params = [p for inp, op, width, W, b, skips in layers for p in [W, b] + [P for _, P in skips] if p is not None]
    order, t = list(range(N_TRAIN)), 0
    for epoch in range(int(os.environ.get("EPOCHS", 20))):
        r.shuffle(order)
        loss = 0.0
        for start in range(0, N_TRAIN, BATCH):
            batch = order[start:start + BATCH]
            for i in batch:
                values, owns = forward(layers, xs[i])
                err = values[-1][0] - ys[i]
                loss += err * err
                backward(layers, widths, values, owns, err)
            t += 1
            for p in params:
                p.step(point["lr"], t, 1.0 / len(batch))
        if not math.isfinite(loss):
            raise ValueError("training diverged at epoch {} (lr={})".format(epoch + 1, point["lr"]))
    valid = range(N_TRAIN, N_TRAIN + N_VALID)
    mean = sum(ys[i] for i in valid) / N_VALID
    ss_res = sum((forward(layers, xs[i])[0][-1][0] - ys[i]) ** 2 for i in valid)
    ss_tot = sum((ys[i] - mean) ** 2 for i in valid)
    return 1 - ss_res / ss_tot
