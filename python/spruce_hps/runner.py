"""`python3 -m spruce_hps.runner REF [--import-root DIR ...]`: one evaluation of a Python run module,
the Python twin of launcher/eval-entry.ts. Reads the point from $SPRUCE_POINT_FILE, calls run on
every MPI rank, and on rank 0 writes the result to $SPRUCE_RESULT_FILE and an `objective:` line on
stdout. A failing run prints its traceback to stderr (its last line says what failed), writes that
line to $SPRUCE_RESULT_FILE as {"error": ...} (the executor's reason for the failure) and exits 1.
Integral floats of the space (1.0 arrives as 1 through JavaScript) are restored from
$SPRUCE_PYTHON_FLOATS before run sees the point."""

import math
import sys

if __name__ == "__main__" and not __package__:
    # Started as a file (python3 .../spruce_hps/runner.py): the same runner without runpy, which
    # -m loads first and which costs every evaluation a few milliseconds. The package's own
    # folder must not shadow the user's modules (a user's problem.py, say): its parent replaces it.
    import os

    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    __package__ = "spruce_hps"

from . import fastjson
from .calling import CallingError, convention
from .evaluation import Context, RunningJob, as_number, emit, js_number, set_context
from .loading import RefError, load

RESULT_FORM = 'a number, a tuple of numbers (one per objective), {"objective": ..., "metadata": {...}} or {"objectives": {name: value}}'


class ResultError(Exception):
    """run() returned something that is no result."""


def _jsonable(value):
    """value as JSON.stringify would write it: numpy values as Python ones, non-finite numbers as null."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return dict((str(k), _jsonable(v)) for k, v in value.items())
    number = as_number(value)
    if number is not None:
        return _jsonable(number)
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return _jsonable(tolist())
    raise ResultError("run() returned metadata that JSON cannot hold: a {}".format(type(value).__name__))


def _shown(value):
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _numbers(value):
    """A list of numbers from a list, tuple or 1-d array of them; None for anything else."""
    if not isinstance(value, (list, tuple)):
        tolist = getattr(value, "tolist", None)
        if not callable(tolist) or as_number(value) is not None:
            return None
        value = tolist()
        if not isinstance(value, list):
            return None
    numbers = [as_number(v) for v in value]
    return numbers if numbers and all(n is not None for n in numbers) else None


def _objective_value(value):
    """A number, a list of numbers or {name: number} (several objectives); None for anything else."""
    number = as_number(value)
    if number is not None:
        return number
    numbers = _numbers(value)
    if numbers is not None:
        return numbers
    if isinstance(value, dict) and value and all(isinstance(k, str) and as_number(v) is not None for k, v in value.items()):
        return dict((k, as_number(v)) for k, v in value.items())
    return None


def to_result(value):
    """(key, value, metadata) from what run() returned: key is "objective" (a number, or a list of
    numbers in declared order) or "objectives" (a list, or {name: number}), as the TypeScript entry
    writes them; the executor checks the values against the workflow's objectives."""
    result = _objective_value(value)
    if result is not None and not isinstance(result, dict):
        return "objective", result, {}
    if isinstance(value, dict):
        for key in ("objective", "objectives"):
            given = _objective_value(value.get(key)) if key in value else None
            if given is None or (key == "objective" and isinstance(given, dict)):
                continue
            metadata = value.get("metadata")
            if metadata is None:
                return key, given, {}
            if not isinstance(metadata, dict):
                raise ResultError("run() returned metadata that is not a dict: {}".format(_shown(metadata)))
            return key, given, _jsonable(metadata)
    note = ""
    if value is None:
        note = " (does run end with a return?)"
    elif isinstance(value, str) and value.startswith("F"):
        note = " (a failure, as DeepHyper marks them)"
    raise ResultError("run() returned {}{}; expected {}".format(_shown(value), note, RESULT_FORM))


def _written(number):
    # JSON has no NaN or Infinity: written as strings, the executor reports "objective is NaN".
    return number if math.isfinite(number) else js_number(float(number))


def write_result(result_file, key, value, metadata):
    """The result file and the `objective:` line, as the TypeScript entry writes them."""
    record = dict(metadata)
    record.pop("objective", None)
    record.pop("objectives", None)
    if isinstance(value, dict):
        record[key] = dict((k, _written(v)) for k, v in value.items())
    elif isinstance(value, list):
        record[key] = [_written(v) for v in value]
    else:
        record[key] = _written(value)
    with open(result_file, "w") as f:
        f.write(fastjson.dumps(record) + "\n")
    # Named objectives have no line form: the file alone carries them.
    if not isinstance(value, dict):
        emit("objective: {}".format(", ".join(js_number(v) for v in (value if isinstance(value, list) else [value]))))


