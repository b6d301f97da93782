"""Episodes of care: who opens and discharges, what joins a new episode, the payer's authorisation as it is
used, the discharge's reason, and every change audited with its fields before and after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.billing.npi import with_check_digit
from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput
from reeducate.clinic.models import Appointment, AuditEvent, Episode, MeasureAdministration, User, Visit
from reeducate.clinic.schemas import (
    AdministrationCreate,
    AppointmentBook,
    CareTeamSet,
    EpisodeCreate,
    EpisodeDischarge,
    EpisodeUpdate,
)
from reeducate.clinic.services import episodes, measures, scheduling, visits
from reeducate.clinic.vocabulary import AuditAction, Condition, DischargeReason, EpisodeStatus
from tests.clinic.conftest import row_counts
from tests.support import NOW, World, local

TODAY = NOW.date()


def _actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _knee(**details: object) -> EpisodeCreate:
    return EpisodeCreate.model_validate({"condition": Condition.OTHER, "diagnoses": ["M17.11"], **details})


def test_a_pt_assistant_may_neither_open_nor_discharge_an_episode(factory: sessionmaker[Session],
                                                                   records: World) -> None:
    before = row_counts(factory)
    with unit_of_work(factory) as session, pytest.raises(Forbidden, match="PT assistant may not open"):
        episodes.create(session, _actor(session, records, "assistant"), records.p2, _knee())
    with unit_of_work(factory) as session, pytest.raises(Forbidden, match="PT assistant may not discharge"):
        episodes.discharge(session, _actor(session, records, "assistant"), records.episode,
                           EpisodeDischarge(reason=DischargeReason.GOALS_MET))
    assert row_counts(factory) == before


def test_a_pt_assistant_keeps_the_precautions_up_to_date(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = episodes.update(session, _actor(session, records, "assistant"), records.episode,
                                  EpisodeUpdate(precautions="No running"))
        assert episode.precautions == "No running"


def test_diagnoses_and_the_care_team_are_the_evaluating_clinicians(factory: sessionmaker[Session],
                                                                   records: World) -> None:
    with unit_of_work(factory) as session:
        assistant = _actor(session, records, "assistant")
        with pytest.raises(Forbidden, match="a PT or chiropractor does"):
            episodes.add_diagnosis(session, assistant, records.episode, "M25.561")
        with pytest.raises(Forbidden, match="a PT or chiropractor does"):
            episodes.add_care_team_member(session, assistant, records.episode, records.user_ids["assistant"])


def test_an_episode_opened_in_a_visit_takes_the_visit_and_what_it_recorded(factory: sessionmaker[Session],
                                                                          records: World) -> None:
    """The evaluation: desk checks the new patient in, the PT records a TUG, then opens the episode."""
    with unit_of_work(factory) as session:
        desk, pt = _actor(session, records, "front_desk"), _actor(session, records, "therapist")

        def book(day: int) -> int:
            return scheduling.book(session, desk, AppointmentBook(
                patient_id=records.p2, provider_id=records.user_ids["therapist"], location_id=records.location_id,
                starts_at=local(day, 11), duration_min=45), now=local(-1, 9)).id

        visit = visits.check_in(session, desk, book(0), now=local(0, 10, 55))
        later = book(2)
        tug = measures.record_in_visit(session, pt, visit.id, "tug", AdministrationCreate(responses={"seconds": 14.2}),
                                       now=local(0, 11, 10))
        assert tug.episode_id is None
        episode = episodes.create(session, pt, records.p2, _knee())
    with factory() as session:
        assert session.get_one(Visit, visit.id).episode_id == episode.id
        assert session.get_one(MeasureAdministration, tug.id).episode_id == episode.id
        assert session.get_one(Appointment, later).episode_id == episode.id
        updates = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "visit",
                                                           AuditEvent.resource_id == str(visit.id),
                                                           AuditEvent.action == AuditAction.UPDATE))
        # the TUG started the visit (its own update); opening the episode is the one that names it
        assert [u.changes for u in updates if "episode_id" in (u.changes or {})] == [
            {"episode_id": [None, episode.id]}]


def test_a_completed_visit_or_one_of_another_episode_stays_as_it_was(factory: sessionmaker[Session],
                                                                     records: World) -> None:
    with unit_of_work(factory) as session:
        episodes.create(session, _actor(session, records, "therapist"), records.p1, _knee())
    with factory() as session:
        assert {session.get_one(Visit, v).episode_id for v in (records.visit_done, records.visit_open)} == {
            records.episode}


def test_the_authorisation_counts_the_visits_within_its_dates_and_warns_as_it_runs_out(
        factory: sessionmaker[Session], records: World) -> None:
    """The world's episode has two visits: two days ago and today."""
    with unit_of_work(factory) as session:
        pt = _actor(session, records, "therapist")

        def authorise(visits_allowed: int, until_days: int, from_days: int = -14) -> episodes.AuthorisationUse:
            episode = episodes.update(session, pt, records.episode, EpisodeUpdate(
                authorisation_number="PA-1", authorised_visits=visits_allowed,
                authorised_from=TODAY + timedelta(days=from_days), authorised_until=TODAY + timedelta(days=until_days)))
            use = episodes.authorisation_use(session, pt, episode, today=TODAY)
            assert use is not None
            return use

        plenty = authorise(12, 30)
        assert (plenty.visits_used, plenty.visits_left, plenty.days_left) == (2, 10, 30)
        assert not plenty.running_out and not plenty.ended
        two_left = authorise(4, 30)
        assert two_left.visits_left == 2 and two_left.running_out
        a_week_left = authorise(12, 7)
        assert a_week_left.days_left == 7 and a_week_left.running_out
        all_used = authorise(2, 30)
        assert all_used.ended and not all_used.running_out
        yesterday = authorise(12, -1)
        assert yesterday.visits_used == 1 and yesterday.days_left == -1 and yesterday.ended
        from_today = authorise(12, 30, from_days=0)
        assert from_today.visits_used == 1


