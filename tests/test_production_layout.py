"""The production layout of docs/production.md, started on this machine and used as a clinic uses it.

PostgreSQL (a scratch database) holds the records and the jobs' ledger, Redis (a scratch database number)
carries the jobs, `reeducate run --workers 2 --job-workers 0` serves the web behind nginx (deploy/nginx.conf
as shipped, rendered with this test's ports and a certificate made here), one `reeducate worker` runs the
jobs, and every process shares one recordings folder. Through HTTPS a therapist logs in from an address of
her own, checks a patient in, runs a live exercise over the WebSocket and uploads a clip that the job
worker analyses. Then both halves of a backup, the database by `reeducate backup` and the recordings folder
by copy, are restored elsewhere and a recording's raw file is downloaded from the restored pair.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from reeducate.clinic.db import make_engine
from reeducate.clinic.demo import DEMO_PASSWORD
from reeducate.clinic.models import AuditEvent, MovementRecording
from reeducate.example_data import fetch
from reeducate.web.security import SESSION_COOKIE
from tests.mail import free_port
from tests.support import require, restore_demo, scratch_database

# One xdist worker runs the module, so the layout is started once (make test: --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("production-layout")]

ROOT = Path(__file__).resolve().parents[1]
NGINX_SITE = ROOT / "deploy" / "nginx.conf"
POSTGRES_URL = os.environ.get("REEDUCATE_TEST_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/{db}"
REDIS_SCRATCH_DB = 13
"""A database number no one else uses here (the common brief keeps 0 for the machine's own)."""
THERAPIST = "pt@riverside.example"
CLIENT_ADDRESS = "127.0.0.3"
"""The therapist's own address (a loopback alias), so the proxy's address and hers are told apart."""
SECRET_KEY = "production-layout-test-secret-0123456789abcdef"
START_TIMEOUT_S = 90.0
REQUEST_TIMEOUT_S = 60.0
JOB_TIMEOUT_S = 90.0


# -- the pieces --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clinic:
    """The demo clinic in a scratch PostgreSQL database, and the shared recordings folder beside it."""

    database_url: str
    recordings: Path

    def env(self, home: Path, **more: str) -> dict[str, str]:
        """The environment of a Reeducate process of this layout whose own folder is ``home``."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("REEDUCATE_")}
        return {**env, "REEDUCATE_ENVIRONMENT": "production", "REEDUCATE_SECRET_KEY": SECRET_KEY,
                "REEDUCATE_HOME": str(home), "REEDUCATE_DATABASE_URL": self.database_url,
                "REEDUCATE_RECORDINGS_DIR": str(self.recordings), **more}


@dataclass(frozen=True)
class Layout:
    """The layout running: nginx's HTTPS address, the certificate to trust, and the clinic it serves."""

    url: str
    plain_url: str
    certificate: Path
    clinic: Clinic
    logs: Path

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.certificate))

    def client(self) -> httpx.Client:
        """A browser-like client on the therapist's own address, trusting only the layout's certificate."""
        transport = httpx.HTTPTransport(verify=self.tls(), local_address=CLIENT_ADDRESS)
        return httpx.Client(base_url=self.url, transport=transport, timeout=REQUEST_TIMEOUT_S, trust_env=False,
                            follow_redirects=False)

    def log_tails(self) -> str:
        """The end of every process's log, for a failure's message."""
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
                         for path in sorted(self.logs.glob("*.log")))