def write_error(line):
    """The reason of a failure, where the executor takes it from: the result file's "error" field.
    Best effort: stderr already says it, and a failure to write must not hide the run's own error."""
    import os

    result_file = os.environ.get("SPRUCE_RESULT_FILE")
    if not result_file:
        return
    try:
        with open(result_file, "w") as f:
            f.write(fastjson.dumps({"error": line}) + "\n")
    except OSError:
        pass


def restore_floats(point, spec_text):
    """point with the floats JSON turned into integers made floats again. spec_text is
    $SPRUCE_PYTHON_FLOATS: {"names": [float hyperparameters], "values": {name: [integral float choices]}}."""
    if not spec_text:
        return point
    spec = fastjson.loads(spec_text)
    for name in spec.get("names", ()):
        value = point.get(name)
        if type(value) is int:
            point[name] = float(value)
    for name, choices in spec.get("values", {}).items():
        value = point.get(name)
        if type(value) is int and value in choices:
            point[name] = float(value)
    return point


def _usage_error(message, hint):
    sys.stderr.write("error: {}\nhint: {}\n".format(message, hint))
    return 2


def _required(name):
    import os

    value = os.environ.get(name)
    if value is None:
        raise RuntimeError("{} is not set: the runner is started by Spruce's launcher".format(name))
    return value


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    roots, rest, i = [], [], 0
    while i < len(argv):
        if argv[i] == "--import-root" and i + 1 < len(argv):
            roots.append(argv[i + 1])
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    if len(rest) != 1 or rest[0].startswith("-"):
        return _usage_error(
            "expected one run reference, got {}".format(" ".join(rest) or "none"),
            "usage: python3 -m spruce_hps.runner run.py|pkg.module.run [--import-root DIR ...]",
        )
    ref = rest[0]
    try:
        ctx = Context()
        with open(_required("SPRUCE_POINT_FILE")) as f:
            point = fastjson.loads(f.read())
        import os

        point = restore_floats(point, os.environ.get("SPRUCE_PYTHON_FLOATS"))
    except (RuntimeError, OSError, ValueError, AttributeError) as e:
        return _usage_error(str(e), "the runner is started by Spruce's launcher, which sets SPRUCE_* and writes the point")
    set_context(ctx)
    # The user's module sees itself as the program, as under DeepHyper's workers.
    sys.argv = [ref]
    try:
        loaded = load(ref, ("run",), roots)
        calls = convention(loaded.obj)
        first = RunningJob(str(ctx.eval_id), point, ctx) if calls.argument == "job" else point
        returned = loaded.obj(first, ctx) if calls.context else loaded.obj(first)
        if ctx.rank != 0:
            return 0  # only rank 0's return value counts
        key, objective, metadata = to_result(returned)
    except (RefError, CallingError, ResultError) as e:
        # The reason last: the executor shows the end of stderr.
        hint = getattr(e, "hint", None)
        sys.stderr.write(("hint: {}\n".format(hint) if hint else "") + "{}\n".format(e))
        if ctx.rank == 0:
            write_error(str(e))
        return 1
    except Exception as e:
        last = _print_traceback(e)
        if ctx.rank == 0:
            write_error(last)
        return 1
    write_result(_required("SPRUCE_RESULT_FILE"), key, objective, metadata)
    return 0


def _print_traceback(exc):
    """The traceback from the user's first frame on (the runner's and the import machinery's own
    frames say nothing to the user); its last line is the exception, which is returned."""
    import os
    import traceback

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not (filename.startswith("<") or os.path.abspath(filename).startswith(package)):
            break
        tb = tb.tb_next
    only = "".join(traceback.format_exception_only(type(exc), exc))
    if tb is None:  # nothing of the user's ran (a syntax error in the module): the exception alone
        sys.stderr.write(only)
    else:
        sys.stderr.write("".join(traceback.format_exception(type(exc), exc, tb)))
    lines = [line.strip() for line in only.splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    # A syntax error's own line comes last, after the code it points at; any other exception's
    # first line names its type (a message may go on over several lines).
    return lines[-1] if isinstance(exc, SyntaxError) else lines[0]


if __name__ == "__main__":
    sys.exit(main())
