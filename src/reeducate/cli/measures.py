"""`reeducate measures ...`: list, show, score and compare instruments; prints the API's JSON.

Exit status 2 means the input was wrong (an answer out of range, a wrong number of items, a patient
fact the instrument needs): the message names the item and what it allows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from reeducate.cli.output import console, refuse

if TYPE_CHECKING:
    from reeducate.measures.definition import Instrument
    from reeducate.measures.results import ScoreRequest

app = typer.Typer()  # named and described in reeducate/cli/__init__.py

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape).")]


def _instrument(measure_id: str) -> Instrument:
    from reeducate.measures import catalogue
    from reeducate.measures.results import InvalidResponses

    try:
        return catalogue.get(measure_id)
    except InvalidResponses as error:
        refuse(str(error))


def _request(path: Path) -> ScoreRequest:
    from pydantic import ValidationError

    from reeducate.measures.results import ScoreRequest

    try:
        return ScoreRequest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except OSError as error:
        refuse(f"cannot read {path}: {error.strerror}.")
    except json.JSONDecodeError as error:
        refuse(f"{path} is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}.")
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        refuse(f"{path}: {where}: {first['msg']}. Expected {{\"responses\": ..., \"patient\": {{...}}}}.")


@app.command("list")
def list_measures(as_json: JsonFlag = False) -> None:
    """Every shipped instrument."""
    from reeducate.measures import catalogue

    rows: list[dict[str, Any]] = [
        {"id": i.id, "name": i.name, "kind": i.kind, "unit": i.unit_label, "min": i.min, "max": i.max,
         "higher_is_better": i.higher_is_better} for i in catalogue.instruments().values()]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title="Outcome measures")
    for column in ("id", "name", "kind", "range", "better"):
        table.add_column(column)
    for row in rows:
        top = "open" if row["max"] is None else f"{row['max']:g}"
        table.add_row(row["id"], row["name"], row["kind"], f"{row['min']:g}-{top} {row['unit']}",
                      "higher" if row["higher_is_better"] else "lower")
    console.print(table)
    console.print(f"Not shipped: {', '.join(catalogue.NOT_SHIPPED)} (see `reeducate measures show koos-jr`).")


@app.command()
def show(measure_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """The full definition of one instrument, as JSON."""
    print(_instrument(measure_id).model_dump_json(indent=2))


@app.command()
def score(
    measure_id: Annotated[str, typer.Argument(metavar="ID")],
    input_file: Annotated[Path, typer.Option("--input", help='JSON: {"responses": ..., "patient": {...}}.')],
    as_json: JsonFlag = False,
) -> None:
    """Score one administration."""
    from reeducate.measures.results import InvalidResponses
    from reeducate.measures.scoring import score as score_responses

    instrument = _instrument(measure_id)
    request = _request(input_file)
    try:
        result = score_responses(instrument, request.responses, request.patient)
    except InvalidResponses as error:
        refuse(str(error))
    if as_json:
        print(result.model_dump_json(indent=2))
        return
    if not result.computable:
        console.print(f"{instrument.abbreviation}: {result.reason}")
        return
    shown = f"{result.score:g} {result.unit}" if result.score is not None else json.dumps(result.subscores)
    console.print(f"[bold]{instrument.abbreviation}: {shown}[/bold]")
    for interpretation in result.interpretations:
        mark = "[yellow]applies[/yellow]" if interpretation.applies else "does not apply"
        console.print(f"  {interpretation.label}: {mark} ({interpretation.rule})")


def _value(instrument: Instrument, given: str, patient_file: Path | None) -> float:
    """A score given directly, or the score of a responses file."""
    from reeducate.measures.results import InvalidResponses
    from reeducate.measures.scoring import score as score_responses

    try:
        return float(given)
    except ValueError:
        pass
    request = _request(Path(given))
    if patient_file is not None:
        request.patient = _request(patient_file).patient
    try:
        result = score_responses(instrument, request.responses, request.patient)
    except InvalidResponses as error:
        refuse(f"{given}: {error}")
    if result.score is None:
        refuse(f"{given}: {result.reason or 'no single score to compare'}")
    return result.score


@app.command()
def change(
    measure_id: Annotated[str, typer.Argument(metavar="ID")],
    baseline: Annotated[str, typer.Option(help="The first score, or a responses file to score.")],
    followup: Annotated[str, typer.Option(help="The later score, or a responses file to score.")],
    input_file: Annotated[Path | None, typer.Option("--input", help="Patient facts for scoring files.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Change between two administrations against the MDC and MCID."""
    from reeducate.measures.change import change as judge_change
    from reeducate.measures.results import InvalidResponses

    instrument = _instrument(measure_id)
    try:
        result = judge_change(instrument, _value(instrument, baseline, input_file),
                              _value(instrument, followup, input_file))
    except InvalidResponses as error:
        refuse(str(error))
    if as_json:
        print(result.model_dump_json(indent=2))
        return
    console.print(f"[bold]{result.summary}[/bold]")
    for check in result.mdc + result.mcid:
        name = check.kind.upper() + (str(check.confidence_pct) if check.confidence_pct else "")
        console.print(f"  {name} {check.value:g}: {'met' if check.met else 'not met'} - {check.population}")


@app.command()
def docs() -> None:
    """Print docs/measures.md (generated from the definitions)."""
    from reeducate.measures.docs import measures_markdown

    print(measures_markdown(), end="")
