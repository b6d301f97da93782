"""`reeducate balance ...`: analyse one force-plate trial or a folder of them.

``analyze`` prints the API's JSON (``--json``) or a readable summary; ``batch`` writes one table row
per file of a folder or manifest (CSV or Parquet), on this machine or a Dask cluster (docs/cohorts.md). Exit status 2 means the input was wrong; the message says what and how
to fix it.

The presets and the trial's conditions are the options' choices, which Typer needs when it builds this
group, so the balance engine loads with it; the readers (pandas), the batch and Dask load when used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from reeducate.cli.cohort import (
    Cluster,
    ClusterTimeout,
    Files,
    Out,
    Source,
    Workers,
    analyse_and_write,
    check_out,
    jobs_of,
)
from reeducate.cli.output import console, refuse
from reeducate.signals.balance import PRESETS, Preset, analyze_cop
from reeducate.signals.errors import RecordingError
from reeducate.signals.posturography.clinical import Condition, Stance, Surface, Vision

app = typer.Typer()  # named and described in reeducate/cli/__init__.py

PresetOption = Annotated[str, typer.Option(help=f"Preprocessing: {' or '.join(PRESETS)}.")]


def _preset(name: str, where: str = "") -> Preset:
    """``name`` as a preset, or a refusal (naming ``where`` the name was given, for a manifest's file)."""
    if name not in PRESETS:
        refuse(f"{where}unknown preset {name!r}; choose {' or '.join(PRESETS)}.")
    return name


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="A force-plate recording (CSV/TSV export or C3D).")],
    preset: PresetOption = "quijoux2021",
    format: Annotated[str, typer.Option("--format", help="auto, bds, pds, motive, csv, forces or c3d.")] = "auto",
    ap_column: Annotated[str | None, typer.Option(help="Column holding the AP COP.")] = None,
    ml_column: Annotated[str | None, typer.Option(help="Column holding the ML COP.")] = None,
    units: Annotated[str | None, typer.Option(help="Units of the COP columns: cm, mm or m.")] = None,
    sampling_rate_hz: Annotated[float | None, typer.Option(help="Rate when the file has no time column.")] = None,
    ap_axis: Annotated[str, typer.Option(help="Plate axis pointing forward (forces tables, C3D): x or y.")] = "x",
    height_cm: Annotated[float | None, typer.Option(help="Patient's height, for the equilibrium score.")] = None,
    vision: Annotated[Vision, typer.Option(help="Eyes open or closed.")] = Vision.OPEN,
    surface: Annotated[Surface, typer.Option(help="Firm or foam.")] = Surface.FIRM,
    stance: Annotated[Stance, typer.Option(help="Stance of the trial.")] = Stance.BIPEDAL,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape).")] = False,
) -> None:
    """Every COP descriptor of one trial."""
    from reeducate.signals.io import FORMATS, read_cop
    from reeducate.signals.io.text import UNITS, ColumnOptions

    if units not in (None, *UNITS):
        refuse(f"unknown units {units!r}; use cm, mm or m.")
    if ap_axis not in ("x", "y"):
        refuse("--ap-axis takes x or y.")
    if format not in FORMATS:
        refuse(f"unknown format {format!r}; use one of {', '.join(FORMATS)}.")
    options = ColumnOptions(ap_column=ap_column, ml_column=ml_column, units=units, sampling_rate_hz=sampling_rate_hz,
                            ap_axis=ap_axis)  # type: ignore[arg-type]  # x or y, checked just above
    try:
        recording = read_cop(file, format=format, options=options)
        result = analyze_cop(recording, _preset(preset), condition=Condition(vision, surface, stance),
                             height_cm=height_cm)
    except RecordingError as error:
        refuse(str(error))
    if as_json:
        print(json.dumps(result.to_dict(), indent=1))
        return
    table = Table(title=f"{file.name}: {result.preset}, {result.n_samples} samples at {result.sampling_rate_hz:g} Hz")
    for column in ("descriptor", "reference name", "value", "unit"):
        table.add_column(column)
    for d in result.descriptors:
        table.add_row(d.name, d.quijoux_name, f"{d.value:.6g}", d.unit)
    console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]Note:[/yellow] {warning}")


@app.command()
def batch(
    source: Source,
    out: Out,
    preset: PresetOption = "quijoux2021",
    workers: Workers = None,
    cluster: Cluster = None,
    files: Files = "auto",
    cluster_timeout_s: ClusterTimeout = 10.0,
) -> None:
    """Analyse every trial of a folder or manifest in parallel and write one row per trial.

    A manifest may give each file its own preset (a 'preset' column).
    """
    from reeducate.signals.batch import balance_row

    check_out(out, files)
    jobs = jobs_of(source, {"preset": _preset(preset)})
    for job in jobs:
        _preset(job.options["preset"], f"{job.label}: ")
    analyse_and_write(balance_row, jobs, out, what="trials", cluster=cluster, files=files, workers=workers,
                      timeout_s=cluster_timeout_s)


@app.command()
def docs() -> None:
    """Print docs/balance.md (generated from the engine)."""
    from reeducate.signals.posturography.docs import balance_markdown

    print(balance_markdown(), end="")
