"""python -m spruce_hps.runner: the protocol of Spruce's evaluation children (point file in, result
file and `objective:` line out, report lines and the launcher's decisions), for run(point) and run(job)."""

import json
import os
import subprocess
import sys
import time
import unittest

from support import PYTHON_DIR, Scratch, optional_module

numpy = optional_module("numpy")


class RunnerCase(Scratch):
    def setUp(self):
        super(RunnerCase, self).setUp()
        self.workdir = os.path.join(self.dir, "eval-7")
        os.makedirs(self.workdir)
        self.result_file = os.path.join(self.workdir, "result.json")
        self.set_point({"x": 3, "act": "relu"})

    def set_point(self, point):
        with open(os.path.join(self.workdir, "point.json"), "w") as f:
            json.dump(point, f)

    def eval_env(self, **extra):
        env = self.env(
            SPRUCE_EVAL_ID="7",
            SPRUCE_ATTEMPT="1",
            SPRUCE_WORKDIR=self.workdir,
            SPRUCE_SEED="1234",
            SPRUCE_POINT_FILE=os.path.join(self.workdir, "point.json"),
            SPRUCE_RESULT_FILE=self.result_file,
        )
        env.update(extra)
        return env

    def run_module(self, source, *extra_args, **env):
        self.write("run.py", source)
        return self.python(["-m", "spruce_hps.runner", os.path.join(self.dir, "run.py")] + list(extra_args), cwd=self.workdir, env=self.eval_env(**env))

    def result(self):
        with open(self.result_file) as f:
            return json.load(f)

    def assert_failed(self, proc, last_line):
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual(proc.stderr.rstrip("\n").splitlines()[-1], last_line)
        # The executor's reason for the failure: the same line, in the result file.
        self.assertEqual(self.result(), {"error": last_line})
        self.assertNotIn("objective:", proc.stdout)


