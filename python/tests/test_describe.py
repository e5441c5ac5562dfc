"""python -m spruce_hps.describe and check_run as the TypeScript side runs them: the JSON on
stdout, file and dotted references, and every failure as one error line naming file:line plus a hint."""

import json
import os
import sys
import unittest

from support import Scratch

PROBLEM = """
from spruce_hps import HpProblem

Problem = HpProblem()
Problem.add_hyperparameter((1, 100), "units")
Problem.add_hyperparameter((1e-4, 1.0, "log-uniform"), "lr")
Problem.add_starting_point(units=10, lr=0.01)
"""


class DescribeTest(Scratch):
    def describe(self, *args, **kw):
        return self.python(["-m", "spruce_hps.describe"] + list(args), **kw)

    def assert_fails(self, result, error, hint):
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stdout, "")
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 2, result.stderr)
        self.assertEqual(lines[0], "error: " + error)
        self.assertTrue(lines[1].startswith("hint: "), lines[1])
        self.assertIn(hint, lines[1])

    def test_a_problem_file(self):
        self.write("problem.py", PROBLEM)
        result = self.describe("problem.py")
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        self.assertEqual(
            out["hyperparameters"],
            [
                {"type": "int", "name": "units", "low": 1, "high": 100, "log": False},
                {"type": "float", "name": "lr", "low": 1e-4, "high": 1.0, "log": True},
            ],
        )
        self.assertEqual(out["startingPoints"], [{"units": 10, "lr": 0.01}])
        self.assertEqual(out["pythonExecutable"], sys.executable)
        self.assertEqual(out["pythonVersion"], "{}.{}.{}".format(*sys.version_info[:3]))
        self.assertEqual(os.path.realpath(out["importRoot"]), os.path.realpath(self.dir))

    def test_integral_float_choices_are_named_for_the_runner(self):
        # JavaScript reads 32.0 as 32: describe names the float choices and constants that it would turn into integers.
        self.write(
            "floats.py",
            "from spruce_hps import HpProblem\n"
            "Problem = HpProblem()\n"
            "Problem.add_dim('width', [16, 32.0, 64.5])\n"
            "Problem.add_dim('act', ['relu', 1.0])\n"
            "Problem.add_dim('scale', 2.0)\n"
            "Problem.add_dim('units', (1, 10))\n",
        )
        result = self.describe("floats.py")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["floatValues"], {"width": [32.0], "act": [1.0], "scale": [2.0]})
        self.write("ints.py", "from spruce_hps import HpProblem\nProblem = HpProblem()\nProblem.add_dim('units', (1, 10))\n")
        self.assertNotIn("floatValues", json.loads(self.describe("ints.py").stdout))

    def test_a_lowercase_problem_and_output_of_the_module_kept_off_stdout(self):
        self.write("p.py", "print('loading the problem')\n" + PROBLEM.replace("Problem =", "problem =").replace("Problem.", "problem."))
        result = self.describe("p.py")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["startingPoints"], [{"units": 10, "lr": 0.01}])
        self.assertIn("loading the problem", result.stderr)

    def test_a_file_inside_a_package_is_imported_under_its_dotted_name(self):
        self.write("proj/__init__.py", "")
        self.write("proj/poly/__init__.py", "")
        self.write("proj/poly/ranges.py", "UNITS = (1, 100)\n")
        self.write("proj/poly/more.py", "ACTIVATIONS = ['relu', 'tanh']\n")
        self.write(
            "proj/poly/problem.py",
            """
            from spruce_hps import HpProblem
            from .ranges import UNITS
            from proj.poly.more import ACTIVATIONS

            Problem = HpProblem()
            Problem.add_hyperparameter(UNITS, "units")
            Problem.add_hyperparameter(ACTIVATIONS, "activation")
            """,
        )
        elsewhere = os.path.join(self.dir, "elsewhere")
        os.makedirs(elsewhere)
        result = self.describe(os.path.join(self.dir, "proj/poly/problem.py"), cwd=elsewhere)
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        self.assertEqual([h["name"] for h in out["hyperparameters"]], ["units", "activation"])
        self.assertEqual(os.path.realpath(out["importRoot"]), os.path.realpath(self.dir))

        # The same module by its dotted path, from the folder above the package and from elsewhere.
        for args, cwd in [
            (["proj.poly.problem.Problem"], self.dir),
            (["proj.poly.problem"], self.dir),
            (["proj.poly.problem.Problem", "--import-root", self.dir], elsewhere),
        ]:
            with self.subTest(args=args, cwd=cwd):
                result = self.describe(*args, cwd=cwd)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(json.loads(result.stdout)["hyperparameters"], out["hyperparameters"])
                self.assertEqual(os.path.realpath(json.loads(result.stdout)["importRoot"]), os.path.realpath(self.dir))

        self.assert_fails(
            self.describe("proj.poly.problem.Problem", cwd=elsewhere),
            "proj.poly.problem.Problem: no module named 'proj' (searched the import roots, the current folder and PYTHONPATH)",
            "or add that folder to PYTHONPATH",
        )

    def test_conditions_reach_the_json(self):
        self.write(
            "cond.py",
            """
            from spruce_hps import HpProblem
            import spruce_hps.config_space as cs

            Problem = HpProblem()
            opt = Problem.add_hyperparameter(["sgd", "adam"], "optimizer")
            mom = Problem.add_hyperparameter((0.0, 0.99), "momentum")
            Problem.add_condition(cs.EqualsCondition(mom, opt, "sgd"))
            """,
        )
        result = self.describe("cond.py")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            json.loads(result.stdout)["conditions"],
            [{"child": "momentum", "when": {"op": "eq", "parent": "optimizer", "value": "sgd"}}],
        )

    def test_objectives_reach_the_json(self):
        self.write("moo.py", PROBLEM + 'Problem.add_objective("accuracy", "max", reference=0.5).add_objective("latency", "minimize")\n')
        result = self.describe("moo.py")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            json.loads(result.stdout)["objectives"],
            [{"name": "accuracy", "direction": "maximize", "reference": 0.5}, {"name": "latency", "direction": "minimize"}],
        )
        # A problem that declares none leaves the key out (the workflow's --objective or direction decides).
        self.write("problem.py", PROBLEM)
        self.assertNotIn("objectives", json.loads(self.describe("problem.py").stdout))

    def test_wrong_objectives(self):
        cases = [
            ('Problem.add_objective("acc", "max").add_objective("acc", "min")', "SpaceError: objective 'acc' is declared twice", "give each objective once"),
            ('Problem.add_objective("acc", "up")', "SpaceError: add_objective('acc'): unknown direction 'up'", 'use "max" or "min"'),
            ('Problem.add_objective("a b", "max")', "SpaceError: add_objective('a b'): invalid objective name", "results.csv column"),
            ('Problem.add_objective("acc", "max", reference="0")', "SpaceError: add_objective('acc'): reference must be a finite number (got '0')", "worst value"),
        ]
        for line, error, hint in cases:
            with self.subTest(line=line):
                self.write("problem.py", PROBLEM + line + "\n")
                self.assert_fails(self.describe("problem.py"), "problem.py:7: " + error, hint)

    def test_a_syntax_error(self):
        self.write("problem.py", "from spruce_hps import HpProblem\nProblem = HpProblem(\nx = = 1\n")
        result = self.describe("problem.py")
        self.assertEqual(result.returncode, 2)
        line = result.stderr.splitlines()[0]
        self.assertRegex(line, r"^error: problem\.py:[23]: SyntaxError: ")
        self.assertEqual(len(result.stderr.splitlines()), 2, result.stderr)
        self.assertIn("py_compile problem.py", result.stderr)

    def test_a_syntax_error_in_a_module_the_problem_imports(self):
        self.write("helper.py", "def f(:\n    pass\n")
        self.write("problem.py", "import helper\n" + PROBLEM)
        self.assert_fails(self.describe("problem.py"), "helper.py:1: SyntaxError: invalid syntax", "py_compile helper.py")

    def test_an_exception_names_the_users_innermost_line(self):
        self.write(
            "problem.py",
            """
            from spruce_hps import HpProblem

            def width():
                return 1 // 0

            Problem = HpProblem()
            Problem.add_hyperparameter((1, width()), "units")
            """,
        )
        self.assert_fails(
            self.describe("problem.py"), "problem.py:4: ZeroDivisionError: integer division or modulo by zero", "import problem"
        )

    def test_a_space_error_names_the_users_call(self):
        self.write(
            "problem.py",
            """
            from spruce_hps import HpProblem
            Problem = HpProblem()
            Problem.add_hyperparameter((10, 1), "units")
            """,
        )
        self.assert_fails(
            self.describe("problem.py"),
            "problem.py:3: SpaceError: hyperparameter 'units': lower (10) must be less than upper (1)",
            "for a fixed value use a Constant",
        )

    def test_a_starting_point_found_wrong_at_the_end_names_its_call(self):
        self.write("problem.py", PROBLEM + 'Problem.add_hyperparameter(["a", "b"], "late")\n')
        self.assert_fails(
            self.describe("problem.py"), "problem.py:6: SpaceError: starting point 1: missing 'late'", "inside its range"
        )

    def test_what_is_not_offered(self):
        self.write(
            "problem.py",
            """
            from spruce_hps import HpProblem
            import spruce_hps.config_space as cs
            Problem = HpProblem()
            Problem.add_hyperparameter(cs.NormalFloatHyperparameter("x", mu=0.0, sigma=1.0))
            """,
        )
        self.assert_fails(
            self.describe("problem.py"),
            "problem.py:4: NotOfferedError: ConfigSpace's NormalFloatHyperparameter is not offered by Spruce "
            "(spruce_hps.config_space has no NormalFloatHyperparameter)",
            "UniformFloatHyperparameter",
        )

    def test_a_missing_library(self):
        self.write("problem.py", "import not_a_module_spruce_knows\n" + PROBLEM)
        self.assert_fails(
            self.describe("problem.py"),
            "problem.py:1: ModuleNotFoundError: No module named 'not_a_module_spruce_knows'",
            "install 'not_a_module_spruce_knows' into " + sys.executable,
        )

    def test_wrong_references(self):
        self.write("noproblem.py", "x = 1\n")
        self.write("notaproblem.py", "Problem = {'units': (1, 10)}\n")
        self.write("empty.py", "from spruce_hps import HpProblem\nProblem = HpProblem()\n")
        self.write("data.txt", "")
        cases = [
            (["missing.py"], "missing.py: no such file", ".py file"),
            (["data.txt"], "data.txt: not a .py file", "Python file"),
            (["noproblem.py"], "noproblem.py: defines no 'Problem' and no 'problem'", "name it 'Problem' or 'problem'"),
            (["notaproblem.py"], "notaproblem.py: 'Problem' is a dict, not an HpProblem", "from spruce_hps import HpProblem"),
            (["empty.py"], "empty.py: SpaceError: the problem has no hyperparameters", "Problem.add_hyperparameter"),
            (["noproblem.Nope"], "noproblem.Nope: module 'noproblem' has no attribute 'Nope'", "noproblem.py"),
            (["not-a-ref!"], "not-a-ref!: neither a .py file nor a dotted path", "pkg.module.Problem"),
            ([], "missing REF", "usage: python3 -m spruce_hps.describe REF"),
            (["a.py", "b.py"], "unexpected argument b.py", "usage:"),
            (["problem.py", "--import-root"], "--import-root needs a folder", "usage:"),
            (["problem.py", "--import-root", "nowhere"], "--import-root nowhere: no such folder", "top-level package"),
        ]
        for args, error, hint in cases:
            with self.subTest(args=args):
                self.assert_fails(self.describe(*args), error, hint)

    def test_a_module_name_already_taken(self):
        self.write("json.py", PROBLEM)
        self.assert_fails(
            self.describe("json.py"),
            "json.py: the name 'json' is already taken by the module " + json.__file__,
            "rename the file",
        )


