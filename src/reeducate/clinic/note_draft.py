"""The first draft of a visit's SOAP note, written from what the visit recorded.

Facts only: scores with their interpretation and change since the baseline, instrumented results,
the exercises trained with their repetitions, scores, cues and any pain (the patient's own only; repeated
runs summarised), and the minutes per code.
For 97112 it lists what payers look for: the deficit treated (balance, coordination, kinesthetic
sense, posture, proprioception: the CPT descriptor's words), the techniques, the skilled cues, the
patient's response and the minutes. The clinician edits the draft before signing it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reeducate.clinic.jps_note import jps_line, jps_training_text
from reeducate.clinic.models import (
    BalanceTrial,
    EmgRecording,
    ExerciseRecord,
    MeasureAdministration,
    MovementRecording,
)
from reeducate.clinic.vocabulary import ExerciseSource, ExerciseStatus, MovementKind
from reeducate.measures.catalogue import instruments
from reeducate.measures.change import MeasureProgress
from reeducate.reports import emg_text
from reeducate.reports.dates import day_text
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


def exercise_name(record: ExerciseRecord) -> str:
    """The exercise's name as people read it, with the side trained (its id if the library lost it)."""
    try:
        name = exercise(record.exercise_id).name
    except UnknownExercise:
        name = record.exercise_id
    return f"{name} ({record.side})" if record.side else name


def _cues(runs: ExerciseRuns) -> list[str]:
    """The cue text of each fault the engine cued over the runs, with how many times."""
    try:
        chosen = exercise(runs.first.exercise_id)
    except UnknownExercise:
        return []
    texts = {f.fault: f.cue for m in chosen.monitors for f in m.faults}
    counts: Counter[str] = Counter()
    for record in runs.records:
        counts.update({fault: count for fault, count in record.summary.get("faults", {}).items() if count})
    return [f'"{texts.get(fault, fault)}" x{count}' for fault, count in counts.items()]


SOURCE_LABELS = {ExerciseSource.RECORDING: " (replayed from a recorded file)"}
"""How the note labels an exercise not measured live on the patient (a live camera is unlabelled)."""


@dataclass(frozen=True)
class ExerciseRuns:
    """The runs of one exercise (same side, same source) in a visit, which the note says in one line."""

    records: tuple[ExerciseRecord, ...]

    @property
    def first(self) -> ExerciseRecord:
        return self.records[0]

    @property
    def name(self) -> str:
        return exercise_name(self.first) + SOURCE_LABELS.get(ExerciseSource(self.first.source), "")

    @property
    def holds(self) -> bool:
        """True when the exercise counts holds rather than repetitions."""
        return self.first.holds_completed is not None

    def done(self, record: ExerciseRecord) -> int:
        return (record.holds_completed or 0) if self.holds else record.repetitions

    @property
    def total(self) -> int:
        return sum(self.done(r) for r in self.records)

    @property
    def prescribed(self) -> int | None:
        """The dose the library prescribes in one visit: sets x repetitions, or sets x holds (one hold a
        set when no repetitions are given); None when the exercise is not in the library."""
        try:
            dosage = exercise(self.first.exercise_id).dosage
        except UnknownExercise:
            return None
        if self.holds:
            return dosage.sets * (dosage.reps or 1)
        return dosage.sets * dosage.reps if dosage.reps else None

    @property
    def criteria_met(self) -> bool:
        """The prescribed dose done over the runs, none stopped for pain or marked for regression: the
        only case in which the note suggests the next exercise."""
        return (self.prescribed is not None and self.total >= self.prescribed
                and not any(r.regress or r.pain_score is not None for r in self.records))

    def line(self) -> str:
        unit = "hold(s) completed" if self.holds else "repetitions"
        parts: list[str] = []
        if len(self.records) == 1:
            record = self.first
            if record.status is ExerciseStatus.ENDED_EARLY:
                return f"{self.name}: ended early, no {'hold' if self.holds else 'repetition'} done."
            head = f"{self.done(record)} {unit}"
        else:
            best = max(self.done(r) for r in self.records)
            head = f"{len(self.records)} runs, {self.total} {unit} in total, best run {best}"
            if early := sum(r.status is ExerciseStatus.ENDED_EARLY for r in self.records):
                parts.append(f"{early} ended early with none done")
        if jps := [r.summary["jps"] for r in self.records if (r.summary or {}).get("jps")]:
            head = jps_training_text(jps, self.first.source)
        scores = [r.mean_score for r in self.records if r.mean_score is not None]
        if scores:
            parts.append(("mean quality score " if len(scores) == 1 else "best mean quality score ")
                         + f"{max(scores):.0f}/100")
        parts += [f"stopped for pain {r.pain_score}/10 at {r.pain_at_s or 0:.0f} s"
                  for r in self.records if r.pain_score is not None]
        if any(r.status is ExerciseStatus.INTERRUPTED for r in self.records):
            parts.append("interrupted before its end (the connection was lost)")
        return f"{self.name}: {head}" + ("; " + "; ".join(parts) if parts else "") + "."


