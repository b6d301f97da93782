"""A cohort's files: a folder, or a manifest whose cells override the options, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from reeducate.signals.batch import Job, analyse_locally, gait_row
from reeducate.signals.cohort import analyse_cohort, cohort_jobs
from reeducate.signals.errors import CohortError

# One xdist worker runs the module, so its Dask cluster starts once (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("dask-cluster")

DEFAULTS = {"sensor": "foot", "side": None, "sampling_rate_hz": None}


def test_a_csv_manifest_gives_each_file_its_own_options_and_reads_relative_paths_from_its_folder(
        tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("path,sampling_rate_hz,side,subject\n"
                                    "a/left.csv,102.4,left,S1\n"
                                    f"{tmp_path / 'b.csv'},,,S2\n")
    first, second = cohort_jobs(tmp_path / "m.csv", DEFAULTS)
    assert first == Job("a/left.csv", tmp_path / "a" / "left.csv",
                        {"sensor": "foot", "side": "left", "sampling_rate_hz": 102.4})
    assert second == Job(str(tmp_path / "b.csv"), tmp_path / "b.csv", DEFAULTS)
    assert type(first.options["sampling_rate_hz"]) is float  # a Python value, not a numpy scalar


def test_a_folder_gives_its_visible_files_by_name_with_the_same_options(tmp_path: Path) -> None:
    for name in ("b.csv", "a.csv", ".hidden"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / "sub").mkdir()
    assert [job.label for job in cohort_jobs(tmp_path, DEFAULTS)] == [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]


@pytest.mark.parametrize(
    ("content", "message"),
    [("file,side\nx.csv,left\n", "has no 'path' column (it has file, side)"), ("path\n", "lists no files"),
     ("path,side\n,left\n", "row 1: the path is empty")],
)
def test_a_manifest_that_names_no_files_is_refused(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "m.csv").write_text(content)
    with pytest.raises(CohortError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cohort_jobs(tmp_path / "m.csv", DEFAULTS)


def test_neither_a_folder_nor_a_table_is_refused(tmp_path: Path) -> None:
    (tmp_path / "trial.txt").write_text("x\n")
    with pytest.raises(CohortError, match=r"\.parquet or \.csv table"):
        cohort_jobs(tmp_path / "trial.txt", DEFAULTS)
    with pytest.raises(CohortError, match="no such folder or manifest"):
        cohort_jobs(tmp_path / "nowhere", DEFAULTS)


def test_each_row_starts_with_the_path_as_given_and_keeps_the_order(example) -> None:
    jobs = [Job(f"given/{name}", example(name), {"sensor": "foot", "sampling_rate_hz": rate})
            for name, rate in (("gaitmap_imu_sample_ic_stride.csv", 102.4), ("gaitmap_imu_sample.csv", 204.8))]
    rows = list(analyse_cohort(gait_row, jobs, workers=1))
    assert [row["path"] for row in rows] == [job.label for job in jobs]
    assert rows[1:] == [{"path": jobs[1].label, **row} for row in analyse_locally(gait_row, jobs[1:], workers=1)]
