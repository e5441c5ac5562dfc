"""DeepHyper's problem classes, HpProblem and BaseProblem (0.2 to 0.13 style), over Spruce's ConfigurationSpace."""

import math
import re
from pprint import pformat

from .classify import from_shorthand
from .config_space.configuration_space import ConfigurationSpace
from .config_space.hyperparameters import Hyperparameter
from .errors import NotOfferedAttributeError, SpaceError, caller_location
from .space_json import STARTING_POINT_HINT, space_json
from .values import is_number, plain, show

_DIRECTIONS = {"max": "maximize", "maximize": "maximize", "min": "minimize", "minimize": "minimize"}
_OBJECTIVE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

# add_hyperparameter(None, "x") is a constant None, so "no value given" needs its own marker.
_MISSING = object()


class BaseProblem(object):
    """A search space and its starting points.

    BaseProblem(config_space=None, seed=None): DeepHyper 0.2 passed a seed first, later versions a
    ConfigurationSpace; the first argument is told apart by its type.
    """

    def __init__(self, config_space=None, seed=None):
        if config_space is not None and not isinstance(config_space, ConfigurationSpace):
            if is_number(plain(config_space)) and seed is None:
                config_space, seed = None, plain(config_space)
            else:
                raise SpaceError(
                    "{}(config_space=...) needs a ConfigurationSpace (got {})".format(type(self).__name__, show(config_space)),
                    "build it with `import spruce_hps.config_space as cs; cs.ConfigurationSpace()`",
                )
        self._space = config_space if config_space is not None else ConfigurationSpace(seed=seed)
        self.seed = seed if seed is not None else self._space.random_seed
        self._starting_points = []  # (point, (file, line))
        self._objectives = []

    # --- hyperparameters ------------------------------------------------------------------

    def add_hyperparameter(self, value=_MISSING, name=None, default_value=None):
        """Adds a hyperparameter from DeepHyper's shorthand or a ConfigSpace object; returns the object (a handle for conditions)."""
        # Written name first by a positional call: add_hyperparameter("lr", (1e-4, 1e-1)).
        if isinstance(value, str) and name is not None and not isinstance(name, str):
            value, name = name, value
        if isinstance(value, Hyperparameter):
            if name is not None and name != value.name:
                raise SpaceError(
                    "add_hyperparameter: name {} differs from the hyperparameter's own name '{}'".format(show(name), value.name),
                    "drop name=...: the object carries its name",
                )
            if default_value is not None:
                raise SpaceError(
                    "hyperparameter '{}': give default_value to the hyperparameter object, not to add_hyperparameter".format(value.name),
                    "write e.g. UniformFloatHyperparameter('lr', 1e-4, 1e-1, default_value=1e-3)",
                )
            hp = value
        else:
            if value is _MISSING:
                raise SpaceError(
                    "add_hyperparameter({}): no value given".format(show(name)),
                    "give a range (low, high), a list of choices, or a constant",
                )
            hp = from_shorthand(value, name, default_value)
        return self._space.add_hyperparameter(hp)

    def add_dim(self, p_name=None, p_space=_MISSING, default_value=None):
        """DeepHyper 0.2's spelling: add_dim(name, value)."""
        return self.add_hyperparameter(p_space, p_name, default_value)

    def add_hyperparameters(self, hp_list):
        return [self.add_hyperparameter(hp) for hp in hp_list]

    def add_condition(self, condition):
        return self._space.add_condition(condition)

    def add_conditions(self, conditions):
        return self._space.add_conditions(conditions)

    def add_forbidden_clause(self, clause):
        return self._space.add_forbidden_clause(clause)

    def add_forbidden_clauses(self, clauses):
        return self._space.add_forbidden_clauses(clauses)

    def add(self, value, name=None, default_value=None):
        """DeepHyper 0.13's one method: a hyperparameter (shorthand with a name, or an object), a
        condition, a forbidden clause, or a list of those."""
        if name is not None or default_value is not None:
            return self.add_hyperparameter(value, name, default_value)
        if isinstance(value, Hyperparameter):
            return self.add_hyperparameter(value)
        self._space.add(value)

    # --- objectives -----------------------------------------------------------------------

    def add_objective(self, name, direction, reference=None):
        """Declares an objective run() returns (Spruce's own, as the TypeScript problem's addObjective):
        add_objective("accuracy", "max").add_objective("latency", "min"). With several, run returns
        their values in this order (a tuple, as DeepHyper 0.13's multi-objective runs do) or
        {"objectives": {name: value}}. reference: the value the hypervolume is measured from."""
        self._objectives.append(check_objective(name, direction, reference, [o["name"] for o in self._objectives]))
        return self

    @property
    def objectives(self):
        return [dict(o) for o in self._objectives]

    # --- starting points ------------------------------------------------------------------

    def add_starting_point(self, **parameters):
        """A point evaluated first. Checked now against the space as it stands (as DeepHyper does),
        and again once the problem is complete."""
        where = caller_location()
        try:
            self._space.complete_point(parameters)
        except ValueError as e:
            raise SpaceError(
                "starting point {}: {}".format(len(self._starting_points) + 1, e), STARTING_POINT_HINT, where=where
            )
        self._starting_points.append((dict(parameters), where))

    @property
    def starting_point_asdict(self):
        return [self._space.complete_point(p) for p, _ in self._starting_points]

    @property
    def starting_point(self):
        """DeepHyper 0.2's form: one list of values per starting point, in the order of the hyperparameters."""
        names = self._space.get_hyperparameter_names()
        return [[p.get(name) for name in names] for p in self.starting_point_asdict]

    # --- reading --------------------------------------------------------------------------

    def check_configuration(self, parameters, raise_if_not_valid=True):
        """True when parameters is a point of the space; else a ValueError saying why (or False)."""
        try:
            self._space.complete_point(parameters)
        except ValueError:
            if raise_if_not_valid:
                raise
            return False
        return True

    @property
    def space(self):
        return self._space

    def __getitem__(self, name):
        """The hyperparameter of that name (DeepHyper 0.13), e.g. for a condition."""
        return self._space[name]

    @property
    def hyperparameter_names(self):
        return self._space.get_hyperparameter_names()

    @property
    def default_configuration(self):
        return dict((hp.name, hp.default_value) for hp in self._space.get_hyperparameters())

    def to_json(self):
        """Spruce's space JSON (what `python -m spruce_hps.describe` prints)."""
        out = space_json(self._space, self._starting_points)
        if self._objectives:
            out["objectives"] = self.objectives
        return out

    def __len__(self):
        return len(self._space)

    def __repr__(self):
        text = repr(self._space)
        if self._starting_points:
            points = [p for p, _ in self._starting_points]
            text += "\n\n  Starting Point{}:\n{}".format("s" if len(points) > 1 else "", pformat(dict(enumerate(points))))
        if self._objectives:
            text += "\n\n  Objectives:\n" + "\n".join(
                "    {} ({}){}".format(o["name"], o["direction"], ", reference {}".format(o["reference"]) if "reference" in o else "")
                for o in self._objectives
            )
        return text

    def __str__(self):
        return repr(self)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        hint = (
            "it offers add_dim, add_hyperparameter(s), add, add_condition(s), add_forbidden_clause(s), "
            "add_starting_point, check_configuration, space, hyperparameter_names, starting_point, default_configuration"
        )
        if "constraint" in name:
            hint = "declare the combinations to avoid with add_forbidden_clause(cs.ForbiddenAndConjunction(...))"
        raise NotOfferedAttributeError("DeepHyper's {}.{} is not offered by Spruce".format(type(self).__name__, name), hint)


