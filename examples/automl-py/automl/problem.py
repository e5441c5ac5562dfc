"""AutoML for classification: which scikit-learn classifier, and the hyperparameters of the one
chosen (after DeepHyper's autosklearn1 problem). Each hyperparameter of a classifier is active only
when that classifier is chosen; gamma and degree only for the SVC kernels that take them."""

import spruce_hps.config_space as cs
from spruce_hps import HpProblem

Problem = HpProblem(seed=45)

classifier = Problem.add_hyperparameter(
    name="classifier", value=["RandomForest", "Logistic", "KNeighbors", "SVC"]
)

# RandomForest
n_estimators = Problem.add_hyperparameter(name="n_estimators", value=(5, 200, "log-uniform"))
max_depth = Problem.add_hyperparameter(name="max_depth", value=(2, 30, "log-uniform"))
Problem.add_condition(cs.EqualsCondition(n_estimators, classifier, "RandomForest"))
Problem.add_condition(cs.EqualsCondition(max_depth, classifier, "RandomForest"))

# KNeighbors
n_neighbors = Problem.add_hyperparameter(name="n_neighbors", value=(1, 50))
weights = Problem.add_hyperparameter(name="weights", value=["uniform", "distance"])
Problem.add_conditions(
    [
        cs.EqualsCondition(n_neighbors, classifier, "KNeighbors"),
        cs.EqualsCondition(weights, classifier, "KNeighbors"),
    ]
)

# Logistic and SVC
C = Problem.add_hyperparameter(name="C", value=(1e-4, 100.0, "log-uniform"))
Problem.add_condition(
    cs.OrConjunction(
        cs.EqualsCondition(C, classifier, "Logistic"),
        cs.EqualsCondition(C, classifier, "SVC"),
    )
)

# SVC
kernel = Problem.add_hyperparameter(name="kernel", value=["linear", "poly", "rbf", "sigmoid"])
Problem.add_condition(cs.EqualsCondition(kernel, classifier, "SVC"))
gamma = Problem.add_hyperparameter(name="gamma", value=(1e-4, 1.0, "log-uniform"))
Problem.add_condition(
    cs.OrConjunction(
        cs.EqualsCondition(gamma, kernel, "rbf"),
        cs.EqualsCondition(gamma, kernel, "poly"),
        cs.EqualsCondition(gamma, kernel, "sigmoid"),
    )
)
degree = Problem.add_hyperparameter(name="degree", value=(2, 5))
Problem.add_condition(cs.EqualsCondition(degree, kernel, "poly"))

# High-degree polynomial kernels take minutes to fit for nothing better.
Problem.add_forbidden_clause(
    cs.ForbiddenAndConjunction(
        cs.ForbiddenEqualsClause(kernel, "poly"),
        cs.ForbiddenInClause(degree, [4, 5]),
    )
)

Problem.add_starting_point(classifier="RandomForest", n_estimators=50, max_depth=8)
Problem.add_starting_point(classifier="SVC", C=1.0, kernel="rbf", gamma=0.01)


if __name__ == "__main__":
    print(Problem)
