"""Findings of a visit turned into proposed problems, each with its evidence and the library's matches.

A rule reads a visit's records, given as plain data (:class:`VisitRecords`), and proposes a problem when
a value crosses a sourced cut-off: the interpretation bands of the measures' own YAML definitions
(Berg under 45, Berg 1992; a 10 m walk at or under 0.8 m/s, Perry 1995; a failed mCTSIB condition,
Shumway-Cook & Horak 1986; TUG, Five Times Sit to Stand, 30-s chair stand, single-leg stance, STEADI
4-stage, DGI, FGA). No figure is copied here: each rule names the bands it reads, and the band gives the
cut-off, its source and population. A gait speed measured by the gait engines (foot IMUs, video) is
judged against the same bands as the 10-Metre Walk Test.

"Repeated" knee valgus is the one finding whose threshold is ours (:data:`REPEATED_KNEE_VALGUS`, a
:class:`~reeducate.training.models.Setting`, as is the fault's own limit in the library): the evidence
says so.

Left out, for want of a sourced cut-off: the force-plate sway measures (``signals/posturography/
clinical.py`` sources how they are computed, not a limit of normal); the age-group norms of the
measures (published means: a score below the mean is also half of healthy people); the ABC scale (a
confidence, which no technique of the library is tagged to address); knee valgus seen in a video clip
(the clip gives angles frame by frame, not repetitions that could be counted as repeated).

Every finding is a proposal: the therapist accepts, edits or rejects it; nothing enters the plan unasked.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from reeducate.measures.catalogue import instruments
from reeducate.measures.definition import Band, Instrument, Source
from reeducate.measures.interpretation import band_rule, interpret
from reeducate.measures.results import Patient
from reeducate.training.catalogue import UnknownExercise, exercise, library
from reeducate.training.impairments import Impairment
from reeducate.training.models import Basis, Setting

GAIT_SPEED_MEASURE = "gait-speed-10m"
"""The instrument whose bands judge every gait speed, whichever engine measured it."""

KNEE_VALGUS_FAULT = "knee_valgus"
"""The fault name the library's exercises cue knee valgus with."""

REPEATED_KNEE_VALGUS = 3
"""Knee-valgus episodes cued in one visit's exercises from which the fault is called repeated."""

REPEATED_KNEE_VALGUS_BASIS = Setting(setting=(
    "Reeducate's setting: three or more knee-valgus episodes cued over one visit's exercises count as "
    "repeated (one or two can be a slip); not a published cut-off, the therapist judges the pattern."))


class Obtained(enum.StrEnum):
    """How a value was obtained, as the evidence says it."""

    SCORED = "scored"
    PATIENT_REPORTED = "patient_reported"
    MEASURED_IMU = "measured_imu"
    MEASURED_VIDEO = "measured_video"
    MEASURED_LIVE = "measured_live"
    REPLAYED = "replayed"

    @property
    def label(self) -> str:
        return {
            Obtained.SCORED: "scored from an administration by the clinician",
            Obtained.PATIENT_REPORTED: "answered by the patient in the portal",
            Obtained.MEASURED_IMU: "measured by foot IMUs (gait engine)",
            Obtained.MEASURED_VIDEO: "measured from a video clip (gait engine)",
            Obtained.MEASURED_LIVE: "measured live during the exercise",
            Obtained.REPLAYED: "replayed from a recorded file of this visit",
        }[self]


@dataclass(frozen=True)
class MeasureRecord:
    """One scored administration: the score, its subscores, the test condition and the patient facts
    its bands may need (age and sex for the 30-s chair stand)."""

    measure_id: str
    score: float | None
    obtained: Obtained
    subscores: Mapping[str, float | None] = field(default_factory=dict)
    condition: str | None = None
    patient: Patient = field(default_factory=Patient)


@dataclass(frozen=True)
class GaitRecord:
    """A walk analysed by a gait engine: its mean speed (m/s; None when the engine could not scale it)."""

    speed_m_s: float | None
    obtained: Obtained


