"""ICD-10-CM codes checked against, and searched in, the official code table shipped in ``simple-icd-10-cm``.

A claim may carry only billable codes: the ICD-10-CM Official Guidelines for Coding and Reporting
(FY2026, Section I.B.2, "Level of Detail in Coding") require a code to be reported at the highest
number of characters available. A category or subcategory that has children is therefore refused,
naming its children.

The library reads its whole table when imported (seconds), so it is imported on the first check, not
when the clinic's code loads.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from reeducate.clinic.errors import InvalidInput

CODE_TABLE = "ICD-10-CM April 1, 2026 (simple-icd-10-cm 1.5)"
_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
_CODE_START = re.compile(r"^[A-Z][0-9]", re.IGNORECASE)
SEARCH_LIMIT = 25
"""Most matches a search returns: a list a person reads while typing."""
SEARCH_MIN_CHARS = 2
SEARCH_MAX_CHARS = 100


@dataclass(frozen=True)
class BillableCode:
    """A valid, billable ICD-10-CM code in its dotted form, with the table's description."""

    code: str
    description: str


@cache
def _code_table() -> ModuleType:
    """simple-icd-10-cm with its table loaded (its warnings about the table's notes silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import simple_icd_10_cm

    return simple_icd_10_cm


def validate_icd10cm(raw: str) -> BillableCode:
    """Return the billable code for ``raw`` (dots and case optional) or raise with the reason."""
    icd = _code_table()
    candidate = raw.strip().upper()
    if not candidate or not _SHAPE.match(candidate) or not icd.is_valid_item(candidate):
        raise InvalidInput(
            f"{raw.strip()!r} is not an ICD-10-CM code in the {CODE_TABLE} table; "
            "check the code (a letter, two characters, then up to four after the dot).",
            field="code",
        )
    dotted = icd.add_dot(icd.remove_dot(candidate))
    if not icd.is_leaf(dotted):
        children = icd.get_children(dotted)
        shown = ", ".join(children[:8]) + (" ..." if len(children) > 8 else "")
        raise InvalidInput(
            f"{dotted} ({icd.get_description(dotted)}) is a category, not a billable code; "
            f"use one of its more specific codes: {shown}.",
            field="code",
        )
    return BillableCode(code=dotted, description=icd.get_description(dotted))


@cache
def _billable_index() -> tuple[tuple[str, str, str], ...]:
    """Every billable code as (code, description, "code without dot + code + description" in lower case),
    built once (about 75,000 codes, under a second) for :func:`search_billable`."""
    icd = _code_table()
    return tuple(
        (code, description, f"{code.replace('.', '')} {code} {description}".lower())
        for code in icd.get_all_codes(True)
        if _SHAPE.match(code) and icd.is_leaf(code)
        for description in (icd.get_description(code),)
    )


def _stem(word: str) -> str:
    """A word's plural or -y ending dropped, so that "abnormality" finds "abnormalities" and "knees" "knee"."""
    if word.isalpha() and len(word) > 4:
        for ending in ("ies", "es", "s", "y"):
            if word.endswith(ending):
                return word[: -len(ending)]
    return word


def search_billable(query: str, *, limit: int = SEARCH_LIMIT) -> list[BillableCode]:
    """Billable codes whose code or description holds every word of ``query`` (case, the code's dot and a
    plural ending optional): "m17.11", "M1711" and "primary osteoarthritis right knee" all find M17.11.

    A query shaped like a code lists that code and its billable descendants first; word matches come
    shortest description first (the plainest wording). Fewer than two characters find nothing, and a
    query longer than a description could be is refused."""
    text = query.strip()
    if len(text) > SEARCH_MAX_CHARS:
        raise InvalidInput(f"Search with at most {SEARCH_MAX_CHARS} characters: a code or a few words.", field="q")
    if len(text) < SEARCH_MIN_CHARS:
        return []
    words = [_stem(word) for word in text.lower().split()]
    prefix = text.upper().replace(".", "") if _CODE_START.match(text) and len(words) == 1 else None
    found = [(code, description) for code, description, haystack in _billable_index()
             if all(word in haystack for word in words)]
    found.sort(key=lambda match: (
        not (prefix and match[0].replace(".", "").startswith(prefix)), len(match[1]), match[0]))
    return [BillableCode(code=code, description=description) for code, description in found[:limit]]
