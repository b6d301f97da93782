"""`reeducate exercises list|show` and `reeducate session replay`: the exercise library and the live
feedback engine from the command line.

``session replay EXERCISE_ID RECORDING --json`` runs the engine over a recorded video, keypoint CSV,
force-plate, IMU or EMG file sample by sample (EMG in 50 ms blocks, its channels named after their muscles
with ``--channel LABEL=MUSCLE``, MVC levels with ``--mvc MUSCLE=MV``), as if it were live, and prints
``{"exercise": ..., "events": [...], "summary": {...}}``. Exit status 2 means the input was wrong;
the message says what and how to fix it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from reeducate.cli.output import console, refuse

if TYPE_CHECKING:
    from reeducate.training.models import Exercise

exercises_app = typer.Typer()  # named and described in reeducate/cli/__init__.py, as session_app
session_app = typer.Typer()


def _chosen(exercise_id: str) -> Exercise:
    from reeducate.training.catalogue import UnknownExercise, exercise

    try:
        return exercise(exercise_id)
    except UnknownExercise as exc:
        refuse(str(exc))


@exercises_app.command("list")
def list_exercises(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every exercise: id, name, technique and how it can be watched."""
    from reeducate.training.catalogue import library

    rows: list[dict[str, Any]] = [
        {"id": ex.id, "name": ex.name, "technique": ex.technique, "monitors": [m.key for m in ex.monitors],
         "sided": ex.sided} for ex in library().exercises.values()]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "technique", "watched by")
    for row in rows:
        table.add_row(row["id"], row["name"], row["technique"], ", ".join(row["monitors"]))
    console.print(table)


@exercises_app.command("show")
def show_exercise(exercise_id: str,
                  as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """One exercise in full: signals, detection, targets, template, faults and cues, dosage, progressions."""
    from reeducate.training.catalogue import library

    chosen = _chosen(exercise_id)
    if as_json:
        print(chosen.model_dump_json(indent=2))
        return
    console.print(f"[bold]{chosen.name}[/bold] ({chosen.id}) · {library().techniques[chosen.technique].name}")
    console.print(chosen.purpose)
    console.print(f"[italic]{chosen.instructions}[/italic]")
    for m in chosen.monitors:
        how = (f"repetition: rest {m.repetition.rest_level:g}, starts past {m.repetition.start_level:g}"
               if m.repetition else f"hold {m.hold.low:g} to {m.hold.high:g} for {m.hold.target_s:g} s" if m.hold
               else f"relax below {m.relax.below:g} for {m.relax.target_s:g} s" if m.relax
               else f"onset order: {m.order.first} before {m.order.second}" if m.order else "")
        target = f"; target {m.targets.peak:g}" if m.targets and m.targets.peak is not None else ""
        console.print(f"- {m.key}: watches {m.signal}; {how}{target}")
        for f in m.faults:
            console.print(f"    fault {f.fault}: {f.signal} {'>' if f.above else '<'} {f.limit:g} -> \"{f.cue}\"")
    console.print(f"Dosage: {chosen.dosage.text}")
    if chosen.progressions:
        console.print(f"Progress to: {', '.join(chosen.progressions)}")
    if chosen.regressions:
        console.print(f"Regress to: {', '.join(chosen.regressions)}")


def _levels(given: list[str]) -> dict[str, float] | None:
    """``MUSCLE=MV`` pairs as MVC levels (mV), or None; a refusal naming a pair that is not one."""
    levels = {}
    for pair in given:
        muscle, _, level = pair.partition("=")
        try:
            levels[muscle.strip()] = float(level)
        except ValueError:
            refuse(f"--mvc {pair!r}: give MUSCLE=MV, the muscle's MVC level in millivolts (e.g. quadriceps=0.8).")
    return levels or None


@session_app.command("replay")
def replay_session(
    exercise_id: str,
    recording: Path,
    monitor: Annotated[str | None, typer.Option(help="How it is watched (camera-side, force_plate...); default: the first.")] = None,
    side: Annotated[str | None, typer.Option(help="left or right, for an exercise of one side.")] = None,
    width_px: Annotated[int | None, typer.Option(help="Picture width of a landmark CSV (px).")] = None,
    height_px: Annotated[int | None, typer.Option(help="Picture height of a landmark CSV (px).")] = None,
    sensor: Annotated[str | None, typer.Option(help="IMU sensor to watch (left_foot...), when the file has several.")] = None,
    sampling_rate_hz: Annotated[float | None, typer.Option(help="IMU or EMG rate, if the file does not say.")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="EMG channel and its muscle, LABEL=MUSCLE (Trap_sup=upper_trapezius); repeat for each.")] = None,
    mvc: Annotated[list[str] | None, typer.Option(help="EMG MVC level of a muscle in mV, MUSCLE=MV; for every muscle or none (then % of the first contractions).")] = None,
    real_time: Annotated[bool, typer.Option("--real-time", help="Play the samples at their own pace.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the events and the summary as JSON.")] = False,
) -> None:
    """Run the live engine over a recorded file, sample by sample, and print its events and summary."""
    from reeducate.feedback.adapters.base import Device, DeviceError
    from reeducate.feedback.replay import emg_labels, emg_muscles, paced, recording_samples, replay
    from reeducate.training.live import live_exercise

    chosen = _chosen(exercise_id)
    try:
        watched = chosen.monitor(monitor)
        size = (width_px, height_px) if width_px and height_px else None
        levels = _levels(mvc or [])
        emg = watched.device is Device.EMG
        muscles = emg_muscles(live_exercise(chosen, monitor=watched, side=side, sampling_rate_hz=1.0)) if emg else ()
        rate, samples = recording_samples(watched.device, recording, image_size_px=size, sensor=sensor,
                                          sampling_rate_hz=sampling_rate_hz, channels=channel, muscles=muscles,
                                          mvc_mv=levels)
        live = live_exercise(chosen, monitor=watched, side=side, sampling_rate_hz=rate)
        result = replay(live, paced(samples) if real_time else samples, sampling_rate_hz=rate,
                        labels=emg_labels(levels) if emg else None)
    except (DeviceError, KeyError, ValueError) as exc:
        refuse(str(exc.args[0] if exc.args else exc))
    if as_json:
        print(json.dumps(result, indent=2))
        return
    s = result["summary"]
    console.print(f"{chosen.name} ({watched.key}): {s['repetitions']} repetitions, mean score {s['mean_score']}, "
                  f"holds {s['holds_completed']}, longest hold {s['longest_hold_s']} s, {s['cues_given']} cues, "
                  f"{s['active_s']} s")
    if s.get("attempts") is not None:
        console.print(f"Success: {s['successes']} of {s['attempts']} attempts ({s['success_rate']} %)"
                      + (f"; leads {s['leads_ms']} ms" if "leads_ms" in s else ""))
    for name, label in (s.get("labels") or {}).items():
        console.print(f"{name.capitalize()}: {label}")
