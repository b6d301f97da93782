"""`reeducate billing units|evaluation|validate`: the billing rules from the command line.

``billing units --rule cms|ama --minutes 97112=24 --minutes 97110=23 [--untimed 97161] --json``
prints ``{"rule", "total_timed_minutes", "units", "total_units"}`` with every code named in the
input (0 where it bills none). Exit status 2 means the input was wrong; the message names it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from reeducate.billing.codes import UnknownCode, code
from reeducate.billing.evaluation import EvaluationFindings, Level, Presentation, evaluation_code
from reeducate.billing.units import UnitRule, timed_units
from reeducate.cli.output import console, refuse

app = typer.Typer()  # named and described in reeducate/cli/__init__.py


def _minutes(pairs: list[str]) -> dict[str, int]:
    minutes: dict[str, int] = {}
    for pair in pairs:
        number, sep, value = pair.partition("=")
        if not sep:
            refuse(f"--minutes {pair!r}: write CODE=MINUTES, e.g. --minutes 97112=24")
        try:
            spent = int(value.strip())
        except ValueError:
            refuse(f"--minutes {pair!r}: the minutes of {number.strip()} must be a whole number")
        if spent < 0:
            refuse(f"--minutes {pair!r}: the minutes of {number.strip()} cannot be negative")
        try:
            key = code(number).code
        except UnknownCode as error:
            refuse(str(error))
        minutes[key] = minutes.get(key, 0) + spent
    return minutes


@app.command("units")
def units(
    rule: Annotated[UnitRule, typer.Option(help="cms: Medicare 8-minute rule; ama: CPT midpoint rule per code.")],
    minutes: Annotated[list[str], typer.Option("--minutes", help="CODE=MINUTES, repeated.")] = [],  # noqa: B006
    untimed: Annotated[list[str], typer.Option("--untimed", help="An untimed code done, repeated.")] = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Units per code for one visit's minutes, by the payer's rule."""
    if not minutes and not untimed:
        refuse("give at least one --minutes CODE=MINUTES or --untimed CODE")
    try:
        result = timed_units(_minutes(minutes), rule, untimed=untimed)
    except ValueError as error:
        refuse(str(error))
    out = result.to_dict()
    if not result.choice:
        out.pop("choice")
    if as_json:
        print(json.dumps(out))
        return
    table = Table("code", "label", "units", title=f"{result.rule.label}: {result.total_timed_minutes} timed minutes")
    for number, count in result.units.items():
        table.add_row(number, code(number).label, str(count))
    console.print(table)
    console.print(f"Total units: {result.total_units}")
    if result.choice:
        console.print(f"One unit may go to any of {', '.join(result.choice)} (equal minutes): choose the "
                      "most clinically appropriate.")


@app.command("evaluation")
def evaluation(
    factors: Annotated[int, typer.Option(help="Personal factors and comorbidities affecting the plan.")],
    elements: Annotated[int, typer.Option(help="Body-system elements examined with tests and measures.")],
    presentation: Annotated[Presentation, typer.Option(help="Clinical presentation.")],
    decision: Annotated[str, typer.Option(help="Clinical decision making: low, moderate or high.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The evaluation code (97161-97163) that all four components support."""
    try:
        result = evaluation_code(EvaluationFindings(factors, elements, presentation, Level[decision.upper()]))
    except KeyError:
        refuse(f"--decision {decision!r}: choose low, moderate or high")
    except ValueError as error:
        refuse(str(error))
    out = {"code": result.code, "level": result.level.name.lower(),
           "components": {k: v.name.lower() for k, v in result.components.items()},
           "limited_by": list(result.limited_by)}
    if as_json:
        print(json.dumps(out))
        return
    console.print(f"{result.code} ({out['level']} complexity); held at this level by: {', '.join(result.limited_by)}")


@app.command("validate")
def validate(path: Annotated[Path, typer.Argument(help="An X12 837P file.")]) -> None:
    """Validate an X12 file with pyx12 against its implementation guide."""
    from reeducate.billing.x12.validation import x12_errors

    if not path.is_file():
        refuse(f"{path} is not a file")
    problems = x12_errors(path.read_text(encoding="utf-8", errors="replace"))
    if problems:
        refuse(f"{path.name} does not validate:\n" + "\n".join(problems))
    console.print(f"{path.name} is valid.")
