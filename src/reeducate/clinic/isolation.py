"""Uploaded files read in a child process with a memory cap and a time limit, so a bad file is refused.

A damaged recording must never take the server down or hold it up: some C3D parameter sections make
ezc3d crash (a segmentation fault kills the whole process) or spin for minutes, and other mutations
make a reader ask for many gigabytes. So every reading of an uploaded or stored file (the reader and
the engine after it) runs in a worker process of a pebble ``ProcessPool``: started from a fork server
(never by forking the threaded web server), one job per worker (a job never inherits another's state
or memory), with an address-space cap (``setrlimit``) and a wall-time cap per job. A crash, an
exhausted cap or an overrun becomes an :class:`InvalidInput` naming the file and what to do, and the
pool carries on with a fresh worker. The fork server imports the readers and engines once
(``PRELOAD``), so a job starts in milliseconds rather than the seconds those imports take.

The engines stay pure: they know nothing of this; the clinic's services hand :func:`readers` the file's
bytes, the function that reads and analyses it and its options (all picklable: the file goes to the
worker as a path, the result comes back pickled).
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import resource
import signal
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from reeducate.clinic.errors import ClinicError, InvalidInput
from reeducate.clinic.uploads import as_file
from reeducate.signals.errors import RecordingError

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Jobs run at once: this machine's two cores (pose on one clip already keeps about one core busy).
WORKERS = 2
#: How much lower than the server a job runs (nice(2) increment; 10 of the 19 below normal).
JOB_NICENESS = 10
#: Imported once by the fork server (its start, on the first job, takes ~1.8 s here), so each job's worker
#: starts with them loaded instead of spending ~1 s importing them: a job's round trip then costs ~2 ms
#: on a worker that is ready, ~50 ms back to back (pebble starts each fresh worker on its 0.1 s loop).
PRELOAD = (
    "numpy", "pandas", "scipy.signal", "cv2", "ezc3d", "mediapipe.python.solutions.pose",
    "reeducate.clinic.services.balance", "reeducate.clinic.services.movement", "h5py", "reeducate.clinic.services.emg",
)


@dataclass(frozen=True)
class Limits:
    """What one reading of a file may take: address space (MiB) and wall time (s), and what to advise."""

    memory_mib: int
    timeout_s: float
    advice: str = "export it again and upload that"


#: Address space one job may map (MiB). Measured peaks (VmPeak, the fork server's preloaded libraries
#: included): a C3D trial 0.8 GiB, a text force-plate export 1.8 GiB and an IMU walk 2.1 GiB (pandas and
#: BLAS reserve much more than they touch: resident memory stays under 200 MiB), a 4K or 4096x4096 clip
#: through pose 1.7 GiB (resident 0.7 GiB). 4 GiB is twice the largest, and stops a damaged C3D header
#: from sending ezc3d after the 12 GB it asks for.
MEMORY_MIB = 4096
#: The example force-plate and IMU files (up to 1.8 MB) read and analyse in under 0.3 s here, so the
#: largest export allowed (25 MB) in a few seconds; a damaged C3D parameter section can make ezc3d spin
#: for minutes. 60 s stops it with room to spare.
RECORDING = Limits(memory_mib=MEMORY_MIB, timeout_s=60.0)
#: A clip through pose: about 40 frames a second alone on this machine, half that with another job
#: beside it. 900 s is the longest clip allowed (7,200 frames) at 8 frames a second.
VIDEO = Limits(memory_mib=MEMORY_MIB, timeout_s=900.0, advice="trim the clip to the movement, export it "
               "again as MP4 (H.264) and upload that")


class _ReaderFailed(Exception):
    """Raised in the worker for anything but a refusal: picklable, whatever the original error was."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


def _capped(memory_bytes: int, idle: bool, function: Callable[..., T], args: tuple[Any, ...]) -> T:
    """In the worker: cap the address space, run the job, and hand back errors that always unpickle; ``idle``
    (a job worker's analysis) runs only on CPU time nothing else wants (Linux's SCHED_IDLE)."""
    # pebble's own SIGTERM handler is Python code, which never runs while a reader spins in compiled
    # code: the default action ends a job past its time at once, instead of at pebble's SIGKILL 3 s later.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Below the server in the CPU's queue: a clip being posed must not slow the pages everyone else is
    # waiting for (requests are milliseconds of work; a job can wait those milliseconds).
    os.nice(JOB_NICENESS)
    if idle:  # a background job: the pages served on the same machine come first, always
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    try:
        return function(*args)
    except (RecordingError, ClinicError):
        raise  # a reasoned refusal: its message is for the person who sent the file
    except MemoryError:
        raise _ReaderFailed("memory", "") from None
    except Exception as error:  # a reader's own bug on a strange file: refused, and logged by the parent
        raise _ReaderFailed("error", "".join(traceback.format_exception(error))) from None


