"""How long `reeducate` takes to answer, against importing numpy alone, in one run on this machine.

    make bench        (or: python benchmarks/cli_startup.py --runs 10)

Each command runs in a fresh process, as a user types it: `reeducate --help`, every group's `--help`,
and `reeducate billing units --rule cms --minutes 97112=24 --json` (pure arithmetic). The figure is
the best wall-clock time of ``--runs`` runs; the ratio is that over `python -c "import numpy"` timed
the same way in the same run. Target from the issue: `--help` and `billing units` well under a second.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import typer
from typer.core import TyperGroup

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_of  # noqa: E402

from reeducate.cli import app  # noqa: E402

BILLING_UNITS = ["billing", "units", "--rule", "cms", "--minutes", "97112=24", "--json"]


def reeducate_command() -> list[str]:
    """The console script installed next to this interpreter, or the module when there is none."""
    script = shutil.which("reeducate", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "reeducate"]


def group_names() -> list[str]:
    """Every command group at the root of `reeducate`, in the order its help lists them."""
    return [name for name, command in typer.main.get_group(app).commands.items() if isinstance(command, TyperGroup)]


def wall_clock_s(runs: int, command: list[str]) -> float:
    """The best of ``runs`` runs of ``command`` in a fresh process; it must succeed."""
    return best_of(runs, lambda: subprocess.run(command, check=True, capture_output=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="Runs of each command; the best counts.")
    runs = parser.parse_args().runs

    reeducate = reeducate_command()
    numpy_s = wall_clock_s(runs, [sys.executable, "-c", "import numpy"])
    timed = [["--help"], *([group, "--help"] for group in group_names()), BILLING_UNITS]
    print(f"Best of {runs} runs, wall clock; ratio to `python -c \"import numpy\"` ({numpy_s:.3f} s)\n")
    print(f"{'command':<70} {'seconds':>8} {'ratio':>6}")
    for args in timed:
        seconds = wall_clock_s(runs, reeducate + args)
        print(f"{' '.join(['reeducate', *args]):<70} {seconds:>8.3f} {seconds / numpy_s:>6.2f}")


if __name__ == "__main__":
    main()
