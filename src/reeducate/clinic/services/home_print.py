"""The home programme on paper, and each exercise's figure: what the patient takes home.

A figure is the library's (:mod:`reeducate.reports.exercise_figures`), the same for every patient, drawn
once a process by exercise id. A patient sees the figures of the exercises in their own programmes
(any version: an old printout stays readable); staff see any. A figure says nothing about a patient, so
it is not audited; the printed programme is (an export, as every clinical PDF).

The printed programme is the version in force today of each programme: the clinic's heading, the
patient's name, the version's dates and notes, each exercise with the therapist's note first, its figure
(captions in words, no angles), the instructions as read at home, dose and days in words, then a tick chart
of the next weeks to fill in by hand.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.errors import NotFound
from reeducate.clinic.models import HomeProgramme, HomeProgrammeItem, HomeProgrammeVersion
from reeducate.clinic.services import episodes, home_programmes
from reeducate.clinic.services.document_heading import episode_heading
from reeducate.clinic.vocabulary import STAFF, AuditAction
from reeducate.reports.dates import day_text
from reeducate.reports.documents import home_programme_html, pdf
from reeducate.reports.exercise_figures import exercise_figure
from reeducate.training.catalogue import exercise, library

CHART_WEEKS = 4
"""Weeks in the tick chart: about the time between two reviews of a home programme (our setting)."""
WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Figure:
    """An exercise's figure as served: the SVG and its digest (the ETag)."""

    svg: bytes
    sha256: str
    alt: str


def _drawn(exercise_id: str, *, degrees: bool = False) -> Figure | None:
    """The figure of a library exercise (None for one without, or an id the library does not have): the
    patient's, its captions in words; with ``degrees`` the clinic's, its captions naming the target angle."""
    return _figures(degrees).get(exercise_id)


@cache
def _figures(degrees: bool) -> dict[str, Figure]:
    """Every library exercise's figure by id, drawn once a process (the library does not change while it
    runs; a few kilobytes each)."""
    found = {}
    for exercise_id, chosen in library().exercises.items():
        drawn = exercise_figure(chosen, degrees=degrees)
        if drawn is not None:
            svg = drawn.svg.encode()
            found[exercise_id] = Figure(svg, hashlib.sha256(svg).hexdigest(), drawn.alt)
    return found


def _no_figure(exercise_id: str) -> NotFound:
    return NotFound(f"No figure for exercise {exercise_id!r}.")


def figure(session: Session, actor: Actor, exercise_id: str) -> Figure:
    """The figure of ``exercise_id``: for a patient, only an exercise of their own programmes (any other
    answers as one without a figure does), its captions in words; for staff, any, with the target angles."""
    if actor.is_patient:
        prescribed = session.scalars(
            select(HomeProgrammeItem.id).join(HomeProgrammeVersion).join(HomeProgramme)
            .where(HomeProgramme.patient_id == actor.patient_id, HomeProgrammeItem.exercise_id == exercise_id)
            .limit(1)).first()
        if prescribed is None:
            raise _no_figure(exercise_id)
    else:
        require_role(actor, STAFF, "see an exercise's figure")
    found = _drawn(exercise_id, degrees=not actor.is_patient)
    if found is None:
        raise _no_figure(exercise_id)
    return found


def has_figure(exercise_id: str) -> bool:
    """Whether the library exercise has a figure (for a page deciding to show one)."""
    return _drawn(exercise_id) is not None


# --- the printed programme ---------------------------------------------------------------------------------

def _weeks(version: HomeProgrammeVersion, today: date) -> list[dict[str, Any]]:
    """The tick chart: from the Monday of the week the programme is in force (today, or its start), one
    grid a week; a day outside the version's dates, or not one of an exercise's days, is shaded."""
    first = max(today, version.starts_on)
    monday = first - timedelta(days=first.weekday())
    weeks = []
    for week in range(CHART_WEEKS):
        days = [monday + timedelta(days=7 * week + d) for d in range(7)]
        if version.ends_on is not None and days[0] > version.ends_on:
            break
        in_force = [version.starts_on <= d and (version.ends_on is None or d <= version.ends_on) for d in days]
        weeks.append({
            "label": f"Week of {day_text(days[0])}",
            "days": [(WEEKDAY_SHORT[d.weekday()], d.day) for d in days],
            "rows": [{"name": exercise(item.exercise_id).name,
                      "cells": [ok and day.isoweekday() in item.weekdays for ok, day in zip(in_force, days, strict=True)]}
                     for item in version.items],
        })
    return weeks


def _sentence(words: str) -> str:
    """Words as a sentence starts: the first letter a capital, the rest as they are (day names stay)."""
    return words[:1].upper() + words[1:]


def _item_view(item: HomeProgrammeItem) -> dict[str, Any]:
    chosen = exercise(item.exercise_id)
    drawn = _drawn(item.exercise_id)
    return {
        "name": chosen.name,
        "side": _sentence(home_programmes.side_text(item)),
        "instructions": chosen.instructions_at_home,
        "dose": _sentence(home_programmes.dose_text(item)),
        "days": _sentence(home_programmes.days_text(item.weekdays)),
        "notes": item.notes,
        "figure": f"data:image/svg+xml;base64,{base64.b64encode(drawn.svg).decode()}" if drawn else "",
        "figure_alt": drawn.alt if drawn else "",
    }


def _view(versions: list[HomeProgrammeVersion], today: date) -> dict[str, Any]:
    heading = episode_heading(versions[0].programme.episode)
    return {
        "title": "Home exercise programme",
        "clinic": heading["clinic"],
        "patient": {"name": heading["patient"]["name"]},
        "printed_on": day_text(today),
        "programmes": [{
            "condition": v.programme.episode.condition.label,
            "starts": day_text(v.starts_on), "ends": day_text(v.ends_on) if v.ends_on else "",
            "notes": v.notes_for_patient, "by": v.created_by.full_name,
            "exercises": [_item_view(item) for item in v.items],
            "weeks": _weeks(v, today),
        } for v in versions],
    }


def _document(session: Session, actor: Actor, versions: list[HomeProgrammeVersion], today: date) -> tuple[str, bytes]:
    patient = versions[0].programme.patient
    for version in versions:
        record(session, actor, AuditAction.EXPORT, "home_programme", version.programme_id, patient_id=patient.id,
               detail=f"pdf of version {version.number}")
    mrn = re.sub(r"[^A-Za-z0-9]", "", patient.mrn)
    return f"home-programme-{mrn}-{today:%Y-%m-%d}.pdf", pdf(home_programme_html(_view(versions, today)))


def for_episode(session: Session, actor: Actor, episode_id: int) -> tuple[str, bytes]:
    """(file name, PDF) of the episode's programme in force today (clinicians; audited)."""
    require_role(actor, permissions.SEE_CLINICAL, "print a home programme (it holds clinical content)")
    today = episodes.clinic_today(session, actor)
    version = home_programmes.current(session, actor, episode_id, today)
    if version is None:
        raise NotFound("This episode has no home programme in force today.")
    return _document(session, actor, [version], today)


def for_patient(session: Session, actor: Actor) -> tuple[str, bytes]:
    """(file name, PDF) of the logged-in patient's programmes in force today (audited)."""
    require_role(actor, permissions.USE_PORTAL, "print their own home programme")
    assert actor.patient_id is not None  # a patient's account names its patient
    today = episodes.clinic_today(session, actor)
    versions = home_programmes.for_patient(session, actor, actor.patient_id, today)
    if not versions:
        raise NotFound("You have no home programme in force today; your therapist will give you one.")
    return _document(session, actor, versions, today)
