"""DeepHyper's NaProblem, framework-free: an architecture space (an input node, then variable nodes
choosing one of their operations, constant nodes, and skip connections from earlier nodes, each an
on/off choice) plus, optionally, hyperparameters searched with it. The run builds the network: it
gets ``arch_seq`` (one integer per choice), the decoded ``architecture`` (each node's chosen
operation and inputs) and the hyperparameters. Spruce validates the architecture again on the
TypeScript side (src/nas); the checks here place the error at the user's call."""

import json
import re

from .errors import SpaceError, caller_location
from .problem import BaseProblem
from .space_json import STARTING_POINT_HINT
from .values import json_reason, plain, show

DEFAULT_INPUT = "input"
RESERVED = ("arch_seq", "architecture")
_HINT = "e.g. space.variable('n1', [{'op': 'dense', 'units': 16}, {'op': 'identity'}], skips=['input'])"


def _node_name(name, where):
    if not isinstance(name, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_.-]*$", name):
        raise SpaceError(
            "{}: invalid node name {}".format(where, show(name)),
            "use letters, digits, '_', '.' and '-', starting with a letter or '_'",
            where=caller_location(),
        )
    return name


class ArchSpace(object):
    """An architecture space (DeepHyper's KSearchSpace without Keras): nodes in order, each reading
    only the input or earlier nodes."""

    def __init__(self, input_name=DEFAULT_INPUT):
        self.input = _node_name(input_name, "ArchSpace(input_name)")
        self.nodes = []

    def _names(self):
        return [self.input] + [n["name"] for n in self.nodes]

    def variable(self, name, ops, input=None, skips=()):
        """A variable node: the search chooses one of ``ops`` (any JSON, e.g. {"op": "dense", "units": 32})."""
        return self._add(name, ops, True, input, skips)

    def constant(self, name, op, input=None, skips=()):
        """A constant node: always ``op``; it may still have skip choices."""
        return self._add(name, [op], False, input, skips)

    def _add(self, name, ops, variable, input, skips):
        where = caller_location()
        name = _node_name(name, "node")
        here = "node '{}'".format(name)
        before = self._names()

        def fail(message, hint):
            raise SpaceError("{}{}".format(here, message), hint, where=where)

        if name in before:
            fail(" is defined twice", "give each node (and the input) its own name")
        ops = plain(list(ops)) if isinstance(ops, (list, tuple)) else ops
        if not isinstance(ops, list):
            fail(": ops must be a list of operations (got {})".format(show(ops)), _HINT)
        if not ops:
            fail(" has no operations", "give a variable node at least one candidate operation")
        seen = set()
        for i, op in enumerate(ops):
            reason = json_reason(op)
            if reason is not None:
                fail(": operation {} is not JSON: {}".format(i + 1, reason), "describe an operation with strings, numbers, booleans, None, lists and dicts")
            key = json.dumps(op, sort_keys=True)
            if key in seen:
                fail(": operation {} is listed twice".format(show(op)), "list each candidate operation once")
            seen.add(key)
        input = before[-1] if input is None else input
        if input not in before:
            fail(": its input {}, {}".format(show(input), self._why(input, name)), "a node reads only the input or a node defined before it")
        skips = list(skips)
        for s in skips:
            if s not in before:
                fail(": skip connection from {}, {}".format(show(s), self._why(s, name)), "a skip connection may only come from the input or a node defined before this one")
            if s == input:
                fail(": skip connection from '{}', which is already its input".format(s), "drop '{}' from its skips".format(s))
        if len(set(skips)) != len(skips):
            fail(": a skip connection is listed twice", "list each anchor node once")
        self.nodes.append({"name": name, "ops": ops, "variable": variable, "input": input, "skips": skips})
        return self

    @staticmethod
    def _why(other, name):
        if other == name:
            return "which is the node itself"
        return "which is not an earlier node (a later one, or none of that name)"

    def choices(self):
        """How many values each choice takes, in arch_seq order (DeepHyper's ``choices()``)."""
        out = []
        for node in self.nodes:
            if node["variable"]:
                out.append(len(node["ops"]))
            out.extend(2 for _ in node["skips"])
        return out

    def decode(self, arch_seq):
        """The decoded architecture of ``arch_seq``: the input node, then each node's name, op and inputs."""
        seq = list(arch_seq)
        nodes = [{"name": self.input, "op": None, "inputs": []}]
        i = 0
        for node in self.nodes:
            op = node["ops"][seq[i]] if node["variable"] else node["ops"][0]
            i += 1 if node["variable"] else 0
            inputs = [node["input"]]
            for s in node["skips"]:
                if seq[i] == 1:
                    inputs.append(s)
                i += 1
            nodes.append({"name": node["name"], "op": op, "inputs": inputs})
        return nodes

    def to_json(self):
        return {"input": self.input, "nodes": [dict(n) for n in self.nodes]}


