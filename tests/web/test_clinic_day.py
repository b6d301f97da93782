"""One new patient from registration to discharge, in a real browser, each step by the persona who does
it in a clinic (issue 18's acceptance): the desk registers Harold with his address and insurance and
checks his eligibility, books and checks him in; the PT opens his episode and evaluates him; a treatment
visit two days later has a measure, a force-plate trial and a live exercise; each note is signed; the
desk bills each visit once (a second release is refused); the PT discharges him.

Screenshots of every step: test-artifacts/screenshots/day-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine

from tests.billing.test_x12 import PT_271
from tests.support import World, local
from tests.web.browsing import SHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HAROLD_MEDICARE_ID = "1EG4TE5MK73"  # the member the payer's 271 answers about


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(SHOTS / f"day-{name}.png"), full_page=True)


def _submit(page, name: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _fill(page, fields: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Type each value into the form's field of that name (an input or a text area)."""
    for name, value in fields.items():
        page.locator(f"[name={name}]").fill(value)


def _register(desk, server: str) -> int:  # type: ignore[no-untyped-def]
    desk.get_by_role("link", name="Patients", exact=True).click()
    desk.goto(f"{server}/patients/new")
    _fill(desk, {"first_name": "Harold", "last_name": "Finch", "date_of_birth": "1951-04-18",
                 "phone": "(217) 555-0188", "address_line": "12 Elm Street", "city": "Springfield", "state": "IL",
                 "postal_code": "62704", "emergency_contact_name": "Grace Finch",
                 "emergency_contact_relationship": "Wife", "emergency_contact_phone": "(217) 555-0124",
                 "payer_name": "Medicare Part B", "member_id": HAROLD_MEDICARE_ID, "payer_id": "12202"})
    desk.locator("select[name=sex]").select_option("male")
    desk.locator("select[name=plan_kind]").select_option("medicare")
    _shot(desk, "01-desk-registers")
    _submit(desk, "Register")
    assert re.search(r"/patients/\d+", desk.url), desk.inner_text("main")[:500]
    chart = desk.inner_text("main")
    assert "12 Elm Street" in chart and "Grace Finch" in chart and "Medicare Part B" in chart, chart[:800]
    return int(desk.url.rsplit("/", 1)[1].split("?")[0])


def _check_eligibility(desk) -> None:  # type: ignore[no-untyped-def]
    desk.get_by_role("link", name="Check eligibility").click()
    desk.locator("textarea[name=x12]").fill(PT_271)
    _submit(desk, "Read the answer")
    answer = desk.inner_text("main")
    assert "Active" in answer and "283" in answer and "20 %" in answer, answer[:800]
    _shot(desk, "02-desk-eligibility")


