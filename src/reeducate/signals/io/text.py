"""Delimited text exports (CSV, TSV): the known layouts in the shared data, and any COP table.

Known layouts are recognised from their header, so they need no column options:

- ``bds``: Santos & Duarte 2016 (BDS): ``Time[s] Fx[N] ... COPx[cm] COPy[cm]``; COPx is AP.
- ``pds``: dos Santos et al. 2017 (PDS) dual plate: ``COPNET_X`` (AP) and ``COPNET_Z`` (ML) in metres,
  and the vertical force under each foot (``LGRF_Y``, ``RGRF_Y``).
- ``motive``: an OptiTrack Motive force-plate export (metadata lines, then ``MocapFrame, MocapTime,
  DeviceFrame, Fx, Fy, Fz, Mx, My, Mz, Cx, Cy, Cz``): COP from the forces and moments, plate y as AP,
  as the Quijoux et al. 2021 example does with its own recording.

Anything else is a ``csv`` COP table: the AP and ML columns are named by the caller (or found by a
name containing "AP" and "ML"), units come from a ``[cm]``-style header suffix or the caller.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from reeducate.signals.errors import RecordingError
from reeducate.signals.io.plate import METRES_PER_UNIT, cop_from_moments, net_cop
from reeducate.signals.recording import CopRecording, FootLoads, cop_recording

Layout = Literal["bds", "pds", "motive", "csv", "forces"]
Units = Literal["m", "cm", "mm"]
UNITS: tuple[Units, ...] = ("m", "cm", "mm")

_UNIT_SUFFIX = re.compile(r"[\[(]\s*(m|cm|mm)\s*[\])]\s*$", re.IGNORECASE)
_TIME_NAMES = ("time", "time[s]", "time (s)", "t", "mocaptime", "seconds")


@dataclass(frozen=True)
class ColumnOptions:
    """What the caller says about a table that is not a known layout."""

    ap_column: str | None = None
    ml_column: str | None = None
    units: Units | None = None
    sampling_rate_hz: float | None = None
    ap_axis: Literal["x", "y"] = "x"
    surface_height_m: float = 0.0


def _header_line(text: str) -> tuple[int, str]:
    """Index and text of the header row: the Motive header follows metadata lines; else line 0."""
    lines = text.splitlines()
    for index, line in enumerate(lines[:200]):
        if line.startswith("MocapFrame"):
            return index, line
    return 0, lines[0] if lines else ""


def detect_layout(header: str) -> Layout:
    """The known layout a header row belongs to, else ``csv``."""
    names = {n.strip().lower() for n in re.split(r"[\t,;]", header)}
    if {"copx[cm]", "copy[cm]", "fz[n]"} <= names:
        return "bds"
    if {"copnet_x", "copnet_z", "lgrf_y", "rgrf_y"} <= names:
        return "pds"
    if {"mocapframe", "fz", "mx", "my"} <= names:
        return "motive"
    if {"fx", "fy", "fz", "mx", "my"} <= names:
        return "forces"
    return "csv"


def _table(text: str, skip: int, header: str, source: str) -> pd.DataFrame:
    separator = "\t" if "\t" in header else (";" if header.count(";") > header.count(",") else ",")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, skiprows=skip, engine="c",
                            skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise RecordingError(f"{source}: not a readable {separator!r}-separated table ({error}).") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    blank = [c for c in frame.columns if c.startswith("Unnamed") and frame[c].isna().all()]
    frame = frame.drop(columns=blank)  # a trailing separator on every line, not a column
    if frame.empty:
        raise RecordingError(f"{source}: the table has a header but no rows of data.")
    return frame


def _columns(frame: pd.DataFrame) -> str:
    names = [repr(c) for c in frame.columns]
    return ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")


def _numbers(frame: pd.DataFrame, column: str, source: str) -> np.ndarray:
    if column not in frame.columns:
        raise RecordingError(
            f"{source}: no column {column!r}; the columns are {_columns(frame)}."
        )
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) & frame[column].notna().to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        raise RecordingError(
            f"{source}: column {column!r} row {row + 1} is not a number ({frame[column].iloc[row]!r})."
        )
    return values


def _time(frame: pd.DataFrame, source: str) -> np.ndarray | None:
    for column in frame.columns:
        if column.strip().lower() in _TIME_NAMES:
            return _numbers(frame, column, source)
    return None


def read_text(path: Path, layout: Layout | Literal["auto"], options: ColumnOptions) -> CopRecording:
    """Read a delimited export into a COP recording (metres)."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RecordingError(f"{source}: not a text file; give a CSV/TSV export or a C3D file.") from None
    if not text.strip():
        raise RecordingError(f"{source}: the file is empty.")
    skip, header = _header_line(text)
    found = detect_layout(header)
    layout = found if layout == "auto" else layout
    frame = _table(text, skip, header, source)
    if layout == "bds":
        return cop_recording(
            ap_m=_numbers(frame, "COPx[cm]", source) * 0.01, ml_m=_numbers(frame, "COPy[cm]", source) * 0.01,
            time_s=_numbers(frame, "Time[s]", source), sampling_rate_hz=options.sampling_rate_hz,
            source=source, metadata={"layout": "bds"},
        )
    if layout == "pds":
        return _read_pds(frame, source, options)
    if layout == "motive":
        return _read_forces(frame, source, options, metadata=_motive_metadata(text, skip),
                            ap_axis="y", time_column="MocapTime")
    if layout == "forces":
        return _read_forces(frame, source, options, metadata={"layout": "forces"},
                            ap_axis=options.ap_axis, time_column=None)
    return _read_cop_table(frame, source, options)


