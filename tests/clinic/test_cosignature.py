"""PTA supervision: with the clinic's setting on, a PT assistant's signed note awaits the co-signature
of a physical therapist on the episode's care team, and no claim is released for it until then."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.errors import Conflict, Forbidden
from reeducate.clinic.models import Clinic, User, VisitNote
from reeducate.clinic.schemas import AppointmentBook
from reeducate.clinic.services import billing, notes, scheduling, visits
from tests.support import World, local, write_note


def _actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def pta_signed_visit(session: Session, world: World, *, cosignature: bool) -> int:
    """A visit of P1 treated by the PT assistant today, its note signed by the assistant while the clinic's
    co-signature setting is ``cosignature``."""
    session.get_one(Clinic, world.clinic_id).pta_notes_need_cosignature = cosignature
    desk, assistant = _actor(session, world, "front_desk"), _actor(session, world, "assistant")
    appointment = scheduling.book(session, desk, AppointmentBook(
        patient_id=world.p1, provider_id=world.user_ids["assistant"], location_id=world.location_id,
        episode_id=world.episode, starts_at=local(0, 11), duration_min=45), now=local(-1, 9))
    visit_id = visits.check_in(session, desk, appointment.id, now=local(0, 10, 55)).id
    billing.set_charges(session, assistant, visit_id, [billing.ChargeInput("97112", 15)])
    write_note(session, assistant, visit_id)
    notes.sign(session, assistant, visit_id, now=local(0, 12))
    return visit_id


def test_without_the_setting_a_pta_note_is_billed_once_signed(records: World, factory: sessionmaker[Session],
                                                              frozen: None) -> None:
    with factory.begin() as session:
        visit_id = pta_signed_visit(session, records, cosignature=False)
        assert not billing.awaiting_cosignature(session, visit_id)
        assert billing.release_claim(session, _actor(session, records, "front_desk"), visit_id, now=local(0, 13))


def test_a_pta_note_awaits_the_supervising_pt_and_its_claim_waits_too(records: World, factory: sessionmaker[Session],
                                                                      frozen: None) -> None:
    with factory.begin() as session:
        visit_id = pta_signed_visit(session, records, cosignature=True)
    with factory.begin() as session:
        desk = _actor(session, records, "front_desk")
        with pytest.raises(Conflict, match="awaits its supervising physical therapist's co-signature"):
            billing.release_claim(session, desk, visit_id, now=local(0, 13))
    with factory.begin() as session:
        note = notes.of_visit(session, _actor(session, records, "therapist"), visit_id)
        assert note is not None and note.awaiting_cosignature
        with pytest.raises(Forbidden, match="supervising physical therapist co-signs"):  # a DC supervises no PTA
            notes.cosign(session, _actor(session, records, "chiropractor"), visit_id)
        with pytest.raises(Forbidden):  # nor does the assistant co-sign their own note
            notes.cosign(session, _actor(session, records, "assistant"), visit_id)
        assert not notes.may_cosign(note, _actor(session, records, "chiropractor"))
        assert notes.may_cosign(note, _actor(session, records, "therapist"))
    with factory.begin() as session:
        signed = notes.cosign(session, _actor(session, records, "therapist"), visit_id, now=local(0, 17))
        assert signed.cosigned_by_id == records.user_ids["therapist"] and signed.cosign_sha256
        assert notes.verify(signed), "co-signing leaves the signed note and its hash as they were"
    with factory.begin() as session:
        with pytest.raises(Conflict, match="does not await a co-signature"):
            notes.cosign(session, _actor(session, records, "therapist"), visit_id)
    with factory.begin() as session:
        assert billing.release_claim(session, _actor(session, records, "front_desk"), visit_id, now=local(0, 18))


def test_a_co_signed_note_stays_final(records: World, factory: sessionmaker[Session], frozen: None) -> None:
    with factory.begin() as session:
        visit_id = pta_signed_visit(session, records, cosignature=True)
        notes.cosign(session, _actor(session, records, "therapist"), visit_id, now=local(0, 17))
    with pytest.raises(Conflict, match="is signed and cannot change"), factory.begin() as session:
        note = session.query(VisitNote).filter_by(visit_id=visit_id).one()
        note.cosigned_by_id = records.user_ids["chiropractor"]
