"""`docs/exercises.md`: every technique and exercise of the library, generated from the YAML files.

A test compares the committed page with this output, so the page cannot drift from the data.
Run ``python -m reeducate.training.docs > docs/exercises.md`` after changing the library.
"""

from __future__ import annotations

from reeducate.measures.definition import Source
from reeducate.training.catalogue import library
from reeducate.training.impairments import Impairment
from reeducate.training.models import Basis, Exercise, Monitor
from reeducate.training.signals import SIGNALS, resolve


def _basis(basis: Basis) -> str:
    if isinstance(basis, Source):
        return f"{basis.citation} ({basis.population})"
    return f"*Setting:* {basis.setting}"


def _addresses(tags: list[Impairment]) -> str:
    return "; ".join(f"{tag.label} (`{tag}`)" for tag in tags)


def _monitor(m: Monitor) -> list[str]:
    unit = SIGNALS[m.device][resolve(m.signal, "left")]
    head = f"- **{m.key}** watches `{m.signal}` ({unit})"
    if m.paired_signal:
        head += f", paired with `{m.paired_signal}` for symmetry"
    lines = [head + "."]
    if m.repetition:
        r = m.repetition
        lines.append(f"  - Repetition: from rest at {r.rest_level:g} past {r.start_level:g} and back "
                     f"({'rising' if r.direction == 1 else 'falling'}), {r.min_duration_s:g}-{r.max_duration_s:g} s.")
    if m.hold:
        h = m.hold
        lines.append(f"  - Hold: {h.low:g} to {h.high:g} for {h.target_s:g} s (wobbles under {h.grace_s:g} s "
                     f"forgiven). Basis: {_basis(h.basis)}")
    if m.relax:
        lines.append(f"  - Relax: below {m.relax.below:g} for {m.relax.target_s:g} s (rises under {m.relax.grace_s:g} s "
                     f"forgiven). Basis: {_basis(m.relax.basis)}")
    if m.order:
        o = m.order
        lines.append(f"  - Onset order: `{o.first}` on before `{o.second}` in each activation"
                     + (f", by {o.min_lead_ms:g} ms or more" if o.min_lead_ms else "") + f". Basis: {_basis(o.basis)}")
    if m.targets:
        t = m.targets
        parts = ([f"peak {t.peak:g}"] if t.peak is not None else []) + \
            ([f"{t.tempo_s[0]:g}-{t.tempo_s[1]:g} s per repetition"] if t.tempo_s else [])
        lines.append(f"  - Targets: {', '.join(parts)}. Basis: {_basis(t.basis)}")
    if m.template:
        lines.append(f"  - Template: minimum-jerk repetition of {m.template.duration_s:g} s, rest to target peak.")
    if m.jps:
        j = m.jps
        lines.append(f"  - Joint position sense: {j.trials} trials, targets {', '.join(f'{t:g}' for t in j.targets_deg)} "
                     f"in turn (start near {j.start_deg:g}), each shown and held within {j.band_deg:g} for "
                     f"{j.target_hold_s:g} s, then reproduced with the eyes closed and held {j.reproduction_hold_s:g} s; "
                     f"the error said after each. Basis: {_basis(j.basis)}")
    for f in m.faults:
        lines.append(f"  - Fault `{f.fault}`: `{f.signal}` {'above' if f.above else 'below'} {f.limit:g} for "
                     f"{f.min_duration_s:g} s (clears {f.clear_margin:g} inside) → cue \"{f.cue}\". "
                     f"Basis: {_basis(f.basis)}")
    return lines


def _exercise(ex: Exercise) -> list[str]:
    lines = [f"### {ex.name} (`{ex.id}`)", "", ex.purpose, "",
             f"- **For:** {', '.join(ex.indications)}.", f"- **Addresses:** {_addresses(ex.addresses)}.",
             f"- **Instructions:** {ex.instructions}",
             f"- **Side:** {'the therapist chooses left or right' if ex.sided else 'both, or not applicable'}."]
    lines += [line for m in ex.monitors for line in _monitor(m)]
    lines.append(f"- **Dosage:** {ex.dosage.text}. Basis: {_basis(ex.dosage.basis)}")
    if ex.progressions:
        lines.append(f"- **Progress to:** {', '.join(f'`{p}`' for p in ex.progressions)}.")
    if ex.regressions:
        lines.append(f"- **Regress to:** {', '.join(f'`{r}`' for r in ex.regressions)}.")
    return [*lines, ""]


def render_exercises_doc() -> str:
    lib = library()
    lines = ["# The exercise library", "",
             "Generated from `src/reeducate/training/library/*.yaml` by `python -m reeducate.training.docs`; a "
             "test keeps this page in step with the data. Every figure has a basis: a published source, or a "
             "*setting*, Reeducate's starting value that the therapist adjusts for the patient. Signals are "
             "those of `training/signals.py`: camera angles in degrees (`{side}` is the trained side, "
             "`{other}` the opposite one), foot lift and squat depth in % of leg length, COP in mm, IMU rates "
             "in deg/s and tilt in degrees, EMG amplitudes (`{muscle}_mvc`) in % of the muscle's MVC and its state "
             "(`{muscle}_on`) on or off.", ""]
    for technique in lib.techniques.values():
        lines += [f"## {technique.name} (`{technique.id}`)", "", technique.purpose, "",
                  f"- **For:** {', '.join(technique.indications)}.",
                  f"- **Addresses:** {_addresses(technique.addresses)}.", f"- **Methods:** {technique.methods}",
                  f"- **Source:** {_basis(technique.source)}", ""]
        lines += [line for ex in lib.exercises.values() if ex.technique == technique.id for line in _exercise(ex)]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render_exercises_doc(), end="")
