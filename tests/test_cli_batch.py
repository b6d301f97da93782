"""`reeducate balance batch` and `gait batch` on a Dask cluster give the local table, row for row.

One LocalCluster of two worker processes serves the module (the team's cluster in miniature: a scheduler
at a tcp:// address, workers in other processes). Each cohort is the repository's example recordings plus
files that must give error rows (not a recording, a wrong rate, a missing file), run once on this machine's
process pool and once on the cluster, in both ways files reach the workers; the Parquet tables must be
equal exactly (NaN equal to NaN).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

from reeducate.cli import app
from reeducate.example_data import POSTUROGRAPHY, REGISTRY, fetch
from reeducate.signals.batch import Job
from reeducate.signals.cluster import choose_file_mode, connect
from reeducate.signals.errors import CohortError
from reeducate.signals.gait import analyze_gait
from reeducate.signals.io.imu import read_imu

# One xdist worker runs the module, so its Dask cluster starts once (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("dask-cluster")

runner = CliRunner()

GAIT_MANIFEST = [  # path, sensor, side, sampling_rate_hz, sensor_height_m (None: the default)
    ("gaitmap_imu_sample.csv", "foot", None, 204.8, None),
    ("gaitmap_imu_sample_not_rotated.csv", "foot", None, 204.8, None),
    ("gaitmap_imu_sample_ic_stride.csv", "foot", None, 102.4, None),
    ("gaitmap_imu_sample_ms_left.csv", "foot", "left", 102.4, None),
    ("gaitmap_imu_sample_ms_right.csv", "foot", "right", 102.4, None),
    ("mobgap_HA_001_TimeMeasure1_Test5_Trial1.csv", "lower-back", None, 100.0, 0.964),
    ("gaitpy_demo_data.csv", "lower-back", None, None, None),
    ("gaitmap_imu_sample.csv", "foot", None, 40.0, None),  # a wrong rate: an error row
    ("notes.csv", None, None, None, None),  # not a recording
    ("missing.csv", None, None, None, None),  # not there at all
]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a two-process cluster, started once for the module, its workers past their first import
    of the engines (seconds on a busy machine) so that each test times its own work."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with Client(cluster) as client:
            client.run(import_module, "reeducate.signals.batch")
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def trials(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of every example force-plate trial and a file that is not one."""
    folder = tmp_path_factory.mktemp("trials")
    for name in POSTUROGRAPHY:
        (folder / name).symlink_to(fetch(name))
    (folder / "notes.txt").write_text("not a recording\n")
    return folder


