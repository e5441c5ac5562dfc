"""`python3 -m spruce_hps.describe REF [--import-root DIR ...]`: imports a problem module and prints
its space as Spruce's JSON on stdout, with the interpreter and the import root to record."""

import os
import sys

# `python -m` puts the current folder first on sys.path: a user's file named like a module this
# command imports (json.py, say) must not replace it. The folder comes back, after the import
# roots, when a dotted reference is resolved.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

import json

from . import cli
from .config_space.configuration_space import ConfigurationSpace
from .errors import SpaceError
from .loading import RefError, load
from .problem import BaseProblem

PROBLEM_NAMES = ("Problem", "problem")


def describe(ref, import_roots=()):
    """The JSON object describe prints (raises what loading or the user's module raises)."""
    loaded = load(ref, PROBLEM_NAMES, import_roots)
    problem = loaded.obj
    if isinstance(problem, ConfigurationSpace):
        problem = BaseProblem(problem)
    if not isinstance(problem, BaseProblem):
        kind = type(problem)
        hint = "build it with `from spruce_hps import HpProblem` (NaProblem for an architecture search) and `{} = HpProblem()`".format(loaded.attribute)
        if kind.__module__.split(".")[0] == "deephyper":
            hint = "change `from deephyper.problem import {0}` to `from spruce_hps import {0}`".format(kind.__name__)
        raise RefError("{}: '{}' is a {}, not an HpProblem".format(ref, loaded.attribute, kind.__name__), hint)
    out = problem.to_json()
    # A NAS problem's architecture choices are hyperparameters too (added by the TypeScript side).
    if not out["hyperparameters"] and "architecture" not in out:
        raise SpaceError(
            "the problem has no hyperparameters",
            "add one, e.g. {}.add_hyperparameter((1e-4, 1e-1, \"log-uniform\"), \"lr\")".format(loaded.attribute),
        )
    float_values = integral_float_choices(out["hyperparameters"])
    if float_values:
        out["floatValues"] = float_values
    out["pythonExecutable"] = sys.executable
    out["pythonVersion"] = "{}.{}.{}".format(*sys.version_info[:3])
    out["importRoot"] = loaded.import_root
    return out


def integral_float_choices(hyperparameters):
    """{name: [values]} of the choices and constants that are floats with integral values: JSON
    read by JavaScript turns 32.0 into 32, so the runner is told which ones to turn back."""
    out = {}
    for hp in hyperparameters:
        values = hp.get("values", [hp["value"]] if "value" in hp else [])
        floats = [v for v in values if isinstance(v, float) and v.is_integer()]
        if floats:
            out[hp["name"]] = floats
    return out


def main(argv=None):
    ref, roots = cli.parse_args(sys.argv[1:] if argv is None else argv, "describe", "problem.py or pkg.module.Problem")
    return cli.answer(lambda: describe(ref, roots), ref)


if __name__ == "__main__":
    sys.exit(main())
