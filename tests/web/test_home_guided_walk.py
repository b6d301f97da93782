"""A guided home session on a phone, posed on the device (issue 20's acceptance): the patient, on a
390x844 page, opens Today and starts the overhead reach their therapist prescribed; the camera is Chromium's fake device
fed the Sports2D demo clip (the man on the box raising his arms, slowed down so the pose model, at about
a frame a second on a machine without a GPU, sees each reach); the count and a cue come from BlazePose
running in the page; pain 8 stops the session with words for the patient, and Today says so; then the therapist's
home-programme panel shows the session and the pain flag; with the clip box left unticked nothing but the
socket's messages and the page's own files' downloads leaves the page. Another patient's session ticks "Record a
short clip", ends, and presses "Share with my therapist": the clip is stored and the therapist's episode page
links to it. The clinic's live page does the same with its "on this device" source.

Screenshots: test-artifacts/screenshots/home-guided-*.png, home-clip-*.png and live-training-device.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import HomeSession, User
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import home_programmes
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.vocabulary import ExerciseStatus, HomeSessionKind
from reeducate.reports.dates import day_text
from reeducate.signals.pose.fake_camera import write_y4m
from tests.support import NOW, PASSWORD, World, require
from tests.web.browsing import CHROMIUM_ARGS, SHOTS, chromium, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VENDORED = Path(__file__).resolve().parents[2] / "src/reeducate/web/static/vendor/mediapipe-pose/pose.js"
PHONE = {"width": 390, "height": 844}
CLIP_FRAMES = 84
"""The man's first two arm raises (overhead at frames 24 and 59, arms down at 0, 42 and 84: see
tests/feedback/test_replays.py), looped by the fake camera."""
STATED_FPS = 5.0
"""The clip's 30 frames a second stated as 5: each raise takes about 7 s, so the pose model sees it
several times even at one frame a second, and still well within the engine's 10 s for a repetition."""
PORTRAIT = ((360, 480), (380, 0, 900, 694))
"""The man on the box cut from the 1768x994 picture (x0, y0, x1, y1) as a phone's portrait camera frames
him, and the picture's size (px)."""
LANDSCAPE = ((640, 480), (178, 0, 1103, 694))
"""The same as the clinic's 640x480 camera frames him (asked of the fake camera in another shape, the
picture would be stretched, and the angles with it)."""
SEEN_WITHIN_MS = 45_000
"""How long the page may take to load the model and count a first repetition (ms)."""


def _prescribe_overhead_reach(engine: Engine, world: World) -> int:
    """The therapist prescribes the overhead reach (left arm, watched from the front) for every day."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        version = home_programmes.prescribe(session, therapist, world.episode, HomeProgrammeInput(
            starts_on=NOW.date(), notes_for_patient="Slowly, and stop if it hurts.",
            items=[HomeItemInput(exercise_id="overhead-reach", monitor="camera-front", side="left", sets=1,
                                 reps=10, weekdays=[1, 2, 3, 4, 5, 6, 7])]))
        return version.items[0].id


@contextmanager
def _fake_camera(clip: Path, folder: Path, framing: tuple[tuple[int, int], tuple[int, int, int, int]]
                 ) -> Iterator[object]:
    """Chromium whose camera is ``clip``'s man on the box, framed as ``framing`` says, slowed down."""
    from playwright.sync_api import sync_playwright

    require(VENDORED.exists(), "The vendored pose model", "run `make vendor`")
    camera = folder / "camera.y4m"
    size, region = framing
    write_y4m(clip, camera, size_px=size, stated_fps=STATED_FPS, last=CLIP_FRAMES, region=region)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=[
            *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}"])
        yield browser
        browser.close()


def _home_session(engine: Engine, item_id: int) -> HomeSession:
    with unit_of_work(make_session_factory(engine)) as session:
        row = session.scalars(select(HomeSession).where(HomeSession.item_id == item_id)).one()
        session.expunge(row)
        return row


