"""Score one administration of an instrument: answers in, a `Score` out.

Each scoring `Method` has one function here; the instrument's definition supplies every number it
uses (item ranges, targets, the missing-item rule). Interpretation against bands and norms is in
`interpretation.py`. Pure: no database, no web, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reeducate.measures.definition import Instrument, Item, Method, Module
from reeducate.measures.interpretation import interpret
from reeducate.measures.results import InvalidResponses, Patient, Score


@dataclass
class Outcome:
    """What a method computes before interpretation."""

    score: float | None
    reason: str | None = None
    subscores: dict[str, float | None] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    condition: str | None = None  # e.g. "eyes closed": selects the bands and norms that apply


def score(instrument: Instrument, responses: Any, patient: Patient | None = None) -> Score:
    """Score `responses` (item answers in order, or the timed/counted object) for `instrument`.

    Raises InvalidResponses for an answer the instrument does not allow or a patient fact it needs;
    returns `computable=False` with the reason when the instrument's own missing-item rule says so.
    """
    patient = patient or Patient()
    missing = [f.value for f in instrument.requires if getattr(patient, f.value) is None]
    if missing:
        raise InvalidResponses(
            f"{instrument.abbreviation} needs the patient's {', '.join(missing)} "
            f"(for its norms or predicted values); add them under \"patient\"."
        )
    outcome = METHODS[instrument.scoring.method](instrument, responses, patient)
    computable = outcome.score is not None or (
        instrument.scoring.method is Method.SUBSCALES and any(v is not None for v in outcome.subscores.values())
    )
    value = None if outcome.score is None else round(outcome.score, instrument.decimals)
    percent = None
    if value is not None and instrument.max:
        percent = round(100 * (value - instrument.min) / (instrument.max - instrument.min), 1)
    return Score(
        measure=instrument.id,
        computable=computable,
        reason=None if computable else outcome.reason,
        score=value,
        max=instrument.max,
        percent=percent,
        unit=instrument.unit_label,
        subscores=outcome.subscores,
        details=outcome.details,
        interpretations=interpret(instrument, value, outcome.subscores, patient, outcome.condition)
        if computable
        else [],
    )


# --- answers to items ----------------------------------------------------------------------------


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidResponses(f"{where}: expected a number, got {value!r}.")
    if not math.isfinite(value):
        raise InvalidResponses(f"{where}: {value!r} is not a number; leave it null if it was not answered.")
    return float(value)


def _allowed_text(item: Item) -> str:
    allowed = item.allowed()
    if len(allowed) <= 11:
        return ", ".join(f"{v:g}" for v in allowed)
    return f"{item.min:g} to {item.max:g} in steps of {item.step:g}"


def _item_value(instrument: Instrument, item: Item, answer: Any) -> float | None:
    """The scored value of one answer (None if unanswered); a sided answer takes its lower part."""
    where = f"{instrument.abbreviation} item {item.number} ({item.label})"
    if answer is None:
        return None
    if isinstance(answer, Mapping):
        if not item.sides:
            raise InvalidResponses(f"{where} takes one answer, not parts {sorted(answer)}.")
        if set(answer) != set(item.sides):
            raise InvalidResponses(f"{where} is answered as {{{', '.join(item.sides)}}}; got {sorted(answer)}.")
        parts = [_item_value(instrument, item.model_copy(update={"sides": ()}), answer[s]) for s in item.sides]
        answered = [p for p in parts if p is not None]
        return min(answered) if answered else None
    value = _number(answer, where)
    if not any(math.isclose(value, allowed, abs_tol=1e-9) for allowed in item.allowed()):
        raise InvalidResponses(f"{where}: {value:g} is not allowed; allowed values are {_allowed_text(item)}.")
    return (item.min + item.max - value) if item.reverse else value


def _items_and_modules(instrument: Instrument, responses: Any) -> tuple[list[Any], dict[str, Any]]:
    """Split `responses` into the main item list and any optional modules' lists."""
    if isinstance(responses, Mapping) and instrument.modules:
        known = {"items"} | {m.id for m in instrument.modules}
        unknown = set(responses) - known
        if unknown or "items" not in responses:
            raise InvalidResponses(
                f"{instrument.abbreviation} responses are a list of {len(instrument.items)} answers, or "
                f"an object with 'items' and optional {', '.join(repr(m.id) for m in instrument.modules)}."
            )
        return responses["items"], {k: v for k, v in responses.items() if k != "items"}
    return responses, {}


