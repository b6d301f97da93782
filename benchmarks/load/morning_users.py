"""The people of a clinic's morning, as Locust users of the web pages (see morning.py, which runs them).

- clinicians (pt@, pta@, dc@ in turn): the day's schedule, their caseload, a patient's chart, an open
  visit of today, that visit's TUG form and a TUG recorded (a write), or minutes recorded, then the
  visit's note draft;
- the front desk: the schedule, a new patient registered (a write) and booked (a write);
- patients (Dorothy, Ana): My care, today's exercises and an "I did it" tick (a write; undone on the next
  round so the list has something to tick), the calendar, their progress;
- a live clinic session: a clinician's simulated exercise over the WebSocket (the server paces the
  simulated patient at real speed), kept open until its summary;
- uploads (:class:`ClipUploader`): a clip uploaded to a visit's movement page; with background jobs the
  page answers at once and ``/api/v1/jobs/{id}`` is polled until the result, without them (older code) the
  page answers once the clip is analysed.

Everyone logs in through the log-in form and carries the session cookie, as a browser does, and fetches
the SVG plots a page shows (``img src``), not the static files (a browser caches them). The think time
between two clicks is ``wait_time``: 2-8 s for the staff (a click every 5 s on average while working at the
computer with a patient), 3-10 s for patients (reading big buttons on a phone). Requests are labelled
with their persona (``context``) so the runner can tally them apart; log-ins, the clip's upload and its
polling are labelled apart too, so that none of them counts in the pages' latency.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

import websocket  # websocket-client: blocking sockets, which Locust's gevent makes cooperative
from locust import HttpUser, between, task
from locust.clients import ResponseContextManager
from locust.exception import StopUser

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PLOT = re.compile(r'<img[^>]+src="(/[^"]+\.svg[^"]*)"')
PATIENT = re.compile(r'href="/patients/(\d+)"')
TICK = re.compile(r'action="(/portal/today/\d+/done)"')
UNDO = re.compile(r'action="(/portal/today/sessions/\d+/undo)"')
PROGRESS = re.compile(r'href="(/episodes/\d+/progress)"')
JOB = re.compile(r"[?&#]job[=-](\d+)")
REGISTERED = re.compile(r"/patients/(\d+)$")

CLINICIANS = ("pt@riverside.example", "pta@riverside.example", "dc@riverside.example")
DESK = ("desk@riverside.example",)
PATIENTS = ("dorothy.brown@riverside.example", "ana.alvarez@riverside.example")
LIVE_EXERCISE = {"type": "start", "exercise": "mini-squat", "monitor": "camera-side", "side": "left",
                 "source": "simulated", "speed": 1}
#: Persona labels of what is tallied apart from the pages' latency.
LOGIN, CLIP, CLIP_RESULT, LIVE = "log-in", "clip upload", "clip result", "live session"


@dataclass(frozen=True)
class Clinic:
    """What the users need to know of the seeded clinic, found by the runner before the load starts."""

    password: str
    visits: dict[str, tuple[int, ...]]
    """Per clinician's e-mail, today's open visits they may record in."""
    providers: tuple[int, ...]
    """The clinicians' user ids, for bookings."""
    clip_name: str
    clip: bytes
    timeout_s: float
    """A request not answered in this time is an error."""
    clip_timeout_s: float
    """The same for an upload (without background jobs it answers once the clip is analysed)."""
    jobs_path: str = "/api/v1/jobs/{id}"


#: Bookings go to free slots: a weekday 13 weeks ahead and on, on the hour 08:00-17:00, one clinician after
#: another, each slot once per process (a real desk books a free slot; a refused double booking is no load).
_SLOTS = itertools.count()


