"""The procedure code catalogue: which codes a clinic bills, timed or not, and what kind of service.

Codes ship with Reeducate's own short labels; a clinic holding an AMA licence loads the CPT
descriptors from a file of its own with `load_descriptors`.
"""

from __future__ import annotations

import csv
import io
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field


class Category(StrEnum):
    EVALUATION = "evaluation"
    THERAPEUTIC_PROCEDURE = "therapeutic_procedure"
    TESTS_AND_MEASUREMENTS = "tests_and_measurements"
    GROUP = "group"
    SUPERVISED_MODALITY = "supervised_modality"
    ATTENDED_MODALITY = "attended_modality"
    CHIROPRACTIC = "chiropractic"
    REMOTE_MONITORING = "remote_monitoring"


class MedicareStatus(StrEnum):
    VALID = "valid"
    BUNDLED = "bundled"  # fee schedule status B: never paid separately
    INVALID = "invalid"  # status I, or outside what Medicare covers for the provider


class Code(BaseModel):
    """One billable code: timed in 15-minute units or one unit per visit, and what kind of service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^(\d{5}|[A-Z]\d{4})$")
    label: str = Field(min_length=3, max_length=80)
    category: Category
    timed: bool
    therapy: bool
    assistant: bool
    medicare: MedicareStatus = MedicareStatus.VALID
    medicare_reason: str = ""


class _CatalogueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: dict[str, str]
    codes: list[Code]


class UnknownCode(ValueError):
    """A code the catalogue does not hold; the message names it and what to do."""


@cache
def catalogue() -> dict[str, Code]:
    """Every shipped code by its number, in the file's order."""
    text = (resources.files("reeducate.billing") / "data" / "codes.yaml").read_text(encoding="utf-8")
    parsed = _CatalogueFile.model_validate(yaml.safe_load(text))
    codes = {c.code: c for c in parsed.codes}
    if len(codes) != len(parsed.codes):
        raise ValueError("billing/data/codes.yaml lists a code twice")
    return codes


def code(number: str) -> Code:
    """The catalogue entry of ``number``, or UnknownCode naming it."""
    found = catalogue().get(number.strip().upper())
    if found is None:
        raise UnknownCode(
            f"{number!r} is not a code Reeducate bills; known codes: {', '.join(catalogue())}"
        )
    return found


def load_descriptors(path: Path | str) -> dict[str, str]:
    """The licensed descriptors of a clinic's own file: CSV with a ``code`` and a ``descriptor`` column.

    Every code must be in the catalogue; a bad row is refused with its line number, so a wrong file
    never half-replaces the labels.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"code", "descriptor"} <= set(reader.fieldnames):
        raise ValueError(f"{Path(path).name}: expected a CSV with the columns code,descriptor")
    descriptors: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        number, text_ = (row.get("code") or "").strip(), (row.get("descriptor") or "").strip()
        if not text_:
            raise ValueError(f"{Path(path).name}, line {line}: the descriptor of {number!r} is empty")
        try:
            descriptors[code(number).code] = text_
        except UnknownCode as error:
            raise ValueError(f"{Path(path).name}, line {line}: {error}") from None
    return descriptors