def grouped_runs(records: list[ExerciseRecord]) -> list[ExerciseRuns]:
    """The patient's runs (a simulated patient's left out) by exercise, side and source, in the order
    each was first done; an exercise still running is not in a note."""
    groups: dict[tuple[str, str | None, str], list[ExerciseRecord]] = {}
    for record in records:
        if not ExerciseSource(record.source).is_the_patients or record.status is ExerciseStatus.IN_PROGRESS:
            continue
        groups.setdefault((record.exercise_id, record.side, record.source), []).append(record)
    return [ExerciseRuns(tuple(runs)) for runs in groups.values()]


def measure_lines(administrations: list[MeasureAdministration], progress: list[MeasureProgress]) -> list[str]:
    """One line per administration: the score, its interpretation, change since baseline and goal."""
    by_id = {p.measure_id: p for p in progress}
    lines = []
    for a in administrations:
        item = by_id.get(a.measure_id)
        shipped = instruments().get(a.measure_id)
        name = item.name if item else shipped.name if shipped else a.measure_id
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
                text += f"; change since baseline {day_text(trajectory.points[0].on)} ({trajectory.baseline:g}): {change}, {verdict}{mcid}"
        if item and item.goal is not None:
            text += f"; goal {item.goal:g}"
        lines.append(text + ".")
    return lines


def balance_line(trial: BalanceTrial) -> str:
    """A force-plate trial's condition and results (COP velocity, ellipse, equilibrium score)."""
    text = (f"Force-plate stance ({trial.stance.value.replace('_', ' ')}, {trial.surface.value}, eyes "
            f"{trial.vision.value}): mean COP velocity {trial.mean_velocity_cm_s:.2f} cm/s, 95% ellipse "
            f"{trial.ellipse_area_cm2:.2f} cm²")
    if trial.equilibrium_score is not None:
        text += f", equilibrium score {trial.equilibrium_score:.0f}"
    return text + "."


def movement_line(recording: MovementRecording) -> str | None:
    """A recording's gait figures (cadence, speed) or joint position sense errors, or None when it has neither."""
    if recording.kind is MovementKind.JOINT_POSITION_SENSE:
        return jps_line(recording.result.get("jps"))
    if recording.cadence_steps_per_min is None:
        return None
    source = "foot IMUs" if recording.kind.value == "imu_gait" else "video"
    text = f"Gait ({source}): cadence {recording.cadence_steps_per_min:.0f} steps/min"
    if recording.gait_speed_m_s is not None:
        text += f", speed {recording.gait_speed_m_s:.2f} m/s"
    return text + "."


