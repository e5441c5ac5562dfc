"""ConfigSpace's hyperparameter classes (with its argument names and order) that Spruce's space can hold, each checked when built."""

import math

from ..errors import NotOfferedError, SpaceError, not_offered_getattr
from ..values import check_name, is_number, json_reason, key, plain, show, to_json


class Hyperparameter(object):
    """What every hyperparameter has: a name, an optional default, a test of legal values and its JSON entry."""

    kind = ""  # the "type" of Spruce's space JSON

    def __init__(self, name, meta=None):
        self.name = check_name(name, "{}({})".format(type(self).__name__, show(name)))
        self.meta = meta
        self._default = None

    @property
    def default_given(self):
        """True when the user gave a default value (only those reach the space's "defaults")."""
        return self._default is not None

    @property
    def default_value(self):
        return self._default if self._default is not None else self._implied_default()

    def _implied_default(self):
        raise NotImplementedError

    def legal_reason(self, value):
        """None when value is one this hyperparameter can take, else a reason naming it."""
        raise NotImplementedError

    def is_legal(self, value):
        return self.legal_reason(plain(value)) is None

    def normalize(self, value):
        """A legal value as the space stores it (an int for an integer range, the listed choice)."""
        return value

    def checked_value(self, value, where):
        """value converted from numpy, checked legal, and normalised; a SpaceError otherwise."""
        value = plain(value)
        reason = self.legal_reason(value)
        if reason is not None:
            raise SpaceError("{}: {}".format(where, reason), self._legal_hint())
        return self.normalize(value)

    def _legal_hint(self):
        return "use a value of {}".format(self.describe_values())

    def describe_values(self):
        raise NotImplementedError

    def to_json(self):
        raise NotImplementedError

    def _set_default(self, default_value):
        if default_value is not None:
            self._default = self.checked_value(default_value, "hyperparameter '{}': default_value".format(self.name))

    def __str__(self):
        return repr(self)


class _Range(Hyperparameter):
    integer = False

    def __init__(self, name, lower, upper, default_value=None, q=None, log=False, meta=None):
        super(_Range, self).__init__(name, meta)
        where = "hyperparameter '{}'".format(self.name)
        # ConfigSpace 1.x dropped q, so its log moved to the fifth place: a bool there is that log.
        if isinstance(q, bool):
            q, log = None, q
        if q is not None:
            raise NotOfferedError(
                "{}: q (quantization) is not offered by Spruce".format(where),
                "drop q=...; for a few evenly spaced values use an ordinal list such as [16, 32, 48, 64]",
            )
        if not isinstance(log, bool):
            raise SpaceError("{}: log must be True or False (got {})".format(where, show(log)))
        self.lower = self._bound(where, "lower", lower)
        self.upper = self._bound(where, "upper", upper)
        self.log = log
        self.q = None
        if not self.lower < self.upper:
            raise SpaceError(
                "{}: lower ({}) must be less than upper ({})".format(where, self.lower, self.upper),
                "fix the bounds; for a fixed value use a Constant",
            )
        if log and self.integer and self.lower < 1:
            raise SpaceError(
                "{}: a log integer range needs lower >= 1 (got {})".format(where, self.lower),
                "use a lower bound of at least 1, or log=False",
            )
        if log and not self.integer and self.lower <= 0:
            raise SpaceError(
                "{}: a log range needs lower > 0 (got {})".format(where, self.lower),
                "use a positive lower bound, or log=False",
            )
        self._set_default(default_value)

    def _bound(self, where, field, value):
        value = plain(value)
        if not is_number(value) or not math.isfinite(value):
            raise SpaceError("{}: {} must be a finite number (got {})".format(where, field, show(value)))
        if not self.integer:
            return float(value)
        if isinstance(value, float) and not value.is_integer():
            raise SpaceError(
                "{}: {}={} is not an integer".format(where, field, value),
                "an integer range needs integer bounds; use a float range for real values",
            )
        return int(value)

    def legal_reason(self, value):
        if not is_number(value) or not math.isfinite(value):
            return "{}={} is not a number".format(self.name, show(value))
        if self.integer and isinstance(value, float) and not value.is_integer():
            return "{}={} is not an integer".format(self.name, value)
        if not self.lower <= value <= self.upper:
            return "{}={} is outside [{}, {}]".format(self.name, value, self.lower, self.upper)
        return None

    def normalize(self, value):
        return int(value) if self.integer else float(value)

    def describe_values(self):
        return "[{}, {}]".format(self.lower, self.upper)

    def _implied_default(self):
        if self.log:
            middle = math.exp((math.log(self.lower) + math.log(self.upper)) / 2)
        else:
            middle = (self.lower + self.upper) / 2
        return int(round(middle)) if self.integer else round(middle, 10)

    def to_json(self):
        return {"type": self.kind, "name": self.name, "low": self.lower, "high": self.upper, "log": self.log}

    def __repr__(self):
        text = "{}, Type: {}, Range: [{!r}, {!r}], Default: {!r}".format(
            self.name, self._type_name, self.lower, self.upper, self.default_value
        )
        return text + (", on log-scale" if self.log else "")