class CheckRunTest(Scratch):
    def check(self, *args, **kw):
        return self.python(["-m", "spruce_hps.check_run"] + list(args), **kw)

    def test_calling_conventions(self):
        cases = [
            ("def run(point):\n    return 1\n", "point", False),
            ("def run(config):\n    return 1\n", "point", False),
            ("def run(job):\n    return 1\n", "job", False),
            ("from spruce_hps import RunningJob\ndef run(j: RunningJob):\n    return 1\n", "job", False),
            ("from __future__ import annotations\ndef run(j: 'RunningJob'):\n    return 1\n", "job", False),
            ("def run(point, ctx):\n    return 1\n", "point", True),
            ("def run(job, context=None):\n    return 1\n", "job", True),
            ("def run(config, verbose=False):\n    return 1\n", "point", False),
            ("def run(*args):\n    return 1\n", "point", False),
            ("class R:\n    def __call__(self, point, ctx):\n        return 1\nrun = R()\n", "point", True),
        ]
        for source, argument, context in cases:
            with self.subTest(source=source):
                self.write("run.py", source)
                result = self.check("run.py")
                self.assertEqual(result.returncode, 0, result.stderr)
                out = json.loads(result.stdout)
                self.assertEqual((out["argument"], out["context"]), (argument, context))
                self.assertEqual(out["pythonExecutable"], sys.executable)
                self.assertEqual(os.path.realpath(out["importRoot"]), os.path.realpath(self.dir))

    def test_a_dotted_run_is_not_called(self):
        self.write("pkg/__init__.py", "")
        self.write("pkg/model_run.py", "def run(point):\n    raise SystemExit('run was called')\n")
        result = self.check("pkg.model_run.run")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["argument"], "point")

    def test_failures(self):
        self.write("norun.py", "def train(point):\n    return 1\n")
        self.write("notcallable.py", "run = 3\n")
        self.write("noargs.py", "x = 1\n\ndef run():\n    return 1\n")
        self.write("toomany.py", "def run(a, b, c):\n    return 1\n")
        self.write("syntax.py", "def run(point)\n    return 1\n")
        self.write("raises.py", "import os\nos.environ['MISSING_FOR_SPRUCE_TEST']\n")
        cases = [
            ("norun.py", "norun.py: defines no 'run'", "name it 'run'"),
            ("notcallable.py", "notcallable.py: CallingError: run is a int, not a function", "def run(point)"),
            ("noargs.py", "noargs.py:3: CallingError: run takes no parameter; Spruce passes it the point", "run(job)"),
            ("toomany.py", "toomany.py:1: CallingError: run needs 3 arguments", "a default value: c"),
            ("syntax.py", "syntax.py:1: SyntaxError: expected ':'", "py_compile syntax.py"),
            ("raises.py", "raises.py:2: KeyError: 'MISSING_FOR_SPRUCE_TEST'", "import raises"),
        ]
        for ref, error, hint in cases:
            with self.subTest(ref=ref):
                result = self.check(ref)
                self.assertEqual(result.returncode, 2, result.stderr)
                lines = result.stderr.splitlines()
                self.assertEqual(len(lines), 2, result.stderr)
                if ref == "syntax.py" and sys.version_info < (3, 10):
                    self.assertTrue(lines[0].startswith("error: syntax.py:1: SyntaxError: "), lines[0])
                else:
                    self.assertTrue(lines[0].startswith("error: " + error), lines[0])
                self.assertIn(hint, lines[1])


if __name__ == "__main__":
    unittest.main()
