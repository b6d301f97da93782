"""Findings to proposed problems: each rule fires at its sourced cut-off and not a step inside it, the
evidence carries the cut-off's source (or says it is our setting) and how the value was obtained, and the
library's matching techniques and exercises come with it."""

from __future__ import annotations

import pytest

from reeducate.measures.catalogue import instruments
from reeducate.measures.definition import Source
from reeducate.measures.results import Patient
from reeducate.planning.findings import (
    BAND_RULES,
    GAIT_SPEED_MEASURE,
    REPEATED_KNEE_VALGUS,
    ExerciseRun,
    Finding,
    GaitRecord,
    MeasureRecord,
    Obtained,
    VisitRecords,
    findings,
    suggestions_for,
)
from reeducate.training.catalogue import library
from reeducate.training.impairments import Impairment
from reeducate.training.models import Setting

MCTSIB_HELD = {"firm_eyes_open": 30.0, "firm_eyes_closed": 30.0, "foam_eyes_open": 30.0, "foam_eyes_closed": 30.0}


def found(*measures: MeasureRecord, gaits: tuple[GaitRecord, ...] = (),
          exercises: tuple[ExerciseRun, ...] = ()) -> dict[str, Finding]:
    return {f.rule: f for f in findings(VisitRecords(measures, gaits, exercises))}


def scored(measure_id: str, score: float | None, **kwargs: object) -> MeasureRecord:
    return MeasureRecord(measure_id, score, Obtained.SCORED, **kwargs)  # type: ignore[arg-type]


def test_every_rule_reads_bands_its_measure_has() -> None:
    """A band renamed in a measure's YAML would silently stop its rule: every label must be there."""
    for rule in BAND_RULES:
        labels = {b.label for b in instruments()[rule.measure].bands}
        assert set(rule.bands) <= labels, (rule.id, set(rule.bands) - labels)


@pytest.mark.parametrize(("measure_id", "rule", "crossing", "inside", "kwargs"), [
    ("berg", "berg-fall-risk", 44, 45, {}),
    ("tug", "tug-fall-risk", 12.0, 11.9, {}),
    ("tug-cognitive", "tug-cognitive-fall-risk", 15.0, 14.9, {}),
    ("ftsts", "sit-to-stand-fall-risk", 12.0, 11.9, {}),
    ("chair-stand-30s", "chair-stand-fall-risk", 9, 10, {"patient": Patient(age_years=72, sex="female")}),
    ("single-leg-stance", "single-leg-stance-fall-risk", 4.9, 5.0,
     {"condition": "eyes open", "patient": Patient(age_years=70)}),
    ("steadi-4-stage", "four-stage-balance-fall-risk", 2, 3, {}),
    ("dgi", "dgi-fall-risk", 19, 20, {}),
    ("fga", "fga-fall-risk", 22, 23, {}),
    (GAIT_SPEED_MEASURE, "reduced-gait-speed", 0.8, 0.81, {}),
])
def test_a_band_rule_fires_at_its_cut_off_and_not_inside_it(measure_id: str, rule: str, crossing: float,
                                                            inside: float, kwargs: dict) -> None:
    finding = found(scored(measure_id, crossing, **kwargs))[rule]
    assert rule not in found(scored(measure_id, inside, **kwargs))
    evidence = finding.evidence[0]
    band = next(b for b in instruments()[measure_id].bands if b.label == evidence.meaning)
    assert isinstance(evidence.basis, Source) and evidence.basis == band.source
    assert evidence.basis.population and evidence.value == crossing
    assert evidence.obtained is Obtained.SCORED and instruments()[measure_id].name in finding.statement


def test_berg_under_45_says_the_value_the_cut_off_and_berg_1992() -> None:
    finding = found(scored("berg", 41))["berg-fall-risk"]
    (evidence,) = finding.evidence
    assert evidence.shown == "41 points" and evidence.cutoff == "score < 45 points"
    assert evidence.as_dict()["citation"].startswith("Berg KO") and "1992" in evidence.as_dict()["citation"]
    assert evidence.as_dict()["obtained"] == "scored from an administration by the clinician"
    assert finding.statement == "Reduced standing balance, increased risk of falls: Berg Balance Scale 41 points."
    assert set(finding.impairments) == {Impairment.STATIC_BALANCE, Impairment.DYNAMIC_BALANCE}


def test_a_failed_foam_eyes_closed_condition_is_a_sensory_finding_with_the_foam_exercise() -> None:
    failed = found(scored("mctsib", 102.0, subscores={**MCTSIB_HELD, "foam_eyes_closed": 29.9}))
    assert set(failed) == {"mctsib-foam-eyes-closed"}
    (evidence,) = failed["mctsib-foam-eyes-closed"].evidence
    assert evidence.value == 29.9 and evidence.cutoff == "foam surface eyes closed < 30 seconds"
    assert "Shumway-Cook" in evidence.as_dict()["citation"]
    ids = {s.id for s in failed["mctsib-foam-eyes-closed"].suggestions}
    assert "foam-stance" in ids and "balance-training" in ids and "mini-squat" not in ids
    assert found(scored("mctsib", 120.0, subscores=MCTSIB_HELD)) == {}


