"""Live training in the clinic: an exercise's summary kept on the visit, the pain stop, the severe-pain
lock that only a physical therapist or chiropractor lifts, and the refusals."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import User
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import notes, training
from reeducate.clinic.vocabulary import ExerciseStatus
from tests.clinic.conftest import row_counts
from tests.support import World

SUMMARY = {"exercise": "mini-squat", "repetitions": 3, "mean_score": 88.0, "holds_completed": None, "active_s": 42.0}


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get(User, world.user_ids[persona]))


def start(session: Session, world: World, persona: str = "therapist", **changes: object) -> int:
    options: dict = {"exercise_id": "mini-squat", "monitor": "camera-side", "side": "left", "source": "simulated"}
    return training.start(session, actor(session, world, persona), world.visit_open, **{**options, **changes}).id


def test_the_summary_is_kept_as_it_grows_and_the_minutes_add_up(factory: sessionmaker[Session],
                                                                records: World) -> None:
    with unit_of_work(factory) as session:
        record_id = start(session, records, source="camera")
    with unit_of_work(factory) as session:
        training.save_progress(session, actor(session, records, "therapist"), record_id,
                               {**SUMMARY, "repetitions": 2})
    with unit_of_work(factory) as session:  # the connection broke here: what was counted is there
        row = training.of_visit(session, actor(session, records, "therapist"), records.visit_open)[-1]
        assert (row.repetitions, row.status) == (2, ExerciseStatus.IN_PROGRESS)
        training.finish(session, actor(session, records, "therapist"), record_id, SUMMARY,
                        status=ExerciseStatus.INTERRUPTED)
    with unit_of_work(factory) as session:
        rows = training.of_visit(session, actor(session, records, "therapist"), records.visit_open)
        assert [(r.repetitions, r.mean_score, r.status) for r in rows] == [(3, 88.0, ExerciseStatus.INTERRUPTED)]
        assert training.active_minutes(rows) == 0.7
        with pytest.raises(Conflict, match="has already ended"):
            training.save_progress(session, actor(session, records, "therapist"), record_id, SUMMARY)


def test_severe_pain_locks_the_visit_until_a_physical_therapist_resumes(factory: sessionmaker[Session],
                                                                       records: World) -> None:
    with unit_of_work(factory) as session:
        record_id = start(session, records)
        training.report_pain(session, actor(session, records, "therapist"), record_id, SUMMARY, score=8,
                             at_s=12.4, reported_by="patient")
    with unit_of_work(factory) as session:
        row = training.of_visit(session, actor(session, records, "therapist"), records.visit_open)[-1]
        assert (row.status, row.pain_score, row.pain_at_s, row.regress) == (
            ExerciseStatus.STOPPED_FOR_PAIN, 8, 12.4, True)
        with pytest.raises(Conflict, match=r"pain 8/10 was reported during Mini squat \(left\)"):
            start(session, records)
    with unit_of_work(factory) as session, pytest.raises(Forbidden):
        training.resume(session, actor(session, records, "assistant"), records.visit_open)
    with unit_of_work(factory) as session:
        assert training.resume(session, actor(session, records, "therapist"), records.visit_open) == 1
    with unit_of_work(factory) as session:
        assert training.severe_pain_lock(session, records.visit_open) is None
        start(session, records, "assistant")


def test_moderate_pain_stops_the_exercise_but_not_the_session(factory: sessionmaker[Session],
                                                             records: World) -> None:
    with unit_of_work(factory) as session:
        training.report_pain(session, actor(session, records, "therapist"), start(session, records), SUMMARY,
                             score=6, at_s=3.0, reported_by="therapist")
    with unit_of_work(factory) as session:
        assert training.severe_pain_lock(session, records.visit_open) is None
        start(session, records)


@pytest.mark.parametrize(("persona", "changes", "error", "message"), [
    ("therapist", {"exercise_id": "mini-sqaut"}, InvalidInput, "No exercise 'mini-sqaut'"),
    ("therapist", {"monitor": "force_plate"}, InvalidInput, "not watched by 'force_plate'"),
    ("therapist", {"side": None}, InvalidInput, "choose left or right"),
    ("therapist", {"source": "webcam"}, InvalidInput, "Unknown source"),
    ("front_desk", {}, Forbidden, "may not run live exercises"),
    ("other_therapist", {}, NotFound, "No visit"),  # as for a visit that does not exist
])
def test_a_wrong_start_is_refused_and_nothing_is_stored(factory: sessionmaker[Session], records: World,
                                                       persona: str, changes: dict, error: type,
                                                       message: str) -> None:
    before = row_counts(factory)
    with unit_of_work(factory) as session, pytest.raises(error, match=message):
        start(session, records, persona, **changes)
    assert row_counts(factory) == before


def test_a_completed_visit_takes_no_exercise(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session, pytest.raises(Conflict, match="This visit is completed") as refused:
        training.start(session, actor(session, records, "therapist"), records.visit_done, exercise_id="mini-squat",
                       monitor=None, side="left", source="simulated")
    assert str(records.visit_done) not in refused.value.message


def test_the_recordings_to_replay_are_labelled_by_what_and_when_not_by_file(factory: sessionmaker[Session],
                                                                             records: World) -> None:
    with unit_of_work(factory) as session:
        labels = [label for _, label, _ in training.replayable(session, actor(session, records, "therapist"),
                                                               records.visit_open)]
    assert sorted(labels) == ["Force-plate trial recorded at 08:30", "Walk on foot sensors recorded at 08:35"]


@pytest.mark.parametrize(("ref", "message"), [
    ("gait_recording", "the chosen recording comes from motion sensors"),
    ("balance_trial", "choose one of this visit's recordings"),
])
def test_a_refused_replay_names_no_file_and_no_id(factory: sessionmaker[Session], records: World,
                                                  store: RecordingStore, ref: str, message: str) -> None:
    kind = "movement" if ref == "gait_recording" else "balance"
    visit = records.visit_open if ref == "gait_recording" else records.visit_done
    with pytest.raises(InvalidInput, match=message) as refused, unit_of_work(factory) as session:
        training.replay_whole(session, actor(session, records, "therapist"), visit,
                              exercise_id="two-foot-stance", monitor=None, side=None,
                              ref=f"{kind}:{getattr(records, ref)}", store=store)
    assert ".csv" not in refused.value.message and f"{kind}:" not in refused.value.message


def test_a_recording_of_the_visit_replayed_whole_is_kept_and_the_note_says_it_was_replayed(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        row = training.replay_whole(session, actor(session, records, "therapist"), records.visit_open,
                                    exercise_id="gait-training-imu", monitor=None, side="left",
                                    ref=f"movement:{records.gait_recording}", store=store)
        assert (row.source, row.status) == ("recording", ExerciseStatus.COMPLETED)
        assert row.repetitions > 20 and row.active_s > 20
        draft = notes.start_draft(session, actor(session, records, "therapist"), records.visit_open)
        assert "Walking with foot-sensor feedback (replayed from a recorded file):" in draft.content["objective"]


def test_a_replay_on_the_wrong_device_is_refused_and_nothing_is_stored(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match="watched by a force plate"), unit_of_work(factory) as session:
        training.replay_whole(session, actor(session, records, "therapist"), records.visit_open,
                              exercise_id="two-foot-stance", monitor=None, side=None,
                              ref=f"movement:{records.gait_recording}", store=store)
    assert row_counts(factory) == before


def test_a_simulated_patients_run_never_reaches_the_note(factory: sessionmaker[Session], records: World,
                                                         store: RecordingStore) -> None:
    """A made-up patient's perfect squats are a demonstration: not a word of them in this patient's note,
    while a replay of the visit's own recording is there, labelled a replay."""
    with unit_of_work(factory) as session:
        record_id = start(session, records)  # source "simulated"
        training.finish(session, actor(session, records, "therapist"), record_id,
                        {**SUMMARY, "repetitions": 10, "mean_score": 100.0})
        training.replay_whole(session, actor(session, records, "therapist"), records.visit_open,
                              exercise_id="gait-training-imu", monitor=None, side="left",
                              ref=f"movement:{records.gait_recording}", store=store)
        draft = notes.start_draft(session, actor(session, records, "therapist"), records.visit_open)
    written = "\n".join(str(value) for value in [*draft.content.values(), *draft.content["nmr"].values()])
    assert "Mini squat" not in written and "simulated" not in written.lower()
    assert "(replayed from a recorded file)" in written


