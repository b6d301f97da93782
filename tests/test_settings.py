"""Every setting is documented; the documented environment variables are the real ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from reeducate.settings import InsecureSettingsError, Settings


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


def test_an_smtp_server_needs_a_sender_and_a_public_url() -> None:
    with pytest.raises(ValidationError, match="REEDUCATE_SMTP_FROM and REEDUCATE_PUBLIC_URL"):
        Settings(smtp_host="smtp.example.org")
    with pytest.raises(ValidationError, match="must start with https://"):
        Settings(public_url="clinic.example.org")
    settings = Settings(smtp_host="smtp.example.org", smtp_from="reminders@example.org",
                        public_url="https://clinic.example.org")
    assert settings.sends_email and settings.smtp_security == "starttls" and settings.smtp_port == 587
    assert not Settings().sends_email  # the default: no e-mail is sent


@pytest.mark.parametrize(("host", "refused"), [("smtp.example.org", True), ("10.0.0.5", True),
                                                ("localhost", False), ("127.0.0.1", False), ("::1", False)])
def test_plain_smtp_to_another_machine_is_refused_outside_development(host: str, refused: bool) -> None:
    settings = Settings(environment="production", secret_key=SecretStr("x" * 40), smtp_host=host, smtp_security="none",
                        smtp_from="reminders@example.org", public_url="https://clinic.example.org")
    if refused:
        with pytest.raises(InsecureSettingsError, match="unencrypted"):
            settings.check_safe_to_start()
    else:
        settings.check_safe_to_start()
    Settings(**{**settings.model_dump(), "environment": "development"}).check_safe_to_start()
