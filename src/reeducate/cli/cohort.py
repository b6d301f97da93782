"""What `balance batch` and `gait batch` share: a folder or manifest in, the engine chosen (this machine's
processes or a Dask cluster), a progress bar, and one table out (Parquet or CSV), with the refusals named.

Nothing numerical is imported until a command runs, so the groups' help stays quick.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from reeducate.cli.output import errors, refuse

if TYPE_CHECKING:
    from reeducate.signals.batch import Job, RowFunction

Source = Annotated[Path, typer.Argument(
    help="A folder (every file in it is a recording) or a manifest: a .parquet or .csv table with a 'path' "
         "column and, optionally, per-file option columns.")]
Out = Annotated[Path, typer.Option("--out", help="Table to write, one row per file: .parquet or .csv.")]
Workers = Annotated[int | None, typer.Option(help="Local processes when no --cluster (default: every core).")]
Cluster = Annotated[str | None, typer.Option(
    "--cluster", help="Run on Dask distributed: tcp://HOST:PORT of a `dask scheduler` whose workers have this "
                      "reeducate, or local:N to start N worker processes on this machine (docs/cohorts.md).")]
Files = Annotated[str, typer.Option(
    "--files", help="How files reach the cluster's workers: shared (read at their paths), send (the bytes travel "
                    "with each task) or auto (shared when every worker sees every file, else send).")]
ClusterTimeout = Annotated[float, typer.Option("--cluster-timeout-s", help="Seconds to wait for the scheduler.")]


def jobs_of(source: Path, defaults: Mapping[str, Any]) -> list[Job]:
    """The cohort's files and options, or a refusal naming what is wrong with the folder or manifest."""
    from reeducate.signals.cohort import cohort_jobs
    from reeducate.signals.errors import CohortError

    try:
        return cohort_jobs(source, defaults)
    except CohortError as error:
        refuse(str(error))


def check_out(out: Path, files: str) -> None:
    """Refuse an output or file mode we cannot honour before any work is done."""
    from reeducate.signals.cluster import FILE_MODES

    if out.suffix not in (".csv", ".parquet"):
        refuse("--out must end in .csv or .parquet.")
    if files not in FILE_MODES:
        refuse(f"--files {files!r}: choose {', '.join(FILE_MODES)}.")


def analyse_and_write(function: RowFunction, jobs: list[Job], out: Path, *, what: str, cluster: str | None,
                      files: str, workers: int | None, timeout_s: float) -> None:
    """Rows of every job, by ``function``, written to ``out``; says how many of ``what`` were refused and why."""
    import pandas as pd

    from reeducate.signals.cohort import analyse_cohort
    from reeducate.signals.errors import CohortError

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=errors) as progress:
        task = progress.add_task("Analysing", total=len(jobs))
        try:
            rows = list(analyse_cohort(function, jobs, cluster=cluster, files=files,  # type: ignore[arg-type]
                                       workers=workers, timeout_s=timeout_s,  # (files: checked by check_out)
                                       on_start=lambda where: progress.console.print(f"Analysing {where}."),
                                       on_row=lambda: progress.advance(task)))
        except CohortError as error:
            progress.stop()
            refuse(str(error))
    table = pd.DataFrame(rows)
    if out.suffix == ".csv":
        table.to_csv(out, index=False)
    else:
        table.to_parquet(out, index=False)
    failed = table[table["error"] != ""]
    errors.print(f"{len(table) - len(failed)} {what} analysed, {len(failed)} refused; wrote {out}.")
    for _, row in failed.iterrows():
        errors.print(f"[yellow]Refused:[/yellow] {row['error']}", highlight=False)
