"""The reader pool: a job that crashes its process, passes the memory cap, overruns its time or fails
in a way no reader should is refused naming the file, and the pool carries on with the next job."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.isolation import Limits, ReaderPool, readers
from reeducate.signals.errors import RecordingError

QUICK = Limits(memory_mib=4096, timeout_s=3.0)


def crash(_path: Path) -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def allocate(_path: Path, gigabytes: float) -> int:
    return int(np.ones(int(gigabytes * 2**30), dtype=np.uint8).sum())


def spin(_path: Path) -> None:
    while True:
        time.sleep(0.01)


def fail(_path: Path) -> None:
    raise IndexError("index 7 is out of bounds for axis 0 with size 3")


def refuse(path: Path) -> None:
    raise RecordingError(f"{path.name}: the file holds no samples.")


def size_and_pid(path: Path) -> tuple[int, int]:
    return path.stat().st_size, os.getpid()


def test_a_job_runs_in_another_process_on_the_file_it_is_given() -> None:
    size, pid = readers().read("trial.csv", b"x" * 123, QUICK, size_and_pid)
    assert size == 123 and pid != os.getpid()


def test_every_job_has_a_fresh_process() -> None:
    pids = {readers().read("trial.csv", b"x", QUICK, size_and_pid)[1] for _ in range(3)}
    assert len(pids) == 3


def test_a_crashing_reader_is_a_refusal_and_the_next_job_runs() -> None:
    with pytest.raises(InvalidInput, match=r"^trial.c3d could not be read: the file appears damaged \(the reader "
                                           r"crashed\); export it again"):
        readers().read("trial.c3d", b"x", QUICK, crash)
    assert readers().read("next.csv", b"xy", QUICK, size_and_pid)[0] == 2


def test_a_reader_past_the_memory_cap_is_a_refusal() -> None:
    with pytest.raises(InvalidInput, match="needed over 1024 MiB of memory"):
        readers().read("trial.c3d", b"x", Limits(memory_mib=1024, timeout_s=30), allocate, 2.0)
    assert readers().read("small.c3d", b"x", QUICK, allocate, 0.01) == 2**30 // 100


def test_a_reader_past_its_time_is_stopped_and_refused() -> None:
    began = time.monotonic()
    with pytest.raises(InvalidInput, match="reading it took over 1 s"):
        readers().read("trial.c3d", b"x", Limits(memory_mib=4096, timeout_s=1.0), spin)
    assert time.monotonic() - began < 5
    assert readers().read("next.csv", b"x", QUICK, size_and_pid)[0] == 1


def test_a_readers_own_failure_is_a_refusal_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(InvalidInput, match=r"the reader failed on it"):
        readers().read("trial.c3d", b"x", QUICK, fail)
    assert "IndexError: index 7 is out of bounds" in caplog.text


def test_the_engines_refusal_comes_back_in_its_own_words() -> None:
    with pytest.raises(InvalidInput, match=r"^empty.csv: the file holds no samples\.$"):
        readers().read("empty.csv", b"x", QUICK, refuse)


def test_a_broken_pool_is_replaced_and_the_job_run_on_the_new_one() -> None:
    pool = ReaderPool()
    try:
        pool._pool.stop()  # as pebble leaves a pool whose worker died before its job was seen to start
        assert pool.read("next.csv", b"xyz", QUICK, size_and_pid)[0] == 3
    finally:
        pool.close()