def _values(instrument: Instrument, answers: Any, items: Sequence[Item] | None = None) -> list[float | None]:
    items = instrument.items if items is None else items
    if not isinstance(answers, Sequence) or isinstance(answers, str | bytes):
        raise InvalidResponses(f"{instrument.abbreviation} responses must be a list of item answers in order.")
    if len(answers) != len(items):
        raise InvalidResponses(
            f"{instrument.abbreviation} has {len(items)} items; got {len(answers)} answers "
            "(use null for an item that was not answered)."
        )
    return [_item_value(instrument, item, answer) for item, answer in zip(items, answers, strict=True)]


def _missing_numbers(values: Sequence[float | None]) -> list[int]:
    return [i + 1 for i, v in enumerate(values) if v is None]


def _not_computable(instrument: Instrument, missing: list[int]) -> Outcome:
    return Outcome(
        None,
        reason=f"Not computable: item(s) {', '.join(map(str, missing))} missing. "
        f"{instrument.scoring.missing_rule}",
    )


# --- item-based methods --------------------------------------------------------------------------


def _sum(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    """The total of the items; where the instrument allows missing items (``max_missing``), each one
    missing is given the mean of the items answered (the NDI author's rule for a section left out)."""
    values = _values(instrument, responses)
    missing = _missing_numbers(values)
    if len(missing) > instrument.scoring.max_missing:
        return _not_computable(instrument, missing)
    answered = [v for v in values if v is not None]
    if not missing:
        return Outcome(sum(answered), details={"missing_items": missing})
    imputed = sum(answered) / len(answered)
    return Outcome(sum(answered) + imputed * len(missing),
                   details={"missing_items": missing, "raw_sum": sum(answered), "imputed_each": imputed})


def _percent_of_answered(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    values = _values(instrument, responses)
    missing = _missing_numbers(values)
    if len(missing) > instrument.scoring.max_missing:
        return _not_computable(instrument, missing)
    answered = [v for v in values if v is not None]
    item_max = instrument.items[0].max
    return Outcome(
        100 * sum(answered) / (item_max * len(answered)),
        details={"missing_items": missing, "raw_sum": sum(answered), "possible": item_max * len(answered)},
    )


def _variable_items(instrument: Instrument, responses: Any) -> tuple[Instrument, Any]:
    """PSFS-style lists: 3 to 5 activities, each scored with the first item's range."""
    if instrument.item_count_range is None:
        return instrument, responses
    low, high = instrument.item_count_range
    if not isinstance(responses, Sequence) or not low <= len(responses) <= high:
        raise InvalidResponses(f"{instrument.abbreviation} takes {low} to {high} activity ratings, in a list.")
    template = instrument.items[0]
    items = tuple(template.model_copy(update={"number": i + 1, "label": f"Activity {i + 1}"})
                  for i in range(len(responses)))
    return instrument.model_copy(update={"items": items}), responses


def _mean(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    instrument, responses = _variable_items(instrument, responses)
    values = _values(instrument, responses)
    missing = _missing_numbers(values)
    if len(missing) > instrument.scoring.max_missing:
        return _not_computable(instrument, missing)
    answered = [v for v in values if v is not None]
    return Outcome(sum(answered) / len(answered), details={"missing_items": missing})


def _dash_formula(values: Sequence[float]) -> float:
    return (sum(values) / len(values) - 1) * 25


def _module_score(instrument: Instrument, module: Module, answers: Any) -> float | None:
    values = _values(instrument, answers, module.items)
    if any(v is None for v in values):
        return None
    return round(_dash_formula([v for v in values if v is not None]), instrument.decimals)


def _dash(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    answers, modules = _items_and_modules(instrument, responses)
    values = _values(instrument, answers)
    missing = _missing_numbers(values)
    subscores = {m.id: _module_score(instrument, m, modules[m.id]) for m in instrument.modules if m.id in modules}
    if len(missing) > instrument.scoring.max_missing:
        outcome = _not_computable(instrument, missing)
        outcome.subscores = subscores
        return outcome
    return Outcome(
        _dash_formula([v for v in values if v is not None]),
        subscores=subscores,
        details={"missing_items": missing},
    )


def _subscales(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    values = _values(instrument, responses)
    subscores: dict[str, float | None] = {}
    reasons = []
    for subscale in instrument.subscales:
        part = [values[n - 1] for n in subscale.items]
        if any(v is None for v in part):
            subscores[subscale.id] = None
            gaps = [n for n in subscale.items if values[n - 1] is None]
            reasons.append(f"{subscale.name}: item(s) {', '.join(map(str, gaps))} missing")
        else:
            subscores[subscale.id] = sum(v for v in part if v is not None)
    reason = None
    if reasons:
        reason = "Not computable: " + "; ".join(reasons) + ". " + instrument.scoring.missing_rule
    return Outcome(None, reason=reason, subscores=subscores, details={"not_computable": reasons})


# --- timed and counted tests ---------------------------------------------------------------------


def _fields(instrument: Instrument, responses: Any, required: Mapping[str, type], optional: Mapping[str, type]
            ) -> dict[str, Any]:
    """Check the object of a timed or counted test: its keys, their types, finite and >= 0."""
    expected = ", ".join(f'"{k}"' for k in required)
    if not isinstance(responses, Mapping):
        raise InvalidResponses(f"{instrument.abbreviation} responses are an object with {expected}.")
    unknown = set(responses) - set(required) - set(optional)
    absent = set(required) - set(responses)
    if unknown or absent:
        raise InvalidResponses(
            f"{instrument.abbreviation} responses need {expected}"
            + (f" (optional: {', '.join(optional)})" if optional else "")
            + (f"; unknown: {sorted(unknown)}" if unknown else "")
            + (f"; missing: {sorted(absent)}" if absent else "")
            + "."
        )
    checked: dict[str, Any] = {}
    for key, value in responses.items():
        kind = {**required, **optional}[key]
        where = f"{instrument.abbreviation} {key}"
        if kind is bool:
            if not isinstance(value, bool):
                raise InvalidResponses(f"{where}: expected true or false, got {value!r}.")
            checked[key] = value
        elif kind is list:
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise InvalidResponses(f"{where}: expected a list.")
            checked[key] = value
        else:
            number = _number(value, where)
            if number < 0:
                raise InvalidResponses(f"{where}: {number:g} is negative; enter the measured value.")
            if kind is int and not float(number).is_integer():
                raise InvalidResponses(f"{where}: expected a whole number, got {number:g}.")
            checked[key] = number
    return checked


def _seconds(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    seconds = _fields(instrument, responses, {"seconds": float}, {})["seconds"]
    if seconds == 0:
        raise InvalidResponses(f"{instrument.abbreviation} seconds must be more than 0.")
    return Outcome(seconds)


def _chair_stands(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    given = _fields(instrument, responses, {"stands": int}, {"used_arms": bool})
    used_arms = given.get("used_arms", False)
    return Outcome(0.0 if used_arms else given["stands"],
                   details={"stands_counted": given["stands"], "used_arms": used_arms})


def _four_stage(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    stages = _fields(instrument, responses, {"stage_seconds": list}, {})["stage_seconds"]
    target = instrument.scoring.target_s
    assert target is not None
    if len(stages) != len(instrument.items):
        raise InvalidResponses(
            f"{instrument.abbreviation} stage_seconds lists the {len(instrument.items)} stages in order "
            "(null for a stage not attempted)."
        )
    held = 0
    for number, value in enumerate(stages, start=1):
        if value is None:
            break
        seconds = _number(value, f"{instrument.abbreviation} stage {number}")
        if seconds < 0:
            raise InvalidResponses(f"{instrument.abbreviation} stage {number}: seconds cannot be negative.")
        if seconds < target:
            break
        held = number
    return Outcome(float(held), details={"stage_seconds": stages, "target_s": target})


def _single_leg_stance(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    given = _fields(instrument, responses, {"seconds": float}, {"eyes_closed": bool})
    condition = "eyes closed" if given.get("eyes_closed", False) else "eyes open"
    return Outcome(given["seconds"], condition=condition, details={"condition": condition})


def _mctsib(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    conditions = _fields(instrument, responses, {"conditions": list}, {})["conditions"]
    target, trials = instrument.scoring.target_s, instrument.scoring.trials
    assert target is not None and trials is not None
    if len(conditions) != len(instrument.items):
        raise InvalidResponses(
            f"{instrument.abbreviation} conditions lists the trial times of its {len(instrument.items)} "
            "conditions in order, e.g. [[30], [30], [30], [12, 9.5, 14]]."
        )
    subscale_of = {subscale.items[0]: subscale.id for subscale in instrument.subscales}
    per_condition: dict[str, float | None] = {}
    failed, reasons = [], []
    for item, times in zip(instrument.items, conditions, strict=True):
        where = f"{instrument.abbreviation} condition {item.number} ({item.label})"
        if not isinstance(times, Sequence) or not 1 <= len(times) <= trials:
            raise InvalidResponses(f"{where}: give 1 to {trials} trial times in seconds, as a list.")
        seconds = [_number(t, where) for t in times]
        if any(s < 0 or s > target for s in seconds):
            raise InvalidResponses(f"{where}: each trial is 0 to {target:g} s.")
        if seconds[0] >= target:
            per_condition[subscale_of[item.number]] = target
            continue
        failed.append(item.label)
        if len(seconds) < trials:
            per_condition[subscale_of[item.number]] = None
            reasons.append(f"{item.label} was failed but has {len(seconds)} of {trials} trials")
        else:
            per_condition[subscale_of[item.number]] = round(sum(seconds) / trials, 1)
    details = {"failed_conditions": failed}
    if reasons:
        return Outcome(None, reason="Not computable: " + "; ".join(reasons) + ". " +
                       instrument.scoring.missing_rule, subscores=per_condition, details=details)
    return Outcome(sum(v for v in per_condition.values() if v is not None), subscores=per_condition,
                   details=details)


def _gait_speed(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    given = _fields(instrument, responses, {"distance_m": float, "seconds": float}, {})
    if given["seconds"] == 0 or given["distance_m"] == 0:
        raise InvalidResponses(f"{instrument.abbreviation}: distance_m and seconds must both be more than 0.")
    return Outcome(given["distance_m"] / given["seconds"], details=given)


def _walk_distance(instrument: Instrument, responses: Any, patient: Patient) -> Outcome:
    distance = _fields(instrument, responses, {"distance_m": float}, {})["distance_m"]
    equation = next(e for e in instrument.predicted if e.sex == patient.sex)
    predicted = equation.predict(patient)
    lower_limit = predicted - equation.lower_limit_below
    details = {
        "predicted_m": round(predicted),
        "lower_limit_m": round(lower_limit),
        "percent_predicted": round(100 * distance / predicted, 1),
        "below_lower_limit": distance < lower_limit,
        "equation": equation.source.citation,
    }
    return Outcome(distance, details=details)


METHODS: dict[Method, Callable[[Instrument, Any, Patient], Outcome]] = {
    Method.SUM: _sum,
    Method.PERCENT_OF_ANSWERED: _percent_of_answered,
    Method.MEAN: _mean,
    Method.DASH: _dash,
    Method.SUBSCALES: _subscales,
    Method.SECONDS: _seconds,
    Method.CHAIR_STANDS: _chair_stands,
    Method.FOUR_STAGE: _four_stage,
    Method.SINGLE_LEG_STANCE: _single_leg_stance,
    Method.MCTSIB: _mctsib,
    Method.GAIT_SPEED: _gait_speed,
    Method.WALK_DISTANCE: _walk_distance,
}
