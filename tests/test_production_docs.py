"""docs/production.md and the files of deploy/ stay true to the code: every REEDUCATE_* they name is a
setting, every setting a deployment may change is in the doc's table, and the systemd units start
commands with options that exist. (tests/test_production_layout.py serves through deploy/nginx.conf.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reeducate.cli import app
from reeducate.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "production.md"
DEPLOY = ROOT / "deploy"
NAMED = re.compile(r"\bREEDUCATE_[A-Z0-9_]*[A-Z0-9]\b")
NOT_FOR_PRODUCTION = {"REEDUCATE_CHROMIUM", "REEDUCATE_DATA_DIR", "REEDUCATE_TEST_POSTGRES_URL"}
"""Variables read outside Settings, by the tests and the example data, never by a deployment."""


def _settings() -> set[str]:
    return {f"REEDUCATE_{name.upper()}" for name in Settings.model_fields}


@pytest.mark.parametrize("path", [DOC, *sorted(DEPLOY.iterdir())], ids=lambda p: p.name)
def test_every_setting_the_layout_names_is_a_setting(path: Path) -> None:
    named = set(NAMED.findall(path.read_text())) - NOT_FOR_PRODUCTION
    assert named <= _settings(), f"{path.name} names settings that do not exist: {sorted(named - _settings())}"


def test_the_settings_table_names_every_setting() -> None:
    table = {name for line in DOC.read_text().splitlines() if line.startswith("| `REEDUCATE_")
             for name in NAMED.findall(line)}
    assert _settings() - table == set(), "docs/production.md's settings table leaves these out"


@pytest.mark.parametrize("unit", sorted(DEPLOY.glob("*.service")), ids=lambda p: p.name)
def test_each_unit_starts_a_command_with_options_that_exist(unit: Path) -> None:
    (line,) = [line for line in unit.read_text().splitlines() if line.startswith("ExecStart=")]
    words = shlex.split(line.removeprefix("ExecStart="))
    assert words[0].endswith("/reeducate"), words
    command = [w for w in words[1:] if not w.startswith("-")][:1]
    options = {w for w in words[1:] if w.startswith("--")}
    shown = CliRunner().invoke(app, [*command, "--help"], prog_name="reeducate", terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert all(option in shown.output for option in options), (options, shown.output)
