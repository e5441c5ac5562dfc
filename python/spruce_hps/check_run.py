"""`python3 -m spruce_hps.check_run REF [--import-root DIR ...]`: imports a run module and checks
that `run` exists and can be called the way Spruce calls it, without calling it; prints what it found as JSON."""

import os
import sys

# `python -m` puts the current folder first on sys.path: a user's file named like a module this
# command imports (json.py, say) must not replace it. The folder comes back, after the import
# roots, when a dotted reference is resolved.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

import json

from . import cli
from .calling import CallingError, convention
from .loading import RefError, load

RUN_NAMES = ("run",)


def check_run(ref, import_roots=()):
    """The JSON object check_run prints (raises what loading, the user's module or the check raises)."""
    loaded = load(ref, RUN_NAMES, import_roots)
    try:
        calls = convention(loaded.obj)
    except CallingError as e:
        if e.location is None:
            e.location = (loaded.file, None)
        raise
    return {
        "pythonExecutable": sys.executable,
        "pythonVersion": "{}.{}.{}".format(*sys.version_info[:3]),
        "importRoot": loaded.import_root,
        "argument": calls.argument,
        "context": calls.context,
    }


def main(argv=None):
    ref, roots = cli.parse_args(sys.argv[1:] if argv is None else argv, "check_run", "run.py or pkg.module.run")
    return cli.answer(lambda: check_run(ref, roots), ref)


if __name__ == "__main__":
    sys.exit(main())
