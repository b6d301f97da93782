"""Runtime settings, read from the environment only (prefix ``REEDUCATE_``).

One typed class so that every setting is documented and validated in one place. The server refuses
to start outside development while the secret key is still the published default.
"""

from __future__ import annotations

import os
from functools import lru_cache
from ipaddress import ip_address
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "reeducate-development-secret-change-me"

Environment = Literal["development", "test", "production"]
SmtpSecurity = Literal["starttls", "ssl", "none"]


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
    queue_url: str = Field(
        "",
        description="Where background jobs wait for a worker: empty means Huey's SQLite storage, the file "
        "jobs.sqlite3 in home (no extra service); redis://host:6379/0 a Redis server (production); immediate "
        "runs each job in the process that asks for it (tests).",
    )
    job_lease_s: float = Field(
        30.0, gt=0, le=3600,
        description="A running job whose worker has not beaten its heart for this long (s) is taken for "
        "dead and queued again (the worker beats it every second).",
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
    public_url: str = Field(
        "",
        description="The address patients reach the server at, e.g. https://clinic.example.org: the links "
        "in e-mails (the portal's Today page, unsubscribe) start with it. Needed to send reminders.",
    )
    smtp_host: str = Field(
        "",
        description="The SMTP server that sends the patients' reminder e-mails; empty (the default) sends "
        "none, and the reminder page says so.",
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="The SMTP server's port (587 STARTTLS, 465 SSL).")
    smtp_security: SmtpSecurity = Field(
        "starttls",
        description="starttls (upgrade the connection, the default), ssl (TLS from the start), or none "
        "(plain text: refused outside development unless the server is on this machine).",
    )
    smtp_user: str = Field("", description="The SMTP log-in name; empty sends without logging in.")
    smtp_password: SecretStr = Field(SecretStr(""), description="The SMTP log-in password.")
    smtp_from: str = Field(
        "",
        description="The From address of reminder e-mails, e.g. 'Alpha Rehab <reminders@example.org>'; "
        "needed with smtp_host.",
    )
    smtp_timeout_s: float = Field(
        20.0, gt=0, le=300, description="How long one SMTP conversation may wait on the server (s)."
    )

    @model_validator(mode="after")
    def _mail_is_complete(self) -> Self:
        """An SMTP server without a From address or public URL could only send broken reminders."""
        if self.smtp_host:
            missing = [name for name, value in (("REEDUCATE_SMTP_FROM", self.smtp_from),
                                                ("REEDUCATE_PUBLIC_URL", self.public_url)) if not value]
            if missing:
                raise ValueError(f"REEDUCATE_SMTP_HOST is set, so set {' and '.join(missing)} too "
                                 "(reminder e-mails need a sender and links that reach the server).")
        if self.public_url and not self.public_url.startswith(("https://", "http://")):
            raise ValueError("REEDUCATE_PUBLIC_URL must start with https:// (or http:// on your own machine).")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database to use: ``database_url`` or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'reeducate.sqlite3'}"

    @property
    def resolved_queue_url(self) -> str:
        """The queue to use: ``queue_url`` or the embedded SQLite file."""
        return self.queue_url or f"sqlite:///{self.home / 'jobs.sqlite3'}"

    @property
    def resolved_recordings_dir(self) -> Path:
        """Where raw recordings are stored."""
        return self.recordings_dir or self.home / "recordings"

    @property
    def sends_email(self) -> bool:
        """Whether reminder e-mails are sent: an SMTP server is named (with its sender and public URL)."""
        return bool(self.smtp_host)

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
        if self.environment != "development" and self.smtp_host and self.smtp_security == "none" \
                and not _is_loopback(self.smtp_host):
            raise InsecureSettingsError(
                f"REEDUCATE_SMTP_SECURITY is 'none' for {self.smtp_host}, another machine: patients' "
                "e-mails (and the SMTP password) would cross the network unencrypted. Use starttls or ssl."
            )


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
