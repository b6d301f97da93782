"""The recordings the benchmarks and the agreement fixture use: every file of the shared
posturography data set, through the project's own data registry."""

from __future__ import annotations

from pathlib import Path

from reeducate.signals.io import read_cop
from reeducate.signals.recording import CopRecording
from reeducate.example_data import POSTUROGRAPHY, fetch


def posturography_files() -> list[Path]:
    return [fetch(name) for name in POSTUROGRAPHY]


def load_all() -> dict[str, CopRecording]:
    return {name: read_cop(fetch(name)) for name in POSTUROGRAPHY}
