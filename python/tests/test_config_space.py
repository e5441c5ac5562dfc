"""spruce_hps.config_space: ConfigSpace's classes with its argument names and order, conditions,
forbidden clauses, their checks, their JSON, and a clear refusal for what is not offered."""

import copy
import unittest

import spruce_hps.config_space as cs
import spruce_hps.config_space.hyperparameters as csh
from spruce_hps import BaseProblem, HpProblem
from spruce_hps.errors import NotOfferedError, SpaceError


def conditional_problem():
    """DeepHyper's documented conditional example, written as its users write it."""
    problem = HpProblem()
    optimizer = problem.add_hyperparameter(["sgd", "adam", "rmsprop"], "optimizer")
    momentum = problem.add_hyperparameter((0.0, 0.99), "momentum")
    nesterov = problem.add_hyperparameter([True, False], "nesterov")
    layers = problem.add_hyperparameter((1, 4), "layers")
    dropout = problem.add_hyperparameter((0.0, 0.5), "dropout")
    problem.add_condition(cs.EqualsCondition(momentum, optimizer, "sgd"))
    problem.add_condition(cs.GreaterThanCondition(nesterov, momentum, 0.5))  # a child of a child
    problem.add_condition(
        cs.OrConjunction(cs.InCondition(dropout, optimizer, ["adam", "rmsprop"]), cs.LessThanCondition(dropout, layers, 2))
    )
    problem.add_forbidden_clause(
        cs.ForbiddenAndConjunction(cs.ForbiddenEqualsClause(optimizer, "rmsprop"), cs.ForbiddenInClause(layers, [3, 4]))
    )
    return problem


class SignatureTest(unittest.TestCase):
    def test_configspace_argument_order(self):
        f = csh.UniformFloatHyperparameter("lr", 1e-4, 1e-1, 1e-3, None, True)
        self.assertEqual((f.name, f.lower, f.upper, f.default_value, f.q, f.log), ("lr", 1e-4, 1e-1, 1e-3, None, True))
        i = csh.UniformIntegerHyperparameter(name="units", lower=8, upper=512, default_value=32, log=True)
        self.assertEqual((i.lower, i.upper, i.default_value, i.log), (8, 512, 32, True))
        c = csh.CategoricalHyperparameter("act", ["relu", "tanh"], "tanh")
        self.assertEqual((c.choices, c.default_value), (("relu", "tanh"), "tanh"))
        o = csh.OrdinalHyperparameter("width", [16, 32, 64], 32)
        self.assertEqual((o.sequence, o.default_value), ((16, 32, 64), 32))
        k = csh.Constant("k", "v")
        self.assertEqual(k.value, "v")

    def test_configspace_1x_log_in_fifth_place(self):
        # ConfigSpace 1.x dropped q: UniformFloatHyperparameter(name, lower, upper, default, log).
        self.assertTrue(csh.UniformFloatHyperparameter("lr", 1e-4, 1e-1, None, True).log)

    def test_implied_defaults_as_configspace(self):
        self.assertEqual(csh.UniformFloatHyperparameter("a", 0.0, 1.0).default_value, 0.5)
        self.assertAlmostEqual(csh.UniformFloatHyperparameter("a", 1e-4, 1.0, log=True).default_value, 1e-2)
        self.assertEqual(csh.CategoricalHyperparameter("c", ["x", "y"]).default_value, "x")
        self.assertFalse(csh.CategoricalHyperparameter("c", ["x", "y"]).default_given)

    def test_short_constructors(self):
        self.assertEqual(cs.Float("a", (0.1, 1.0), log=True).to_json(), {"type": "float", "name": "a", "low": 0.1, "high": 1.0, "log": True})
        self.assertEqual(cs.Integer("b", (1, 9), default=3).default_value, 3)
        self.assertIsInstance(cs.Categorical("c", [1, 2, 3], ordered=True), csh.OrdinalHyperparameter)
        self.assertIsInstance(cs.Categorical("c", ["a", "b"]), csh.CategoricalHyperparameter)

    def test_what_spruce_cannot_hold_is_refused_by_name(self):
        with self.assertRaises(NotOfferedError) as e:
            csh.UniformFloatHyperparameter("lr", 0.0, 1.0, q=0.1)
        self.assertIn("q (quantization) is not offered by Spruce", str(e.exception))
        with self.assertRaises(NotOfferedError) as e:
            csh.CategoricalHyperparameter("c", ["a", "b"], weights=[0.2, 0.8])
        self.assertIn("weights are not offered by Spruce", str(e.exception))
        with self.assertRaises(NotOfferedError):
            cs.Float("x", (0.0, 1.0), distribution=object())


