"""Damaged uploads of every format, made by seeded mutation of the example recordings, through the
services that read them: each answered by a result or a refusal naming the file, never by a crash of
this process, a hang, or a leak (files, processes, memory, open descriptors).

One round per run (72 files through the services and 60 camera frames, about 10 s on two cores): C3D
force plates, BDS and Motive text exports, gaitmap IMU files, a head sensor's joint position sense test,
AVI and MP4 clips, and live JPEG frames.
``REEDUCATE_FUZZ_SEED`` starts from another seed and ``REEDUCATE_FUZZ_ROUNDS`` runs more rounds; a
failure names each case's kind, method and seed, which ``mutations.case`` makes again.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.isolation import MEMORY_MIB, Limits, readers
from reeducate.clinic.services import balance, movement
from reeducate.clinic.vocabulary import MovementKind
from reeducate.example_data import fetch
from reeducate.feedback.adapters.base import DeviceError
from reeducate.feedback.adapters.camera import decode_frame
from reeducate.signals.posturography.clinical import Condition
from tests.fuzz import mutations
from tests.fuzz.corpus import TRIAL_C3D
from tests.signals.jps_data import NECK_PLAN, head_imu_samples, plan_series, write_imu_csv

FIRST_SEED = int(os.environ.get("REEDUCATE_FUZZ_SEED", "0"))
ROUNDS = int(os.environ.get("REEDUCATE_FUZZ_ROUNDS", "1"))
#: Cases per round of each kind of file (a video case poses its frames: the dearest by far).
PER_ROUND = {"c3d": 30, "bds": 10, "motive": 8, "imu": 10, "jps": 8, "avi": 3, "mp4": 3, "jpeg": 60}
#: Time limits for these small files: each reads in well under a second (the clips' 24 frames in ~2 s).
RECORDING_S, VIDEO_S = 5.0, 30.0


@dataclass(frozen=True)
class Base:
    """A sound file of one kind, how its cases are mutated, and how the service is asked about one."""

    filename: str
    content: bytes
    mutator: str
    ask: Callable[[str, bytes], Any]


def _lines(path: Path, count: int) -> bytes:
    return b"\n".join(path.read_bytes().split(b"\n")[:count]) + b"\n"


def _trial(name: str, content: bytes) -> Any:
    return balance.analyse(balance.TrialUpload(name, content, Condition()))


def _walk(name: str, content: bytes) -> Any:
    return movement.analyse(movement.MovementUpload(name, content, MovementKind.IMU_GAIT, sampling_rate_hz=204.8))


def _jps(name: str, content: bytes) -> Any:
    return movement.analyse(movement.MovementUpload(name, content, MovementKind.JOINT_POSITION_SENSE,
                                                    joint="cervical_rotation", source="imu"))


def _head_test(folder: Path) -> bytes:
    """A head sensor's cervical relocation test at 50 Hz (tests/signals/jps_data.py), as a one-sensor CSV."""
    yaw, _ = plan_series(NECK_PLAN, fs=50.0)
    return write_imu_csv(folder / "head.csv", *head_imu_samples(yaw, 50.0), 50.0).read_bytes()


def _clip(name: str, content: bytes) -> Any:
    return movement.analyse(movement.MovementUpload(name, content, MovementKind.VIDEO))


def _clips(folder: Path) -> dict[str, bytes]:
    """24 frames of the Pose2Sim balancing clip at 96x170, as MJPEG AVI and as MPEG-4 Part 2 MP4."""
    import cv2

    capture = cv2.VideoCapture(str(fetch("balancing_cam04.mp4")))
    pictures = [cv2.resize(capture.read()[1], (96, 170)) for _ in range(24)]
    capture.release()
    made = {}
    for suffix, fourcc in (("avi", "MJPG"), ("mp4", "mp4v")):
        path = folder / f"clip.{suffix}"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 30, (96, 170))
        for picture in pictures:
            writer.write(picture)
        writer.release()
        made[suffix] = path.read_bytes()
    return made


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Base]:
    clips = _clips(tmp_path_factory.mktemp("clips"))
    return {
        "c3d": Base("trial.c3d", TRIAL_C3D.read_bytes(), "c3d", _trial),
        "bds": Base("BDS00001.txt", _lines(fetch("BDS00001.txt"), 1201), "text", _trial),  # 12 s
        "motive": Base("motive.csv", _lines(fetch("quijoux2021_test.csv"), 34 + 1500), "text", _trial),
        "imu": Base("walk.csv", _lines(fetch("gaitmap_imu_sample.csv"), 2 + 4000), "text", _walk),  # 20 s
        "jps": Base("head.csv", _head_test(tmp_path_factory.mktemp("jps")), "text", _jps),  # 44 s
        "avi": Base("clip.avi", clips["avi"], "video", _clip),
        "mp4": Base("clip.mp4", clips["mp4"], "video", _clip),
    }


