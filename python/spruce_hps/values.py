"""Hyperparameter values as Python holds them and as JSON will carry them: numpy conversion, JSON checks, equality as JSON sees it, names, display."""

import json
import math
import re

from .errors import SpaceError

# Names end up in command templates, CSV columns and --hp flags: the TypeScript side allows only these.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _is_numpy(value):
    # Duck typing on the type's module: numpy is never imported here, so a problem that does not
    # use it does not pay for it.
    return type(value).__module__.split(".", 1)[0] == "numpy" and hasattr(value, "tolist")


def plain(value):
    """numpy scalars and arrays become Python numbers and lists (tuples stay tuples: they mean a range)."""
    if _is_numpy(value):
        return plain(value.tolist())
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def is_number(value):
    """An int or float, not a bool (True is an int to Python but a boolean to JSON)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def json_reason(value):
    """None when value survives a JSON round trip as the same value, else why not."""
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "{} is not a finite number".format(value)
    if isinstance(value, (list, tuple)):
        for item in value:
            reason = json_reason(item)
            if reason is not None:
                return reason
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return "the key {!r} is not a string".format(key)
            reason = json_reason(item)
            if reason is not None:
                return reason
        return None
    return "{} is a {}, not a JSON value".format(show(value), type(value).__name__)


def to_json(value, where):
    """value (already plain) as a JSON value: tuples inside a value become lists."""
    reason = json_reason(value)
    if reason is not None:
        raise SpaceError(
            "{}: {}".format(where, reason),
            "use strings, finite numbers, booleans, None, or lists/dicts of those",
        )
    return _lists(value)


def _lists(value):
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value


def _as_json_sees_it(value):
    # JavaScript has one number type: 1.0 and 1 are the same value once the space is read there.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_as_json_sees_it(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json_sees_it(v) for k, v in value.items()}
    return value


def key(value):
    """A string equal for two values exactly when the TypeScript side will see them as equal."""
    return json.dumps(_as_json_sees_it(value), sort_keys=True)


def check_name(name, where):
    if not isinstance(name, str) or name == "":
        raise SpaceError(
            "{}: the name must be a non-empty string (got {})".format(where, show(name)),
            "give the hyperparameter a name such as \"lr\"",
        )
    if not _NAME.match(name):
        raise SpaceError(
            "{}: invalid hyperparameter name {}".format(where, json.dumps(name)),
            "use letters, digits, '_' and '-', starting with a letter or '_'",
        )
    return name


def show(value):
    """A short rendering for messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# The packages a problem file ported from DeepHyper imported, and the line that replaces each.
_PORTED_IMPORTS = {
    "ConfigSpace": "change `import ConfigSpace as cs` to `import spruce_hps.config_space as cs` "
    "(and ConfigSpace.hyperparameters to spruce_hps.config_space.hyperparameters)",
    "deephyper": "change `from deephyper.problem import HpProblem` to `from spruce_hps import HpProblem`",
}


def ported_import_hint(module_name):
    """The import to change when module_name is ConfigSpace or DeepHyper; None otherwise."""
    return _PORTED_IMPORTS.get((module_name or "").split(".")[0])


def foreign_hint(value, otherwise):
    """otherwise, unless value is an object of ConfigSpace or DeepHyper themselves: then the import to change."""
    hint = ported_import_hint(type(value).__module__)
    return "{} is ConfigSpace's or DeepHyper's own object: {}".format(type(value).__name__, hint) if hint else otherwise
