"""`reeducate balance analyze|batch`: the JSON the issue specifies, the shared formats without
column options, a table of a folder, and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from reeducate.cli import app
from reeducate.example_data import POSTUROGRAPHY

runner = CliRunner()


@pytest.mark.parametrize("name", ["BDS00010.txt", "PDS13CF1grf.txt", "quijoux2021_test.csv"])
def test_analyze_prints_the_descriptors_as_json_for_each_shared_format(name: str, example) -> None:
    result = runner.invoke(app, ["balance", "analyze", str(example(name)), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["preset"] == "quijoux2021" and out["sampling_rate_hz"] == 25.0 and out["n_samples"] > 1400
    velocity = next(d for d in out["descriptors"] if d["quijoux_name"] == "mean_velocity_ML_AND_AP")
    assert velocity == {"name": "mean_velocity_planar", "quijoux_name": "mean_velocity_ML_AND_AP",
                        "domain": "dynamic", "value": velocity["value"], "unit": "cm/s"}
    assert len(out["descriptors"]) == 75


def test_native_preset_keeps_100_hz_and_the_height_gives_an_equilibrium_score(example) -> None:
    result = runner.invoke(app, ["balance", "analyze", str(example("BDS00001.txt")), "--preset", "native",
                                 "--height-cm", "157.5", "--vision", "closed", "--json"])
    out = json.loads(result.stdout)
    assert (out["sampling_rate_hz"], out["n_samples"]) == (100.0, 6000)
    assert 0 < out["equilibrium_score"] <= 100
    assert out["condition"]["vision"] == "closed"


def test_a_generic_table_is_read_with_the_columns_named(tmp_path: Path, example) -> None:
    raw = pd.read_csv(example("BDS00001.txt"), sep="\t")
    pd.DataFrame({"fwd": raw["COPx[cm]"] * 10, "side": raw["COPy[cm]"] * 10}).to_csv(tmp_path / "t.csv", index=False)
    result = runner.invoke(app, ["balance", "analyze", str(tmp_path / "t.csv"), "--ap-column", "fwd",
                                 "--ml-column", "side", "--units", "mm", "--sampling-rate-hz", "100", "--json"])
    assert result.exit_code == 0, result.output
    reference = json.loads(runner.invoke(app, ["balance", "analyze", str(example("BDS00001.txt")), "--json"]).stdout)
    ours = {d["name"]: d["value"] for d in json.loads(result.stdout)["descriptors"]}
    assert ours["mean_velocity_planar"] == pytest.approx(
        next(d["value"] for d in reference["descriptors"] if d["name"] == "mean_velocity_planar"), rel=1e-9)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["--preset", "fancy"], "unknown preset"), (["--units", "inch"], "unknown units"),
     (["--format", "xls"], "unknown format")],
)
def test_analyze_refuses_bad_options_with_status_2(arguments: list[str], message: str, example) -> None:
    result = runner.invoke(app, ["balance", "analyze", str(example("BDS00001.txt")), *arguments])
    assert result.exit_code == 2 and message in result.stderr


def test_analyze_refuses_a_short_trial_with_status_2(tmp_path: Path) -> None:
    (tmp_path / "short.csv").write_text("Time,AP[cm],ML[cm]\n" + "".join(f"{i / 100},{i % 7 / 10},{i % 5 / 10}\n"
                                                                         for i in range(200)))
    result = runner.invoke(app, ["balance", "analyze", str(tmp_path / "short.csv")])
    assert result.exit_code == 2 and "at least 10 s" in result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_batch_writes_one_row_per_file_and_names_the_files_it_refused(tmp_path: Path, suffix: str, example) -> None:
    folder = tmp_path / "trials"
    folder.mkdir()
    names = [n for n in POSTUROGRAPHY if n.startswith("BDS")][:4]
    for name in names:
        (folder / name).symlink_to(example(name))
    (folder / "notes.txt").write_text("not a recording\n")
    out = tmp_path / f"table{suffix}"
    result = runner.invoke(app, ["balance", "batch", str(folder), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False) if suffix == ".csv" else pd.read_parquet(out)
    assert sorted(table["file"]) == sorted([*names, "notes.txt"])
    assert (table.loc[table["file"] != "notes.txt", "error"] == "").all()
    assert "notes.txt" in result.stderr and "4 trials analysed, 1 refused" in result.stderr
    single = json.loads(runner.invoke(app, ["balance", "analyze", str(example(names[0])), "--json"]).stdout)
    row = table[table["file"] == names[0]].iloc[0]
    assert float(row["ellipse_area_95_planar"]) == pytest.approx(
        next(d["value"] for d in single["descriptors"] if d["name"] == "ellipse_area_95_planar"), rel=1e-12)
