"""Outcome measures in the clinic: administrations, and questionnaires asked of the patient (goals are
the plan's: models/plan.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.models.episodes import Episode
from reeducate.clinic.models.patients import Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.models.visits import Visit
from reeducate.clinic.vocabulary import AdministrationSource


class MeasureAdministration(Base):
    """One administration of an instrument: the answers as given, and the result as scored then.

    The answers are kept so the score can be re-derived; the result is kept as it was shown to the
    clinician (with its interpretations and sources) even if a definition is later corrected.
    """

    __tablename__ = "measure_administrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    measure_id: Mapped[str] = mapped_column(String(40))
    source: Mapped[AdministrationSource] = mapped_column(enum_type(AdministrationSource))
    responses: Mapped[Any] = mapped_column(JSON)
    patient_facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score: Mapped[float | None]
    computable: Mapped[bool]
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    administered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    patient: Mapped[Patient] = relationship()
    episode: Mapped[Episode | None] = relationship()
    visit: Mapped[Visit | None] = relationship()
    recorded_by: Mapped[User] = relationship()


class QuestionnaireRequest(Base):
    """A questionnaire the care team asks the patient to fill in from the portal before visits."""

    __tablename__ = "questionnaire_requests"
    __table_args__ = (UniqueConstraint("episode_id", "measure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    measure_id: Mapped[str] = mapped_column(String(40))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
