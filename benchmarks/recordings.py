"""The recordings the benchmarks and the agreement fixture use: every file of the shared
posturography data set, through the project's own data registry."""

from __future__ import annotations

from reeducate.example_data import POSTUROGRAPHY, fetch
from reeducate.signals.io import read_cop
from reeducate.signals.recording import CopRecording


def load_all() -> dict[str, CopRecording]:
    """Every shared posturography recording, read by our reader, by registry name."""
    return {name: read_cop(fetch(name)) for name in POSTUROGRAPHY}
