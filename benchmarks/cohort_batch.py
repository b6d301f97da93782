"""A cohort on this machine's process pool against the same cohort on a Dask LocalCluster (not in make test).

    python benchmarks/cohort_batch.py [--copies 10] [--workers 2]

The repository's force-plate trials, each linked ``--copies`` times, go through ``balance_row`` three ways:
the local process pool, a LocalCluster of ``--workers`` single-threaded processes reading the files at
their paths, and the same cluster with the files' bytes sent with each task. The cluster is started and its
workers have imported the engines before the clock starts (its start-up is printed on its own); every way
must give the same rows.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path

import pandas as pd

from reeducate.example_data import POSTUROGRAPHY, fetch
from reeducate.signals.batch import Job, Row, analyse_locally, balance_row
from reeducate.signals.cluster import analyse_on_cluster, connect


def _timed(label: str, count: int, run: Callable[[], Iterable[Row]]) -> list[Row]:
    start = time.perf_counter()
    rows = list(run())
    elapsed = time.perf_counter() - start
    print(f"{label:<34}{elapsed:>7.2f} s  {elapsed / count * 1e3:>6.1f} ms a trial")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=10, help="links to each example trial")
    parser.add_argument("--workers", type=int, default=2, help="processes, locally and in the cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cohort-bench-") as folder:
        jobs = []
        for copy in range(args.copies):
            for name in POSTUROGRAPHY:
                link = Path(folder) / f"{copy:03d}_{name}"
                link.symlink_to(fetch(name))
                jobs.append(Job(link.name, link, {"preset": "quijoux2021"}))
        print(f"{len(jobs)} trials, {args.workers} processes")
        local = _timed("local process pool", len(jobs), lambda: analyse_locally(balance_row, jobs, workers=args.workers))
        start = time.perf_counter()
        with connect(f"local:{args.workers}") as client:
            client.run(import_module, "reeducate.signals.batch")
            print(f"{'LocalCluster start and imports':<34}{time.perf_counter() - start:>7.2f} s")
            for send in (False, True):
                label = f"LocalCluster, files {'sent' if send else 'at their paths'}"
                rows = _timed(label, len(jobs), lambda s=send: analyse_on_cluster(client, balance_row, jobs, send=s))
                pd.testing.assert_frame_equal(pd.DataFrame(rows), pd.DataFrame(local), check_exact=True)


if __name__ == "__main__":
    main()
