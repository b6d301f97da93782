"""Balance engine against the Quijoux et al. 2021 reference code, side by side on the same files.

    make bench QUIJOUX_REFERENCE=PATH      (PATH: a checkout or bare git dir of the reference)

For every recording of the shared posturography set: the time our engine takes for the complete
descriptor set (best of 5) and the time the reference takes (one run; it is slow), their ratio, and
the largest relative difference of any descriptor. Then a batch of 1,000 trials (the shared 60-s
recordings over and over) through ``reeducate.signals.batch`` on every core, reading included.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quijoux_reference import load, reference_values  # noqa: E402
from recordings import load_all  # noqa: E402
from timing import best_of  # noqa: E402

from reeducate.example_data import POSTUROGRAPHY, fetch  # noqa: E402
from reeducate.signals.balance import analyze_cop  # noqa: E402
from reeducate.signals.batch import Job, analyse_locally, balance_row  # noqa: E402


def _largest_difference(ours: dict[str, float], theirs: dict[str, float]) -> tuple[float, str]:
    worst, which = 0.0, ""
    for key, expected in theirs.items():
        value = ours[key]
        if math.isnan(expected) and math.isnan(value):
            continue
        difference = abs(value - expected) / abs(expected) if expected else abs(value)
        if difference > worst or math.isnan(difference):
            worst, which = difference, key
    return worst, which


def compare(reference: str | None) -> None:
    loaded = load(reference)
    print(f"Reference: Jythen/code_descriptors_postural_control @ {loaded[3][:12]}")
    print(f"{'recording':<24}{'samples':>8}{'ours ms':>10}{'reference ms':>14}{'ratio':>8}  largest rel. difference")
    ratios_60s, worst_overall = [], (0.0, "", "")
    recordings = load_all()
    analyze_cop(next(iter(recordings.values())), "quijoux2021")  # warm up (first calls load scipy parts)
    for name, recording in recordings.items():
        ours_s = best_of(5, lambda r=recording: analyze_cop(r, "quijoux2021"))
        start = time.perf_counter()
        theirs = reference_values(recording, loaded)
        reference_s = time.perf_counter() - start
        ours = {d.quijoux_name: d.value for d in analyze_cop(recording, "quijoux2021").descriptors}
        worst, key = _largest_difference(ours, theirs)
        if worst >= worst_overall[0]:
            worst_overall = (worst, name, key)
        ratio = reference_s / ours_s
        if recording.n_samples == 6000 and recording.sampling_rate_hz == 100:
            ratios_60s.append(ratio)
        print(f"{name:<24}{recording.n_samples:>8}{ours_s * 1e3:>10.2f}{reference_s * 1e3:>14.0f}{ratio:>8.0f}  "
              f"{worst:.1e} ({key})")
    print(f"\n60-s 100-Hz trials: reference/ours = {statistics.median(ratios_60s):.0f}x median, "
          f"{min(ratios_60s):.0f}x at worst (target: at least 100x)")
    print(f"Largest relative difference of any descriptor: {worst_overall[0]:.2e} "
          f"({worst_overall[2]} in {worst_overall[1]}; acceptance: 1e-6)")


def batch(count: int, workers: int) -> None:
    sources = [fetch(n) for n in POSTUROGRAPHY if not n.startswith("quijoux")]
    with tempfile.TemporaryDirectory(prefix="balance-batch-") as folder:
        paths = []
        for index in range(count):
            link = Path(folder) / f"trial{index:04d}_{sources[index % len(sources)].name}"
            link.symlink_to(sources[index % len(sources)])
            paths.append(link)
        start = time.perf_counter()
        jobs = [Job(str(path), path, {"preset": "quijoux2021"}) for path in paths]
        rows = list(analyse_locally(balance_row, jobs, workers=workers))
        elapsed = time.perf_counter() - start
    failed = sum(1 for row in rows if row["error"])
    print(f"\nBatch: {count} trials of 60 s on {workers} cores (reading included): {elapsed:.1f} s "
          f"({elapsed / count * 1e3:.1f} ms a trial; target: under 60 s), {failed} refused")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", help="checkout or git dir of the reference (or $QUIJOUX_REFERENCE)")
    parser.add_argument("--batch", type=int, default=1000, help="trials in the batch measurement")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    compare(args.reference)
    batch(args.batch, args.workers)


if __name__ == "__main__":
    main()
