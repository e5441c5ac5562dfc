"""examples/multi-objective/problem.ts in Python: two objectives that pull against each other, a
model's accuracy (to maximize) and its latency in milliseconds (to minimize). Bigger, deeper models
are more accurate and slower; the search maps the trade-off, the Pareto front, instead of one best
point. Each objective is declared with its direction and the reference point of the hypervolume
(accuracy 0.5, latency 100 ms): add_objective is Spruce's, DeepHyper has no such declaration."""

from spruce_hps import HpProblem

Problem = HpProblem()
Problem.add_hyperparameter((8, 512, "log-uniform"), "width")
Problem.add_hyperparameter((1, 8), "depth")
Problem.add_hyperparameter(["fp32", "fp16", "int8"], "precision")
Problem.add_hyperparameter((1e-4, 1e-1, "log-uniform"), "lr")
Problem.add_objective("accuracy", "max", reference=0.5)
Problem.add_objective("latency", "min", reference=100)


if __name__ == "__main__":
    print(Problem)
