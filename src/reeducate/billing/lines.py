"""From what a visit did to the lines of a claim: units, charges, modifiers, and the edits they meet.

`bill_visit` turns services (code, minutes, who furnished them, where on the body) into claim lines
with the modifiers the rules require; `check_claim_lines` refuses any set of lines (built here or
edited by hand) that breaks a rule, naming the rule. Each rule below carries its source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from reeducate.billing.codes import Category, MedicareStatus, UnknownCode, code
from reeducate.billing.kx import KX_SOURCE, kx_threshold
from reeducate.billing.ncci import PtpEdit, edit_between, shipped_edits
from reeducate.billing.units import MIDPOINT_MINUTES, UnitRule, UnitsResult, timed_units

THERAPY_MODIFIER_RULE = "Therapy modifier GP/GO/GN (Medicare Claims Processing Manual, Pub. 100-04, ch. 5, s. 20.1)"
ASSISTANT_RULE = (
    "CQ/CO when an assistant furnishes more than 10% of a service (10% de minimis standard, CY 2020 "
    "Medicare Physician Fee Schedule final rule; payment differential of the Bipartisan Budget Act of "
    "2018, s. 53107, from 2022)"
)
ASSISTANT_SCOPE_RULE = "Evaluations are the therapist's own (Medicare Benefit Policy Manual, Pub. 100-02, ch. 15, s. 230.1)"
KX_RULE = f"KX past the year's therapy threshold ({KX_SOURCE})"
AT_RULE = "AT on active chiropractic treatment (Medicare Benefit Policy Manual, Pub. 100-02, ch. 15, s. 240.1.3)"
CHIRO_MEDICARE_RULE = (
    "Medicare pays a chiropractor only for manual manipulation of the spine (Medicare Benefit Policy "
    "Manual, Pub. 100-02, ch. 15, s. 240.1.3)"
)
CMT_REGIONS_RULE = "Spinal manipulation is coded by the number of regions treated (98940: 1-2, 98941: 3-4, 98942: 5; CPT)"
MEDICARE_STATUS_RULE = "Medicare Physician Fee Schedule status indicator"
DISCIPLINE_RULE = "A code is billed by the discipline whose service it is"

DE_MINIMIS_SHARE = 0.10
"""An assistant's share of a service above which CQ/CO applies (CY 2020 PFS final rule)."""

SPINAL_REGIONS = ("cervical", "thoracic", "lumbar", "sacral", "pelvic")
"""The five spinal regions of CPT's chiropractic manipulation codes."""
CMT_REGION_COUNTS = {"98940": (1, 2), "98941": (3, 4), "98942": (5, 5)}
DISTINCT_MODIFIERS = frozenset({"59", "XS", "XE", "XP", "XU"})


class Discipline(StrEnum):
    PHYSICAL_THERAPY = "physical_therapy"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    SPEECH_LANGUAGE_PATHOLOGY = "speech_language_pathology"
    CHIROPRACTIC = "chiropractic"


_DISCIPLINE_MODIFIER = {
    Discipline.PHYSICAL_THERAPY: "GP",
    Discipline.OCCUPATIONAL_THERAPY: "GO",
    Discipline.SPEECH_LANGUAGE_PATHOLOGY: "GN",
}
_ASSISTANT_MODIFIER = {Discipline.PHYSICAL_THERAPY: "CQ", Discipline.OCCUPATIONAL_THERAPY: "CO"}


@dataclass(frozen=True)
class Service:
    """What was done for one code in the visit: minutes, the assistant's part of them, and where.

    ``region`` names the body region(s) treated, comma-separated ("lumbar, pelvic", "left knee"):
    it decides the spinal manipulation code and whether manual therapy is distinct from it.
    For an untimed code done by an assistant, ``assistant_minutes`` equal to ``minutes`` says so.
    ``units`` is for an untimed code whose own rule counts more than one unit (98981: each further 20
    minutes of a month, billing/rtm.py); 0 bills the usual one.
    """

    code: str
    minutes: int = 0
    assistant_minutes: int = 0
    region: str = ""
    units: int = 0

    @property
    def regions(self) -> frozenset[str]:
        return frozenset(r.strip().lower() for r in self.region.split(",") if r.strip())


@dataclass(frozen=True)
class Context:
    """The facts of the visit and its payer that the rules read."""

    day: date
    discipline: Discipline
    medicare: bool
    unit_rule: UnitRule
    active_treatment: bool = True
    therapy_amount_before: Decimal = Decimal(0)
    fees: Mapping[str, Decimal] = field(default_factory=dict)
    edits: tuple[PtpEdit, ...] = field(default_factory=shipped_edits)

    @property
    def distinct_modifier(self) -> str:
        """CMS asks for the more specific XS (separate structure); other payers read 59."""
        return "XS" if self.medicare else "59"