def _reeducate(*args: str, env: dict[str, str]) -> str:
    """Run a `reeducate` command as an operator would; its output (the test fails with it if it fails)."""
    done = subprocess.run([sys.executable, "-m", "reeducate", *args], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"reeducate {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


@contextmanager
def _scratch_database(name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the tests' server (its URL); dropped at the end."""
    require(shutil.which("pg_isready") is not None and subprocess.run(
        ["pg_isready", "-q", "-h", make_url(POSTGRES_URL).host or "127.0.0.1"]).returncode == 0,
        "PostgreSQL", "start it (`.ci/run` does) or set REEDUCATE_TEST_POSTGRES_URL")
    with scratch_database(POSTGRES_URL, name) as url:
        yield url


def _redis_url() -> str:
    """The scratch Redis database, emptied; the test fails in CI (and skips elsewhere) without Redis."""
    import redis

    url = REDIS_URL.format(db=REDIS_SCRATCH_DB)
    try:
        redis.Redis.from_url(url, socket_timeout=2).flushdb()
    except redis.RedisError as error:
        require(False, "Redis", f"start redis-server on 127.0.0.1:6379 (`.ci/run` does): {error}")
    return url


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and its key, made with the openssl command."""
    require(shutil.which("openssl") is not None, "openssl", "apt-get install openssl")
    certificate, key = folder / "localhost.pem", folder / "localhost.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True)
    return certificate, key


def _rendered_site(web: str, https_port: int, http_port: int, certificate: Path, key: Path) -> str:
    """deploy/nginx.conf with this machine's values where it says CHANGE (and the ports this test may use);
    fails if the shipped file no longer holds a value the layout's operator is told to change."""
    site = NGINX_SITE.read_text()
    for left_out in (r"^\s*server 10\.0\.0\.\d+:8000;.*$",  # the example web machines: this one's instead
                     r"^\s*listen \[::\]:.*$"):  # IPv6, which a test machine may lack
        assert re.search(left_out, site, re.MULTILINE), f"deploy/nginx.conf no longer has {left_out!r}"
        site = re.sub(left_out, "", site, flags=re.MULTILINE)
    for shipped, here in (("upstream reeducate_web {", f"upstream reeducate_web {{\n    server {web};"),
                          ("clinic.example.org", "localhost"),
                          ("/etc/ssl/reeducate/fullchain.pem", str(certificate)),
                          ("/etc/ssl/reeducate/privkey.pem", str(key)),
                          ("listen 443 ", f"listen 127.0.0.1:{https_port} "),
                          ("listen 80;", f"listen 127.0.0.1:{http_port};")):
        assert shipped in site, f"deploy/nginx.conf no longer says {shipped!r}"
        site = site.replace(shipped, here)
    return site


def _nginx_main(prefix: Path, site: Path, logs: Path) -> Path:
    """A main nginx.conf that runs nginx as this user, its pid and buffers in ``prefix``, its logs in ``logs``."""
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""  # root's workers would be nobody
    main = prefix / "nginx.conf"
    temp = "\n".join(f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                              "uwsgi", "scgi"))
    main.write_text(f"""{user}worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {logs / 'nginx-error.log'} warn;
events {{ worker_connections 256; }}
http {{
    access_log {logs / 'nginx-access.log'};
{temp}
    include {site};
}}
""")
    return main


def _started(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:  # the child keeps its own descriptor
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process this test started (SIGTERM, as systemd does); after 20 s, kill it with the session
    it leads (its server processes and reader pools)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_healthy(layout: Layout, processes: list[subprocess.Popen[bytes]]) -> None:
    """Until /healthz answers through nginx; fails at once, with the logs, if a process has exited."""
    deadline = time.monotonic() + START_TIMEOUT_S
    with layout.client() as client:
        while True:
            exited = [p.args for p in processes if p.poll() is not None]
            assert not exited, f"exited: {exited}\n{layout.log_tails()}"
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"the layout did not answer in {START_TIMEOUT_S:.0f} s\n{layout.log_tails()}"
            time.sleep(0.25)


# -- the fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory, demo_home: Path) -> Iterator[Clinic]:
    """The seeded demo clinic moved into a scratch PostgreSQL database as docs/production.md moves an
    embedded one (`reeducate db upgrade`, then the backup restored), its recordings on the shared folder."""
    folder = tmp_path_factory.mktemp("clinic")
    with _scratch_database(f"reeducate_layout_{os.getpid()}") as url:
        shared = folder / "shared" / "recordings"  # stands for the NFS mount every machine has
        shutil.copytree(demo_home / "recordings", shared)
        clinic = Clinic(url, shared)
        _reeducate("db", "upgrade", env=clinic.env(folder / "operator"))
        restore_demo(demo_home, folder, url)
        yield clinic


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory, clinic: Clinic) -> Iterator[Layout]:
    """nginx (HTTPS) -> `reeducate run --workers 2 --job-workers 0`, and one `reeducate worker`, on Redis."""
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    require(nginx is not None, "nginx", "apt-get install nginx-light (`.ci/run` does)")
    assert nginx is not None
    queue = _redis_url()
    folder = tmp_path_factory.mktemp("layout")
    logs = folder / "logs"
    logs.mkdir()
    web_port, https_port, http_port = free_port(), free_port(), free_port()
    certificate, key = _certificate(folder)
    site = folder / "reeducate-site.conf"
    site.write_text(_rendered_site(f"127.0.0.1:{web_port}", https_port, http_port, certificate, key))
    layout = Layout(f"https://localhost:{https_port}", f"http://localhost:{http_port}", certificate, clinic, logs)
    settings = {"REEDUCATE_QUEUE_URL": queue, "REEDUCATE_TRUSTED_PROXIES": "127.0.0.1"}
    processes = [
        _started([sys.executable, "-m", "reeducate", "run", "--host", "127.0.0.1", "--port", str(web_port),
                  "--workers", "2", "--job-workers", "0"], clinic.env(folder / "web-home", **settings),
                 logs / "web.log"),
        _started([sys.executable, "-m", "reeducate", "worker"], clinic.env(folder / "job-home", **settings),
                 logs / "worker.log"),
        _started([nginx, "-p", str(folder), "-e", str(logs / "nginx-start.log"), "-c",
                  str(_nginx_main(folder, site, logs)), "-g", "daemon off;"], dict(os.environ), logs / "nginx.log"),
    ]
    try:
        _wait_healthy(layout, processes)
        yield layout
    finally:
        for process in reversed(processes):
            _stop(process)
        import redis

        redis.Redis.from_url(queue).flushdb()


# -- the tests ---------------------------------------------------------------------------------------------


def _logged_in(client: httpx.Client) -> str:
    """Log in through the form as a browser does (a fake X-Forwarded-For of its own sent along); the CSRF
    token of the page it lands on."""
    page = client.get("/login")
    assert page.status_code == 200, page.text
    reply = client.post("/login", headers={"X-Forwarded-For": "203.0.113.7"},
                        data={"email": THERAPIST, "password": DEMO_PASSWORD, "csrf_token": page.cookies["reeducate_login_csrf"]})
    assert reply.status_code == 303 and reply.headers["location"] == "/schedule", reply.text
    assert "secure" in reply.headers["set-cookie"].lower()  # production over HTTPS: Secure cookies
    return reply.headers["location"]


def _checked_in(client: httpx.Client, schedule: str) -> int:
    """Check in the first of today's booked appointments on the schedule; its visit's id."""
    marker = 'name="csrf_token" value="'
    csrf = schedule[schedule.index(marker) + len(marker):].split('"', 1)[0]
    appointment = re.search(r'action="/appointments/(\d+)/check-in"', schedule)
    assert appointment, "the demo therapist has no booked appointment today"
    reply = client.post(f"/appointments/{appointment[1]}/check-in", data={"csrf_token": csrf})
    assert reply.status_code == 303, reply.text
    visit = re.search(r'href="/visits/(\d+)"', client.get("/schedule").text)
    assert visit
    return int(visit[1])


def _live_exercise(layout: Layout, session_token: str, visit_id: int) -> list[dict]:
    """A simulated patient's mini-squats over wss:// through nginx, as the live page runs them (the
    session cookie and the page's Origin); every message until the summary."""
    from websockets.sync.client import connect

    address = layout.url.replace("https://", "wss://") + f"/visits/{visit_id}/training/live"
    with connect(address, ssl=layout.tls(), origin=layout.url, proxy=None,
                 additional_headers={"Cookie": f"{SESSION_COOKIE}={session_token}"},
                 source_address=(CLIENT_ADDRESS, 0), open_timeout=REQUEST_TIMEOUT_S) as socket:
        socket.send(json.dumps({"type": "start", "exercise": "mini-squat", "monitor": "camera-side", "side": "left",
                                "source": "simulated", "speed": 8}))
        seen: list[dict] = []
        while not seen or seen[-1]["type"] != "summary":
            seen.append(json.loads(socket.recv(timeout=REQUEST_TIMEOUT_S)))
    return seen


def _job_done(client: httpx.Client, job_id: str) -> dict:
    """Poll the job's JSON until it is done or failed (the job worker, not the web, runs it)."""
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return dict(job)
        time.sleep(0.5)


def test_a_clinic_day_runs_through_nginx_two_web_workers_and_a_job_worker(layout: Layout) -> None:
    plain = httpx.get(f"{layout.plain_url}/schedule", trust_env=False, timeout=REQUEST_TIMEOUT_S)
    assert (plain.status_code, plain.headers["location"]) == (301, "https://localhost/schedule")
    with layout.client() as client:
        home = _logged_in(client)
        schedule = client.get(home)
        assert schedule.status_code == 200 and "Jordan Rivera" in schedule.text
        assert schedule.headers["strict-transport-security"].startswith("max-age=")  # from the app, kept by nginx
        visit_id = _checked_in(client, schedule.text)

        seen = _live_exercise(layout, client.cookies[SESSION_COOKIE], visit_id)
        assert seen[0]["type"] == "started", seen[:3]
        assert (seen[-1]["status"], seen[-1]["summary"]["repetitions"]) == ("completed", 5)

        clip = fetch("balancing_cam04.mp4")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"/visits/{visit_id}/movement").text)
        assert csrf
        upload = client.post(f"/visits/{visit_id}/movement", data={"csrf_token": csrf[1], "kind": "video"},
                             files={"file": ("balance.mp4", clip.read_bytes(), "video/mp4")})
        assert upload.status_code == 303, upload.text
        job_id = re.search(r"job[-=](\d+)", upload.headers["location"])
        assert job_id, upload.headers["location"]
        job = _job_done(client, job_id[1])
        assert job["status"] == "done", f"{job}\n{layout.log_tails()}"
        assert job["result"]["type"] and job["result"]["url"]
        recording = client.get(job["result"]["url"])
        assert recording.status_code == 200

    # The proxy's address is 127.0.0.1, hers 127.0.0.3: believed from the named proxy, and only from it.
    engine = make_engine(layout.clinic.database_url)
    with engine.connect() as connection:
        addresses = set(connection.scalars(select(AuditEvent.ip_address).where(AuditEvent.actor == THERAPIST)))
    engine.dispose()
    assert CLIENT_ADDRESS in addresses and not addresses & {"127.0.0.1", "203.0.113.7"}, addresses
    shared = layout.clinic.recordings / hashlib.sha256(clip.read_bytes()).hexdigest()[:2]
    assert shared.is_dir()  # the job worker wrote it where the web workers read it


