"""The note draft's surface-EMG line says what was measured and nothing else: the muscles and their bursts, the
firing order with the pairs too close to order, the co-contraction index with its definition's author, and the
fatigue trend where a muscle had one, falling or not. Pure: the engine's JSON on the example recordings, the
records in memory."""

from __future__ import annotations

from typing import Any

from reeducate.clinic.models import EmgRecording
from reeducate.clinic.note_draft import draft, emg_line
from reeducate.clinic.services.emg import plain_json
from reeducate.example_data import fetch
from reeducate.signals.emg import analyze_emg, read_emg


def _recording(name: str, channels: list[str] | None = None, **options: Any) -> EmgRecording:
    path = fetch(name)
    result = plain_json(analyze_emg(read_emg(path, channels=channels), **options).to_json())
    return EmgRecording(filename=path.name, options={"channels": channels or [], "is_mvc": False}, result=result,
                        duration_s=result["duration_s"], channel_count=len(result["channels"]))


def test_a_fatigue_recording_says_its_bursts_and_that_the_median_frequency_fell() -> None:
    line = emg_line(_recording("emg_biosignalsnotebooks_emg_fatigue.h5", ["channel_2=Biceps brachii"]))
    assert line.startswith("Surface EMG (measured, recording emg_fatigue.h5): 1 muscle recorded (Biceps brachii 30 "
                           "bursts); Biceps brachii median frequency fell ")
    assert "% per minute over 25 bursts in 117 s (p < 0.001)" in line
    assert "firing order" not in line and "co-contraction" not in line, "one muscle: no order, no pair measured"


def test_a_shoulder_recording_gives_the_order_and_the_pairs_index_with_its_author() -> None:
    shoulder = _recording("emg_pyomeca_markers_analogs.c3d", pairs=[("Biceps", "Triceps")])
    line = emg_line(shoulder)
    assert "13 muscles recorded (Delt_ant 1 burst, " in line
    assert "firing order Biceps, then Delt_ant (+326 ms), then Delt_med (+362 ms), then " in line
    assert "Gd_dent and Gd_dors: too close to order (10 ms apart" in line
    assert "Biceps/Triceps co-contraction index 39.2 %" in line and "(Falconer & Winter 1985;" in line
    assert "median frequency" not in line, "3 bursts in 4 s are too few for a fatigue trend: none is stated"
    assert "latency" not in line, "timed against nothing: no latency measured"
    content = draft(administrations=[], progress=[], trials=[], recordings=[], exercises=[], minutes_97112=0,
                    emg=[shoulder])
    assert content["objective"] == line
