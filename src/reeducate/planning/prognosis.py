"""When will a measure-linked goal be met? A date with an 80 % interval, and always the reason for it.

Three bases, tried in this order; the first that has enough data wins, and the prognosis names the
ones it passed over and why (``considered``):

1. **The patient's own trend** (``OWN_TREND``): this person's own scores, so the most specific
   evidence there is. A recovery curve that slows toward a plateau, ``score(t) = plateau +
   amplitude * exp(-t / tau)``, is fitted with its uncertainty: for each time constant ``tau`` and
   plateau on a grid (``tau`` log-uniform from a week to a year, the plateau uniform over the
   measure's range: a score cannot level off where the scale does not reach) the curve is linear in
   its amplitude, so the posterior (flat priors on the amplitude and log sigma) has a closed form, and
   draws of the cell, the residual scatter ``sigma`` and the amplitude follow exactly (prediction by
   simulation). Each draw gives the day its curve reaches the target; the interval is the 10th to
   90th percentile of those days. Never a straight line through two points: below
   ``MIN_ADMINISTRATIONS`` scores over ``MIN_SPAN_DAYS`` days it refuses.
2. **The clinic's own past episodes** (``CLINIC_EPISODES``): the same clinic, the same condition, a
   baseline within ``BASELINE_TOLERANCE`` of the measure's range of this patient's. For each, the days
   from its baseline until a score first showed the change this goal needs (or, never showing it, the
   days it was followed: censored). A Kaplan-Meier estimate, conditioned on this patient not having
   got there yet, gives the empirical quantiles. Below ``MIN_CLINIC_EPISODES`` comparable episodes it
   refuses. It comes second because other people's courses say less about this person than their own.
3. **A published recovery course** (``PUBLISHED_COURSE``, `courses.py`): the population's average
   course, scaled to this patient's baseline. Its range is the published confidence interval of the
   *average* course, not an 80 % interval for one person, and it says so; that is why it comes last.
4. ``NONE``: "not enough data yet, because ...". Never a number without its basis.

The settings below are ours (Reeducate's choices, not a published rule), stated so a test holds us to
them. Pure: no database, no web, no clock (``as_of`` is given). Days are calendar days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

import numpy as np

from reeducate.planning.courses import Course

MIN_ADMINISTRATIONS = 4
"""Fewest of the patient's own scores for a trend (our setting)."""
MIN_SPAN_DAYS = 21
"""Fewest days between the first and last of them (our setting): a trend needs time to show a curve."""
MIN_CLINIC_EPISODES = 8
"""Fewest comparable past episodes of the clinic (our setting)."""
BASELINE_TOLERANCE = 0.10
"""A past episode is comparable when its baseline is within this fraction of the measure's range of
the patient's baseline (our setting; 1 point on the 0-10 NPRS, 5 on the 0-50 NDI)."""
HORIZON_DAYS = 365
"""How far ahead a date is given (our setting); a goal not reached within it is "not within a year"."""
LEVEL = 0.80
"""The interval's coverage: from the 10th to the 90th percentile."""
DRAWS = 2000
"""Simulated courses for the own-trend interval."""
TAU_GRID_DAYS = np.geomspace(7.0, 365.0, 48)
"""Time constants the own trend considers, days (our setting): from a week to a year."""


class Basis(StrEnum):
    OWN_TREND = "own_trend"
    CLINIC_EPISODES = "clinic_episodes"
    PUBLISHED_COURSE = "published_course"
    NONE = "none"


class Outlook(StrEnum):
    """The goal's due date against the prognosis."""

    MET = "met"  # already met
    ON_TRACK = "on_track"  # the whole interval ends by the due date
    AT_RISK = "at_risk"  # the expected date is by the due date, the interval runs past it
    BEHIND = "behind"  # the expected date is after the due date
    NO_DUE_DATE = "no_due_date"
    UNKNOWN = "unknown"  # no date to compare


Score = tuple[date, float]


@dataclass(frozen=True)
class GoalSpec:
    """A measure-linked goal: the measure's direction and range, the target, and its due date."""

    measure_name: str
    higher_is_better: bool
    minimum: float
    maximum: float | None
    target: float
    due_on: date | None = None
    resolution: float = 0.0
    """The step of a recorded score (1 for whole points, 0.01 m/s for gait speed): a recorded score
    shows the target once the underlying score is within half a step of it (the own trend's event)."""


@dataclass(frozen=True)
class PastEpisode:
    """One of the clinic's discharged episodes with the measure: its dated scores, baseline first."""

    scores: tuple[Score, ...]


