"""With the quijoux2021 preset, every descriptor equals the published reference code's on every
recording of the shared posturography set (relative 1e-6).

The reference values were computed by the reference code itself, with the command and versions
stored in ``data/quijoux2021_reference.json`` (see benchmarks/make_quijoux_fixture.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from reeducate.example_data import POSTUROGRAPHY
from reeducate.signals.balance import analyze_cop
from reeducate.signals.io import read_cop

FIXTURE = json.loads((Path(__file__).parent / "data" / "quijoux2021_reference.json").read_text())
TOLERANCE = 1e-6


def test_the_fixture_covers_every_recording_and_was_made_by_the_reference() -> None:
    assert sorted(FIXTURE["values"]) == sorted(POSTUROGRAPHY)
    assert FIXTURE["reference"]["commit"] == "c66a0e4759708c4a4e63c28850d9b5243b197aa2"


@pytest.mark.parametrize("name", POSTUROGRAPHY)
def test_every_descriptor_agrees_with_the_reference_code(name: str, example: Callable[[str], Path]) -> None:
    result = analyze_cop(read_cop(example(name)), preset="quijoux2021")
    ours = {d.quijoux_name: d.value for d in result.descriptors}
    reference = FIXTURE["values"][name]
    assert sorted(ours) == sorted(reference)
    off = {
        key: (ours[key], expected) for key, expected in reference.items()
        if not (math.isnan(expected) and math.isnan(ours[key]))
        and not math.isclose(ours[key], expected, rel_tol=TOLERANCE, abs_tol=0.0)
    }
    assert not off, f"{name}: {off}"
