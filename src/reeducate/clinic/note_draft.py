"""The first draft of a visit's SOAP note, written from what the visit recorded.

Facts only: scores with their interpretation and change since the baseline, instrumented results,
the exercises trained with their repetitions, scores, cues and any pain, and the minutes per code.
For 97112 it lists what payers look for: the deficit treated (balance, coordination, kinesthetic
sense, posture, proprioception: the CPT descriptor's words), the techniques, the skilled cues, the
patient's response and the minutes. The clinician edits the draft before signing it.
"""

from __future__ import annotations

from typing import Any

from reeducate.clinic.models import BalanceTrial, ExerciseRecord, MeasureAdministration, MovementRecording
from reeducate.measures.change import MeasureProgress
from reeducate.training.catalogue import UnknownExercise, exercise, library

TECHNIQUE_DEFICITS = {
    "balance-training": ("balance", "proprioception"),
    "movement-pattern-training": ("coordination", "posture"),
    "gait-training": ("balance", "coordination"),
    "pnf": ("coordination", "proprioception"),
    "mirror-therapy": ("kinesthetic sense",),
    "postural-retraining": ("posture",),
    "joint-position-training": ("kinesthetic sense", "proprioception"),
}
"""The deficits (the 97112 descriptor's words) each technique of the library retrains."""

SECTIONS = ("subjective", "objective", "assessment", "plan")
NMR_FIELDS = ("deficits", "techniques", "cues", "response", "minutes")


def _exercise_name(record: ExerciseRecord) -> str:
    try:
        name = exercise(record.exercise_id).name
    except UnknownExercise:
        name = record.exercise_id
    return f"{name} ({record.side})" if record.side else name


def _cues(record: ExerciseRecord) -> list[str]:
    """The cue text of each fault the engine cued, with how many times."""
    try:
        chosen = exercise(record.exercise_id)
    except UnknownExercise:
        return []
    texts = {f.fault: f.cue for m in chosen.monitors for f in m.faults}
    return [f'"{texts.get(fault, fault)}" x{count}' for fault, count in record.summary.get("faults", {}).items()
            if count]


SOURCE_LABELS = {"recording": " (replayed from a recorded file)"}
"""How the note labels an exercise not measured live on the patient (a live camera is unlabelled)."""
NOT_THE_PATIENTS = frozenset({"simulated"})
"""Sources that are never the patient's performance: a simulated patient is a demonstration, so its
runs stay out of the note altogether (the visit's pages list them, labelled)."""


def _exercise_line(record: ExerciseRecord) -> str:
    parts = [_exercise_name(record) + SOURCE_LABELS.get(record.source, "") + ":"]
    if record.holds_completed is not None:
        parts.append(f"{record.holds_completed} hold(s) completed")
    else:
        parts.append(f"{record.repetitions} repetitions")
    if record.mean_score is not None:
        parts.append(f"mean quality score {record.mean_score:.0f}/100")
    if record.pain_score is not None:
        parts.append(f"stopped for pain {record.pain_score}/10 at {record.pain_at_s or 0:.0f} s")
    return " ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if parts[2:] else "")


def _measure_lines(administrations: list[MeasureAdministration], progress: list[MeasureProgress]) -> list[str]:
    by_id = {p.measure_id: p for p in progress}
    lines = []
    for a in administrations:
        item = by_id.get(a.measure_id)
        name = item.name if item else a.measure_id
        if a.score is None:
            lines.append(f"{name}: not scored ({a.result.get('reason') or 'incomplete'}).")
            continue
        unit = a.result.get("unit", "")
        text = f"{name}: {a.score:g} {unit}".rstrip()
        applied = [i["label"] for i in a.result.get("interpretations", []) if i.get("applies")]
        if applied:
            text += f" ({'; '.join(applied)})"
        trajectory = item.trajectory if item else None
        if trajectory is not None and len(trajectory.points) > 1:
            point = next((p for p in trajectory.points if p.on == a.administered_at.date()), None)
            if point is not None and point is not trajectory.points[0]:
                change = f"{point.change_from_baseline:+g}"
                verdict = ("beyond the MDC" if point.exceeds_mdc else "within the MDC"
                           if point.exceeds_mdc is not None else "no MDC published")
                mcid = "; meets the MCID" if point.meets_mcid else ""
                text += f"; change since baseline {trajectory.points[0].on:%d %b %Y} ({trajectory.baseline:g}): {change}, {verdict}{mcid}"
        if item and item.goal is not None:
            text += f"; goal {item.goal:g}"
        lines.append(text + ".")
    return lines


