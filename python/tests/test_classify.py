"""DeepHyper's shorthand classified in Python: tuples, lists, scalars, 1.0 apart from 1, numpy values."""

import unittest

from support import optional_module

from spruce_hps import HpProblem
import spruce_hps.config_space as cs
from spruce_hps.config_space import hyperparameters as csh
from spruce_hps.errors import NotOfferedError, SpaceError

numpy = optional_module("numpy")


def entry(value, name="x", **kw):
    problem = HpProblem()
    problem.add_hyperparameter(value, name, **kw)
    return problem.to_json()["hyperparameters"][0]


class RangeTest(unittest.TestCase):
    def test_two_ints_make_an_integer_range(self):
        self.assertEqual(entry((1, 10)), {"type": "int", "name": "x", "low": 1, "high": 10, "log": False})

    def test_a_float_bound_makes_a_real_range(self):
        # 1.0 is a float to Python even though JSON would write it as 1.
        self.assertEqual(entry((1.0, 10)), {"type": "float", "name": "x", "low": 1.0, "high": 10.0, "log": False})
        self.assertEqual(entry((1, 10.0))["type"], "float")
        self.assertIsInstance(entry((1, 10.0))["low"], float)

    def test_uniform_and_log_uniform(self):
        self.assertEqual(entry((1, 10, "uniform"))["log"], False)
        self.assertEqual(entry((1e-4, 1e-1, "log-uniform")), {"type": "float", "name": "x", "low": 1e-4, "high": 1e-1, "log": True})
        self.assertEqual(entry((1, 1024, "log-uniform")), {"type": "int", "name": "x", "low": 1, "high": 1024, "log": True})

    def test_unknown_distribution(self):
        with self.assertRaises(SpaceError) as e:
            entry((1, 10, "normal"))
        self.assertIn("hyperparameter 'x': unknown distribution 'normal'", str(e.exception))
        self.assertIn("log-uniform", e.exception.hint)

    def test_bad_ranges(self):
        cases = [
            ((10, 1), "lower (10) must be less than upper (1)"),
            ((1, 1), "lower (1) must be less than upper (1)"),
            ((0.0, 1.0, "log-uniform"), "a log range needs lower > 0"),
            ((0, 8, "log-uniform"), "a log integer range needs lower >= 1"),
            (("a", "b"), "a tuple is a range and needs two numbers"),
            ((True, 3), "a tuple is a range and needs two numbers"),
            ((1, 2, 3, 4), "a range is (low, high)"),
            ((float("nan"), 1.0), "lower must be a finite number"),
        ]
        for value, message in cases:
            with self.subTest(value=value):
                with self.assertRaises(SpaceError) as e:
                    entry(value)
                self.assertIn(message, str(e.exception))


class ListTest(unittest.TestCase):
    def test_any_string_bool_or_none_makes_a_categorical(self):
        self.assertEqual(entry(["relu", "tanh"]), {"type": "categorical", "name": "x", "values": ["relu", "tanh"]})
        self.assertEqual(entry([True, False])["type"], "categorical")
        self.assertEqual(entry([1, None])["type"], "categorical")
        self.assertEqual(entry([1, 2, "auto"]), {"type": "categorical", "name": "x", "values": [1, 2, "auto"]})

    def test_an_all_numeric_list_makes_an_ordinal(self):
        self.assertEqual(entry([16, 32, 64]), {"type": "ordinal", "name": "x", "values": [16, 32, 64]})
        self.assertEqual(entry([0.1, 1, 10]), {"type": "ordinal", "name": "x", "values": [0.1, 1, 10]})
        self.assertEqual(entry([1, 2])["type"], "ordinal")

    def test_lists_of_lists_are_categorical_choices(self):
        self.assertEqual(entry([(3, 3), (5, 5)]), {"type": "categorical", "name": "x", "values": [[3, 3], [5, 5]]})

    def test_bad_lists(self):
        with self.assertRaises(SpaceError) as e:
            entry([])
        self.assertIn("empty list of choices", str(e.exception))
        with self.assertRaises(SpaceError) as e:
            entry(["a", "a"])
        self.assertIn("the choice 'a' is listed twice", str(e.exception))
        with self.assertRaises(SpaceError) as e:
            entry([1, 1.0, "a"])  # the same number once JSON carries it
        self.assertIn("listed twice", str(e.exception))
        with self.assertRaises(SpaceError) as e:
            entry(["a", object()])
        self.assertIn("not a JSON value", str(e.exception))