class UniformFloatHyperparameter(_Range):
    """Reals in [lower, upper]; log=True samples them in log space."""

    kind = "float"
    _type_name = "UniformFloat"

    def __init__(self, name, lower, upper, default_value=None, q=None, log=False, meta=None):
        super(UniformFloatHyperparameter, self).__init__(name, lower, upper, default_value, q, log, meta)


class UniformIntegerHyperparameter(_Range):
    """Integers in [lower, upper], both included; log=True samples them in log space."""

    kind = "int"
    integer = True
    _type_name = "UniformInteger"

    def __init__(self, name, lower, upper, default_value=None, q=None, log=False, meta=None):
        super(UniformIntegerHyperparameter, self).__init__(name, lower, upper, default_value, q, log, meta)


class _Choices(Hyperparameter):
    def _init_choices(self, field, values):
        where = "hyperparameter '{}'".format(self.name)
        values = plain(values)
        if not isinstance(values, (list, tuple)):
            raise SpaceError("{}: {} must be a list (got {})".format(where, field, show(values)), "list the choices")
        if len(values) == 0:
            raise SpaceError("{}: {} is empty".format(where, field), "list at least one choice")
        seen = {}
        out = []
        for i, value in enumerate(values):
            reason = json_reason(value)
            if reason is not None:
                raise SpaceError(
                    "{}: choice {} ({}): {}".format(where, i + 1, show(value), reason),
                    "use strings, finite numbers, booleans, None, or lists/dicts of those",
                )
            k = key(value)
            if k in seen:
                raise SpaceError(
                    "{}: the choice {} is listed twice".format(where, show(value)),
                    "list each choice once (1 and 1.0 are the same value)",
                )
            seen[k] = len(out)
            out.append(to_json(value, where))
        self._index = seen
        return tuple(out)

    def legal_reason(self, value):
        if json_reason(value) is None and key(value) in self._index:
            return None
        listed = ", ".join(show(v) for v in self._values())
        return "{}={} is not one of [{}]".format(self.name, show(value), listed if len(listed) <= 80 else listed[:77] + "...")

    def normalize(self, value):
        return self._values()[self._index[key(value)]]

    def describe_values(self):
        return "[{}]".format(", ".join(show(v) for v in self._values()))

    def _implied_default(self):
        return self._values()[0]

    def to_json(self):
        return {"type": self.kind, "name": self.name, "values": list(self._values())}

    def _values(self):
        raise NotImplementedError


class CategoricalHyperparameter(_Choices):
    """Unordered choices."""

    kind = "categorical"

    def __init__(self, name, choices, default_value=None, meta=None, weights=None):
        super(CategoricalHyperparameter, self).__init__(name, meta)
        if weights is not None:
            raise NotOfferedError(
                "hyperparameter '{}': weights are not offered by Spruce".format(self.name),
                "drop weights=...; Spruce's searchers draw the choices uniformly",
            )
        self.choices = self._init_choices("choices", choices)
        self.weights = None
        self._set_default(default_value)

    def _values(self):
        return self.choices

    def __repr__(self):
        return "{}, Type: Categorical, Choices: {{{}}}, Default: {}".format(
            self.name, ", ".join(str(c) for c in self.choices), self.default_value
        )


class OrdinalHyperparameter(_Choices):
    """Ordered choices: the searcher sees their order."""

    kind = "ordinal"

    def __init__(self, name, sequence, default_value=None, meta=None):
        super(OrdinalHyperparameter, self).__init__(name, meta)
        self.sequence = self._init_choices("sequence", sequence)
        self._set_default(default_value)

    def _values(self):
        return self.sequence

    def __repr__(self):
        return "{}, Type: Ordinal, Sequence: {{{}}}, Default: {}".format(
            self.name, ", ".join(str(c) for c in self.sequence), self.default_value
        )


class Constant(Hyperparameter):
    """A fixed value, part of every point."""

    kind = "const"

    def __init__(self, name, value, meta=None):
        super(Constant, self).__init__(name, meta)
        self.value = to_json(plain(value), "hyperparameter '{}': value".format(self.name))

    def legal_reason(self, value):
        if json_reason(value) is None and key(value) == key(self.value):
            return None
        return "{}={} differs from its constant value {}".format(self.name, show(value), show(self.value))

    def normalize(self, value):
        return self.value

    def describe_values(self):
        return show(self.value)

    def _implied_default(self):
        return self.value

    def to_json(self):
        return {"type": "const", "name": self.name, "value": self.value}

    def __repr__(self):
        return "{}, Type: Constant, Value: {}".format(self.name, self.value)


class UnParametrizedHyperparameter(Constant):
    """ConfigSpace's other name for a constant (a value the space carries but nobody tunes)."""


OFFERED = [
    "Hyperparameter",
    "UniformFloatHyperparameter",
    "UniformIntegerHyperparameter",
    "CategoricalHyperparameter",
    "OrdinalHyperparameter",
    "Constant",
    "UnParametrizedHyperparameter",
]

_HINTS = {
    "NormalFloatHyperparameter": "use UniformFloatHyperparameter (log=True for a scale parameter)",
    "NormalIntegerHyperparameter": "use UniformIntegerHyperparameter",
    "BetaFloatHyperparameter": "use UniformFloatHyperparameter",
    "BetaIntegerHyperparameter": "use UniformIntegerHyperparameter",
}

__getattr__ = not_offered_getattr(__name__, OFFERED, _HINTS)
