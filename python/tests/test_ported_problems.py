"""Problem files in DeepHyper's styles, ported by their import lines alone, through describe."""

import json

from support import Scratch

AUTOML = '''
import spruce_hps.config_space as cs
from spruce_hps import HpProblem

Problem = HpProblem(seed=42)

classifier = Problem.add_hyperparameter(
    name="classifier", value=["Forest", "Logistic", "Neighbors", "SVC"]
)
n_trees = Problem.add_hyperparameter(name="n_trees", value=(10, 1000, "log-uniform"))
Problem.add_condition(cs.EqualsCondition(n_trees, classifier, "Forest"))
depth = Problem.add_hyperparameter(name="depth", value=(2, 32))
Problem.add_condition(cs.EqualsCondition(depth, classifier, "Forest"))
k = Problem.add_hyperparameter(name="k", value=(1, 50))
Problem.add_condition(cs.EqualsCondition(k, classifier, "Neighbors"))
C = Problem.add_hyperparameter(name="C", value=(1e-4, 100.0, "log-uniform"))
Problem.add_condition(
    cs.OrConjunction(
        cs.EqualsCondition(C, classifier, "Logistic"),
        cs.EqualsCondition(C, classifier, "SVC"),
    )
)
kernel = Problem.add_hyperparameter(name="kernel", value=["linear", "rbf", "poly"])
Problem.add_condition(cs.EqualsCondition(kernel, classifier, "SVC"))
degree = Problem.add_hyperparameter(name="degree", value=(2, 5))
Problem.add_condition(cs.EqualsCondition(degree, kernel, "poly"))
Problem.add_forbidden_clause(
    cs.ForbiddenAndConjunction(
        cs.ForbiddenEqualsClause(kernel, "poly"), cs.ForbiddenInClause(degree, [4, 5])
    )
)
Problem.add_starting_point(classifier="Forest", n_trees=100, depth=8)

if __name__ == "__main__":
    print(Problem)
'''

AUTOML_LISTING = """\
Configuration space object:
  Hyperparameters:
    C, Type: UniformFloat, Range: [0.0001, 100.0], Default: 0.1, on log-scale
    classifier, Type: Categorical, Choices: {Forest, Logistic, Neighbors, SVC}, Default: Forest
    degree, Type: UniformInteger, Range: [2, 5], Default: 4
    depth, Type: UniformInteger, Range: [2, 32], Default: 17
    k, Type: UniformInteger, Range: [1, 50], Default: 26
    kernel, Type: Categorical, Choices: {linear, rbf, poly}, Default: linear
    n_trees, Type: UniformInteger, Range: [10, 1000], Default: 100, on log-scale
  Conditions:
    (C | classifier == 'Logistic' || C | classifier == 'SVC')
    degree | kernel == 'poly'
    depth | classifier == 'Forest'
    k | classifier == 'Neighbors'
    kernel | classifier == 'SVC'
    n_trees | classifier == 'Forest'
  Forbidden Clauses:
    (Forbidden: kernel == 'poly' && Forbidden: degree in {4, 5})


  Starting Point:
{0: {'classifier': 'Forest', 'depth': 8, 'n_trees': 100}}
"""

CONFIG_SPACE = '''
import spruce_hps.config_space as cs
import spruce_hps.config_space.hyperparameters as csh
from spruce_hps import BaseProblem

config_space = cs.ConfigurationSpace(seed=2)
optimizer = csh.CategoricalHyperparameter("optimizer", choices=["sgd", "adam"], default_value="adam")
lr = csh.UniformFloatHyperparameter("lr", lower=1e-5, upper=1e-1, log=True)
momentum = csh.UniformFloatHyperparameter("momentum", lower=0.0, upper=0.99, default_value=0.9)
batch = csh.OrdinalHyperparameter("batch_size", sequence=[16, 32, 64, 128])
config_space.add_hyperparameters([optimizer, lr, momentum, batch])
config_space.add_condition(cs.EqualsCondition(momentum, optimizer, "sgd"))
config_space.add_forbidden_clause(
    cs.ForbiddenAndConjunction(
        cs.ForbiddenEqualsClause(optimizer, "adam"), cs.ForbiddenEqualsClause(batch, 16)
    )
)
Problem = BaseProblem(config_space)
'''


