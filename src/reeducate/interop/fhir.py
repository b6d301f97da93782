"""Outcome-measure results as FHIR R4 Observations (fhir.resources R4B models, validated on build).

An instrument with a verified LOINC code is coded in LOINC; every other is coded in Reeducate's own
code system (`MEASURE_SYSTEM`), never with an invented LOINC code. Subscores become components,
applied interpretations become `interpretation` texts, and the scoring rule with its source is the
`method`, so a receiving system can see how the number was made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fhir.resources.R4B.observation import Observation

from reeducate.measures.definition import Instrument
from reeducate.measures.results import Score

MEASURE_SYSTEM = "urn:reeducate:fhir:CodeSystem:outcome-measure"
"""Reeducate's code system for instruments without a verified LOINC code; codes are measure ids."""

UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"


def measure_code(instrument: Instrument) -> dict[str, Any]:
    """The instrument as a CodeableConcept: its verified LOINC code first, if it has one, and ours."""
    codings = [{"system": MEASURE_SYSTEM, "code": instrument.id, "display": instrument.name}]
    if instrument.loinc is not None:
        codings.insert(0, {"system": instrument.loinc.system, "code": instrument.loinc.code,
                           "display": instrument.loinc.display})
    return {"coding": codings, "text": instrument.name}


def measure_quantity(instrument: Instrument, value: float) -> dict[str, Any]:
    """``value`` in the instrument's unit, coded in UCUM."""
    return {"value": value, "unit": instrument.unit_label, "system": UCUM, "code": instrument.unit}


def observation(
    instrument: Instrument,
    result: Score,
    *,
    resource_id: str,
    patient_reference: str,
    effective: datetime,
    performer_reference: str | None = None,
    encounter_reference: str | None = None,
) -> Observation:
    """The FHIR Observation of one scored administration (raises if it would not validate)."""
    body: dict[str, Any] = {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY,
                                  "code": "survey" if instrument.kind == "questionnaire" else "exam"}]}],
        "code": measure_code(instrument),
        "subject": {"reference": patient_reference},
        "effectiveDateTime": effective.isoformat(),
        "method": {"text": f"{instrument.scoring.rule} Source: {instrument.scoring.source.citation}"},
    }
    if performer_reference:
        body["performer"] = [{"reference": performer_reference}]
    if encounter_reference:
        body["encounter"] = {"reference": encounter_reference}
    if result.score is not None:
        body["valueQuantity"] = measure_quantity(instrument, result.score)
    elif not result.computable:
        body["dataAbsentReason"] = {"coding": [{"system": ABSENT, "code": "unknown"}], "text": result.reason}
    names = {s.id: s.name for s in instrument.subscales} | {m.id: m.name for m in instrument.modules}
    components = []
    for key, value in result.subscores.items():
        component: dict[str, Any] = {"code": {"coding": [{"system": MEASURE_SYSTEM,
                                                          "code": f"{instrument.id}.{key}"}],
                                              "text": names.get(key, key)}}
        if value is None:
            component["dataAbsentReason"] = {"coding": [{"system": ABSENT, "code": "unknown"}]}
        else:
            component["valueQuantity"] = measure_quantity(instrument, value)
        components.append(component)
    if components:
        body["component"] = components
    applied = [i for i in result.interpretations if i.applies]
    if applied:
        body["interpretation"] = [{"text": f"{i.label} ({i.rule})"} for i in applied]
    return Observation.model_validate(body)
