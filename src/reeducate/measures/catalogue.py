"""The instruments Reeducate ships: every `definitions/*.yaml`, validated once and looked up by id."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import ValidationError

from reeducate.measures.definition import Instrument
from reeducate.measures.results import InvalidResponses

NOT_SHIPPED = {
    "koos-jr": "KOOS JR",
    "hoos-jr": "HOOS JR",
}
"""Instruments a clinic may ask for that we deliberately do not ship (see `not_shipped_reason`)."""


def not_shipped_reason(measure_id: str) -> str:
    name = NOT_SHIPPED[measure_id]
    return (
        f"{name} is not shipped: its score is read from the published raw-to-interval-score conversion "
        "table, and we could not reproduce that table exactly from a source we can verify here; "
        "Reeducate will not guess it. Score it with the developers' official table (KOOS JR: Lyman S et al. "
        "Validation of the KOOS, JR: a short-form knee arthroplasty outcomes survey. Clin Orthop Relat Res "
        "2016;474:1461-1471. HOOS JR: Lyman S et al. Validation of the HOOS, JR: a short-form hip "
        "replacement survey. Clin Orthop Relat Res 2016;474:1472-1482)."
    )


@cache
def instruments() -> dict[str, Instrument]:
    """All shipped instruments by id, in a stable order (as their files sort)."""
    folder = resources.files("reeducate.measures") / "definitions"
    found: dict[str, Instrument] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".yaml"):
            continue
        try:
            instrument = Instrument.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except ValidationError as error:
            raise ValueError(f"measures/definitions/{path.name} is not a valid definition:\n{error}") from None
        if path.name != f"{instrument.id}.yaml":
            raise ValueError(f"{path.name} defines '{instrument.id}'; name the file {instrument.id}.yaml")
        found[instrument.id] = instrument
    return found


def get(measure_id: str) -> Instrument:
    """The instrument with this id, or a clear error listing the ids there are."""
    if measure_id in NOT_SHIPPED:
        raise InvalidResponses(not_shipped_reason(measure_id))
    try:
        return instruments()[measure_id]
    except KeyError:
        raise InvalidResponses(
            f"No measure '{measure_id}'. Known measures: {', '.join(instruments())}."
        ) from None
