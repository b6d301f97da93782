"""Surface EMG in the clinic: a file uploaded to a visit is kept with a job that reads and analyses it in the
reader pool and adds the recording; a file the engine refuses fails its job with the reason and is taken
back; amplitudes become %MVC against an earlier MVC recording of the same patient, whose file is read again;
what needs no reading (options, size, an MVC that is not this patient's) is refused at once. SQLite and
PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import Job, User
from reeducate.clinic.queue import JobQueue
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.schemas import EmgOptions
from reeducate.clinic.services import emg
from reeducate.clinic.vocabulary import JobStatus
from tests.clinic.conftest import row_counts
from tests.support import World

RATE_HZ = 1000
#: Each muscle's bursts (s) in the synthetic recording: the biceps fires first, the triceps 200 ms later.
BURSTS = {"biceps": [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)], "triceps": [(1.2, 1.8), (3.2, 3.8), (5.2, 5.8)]}


def emg_csv(amplitude_mv: float = 0.5, seconds: float = 7.0, seed: int = 3) -> bytes:
    """A made-up two-channel EMG export (CSV, mV, no rate stated): rest noise of 10 µV and bursts of
    ``amplitude_mv`` white noise at :data:`BURSTS`, reproducible."""
    rng = np.random.default_rng(seed)
    time = np.arange(int(seconds * RATE_HZ)) / RATE_HZ
    columns = []
    for index, spans in enumerate(BURSTS.values()):
        scale = np.full(time.size, 0.01)
        for start, end in spans:
            scale[(time >= start) & (time < end)] = amplitude_mv / (1 + index)
        columns.append(rng.normal(0, 1, time.size) * scale)
    rows = "".join(f"{b:.5f},{t:.5f}\n" for b, t in zip(*columns, strict=True))
    return ("biceps,triceps\n" + rows).encode()


def emg_upload(filename: str = "elbow.csv", content: bytes | None = None, **options: object) -> emg.EmgUpload:
    """The synthetic recording as a clinician uploads it: the rate given, the channels named as muscles."""
    chosen = {"channels": ["biceps=Biceps brachii", "triceps=Triceps brachii"], "rate_hz": RATE_HZ, "units": "mV",
              "pairs": [("Biceps brachii", "Triceps brachii")], **options}
    return emg.EmgUpload(filename, emg_csv() if content is None else content, EmgOptions.model_validate(chosen))


def actor(session: Session, world: World, persona: str = "therapist") -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _files(store: RecordingStore) -> list[str]:
    return sorted(p.name for p in store.root.rglob("*") if p.is_file())


def test_an_upload_is_kept_with_its_job_which_adds_the_analysed_recording(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    JobQueue("immediate", factory, store, 30.0)
    upload = emg_upload()
    with unit_of_work(factory) as session:
        job_id = emg.submit(session, actor(session, records), records.visit_open, upload, store).id
    with unit_of_work(factory) as session:
        job = session.get_one(Job, job_id)
        assert job.status is JobStatus.DONE and job.result is not None and job.result["type"] == "emg_recording", job.error
        stored = emg.get(session, actor(session, records, "patient"), job.result["ids"][0])
        assert stored.sha256 == hashlib.sha256(upload.content).hexdigest()
        assert store.read(stored.sha256) == upload.content
        assert (stored.channel_count, round(stored.duration_s, 1)) == (2, 7.0)
        biceps, triceps = stored.result["channels"]
        assert (biceps["name"], len(biceps["bursts"]), len(triceps["bursts"])) == ("Biceps brachii", 3, 3)
        assert abs(biceps["bursts"][0]["onset_s"] - 1.0) < 0.05 and abs(triceps["bursts"][0]["onset_s"] - 1.2) < 0.05
        order = [o["channel"] for o in stored.result["firing_order"]["order"]]
        assert order == ["Biceps brachii", "Triceps brachii"]
        assert stored.result["co_contraction"][0]["definition"].startswith("Falconer & Winter 1985")
        assert stored.options["channels"] == ["biceps=Biceps brachii", "triceps=Triceps brachii"]
        assert [r.id for r in emg.for_visit(session, actor(session, records), records.visit_open)] == [stored.id]


def test_a_file_the_engine_refuses_fails_its_job_with_the_reason_and_is_taken_back(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    JobQueue("immediate", factory, store, 30.0)
    before = _files(store)
    flat = emg_upload("flat.csv", b"biceps,triceps\n" + b"0.0,0.0\n" * 3000)
    with unit_of_work(factory) as session:
        job_id = emg.submit(session, actor(session, records), records.visit_open, flat, store).id
    with unit_of_work(factory) as session:
        job = session.get_one(Job, job_id)
        assert job.status is JobStatus.FAILED and job.error is not None and job.error.startswith("flat.csv: ")
        assert emg.for_visit(session, actor(session, records), records.visit_open) == []
    assert _files(store) == before


@pytest.mark.parametrize(("upload", "message"), [
    (lambda: emg_upload("slow.csv", rate_hz=None), "does not state its sampling rate"),
    (lambda: emg_upload("wrong.csv", channels=["biceps=Biceps brachii", "deltoid=Deltoid"], pairs=[]),
     "no channel named 'deltoid'"),
    (lambda: emg_upload("notes.docx", b"PK\x03\x04"), "not an EMG file Reeducate reads"),
    (lambda: emg_upload("empty.csv", b""), "the file is empty"),
])
def test_a_bad_file_is_refused_by_name_and_nothing_is_stored(
        factory: sessionmaker[Session], records: World, store: RecordingStore, upload, message: str) -> None:
    before, files = row_counts(factory), _files(store)
    with pytest.raises(InvalidInput, match=message), unit_of_work(factory) as session:
        emg.upload_recording(session, actor(session, records), records.visit_open, upload(), store)
    assert row_counts(factory) == before and _files(store) == files


def test_amplitudes_are_a_share_of_the_patients_mvc_whose_file_is_read_again(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        mvc = emg.upload_recording(session, actor(session, records), records.visit_open,
                                   emg_upload("mvc.csv", emg_csv(amplitude_mv=1.0, seed=5), is_mvc=True), store)
        chosen = emg.mvc_choices(session, actor(session, records), records.visit_open)
        assert [r.id for r in chosen] == [mvc.id]
        trial = emg.upload_recording(session, actor(session, records), records.visit_open,
                                     emg_upload(mvc_recording_id=mvc.id), store)
        biceps = trial.result["channels"][0]
        assert biceps["mvc"] is not None and trial.options["mvc_recording_id"] == mvc.id
        percents = [b["peak_mvc_percent"] for b in biceps["bursts"]]
        # the same muscle at half the MVC's amplitude: its envelope peaks near half the MVC's level
        assert all(30 < p < 80 for p in percents), percents
        assert trial.result["co_contraction"][0]["normalised_to"] == "MVC"


def test_an_mvc_that_is_not_this_patients_or_not_marked_is_refused_alike(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        plain = emg.upload_recording(session, actor(session, records), records.visit_open, emg_upload(), store)
    refusals = []
    for recording_id in (plain.id, 987_654):
        with pytest.raises(InvalidInput) as refused, unit_of_work(factory) as session:
            emg.submit(session, actor(session, records), records.visit_open,
                       emg_upload(mvc_recording_id=recording_id), store)
        refusals.append(refused.value.message.replace(str(recording_id), "#"))
    assert refusals[0] == refusals[1] and "No MVC recording # of this patient" in refusals[0]


def test_a_completed_visit_takes_no_emg_recording(factory: sessionmaker[Session], records: World,
                                                  store: RecordingStore) -> None:
    with pytest.raises(Conflict, match="completed"), unit_of_work(factory) as session:
        emg.submit(session, actor(session, records), records.visit_done, emg_upload(), store)


def test_only_clinicians_upload_emg(factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    from reeducate.clinic.errors import Forbidden

    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        emg.submit(session, actor(session, records, "front_desk"), records.visit_open, emg_upload(), store)


@pytest.mark.parametrize(("options", "message"), [
    ({"channels": ["=Biceps"]}, "channel label"),
    ({"triggers_s": [1.0], "reference": "Biceps"}, "not both"),
    ({"channels": ["a=Biceps"], "pairs": [("Biceps", "Triceps")]}, "Triceps is not one of the muscles"),
    ({"pairs": [("Biceps", "Biceps")]}, "two different muscles"),
    ({"rest_s": (2.0, 1.0)}, "rest moment"),
    ({"units": "kV"}, "Input should be"),
    ({"rate_hz": 50}, "greater than or equal to 100"),
    ({"channels": ["a=Biceps", "b=Biceps"]}, "same muscle"),
])
def test_options_that_cannot_be_right_are_refused_before_any_reading(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EmgOptions.model_validate(options)


def test_the_plots_envelopes_come_from_the_raw_file_read_again(
        factory: sessionmaker[Session], records: World, store: RecordingStore, tmp_path: Path) -> None:
    with unit_of_work(factory) as session:
        kept = emg.upload_recording(session, actor(session, records), records.visit_open, emg_upload(), store)
        series = emg.envelopes(kept, store)
    assert list(series.values) == ["Biceps brachii", "Triceps brachii"]
    assert series.time_s.size == series.values["Biceps brachii"].size <= emg.PLOT_POINTS
    during, rest = series.values["Biceps brachii"][series.time_s.searchsorted([1.5, 0.5])]
    assert during > 10 * rest
