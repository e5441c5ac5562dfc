"""The search space of the {{name}} problem (DeepHyper's polynome2 tutorial): the width, activation
and learning rate of a one-hidden-layer network, and a starting point the search tries first.

Check it with `spruce problem show {{ref}}.problem.Problem`."""

from spruce_hps import HpProblem

Problem = HpProblem()
Problem.add_dim("units", (1, 100))
Problem.add_dim("activation", [None, "relu", "sigmoid", "tanh"])
Problem.add_dim("lr", (0.0001, 1.0, "log-uniform"))
Problem.add_starting_point(units=10, activation="relu", lr=0.01)


if __name__ == "__main__":
    print(Problem)
