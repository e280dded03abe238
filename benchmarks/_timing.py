"""
The timing loop the benchmarks share.

Each variant gets a loop calibrated to about *seconds*; the variants then run
in turn for *repeats* rounds (interleaved, so that a slow moment of the machine
hits them all), and the median time per call is kept.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

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
