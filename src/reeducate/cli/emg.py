"""`reeducate emg analyze`: surface EMG from the command line, the same JSON as the API (docs/emg.md).

Exit status 2 means the input was wrong; the message says what and how to fix it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from reeducate.cli.output import console, errors, refuse
from reeducate.signals.errors import RecordingError

if TYPE_CHECKING:
    from reeducate.signals.emg import EmgResult

app = typer.Typer()  # named and described in reeducate/cli/__init__.py

Channels = Annotated[str | None, typer.Option(
    "--channels", help="Channels to analyse, comma-separated: LABEL, LABEL=muscle, or A-B=muscle (a bipolar pair).")]
Pair = Annotated[list[str] | None, typer.Option(
    "--pair", help="AGONIST:ANTAGONIST for a co-contraction index (repeat for more pairs).")]
Sides = Annotated[list[str] | None, typer.Option("--sides", help="LEFT:RIGHT of one muscle to compare (repeatable).")]


def _pairs(values: list[str] | None, option: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values or []:
        first, colon, second = value.partition(":")
        if not colon or not first.strip() or not second.strip():
            refuse(f"{option} {value!r}: give two channel names separated by a colon, e.g. Biceps:Triceps.")
        pairs.append((first.strip(), second.strip()))
    return pairs


def _rest(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        start, end = (float(v) for v in text.split(","))
    except ValueError:
        refuse(f"--rest {text!r}: give START,END in seconds, e.g. 0.5,2.0.")
    return start, end


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="An EMG recording: C3D, EDF/BDF, OpenSignals .h5, .mat, CSV/TSV/TXT.")],
    channels: Channels = None,
    rate_hz: Annotated[float | None, typer.Option(help="Sampling rate, for files that do not state it.")] = None,
    units: Annotated[str | None, typer.Option(help="V, mV or uV, for files that do not state them.")] = None,
    method: Annotated[str, typer.Option(help="Onset method: auto, hodges_bui, bonato or tkeo.")] = "auto",
    rest: Annotated[str | None, typer.Option(help="START,END (s) of a rest to calibrate from; found if not given.")]
    = None,
    trigger: Annotated[str | None, typer.Option(
        help="Time against: a channel's rising edges, event:LABEL from the file, or times 1.2,3.4 (s).")] = None,
    reference: Annotated[str | None, typer.Option(help="A muscle to time the others against.")] = None,
    pair: Pair = None,
    sides: Sides = None,
    mvc: Annotated[Path | None, typer.Option(help="A recording of maximal contractions with the same channels.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape).")] = False,
) -> None:
    """Bursts of each muscle, the firing order, latencies, co-contraction, fatigue and sides."""
    from reeducate.signals.emg import METHODS, analyze_emg, read_emg, trigger_times

    if method not in METHODS:
        refuse(f"unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    names = [c.strip() for c in channels.split(",") if c.strip()] if channels else None
    try:
        recording = read_emg(file, channels=names, rate_hz=rate_hz, units=units)
        maximal = read_emg(mvc, channels=names, rate_hz=rate_hz, units=units) if mvc else None
        result = analyze_emg(recording, method=method, rest_s=_rest(rest),
                             triggers_s=trigger_times(recording, trigger) if trigger else (), reference=reference,
                             mvc=maximal, pairs=_pairs(pair, "--pair"), sides=_pairs(sides, "--sides"))
    except (RecordingError, OSError) as error:
        refuse(str(error))
    if as_json:
        print(json.dumps(result.to_json(), indent=1))
        return
    _print(result)


def _print(result: EmgResult) -> None:
    """The readable summary: one row per muscle, then the order and the warnings."""
    table = Table(title=f"{result.source}: {result.duration_s:.1f} s at {result.rate_hz:g} Hz, amplitudes in "
                        f"{result.units}")
    for column in ("muscle", "bursts", "first onset (s)", "median frequency (Hz)", "fatigue"):
        table.add_column(column)
    for channel in result.channels:
        bursts = channel.bursts
        frequencies = [b["median_frequency_hz"] for b in bursts if b["median_frequency_hz"] is not None]
        trend = channel.fatigue
        fatigue = "-" if trend is None else f"{trend['slope_percent_per_min']:+.1f} %/min" + \
            (" (falls)" if trend["falls"] else "")
        table.add_row(channel.name, str(len(bursts)), f"{bursts[0]['onset_s']:.3f}" if bursts else "-",
                      f"{sum(frequencies) / len(frequencies):.1f}" if frequencies else "-", fatigue)
    console.print(table)
    order = result.order["order"]
    if len(order) > 1:
        console.print("Firing order: " + " → ".join(o["channel"] for o in order))
        for pair in result.order["too_close_to_order"]:
            console.print(f"  {pair['first']} and {pair['second']} are too close to order "
                          f"({1000 * pair['median_difference_s']:.0f} ms).")
    for co in result.co_contraction:
        console.print(f"Co-contraction {co['agonist']}/{co['antagonist']}: {co['index_percent']:.1f} %")
    for warning in result.warnings:
        errors.print(f"[yellow]Note:[/yellow] {warning}", highlight=False)
