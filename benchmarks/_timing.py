"""
The timing the benchmarks share: warm loops and fresh processes.

Warm (:func:`bench`): in this process, each variant gets a loop calibrated to
about *seconds*; the variants then run in turn for *repeats* rounds
(interleaved, so that a slow moment of the machine hits them all), and the
median time per call is kept.

Fresh (:func:`fresh`): each :class:`Program` runs in new interpreters that
import, then time the first call of each subject and the steady cost of the
next calls, with no warm-up but what the subjects themselves do.
"""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Mapping
from pathlib import Path

Clock = Callable[[], float]

#: Wall time; ``time.thread_time`` counts only this thread's CPU time, which is
#: steadier on a machine busy with other work.
WALL: Clock = time.perf_counter
CPU: Clock = time.thread_time


def calibrate(fn: Callable[[], object], seconds: float, clock: Clock = WALL) -> int:
    loops = 1
    while True:
        start = clock()
        for _ in range(loops):
            fn()
        elapsed = clock() - start
        if elapsed >= seconds / 4:
            return max(1, int(loops * seconds / elapsed))
        loops *= 4


#: How the repeats of a variant become one figure: the median, or the fastest
#: (the least disturbed by other work on the machine, as timeit advises).
STATS: dict[str, Callable[[list[float]], float]] = {"median": statistics.median, "min": min}


def bench(
    variants: dict[str, Callable[[], object]],
    repeats: int,
    seconds: float,
    clock: Clock = WALL,
    stat: str = "median",
) -> dict[str, float]:
    """
    Seconds per call of each variant, repeats interleaved: their median or *stat*.
    """
    loops = {name: calibrate(fn, seconds, clock) for name, fn in variants.items()}
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            n = loops[name]
            start = clock()
            for _ in range(n):
                fn()
            times[name].append((clock() - start) / n)
    return {name: STATS[stat](values) for name, values in times.items()}


# --- fresh processes --------------------------------------------------------------------
#
# A loop in a warm process shows what the thousandth call costs. A user's process
# also pays for the first: the imports, the code soapbill generates on first use,
# caches filled on first use. Worse, a warm process can hide a cost that never
# goes away in a process where the decoder, not a hand-built object, is the first
# to use a class. So every benchmark also runs its subjects in fresh interpreters
# that do nothing else first: they import, time the first call of each subject
# in turn, then the steady cost per call of the next calls.


@dataclasses.dataclass(frozen=True)
class Step:
    """
    One subject of a fresh-process program.

    *expr* is a Python expression evaluated in the program's namespace; its
    first result is bound to *name*, so that later steps can use it (a decoded
    claim, then its check): a name must not hide one that *expr* calls.
    *calls* more calls are timed after the first (the program's default when
    ``None``; ``0`` times the first call only).
    """

    name: str
    expr: str
    calls: int | None = None


@dataclasses.dataclass(frozen=True)
class Program:
    """
    What one fresh interpreter runs.

    *imports* is timed (the figure ``"import"``); *setup* is not, and must build
    no model (read files, define constants); then each step runs in order.
    """

    imports: str
    setup: str = ""
    steps: tuple[Step, ...] = ()


@dataclasses.dataclass(frozen=True)
class Figure:
    """
    Seconds over the fresh processes: their median and the fastest.
    """

    median: float
    min: float

    def __truediv__(self, other: Figure) -> Figure:
        return Figure(self.median / other.median, self.min / other.min)

    def scaled(self, factor: float, digits: int = 2) -> dict[str, float]:
        """
        ``{"median": ..., "min": ...}`` times *factor* (1e6 for µs), rounded.
        """
        return {
            "median": round(self.median * factor, digits),
            "min": round(self.min * factor, digits),
        }


_CHILD = """\
import sys as _sys
import time as _time
_sys.path.insert(0, {path!r})
_now = _time.{clock}
_t = _now()
{imports}
_out = {{"import": _now() - _t}}
{setup}
for _name, _expr, _calls in {steps!r}:
    _fn = eval("lambda: " + _expr)
    _t = _now()
    globals()[_name] = _fn()
    _out[_name + ".first"] = _now() - _t
    if _calls:
        _t = _now()
        for _ in range(_calls):
            _fn()
        _out[_name + ".steady"] = (_now() - _t) / _calls
import json as _json
print(_json.dumps(_out))
"""

_CLOCKS = {"wall": "perf_counter", "cpu": "thread_time"}
BENCHMARKS = str(Path(__file__).resolve().parent)


def child_source(program: Program, calls: int, clock: str = "wall") -> str:
    """
    The source of the fresh interpreter's script for *program*.

    Only ``sys`` and ``time`` are imported before the timed imports; ``json`` is
    imported after the last step, to print the figures.
    """
    steps = [
        (step.name, step.expr, calls if step.calls is None or calls == 0 else step.calls)
        for step in program.steps
    ]
    return _CHILD.format(
        path=BENCHMARKS,
        clock=_CLOCKS[clock],
        imports=textwrap.dedent(program.imports).strip(),
        setup=textwrap.dedent(program.setup).strip(),
        steps=steps,
    )


def run_child(source: str, env: dict[str, str] | None = None) -> dict[str, float]:
    """
    Run *source* in a new interpreter (this one's executable) and read its figures.
    """
    result = subprocess.run(
        [sys.executable, "-"],
        input=source,
        capture_output=True,
        check=False,
        text=True,
        env=env,
    )
    if result.returncode != 0:
        msg = f"a fresh-process program failed:\n{result.stderr}"
        raise RuntimeError(msg)
    figures: dict[str, float] = json.loads(result.stdout.splitlines()[-1])
    return figures


def fresh(
    programs: Mapping[str, Program], runs: int, calls: int, clock: str = "wall"
) -> dict[str, dict[str, Figure]]:
    """
    Run each program in *runs* fresh interpreters; the median and fastest figures.

    The programs alternate (one interpreter of each, *runs* times), so that a slow
    moment of the machine hits them all. Every module is imported from its
    cached bytecode, as after ``pip install``: the interpreters share a fresh
    bytecode cache (``PYTHONPYCACHEPREFIX``), filled by one untimed run of each
    program first (first calls only), even where the environment sets
    ``PYTHONDONTWRITEBYTECODE`` or the source tree has no cache. Nothing else
    carries over from one interpreter to the next.

    Returns:
        For each program, ``"import"`` and, for each step, ``"<name>.first"``
        and (when timed) ``"<name>.steady"``: seconds, per call for the latter.
    """
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in programs}
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        for program in programs.values():
            run_child(child_source(program, 0, clock), env)
        for _ in range(runs):
            for name, program in programs.items():
                for key, seconds in run_child(child_source(program, calls, clock), env).items():
                    samples[name].setdefault(key, []).append(seconds)
    return {
        name: {key: Figure(statistics.median(v), min(v)) for key, v in figures.items()}
        for name, figures in samples.items()
    }
