"""Published recovery courses: the average course of a measure in a condition, as a source gives it.

Only courses whose figures we verified in the source are here, exactly as published (``published``,
on the source's scale), with the conversion to our measure's scale stated (``to_measure``). A course
applies to an episode when its condition and measure match (``for_episode``); where none does, the
prognosis says "no published course we could verify".

Verified: Menezes Costa L da C et al. 2012 (CMAJ), the pooled mean pain score (out of 100) of
cohorts with acute and with persistent low-back pain at baseline, 6, 26 and 52 weeks, each with its
95 % confidence interval (the abstract's figures). The source pools *means*: it gives no spread
between patients, so a course here says where the average goes, not where one person will be.
Searched and not shipped: a course of disability (the same paper reports it only in its figures,
which we could not read), of the NDI after whiplash, the Berg or gait speed after stroke, and
recovery after knee replacement (no figures we could verify).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Point(BaseModel):
    """The course at one time: the pooled mean and its 95 % CI, ``week`` weeks from baseline (the
    abstract counts them "after the onset of pain"; we align week 0 with the episode's first score)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    week: float = Field(ge=0)
    mean: float
    ci_low: float
    ci_high: float

    @model_validator(mode="after")
    def _ordered(self) -> Point:
        if not self.ci_low <= self.mean <= self.ci_high:
            raise ValueError(f"week {self.week:g}: the mean must lie within its confidence interval")
        return self


class Course(BaseModel):
    """One published course: where it comes from, whom it describes, its points as published."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    short: str = Field(description="Author and year, e.g. 'Menezes Costa et al. 2012'.")
    citation: str
    population: str
    measure_id: str = Field(description="Our measure the course is read on.")
    conditions: tuple[str, ...] = Field(description="Episode conditions (clinic vocabulary values) it applies to.")
    published_scale: str
    published_range: tuple[float, float] = Field(description="The published scale's lowest and highest value.")
    to_measure: float = Field(gt=0, description="Multiply a published figure by this for our measure's units.")
    conversion: str = Field(description="Why the conversion holds (our reading, stated).")
    published: tuple[Point, ...]

    @model_validator(mode="after")
    def _in_time_order(self) -> Course:
        weeks = [p.week for p in self.published]
        if len(weeks) < 2 or weeks != sorted(set(weeks)) or weeks[0] != 0:
            raise ValueError(f"{self.id}: points must start at week 0 (baseline) and go forward in time")
        return self

    @property
    def measure_range(self) -> tuple[float, float]:
        """The published scale's range in our measure's units."""
        return self.published_range[0] * self.to_measure, self.published_range[1] * self.to_measure

    @property
    def points(self) -> tuple[Point, ...]:
        """The published points in our measure's units."""
        k = self.to_measure
        return tuple(Point(week=p.week, mean=p.mean * k, ci_low=p.ci_low * k, ci_high=p.ci_high * k)
                     for p in self.published)


_COSTA_2012 = ("Menezes Costa L da C, Maher CG, Hancock MJ, McAuley JH, Herbert RD, Costa LOP. The prognosis "
               "of acute and persistent low-back pain: a meta-analysis. CMAJ 2012;184(11):E613-E624.")
_PAIN_OUT_OF_100 = ("The source pools pain scores rescaled to 0-100; our NPRS is 0-10, so a figure is divided "
                    "by 10 (our conversion).")

COURSES: tuple[Course, ...] = (
    Course(
        id="lbp-acute-pain-costa-2012",
        short="Menezes Costa et al. 2012",
        citation=_COSTA_2012,
        population="Inception cohorts with acute low-back pain (33 cohorts, 11,166 participants in the review); "
                   "weeks counted, as the abstract says, after the onset of pain",
        measure_id="nprs",
        conditions=(),  # our vocabulary has no acute low-back pain; used to simulate the calibration cohort
        published_scale="Pain, 0-100 (variance-weighted pooled mean, 95% CI)",
        published_range=(0, 100),
        to_measure=0.1,
        conversion=_PAIN_OUT_OF_100,
        published=(Point(week=0, mean=52, ci_low=48, ci_high=57), Point(week=6, mean=23, ci_low=21, ci_high=25),
                   Point(week=26, mean=12, ci_low=9, ci_high=15), Point(week=52, mean=6, ci_low=3, ci_high=10)),
    ),
    Course(
        id="lbp-persistent-pain-costa-2012",
        short="Menezes Costa et al. 2012",
        citation=_COSTA_2012,
        population="Inception cohorts with persistent low-back pain (more than 12 weeks, less than 12 months; "
                   "33 cohorts, 11,166 participants in the review); weeks counted, as the abstract says, after the onset "
                   "of pain",
        measure_id="nprs",
        conditions=("chronic_low_back_pain",),
        published_scale="Pain, 0-100 (variance-weighted pooled mean, 95% CI)",
        published_range=(0, 100),
        to_measure=0.1,
        conversion=_PAIN_OUT_OF_100,
        published=(Point(week=0, mean=51, ci_low=44, ci_high=59), Point(week=6, mean=33, ci_low=29, ci_high=38),
                   Point(week=26, mean=26, ci_low=20, ci_high=33), Point(week=52, mean=23, ci_low=16, ci_high=30)),
    ),
)


def get(course_id: str) -> Course:
    return next(c for c in COURSES if c.id == course_id)


def for_episode(condition: str, measure_id: str) -> Course | None:
    """The published course for an episode's condition and measure, if we verified one."""
    return next((c for c in COURSES if c.measure_id == measure_id and condition in c.conditions), None)