class ScalarTest(unittest.TestCase):
    def test_a_scalar_makes_a_constant(self):
        self.assertEqual(entry(3), {"type": "const", "name": "x", "value": 3})
        self.assertEqual(entry("adam"), {"type": "const", "name": "x", "value": "adam"})
        self.assertEqual(entry(2.5), {"type": "const", "name": "x", "value": 2.5})
        self.assertEqual(entry(None), {"type": "const", "name": "x", "value": None})
        self.assertEqual(entry({"a": 1}), {"type": "const", "name": "x", "value": {"a": 1}})

    def test_normal_distributions_are_not_offered(self):
        with self.assertRaises(NotOfferedError) as e:
            entry({"mu": 0.0, "sigma": 1.0})
        self.assertIn("normal distributions", str(e.exception))

    def test_an_unknown_value(self):
        with self.assertRaises(SpaceError) as e:
            entry({1, 2})
        self.assertIn("cannot tell what {1, 2} (set) describes", str(e.exception))


class AddHyperparameterTest(unittest.TestCase):
    def test_returns_a_handle_and_accepts_keywords_in_either_order(self):
        problem = HpProblem()
        a = problem.add_hyperparameter(name="a", value=(0, 5))
        b = problem.add_hyperparameter(value=(0.0, 1.0), name="b", default_value=0.5)
        c = problem.add_dim("c", ["x", "y"])
        d = problem.add_hyperparameter("d", [1, 2, 3])  # name written first
        self.assertIsInstance(a, csh.UniformIntegerHyperparameter)
        self.assertIsInstance(b, csh.UniformFloatHyperparameter)
        self.assertIsInstance(c, csh.CategoricalHyperparameter)
        self.assertIsInstance(d, csh.OrdinalHyperparameter)
        self.assertEqual(problem.hyperparameter_names, ["a", "b", "c", "d"])
        self.assertEqual(problem.to_json()["defaults"], {"b": 0.5})

    def test_configspace_objects(self):
        problem = HpProblem()
        hp = csh.UniformFloatHyperparameter("lr", 1e-4, 1e-1, log=True, default_value=1e-3)
        self.assertIs(problem.add_hyperparameter(hp), hp)
        problem.add_hyperparameters([csh.Constant("k", 7), csh.OrdinalHyperparameter("w", [8, 16])])
        out = problem.to_json()
        self.assertEqual(out["hyperparameters"][0], {"type": "float", "name": "lr", "low": 1e-4, "high": 1e-1, "log": True})
        self.assertEqual(out["defaults"], {"lr": 1e-3})
        self.assertEqual([h["type"] for h in out["hyperparameters"]], ["float", "const", "ordinal"])

    def test_defaults_are_checked(self):
        problem = HpProblem()
        with self.assertRaises(SpaceError) as e:
            problem.add_hyperparameter((1, 10), "units", default_value=11)
        self.assertIn("hyperparameter 'units': default_value: units=11 is outside [1, 10]", str(e.exception))
        with self.assertRaises(SpaceError) as e:
            problem.add_hyperparameter(["a", "b"], "c", default_value="z")
        self.assertIn("c='z' is not one of ['a', 'b']", str(e.exception))
        with self.assertRaises(SpaceError):
            problem.add_hyperparameter((1, 10), "n", default_value=2.5)

    def test_names(self):
        problem = HpProblem()
        problem.add_hyperparameter((1, 10), "x")
        with self.assertRaises(SpaceError) as e:
            problem.add_hyperparameter((1, 10), "x")
        self.assertIn("hyperparameter 'x' is defined twice", str(e.exception))
        with self.assertRaises(SpaceError) as e:
            problem.add_hyperparameter((1, 10), "bad name")
        self.assertIn('invalid hyperparameter name "bad name"', str(e.exception))
        with self.assertRaises(SpaceError):
            problem.add_hyperparameter((1, 10))

    def test_seed_or_config_space_first(self):
        self.assertEqual(HpProblem(42).seed, 42)
        self.assertEqual(HpProblem(seed=3).seed, 3)
        with self.assertRaises(SpaceError) as e:
            HpProblem("space")
        self.assertIn("needs a ConfigurationSpace", str(e.exception))

    def test_unknown_methods_are_named(self):
        problem = HpProblem()
        with self.assertRaises(AttributeError) as e:
            problem.set_constraint_fn(lambda df: df)
        self.assertIn("HpProblem.set_constraint_fn is not offered by Spruce", str(e.exception))
        self.assertIn("add_forbidden_clause", e.exception.hint)
        with self.assertRaises(AttributeError) as e:
            problem.sample(10)
        self.assertEqual(str(e.exception), "DeepHyper's HpProblem.sample is not offered by Spruce")
        self.assertIn("add_starting_point", e.exception.hint)
        self.assertFalse(hasattr(problem, "sample"))

    def test_deephyper_0_13_accessors(self):
        problem = HpProblem()
        units = problem.add((1, 100), "units")
        act = problem.add(["relu", "tanh"], name="activation", default_value="tanh")
        slope = problem.add(csh.UniformFloatHyperparameter("slope", 0.0, 1.0))
        problem.add([cs.EqualsCondition(slope, act, "relu"), cs.ForbiddenEqualsClause(units, 7)])
        self.assertIs(problem["units"], units)
        self.assertEqual(problem.hyperparameter_names, ["units", "activation", "slope"])
        self.assertEqual(len(problem.space.get_conditions()), 1)
        self.assertTrue(problem.check_configuration({"units": 3, "activation": "tanh"}))
        self.assertFalse(problem.check_configuration({"units": 7, "activation": "tanh"}, raise_if_not_valid=False))
        with self.assertRaises(ValueError) as e:
            problem.check_configuration({"units": 3, "activation": "relu"})
        self.assertEqual(str(e.exception), "missing 'slope'")
        with self.assertRaises(KeyError):
            problem["nope"]

    def test_filter_parameters(self):
        from spruce_hps import filter_parameters

        def classifier(n_estimators=10, max_depth=None):
            return None

        point = {"classifier": "Forest", "n_estimators": 50, "max_depth": "NA"}
        self.assertEqual(filter_parameters(classifier, point), {"n_estimators": 50})

    def test_configspace_names_come_from_spruce_hps_too(self):
        # deephyper.problem 0.3 to 0.7 re-exported ConfigSpace: `from deephyper.problem import EqualsCondition`.
        import spruce_hps

        self.assertEqual(sorted(spruce_hps._CONFIG_SPACE_NAMES), sorted(cs.__all__))
        self.assertIs(spruce_hps.EqualsCondition, cs.EqualsCondition)
        with self.assertRaises(ImportError) as e:
            from spruce_hps import ForbiddenLessThanRelation  # noqa: F401
        self.assertIn("ConfigSpace's ForbiddenLessThanRelation is not offered by Spruce", str(e.exception))
        from spruce_hps import NaProblem  # noqa: F401  (offered since NAS landed)


