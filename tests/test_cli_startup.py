"""The command tree starts without the heavy libraries (reeducate/cli/__init__.py): a group's module
is imported only when the group is asked for, and a command imports its engine when it runs.

What is imported is checked, not how long it takes (that is benchmarks/cli_startup.py): a fresh
interpreter runs the command and reports which of the heavy libraries it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "scipy", "pandas", "sqlalchemy", "alembic", "fastapi", "uvicorn", "simple_icd_10_cm",
         "mediapipe", "cv2", "matplotlib", "weasyprint", "pyx12", "x12sdk", "dask", "distributed", "pyarrow")

_RUN = f"""
import json, sys
from reeducate.cli import app
if sys.argv[1:]:
    try:
        app(prog_name="reeducate")
    except SystemExit:
        pass
print(json.dumps(sorted({{name.partition(".")[0] for name in sys.modules}} & set({HEAVY!r}))))
"""


def heavy_loaded_by(*args: str) -> list[str]:
    """The heavy libraries a fresh interpreter has loaded after ``reeducate ARGS`` (no ARGS: after importing
    the command tree alone)."""
    done = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_the_command_tree_loads_no_heavy_library() -> None:
    assert heavy_loaded_by() == []


@pytest.mark.parametrize("group", ["", "db", "user", "measures", "exercises", "session", "billing", "reminders", "jps"])
def test_the_help_of_the_root_and_of_groups_without_numerical_options_loads_no_heavy_library(group: str) -> None:
    assert heavy_loaded_by(*group.split(), "--help") == []


def test_billing_units_loads_no_heavy_library() -> None:
    assert heavy_loaded_by("billing", "units", "--rule", "cms", "--minutes", "97112=24", "--json") == []


def test_billing_evaluation_loads_no_heavy_library() -> None:
    args = ["--factors", "0", "--elements", "2", "--presentation", "stable", "--decision", "low", "--json"]
    assert heavy_loaded_by("billing", "evaluation", *args) == []


@pytest.mark.parametrize("group", ["balance", "gait"])
def test_the_help_of_a_batch_that_can_run_on_a_cluster_loads_neither_dask_nor_pandas(group: str) -> None:
    assert not {"dask", "distributed", "pyarrow", "pandas"} & set(heavy_loaded_by(group, "batch", "--help"))
