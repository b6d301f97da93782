"""Many recordings at once: one table row per file, computed in parallel processes on this machine.

A row function takes a file's path and its options and returns a flat dict: ``file`` (the file's name),
the values, and ``error``. A file that cannot be read or analysed gives a row with its ``error`` and no
values, so one bad export never stops or hides the rest of a cohort. :func:`analyse_locally` runs a row
function over many :class:`Job` on this machine's cores; signals/cluster.py runs the same jobs on a Dask
cluster, and signals/cohort.py chooses between the two.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reeducate.signals.balance import Preset, analyze_cop
from reeducate.signals.errors import RecordingError
from reeducate.signals.gait import analyze_gait
from reeducate.signals.imu import Sensor, Side
from reeducate.signals.io import read_cop
from reeducate.signals.io.imu import read_imu

Row = dict[str, Any]
RowFunction = Callable[..., Row]
"""``function(path, **options) -> Row``, defined at a module's top level so other processes can import it."""


@dataclass(frozen=True)
class Job:
    """One file to analyse: its path as given (``label``, what the table shows), where to read it
    (``path``, absolute), and the keyword options of the row function."""

    label: str
    path: Path
    options: Mapping[str, Any] = field(default_factory=dict)


def balance_row(path: Path, *, preset: Preset) -> Row:
    """One force-plate trial: its sway summary (``sway.*``) and every descriptor (units in docs/balance.md)."""
    row: Row = {"file": path.name, "preset": preset, "error": ""}
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


GAIT_VALUES = ("n_strides", "n_steps", "cadence_steps_per_min", "gait_speed_m_s", "stride_time_s",
               "stride_length_m", "step_time_s", "step_length_m", "stride_time_cv_percent", "step_time_cv_percent",
               "stance_percent", "double_support_percent", "symmetry_index_percent", "symmetry_basis")
"""The summary values of a gait row (docs/gait.md defines each); a sensor that cannot give one leaves it empty."""


def gait_row(path: Path, *, sensor: Sensor, side: Side | None = None, sampling_rate_hz: float | None = None,
             sensor_height_m: float | None = None) -> Row:
    """One IMU recording: its gait summary, bouts and turns counted, and what it could not measure.

    Every row has the same columns, so a cohort of foot and lower-back sensors makes one table.
    """
    row: Row = {"file": path.name, "sensor": sensor, "side": side, "sampling_rate_hz": sampling_rate_hz,
                "duration_s": None, **dict.fromkeys(GAIT_VALUES), "n_bouts": None, "n_turns": None,
                "refused": "", "warnings": "", "error": ""}
    try:
        result = analyze_gait(read_imu(path, sampling_rate_hz=sampling_rate_hz, sensor=sensor, side=side),
                              sensor=sensor, sensor_height_m=sensor_height_m)
    except RecordingError as error:
        row["error"] = str(error)
        return row
    row.update({k: v for k, v in result.summary.items() if k in GAIT_VALUES})
    row.update(sampling_rate_hz=result.sampling_rate_hz, duration_s=round(result.duration_s, 3),
               n_bouts=len(result.bouts), n_turns=len(result.turns),
               refused=", ".join(measure for measure, _ in result.refused), warnings=" | ".join(result.warnings))
    return row


def run_job(function: RowFunction, path: Path, options: Mapping[str, Any], data: bytes | None = None) -> Row:
    """``function``'s row for ``path``; with ``data`` (the file's bytes, sent to a machine that cannot see
    the file) the bytes are written under the file's own name in a temporary folder and read from there."""
    if data is None:
        return function(path, **options)
    with tempfile.TemporaryDirectory(prefix="reeducate-cohort-") as folder:
        copy = Path(folder) / path.name
        copy.write_bytes(data)
        return function(copy, **options)


def _run_packed(packed: tuple[RowFunction, Path, Mapping[str, Any]]) -> Row:
    return run_job(*packed)


def analyse_locally(function: RowFunction, jobs: Sequence[Job], *, workers: int | None = None,
                    on_row: Callable[[], None] | None = None) -> Iterator[Row]:
    """Rows in the order of ``jobs``, computed by ``workers`` processes (default: every core)."""
    workers = workers or os.cpu_count() or 1
    packed = [(function, job.path, job.options) for job in jobs]
    if workers == 1:
        rows: Iterator[Row] = map(_run_packed, packed)
        for row in rows:
            if on_row:
                on_row()
            yield row
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for row in pool.map(_run_packed, packed, chunksize=max(1, min(32, len(packed) // (4 * workers) or 1))):
            if on_row:
                on_row()
            yield row
