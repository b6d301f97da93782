"""Channels picked and renamed from a file keep one warning each, under the muscle's name: a clipped channel is
not reported twice (once by its label in the file, once by its muscle), and a file-wide warning stays."""

from __future__ import annotations

from reeducate.example_data import fetch
from reeducate.signals.emg import read_emg


def test_a_renamed_channel_is_warned_about_once_under_its_muscles_name() -> None:
    recording = read_emg(fetch("emg_biosignalsnotebooks_emg_fatigue.h5"), channels=["channel_2=Biceps brachii"])
    clipped = [w for w in recording.warnings if "clipped" in w]
    assert len(clipped) == 1 and clipped[0].startswith("Biceps brachii: clipped in ")
    assert any(w.startswith("Converted from ADC values") for w in recording.warnings)
    assert not any(w.startswith("channel_2") for w in recording.warnings)
