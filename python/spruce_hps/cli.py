"""The command-line shell shared by describe and check_run: arguments, the user's output kept off
stdout, and any failure as one `error: FILE:LINE: Type: message` line with a `hint:` line, exit 2."""

import json
import os
import sys

from .loading import RefError, _shown, is_file_ref, module_name_of_file
from .values import ported_import_hint

EXIT_BAD_INPUT = 2


def fail(message, hint):
    sys.stderr.write("error: {}\nhint: {}\n".format(_one_line(message), _one_line(hint)))
    sys.stderr.flush()
    sys.exit(EXIT_BAD_INPUT)


def answer(compute, ref):
    """Prints compute()'s result as JSON on stdout, the user's own prints kept on stderr; any failure
    is the one-line error of fail() or fail_with() (exit 2). The main() of describe and check_run."""
    with StdoutToStderr():
        try:
            out = compute()
        except RefError as e:
            fail(str(e), e.hint)
        except (Exception, SystemExit) as e:
            fail_with(e, ref)
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


def parse_args(argv, prog, what):
    """(ref, import roots) from `REF [--import-root DIR ...]`."""
    usage = "usage: python3 -m spruce_hps.{} REF [--import-root DIR ...] (REF: {})".format(prog, what)
    ref, roots, i = None, [], 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            sys.stdout.write(usage + "\n")
            sys.exit(0)
        if arg == "--import-root":
            if i + 1 >= len(argv):
                fail("--import-root needs a folder", usage)
            roots.append(argv[i + 1])
            i += 2
            continue
        if arg.startswith("--import-root="):
            roots.append(arg.split("=", 1)[1])
        elif arg.startswith("-") and arg != "-":
            fail("unknown option {}".format(arg), usage)
        elif ref is None:
            ref = arg
        else:
            fail("unexpected argument {}".format(arg), usage)
        i += 1
    if ref is None:
        fail("missing REF", usage)
    return ref, roots


class StdoutToStderr(object):
    """While the user's module is imported, what it prints goes to stderr (file descriptor 1
    included, for C extensions): stdout carries only the JSON answer."""

    def __enter__(self):
        sys.stdout.flush()
        self._saved = os.dup(1)
        os.dup2(2, 1)
        return self

    def __exit__(self, *exc):
        try:
            sys.stdout.flush()
        except Exception:
            pass
        os.dup2(self._saved, 1)
        os.close(self._saved)
        return False


def fail_with(exc, ref):
    """Reports an exception raised by the user's module (or found in what it defined) and exits 2."""
    location = _location(exc, ref)
    if isinstance(exc, SyntaxError):
        message = exc.msg or "invalid syntax"
    else:
        message = str(exc)
    line = "{}: {}".format(type(exc).__name__, message) if message else type(exc).__name__
    fail("{}: {}".format(location, line) if location else line, _hint(exc, ref))


def _location(exc, ref):
    if isinstance(exc, SyntaxError) and exc.filename:
        return _at(exc.filename, exc.lineno)
    where = getattr(exc, "where", None) or getattr(exc, "location", None)
    if isinstance(where, tuple) and where[0]:
        return _at(where[0], where[1])
    frame = _user_frame(exc)
    if frame is not None:
        return _at(frame[0], frame[1])
    return ref


def _at(filename, line):
    return "{}:{}".format(_shown(filename), line) if line else _shown(filename)


def _user_frame(exc):
    """(file, line) of the innermost frame in the user's own files: not Spruce's, not Python's
    standard library, not an installed package; else the innermost frame that is not Spruce's."""
    import traceback

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    stdlib = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
    frames = [
        (f.filename, f.lineno)
        for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith("<") and not os.path.abspath(f.filename).startswith(package)
    ]
    for filename, line in reversed(frames):
        path = os.path.abspath(filename)
        parts = path.split(os.sep)
        if not path.startswith(stdlib) and "site-packages" not in parts and "dist-packages" not in parts:
            return filename, line
    return frames[-1] if frames else None


def _hint(exc, ref):
    hint = getattr(exc, "hint", None)
    if hint:
        return hint
    if isinstance(exc, SyntaxError):
        return "fix the syntax there; `{} -m py_compile {}` checks the file".format(
            sys.executable, _shown(exc.filename) if exc.filename else "FILE"
        )
    if isinstance(exc, ModuleNotFoundError) and ported_import_hint(exc.name):
        return ported_import_hint(exc.name)
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("spruce_hps.config_space."):
        # A ported `import ConfigSpace.read_and_write` (or another module Spruce has no copy of).
        return "ConfigSpace's module {} is not offered by Spruce; spruce_hps.config_space has hyperparameters, conditions and forbidden".format(
            "ConfigSpace." + exc.name[len("spruce_hps.config_space."):]
        )
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return "install '{}' into {} (the interpreter Spruce runs), or put the folder that holds it on PYTHONPATH".format(
            exc.name.split(".")[0], sys.executable
        )
    return "the module raised this while being imported; see the whole traceback with: {}".format(_traceback_command(ref))


def _traceback_command(ref):
    if is_file_ref(ref):
        module, root = module_name_of_file(os.path.abspath(ref))
    else:
        module, root = ref.rsplit(".", 1)[0] if "." in ref else ref, os.getcwd()
    return "cd {} && {} -c 'import {}'".format(_shown(root) or ".", sys.executable, module)


def _one_line(text):
    return " ".join(str(text).split())