class NotOfferedTest(unittest.TestCase):
    def test_unknown_module_attributes_name_what_is_missing(self):
        with self.assertRaises(NotOfferedError) as e:
            cs.NormalFloatHyperparameter("x", 0.0, 1.0)
        self.assertIn("ConfigSpace's NormalFloatHyperparameter is not offered by Spruce", str(e.exception))
        self.assertIn("UniformFloatHyperparameter", e.exception.hint)
        with self.assertRaises(NotOfferedError) as e:
            csh.BetaFloatHyperparameter
        self.assertIn("spruce_hps.config_space.hyperparameters has no BetaFloatHyperparameter", str(e.exception))

    def test_a_name_configspace_lacks_too_is_a_typo(self):
        with self.assertRaises(NotOfferedError) as e:
            cs.EqualCondition
        self.assertEqual(str(e.exception), "spruce_hps.config_space has no EqualCondition (nor has ConfigSpace)")
        self.assertIn("EqualsCondition", e.exception.hint)

    def test_every_forbidden_comparison_has_its_hint(self):
        for name in ("ForbiddenLessThanClause", "ForbiddenEqualsRelation", "ForbiddenOrConjunction"):
            with self.assertRaises(NotOfferedError) as e:
                getattr(cs, name)
            self.assertNotIn("Spruce offers", e.exception.hint, name)

    def test_unparametrized_is_a_constant(self):
        hp = cs.UnParametrizedHyperparameter("loss", "mse")
        self.assertIsInstance(hp, csh.Constant)
        self.assertEqual(hp.to_json(), {"type": "const", "name": "loss", "value": "mse"})

    def test_from_import_keeps_the_message(self):
        with self.assertRaises(ImportError) as e:
            from spruce_hps.config_space import ForbiddenLessThanRelation  # noqa: F401
        self.assertIn("ConfigSpace's ForbiddenLessThanRelation is not offered by Spruce", str(e.exception))

    def test_private_names_stay_attribute_errors(self):
        self.assertFalse(hasattr(cs, "__wrapped__"))
        self.assertFalse(hasattr(cs.ConfigurationSpace(), "__deepcopy_me__"))

    def test_unknown_space_methods(self):
        with self.assertRaises(AttributeError) as e:
            cs.ConfigurationSpace().sample_configuration()
        self.assertIn("ConfigurationSpace.sample_configuration is not offered by Spruce", str(e.exception))