def test_an_episode_without_an_authorisation_has_no_use(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        pt = _actor(session, records, "therapist")
        assert episodes.authorisation_use(session, pt, episodes.get(session, pt, records.episode)) is None


@pytest.mark.parametrize(("change", "field"), [
    ({"authorised_from": TODAY, "authorised_until": TODAY - timedelta(days=1)}, "authorised_until"),
    ({"referring_provider_npi": "1234567890"}, "referring_provider_npi"),
    ({"referral_date": TODAY + timedelta(days=1)}, "referral_date"),
    ({"surgery_date": TODAY - timedelta(days=30)}, "surgery_date"),
    ({"onset_date": TODAY}, "onset_date"),
])
def test_details_that_cannot_be_right_are_refused_naming_the_field(factory: sessionmaker[Session], records: World,
                                                                    change: dict[str, object], field: str) -> None:
    """The world's episode (fall risk, not post-surgical) started 14 days ago."""
    with unit_of_work(factory) as session, pytest.raises(InvalidInput) as refused:
        episodes.update(session, _actor(session, records, "therapist"), records.episode,
                        EpisodeUpdate.model_validate(change), today=TODAY)
    assert refused.value.field == field


def test_a_valid_referral_is_kept_and_audited_before_and_after(factory: sessionmaker[Session],
                                                               records: World) -> None:
    npi = with_check_digit("123456789")
    with unit_of_work(factory) as session:
        episodes.update(session, _actor(session, records, "therapist"), records.episode, EpisodeUpdate(
            referring_provider_name="Dr. Ada Lane", referring_provider_npi=npi, referral_date=TODAY))
    with factory() as session:
        row = session.scalars(select(AuditEvent).where(
            AuditEvent.detail == "changed referral_date, referring_provider_name, referring_provider_npi")).one()
        assert row.changes == {"referring_provider_name": ["", "Dr. Ada Lane"], "referring_provider_npi": ["", npi],
                               "referral_date": [None, TODAY.isoformat()]}


def test_an_episode_needs_a_diagnosis_and_keeps_its_last_one(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        pt = _actor(session, records, "therapist")
        with pytest.raises(InvalidInput, match="at least one diagnosis"):
            episodes.create(session, pt, records.p2, _knee(diagnoses=[]))
        with pytest.raises(Conflict, match="only diagnosis"):
            episodes.remove_diagnosis(session, pt, records.episode, "R26.81")
        episodes.add_diagnosis(session, pt, records.episode, "Z91.81")
        episode = episodes.remove_diagnosis(session, pt, records.episode, "r26.81")
        assert [(d.code, d.position) for d in episode.diagnoses] == [("Z91.81", 1)]


def test_the_care_team_is_led_by_a_pt_or_chiropractor(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        pt, ids = _actor(session, records, "therapist"), records.user_ids
        with pytest.raises(InvalidInput, match="lead of a care team is a PT or chiropractor"):
            episodes.set_care_team(session, pt, records.episode, CareTeamSet(
                members=[ids["assistant"]], lead_id=ids["assistant"]))
        episode = episodes.set_care_team(session, pt, records.episode, CareTeamSet(
            members=[ids["therapist"], ids["assistant"]], lead_id=ids["chiropractor"]))
        assert {(m.user_id, m.is_lead) for m in episode.care_team} == {
            (ids["therapist"], False), (ids["assistant"], False), (ids["chiropractor"], True)}


def test_a_discharge_needs_its_reason_and_leaves_the_episode_read_only(factory: sessionmaker[Session],
                                                                       records: World) -> None:
    with unit_of_work(factory) as session:
        pt = _actor(session, records, "therapist")
        with pytest.raises(InvalidInput, match="Say why"):
            episodes.discharge(session, pt, records.episode, EpisodeDischarge(reason=DischargeReason.OTHER))
        with pytest.raises(InvalidInput, match="future"):
            episodes.discharge(session, pt, records.episode, EpisodeDischarge(
                reason=DischargeReason.GOALS_MET, discharged_on=TODAY + timedelta(days=1)), today=TODAY)
        episode = episodes.discharge(session, pt, records.episode, EpisodeDischarge(
            reason=DischargeReason.PLATEAUED, note="No change in Berg over 4 weeks."), today=TODAY)
        assert (episode.status, episode.discharged_on, episode.discharge_reason) == (
            EpisodeStatus.DISCHARGED, TODAY, DischargeReason.PLATEAUED)
    for change in (lambda s, a: episodes.update(s, a, records.episode, EpisodeUpdate(precautions="x")),
                   lambda s, a: episodes.add_diagnosis(s, a, records.episode, "Z91.81"),
                   lambda s, a: episodes.discharge(s, a, records.episode,
                                                   EpisodeDischarge(reason=DischargeReason.GOALS_MET))):
        with unit_of_work(factory) as session, pytest.raises(Conflict, match="discharged"):
            change(session, _actor(session, records, "therapist"))
    with factory() as session:
        assert session.get_one(Episode, records.episode).discharge_note == "No change in Berg over 4 weeks."
        row = session.scalars(select(AuditEvent).where(AuditEvent.detail == "discharged: plateaued")).one()
        assert row.changes is not None and row.changes["status"] == ["active", "discharged"]