@dataclass(frozen=True)
class ExerciseRun:
    """One run of a library exercise by the patient (never a simulated one): faults cued, by name."""

    exercise_id: str
    side: str | None
    faults: Mapping[str, int]
    obtained: Obtained


@dataclass(frozen=True)
class VisitRecords:
    measures: Sequence[MeasureRecord] = ()
    gaits: Sequence[GaitRecord] = ()
    exercises: Sequence[ExerciseRun] = ()


@dataclass(frozen=True)
class Evidence:
    """One value that crossed a cut-off: what it is, the value with its unit, the cut-off as a rule, what
    crossing it means, the cut-off's basis (a published source, or our setting), and how it was obtained."""

    what: str
    value: float
    shown: str  # the value as people read it, with its unit: "41 points", "0.62 m/s"
    cutoff: str
    meaning: str
    basis: Basis
    obtained: Obtained
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The evidence as a problem row keeps it (JSON)."""
        basis = ({"citation": self.basis.citation, "population": self.basis.population}
                 if isinstance(self.basis, Source) else {"setting": self.basis.setting})
        return {"what": self.what, "value": self.value, "shown": self.shown, "cutoff": self.cutoff,
                "meaning": self.meaning, **basis, "obtained": self.obtained.label, "note": self.note}


@dataclass(frozen=True)
class Suggestion:
    """A technique or exercise of the library that addresses one of the finding's impairments."""

    kind: Literal["technique", "exercise"]
    id: str
    name: str
    addresses: tuple[Impairment, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name,
                "addresses": [str(tag) for tag in self.addresses]}


@dataclass(frozen=True)
class Finding:
    """A proposed problem: the rule that found it, a statement in clinical words, the evidence, the
    impairments it indicates and the library's matching techniques and exercises."""

    rule: str
    statement: str
    evidence: tuple[Evidence, ...]
    impairments: tuple[Impairment, ...]
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class BandRule:
    """A finding read from a measure's bands: ``bands`` are the band labels of ``measure`` that mean it."""

    id: str
    problem: str
    measure: str
    bands: tuple[str, ...]
    impairments: tuple[Impairment, ...]


BAND_RULES: tuple[BandRule, ...] = (
    BandRule("berg-fall-risk", "Reduced standing balance, increased risk of falls", "berg",
             ("Increased risk of falls",), (Impairment.STATIC_BALANCE, Impairment.DYNAMIC_BALANCE)),
    BandRule("tug-fall-risk", "Reduced functional mobility and dynamic balance, increased risk of falls", "tug",
             ("At risk of falling (CDC STEADI screen)", "Increased risk of falls"), (Impairment.DYNAMIC_BALANCE,)),
    BandRule("tug-cognitive-fall-risk", "Reduced dynamic balance while thinking, increased risk of falls",
             "tug-cognitive", ("Increased risk of falls",), (Impairment.DYNAMIC_BALANCE,)),
    BandRule("sit-to-stand-fall-risk", "Slow sit-to-stand, increased risk of falls", "ftsts",
             ("Increased risk of multiple falls", "Increased risk of recurrent falls"),
             (Impairment.SIT_TO_STAND, Impairment.DYNAMIC_BALANCE)),
    BandRule("chair-stand-fall-risk", "Few chair stands for age and sex, increased risk of falls", "chair-stand-30s",
             ("Below average for age and sex (fall risk)",), (Impairment.SIT_TO_STAND, Impairment.DYNAMIC_BALANCE)),
    BandRule("single-leg-stance-fall-risk", "Reduced single-leg balance, increased risk of injurious falls",
             "single-leg-stance", ("Increased risk of injurious falls",), (Impairment.STATIC_BALANCE,)),
    BandRule("four-stage-balance-fall-risk", "Cannot hold a tandem stance, increased risk of falls", "steadi-4-stage",
             ("Increased risk of falling (cannot hold tandem stance for 10 seconds)",), (Impairment.STATIC_BALANCE,)),
    BandRule("dgi-fall-risk", "Reduced dynamic balance in walking tasks, increased risk of falls", "dgi",
             ("Increased risk of falls",), (Impairment.DYNAMIC_BALANCE,)),
    BandRule("fga-fall-risk", "Reduced dynamic balance in walking tasks, increased risk of falls", "fga",
             ("Increased risk of falls within 6 months",), (Impairment.DYNAMIC_BALANCE,)),
    BandRule("mctsib-foam-eyes-closed", "Loses balance on foam with the eyes closed", "mctsib",
             ("Loses balance on foam with eyes closed (relies on vision or a firm surface; vestibular input "
              "alone is insufficient)",), (Impairment.SENSORY_INTEGRATION,)),
    BandRule("mctsib-firm-eyes-closed", "Loses balance with the eyes closed on a firm surface", "mctsib",
             ("Loses balance with eyes closed on a firm surface (relies on vision)",), (Impairment.VISION_RELIANCE,)),
    BandRule("reduced-gait-speed", "Reduced walking speed, below community ambulation", GAIT_SPEED_MEASURE,
             ("Household ambulator", "Limited community ambulator"), (Impairment.GAIT_SPEED,)),
)
"""The findings read from measure bands; the gait engines' speeds join ``reduced-gait-speed``."""

