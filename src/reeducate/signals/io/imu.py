"""IMU readers: gaitmap's two-sensor CSV, one-sensor CSVs (acc_x..gyr_z), GENEActiv raw exports.

The layout is recognised from the header. Where the file states no rate (gaitmap, Mobilise-D CSV)
the caller gives it; where it states one (GENEActiv's 'Measurement Frequency') a given rate must agree.
"""

from __future__ import annotations

import io
import re
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from reeducate.signals.errors import RecordingError
from reeducate.signals.imu import ImuRecording, ImuSensor, Sensor, Side, imu_recording

AXES = ("x", "y", "z")
_SENSOR_NAMES = {"left_sensor": "left_foot", "right_sensor": "right_foot"}


def read_imu(path: Path, *, sampling_rate_hz: float | None = None, sensor: Sensor = "foot",
             side: Side | None = None, acc_unit: str = "auto") -> ImuRecording:
    """Read an IMU recording; ``sensor`` names where a single sensor was worn (``foot`` or ``lower_back``)."""
    path = Path(path)
    if not path.is_file():
        raise RecordingError(f"{path}: no such file.")
    try:
        text = path.read_text(errors="strict")
    except UnicodeDecodeError as exc:
        raise RecordingError(f"{path.name}: not a text recording (binary content); export it as CSV.") from exc
    if not text.strip():
        raise RecordingError(f"{path.name}: the file is empty.")
    first = text.split("\n", 1)[0]
    if first.startswith("Device Type"):
        return _geneactiv(path.name, text, sampling_rate_hz, sensor, acc_unit)
    if "left_sensor" in first or "right_sensor" in first:
        return _two_level(path.name, text, sampling_rate_hz, acc_unit)
    return _single(path.name, text, sampling_rate_hz, sensor, side, acc_unit)


def _frame(name: str, text: str, *, header: Literal["infer"] | None = "infer",
           engine: Literal["c", "pyarrow"] | None = None) -> pd.DataFrame:
    try:
        return pd.read_csv(io.BytesIO(text.encode()), header=header, engine=engine)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise RecordingError(f"{name}: not a readable CSV ({exc}).") from exc


def _numeric(name: str, table: pd.DataFrame, columns: Sequence[Hashable]) -> np.ndarray:
    """The named columns as floats (NaN where a cell is not a number, for the caller's NaN check)."""
    positions = table.columns.get_indexer(pd.Index(columns))
    if all(table.dtypes.iloc[p].kind in "fiu" for p in positions):
        values = table.iloc[:, positions].to_numpy(dtype=float)  # by position: far cheaper than by label
    else:
        values = table.iloc[:, positions].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    if len(values) == 0:
        raise RecordingError(f"{name}: the header is there but no samples follow.")
    return values


def _two_level(name: str, text: str, rate: float | None, acc_unit: str) -> ImuRecording:
    """gaitmap's layout: a row of sensor names, a row of axis names, then an index column and the samples.

    The two header rows are read here and the samples by pyarrow's multi-threaded parser, three times
    faster than pandas' own parser with a two-row header.
    """
    rows = text.split("\n", 2)
    if len(rows) < 3 or not rows[2].strip():
        raise RecordingError(f"{name}: the header is there but no samples follow.")
    labels = list(zip(*(row.strip().split(",") for row in rows[:2]), strict=False))
    table = _frame(name, rows[2], header=None, engine="pyarrow")
    if table.shape[1] != len(labels):
        raise RecordingError(f"{name}: the samples have {table.shape[1]} columns but the header names "
                             f"{len(labels)}; the file is damaged or truncated.")
    samples = _numeric(name, table, list(table.columns))
    sensors = {}
    for raw, worn in _SENSOR_NAMES.items():
        if any(sensor == raw for sensor, _ in labels):
            try:
                acc, gyr = ([labels.index((raw, f"{kind}_{a}")) for a in AXES] for kind in ("acc", "gyr"))
            except ValueError:
                raise RecordingError(f"{name}: {raw} needs the columns acc_x..acc_z and gyr_x..gyr_z in the "
                                     "second header row.") from None
            sensors[worn] = ImuSensor(samples[:, acc], samples[:, gyr])
    return imu_recording(sensors, sampling_rate_hz=rate, source=name, acc_unit=acc_unit)


def _single(name: str, text: str, rate: float | None, sensor: Sensor, side: Side | None,
            acc_unit: str) -> ImuRecording:
    table = _frame(name, text)
    table.columns = [str(c).strip().lower() for c in table.columns]
    acc_cols = [f"acc_{a}" for a in AXES]
    if not set(acc_cols) <= set(table.columns):
        raise RecordingError(f"{name}: expected columns acc_x, acc_y, acc_z (and gyr_x, gyr_y, gyr_z); found "
                             f"{', '.join(table.columns[:8])}. Rename the columns or export from the device "
                             "software as CSV.")
    gyr_cols = [f"gyr_{a}" for a in AXES]
    gyr = _numeric(name, table, gyr_cols) if set(gyr_cols) <= set(table.columns) else None
    if rate is None and "time_s" in table.columns:
        steps = np.diff(pd.to_numeric(table["time_s"], errors="coerce").to_numpy(float))
        rate = 1.0 / float(np.median(steps)) if len(steps) else None
    worn = sensor if sensor != "foot" else (f"{side}_foot" if side else "foot")
    return imu_recording({worn: ImuSensor(_numeric(name, table, acc_cols), gyr)}, sampling_rate_hz=rate,
                         source=name, acc_unit=acc_unit)


def _geneactiv(name: str, text: str, rate: float | None, sensor: Sensor, acc_unit: str) -> ImuRecording:
    lines = text.splitlines()
    stated = next((float(m.group(1)) for line in lines[:120]
                   if (m := re.match(r"Measurement Frequency,\s*([\d.]+)", line))), None)
    if stated is not None and rate is not None and abs(stated - rate) > 0.01 * stated:
        raise RecordingError(f"{name}: the file says it was recorded at {stated:g} Hz, not the {rate:g} Hz given; "
                             "leave the rate out or give the device's.")
    start = next((i for i, line in enumerate(lines) if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3},", line)), None)
    if start is None:
        raise RecordingError(f"{name}: a GENEActiv header without data rows; the export is truncated.")
    table = _frame(name, "\n".join(lines[start:]), header=None)
    acc = _numeric(name, table, [1, 2, 3])
    worn = "lower_back" if sensor == "lower_back" else sensor
    return imu_recording({worn: ImuSensor(acc, None)}, sampling_rate_hz=rate or stated, source=f"{name} (GENEActiv)",
                         acc_unit="g" if acc_unit == "auto" else acc_unit)
