"""Eligibility: the 270 inquiry for a patient's coverage and the reading of the payer's 271 answer.

ASC X12 005010X279A1. pyx12 ships no 5010 map for 270/271, so the 270 we write is checked by
parsing it back into x12sdk's typed models, and the 271 is read through the same models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from x12sdk.io import X12ModelReader

from reeducate.billing.npi import check_npi
from reeducate.billing.x12.envelope import Parties, interchange, segment, transaction

VERSION = "005010X279A1"

SERVICE_TYPES = {"30": "Health benefit plan coverage", "PT": "Physical therapy", "33": "Chiropractic",
                 "AE": "Physical medicine", "AD": "Occupational therapy", "98": "Professional visit, office"}
"""X12 service type codes (EB03/EQ01) a rehabilitation clinic asks about."""

BENEFIT_KINDS = {
    "1": "Active coverage", "2": "Active, full risk capitation", "3": "Active, services capitated",
    "5": "Active, pending investigation", "6": "Inactive", "7": "Inactive, pending eligibility update",
    "8": "Inactive, pending investigation", "A": "Co-insurance", "B": "Co-payment", "C": "Deductible",
    "D": "Benefit description", "E": "Exclusions", "F": "Limitations", "G": "Out of pocket (stop loss)",
    "I": "Non-covered", "J": "Cost containment", "L": "Primary care provider", "N": "Services restricted",
    "R": "Other or additional payer", "U": "Contact following entity", "V": "Cannot process",
    "X": "Health care facility", "Y": "Spend down",
}
"""EB01 eligibility or benefit information codes."""
PERIODS = {
    "6": "Hour", "7": "Day", "13": "24 hours", "21": "Years", "22": "Service year", "23": "Calendar year",
    "24": "Year to date", "25": "Contract", "26": "Episode", "27": "Visit", "28": "Outlier", "29": "Remaining",
    "30": "Exceeded", "31": "Not exceeded", "32": "Lifetime", "33": "Lifetime remaining", "34": "Month",
    "35": "Week", "36": "Admission",
}
"""EB06 time period qualifiers (what a benefit's amount is counted over), as x12sdk's 5010 EB segment lists them."""
ACTIVE_KINDS = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_KINDS = frozenset({"6", "7", "8"})

REJECT_REASONS = {
    "15": "Required application data missing", "41": "Authorization/access restrictions",
    "42": "Unable to respond at current time", "43": "Invalid/missing provider identification",
    "58": "Invalid/missing date of birth", "64": "Invalid/missing patient ID",
    "65": "Invalid/missing patient name", "67": "Patient not found", "71": "Patient birth date does not match",
    "72": "Invalid/missing subscriber/insured ID", "73": "Invalid/missing subscriber/insured name",
    "75": "Subscriber/insured not found", "76": "Duplicate subscriber/insured ID number",
}
"""AAA03 reject reason codes."""


class EligibilityError(ValueError):
    """A 270 that cannot be written, or a 271 that cannot be read; the message says why."""


@dataclass(frozen=True)
class Inquiry:
    trace_number: str
    provider_name: str
    provider_npi: str
    provider_tax_id: str
    payer_name: str
    payer_id: str
    member_id: str
    last_name: str
    first_name: str
    date_of_birth: date
    sex: str
    service_date: date
    service_types: tuple[str, ...] = ("30", "PT")


@dataclass(frozen=True)
class Benefit:
    kind: str
    kind_label: str
    service_types: tuple[str, ...]
    coverage_level: str = ""
    plan: str = ""
    period: str = ""
    amount: str = ""
    percent: str = ""
    messages: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "kind_label": self.kind_label, "service_types": list(self.service_types),
                "coverage_level": self.coverage_level, "plan": self.plan, "period": self.period,
                "amount": self.amount, "percent": self.percent, "messages": list(self.messages)}


@dataclass(frozen=True)
class Answer:
    """What the payer said about one subscriber."""

    member_id: str
    last_name: str
    first_name: str
    status: str  # active, inactive, rejected or unknown
    benefits: tuple[Benefit, ...] = ()
    rejections: tuple[str, ...] = ()
    trace_numbers: tuple[str, ...] = field(default=())

    @property
    def plan(self) -> str:
        return next((b.plan for b in self.benefits if b.plan), "")

    def to_dict(self) -> dict[str, Any]:
        return {"member_id": self.member_id, "last_name": self.last_name, "first_name": self.first_name,
                "status": self.status, "plan": self.plan, "rejections": list(self.rejections),
                "benefits": [b.to_dict() for b in self.benefits]}


def build_270(inquiry: Inquiry, parties: Parties, *, control_number: int, created_at: datetime,
              production: bool = False) -> str:
    """The 270 for one subscriber, checked by parsing it back (EligibilityError if it does not)."""
    check_npi(inquiry.provider_npi, f"Provider {inquiry.provider_name}")
    tax_id = inquiry.provider_tax_id.replace("-", "")
    if not inquiry.member_id:
        raise EligibilityError("The coverage has no member ID to ask about")
    if not inquiry.payer_id:
        raise EligibilityError(f"The payer {inquiry.payer_name} has no payer ID: add it (your clearinghouse lists it) on the patient's insurance")
    body = [
        segment("BHT", "0022", "13", inquiry.trace_number, f"{created_at:%Y%m%d}", f"{created_at:%H%M}"),
        segment("HL", 1, "", 20, 1),
        segment("NM1", "PR", "2", inquiry.payer_name, "", "", "", "", "PI", inquiry.payer_id),
        segment("HL", 2, 1, 21, 1),
        segment("NM1", "1P", "2", inquiry.provider_name, "", "", "", "", "XX", inquiry.provider_npi),
        segment("HL", 3, 2, 22, 0),
        segment("TRN", "1", inquiry.trace_number, "1" + tax_id if len(tax_id) == 9 else "9" + inquiry.provider_npi[:9]),
        segment("NM1", "IL", "1", inquiry.last_name, inquiry.first_name, "", "", "", "MI", inquiry.member_id),
        segment("DMG", "D8", f"{inquiry.date_of_birth:%Y%m%d}", inquiry.sex),
        segment("DTP", "291", "D8", f"{inquiry.service_date:%Y%m%d}"),
        *(segment("EQ", service) for service in inquiry.service_types),
    ]
    text = interchange(parties, "HS", VERSION, transaction("270", VERSION, body),
                       control_number=control_number, created_at=created_at, production=production)
    _models(text, "270")
    return text


def parse_271(text: str) -> list[Answer]:
    """Every subscriber's answer in a 271, or EligibilityError naming what is wrong with the file.

    x12sdk 2.2 validates a subscriber's AAA (request rejected) against the information receiver's
    code list, so a 271 that rejects a subscriber (AAA03 72, 75, ...) fails its models; that answer
    is read from the raw NM1*IL and AAA segments instead.
    """
    text = _without_line_breaks(text)
    rejected = _rejected_subscribers(text)
    if rejected:
        return rejected
    answers: list[Answer] = []
    for model in _models(text, "271"):
        for source in _listed(model.loop_2000a):
            for receiver in _listed(source.loop_2000b):
                for subscriber in _listed(receiver.loop_2000c):
                    answers.append(_answer(subscriber))
    if not answers:
        raise EligibilityError("The 271 holds no subscriber")
    return answers


ISA_LENGTH = 106
"""The ISA segment's fixed length; its last character is the interchange's segment terminator."""


def _without_line_breaks(text: str) -> str:
    """``text`` without the line breaks an editor or a browser's form puts between segments (a textarea
    sends CR LF, which x12sdk 2.2 cannot read), unless a line break is itself the segment terminator."""
    text = text.strip()
    if text[ISA_LENGTH - 1:ISA_LENGTH] in ("\r", "\n"):
        return text
    return text.replace("\r", "").replace("\n", "")


def _rejected_subscribers(text: str) -> list[Answer]:
    answers: list[Answer] = []
    member: list[str] | None = None
    for raw in text.replace("\n", "").split("~"):
        elements = raw.strip().split("*")
        if elements[0] == "NM1" and len(elements) > 1 and elements[1] == "IL":
            member = elements + [""] * 10
        elif elements[0] == "AAA" and member is not None and len(elements) > 3 and elements[1] == "N":
            answers.append(Answer(member_id=member[9], last_name=member[3], first_name=member[4],
                                  status="rejected",
                                  rejections=(REJECT_REASONS.get(elements[3], f"Reject reason {elements[3]}"),)))
        elif elements[0] == "HL":
            member = None
    return answers


def _listed(value: Any) -> list[Any]:
    """x12sdk gives a repeated loop as a list and a single one as itself."""
    return [] if value is None else value if isinstance(value, list) else [value]


def _models(text: str, expected: str) -> list[Any]:
    if not text.lstrip().startswith("ISA"):
        raise EligibilityError(f"This is not an X12 file: a {expected} starts with an ISA segment")
    models: list[Any]  # x12sdk yields its base X12SegmentGroup; these are 270 or 271 transaction sets
    try:
        with X12ModelReader(text) as reader:
            models = list(reader.models())
    except ValidationError as error:
        reason = error.errors()[0]["msg"].removeprefix("Value error, ")
        raise EligibilityError(f"The {expected} is not valid X12 005010X279: {reason}") from None
    except (ValueError, KeyError, IndexError) as error:
        raise EligibilityError(f"The {expected} is not valid X12 005010X279: {error}") from None
    except UnboundLocalError:  # x12sdk 2.2's reader meets a segment before any transaction it knows
        raise EligibilityError(f"The {expected} is not valid X12 005010X279: no GS and ST segments were "
                               "found where the interchange begins") from None
    found = [m for m in models if m.header.st_segment.transaction_set_identifier_code == expected]
    if not found and f"ST*{expected}*" in text:
        raise EligibilityError(f"The {expected} is incomplete: it ends before its SE, GE and IEA segments")
    if not found:
        raise EligibilityError(f"The file holds no {expected} transaction")
    return found


def _answer(subscriber: Any) -> Answer:
    name = subscriber.loop_2100c
    nm1 = name.nm1_segment
    rejections = tuple(
        REJECT_REASONS.get(a.reject_reason_code, f"Reject reason {a.reject_reason_code}")
        for a in (name.aaa_segment or [])
    )
    benefits = []
    for item in name.loop_2110c or []:
        eb = item.eb_segment
        codes = eb.service_type_code or []
        services: list[str] = codes if isinstance(codes, list) else [codes]
        benefits.append(Benefit(
            kind=eb.eligibility_benefit_information,
            kind_label=BENEFIT_KINDS.get(eb.eligibility_benefit_information, eb.eligibility_benefit_information),
            service_types=tuple(SERVICE_TYPES.get(s, s) for s in services),
            coverage_level=eb.coverage_level_code or "",
            plan=eb.plan_coverage_description or "",
            period=eb.time_period_qualifier or "",
            amount="" if eb.benefit_amount is None else str(eb.benefit_amount),
            percent="" if eb.benefit_percent is None else str(eb.benefit_percent),
            messages=tuple(m.free_form_text for m in (item.msg_segment or [])),
        ))
    kinds = {b.kind for b in benefits}
    status = ("rejected" if rejections else "active" if kinds & ACTIVE_KINDS
              else "inactive" if kinds & INACTIVE_KINDS else "unknown")
    return Answer(
        member_id=nm1.identification_code or "", last_name=nm1.name_last_or_organization_name or "",
        first_name=nm1.name_first or "", status=status, benefits=tuple(benefits), rejections=rejections,
        trace_numbers=tuple(t.reference_identification_1 for t in (subscriber.trn_segment or [])),
    )
