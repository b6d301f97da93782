"""The note's line for live joint position sense training: the trials and AE/CE/VE, labelled by where the angles
came from; a simulated patient's run stays out, as every simulated run does. Pure: records in memory."""

from __future__ import annotations

from reeducate.clinic.models import ExerciseRecord
from reeducate.clinic.note_draft import draft
from reeducate.clinic.vocabulary import ExerciseSource, ExerciseStatus
from reeducate.feedback.adapters.simulated import simulated_samples
from reeducate.feedback.replay import replay
from reeducate.training.catalogue import exercise
from reeducate.training.live import live_exercise

FS = 30.0


def trained(source: ExerciseSource) -> ExerciseRecord:
    """A record of the library's seated knee JPS training as the engine summarises the simulated patient's run."""
    chosen = exercise("knee-position-sense-seated")
    live = live_exercise(chosen, monitor=chosen.monitor(), side="left", sampling_rate_hz=FS)
    summary = replay(live, simulated_samples(live, sampling_rate_hz=FS, view="side"), sampling_rate_hz=FS)["summary"]
    return ExerciseRecord(exercise_id=chosen.id, monitor="camera-side", side="left", source=source,
                          status=ExerciseStatus.COMPLETED, repetitions=summary["repetitions"], holds_completed=None,
                          mean_score=None, active_s=summary["active_s"], summary=summary, regress=False)


def objective(*records: ExerciseRecord) -> str:
    return draft(administrations=[], progress=[], trials=[], recordings=[], exercises=list(records),
                 minutes_97112=0)["objective"]


def test_a_live_run_states_its_trials_and_errors_measured_from_the_camera() -> None:
    record = trained(ExerciseSource.CAMERA)
    e = record.summary["jps"]["errors"]
    assert objective(record) == (
        "Knee joint position sense training, seated (camera from the side) (left): joint position sense training "
        f"(live, measured from camera): 6 trials, targets 60°/45°, AE {e['absolute_error_deg']:.1f}°, "
        f"CE {e['constant_error_deg']:+.1f}°, VE {e['variable_error_deg']:.1f}° (error positive past the target, "
        "negative short of it; no published cut-off applied).")


def test_a_replay_says_so_and_two_runs_are_told_apart() -> None:
    line = objective(trained(ExerciseSource.RECORDING), trained(ExerciseSource.RECORDING))
    assert line.startswith("Knee joint position sense training, seated (camera from the side) (left) (replayed from "
                           "a recorded file): joint position sense training (from a recorded file, not live): run 1 "
                           "6 trials")
    assert "; run 2 6 trials" in line


def test_a_simulated_patients_run_never_enters_the_note() -> None:
    assert objective(trained(ExerciseSource.SIMULATED)) == ""
