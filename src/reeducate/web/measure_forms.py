"""The entry form of an instrument, built from its definition, and the answers read back from it.

Field names: `item-N` (or `item-N-SIDE` for a two-sided item), `module-ID-N`, and for timed or
counted tests the names of their response object (`seconds`, `stands`, `stage-N`, `trial-N-T`...).
An empty field is an unanswered item (null), which the instrument's own missing-item rule judges.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reeducate.measures.definition import Instrument, Method

TIMED_FIELDS: dict[Method, list[tuple[str, str]]] = {
    Method.SECONDS: [("seconds", "Time (seconds)")],
    Method.CHAIR_STANDS: [("stands", "Full stands in 30 seconds")],
    Method.SINGLE_LEG_STANCE: [("seconds", "Time on one leg (seconds)")],
    Method.GAIT_SPEED: [("distance_m", "Timed distance (metres)"), ("seconds", "Time (seconds)")],
    Method.WALK_DISTANCE: [("distance_m", "Distance walked (metres)"), ("height_cm", "Height (cm)"),
                           ("weight_kg", "Weight (kg)")],
}
FLAGS: dict[Method, tuple[str, str]] = {
    Method.CHAIR_STANDS: ("used_arms", "Used the arms to stand (scores 0)"),
    Method.SINGLE_LEG_STANCE: ("eyes_closed", "Eyes closed"),
}


def _number(text: str | None) -> float | int | str | None:
    """A typed-in number; text that is not one goes on as it was, for the engine to refuse in words."""
    if text is None or not text.strip():
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return text.strip()  # let the engine say what is wrong with it
    return int(value) if value.is_integer() else value


def _items(form: Mapping[str, str], instrument: Instrument, prefix: str = "item") -> list[Any]:
    answers: list[Any] = []
    for item in instrument.items:
        if item.sides:
            parts = {side: _number(form.get(f"{prefix}-{item.number}-{side}")) for side in item.sides}
            answers.append(None if all(v is None for v in parts.values()) else parts)
        else:
            answers.append(_number(form.get(f"{prefix}-{item.number}")))
    return answers


def responses_from_form(instrument: Instrument, form: Mapping[str, str]
                        ) -> tuple[Any, dict[str, float | int | str | None]]:
    """The responses object for the engine, and height/weight for the patient facts (unchecked, as typed)."""
    method = instrument.scoring.method
    body = {"height_cm": _number(form.get("height_cm")), "weight_kg": _number(form.get("weight_kg"))}
    if method is Method.FOUR_STAGE:
        return {"stage_seconds": [_number(form.get(f"stage-{i.number}")) for i in instrument.items]}, body
    if method is Method.MCTSIB:
        trials = instrument.scoring.trials or 1
        conditions = [[t for t in (_number(form.get(f"trial-{i.number}-{n}")) for n in range(1, trials + 1))
                       if t is not None] for i in instrument.items]
        return {"conditions": conditions}, body
    if method in TIMED_FIELDS:
        responses: dict[str, Any] = {name: _number(form.get(name)) for name, _ in TIMED_FIELDS[method]
                                     if name not in body}
        if method in FLAGS:
            responses[FLAGS[method][0]] = form.get(FLAGS[method][0]) == "on"
        return responses, body
    if instrument.item_count_range:
        ratings = [_number(form.get(f"item-{n}")) for n in range(1, instrument.item_count_range[1] + 1)]
        return [r for r in ratings if r is not None], body
    answers = _items(form, instrument)
    if instrument.modules:
        modules = {}
        for module in instrument.modules:
            values = [_number(form.get(f"module-{module.id}-{i.number}")) for i in module.items]
            if any(v is not None for v in values):
                modules[module.id] = values
        if modules:
            return {"items": answers, **modules}, body
    return answers, body
