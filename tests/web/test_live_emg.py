"""EMG biofeedback on the live page, in a real browser: a visit's EMG recording replayed at real speed through
the EMG adapter and the engine, each muscle's bar and lamp moving, the onset order of each activation shown
with its lead in ms, and the record kept on the visit labelled as a replay.

The recording: the first 13 s of the PLUX fatigue record (a real biceps, three contractions) as the "VMO"
channel, and the same samples 40 ms later as the "VL" channel, so every activation has VMO first by 40 ms: a
lead the test knows without trusting the code it checks. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from reeducate.clinic.models import EmgRecording, ExerciseRecord, Visit
from reeducate.clinic.recording_store import RecordingStore
from tests.feedback.emg_files import CHANNELS, RATE_HZ, vmo_vl_csv
from tests.support import World
from tests.web.browsing import SHOTS, log_in

pytestmark = pytest.mark.browser

SECONDS = 13.0


def emg_recording_of_the_visit(engine: Engine, world: World) -> int:
    """The recording kept on the open visit as an upload keeps it: the raw file in the store, its options."""
    content = vmo_vl_csv(SECONDS)
    sha256, _ = RecordingStore(Path(world.recordings_dir)).put(content)
    with Session(engine) as session:
        visit = session.get(Visit, world.visit_open)
        assert visit is not None
        row = EmgRecording(patient_id=visit.patient_id, episode_id=visit.episode_id, visit_id=visit.id,
                           filename="vmo_vl.csv", sha256=sha256, size_bytes=len(content),
                           recorded_by_id=world.user_ids["therapist"], duration_s=SECONDS, channel_count=2,
                           options={"channels": CHANNELS, "rate_hz": RATE_HZ, "units": "mV"}, result={})
        session.add(row)
        session.commit()
        return row.id


def test_an_emg_recording_replays_through_the_live_page_with_bars_lamps_and_the_onset_order(
        browser, server: str, world: World, world_engine: Engine) -> None:
    recording = emg_recording_of_the_visit(world_engine, world)
    page = log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}/training")
    page.locator("select[name=choice]").select_option("vmo-before-vl|emg")
    page.locator("select[name=source]").select_option("recording")
    assert "EMG of 2 muscles recorded at" in page.locator(f"select[name=recording] option[value='emg:{recording}']"
                                                         ).inner_text()
    page.locator("select[name=recording]").select_option(f"emg:{recording}")
    page.get_by_role("button", name="Start").click()

    bars = page.locator("#emg-bars .emg-muscle")
    bars.first.wait_for(timeout=20_000)
    assert [bars.nth(k).get_attribute("data-muscle") for k in range(bars.count())] == [
        "vastus_medialis_oblique", "vastus_lateralis"]
    assert "activations timed (vastus medialis oblique before vastus lateralis)" in page.inner_text(
        "#live-count-label")
    vmo = page.locator(".emg-muscle[data-muscle=vastus_medialis_oblique]")
    page.locator(".emg-muscle[data-muscle=vastus_medialis_oblique] .emg-lamp.on").wait_for(timeout=20_000)
    heights = set()
    for _ in range(12):  # the bar moves as the contraction goes on
        heights.add(vmo.locator(".emg-fill").get_attribute("data-percent"))
        page.wait_for_timeout(100)
    assert len(heights - {""}) >= 3, heights
    page.screenshot(path=str(SHOTS / "live-emg-contraction.png"), full_page=True)

    page.locator("#live-scores li").first.wait_for(timeout=20_000)
    order = page.inner_text("#emg-order")
    assert order.startswith("vastus medialis oblique first, by ") and order.endswith(" ms"), order
    assert abs(int(order.split("by ")[1].split(" ")[0]) - 40) <= 2
    page.screenshot(path=str(SHOTS / "live-emg-order.png"), full_page=True)

    page.locator("#live-summary").wait_for(timeout=30_000)  # the recording played out: the exercise ends
    leads = page.locator("#live-scores li").all_inner_texts()
    assert len(leads) == 3 and all(abs(int(lead.split(" ")[0]) - 40) <= 2 for lead in leads), leads
    assert page.inner_text("#live-count") == "3"
    summary = page.inner_text("#live-summary")
    assert "3 of 3 attempts succeeded (100 %)" in summary, summary
    assert "no MVC given" in summary  # the amplitudes say what they are a percent of
    page.screenshot(path=str(SHOTS / "live-emg-done.png"), full_page=True)

    page.goto(f"{server}/visits/{world.visit_open}/training")
    row = page.locator("#records tbody tr").last.inner_text()
    assert "VMO before VL timing (EMG)" in row and "Replay of a recording of this visit" in row, row
    with Session(world_engine) as session:
        kept = session.scalars(select(ExerciseRecord).where(ExerciseRecord.visit_id == world.visit_open)
                               .order_by(ExerciseRecord.id.desc())).first()
        assert kept is not None and kept.source == "recording" and kept.monitor == "emg"
        assert kept.summary["success_rate"] == 100.0 and len(kept.summary["leads_ms"]) == 3
        assert kept.summary["labels"]["amplitude"].startswith("% of the strongest of the first contractions")


def test_a_simulated_quadriceps_hold_shows_its_target_band_and_counts_the_hold(browser, server: str,
                                                                              world: World) -> None:
    page = log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}/training")
    page.locator("select[name=choice]").select_option("quadriceps-activation-hold|emg")
    page.locator("select[name=source]").select_option("simulated")
    page.get_by_role("button", name="Start").click()
    quadriceps = page.locator(".emg-muscle[data-muscle=quadriceps]")
    quadriceps.wait_for(timeout=20_000)
    band = quadriceps.locator(".emg-band")
    assert band.count() == 1  # 30-60 % of the 0-120 % bar
    assert band.get_attribute("style") == "bottom: 25%; height: 25%;"
    assert page.inner_text("#live-count-label") == "holds of 10 s"
    page.locator("#live-status", has_text="Holding").wait_for(timeout=20_000)
    page.wait_for_timeout(500)
    assert "outside" not in (quadriceps.locator(".emg-fill").get_attribute("class") or "")  # inside the band
    page.screenshot(path=str(SHOTS / "live-emg-hold.png"), full_page=True)
    page.locator("#live-cue", has_text="Held 10").wait_for(timeout=20_000)
    assert page.inner_text("#live-count") == "1"
    page.get_by_role("button", name="End exercise").click()
    summary = page.locator("#live-summary", has_text="Saved on the visit")
    summary.wait_for(timeout=10_000)
    assert "made up" in summary.inner_text()  # a simulated patient's amplitudes say so
