"""Adherence to the home programme, read from the stored programme and sessions by the pure
:mod:`reeducate.training.adherence`: the patient's month and streak, the therapist's panel across their
patients with its flags, and an episode's trend.

Every day is the clinic's (its main location's) day, as the sessions' ``performed_on`` are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.errors import Forbidden
from reeducate.clinic.models import Episode, HomeProgramme, HomeProgrammeItem, HomeSession, Patient
from reeducate.clinic.services import caseload, episodes, home_programmes, home_sessions
from reeducate.clinic.vocabulary import EpisodeStatus
from reeducate.training import adherence as core
from reeducate.training.adherence import version_on
from reeducate.training.catalogue import exercise

TREND_WEEKS = 8
"""Weeks of the share done shown on the episode's trend (our setting: about two months of care)."""


def exercise_key(item: HomeProgrammeItem) -> str:
    """The exercise across versions: the library's id and the side (a new version keeps the key)."""
    return f"{item.exercise_id}:{item.side or ''}"


def exercise_label(item: HomeProgrammeItem) -> str:
    """The exercise as people read it: "Single-leg stance (left)"."""
    name = exercise(item.exercise_id).name
    return f"{name} ({item.side})" if item.side else name


def _versions(programme: HomeProgramme) -> list[core.Version]:
    return [core.Version(v.number, v.starts_on, v.ends_on, tuple(
        core.ScheduledExercise(exercise_key(i), exercise_label(i), frozenset(i.weekdays),
                                core.Dose(i.sets, i.reps, i.hold_s)) for i in v.items))
        for v in programme.versions]


def _done(row: HomeSession) -> core.SessionDone:
    return core.SessionDone(
        session_id=row.id, performed_on=row.performed_on, exercise=exercise_key(row.item), kind=row.kind.value,
        prescribed=core.Dose(**row.prescribed), repetitions=row.repetitions, holds_completed=row.holds_completed,
        mean_score=row.mean_score, pain_score=row.pain_score, pain_reviewed=row.flag_reviewed_at is not None)


@dataclass(frozen=True)
class GuidedScore:
    """One guided session's mean score (0-100), measured by the patient's camera."""

    on: date
    exercise: str
    score: float


@dataclass(frozen=True)
class SharedClip:
    """A guided session whose clip the patient chose to share with the therapist."""

    session_id: int
    on: date
    exercise: str


@dataclass(frozen=True)
class TrendWeek:
    """A week's share of the dose done, and its sessions by kind (``{"guided": 2, "ticked": 3}``)."""

    week: core.WeekShare
    sessions: dict[str, int]


@dataclass(frozen=True)
class ProgrammeAdherence:
    """One programme's adherence as of ``today``, with its versions and sessions as the pure core reads
    them (for the month, the weeks and the scores drawn from them)."""

    episode: Episode
    today: date
    summary: core.Adherence
    versions: tuple[core.Version, ...]
    sessions: tuple[core.SessionDone, ...]
    clips: tuple[SharedClip, ...] = ()

    @property
    def patient(self) -> Patient:
        return self.episode.patient

    @property
    def first_day(self) -> date:
        """The programme's first day: its earliest version's start."""
        return min((v.starts_on for v in self.versions), default=self.today)

    def month(self, year: int, month: int) -> core.MonthCalendar:
        return core.month_calendar(self.versions, self.sessions, year, month, self.today)

    def weeks(self, count: int = TREND_WEEKS) -> list[TrendWeek]:
        """The last ``count`` weeks since the programme began, oldest first: the share done and the sessions
        by kind."""
        first = self.summary.days[0].day if self.summary.days else self.today
        return [TrendWeek(w, self.counts_by_kind(w.monday, w.monday + timedelta(days=6)))
                for w in core.weekly_shares(self.summary.days, self.today, count)
                if w.monday + timedelta(days=6) >= first]

    @property
    def labels(self) -> dict[str, str]:
        """Each exercise's label by its key (:func:`exercise_key`)."""
        return {e.exercise: e.label for v in self.versions for e in v.exercises}

    @property
    def guided_scores(self) -> list[GuidedScore]:
        """Guided sessions' scores, oldest first (ticked sessions have none: nothing was measured)."""
        labels = self.labels
        return [GuidedScore(s.performed_on, labels.get(s.exercise, s.exercise), s.mean_score)
                for s in self.sessions if s.kind == "guided" and s.mean_score is not None]

    def counts_by_kind(self, first: date | None = None, last: date | None = None) -> dict[str, int]:
        """Sessions from ``first`` to ``last`` (all by default), guided (measured by the patient's camera)
        and ticked (reported by the patient)."""
        within = [s for s in self.sessions if (first is None or s.performed_on >= first)
                  and (last is None or s.performed_on <= last)]
        return {kind: sum(1 for s in within if s.kind == kind) for kind in ("guided", "ticked")}


