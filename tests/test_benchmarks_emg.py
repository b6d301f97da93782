"""The EMG benchmark (benchmarks/emg_onsets.py) scores trials and builds its tables without its peers installed;
the benchmark itself, with NeuroKit2 and BioSPPy, runs in `make bench`, never here."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.support import load_benchmark


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("emg_onsets.py")


EVENTS = [  # myonset's columns: a fixation (20), a stimulus, a right press; a stimulus, a left press; an orphan
    {"sample": "0", "time": "0.5", "code": "20", "chan": "-1"},
    {"sample": "0", "time": "1.0", "code": "22", "chan": "-1"},
    {"sample": "0", "time": "1.4", "code": "200", "chan": "-1"},
    {"sample": "0", "time": "4.0", "code": "11", "chan": "-1"},
    {"sample": "0", "time": "4.3", "code": "100", "chan": "-1"},
    {"sample": "0", "time": "7.0", "code": "21", "chan": "-1"},
    {"sample": "0", "time": "8.0", "code": "12", "chan": "-1"},
]


def test_each_stimulus_is_answered_by_the_next_press_and_its_hand(bench: ModuleType) -> None:
    trials = bench.trials_from_events(EVENTS)

    assert [(t.stimulus_s, t.press_s, t.hand) for t in trials] == [(1.0, 1.4, "right hand"), (4.0, 4.3, "left hand")]


def test_onsets_of_the_responding_hand_count_inside_outside_or_missed(bench: ModuleType) -> None:
    trials = bench.trials_from_events(EVENTS)
    onsets = {"right hand": [0.7, 1.2, 1.9, 3.0], "left hand": [1.1]}  # 3.0 s is outside every epoch

    result = bench.score(trials, onsets)

    assert (result.inside, result.outside, result.missed, result.trials) == (1, 2, 1, 2)
    assert result.share == pytest.approx(1 / 3)


def test_biosppy_mixed_arrays_give_every_other_entry_as_onsets(bench: ModuleType) -> None:
    assert bench.mixed_onsets([40, 10, 20, 30]).tolist() == [10, 30]


def test_the_table_aligns_its_columns_and_rounds_floats(bench: ModuleType) -> None:
    text = bench.table(["method", "bursts"], [["ours auto", 56], ["NeuroKit2", 659.4], ["BioSPPy", 0.12345]])

    assert text.splitlines() == [
        "method     bursts",
        "---------  ------",
        "ours auto      56",
        "NeuroKit2     659",
        "BioSPPy     0.123",
    ]
    assert bench.verdict(False, "x") == "FAIL  x"
