"""The part of ConfigSpace that Spruce's space can hold, with ConfigSpace's names: a problem file ports with `import spruce_hps.config_space as cs` in place of `import ConfigSpace as cs`."""

from ..errors import not_offered_getattr
from .api import Categorical, Float, Integer
from .conditions import (
    AndConjunction,
    EqualsCondition,
    GreaterThanCondition,
    InCondition,
    LessThanCondition,
    NotEqualsCondition,
    OrConjunction,
)
from .configuration_space import ConfigurationSpace
from . import forbidden as _forbidden
from . import hyperparameters as _hyperparameters
from .forbidden import ForbiddenAndConjunction, ForbiddenEqualsClause, ForbiddenInClause
from .hyperparameters import (
    CategoricalHyperparameter,
    Constant,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
    UnParametrizedHyperparameter,
)

__all__ = [
    "AndConjunction",
    "Categorical",
    "CategoricalHyperparameter",
    "ConfigurationSpace",
    "Constant",
    "EqualsCondition",
    "Float",
    "ForbiddenAndConjunction",
    "ForbiddenEqualsClause",
    "ForbiddenInClause",
    "GreaterThanCondition",
    "InCondition",
    "Integer",
    "LessThanCondition",
    "NotEqualsCondition",
    "OrConjunction",
    "OrdinalHyperparameter",
    "UniformFloatHyperparameter",
    "UniformIntegerHyperparameter",
    "UnParametrizedHyperparameter",
]

_RANGE = "use UniformFloatHyperparameter or UniformIntegerHyperparameter (log=True for a log scale)"
# What ConfigSpace has and Spruce does not, each with the nearest form that is offered: the
# hyperparameter and forbidden modules' own hints, and those of the package's other names.
_HINTS = dict(_hyperparameters._HINTS)
_HINTS.update(_forbidden._HINTS)
_HINTS.update(
    {
        "NormalFloatHyperparameter": _RANGE,
        "NormalIntegerHyperparameter": _RANGE,
        "BetaFloatHyperparameter": _RANGE,
        "BetaIntegerHyperparameter": _RANGE,
        "Normal": _RANGE,
        "Beta": _RANGE,
        "Uniform": "drop distribution=...: Float and Integer are uniform already",
        "Configuration": "a problem file describes the space; Spruce builds the points",
    }
)

__getattr__ = not_offered_getattr(__name__, __all__, _HINTS)
