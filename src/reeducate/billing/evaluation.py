"""Physical therapy evaluation complexity: 97161 (low), 97162 (moderate), 97163 (high).

The CPT definitions (AMA, 2017 onwards) grade four components, and the code is the level that all
four reach (APTA's guidance on the 2017 evaluation codes: every component must meet the level
billed). In our own words:

- history: personal factors and comorbidities that affect the plan of care: none -> low,
  1-2 -> moderate, 3 or more -> high;
- examination: body-system elements examined with standardised tests and measures (body structures
  and functions, activity limitations, participation restrictions): 1-2 -> low, 3 -> moderate,
  4 or more -> high;
- clinical presentation: stable -> low, evolving -> moderate, unstable and unpredictable -> high;
- clinical decision making (with a standardised instrument or a measurable functional outcome):
  low, moderate or high.

The descriptors give typical face-to-face times of 20, 30 and 45 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Level(IntEnum):
    LOW = 1
    MODERATE = 2
    HIGH = 3

    @property
    def code(self) -> str:
        return {Level.LOW: "97161", Level.MODERATE: "97162", Level.HIGH: "97163"}[self]


class Presentation(StrEnum):
    STABLE = "stable"
    EVOLVING = "evolving"
    UNSTABLE = "unstable"


@dataclass(frozen=True)
class EvaluationFindings:
    personal_factors_and_comorbidities: int
    body_elements_examined: int
    presentation: Presentation
    decision_making: Level


@dataclass(frozen=True)
class EvaluationCode:
    code: str
    level: Level
    components: dict[str, Level]

    @property
    def limited_by(self) -> tuple[str, ...]:
        """The components that hold the code at its level (what to document to reach higher)."""
        return tuple(name for name, level in self.components.items() if level == self.level)


def evaluation_code(findings: EvaluationFindings) -> EvaluationCode:
    """The evaluation code all four components support; ValueError on impossible counts."""
    factors, elements = findings.personal_factors_and_comorbidities, findings.body_elements_examined
    if factors < 0:
        raise ValueError("personal factors and comorbidities cannot be negative")
    if elements < 1:
        raise ValueError("an evaluation examines at least one body-system element")
    components = {
        "history": Level.LOW if factors == 0 else Level.MODERATE if factors <= 2 else Level.HIGH,
        "examination": Level.LOW if elements <= 2 else Level.MODERATE if elements == 3 else Level.HIGH,
        "presentation": {Presentation.STABLE: Level.LOW, Presentation.EVOLVING: Level.MODERATE,
                         Presentation.UNSTABLE: Level.HIGH}[Presentation(findings.presentation)],
        "decision_making": Level(findings.decision_making),
    }
    level = min(components.values())
    return EvaluationCode(level.code, level, components)
