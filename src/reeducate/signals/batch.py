"""Many trials at once: one row per file (descriptors and sway summary), analysed in parallel.

A file that cannot be read or analysed gives a row with its ``error`` and no values, so one bad
export never stops or hides the rest of a folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reeducate.signals.balance import Preset, analyze_cop
from reeducate.signals.errors import RecordingError
from reeducate.signals.io import read_cop


def analyse_file(path: Path, preset: Preset) -> dict[str, Any]:
    """One table row for one recording."""
    row: dict[str, Any] = {"file": path.name, "preset": preset, "error": ""}
    try:
        result = analyze_cop(read_cop(path), preset)
    except RecordingError as error:
        row["error"] = str(error)
        return row
    row.update(sampling_rate_hz=result.sampling_rate_hz, n_samples=result.n_samples,
               warnings=" | ".join(result.warnings))
    row.update({f"sway.{k}": v for k, v in asdict(result.sway).items()})
    row.update({d.name: d.value for d in result.descriptors})
    return row


def _job(job: tuple[Path, Preset]) -> dict[str, Any]:
    return analyse_file(*job)


def analyse_folder(paths: list[Path], preset: Preset, *, workers: int | None = None,
                   on_row: Callable[[], None] | None = None) -> Iterator[dict[str, Any]]:
    """Rows in the order of ``paths``, computed by ``workers`` processes (default: every core)."""
    workers = workers or os.cpu_count() or 1
    jobs = [(path, preset) for path in paths]
    if workers == 1:
        results = map(_job, jobs)
        for row in results:
            if on_row:
                on_row()
            yield row
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for row in pool.map(_job, jobs, chunksize=max(1, min(32, len(jobs) // (4 * workers) or 1))):
            if on_row:
                on_row()
            yield row
