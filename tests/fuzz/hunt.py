"""The longer offline fuzz run: many seeded C3D mutations through the balance service's reader, keeping
every file that crashes the reader, exhausts its memory cap or runs past its time limit.

    PYTHONPATH=src python -m tests.fuzz.hunt --cases 3000 [--first 0] [--timeout 10]

Each file found is written to tests/fuzz/crashers/ as ``<method>-<seed>-<outcome>.c3d`` and its line
printed for the README there; ``mutations.c3d(base, seed, method)`` makes it again from
tests/fuzz/data/trial.c3d. The CI test (test_crashers.py) then sends every one through the service.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.isolation import MEMORY_MIB, Limits
from reeducate.clinic.services import balance
from reeducate.signals.posturography.clinical import Condition
from tests.fuzz import mutations

HERE = Path(__file__).parent
BASE = HERE / "data" / "trial.c3d"
CRASHERS = HERE / "crashers"
#: What the reader pool answers for each outcome, and the name a crasher's file takes for it.
OUTCOMES = {"the reader crashed": "crash", "which a sound file never needs": "limit"}


def outcome(seed: int, base: bytes) -> tuple[str, str, bytes, float]:
    """(method, outcome: ok, refused, crash or limit, the bytes, seconds) of one seeded case."""
    method, data = mutations.case("c3d", base, seed)
    began = time.perf_counter()
    try:
        balance.analyse(balance.TrialUpload(f"{method}-{seed}.c3d", data, Condition()))
        found = "ok"
    except InvalidInput as refusal:
        found = next((name for words, name in OUTCOMES.items() if words in refusal.message), "refused")
    return method, found, data, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--first", type=int, default=0, help="the first seed")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a case counts as a hang")
    options = parser.parse_args()
    balance.RECORDING = Limits(memory_mib=MEMORY_MIB, timeout_s=options.timeout)
    base = BASE.read_bytes()
    CRASHERS.mkdir(exist_ok=True)
    counts: dict[str, int] = {}
    seeds = range(options.first, options.first + options.cases)
    with ThreadPoolExecutor(2) as threads:  # the reader pool's two workers, both busy
        for seed, (method, found, data, seconds) in zip(seeds, threads.map(lambda s: outcome(s, base), seeds),
                                                         strict=True):
            counts[found] = counts.get(found, 0) + 1
            if found in ("crash", "limit"):
                name = f"{method}-{seed}-{found}.c3d"
                (CRASHERS / name).write_bytes(data)
                print(f"| {name} | {method} | {seed} | {found} ({seconds:.1f} s) |", flush=True)
    print(f"{options.cases} cases from seed {options.first}: {counts}")


if __name__ == "__main__":
    main()
