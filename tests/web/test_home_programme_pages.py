"""The home programme's pages: a therapist writes the first version from the plan of care and the next
with a reason, an assistant may change it, the front desk may not see it; the patient's Today shows the
day's exercises with their dose in words, ticks one done, and says when a rest day is."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import NOW, World
from tests.web.browsing import SHOTS, log_in
from tests.web.conftest import bearer

TODAY = NOW.date()  # Wednesday 25 November 2026
SQUAT_ROW = {"rows": "1", "row-0-exercise": "mini-squat", "row-0-sets": "2", "row-0-reps": "10", "row-0-hold_s": "",
             "row-0-side": "left", "row-0-monitor": "camera-side", "row-0-weekday": ["1", "3", "5"],
             "row-0-notes": "Hold the kitchen counter.", "starts_on": TODAY.isoformat(), "ends_on": "",
             "notes_for_patient": "Stop if your knee swells.", "change_reason": "", "action": "save"}


def _first_version(client: TestClient, world: World, persona: str = "therapist") -> None:
    reply = client.post(f"/episodes/{world.episode}/home", headers=bearer(client, world, persona), data=SQUAT_ROW)
    assert reply.status_code == 303, reply.text[:500]


def test_a_therapist_starts_from_the_plan_of_care_and_saves_the_first_version(client: TestClient,
                                                                             world: World) -> None:
    pt = bearer(client, world, "therapist")
    assert client.post(f"/episodes/{world.episode}/plan", headers=pt, data={
        "visits_per_week": "2", "weeks": "6", "add": "exercise:single-leg-stance"}).status_code == 303
    page = client.get(f"/episodes/{world.episode}/home", headers=pt)
    assert page.status_code == 200 and "No home programme yet" in page.text
    assert "Single-leg stance" in page.text and "plan of care" in page.text and "Save version 1" in page.text
    assert 'value="camera-front" selected' in page.text  # its camera monitor, so that it can be guided
    reply = client.post(f"/episodes/{world.episode}/home", headers=pt, data=SQUAT_ROW)
    assert reply.status_code == 303 and reply.headers["location"].startswith(f"/episodes/{world.episode}/home?saved=1")
    page = client.get(reply.headers["location"], headers=pt)
    for shown in ("Version 1 saved", "Version 1, in force Wed 25 Nov 2026 to no end date", "Mini squat",
                  "2 sets of 10", "Monday, Wednesday and Friday", "Guided by the camera", "Hold the kitchen counter.",
                  "Stop if your knee swells.", "Added Mini squat (left): 2 sets of 10, Monday, Wednesday and Friday",
                  "Save version 2", "Why it changes"):
        assert shown in page.text, shown


def test_the_next_version_needs_a_reason_and_lists_what_changed(client: TestClient, world: World) -> None:
    _first_version(client, world)
    assistant = bearer(client, world, "assistant")
    changed = {**SQUAT_ROW, "row-0-sets": "3", "row-0-weekday": ["1", "2", "3", "4", "5", "6", "7"]}
    reply = client.post(f"/episodes/{world.episode}/home", headers=assistant, data=changed)
    assert reply.status_code == 422 and "Say why the programme changes" in reply.text
    assert 'name="row-0-sets" value="3"' in reply.text  # the form comes back as typed
    reply = client.post(f"/episodes/{world.episode}/home", headers=assistant,
                        data={**changed, "change_reason": "Squats easy now"})
    assert reply.status_code == 303
    page = client.get(reply.headers["location"], headers=assistant).text
    assert "Version 2, in force" in page and "Squats easy now" in page
    assert ("Mini squat (left): dose 2 sets of 10 → 3 sets of 10; days Monday, Wednesday and Friday → every day"
            in page.replace("&gt;", ">"))


def test_an_exercise_added_to_the_form_comes_with_the_librarys_dose_and_is_not_yet_saved(
        client: TestClient, world: World) -> None:
    pt = bearer(client, world, "therapist")
    reply = client.post(f"/episodes/{world.episode}/home", headers=pt,
                        data={**SQUAT_ROW, "action": "add", "add": "foam-stance"})
    assert reply.status_code == 200 and "No home programme yet" in reply.text
    assert 'name="row-1-exercise" value="foam-stance"' in reply.text and 'name="row-1-hold_s" value="30"' in reply.text
    assert 'name="row-0-notes" value="Hold the kitchen counter."' in reply.text
    assert "Watched in the clinic by the force plate only" in reply.text  # its instructions speak of the plate


def test_a_refused_form_names_the_exercise_and_the_day_or_date_to_correct(client: TestClient, world: World) -> None:
    pt = bearer(client, world, "therapist")
    reply = client.post(f"/episodes/{world.episode}/home", headers=pt, data={**SQUAT_ROW, "row-0-weekday": []})
    assert reply.status_code == 422 and "Mini squat: Weekdays: choose at least one day of the week." in reply.text
    reply = client.post(f"/episodes/{world.episode}/home", headers=pt,
                        data={**SQUAT_ROW, "ends_on": (TODAY - timedelta(days=1)).isoformat()})
    assert reply.status_code == 422 and "ends (Tue 24 Nov 2026) before it starts (Wed 25 Nov 2026)" in reply.text
    reply = client.post(f"/episodes/{world.episode}/home", headers=pt, data={**SQUAT_ROW, "row-0-notes": "a\x00b"})
    assert reply.status_code == 422 and "must not contain a NUL character" in reply.text


def test_the_front_desk_may_not_see_the_home_programme(client: TestClient, world: World) -> None:
    _first_version(client, world)
    desk = bearer(client, world, "front_desk")
    assert client.get(f"/episodes/{world.episode}/home", headers=desk).status_code == 403
    reply = client.post(f"/episodes/{world.episode}/home", headers=desk, data={**SQUAT_ROW, "change_reason": "x"})
    assert reply.status_code == 403 and "Mini squat" not in reply.text


def test_the_episode_and_the_plan_link_to_the_home_programme(client: TestClient, world: World) -> None:
    pt = bearer(client, world, "therapist")
    for page in (f"/episodes/{world.episode}", f"/episodes/{world.episode}/plan"):
        assert f'href="/episodes/{world.episode}/home"' in client.get(page, headers=pt).text, page


def test_the_patient_sees_today_first_and_ticks_an_exercise_done(client: TestClient, world: World) -> None:
    _first_version(client, world)
    patient = bearer(client, world, "patient")
    home = client.get("/portal", headers=patient).text
    main = home[home.index("<h1>"):]
    assert main.index('href="/portal/today"') < main.index("<h2>")  # the first thing under the greeting
    page = client.get("/portal/today", headers=patient).text
    for shown in ("Today, Wed 25 Nov 2026", "1 exercise for today.", "Mini squat", "2 sets of 10<",
                  "The camera watches your left knee.",
                  "How to do it", "Hold the kitchen counter.", "Stop if your knee swells.",
                  'src="/portal/exercises/mini-squat/figure.svg"', "Start with my camera", "I did it",
                  'href="/portal/programme.pdf"'):
        assert shown in page, shown
    item_id = int(re.search(r'action="/portal/today/(\d+)/done"', page).group(1))  # type: ignore[union-attr]
    assert f'href="/portal/today/{item_id}/guided"' in page
    guided = client.get(f"/portal/today/{item_id}/guided", headers=patient).text  # the home words there too
    assert "Stand side-on to the camera; the camera watches your left knee." in guided and "left side" not in guided
    assert "a kitchen counter or a sturdy chair" in guided and "bench" not in guided
    reply = client.post(f"/portal/today/{item_id}/done", headers=patient, data={"sets_done": "2", "pain": "2"})
    assert reply.status_code == 303
    page = client.get(reply.headers["location"], headers=patient).text
    assert "Well done! It is marked as done." in page and "Done today: 2 sets, pain 2 out of 10" in page
    assert "All done for today." in page and "I did it" not in page and page.count("Well done") == 1


def test_severe_pain_tells_the_patient_what_to_do(client: TestClient, world: World) -> None:
    _first_version(client, world)
    patient = bearer(client, world, "patient")
    item_id = int(re.search(r'/portal/today/(\d+)/done', client.get("/portal/today", headers=patient).text)
                  .group(1))  # type: ignore[union-attr]
    reply = client.post(f"/portal/today/{item_id}/done", headers=patient, data={"pain": "8"})
    assert reply.status_code == 303 and "said=pain" in reply.headers["location"]
    assert "Stop this exercise for today and rest" in client.get(reply.headers["location"], headers=patient).text
    reply = client.post(f"/portal/today/{item_id}/done", headers=patient, data={"pain": "lots"})
    assert reply.status_code == 422 and "Choose the pain with one of the buttons." in reply.text


def _item_id(client: TestClient, patient: dict[str, str]) -> int:
    return int(re.search(r'/portal/today/(\d+)/done', client.get("/portal/today", headers=patient).text)
               .group(1))  # type: ignore[union-attr]


def test_moderate_pain_says_the_therapist_will_see_it_and_when_to_call(client: TestClient, world: World) -> None:
    _first_version(client, world)
    patient = bearer(client, world, "patient")
    reply = client.post(f"/portal/today/{_item_id(client, patient)}/done", headers=patient, data={"pain": "5"})
    assert reply.status_code == 303 and "said=sore" in reply.headers["location"]
    page = client.get(reply.headers["location"], headers=patient).text
    assert ("Well done! It is marked as done. Your therapist will see that it hurt. If it gets worse, stop and "
            "call the clinic on (217) 555-0199.") in page
    assert page.count("Well done") == 1


def test_the_patient_undoes_a_mistaken_i_did_it(client: TestClient, world: World) -> None:
    _first_version(client, world)
    patient = bearer(client, world, "patient")
    item_id = _item_id(client, patient)
    client.post(f"/portal/today/{item_id}/done", headers=patient, data={"sets_done": "1"})
    page = client.get("/portal/today", headers=patient).text
    session_id = int(re.search(r'/portal/today/sessions/(\d+)/undo', page).group(1))  # type: ignore[union-attr]
    assert "Undo: I did not do it" in page and "I did it<" not in page
    reply = client.post(f"/portal/today/sessions/{session_id}/undo", headers=patient)
    assert reply.status_code == 303 and "said=undone" in reply.headers["location"]
    page = client.get(reply.headers["location"], headers=patient).text
    assert "Taken back: it is no longer marked as done." in page and "I did it" in page and "Done today" not in page
    again = client.post(f"/portal/today/sessions/{session_id}/undo", headers=patient)
    assert again.status_code == 404


def test_a_version_that_changes_nothing_is_refused_and_the_form_kept(client: TestClient, world: World) -> None:
    _first_version(client, world)
    pt = bearer(client, world, "therapist")
    reply = client.post(f"/episodes/{world.episode}/home", headers=pt,
                        data={**SQUAT_ROW, "change_reason": "No change of exercise or dose."})
    assert reply.status_code == 422 and "Nothing changed: " in reply.text
    assert "No change of exercise or dose." in reply.text and 'name="row-0-sets" value="2"' in reply.text
    assert "Version 2, in force" not in client.get(f"/episodes/{world.episode}/home", headers=pt).text


def test_today_shows_no_drawing_for_an_exercise_without_one(client: TestClient, world: World) -> None:
    stance = {"rows": "1", "row-0-exercise": "tandem-stance", "row-0-sets": "3", "row-0-reps": "",
              "row-0-hold_s": "30", "row-0-side": "", "row-0-monitor": "", "row-0-weekday": ["3"]}
    reply = client.post(f"/episodes/{world.episode}/home", headers=bearer(client, world, "therapist"),
                        data={**SQUAT_ROW, **stance})
    assert reply.status_code == 303, reply.text[:300]
    page = client.get("/portal/today", headers=bearer(client, world, "patient")).text
    assert "Tandem stance" in page and "figure.svg" not in page and "<img" not in page
    assert "Hold on to a kitchen counter or a sturdy chair if you need to at first." in page


def test_a_rest_day_says_so_and_names_the_next_exercise_day(client: TestClient, world: World) -> None:
    reply = client.post(f"/episodes/{world.episode}/home", headers=bearer(client, world, "therapist"),
                        data={**SQUAT_ROW, "row-0-weekday": ["1", "5"]})  # today is a Wednesday
    assert reply.status_code == 303
    page = client.get("/portal/today", headers=bearer(client, world, "patient")).text
    assert "Today is a rest day" in page and "Your next exercise day is <strong>Fri 27 Nov 2026</strong>" in page
    assert "I did it" not in page and 'href="/portal/programme.pdf"' in page


def test_a_patient_without_a_programme_is_told_plainly(client: TestClient, world: World) -> None:
    page = client.get("/portal/today", headers=bearer(client, world, "patient")).text
    assert "You have no home exercises yet." in page and "programme.pdf" not in page


def test_a_therapist_prescribes_and_the_patient_ticks_it_done_on_a_phone(browser, server: str,  # type: ignore[no-untyped-def]
                                                                           world: World) -> None:
    page = log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/episodes/{world.episode}")
    page.get_by_role("link", name="Home programme", exact=True).click()
    page.get_by_label("Add an exercise").select_option(label="Mini squat (camera)")
    page.get_by_role("button", name="Add to the form").click()
    page.get_by_label("Add an exercise").select_option(label="Stance on foam")
    page.get_by_role("button", name="Add to the form").click()
    page.get_by_label("Notes for the patient on this exercise").first.fill("Hold the kitchen counter.")
    page.get_by_label("Notes for the patient", exact=True).fill("Stop and call us if your knee swells.")
    page.get_by_role("button", name="Save version 1").click()
    page.wait_for_url(re.compile(r".*/home\?saved=1"))
    row = page.get_by_role("row", name=re.compile("Mini squat"))
    assert "2 sets of 10" in row.inner_text() and "Guided by the camera" in row.inner_text()
    page.get_by_label("Sets").first.fill("3")
    page.get_by_label("Why it changes").fill("Squats easier; one more set")
    page.get_by_role("button", name="Save version 2").click()
    page.wait_for_url(re.compile(r".*/home\?saved=2"))
    assert "dose 2 sets of 10 → 3 sets of 10" in page.inner_text("#versions")
    page.screenshot(path=str(SHOTS / "home-programme-therapist.png"), full_page=True)

    narrow = log_in(browser, server, world.emails["therapist"], width=390)
    narrow.goto(f"{server}/episodes/{world.episode}/home")
    narrow.screenshot(path=str(SHOTS / "home-programme-therapist-phone.png"), full_page=True)

    phone = log_in(browser, server, world.emails["patient"], width=390)
    phone.screenshot(path=str(SHOTS / "home-portal-phone.png"))
    phone.get_by_role("link", name="Today's exercises").click()
    squat = phone.locator("article", has_text="Mini squat")
    assert "3 sets of 10\n" in squat.inner_text() and "Hold the kitchen counter." in squat.inner_text()
    assert "The camera watches your left knee." in squat.inner_text() and "left side" not in squat.inner_text()
    assert squat.get_by_role("link", name="Start with my camera").count() == 1
    box = squat.get_by_role("button", name="I did it").bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 300
    pain = squat.locator("label", has_text="2").last.bounding_box()
    assert pain is not None and pain["height"] >= 48 and pain["width"] >= 48
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.screenshot(path=str(SHOTS / "home-today-phone.png"), full_page=True)
    squat.locator("label", has_text="2").last.click()
    squat.get_by_role("button", name="I did it").click()
    phone.wait_for_url(re.compile(r".*/portal/today\?said=done"))
    assert "Done today: 3 sets, pain 2 out of 10" in phone.locator("article", has_text="Mini squat").inner_text()
    phone.screenshot(path=str(SHOTS / "home-today-done-phone.png"), full_page=True)
