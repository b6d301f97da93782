"""The heading every printed episode document shares (plan of care, progress report, discharge
summary): the clinic, the patient with their primary payer, and the episode with its diagnoses, as
plain text for :mod:`reeducate.reports.documents`' templates (``_heading.html``)."""

from __future__ import annotations

from typing import Any

from reeducate.clinic.models import Episode
from reeducate.reports.dates import date_text, day_text


def episode_heading(episode: Episode) -> dict[str, Any]:
    """``clinic``, ``patient`` and ``episode`` for a document's heading (the caller has checked access)."""
    patient = episode.patient
    clinic = patient.clinic
    coverage = min((c for c in patient.coverages if c.is_active), key=lambda c: c.priority, default=None)
    address = [clinic.billing_address, clinic.billing_city,
               f"{clinic.billing_state} {clinic.billing_postal_code}".strip()]
    return {
        "clinic": {"name": clinic.name, "phone": clinic.billing_phone, "npi": clinic.npi,
                   "address": ", ".join(filter(None, address))},
        "patient": {"name": patient.full_name, "dob": date_text(patient.date_of_birth), "mrn": patient.mrn,
                    "payer": coverage.payer_name if coverage else ""},
        "episode": {"condition": episode.condition.label, "started_on": day_text(episode.started_on),
                    "referring": episode.referring_provider_name,
                    "diagnoses": [{"code": d.code, "description": d.description}
                                  for d in sorted(episode.diagnoses, key=lambda d: d.position)]},
    }
