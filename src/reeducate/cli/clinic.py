"""`reeducate run|worker|demo|db upgrade|user create|backup|restore`: serve the app, run job workers,
seed the demo, migrate, manage users, back up and restore.

The database, the web stack and the demo are imported inside each command, so that the rest of the
command tree starts without them.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reeducate.cli.output import console
from reeducate.clinic.errors import ClinicError
from reeducate.clinic.vocabulary import Role

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer()  # its commands sit at the root of `reeducate` (see reeducate/cli/__init__.py)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")


def _engine() -> Engine:
    from reeducate.clinic.db import make_engine
    from reeducate.settings import get_settings

    return make_engine(get_settings().resolved_database_url)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]Error:[/red] {message}")
    return typer.Exit(code=1)


def _upgrade(engine: Engine) -> None:
    from reeducate.clinic import migrate

    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"Database {where} is up to date (revision {after}).")
    else:
        console.print(f"Database {where} upgraded from {before or 'empty'} to {after}.")


def _seed(engine: Engine) -> None:
    from reeducate.clinic.db import make_session_factory, unit_of_work
    from reeducate.clinic.demo import seed_demo
    from reeducate.clinic.recording_store import RecordingStore
    from reeducate.settings import get_settings

    with unit_of_work(make_session_factory(engine)) as session:
        created = seed_demo(session, store=RecordingStore(get_settings().resolved_recordings_dir))
    console.print("Demo clinic created." if created else "Demo clinic already present; nothing changed.")


def _print_logins() -> None:
    from rich.table import Table

    from reeducate.clinic.demo import DEMO_PASSWORD, demo_logins

    table = Table(title=f"Demo log-ins (password for all: {DEMO_PASSWORD})")
    table.add_column("E-mail")
    table.add_column("Role")
    table.add_column("Name")
    for login in demo_logins():
        table.add_row(login.email, login.role.label, login.name)
    console.print(table)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations (SQLite by default; REEDUCATE_DATABASE_URL for PostgreSQL)."""
    _upgrade(_engine())


#: Jobs a `reeducate worker` runs at once unless told (its --threads).
JOB_THREADS = 1


def job_worker_connections(threads: int) -> int:
    """The pool a job worker keeps: a connection per job at once and two for its queue's sweeps and reminders."""
    return threads + 2


@app.command()
def worker(
    threads: Annotated[int, typer.Option(min=1, max=32, help="Jobs run at once by this process (each clip's "
                                                             "pose keeps about one core busy).")] = JOB_THREADS,
) -> None:
    """Run job workers until stopped: analyse uploaded clips, IMU walks and force-plate trials, from the queue
    of REEDUCATE_QUEUE_URL (default: the SQLite file in REEDUCATE_HOME), on the database of REEDUCATE_DATABASE_URL."""
    from reeducate.clinic.db import make_engine, make_session_factory
    from reeducate.clinic.isolation import JOB_NICENESS, run_in_background
    from reeducate.clinic.mailer import SmtpMailer
    from reeducate.clinic.queue import JobQueue
    from reeducate.clinic.recording_store import RecordingStore
    from reeducate.clinic.reminder_rounds import ReminderRounds
    from reeducate.settings import InsecureSettingsError, get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)  # its start-up banner; our own lines say what runs
    settings = get_settings()
    try:
        settings.check_safe_to_start()  # it sends the reminders: the same rules as the server's
    except InsecureSettingsError as error:
        raise _fail(str(error)) from error
    if settings.queue_url == "immediate":
        raise _fail("REEDUCATE_QUEUE_URL=immediate runs jobs where they are asked for: a worker has no queue to "
                    "serve. Leave it empty (SQLite in REEDUCATE_HOME) or name a Redis server.")
    # Below the web server in the CPU's queue, and its analyses only on time nothing else wants (SCHED_IDLE):
    # on a machine that also serves pages, a clip's pose takes only what the pages leave.
    os.nice(JOB_NICENESS)
    run_in_background()
    engine = make_engine(settings.resolved_database_url, connections=job_worker_connections(threads))
    try:
        queue = JobQueue(settings.resolved_queue_url, make_session_factory(engine),
                         RecordingStore(settings.resolved_recordings_dir), settings.job_lease_s)
    except ValueError as error:
        raise _fail(str(error)) from error
    mailer = SmtpMailer.from_settings(settings)
    if mailer is not None:
        queue.every_minute("reeducate.send_reminders",
                           ReminderRounds(queue.sessions, mailer, settings.public_url).run_logged)
    where = engine.url.render_as_string(hide_password=True)
    console.print(f"Job worker: {threads} at a time, queue {_redacted(settings.resolved_queue_url)}, database {where}; "
                  + (f"reminder e-mails each minute through {settings.smtp_host}" if mailer else
                     "no reminder e-mails (no SMTP server set)") + " (Ctrl+C stops)")
    queue.work(threads)