class PortedProblemTest(Scratch):
    def test_an_automl_classifier_choice(self):
        self.write("automl.py", AUTOML)
        result = self.python(["-m", "spruce_hps.describe", "automl.py"])
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        self.assertEqual(
            [h["name"] for h in out["hyperparameters"]], ["classifier", "n_trees", "depth", "k", "C", "kernel", "degree"]
        )
        self.assertEqual(
            out["conditions"][3],
            {
                "child": "C",
                "when": {
                    "op": "or",
                    "terms": [
                        {"op": "eq", "parent": "classifier", "value": "Logistic"},
                        {"op": "eq", "parent": "classifier", "value": "SVC"},
                    ],
                },
            },
        )
        self.assertEqual(out["conditions"][5], {"child": "degree", "when": {"op": "eq", "parent": "kernel", "value": "poly"}})
        self.assertEqual(out["startingPoints"], [{"classifier": "Forest", "n_trees": 100, "depth": 8}])
        printed = self.python(["automl.py"])
        self.assertEqual(printed.returncode, 0, printed.stderr)
        self.assertEqual(printed.stdout, AUTOML_LISTING)

    def test_a_configuration_space_handed_to_base_problem(self):
        self.write("space.py", CONFIG_SPACE)
        result = self.python(["-m", "spruce_hps.describe", "space.py"])
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        self.assertEqual(
            out["hyperparameters"],
            [
                {"type": "categorical", "name": "optimizer", "values": ["sgd", "adam"]},
                {"type": "float", "name": "lr", "low": 1e-5, "high": 1e-1, "log": True},
                {"type": "float", "name": "momentum", "low": 0.0, "high": 0.99, "log": False},
                {"type": "ordinal", "name": "batch_size", "values": [16, 32, 64, 128]},
            ],
        )
        self.assertEqual(out["defaults"], {"optimizer": "adam", "momentum": 0.9})
        self.assertEqual(
            out["forbidden"],
            [{"op": "and", "terms": [{"op": "eq", "name": "optimizer", "value": "adam"}, {"op": "eq", "name": "batch_size", "value": 16}]}],
        )

    def test_an_unported_import_names_the_fix(self):
        self.write("unported.py", AUTOML.replace("import spruce_hps.config_space as cs", "import ConfigSpace as cs"))
        result = self.python(["-m", "spruce_hps.describe", "unported.py"])
        self.assertEqual(result.returncode, 2)
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 2, result.stderr)
        if "ModuleNotFoundError" in lines[0]:
            self.assertEqual(lines[0], "error: unported.py:1: ModuleNotFoundError: No module named 'ConfigSpace'")
        else:  # ConfigSpace is installed for this interpreter: its objects are refused, naming the import
            self.assertIn("ConfigSpace's or DeepHyper's own object", lines[1])
        self.assertIn("change `import ConfigSpace as cs` to `import spruce_hps.config_space as cs`", lines[1])

    def test_a_configspace_object_from_elsewhere(self):
        self.write(
            "foreign.py",
            """
            from spruce_hps import HpProblem

            class UniformFloatHyperparameter(object):  # what ConfigSpace's own class looks like from here
                __module__ = "ConfigSpace.hyperparameters"

            Problem = HpProblem()
            Problem.add_hyperparameter(UniformFloatHyperparameter(), "x")
            """,
        )
        result = self.python(["-m", "spruce_hps.describe", "foreign.py"])
        self.assertEqual(result.returncode, 2)
        self.assertIn("error: foreign.py:7: SpaceError: hyperparameter 'x': cannot tell what", result.stderr)
        self.assertIn(
            "hint: UniformFloatHyperparameter is ConfigSpace's or DeepHyper's own object: change `import ConfigSpace as cs`",
            result.stderr,
        )
