"""Trains the chosen scikit-learn classifier with its hyperparameters on the breast cancer data
set that scikit-learn ships, and returns the validation accuracy (the search maximizes it).

Try it alone: `python3 -m automl.model_run` from the folder that holds the automl package."""

import warnings

from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from spruce_hps import filter_parameters

CLASSIFIERS = {
    "RandomForest": RandomForestClassifier,
    "Logistic": LogisticRegression,
    "KNeighbors": KNeighborsClassifier,
    "SVC": SVC,
}
SEED = 42


def load_data():
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, test_size=0.33, random_state=SEED)


def run(config):
    X_train, X_valid, y_train, y_valid = load_data()
    clf_class = CLASSIFIERS[config["classifier"]]
    # The point holds only the chosen classifier's hyperparameters (the others are inactive);
    # filter_parameters keeps those its constructor takes.
    params = filter_parameters(clf_class, dict(config, random_state=SEED, max_iter=2000))
    model = make_pipeline(StandardScaler(), clf_class(**params))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    return accuracy_score(y_valid, model.predict(X_valid))


if __name__ == "__main__":
    from .problem import Problem

    for point in Problem.starting_point_asdict:
        print("accuracy of {}: {:.4f}".format(point, run(point)))