def filter_parameters(obj, config):
    """DeepHyper 0.2's helper: the entries of config that obj's signature takes, without the
    "nan" and "NA" placeholders (e.g. a classifier's own arguments out of a whole point)."""
    from inspect import signature

    allowed = signature(obj).parameters
    return dict((k, v) for k, v in config.items() if k in allowed and not (isinstance(v, str) and v in ("nan", "NA")))


class HpProblem(BaseProblem):
    """DeepHyper's hyperparameter search problem: HpProblem(), HpProblem(seed) or HpProblem(config_space)."""


def check_objective(name, direction, reference, declared):
    """An objective as Spruce's JSON, {name, direction[, reference]}; a SpaceError naming what is wrong."""
    where = "add_objective({})".format(show(name))
    if not isinstance(name, str) or not _OBJECTIVE_NAME.match(name):
        raise SpaceError(
            "{}: invalid objective name".format(where),
            "use letters, digits, '_' and '-', starting with a letter or '_' (it becomes a results.csv column)",
        )
    if name in declared:
        raise SpaceError("objective '{}' is declared twice".format(name), "give each objective once, with one direction")
    key = direction.lower() if isinstance(direction, str) else None
    if key not in _DIRECTIONS:
        raise SpaceError("{}: unknown direction {}".format(where, show(direction)), "use \"max\" or \"min\" (\"maximize\", \"minimize\")")
    out = {"name": name, "direction": _DIRECTIONS[key]}
    if reference is not None:
        value = plain(reference)
        if not is_number(value) or not math.isfinite(value):
            raise SpaceError(
                "{}: reference must be a finite number (got {})".format(where, show(reference)),
                "give the worst value that still counts, e.g. 0 for an accuracy",
            )
        out["reference"] = value
    return out
