"""Spruce's Python companion: DeepHyper's problem API (HpProblem, BaseProblem, NaProblem, ConfigSpace's classes
in spruce_hps.config_space) and what a run gets during an evaluation (context(), report(),
RunningJob). Names load on first use, so the evaluation runner starts without the problem code.

DeepHyper 0.3 to 0.7's deephyper.problem re-exported ConfigSpace's names, so `from deephyper.problem
import HpProblem, EqualsCondition` ports by its import line too: those names come from config_space."""

import os
import sys

__version__ = "0.1.0"

# name -> the submodule that defines it
_LAZY = {
    "HpProblem": "problem",
    "BaseProblem": "problem",
    "filter_parameters": "problem",
    "NaProblem": "nas",
    "ArchSpace": "nas",
    "RunningJob": "evaluation",
    "Context": "evaluation",
    "context": "evaluation",
    "report": "evaluation",
    "SpaceError": "errors",
    "NotOfferedError": "errors",
}

# ConfigSpace's names as deephyper.problem re-exported them (spruce_hps.config_space's own list).
_CONFIG_SPACE_NAMES = (
    "AndConjunction Categorical CategoricalHyperparameter ConfigurationSpace Constant EqualsCondition Float "
    "ForbiddenAndConjunction ForbiddenEqualsClause ForbiddenInClause GreaterThanCondition InCondition Integer "
    "LessThanCondition NotEqualsCondition OrConjunction OrdinalHyperparameter UniformFloatHyperparameter "
    "UniformIntegerHyperparameter UnParametrizedHyperparameter"
).split()
_LAZY.update((name, "config_space") for name in _CONFIG_SPACE_NAMES)

__all__ = sorted(list(_LAZY) + ["config_space"])


def _submodule(name):
    full = __name__ + "." + name
    __import__(full)
    return sys.modules[full]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(_submodule(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name == "config_space":
        return _submodule(name)
    here = os.path.dirname(__file__)
    if name.startswith("_") or os.path.exists(os.path.join(here, name + ".py")):
        # A submodule not imported yet: `from spruce_hps import runner` imports it on this answer.
        raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))
    from .errors import CONFIGSPACE_NAMES, NotOfferedError

    if name in CONFIGSPACE_NAMES:  # re-exported by deephyper.problem 0.3 to 0.7
        getattr(_submodule("config_space"), name)  # raises config_space's own message and hint
    hint = "spruce_hps offers: " + ", ".join(__all__)
    raise NotOfferedError("DeepHyper's {} is not offered by Spruce (spruce_hps has no {})".format(name, name), hint)


def __dir__():
    return sorted(set(globals()) | set(__all__))