def _log_in_phone(browser, server: str, world: World):  # type: ignore[no-untyped-def]
    """The patient's phone-sized page, logged in."""
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(f"{server}/login")
    phone.get_by_label("E-mail").fill(world.emails["patient"])
    phone.get_by_label("Password").fill(PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Log in").click()
    return phone


def test_a_guided_session_counts_and_cues_on_the_phone_and_pain_8_reaches_the_therapist(
        world_engine: Engine, world: World, server: str, tmp_path: Path, example) -> None:
    from playwright.sync_api import expect

    item_id = _prescribe_overhead_reach(world_engine, world)
    with _fake_camera(example("sports2d_demo.mp4"), tmp_path, PORTRAIT) as browser:
        phone = _log_in_phone(browser, server, world)
        sent: list[str] = []
        phone.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(
            "binary" if isinstance(frame, bytes) else json.loads(frame)["type"])))
        refused: list[str] = []
        phone.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        phone.goto(f"{server}/portal/today")
        phone.locator(f"#item-{item_id}").get_by_role("link", name="Start with my camera").click()
        phone.wait_for_url(f"{server}/portal/today/{item_id}/guided")
        expect(phone.get_by_role("heading", name="Overhead reach")).to_be_visible()
        expect(phone.get_by_text("No video leaves your phone")).to_be_visible()
        expect(phone.get_by_label("Record a short clip to share with my therapist")).not_to_be_checked()
        phone.screenshot(path=str(SHOTS / "home-guided-1-before.png"), full_page=True)

        requested: list[tuple[str, str]] = []  # from Start on: only the page's own files may be fetched
        phone.on("request", lambda r: requested.append((r.method, r.url.removeprefix(server))))
        phone.get_by_role("button", name="Start").click()
        expect(phone.locator("#guided-status")).to_have_text("Go ahead. Your phone is counting.", timeout=30_000)
        # The bent elbow of the man's reach is cued before his first reach is counted.
        expect(phone.locator("#guided-cue")).to_have_text("Straighten your elbow as you reach", timeout=SEEN_WITHIN_MS)
        expect(phone.locator("#guided-count")).not_to_have_text("0", timeout=SEEN_WITHIN_MS)
        expect(phone.locator("#guided-score")).to_contain_text("Last one:")
        phone.screenshot(path=str(SHOTS / "home-guided-2-counting.png"), full_page=True)

        phone.get_by_role("button", name="Pain 8").click()
        stop = phone.locator("#guided-stop")
        expect(stop).to_be_visible()
        expect(stop).to_contain_text("Please stop now and rest")
        expect(phone.locator("#guided-running")).to_be_hidden()
        phone.screenshot(path=str(SHOTS / "home-guided-3-pain.png"), full_page=True)
        assert not refused, refused
        assert sent[0] == "start" and set(sent) == {"start", "landmarks", "pain"}, sent  # never a picture
        assert requested and all(method == "GET" and url.startswith("/static/") for method, url in requested), requested
        expect(phone.locator("#guided-clip-choice")).to_be_hidden()

        kept = _home_session(world_engine, item_id)
        assert kept.kind is HomeSessionKind.GUIDED and kept.status is ExerciseStatus.STOPPED_FOR_PAIN
        assert kept.pain_score == 8 and kept.flagged and kept.repetitions >= 1

        stop.get_by_role("link", name="End").click()
        phone.wait_for_url(f"{server}/portal/today")
        expect(phone.locator(f"#item-{item_id}")).to_contain_text("Stopped because of pain, pain 8 out of 10")
        phone.screenshot(path=str(SHOTS / "home-guided-4-today.png"), full_page=True)

        clinic = log_in(browser, server, world.emails["therapist"])
        clinic.goto(f"{server}/home-programmes")
        panel = clinic.locator("main")
        expect(panel).to_contain_text("Quennell")
        expect(panel).to_contain_text("Pain reported")
        expect(panel).to_contain_text("severe, 8 out of 10")
        expect(panel).to_contain_text(f"Overhead reach (left), {day_text(NOW.date())}: pain 8 out of 10")
        clinic.screenshot(path=str(SHOTS / "home-guided-5-therapist.png"), full_page=True)


