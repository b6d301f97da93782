"""Prescribing the home programme, beyond the versions themselves: what a first programme starts from (the
plan of care, the accepted problems, the library's dose), what each version changed, the checks on days
and dates, the next exercise day, and the patient's Today across a change of version."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Forbidden, InvalidInput
from reeducate.clinic.models import Episode, HomeProgrammeItem, User
from reeducate.clinic.schemas import AdministrationCreate
from reeducate.clinic.services import (
    home_programmes,
    home_sessions,
    home_today,
    measures,
    plan_of_care,
    problems,
)
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.training import catalogue
from tests.support import NOW, World

TODAY = NOW.date()  # Wednesday 25 November 2026
SQUAT = {"exercise_id": "mini-squat", "monitor": "camera-side", "side": "left", "sets": 2, "reps": 10,
         "weekdays": [1, 3, 5]}
STANCE = {"exercise_id": "foam-stance", "sets": 3, "hold_s": 30, "weekdays": [2, 4]}


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _version(*items: dict[str, object], starts_on: date = TODAY, reason: str = "", ends_on: date | None = None,
             notes: str = "") -> HomeProgrammeInput:
    return HomeProgrammeInput(starts_on=starts_on, ends_on=ends_on, change_reason=reason, notes_for_patient=notes,
                              items=[HomeItemInput.model_validate(item) for item in items])


def test_a_first_programme_starts_from_the_plan_then_the_problems_with_the_librarys_dose(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        plan_of_care.draft(session, therapist, records.episode, plan_of_care.PlanFields(
            visits_per_week=2, weeks=6, interventions=[
                plan_of_care.InterventionChoice(kind="technique", id="balance-training"),
                plan_of_care.InterventionChoice(kind="exercise", id="mini-squat", dosage="3 sets of 8, slowly"),
                plan_of_care.InterventionChoice(kind="exercise", id="foam-stance")]))
        measures.record_in_visit(session, therapist, records.visit_open, "berg", AdministrationCreate(responses=[3] * 14))
        (problem,) = problems.propose(session, therapist, records.visit_open)
        problems.accept(session, therapist, problem.id, "Impaired balance",
                        ["exercise:single-leg-stance", "exercise:foam-stance"])
        found = home_programmes.suggestions(session, therapist, session.get_one(Episode, records.episode))
    assert [(s.exercise_id, s.source) for s in found] == [
        ("mini-squat", "plan of care"), ("foam-stance", "plan of care"), ("single-leg-stance", "problem list")]
    squat, stance, one_leg = found
    assert (squat.sets, squat.reps, squat.hold_s, squat.monitor) == (2, 10, None, "camera-side")
    assert squat.hint == "The plan says: 3 sets of 8, slowly" and stance.hint == ""  # the library's words: no hint
    assert (stance.hold_s, stance.monitor, stance.weekdays) == (30, None, [1, 3, 5])  # a force plate is no camera
    assert one_leg.monitor == "camera-front"


def test_the_days_an_exercise_starts_with_spread_its_sessions_over_the_week() -> None:
    assert home_programmes.default_weekdays(None) == [1, 3, 5]
    assert home_programmes.default_weekdays(2) == [2, 5]
    assert home_programmes.default_weekdays(5) == [1, 2, 3, 4, 5]
    assert home_programmes.default_weekdays(7) == home_programmes.default_weekdays(14) == [1, 2, 3, 4, 5, 6, 7]


def test_the_dose_and_days_read_as_plain_words() -> None:
    def dose(**given: object) -> str:
        return home_programmes.dose_text(HomeItemInput.model_validate({"exercise_id": "x", "weekdays": [1], **given}))

    assert dose(sets=2, reps=10) == "2 sets of 10" and dose(sets=1, reps=10) == "10 times"
    assert dose(sets=3, hold_s=30) == "hold 30 seconds, 3 times" and dose(sets=1, hold_s=10) == "hold 10 seconds, once"
    assert dose(sets=2, reps=5, hold_s=5) == "2 sets of 5, holding each 5 seconds"
    assert home_programmes.days_text([1, 3, 5]) == "Monday, Wednesday and Friday"
    assert home_programmes.days_text(range(1, 8)) == "every day"  # type: ignore[arg-type]


def test_each_version_says_what_it_changed_from_the_one_before(factory: sessionmaker[Session],
                                                                 records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        home_programmes.prescribe(session, therapist, records.episode, _version(SQUAT, STANCE, notes="Slowly."))
        home_programmes.prescribe(session, actor(session, records, "assistant"), records.episode, _version(
            {**SQUAT, "sets": 3, "weekdays": [1, 2, 3, 4, 5, 6, 7], "monitor": None},
            {**SQUAT, "side": "right"}, starts_on=TODAY + timedelta(days=5), reason="Stronger", notes="Slowly."))
        first, second = home_programmes.history(session, therapist, records.episode)
        assert second.version.change_reason == "Stronger" and second.version.created_by.full_name == "Assistant"
    assert first.changes == ["Added Mini squat (left): 2 sets of 10, Monday, Wednesday and Friday",
                             "Added Stance on foam: hold 30 seconds, 3 times, Tuesday and Thursday"]
    assert second.changes == [
        "Mini squat (left): dose 2 sets of 10 → 3 sets of 10; days Monday, Wednesday and Friday → every day; "
        "now ticked as done (no camera)",
        "Added Mini squat (right): 2 sets of 10, Monday, Wednesday and Friday",
        "Removed Stance on foam",
        "Dates Wed 25 Nov 2026 to no end date → Mon 30 Nov 2026 to no end date"]


def test_days_and_dates_are_checked_with_a_reason_to_act_on(factory: sessionmaker[Session], records: World) -> None:
    with pytest.raises(ValidationError, match="choose at least one day of the week"):
        HomeItemInput.model_validate({**SQUAT, "weekdays": []})
    with pytest.raises(ValidationError, match="1 \\(Monday\\) to 7 \\(Sunday\\)"):
        HomeItemInput.model_validate({**SQUAT, "weekdays": [8]})
    assert HomeItemInput.model_validate({**SQUAT, "weekdays": [5, 1, 5]}).weekdays == [1, 5]
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        with pytest.raises(InvalidInput, match="before the episode of care did"):
            home_programmes.prescribe(session, therapist, records.episode,
                                      _version(SQUAT, starts_on=TODAY - timedelta(days=30)))
        with pytest.raises(InvalidInput, match="listed twice"):
            home_programmes.prescribe(session, therapist, records.episode, _version(SQUAT, {**SQUAT, "sets": 3}))
        home_programmes.prescribe(session, therapist, records.episode, _version(SQUAT, starts_on=TODAY + timedelta(days=2)))
        with pytest.raises(InvalidInput, match="before version 1 did .* never have been in force"):
            home_programmes.prescribe(session, therapist, records.episode, _version(SQUAT, reason="Sooner"))


def test_on_a_rest_day_the_next_exercise_day_is_found_across_versions(factory: sessionmaker[Session],
                                                                      records: World) -> None:
    with unit_of_work(factory) as session:
        therapist, patient = actor(session, records, "therapist"), actor(session, records, "patient")
        assert home_programmes.next_day_due(session, patient, records.p1, TODAY) is None  # no programme
        home_programmes.prescribe(session, therapist, records.episode, _version(
            {**SQUAT, "weekdays": [1]}, ends_on=TODAY + timedelta(days=3)))  # Mondays, ends on Saturday
        assert home_programmes.next_day_due(session, patient, records.p1, TODAY) is None
        home_programmes.prescribe(session, therapist, records.episode, _version(
            {**SQUAT, "weekdays": [5]}, starts_on=TODAY + timedelta(days=8), reason="After the holiday"))
        assert home_programmes.next_day_due(session, patient, records.p1, TODAY) == date(2026, 12, 4)  # a Friday


def test_today_shows_whats_due_and_done_and_follows_a_change_of_version(factory: sessionmaker[Session],
                                                                        records: World) -> None:
    with unit_of_work(factory) as session:
        therapist, patient = actor(session, records, "therapist"), actor(session, records, "patient")
        assert not home_today.today(session, patient, TODAY).programme
        first = home_programmes.prescribe(session, therapist, records.episode, _version(SQUAT, STANCE, notes="Slowly."))
        view = home_today.today(session, patient, TODAY)  # a Wednesday: the squats, not the stance
        assert view.programme and view.notes == ["Slowly."] and view.left == 1 and view.next_day is None
        (squat,) = view.entries
        assert (squat.name, squat.dose, squat.camera) == ("Mini squat", "2 sets of 10", "the camera watches your left knee")
        assert squat.instructions == catalogue.exercise("mini-squat").home_instructions
        home_sessions.tick_done(session, patient, squat.item.id, day=TODAY, sets_done=2, pain_score=1)
        assert home_today.today(session, patient, TODAY).left == 0
        thursday = home_today.today(session, patient, TODAY + timedelta(days=1))
        assert [e.name for e in thursday.entries] == ["Stance on foam"] and not thursday.entries[0].done
        home_programmes.prescribe(session, therapist, records.episode, _version(
            {**SQUAT, "weekdays": [6]}, starts_on=TODAY + timedelta(days=1), reason="Weekends only"))
        rest = home_today.today(session, patient, TODAY + timedelta(days=1))
        assert rest.entries == [] and rest.next_day == date(2026, 11, 28) and rest.programme
        assert [e.item.version_id for e in home_today.today(session, patient, TODAY).entries] == [first.id]
        with pytest.raises(Forbidden):
            home_today.today(session, therapist, TODAY)


def test_a_version_that_changes_nothing_for_the_patient_is_refused(factory: sessionmaker[Session],
                                                                    records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        home_programmes.prescribe(session, therapist, records.episode, _version(SQUAT, notes="Slowly."))
        with pytest.raises(InvalidInput, match="Nothing changed: .* version 1") as refused:
            home_programmes.prescribe(session, therapist, records.episode, _version(
                SQUAT, starts_on=TODAY + timedelta(days=2), reason="No change of exercise or dose.", notes="Slowly."))
        assert refused.value.field == "items"
        second = home_programmes.prescribe(session, therapist, records.episode, _version(
            SQUAT, ends_on=TODAY + timedelta(days=30), reason="Review in a month", notes="Slowly."))
        assert second.number == 2


def test_a_version_is_written_at_the_moment_given(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        moment = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
        first = home_programmes.prescribe(session, therapist, records.episode, _version(SQUAT), now=moment)
        assert first.created_at == moment and first.programme.created_at == moment
        later = home_programmes.prescribe(session, therapist, records.episode,
                                          _version({**SQUAT, "sets": 3}, reason="Stronger"))
        assert later.created_at > moment  # the present by default


def _item(exercise_id: str, side: str | None, monitor: str | None = None) -> HomeProgrammeItem:
    return HomeProgrammeItem(exercise_id=exercise_id, side=side, monitor=monitor, sets=1, reps=10, weekdays=[1])


def test_the_side_is_the_limb_that_does_it_or_the_one_the_camera_watches_when_both_legs_move() -> None:
    cases = {  # exercise, side, monitor: (words with the dose, words by the camera button)
        ("sit-to-stand", "right", "camera-side"): ("", "the camera watches your right knee"),
        ("mini-squat", "right", "camera-side"): ("", "the camera watches your right knee"),
        ("mini-squat", "left", "camera-front"): ("", "the camera watches your left knee"),  # its valgus fault
        ("mini-squat", "left", None): ("", ""),  # ticked: no camera, both legs
        ("step-up", "right", "camera-side"): ("right leg", ""),
        ("overhead-reach", "left", "camera-front"): ("left arm", ""),
        ("mirror-elbow-flexion", "left", None): ("left side", ""),  # not drawn: the library does not say
        ("tandem-stance", None, None): ("", ""),
    }
    for (exercise_id, side, monitor), words in cases.items():
        item = _item(exercise_id, side, monitor)
        assert (home_programmes.side_text(item), home_programmes.camera_text(item)) == words, exercise_id


def test_today_leaves_out_a_drawing_the_exercise_does_not_have_and_speaks_of_home(factory: sessionmaker[Session],
                                                                                 records: World) -> None:
    with unit_of_work(factory) as session:
        therapist, patient = actor(session, records, "therapist"), actor(session, records, "patient")
        home_programmes.prescribe(session, therapist, records.episode, _version(
            {"exercise_id": "tandem-stance", "sets": 3, "hold_s": 30, "weekdays": [3]},
            {"exercise_id": "overhead-reach", "monitor": "camera-front", "side": "left", "sets": 1, "reps": 10,
             "weekdays": [3]}))
        stance, reach = home_today.today(session, patient, TODAY).entries
        assert not stance.figure and reach.figure
        assert "bench" not in stance.instructions and "camera" not in reach.instructions
        assert (stance.dose, reach.dose) == ("hold 30 seconds, 3 times", "10 times, left arm")
        assert home_today.today(session, patient, TODAY).clinic_phone == "(217) 555-0199"