class ConditionTest(unittest.TestCase):
    def test_json(self):
        out = conditional_problem().to_json()
        self.assertEqual(
            out["conditions"],
            [
                {"child": "momentum", "when": {"op": "eq", "parent": "optimizer", "value": "sgd"}},
                {"child": "nesterov", "when": {"op": "gt", "parent": "momentum", "value": 0.5}},
                {
                    "child": "dropout",
                    "when": {
                        "op": "or",
                        "terms": [
                            {"op": "in", "parent": "optimizer", "values": ["adam", "rmsprop"]},
                            {"op": "lt", "parent": "layers", "value": 2},
                        ],
                    },
                },
            ],
        )
        self.assertEqual(
            out["forbidden"],
            [{"op": "and", "terms": [{"op": "eq", "name": "optimizer", "value": "rmsprop"}, {"op": "in", "name": "layers", "values": [3, 4]}]}],
        )

    def test_all_operators(self):
        space = cs.ConfigurationSpace()
        p = space.add_hyperparameter(cs.UniformIntegerHyperparameter("p", 0, 10))
        q = space.add_hyperparameter(cs.CategoricalHyperparameter("q", ["a", "b"]))
        children = [space.add_hyperparameter(cs.UniformFloatHyperparameter("c{}".format(i), 0.0, 1.0)) for i in range(4)]
        space.add_conditions(
            [
                cs.NotEqualsCondition(children[0], q, "a"),
                cs.AndConjunction(cs.GreaterThanCondition(children[1], p, 2), cs.LessThanCondition(children[1], p, 8)),
                cs.InCondition(children[2], p, [1, 2, 3]),
                cs.EqualsCondition(children[3], p, 5.0),
            ]
        )
        out = BaseProblem(space).to_json()
        self.assertEqual(out["conditions"][0]["when"], {"op": "ne", "parent": "q", "value": "a"})
        self.assertEqual(
            out["conditions"][1]["when"],
            {"op": "and", "terms": [{"op": "gt", "parent": "p", "value": 2}, {"op": "lt", "parent": "p", "value": 8}]},
        )
        self.assertEqual(out["conditions"][2]["when"], {"op": "in", "parent": "p", "values": [1, 2, 3]})
        # 5.0 for an integer parent is stored as the integer it is.
        self.assertEqual(out["conditions"][3]["when"], {"op": "eq", "parent": "p", "value": 5})
        self.assertIsInstance(out["conditions"][3]["when"]["value"], int)

    def test_errors(self):
        space = cs.ConfigurationSpace()
        a = space.add_hyperparameter(cs.CategoricalHyperparameter("a", ["x", "y"]))
        b = space.add_hyperparameter(cs.UniformFloatHyperparameter("b", 0.0, 1.0))
        c = space.add_hyperparameter(cs.UniformFloatHyperparameter("c", 0.0, 1.0))
        outside = cs.UniformIntegerHyperparameter("outside", 1, 3)
        cases = [
            (lambda: cs.EqualsCondition(b, a, "z"), "EqualsCondition(b, a): a='z' is not one of ['x', 'y']"),
            (lambda: cs.EqualsCondition(b, "a", "x"), "the parent must be a hyperparameter"),
            (lambda: cs.EqualsCondition(b, b, 0.5), "'b' cannot be its own parent"),
            (lambda: cs.GreaterThanCondition(b, a, "x"), "the parent 'a' is not numeric"),
            (lambda: cs.GreaterThanCondition(c, b, 2.0), "b=2.0 is outside [0.0, 1.0]"),
            (lambda: cs.InCondition(b, a, []), "values must be a non-empty list"),
            (lambda: cs.AndConjunction(cs.EqualsCondition(b, a, "x"), cs.EqualsCondition(c, a, "x")), "all conditions must have the same child"),
            (lambda: space.add_condition(cs.EqualsCondition(b, outside, 2)), "parent 'outside' is not in the space"),
            (lambda: space.add_condition(cs.EqualsCondition(outside, a, "x")), "child 'outside' is not in the space"),
            (lambda: space.add_condition("b | a == x"), "add_condition needs a condition"),
        ]
        for build, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(SpaceError) as e:
                    build()
                self.assertIn(message, str(e.exception))
                self.assertTrue(e.exception.hint)

    def test_a_second_condition_on_a_child_asks_for_a_conjunction(self):
        space = cs.ConfigurationSpace()
        a = space.add_hyperparameter(cs.CategoricalHyperparameter("a", ["x", "y"]))
        b = space.add_hyperparameter(cs.UniformFloatHyperparameter("b", 0.0, 1.0))
        space.add_condition(cs.EqualsCondition(b, a, "x"))
        with self.assertRaises(SpaceError) as e:
            space.add_condition(cs.NotEqualsCondition(b, a, "y"))
        self.assertIn("hyperparameter 'b' has a condition already (b | a == 'x')", str(e.exception))
        self.assertIn("AndConjunction", e.exception.hint)

    def test_cycles(self):
        space = cs.ConfigurationSpace()
        a = space.add_hyperparameter(cs.UniformIntegerHyperparameter("a", 0, 9))
        b = space.add_hyperparameter(cs.UniformIntegerHyperparameter("b", 0, 9))
        c = space.add_hyperparameter(cs.UniformIntegerHyperparameter("c", 0, 9))
        space.add_condition(cs.GreaterThanCondition(b, a, 1))
        space.add_condition(cs.GreaterThanCondition(c, b, 1))
        with self.assertRaises(SpaceError) as e:
            space.add_condition(cs.GreaterThanCondition(a, c, 1))
        self.assertIn("the conditions form a cycle: a -> c -> b -> a", str(e.exception))
        self.assertEqual(len(space.get_conditions()), 2)  # the refused condition was not kept

    def test_another_object_of_the_same_name_must_match(self):
        space = cs.ConfigurationSpace()
        space.add_hyperparameter(cs.UniformIntegerHyperparameter("a", 0, 9))
        b = space.add_hyperparameter(cs.UniformIntegerHyperparameter("b", 0, 9))
        same = cs.UniformIntegerHyperparameter("a", 0, 9)
        space.add_condition(cs.EqualsCondition(b, same, 3))
        other = cs.UniformIntegerHyperparameter("a", 0, 99)
        with self.assertRaises(SpaceError) as e:
            space.add_forbidden_clause(cs.ForbiddenEqualsClause(other, 50))
        self.assertIn("differs from the hyperparameter 'a' of the space", str(e.exception))


