"""Spruce's space JSON: its exact shape, starting points checked against conditions and forbidden
clauses, and keys left out when empty."""

import json
import unittest

import spruce_hps.config_space as cs
from spruce_hps import HpProblem
from spruce_hps.errors import SpaceError


def tutorial_problem():
    """DeepHyper 0.2's polynome2 tutorial problem, as written there."""
    problem = HpProblem()
    problem.add_dim("units", (1, 100))
    problem.add_dim("activation", ["NA", "relu", "sigmoid", "tanh"])
    problem.add_dim("lr", (0.0001, 1.0))
    problem.add_starting_point(units=10, activation="relu", lr=0.01)
    return problem


def optimizer_problem():
    problem = HpProblem()
    optimizer = problem.add_hyperparameter(["sgd", "adam"], "optimizer")
    momentum = problem.add_hyperparameter((0.0, 0.99), "momentum")
    problem.add_hyperparameter("mse", "loss")
    problem.add_condition(cs.EqualsCondition(momentum, optimizer, "sgd"))
    problem.add_forbidden_clause(
        cs.ForbiddenAndConjunction(cs.ForbiddenEqualsClause(optimizer, "sgd"), cs.ForbiddenEqualsClause(momentum, 0.0))
    )
    return problem


class ShapeTest(unittest.TestCase):
    def test_the_tutorial_problem(self):
        self.assertEqual(
            tutorial_problem().to_json(),
            {
                "hyperparameters": [
                    {"type": "int", "name": "units", "low": 1, "high": 100, "log": False},
                    {"type": "categorical", "name": "activation", "values": ["NA", "relu", "sigmoid", "tanh"]},
                    {"type": "float", "name": "lr", "low": 0.0001, "high": 1.0, "log": False},
                ],
                "startingPoints": [{"units": 10, "activation": "relu", "lr": 0.01}],
            },
        )

    def test_the_json_text_keeps_floats_apart_and_is_strict_json(self):
        text = json.dumps(tutorial_problem().to_json(), allow_nan=False)
        self.assertIn('"low": 0.0001, "high": 1.0', text)
        self.assertIn('"low": 1, "high": 100', text)

    def test_conditions_forbidden_and_defaults(self):
        problem = optimizer_problem()
        problem.add_hyperparameter((1, 8), "depth", default_value=4)
        out = problem.to_json()
        self.assertEqual(list(out), ["hyperparameters", "startingPoints", "conditions", "forbidden", "defaults"])
        self.assertEqual(out["conditions"], [{"child": "momentum", "when": {"op": "eq", "parent": "optimizer", "value": "sgd"}}])
        self.assertEqual(
            out["forbidden"],
            [{"op": "and", "terms": [{"op": "eq", "name": "optimizer", "value": "sgd"}, {"op": "eq", "name": "momentum", "value": 0.0}]}],
        )
        self.assertEqual(out["defaults"], {"depth": 4})


class StartingPointTest(unittest.TestCase):
    def test_only_active_hyperparameters_and_constants_filled_in(self):
        problem = optimizer_problem()
        problem.add_starting_point(optimizer="adam")
        problem.add_starting_point(optimizer="sgd", momentum=0.9, loss="mse")
        self.assertEqual(
            problem.to_json()["startingPoints"],
            [{"optimizer": "adam", "loss": "mse"}, {"optimizer": "sgd", "momentum": 0.9, "loss": "mse"}],
        )

    def test_values_are_stored_as_the_space_holds_them(self):
        problem = HpProblem()
        problem.add_hyperparameter((1, 10), "n")
        problem.add_hyperparameter((0.0, 5.0), "x")
        problem.add_starting_point(n=3.0, x=2)
        point = problem.to_json()["startingPoints"][0]
        self.assertEqual(point, {"n": 3, "x": 2.0})
        self.assertIsInstance(point["n"], int)
        self.assertIsInstance(point["x"], float)

    def test_bad_starting_points_name_the_reason(self):
        cases = [
            (dict(optimizer="adam", extra=1), "starting point 1: unknown hyperparameter 'extra'"),
            (dict(optimizer="adam", momentum=0.5), "starting point 1: 'momentum' is given but inactive (its condition momentum | optimizer == 'sgd' does not hold)"),
            (dict(optimizer="sgd"), "starting point 1: missing 'momentum'"),
            (dict(optimizer="sgd", momentum=2.0), "starting point 1: momentum=2.0 is outside [0.0, 0.99]"),
            (dict(optimizer="sgd", momentum=0.0), "starting point 1: it is forbidden by (Forbidden: optimizer == 'sgd' && Forbidden: momentum == 0.0)"),
            (dict(optimizer="adam", loss="mae"), "starting point 1: loss='mae' differs from its constant value 'mse'"),
        ]
        for point, message in cases:
            with self.subTest(point=point):
                problem = optimizer_problem()
                with self.assertRaises(SpaceError) as e:
                    problem.add_starting_point(**point)
                self.assertEqual(str(e.exception), message)
                self.assertIn("inside its range", e.exception.hint)
                self.assertEqual(e.exception.where[0], __file__)

    def test_a_starting_point_is_checked_again_once_the_problem_is_complete(self):
        problem = HpProblem()
        problem.add_hyperparameter((1, 10), "n")
        problem.add_starting_point(n=3)
        line = problem._starting_points[0][1][1]
        problem.add_hyperparameter((0.0, 1.0), "x")
        with self.assertRaises(SpaceError) as e:
            problem.to_json()
        self.assertEqual(str(e.exception), "starting point 1: missing 'x'")
        self.assertEqual(e.exception.where, (__file__, line))

    def test_deephyper_02_starting_point_properties(self):
        problem = tutorial_problem()
        self.assertEqual(problem.starting_point, [[10, "relu", 0.01]])
        self.assertEqual(problem.starting_point_asdict, [{"units": 10, "activation": "relu", "lr": 0.01}])


if __name__ == "__main__":
    unittest.main()