KNEE_VALGUS_RULE = "repeated-knee-valgus"
KNEE_VALGUS_PROBLEM = "Dynamic knee valgus, repeated under load"


def suggestions_for(impairments: Sequence[Impairment]) -> tuple[Suggestion, ...]:
    """The library's techniques, then exercises, that address any of ``impairments`` (library order), each
    with the impairments of the finding it addresses."""
    wanted = set(impairments)
    lib = library()
    techniques = [Suggestion("technique", t.id, t.name, tuple(i for i in t.addresses if i in wanted))
                  for t in lib.techniques.values()]
    exercises = [Suggestion("exercise", e.id, e.name, tuple(i for i in e.addresses if i in wanted))
                 for e in lib.exercises.values()]
    return tuple(s for s in (*techniques, *exercises) if s.addresses)


def _crossed(instrument: Instrument, value: float | None, subscores: Mapping[str, float | None], patient: Patient,
             condition: str | None, labels: tuple[str, ...]) -> list[Band]:
    """The bands with these labels that fit the patient and condition and hold the value."""
    applied = {(i.label, i.rule) for i in interpret(instrument, value, dict(subscores), patient, condition)
               if i.applies}
    return [b for b in instrument.bands
            if b.label in labels and (b.label, band_rule(b, instrument.unit_label)) in applied]


def _shown(value: float, decimals: int, unit: str) -> str:
    return f"{value:.{decimals}f} {unit}"


def _band_evidence(instrument: Instrument, band: Band, value: float, what: str, obtained: Obtained) -> Evidence:
    """The band's cut-off as evidence; a subscore's (an mCTSIB condition) is named in words, not by its id."""
    cutoff = band_rule(band, instrument.unit_label)
    if band.subscore is not None:
        part = next(s.name for s in instrument.subscales if s.id == band.subscore).lower()
        what, cutoff = f"{what}, {part}", cutoff.replace(band.subscore, part, 1)
    return Evidence(what=what, value=value, shown=_shown(value, instrument.decimals, instrument.unit_label),
                    cutoff=cutoff, meaning=band.label, basis=band.source, obtained=obtained)


def _measure_evidence(rule: BandRule, records: VisitRecords) -> list[Evidence]:
    instrument = instruments()[rule.measure]
    found: list[Evidence] = []
    for m in records.measures:
        if m.measure_id != rule.measure:
            continue
        for band in _crossed(instrument, m.score, m.subscores, m.patient, m.condition, rule.bands):
            value = m.score if band.subscore is None else m.subscores[band.subscore]
            if value is not None:
                found.append(_band_evidence(instrument, band, value, instrument.name, m.obtained))
    return found