@dataclass(frozen=True)
class Prognosis:
    """When a goal is expected to be met, on what basis, and in words for the therapist and patient.

    ``expected_on`` is the median date; ``low_on``/``high_on`` the interval (``interval`` names what
    kind); ``high_on`` None with a date in ``low_on`` means "not before ``low_on``, no later bound
    within the horizon": that one-sided interval starts at the 20th percentile, so it too holds 80 %. ``plain`` is for the patient (no statistics words), ``reason`` for the
    therapist; ``considered`` names each basis passed over and why.
    """

    basis: Basis
    already_met: bool
    expected_on: date | None
    low_on: date | None
    high_on: date | None
    interval: str
    reason: str
    plain: str
    outlook: Outlook
    considered: tuple[str, ...] = ()
    citation: str = ""


class NotEnoughData(Exception):
    """A basis that does not have enough data; the message says why."""


def _sign(goal: GoalSpec) -> float:
    return 1.0 if goal.higher_is_better else -1.0


def _met(goal: GoalSpec, value: float) -> bool:
    return _sign(goal) * (value - goal.target) >= 0


def _outlook(goal: GoalSpec, expected: date | None, high: date | None) -> Outlook:
    if goal.due_on is None:
        return Outlook.NO_DUE_DATE
    if expected is None:
        return Outlook.UNKNOWN
    if expected > goal.due_on:
        return Outlook.BEHIND
    return Outlook.ON_TRACK if high is not None and high <= goal.due_on else Outlook.AT_RISK


def _day(origin: date, days: float | None) -> date | None:
    if days is None or not math.isfinite(days):
        return None
    return origin + timedelta(days=math.ceil(days))


# --- own trend ----------------------------------------------------------------------------------


def _plateau_grid(goal: GoalSpec, y: np.ndarray) -> np.ndarray:
    """Plateaus the own trend considers, in the measure's units, in 60 steps: a recovery levels off
    between the first score and the scale's best end (our assumption: the course is a recovery). A
    measure without a maximum (gait speed, metres walked) has its best end at twice the larger of the
    target and the best score so far (our setting)."""
    best = goal.maximum if goal.maximum is not None else 2 * max(goal.target, float(np.max(y)))
    if not goal.higher_is_better:
        best = goal.minimum
    return np.linspace(float(y[0]), best, 60)


