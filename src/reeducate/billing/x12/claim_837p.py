"""The 837P professional claim (ASC X12 005010X222A1) for one visit, validated before release.

Loops written: 1000A submitter, 1000B receiver, 2000A/2010AA billing provider, 2000B/2010BA
subscriber, 2010BB payer, 2000C/2010CA patient when someone else holds the plan, 2300 claim with
its diagnoses (HI, ICD-10-CM), 2310A referring and 2310B rendering provider, and one 2400 service
line per code (SV1 with modifiers, units and diagnosis pointers; DTP 472 date of service).

A correction is a claim of its own (005010X222A1, 2300 CLM05-3 and REF*F8): a replacement carries
frequency code 7 and the full corrected claim, a void carries 8 and repeats the claim it cancels
(:func:`void_837p`); both name the claim they correct in REF*F8, the "payer claim control number".
We receive no payer's claim number (no 277CA or 835 is read), so REF*F8 holds the corrected claim's
own claim submitter identifier (its CLM01), which the payer keeps with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reeducate.billing.lines import ClaimLine
from reeducate.billing.npi import check_npi
from reeducate.billing.x12.envelope import (
    COMPONENT,
    ELEMENT,
    SEGMENT_END,
    Composite,
    Parties,
    interchange,
    segment,
    transaction,
)
from reeducate.billing.x12.frequency import ClaimFrequency
from reeducate.billing.x12.validation import x12_errors

VERSION = "005010X222A1"
MAX_DIAGNOSES = 12
MAX_POINTERS = 4


class ClaimNotValid(ValueError):
    """The claim cannot be released; the message names each problem."""


@dataclass(frozen=True)
class Address:
    line: str
    city: str
    state: str
    postal_code: str


@dataclass(frozen=True)
class Organisation:
    name: str
    npi: str
    tax_id: str
    address: Address
    phone: str
    contact: str


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    npi: str
    taxonomy: str = ""


PATIENT_RELATIONSHIP = {"spouse": "01", "child": "19", "other": "G8"}
"""PAT01 individual relationship codes: the patient is the subscriber's spouse, child, or other."""


@dataclass(frozen=True)
class Subscriber:
    """Who holds the plan: the patient (SBR02 = 18, self), or someone else when the claim has a
    :class:`Dependant`. Address, birth date and sex are written only for the patient (the TR3 says
    not to send DMG for a subscriber who is not the patient)."""

    last_name: str
    first_name: str
    date_of_birth: date | None
    sex: str  # F, M or U
    member_id: str
    address: Address | None
    group_number: str = ""


@dataclass(frozen=True)
class Dependant:
    """The patient when someone else holds the plan (loop 2000C, PAT01 relationship code)."""

    relationship: str  # a PATIENT_RELATIONSHIP code
    last_name: str
    first_name: str
    date_of_birth: date
    sex: str  # F, M or U
    address: Address


@dataclass(frozen=True)
class Payer:
    name: str
    payer_id: str
    filing_indicator: str  # SBR09: MB Medicare Part B, CI commercial, AM auto, WC workers' comp


@dataclass(frozen=True)
class ProfessionalClaim:
    claim_id: str
    service_date: date
    billing_provider: Organisation
    rendering: Person
    subscriber: Subscriber
    payer: Payer
    diagnoses: Sequence[str]
    lines: Sequence[ClaimLine]
    referring: Person | None = None
    place_of_service: str = "11"  # office
    onset_date: date | None = None
    patient: Dependant | None = None  # None: the subscriber is the patient
    frequency_code: ClaimFrequency = ClaimFrequency.ORIGINAL  # CLM05-3
    corrects: str = ""  # REF*F8: the claim submitter identifier of the claim a replacement corrects

    @property
    def patient_address(self) -> Address | None:
        return self.patient.address if self.patient else self.subscriber.address

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))


def build_837p(
    claim: ProfessionalClaim, parties: Parties, *, control_number: int, created_at: datetime,
    production: bool = False,
) -> str:
    """The claim as X12 text, checked first (NPIs, addresses, charges) and then by pyx12's map.

    Raises ClaimNotValid naming every problem; nothing invalid is returned.
    """
    _check(claim)
    text = interchange(parties, "HC", VERSION, transaction("837", VERSION, _segments(claim, parties, created_at, control_number)),
                       control_number=control_number, created_at=created_at, production=production)
    errors = x12_errors(text)
    if errors:
        raise ClaimNotValid("The 837P does not validate: " + "; ".join(errors))
    return text