class ReaderPool:
    """Worker processes that read untrusted files, one job per worker, each within its :class:`Limits`."""

    def __init__(self, *, workers: int = WORKERS, preload: tuple[str, ...] = PRELOAD, idle: bool = False) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(preload))
        self._workers = workers
        self._idle = idle
        self._pool = self._new_pool()
        self._replacing = threading.Lock()

    def _new_pool(self) -> ProcessPool:
        return ProcessPool(max_workers=self._workers, max_tasks=1, context=self._context)

    def _replace(self, broken: ProcessPool) -> None:
        """A new pool for a broken one (once, however many jobs found it broken)."""
        with self._replacing:
            if self._pool is broken:
                log.warning("the reader pool broke (a worker died before its job was seen to start); replaced")
                self._pool = self._new_pool()
                broken.stop()

    def run(self, name: str, limits: Limits, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker; a crash, the memory cap or the time limit refuses file ``name``.

        A :class:`RecordingError` or :class:`ClinicError` raised by the job comes back as it is. pebble
        gives up a whole pool when a worker dies before the pool saw its job start (a reader that
        crashes at once), losing every job in it: each is then tried once more on a new pool.
        """
        crashed = InvalidInput(f"{name} could not be read: the file appears damaged (the reader crashed); "
                               f"{limits.advice}.")
        for _ in range(2):
            pool = self._pool
            try:
                return pool.schedule(_capped, args=(limits.memory_mib * 2**20, self._idle, function, args),
                                     timeout=limits.timeout_s).result()
            except (BrokenProcessPool, RuntimeError):  # RuntimeError: scheduled on a pool that had just broken
                self._replace(pool)
            except FutureTimeout:
                raise InvalidInput(f"{name} could not be read: reading it took over {limits.timeout_s:.0f} s, "
                                   f"which a sound file never needs, so it appears damaged; {limits.advice}.") from None
            except ProcessExpired as expired:
                log.warning("reading %s: the worker died (exit code %s)", name, expired.exitcode)
                raise crashed from None
            except _ReaderFailed as failed:
                if failed.kind == "memory":
                    raise InvalidInput(f"{name} could not be read: reading it needed over {limits.memory_mib} MiB "
                                       f"of memory, which a sound file never needs, so it appears damaged; "
                                       f"{limits.advice}.") from None
                log.error("reading %s failed in the reader:\n%s", name, failed.detail)
                raise InvalidInput(f"{name} could not be read: the file appears damaged (the reader failed on "
                                   f"it); {limits.advice}.") from None
        log.warning("reading %s broke the reader pool twice", name)
        raise crashed

    def read(self, name: str, content: bytes, limits: Limits, function: Callable[..., T], *args: Any) -> T:
        """``function(path, *args)`` in a worker, ``path`` holding ``content`` as file ``name`` for the time
        of the job; the engine's :class:`RecordingError` becomes an :class:`InvalidInput` with its words."""
        with as_file(name, content) as path:
            try:
                return self.run(name, limits, function, path, *args)
            except RecordingError as error:
                raise InvalidInput(str(error)) from None

    def close(self) -> None:
        """Stop the workers (a running job is ended) and wait for them."""
        self._pool.stop()
        self._pool.join()


_background = False


def run_in_background() -> None:
    """This process is a job worker: its readings run only on CPU time that nothing else wants (SCHED_IDLE),
    so the pages a machine also serves never wait for a clip's pose. Call before the first reading."""
    global _background
    _background = True


@cache
def readers() -> ReaderPool:
    """The process's pool of readers, started on first use (its fork server then imports ``PRELOAD``),
    stopped when the process exits."""
    pool = ReaderPool(idle=_background)
    atexit.register(pool.close)
    return pool
