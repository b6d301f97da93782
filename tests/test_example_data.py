"""The example data lives in the repository: every registered file is there and intact, every file
there is registered, each set has its README and licence, and nothing reaches the team's shared folder."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from reeducate import example_data
from reeducate.example_data import REGISTRY, REPOSITORY_FOLDER, ExampleDataMissing, fetch

ROOT = Path(__file__).resolve().parents[1]
PAPERWORK = re.compile(r"^(README\.md|LICENSE.*|NOTICE.*|CC-BY-4\.0\.txt)$")


@pytest.fixture
def repository_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REEDUCATE_DATA_DIR", raising=False)
    example_data._digest.cache_clear()


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_registered_file_is_in_the_repository_and_intact(name: str, repository_only: None) -> None:
    assert fetch(name) == REPOSITORY_FOLDER / REGISTRY[name].path


def test_every_file_in_the_folder_is_registered() -> None:
    registered = {entry.path for entry in REGISTRY.values()}
    present = {p.relative_to(REPOSITORY_FOLDER).as_posix() for p in REPOSITORY_FOLDER.rglob("*")
               if p.is_file() and not PAPERWORK.match(p.name)}
    assert present == registered


def _nearest(folder: Path, pattern: str) -> list[Path]:
    """Files matching ``pattern`` in ``folder`` or its parents below the example-data folder."""
    found: list[Path] = []
    while folder != REPOSITORY_FOLDER:
        found += folder.glob(pattern)
        folder = folder.parent
    return found


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_set_has_its_readme_and_licence(name: str) -> None:
    folder = (REPOSITORY_FOLDER / REGISTRY[name].path).parent
    assert _nearest(folder, "README.md"), f"{name}: no README.md beside it (origin, licence, format, units)"
    licences = _nearest(folder, "LICENSE*") + _nearest(folder, "CC-BY-4.0.txt")
    assert licences, f"{name}: no licence file beside it"


def test_an_altered_file_is_refused_naming_where_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = REGISTRY["BDS00001.txt"]
    altered = tmp_path / entry.path
    altered.parent.mkdir(parents=True)
    altered.write_bytes((REPOSITORY_FOLDER / entry.path).read_bytes() + b"\n")
    monkeypatch.setenv("REEDUCATE_DATA_DIR", str(tmp_path))
    example_data._digest.cache_clear()
    with pytest.raises(ExampleDataMissing, match="SHA-256 mismatch.*figshare"):
        fetch("BDS00001.txt")


def test_a_data_dir_override_is_searched_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = REGISTRY["quijoux2021_test.csv"]
    copy = tmp_path / entry.path
    copy.parent.mkdir(parents=True)
    copy.write_bytes((REPOSITORY_FOLDER / entry.path).read_bytes())
    monkeypatch.setenv("REEDUCATE_DATA_DIR", str(tmp_path))
    example_data._digest.cache_clear()
    assert fetch("quijoux2021_test.csv") == copy


def test_nothing_in_the_project_reaches_the_shared_folder() -> None:
    """A clone is enough: no source, test, benchmark or build file names the team's shared data."""
    pattern = r"\.\./" + "shared|" + "shared/" + r"data|parents\[[0-9]\] */ *\"" + "shared" + '"'
    result = subprocess.run(["git", "grep", "-nE", pattern, "--", "src", "tests", "benchmarks", "Makefile", ".ci"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1, f"these lines reach the shared folder:\n{result.stdout}{result.stderr}"