def _gait_evidence(records: VisitRecords) -> list[Evidence]:
    """Gait engines' speeds judged against the 10 m walk's own bands (not a copied figure)."""
    instrument = instruments()[GAIT_SPEED_MEASURE]
    (rule,) = (r for r in BAND_RULES if r.measure == GAIT_SPEED_MEASURE)
    found = []
    for g in records.gaits:
        if g.speed_m_s is None:
            continue
        for band in _crossed(instrument, g.speed_m_s, {}, Patient(), None, rule.bands):
            evidence = _band_evidence(instrument, band, round(g.speed_m_s, 2), "Gait speed", g.obtained)
            found.append(replace(evidence, shown=f"{g.speed_m_s:.2f} m/s", note=(
                f"judged against the cut-off of the {instrument.name}; the gait engine's walk is not that "
                "test's timed 10 m")))
    return found


def _knee_valgus_evidence(records: VisitRecords) -> list[Evidence]:
    """One item per exercise, side and source whose runs cued knee valgus (of the library's exercises that
    define the fault); empty unless the visit's total reaches :data:`REPEATED_KNEE_VALGUS`."""
    counts: dict[tuple[str, str | None, Obtained], int] = {}
    for run in records.exercises:
        if run.faults.get(KNEE_VALGUS_FAULT):
            key = (run.exercise_id, run.side, run.obtained)
            counts[key] = counts.get(key, 0) + run.faults[KNEE_VALGUS_FAULT]
    found = []
    for (exercise_id, side, obtained), count in counts.items():
        try:
            chosen = exercise(exercise_id)
        except UnknownExercise:  # no longer in the library: its fault's definition is unknown
            continue
        fault = next((f for m in chosen.monitors for f in m.faults if f.fault == KNEE_VALGUS_FAULT), None)
        if fault is None:
            continue
        limit = fault.basis.setting if isinstance(fault.basis, Setting) else fault.basis.citation
        found.append(Evidence(
            what=f"{chosen.name}{f' ({side})' if side else ''}", value=count,
            shown=f"{count} knee-valgus episode{'s' if count != 1 else ''} cued",
            cutoff=f"at least {REPEATED_KNEE_VALGUS} episodes over the visit's exercises",
            meaning="", basis=REPEATED_KNEE_VALGUS_BASIS, obtained=obtained,
            note=f"an episode is the knee past {fault.limit:g}° of valgus for {fault.min_duration_s:g} s ({limit})"))
    return found if sum(e.value for e in found) >= REPEATED_KNEE_VALGUS else []


def _said(evidence: list[Evidence], meanings: bool) -> str:
    """The evidence in a sentence: each value once, with what the cut-offs it crossed mean when the rule
    reads several (the problem's own words already say what one means)."""
    values: dict[tuple[str, str], list[str]] = {}
    for e in evidence:
        said = [e.meaning[0].lower() + e.meaning[1:]] if meanings and e.meaning else []
        values.setdefault((e.what, e.shown), []).extend(said)
    return "; ".join(f"{what} {shown}" + (f" ({'; '.join(said)})" if said else "")
                     for (what, shown), said in values.items())


def _finding(rule: str, problem: str, evidence: list[Evidence], impairments: tuple[Impairment, ...], *,
             meanings: bool = False) -> Finding:
    return Finding(rule=rule, statement=f"{problem}: {_said(evidence, meanings)}.", evidence=tuple(evidence),
                   impairments=impairments, suggestions=suggestions_for(impairments))


def findings(records: VisitRecords) -> list[Finding]:
    """Every finding of the visit's records, in the order of the rules; a rule with no evidence is absent."""
    found = []
    for rule in BAND_RULES:
        evidence = _measure_evidence(rule, records)
        if rule.measure == GAIT_SPEED_MEASURE:
            evidence += _gait_evidence(records)
        if evidence:
            found.append(_finding(rule.id, rule.problem, evidence, rule.impairments, meanings=len(rule.bands) > 1))
    valgus = _knee_valgus_evidence(records)
    if valgus:
        total = sum(int(e.value) for e in valgus)
        found.append(_finding(KNEE_VALGUS_RULE, f"{KNEE_VALGUS_PROBLEM} ({total} episodes in the visit)", valgus,
                              (Impairment.KNEE_VALGUS,)))
    return found