def _balance_line(trial: BalanceTrial) -> str:
    text = (f"Force-plate stance ({trial.stance.value.replace('_', ' ')}, {trial.surface.value}, eyes "
            f"{trial.vision.value}): mean COP velocity {trial.mean_velocity_cm_s:.2f} cm/s, 95% ellipse "
            f"{trial.ellipse_area_cm2:.2f} cm²")
    if trial.equilibrium_score is not None:
        text += f", equilibrium score {trial.equilibrium_score:.0f}"
    return text + "."


def _movement_line(recording: MovementRecording) -> str | None:
    if recording.cadence_steps_per_min is None:
        return None
    source = "foot IMUs" if recording.kind.value == "imu_gait" else "video"
    text = f"Gait ({source}): cadence {recording.cadence_steps_per_min:.0f} steps/min"
    if recording.gait_speed_m_s is not None:
        text += f", speed {recording.gait_speed_m_s:.2f} m/s"
    return text + "."


def draft(
    *, administrations: list[MeasureAdministration], progress: list[MeasureProgress], trials: list[BalanceTrial],
    recordings: list[MovementRecording], exercises: list[ExerciseRecord], minutes_97112: int,
) -> dict[str, Any]:
    """The note's sections as text the clinician edits; ``nmr`` holds the 97112 elements."""
    exercises = [r for r in exercises if r.source not in NOT_THE_PATIENTS]
    pain = [f"Pain {r.pain_score}/10 reported ({r.pain_reported_by or 'patient'}) during {_exercise_name(r)}."
            for r in exercises if r.pain_score is not None]
    objective = _measure_lines(administrations, progress)
    objective += [_balance_line(t) for t in trials]
    objective += [line for line in (_movement_line(r) for r in recordings) if line]
    objective += [_exercise_line(r) for r in exercises]
    assessment = [
        f"{p.name}: latest {p.trajectory.points[-1].score:g} against goal {p.goal:g} (baseline {p.trajectory.baseline:g})."
        for p in progress if p.goal is not None and p.trajectory is not None
    ]
    regress = [f"Regress {_exercise_name(r)} next visit (pain {r.pain_score}/10)." for r in exercises if r.regress]
    progressions = []
    for r in exercises:
        achieved = r.holds_completed if r.holds_completed is not None else r.repetitions
        if r.regress or r.status.value != "completed" or not achieved:
            continue
        try:
            nxt = exercise(r.exercise_id).progressions
        except UnknownExercise:
            nxt = []
        if nxt:
            progressions.append(f"{_exercise_name(r)} achieved: progress to "
                                f"{exercise(nxt[0]).name} when the patient is ready.")
    techniques: list[str] = []
    deficits: list[str] = []
    cues: list[str] = []
    for r in exercises:
        try:
            technique = library().techniques[exercise(r.exercise_id).technique]
        except (UnknownExercise, KeyError):
            continue
        techniques.append(technique.name)
        deficits += TECHNIQUE_DEFICITS.get(technique.id, ())
        cues += [f"{_exercise_name(r)}: {c}" for c in _cues(r)]
    response = [_exercise_line(r) for r in exercises]
    return {
        "subjective": "\n".join(pain),
        "objective": "\n".join(objective),
        "assessment": "\n".join(assessment),
        "plan": "\n".join(regress + progressions),
        "nmr": {
            "deficits": ", ".join(dict.fromkeys(deficits)),
            "techniques": ", ".join(dict.fromkeys(techniques)),
            "cues": "\n".join(cues),
            "response": "\n".join(response),
            "minutes": minutes_97112,
        },
    }