def test_a_clip_is_recorded_only_when_asked_and_reaches_the_therapist_only_when_shared(
        world_engine: Engine, world: World, server: str, tmp_path: Path, example) -> None:
    from playwright.sync_api import expect

    item_id = _prescribe_overhead_reach(world_engine, world)
    with _fake_camera(example("sports2d_demo.mp4"), tmp_path, PORTRAIT) as browser:
        phone = _log_in_phone(browser, server, world)
        posted: list[str] = []
        phone.on("request", lambda r: posted.append(r.url.removeprefix(server)) if r.method != "GET" else None)
        phone.goto(f"{server}/portal/today/{item_id}/guided")
        phone.get_by_label("Record a short clip to share with my therapist").check()
        expect(phone.get_by_text("it goes to your therapist only if you press Share")).to_be_visible()
        phone.screenshot(path=str(SHOTS / "home-clip-1-ticked.png"), full_page=True)
        phone.get_by_role("button", name="Start").click()
        expect(phone.locator("#guided-status")).to_have_text("Go ahead. Your phone is counting.", timeout=30_000)
        expect(phone.locator("#guided-count")).not_to_have_text("0", timeout=SEEN_WITHIN_MS)
        phone.get_by_role("button", name="End", exact=True).click()

        choice = phone.locator("#guided-clip-choice")
        expect(choice).to_contain_text("Your clip lasts", timeout=10_000)
        expect(phone.locator("#guided-done")).to_contain_text("Well done")
        assert posted == [], posted  # recorded, kept on the phone: nothing sent before Share
        phone.screenshot(path=str(SHOTS / "home-clip-2-offered.png"), full_page=True)
        choice.get_by_role("button", name="Share with my therapist").click()
        expect(choice).to_contain_text("Shared with your therapist.")
        expect(choice.get_by_role("button", name="Delete it")).to_be_hidden()
        phone.screenshot(path=str(SHOTS / "home-clip-3-shared.png"), full_page=True)

        kept = _home_session(world_engine, item_id)
        assert posted == [f"/portal/home-sessions/{kept.id}/clip"], posted
        assert kept.clip_sha256 is not None and kept.clip_filename == (
            f"home-session-{NOW.date().isoformat()}-overhead-reach.webm")
        clip = RecordingStore(Path(world.recordings_dir)).read(kept.clip_sha256)
        assert clip.startswith(b"\x1a\x45\xdf\xa3") and len(clip) > 10_000, len(clip)

        clinic = log_in(browser, server, world.emails["therapist"])
        clinic.goto(f"{server}/episodes/{world.episode}")
        link = clinic.locator("#home-adherence").get_by_role("link", name="Clip shared")
        expect(link).to_have_attribute("href", f"/home-sessions/{kept.id}/clip")
        clinic.locator("#home-adherence").screenshot(path=str(SHOTS / "home-clip-4-therapist.png"))
        assert clinic.request.get(f"{server}/home-sessions/{kept.id}/clip").body() == clip


def test_the_clinics_live_page_poses_the_camera_on_this_device_and_sends_only_landmarks(
        server: str, world: World, tmp_path: Path, example) -> None:
    from playwright.sync_api import expect

    with _fake_camera(example("sports2d_demo.mp4"), tmp_path, LANDSCAPE) as browser:
        page = log_in(browser, server, world.emails["therapist"])
        sent: list[str] = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(
            "binary" if isinstance(frame, bytes) else frame[:24])))
        page.goto(f"{server}/visits/{world.visit_open}/training")
        page.locator("select[name=choice]").select_option("overhead-reach|camera-front")
        page.locator("select[name=side]").select_option("left")
        page.locator("select[name=source]").select_option("device")
        # every text the cue line shows is kept, so a cue shown between two polls under load still counts
        page.evaluate("""() => { window.cuesShown = []; const cue = document.querySelector('#live-cue');
            new MutationObserver(() => window.cuesShown.push(cue.textContent)).observe(
                cue, {childList: true, characterData: true, subtree: true}); }""")
        page.get_by_role("button", name="Start").click()
        page.wait_for_function("() => window.cuesShown.includes('Straighten your elbow as you reach')",
                               timeout=SEEN_WITHIN_MS)
        expect(page.locator("#live-count")).not_to_have_text("0", timeout=SEEN_WITHIN_MS)
        page.screenshot(path=str(SHOTS / "live-training-device.png"), full_page=True)
        page.get_by_role("button", name="End exercise").click()
        expect(page.locator("#live-summary")).to_contain_text("Saved on the visit")
        assert "binary" not in sent and any(m.startswith('{"type":"landmarks"') for m in sent), sent[:5]
        page.goto(f"{server}/visits/{world.visit_open}/training")
        row = page.locator("#records tbody tr").last.inner_text()
        assert "Overhead reach" in row and "pose on this device" in row, row
