"""Serve the app: uvicorn in a child process that is started again if it dies.

A server process can die of something no request handler can catch (a native library crashing, the
kernel's out-of-memory killer); the clinic must not find the front desk's screen dead for the rest of
the day. uvicorn's process supervisor watches its worker, replaces one that died or stopped answering
its health check, and stops cleanly on Ctrl+C or SIGTERM.

Forwarded headers (X-Forwarded-For, -Proto) are believed only from the proxies the settings name:
believed from anyone, they let a client choose the address the log-in limiter counts.

Uploads' analyses and the exercise reminders are the job workers' (`reeducate worker`, started beside
the server by `reeducate run`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reeducate.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

APP_FACTORY = "reeducate.web.serve:served_app"
#: How long the server process may leave the supervisor's health check unanswered before it is taken
#: for hung and replaced (s). uvicorn's 5 s is met by a busy but healthy server on two loaded cores.
HEALTH_CHECK_S = 30


def trusted_proxies(settings: Settings) -> list[str]:
    """The proxy addresses (or networks) named in settings, in order, without blanks."""
    return [address.strip() for address in settings.trusted_proxies.split(",") if address.strip()]


def served_app() -> FastAPI:
    """The app as `reeducate run` serves it: from the environment. (Built in the server process; the web
    stack is imported there, not in the supervisor.)"""
    from reeducate.web.app import create_app

    return create_app()


def serve(settings: Settings, host: str, port: int) -> None:
    """Listen on ``host:port`` until stopped; the app is built in the worker from the environment."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    proxies = trusted_proxies(settings)
    config = uvicorn.Config(
        APP_FACTORY, factory=True, host=host, port=port, workers=1, log_level="warning",
        proxy_headers=bool(proxies), forwarded_allow_ips=proxies, timeout_worker_healthcheck=HEALTH_CHECK_S,
    )
    Multiprocess(config, sockets=[config.bind_socket()]).run()