def _book_and_check_in(desk, server: str, world: World, patient_id: int, day: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    desk.goto(f"{server}/appointments/new?patient_id={patient_id}")
    desk.locator("select[name=provider_id]").select_option(str(world.user_ids["therapist"]))
    desk.locator("input[name=date]").fill(day)
    desk.locator("input[name=time]").fill("11:30")
    desk.locator("select[name=kind]").select_option(kind)
    _submit(desk, "Book")
    assert "Appointment booked." in desk.inner_text("main"), desk.inner_text("main")[:500]
    desk.get_by_role("link", name="Schedule", exact=True).click()
    row = desk.locator("table.schedule tr", has_text="Harold Finch")
    with desk.expect_navigation():
        row.get_by_role("button", name="Check in").click()
    assert "Checked in" in desk.locator("table.schedule tr", has_text="Harold Finch").inner_text()


def _open_episode(pt, server: str, world: World, patient_id: int) -> int:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/patients/{patient_id}")
    assert "No episode of care yet" in pt.inner_text("main")
    pt.get_by_role("link", name="Open episode of care").click()
    pt.locator("select[name=condition]").select_option("knee_replacement")
    _fill(pt, {"surgery_date": "2026-11-02", "onset_date": "2026-11-02", "diagnoses": "Z47.1, Z96.651",
               "referring_provider_name": "Dr. Amara Okafor", "referring_provider_npi": "1234567893",
               "referral_date": "2026-11-20", "precautions": "No kneeling on the right knee",
               "red_flags": "Calf pain or swelling: stop and report", "authorisation_number": "AUTH-5521",
               "authorised_visits": "12", "authorised_from": "2026-11-25", "authorised_until": "2027-01-31"})
    pt.locator(f"input[name=care_team][value='{world.user_ids['therapist']}']").check()
    pt.locator(f"input[name=lead_id][value='{world.user_ids['therapist']}']").check()
    _shot(pt, "03-pt-opens-episode")
    _submit(pt, "Open episode")
    assert re.search(r"/episodes/\d+", pt.url), pt.inner_text("main")[:800]
    episode = pt.inner_text("main")
    assert "Z96.651" in episode and "No kneeling on the right knee" in episode and "Dr. Amara Okafor" in episode
    _shot(pt, "04-pt-episode")
    return int(re.search(r"/episodes/(\d+)", pt.url).group(1))  # type: ignore[union-attr]


def _open_latest_visit(pt, server: str, patient_id: int) -> int:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/patients/{patient_id}")
    pt.get_by_role("link", name="Open visit").first.click()
    pt.wait_for_url(re.compile(r"/visits/\d+$"))
    assert "No kneeling on the right knee" in pt.inner_text("main")  # the episode's precautions on its visit
    return int(pt.url.rsplit("/", 1)[1])


def _record_tug(pt, server: str, visit_id: int, seconds: str) -> None:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/visits/{visit_id}/measures/tug")
    pt.locator("main form input[inputmode=decimal]").first.fill(seconds)
    with pt.expect_navigation():
        pt.locator("main button[type=submit]").click()
    pt.goto(f"{server}/visits/{visit_id}")
    assert "Timed Up and Go" in pt.inner_text("#measures"), pt.inner_text("#measures")


def _add_minutes(pt, activity: str, minutes: int) -> None:  # type: ignore[no-untyped-def]
    pt.locator("#minutes-form select[name=activity]").select_option(activity)
    pt.locator("#minutes-form input[name=minutes]").fill(str(minutes))
    _submit(pt, "Add minutes")


def _sign_note(pt, server: str, visit_id: int, plan: str) -> str:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/visits/{visit_id}/note")
    _submit(pt, "Draft the note")
    objective = pt.input_value("textarea[name=objective]")
    pt.fill("textarea[name=subjective]", "Right knee stiff in the mornings; walks with a cane outdoors.")
    pt.fill("textarea[name=assessment]", "Slow sit-to-stand and gait after total knee replacement; fall risk.")
    pt.fill("textarea[name=plan]", plan)
    _submit(pt, "Sign note")
    assert pt.inner_text("#note-status") == "Signed", pt.inner_text("main")[:800]
    return objective


def _sign_evaluation(pt, server: str, visit_id: int, plan: str) -> None:  # type: ignore[no-untyped-def]
    """The evaluation's own note (issue 19): its sections written, every screening item answered, the code
    drafted from the four components and confirmed, then signed."""
    pt.goto(f"{server}/visits/{visit_id}/note")
    _submit(pt, "Draft the evaluation")
    assert "Timed Up and Go" in pt.input_value("textarea[name=tests_and_measures]")
    _fill(pt, {"history_mechanism": "Right total knee replacement.", "history_prior_function": "Walked without an aid.",
               "history_goals": "Walk to the shops without a cane.", "plan": plan,
               "assessment": "Slow sit-to-stand and gait after total knee replacement; fall risk.",
               "code_personal_factors": "1", "code_body_elements": "3"})
    for answer in pt.locator("input[type=radio][value=absent]").all():
        answer.check()
    for system in pt.locator("textarea[name^=system_]").all():
        system.fill("Within functional limits.")
    pt.locator("select[name=code_presentation]").select_option("evolving")
    pt.locator("select[name=code_decision_making]").select_option("moderate")
    _submit(pt, "Draft the code from these components")
    _submit(pt, "Confirm 97162")
    _submit(pt, "Sign evaluation")
    assert pt.inner_text("#note-status") == "Signed", pt.inner_text("main")[:800]


def _complete(pt, server: str, visit_id: int, minutes: int) -> None:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/visits/{visit_id}")
    pt.get_by_role("link", name="Complete visit…").click()
    _submit(pt, "Complete the visit")
    assert pt.inner_text("#visit-status") == "Completed"
    assert pt.inner_text("#visit-minutes") == f"{minutes} min"


def _bill_once(browser, server: str, world: World, visit_id: int, shot: str) -> None:  # type: ignore[no-untyped-def]
    """The desk finds the visit on its worklist and releases its claim; a second tab's release is refused."""
    desk = log_in(browser, server, world.emails["front_desk"])
    desk.get_by_role("link", name="Billing", exact=True).click()
    to_bill = desk.locator("#to-bill, section", has_text="Signed, not yet billed").first
    assert "Harold Finch" in to_bill.inner_text(), to_bill.inner_text()[:800]
    _shot(desk, f"{shot}-worklist")
    desk.goto(f"{server}/visits/{visit_id}/billing")
    second_tab = desk.context.new_page()
    second_tab.goto(f"{server}/visits/{visit_id}/billing")
    _submit(desk, "Validate and release the 837P")
    claims = desk.inner_text("#claims")
    assert "837P file" in claims and "Original" in claims, claims
    _shot(desk, f"{shot}-released")
    _submit(second_tab, "Validate and release the 837P")  # the page was opened before the release
    refusal = second_tab.inner_text("main")
    assert "already released" in refusal and "a visit is billed once" in refusal, refusal[:800]
    _shot(second_tab, f"{shot}-second-release-refused")
    desk.context.close()


def test_one_patient_from_registration_to_discharge(browser, server: str, world: World,
                                                    example: Callable[[str], Path]) -> None:
    desk = log_in(browser, server, world.emails["front_desk"])
    harold = _register(desk, server)
    _check_eligibility(desk)
    _book_and_check_in(desk, server, world, harold, "2026-11-25", "evaluation")
    _shot(desk, "05-desk-checked-in")

    # The evaluation: the PT opens the episode, records a TUG and the minutes, signs, completes.
    pt = log_in(browser, server, world.emails["therapist"])
    episode_id = _open_episode(pt, server, world, harold)
    evaluation = _open_latest_visit(pt, server, harold)
    _record_tug(pt, server, evaluation, "16.2")
    pt.goto(f"{server}/visits/{evaluation}")
    _add_minutes(pt, "evaluation", 45)
    pt.goto(f"{server}/visits/{evaluation}/billing")
    pt.locator("select[name=code]").nth(0).select_option("97162")
    pt.locator("input[name=minutes]").nth(0).fill("45")
    _submit(pt, "Save minutes")
    assert "97162" in pt.inner_text("#units")
    _sign_evaluation(pt, server, evaluation, "2x a week for 6 weeks: sit-to-stand, stance on foam, gait training.")
    _complete(pt, server, evaluation, 45)
    _shot(pt, "06-pt-evaluation-completed")
    _bill_once(browser, server, world, evaluation, "07-evaluation")

    # Two days later, the first treatment visit.
    with time_machine.travel(local(2, 9, 30), tick=True):
        desk = log_in(browser, server, world.emails["front_desk"])
        _book_and_check_in(desk, server, world, harold, "2026-11-27", "treatment")
        desk.context.close()
        pt = log_in(browser, server, world.emails["therapist"])
        treatment = _open_latest_visit(pt, server, harold)
        assert treatment != evaluation
        _record_tug(pt, server, treatment, "13.9")

        pt.goto(f"{server}/visits/{treatment}/balance")
        pt.get_by_label("Trial 1 recording").set_input_files(str(example("BDS00160.txt")))
        _submit(pt, "Upload and analyse")  # the tests' queue runs the job before the page is shown
        assert pt.locator("img[src^='/balance-trials/']").count() >= 1, pt.inner_text("main")[:500]

        pt.goto(f"{server}/visits/{treatment}/training")
        pt.locator("select[name=choice]").select_option("two-foot-stance|force_plate")
        pt.locator("select[name=source]").select_option("recording")
        pt.locator("select[name=recording] option[value^='balance:']").first.wait_for(state="attached")
        trial = pt.locator("select[name=recording] option[value^='balance:']").first.get_attribute("value")
        pt.locator("select[name=recording]").select_option(trial)
        pt.get_by_role("button", name="Start").click()
        pt.locator("#live-status", has_text="Holding").wait_for(timeout=30_000)
        _shot(pt, "08-pt-live-exercise")
        pt.get_by_role("button", name="End exercise").click()  # before the first 30-s hold is done
        pt.locator("#live-summary", has_text="Saved on the visit (ended early)").wait_for(timeout=10_000)

        pt.goto(f"{server}/visits/{treatment}")
        for activity, minutes in (("neuromuscular_reeducation", 24), ("therapeutic_exercise", 15),
                                  ("gait_training", 8)):
            _add_minutes(pt, activity, minutes)
        billing = pt.inner_text("#billing")
        assert "97112" in billing and "97110" in billing and "97116" in billing, billing  # every code with minutes
        assert "not billed" in billing, billing  # 97116's 8 minutes earn no unit here, and the page says why
        _shot(pt, "09-pt-treatment-visit")
        pt.goto(f"{server}/visits/{treatment}/billing")  # the minutes per code drafted from the activities
        _submit(pt, "Save minutes")
        units = pt.inner_text("#units")
        assert "97112" in units and "97110" in units and "97116" in units, units
        objective = _sign_note(pt, server, treatment, "Continue balance progression; recheck TUG in 2 weeks.")
        assert "ended early" in objective and "completed" not in objective.lower(), objective
        assert "replayed" in objective, objective  # the replayed trial is labelled, not the patient's live work
        _complete(pt, server, treatment, 47)
        _shot(pt, "10-pt-treatment-completed")
        _bill_once(browser, server, world, treatment, "11-treatment")

        # The PT discharges Harold.
        pt.goto(f"{server}/episodes/{episode_id}")
        pt.get_by_role("link", name="Discharge").click()
        pt.locator("input[name=reason][value=goals_met]").check()
        _shot(pt, "12-pt-discharge")
        _submit(pt, "Discharge")
        assert "Discharged" in pt.inner_text("main")
        pt.goto(f"{server}/patients/{harold}")
        chart = pt.inner_text("main")
        assert "Discharged" in chart and chart.count("Completed") >= 2, chart[:1500]
        _shot(pt, "13-pt-chart-after-discharge")
