"""The data of DeepHyper's polynome2 tutorial: y = sum(x_i^2) for x drawn uniformly from [-1, 1]^10,
split 80/20 into training and validation sets (the tutorial drew 100 000 points; 5 000 keep an
evaluation to a second or two)."""

import numpy as np


def load_data(dim=10, size=5000, seed=2018):
    rs = np.random.RandomState(seed)
    x = rs.uniform(-1.0, 1.0, size=(size, dim))
    y = np.sum(x * x, axis=1)
    split = int(0.8 * size)
    return (x[:split], y[:split]), (x[split:], y[split:])


if __name__ == "__main__":
    (train_x, train_y), (valid_x, valid_y) = load_data()
    print("train_X shape: {}, train_y shape: {}".format(train_x.shape, train_y.shape))
    print("valid_X shape: {}, valid_y shape: {}".format(valid_x.shape, valid_y.shape))