class NaProblem(BaseProblem):
    """DeepHyper's neural architecture search problem: an architecture space, given by
    ``search_space(create_search_space, **kwargs)`` (a function returning an ArchSpace) or built in
    place with ``variable()`` and ``constant()``, plus hyperparameters (``add_hyperparameter``,
    ``hyperparameters(batch_size=32, ...)``)."""

    def __init__(self, config_space=None, seed=None):
        super().__init__(config_space, seed)
        self._arch = ArchSpace()
        self._arch_starts = []

    # --- the architecture -----------------------------------------------------------------

    def search_space(self, func, **kwargs):
        """DeepHyper's form: ``func(**kwargs)`` returns the architecture space (an ArchSpace)."""
        where = caller_location()
        arch = func(**kwargs)
        if not isinstance(arch, ArchSpace):
            raise SpaceError(
                "search_space: {} returned a {}, not an ArchSpace".format(getattr(func, "__name__", "the function"), type(arch).__name__),
                "build it with `from spruce_hps import ArchSpace; space = ArchSpace(); space.variable(...)` and return it",
                where=where,
            )
        self._arch = arch
        return arch

    def input(self, name):
        if self._arch.nodes:
            raise SpaceError("input({}): name the input before adding nodes".format(show(name)), "call input(name) first", where=caller_location())
        self._arch.input = _node_name(name, "input")
        return self

    def variable(self, name, ops, input=None, skips=()):
        self._arch.variable(name, ops, input, skips)
        return self

    def constant(self, name, op, input=None, skips=()):
        self._arch.constant(name, op, input, skips)
        return self

    @property
    def architecture(self):
        return self._arch

    # --- hyperparameters ------------------------------------------------------------------

    def hyperparameters(self, **values):
        """DeepHyper's ``Problem.hyperparameters(batch_size=32, learning_rate=hp, ...)``: a
        constant becomes a const hyperparameter of that name; a hyperparameter made by
        add_hyperparameter must carry the same name."""
        for key, value in values.items():
            name = getattr(value, "name", None)
            if name is not None and hasattr(value, "to_json"):
                if name != key:
                    raise SpaceError(
                        "hyperparameters({}=...): the hyperparameter is named '{}'".format(key, name),
                        "use the same name: {}=Problem.add_hyperparameter(..., '{}')".format(name, name),
                        where=caller_location(),
                    )
                if name not in self._space.get_hyperparameter_names():
                    self.add_hyperparameter(value)
                continue
            self.add_hyperparameter(value, key)
        return self

    # --- starting points ------------------------------------------------------------------

    def add_starting_point(self, arch_seq=None, **parameters):
        """A point evaluated first: ``arch_seq=[...]`` and the hyperparameters' values."""
        if arch_seq is None:
            raise SpaceError(
                "starting point {}: no arch_seq".format(len(self._arch_starts) + 1),
                "give arch_seq=[...], one integer per choice",
                where=caller_location(),
            )
        where = caller_location()
        super().add_starting_point(**parameters)
        self._arch_starts.append((plain(list(arch_seq)), where))

    # --- reading --------------------------------------------------------------------------

    def to_json(self):
        if not self._arch.nodes:
            raise SpaceError("the architecture has no nodes", "add at least one, e.g. Problem.variable('n1', [...])")
        for name in self._space.get_hyperparameter_names():
            if name in RESERVED:
                raise SpaceError("hyperparameter '{}': a NAS run gets '{}' from the architecture".format(name, name), "give the hyperparameter another name")
        out = super().to_json()
        points = out["startingPoints"]
        for i, (seq, where) in enumerate(self._arch_starts):
            counts = self._arch.choices()
            if len(seq) != len(counts) or any(not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < c for v, c in zip(seq, counts)):
                raise SpaceError(
                    "starting point {}: arch_seq {} does not fit the architecture's {} choices ({})".format(i + 1, show(seq), len(counts), counts),
                    STARTING_POINT_HINT,
                    where=where,
                )
            points[i] = dict([("arch_seq", seq)] + list(points[i].items()))
        out["architecture"] = self._arch.to_json()
        return out

    def __repr__(self):
        return "NaProblem\n  architecture: {} nodes, choices {}\n{}".format(len(self._arch.nodes), self._arch.choices(), super().__repr__())
