"""ConfigSpace's ConfigurationSpace as Spruce holds it: hyperparameters in the order added, one condition per child, forbidden clauses; checks each addition and tells whether a point belongs."""

from ..errors import NotOfferedAttributeError, SpaceError
from ..values import foreign_hint, is_number, plain, show
from .conditions import Condition
from .forbidden import ForbiddenClause
from .hyperparameters import (
    CategoricalHyperparameter,
    Constant,
    Hyperparameter,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)


def _from_shorthand(name, value):
    """ConfigSpace's dict form of a space (its rules, not DeepHyper's): a 2-tuple a range, a list a categorical, else a constant."""
    if isinstance(value, Hyperparameter):
        return value
    value = plain(value)
    if isinstance(value, tuple):
        if len(value) != 2:
            raise SpaceError(
                "hyperparameter '{}': a tuple must be (lower, upper) (got {})".format(name, show(value)),
                "write (lower, upper); a float lower bound makes a float range",
            )
        if isinstance(value[0], float):
            return UniformFloatHyperparameter(name, value[0], value[1])
        return UniformIntegerHyperparameter(name, value[0], value[1])
    if isinstance(value, list):
        return CategoricalHyperparameter(name, value)
    return Constant(name, value)


class ConfigurationSpace(object):
    """Hyperparameters, conditions and forbidden clauses, with ConfigSpace's method names."""

    def __init__(self, name=None, seed=None, meta=None, space=None):
        # ConfigSpace 0.6+ takes the dict form as its first argument too.
        if isinstance(name, dict):
            name, space = None, name
        if seed is not None and not (is_number(plain(seed)) and float(plain(seed)).is_integer()):
            raise SpaceError("ConfigurationSpace: seed must be an integer (got {})".format(show(seed)))
        self.name = name
        self.meta = meta
        self.random_seed = None if seed is None else int(plain(seed))
        self._hyperparameters = {}
        self._conditions = {}
        self._forbidden = []
        if isinstance(space, dict):
            for hp_name, value in space.items():
                self.add_hyperparameter(_from_shorthand(hp_name, value))
        elif space is not None:
            self.add_hyperparameters(space)

    # --- adding ---------------------------------------------------------------------------

    def add_hyperparameter(self, hyperparameter):
        if not isinstance(hyperparameter, Hyperparameter):
            raise SpaceError(
                "add_hyperparameter needs a hyperparameter object (got {})".format(show(hyperparameter)),
                foreign_hint(hyperparameter, "build one, e.g. UniformFloatHyperparameter('lr', 1e-4, 1e-1, log=True)"),
            )
        if hyperparameter.name in self._hyperparameters:
            raise SpaceError(
                "hyperparameter '{}' is defined twice".format(hyperparameter.name),
                "give each hyperparameter a unique name",
            )
        self._hyperparameters[hyperparameter.name] = hyperparameter
        return hyperparameter

    def add_hyperparameters(self, hyperparameters):
        return [self.add_hyperparameter(hp) for hp in hyperparameters]

    def add_condition(self, condition):
        if not isinstance(condition, Condition):
            raise SpaceError(
                "add_condition needs a condition (got {})".format(show(condition)),
                foreign_hint(condition, "build one, e.g. EqualsCondition(child, parent, value)"),
            )
        where = "condition '{}'".format(condition)
        self._check_known(where, "child", condition.child)
        for leaf in condition.leaves():
            self._check_known(where, "parent", leaf.parent)
        child = condition.child.name
        if child in self._conditions:
            raise SpaceError(
                "hyperparameter '{}' has a condition already ({})".format(child, self._conditions[child]),
                "combine both in one AndConjunction(...) or OrConjunction(...)",
            )
        cycle = self._cycle_through(child, condition)
        if cycle is not None:
            raise SpaceError(
                "the conditions form a cycle: {}".format(" -> ".join(cycle)),
                "a hyperparameter cannot depend, even through others, on itself; remove one of these conditions",
            )
        self._conditions[child] = condition
        return condition

    def add_conditions(self, conditions):
        return [self.add_condition(c) for c in conditions]

    def add_forbidden_clause(self, clause):
        if not isinstance(clause, ForbiddenClause):
            raise SpaceError(
                "add_forbidden_clause needs a forbidden clause (got {})".format(show(clause)),
                foreign_hint(clause, "build one, e.g. ForbiddenEqualsClause(hp, value)"),
            )
        where = "forbidden clause '{}'".format(clause)
        for leaf in clause.leaves():
            self._check_known(where, "hyperparameter", leaf.hyperparameter)
        self._forbidden.append(clause)
        return clause

    def add_forbidden_clauses(self, clauses):
        return [self.add_forbidden_clause(c) for c in clauses]

    def add(self, *args):
        """ConfigSpace 1.x's one method for all: hyperparameters, conditions, clauses, or lists of them."""
        for arg in args:
            if isinstance(arg, Hyperparameter):
                self.add_hyperparameter(arg)
            elif isinstance(arg, Condition):
                self.add_condition(arg)
            elif isinstance(arg, ForbiddenClause):
                self.add_forbidden_clause(arg)
            elif isinstance(arg, (list, tuple)):
                self.add(*arg)
            else:
                raise SpaceError(
                    "add: {} is not a hyperparameter, condition or forbidden clause".format(show(arg)),
                    "pass objects built with this module's classes",
                )

    def seed(self, seed):
        self.random_seed = seed

    def _check_known(self, where, role, hp):
        own = self._hyperparameters.get(hp.name)
        if own is None:
            raise SpaceError(
                "{}: {} '{}' is not in the space".format(where, role, hp.name),
                "add the hyperparameter '{}' before the {}".format(
                    hp.name, "condition" if where.startswith("condition") else "clause"
                ),
            )
        # Values were checked against the object given; another object of the same name must be
        # the same hyperparameter, or the check proved nothing about the space.
        if own is not hp and (own.to_json() != hp.to_json() or type(own) is not type(hp)):
            raise SpaceError(
                "{}: {} '{}' differs from the hyperparameter '{}' of the space ({} vs {})".format(
                    where, role, hp.name, hp.name, hp, own
                ),
                "use the object the space holds (the one add_hyperparameter returned)",
            )

    def _cycle_through(self, child, condition):
        """The cycle the new condition would close, as a list of names, or None."""

        def path_to_child(name, seen):
            if name == child:
                return [name]
            if name in seen or name not in self._conditions:
                return None
            seen.add(name)
            for parent in self._conditions[name].parents:
                rest = path_to_child(parent.name, seen)
                if rest is not None:
                    return [name] + rest
            return None

        for parent in condition.parents:
            path = path_to_child(parent.name, set())
            if path is not None:
                return [child] + path
        return None

    # --- reading --------------------------------------------------------------------------

    def get_hyperparameter(self, name):
        if name not in self._hyperparameters:
            raise KeyError("hyperparameter '{}' is not in the space".format(name))
        return self._hyperparameters[name]

    def get_hyperparameters(self):
        return list(self._hyperparameters.values())

    def get_hyperparameter_names(self):
        return list(self._hyperparameters)

    def get_conditions(self):
        return list(self._conditions.values())

    def get_forbiddens(self):
        return list(self._forbidden)

    @property
    def conditions(self):
        return self.get_conditions()

    @property
    def forbidden_clauses(self):
        return self.get_forbiddens()

    def __getitem__(self, name):
        return self.get_hyperparameter(name)

    def __contains__(self, name):
        return name in self._hyperparameters

    def __iter__(self):
        return iter(list(self._hyperparameters))

    def __len__(self):
        return len(self._hyperparameters)

    def keys(self):
        return list(self._hyperparameters)

    def values(self):
        return list(self._hyperparameters.values())

    def items(self):
        return list(self._hyperparameters.items())

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        raise NotOfferedAttributeError(
            "ConfigSpace's ConfigurationSpace.{} is not offered by Spruce".format(name),
            "it offers add_hyperparameter(s), add_condition(s), add_forbidden_clause(s), add and the get_... readers",
        )

    # --- points ---------------------------------------------------------------------------

    def _dependency_order(self):
        """Names with every parent before its children (the order a point's activity is decided in)."""
        order, done = [], set()

        def visit(name):
            if name in done:
                return
            done.add(name)
            condition = self._conditions.get(name)
            if condition is not None:
                for parent in condition.parents:
                    visit(parent.name)
            order.append(name)

        for name in self._hyperparameters:
            visit(name)
        return order

    def complete_point(self, point):
        """The point with its values normalised (a missing constant filled in), in the order the
        hyperparameters were added; a ValueError naming what is wrong if it is not a point of the space."""
        if not isinstance(point, dict):
            raise ValueError("a point must be a dict of name: value (got {})".format(show(point)))
        for name in point:
            if name not in self._hyperparameters:
                raise ValueError("unknown hyperparameter '{}'".format(name))
        active = {}
        for name in self._dependency_order():
            hp = self._hyperparameters[name]
            condition = self._conditions.get(name)
            if condition is not None and not condition.evaluate(active):
                if name in point:
                    raise ValueError(
                        "'{}' is given but inactive (its condition {} does not hold)".format(name, condition)
                    )
                continue
            if name not in point:
                if isinstance(hp, Constant):
                    active[name] = hp.value
                    continue
                raise ValueError("missing '{}'".format(name))
            value = plain(point[name])
            reason = hp.legal_reason(value)
            if reason is not None:
                raise ValueError(reason)
            active[name] = hp.normalize(value)
        for clause in self._forbidden:
            if clause.is_forbidden(active):
                raise ValueError("it is forbidden by {}".format(clause))
        return dict((name, active[name]) for name in self._hyperparameters if name in active)

    # --- display --------------------------------------------------------------------------

    def __repr__(self):
        lines = ["Configuration space object:", "  Hyperparameters:"]
        if self.name is not None:
            lines.append(str(self.name))
        lines += ["    " + str(hp) for hp in sorted(self._hyperparameters.values(), key=lambda hp: hp.name)]
        if self._conditions:
            lines.append("  Conditions:")
            lines += ["    " + c for c in sorted(str(c) for c in self._conditions.values())]
        if self._forbidden:
            lines.append("  Forbidden Clauses:")
            lines += ["    " + str(c) for c in self._forbidden]
        return "\n".join(lines) + "\n"
