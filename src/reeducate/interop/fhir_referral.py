"""A referral read from a FHIR R4 Bundle: the Patient, their Conditions and the ServiceRequest.

Every resource is checked through fhir.resources (R4B models, as interop/fhir.py uses) and then read
into plain data the clinic maps onto a registration and an episode. Whatever cannot be read is
collected, each reason naming the entry and what to change, and refused together
(:class:`ReferralProblems`), so the sender can correct the Bundle in one go.

What is read, and from where:
- Patient: the official (else first) name, ``birthDate`` (a full date), ``gender``, the first phone and
  email of ``telecom``, the home (else first) ``address``; its identifiers are listed, not kept (the
  clinic gives its own medical record number).
- Condition: the ICD-10-CM coding (system http://hl7.org/fhir/sid/icd-10-cm); whether the code is
  billable is the clinic's check. The ServiceRequest's ``reasonReference`` order comes first (its first
  is the primary diagnosis), then the other Conditions in Bundle order.
- ServiceRequest (exactly one, status active): ``authoredOn`` is the referral date, ``requester`` a
  Practitioner of the Bundle whose NPI (system http://hl7.org/fhir/sid/us-npi) has a valid check digit,
  ``code`` (and ``reasonCode``, ``note``) what is asked, as text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from reeducate.billing.npi import check_npi
from reeducate.interop.fhir_bundle import ICD10CM, Demographics

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
READ = ("Patient", "Condition", "ServiceRequest", "Practitioner")
"""The resources a referral is read from; any other kind of entry is refused (it would be lost)."""
GENDERS = ("female", "male", "other", "unknown")
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
MAX_VALIDATION_REASONS = 5
"""Most structural problems named per entry: the first few are what the sender needs to fix first."""


class ReferralProblems(ValueError):
    """The referral cannot be read; ``reasons`` says why, one sentence each."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True, kw_only=True)
class ReferredPatient(Demographics):
    """The referral's patient, before registration."""

    identifier_systems: tuple[str, ...] = ()
    """The systems of the referral's patient identifiers (not kept: the values may be an SSN)."""


@dataclass(frozen=True)
class ReferredCondition:
    number: int
    """Its place among the Bundle's Conditions, from 1 (how a reason names it)."""
    code: str
    display: str


@dataclass(frozen=True)
class Referral:
    """What was read; ``problems`` says what could not be (then a part may be missing: None or left out),
    so that the clinic adds its own checks of what was read and refuses with every reason at once."""

    patient: ReferredPatient | None
    conditions: tuple[ReferredCondition, ...]
    """Primary first; those with an ICD-10-CM code."""
    referrer_name: str
    referrer_npi: str
    """Empty unless the NPI is valid."""
    referred_on: date | None
    asked: str
    """What the referral asks, in its own words (``code``, ``reasonCode`` and ``note`` texts)."""
    problems: tuple[str, ...] = ()