def _read_pds(frame: pd.DataFrame, source: str, options: ColumnOptions) -> CopRecording:
    """Dual plate (lab frame Y up, X AP, Z ML): net COP from each foot's COP and vertical force."""
    left_fz, right_fz = _numbers(frame, "LGRF_Y", source), _numbers(frame, "RGRF_Y", source)
    left_x, left_z = _numbers(frame, "LCOP_X", source), _numbers(frame, "LCOP_Z", source)
    right_x, right_z = _numbers(frame, "RCOP_X", source), _numbers(frame, "RCOP_Z", source)
    left_on, right_on = np.abs(left_fz) > 0, np.abs(right_fz) > 0
    left = (np.where(left_on, left_x, np.nan), np.where(left_on, left_z, np.nan))
    right = (np.where(right_on, right_x, np.nan), np.where(right_on, right_z, np.nan))
    ap, ml = net_cop(left, left_fz, right, right_fz)
    return cop_recording(
        ap_m=ap, ml_m=ml, time_s=_numbers(frame, "Time", source), sampling_rate_hz=options.sampling_rate_hz,
        feet=FootLoads(left_n=left_fz, right_n=right_fz), source=source, metadata={"layout": "pds"},
    )


def _motive_metadata(text: str, header_index: int) -> dict[str, str]:
    metadata = {"layout": "motive"}
    for line in text.splitlines()[:header_index]:
        key, _, value = line.partition(",")
        if key in ("Take Name", "Device Name", "Export Frame Rate", "Offset_Z"):
            metadata[key] = value.strip().strip(",")
    return metadata


def _read_forces(frame: pd.DataFrame, source: str, options: ColumnOptions, *, metadata: dict[str, str],
                 ap_axis: Literal["x", "y"], time_column: str | None) -> CopRecording:
    """A single plate's forces (N) and moments (N m): COP = moments / vertical force (with offset)."""
    by_name = {c.lower(): c for c in frame.columns}
    missing = [n for n in ("fx", "fy", "fz", "mx", "my") if n not in by_name]
    if missing:
        raise RecordingError(f"{source}: a forces table needs Fx, Fy, Fz, Mx, My; missing {missing}.")
    f = {n: _numbers(frame, by_name[n], source) for n in ("fx", "fy", "fz", "mx", "my")}
    height = options.surface_height_m or float(metadata.get("Offset_Z", 0) or 0)
    x, y = cop_from_moments(f["fx"], f["fy"], f["fz"], f["mx"], f["my"], surface_height_m=height)
    ap, ml = (x, y) if ap_axis == "x" else (y, x)
    time = _numbers(frame, time_column, source) if time_column else _time(frame, source)
    rate = options.sampling_rate_hz or (float(metadata["Export Frame Rate"]) if "Export Frame Rate" in metadata
                                        else None)
    return cop_recording(ap_m=ap, ml_m=ml, time_s=time, sampling_rate_hz=rate, source=source,
                         metadata=metadata)


def _unit_of(column: str) -> Units | None:
    match = _UNIT_SUFFIX.search(column)
    unit = match.group(1).lower() if match else None
    return unit if unit in UNITS else None


def _find(frame: pd.DataFrame, wanted: str, given: str | None, source: str) -> str:
    if given:
        return given
    candidates = [c for c in frame.columns if re.search(rf"(^|[^a-z]){wanted}([^a-z]|$)", c.lower())]
    if len(candidates) != 1:
        raise RecordingError(
            f"{source}: cannot tell which column is {wanted.upper()}; name it with "
            f"--{wanted}-column (the columns are {_columns(frame)})."
        )
    return candidates[0]


def _read_cop_table(frame: pd.DataFrame, source: str, options: ColumnOptions) -> CopRecording:
    if len(frame.columns) < 2:
        raise RecordingError(
            f"{source}: only one column ({frame.columns[0]!r}); a COP recording needs an AP and an ML column."
        )
    ap_column = _find(frame, "ap", options.ap_column, source)
    ml_column = _find(frame, "ml", options.ml_column, source)
    units = options.units or _unit_of(ap_column) or _unit_of(ml_column)
    if units is None:
        raise RecordingError(f"{source}: the COP units are not in the header; say them with --units cm|mm|m.")
    scale = METRES_PER_UNIT[units]
    return cop_recording(
        ap_m=_numbers(frame, ap_column, source) * scale, ml_m=_numbers(frame, ml_column, source) * scale,
        time_s=_time(frame, source), sampling_rate_hz=options.sampling_rate_hz, source=source,
        metadata={"layout": "csv", "units": units},
    )
