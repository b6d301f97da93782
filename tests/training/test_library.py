"""The exercise library: every entry valid, documented, sourced or marked as our setting, and usable live."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from reeducate.feedback.adapters.base import Device
from reeducate.training.catalogue import UnknownExercise, exercise, library
from reeducate.training.docs import render_exercises_doc
from reeducate.training.live import live_exercise
from reeducate.training.models import Exercise, Setting

DOC = Path(__file__).resolve().parents[2] / "docs" / "exercises.md"
VALID = yaml.safe_load("""
id: test-squat
name: Test squat
technique: movement-pattern-training
purpose: A squat used to test what the schema refuses.
indications: [testing]
addresses: [knee-valgus]
instructions: Squat down and stand up again, slowly.
monitors:
  - device: camera
    view: side
    signal: "{side}_knee_flexion"
    repetition: {rest_level: 15, start_level: 25}
dosage: {sets: 1, reps: 10, rest_s: 60, basis: {setting: "A starting dose chosen for this test only."}}
""")


JPS = {"targets_deg": [60], "start_deg": 5, "band_deg": 3, "trials": 4, "target_hold_s": 3, "reproduction_hold_s": 2,
       "basis": {"setting": "A protocol chosen for this test only."}}


def test_a_joint_position_sense_exercise_runs_its_protocol_live_from_the_library() -> None:
    chosen = exercise("knee-position-sense-seated")
    live = live_exercise(chosen, monitor=chosen.monitor("camera-side"), side="left", sampling_rate_hz=30)
    assert live.signal == "left_knee_flexion" and live.repetition is None and live.hold is None
    assert live.jps is not None and live.jps.targets == (60.0, 45.0) and live.jps.trials == 6
    assert live.jps.start_deg == 90 and live.jps.band_deg == 3


def test_the_library_has_the_seed_techniques_and_the_exercises_the_issue_names() -> None:
    lib = library()
    assert {"balance-training", "movement-pattern-training", "gait-training", "pnf", "mirror-therapy",
            "postural-retraining"} <= set(lib.techniques)
    assert {"single-leg-stance", "mini-squat", "pnf-d2-flexion-arm", "sit-to-stand", "step-up", "lunge",
            "overhead-reach", "hip-hinge", "chin-tuck", "scapular-setting", "pnf-d1-flexion-leg",
            "wobble-board-stance", "foam-stance", "eyes-closed-stance", "tandem-stance", "single-leg-reach",
            "rhythmic-stabilisation-shoulder", "hold-relax-hamstring", "mirror-elbow-flexion",
            "gait-training-imu"} <= set(lib.exercises)
    assert {Device(m.device) for e in lib.exercises.values() for m in e.monitors} == set(Device)


@pytest.mark.parametrize("exercise_id", list(library().exercises))
def test_each_exercise_runs_live_on_each_of_its_monitors(exercise_id: str) -> None:
    chosen = exercise(exercise_id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", chosen.id)
    for monitor in chosen.monitors:
        live = live_exercise(chosen, monitor=monitor, side="right" if chosen.sided else None, sampling_rate_hz=30)
        assert "{side}" not in live.signal and all("{" not in c.signal for c in live.cues)
        assert sum(rule is not None for rule in (live.repetition, live.hold, live.order, live.jps)) == 1
        if monitor.template is not None:
            assert live.template is not None
            turn = max(live.template, key=lambda v: live.repetition.direction * v)
            assert turn == pytest.approx(monitor.targets.peak)


def test_a_sided_exercise_needs_its_side() -> None:
    chosen = exercise("mini-squat")
    with pytest.raises(ValueError, match="left or right"):
        live_exercise(chosen, monitor=chosen.monitor(), side=None, sampling_rate_hz=30)


def test_an_unknown_id_names_the_ones_there_are() -> None:
    with pytest.raises(UnknownExercise, match="Known exercises: .*mini-squat"):
        exercise("mini-sqaut")


def test_a_cue_on_a_frontal_plane_angle_is_only_armed_in_a_front_view() -> None:
    chosen = exercise("mini-squat")
    live = live_exercise(chosen, monitor=chosen.monitor("camera-front"), side="left", sampling_rate_hz=30)
    (valgus,) = live.cues
    assert valgus.signal == "left_knee_valgus" and valgus.views == frozenset({"front"})


def test_every_setting_says_it_is_ours_and_every_source_names_its_population() -> None:
    def bases(ex: Exercise) -> list:
        found = [ex.dosage.basis]
        for m in ex.monitors:
            found += [f.basis for f in m.faults] + [b.basis for b in (m.hold, m.relax, m.order, m.targets, m.jps)
                                                   if b is not None]
        return found

    for ex in library().exercises.values():
        for basis in bases(ex):
            if isinstance(basis, Setting):
                assert re.search(r"Reeducate|therapist", basis.setting), (ex.id, basis)
            else:
                assert basis.population and re.search(r"(19|20)\d\d", basis.citation), (ex.id, basis)


@pytest.mark.parametrize(("change", "message"), [
    ({"id": "Mini_Squat"}, "String should match pattern"),
    ({"monitors": [{**VALID["monitors"][0], "signal": "{side}_knee_valgus"}]}, "cannot be measured from the side"),
    ({"monitors": [{**VALID["monitors"][0], "signal": "knee_angle"}]}, "camera cannot give 'knee_angle'"),
    ({"monitors": [{**VALID["monitors"][0], "hold": {"low": 0, "high": 10, "target_s": 5,
                                                     "basis": {"setting": "A band chosen for this test only."}}}]},
     "either repetitions or holds"),
    ({"monitors": [{**VALID["monitors"][0], "view": None}]}, "names its view"),
    ({"monitors": [VALID["monitors"][0], VALID["monitors"][0]]}, "same device and view"),
    ({"monitors": [{**VALID["monitors"][0], "repetition": {"rest_level": 25, "start_level": 15}}]},
     "start_level must lie beyond rest_level"),
    ({"dosage": {"sets": 1, "reps": 10, "rest_s": 60, "basis": {"setting": "short"}}}, "at least 20 characters"),
    ({"cues": []}, "Extra inputs are not permitted"),
    ({"monitors": [{**VALID["monitors"][0], "repetition": None, "jps": {**JPS, "targets_deg": [60, 12]}}]},
     "target 12 deg is too close to the start"),
    ({"monitors": [{**VALID["monitors"][0], "jps": JPS}]}, "either repetitions or holds"),
])
def test_a_library_entry_that_breaks_a_rule_is_refused_with_the_reason(change: dict, message: str) -> None:
    Exercise.model_validate(VALID)
    with pytest.raises(ValidationError, match=message):
        Exercise.model_validate({**VALID, **change})


def test_the_exercise_docs_are_in_step_with_the_library() -> None:
    assert DOC.read_text(encoding="utf-8") == render_exercises_doc(), \
        "run: python -m reeducate.training.docs > docs/exercises.md"
