"""Does the prognosis's 80 % interval hold about 80 % of outcomes? Checked on a simulated cohort.

The cohort is simulated from a published recovery course (`courses.py`): each simulated patient's
true score follows ``plateau + (baseline - plateau) * exp(-t / tau)``, with the baseline, the plateau
(as a fraction of the baseline) and ``tau`` varying between patients so that the cohort's *mean*
course matches the published means (the test holds it within ``MEAN_COURSE_TOLERANCE`` points). The
source publishes only pooled means, so the between-patient spread and the measurement noise
(``CohortSettings``) are our assumptions, stated; observed scores are the true score plus noise,
rounded to the measure's whole points and kept within its range.

The goal of every simulated patient: ``goal_drop`` points better than their first observed score.
- Own trend: the prognosis is made after ``early_days`` of weekly check-ins; the outcome is the day
  the patient's true course, recorded without noise, shows the target (comes within half a point of
  it); never, or beyond the horizon, counts as infinite.
- Clinic episodes: the "clinic" is the rest of the cohort, each episode followed weekly until
  ``discharge_days`` (censored there); the outcome is the first check-in, followed for a year, that
  shows the target (the event the clinic's records can show). Clinic check-ins fall 5 to 9 days apart,
  as visits do, not on a fixed weekday.
A patient whose early check-ins already show the target is left out (the prognosis says "met").
An open-ended interval (no later bound) holds every outcome after its start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from reeducate.planning.courses import Course
from reeducate.planning.prognosis import (
    HORIZON_DAYS,
    Basis,
    GoalSpec,
    NotEnoughData,
    PastEpisode,
    Prognosis,
    clinic_episodes,
    own_trend,
)

MEAN_COURSE_TOLERANCE = 0.25
"""How close (points) the simulated cohort's mean course must come to the published means."""
RESOLUTION = 1.0
"""Observed scores are whole points (the NPRS)."""
START = date(2026, 1, 5)
"""Day 0 of every simulated episode (any date would do)."""


@dataclass(frozen=True)
class CohortSettings:
    """Between-patient spread and measurement noise: our assumptions (the source gives only means).

    Chosen so the cohort's mean course of the persistent low-back pain course (Menezes Costa et al.
    2012) comes within 0.1 point of the published means at 0, 6, 26 and 52 weeks.
    """

    baseline_sd: float = 1.8  # points, around the published baseline mean
    plateau_fraction: float = 0.45  # the median plateau, as a fraction of the baseline
    plateau_logit_sd: float = 0.8
    tau_median_days: float = 40.0
    tau_log_sd: float = 1.0
    noise_sd: float = 0.8  # points, one check-in's measurement noise
    goal_drop: float = 2.0  # points better than the first observed score
    early_days: int = 28  # weekly check-ins on days 0, 7, ..., early_days before the prognosis
    discharge_days: int = 84  # the clinic's past episodes are followed weekly until then


@dataclass(frozen=True)
class Cohort:
    """Simulated patients' true-course parameters, in the course's measure units and days."""

    baseline: np.ndarray
    plateau: np.ndarray
    tau: np.ndarray
    minimum: float
    maximum: float
    higher_is_better: bool

    def true(self, i: int, day: float | np.ndarray) -> np.ndarray:
        return self.plateau[i] + (self.baseline[i] - self.plateau[i]) * np.exp(-np.asarray(day) / self.tau[i])

    def mean_course(self, weeks: list[float]) -> list[float]:
        return [float(np.mean(self.plateau + (self.baseline - self.plateau) * np.exp(-7 * w / self.tau)))
                for w in weeks]


def simulate(course: Course, n: int, settings: CohortSettings, rng: np.random.Generator) -> Cohort:
    """``n`` patients whose true courses scatter around the published course (see the module)."""
    first = course.points[0].mean
    bottom, top = course.measure_range
    baseline = np.clip(first + settings.baseline_sd * rng.standard_normal(n), bottom, top)
    logit = math.log(settings.plateau_fraction / (1 - settings.plateau_fraction))
    fraction = 1 / (1 + np.exp(-(logit + settings.plateau_logit_sd * rng.standard_normal(n))))
    tau = settings.tau_median_days * np.exp(settings.tau_log_sd * rng.standard_normal(n))
    higher = course.points[-1].mean > first
    return Cohort(baseline, baseline * fraction, tau, bottom, top, higher)


def _observe(cohort: Cohort, i: int, days: np.ndarray, noise_sd: float, rng: np.random.Generator) -> np.ndarray:
    noisy = cohort.true(i, days) + noise_sd * rng.standard_normal(len(days))
    return np.clip(np.round(noisy), cohort.minimum, cohort.maximum)