def _read(session: Session, actor: Actor, programme: HomeProgramme, today: date) -> ProgrammeAdherence:
    """The programme's adherence from its first day to ``today``; the sessions' read is audited."""
    versions = _versions(programme)
    first = min((v.starts_on for v in versions), default=today)
    rows = [r for r in home_sessions.between(session, actor, programme.patient_id, min(first, today), today)
            if r.item.version.programme_id == programme.id]
    done = tuple(_done(r) for r in rows)
    clips = tuple(SharedClip(r.id, r.performed_on, exercise_label(r.item)) for r in rows if r.clip_sha256)
    return ProgrammeAdherence(programme.episode, today, core.summarise(versions, done, today), tuple(versions), done,
                              clips)


def _running(programme: HomeProgramme, today: date) -> bool:
    """In force today, or written to start later."""
    return (version_on(programme.versions, today) is not None
            or any(v.starts_on > today for v in programme.versions))


def _active_programmes(session: Session, patient_ids: Sequence[int]) -> list[HomeProgramme]:
    return list(session.scalars(
        select(HomeProgramme).join(Episode, Episode.id == HomeProgramme.episode_id)
        .where(HomeProgramme.patient_id.in_(patient_ids), Episode.status == EpisodeStatus.ACTIVE)
        .order_by(HomeProgramme.id)))


def for_episode(session: Session, actor: Actor, episode_id: int, *, today: date | None = None
                ) -> ProgrammeAdherence | None:
    """The episode's programme's adherence (None without a programme); audited."""
    versions = home_programmes.versions(session, actor, episode_id)
    if not versions:
        return None
    return _read(session, actor, versions[0].programme, today or episodes.clinic_today(session, actor))


def mine(session: Session, actor: Actor, *, today: date | None = None) -> list[ProgrammeAdherence]:
    """The logged-in patient's running programmes (their active episodes'), each with its adherence."""
    require_role(actor, permissions.USE_PORTAL, "see their own exercise calendar")
    assert actor.patient_id is not None
    today = today or episodes.clinic_today(session, actor)
    return [_read(session, actor, p, today) for p in _active_programmes(session, [actor.patient_id])
            if _running(p, today)]


@dataclass(frozen=True)
class PanelRow:
    """One of the clinician's patients with a running home programme, for the panel."""

    adherence: ProgrammeAdherence

    @property
    def summary(self) -> core.Adherence:
        return self.adherence.summary

    @property
    def rank(self) -> tuple[tuple[int, int], str, str]:
        """Severe pain first, then any flag by its rank, then those without a flag; by name within."""
        first = min((f.rank for f in self.summary.flags), default=(2, 0))
        patient = self.adherence.patient
        return first, patient.last_name, patient.first_name


def panel(session: Session, actor: Actor, *, today: date | None = None) -> list[PanelRow]:
    """The clinician's own patients (:func:`caseload.my_patients`) with a running home programme, the
    most urgent first; each patient's read is audited."""
    if actor.role not in permissions.TREAT:
        raise Forbidden("Home programmes are followed by clinicians.")
    today = today or episodes.clinic_today(session, actor)
    ids = [row.patient.id for row in caseload.my_patients(session, actor)]
    rows = [PanelRow(_read(session, actor, p, today)) for p in _active_programmes(session, ids) if _running(p, today)]
    return sorted(rows, key=lambda r: r.rank)