@pytest.mark.parametrize(("done", "stored"), [
    ({"repetitions": 0, "holds_completed": None}, ExerciseStatus.ENDED_EARLY),
    ({"repetitions": 0, "holds_completed": 0}, ExerciseStatus.ENDED_EARLY),
    ({"repetitions": 1, "holds_completed": None}, ExerciseStatus.COMPLETED),
    ({"repetitions": 0, "holds_completed": 1}, ExerciseStatus.COMPLETED),
], ids=["no-repetition", "no-hold", "one-repetition", "one-hold"])
def test_an_exercise_ended_with_no_repetition_or_hold_is_stored_as_ended_early_never_completed(
        factory: sessionmaker[Session], records: World, done: dict, stored: ExerciseStatus) -> None:
    with unit_of_work(factory) as session:
        record_id = start(session, records, source="camera")
        row = training.finish(session, actor(session, records, "therapist"), record_id, {**SUMMARY, **done})
        assert row.status is stored
    with unit_of_work(factory) as session:  # kept so by the database (its CHECK constraint knows the status)
        assert training.of_visit(session, actor(session, records, "therapist"), records.visit_open)[-1].status is stored
        draft = notes.start_draft(session, actor(session, records, "therapist"), records.visit_open)
    if stored is ExerciseStatus.ENDED_EARLY:
        assert "Mini squat (left): ended early" in draft.content["objective"]


def test_a_broken_connection_at_zero_repetitions_stays_interrupted(factory: sessionmaker[Session],
                                                                   records: World) -> None:
    with unit_of_work(factory) as session:
        row = training.finish(session, actor(session, records, "therapist"), start(session, records),
                              {**SUMMARY, "repetitions": 0}, status=ExerciseStatus.INTERRUPTED)
        assert row.status is ExerciseStatus.INTERRUPTED


def test_a_simulated_patients_run_adds_no_minute_of_the_patients_training(factory: sessionmaker[Session],
                                                                         records: World) -> None:
    with unit_of_work(factory) as session:
        training.finish(session, actor(session, records, "therapist"), start(session, records), SUMMARY)
        training.finish(session, actor(session, records, "therapist"), start(session, records, source="camera"),
                        SUMMARY)
        rows = training.of_visit(session, actor(session, records, "therapist"), records.visit_open)
    assert training.active_minutes(rows) == 0.7  # the camera run's 42 s; the simulated 42 s are nobody's
