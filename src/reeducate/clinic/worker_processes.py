"""Job workers started beside the web server by `reeducate run` (``--job-workers``): each a
`reeducate worker` process of its own, started again if it dies, stopped with the server.

A clinic on one machine (`make run`) then needs nothing else; a larger layout runs `reeducate run
--job-workers 0` on its web machines and `reeducate worker` on job machines (docs/production.md).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

#: How often the supervisor looks whether a worker has died (s).
LOOK_EVERY_S = 2.0


@contextmanager
def beside(count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` job worker processes, kept running until the block ends (then stopped: SIGTERM, so a
    running job's analysis is abandoned and another worker takes it up later)."""
    workers = [_start() for _ in range(count)]
    stop = threading.Event()
    watcher = threading.Thread(target=_keep_running, args=(workers, stop), name="job-worker-supervisor", daemon=True)
    watcher.start()
    try:
        yield workers
    finally:
        stop.set()
        watcher.join()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


def _start() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "reeducate", "worker"])


def _keep_running(workers: list[subprocess.Popen[bytes]], stop: threading.Event) -> None:
    while not stop.wait(LOOK_EVERY_S):
        for index, worker in enumerate(workers):
            if worker.poll() is not None and not stop.is_set():
                log.warning("job worker %s stopped (exit code %s); started again", worker.pid, worker.returncode)
                workers[index] = _start()
