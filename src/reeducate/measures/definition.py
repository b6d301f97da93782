"""The schema of an instrument definition: what a YAML file under `definitions/` may say.

An instrument is data: its items (or the timed/counted quantity it records), the scoring method
that turns answers into a score, the missing-item rule, the interpretation bands and norms, and
the change thresholds (MDC, MCID). Every clinical figure carries a `Source` (author, year, journal,
population). The scoring code lives in `scoring.py`; nothing clinical is a literal in code.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    """Definitions are hand-written: an unknown or misspelt key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """Where a figure comes from: a full citation, and the population it was measured in."""

    citation: str = Field(min_length=10, description="Author(s), year, title, journal or manual section.")
    population: str = Field(min_length=3, description="Who the figure applies to.")


class Method(StrEnum):
    """How answers become a score; each has one function in `scoring.py`."""

    SUM = "sum"  # total of the item values (after reverse scoring)
    PERCENT_OF_ANSWERED = "percent_of_answered"  # Oswestry: sum / (max x answered) x 100
    MEAN = "mean"  # mean of the answered items (ABC, PSFS)
    DASH = "dash"  # QuickDASH: (mean - 1) x 25
    SUBSCALES = "subscales"  # no total; each subscale summed (FABQ)
    SECONDS = "seconds"  # one timed trial (TUG, 5xSTS)
    CHAIR_STANDS = "chair_stands"  # stands in 30 s; arms used scores 0
    FOUR_STAGE = "four_stage"  # highest stage held for the target time
    SINGLE_LEG_STANCE = "single_leg_stance"  # seconds on one leg, eyes open or closed
    MCTSIB = "mctsib"  # four sensory conditions, failed ones averaged over three trials
    GAIT_SPEED = "gait_speed"  # distance / time, m/s
    WALK_DISTANCE = "walk_distance"  # metres walked, with predicted distance


class PatientField(StrEnum):
    """Patient facts an instrument can need for its norms or predicted values."""

    AGE = "age_years"
    SEX = "sex"
    HEIGHT = "height_cm"
    WEIGHT = "weight_kg"


class Item(Strict):
    """One item: its number, our own short label (licensed item text is loaded by the clinic), its
    range, and whether it is reverse scored or answered per side."""

    number: int = Field(ge=1)
    label: str = Field(min_length=2, max_length=80)
    min: float = 0
    max: float
    step: float = Field(1, gt=0, description="Allowed answers are min, min+step, ..., max.")
    reverse: bool = Field(False, description="Scored as (min + max) - answer.")
    sides: tuple[str, ...] = Field(
        (), description="Two-sided or split item: the answer names each part; the lower one counts."
    )
    choices: dict[str, str] = Field(
        {}, description="Short meaning of some answers, e.g. {'0': 'unable', '4': 'independent'}, as the "
                        "scoring rule words them; the portal shows them beside those answers."
    )

    def allowed(self) -> list[float]:
        count = round((self.max - self.min) / self.step)
        return [self.min + i * self.step for i in range(count + 1)]

    @model_validator(mode="after")
    def _choices_name_allowed_answers(self) -> Item:
        allowed = self.allowed()
        for key in self.choices:
            try:
                known = any(math.isclose(float(key), answer) for answer in allowed)
            except ValueError:
                known = False
            if not known:
                raise ValueError(f"item {self.number}: choice '{key}' is not one of its answers")
        return self


class Subscale(Strict):
    """A named part of a questionnaire scored from some of its items."""

    id: str
    name: str
    items: tuple[int, ...]


class Module(Strict):
    """An optional part scored on its own (the QuickDASH work and sports/performing-arts modules)."""

    id: str
    name: str
    items: tuple[Item, ...]
    missing_rule: str


class Scoring(Strict):
    method: Method
    rule: str = Field(min_length=10, description="The scoring rule in one or two sentences.")
    source: Source
    max_missing: int = Field(0, ge=0, description="Items that may be missing and the score still stands.")
    missing_rule: str = Field(min_length=10, description="What the instrument says about missing items.")
    min_answered: int | None = Field(None, description="For mean-based scores: fewest answers needed.")
    target_s: float | None = Field(None, description="Target or ceiling time of a timed hold, seconds.")
    trials: int | None = Field(None, description="Trials of a failed condition (mCTSIB).")


