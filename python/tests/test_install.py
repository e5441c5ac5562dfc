"""The package installs offline into a virtual environment, as the README says, and works from there."""

import json
import os
import shutil
import subprocess
import sys
import unittest

from support import PYTHON_DIR, Scratch


def _can_build():
    """Whether this interpreter has what `pip install --no-build-isolation` needs: setuptools, and
    wheel when setuptools is older than 70.1. Under CI=true a lack fails the test instead."""
    try:
        import setuptools
    except ImportError:
        return False
    version = tuple(int(p) for p in setuptools.__version__.split(".")[:2] if p.isdigit())
    if version >= (70, 1):
        return True
    try:
        import wheel  # noqa: F401
    except ImportError:
        return False
    return True


BUILDABLE = _can_build() or os.environ.get("CI") == "true"


@unittest.skipUnless(BUILDABLE, "setuptools (and wheel) are not installed for this interpreter")
class InstallTest(Scratch):
    def test_pip_install_without_build_isolation_or_index(self):
        # A copy, so the build leaves no build/ or .egg-info in the repository.
        source = os.path.join(self.dir, "src")
        shutil.copytree(PYTHON_DIR, source, ignore=shutil.ignore_patterns("tests", "__pycache__", "build", "*.egg-info"))
        venv = os.path.join(self.dir, "venv")
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
        python = os.path.join(venv, "bin", "python")
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        install = subprocess.run(
            [python, "-m", "pip", "install", "--no-build-isolation", "--no-index", "-q", source],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
        )
        self.assertEqual(install.returncode, 0, install.stdout)
        self.write("work/problem.py", "from spruce_hps import HpProblem\nProblem = HpProblem()\nProblem.add_dim('x', (0.0, 1.0))\n")
        result = subprocess.run(
            [python, "-m", "spruce_hps.describe", "problem.py"],
            cwd=os.path.join(self.dir, "work"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        self.assertEqual(out["hyperparameters"], [{"type": "float", "name": "x", "low": 0.0, "high": 1.0, "log": False}])
        self.assertTrue(out["pythonExecutable"].startswith(venv), out["pythonExecutable"])


if __name__ == "__main__":
    unittest.main()