def test_a_backup_of_the_database_and_the_recordings_restores_on_another_machine(
        clinic: Clinic, tmp_path: Path) -> None:
    """`reeducate backup` while the clinic runs, the recordings folder copied as rsync or a snapshot would,
    both restored into a new database and folder: every recording's raw file is there, byte for byte."""
    from fastapi.testclient import TestClient

    from reeducate.settings import Settings
    from reeducate.web.app import create_app

    backup_file = tmp_path / "reeducate-backup.json.gz"
    _reeducate("backup", str(backup_file), env=clinic.env(tmp_path / "operator"))
    copied = tmp_path / "restored" / "recordings"
    copied.parent.mkdir()
    if shutil.which("rsync"):
        subprocess.run(["rsync", "-a", f"{clinic.recordings}/", f"{copied}/"], check=True)
    else:
        shutil.copytree(clinic.recordings, copied)
    with _scratch_database(f"reeducate_restored_{os.getpid()}") as url:
        restored = Clinic(url, copied)
        said = _reeducate("restore", "--yes", str(backup_file), env=restored.env(tmp_path / "operator"))
        assert "Restored" in said
        engine = make_engine(url)
        with engine.connect() as connection:
            recordings = connection.execute(select(MovementRecording.id, MovementRecording.sha256)).all()
        assert recordings, "the demo clinic has movement recordings"
        settings = Settings(environment="production", secret_key=SECRET_KEY, home=tmp_path / "restored",
                            database_url=url, recordings_dir=copied)
        with TestClient(create_app(settings, engine), base_url="https://testserver") as client:
            token = client.post("/api/v1/auth/login", json={"email": THERAPIST, "password": DEMO_PASSWORD})
            assert token.status_code == 200, token.text
            headers = {"Authorization": f"Bearer {token.json()['token']}"}
            for recording_id, sha256 in recordings:
                raw = client.get(f"/api/v1/movement-recordings/{recording_id}/raw", headers=headers)
                assert raw.status_code == 200, raw.text
                assert hashlib.sha256(raw.content).hexdigest() == sha256
        engine.dispose()