class ResultTest(RunnerCase):
    def test_run_point_returns_a_number(self):
        proc = self.run_module("def run(point):\n    print('training', point)\n    return point['x'] * 2\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, "training {'x': 3, 'act': 'relu'}\nobjective: 6\n")
        self.assertEqual(self.result(), {"objective": 6})

    def test_a_dict_result_writes_its_metadata_beside_the_objective(self):
        proc = self.run_module(
            "def run(config):\n    return {'objective': 0.25, 'metadata': {'epochs': 3, 'loss': float('nan'), 'tags': ('a', 'b')}}\n"
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # As the TypeScript entry writes it: metadata keys beside "objective"; NaN as null, as JSON.stringify does.
        self.assertEqual(self.result(), {"epochs": 3, "loss": None, "tags": ["a", "b"], "objective": 0.25})
        self.assertEqual(proc.stdout.splitlines()[-1], "objective: 0.25")

    def test_non_finite_objectives_are_written_for_the_executor_to_refuse(self):
        for value, written in [("float('nan')", "NaN"), ("float('inf')", "Infinity"), ("-float('inf')", "-Infinity")]:
            with self.subTest(value=value):
                proc = self.run_module("def run(point):\n    return {}\n".format(value))
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(self.result(), {"objective": written})
                self.assertEqual(proc.stdout, "objective: {}\n".format(written))

    def test_several_objectives_as_the_typescript_entry_writes_them(self):
        # The executor checks them against the declared objectives (launcher/executor/objective.ts).
        cases = [
            ("(0.5, 3)", {"objective": [0.5, 3]}, "objective: 0.5, 3\n"),
            ("[0.5, float('nan')]", {"objective": [0.5, "NaN"]}, "objective: 0.5, NaN\n"),
            ("{'objective': (0.5, 3), 'metadata': {'epochs': 2}}", {"epochs": 2, "objective": [0.5, 3]}, "objective: 0.5, 3\n"),
            ("{'objectives': {'acc': 0.5, 'latency': 3}}", {"objectives": {"acc": 0.5, "latency": 3}}, ""),
            ("{'objectives': [0.5, 3], 'metadata': {'n': 1}}", {"n": 1, "objectives": [0.5, 3]}, "objective: 0.5, 3\n"),
        ]
        for value, written, line in cases:
            with self.subTest(value=value):
                proc = self.run_module("def run(point):\n    return {}\n".format(value))
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(self.result(), written)
                self.assertEqual(proc.stdout, line)

    def test_an_exception_fails_with_its_traceback(self):
        proc = self.run_module(
            "def train(point):\n    raise ValueError('diverged at epoch 3')\n\ndef run(point):\n    return train(point)\n"
        )
        self.assert_failed(proc, "ValueError: diverged at epoch 3")
        self.assertTrue(proc.stderr.startswith("Traceback (most recent call last):\n"), proc.stderr)
        self.assertIn('run.py", line 5, in run', proc.stderr)
        self.assertIn('run.py", line 2, in train', proc.stderr)
        self.assertNotIn("spruce_hps", proc.stderr)

    def test_returns_that_are_no_result(self):
        form = 'expected a number, a tuple of numbers (one per objective), {"objective": ..., "metadata": {...}} or {"objectives": {name: value}}'
        cases = [
            ("    pass\n", "run() returned None (does run end with a return?); " + form),
            ("    return 'F_out_of_memory'\n", "run() returned 'F_out_of_memory' (a failure, as DeepHyper marks them); " + form),
            ("    return 'good'\n", "run() returned 'good'; " + form),
            ("    return True\n", "run() returned True; " + form),
            ("    return {'loss': 1.0}\n", "run() returned {'loss': 1.0}; " + form),
            ("    return (1.0, 'slow')\n", "run() returned (1.0, 'slow'); " + form),
            ("    return []\n", "run() returned []; " + form),
            ("    return {'objective': {'acc': 1.0}}\n", "run() returned {'objective': {'acc': 1.0}}; " + form),
            ("    return {'objective': 1.0, 'metadata': [1]}\n", "run() returned metadata that is not a dict: [1]"),
            ("    return {'objective': 1.0, 'metadata': {'f': open}}\n", "run() returned metadata that JSON cannot hold: a builtin_function_or_method"),
        ]
        for body, last_line in cases:
            with self.subTest(body=body):
                self.assert_failed(self.run_module("def run(point):\n" + body), last_line)

    def test_an_import_error_of_the_run_module_fails_the_evaluation(self):
        proc = self.run_module("import not_a_module_spruce_knows\ndef run(point):\n    return 1\n")
        self.assert_failed(proc, "ModuleNotFoundError: No module named 'not_a_module_spruce_knows'")

    @unittest.skipIf(numpy is None, "numpy is not installed for this interpreter")
    def test_numpy_objectives_and_metadata(self):
        proc = self.run_module(
            "import numpy as np\n"
            "def run(point):\n"
            "    return {'objective': np.float32(0.5), 'metadata': {'n': np.int64(4), 'curve': np.array([1.5, 2.5]), 'nan': np.float64('nan')}}\n"
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.result(), {"n": 4, "curve": [1.5, 2.5], "nan": None, "objective": 0.5})
        proc = self.run_module("import numpy as np\ndef run(point):\n    return np.float64(point['x']) / 4\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.result(), {"objective": 0.75})
        self.assertEqual(proc.stdout, "objective: 0.75\n")
        proc = self.run_module("import numpy as np\ndef run(point):\n    return np.array([0.5, 2.0])\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.result(), {"objective": [0.5, 2]})


class ContextTest(RunnerCase):
    def test_the_context_as_second_parameter_and_from_spruce_hps(self):
        source = (
            "import spruce_hps\n"
            "def run(point, ctx):\n"
            "    assert spruce_hps.context() is ctx\n"
            "    r = ctx.resume\n"
            "    return {'objective': 1, 'metadata': {'eval_id': ctx.eval_id, 'seed': ctx.seed, 'workdir': ctx.workdir,\n"
            "        'rank': ctx.rank, 'size': ctx.size, 'max_length': ctx.max_length, 'length': ctx.length,\n"
            "        'resume_step': ctx.resume_step, 'resume': [r.step, r.dir] if r else None, 'checkpoint_dir': ctx.checkpoint_dir}}\n"
        )
        proc = self.run_module(source)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(
            self.result(),
            {
                "eval_id": 7, "seed": 1234, "workdir": self.workdir, "rank": 0, "size": 1, "max_length": None,
                "length": None, "resume_step": None, "resume": None, "checkpoint_dir": None, "objective": 1,
            },
        )
        checkpoints = os.path.join(self.dir, "ckpt")
        proc = self.run_module(
            source, SPRUCE_MAX_LENGTH="27", SPRUCE_LENGTH="9", SPRUCE_RESUME_STEP="3", SPRUCE_CHECKPOINT_DIR=checkpoints
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        result = self.result()
        self.assertEqual((result["max_length"], result["length"], result["resume_step"]), (27, 9, 3))
        self.assertEqual((result["resume"], result["checkpoint_dir"]), ([3, checkpoints], checkpoints))

    def test_the_runner_needs_the_launchers_environment(self):
        self.write("run.py", "def run(point):\n    return 1\n")
        proc = self.python(["-m", "spruce_hps.runner", "run.py"], env=self.env())
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(
            proc.stderr.splitlines(),
            [
                "error: SPRUCE_EVAL_ID is not set: this works only inside an evaluation started by Spruce",
                "hint: the runner is started by Spruce's launcher, which sets SPRUCE_* and writes the point",
            ],
        )

    def test_mpi_ranks(self):
        source = (
            "import os, spruce_hps\n"
            "def run(point):\n"
            "    ctx = spruce_hps.context()\n"
            "    open(os.path.join(ctx.workdir, 'rank-%d-of-%d' % (ctx.rank, ctx.size)), 'w').close()\n"
            "    spruce_hps.report(1, 0.5)\n"
            "    return None if ctx.rank else 2.0\n"
        )
        for env, rank, size in [
            ({"OMPI_COMM_WORLD_RANK": "1", "OMPI_COMM_WORLD_SIZE": "2"}, 1, 2),
            ({"PMI_RANK": "2", "PMI_SIZE": "3"}, 2, 3),
            ({"SLURM_PROCID": "1", "SLURM_NTASKS": "4"}, 1, 4),
        ]:
            with self.subTest(env=env):
                proc = self.run_module(source, **env)
                # run is called on every rank; only rank 0 reports and writes the result.
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertTrue(os.path.exists(os.path.join(self.workdir, "rank-%d-of-%d" % (rank, size))))
                self.assertEqual(proc.stdout, "")
                self.assertFalse(os.path.exists(self.result_file))
        proc = self.run_module(source, OMPI_COMM_WORLD_RANK="0", OMPI_COMM_WORLD_SIZE="2")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, "report: step=1 value=0.5\nobjective: 2\n")
        self.assertEqual(self.result(), {"objective": 2.0})


class JobTest(RunnerCase):
    def test_run_job_with_records(self):
        proc = self.run_module(
            "def run(job):\n"
            "    assert job.id == '7' and job['x'] == 3 and job.parameters == {'x': 3, 'act': 'relu'}\n"
            "    for epoch in range(1, 4):\n"
            "        job.record(epoch, epoch / 10)\n"
            "        if job.stopped():\n"
            "            break\n"
            "    return 0.3\n"
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(
            proc.stdout, "report: step=1 value=0.1\nreport: step=2 value=0.2\nreport: step=3 value=0.3\nobjective: 0.3\n"
        )

    def test_reports_that_are_not_numbers(self):
        proc = self.run_module("import spruce_hps\ndef run(point):\n    spruce_hps.report('one', 0.5)\n")
        self.assert_failed(proc, "TypeError: report(step, value) needs two numbers, got str, float")
        # A diverged value is no report a searcher can rank: not sent.
        proc = self.run_module("import spruce_hps\ndef run(point):\n    spruce_hps.report(1, float('nan'))\n    return 1\n")
        self.assertEqual(proc.stdout, "objective: 1\n")

    def test_reports_wait_for_the_launchers_decision(self):
        """Under a multi-fidelity searcher a report at the decision length waits for the answer in
        SPRUCE_CONTROL_FILE ({seq, action, length}), as launcher/slot-runner.ts writes it."""
        control = os.path.join(self.workdir, "control.json")
        self.write(
            "run.py",
            "import sys, time\n"
            "def run(job):\n"
            "    for epoch in range(1, 10):\n"
            "        started = time.monotonic()\n"
            "        job.record(epoch, epoch * 1.5)\n"
            "        sys.stderr.write('waited %d %.2f\\n' % (epoch, time.monotonic() - started))\n"
            "        if job.stopped():\n"
            "            return {'objective': epoch * 1.5, 'metadata': {'stopped_at': epoch}}\n"
            "    return 0\n",
        )
        env = self.eval_env(SPRUCE_REPORT_ACK="1", SPRUCE_CONTROL_FILE=control, SPRUCE_LENGTH="2", SPRUCE_MAX_LENGTH="9")
        proc = subprocess.Popen(
            [sys.executable, "-m", "spruce_hps.runner", os.path.join(self.dir, "run.py")],
            cwd=self.workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
        )
        try:
            self.assertEqual(proc.stdout.readline(), "report: step=1 value=1.5\n")
            self.assertEqual(proc.stdout.readline(), "report: step=2 value=3\n")
            time.sleep(0.3)  # the run waits for the decision on report 2
            self.write_control(control, {"seq": 2, "action": "continue", "length": 4})
            self.assertEqual(proc.stdout.readline(), "report: step=3 value=4.5\n")
            self.assertEqual(proc.stdout.readline(), "report: step=4 value=6\n")
            time.sleep(0.3)
            self.write_control(control, {"seq": 4, "action": "stop", "length": 4})
            self.assertEqual(proc.stdout.readline(), "objective: 6\n")
            self.assertEqual(proc.wait(timeout=30), 0)
            waits = [line.split() for line in proc.stderr.read().splitlines()]
        finally:
            proc.kill()
            proc.stdout.close()
            proc.stderr.close()
        self.assertEqual([w[1] for w in waits], ["1", "2", "3", "4"])
        waited = dict((w[1], float(w[2])) for w in waits)
        self.assertLess(waited["1"], 0.25)  # before the decision length: no wait
        self.assertGreaterEqual(waited["2"], 0.25)
        self.assertLess(waited["3"], 0.25)
        self.assertGreaterEqual(waited["4"], 0.25)
        self.assertEqual(self.result(), {"stopped_at": 4, "objective": 6.0})

    def write_control(self, path, answer):
        # Written whole and renamed into place, as the launcher does, so no half-written file is read.
        with open(path + ".tmp", "w") as f:
            json.dump(answer, f)
        os.replace(path + ".tmp", path)


class ReferenceTest(RunnerCase):
    def test_a_dotted_run_with_an_import_root(self):
        self.write("proj/__init__.py", "")
        self.write("proj/model_run.py", "from .helpers import scale\ndef run(point):\n    return scale(point['x'])\n")
        self.write("proj/helpers.py", "def scale(x):\n    return x * 10\n")
        proc = self.python(["-m", "spruce_hps.runner", "proj.model_run.run", "--import-root", self.dir], cwd=self.workdir, env=self.eval_env())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.result(), {"objective": 30})

    def test_started_as_a_file_without_runpy(self):
        # The user's own problem.py and errors.py must win over the package's modules of those names.
        self.write("problem.py", "FACTOR = 5\n")
        self.write("errors.py", "OFFSET = 1\n")
        self.write("run.py", "from problem import FACTOR\nfrom errors import OFFSET\ndef run(point):\n    return point['x'] * FACTOR + OFFSET\n")
        env = self.eval_env()
        del env["PYTHONPATH"]
        proc = subprocess.run(
            [sys.executable, os.path.join(PYTHON_DIR, "spruce_hps", "runner.py"), os.path.join(self.dir, "run.py")],
            cwd=self.workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, "objective: 16\n")
        self.assertEqual(self.result(), {"objective": 16})

    def test_a_syntax_error_in_the_run_module(self):
        proc = self.run_module("def run(point)\n    return 1\n")
        self.assertEqual(proc.returncode, 1)
        self.assertTrue(proc.stderr.startswith('  File "{}", line 1\n'.format(os.path.join(self.dir, "run.py"))), proc.stderr)
        self.assertRegex(proc.stderr.splitlines()[-1], r"^SyntaxError: (expected ':'|invalid syntax)$")
        self.assertEqual(self.result(), {"error": proc.stderr.splitlines()[-1]})

    def test_a_message_over_several_lines_fails_with_its_first_line(self):
        proc = self.run_module("def run(point):\n    raise RuntimeError('out of memory\\nat layer 3')\n")
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stderr.splitlines()[-1], "at layer 3")
        self.assertEqual(self.result(), {"error": "RuntimeError: out of memory"})

    def test_integral_floats_come_back_as_floats(self):
        # JavaScript writes 1.0 as 1: the launcher names the float hyperparameters and float choices.
        self.set_point({"lr": 1, "units": 3, "width": 32, "depth": 2, "act": "relu"})
        floats = json.dumps({"names": ["lr"], "values": {"width": [32, 64]}})
        proc = self.run_module(
            "def run(point):\n    print(sorted((k, type(v).__name__, v) for k, v in point.items()))\n    return 1\n",
            SPRUCE_PYTHON_FLOATS=floats,
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(
            proc.stdout.splitlines()[0],
            "[('act', 'str', 'relu'), ('depth', 'int', 2), ('lr', 'float', 1.0), ('units', 'int', 3), ('width', 'float', 32.0)]",
        )

    def test_a_run_module_spruce_cannot_call(self):
        proc = self.run_module("def run():\n    return 1\n")
        self.assert_failed(proc, "run takes no parameter; Spruce passes it the point")
        proc = self.python(["-m", "spruce_hps.runner", "missing.py"], cwd=self.workdir, env=self.eval_env())
        self.assert_failed(proc, "missing.py: no such file")


if __name__ == "__main__":
    unittest.main()