def _check_in_days(until: int, rng: np.random.Generator) -> np.ndarray:
    """Day 0, then about weekly (5 to 9 days apart, as visits fall) until ``until``."""
    gaps = rng.integers(5, 10, size=until // 5 + 1)
    days = np.concatenate([[0], np.cumsum(gaps)])
    return days[days <= until]


def _scores(days: np.ndarray, values: np.ndarray) -> tuple[tuple[date, float], ...]:
    return tuple((START + timedelta(days=int(d)), float(v)) for d, v in zip(days, values, strict=True))


def _holds(prognosis: Prognosis, outcome_days: float) -> bool:
    low = math.inf if prognosis.low_on is None else (prognosis.low_on - START).days
    high = math.inf if prognosis.high_on is None else (prognosis.high_on - START).days
    return low <= outcome_days <= high


def _true_day(cohort: Cohort, i: int, target: float, now: float) -> float:
    """The first day (whole, from day 0) the true course, recorded without noise, shows ``target``
    (comes within half a point of it); inf past the horizon."""
    sign = 1.0 if cohort.higher_is_better else -1.0
    target -= sign * RESOLUTION / 2
    start, plateau, tau = cohort.baseline[i], cohort.plateau[i], cohort.tau[i]
    if sign * (float(cohort.true(i, now)) - target) >= 0:
        return now
    if sign * (plateau - target) <= 0:
        return math.inf
    day = math.ceil(-tau * math.log((target - plateau) / (start - plateau)))
    return day if day <= now + HORIZON_DAYS else math.inf


@dataclass(frozen=True)
class Coverage:
    """How often the intervals held the outcome, over how many prognoses; the median width of the
    closed intervals, how many were open-ended (no later bound), how many outcomes never came."""

    basis: Basis
    patients: int
    held: int
    median_width_days: float | None
    open_ended: int
    never: int

    @property
    def rate(self) -> float:
        return self.held / self.patients if self.patients else math.nan


def _coverage(basis: Basis, results: list[tuple[Prognosis, float]]) -> Coverage:
    widths = [(p.high_on - p.low_on).days for p, _ in results if p.low_on and p.high_on]
    return Coverage(basis, len(results), sum(_holds(p, outcome) for p, outcome in results),
                    float(np.median(widths)) if widths else None,
                    sum(p.high_on is None for p, _ in results), sum(math.isinf(o) for _, o in results))


def _goal(cohort: Cohort, first_observed: float, settings: CohortSettings) -> GoalSpec | None:
    """The simulated goal, or None where it would lie outside the scale (no such goal can be set)."""
    sign = 1.0 if cohort.higher_is_better else -1.0
    target = first_observed + sign * settings.goal_drop
    if not cohort.minimum <= target <= cohort.maximum:
        return None
    return GoalSpec("simulated", cohort.higher_is_better, cohort.minimum, cohort.maximum, target,
                    resolution=RESOLUTION)


def own_trend_coverage(course: Course, n: int, settings: CohortSettings | None = None,
                       random_state: int = 0) -> Coverage:
    """The own-trend basis on ``n`` simulated patients (see the module)."""
    settings = settings or CohortSettings()
    rng = np.random.default_rng(random_state)
    cohort = simulate(course, n, settings, rng)
    early = np.arange(0, settings.early_days + 1, 7)
    results = []
    for i in range(n):
        observed = _observe(cohort, i, early, settings.noise_sd, rng)
        goal = _goal(cohort, observed[0], settings)
        if goal is None:
            continue
        sign = 1.0 if goal.higher_is_better else -1.0
        if sign * (observed[-1] - goal.target) >= 0:
            continue
        prognosis = own_trend(goal, _scores(early, observed), START + timedelta(days=int(early[-1])), rng)
        results.append((prognosis, _true_day(cohort, i, goal.target, float(early[-1]))))
    return _coverage(Basis.OWN_TREND, results)


def clinic_coverage(course: Course, n: int, clinic_size: int, settings: CohortSettings | None = None,
                    random_state: int = 0) -> Coverage:
    """The clinic-episodes basis on ``n`` simulated patients, each against ``clinic_size`` past ones."""
    settings = settings or CohortSettings()
    rng = np.random.default_rng(random_state)
    cohort = simulate(course, n + clinic_size, settings, rng)
    past = []
    for j in range(n, n + clinic_size):
        followed = _check_in_days(settings.discharge_days, rng)
        past.append(PastEpisode(_scores(followed, _observe(cohort, j, followed, settings.noise_sd, rng))))
    results = []
    for i in range(n):
        year = _check_in_days(HORIZON_DAYS, rng)
        observed = _observe(cohort, i, year, settings.noise_sd, rng)
        goal = _goal(cohort, observed[0], settings)
        if goal is None:
            continue
        sign = 1.0 if goal.higher_is_better else -1.0
        reached = np.flatnonzero(sign * (observed - goal.target) >= 0)
        if reached.size and year[reached[0]] <= settings.early_days:
            continue
        early = year[year <= settings.early_days]
        outcome = float(year[reached[0]]) if reached.size else math.inf
        try:
            prognosis = clinic_episodes(goal, _scores(early, observed[: len(early)]), past,
                                        START + timedelta(days=int(early[-1])), "simulated")
        except NotEnoughData:  # too few comparable episodes for this baseline: no prognosis to check
            continue
        results.append((prognosis, outcome))
    return _coverage(Basis.CLINIC_EPISODES, results)