def _check(claim: ProfessionalClaim) -> None:
    problems: list[str] = []
    for whose, npi in [(f"Billing provider {claim.billing_provider.name}", claim.billing_provider.npi),
                       ("Rendering provider " + " ".join(filter(None, [claim.rendering.first_name,
                                                                        claim.rendering.last_name])),
                        claim.rendering.npi),
                       *([(f"Referring provider {claim.referring.last_name}", claim.referring.npi)]
                         if claim.referring else [])]:
        try:
            check_npi(npi, whose)
        except ValueError as error:
            problems.append(str(error))
    tax_id = claim.billing_provider.tax_id.replace("-", "")
    if len(tax_id) != 9 or not tax_id.isdigit():
        problems.append("The billing provider's tax ID (EIN) must be 9 digits")
    zip9 = claim.billing_provider.address.postal_code.replace("-", "")
    if len(zip9) != 9 or not zip9.isdigit():
        problems.append("The billing provider's ZIP code must have 9 digits (ZIP+4) on an 837P")
    for who, address in [("billing provider", claim.billing_provider.address), ("patient", claim.patient_address)]:
        if not (address and address.line and address.city and len(address.state) == 2 and address.postal_code):
            problems.append(f"The {who}'s address needs a street, a city, a 2-letter state and a ZIP code")
    if claim.patient is None and claim.subscriber.date_of_birth is None:
        problems.append("The patient's date of birth is missing")
    if claim.patient is not None and claim.patient.relationship not in PATIENT_RELATIONSHIP.values():
        problems.append(f"{claim.patient.relationship!r} is not a patient relationship code (PAT01)")
    if not claim.subscriber.member_id:
        problems.append("The patient's coverage has no member ID")
    if not claim.payer.payer_id:
        problems.append(f"The payer {claim.payer.name} has no payer ID: add it (your clearinghouse lists it) on the patient's insurance")
    if not claim.diagnoses:
        problems.append("The claim has no diagnosis: add the episode's ICD-10-CM codes")
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        problems.append(f"An 837P carries at most {MAX_DIAGNOSES} diagnoses")
    if not claim.lines:
        problems.append("The claim has no billable line")
    for line in claim.lines:
        if line.charge <= 0:
            problems.append(f"{line.code} has no charge: set it in the clinic's fee schedule")
        if len(line.modifiers) > 4:
            problems.append(f"{line.code} has more than 4 modifiers")
    if (claim.frequency_code is not ClaimFrequency.ORIGINAL) != bool(claim.corrects):
        problems.append("A replacement or void names the claim it corrects (REF*F8), and only they do")
    if problems:
        raise ClaimNotValid("; ".join(problems))


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")


def _address(address: Address) -> list[str]:
    return [segment("N3", address.line),
            segment("N4", address.city, address.state, address.postal_code.replace("-", ""))]


def _subscriber_and_patient(claim: ProfessionalClaim) -> list[str]:
    """Loops 2000B-2010BB, and 2000C-2010CA when the patient is not the subscriber."""
    subscriber, patient = claim.subscriber, claim.patient
    out = [
        segment("HL", 2, 1, 22, 0 if patient is None else 1),
        segment("SBR", "P", "18" if patient is None else "", subscriber.group_number, "", "", "", "", "",
                claim.payer.filing_indicator),
        segment("NM1", "IL", "1", subscriber.last_name, subscriber.first_name, "", "", "", "MI", subscriber.member_id),
    ]
    if patient is None:
        assert subscriber.address is not None and subscriber.date_of_birth is not None, "checked by _check"
        out += [*_address(subscriber.address),
                segment("DMG", "D8", f"{subscriber.date_of_birth:%Y%m%d}", subscriber.sex)]
    out.append(segment("NM1", "PR", "2", claim.payer.name, "", "", "", "", "PI", claim.payer.payer_id))
    if patient is not None:
        out += [segment("HL", 3, 2, 23, 0), segment("PAT", patient.relationship),
                segment("NM1", "QC", "1", patient.last_name, patient.first_name),
                *_address(patient.address),
                segment("DMG", "D8", f"{patient.date_of_birth:%Y%m%d}", patient.sex)]
    return out