@unittest.skipIf(numpy is None, "numpy is not installed for this interpreter")
class NumpyTest(unittest.TestCase):
    def test_numpy_values_are_plain_python_in_the_space(self):
        problem = HpProblem()
        problem.add_hyperparameter((numpy.int64(1), numpy.int64(8)), "n")
        problem.add_hyperparameter((numpy.float32(0.5), 2.0), "f", default_value=numpy.float64(1.5))
        problem.add_hyperparameter(numpy.array([2, 4, 8]), "o")
        problem.add_hyperparameter([numpy.bool_(True), numpy.bool_(False)], "b")
        problem.add_starting_point(n=numpy.int32(3), f=numpy.float64(1.0), o=numpy.int64(4), b=numpy.bool_(False))
        out = problem.to_json()
        self.assertEqual(out["hyperparameters"][0], {"type": "int", "name": "n", "low": 1, "high": 8, "log": False})
        self.assertEqual(out["hyperparameters"][1]["type"], "float")
        self.assertEqual(out["hyperparameters"][2], {"type": "ordinal", "name": "o", "values": [2, 4, 8]})
        self.assertEqual(out["hyperparameters"][3], {"type": "categorical", "name": "b", "values": [True, False]})
        self.assertEqual(out["startingPoints"], [{"n": 3, "f": 1.0, "o": 4, "b": False}])
        self.assertEqual(out["defaults"], {"f": 1.5})
        for value in list(out["startingPoints"][0].values()) + [out["defaults"]["f"]]:
            self.assertIn(type(value), (int, float, bool))


if __name__ == "__main__":
    unittest.main()
