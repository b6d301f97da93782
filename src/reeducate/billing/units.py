"""Timed units from minutes per code, by the payer's rule.

``cms``: the Medicare 8-minute rule, Medicare Claims Processing Manual (Pub. 100-04), ch. 5,
section 20.2. The visit's total timed minutes decide the total units (8-22 min -> 1, 23-37 -> 2,
each further 15 minutes one more, on past two hours). Each code keeps one unit per whole 15 minutes;
the units left go one each to the codes with the most minutes left over. A tie goes to the code
with more minutes in all (the manual's example 1: "assigning more timed units to the service that
took the most time"); a tie that remains (its examples 2 and 5) may go to either code, so the result
names the codes the therapist may choose between, and gives it to the first one listed.

``ama``: the CPT midpoint rule (AMA CPT Professional, Introduction, "Time": a unit of time is
attained when the mid-point is passed), applied to each code on its own: 8 minutes make the first
unit of a code, 23 the second, and so on.

Untimed codes are one unit each whatever their minutes, and their minutes never count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from reeducate.billing.codes import code

UNIT_MINUTES = 15
"""A timed unit (CPT: "each 15 minutes")."""
MIDPOINT_MINUTES = 8
"""Minutes past which a unit is attained: the midpoint of 15 (CPT "Time"; Pub. 100-04 ch. 5 s. 20.2)."""


class UnitRule(StrEnum):
    CMS = "cms"
    AMA = "ama"

    @property
    def label(self) -> str:
        return {UnitRule.CMS: "Medicare 8-minute rule", UnitRule.AMA: "CPT midpoint rule, per code"}[self]


@dataclass(frozen=True)
class UnitsResult:
    """Units per code; ``choice`` lists codes among which one unit could go to either (CMS ties)."""

    rule: UnitRule
    total_timed_minutes: int
    units: dict[str, int]
    choice: tuple[str, ...] = ()

    @property
    def total_units(self) -> int:
        return sum(self.units.values())

    def to_dict(self) -> dict[str, object]:
        return {"rule": self.rule.value, "total_timed_minutes": self.total_timed_minutes,
                "units": self.units, "total_units": self.total_units, "choice": list(self.choice)}


def units_for_total(total_timed_minutes: int) -> int:
    """The Medicare chart: total timed minutes to total units (0 below 8 minutes)."""
    if total_timed_minutes < MIDPOINT_MINUTES:
        return 0
    return (total_timed_minutes + UNIT_MINUTES - MIDPOINT_MINUTES) // UNIT_MINUTES


def timed_units(
    minutes: Mapping[str, int], rule: UnitRule | str, *, untimed: Iterable[str] = ()
) -> UnitsResult:
    """Units for each code of a visit.

    ``minutes`` maps codes to the minutes spent on them (an untimed code may be listed with its
    minutes, which then do not count); ``untimed`` names untimed codes done without minutes.
    Every code named appears in the result, with 0 where it bills none. Raises ValueError naming the
    code for an unknown code, negative minutes, or a timed code listed without minutes.
    """
    rule = UnitRule(rule)
    timed: dict[str, int] = {}
    flat: dict[str, int] = {}
    for number, spent in minutes.items():
        entry = code(number)
        if isinstance(spent, bool) or not isinstance(spent, int) or spent < 0:
            raise ValueError(f"{entry.code}: minutes must be a whole number of 0 or more, not {spent!r}")
        target = timed if entry.timed else flat
        target[entry.code] = target.get(entry.code, 0) + spent
    for number in untimed:
        entry = code(number)
        if entry.timed:
            raise ValueError(
                f"{entry.code} ({entry.label}) is timed: give its minutes ({entry.code}=MINUTES)"
            )
        flat.setdefault(entry.code, 0)
    order = [code(c).code for c in (*minutes, *untimed)]
    units = dict.fromkeys(flat, 1)
    choice: tuple[str, ...] = ()
    if rule is UnitRule.AMA:
        units |= {c: _midpoint_units(m) for c, m in timed.items()}
    else:
        by_code, choice = _eight_minute_rule(timed)
        units |= by_code
    return UnitsResult(rule, sum(timed.values()), {c: units[c] for c in dict.fromkeys(order)}, choice)


def _midpoint_units(spent: int) -> int:
    return spent // UNIT_MINUTES + (spent % UNIT_MINUTES >= MIDPOINT_MINUTES)


def _eight_minute_rule(timed: dict[str, int]) -> tuple[dict[str, int], tuple[str, ...]]:
    units = {c: m // UNIT_MINUTES for c, m in timed.items()}
    left = units_for_total(sum(timed.values())) - sum(units.values())
    order = list(timed)
    ranked = sorted(
        (c for c in timed if timed[c] % UNIT_MINUTES),
        key=lambda c: (-(timed[c] % UNIT_MINUTES), -timed[c], order.index(c)),
    )
    winners, rest = ranked[:left], ranked[left:]
    for c in winners:
        units[c] += 1
    choice: tuple[str, ...] = ()
    if winners and rest:
        last = (timed[winners[-1]] % UNIT_MINUTES, timed[winners[-1]])
        tied = [c for c in ranked if (timed[c] % UNIT_MINUTES, timed[c]) == last]
        if any(c in rest for c in tied):
            choice = tuple(tied)
    return units, choice
