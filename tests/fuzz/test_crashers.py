"""Every C3D that crashed ezc3d or sent it into a loop (tests/fuzz/crashers/, README.md there) is refused
cleanly through the balance service: a refusal naming the file, and the reader pool goes on."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.isolation import MEMORY_MIB, Limits
from reeducate.clinic.services import balance
from reeducate.signals.posturography.clinical import Condition
from tests.fuzz import mutations
from tests.fuzz.corpus import HANG, HERE, SEGFAULT, TRIAL_C3D, crashers


@pytest.fixture
def short_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """2 s instead of 60 s before a reading counts as hung: the base trial reads in a tenth of that."""
    monkeypatch.setattr(balance, "RECORDING", Limits(memory_mib=MEMORY_MIB, timeout_s=2.0))


def _refusal(path: Path) -> str:
    try:
        balance.analyse(balance.TrialUpload(path.name, path.read_bytes(), Condition()))
    except InvalidInput as refused:
        return refused.message
    return "analysed"


def test_every_crasher_is_made_again_from_its_method_and_seed_as_the_readme_lists_it() -> None:
    base, readme = TRIAL_C3D.read_bytes(), (HERE / "README.md").read_text()
    for path in crashers():
        method, seed, _ = path.stem.split("-")
        assert mutations.c3d(base, int(seed), method) == path.read_bytes(), path.name
        assert f"| {path.name} | {method} | {seed} |" in readme, path.name


def test_the_testers_c3d_with_8_bytes_of_its_parameter_section_changed_is_refused_as_a_crash() -> None:
    assert _refusal(SEGFAULT) == (f"{SEGFAULT.name} could not be read: the file appears damaged (the reader "
                                  "crashed); export it again and upload that.")
    assert balance.analyse(balance.TrialUpload("trial.c3d", TRIAL_C3D.read_bytes(), Condition())).n_samples > 0


def test_a_c3d_the_reader_never_finishes_is_stopped_and_refused(short_time_limit: None) -> None:
    assert _refusal(HANG).startswith(f"{HANG.name} could not be read: reading it took over 2 s")


@pytest.mark.slow
def test_every_crasher_found_is_refused_by_name(short_time_limit: None) -> None:
    found = crashers()
    assert len(found) >= 50
    with ThreadPoolExecutor(2) as threads:  # both workers of the pool busy
        refusals = dict(zip(found, threads.map(_refusal, found), strict=True))
    assert {path.name: said for path, said in refusals.items()
            if not said.startswith(f"{path.name} could not be read: ")} == {}
