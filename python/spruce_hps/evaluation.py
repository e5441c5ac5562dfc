"""What a run gets during an evaluation: its context (ids, seed, directories, MPI rank and size),
report(step, value) and DeepHyper's RunningJob. The protocol is the one of Spruce's TypeScript
evaluation entry (launcher/eval-entry.ts): same environment variables, same report line, same wait
for the launcher's decision."""

import math
import os
import sys
import time

from . import fastjson

# A stalled launcher must not hang the training: past this, the run trains on (the launcher stops
# the run itself if it decides later).
DECISION_WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.005

_MPI_VARIABLES = (
    ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"),  # Open MPI
    ("PMI_RANK", "PMI_SIZE"),  # MPICH / Hydra
    ("SLURM_PROCID", "SLURM_NTASKS"),  # srun
)


def _int(text, fallback):
    try:
        return int(text) or fallback
    except (TypeError, ValueError):
        return fallback


def mpi_rank_and_size(env):
    """(rank, size) from whichever MPI launcher or Slurm started this process; (0, 1) outside MPI."""
    for rank, size in _MPI_VARIABLES:
        if rank in env:
            return _int(env[rank], 0), _int(env.get(size), 1)
    return 0, 1


def _optional_number(env, name):
    text = env.get(name)
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


def _required(env, name):
    value = env.get(name)
    if value is None:
        raise RuntimeError("{} is not set: this works only inside an evaluation started by Spruce".format(name))
    return value


def as_number(value):
    """An int or float from value, numpy scalars and 0-d tensors included (through their .item()); None otherwise."""
    if isinstance(value, bool):
        return None
    # Subclasses (numpy 2's float64 is a float) become the plain type, which prints as a number.
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    item = getattr(value, "item", None)
    if callable(item):
        try:
            value = item()
        except Exception:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value) if isinstance(value, float) else int(value)
    return None


def js_number(value):
    """A number written as the TypeScript entry writes it (NaN, Infinity, 3 for 3.0)."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return float.__repr__(value)
    return int.__repr__(value) if isinstance(value, int) else str(value)


def emit(line):
    """One line on the real stdout, flushed now: the launcher reads it while the run goes on."""
    try:
        sys.stdout.flush()
    except Exception:
        pass
    out = sys.__stdout__ if sys.__stdout__ is not None else sys.stdout
    out.write(line + "\n")
    out.flush()


class Resume(object):
    """A promoted trial continues from `step`, the checkpoint it saved in `dir`."""

    def __init__(self, step, dir):
        self.step = step
        self.dir = dir

    def __repr__(self):
        return "Resume(step={!r}, dir={!r})".format(self.step, self.dir)


class Context(object):
    """The evaluation a run is part of.

    eval_id, seed, workdir, attempt; rank and size (MPI; only rank 0's result counts);
    max_length and length (asha: the most a trial trains, and where the searcher next decides;
    None for other searchers); resume (None, or .step and .dir of the checkpoint to continue from)
    and resume_step (its step, None when starting afresh); checkpoint_dir (asha: the trial's own
    directory, the same for all its runs).
    """

    def __init__(self, env=None):
        env = os.environ if env is None else env
        self.eval_id = int(_required(env, "SPRUCE_EVAL_ID"))
        self.workdir = _required(env, "SPRUCE_WORKDIR")
        self.seed = int(_required(env, "SPRUCE_SEED"))
        self.attempt = _optional_number(env, "SPRUCE_ATTEMPT")
        self.rank, self.size = mpi_rank_and_size(env)
        self.max_length = _optional_number(env, "SPRUCE_MAX_LENGTH")
        self.length = _optional_number(env, "SPRUCE_LENGTH")
        self.checkpoint_dir = env.get("SPRUCE_CHECKPOINT_DIR")
        resume_step = _optional_number(env, "SPRUCE_RESUME_STEP") or 0
        self.resume = Resume(resume_step, _required(env, "SPRUCE_CHECKPOINT_DIR")) if resume_step > 0 else None
        self.resume_step = resume_step if resume_step > 0 else None
        control = env.get("SPRUCE_CONTROL_FILE")
        self._control_file = control
        self._ack = env.get("SPRUCE_REPORT_ACK") == "1" and control is not None
        self._target = self.length if self.length is not None else float("inf")
        self._seq = 0

    def report(self, step, value):
        """An intermediate result: the objective after `step` units of training.

        Prints `report: step=N value=X` (rank 0). Under a multi-fidelity searcher a report at or
        past the length of the next decision waits for the launcher's answer: "stop" means return
        the objective now. Any other searcher always answers "continue". A non-finite value is no
        report a searcher can rank: it is not sent.
        """
        s, v = as_number(step), as_number(value)
        if s is None or v is None:
            raise TypeError(
                "report(step, value) needs two numbers, got {}, {}".format(type(step).__name__, type(value).__name__)
            )
        if not math.isfinite(s) or not math.isfinite(v):
            return "continue"
        self._seq += 1
        if self.rank == 0:
            emit("report: step={} value={}".format(js_number(s), js_number(v)))
        if not self._ack or s < self._target:
            return "continue"
        return self._wait_for_decision(s)

    def _wait_for_decision(self, step):
        deadline = time.monotonic() + DECISION_WAIT_SECONDS
        while time.monotonic() < deadline:
            answer = None
            try:
                with open(self._control_file) as f:
                    answer = fastjson.loads(f.read())
            except (OSError, ValueError):
                pass  # not written yet, or being replaced: poll again
            if isinstance(answer, dict) and as_number(answer.get("seq")) is not None and answer["seq"] >= self._seq:
                if as_number(answer.get("length")) is not None:
                    self._target = answer["length"]
                return "stop" if answer.get("action") == "stop" else "continue"
            time.sleep(_POLL_SECONDS)
        sys.stderr.write(
            "spruce: no decision on the report at step {} after {:g}s; training on\n".format(
                js_number(step), DECISION_WAIT_SECONDS
            )
        )
        return "continue"

    def __repr__(self):
        return "Context(eval_id={}, rank={}, size={}, workdir={!r})".format(self.eval_id, self.rank, self.size, self.workdir)


class RunningJob(object):
    """DeepHyper 0.13's job: job.id, job.parameters (also job["name"]), job.record(budget, objective)
    for an intermediate result, job.stopped() True once the searcher said stop."""

    def __init__(self, id=None, parameters=None, context=None):
        self.id = id
        self.parameters = {} if parameters is None else parameters
        self.context = context
        self._stopped = False

    def __getitem__(self, name):
        return self.parameters[name]

    def get(self, name, default=None):
        return self.parameters.get(name, default)

    def record(self, budget, objective):
        """A report: the objective after `budget` units of training. Returns "continue" or "stop"."""
        ctx = self.context if self.context is not None else context()
        action = ctx.report(budget, objective)
        if action == "stop":
            self._stopped = True
        return action

    def stopped(self):
        return self._stopped

    def __repr__(self):
        return "RunningJob(id={!r}, parameters={!r})".format(self.id, self.parameters)


_current = None


def context():
    """The context of the evaluation this process is part of (from the environment Spruce sets,
    so a Python program started by a command template gets it too)."""
    global _current
    if _current is None:
        _current = Context()
    return _current


def set_context(ctx):
    global _current
    _current = ctx


def report(step, value):
    """context().report(step, value)."""
    return context().report(step, value)
