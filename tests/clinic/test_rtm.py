"""RTM from the real records: days with data counted from the home sessions (guided only), minutes from the
logged time, set-up once per episode, the claim lines through the billing core, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import AuditEvent, Episode, User
from reeducate.clinic.services import home_programmes, home_sessions, rtm
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.services.rtm import RtmSetupInput, RtmTimeInput
from reeducate.clinic.vocabulary import AuditAction, RtmActivity
from tests.support import NOW, World

TODAY = NOW.date()  # Wed 25 Nov 2026; the world's episode began 14 days before
STARTED = TODAY - timedelta(days=14)


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _item(session: Session, world: World, weekdays: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7),
          ticked_daily: bool = False) -> int:
    """A guided mini squat on ``weekdays`` (and, if asked, a tandem stance every day, ticked only)."""
    ticked = [{"exercise_id": "tandem-stance", "sets": 3, "hold_s": 10, "weekdays": [1, 2, 3, 4, 5, 6, 7]}]
    version = home_programmes.prescribe(session, actor(session, world, "therapist"), world.episode, HomeProgrammeInput(
        starts_on=STARTED, items=[HomeItemInput.model_validate(item) for item in [{
            "exercise_id": "mini-squat", "monitor": "camera-side", "side": "left", "sets": 1, "reps": 5,
            "weekdays": list(weekdays)}, *(ticked if ticked_daily else [])]]))
    return version.items[0].id


def _guided(session: Session, world: World, item: int, day: date, repetitions: int = 5) -> None:
    patient = actor(session, world, "patient")
    row = home_sessions.start_guided(session, patient, item, day=day)
    home_sessions.finish(session, patient, row.id, {"repetitions": repetitions, "active_s": 20.0})


def _time(day: date, minutes: int, *, interactive: bool = False,
          activity: RtmActivity = RtmActivity.DATA_REVIEW) -> RtmTimeInput:
    return RtmTimeInput(performed_on=day, minutes=minutes, activity=activity, interactive=interactive)


def test_days_with_data_are_the_guided_sessions_days_not_the_ticked_ones(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        item = _item(session, records)
        for offset in (0, 1, 2):
            _guided(session, records, item, STARTED + timedelta(days=offset))
        _guided(session, records, item, STARTED + timedelta(days=1))  # a second session, the same day
        _guided(session, records, item, STARTED + timedelta(days=3), repetitions=0)  # ended early: nothing measured
        home_sessions.tick_done(session, actor(session, records, "patient"), item, day=STARTED + timedelta(days=4))
        seen = rtm.overview(session, actor(session, records, "therapist"), records.p1)
        assert seen.period is not None and seen.period.starts_on == STARTED
        assert seen.period.days_with_data == (STARTED, STARTED + timedelta(days=1), STARTED + timedelta(days=2))
        assert seen.entered_days == {STARTED + timedelta(days=4)}  # ticked; the ended-early day is no data
        assert seen.period.billable is not None and seen.period.billable.code == "98985"
        assert seen.period.missing == "13 days more of data for 98977"


def test_the_set_up_is_recorded_once_per_episode(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        rtm.record_setup(session, actor(session, records, "assistant"), records.p1, records.episode,
                         RtmSetupInput(performed_on=TODAY - timedelta(days=3), note="App installed"))
        with pytest.raises(Conflict, match=r"already recorded for this episode on Sun 22 Nov 2026; 98975 is "
                                           r"reported once per episode of care"):
            rtm.record_setup(session, therapist, records.p1, records.episode, RtmSetupInput(performed_on=TODAY))
        seen = rtm.overview(session, therapist, records.p1)
        assert seen.period is not None and seen.period.starts_on == TODAY - timedelta(days=3)
        [setup] = [c for c in seen.claims if c.what == "Set-up and education"]
        assert setup.billed is not None and setup.billed.lines[0].modifiers == ("CQ", "GP")  # the assistant's
        assert session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "rtm_setup",
                                                        AuditEvent.action == AuditAction.CREATE)).one()


def test_a_month_bills_its_minutes_only_with_a_real_time_communication(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        rtm.log_time(session, therapist, records.p1, records.episode, _time(TODAY - timedelta(days=5), 15))
        seen = rtm.overview(session, therapist, records.p1)
        assert seen.month.minutes == 15 and seen.month.billables == ()
        assert seen.month.missing.startswith("no real-time communication logged this month")
        rtm.log_time(session, therapist, records.p1, records.episode, _time(TODAY, 10, activity=RtmActivity.INTERACTIVE))
        rtm.log_time(session, therapist, records.p1, records.episode, _time(TODAY, 30, activity=RtmActivity.SETUP_EDUCATION))
        seen = rtm.overview(session, therapist, records.p1)
        assert seen.month.minutes == 25 and seen.month.interactive_on == (TODAY,)  # the set-up's 30 are 98975's
        assert [(b.code, b.units) for b in seen.month.billables] == [("98980", 1)]
        [month] = [c for c in seen.claims if c.what == "November 2026"]
        assert month.billed is not None and [(line.code, line.modifiers) for line in month.billed.lines] == [
            ("98980", ("GP",))]
        assert month.day == TODAY


def test_an_assistants_minutes_carry_cq_on_their_line(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        rtm.log_time(session, actor(session, records, "assistant"), records.p1, records.episode,
                     _time(TODAY, 12, interactive=True))
        seen = rtm.overview(session, actor(session, records, "therapist"), records.p1)
        [month] = [c for c in seen.claims if c.what == "November 2026"]
        assert month.billed is not None and [(line.code, line.modifiers) for line in month.billed.lines] == [
            ("98979", ("CQ", "GP"))]


def test_bad_entries_are_refused_with_the_reason(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        with pytest.raises(InvalidInput, match="is in the future"):
            rtm.log_time(session, therapist, records.p1, records.episode, _time(TODAY + timedelta(days=1), 10))
        with pytest.raises(InvalidInput, match="before the episode began"):
            rtm.record_setup(session, therapist, records.p1, records.episode, RtmSetupInput(performed_on=STARTED - timedelta(1)))
        with pytest.raises(ValueError, match="Enter at most 120 minutes in one entry"):
            _time(TODAY, 600)  # the reviewer's 600 that billed 98981 x 30
        with pytest.raises(ValueError, match="Enter 1 minute or more"):
            _time(TODAY, 0)
        assert _time(TODAY, rtm.MAX_ENTRY_MINUTES).minutes == 120


def test_a_mistaken_entry_is_removed_with_its_reason_and_audited(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        kept = rtm.log_time(session, therapist, records.p1, records.episode, _time(TODAY, 20, interactive=True))
        wrong = rtm.log_time(session, actor(session, records, "assistant"), records.p1, records.episode,
                             _time(TODAY, 100))
        for persona in ("front_desk", "admin"):
            with pytest.raises(Forbidden):
                rtm.remove_time(session, actor(session, records, persona), records.p1, wrong.id, "typo")
        with pytest.raises(NotFound):
            rtm.remove_time(session, actor(session, records, "other_therapist"), records.p1, wrong.id, "typo")
        with pytest.raises(InvalidInput, match="Give the reason"):
            rtm.remove_time(session, therapist, records.p1, wrong.id, "  ")
        assert [(b.code, b.units) for b in rtm.overview(session, therapist, records.p1).month.billables] == [
            ("98980", 1), ("98981", 5)]
        rtm.remove_time(session, therapist, records.p1, wrong.id, "100 typed for 10")
        seen = rtm.overview(session, therapist, records.p1)
        assert [e.id for e in seen.entries] == [kept.id] and seen.month.minutes == 20
        event = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "rtm_time_entry",
                                                         AuditEvent.action == AuditAction.DELETE)).one()
        assert event.resource_id == str(wrong.id) or event.resource_id == wrong.id
        assert "removed 100 min data_review on 2026-11-25 by" in event.detail
        assert event.detail.endswith("reason: 100 typed for 10")


def test_the_front_desk_sees_the_claim_lines_without_the_clinical_content(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        rtm.record_setup(session, actor(session, records, "therapist"), records.p1, records.episode,
                         RtmSetupInput(performed_on=TODAY - timedelta(days=3), note="App installed"))
        lines = rtm.claim_lines_of(session, actor(session, records, "front_desk"), records.p1)
        [setup] = lines.claims
        assert setup.what == "Set-up and education" and setup.billed is not None
        assert [(line.code, line.modifiers) for line in setup.billed.lines] == [("98975", ("GP",))]
        assert not hasattr(lines, "entries") and not hasattr(lines, "setup")
        with pytest.raises(Forbidden):
            rtm.claim_lines_of(session, actor(session, records, "patient"), records.p1)
        with pytest.raises(NotFound):
            rtm.claim_lines_of(session, actor(session, records, "other_therapist"), records.p1)
        assert session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "rtm_claims")).first()


def test_a_period_says_98977_is_out_of_reach_on_the_programmes_days(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        # guided on Wednesdays and Thursdays; a tandem stance ticked every day brings no data, so its days do not count
        item = _item(session, records, weekdays=(3, 4), ticked_daily=True)
        for offset in range(2):  # Wed 11 and Thu 12 Nov
            _guided(session, records, item, STARTED + timedelta(days=offset))
        seen = rtm.overview(session, actor(session, records, "therapist"), records.p1)
        assert seen.period is not None and seen.period.missing == ""  # 14 more needed, 6 exercise days left
        assert seen.period.reason == ("2 days with data: 98985 (2-15 days). 98977 can no longer be reached this period "
                                      "on the programme's days: 16 days left, 6 of them exercise days, 14 more needed.")
        assert len(rtm.exercise_days(session, session.get_one(Episode, records.episode), TODAY)) == 10  # Wed, Thu to 24 Dec
