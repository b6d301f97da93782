"""The visit note's line for a joint position sense test: the test, joint, side, trials, and AE/CE/VE per side,
labelled by where the angle was measured. No cut-off is written: none could be verified (docs/jps.md)."""

from __future__ import annotations

from typing import Any


def _deg(value: float | None, signed: bool = False) -> str:
    return "n/a" if value is None else f"{value:{'+' if signed else ''}.1f}°"


def jps_line(result: dict[str, Any] | None) -> str | None:
    """One sentence from the engine's JSON (a movement recording's ``result["jps"]``); None without one."""
    if not result:
        return None
    protocol = "target reproduction" if result["protocol"] == "reproduction" else "relocation to the start position"
    what = result["joint_label"] + (f", {result['side']}" if result.get("side") else "")
    several = len(result["errors"]) > 1  # a neck's turns to the left and to the right
    errors = [f"{side + ' ' if several else ''}{e['n_trials']} trials, AE {_deg(e['absolute_error_deg'])}, "
              f"CE {_deg(e['constant_error_deg'], True)}, VE {_deg(e['variable_error_deg'])}"
              for side, e in result["errors"].items()]
    return (f"Joint position sense ({what}; {protocol}; {result['source_label']}): " + "; ".join(errors)
            + ". Error positive past the target, negative short of it; no published cut-off applied.")


#: How a live JPS training's errors were got, by the exercise record's source.
TRAINING_SOURCES = {
    "camera": "live, measured from camera",
    "device": "live, measured from camera (pose on the patient's device)",
    "recording": "from a recorded file, not live",
    "simulated": "simulated patient, not the patient's performance",
}


def jps_training_text(summaries: list[dict[str, Any]], source: str) -> str:
    """The errors of live joint position sense training runs (each an exercise record's ``summary["jps"]``),
    labelled by where the angles came from: "joint position sense training (live, measured from camera): 6
    trials, targets 60°/45°, AE 2.6°, CE +0.5°, VE 2.7°"."""
    runs = []
    for k, jps in enumerate(summaries, start=1):
        e = jps.get("errors")
        errors = "no trial done" if not e else (f"AE {_deg(e['absolute_error_deg'])}, CE "
                                                f"{_deg(e['constant_error_deg'], True)}, VE {_deg(e['variable_error_deg'])}")
        targets = "/".join(f"{t:g}°" for t in jps["targets_deg"])
        runs.append(f"{'run ' + str(k) + ' ' if len(summaries) > 1 else ''}{len(jps['trials'])} trials, "
                    f"targets {targets}, {errors}")
    return (f"joint position sense training ({TRAINING_SOURCES[source]}): " + "; ".join(runs)
            + " (error positive past the target, negative short of it; no published cut-off applied)")
