"""The entry form of an instrument, built from its definition, and the answers read back from it.

Field names: `item-N` (or `item-N-SIDE` for a two-sided item), `module-ID-N`, and for timed or
counted tests the names of their response object (`seconds`, `stands`, `stage-N`, `trial-N-T`...).
An empty field is an unanswered item (null), which the instrument's own missing-item rule judges.

The clinician types numbers into a compact table; the patient in the portal answers the same fields
as questions (:func:`questions`): big buttons for a short scale, a slider for a long one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reeducate.measures.definition import Instrument, Item, Method

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


#: A scale of at most this many answers is shown to the patient as buttons; a longer one as a slider.
MOST_BUTTONS = 7
#: A slider's answers offered as buttons when the page runs without JavaScript, at most (0 to 10 whole).
MOST_MARKS = 11


@dataclass(frozen=True)
class Choice:
    """One answer as the form posts it ("3") and the words the definition gives it, if any."""

    value: str
    words: str


@dataclass(frozen=True)
class Question:
    """One question of the portal's form: its field, its stem, and how it is answered.

    `choices` are the buttons (for a slider, its marks: the buttons shown without JavaScript, which the
    slider replaces); `low` and `high` are the scale's ends with their words.
    """

    name: str
    number: str
    stem: str
    choices: tuple[Choice, ...]
    slider: bool
    low: Choice
    high: Choice
    step: float
    optional: bool = False


@dataclass(frozen=True)
class QuestionGroup:
    """The questions of the instrument, or of one of its optional modules (`heading` names it)."""

    heading: str
    questions: tuple[Question, ...]


def _text(value: float) -> str:
    return f"{value:g}"


def _words(item: Item, value: float) -> str:
    return next((words for key, words in item.choices.items() if math.isclose(float(key), value)), "")


def _marks(item: Item) -> list[float]:
    """The answers offered as buttons: all of a short scale; of a long one, at most MOST_MARKS evenly
    spaced answers that are allowed ones (0, 10, ... 100 for a 0-100 scale)."""
    allowed = item.allowed()
    if len(allowed) <= MOST_MARKS:
        return allowed
    every = math.ceil((len(allowed) - 1) / (MOST_MARKS - 1))
    return allowed[::every] if (len(allowed) - 1) % every == 0 else [*allowed[::every], allowed[-1]]


def _question(item: Item, name: str, number: str, stem: str, optional: bool = False) -> Question:
    marks = _marks(item)
    return Question(
        name=name, number=number, stem=stem, optional=optional,
        choices=tuple(Choice(_text(v), _words(item, v)) for v in marks),
        slider=len(item.allowed()) > MOST_BUTTONS,
        low=Choice(_text(item.min), _words(item, item.min)), high=Choice(_text(item.max), _words(item, item.max)),
        step=item.step,
    )


def questions(instrument: Instrument) -> list[QuestionGroup]:
    """The portal's questions for a questionnaire, each stem the item's text as its definition holds it
    (a licensed instrument's own wording is not shipped; its definition's labels are what we have)."""
    found: list[Question] = []
    if instrument.item_count_range:
        least, most = instrument.item_count_range
        item = instrument.items[0]
        found = [_question(item, f"item-{n}", str(n), f"{item.label} {n}", optional=n > least)
                 for n in range(1, most + 1)]
    else:
        for item in instrument.items:
            if item.sides:
                found += [_question(item, f"item-{item.number}-{side}", str(item.number),
                                    f"{item.label}: {side.replace('_', ' ')}") for side in item.sides]
            else:
                found.append(_question(item, f"item-{item.number}", str(item.number), item.label))
    groups = [QuestionGroup("", tuple(found))]
    for module in instrument.modules:
        groups.append(QuestionGroup(f"{module.name} (optional)", tuple(
            _question(item, f"module-{module.id}-{item.number}", str(item.number), item.label)
            for item in module.items)))
    return groups