def _redacted(url: str) -> str:
    """A queue's address without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True) if "://" in url and "@" in url else url


@app.command()
def demo() -> None:
    """Migrate and seed the demo clinic (idempotent), then print the demo log-ins."""
    engine = _engine()
    _upgrade(engine)
    _seed(engine)
    _print_logins()


@app.command()
def run(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_demo: Annotated[bool, typer.Option("--demo/--no-demo", help="Seed the demo clinic.")] = False,
    workers: Annotated[int, typer.Option(
        help="Web server processes sharing the port (PostgreSQL only beyond 1); about one per core.")] = 1,
    job_workers: Annotated[int, typer.Option(min=0, max=16, help="`reeducate worker` processes started beside the "
                                             "server for uploads' analyses (0 when job machines run them).")] = 1,
) -> None:
    """Migrate the database and serve the web app (each server process started again if it dies), with job
    workers beside it."""
    from reeducate.clinic import worker_processes
    from reeducate.clinic.db import connection_room, make_engine, pool_limit
    from reeducate.settings import InsecureSettingsError, get_settings
    from reeducate.web.serve import SizingError, serve, sizing

    settings = get_settings()
    try:
        settings.check_safe_to_start()
    except InsecureSettingsError as error:
        raise _fail(str(error)) from error
    if with_demo:
        # Seeding reads the demo's recordings in reader processes and their fork server (~300 MB); done by
        # `reeducate demo` in a process of its own, none of that stays in this one, which only supervises.
        seeded = subprocess.run([sys.executable, "-m", "reeducate", "demo"], check=False)
        if seeded.returncode:
            raise typer.Exit(seeded.returncode)  # it said why
    engine = make_engine(settings.resolved_database_url)
    try:
        if not with_demo:
            _upgrade(engine)
        room = connection_room(engine)
    finally:
        engine.dispose()  # the server processes open their own connections
    try:  # the job workers' pools (each `reeducate worker` at its default --threads) come out of the same room
        web = sizing(workers, settings.max_concurrent_requests, room,
                     others=job_workers * pool_limit(job_worker_connections(JOB_THREADS)))
    except SizingError as error:
        raise _fail(str(error)) from error
    if web.lowered_from is not None:
        console.print(f"{web.workers} workers serve {web.requests_per_worker} requests at once each (not "
                      f"{web.lowered_from}): their {web.connections} database connections fit PostgreSQL's {room}.")
    console.print(f"\nReeducate is serving on [bold]http://{host}:{port}[/bold] with {web.workers} "
                  f"worker{'s' if web.workers > 1 else ''}  (API docs: /docs; Ctrl+C stops)\n")
    with worker_processes.beside(job_workers):
        serve(settings, host, port, web)


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Log-in e-mail.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[Role, typer.Option(help="What the person does in the clinic.")],
    clinic: Annotated[str, typer.Option(help="The clinic's short name (slug).")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          help="At least 15 characters, not a common password "
                                               "(NIST SP 800-63B-4); a few unrelated words work well.")],
    credentials: Annotated[str, typer.Option(help="Letters after the name, e.g. 'PT, DPT'.")] = "",
    patient_mrn: Annotated[str, typer.Option(help="For a patient account: their MRN.")] = "",
) -> None:
    """Create an account in a clinic."""
    from sqlalchemy import select

    from reeducate.clinic.access import Actor
    from reeducate.clinic.db import make_session_factory, unit_of_work
    from reeducate.clinic.models import Clinic, Patient
    from reeducate.clinic.services.users import create_user

    engine = _engine()
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            found = session.scalar(select(Clinic).where(Clinic.slug == clinic))
            if found is None:
                slugs = ", ".join(session.scalars(select(Clinic.slug))) or "none yet"
                raise ClinicError(f"No clinic {clinic!r}; clinics: {slugs}.")
            patient = None
            if patient_mrn:
                patient = session.scalar(select(Patient).where(Patient.clinic_id == found.id,
                                                               Patient.mrn == patient_mrn))
                if patient is None:
                    raise ClinicError(f"No patient with MRN {patient_mrn!r} in {found.name}.")
            user = create_user(session, Actor.system("user create"), clinic=found, email=email,
                               full_name=name, role=role, password=password,
                               credentials=credentials, patient=patient)
            console.print(f"Created {user.role.label.lower()} {user.email} (id {user.id}) in {found.name}.")
    except ClinicError as error:
        raise _fail(error.message) from error


@app.command()
def backup(path: Annotated[Path, typer.Argument(help="File to write, e.g. reeducate-2026-11-21.json.gz")]) -> None:
    """Write every record to a portable backup file."""
    from reeducate.clinic import backup as backups

    summary = backups.backup(_engine(), path)
    console.print(f"Backed up {sum(summary.rows.values())} records (schema {summary.revision}) to {path}.")


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A file written by `reeducate backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Replace existing records without asking.")] = False,
) -> None:
    """Replace all records with those of a backup (refused, changing nothing, if the file is bad)."""
    from reeducate.clinic import backup as backups
    from reeducate.clinic import migrate

    engine = _engine()
    try:
        backups.read_backup(path)
        migrate.upgrade(engine)
        existing = backups.count_records(engine)
        if existing and not yes and not typer.confirm(
            f"The database holds {existing} records; replace them all with {path}?"
        ):
            raise _fail("Restore cancelled; nothing changed.")
        summary = backups.restore(engine, path)
    except ClinicError as error:
        raise _fail(error.message) from error
    console.print(f"Restored {sum(summary.rows.values())} records from {path} (written {summary.created_at}).")
