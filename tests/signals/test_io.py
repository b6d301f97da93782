"""Reading force-plate recordings: the shared layouts without options, C3D, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ezc3d
import numpy as np
import pandas as pd
import pytest

from reeducate.signals.balance import analyze_cop
from reeducate.signals.errors import RecordingError
from reeducate.signals.io import ColumnOptions, read_cop
from reeducate.signals.io.plate import cop_from_moments, net_cop

Example = Callable[[str], Path]


def test_bds_files_give_ap_from_copx_in_metres(example: Example) -> None:
    path = example("BDS00001.txt")
    raw = pd.read_csv(path, sep="\t")
    recording = read_cop(path)
    assert recording.sampling_rate_hz == 100.0 and recording.n_samples == 6000 and recording.is_uniform
    np.testing.assert_allclose(recording.ap_m, raw["COPx[cm]"] / 100, rtol=1e-12)
    np.testing.assert_allclose(recording.ml_m, raw["COPy[cm]"] / 100, rtol=1e-12)


def test_bds_cop_columns_equal_the_cop_computed_from_its_moments(example: Example) -> None:
    raw = pd.read_csv(example("BDS00004.txt"), sep="\t")
    x, y = cop_from_moments(raw["Fx[N]"], raw["Fy[N]"], raw["Fz[N]"], raw["Mx[Nm]"], raw["My[Nm]"])
    np.testing.assert_allclose(x * 100, raw["COPx[cm]"], atol=1e-6)
    np.testing.assert_allclose(y * 100, raw["COPy[cm]"], atol=1e-6)


def test_a_dual_plate_gives_the_net_cop_and_each_foots_share_of_weight(example: Example) -> None:
    path = example("PDS13OR1grf.txt")
    raw = pd.read_csv(path, sep="\t")
    recording = read_cop(path)
    # the net COP of the two feet, weighted by vertical force, is the file's own net COP (to 0.01 mm)
    np.testing.assert_allclose(recording.ap_m, raw["COPNET_X"], atol=1e-5)
    np.testing.assert_allclose(recording.ml_m, raw["COPNET_Z"], atol=1e-5)
    right = recording.feet.right_n.mean() / (recording.feet.right_n.mean() + recording.feet.left_n.mean())
    assert right == pytest.approx(0.455, abs=0.001)  # the data set's README: 45.5 % right in OR1


def test_net_cop_ignores_an_unloaded_plate() -> None:
    x, y = net_cop((np.array([0.1, np.nan]), np.array([0.0, np.nan])), np.array([300.0, 0.0]),
                   (np.array([0.3, 0.3]), np.array([0.2, 0.2])), np.array([100.0, 400.0]))
    np.testing.assert_allclose(x, [0.15, 0.3])
    np.testing.assert_allclose(y, [0.05, 0.2])


def test_the_motive_export_is_read_from_forces_and_moments_with_its_dropouts_trimmed(example: Example) -> None:
    path = example("quijoux2021_test.csv")
    recording = read_cop(path)
    raw = pd.read_csv(path, skiprows=33)
    raw.columns = [c.strip() for c in raw.columns]
    assert recording.n_samples == 15600  # five trailing no-load frames trimmed
    assert recording.dropouts.sum() == 2  # frames 1 and 2 have no load inside the trial
    loaded = raw["Fz"].to_numpy()[:15600] > 20
    np.testing.assert_allclose(recording.ml_m[loaded], raw["Cx"].to_numpy()[:15600][loaded], atol=1e-6)
    np.testing.assert_allclose(recording.ap_m[loaded], raw["Cy"].to_numpy()[:15600][loaded], atol=1e-6)
    assert any("trimmed" in w for w in recording.warnings)


def _write_c3d(path: Path, fx, fy, fz, mx, my, rate: float = 100.0) -> None:
    """A C3D with one AMTI-type (type 2) plate at the origin whose analog channels are F and M."""
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [rate]
    c3d["parameters"]["ANALOG"]["RATE"]["value"] = [rate]
    c3d["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    c3d["parameters"]["ANALOG"]["LABELS"]["value"] = ["Fx", "Fy", "Fz", "Mx", "My", "Mz"]
    c3d["parameters"]["ANALOG"]["UNITS"]["value"] = ["N", "N", "N", "Nmm", "Nmm", "Nmm"]
    c3d["data"]["analogs"] = np.array([fx, fy, fz, mx * 1000, my * 1000, np.zeros_like(fx)])[None, :, :]
    plate = c3d["parameters"]["FORCE_PLATFORM"]  # ezc3d's template already types these (INT, FLOAT)
    plate["USED"]["value"] = np.array([1])
    plate["TYPE"]["value"] = np.array([2])
    plate["CHANNEL"]["value"] = np.arange(1, 7)[:, None]
    plate["CORNERS"]["value"] = np.array([[232, 254, 0], [-232, 254, 0], [-232, -254, 0], [232, -254, 0]],
                                         dtype=float).T[:, :, None]
    plate["ORIGIN"]["value"] = np.zeros((3, 1))
    plate["CAL_MATRIX"]["value"] = np.eye(6)[:, :, None]
    c3d["data"]["points"] = np.zeros((4, 0, len(fx)))
    c3d.write(str(path))


def test_a_c3d_plate_gives_the_same_cop_as_the_text_export(example: Example, tmp_path: Path) -> None:
    raw = pd.read_csv(example("BDS00001.txt"), sep="\t")
    columns = [raw[c].to_numpy() for c in ("Fx[N]", "Fy[N]", "Fz[N]", "Mx[Nm]", "My[Nm]")]
    _write_c3d(tmp_path / "trial.c3d", *columns)
    recording = read_cop(tmp_path / "trial.c3d")
    assert recording.sampling_rate_hz == 100.0 and recording.n_samples == 6000
    # ezc3d works in the lab frame (z up, the plate's z down): AP and ML keep magnitude, not the sign
    np.testing.assert_allclose(np.abs(recording.ap_m), np.abs(raw["COPx[cm]"] / 100), atol=1e-6)
    np.testing.assert_allclose(np.abs(recording.ml_m), np.abs(raw["COPy[cm]"] / 100), atol=1e-6)


def test_a_cop_table_needs_its_columns_and_units_named_unless_the_header_says(tmp_path: Path) -> None:
    time = np.arange(3000) / 50
    table = pd.DataFrame({"t": time, "COP AP [mm]": 5 * np.sin(time), "COP ML [mm]": 2 * np.cos(time)})
    table.to_csv(tmp_path / "export.csv", index=False)
    recording = read_cop(tmp_path / "export.csv")
    assert recording.sampling_rate_hz == 50.0
    np.testing.assert_allclose(recording.ap_m, 0.005 * np.sin(time))
    table.columns = ["t", "forward", "side"]
    table.to_csv(tmp_path / "plain.csv", index=False)
    with pytest.raises(RecordingError, match="which column is AP"):
        read_cop(tmp_path / "plain.csv")
    with pytest.raises(RecordingError, match="units"):
        read_cop(tmp_path / "plain.csv", options=ColumnOptions(ap_column="forward", ml_column="side"))
    named = read_cop(tmp_path / "plain.csv", options=ColumnOptions(ap_column="forward", ml_column="side", units="mm"))
    np.testing.assert_allclose(named.ml_m, 0.002 * np.cos(time))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"Time,AP[cm],ML[cm]\n", "no rows"),
        (b"Time,AP[cm],ML[cm]\n" + b"".join(b"%d,nan,nan\n" % i for i in range(200)), "every sample is missing"),
        (b"AP[cm]\n" + b"1\n" * 100, "only one column"),
        (b"\x00\x01\x02\xff\xfe" * 200, "not a text file"),
        (b"Time,AP[cm],ML[cm]\n0,1,1\n0.01,abc,1\n", "not a number"),
        (b"Time,AP[cm],ML[cm]\n0,1,1\n0.01,1,1\n0.005,1,1\n", "does not increase"),
    ],
    ids=["empty", "header-only", "all-nan", "one-column", "binary", "text-in-numbers", "time-backwards"],
)
def test_bad_files_are_refused_with_a_reason(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=message):
        read_cop(path)


def test_a_truncated_c3d_is_refused(example: Example, tmp_path: Path) -> None:
    raw = pd.read_csv(example("BDS00001.txt"), sep="\t")
    _write_c3d(tmp_path / "whole.c3d", *(raw[c].to_numpy() for c in ("Fx[N]", "Fy[N]", "Fz[N]", "Mx[Nm]", "My[Nm]")))
    data = (tmp_path / "whole.c3d").read_bytes()
    (tmp_path / "cut.c3d").write_bytes(data[: len(data) // 3])
    with pytest.raises(RecordingError, match="C3D"):
        read_cop(tmp_path / "cut.c3d")


def _sine_table(tmp_path: Path, seconds: float, scale: float, unit: str) -> Path:
    time = np.arange(int(seconds * 100)) / 100
    path = tmp_path / f"trial_{unit}.csv"
    pd.DataFrame({"Time": time, f"AP[{unit}]": scale * np.sin(time), f"ML[{unit}]": scale * np.cos(time)}).to_csv(
        path, index=False)
    return path


def test_a_two_second_trial_is_too_short_for_the_descriptors(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=r"lasts 2\.0 s.*at least 10 s"):
        analyze_cop(read_cop(_sine_table(tmp_path, 2, 1.0, "cm")), "native")


def test_millimetres_labelled_as_centimetres_are_caught(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="units are probably wrong"):
        analyze_cop(read_cop(_sine_table(tmp_path, 30, 200.0, "cm")))


def test_metres_labelled_as_centimetres_are_caught(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="units are wrong"):
        analyze_cop(read_cop(_sine_table(tmp_path, 30, 0.0002, "cm")))


def test_a_long_dropout_is_refused_and_a_short_one_bridged_with_a_warning(tmp_path: Path) -> None:
    time = np.arange(3000) / 100
    ap = np.sin(time)
    short, long = ap.copy(), ap.copy()
    short[500:505] = np.nan
    long[500:600] = np.nan
    for name, series in (("short", short), ("long", long)):
        pd.DataFrame({"Time": time, "AP[cm]": series, "ML[cm]": np.cos(time)}).to_csv(tmp_path / f"{name}.csv", index=False)
    for preset in ("quijoux2021", "native"):
        result = analyze_cop(read_cop(tmp_path / "short.csv"), preset)
        assert any("5 missing samples" in w for w in result.warnings)
        with pytest.raises(RecordingError, match=r"dropout of 1\.0\d s"):
            analyze_cop(read_cop(tmp_path / "long.csv"), preset)


def test_native_refuses_a_jittery_time_base_that_quijoux2021_resamples(tmp_path: Path) -> None:
    rng = np.random.default_rng(seed=5)
    time = np.cumsum(rng.uniform(0.005, 0.015, 3000))
    pd.DataFrame({"Time": time, "AP[cm]": np.sin(time), "ML[cm]": np.cos(time)}).to_csv(tmp_path / "j.csv", index=False)
    recording = read_cop(tmp_path / "j.csv")
    with pytest.raises(RecordingError, match="not uniform"):
        analyze_cop(recording, "native")
    assert analyze_cop(recording, "quijoux2021").sampling_rate_hz == 25.0
