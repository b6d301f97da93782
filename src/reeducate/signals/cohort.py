"""A cohort: the files to analyse (a folder, or a manifest table of paths with per-file options) and the
engine that analyses them (this machine's cores, or a Dask cluster), one row per file in the given order.

A manifest is a Parquet or CSV table with a ``path`` column; a relative path is read from the manifest's
folder. Columns named like a row function's options (for gait: ``sensor``, ``side``, ``sampling_rate_hz``,
``sensor_height_m``) set that file's options; an empty cell leaves the default. Other columns (a subject's
code, a visit) are left alone: join the result back on ``path``. Both engines run the same row function on
the same files, so their tables are equal row for row (tests/signals/test_cohort.py checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from reeducate.signals.batch import Job, Row, RowFunction, analyse_locally
from reeducate.signals.cluster import FileMode
from reeducate.signals.errors import CohortError

MANIFEST_SUFFIXES = (".parquet", ".csv")


def folder_jobs(folder: Path, defaults: Mapping[str, Any]) -> list[Job]:
    """Every visible file of ``folder`` (not its sub-folders), by name, with the same options."""
    paths = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not paths:
        raise CohortError(f"{folder} holds no files.")
    return [Job(str(p), p.absolute(), dict(defaults)) for p in paths]


def manifest_jobs(manifest: Path, defaults: Mapping[str, Any]) -> list[Job]:
    """The files a manifest lists, in its order, each with ``defaults`` overridden by its own cells."""
    import pandas as pd

    if manifest.suffix not in MANIFEST_SUFFIXES:
        raise CohortError(f"{manifest}: a manifest is a .parquet or .csv table with a path column.")
    try:
        table = pd.read_parquet(manifest) if manifest.suffix == ".parquet" else pd.read_csv(manifest)
    except (OSError, ValueError) as error:
        raise CohortError(f"{manifest}: not a readable {manifest.suffix[1:]} table ({error}).") from error
    if "path" not in table.columns:
        raise CohortError(f"{manifest} has no 'path' column (it has {', '.join(map(str, table.columns))}); "
                          "name the column of file paths 'path'.")
    if table.empty:
        raise CohortError(f"{manifest} lists no files.")
    options = [c for c in table.columns if c in defaults]
    jobs = []
    for number, record in enumerate(table.to_dict("records"), start=1):
        if pd.isna(record["path"]) or not str(record["path"]).strip():
            raise CohortError(f"{manifest}, row {number}: the path is empty.")
        given = Path(str(record["path"]))
        own = {name: _plain(record[name]) for name in options if not pd.isna(record[name])}
        jobs.append(Job(str(given), (given if given.is_absolute() else manifest.parent / given).absolute(),
                        {**defaults, **own}))
    return jobs


def _plain(value: object) -> object:
    """A manifest cell as a Python value (numpy scalars become int, float or str)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def cohort_jobs(source: Path, defaults: Mapping[str, Any]) -> list[Job]:
    """The jobs of a folder or of a manifest file."""
    if source.is_dir():
        return folder_jobs(source, defaults)
    if source.is_file():
        return manifest_jobs(source, defaults)
    raise CohortError(f"{source}: no such folder or manifest.")


def analyse_cohort(function: RowFunction, jobs: Sequence[Job], *, cluster: str | None = None,
                   files: FileMode = "auto", workers: int | None = None, timeout_s: float = 10.0,
                   on_start: Callable[[str], None] | None = None,
                   on_row: Callable[[], None] | None = None) -> Iterator[Row]:
    """One row per job, in the order of ``jobs``, each starting with the job's ``path`` as given.

    ``cluster`` None runs on ``workers`` local processes; otherwise it is a Dask address or ``local:N``
    (signals/cluster.py). ``on_start`` hears one sentence saying where the rows are computed.
    """
    if cluster is None:
        if on_start:
            on_start(f"on this machine, in {workers} processes" if workers else "on this machine, one process a core")
        rows = analyse_locally(function, jobs, workers=workers, on_row=on_row)
        yield from ({"path": job.label, **row} for job, row in zip(jobs, rows, strict=True))
        return
    from reeducate.signals.cluster import analyse_on_cluster, choose_file_mode, connect

    with connect(cluster, timeout_s=timeout_s) as client:
        mode = choose_file_mode(client, jobs, files)
        if on_start:
            threads = sum(client.nthreads().values())
            where = "read by the workers at their paths" if mode == "shared" else "sent with each task"
            on_start(f"on the Dask cluster {cluster} ({threads} worker thread{'s' * (threads != 1)}; files {where})")
        rows = analyse_on_cluster(client, function, jobs, send=mode == "send", on_row=on_row)
        yield from ({"path": job.label, **row} for job, row in zip(jobs, rows, strict=True))
