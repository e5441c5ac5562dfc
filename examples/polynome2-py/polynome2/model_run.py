"""The tutorial's run, with scikit-learn's MLPRegressor instead of Keras: one hidden layer of
`units` neurons, the point's activation and initial learning rate, trained with Adam; returns the
validation R² (the search maximizes it). A diverged network (a learning rate too large) gives a
NaN, which Spruce records as a failed evaluation with that reason.

Try it alone, from examples/polynome2-py: `/usr/bin/python3 -m polynome2.model_run`."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor

from .load_data import load_data

EPOCHS = 30
# The tutorial's activations by their Keras names; None is no activation.
ACTIVATIONS = {None: "identity", "relu": "relu", "sigmoid": "logistic", "tanh": "tanh"}


def run(point):
    (x_train, y_train), (x_valid, y_valid) = load_data()
    model = MLPRegressor(
        hidden_layer_sizes=(point["units"],),
        activation=ACTIVATIONS[point["activation"]],
        learning_rate_init=point["lr"],
        max_iter=EPOCHS,
        random_state=42,
    )
    with warnings.catch_warnings():
        # EPOCHS is a budget, not a convergence test; a diverging fit overflows on its way to NaN.
        warnings.simplefilter("ignore", ConvergenceWarning)
        with np.errstate(all="ignore"):
            model.fit(x_train, y_train)
            prediction = model.predict(x_valid)
    if not np.all(np.isfinite(prediction)):
        return float("nan")
    return r2_score(y_valid, prediction)


if __name__ == "__main__":
    from .problem import Problem

    point = Problem.starting_point_asdict[0]
    print("R2 of the starting point {}: {:.4f}".format(point, run(point)))
