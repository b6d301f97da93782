"""The home programme: what the patient practises between visits, what they did, their reminders,
and the remote therapeutic monitoring (RTM) the clinic does and bills around it.

A programme belongs to an episode and changes by versions: a version, once made, is never edited
(a change makes the next version), so every session done at home points at the dose that was
prescribed that day. A home session is guided (the patient's own camera, pose on the device: the
counts are measured) or ticked (the patient says it was done: entered).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.models.episodes import Episode
from reeducate.clinic.models.patients import Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.vocabulary import ExerciseStatus, HomeSessionKind, RtmActivity


class HomeProgramme(Base):
    """An episode's home programme; its content is in its versions, the newest being the current one."""

    __tablename__ = "home_programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    episode: Mapped[Episode] = relationship()
    versions: Mapped[list[HomeProgrammeVersion]] = relationship(
        back_populates="programme", order_by="HomeProgrammeVersion.number")


class HomeProgrammeVersion(Base):
    """One version of a programme: its exercises and dates, the words for the patient, why it changed.

    Never edited once made; ``number`` counts from 1 within the programme.
    """

    __tablename__ = "home_programme_versions"
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("home_programmes.id"), index=True)
    number: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    notes_for_patient: Mapped[str] = mapped_column(Text, default="")
    change_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[HomeProgramme] = relationship(back_populates="versions")
    created_by: Mapped[User] = relationship()
    items: Mapped[list[HomeProgrammeItem]] = relationship(
        back_populates="version", order_by="HomeProgrammeItem.position")


class HomeProgrammeItem(Base):
    """One exercise of a version with its dose and days.

    ``exercise_id`` is the library's; ``monitor`` the library monitor a guided session watches with
    (a camera monitor), empty when the exercise can only be ticked as done. ``weekdays`` are ISO
    weekday numbers (1 Monday ... 7 Sunday). ``hold_s`` in seconds for a hold; ``reps`` per set.
    """

    __tablename__ = "home_programme_items"
    __table_args__ = (
        CheckConstraint("sets >= 1", name="at_least_one_set"),
        CheckConstraint("reps IS NOT NULL OR hold_s IS NOT NULL", name="reps_or_hold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("home_programme_versions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    exercise_id: Mapped[str] = mapped_column(String(40))
    monitor: Mapped[str | None] = mapped_column(String(30))
    side: Mapped[str | None] = mapped_column(String(5))
    sets: Mapped[int]
    reps: Mapped[int | None]
    hold_s: Mapped[float | None]
    weekdays: Mapped[list[int]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[HomeProgrammeVersion] = relationship(back_populates="items")


class HomeSession(Base):
    """One home exercise session: guided by the camera (measured) or ticked as done (entered).

    ``performed_on`` is the patient's local day. ``prescribed`` is the item's dose on that day
    (``{"sets", "reps", "hold_s"}``) so the record reads alone; ``repetitions`` and ``holds_completed``
    are counted by the engine (guided) or given by the patient (ticked); ``sets_done`` as the patient
    or the engine has it. ``summary`` is the engine's summary (guided only), rewritten after every
    repetition. A pain report of 7 or more flags the session for the therapist until reviewed.
    ``clip_sha256`` names a clip the patient chose to share (no frame is kept otherwise).
    """

    __tablename__ = "home_sessions"
    __table_args__ = (
        CheckConstraint("pain_score IS NULL OR (pain_score >= 0 AND pain_score <= 10)", name="pain_0_to_10"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("home_programme_items.id"), index=True)
    performed_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[HomeSessionKind] = mapped_column(enum_type(HomeSessionKind))
    status: Mapped[ExerciseStatus] = mapped_column(enum_type(ExerciseStatus))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prescribed: Mapped[dict[str, Any]] = mapped_column(JSON)
    sets_done: Mapped[int | None]
    repetitions: Mapped[int] = mapped_column(default=0)
    holds_completed: Mapped[int | None]
    mean_score: Mapped[float | None]
    active_s: Mapped[float] = mapped_column(default=0.0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pain_score: Mapped[int | None]
    pain_at_s: Mapped[float | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    flag_reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    flag_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clip_sha256: Mapped[str | None] = mapped_column(String(64))
    clip_filename: Mapped[str | None] = mapped_column(String(255))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    patient: Mapped[Patient] = relationship()
    item: Mapped[HomeProgrammeItem] = relationship()
    flag_reviewed_by: Mapped[User | None] = relationship(foreign_keys=[flag_reviewed_by_id])


class HomeReminder(Base):
    """The patient's reminder: by e-mail at a local time on the programme's days, until unsubscribed.

    ``name_exercises`` is the patient's choice to have the exercises named in the e-mail; without it
    the e-mail says only that today's exercises are waiting. ``token`` is the unsubscribe link's secret.
    """

    __tablename__ = "home_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    at_local: Mapped[str] = mapped_column(String(5))  # "HH:MM" in the clinic's time zone
    enabled: Mapped[bool] = mapped_column(default=True)
    name_exercises: Mapped[bool] = mapped_column(default=False)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    last_sent_on: Mapped[date | None] = mapped_column(Date)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()


class RtmSetup(Base):
    """Remote therapeutic monitoring set up and the patient taught to use it (CPT 98975): once an episode."""

    __tablename__ = "rtm_setups"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    performed_on: Mapped[date] = mapped_column(Date)
    performed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    performed_by: Mapped[User] = relationship()


class RtmTimeEntry(Base):
    """Minutes a clinician spent on a patient's remote monitoring on one day, and on what.

    ``interactive`` marks a real-time (audio or video) communication with the patient or caregiver,
    which the monthly treatment-management codes require at least once in the calendar month.
    """

    __tablename__ = "rtm_time_entries"
    __table_args__ = (CheckConstraint("minutes >= 1 AND minutes <= 600", name="minutes_in_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    performed_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int]
    activity: Mapped[RtmActivity] = mapped_column(enum_type(RtmActivity))
    interactive: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clinician: Mapped[User] = relationship()
