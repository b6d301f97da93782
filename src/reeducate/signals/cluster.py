"""The rows of a cohort computed on a Dask distributed cluster: the same row functions, the same rows.

``--cluster`` names the cluster: ``tcp://HOST:PORT`` (or ``tls://...``), a scheduler started with
``dask scheduler`` whose workers (``dask worker tcp://HOST:PORT``) run the same engine as this machine, or
``local:N``, a cluster of N worker processes started here for this run. The files reach the workers in one
of two ways (:data:`FileMode`): ``shared``, the workers read each file at its path (a shared disk, or this
machine); ``send``, this machine reads each file and its bytes travel with the task; ``auto`` asks every
worker whether it sees every file at its path with the same size, and sends the bytes unless they all do.

At most two tasks per worker thread are in flight, so sending a cohort holds only that many files in the
cluster's memory at once. Dask is imported when a cluster is asked for, never with this module.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reeducate import __version__
from reeducate.signals.batch import Job, Row, RowFunction, run_job
from reeducate.signals.errors import CohortError

if TYPE_CHECKING:
    from distributed import Client, Future

FileMode = Literal["auto", "shared", "send"]
FILE_MODES: tuple[FileMode, ...] = ("auto", "shared", "send")
LOCAL_PREFIX = "local:"
TASKS_PER_THREAD = 2


@cache
def engine_fingerprint() -> str:
    """What decides every value of a row, in the process that runs this (a worker, by ``client.run``): the
    reeducate version, a digest of its engines' source (signals/, so two checkouts of different commits
    differ) and the numerical libraries' versions."""
    import numpy
    import pandas
    import scipy

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return (f"reeducate {__version__} (engines {digest.hexdigest()[:12]}), numpy {numpy.__version__}, "
            f"scipy {scipy.__version__}, pandas {pandas.__version__}")


def count_unseen(files: Sequence[tuple[str, int]]) -> int:
    """How many of ``files`` (path, size in bytes) this process cannot see at that path with that size."""
    return sum(1 for path, size in files if not (os.path.isfile(path) and os.path.getsize(path) == size))


@contextmanager
def connect(address: str, *, timeout_s: float = 10.0) -> Iterator[Client]:
    """A client of the cluster at ``address`` (``local:N`` starts one here), checked to have workers that run
    this machine's engine (:func:`engine_fingerprint`); closed (and a local cluster stopped) on leaving."""
    from distributed import Client, LocalCluster

    if address.startswith(LOCAL_PREFIX):
        count = address.removeprefix(LOCAL_PREFIX)
        if not count.isdigit() or int(count) < 1:
            raise CohortError(f"--cluster {address!r}: local:N takes a number of worker processes, e.g. local:2.")
        # ":0": the scheduler's HTTP server (health, dashboard) on any free port, not on 8787 another cluster holds
        with LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            yield client
        return
    if "://" not in address:
        raise CohortError(f"--cluster {address!r}: give a scheduler's address, e.g. tcp://10.0.0.5:8786, "
                          "or local:N for N worker processes on this machine.")
    try:
        client = Client(address, timeout=timeout_s)
    except (OSError, TimeoutError) as error:
        raise CohortError(f"no Dask scheduler answered at {address} within {timeout_s:g} s ({error}). Start one "
                          "with `dask scheduler` on that machine and check the address, port and firewall.") from error
    with client:
        _check_workers(client, address, timeout_s)
        yield client


def _check_workers(client: Client, address: str, timeout_s: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except TimeoutError as error:
        raise CohortError(f"the scheduler at {address} has no workers; start them with `dask worker {address}` "
                          "on machines where reeducate is installed.") from error
    try:
        engines = client.run(engine_fingerprint)
    except Exception as error:  # a worker that cannot import reeducate fails to unpickle the function
        raise CohortError(f"a worker of {address} cannot run reeducate ({error}); install reeducate {__version__} "
                          "in every worker's environment (docs/cohorts.md).") from error
    ours = engine_fingerprint()
    other = {worker: engine for worker, engine in sorted(engines.items()) if engine != ours}
    if other:
        worker, engine = next(iter(other.items()))
        raise CohortError(f"{len(other)} worker(s) of {address} run another engine ({worker}: {engine}; here: {ours}); "
                          "install the same reeducate commit and constraints.txt on every worker so that their rows "
                          "equal this machine's (docs/cohorts.md).")


def choose_file_mode(client: Client, jobs: Sequence[Job], mode: FileMode) -> Literal["shared", "send"]:
    """``mode``, with ``auto`` decided by asking every worker whether it sees every file at its path."""
    if mode != "auto":
        return mode
    files = [(str(job.path), job.path.stat().st_size if job.path.is_file() else -1) for job in jobs]
    unseen = client.run(count_unseen, files)
    return "shared" if not any(unseen.values()) else "send"


def analyse_on_cluster(client: Client, function: RowFunction, jobs: Sequence[Job], *, send: bool,
                       on_row: Callable[[], None] | None = None) -> Iterator[Row]:
    """Rows in the order of ``jobs``, each computed by ``function`` on a worker of ``client``'s cluster;
    with ``send`` the file's bytes travel with its task (a file this machine cannot read travels as its path,
    and its row says what a local run says)."""
    from distributed import as_completed

    waiting = iter(enumerate(jobs))
    running = as_completed()
    index_of: dict[Future, int] = {}

    def submit_next() -> None:
        for index, job in waiting:
            data = _bytes_of(job) if send else None
            sent: Future | None = client.scatter(data, hash=False) if data is not None else None
            future = client.submit(run_job, function, job.path, job.options, sent, pure=False)
            index_of[future] = index
            running.add(future)
            return

    for _ in range(TASKS_PER_THREAD * max(1, sum(client.nthreads().values()))):
        submit_next()
    done: dict[int, Row] = {}
    next_index = 0
    for future in running:
        done[index_of.pop(future)] = future.result()
        if on_row:
            on_row()
        submit_next()
        while next_index in done:
            yield done.pop(next_index)
            next_index += 1


def _bytes_of(job: Job) -> bytes | None:
    try:
        return job.path.read_bytes()
    except OSError:
        return None