def next_slot(providers: tuple[int, ...]) -> tuple[int, date, str]:
    """The next free (provider, day, time) for a booking."""
    n = next(_SLOTS)
    provider = providers[n % len(providers)]
    hour, n = 8 + (n // len(providers)) % 10, n // (len(providers) * 10)
    weekday = date.today() + timedelta(weeks=13)
    weekday -= timedelta(days=weekday.weekday())  # a Monday
    return provider, weekday + timedelta(weeks=n // 5, days=n % 5), f"{hour:02d}:00"


def answered(reply: ResponseContextManager) -> bool:
    """Whether a request got a 2xx or 3xx answer (Locust's ``ok`` raises for a request that got none)."""
    return 200 <= (reply.status_code or 0) < 400


class _Phones:
    """The portal's writes of one account are made by one simulated user at a time, from a page it has just
    fetched: two users of one account (one person with one phone) never tick or undo on the same page."""

    def __init__(self) -> None:
        self._held: set[str] = set()

    def take(self, account: str) -> bool:
        if account in self._held:
            return False
        self._held.add(account)
        return True

    def give_back(self, account: str) -> None:
        self._held.discard(account)


class ClinicUser(HttpUser):
    """One person at a browser, logged in with the form: pages, their plots, and forms with the CSRF token."""

    abstract = True
    clinic: ClassVar[Clinic]
    persona: ClassVar[str]
    accounts: ClassVar[tuple[str, ...]]
    _turn: ClassVar[Iterator[int]]
    arrived: ClassVar[int] = 0
    """How many users have logged in or given up so far (the runner measures once everyone has)."""
    wait_time = between(2, 8)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._turn = itertools.count()

    def context(self) -> dict[str, str]:
        return {"persona": self.persona}

    def on_start(self) -> None:
        """Log in with the form, trying again (as a person would) up to three times; a user who cannot log
        in stops at its first task (each failed try is an error)."""
        self.email = self.accounts[next(self._turn) % len(self.accounts)]
        self.csrf = ""
        self.rng = random.Random()
        self.logged_in = False
        try:
            self.logged_in = self._log_in()
        finally:
            ClinicUser.arrived += 1

    def _log_in(self) -> bool:
        for _ in range(3):
            self.client.get("/login", name="/login", context={"persona": LOGIN}, timeout=self.clinic.timeout_s)
            home = self.client.post("/login", name="/login (post)", context={"persona": LOGIN},
                                    timeout=self.clinic.timeout_s, data={
                                        "email": self.email, "password": self.clinic.password,
                                        "csrf_token": self.client.cookies.get("reeducate_login_csrf", "")})
            if answered(home):
                self._keep_csrf(home.text)
                return True
            self.wait()
        return False

    def _stop_unless_logged_in(self) -> None:
        """Stop this user quietly (Locust logs a stop raised in ``on_start`` as a failure of its own)."""
        if not self.logged_in:
            raise StopUser()

    def _keep_csrf(self, html: str) -> None:
        found = CSRF.search(html)
        if found:
            self.csrf = found.group(1)

    def page(self, path: str, name: str) -> str:
        """GET a page and the plots it shows; its HTML ('' when it failed)."""
        self._stop_unless_logged_in()
        reply = self.client.get(path, name=name, timeout=self.clinic.timeout_s)
        if not answered(reply):
            return ""
        self._keep_csrf(reply.text)
        for plot in dict.fromkeys(PLOT.findall(reply.text)):
            self.client.get(plot, name=f"{name} plot", timeout=self.clinic.timeout_s)
        return reply.text

    def submit(self, path: str, name: str, fields: dict[str, str], **options: Any) -> ResponseContextManager:
        """POST a form with the CSRF token, following its redirect as a browser does (the time is the
        user's wait: the post and the page it lands on)."""
        self._stop_unless_logged_in()
        options.setdefault("timeout", self.clinic.timeout_s)
        return self.client.post(path, name=name, data={"csrf_token": self.csrf, **fields}, **options)


class Clinician(ClinicUser):
    persona = "clinician"
    accounts = CLINICIANS
    weight = 10

    @task
    def see_a_patient(self) -> None:
        self.page("/schedule", "/schedule")
        self.wait()
        caseload = self.page("/my-patients", "/my-patients")
        self.wait()
        patients = PATIENT.findall(caseload)
        if patients:
            self.page(f"/patients/{self.rng.choice(patients)}", "/patients/[id]")
            self.wait()
        visits = self.clinic.visits.get(self.email, ())
        if not visits:
            return
        visit = self.rng.choice(visits)
        self.page(f"/visits/{visit}", "/visits/[id]")
        self.wait()
        if self.rng.random() < 0.5:
            self.page(f"/visits/{visit}/measures/tug", "/visits/[id]/measures/tug")
            self.wait()
            self.submit(f"/visits/{visit}/measures/tug", "/visits/[id]/measures/tug (post)",
                        {"seconds": f"{self.rng.uniform(8, 20):.1f}"})
        else:
            self.submit(f"/visits/{visit}/activities", "/visits/[id]/activities (post)",
                        {"activity": "therapeutic_exercise", "minutes": str(self.rng.randint(5, 15))})
        self.wait()
        self.page(f"/visits/{visit}/note", "/visits/[id]/note")


class Desk(ClinicUser):
    persona = "desk"
    accounts = DESK
    weight = 2

    @task
    def register_and_book(self) -> None:
        self.page("/schedule", "/schedule")
        self.wait()
        self.page("/patients/new", "/patients/new")
        self.wait()
        registered = self.submit("/patients/new", "/patients/new (post)", {
            "first_name": "Load", "last_name": f"Test{self.rng.randrange(10**9)}", "date_of_birth": "1950-01-01",
            "sex": "female"})
        patient = REGISTERED.search(registered.url or "") if answered(registered) else None
        self.wait()
        if patient is None:
            return
        self.page(f"/appointments/new?patient_id={patient.group(1)}", "/appointments/new")
        self.wait()
        provider, day, at = next_slot(self.clinic.providers)
        self.submit("/appointments/new", "/appointments/new (post)", {
            "patient_id": patient.group(1), "provider_id": str(provider), "date": day.isoformat(), "time": at,
            "duration_min": "45", "kind": "treatment", "reason": "Load test"})


class Patient(ClinicUser):
    persona = "patient"
    accounts = PATIENTS
    weight = 5
    wait_time = between(3, 10)
    phones: ClassVar[_Phones] = _Phones()

    @task
    def do_my_exercises(self) -> None:
        care = self.page("/portal", "/portal")
        self.wait()
        if self.phones.take(self.email):
            try:  # the first item left to do ticked, or, when all are done, the first one undone
                today = self.page("/portal/today", "/portal/today")
                self.wait()
                if tick := TICK.search(today):
                    self.submit(tick.group(1), "/portal/today/[item]/done (post)", {})
                elif undo := UNDO.search(today):
                    self.submit(undo.group(1), "/portal/today/sessions/[id]/undo (post)", {})
            finally:
                self.phones.give_back(self.email)
        else:
            self.page("/portal/today", "/portal/today")
        self.wait()
        self.page("/portal/calendar", "/portal/calendar")
        self.wait()
        progress = PROGRESS.search(care)
        if progress:
            self.page(progress.group(1), "/episodes/[id]/progress (patient)")


class LiveSession(ClinicUser):
    """A clinician running a live exercise in a visit: the simulated patient (five mini-squats, about 20 s),
    paced by the server at real speed, until the summary. Tallied: the time from opening the socket to the
    ``started`` answer (or the refusal), and, as an error, a session that ends without its summary."""

    persona = LIVE
    accounts = ("pt@riverside.example",)
    weight = 2
    wait_time = between(5, 15)

    @task
    def exercise(self) -> None:
        self._stop_unless_logged_in()
        visit = self.rng.choice(self.clinic.visits[self.accounts[0]])
        url = self.host.replace("http", "ws", 1) + f"/visits/{visit}/training/live"
        began, started = time.perf_counter(), False
        try:
            ws = websocket.create_connection(url, timeout=self.clinic.timeout_s, origin=self.host,
                                             cookie="; ".join(f"{k}={v}" for k, v in self.client.cookies.items()))
            try:
                ws.send(json.dumps(LIVE_EXERCISE))
                first = json.loads(ws.recv())
                if first["type"] != "started":
                    raise RuntimeError(f"refused: {first}")
                started = True
                self._tally("start", began, None)
                while (message := json.loads(ws.recv()))["type"] != "summary":
                    if message["type"] == "error":
                        raise RuntimeError(f"error: {message}")
            finally:
                ws.close()
        except Exception as error:  # noqa: BLE001  # a benchmark counts what went wrong and goes on
            self._tally("ended without its summary" if started else "start", began, error)

    def _tally(self, what: str, began: float, problem: Exception | None) -> None:
        self.environment.events.request.fire(
            request_type="WS", name=f"/visits/[id]/training/live {what}", response_time=(time.perf_counter() - began)
            * 1000, response_length=0, exception=problem, context=self.context())


class ClipUploader(ClinicUser):
    """The physical therapist uploading a clip to a visit's movement page and waiting for its analysis:
    the upload's answer (persona ``clip upload``) and the time from the upload to the result (``clip
    result``) are tallied apart from the pages. Not in the weighted mix: the runner adds the uploaders."""

    persona = CLIP
    accounts = ("pt@riverside.example",)
    wait_time = between(20, 40)
    fixed_count = 1

    @task
    def upload_a_clip(self) -> None:
        self.upload_and_wait()

    def upload_and_wait(self) -> float:
        """Upload the clip and wait for its result; the time that took (ms), also tallied."""
        visit = self.rng.choice(self.clinic.visits[self.accounts[0]])
        began = time.perf_counter()
        answer = self.submit(f"/visits/{visit}/movement", "/visits/[id]/movement (upload)", {"kind": "video"},
                             files={"file": (self.clinic.clip_name, self.clinic.clip, "video/mp4")},
                             allow_redirects=False, timeout=self.clinic.clip_timeout_s)
        problem: Exception | None = None
        if answer.status_code != 303:
            problem = RuntimeError(f"the upload answered {answer.status_code}")
        elif job := JOB.search(answer.headers.get("location", "")):
            problem = self._wait_for(int(job.group(1)))
        # else: code without background jobs: the answer came after the analysis
        self.environment.events.request.fire(
            request_type="JOB", name="clip analysed", response_time=(time.perf_counter() - began) * 1000,
            response_length=0, exception=problem, context={"persona": CLIP_RESULT})
        return (time.perf_counter() - began) * 1000

    def _wait_for(self, job: int) -> Exception | None:
        """Poll the job every second until it is done (None) or failed (its error)."""
        deadline = time.monotonic() + self.clinic.clip_timeout_s
        while time.monotonic() < deadline:
            reply = self.client.get(self.clinic.jobs_path.format(id=job), name="/api/v1/jobs/[id]",
                                    timeout=self.clinic.timeout_s)
            if answered(reply):
                status = reply.json()
                if status["status"] == "done":
                    return None
                if status["status"] == "failed":
                    return RuntimeError(f"job {job} failed: {status.get('error')}")
            time.sleep(1.0)
        return RuntimeError(f"job {job} not done after {self.clinic.clip_timeout_s:.0f} s")
