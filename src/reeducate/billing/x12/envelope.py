"""The interchange and group envelope shared by every transaction we send, and segment writing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

SEGMENT_END = "~"
ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
_FORBIDDEN = re.compile(r"[~*:^\r\n]")


@dataclass(frozen=True)
class Parties:
    """Who sends and who receives the interchange (ISA06/ISA08, GS02/GS03), with their qualifier."""

    sender_id: str
    receiver_id: str
    qualifier: str = "ZZ"  # mutually defined


def clean(value: object) -> str:
    """An element's text: delimiters removed, spaces collapsed, upper case as payers expect."""
    return re.sub(r"\s+", " ", _FORBIDDEN.sub(" ", str(value))).strip().upper()


def segment(tag: str, *elements: object) -> str:
    """One segment with trailing empty elements dropped."""
    values = [tag, *("" if e is None else clean(e) if not isinstance(e, Composite) else str(e) for e in elements)]
    while values and values[-1] == "":
        values.pop()
    return ELEMENT.join(values) + SEGMENT_END


@dataclass(frozen=True)
class Composite:
    """A composite element (HC:97112:GP), written with the component separator."""

    parts: Sequence[object]

    def __str__(self) -> str:
        values = [clean(p) for p in self.parts]
        while values and values[-1] == "":
            values.pop()
        return COMPONENT.join(values)


def interchange(
    parties: Parties, functional_id: str, version: str, body: list[str], *, control_number: int,
    created_at: datetime, production: bool,
) -> str:
    """ISA/GS around one transaction set (``body`` from ST to SE), closed by GE/IEA."""
    isa = ELEMENT.join([
        "ISA", "00", " " * 10, "00", " " * 10,
        parties.qualifier, clean(parties.sender_id).ljust(15)[:15],
        parties.qualifier, clean(parties.receiver_id).ljust(15)[:15],
        f"{created_at:%y%m%d}", f"{created_at:%H%M}", REPETITION, "00501", f"{control_number:09d}",
        "0", "P" if production else "T", COMPONENT,
    ]) + SEGMENT_END
    gs = segment("GS", functional_id, parties.sender_id, parties.receiver_id, f"{created_at:%Y%m%d}",
                 f"{created_at:%H%M}", control_number, "X", version)
    return "\n".join([isa, gs, *body, segment("GE", 1, control_number),
                      segment("IEA", 1, f"{control_number:09d}")]) + "\n"


def transaction(code: str, version: str, segments: list[str]) -> list[str]:
    """ST ... SE with the segment count SE01 asks for (ST and SE included)."""
    return [segment("ST", code, "0001", version), *segments, segment("SE", len(segments) + 2, "0001")]
