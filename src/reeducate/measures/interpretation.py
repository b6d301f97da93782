"""Check a score against an instrument's published bands, cut-offs and age/sex norms.

Every rule is reported with whether it applies, so a clinician sees which cut-offs were checked and
which were met, each with its source and population.
"""

from __future__ import annotations

from reeducate.measures.definition import Band, Instrument, Norm, Source
from reeducate.measures.results import Interpretation, Patient


def cite(source: Source) -> str:
    return f"{source.citation} Population: {source.population}."


def _group(age_min: int | None, age_max: int | None, sex: str | None) -> str:
    parts = []
    if sex:
        parts.append("women" if sex == "female" else "men")
    if age_min is not None or age_max is not None:
        parts.append(f"aged {age_min}-{age_max}" if age_max is not None else f"aged {age_min}+")
    return " ".join(parts)


def _fits(age_min: int | None, age_max: int | None, sex: str | None, patient: Patient) -> bool:
    if sex is not None and patient.sex != sex:
        return False
    if age_min is None and age_max is None:
        return True
    if patient.age_years is None:
        return False
    return (age_min is None or patient.age_years >= age_min) and (age_max is None or patient.age_years < age_max + 1)


def band_rule(band: Band, unit: str) -> str:
    """The band as a readable rule, e.g. 'score < 45' or '21 <= score <= 40 (women aged 70-74)'."""
    name = band.subscore or "score"
    pieces = []
    if band.min is not None and band.max is not None:
        pieces.append(f"{band.min:g} <= {name} <= {band.max:g}")
    elif band.min is not None:
        pieces.append(f"{name} >= {band.min:g}")
    elif band.max is not None:
        pieces.append(f"{name} <= {band.max:g}")
    if band.below is not None:
        pieces.append(f"{name} < {band.below:g}")
    if band.above is not None:
        pieces.append(f"{name} > {band.above:g}")
    rule = " and ".join(pieces) + f" {unit}"
    qualifiers = [q for q in (band.condition, _group(band.age_min, band.age_max, band.sex)) if q]
    return rule + (f" ({'; '.join(qualifiers)})" if qualifiers else "")


def _in_band(band: Band, value: float) -> bool:
    return (
        (band.min is None or value >= band.min)
        and (band.max is None or value <= band.max)
        and (band.below is None or value < band.below)
        and (band.above is None or value > band.above)
    )


def _norm_check(instrument: Instrument, norm: Norm, value: float) -> Interpretation:
    group = _group(norm.age_min, norm.age_max, norm.sex) + (f", {norm.condition}" if norm.condition else "")
    unit = instrument.unit_label
    if instrument.higher_is_better:
        bound, worse = (norm.low if norm.low is not None else norm.mean), "below"
        applies = value < bound
    else:
        bound, worse = (norm.high if norm.high is not None else norm.mean), "above"
        applies = value > bound
    reference = f"reference mean {norm.mean:g} {unit}"
    if norm.sd is not None:
        reference += f" (SD {norm.sd:g})"
    if norm.low is not None and norm.high is not None:
        reference += f" (95% CI {norm.low:g}-{norm.high:g})"
    which = "the reference interval" if bound != norm.mean else "the reference mean"
    return Interpretation(
        label=f"Worse than the age-group reference ({group})",
        applies=applies,
        rule=f"{group}: {reference}; flagged when {worse} {which} ({bound:g} {unit})",
        source=cite(norm.source),
    )


def interpret(
    instrument: Instrument,
    score: float | None,
    subscores: dict[str, float | None],
    patient: Patient,
    condition: str | None = None,
) -> list[Interpretation]:
    """Every band and norm that fits this patient and test condition, checked against the score."""
    found: list[Interpretation] = []
    for band in instrument.bands:
        value = score if band.subscore is None else subscores.get(band.subscore)
        if value is None or (band.condition and band.condition != condition):
            continue
        if not _fits(band.age_min, band.age_max, band.sex, patient):
            continue
        found.append(Interpretation(label=band.label, applies=_in_band(band, value),
                                    rule=band_rule(band, instrument.unit_label), source=cite(band.source)))
    if score is not None:
        for norm in instrument.norms:
            if norm.condition and norm.condition != condition:
                continue
            if _fits(norm.age_min, norm.age_max, norm.sex, patient):
                found.append(_norm_check(instrument, norm, score))
    return found
