"""ConfigSpace's forbidden clauses (combinations no search may propose), checked when built, and their Spruce JSON."""

from ..errors import SpaceError, not_offered_getattr
from ..values import foreign_hint, key, plain, show
from .hyperparameters import Hyperparameter


class ForbiddenClause(object):
    """A combination of values no point may have."""

    def is_forbidden(self, active_values):
        """True when a point with these active values falls under the clause (a term on an inactive hyperparameter never does)."""
        raise NotImplementedError

    def to_json(self):
        raise NotImplementedError

    def leaves(self):
        """The single-hyperparameter clauses inside, for checks against the space."""
        return [self]

    def __str__(self):
        return repr(self)


class _Single(ForbiddenClause):
    def __init__(self, hyperparameter, value):
        cls = type(self).__name__
        if not isinstance(hyperparameter, Hyperparameter):
            raise SpaceError(
                "{}: the hyperparameter must be a hyperparameter object (got {})".format(cls, show(hyperparameter)),
                foreign_hint(hyperparameter, "pass the object add_hyperparameter returned (or the hyperparameter object), not its name"),
            )
        self.hyperparameter = hyperparameter
        self.value = self.checked_for(hyperparameter, value)

    def where(self):
        return "{}({})".format(type(self).__name__, self.hyperparameter.name)

    def checked_for(self, hp, value):
        """value checked against hp: a forbidden value outside the range names both."""
        return hp.checked_value(value, self.where())


class ForbiddenEqualsClause(_Single):
    """hyperparameter == value is forbidden."""

    def is_forbidden(self, active_values):
        name = self.hyperparameter.name
        return name in active_values and key(active_values[name]) == key(self.value)

    def to_json(self):
        return {"op": "eq", "name": self.hyperparameter.name, "value": self.value}

    def __repr__(self):
        return "Forbidden: {} == {!r}".format(self.hyperparameter.name, self.value)


class ForbiddenInClause(_Single):
    """hyperparameter in values is forbidden."""

    def __init__(self, hyperparameter, values):
        super(ForbiddenInClause, self).__init__(hyperparameter, values)

    def checked_for(self, hp, values):
        values = plain(values)
        if not isinstance(values, (list, tuple, set, frozenset)) or len(values) == 0:
            raise SpaceError(
                "{}: values must be a non-empty list (got {})".format(self.where(), show(values)),
                "list the forbidden values",
            )
        checked = [hp.checked_value(v, self.where()) for v in values]
        self._keys = set(key(v) for v in checked)
        return checked

    @property
    def values(self):
        return self.value

    def is_forbidden(self, active_values):
        name = self.hyperparameter.name
        return name in active_values and key(active_values[name]) in self._keys

    def to_json(self):
        return {"op": "in", "name": self.hyperparameter.name, "values": list(self.value)}

    def __repr__(self):
        return "Forbidden: {} in {{{}}}".format(
            self.hyperparameter.name, ", ".join(repr(v) for v in sorted(self.value, key=key))
        )


class ForbiddenAndConjunction(ForbiddenClause):
    """Forbidden when every clause holds at once."""

    def __init__(self, *args):
        if len(args) == 0:
            raise SpaceError("ForbiddenAndConjunction: no clause given", "combine two or more forbidden clauses")
        for component in args:
            if not isinstance(component, ForbiddenClause):
                raise SpaceError(
                    "ForbiddenAndConjunction: {} is not a forbidden clause".format(show(component)),
                    "combine clauses such as ForbiddenEqualsClause(hp, value)",
                )
        self.components = tuple(args)

    def is_forbidden(self, active_values):
        return all(c.is_forbidden(active_values) for c in self.components)

    def leaves(self):
        return [leaf for component in self.components for leaf in component.leaves()]

    def to_json(self):
        return {"op": "and", "terms": [c.to_json() for c in self.components]}

    def __repr__(self):
        return "(" + " && ".join(str(c) for c in self.components) + ")"


OFFERED = ["ForbiddenClause", "ForbiddenEqualsClause", "ForbiddenInClause", "ForbiddenAndConjunction"]

_RELATIONS = "compare two hyperparameters through a conjunction of ForbiddenEqualsClause/ForbiddenInClause on their values"
_HINTS = {
    "ForbiddenOrConjunction": "add each alternative as a forbidden clause of its own: clauses are already alternatives",
    "ForbiddenEqualsRelation": _RELATIONS,
    "ForbiddenLessThanRelation": _RELATIONS,
    "ForbiddenGreaterThanRelation": _RELATIONS,
    "ForbiddenLessThanEqualsRelation": _RELATIONS,
    "ForbiddenGreaterThanEqualsRelation": _RELATIONS,
    "ForbiddenRelation": _RELATIONS,
}
_COMPARISONS = "list the forbidden values with ForbiddenInClause (an integer range or an ordinal), or shrink the range"
for _name in ("ForbiddenLessThanClause", "ForbiddenLessThanEqualsClause", "ForbiddenGreaterThanClause", "ForbiddenGreaterThanEqualsClause"):
    _HINTS[_name] = _COMPARISONS

__getattr__ = not_offered_getattr(__name__, OFFERED, _HINTS)