def _own_trend_days(t: np.ndarray, y: np.ndarray, goal: GoalSpec, now: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Days (from the first score) at which each simulated course reaches the target (inf: not within
    the horizon), and the posterior mean residual scatter (points).

    For each (tau, plateau) on the grid the curve is linear in its amplitude alone, so with a flat
    prior on the amplitude and on log sigma the marginal likelihood is closed-form:
    ``S_xx^-1/2 * RSS^-(n-1)/2``; a cell is drawn by it, then sigma and the amplitude exactly.
    """
    n = len(t)
    sign = _sign(goal)
    z, z_target = sign * y, sign * goal.target - goal.resolution / 2
    plateaus = sign * _plateau_grid(goal, y)
    decay = np.exp(-t[None, :] / TAU_GRID_DAYS[:, None])  # (tau, n)
    s_xx = np.sum(decay**2, axis=1)[:, None]  # (tau, 1)
    s_xy = (decay @ z)[:, None] - plateaus[None, :] * np.sum(decay, axis=1)[:, None]  # (tau, plateau)
    s_yy = float(z @ z) - 2 * plateaus * float(np.sum(z)) + n * plateaus**2  # (plateau,)
    rss = np.maximum(s_yy[None, :] - s_xy**2 / s_xx, 0) + (n - 1) * max(goal.resolution, 1e-4) ** 2 / 12
    log_ml = -0.5 * np.log(s_xx) - 0.5 * (n - 1) * np.log(rss)
    weights = np.exp(log_ml - log_ml.max()).ravel()
    cells = rng.choice(weights.size, size=DRAWS, p=weights / weights.sum())
    which_tau, which_plateau = np.unravel_index(cells, log_ml.shape)
    tau, plateau = TAU_GRID_DAYS[which_tau], plateaus[which_plateau]
    sigma2 = rss[which_tau, which_plateau] / rng.chisquare(n - 1, size=DRAWS)
    spread = np.sqrt(sigma2 / s_xx[which_tau, 0])
    amplitude = s_xy[which_tau, which_plateau] / s_xx[which_tau, 0] + spread * rng.standard_normal(DRAWS)
    value_now = plateau + amplitude * np.exp(-now / tau)
    days = np.full(DRAWS, np.inf)
    days[value_now >= z_target] = now
    rising = (value_now < z_target) & (amplitude < 0) & (plateau > z_target)
    days[rising] = -tau[rising] * np.log((z_target - plateau[rising]) / amplitude[rising])
    days[days > now + HORIZON_DAYS] = np.inf
    return days, float(np.sqrt(np.mean(sigma2)))


def own_trend(goal: GoalSpec, scores: Sequence[Score], as_of: date, rng: np.random.Generator) -> Prognosis:
    """The prognosis from the patient's own scores (the recovery curve above); refuses with too few."""
    ordered = sorted(scores)
    span = (ordered[-1][0] - ordered[0][0]).days if ordered else 0
    if len(ordered) < MIN_ADMINISTRATIONS or span < MIN_SPAN_DAYS:
        scored = f"{len(ordered)} score" + ("" if len(ordered) == 1 else "s")
        raise NotEnoughData(f"own trend: {scored} over {span} days; it needs at least {MIN_ADMINISTRATIONS} over "
                            f"{MIN_SPAN_DAYS} days (a Reeducate setting, not a published figure)")
    origin = ordered[0][0]
    t = np.array([(d - origin).days for d, _ in ordered], dtype=float)
    y = np.array([v for _, v in ordered], dtype=float)
    now = float((as_of - origin).days)
    days, scatter = _own_trend_days(t, y, goal, now, rng)
    low, mid, high, one_sided = np.quantile(days, [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2, 1 - LEVEL],
                                            method="inverted_cdf")
    expected, low_on, high_on = _day(origin, mid), _day(origin, low if math.isfinite(high) else one_sided), _day(origin, high)
    reason = (f"Own trend: a recovery curve levelling toward a plateau, fitted to {len(ordered)} scores over "
              f"{span} days (residual scatter about {scatter:.2g} points); the interval spans the middle "
              f"{LEVEL:.0%} of {DRAWS} simulated courses drawn with the fit's uncertainty.")
    if expected is None:
        reason += f" Most simulated courses do not reach {goal.target:g} within {HORIZON_DAYS} days."
    return Prognosis(Basis.OWN_TREND, False, expected, low_on, high_on, f"{LEVEL:.0%} prediction interval",
                     reason, "judging from your own progress so far", _outlook(goal, expected, high_on))


# --- the clinic's past episodes -----------------------------------------------------------------


def _days_to_change(episode: PastEpisode, change: float, sign: float) -> tuple[float, bool]:
    """Days from the episode's baseline to the first score that shows ``change``; (last day, False) if none."""
    (start, baseline), *rest = episode.scores
    for day, value in rest:
        if sign * (value - baseline) >= change:
            return float((day - start).days), True
    return float((episode.scores[-1][0] - start).days), False


def _km_quantiles(times: np.ndarray, events: np.ndarray, after: float,
                  levels: Sequence[float]) -> list[float | None]:
    """Kaplan-Meier quantiles of the time to event given no event by ``after``; None past follow-up."""
    survival, found = 1.0, []
    curve: list[tuple[float, float]] = []
    for moment in np.unique(times[events & (times > after)]):
        at_risk = np.sum(times >= moment)
        survival *= 1 - np.sum((times == moment) & events) / at_risk
        curve.append((float(moment), 1 - survival))
    for level in levels:
        found.append(next((moment for moment, failed in curve if failed >= level - 1e-12), None))
    return found


def clinic_episodes(goal: GoalSpec, scores: Sequence[Score], past: Sequence[PastEpisode], as_of: date,
                    condition: str) -> Prognosis:
    """The prognosis from the clinic's comparable past episodes; refuses with too few."""
    ordered = sorted(scores)
    if not ordered:
        raise NotEnoughData("clinic episodes: this episode has no baseline score yet")
    origin, baseline = ordered[0]
    sign = _sign(goal)
    change = sign * (goal.target - baseline)
    # A measure without a maximum (gait speed) takes the highest score seen as its range's top.
    top = goal.maximum if goal.maximum is not None else max([v for e in past for _, v in e.scores] + [baseline])
    tolerance = BASELINE_TOLERANCE * (top - goal.minimum)
    alike = [e for e in past if len(e.scores) >= 2 and abs(e.scores[0][1] - baseline) <= tolerance]
    if len(alike) < MIN_CLINIC_EPISODES:
        raise NotEnoughData(f"clinic episodes: {len(alike)} past episodes of this clinic with {condition} and a "
                            f"baseline within {tolerance:g} points; it needs at least {MIN_CLINIC_EPISODES} (a Reeducate setting)")
    outcomes = [_days_to_change(e, change, sign) for e in alike]
    times = np.array([d for d, _ in outcomes])
    events = np.array([reached for _, reached in outcomes])
    elapsed = float((as_of - origin).days)
    at_risk = int(np.sum(times > elapsed))
    if at_risk < MIN_CLINIC_EPISODES // 2:
        raise NotEnoughData(f"clinic episodes: only {at_risk} comparable episodes were followed beyond "
                            f"{elapsed:.0f} days, where this episode is now")
    low, mid, high, one_sided = _km_quantiles(times, events, elapsed,
                                              [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2, 1 - LEVEL])
    expected, low_on, high_on = _day(origin, mid), _day(origin, low if high is not None else one_sided), _day(origin, high)
    reason = (f"Clinic episodes: {len(alike)} past episodes of this clinic with {condition}, baseline within "
              f"{tolerance:g} points of this one's {baseline:g}; {int(events.sum())} of them showed a change of "
              f"{abs(change):g} points before discharge. Quantiles of the days to that change (Kaplan-Meier, "
              f"those discharged before it censored), given no change yet at day {elapsed:.0f}.")
    if high_on is None:
        reason += " Too few of them showed the change for a later bound."
    return Prognosis(Basis.CLINIC_EPISODES, False, expected, low_on, high_on, f"{LEVEL:.0%} interval (clinic's episodes)",
                     reason, "judging from how people who started where you did progressed at this clinic",
                     _outlook(goal, expected, high_on))


# --- a published course ------------------------------------------------------------------------


def _week_reached(weeks: Sequence[float], values: Sequence[float], target: float, sign: float) -> float | None:
    """The first week (linear between published points) at which the course reaches ``target``."""
    for (w0, v0), (w1, v1) in pairwise(zip(weeks, values, strict=True)):
        if sign * (v0 - target) >= 0:
            return w0
        if sign * (v1 - target) >= 0:
            return w0 + (w1 - w0) * (target - v0) / (v1 - v0)
    return None


def published_course(goal: GoalSpec, scores: Sequence[Score], course: Course | None, as_of: date) -> Prognosis:
    """The published average course scaled to this patient's baseline (proportionally: our reading)."""
    if course is None:
        raise NotEnoughData("published course: no published course we could verify for this condition and measure")
    ordered = sorted(scores)
    if not ordered:
        raise NotEnoughData("published course: this episode has no baseline score yet")
    origin, baseline = ordered[0]
    sign = _sign(goal)
    first = course.points[0].mean
    weeks = [p.week for p in course.points]
    found = [_week_reached(weeks, [baseline * getattr(p, field) / first for p in course.points], goal.target, sign)
             for field in ("mean", "ci_low", "ci_high")]
    mid = found[0]
    optimistic, pessimistic = (found[2], found[1]) if goal.higher_is_better else (found[1], found[2])
    if mid is None:
        raise NotEnoughData(f"published course: the average course ({course.short}) does not reach {goal.target:g} "
                            f"from this baseline within its {weeks[-1]:g} weeks")
    expected, low_on, high_on = (_day(origin, w * 7) if w is not None else None for w in (mid, optimistic, pessimistic))
    if expected is not None and expected < as_of:
        raise NotEnoughData(f"published course: the average course ({course.short}) would have reached the target "
                            "by now; this patient is slower than that average, so it cannot say when")
    reason = (f"Published course: {course.short}, {course.population}; the pooled average course scaled to "
              f"this baseline ({baseline:g}). The range is the published 95% CI of the average course, not an "
              "interval for one person.")
    return Prognosis(Basis.PUBLISHED_COURSE, False, expected, low_on, high_on,
                     "95% CI of the published average course", reason,
                     "judging from how people with the same condition usually recover, on average, in published studies",
                     _outlook(goal, expected, high_on), citation=course.citation)


# --- the whole ----------------------------------------------------------------------------------


NOT_YET = "We can't say yet: we need a few more of your check-ins."


def prognose(goal: GoalSpec, scores: Sequence[Score], *, as_of: date, past: Sequence[PastEpisode] = (),
             course: Course | None = None, condition: str = "the same condition",
             random_state: int | np.random.Generator | None = 0) -> Prognosis:
    """The goal's prognosis from the first basis with enough data (own trend, clinic, published)."""
    ordered = sorted(scores)
    if ordered and _met(goal, ordered[-1][1]):
        return Prognosis(Basis.NONE, True, None, None, None, "", f"Already met: the latest score, "
                         f"{ordered[-1][1]:g}, reaches the target {goal.target:g}.",
                         "You have reached this goal.", Outlook.MET)
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    considered: list[str] = []
    attempts = (lambda: own_trend(goal, ordered, as_of, rng),
                lambda: clinic_episodes(goal, ordered, past, as_of, condition),
                lambda: published_course(goal, ordered, course, as_of))
    for attempt in attempts:
        try:
            found = attempt()
        except NotEnoughData as why:
            considered.append(str(why))
            continue
        return replace(found, considered=tuple(considered))
    return Prognosis(Basis.NONE, False, None, None, None, "", "Not enough data yet, because: "
                     + "; ".join(considered) + ".", NOT_YET, _outlook(goal, None, None), tuple(considered))
