"""The claim frequency type code an 837P carries in CLM05-3 (NUBC UB-04 type of bill, third digit, as
the 005010X222A1 guide uses it): an original claim, the replacement of a prior claim, or its void."""

from __future__ import annotations

import enum


class ClaimFrequency(enum.StrEnum):
    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"

    @property
    def label(self) -> str:
        return {ClaimFrequency.ORIGINAL: "Original", ClaimFrequency.REPLACEMENT: "Replacement",
                ClaimFrequency.VOID: "Void"}[self]