def _children() -> set[int]:
    """This process's child processes (the reader pool's fork server and workers)."""
    mine = str(os.getpid())
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while being looked at
        if fields[1] == mine:
            found.add(int(stat.parent.name))
    return found


def _resident_mib() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def _upload_folders() -> int:
    """Upload folders left in this test's temporary folder (its own: other test processes upload too)."""
    return len(list(Path(tempfile.gettempdir()).glob("reeducate-upload-*")))


def _seeds(kind: str) -> Iterator[int]:
    per_run = PER_ROUND[kind] * ROUNDS
    return iter(range(FIRST_SEED * per_run, FIRST_SEED * per_run + per_run))


def _answer(base: Base, seed: int) -> tuple[str, str, float]:
    """(method, what the service answered: analysed or the refusal, seconds) for one case."""
    method, data = mutations.case(base.mutator, base.content, seed)
    began = time.perf_counter()
    try:
        base.ask(base.filename, data)
        said = "analysed"
    except InvalidInput as refused:
        said = refused.message
    return method, said, time.perf_counter() - began


def test_damaged_uploads_are_analysed_or_refused_by_name_and_nothing_leaks(
        bases: dict[str, Base], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for service in (balance, movement):
        monkeypatch.setattr(service, "RECORDING", Limits(memory_mib=MEMORY_MIB, timeout_s=RECORDING_S))
    monkeypatch.setattr(movement, "VIDEO", Limits(memory_mib=MEMORY_MIB, timeout_s=VIDEO_S))
    for base in bases.values():  # each sound file is analysed, and the pool is warm before counting
        base.ask(base.filename, base.content)
    children, resident, descriptors, folders = (_children(), _resident_mib(), len(os.listdir("/proc/self/fd")),
                                                _upload_folders())
    cases = [(kind, seed) for kind, base in bases.items() for seed in _seeds(kind)]
    with ThreadPoolExecutor(2) as threads:  # both workers of the reader pool busy
        answers = list(threads.map(lambda case: _answer(bases[case[0]], case[1]), cases))
    unclear = {f"{kind} {method} seed {seed}": said for (kind, seed), (method, said, _) in zip(cases, answers, strict=True)
               if said != "analysed" and not said.startswith(f"{bases[kind].filename}")}
    assert unclear == {}, "refusals that do not name the file"
    failed = [f"{kind} {method} seed {seed}" for (kind, seed), (method, said, _) in zip(cases, answers, strict=True)
              if "the reader failed on it" in said]
    assert failed == [], "a reader raised an error of its own (see the log) instead of refusing with a reason"
    slowest = max(seconds for _, _, seconds in answers)
    assert slowest < VIDEO_S + 10
    assert readers().read("still.txt", b"x", Limits(memory_mib=MEMORY_MIB, timeout_s=5), os.path.getsize) == 1
    # each job's worker is replaced by a fresh one: the pool may still be reaping the last ones
    assert _settles(lambda: len(_children()) <= len(children)), (children, _children())
    assert _settles(lambda: len(os.listdir("/proc/self/fd")) <= descriptors + 4), os.listdir("/proc/self/fd")
    assert _upload_folders() == folders
    assert _resident_mib() < resident + 200


def _settles(holds: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Whether ``holds()`` is true, or becomes so within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not holds():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_damaged_camera_frames_are_decoded_or_skipped_quickly() -> None:
    import cv2

    capture = cv2.VideoCapture(str(fetch("sports2d_demo.mp4")))
    picture = cv2.resize(capture.read()[1], (640, 360))
    capture.release()
    base = cv2.imencode(".jpg", picture)[1].tobytes()
    outcomes: dict[str, int] = {}
    for seed in _seeds("jpeg"):
        method, data = mutations.case("jpeg", base, seed)
        began = time.perf_counter()
        try:
            frame = decode_frame(data)
            assert frame.ndim == 3 and frame.shape[0] * frame.shape[1] <= 4096 * 4096
            outcome = "decoded"
        except DeviceError as skipped:
            assert skipped.retryable
            outcome = "skipped"
        assert time.perf_counter() - began < 1.0, f"jpeg {method} seed {seed} took too long"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert sum(outcomes.values()) == PER_ROUND["jpeg"] * ROUNDS


def test_a_frame_that_states_16000x16000_pixels_is_skipped_before_it_is_decoded() -> None:
    import cv2

    base = bytearray(cv2.imencode(".jpg", np.zeros((360, 640, 3), np.uint8))[1].tobytes())
    at = base.find(b"\xff\xc0")
    base[at + 5:at + 9] = (16000).to_bytes(2, "big") * 2
    began = time.perf_counter()
    with pytest.raises(DeviceError, match="16000x16000 pixels was skipped"):
        decode_frame(bytes(base))
    assert time.perf_counter() - began < 0.05