@pytest.fixture(scope="module")
def gait_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Parquet manifest of every example IMU recording with its options (paths relative to it)."""
    folder = tmp_path_factory.mktemp("gait")
    (folder / "recordings").mkdir()
    for name, *_ in GAIT_MANIFEST:
        if name in REGISTRY and not (folder / "recordings" / name).exists():
            (folder / "recordings" / name).symlink_to(fetch(name))
    (folder / "recordings" / "notes.csv").write_text("a,b\n1,2\n")
    manifest = pd.DataFrame(GAIT_MANIFEST, columns=["path", "sensor", "side", "sampling_rate_hz", "sensor_height_m"])
    manifest["path"] = "recordings/" + manifest["path"]
    manifest["subject"] = [f"S{i:02d}" for i in range(len(manifest))]  # a column of the team's: left alone
    manifest.to_parquet(folder / "manifest.parquet", index=False)
    return folder / "manifest.parquet"


def batch(kind: str, source: Path, out: Path, *options: str) -> pd.DataFrame:
    """The table `reeducate KIND batch SOURCE --out OUT OPTIONS` wrote (the command must succeed)."""
    result = runner.invoke(app, [kind, "batch", str(source), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return pd.read_parquet(out)


@pytest.fixture(scope="module")
def local_tables(trials: Path, gait_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """Each cohort's table from this machine's process pool."""
    out = tmp_path_factory.mktemp("local")
    return {"balance": batch("balance", trials, out / "balance.parquet", "--workers", "2"),
            "gait": batch("gait", gait_manifest, out / "gait.parquet", "--workers", "2")}


def test_the_local_tables_have_one_row_per_file_in_order_with_the_errors_as_rows(
        local_tables: dict[str, pd.DataFrame], trials: Path) -> None:
    balance, gait = local_tables["balance"], local_tables["gait"]
    assert list(balance["file"]) == sorted(p.name for p in trials.iterdir())
    assert list(balance.loc[balance["error"] != "", "file"]) == ["notes.txt"]
    assert list(gait["path"]) == [f"recordings/{name}" for name, *_ in GAIT_MANIFEST]
    refused = gait.loc[gait["error"] != ""]
    assert list(refused["file"]) == ["gaitmap_imu_sample.csv", "notes.csv", "missing.csv"]
    assert "sampling rate is probably wrong" in refused["error"].iloc[0]
    assert "no such file" in refused["error"].iloc[2]
    # Each row is the engine's result for its file (its accuracy is tests/signals/test_gait.py's business).
    back = analyze_gait(read_imu(fetch("mobgap_HA_001_TimeMeasure1_Test5_Trial1.csv"), sampling_rate_hz=100,
                                 sensor="lower_back"), sensor="lower_back", sensor_height_m=0.964)
    feet = analyze_gait(read_imu(fetch("gaitmap_imu_sample.csv"), sampling_rate_hz=204.8))
    lower_back = gait.iloc[5]
    assert lower_back["sensor"] == "lower_back" and pd.isna(lower_back["n_strides"])
    assert lower_back["n_steps"] == back.summary["n_steps"] > 0
    assert gait.iloc[0]["n_strides"] == feet.summary["n_strides"] >= 57 and gait.iloc[0]["n_turns"] == len(feet.turns)


@pytest.mark.parametrize("files", ["shared", "send"])
@pytest.mark.parametrize("kind", ["balance", "gait"])
def test_the_cluster_gives_the_local_table_row_for_row(kind: str, files: str, scheduler: str, trials: Path,
                                                        gait_manifest: Path, local_tables: dict[str, pd.DataFrame],
                                                        tmp_path: Path) -> None:
    source = trials if kind == "balance" else gait_manifest
    on_cluster = batch(kind, source, tmp_path / "rows.parquet", "--cluster", scheduler, "--files", files)
    pd.testing.assert_frame_equal(on_cluster, local_tables[kind], check_exact=True)


def test_auto_reads_the_files_at_their_paths_when_every_worker_sees_them(scheduler: str, trials: Path,
                                                                          tmp_path: Path) -> None:
    result = runner.invoke(app, ["balance", "batch", str(trials), "--out", str(tmp_path / "t.csv"),
                                 "--cluster", scheduler])
    assert result.exit_code == 0, result.output
    assert "files read by the workers at their paths" in " ".join(result.stderr.split())
    assert len(pd.read_csv(tmp_path / "t.csv")) == len(POSTUROGRAPHY) + 1


def test_auto_sends_the_bytes_when_a_worker_cannot_see_a_file(scheduler: str, tmp_path: Path) -> None:
    seen = Job("seen.txt", fetch("BDS00001.txt"))
    unseen = Job("elsewhere.txt", tmp_path / "on-another-machine.txt")
    with Client(scheduler) as client:
        assert choose_file_mode(client, [seen], "auto") == "shared"
        assert choose_file_mode(client, [seen, unseen], "auto") == "send"


def test_workers_with_another_engine_are_refused(scheduler: str) -> None:
    def pretend(fingerprint: str | None) -> None:  # run on each worker: its engine says ``fingerprint``
        import sys

        cluster = sys.modules["reeducate.signals.cluster"]
        if fingerprint is None:
            cluster.engine_fingerprint = cluster._real_fingerprint
        else:
            cluster._real_fingerprint = getattr(cluster, "_real_fingerprint", cluster.engine_fingerprint)
            cluster.engine_fingerprint = lambda: fingerprint

    with Client(scheduler) as client:
        client.run(pretend, "reeducate 0.0.9 (engines 000000000000), numpy 1.0, scipy 1.0, pandas 1.0")
        try:
            with pytest.raises(CohortError, match=r"2 worker\(s\) of .* run another engine .*reeducate 0\.0\.9"):
                with connect(scheduler):
                    pass
        finally:
            client.run(pretend, None)
    with connect(scheduler):  # and once they agree, the cluster is accepted again
        pass


def test_a_scheduler_without_workers_is_refused(trials: Path, tmp_path: Path) -> None:
    with LocalCluster(n_workers=0, processes=True, dashboard_address=":0") as empty:
        result = runner.invoke(app, ["balance", "batch", str(trials), "--out", str(tmp_path / "t.parquet"),
                                     "--cluster", empty.scheduler_address, "--cluster-timeout-s", "0.5"])
    assert result.exit_code == 2 and "has no workers; start them with `dask worker" in " ".join(result.stderr.split())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("cluster", "message"),
    [("tcp://127.0.0.1:{free}", "no Dask scheduler answered"), ("10.0.0.5:8786", "give a scheduler's address"),
     ("local:none", "local:N takes a number")],
)
def test_a_cluster_out_of_reach_is_refused_with_status_2(cluster: str, message: str, trials: Path,
                                                         tmp_path: Path) -> None:
    cluster = cluster.format(free=_free_port())  # a port taken at run time: the same test id in every xdist worker
    result = runner.invoke(app, ["balance", "batch", str(trials), "--out", str(tmp_path / "t.parquet"),
                                 "--cluster", cluster, "--cluster-timeout-s", "0.5"])
    assert result.exit_code == 2 and message in " ".join(result.stderr.split())
    assert not (tmp_path / "t.parquet").exists()


@pytest.mark.slow
def test_local_n_starts_a_cluster_of_n_processes_for_the_run(gait_manifest: Path, tmp_path: Path,
                                                             local_tables: dict[str, pd.DataFrame]) -> None:
    result = runner.invoke(app, ["gait", "batch", str(gait_manifest), "--out", str(tmp_path / "g.parquet"),
                                 "--cluster", "local:1"])
    assert result.exit_code == 0, result.output
    assert "local:1 (1 worker thread;" in " ".join(result.stderr.split())
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "g.parquet"), local_tables["gait"], check_exact=True)


@pytest.mark.parametrize(
    ("kind", "manifest", "message"),
    [("gait", "file,sensor\na.csv,foot\n", "has no 'path' column"),
     ("gait", "path,sensor\na.csv,wrist\n", "a.csv: sensor 'wrist': choose foot or lower-back"),
     ("gait", "path,sampling_rate_hz\na.csv,fast\n", "a.csv: sampling_rate_hz 'fast': give a positive number"),
     ("balance", "path,preset\na.txt,fancy\n", "a.txt: unknown preset 'fancy'")],
)
def test_a_manifest_that_cannot_be_run_is_refused_with_status_2_before_any_work(kind: str, manifest: str,
                                                                              message: str, tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text(manifest)
    result = runner.invoke(app, [kind, "batch", str(tmp_path / "manifest.csv"), "--out", str(tmp_path / "t.parquet")])
    assert result.exit_code == 2 and message in " ".join(result.stderr.split())
    assert "Analysing" not in result.stderr


def test_every_column_of_the_tables_is_documented(local_tables: dict[str, pd.DataFrame]) -> None:
    cohorts = (Path(__file__).resolve().parents[1] / "docs" / "cohorts.md").read_text()
    balance = (Path(__file__).resolve().parents[1] / "docs" / "balance.md").read_text()
    undocumented = [c for c in local_tables["gait"].columns if f"`{c}`" not in cohorts]
    undocumented += [c for c in local_tables["balance"].columns if f"`{c}`" not in cohorts and f"`{c}`" not in balance]
    assert undocumented == []