@dataclass(frozen=True)
class ClaimLine:
    code: str
    units: int
    modifiers: tuple[str, ...]
    charge: Decimal
    minutes: int = 0
    assistant_minutes: int = 0
    region: str = ""

    @property
    def regions(self) -> frozenset[str]:
        return Service(self.code, region=self.region).regions


@dataclass(frozen=True)
class Problem:
    """One broken rule: the code it concerns, the rule with its source, and what to do."""

    code: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message} [{self.rule}]"


class BillingRefused(ValueError):
    """The lines break one or more rules; ``problems`` names each with its rule."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class BilledVisit:
    units: UnitsResult
    lines: tuple[ClaimLine, ...]
    notes: tuple[str, ...]
    unbilled: tuple[Unbilled, ...] = ()
    """Codes done with minutes that earn no unit: shown with the reason, never dropped without a word."""

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class Unbilled:
    """A code done for ``minutes`` that bills no unit under the visit's rule, and why."""

    code: str
    minutes: int
    reason: str


def why_no_unit(minutes: int, units: UnitsResult) -> str:
    """Why ``minutes`` of a timed code earned it no unit under ``units``' rule (with the rule's source)."""
    if units.rule is UnitRule.AMA:
        return (f"{minutes} min is under the {MIDPOINT_MINUTES} minutes that make a unit of a code "
                "(CPT midpoint rule)")
    return (f"the visit's {units.total_timed_minutes} timed minutes make {units.total_units} "
            f"unit{'s' if units.total_units != 1 else ''} by the Medicare 8-minute rule, and they go to the codes "
            f"with the most minutes (Pub. 100-04 ch. 5 s. 20.2); {minutes} min of this code earn none")


def bill_visit(services: Sequence[Service], context: Context) -> BilledVisit:
    """Claim lines for the visit's services, with units by the payer's rule and every modifier due.

    Raises BillingRefused listing every broken rule (nothing is half-billed).
    """
    problems = _service_problems(services, context)
    if problems:
        raise BillingRefused(problems)
    merged = _merge(services)
    units = timed_units({s.code: s.minutes for s in merged}, context.unit_rule)
    counts = {s.code: s.units if s.units and not code(s.code).timed else units.units[s.code] for s in merged}
    lines = [
        ClaimLine(s.code, counts[s.code], (), context.fees.get(s.code, Decimal(0)) * counts[s.code],
                  s.minutes, s.assistant_minutes, s.region)
        for s in merged if counts[s.code] > 0
    ]
    required = _required_modifiers(lines, context)
    lines = [replace(line, modifiers=tuple(sorted(required[i], key=_modifier_order)))
             for i, line in enumerate(lines)]
    check_claim_lines(lines, context)
    notes = tuple(
        f"{line.code}: {code(line.code).medicare_reason}" for line in lines
        if context.medicare and code(line.code).medicare is MedicareStatus.BUNDLED
    )
    unbilled = tuple(Unbilled(s.code, s.minutes, why_no_unit(s.minutes, units))
                     for s in merged if units.units[s.code] == 0 and s.minutes > 0)
    return BilledVisit(units, tuple(lines), notes, unbilled)


def check_claim_lines(lines: Sequence[ClaimLine], context: Context) -> None:
    """Refuse lines that lack a required modifier or break an NCCI edit, naming each rule."""
    problems: list[Problem] = []
    required = _required_modifiers(lines, context, problems)
    for i, line in enumerate(lines):
        for modifier in sorted(required[i] - set(line.modifiers), key=_modifier_order):
            problems.append(Problem(line.code, _rule_of(modifier), f"modifier {modifier} is missing"))
    if problems:
        raise BillingRefused(problems)


def _service_problems(services: Sequence[Service], context: Context) -> list[Problem]:
    problems: list[Problem] = []
    for s in services:
        try:
            entry = code(s.code)
        except UnknownCode as error:
            problems.append(Problem(s.code, "Reeducate's code catalogue", str(error)))
            continue
        if s.minutes < 0 or not 0 <= s.assistant_minutes <= s.minutes:
            problems.append(Problem(entry.code, "minutes", "minutes must be 0 or more, and the "
                                    "assistant's minutes no more than the service's"))
        if s.units < 0 or (s.units and entry.timed):
            problems.append(Problem(entry.code, "units", "units are given only for an untimed code, and "
                                    "never below 0 (a timed code's units come from its minutes)"))
        if s.assistant_minutes and not entry.assistant:
            problems.append(Problem(entry.code, ASSISTANT_SCOPE_RULE,
                                    f"{entry.label} cannot be furnished by an assistant"))
        if context.medicare and entry.medicare is MedicareStatus.INVALID:
            problems.append(Problem(entry.code, MEDICARE_STATUS_RULE, entry.medicare_reason))
        chiropractic = context.discipline is Discipline.CHIROPRACTIC
        if chiropractic and context.medicare and entry.category is not Category.CHIROPRACTIC:
            problems.append(Problem(entry.code, CHIRO_MEDICARE_RULE,
                                    f"{entry.label} by a chiropractor is not covered by Medicare"))
        if not chiropractic and entry.category is Category.CHIROPRACTIC:
            problems.append(Problem(entry.code, DISCIPLINE_RULE,
                                    f"{entry.label} is billed by a chiropractor, not a therapist"))
        if entry.code in CMT_REGION_COUNTS:
            low, high = CMT_REGION_COUNTS[entry.code]
            spinal = s.regions & set(SPINAL_REGIONS)
            if s.regions - spinal or not low <= len(spinal) <= high:
                problems.append(Problem(entry.code, CMT_REGIONS_RULE, (
                    f"{entry.code} needs {low}-{high} spinal regions ({', '.join(SPINAL_REGIONS)}); "
                    f"the visit documents {s.region or 'none'}")))
    return problems


