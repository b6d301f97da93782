"""NCCI procedure-to-procedure (PTP) edits: code pairs a practitioner does not bill together.

Reeducate ships the pairs its clinics meet (``data/ncci_ptp.yaml``, each with its source); a clinic
loads the quarter's full practitioner table from CMS with `load_cms_ptp_file`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path

import yaml


@dataclass(frozen=True)
class PtpEdit:
    """Column 2 is not billed with column 1 on the same day, unless ``modifier_allowed`` and distinct."""

    column1: str
    column2: str
    modifier_allowed: bool
    rationale: str
    source: str
    effective: date | None = None
    deleted: date | None = None

    def applies_on(self, day: date) -> bool:
        return (self.effective is None or self.effective <= day) and (
            self.deleted is None or day < self.deleted
        )


@cache
def shipped_edits() -> tuple[PtpEdit, ...]:
    text = (resources.files("reeducate.billing") / "data" / "ncci_ptp.yaml").read_text(encoding="utf-8")
    return tuple(
        PtpEdit(e["column1"], e["column2"], e["modifier"] == 1, e["rationale"], e["source"])
        for e in yaml.safe_load(text)["edits"]
    )


def edit_between(first: str, second: str, day: date, edits: Iterable[PtpEdit]) -> PtpEdit | None:
    """The edit that pairs two codes on ``day``, whichever column each is in."""
    for edit in edits:
        if {edit.column1, edit.column2} == {first, second} and edit.applies_on(day):
            return edit
    return None


def load_cms_ptp_file(path: Path | str) -> tuple[PtpEdit, ...]:
    """Edits from CMS's practitioner PTP table saved as tab-separated text.

    The file's rows are: column 1, column 2, an "in existence before 1996" mark, effective date
    (YYYYMMDD), deletion date (YYYYMMDD or '*'), modifier indicator (0, 1 or 9) and the rationale.
    Heading lines (anything whose first cell is not a code) are skipped; indicator 9 rows (edits
    deleted as not applicable) are left out.
    """
    name = Path(path).name
    edits: list[PtpEdit] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if len(row) < 6 or not row[0].strip().isalnum() or len(row[0].strip()) != 5:
                continue
            indicator = row[5].strip()
            if indicator not in {"0", "1", "9"}:
                raise ValueError(f"{name}, line {line}: modifier indicator {indicator!r} is not 0, 1 or 9")
            if indicator == "9":
                continue
            edits.append(PtpEdit(
                row[0].strip(), row[1].strip(), indicator == "1",
                row[6].strip() if len(row) > 6 else "", f"CMS NCCI practitioner PTP table ({name})",
                _date(row[3], name, line), None if row[4].strip() in {"", "*"} else _date(row[4], name, line),
            ))
    if not edits:
        raise ValueError(f"{name}: no PTP edits found; expected CMS's tab-separated practitioner table")
    return tuple(edits)


def _date(text: str, name: str, line: int) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"{name}, line {line}: {text!r} is not a date (YYYYMMDD)") from None
