"""The 837P professional claim (ASC X12 005010X222A1) for one visit, validated before release.

Loops written: 1000A submitter, 1000B receiver, 2000A/2010AA billing provider, 2000B/2010BA
subscriber, 2010BB payer, 2000C/2010CA patient when someone else holds the plan, 2300 claim with
its diagnoses (HI, ICD-10-CM), 2310A referring and 2310B rendering provider, and one 2400 service
line per code (SV1 with modifiers, units and diagnosis pointers; DTP 472 date of service).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reeducate.billing.lines import ClaimLine
from reeducate.billing.npi import check_npi
from reeducate.billing.x12.envelope import Composite, Parties, interchange, segment, transaction
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
        problems.append(f"The payer {claim.payer.name} has no payer ID")
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
                Composite([claim.place_of_service, "B", "1"]), "Y", "A", "Y", "Y"),
    ]
    if claim.onset_date:
        out.append(segment("DTP", "431", "D8", f"{claim.onset_date:%Y%m%d}"))
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
