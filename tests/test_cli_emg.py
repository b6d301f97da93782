"""`reeducate emg analyze`: the same JSON as the engine (and the API), a readable summary, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from reeducate.cli import app
from reeducate.example_data import fetch
from reeducate.signals.emg import analyze_emg, read_emg

runner = CliRunner()


def test_json_is_the_engines_result_for_the_same_options() -> None:
    path = fetch("emg_pyomeca_markers_analogs.c3d")
    result = runner.invoke(app, ["emg", "analyze", str(path), "--channels", "Biceps,Triceps,Delt_ant",
                                 "--pair", "Biceps:Triceps", "--json"])
    assert result.exit_code == 0, result.output
    recording = read_emg(path, channels=["Biceps", "Triceps", "Delt_ant"])
    expected = analyze_emg(recording, pairs=[("Biceps", "Triceps")]).to_json()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected))


def test_the_summary_names_each_muscle_the_order_and_the_notes() -> None:
    result = runner.invoke(app, ["emg", "analyze", str(fetch("emg_emggo_Sample_Data.mat"))])
    assert result.exit_code == 0, result.output
    assert "channel 1" in result.stdout and "a.u." in result.stdout
    assert "does not state its units" in result.stderr


def test_a_trigger_channel_times_each_muscle(tmp_path: Path) -> None:
    rate = 1000
    rows = ["time,trigger,VMO"]
    rng = np.random.default_rng(4)
    for i in range(4000):
        t = i / rate
        burst = 0.12 if 1.2 <= t < 1.6 or 3.2 <= t < 3.6 else 0.01
        rows.append(f"{t:.3f},{5.0 if 1.0 <= t < 1.05 or 3.0 <= t < 3.05 else 0.0},{rng.normal(0, burst):.6f}")
    (tmp_path / "t.csv").write_text("\n".join(rows))
    result = runner.invoke(app, ["emg", "analyze", str(tmp_path / "t.csv"), "--units", "mV", "--channels", "VMO",
                                 "--json", "--trigger", "1.0,3.0"])
    assert result.exit_code == 0, result.output
    latencies = json.loads(result.stdout)["latencies_s"]["VMO"]
    assert [round(v, 2) for v in latencies] == [0.2, 0.2]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--method", "guess"], "unknown method 'guess'"),
    (["--pair", "Biceps"], "give two channel names"),
    (["--rest", "one"], "give START,END"),
    (["--channels", "Quadriceps"], "no channel named 'Quadriceps'"),
    (["--reference", "Biceps", "--trigger", "1.0"], "either triggers or a reference"),
])
def test_bad_options_exit_2_with_the_reason(arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["emg", "analyze", str(fetch("emg_pyomeca_markers_analogs.c3d")), *arguments])
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_a_file_that_is_not_emg_exits_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\nworld\n")
    result = runner.invoke(app, ["emg", "analyze", str(tmp_path / "notes.txt"), "--rate-hz", "1000"])
    assert result.exit_code == 2
    assert "notes.txt" in result.stderr
