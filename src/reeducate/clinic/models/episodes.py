"""Episodes of care: the condition treated, its ICD-10-CM diagnoses, dates, referral, care team,
precautions and red flags, the payer's authorisation, and the discharge."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.models.patients import Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.vocabulary import Condition, DischargeReason, EpisodeStatus, Role


class Episode(Base):
    """One course of care for one condition, from evaluation to discharge."""

    __tablename__ = "episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    condition: Mapped[Condition] = mapped_column(enum_type(Condition))
    status: Mapped[EpisodeStatus] = mapped_column(
        enum_type(EpisodeStatus), default=EpisodeStatus.ACTIVE
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[date] = mapped_column(Date)
    discharged_on: Mapped[date | None] = mapped_column(Date)
    onset_date: Mapped[date | None] = mapped_column(Date)
    surgery_date: Mapped[date | None] = mapped_column(Date)
    referring_provider_name: Mapped[str] = mapped_column(String(200), default="")
    referring_provider_npi: Mapped[str] = mapped_column(String(10), default="")
    referral_date: Mapped[date | None] = mapped_column(Date)
    precautions: Mapped[str] = mapped_column(Text, default="")
    """What the treating clinicians must not do or must watch, one per line ("No hip flexion past 90°")."""
    red_flags: Mapped[str] = mapped_column(Text, default="")
    """Signs that stop treatment and are reported, one per line ("Report new numbness")."""
    authorisation_number: Mapped[str] = mapped_column(String(60), default="")
    authorised_visits: Mapped[int | None]
    """Visits the payer authorised between ``authorised_from`` and ``authorised_until`` (inclusive)."""
    authorised_from: Mapped[date | None] = mapped_column(Date)
    authorised_until: Mapped[date | None] = mapped_column(Date)
    discharge_reason: Mapped[DischargeReason | None] = mapped_column(enum_type(DischargeReason))
    discharge_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    diagnoses: Mapped[list[Diagnosis]] = relationship(
        back_populates="episode", order_by="Diagnosis.position"
    )
    care_team: Mapped[list[CareTeamMember]] = relationship(
        back_populates="episode", order_by="CareTeamMember.id"
    )


class Diagnosis(Base):
    """An ICD-10-CM code of an episode, checked against the code table; position 1 is primary."""

    __tablename__ = "diagnoses"
    __table_args__ = (UniqueConstraint("episode_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=1)

    episode: Mapped[Episode] = relationship(back_populates="diagnoses")


class CareTeamMember(Base):
    """A clinician on an episode's care team (a PT and a chiropractor may share a patient)."""

    __tablename__ = "care_team_members"
    __table_args__ = (UniqueConstraint("episode_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)

    episode: Mapped[Episode] = relationship(back_populates="care_team")
    user: Mapped[User] = relationship()

    @property
    def full_name(self) -> str:
        return self.user.full_name

    @property
    def credentials(self) -> str:
        return self.user.credentials

    @property
    def role(self) -> Role:
        return self.user.role
