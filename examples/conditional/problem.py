"""examples/conditional/problem.ts in Python, written as a DeepHyper/ConfigSpace user would: three
kinds of model, each with its own hyperparameters. Conditions make `lr`, `depth`, `layers`, `units`
and `dropout` exist only where they mean something (dropout only in an MLP of more than one layer:
a condition on a conditional parent), a forbidden clause rules out wide four-layer MLPs, and the
one objective is declared with its direction (Spruce's add_objective; DeepHyper maximizes)."""

import spruce_hps.config_space as cs
from spruce_hps import HpProblem

Problem = HpProblem()
model = Problem.add_hyperparameter(["linear", "tree", "mlp"], "model")
lr = Problem.add_hyperparameter((1e-4, 1e-1, "log-uniform"), "lr")
depth = Problem.add_hyperparameter((1, 12), "depth")
layers = Problem.add_hyperparameter((1, 4), "layers")
units = Problem.add_hyperparameter([16, 32, 64, 128, 256], "units")
dropout = Problem.add_hyperparameter((0.0, 0.5), "dropout")

Problem.add_conditions(
    [
        cs.InCondition(lr, model, ["linear", "mlp"]),
        cs.EqualsCondition(depth, model, "tree"),
        cs.EqualsCondition(layers, model, "mlp"),
        cs.EqualsCondition(units, model, "mlp"),
        cs.GreaterThanCondition(dropout, layers, 1),
    ]
)
Problem.add_forbidden_clause(
    cs.ForbiddenAndConjunction(cs.ForbiddenEqualsClause(layers, 4), cs.ForbiddenInClause(units, [128, 256]))
)
Problem.add_objective("score", "max")
Problem.add_starting_point(model="tree", depth=4)


if __name__ == "__main__":
    print(Problem)
