"""How a run function is called, read from its parameters.

The rule: a run whose first parameter is named `job` or annotated `RunningJob` gets a RunningJob
(DeepHyper 0.13's run(job)); any other gets the point as a dict (DeepHyper 0.2's run(point), also
spelled run(config)). A second positional parameter gets the evaluation's context when it has no
default value or is named `ctx` or `context`; a parameter with a default is left to its default.
"""

JOB_NAMES = ("job",)
CONTEXT_NAMES = ("ctx", "context")
_VARARGS = 0x04  # CO_VARARGS: the function takes *args


class CallingError(Exception):
    """A run function Spruce cannot call; location is the (file, line) of its def when known."""

    def __init__(self, message, hint, location=None):
        super(CallingError, self).__init__(message)
        self.hint = hint
        self.location = location


class Convention(object):
    """argument: "point" or "job"; context: whether the context is passed second."""

    def __init__(self, argument, context):
        self.argument = argument
        self.context = context

    def __repr__(self):
        return "run({}{})".format(self.argument, ", ctx" if self.context else "")


def _parameters(fn):
    """[(name, has_default, annotation)] of the positional parameters, and whether *args is taken.

    Read from the code object for plain functions and methods: importing inspect would cost every
    evaluation more than the call itself.
    """
    target, skip = fn, 0
    if hasattr(fn, "__func__") and hasattr(fn, "__self__"):
        target, skip = fn.__func__, 1
    code = getattr(target, "__code__", None)
    if code is None:
        return _parameters_by_inspect(fn)
    count = code.co_argcount
    names = code.co_varnames[:count]
    defaults = getattr(target, "__defaults__", None) or ()
    first_default = count - len(defaults)
    annotations = getattr(target, "__annotations__", None) or {}
    params = [(names[i], i >= first_default, annotations.get(names[i])) for i in range(skip, count)]
    return params, bool(code.co_flags & _VARARGS)


def _parameters_by_inspect(fn):
    import inspect

    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return [], True  # a builtin without a signature: pass the point, nothing else
    params, varargs = [], False
    for p in signature.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            annotation = None if p.annotation is p.empty else p.annotation
            params.append((p.name, p.default is not p.empty, annotation))
        elif p.kind == p.VAR_POSITIONAL:
            varargs = True
    return params, varargs


def _is_running_job(annotation):
    if annotation is None:
        return False
    # Under `from __future__ import annotations` an annotation is its source text, quotes included.
    name = annotation.strip("'\" ") if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return name.rsplit(".", 1)[-1] == "RunningJob"


def location_of(fn):
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    return (code.co_filename, code.co_firstlineno) if code is not None else None


def convention(fn):
    """The Convention fn is called with; a CallingError if Spruce cannot call it."""
    if not callable(fn):
        raise CallingError(
            "run is a {}, not a function".format(type(fn).__name__),
            "define `def run(point):` (or run(job) with DeepHyper 0.13's RunningJob)",
        )
    params, varargs = _parameters(fn)
    if not params and not varargs:
        raise CallingError(
            "run takes no parameter; Spruce passes it the point",
            "write run(point) or run(config) (DeepHyper 0.2), or run(job) (DeepHyper 0.13)",
            location_of(fn),
        )
    required_extra = [name for name, has_default, _ in params[2:] if not has_default]
    if required_extra:
        raise CallingError(
            "run needs {} arguments; Spruce passes the point (or job) and, as a second argument, the context".format(
                len(params)
            ),
            "give the parameters after the second a default value: {}".format(", ".join(required_extra)),
            location_of(fn),
        )
    if not params:
        return Convention("point", False)
    first_name, _, first_annotation = params[0]
    argument = "job" if first_name in JOB_NAMES or _is_running_job(first_annotation) else "point"
    context = len(params) >= 2 and (not params[1][1] or params[1][0] in CONTEXT_NAMES)
    return Convention(argument, context)
