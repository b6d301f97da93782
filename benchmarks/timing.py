"""The one timing rule every benchmark uses: the best of a few runs (the least disturbed by the machine)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The shortest of ``runs`` timed calls of ``work``, in seconds."""
    best = math.inf
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best
