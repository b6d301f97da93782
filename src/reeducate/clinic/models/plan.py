"""An episode's plan: problems found at evaluation, goals, the plan of care with its physician's
certification, and the reports written along the way (progress reports, the discharge summary).

A signed plan of care and a signed report are final: the ORM refuses any change to their content
(a new plan version or an addendum carries a change). The certification of a signed plan is
recorded as it arrives (sent, verbal order, received, the physician's signature date and scan),
so those columns alone stay open.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import InstanceState, Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.errors import Conflict
from reeducate.clinic.models.episodes import Episode
from reeducate.clinic.models.people import User
from reeducate.clinic.models.visits import Visit
from reeducate.clinic.vocabulary import GoalStatus, GoalTerm, NoteStatus, ProblemStatus, ReportKind


class Problem(Base):
    """An impairment or limitation on the episode's problem list.

    Proposed from a finding that crossed a sourced cut-off (``finding`` names the rule, ``evidence``
    the measured value, the cut-off and its source) or written by the therapist (``finding`` empty);
    nothing enters the plan until the therapist accepts it. ``suggestions`` are the library's
    techniques and exercises whose indications match; ``interventions`` those the therapist kept.
    """

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    finding: Mapped[str] = mapped_column(String(60), default="")
    statement: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    interventions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[ProblemStatus] = mapped_column(enum_type(ProblemStatus), default=ProblemStatus.PROPOSED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    episode: Mapped[Episode] = relationship()
    decided_by: Mapped[User | None] = relationship()


class Goal(Base):
    """A goal of the episode: a score on a measure by a date, or a functional goal in words.

    A measure-linked goal has ``measure_id`` and ``target`` (in the measure's unit); a functional goal
    has only its ``description``. Marked met with who and when; at discharge an active goal is judged
    met or not met.
    """

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint("(measure_id IS NULL) = (target IS NULL)", name="measure_has_target"),
        CheckConstraint("measure_id IS NOT NULL OR description <> ''", name="functional_has_words"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problems.id"))
    term: Mapped[GoalTerm] = mapped_column(enum_type(GoalTerm), default=GoalTerm.LONG)
    measure_id: Mapped[str | None] = mapped_column(String(40))
    target: Mapped[float | None]
    description: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(enum_type(GoalStatus), default=GoalStatus.ACTIVE)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    met_on: Mapped[date | None] = mapped_column(Date)
    status_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    episode: Mapped[Episode] = relationship()
    problem: Mapped[Problem | None] = relationship()
    set_by: Mapped[User] = relationship(foreign_keys=[set_by_id])
    status_by: Mapped[User | None] = relationship(foreign_keys=[status_by_id])


class PlanOfCare(Base):
    """One version of the episode's plan of care, and the physician's certification of it.

    ``number`` counts the episode's plans (a recertification is the next number, ``recertifies_id``
    the plan it follows). ``interventions`` are the techniques and exercises with their dosage
    (``{"kind": "technique"|"exercise", "id", "name", "dosage"}``); frequency and duration give the
    expected visits. The therapist signs it (content hash, who, when); the certification dates are
    those the physician's office gives.
    """

    __tablename__ = "plans_of_care"
    __table_args__ = (
        UniqueConstraint("episode_id", "number"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("visits_per_week >= 1 AND visits_per_week <= 7", name="visits_per_week_range"),
        CheckConstraint("weeks >= 1 AND weeks <= 52", name="weeks_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    recertifies_id: Mapped[int | None] = mapped_column(ForeignKey("plans_of_care.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    visits_per_week: Mapped[int]
    weeks: Mapped[int]
    interventions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    home_programme: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[NoteStatus] = mapped_column(enum_type(NoteStatus), default=NoteStatus.DRAFT)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # The certification, as the physician's office answers.
    physician_name: Mapped[str] = mapped_column(String(200), default="")
    physician_npi: Mapped[str] = mapped_column(String(10), default="")
    sent_on: Mapped[date | None] = mapped_column(Date)
    verbal_order_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    certified_on: Mapped[date | None] = mapped_column(Date)
    """The date the physician signed the plan (what the 30-day and 14-day rules count)."""
    signature_sha256: Mapped[str | None] = mapped_column(String(64))
    signature_filename: Mapped[str] = mapped_column(String(255), default="")
    certification_note: Mapped[str] = mapped_column(Text, default="")

    episode: Mapped[Episode] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])

    @property
    def expected_visits(self) -> int:
        return self.visits_per_week * self.weeks


class EpisodeReport(Base):
    """A progress report or the discharge summary: drafted from the record, edited, signed (final).

    ``period_start`` and ``period_end`` are the treatment days the report covers; ``visit_id`` the
    visit it was written at, if any. ``content`` holds its sections and the goals' figures as drafted.
    """

    __tablename__ = "episode_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"), index=True)
    kind: Mapped[ReportKind] = mapped_column(enum_type(ReportKind))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[NoteStatus] = mapped_column(enum_type(NoteStatus), default=NoteStatus.DRAFT)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_sha256: Mapped[str | None] = mapped_column(String(64))

    episode: Mapped[Episode] = relationship()
    visit: Mapped[Visit | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    addenda: Mapped[list[ReportAddendum]] = relationship(back_populates="report", order_by="ReportAddendum.id")


class ReportAddendum(Base):
    """A correction or addition to a signed report, with its author, time and content hash."""

    __tablename__ = "report_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("episode_reports.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))

    report: Mapped[EpisodeReport] = relationship(back_populates="addenda")
    author: Mapped[User] = relationship()


CERTIFICATION = frozenset({
    "physician_name", "physician_npi", "sent_on", "verbal_order_on", "received_on", "certified_on",
    "signature_sha256", "signature_filename", "certification_note",
})
"""The columns of a signed plan of care that still change: its certification, as it arrives."""


def _was_signed(target: PlanOfCare | EpisodeReport) -> bool:
    state: InstanceState[Any] = inspect(target)
    history = state.attrs.status.history
    return (history.deleted[0] if history.deleted else target.status) == NoteStatus.SIGNED


def _changed(target: PlanOfCare | EpisodeReport) -> set[str]:
    state: InstanceState[Any] = inspect(target)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


@event.listens_for(PlanOfCare, "before_update")
def _signed_plans_are_final(_mapper: object, _connection: object, plan: PlanOfCare) -> None:
    if _was_signed(plan) and not _changed(plan) <= CERTIFICATION:
        raise Conflict("This plan of care is signed and cannot change; write a new version of the plan instead.")


@event.listens_for(EpisodeReport, "before_update")
def _signed_reports_are_final(_mapper: object, _connection: object, report: EpisodeReport) -> None:
    if _was_signed(report):
        raise Conflict("This report is signed and cannot change; add an addendum instead.")


@event.listens_for(ReportAddendum, "before_update")
def _report_addenda_are_final(_mapper: object, _connection: object, addendum: ReportAddendum) -> None:
    raise Conflict("An addendum is part of the signed record and cannot change.")
