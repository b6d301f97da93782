"""Every setting is documented; the documented environment variables are the real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from reeducate.settings import Settings


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_has_a_description(name: str) -> None:
    assert Settings.model_fields[name].description, f"REEDUCATE_{name.upper()} needs a description"


def test_settings_come_from_reeducate_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REEDUCATE_HOME", str(tmp_path))
    monkeypatch.setenv("REEDUCATE_SESSION_IDLE_MINUTES", "10")
    settings = Settings()
    assert settings.session_idle_minutes == 10
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'reeducate.sqlite3'}"


def test_every_setting_is_listed_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = [f"REEDUCATE_{n.upper()}" for n in Settings.model_fields if f"REEDUCATE_{n.upper()}" not in readme]
    assert not missing, f"document these in README.md: {missing}"