class Band(Strict):
    """An interpretation: a score range (inclusive bounds) and what it means, for whom."""

    label: str
    min: float | None = None
    max: float | None = None
    below: float | None = Field(None, description="Applies to scores strictly below this value.")
    above: float | None = Field(None, description="Applies to scores strictly above this value.")
    subscore: str | None = Field(None, description="A subscale id: the band reads that subscore, not the score.")
    condition: str | None = Field(None, description="Only for this test condition, e.g. 'eyes open'.")
    age_min: int | None = None
    age_max: int | None = None
    sex: Literal["female", "male"] | None = None
    source: Source

    @model_validator(mode="after")
    def _has_a_bound(self) -> Band:
        if all(v is None for v in (self.min, self.max, self.below, self.above)):
            raise ValueError(f"band '{self.label}' needs min, max, below or above")
        return self


class Norm(Strict):
    """A reference value for an age (and sex) group: mean, and SD or a range where published."""

    age_min: int
    age_max: int
    sex: Literal["female", "male"] | None = None
    condition: str | None = Field(None, description="e.g. 'eyes closed' for single-leg stance.")
    mean: float
    sd: float | None = None
    low: float | None = Field(None, description="Lower bound of the published interval.")
    high: float | None = None
    source: Source


class Threshold(Strict):
    """A change threshold: the MDC (measurement error) or the MCID (what patients notice)."""

    kind: Literal["mdc", "mcid"]
    value: float = Field(gt=0)
    confidence_pct: int | None = Field(None, description="MDC confidence level: 95 or 90.")
    baseline_min: float | None = Field(None, description="Applies when the first score is at least this.")
    baseline_max: float | None = None
    note: str = ""
    source: Source

    def applies_to(self, baseline: float) -> bool:
        return (self.baseline_min is None or baseline >= self.baseline_min) and (
            self.baseline_max is None or baseline <= self.baseline_max
        )


class Equation(Strict):
    """A published prediction equation: constant + sum of coefficient x patient fact (one sex)."""

    sex: Literal["female", "male"]
    constant: float
    coefficients: dict[PatientField, float]
    lower_limit_below: float = Field(description="Lower limit of normal = predicted minus this.")
    source: Source

    def predict(self, patient: object) -> float:
        return self.constant + sum(c * getattr(patient, f.value) for f, c in self.coefficients.items())


class Coding(Strict):
    system: Literal["http://loinc.org"] = "http://loinc.org"
    code: str
    display: str


class Instrument(Strict):
    """One standardised instrument, exactly as `definitions/<id>.yaml` describes it."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    abbreviation: str
    kind: Literal["performance", "questionnaire"]
    patient_reported: bool = Field(False, description="The patient can fill it in in the portal.")
    purpose: str
    unit: str = Field(description="UCUM unit of the score: '{score}', 's', '%', 'm', 'm/s', '{#}'.")
    unit_label: str = Field(description="How a clinician reads the unit: 'points', 'seconds', ...")
    min: float
    max: float | None = Field(description="Highest possible score; None when open-ended (seconds).")
    higher_is_better: bool
    decimals: int = Field(0, ge=0, le=2)
    items: tuple[Item, ...] = ()
    item_count_range: tuple[int, int] | None = Field(
        None, description="For a variable number of items (PSFS: 3 to 5 activities)."
    )
    subscales: tuple[Subscale, ...] = ()
    modules: tuple[Module, ...] = ()
    scoring: Scoring
    requires: tuple[PatientField, ...] = ()
    bands: tuple[Band, ...] = ()
    norms: tuple[Norm, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    predicted: tuple[Equation, ...] = ()
    loinc: Coding | None = None
    licence: str
    instructions: str = ""

    @model_validator(mode="after")
    def _items_are_numbered_in_order(self) -> Instrument:
        numbers = [item.number for item in self.items]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"{self.id}: items must be numbered 1..n in order, got {numbers}")
        subscales = {s.id for s in self.subscales}
        for band in self.bands:
            if band.subscore is not None and band.subscore not in subscales:
                raise ValueError(f"{self.id}: band '{band.label}' reads unknown subscore '{band.subscore}'")
        for subscale in self.subscales:
            unknown = set(subscale.items) - set(numbers)
            if unknown:
                raise ValueError(f"{self.id}: subscale {subscale.id} names unknown items {sorted(unknown)}")
        return self

    def sources(self) -> list[Source]:
        """Every source the definition cites (the sourcing test walks these)."""
        found = [self.scoring.source]
        found += [b.source for b in self.bands] + [n.source for n in self.norms]
        found += [t.source for t in self.thresholds] + [e.source for e in self.predicted]
        return found
