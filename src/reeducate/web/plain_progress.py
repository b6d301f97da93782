"""The patient's progress in plain words, for the portal's progress page.

Nothing here computes a figure or judges a change: each sentence rewords what `measures.change` already
judged (a change against the test's measurement error, and against the smallest change patients report
as important, the thresholds each definition cites), and a fall-risk finding is a band that the
administration's own result names, kept with its source. The clinicians' abbreviations and terms for
those thresholds never reach the patient: the measurement error is "the ups and downs this test usually
shows from one time to the next" (:data:`UPS_AND_DOWNS`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reeducate.clinic.models import MeasureAdministration
from reeducate.measures.change import Trajectory

#: A band about falls, by its published label ("Increased risk of falls", "At risk of falling (CDC STEADI
#: screen)", "Below average for age and sex (fall risk)").
ABOUT_FALLS = re.compile(r"\bfall", re.IGNORECASE)

UPS_AND_DOWNS = "the ups and downs this test usually shows from one time to the next"
"""The measurement error (the minimal detectable change) in a patient's words: what a score of someone
who has not changed still varies by between two tests, beyond which a change is real."""


def change_sentences(trajectory: Trajectory, score: str) -> list[str]:
    """What the latest score says against the first, in words; ``score`` names it ("Berg Balance Scale
    score")."""
    what = f"Your {score}"
    if len(trajectory.points) < 2:
        return [f"This is your first {score}; the next one will show how you are changing."]
    latest = trajectory.points[-1]
    change = latest.change_from_baseline
    if change == 0:
        return [f"{what} is the same as your first."]
    improved = (change > 0) == trajectory.higher_is_better
    if latest.exceeds_mdc is None:
        said = [f"{what} has {'improved' if improved else 'gone the wrong way'} since your first. No published "
                f"figure gives {UPS_AND_DOWNS} for a first score like yours, so we cannot tell whether this is more "
                "than chance."]
    elif not latest.exceeds_mdc:
        said = [f"{what} has changed since your first, but by less than {UPS_AND_DOWNS}, so the change may be "
                "chance rather than real."]
    elif improved:
        said = [f"{what} has improved by more than {UPS_AND_DOWNS}: a real change, not chance."]
    else:
        said = [f"{what} has gone the wrong way by more than {UPS_AND_DOWNS}. Your therapist will talk it over "
                "with you."]
    if improved and latest.meets_mcid is not None:
        said.append("It is a change big enough to notice in daily life." if latest.meets_mcid else
                    "It is not yet a change big enough to notice in daily life.")
    return said


@dataclass(frozen=True)
class Finding:
    """A published band a score falls in, and the study that set it."""

    label: str
    source: str


@dataclass(frozen=True)
class FallRisk:
    """A score of the patient's that published studies link with falling (one or more bands of the same
    measure), and those studies: said to the patient once per measure."""

    measure_id: str
    on: datetime
    findings: tuple[Finding, ...]


def fall_risks(administrations: Sequence[MeasureAdministration]) -> list[FallRisk]:
    """Fall-risk findings of each measure's latest scored administration, one per measure with all its
    bands about falls (an older score that a later one has left behind is not repeated to the patient)."""
    latest: dict[str, MeasureAdministration] = {}
    for administration in administrations:
        if administration.computable:
            latest[administration.measure_id] = administration
    found = []
    for a in latest.values():
        findings = tuple(Finding(band["label"], band["source"]) for band in a.result.get("interpretations", [])
                         if band.get("applies") and ABOUT_FALLS.search(band["label"]))
        if findings:
            found.append(FallRisk(a.measure_id, a.administered_at, findings))
    return found
