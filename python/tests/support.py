"""Helpers shared by the tests: a scratch folder with files, the package's own folder, and
subprocesses that run this interpreter with spruce_hps importable."""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def optional_module(name):
    """The module, or None when this interpreter lacks it; under CI=true a missing one fails the
    test instead of skipping it (nothing may be skipped silently there)."""
    try:
        return __import__(name)
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        return None


class Scratch(unittest.TestCase):
    """A test case with its own temporary folder, removed afterwards."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="spruce-hps-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, relative, text):
        path = os.path.join(self.dir, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))
        return path

    def env(self, **extra):
        env = dict(os.environ)
        env["PYTHONPATH"] = PYTHON_DIR
        for key in [k for k in env if k.startswith("SPRUCE_") or k in MPI_VARIABLES]:
            del env[key]
        env.update(extra)
        return env

    def python(self, args, cwd=None, env=None, timeout=60):
        return subprocess.run(
            [sys.executable] + list(args),
            cwd=cwd or self.dir,
            env=env or self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            timeout=timeout,
        )


MPI_VARIABLES = (
    "OMPI_COMM_WORLD_RANK",
    "OMPI_COMM_WORLD_SIZE",
    "PMI_RANK",
    "PMI_SIZE",
    "SLURM_PROCID",
    "SLURM_NTASKS",
)
