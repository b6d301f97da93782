"""Runtime settings, read from the environment only (prefix ``REEDUCATE_``).

One typed class so that every setting is documented and validated in one place. The server refuses
to start outside development while the secret key is still the published default.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "reeducate-development-secret-change-me"

Environment = Literal["development", "test", "production"]


class InsecureSettingsError(RuntimeError):
    """The settings are not safe for the environment they are used in."""


def default_home_dir() -> Path:
    """The user's data folder for Reeducate (``$XDG_DATA_HOME/reeducate`` or ``~/.local/share``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "reeducate"


class Settings(BaseSettings):
    """Every setting of a Reeducate server; each field is one ``REEDUCATE_<NAME>`` variable."""

    model_config = SettingsConfigDict(env_prefix="REEDUCATE_", extra="ignore")

    environment: Environment = Field(
        "development",
        description="development (local over HTTP: default secret allowed, API docs open to anyone, no "
        "HSTS), test, or production (HTTPS; test behaves as production does).",
    )
    home: Path = Field(
        default_factory=default_home_dir,
        description="Folder for the embedded SQLite database and stored recordings.",
    )
    recordings_dir: Path | None = Field(
        None,
        description="Folder of the raw recordings uploaded to visits (content-addressed); empty means "
        "home/recordings.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; empty means the SQLite file reeducate.sqlite3 in home.",
    )
    secret_key: SecretStr = Field(
        SecretStr(DEFAULT_SECRET_KEY),
        description="Key for CSRF tokens; must be set to a long random value outside development.",
    )
    session_idle_minutes: int = Field(
        30, ge=1, description="A session unused this long is logged out (automatic log-off)."
    )
    session_max_hours: int = Field(12, ge=1, description="A session ends this long after log-in.")
    login_max_failures: int = Field(
        5, ge=1, description="Failed log-ins for one account within the window before it is locked."
    )
    login_max_failures_per_ip: int = Field(
        20, ge=1, description="Failed log-ins from one address within the window before it is locked."
    )
    login_window_minutes: int = Field(15, ge=1, description="Window for counting failed log-ins.")
    max_concurrent_requests: int = Field(
        24, ge=1, le=500,
        description="Requests served at once by one server process; more wait their turn (up to "
        "request_queue_seconds). The database pool holds this many connections and a few more.",
    )
    request_queue_seconds: float = Field(
        30.0, gt=0, description="How long a request may wait for its turn before it is answered 503."
    )
    max_upload_mb: int = Field(
        256, ge=1, description="Largest request body accepted from a logged-in user (MB); the largest "
        "single recording a visit accepts is smaller (a clip: 200 MB).",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; empty (the default) believes nobody, so each client is "
        "the address that connected.",
    )

    @property
    def resolved_database_url(self) -> str:
        """The database to use: ``database_url`` or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'reeducate.sqlite3'}"

    @property
    def resolved_recordings_dir(self) -> Path:
        """Where raw recordings are stored."""
        return self.recordings_dir or self.home / "recordings"

    @property
    def is_development(self) -> bool:
        """Local development over HTTP: the API docs are open and no HSTS is sent; every other
        environment gets what production gets."""
        return self.environment == "development"

    @property
    def cookies_secure(self) -> bool:
        """Session cookies carry the Secure flag everywhere but local development over HTTP."""
        return self.environment == "production"

    def check_safe_to_start(self) -> None:
        """Raise :class:`InsecureSettingsError` if a server must not start with these settings."""
        key = self.secret_key.get_secret_value()
        if self.environment != "development" and key == DEFAULT_SECRET_KEY:
            raise InsecureSettingsError(
                f"REEDUCATE_SECRET_KEY is the published default but REEDUCATE_ENVIRONMENT is "
                f"{self.environment!r}. Set REEDUCATE_SECRET_KEY to a long random value, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        if self.environment != "development" and len(key) < 32:
            raise InsecureSettingsError(
                "REEDUCATE_SECRET_KEY is shorter than 32 characters; use a long random value."
            )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