def _segments(claim: ProfessionalClaim, parties: Parties, created_at: datetime, control_number: int) -> list[str]:
    provider = claim.billing_provider
    out = [
        segment("BHT", "0019", "00", f"{claim.claim_id}-{control_number}", f"{created_at:%Y%m%d}", f"{created_at:%H%M}", "CH"),
        segment("NM1", "41", "2", provider.name, "", "", "", "", "46", parties.sender_id),
        segment("PER", "IC", provider.contact, "TE", "".join(ch for ch in provider.phone if ch.isdigit())),
        segment("NM1", "40", "2", claim.payer.name, "", "", "", "", "46", parties.receiver_id),
        segment("HL", 1, "", 20, 1),
        segment("NM1", "85", "2", provider.name, "", "", "", "", "XX", provider.npi),
        *_address(provider.address),
        segment("REF", "EI", provider.tax_id.replace("-", "")),
        *_subscriber_and_patient(claim),
        segment("CLM", claim.claim_id, _money(claim.total_charge), "", "",
                Composite([claim.place_of_service, "B", claim.frequency_code]), "Y", "A", "Y", "Y"),
    ]
    if claim.onset_date:
        out.append(segment("DTP", "431", "D8", f"{claim.onset_date:%Y%m%d}"))
    if claim.corrects:
        out.append(segment("REF", "F8", claim.corrects))
    codes = [d.replace(".", "").upper() for d in claim.diagnoses]
    out.append("HI*" + "*".join(str(Composite(["ABK" if i == 0 else "ABF", c])) for i, c in enumerate(codes)) + "~")
    if claim.referring:
        out.append(segment("NM1", "DN", "1", claim.referring.last_name, claim.referring.first_name, "", "", "",
                           "XX", claim.referring.npi))
    out.append(segment("NM1", "82", "1", claim.rendering.last_name, claim.rendering.first_name, "", "", "",
                       "XX", claim.rendering.npi))
    if claim.rendering.taxonomy:
        out.append(segment("PRV", "PE", "PXC", claim.rendering.taxonomy))
    pointers = Composite([str(i + 1) for i in range(min(len(codes), MAX_POINTERS))])
    for number, line in enumerate(claim.lines, start=1):
        out += [
            segment("LX", number),
            segment("SV1", Composite(["HC", line.code, *line.modifiers]), _money(line.charge), "UN",
                    line.units, "", "", pointers),
            segment("DTP", "472", "D8", f"{claim.service_date:%Y%m%d}"),
        ]
    return out


# --- corrections ----------------------------------------------------------------------------------

_CLAIM_PREAMBLE = {"DTP", "PWK", "CN1", "AMT"}
"""Segments of loop 2300 that come between CLM and REF*F8 in the guide's order."""


def _elements(text: str) -> list[list[str]]:
    return [chunk.strip().split(ELEMENT) for chunk in text.split(SEGMENT_END) if chunk.strip()]


def submitter_identifier(text: str) -> str:
    """The claim submitter identifier (CLM01) of a stored 837P: what a correction names in REF*F8."""
    return next(e[1] for e in _elements(text) if e[0] == "CLM")


def void_837p(original: str, *, control_number: int, created_at: datetime, production: bool = False) -> str:
    """The void (frequency 8) of the stored 837P ``original``: the same claim, segment for segment and
    to the same receiver, with CLM05-3 8 and REF*F8 naming it; validated with pyx12 like any claim."""
    elements = _elements(original)
    gs = next(e for e in elements if e[0] == "GS")
    start, end = next(i for i, e in enumerate(elements) if e[0] == "ST"), next(i for i, e in enumerate(elements) if e[0] == "SE")
    corrected = submitter_identifier(original)
    body: list[list[str]] = []
    for element in elements[start + 1:end]:
        if element[0] == "REF" and element[1] == "F8":
            continue  # a replacement's own reference: the void names the claim it cancels instead
        if element[0] == "BHT":
            element = [*element[:3], f"{corrected}-{control_number}", f"{created_at:%Y%m%d}", f"{created_at:%H%M}",
                       *element[6:]]
        if element[0] == "CLM":
            place, kind, _ = element[5].split(COMPONENT)
            element = [*element[:5], COMPONENT.join([place, kind, ClaimFrequency.VOID]), *element[6:]]
        body.append(element)
    claim_at = next(i for i, e in enumerate(body) if e[0] == "CLM")
    after = next(i for i in range(claim_at + 1, len(body)) if body[i][0] not in _CLAIM_PREAMBLE)
    body.insert(after, ["REF", "F8", corrected])
    segments = [ELEMENT.join(e) + SEGMENT_END for e in body]
    text = interchange(Parties(gs[2], gs[3]), "HC", VERSION, transaction("837", VERSION, segments),
                       control_number=control_number, created_at=created_at, production=production)
    errors = x12_errors(text)
    if errors:
        raise ClaimNotValid("The void 837P does not validate: " + "; ".join(errors))
    return text
