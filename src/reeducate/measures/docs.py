"""`docs/measures.md`: how every shipped instrument is scored and read, generated from the definitions.

A test compares the committed page with this output, so the page cannot drift from the data.
"""

from __future__ import annotations

from reeducate.measures.catalogue import NOT_SHIPPED, instruments, not_shipped_reason
from reeducate.measures.definition import Instrument
from reeducate.measures.interpretation import band_rule, cite


def _items(instrument: Instrument) -> list[str]:
    if not instrument.items:
        return []
    lines = ["", "| Item | Label (ours) | Answers |", "|---|---|---|"]
    for item in instrument.items:
        answers = f"{item.min:g}-{item.max:g}" + (f" step {item.step:g}" if item.step != 1 else "")
        if item.reverse:
            answers += ", reverse scored"
        if item.sides:
            answers += f", per part ({' / '.join(item.sides)}): the lower counts"
        lines.append(f"| {item.number} | {item.label} | {answers} |")
    if instrument.item_count_range:
        low, high = instrument.item_count_range
        lines.append(f"\nThe patient rates {low} to {high} activities of their own, each like item 1.")
    for module in instrument.modules:
        lines.append(f"\nOptional **{module.name}** (`{module.id}`): {len(module.items)} items, "
                     f"{module.items[0].min:g}-{module.items[0].max:g}. {module.missing_rule}")
    return lines


def _section(instrument: Instrument) -> list[str]:
    top = "open-ended" if instrument.max is None else f"{instrument.max:g}"
    lines = [
        f"## {instrument.name} (`{instrument.id}`)",
        "",
        instrument.purpose,
        "",
        f"- **Score:** {instrument.min:g} to {top} {instrument.unit_label}; "
        f"{'higher' if instrument.higher_is_better else 'lower'} is better.",
        f"- **Scoring:** {instrument.scoring.rule} ({cite(instrument.scoring.source)})",
        f"- **Missing items:** {instrument.scoring.missing_rule}",
    ]
    if instrument.requires:
        lines.append(f"- **Needs the patient's:** {', '.join(f.value for f in instrument.requires)}.")
    coding = (f"LOINC {instrument.loinc.code} ({instrument.loinc.display})" if instrument.loinc
              else "no verified LOINC code; exported with Reeducate's own code")
    lines += [f"- **Code:** {coding}.", f"- **Licence:** {instrument.licence}"]
    if instrument.instructions:
        lines.append(f"- **Administration:** {instrument.instructions}")
    lines += _items(instrument)
    if instrument.bands:
        lines += ["", "Interpretation:", ""]
        lines += [f"- {band.label}: {band_rule(band, instrument.unit_label)}. {cite(band.source)}"
                  for band in instrument.bands]
    if instrument.norms:
        lines += ["", "Norms:", ""]
        for norm in instrument.norms:
            group = f"aged {norm.age_min}-{norm.age_max}" + (f", {norm.sex}" if norm.sex else "")
            group += f", {norm.condition}" if norm.condition else ""
            spread = f" (95% CI {norm.low:g}-{norm.high:g})" if norm.low is not None and norm.high is not None else ""
            lines.append(f"- {group}: mean {norm.mean:g} {instrument.unit_label}{spread}. {cite(norm.source)}")
    if instrument.predicted:
        lines += ["", "Predicted value:", ""]
        for eq in instrument.predicted:
            terms = " ".join(f"{c:+g} x {f.value}" for f, c in eq.coefficients.items())
            lines.append(f"- {eq.sex}: {eq.constant:g} {terms}; lower limit of normal {eq.lower_limit_below:g} "
                         f"{instrument.unit_label} below. {cite(eq.source)}")
    lines += ["", "Change:", ""]
    if not instrument.thresholds:
        lines.append("- No MDC or MCID is shipped for this instrument; change is reported without a judgement.")
    for t in instrument.thresholds:
        name = "MDC" + (str(t.confidence_pct) if t.confidence_pct else "") if t.kind == "mdc" else "MCID"
        when = ""
        if t.baseline_min is not None or t.baseline_max is not None:
            when = f" when the first score is {t.baseline_min:g}-{t.baseline_max:g}"
        note = f" {t.note}" if t.note else ""
        lines.append(f"- {name} {t.value:g} {instrument.unit_label}{when}.{note} {cite(t.source)}")
    return lines + [""]


def measures_markdown() -> str:
    """The whole page, in catalogue order."""
    lines = [
        "# Outcome measures",
        "",
        "Generated from `src/reeducate/measures/definitions/` by `reeducate measures docs`; do not edit by",
        "hand. Item labels are Reeducate's own short labels: where an instrument's text is licensed, a",
        "clinic loads the licensed wording itself.",
        "",
        "Change is judged against the first MDC and MCID listed that applies to the starting score; the",
        "others are reported with their populations.",
        "",
        "Not shipped:",
        "",
    ]
    lines += [f"- `{measure_id}`: {not_shipped_reason(measure_id)}" for measure_id in NOT_SHIPPED]
    lines.append("")
    for instrument in instruments().values():
        lines += _section(instrument)
    return "\n".join(lines).rstrip() + "\n"