class ForbiddenTest(unittest.TestCase):
    def test_values_outside_the_range_are_refused(self):
        units = cs.UniformIntegerHyperparameter("units", 1, 10)
        act = cs.CategoricalHyperparameter("act", ["relu", "tanh"])
        cases = [
            (lambda: cs.ForbiddenEqualsClause(units, 11), "ForbiddenEqualsClause(units): units=11 is outside [1, 10]"),
            (lambda: cs.ForbiddenInClause(act, ["relu", "elu"]), "ForbiddenInClause(act): act='elu' is not one of ['relu', 'tanh']"),
            (lambda: cs.ForbiddenEqualsClause("units", 3), "the hyperparameter must be a hyperparameter object"),
            (lambda: cs.ForbiddenAndConjunction(cs.ForbiddenEqualsClause(units, 2), "x"), "'x' is not a forbidden clause"),
        ]
        for build, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(SpaceError) as e:
                    build()
                self.assertIn(message, str(e.exception))

    def test_a_clause_on_a_hyperparameter_not_in_the_space(self):
        space = cs.ConfigurationSpace()
        with self.assertRaises(SpaceError) as e:
            space.add_forbidden_clause(cs.ForbiddenEqualsClause(cs.UniformIntegerHyperparameter("n", 1, 3), 2))
        self.assertIn("hyperparameter 'n' is not in the space", str(e.exception))


class SpaceTest(unittest.TestCase):
    def test_a_configuration_space_handed_to_base_problem(self):
        space = cs.ConfigurationSpace(seed=7)
        space.add_hyperparameters([cs.UniformFloatHyperparameter("x", -1.0, 1.0), cs.OrdinalHyperparameter("y", [1, 2, 4])])
        problem = BaseProblem(space)
        problem.add_starting_point(x=0.0, y=2)
        self.assertEqual(problem.seed, 7)
        out = problem.to_json()
        self.assertEqual([h["name"] for h in out["hyperparameters"]], ["x", "y"])
        self.assertEqual(out["startingPoints"], [{"x": 0.0, "y": 2}])
        self.assertNotIn("conditions", out)
        self.assertNotIn("forbidden", out)
        self.assertNotIn("defaults", out)

    def test_configspace_dict_form(self):
        space = cs.ConfigurationSpace({"a": (1, 5), "b": (0.5, 2.0), "c": ["x", 1], "d": 3})
        self.assertEqual(
            [h.to_json()["type"] for h in space.get_hyperparameters()], ["int", "float", "categorical", "const"]
        )
        self.assertEqual(len(space), 4)
        self.assertIn("a", space)
        self.assertEqual(list(space), ["a", "b", "c", "d"])
        self.assertEqual(space["b"].upper, 2.0)

    def test_add_takes_everything(self):
        space = cs.ConfigurationSpace()
        a = cs.CategoricalHyperparameter("a", ["x", "y"])
        b = cs.UniformFloatHyperparameter("b", 0.0, 1.0)
        space.add([a, b], cs.EqualsCondition(b, a, "x"), cs.ForbiddenEqualsClause(b, 0.0))
        self.assertEqual((len(space.get_conditions()), len(space.get_forbiddens())), (1, 1))

    def test_a_deep_copy_works(self):
        problem = conditional_problem()
        self.assertEqual(copy.deepcopy(problem).to_json(), problem.to_json())

    def test_printing_a_problem(self):
        problem = conditional_problem()
        problem.add_starting_point(optimizer="adam", layers=2, dropout=0.1)
        text = str(problem)
        self.assertTrue(text.startswith("Configuration space object:\n  Hyperparameters:\n"))
        for line in [
            "    dropout, Type: UniformFloat, Range: [0.0, 0.5], Default: 0.25",
            "    layers, Type: UniformInteger, Range: [1, 4], Default: 2",
            "    optimizer, Type: Categorical, Choices: {sgd, adam, rmsprop}, Default: sgd",
            "  Conditions:",
            "    momentum | optimizer == 'sgd'",
            "    nesterov | momentum > 0.5",
            "    (dropout | optimizer in {'adam', 'rmsprop'} || dropout | layers < 2)",
            "  Forbidden Clauses:",
            "    (Forbidden: optimizer == 'rmsprop' && Forbidden: layers in {3, 4})",
            "  Starting Point:",
            "{0: {'dropout': 0.1, 'layers': 2, 'optimizer': 'adam'}}",
        ]:
            self.assertIn(line, text.split("\n"))


if __name__ == "__main__":
    unittest.main()
