"""DeepHyper's shorthand for a hyperparameter, classified in Python where a tuple is still a tuple and 1.0 is still a float."""

from .config_space.hyperparameters import (
    CategoricalHyperparameter,
    Constant,
    OrdinalHyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)
from .errors import NotOfferedError, SpaceError
from .values import check_name, foreign_hint, is_number, key, plain, show

PRIORS = ("uniform", "log-uniform")


def from_shorthand(value, name, default_value=None):
    """The hyperparameter DeepHyper's rules make of value.

    (a, b) a range, real if either bound is a float, integer otherwise; (a, b, "uniform") the same;
    (a, b, "log-uniform") a log range; a list with any str, bool or None a categorical; an
    all-numeric list an ordinal; a scalar (or a dict) a constant.
    """
    where = "hyperparameter '{}'".format(check_name(name, "add_hyperparameter(name={})".format(show(name))))
    value = plain(value)
    if isinstance(value, tuple):
        return _range(where, name, value, default_value)
    if isinstance(value, list):
        if len(value) == 0:
            raise SpaceError("{}: empty list of choices".format(where), "list the choices, or give a range (low, high)")
        if any(v is None or isinstance(v, (str, bool)) for v in value):
            return CategoricalHyperparameter(name, value, default_value=default_value)
        if all(is_number(v) for v in value):
            return OrdinalHyperparameter(name, value, default_value=default_value)
        return CategoricalHyperparameter(name, value, default_value=default_value)
    if isinstance(value, dict) and "mu" in value and "sigma" in value:
        raise NotOfferedError(
            "{}: normal distributions ({{'mu': ..., 'sigma': ...}}) are not offered by Spruce".format(where),
            "use a range (low, high), with \"log-uniform\" for a scale parameter",
        )
    if value is None or isinstance(value, (str, bool, int, float, dict)):
        if default_value is not None and key(plain(default_value)) != key(value):
            raise SpaceError(
                "{}: default_value {} differs from the constant {}".format(where, show(default_value), show(value)),
                "drop default_value: a constant has only its value",
            )
        return Constant(name, value)
    raise SpaceError(
        "{}: cannot tell what {} ({}) describes".format(where, show(value), type(value).__name__),
        foreign_hint(value, "give a range (low, high), a list of choices, a constant, or a hyperparameter object"),
    )


def _range(where, name, value, default_value):
    if len(value) not in (2, 3):
        raise SpaceError(
            "{}: a range is (low, high) or (low, high, \"log-uniform\") (got {})".format(where, show(value)),
            "for a list of choices use a list [...]",
        )
    prior = value[2] if len(value) == 3 else "uniform"
    if prior not in PRIORS:
        raise SpaceError(
            "{}: unknown distribution {}".format(where, show(prior)),
            "use \"uniform\" or \"log-uniform\"; for a list of choices use a list [...]",
        )
    low, high = value[0], value[1]
    if not (is_number(low) and is_number(high)):
        raise SpaceError(
            "{}: a tuple is a range and needs two numbers (got {})".format(where, show(value)),
            "for a list of choices use a list [...]",
        )
    log = prior == "log-uniform"
    if isinstance(low, float) or isinstance(high, float):
        return UniformFloatHyperparameter(name, low, high, default_value=default_value, log=log)
    return UniformIntegerHyperparameter(name, low, high, default_value=default_value, log=log)