def test_a_failed_firm_eyes_closed_condition_is_reliance_on_vision() -> None:
    failed = found(scored("mctsib", None, subscores={**MCTSIB_HELD, "firm_eyes_closed": 8.0,
                                                     "foam_eyes_closed": None}))
    assert set(failed) == {"mctsib-firm-eyes-closed"}
    assert failed["mctsib-firm-eyes-closed"].impairments == (Impairment.VISION_RELIANCE,)
    assert "eyes-closed-stance" in {s.id for s in failed["mctsib-firm-eyes-closed"].suggestions}


def test_a_single_leg_stance_with_eyes_closed_is_not_judged_by_the_eyes_open_cut_off() -> None:
    assert found(scored("single-leg-stance", 3.0, condition="eyes closed", patient=Patient(age_years=70))) == {}


def test_a_chair_stand_band_needs_the_patients_age_and_sex() -> None:
    assert found(scored("chair-stand-30s", 9)) == {}


@pytest.mark.parametrize("obtained", [Obtained.MEASURED_IMU, Obtained.MEASURED_VIDEO])
def test_an_engines_gait_speed_is_judged_by_the_10_m_walks_own_band(obtained: Obtained) -> None:
    finding = found(gaits=(GaitRecord(0.8, obtained),))["reduced-gait-speed"]
    (evidence,) = finding.evidence
    band = next(b for b in instruments()[GAIT_SPEED_MEASURE].bands if b.label == evidence.meaning)
    assert evidence.basis == band.source and evidence.cutoff == "0.4 <= score <= 0.8 m/s"
    assert evidence.obtained is obtained and "10-Metre Walk Test" in evidence.note
    assert found(gaits=(GaitRecord(0.81, obtained), GaitRecord(None, obtained))) == {}


def test_the_walk_test_and_an_engine_make_one_gait_speed_finding_with_both_values() -> None:
    finding = found(scored(GAIT_SPEED_MEASURE, 0.35), gaits=(GaitRecord(0.52, Obtained.MEASURED_IMU),))
    (gait,) = finding.values()
    assert gait.statement == ("Reduced walking speed, below community ambulation: 10-Metre Walk Test (comfortable "
                              "gait speed) 0.35 m/s (household ambulator); Gait speed 0.52 m/s (limited community "
                              "ambulator).")
    assert [e.shown for e in gait.evidence] == ["0.35 m/s", "0.52 m/s"]
    assert [e.meaning for e in gait.evidence] == ["Household ambulator", "Limited community ambulator"]
    assert {s.id for s in gait.suggestions} >= {"gait-training", "gait-training-imu"}


def test_knee_valgus_is_repeated_from_our_setting_and_says_so() -> None:
    runs = (ExerciseRun("mini-squat", "left", {"knee_valgus": REPEATED_KNEE_VALGUS - 1, "trunk_lean": 4},
                        Obtained.MEASURED_LIVE),)
    assert found(exercises=runs) == {}
    runs += (ExerciseRun("lunge", "left", {"knee_valgus": 1}, Obtained.REPLAYED),)
    finding = found(exercises=runs)["repeated-knee-valgus"]
    assert [(e.what, e.value, e.obtained) for e in finding.evidence] == [
        ("Mini squat (left)", REPEATED_KNEE_VALGUS - 1, Obtained.MEASURED_LIVE),
        ("Forward lunge (left)", 1, Obtained.REPLAYED)]
    assert all(isinstance(e.basis, Setting) and "Reeducate's setting" in e.basis.setting for e in finding.evidence)
    assert "setting" in finding.evidence[0].as_dict() and "citation" not in finding.evidence[0].as_dict()
    assert "10°" in finding.evidence[0].note
    assert {s.id for s in finding.suggestions} == {"movement-pattern-training", "mini-squat", "squat", "lunge"}


def test_knee_valgus_counts_only_exercises_of_the_library_that_define_the_fault() -> None:
    runs = (ExerciseRun("mini-squat", "left", {"knee_valgus": REPEATED_KNEE_VALGUS - 1}, Obtained.MEASURED_LIVE),
            ExerciseRun("retired-squat", "left", {"knee_valgus": 5}, Obtained.MEASURED_LIVE),
            ExerciseRun("chin-tuck", None, {"knee_valgus": 5}, Obtained.MEASURED_LIVE))
    assert found(exercises=runs) == {}


def test_a_visit_with_nothing_past_a_cut_off_proposes_nothing() -> None:
    assert found(scored("berg", 52), scored("tug", 8.0), scored("nprs", 7),
                 exercises=(ExerciseRun("squat", None, {}, Obtained.MEASURED_LIVE),)) == {}


def test_suggestions_are_the_library_items_addressing_an_impairment_techniques_first() -> None:
    matched = suggestions_for([Impairment.KNEE_VALGUS])
    assert [s.kind for s in matched] == ["technique", "exercise", "exercise", "exercise"]
    lib = library()
    for s in matched:
        item = lib.techniques[s.id] if s.kind == "technique" else lib.exercises[s.id]
        assert Impairment.KNEE_VALGUS in item.addresses and s.name == item.name
    assert suggestions_for([]) == ()
