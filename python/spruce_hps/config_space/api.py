"""ConfigSpace 0.6+'s short constructors Float, Integer and Categorical, for the uniform distributions Spruce's space holds."""

from ..errors import NotOfferedError, SpaceError
from ..values import plain, show
from .hyperparameters import (
    CategoricalHyperparameter,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)


def _bounds(cls, name, bounds, distribution):
    if distribution is not None:
        raise NotOfferedError(
            "{}('{}'): distribution= is not offered by Spruce".format(cls, name),
            "drop distribution=...; Spruce samples ranges uniformly (log=True for a log scale)",
        )
    bounds = plain(bounds)
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
        raise SpaceError("{}('{}'): bounds must be (lower, upper) (got {})".format(cls, name, show(bounds)))
    return bounds


def Float(name, bounds=None, *, distribution=None, default=None, q=None, log=False, meta=None):
    lower, upper = _bounds("Float", name, bounds, distribution)
    return UniformFloatHyperparameter(name, lower, upper, default_value=default, q=q, log=log, meta=meta)


def Integer(name, bounds=None, *, distribution=None, default=None, q=None, log=False, meta=None):
    lower, upper = _bounds("Integer", name, bounds, distribution)
    return UniformIntegerHyperparameter(name, lower, upper, default_value=default, q=q, log=log, meta=meta)


def Categorical(name, items, *, default=None, weights=None, ordered=False, meta=None):
    if ordered:
        if weights is not None:
            raise SpaceError("Categorical('{}'): an ordered categorical takes no weights".format(name))
        return OrdinalHyperparameter(name, items, default_value=default, meta=meta)
    return CategoricalHyperparameter(name, items, default_value=default, meta=meta, weights=weights)
