"""The pain stop: a report stops the exercise at once; a severe one stops the session's exercises.

Any report on the 0-10 numeric rating scale stops the exercise in progress and marks it for
regression. A report in the severe band, 7 to 10 (Serlin et al. 1995, Pain 61(2):277-284: cut-points
of 1-4 mild, 5-6 moderate, 7-10 severe pain), also stops every exercise of the session until the
therapist resumes it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Lowest score of the severe band of the 0-10 numeric rating scale (Serlin et al. 1995).
SEVERE_PAIN = 7


@dataclass(frozen=True)
class PainReport:
    """A pain score (0-10) reported at a sample of an exercise, by the patient or the therapist."""

    score: int
    index: int
    time_s: float
    exercise_id: str
    reported_by: str = "patient"

    def __post_init__(self) -> None:
        if not isinstance(self.score, int) or not 0 <= self.score <= 10:
            raise ValueError(f"A pain score is a whole number from 0 to 10, not {self.score!r}.")

    @property
    def severe(self) -> bool:
        return self.score >= SEVERE_PAIN
