"""Readers: every supported recording becomes one typed ``CopRecording`` (metres, seconds).

``read_cop(path)`` recognises the layouts in the shared posturography data by their header (see
``text``), reads C3D force platforms with ezc3d (``c3d``), and reads any other CSV/TSV COP table
once told its columns and units.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from reeducate.signals.errors import RecordingError
from reeducate.signals.io.c3d import read_c3d
from reeducate.signals.io.text import UNITS, ColumnOptions, Layout, Units, read_text
from reeducate.signals.recording import CopRecording

Format = Literal["auto", "bds", "pds", "motive", "csv", "forces", "c3d"]
FORMATS: tuple[Format, ...] = ("auto", "bds", "pds", "motive", "csv", "forces", "c3d")

__all__ = ["FORMATS", "UNITS", "ColumnOptions", "Format", "Layout", "Units", "read_cop"]


def read_cop(path: Path, *, format: Format = "auto", options: ColumnOptions | None = None) -> CopRecording:
    """Read a force-plate recording from ``path``; ``format="auto"`` decides from the content."""
    options = options or ColumnOptions()
    if not path.is_file():
        raise RecordingError(f"{path}: no such file.")
    if format == "c3d" or (format == "auto" and _is_c3d(path)):
        return read_c3d(path, ap_axis=options.ap_axis)
    return read_text(path, format, options)


def _is_c3d(path: Path) -> bool:
    """A C3D file starts with the (small, binary) number of its parameter block, then 0x50."""
    with path.open("rb") as stream:
        head = stream.read(2)
    return len(head) == 2 and 0 < head[0] < 0x20 and head[1] == 0x50
