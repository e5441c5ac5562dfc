"""ConfigSpace's conditions (a hyperparameter active only when its parents take certain values), checked when built, and their Spruce JSON."""

from ..errors import SpaceError, not_offered_getattr
from ..values import foreign_hint, is_number, key, plain, show
from .hyperparameters import Hyperparameter, OrdinalHyperparameter, _Range


class Condition(object):
    """A condition on one child: active exactly when ``evaluate`` holds for the values of the active hyperparameters."""

    child = None

    @property
    def parents(self):
        """Every parent hyperparameter the condition reads, in order."""
        raise NotImplementedError

    def evaluate(self, active_values):
        """True when the child is active, given the values of the active hyperparameters by name.

        A term on an inactive parent is false, as in ConfigSpace.
        """
        raise NotImplementedError

    def to_json(self):
        """The condition as Spruce's space JSON writes it under "when"."""
        raise NotImplementedError

    def leaves(self):
        """The simple conditions inside, for checks against the space."""
        return [self]

    def __str__(self):
        return repr(self)


def _hyperparameter(cls, role, hp):
    if not isinstance(hp, Hyperparameter):
        raise SpaceError(
            "{}: the {} must be a hyperparameter (got {})".format(cls, role, show(hp)),
            foreign_hint(hp, "pass the object add_hyperparameter returned (or the hyperparameter object), not its name"),
        )
    return hp


class _Simple(Condition):
    op = ""
    symbol = ""

    def __init__(self, child, parent, value):
        cls = type(self).__name__
        self.child = _hyperparameter(cls, "child", child)
        self.parent = _hyperparameter(cls, "parent", parent)
        if self.child.name == self.parent.name:
            raise SpaceError(
                "{}: '{}' cannot be its own parent".format(cls, self.child.name),
                "condition a hyperparameter on another one",
            )
        self.value = self._check_value(value)

    def where(self):
        return "{}({}, {})".format(type(self).__name__, self.child.name, self.parent.name)

    def _check_value(self, value):
        return self.parent.checked_value(value, self.where())

    @property
    def parents(self):
        return [self.parent]

    def to_json(self):
        return {"op": self.op, "parent": self.parent.name, "value": self.value}

    def __repr__(self):
        return "{} | {} {} {!r}".format(self.child.name, self.parent.name, self.symbol, self.value)


class EqualsCondition(_Simple):
    """child is active when parent == value."""

    op = "eq"
    symbol = "=="

    def evaluate(self, active_values):
        return self.parent.name in active_values and key(active_values[self.parent.name]) == key(self.value)


class NotEqualsCondition(_Simple):
    """child is active when parent != value (and parent is active)."""

    op = "ne"
    symbol = "!="

    def evaluate(self, active_values):
        return self.parent.name in active_values and key(active_values[self.parent.name]) != key(self.value)


class _Compare(_Simple):
    def _check_value(self, value):
        numeric = isinstance(self.parent, _Range) or (
            isinstance(self.parent, OrdinalHyperparameter) and all(is_number(v) for v in self.parent.sequence)
        )
        if not numeric:
            raise SpaceError(
                "{}: the parent '{}' is not numeric ({})".format(self.where(), self.parent.name, type(self.parent).__name__),
                "compare only integer or float ranges, or ordinals of numbers; use InCondition for choices",
            )
        if not is_number(plain(value)):
            raise SpaceError("{}: value must be a number (got {})".format(self.where(), show(value)))
        return super(_Compare, self)._check_value(value)


class GreaterThanCondition(_Compare):
    """child is active when parent > value."""

    op = "gt"
    symbol = ">"

    def evaluate(self, active_values):
        return self.parent.name in active_values and active_values[self.parent.name] > self.value


class LessThanCondition(_Compare):
    """child is active when parent < value."""

    op = "lt"
    symbol = "<"

    def evaluate(self, active_values):
        return self.parent.name in active_values and active_values[self.parent.name] < self.value


class InCondition(_Simple):
    """child is active when parent is one of values."""

    op = "in"

    def __init__(self, child, parent, values):
        super(InCondition, self).__init__(child, parent, values)

    def _check_value(self, values):
        values = plain(values)
        if not isinstance(values, (list, tuple, set, frozenset)) or len(values) == 0:
            raise SpaceError(
                "{}: values must be a non-empty list (got {})".format(self.where(), show(values)),
                "list the parent's values under which the child is active",
            )
        checked = [self.parent.checked_value(v, self.where()) for v in values]
        self._keys = set(key(v) for v in checked)
        return checked

    @property
    def values(self):
        return self.value

    def evaluate(self, active_values):
        return self.parent.name in active_values and key(active_values[self.parent.name]) in self._keys

    def to_json(self):
        return {"op": "in", "parent": self.parent.name, "values": list(self.value)}

    def __repr__(self):
        return "{} | {} in {{{}}}".format(self.child.name, self.parent.name, ", ".join(repr(v) for v in self.value))


class _Conjunction(Condition):
    op = ""
    symbol = ""

    def __init__(self, *args):
        cls = type(self).__name__
        if len(args) == 0:
            raise SpaceError("{}: no condition given".format(cls), "give two or more conditions on the same child")
        for component in args:
            if not isinstance(component, Condition):
                raise SpaceError(
                    "{}: {} is not a condition".format(cls, show(component)),
                    "combine conditions such as EqualsCondition(child, parent, value)",
                )
        names = set(c.child.name for c in args)
        if len(names) > 1:
            raise SpaceError(
                "{}: all conditions must have the same child (got {})".format(cls, ", ".join(sorted(names))),
                "write one conjunction per child hyperparameter",
            )
        self.components = tuple(args)
        self.child = args[0].child

    @property
    def parents(self):
        out = []
        for component in self.components:
            for parent in component.parents:
                if all(parent.name != p.name for p in out):
                    out.append(parent)
        return out

    def leaves(self):
        return [leaf for component in self.components for leaf in component.leaves()]

    def to_json(self):
        return {"op": self.op, "terms": [c.to_json() for c in self.components]}

    def __repr__(self):
        return "(" + " {} ".format(self.symbol).join(str(c) for c in self.components) + ")"


class AndConjunction(_Conjunction):
    """child is active when every condition holds."""

    op = "and"
    symbol = "&&"

    def evaluate(self, active_values):
        return all(c.evaluate(active_values) for c in self.components)


class OrConjunction(_Conjunction):
    """child is active when any condition holds."""

    op = "or"
    symbol = "||"

    def evaluate(self, active_values):
        return any(c.evaluate(active_values) for c in self.components)


OFFERED = [
    "Condition",
    "EqualsCondition",
    "NotEqualsCondition",
    "InCondition",
    "GreaterThanCondition",
    "LessThanCondition",
    "AndConjunction",
    "OrConjunction",
]

__getattr__ = not_offered_getattr(__name__, OFFERED)