def emg_line(recording: EmgRecording) -> str:
    """A surface-EMG recording as measured: the muscles and their bursts, the firing order with the pairs too
    close to order, each co-contraction index with its definition's author, latencies when timed against
    something, and each muscle's fatigue trend where it had one (a fall or not); nothing the analysis did not
    measure."""
    result = recording.result
    channels = result["channels"]
    kind = "MVC recording" if recording.options.get("is_mvc") else "recording"
    parts = [f"{len(channels)} muscle{'s' if len(channels) != 1 else ''} recorded ("
             + ", ".join(f"{c['name']} {len(c['bursts'])} burst{'s' if len(c['bursts']) != 1 else ''}"
                         for c in channels) + ")"]
    firing = result["firing_order"]
    if len(firing["order"]) > 1:
        parts.append(f"firing order {emg_text.order(firing)}")
        parts += emg_text.too_close(firing)
    parts += [f"{name} latency {emg_text.latency_summary(values)}" for name, values in result["latencies_s"].items()]
    parts += [emg_text.co_contraction(item) for item in result["co_contraction"]]
    parts += [f"{c['name']} median frequency {emg_text.fatigue(c)}" for c in channels if c.get("fatigue")]
    return f"Surface EMG (measured, {kind} {recording.filename}): " + "; ".join(parts) + "."


def _progression(runs: ExerciseRuns) -> str | None:
    if not runs.criteria_met:
        return None
    try:
        nxt = exercise(runs.first.exercise_id).progressions
    except UnknownExercise:
        return None
    if not nxt:
        return None
    return (f"{exercise_name(runs.first)}: the prescribed {runs.prescribed} {'holds' if runs.holds else 'repetitions'} "
            f"done; progress to {exercise(nxt[0]).name} when the patient is ready.")


def draft(
    *, administrations: list[MeasureAdministration], progress: list[MeasureProgress], trials: list[BalanceTrial],
    recordings: list[MovementRecording], exercises: list[ExerciseRecord], minutes_97112: int,
    emg: Sequence[EmgRecording] = (),
) -> dict[str, Any]:
    """The note's sections as text the clinician edits; ``nmr`` holds the 97112 elements.

    Exercises are the patient's own (:func:`grouped_runs`): a simulated patient's runs never enter,
    a replay says so, repeated runs are one line, an exercise ended with nothing done says "ended
    early", and the plan suggests a progression only once the prescribed dose was done without pain."""
    groups = grouped_runs(exercises)
    pain = [f"Pain {r.pain_score}/10 reported ({r.pain_reported_by or 'patient'}) during {exercise_name(r)}."
            for g in groups for r in g.records if r.pain_score is not None]
    objective = measure_lines(administrations, progress)
    objective += [balance_line(t) for t in trials]
    objective += [line for line in (movement_line(r) for r in recordings) if line]
    objective += [emg_line(r) for r in emg]
    objective += [g.line() for g in groups]
    assessment = [
        f"{p.name}: latest {p.trajectory.points[-1].score:g} against goal {p.goal:g} (baseline {p.trajectory.baseline:g})."
        for p in progress if p.goal is not None and p.trajectory is not None
    ]
    regress = [f"Regress {exercise_name(r)} next visit (pain {r.pain_score}/10)."
               for g in groups for r in g.records if r.regress]
    progressions = [line for line in (_progression(g) for g in groups) if line]
    techniques: list[str] = []
    deficits: list[str] = []
    cues: list[str] = []
    for g in groups:
        try:
            technique = library().techniques[exercise(g.first.exercise_id).technique]
        except (UnknownExercise, KeyError):
            continue
        techniques.append(technique.name)
        deficits += TECHNIQUE_DEFICITS.get(technique.id, ())
        cues += [f"{exercise_name(g.first)}: {c}" for c in _cues(g)]
    return {
        "subjective": "\n".join(pain),
        "objective": "\n".join(objective),
        "assessment": "\n".join(assessment),
        "plan": "\n".join(regress + progressions),
        "nmr": {
            "deficits": ", ".join(dict.fromkeys(deficits)),
            "techniques": ", ".join(dict.fromkeys(techniques)),
            "cues": "\n".join(cues),
            "response": "\n".join(g.line() for g in groups),
            "minutes": minutes_97112,
        },
    }
