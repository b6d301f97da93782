"""The demo clinic seeded into a new SQLite database with one booked appointment checked in: the visit that
the live-feedback benchmarks train in (feedback_latency.py, load/home_sessions.py)."""

from __future__ import annotations

from pathlib import Path


def seed_with_visit(database: Path) -> int:
    """Seed the demo clinic into ``database`` (its recordings beside it) and check in its first booked
    appointment; the visit's id."""
    from sqlalchemy import select

    from reeducate.clinic import migrate
    from reeducate.clinic.access import Actor
    from reeducate.clinic.db import make_engine, make_session_factory, unit_of_work
    from reeducate.clinic.demo import seed_demo
    from reeducate.clinic.models import Appointment, User
    from reeducate.clinic.recording_store import RecordingStore
    from reeducate.clinic.services import visits
    from reeducate.clinic.vocabulary import AppointmentStatus, Role

    engine = make_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        seed_demo(session, RecordingStore(database.parent / "recordings"))
    with unit_of_work(factory) as session:
        booked = session.scalars(select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)
                                 .order_by(Appointment.starts_at)).first()
        desk = session.scalars(select(User).where(User.role == Role.FRONT_DESK)).first()
        assert booked is not None and desk is not None, "the demo clinic has no booked appointment"
        visit_id = visits.check_in(session, Actor.of(desk), booked.id, now=booked.starts_at).id
    engine.dispose()
    return visit_id