def _loads(data: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ReferralProblems(["The file is not text: upload the referral as a FHIR JSON Bundle (UTF-8)."]) from None
    except json.JSONDecodeError as error:
        raise ReferralProblems([f"The file is not JSON ({error.msg} at line {error.lineno}, column {error.colno}): "
                                "upload the referral as a FHIR JSON Bundle."]) from None
    if not isinstance(parsed, dict) or "resourceType" not in parsed:
        raise ReferralProblems(["The file is JSON but not a FHIR resource (it has no resourceType): upload the "
                                "referral as a FHIR Bundle."])
    if parsed["resourceType"] != "Bundle":
        raise ReferralProblems([f"The file is a FHIR {parsed['resourceType']}, not a Bundle: upload the Bundle "
                                "that holds the Patient, their Conditions and the ServiceRequest."])
    return parsed


def _where(problem: Any) -> str:
    return ".".join(str(part) for part in problem["loc"]) or "the resource"


def _validated(number: int, resource: Any) -> tuple[str, Any] | str:
    """(resourceType, the fhir.resources model) or the reason entry ``number`` cannot be read."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        return f"Entry {number} has no resource with a resourceType; remove it or complete it."
    kind = resource["resourceType"]
    if kind not in READ:
        return (f"Entry {number} is a {kind}, which a referral import does not read (it reads "
                f"{', '.join(READ)}); remove it and enter its content by hand.")
    try:
        return kind, get_fhir_model_class(kind).model_validate(resource)
    except ValidationError as error:
        problems = error.errors()[:MAX_VALIDATION_REASONS]
        said = "; ".join(f"{_where(p)}: {str(p['msg']).removeprefix('Value error, ')}" for p in problems)
        return f"Entry {number} ({kind}) is not valid FHIR R4: {said}."


def _entries(bundle: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(fullUrl, resourceType, model) of each entry, or every reason the entries cannot be read."""
    raw = bundle.get("entry")
    if not isinstance(raw, list) or not raw:
        raise ReferralProblems(["The Bundle has no entries: a referral holds a Patient, at least one Condition and "
                                "a ServiceRequest."])
    reasons, read = [], []
    for number, entry in enumerate(raw, start=1):
        checked = _validated(number, entry.get("resource") if isinstance(entry, dict) else None)
        if isinstance(checked, str):
            reasons.append(checked)
        else:
            read.append((str(entry.get("fullUrl") or ""), *checked))
    if reasons:
        raise ReferralProblems(reasons)
    return read


class _Index:
    """The Bundle's resources by every name a reference may use: fullUrl, and Type/id."""

    def __init__(self, entries: list[tuple[str, str, Any]]) -> None:
        self.by_name: dict[str, tuple[str, Any]] = {}
        for url, kind, model in entries:
            names = [url] if url else []
            if model.id:
                names.append(f"{kind}/{model.id}")
            for name in names:
                self.by_name[name] = (kind, model)

    def resolve(self, reference: Any, kind: str) -> Any | None:
        """The resource of ``kind`` that a Reference names inside the Bundle, if it does."""
        name = getattr(reference, "reference", None) or ""
        found = self.by_name.get(name) or next(
            (v for k, v in self.by_name.items() if name and k.endswith("/" + name)), None)
        return found[1] if found and found[0] == kind else None


def _text(concept: Any) -> str:
    if concept is None:
        return ""
    return concept.text or next((c.display for c in concept.coding or [] if c.display), "")


def _patient(model: Any, reasons: list[str]) -> ReferredPatient | None:
    found = len(reasons)
    names = model.name or []
    name = next((n for n in names if n.use == "official"), names[0] if names else None)
    given = [g for g in (name.given or []) if g.strip()] if name else []
    family = (name.family or "").strip() if name else ""
    if not given or not family:
        reasons.append("The Patient has no given and family name; add the patient's official name.")
    born = str(model.birthDate or "")
    if not _FULL_DATE.match(born):
        reasons.append(f"The Patient's birthDate {born or '(none)'} is not a full date; give it as YYYY-MM-DD.")
    if model.gender not in GENDERS:
        reasons.append(f"The Patient's gender {model.gender or '(none)'} is not one of {', '.join(GENDERS)}; "
                       "give the administrative gender.")
    if len(reasons) > found:
        return None
    telecom = model.telecom or []
    addresses = model.address or []
    address = next((a for a in addresses if a.use == "home"), addresses[0] if addresses else None)
    return ReferredPatient(
        first_name=" ".join(given), last_name=family, birth_date=date.fromisoformat(born[:10]), sex=model.gender,
        phone=next((t.value for t in telecom if t.system == "phone" and t.value), ""),
        email=next((t.value for t in telecom if t.system == "email" and t.value), ""),
        address_line=", ".join(address.line or []) if address else "",
        city=(address.city or "") if address else "", state=(address.state or "") if address else "",
        postal_code=(address.postalCode or "") if address else "",
        identifier_systems=tuple(i.system or "(no system)" for i in model.identifier or []),
    )


def _condition(number: int, model: Any, patient: Any, index: _Index, reasons: list[str]) -> ReferredCondition | None:
    if index.resolve(model.subject, "Patient") is not patient:
        reasons.append(f"Condition {number}'s subject is not the Bundle's Patient; refer to the Patient entry.")
    codings = [c for c in (model.code.coding if model.code else None) or [] if c.system == ICD10CM and c.code]
    if not codings:
        reasons.append(f"Condition {number} ({_text(model.code) or 'no text'}) has no ICD-10-CM code (coding system "
                       f"{ICD10CM}); code the diagnosis in ICD-10-CM.")
        return None
    return ReferredCondition(number, codings[0].code, codings[0].display or _text(model.code))


def _requester(request: Any, index: _Index, reasons: list[str]) -> tuple[str, str]:
    practitioner = index.resolve(request.requester, "Practitioner")
    if practitioner is None:
        reasons.append("The ServiceRequest's requester is not a Practitioner of the Bundle; add the referring "
                       "practitioner with their NPI and refer to them.")
        return "", ""
    name = (practitioner.name or [None])[0]
    who = " ".join([*(name.given or []), name.family or ""]).strip() if name else ""
    if not who:
        reasons.append("The referring Practitioner has no name; add it.")
    npi = next((i.value for i in practitioner.identifier or [] if i.system == NPI_SYSTEM and i.value), "")
    try:
        return who, check_npi(npi, f"The referring Practitioner {who}".rstrip())
    except ValueError as error:
        reasons.append(f"{error} (identifier system {NPI_SYSTEM}).")
    return who, ""


def read_referral(data: bytes) -> Referral:
    """The referral in ``data`` (a FHIR R4 Bundle in JSON) with the problems found in its content, or
    ReferralProblems when it cannot be read at all (not a Bundle, an entry not valid FHIR R4, parts missing)."""
    entries = _entries(_loads(data))
    index = _Index(entries)
    reasons: list[str] = []
    by_kind: dict[str, list[Any]] = {kind: [m for _, k, m in entries if k == kind] for kind in READ}
    for kind, wanted in (("Patient", "one Patient"), ("ServiceRequest", "one ServiceRequest")):
        if len(by_kind[kind]) != 1:
            reasons.append(f"The Bundle has {len(by_kind[kind])} {kind} entries; a referral has exactly {wanted}.")
    if not by_kind["Condition"]:
        reasons.append("The Bundle has no Condition; a referral names at least one diagnosis (ICD-10-CM).")
    if reasons:
        raise ReferralProblems(reasons)
    [patient_model], [request] = by_kind["Patient"], by_kind["ServiceRequest"]
    patient = _patient(patient_model, reasons)
    numbered = {id(m): n for n, m in enumerate(by_kind["Condition"], start=1)}
    conditions = [_condition(numbered[id(m)], m, patient_model, index, reasons) for m in by_kind["Condition"]]
    if request.status != "active":
        reasons.append(f"The ServiceRequest's status is {request.status}; only an active referral is imported.")
    if index.resolve(request.subject, "Patient") is not patient_model:
        reasons.append("The ServiceRequest's subject is not the Bundle's Patient; refer to the Patient entry.")
    authored = str(request.authoredOn or "")
    if not _FULL_DATE.match(authored):
        reasons.append(f"The ServiceRequest's authoredOn {authored or '(none)'} is not a date; give the date the "
                       "referral was written (YYYY-MM-DD).")
    who, npi = _requester(request, index, reasons)
    first: list[int] = []
    for position, reference in enumerate(request.reasonReference or [], start=1):
        condition = index.resolve(reference, "Condition")
        if condition is None:
            reasons.append(f"The ServiceRequest's reasonReference {position} is not a Condition of the Bundle.")
        else:
            first.append(numbered[id(condition)])
    ordered = sorted((c for c in conditions if c is not None),
                     key=lambda c: (first.index(c.number) if c.number in first else len(first), c.number))
    asked = [_text(request.code), *(_text(c) for c in request.reasonCode or []),
             *(n.text for n in request.note or [] if n.text)]
    return Referral(patient=patient, conditions=tuple(ordered), referrer_name=who, referrer_npi=npi,
                    referred_on=date.fromisoformat(authored[:10]) if _FULL_DATE.match(authored) else None,
                    asked="; ".join(a for a in asked if a), problems=tuple(reasons))
