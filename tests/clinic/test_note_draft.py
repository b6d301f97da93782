"""The note's draft tells only what happened (issue 18 item 6): a simulated patient's runs stay out, a
replay says so, repeated runs of an exercise are one line, an exercise ended with nothing done "ended
early", and the next exercise is suggested only once the library's prescribed dose was done without pain.

Pure: the draft is written from records in memory, no database needed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reeducate.clinic.models import ExerciseRecord, MeasureAdministration
from reeducate.clinic.note_draft import draft, grouped_runs
from reeducate.clinic.vocabulary import ExerciseSource, ExerciseStatus


def run(exercise_id: str = "mini-squat", *, repetitions: int = 10, holds: int | None = None,
        source: ExerciseSource = ExerciseSource.CAMERA, status: ExerciseStatus = ExerciseStatus.COMPLETED,
        score: float | None = 80.0, side: str | None = "left", **more: Any) -> ExerciseRecord:
    return ExerciseRecord(exercise_id=exercise_id, monitor="camera-side", side=side, source=source, status=status,
                          repetitions=repetitions, holds_completed=holds, mean_score=score, active_s=40.0,
                          summary={}, regress=more.pop("regress", False), **more)


def written(*records: ExerciseRecord) -> dict[str, Any]:
    return draft(administrations=[], progress=[], trials=[], recordings=[], exercises=list(records), minutes_97112=0)


def text(content: dict[str, Any]) -> str:
    return "\n".join(str(v) for v in [*content.values(), *content["nmr"].values()])


def test_repeated_runs_of_an_exercise_are_one_line_with_runs_total_and_best() -> None:
    content = written(run(repetitions=6, score=70.0), run(repetitions=10, score=91.0), run(repetitions=4))
    assert content["objective"] == ("Mini squat (left): 3 runs, 20 repetitions in total, best run 10; "
                                    "best mean quality score 91/100.")
    assert content["nmr"]["response"] == content["objective"]


def test_an_exercise_ended_with_nothing_done_is_said_ended_early_and_suggests_nothing() -> None:
    content = written(run(repetitions=0, score=None, status=ExerciseStatus.ENDED_EARLY))
    assert content["objective"] == "Mini squat (left): ended early, no repetition done."
    assert "completed" not in text(content) and content["plan"] == ""
    held = written(run("two-foot-stance", repetitions=0, holds=0, side=None, score=None,
                       status=ExerciseStatus.ENDED_EARLY))
    assert held["objective"] == "Two-foot stance on a force plate: ended early, no hold done."


def test_a_progression_is_suggested_only_once_the_prescribed_dose_was_done_without_pain() -> None:
    # mini-squat: 2 sets of 10 (the library's dosage), its first progression the squat
    assert written(run(repetitions=10))["plan"] == ""
    assert written(run(repetitions=10), run(repetitions=10))["plan"] == (
        "Mini squat (left): the prescribed 20 repetitions done; progress to Squat when the patient is ready.")
    painful = written(run(repetitions=12), run(repetitions=9, status=ExerciseStatus.STOPPED_FOR_PAIN, pain_score=5,
                                               pain_at_s=20.0, regress=True))
    assert "progress to" not in painful["plan"] and "Regress Mini squat (left) next visit (pain 5/10)." in painful["plan"]
    # two-foot stance: 3 holds of 30 s
    assert "progress to Feet-together stance" in written(run("two-foot-stance", holds=3, side=None))["plan"]
    assert written(run("two-foot-stance", holds=2, side=None))["plan"] == ""


def test_a_simulated_patient_never_enters_the_note_and_a_replay_is_labelled() -> None:
    content = written(run(repetitions=20, score=100.0, source=ExerciseSource.SIMULATED),
                      run("weight-shift", repetitions=4, side=None, source=ExerciseSource.RECORDING))
    assert "Mini squat" not in text(content) and "100/100" not in text(content)
    assert content["objective"] == ("Side-to-side weight shift (replayed from a recorded file): 4 repetitions; "
                                    "mean quality score 80/100.")


def test_a_replay_and_a_live_run_of_the_same_exercise_stay_two_lines() -> None:
    groups = grouped_runs([run(), run(source=ExerciseSource.RECORDING), run()])
    assert [len(g.records) for g in groups] == [2, 1]


def test_a_broken_connection_is_said_so() -> None:
    content = written(run(repetitions=3, status=ExerciseStatus.INTERRUPTED))
    assert content["objective"] == ("Mini squat (left): 3 repetitions; mean quality score 80/100; "
                                    "interrupted before its end (the connection was lost).")


def test_a_measure_given_outside_an_episode_is_named_not_given_by_its_id() -> None:
    tug = MeasureAdministration(measure_id="tug", score=11.4, result={"unit": "s", "interpretations": []},
                                administered_at=datetime(2026, 12, 2, 17, tzinfo=UTC))
    content = draft(administrations=[tug], progress=[], trials=[], recordings=[], exercises=[], minutes_97112=0)
    assert content["objective"] == "Timed Up and Go: 11.4 s."
