"""Exercise figures: every library exercise a camera watches is drawn or says why not; each figure, run back
through the camera's own angle code, shows the exercise's own figures (the template's target, a hold's band)
seen from its monitor's view, and no fault the exercise watches for."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from reeducate.feedback.adapters.base import Device
from reeducate.feedback.templates import minimum_jerk
from reeducate.reports.exercise_figures import (
    DRAWINGS,
    NOT_DRAWN,
    ExerciseFigure,
    KeyPose,
    exercise_figure,
    moves_both_legs,
)
from reeducate.signals.kinematics.frame_signals import frame_signals
from reeducate.signals.pose.landmarks import LANDMARKS, pose_series
from reeducate.training.catalogue import library
from reeducate.training.models import Exercise, Monitor
from reeducate.training.signals import resolve

SVG = "{http://www.w3.org/2000/svg}"
EXERCISES = list(library().exercises.values())
WATCHED_BY_CAMERA = [e for e in EXERCISES if any(m.device is Device.CAMERA for m in e.monitors)]
DRAWN = [e for e in WATCHED_BY_CAMERA if e.id not in NOT_DRAWN]


def measured(pose: KeyPose) -> tuple[dict[str, float], str | None]:
    """Every camera signal of the drawn pose as the live engine measures it (image y down), and its view."""
    xy = np.array([[(pose.landmarks[name][0], -pose.landmarks[name][1]) for name in LANDMARKS]])
    values, views = frame_signals(pose_series(xy=xy, visibility=np.ones((1, len(LANDMARKS))), fps=30.0,
                                              source="figure"))
    return {name: float(v[0]) for name, v in values.items()}, (str(views[0]) if views[0] else None)


def drawn_monitor(exercise: Exercise, figure: ExerciseFigure) -> Monitor:
    return next(m for m in exercise.monitors if m.device is Device.CAMERA and m.view == figure.view
                and resolve(m.signal, "left") == figure.signal)


def test_every_exercise_a_camera_watches_is_drawn_or_says_why_not() -> None:
    camera = {e.id for e in WATCHED_BY_CAMERA}
    assert set(DRAWINGS) | set(NOT_DRAWN) == camera and not set(DRAWINGS) & set(NOT_DRAWN)
    for exercise in EXERCISES:
        assert (exercise_figure(exercise) is None) == (exercise.id not in DRAWINGS), exercise.id


@pytest.mark.parametrize("exercise", DRAWN, ids=lambda e: e.id)
def test_the_figure_shows_the_exercises_own_target_from_its_monitors_view(exercise: Exercise) -> None:
    figure = exercise_figure(exercise)
    assert figure is not None
    monitor = drawn_monitor(exercise, figure)
    for pose in figure.poses:
        values, view = measured(pose)
        assert view == figure.view, pose.caption
        assert values[figure.signal] == pytest.approx(pose.value, abs=1.0), pose.caption
    target = figure.poses[-1].value
    if monitor.hold is not None:
        assert len(figure.poses) == 1 and monitor.hold.low <= target <= monitor.hold.high
    else:
        assert monitor.targets is not None and monitor.repetition is not None
        assert len(figure.poses) == 2 and target == monitor.targets.peak
        if monitor.template is not None:
            rest = monitor.repetition.rest_level
            model = minimum_jerk(rest, target, monitor.template.duration_s, 30.0)
            assert model[np.argmax(np.abs(model - rest))] == pytest.approx(target, abs=1.0)  # its turning point
        start = figure.poses[0].value  # the start lies on the rest side of the detection's start level
        assert monitor.repetition.direction * (start - monitor.repetition.start_level) < 0


@pytest.mark.parametrize("exercise", DRAWN, ids=lambda e: e.id)
def test_no_drawn_pose_commits_a_fault_the_exercise_cues(exercise: Exercise) -> None:
    figure = exercise_figure(exercise)
    assert figure is not None
    for fault in drawn_monitor(exercise, figure).faults:
        for pose in figure.poses:
            value = measured(pose)[0][resolve(fault.signal, "left")]
            if np.isnan(value):  # not measured from this view: the cue never fires there
                continue
            assert (value <= fault.limit) if fault.above else (value >= fault.limit), (fault.fault, pose.caption)


@pytest.mark.parametrize("exercise", DRAWN, ids=lambda e: e.id)
def test_the_svg_is_one_picture_with_its_words_and_an_arrow(exercise: Exercise) -> None:
    figure = exercise_figure(exercise)
    assert figure is not None
    root = ET.fromstring(figure.svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == exercise.name  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == figure.alt  # type: ignore[union-attr]
    assert exercise.name in figure.alt and ("side" in figure.alt or "front" in figure.alt)
    assert len(root.findall(f".//{SVG}g[@class='pose']")) == len(figure.poses)
    assert len(root.findall(f".//{SVG}path[@class='arrow']")) == 1
    captions = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert all(pose.caption.split()[-1] in captions for pose in figure.poses)


@pytest.mark.parametrize("exercise_id", ["two-foot-stance", "gait-training-imu", *NOT_DRAWN])
def test_an_exercise_a_figure_cannot_show_honestly_has_none(exercise_id: str) -> None:
    assert exercise_figure(library().exercises[exercise_id]) is None


def test_the_same_exercise_gives_the_same_bytes() -> None:
    squat = library().exercises["squat"]
    first, second = exercise_figure(squat), exercise_figure(squat)
    assert first is not None and second is not None and first.svg == second.svg


def test_the_patients_figure_says_the_action_in_words_without_an_angle() -> None:
    for exercise in library().exercises.values():
        clinic, patient = exercise_figure(exercise), exercise_figure(exercise, degrees=False)
        if clinic is None or patient is None:
            assert clinic is patient, exercise.id
            continue
        words = " ".join([patient.alt, patient.svg, *(pose.caption for pose in patient.poses)])
        assert "°" not in words and "degrees" not in words and "{angle}" not in words, exercise.id
        assert [p.landmarks for p in patient.poses] == [p.landmarks for p in clinic.poses], exercise.id
    squat = exercise_figure(library().exercises["mini-squat"], degrees=False)
    assert squat is not None and squat.poses[1].caption == "2. Bend the knees, then back"


def test_both_legs_move_in_a_squat_and_standing_up_not_in_a_step_up() -> None:
    assert moves_both_legs("mini-squat") and moves_both_legs("sit-to-stand") and moves_both_legs("hip-hinge")
    assert moves_both_legs("step-up") is False and moves_both_legs("lunge") is False
    assert moves_both_legs("tandem-stance") is None  # not drawn: not known here
