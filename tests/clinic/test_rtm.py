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
from reeducate.clinic.models import AuditEvent, User
from reeducate.clinic.services import home_programmes, home_sessions, rtm
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.services.rtm import RtmSetupInput, RtmTimeInput
from reeducate.clinic.vocabulary import AuditAction, RtmActivity
from tests.support import NOW, World

TODAY = NOW.date()  # Wed 25 Nov 2026; the world's episode began 14 days before
STARTED = TODAY - timedelta(days=14)


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _item(session: Session, world: World) -> int:
    version = home_programmes.prescribe(session, actor(session, world, "therapist"), world.episode, HomeProgrammeInput(
        starts_on=STARTED, items=[HomeItemInput.model_validate({
            "exercise_id": "mini-squat", "monitor": "camera-side", "side": "left", "sets": 1, "reps": 5,
            "weekdays": [1, 2, 3, 4, 5, 6, 7]})]))
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
        with pytest.raises(ValueError, match="less than or equal to 600"):
            _time(TODAY, 601)


def test_who_may_see_and_record_remote_monitoring(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        for persona in ("front_desk", "admin", "patient"):
            with pytest.raises(Forbidden):
                rtm.overview(session, actor(session, records, persona), records.p1)
            with pytest.raises(Forbidden):
                rtm.log_time(session, actor(session, records, persona), records.p1, records.episode, _time(TODAY, 10))
        with pytest.raises(NotFound):
            rtm.overview(session, actor(session, records, "other_therapist"), records.p1)
        with pytest.raises(NotFound):
            rtm.record_setup(session, actor(session, records, "other_therapist"), records.p1, records.episode,
                             RtmSetupInput(performed_on=TODAY))
        seen = rtm.overview(session, actor(session, records, "chiropractor"), records.p1)
        assert seen.episode is not None and seen.episode.id == records.episode and seen.claims == ()
