"""Every instrument's result exports as an R4 Observation that validates and round-trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.observation import Observation

from reeducate.interop.fhir import MEASURE_SYSTEM, observation
from reeducate.measures.catalogue import get, instruments
from reeducate.measures.results import Patient
from reeducate.measures.scoring import score

PATIENT = Patient(age_years=75, sex="female", height_cm=160, weight_kg=65)
WHEN = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
EXAMPLES = {
    "tug": {"seconds": 14.2}, "tug-cognitive": {"seconds": 16.0}, "ftsts": {"seconds": 13.0},
    "chair-stand-30s": {"stands": 9}, "steadi-4-stage": {"stage_seconds": [10, 10, 6, None]},
    "single-leg-stance": {"seconds": 4.5}, "mctsib": {"conditions": [[30], [30], [30], [8, 9, 10]]},
    "gait-speed-10m": {"distance_m": 6, "seconds": 7.0}, "six-minute-walk": {"distance_m": 380},
    "psfs": [3, 4, 5], "quickdash": {"items": [2] * 11, "work": [1, 2, 2, 1]},
}


def example(measure_id: str):
    instrument = get(measure_id)
    responses = EXAMPLES.get(measure_id) or [item.min for item in instrument.items]
    return instrument, score(instrument, responses, PATIENT)


@pytest.mark.parametrize("measure_id", list(instruments()))
def test_each_result_is_a_valid_observation(measure_id: str) -> None:
    instrument, result = example(measure_id)
    built = observation(instrument, result, resource_id=f"adm-{measure_id}", patient_reference="Patient/7",
                        effective=WHEN, performer_reference="Practitioner/3")
    again = Observation.model_validate(json.loads(built.model_dump_json()))
    assert again.status == "final" and again.subject.reference == "Patient/7"
    assert any(c.system == MEASURE_SYSTEM and c.code == measure_id for c in again.code.coding)
    if result.score is not None:
        assert float(again.valueQuantity.value) == pytest.approx(result.score)
        assert again.valueQuantity.system == "http://unitsofmeasure.org"


def test_nprs_is_coded_in_loinc_and_others_only_in_our_system() -> None:
    nprs = observation(*example("nprs"), resource_id="a", patient_reference="Patient/1", effective=WHEN)
    assert nprs.code.coding[0].system == "http://loinc.org" and nprs.code.coding[0].code == "72514-3"
    berg = observation(*example("berg"), resource_id="b", patient_reference="Patient/1", effective=WHEN)
    assert [c.system for c in berg.code.coding] == [MEASURE_SYSTEM]


def test_a_not_computable_result_carries_its_reason() -> None:
    instrument = get("berg")
    result = score(instrument, [4] * 13 + [None])
    built = observation(instrument, result, resource_id="c", patient_reference="Patient/1", effective=WHEN)
    assert built.valueQuantity is None and "missing" in built.dataAbsentReason.text


def test_subscores_become_components() -> None:
    instrument = get("fabq")
    result = score(instrument, [3] * 16)
    built = observation(instrument, result, resource_id="d", patient_reference="Patient/1", effective=WHEN)
    assert [c.valueQuantity.value for c in built.component] == [12, 21]