def _merge(services: Sequence[Service]) -> list[Service]:
    """One service per code: minutes of the same code add up (Pub. 100-04 ch. 5 s. 20.2)."""
    merged: dict[str, Service] = {}
    for s in services:
        number = code(s.code).code
        if number in merged:
            was = merged[number]
            regions = ", ".join(dict.fromkeys(r for r in (*was.region.split(","), *s.region.split(",")) if r.strip()))
            merged[number] = Service(number, was.minutes + s.minutes,
                                     was.assistant_minutes + s.assistant_minutes, regions, was.units + s.units)
        else:
            merged[number] = replace(s, code=number)
    return list(merged.values())


def _required_modifiers(
    lines: Sequence[ClaimLine], context: Context, problems: list[Problem] | None = None
) -> list[set[str]]:
    """The modifiers each line must carry; edits that no modifier can pass go into ``problems``."""
    problems = [] if problems is None else problems
    required: list[set[str]] = [set() for _ in lines]
    therapy_modifier = _DISCIPLINE_MODIFIER.get(context.discipline)
    running = context.therapy_amount_before
    threshold = kx_threshold(context.day.year, occupational=context.discipline is Discipline.OCCUPATIONAL_THERAPY) \
        if context.medicare and therapy_modifier else None
    for i, line in enumerate(lines):
        entry = code(line.code)
        if entry.therapy and therapy_modifier:
            required[i].add(therapy_modifier)
            assistant = _ASSISTANT_MODIFIER.get(context.discipline)
            share = line.assistant_minutes / line.minutes if line.minutes else 0.0
            if context.medicare and assistant and share > DE_MINIMIS_SHARE:
                required[i].add(assistant)
            if threshold is not None:
                running += line.charge
                if running > threshold:
                    required[i].add("KX")
        if entry.code in CMT_REGION_COUNTS and context.medicare and context.active_treatment:
            required[i].add("AT")
    for i, first in enumerate(lines):
        for j in range(i + 1, len(lines)):
            second = lines[j]
            edit = edit_between(first.code, second.code, context.day, context.edits)
            if edit is None:
                continue
            col2 = j if second.code == edit.column2 else i
            col1 = i if col2 == j else j
            rule = f"NCCI PTP edit {edit.column1}/{edit.column2}: {edit.rationale} ({edit.source})"
            if not edit.modifier_allowed:
                problems.append(Problem(edit.column2, rule, f"{edit.column2} is not billed with {edit.column1}"))
                continue
            one, two = lines[col1].regions, lines[col2].regions
            if not one or not two:
                problems.append(Problem(edit.column2, rule, (
                    f"{edit.column2} with {edit.column1} needs the region of each documented to show "
                    "a distinct service")))
            elif one & two:
                problems.append(Problem(edit.column2, rule, (
                    f"{edit.column2} in the same region as {edit.column1} "
                    f"({', '.join(sorted(one & two))}) is not billable")))
            elif not DISTINCT_MODIFIERS & set(lines[col2].modifiers):
                required[col2].add(context.distinct_modifier)
    return required


def _rule_of(modifier: str) -> str:
    if modifier in _DISCIPLINE_MODIFIER.values():
        return THERAPY_MODIFIER_RULE
    if modifier in _ASSISTANT_MODIFIER.values():
        return ASSISTANT_RULE
    if modifier == "KX":
        return KX_RULE
    if modifier == "AT":
        return AT_RULE
    return "NCCI PTP edit: a distinct service carries 59 or X{EPSU} (NCCI Policy Manual, ch. I)"


def _modifier_order(modifier: str) -> tuple[int, str]:
    """Pricing modifiers first (CQ/CO), then distinct-service, then therapy, then information."""
    rank = {"CQ": 0, "CO": 0, "59": 1, "XS": 1, "XE": 1, "XP": 1, "XU": 1, "GP": 2, "GO": 2, "GN": 2,
            "AT": 3, "KX": 4}
    return rank.get(modifier, 5), modifier
