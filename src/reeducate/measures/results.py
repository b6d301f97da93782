"""What scoring and change return: plain values that serialise to the JSON the CLI and API print."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class InvalidResponses(ValueError):
    """The answers cannot be scored as given: names the item and what it allows.

    Distinct from "not computable": a missing item the instrument has no rule for is a valid
    administration that yields no score; an answer of 7 on a 0-4 item is a typing error.
    """


class Patient(BaseModel):
    """Patient facts some instruments need (norms, predicted distance)."""

    model_config = ConfigDict(extra="forbid")

    age_years: float | None = Field(None, ge=0, le=120)
    sex: Literal["female", "male"] | None = None
    height_cm: float | None = Field(None, gt=50, le=250, description="Height in centimetres.")
    weight_kg: float | None = Field(None, gt=10, le=400, description="Weight in kilograms.")

    @field_validator("age_years", "height_cm", "weight_kg")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class Interpretation(BaseModel):
    """One published rule checked against this score, whether or not it applies."""

    label: str
    applies: bool
    rule: str
    source: str


class Score(BaseModel):
    """One administration, scored."""

    measure: str
    computable: bool
    reason: str | None = None
    score: float | None = None
    max: float | None = None
    percent: float | None = None
    unit: str
    subscores: dict[str, float | None] = {}
    details: dict[str, Any] = {}
    interpretations: list[Interpretation] = []


class ThresholdCheck(BaseModel):
    """One MDC or MCID compared with the observed change."""

    kind: Literal["mdc", "mcid"]
    value: float
    confidence_pct: int | None
    population: str
    source: str
    met: bool
    note: str = ""


class Change(BaseModel):
    """Change between two administrations, judged against measurement error and importance."""

    measure: str
    baseline: float
    followup: float
    change: float
    unit: str
    direction: Literal["improved", "worsened", "unchanged"]
    higher_is_better: bool
    exceeds_mdc: bool | None = Field(description="None when no MDC is published for this baseline.")
    meets_mcid: bool | None = Field(description="None when no MCID is published.")
    mdc: list[ThresholdCheck]
    mcid: list[ThresholdCheck]
    summary: str


class ScoreRequest(BaseModel):
    """One administration as the CLI's input file and the API's body give it."""

    model_config = ConfigDict(extra="forbid")

    responses: Any = Field(description="Item answers in order (null if missing), or the timed/counted object.")
    patient: Patient = Field(default_factory=Patient)
