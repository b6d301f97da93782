"""Change between administrations: direction, the MDC (measurement error) and the MCID (importance).

An MDC may depend on the starting score (Berg: Donoghue & Stokes 2009), so each threshold says the
baseline range it applies to. Where several populations have published values, each is reported
with its population; `exceeds_mdc` and `meets_mcid` are judged on the first applicable value, which
each definition lists first because its population is the closest to an outpatient NMR clinic's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel

from reeducate.measures.definition import Instrument, Threshold
from reeducate.measures.interpretation import cite
from reeducate.measures.results import Change, InvalidResponses, ThresholdCheck


def _check(threshold: Threshold, improvement: float) -> ThresholdCheck:
    return ThresholdCheck(
        kind=threshold.kind,
        value=threshold.value,
        confidence_pct=threshold.confidence_pct,
        population=threshold.source.population,
        source=cite(threshold.source),
        met=improvement >= threshold.value if threshold.kind == "mcid" else abs(improvement) >= threshold.value,
        note=threshold.note,
    )


def _valid(instrument: Instrument, name: str, value: float) -> float:
    if not math.isfinite(value):
        raise InvalidResponses(f"{name} must be a number.")
    high = instrument.max if instrument.max is not None else math.inf
    if not instrument.min <= value <= high:
        limits = f"{instrument.min:g} to {high:g}" if high != math.inf else f"at least {instrument.min:g}"
        raise InvalidResponses(f"{instrument.abbreviation} {name} {value:g} is outside its range ({limits}).")
    return value


def change(instrument: Instrument, baseline: float, followup: float) -> Change:
    """Judge the change from `baseline` to `followup` (both scores in the instrument's unit)."""
    baseline = _valid(instrument, "baseline", baseline)
    followup = _valid(instrument, "follow-up", followup)
    delta = round(followup - baseline, 2)
    improvement = delta if instrument.higher_is_better else -delta
    direction: Literal["improved", "worsened", "unchanged"] = (
        "unchanged" if delta == 0 else ("improved" if improvement > 0 else "worsened"))
    applicable = [t for t in instrument.thresholds if t.applies_to(baseline)]
    mdc = [_check(t, improvement) for t in applicable if t.kind == "mdc"]
    mcid = [_check(t, improvement) for t in applicable if t.kind == "mcid"]
    exceeds = mdc[0].met if mdc else None
    meets = mcid[0].met if mcid else None
    return Change(
        measure=instrument.id,
        baseline=baseline,
        followup=followup,
        change=delta,
        unit=instrument.unit_label,
        direction=direction,
        higher_is_better=instrument.higher_is_better,
        exceeds_mdc=exceeds,
        meets_mcid=meets,
        mdc=mdc,
        mcid=mcid,
        summary=_summary(instrument, delta, direction, exceeds, meets),
    )


def _summary(instrument: Instrument, delta: float, direction: str, exceeds: bool | None, meets: bool | None
             ) -> str:
    text = f"{instrument.abbreviation} {direction} by {abs(delta):g} {instrument.unit_label}"
    if direction == "unchanged":
        text = f"{instrument.abbreviation} unchanged"
    if exceeds is None:
        text += "; no published MDC applies to this baseline"
    else:
        text += "; beyond measurement error (MDC)" if exceeds else "; within measurement error (below the MDC)"
    if meets is not None and direction == "improved":
        text += ", clinically important (MCID met)" if meets else ", below the MCID"
    return text + "."


class TrajectoryPoint(BaseModel):
    """One administration on an episode's trajectory, compared with the episode's baseline."""

    on: date
    score: float
    change_from_baseline: float
    exceeds_mdc: bool | None
    meets_mcid: bool | None


class Trajectory(BaseModel):
    measure: str
    unit: str
    higher_is_better: bool
    baseline: float
    mdc_band: tuple[float, float] | None
    points: list[TrajectoryPoint]


class MeasureProgress(BaseModel):
    """One measure over an episode: every score against the baseline, the MDC band and the goal."""

    measure_id: str
    name: str
    unit: str
    higher_is_better: bool
    goal: float | None
    trajectory: Trajectory | None
    subscore_trajectories: dict[str, Trajectory] = {}


def trajectory(instrument: Instrument, scores: Sequence[tuple[date, float]]) -> Trajectory:
    """Each score of an episode against its first (the baseline), in date order.

    `mdc_band` is the baseline plus and minus the headline MDC (the first applicable one): a later
    score inside it is within measurement error of the baseline.
    """
    if not scores:
        raise InvalidResponses(f"No {instrument.abbreviation} scores to follow.")
    ordered = sorted(scores, key=lambda pair: pair[0])
    baseline = ordered[0][1]
    mdcs = [t.value for t in instrument.thresholds if t.kind == "mdc" and t.applies_to(baseline)]
    band = (baseline - mdcs[0], baseline + mdcs[0]) if mdcs else None
    points = []
    for on, value in ordered:
        judged = change(instrument, baseline, value)
        points.append(TrajectoryPoint(on=on, score=value, change_from_baseline=judged.change,
                                      exceeds_mdc=judged.exceeds_mdc, meets_mcid=judged.meets_mcid))
    return Trajectory(measure=instrument.id, unit=instrument.unit_label,
                      higher_is_better=instrument.higher_is_better, baseline=baseline, mdc_band=band,
                      points=points)
