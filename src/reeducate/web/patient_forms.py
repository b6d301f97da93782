"""The registration, patient edit and coverage forms' fields, read back from a posted form as the
schemas' input (text as typed; the schemas check and convert it)."""

from __future__ import annotations

from typing import Any

from reeducate.clinic.vocabulary import PlanKind

PATIENT_FIELDS = ("first_name", "last_name", "date_of_birth", "sex", "phone", "email", "address_line", "city",
                  "state", "postal_code", "emergency_contact_name", "emergency_contact_relationship",
                  "emergency_contact_phone")
COVERAGE_FIELDS = ("plan_kind", "payer_name", "member_id", "group_number", "claim_number", "payer_id",
                   "subscriber_relationship", "subscriber_first_name", "subscriber_last_name",
                   "subscriber_date_of_birth", "subscriber_sex")
OPTIONAL = frozenset({"email", "subscriber_date_of_birth", "subscriber_sex"})
"""Fields whose empty text means "none" (an empty date or choice is not a value)."""
SECONDARY = "secondary_"
"""The prefix of the registration form's second payer's fields."""


def _read(values: dict[str, str], names: tuple[str, ...], prefix: str = "") -> dict[str, Any]:
    read: dict[str, Any] = {name: values.get(prefix + name, "").strip() for name in names}
    return {name: (None if name in OPTIONAL and not value else value) for name, value in read.items()}


def patient_input(values: dict[str, str]) -> dict[str, Any]:
    """Demographics, contact, address and emergency contact as typed."""
    return _read(values, PATIENT_FIELDS)


def coverage_input(values: dict[str, str], prefix: str = "") -> dict[str, Any] | None:
    """One payer's fields as typed, or None when the form names no payer (self-pay needs none).

    The subscriber's relationship defaults to the patient themself."""
    read = _read(values, COVERAGE_FIELDS, prefix)
    if not read["payer_name"] and read["plan_kind"] != PlanKind.SELF_PAY.value:
        return None
    read["payer_name"] = read["payer_name"] or PlanKind.SELF_PAY.label
    read["subscriber_relationship"] = read["subscriber_relationship"] or "self"
    return read
