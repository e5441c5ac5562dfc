"""The data of the {{name}} problem: DeepHyper's polynome2 tutorial, y = sum(x_i^2) for x drawn
uniformly from [-1, 1]^dim, split 80/20 into training and validation sets. Standard library only:
replace it with your own data loading."""

import random


def load_data(dim=3, size=500, seed=2018):
    """((train_x, train_y), (valid_x, valid_y)), lists of rows and of targets."""
    rng = random.Random(seed)
    x = [[rng.uniform(-1.0, 1.0) for _ in range(dim)] for _ in range(size)]
    y = [sum(v * v for v in row) for row in x]
    split = int(0.8 * size)
    return (x[:split], y[:split]), (x[split:], y[split:])


if __name__ == "__main__":
    (train_x, train_y), (valid_x, valid_y) = load_data()
    print("train: {} rows of {}, valid: {} rows".format(len(train_x), len(train_x[0]), len(valid_x)))
