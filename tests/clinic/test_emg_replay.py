"""A visit's EMG recording replayed through an EMG exercise: listed with the visit's recordings, read with the
channels and units it was uploaded with, each muscle's MVC where its analysis had one, and kept as a replay
whose summary says what its amplitudes are a percent of."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.schemas import EmgOptions
from reeducate.clinic.services import emg, training
from reeducate.clinic.vocabulary import ExerciseStatus
from reeducate.feedback.adapters.emg import REFERENCE_WORDS
from tests.clinic.conftest import row_counts
from tests.clinic.test_training import actor
from tests.feedback.emg_files import CHANNELS, RATE_HZ, vmo_vl_csv
from tests.support import World


def upload(session: Session, world: World, store: RecordingStore, **options: object) -> int:
    chosen = EmgOptions.model_validate({"channels": CHANNELS, "rate_hz": RATE_HZ, "units": "mV", **options})
    kept = emg.upload_recording(session, actor(session, world, "therapist"), world.visit_open,
                                emg.EmgUpload("vmo_vl.csv", vmo_vl_csv(), chosen), store)
    return kept.id


def test_an_emg_recording_replayed_whole_counts_each_activation_and_says_its_amplitudes_reference(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        ref = f"emg:{upload(session, records, store)}"
        listed = training.replayable(session, actor(session, records, "therapist"), records.visit_open)
        (label,) = [label for r, label, device in listed if r == ref and device == "emg"]
        assert re.fullmatch(r"EMG of 2 muscles recorded at \d\d:\d\d", label)
        row = training.replay_whole(session, actor(session, records, "therapist"), records.visit_open,
                                    exercise_id="vmo-before-vl", monitor=None, side=None, ref=ref, store=store)
        assert (row.source, row.status, row.monitor) == ("recording", ExerciseStatus.COMPLETED, "emg")
        assert row.repetitions == 3 and row.summary["success_rate"] == 100.0
        assert all(abs(lead - 40) <= 2 for lead in row.summary["leads_ms"])
        assert row.summary["labels"] == {"amplitude": REFERENCE_WORDS["first_contractions"]}


def test_a_recording_analysed_against_an_mvc_replays_in_percent_of_that_mvc(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        mvc = upload(session, records, store, is_mvc=True)
        ref = f"emg:{upload(session, records, store, mvc_recording_id=mvc)}"
        stored = training.recording_to_replay(session, actor(session, records, "therapist"), records.visit_open, ref,
                                              store)
        assert stored.mvc_mv is not None and set(stored.mvc_mv) == {"Vastus medialis oblique", "Vastus lateralis"}
        row = training.replay_whole(session, actor(session, records, "therapist"), records.visit_open,
                                    exercise_id="vmo-before-vl", monitor=None, side=None, ref=ref, store=store)
        assert row.summary["labels"] == {"amplitude": REFERENCE_WORDS["mvc"]}


def test_an_emg_recording_is_refused_for_an_exercise_the_camera_watches_and_nothing_is_stored(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        ref = f"emg:{upload(session, records, store)}"
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match="watched by a camera; the chosen recording comes from surface EMG"), \
            unit_of_work(factory) as session:
        training.replay_whole(session, actor(session, records, "therapist"), records.visit_open,
                              exercise_id="mini-squat", monitor="camera-side", side="left", ref=ref, store=store)
    assert row_counts(factory) == before
