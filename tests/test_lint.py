"""The code passes ruff (pyflakes, import order, bugbear, pyupgrade) and mypy, as configured in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a dev dependency: `make test` installs it"
    result = subprocess.run([ruff, "check", "src", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing() -> None:
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    assert mypy, "mypy is a dev dependency: `make test` installs it"
    result = subprocess.run([mypy], cwd=ROOT, capture_output=True, text=True)  # what to check: [tool.mypy]
    assert result.returncode == 0, result.stdout + result.stderr
