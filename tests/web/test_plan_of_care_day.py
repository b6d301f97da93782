"""A plan of care from evaluation to discharge, in a real browser, each step by the persona who does it in
a clinic (issue 19's acceptance): the desk registers a new Medicare patient and books his evaluation; the
PT records a Berg and a TUG, which the evaluation's tests and measures show; accepts the Berg's proposed
problem (and rejects the TUG's as the same problem), sets goals, signs the evaluation and the plan of
care; the desk records the physician's certification and uploads its scan; ten treatment visits on ten
days; the progress report comes due on the schedule, the episode and the documentation-due list, a PT
assistant may not sign it, the PT writes and signs it; a goal is met; the PT discharges and signs the
discharge summary.

Screenshots of every document looked at, and the evaluation note, plan of care, progress report and
discharge summary as PDF, each page rendered to PNG: test-artifacts/screenshots/plan-day-*.
"""

from __future__ import annotations

import re
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from tests.support import NOW, World, local
from tests.web.browsing import SHOTS, log_in
from tests.web.test_clinic_day import _add_minutes, _book_and_check_in, _complete, _fill, _register, _submit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EVALUATION_DAY = NOW.date()  # Wed 25 November 2026
TREATMENT_DAYS = (2, 5, 7, 12, 14, 19, 21, 26, 28, 33)
"""The ten treatment visits, in days after the evaluation: twice or three times a week, weekdays only."""
BERG_BY_VISIT = {0: "44443333222211", 4: "44444333332222", 9: "44444443333332", 10: "44444444443333"}
"""The Berg's 14 item answers typed at the evaluation (0) and at treatment visits 4, 9 and 10: 38, 43, 48, 52."""
PRECAUTION = "Stand-by assistance on stairs"
KEPT = ("Balance training", "Gait training", "Stance on foam", "Tandem stance", "Step-up")
"""The techniques and exercises of the library the PT keeps for the Berg's problem."""


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(SHOTS / f"plan-day-{name}.png"), full_page=True)


def _on(offset: int) -> str:
    return (EVALUATION_DAY + timedelta(days=offset)).isoformat()


def _pdf(page, server: str, href: str | None, name: str) -> str:  # type: ignore[no-untyped-def]
    """The PDF behind the page's own link, kept beside the screenshots with each page rendered to PNG;
    its text, to assert on."""
    import pypdfium2

    assert href, "the page has no link to its PDF"
    reply = page.request.get(server + href)
    assert reply.ok and reply.body().startswith(b"%PDF"), (reply.status, reply.body()[:200])
    (SHOTS / f"plan-day-{name}.pdf").write_bytes(reply.body())
    document = pypdfium2.PdfDocument(reply.body())
    text = []
    for number in range(len(document)):
        document[number].render(scale=1.5).to_pil().save(SHOTS / f"plan-day-{name}-page{number + 1}.png")
        text.append(document[number].get_textpage().get_text_range())
    return "\n".join(text)


def _scan_png(path: Path) -> Path:
    """A small grey PNG standing in for the scan of the physician's signed plan."""
    width, height = 40, 20
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def _open_episode(pt, server: str, world: World, patient_id: int) -> int:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/patients/{patient_id}/episodes/new")
    pt.locator("select[name=condition]").select_option("fall_risk")
    _fill(pt, {"started_on": _on(0), "onset_date": "2026-10-01", "diagnoses": "R26.81",
               "summary": "Two falls at home since October; unsteady when turning.",
               "referring_provider_name": "Dr. Amara Okafor", "referring_provider_npi": "1234567893",
               "referral_date": "2026-11-20", "precautions": PRECAUTION})
    for persona in ("therapist", "assistant"):
        pt.locator(f"input[name=care_team][value='{world.user_ids[persona]}']").check()
    pt.locator(f"input[name=lead_id][value='{world.user_ids['therapist']}']").check()
    _submit(pt, "Open episode")
    opened = re.search(r"/episodes/(\d+)", pt.url)
    assert opened, pt.inner_text("main")[:800]
    assert "R26.81" in pt.inner_text("main")
    return int(opened.group(1))


def _todays_visit(pt, server: str, patient_id: int) -> int:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/patients/{patient_id}")
    with pt.expect_navigation():
        pt.get_by_role("link", name="Open visit").first.click()
    assert PRECAUTION in pt.inner_text("main")  # the episode's precaution on its visit
    return int(pt.url.rsplit("/", 1)[1])


def _record_berg(pt, server: str, visit_id: int, answers: str) -> None:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/visits/{visit_id}/measures/berg")
    for field, answer in zip(pt.locator("input.answer").all(), answers, strict=True):
        field.fill(answer)
    with pt.expect_navigation():
        pt.locator("main button[type=submit]").click()
    total = sum(int(a) for a in answers)
    assert f"{total} points" in pt.inner_text("main"), pt.inner_text("main")[:800]


def _record_tug(pt, server: str, visit_id: int, seconds: str) -> None:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/visits/{visit_id}/measures/tug")
    pt.locator("main form input[inputmode=decimal]").first.fill(seconds)
    with pt.expect_navigation():
        pt.locator("main button[type=submit]").click()


def _problems(pt, server: str, visit_id: int) -> None:  # type: ignore[no-untyped-def]
    """From the visit's button: the Berg's finding accepted with its suggested exercises, the TUG's rejected."""
    pt.goto(f"{server}/visits/{visit_id}")
    _submit(pt, "Propose problems from this visit's findings")
    assert re.search(r"\d+ findings? proposed", pt.inner_text("main")), pt.inner_text("main")[:800]
    berg = pt.locator("article.problem", has_text="Reduced standing balance")
    assert "Berg" in berg.inner_text() and "38" in berg.inner_text(), berg.inner_text()
    for choice in berg.locator("label.check").all():  # "Balance training technique": the name, then its kind
        if choice.inner_text().strip().rsplit(None, 1)[0].strip() in KEPT:
            choice.locator("input").check()
    assert berg.locator("input[name=interventions]:checked").count() == len(KEPT), berg.inner_text()
    _shot(pt, "02-problems-proposed")
    with pt.expect_navigation():
        berg.get_by_role("button", name="Accept onto the list").click()
    tug = pt.locator("article.problem", has_text="Reduced functional mobility")
    with pt.expect_navigation():
        tug.get_by_role("button", name="Reject").click()
    accepted = pt.inner_text("#accepted")
    assert "Reduced standing balance" in accepted and "Techniques and exercises: " + ", ".join(KEPT) in accepted, accepted
    assert "Reduced functional mobility" in pt.inner_text("#rejected")
    _shot(pt, "03-problems-decided")


def _sign_evaluation(pt, server: str, visit_id: int) -> None:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/visits/{visit_id}/note")
    _submit(pt, "Draft the evaluation")
    measures = pt.input_value("textarea[name=tests_and_measures]")
    assert "Berg" in measures and "38" in measures, measures
    assert "Timed Up and Go" in measures and "16.2" in measures, measures
    assert "Reduced standing balance" in pt.inner_text("#problem-list")
    _fill(pt, {"history_mechanism": "Two falls at home since October, both when turning in the kitchen.",
               "history_prior_function": "Walked outdoors without an aid until the summer.",
               "history_goals": "Walk to the mailbox and back without holding on.",
               "assessment": "Reduced standing balance and slow turning: high risk of falls.",
               "plan": "Balance and gait training twice a week for 6 weeks; home exercises.",
               "code_personal_factors": "1", "code_body_elements": "3"})
    for answer in pt.locator("input[type=radio][value=absent]").all():
        answer.check()
    pt.get_by_label("Recent trauma (a fall, a car accident): present").check()  # the two falls
    pt.fill("textarea[name=red_flag_findings]", "Two falls at home, no injury, no head strike: the reason for referral.")
    for system in pt.locator("textarea[name^=system_]").all():
        system.fill("Within functional limits.")
    pt.locator("select[name=code_presentation]").select_option("evolving")
    pt.locator("select[name=code_decision_making]").select_option("moderate")
    _submit(pt, "Draft the code from these components")
    assert "97162" in pt.inner_text("#drafted-code")
    _submit(pt, "Confirm 97162")
    _submit(pt, "Sign evaluation")
    assert pt.inner_text("#note-status") == "Signed", pt.inner_text("main")[:800]


def _set_goals(pt, server: str, episode_id: int) -> None:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/episodes/{episode_id}/goals")
    for term, measure, target, due, words in (
            ("short", "berg", "45", _on(28), "Stands and turns without losing balance."),
            ("long", "berg", "50", _on(42), "Safe in standing tasks at home."),
            ("long", "", "", _on(42), "Walks to the mailbox and back (60 m) without holding on.")):
        form = pt.locator("#new-goal form")
        form.locator("select[name=term]").select_option(term)
        form.locator("select[name=measure_id]").select_option(measure)
        form.locator("input[name=target]").fill(target)
        form.locator("input[name=due_on]").fill(due)
        form.locator("textarea[name=description]").fill(words)
        if measure:  # the Berg goals address the accepted balance problem
            problem = form.locator("select[name=problem_id] option", has_text="Reduced standing balance")
            form.locator("select[name=problem_id]").select_option(problem.get_attribute("value"))
        with pt.expect_navigation():
            form.get_by_role("button", name="Set the goal").click()
        assert "Goal set." in pt.inner_text("main"), pt.inner_text("main")[:800]
    goals = pt.inner_text("main")
    assert "45" in goals and "50" in goals and "mailbox" in goals, goals[:1500]
    _shot(pt, "05-goals")


def _plan(pt, server: str, episode_id: int) -> int:  # type: ignore[no-untyped-def]
    pt.goto(f"{server}/episodes/{episode_id}/plan")
    form = pt.locator("#plan-form")
    form.locator("input[name=visits_per_week]").fill("2")
    form.locator("input[name=weeks]").fill("6")
    assert form.locator("input[name=item]").count() == len(KEPT), "the accepted problem's items are not proposed"
    for dosage in form.locator("input[name=dosage]").all():
        if not dosage.input_value():
            dosage.fill("10 minutes")
    form.locator("textarea[name=home_programme]").fill("Sit-to-stand from a kitchen chair, 10 times, twice a day.")
    with pt.expect_navigation():
        form.get_by_role("button", name="Save the draft").click()
    assert "Plan drafted." in pt.inner_text("main"), pt.inner_text("main")[:800]
    _submit(pt, "Sign the plan")
    plan = pt.inner_text("#plan")
    assert "Plan signed." in pt.inner_text("main") and "Signed by" in plan, pt.inner_text("main")[:1500]
    assert "2× a week for 6 weeks" in plan and "12 expected visits" in plan, plan
    certification = pt.inner_text("#certification")
    assert "Certification" in certification and "due by" in certification, certification
    _shot(pt, "06-plan-signed")
    href = pt.get_by_role("link", name="PDF for the physician").get_attribute("href")
    text = _pdf(pt, server, href, "07-plan-of-care")
    assert "Harold" in text and "Berg" in text and "Tandem stance" in text and "Sit-to-stand" in text, text[:1500]
    return int(re.search(r"/plans/(\d+)/", href).group(1))  # type: ignore[union-attr]


def _certify(desk, server: str, patient_id: int, scan: Path) -> None:  # type: ignore[no-untyped-def]
    """The desk, from the chart's paperwork panel: the physician signed within the 30 days."""
    desk.goto(f"{server}/patients/{patient_id}")
    paperwork = desk.inner_text("#paperwork") if desk.locator("#paperwork").count() else desk.inner_text("main")
    assert "Certification due by Fri 25 Dec 2026" in paperwork, paperwork[:1500]  # 30 days from the evaluation
    _shot(desk, "08-chart-certification-due")
    with desk.expect_navigation():
        desk.get_by_role("link", name="Certification").first.click()
    assert "Sit-to-stand" not in desk.inner_text("main")  # the desk sees dates, not the clinical plan
    desk.locator("#certification summary").click()
    _fill(desk, {"physician_name": "Dr. Amara Okafor", "physician_npi": "1234567893", "sent_on": _on(0),
                 "verbal_order_on": _on(1), "certified_on": _on(5), "received_on": _on(7),
                 "certification_note": "Signed plan returned by fax."})
    _submit(desk, "Save the certification")
    assert "Certification saved." in desk.inner_text("main"), desk.inner_text("main")[:800]
    desk.locator("#certification summary").click()
    desk.locator("input[name=signature]").set_input_files(str(scan))
    _submit(desk, "Upload the scan")
    certification = desk.inner_text("#certification")
    assert "Scan of the signed plan saved." in desk.inner_text("main"), desk.inner_text("main")[:800]
    assert "Dr. Amara Okafor" in certification and "signed-plan.png" in certification, certification
    assert "done in time" in certification, certification
    _shot(desk, "09-certification-recorded")
    desk.goto(f"{server}/patients/{patient_id}")
    assert "done in time" in desk.inner_text("main")
    _shot(desk, "10-chart-certified")


def _treat(browser, server: str, world: World, patient_id: int, number: int) -> int:  # type: ignore[no-untyped-def]
    """One treatment visit: the desk books and checks in; the PT adds minutes, signs the daily note and
    completes the visit (a Berg at the visits that have one)."""
    desk = log_in(browser, server, world.emails["front_desk"])
    _book_and_check_in(desk, server, world, patient_id, _on(TREATMENT_DAYS[number - 1]), "treatment")
    desk.context.close()
    pt = log_in(browser, server, world.emails["therapist"])
    visit_id = _todays_visit(pt, server, patient_id)
    if number in BERG_BY_VISIT:
        _record_berg(pt, server, visit_id, BERG_BY_VISIT[number])
        pt.goto(f"{server}/visits/{visit_id}")
    _add_minutes(pt, "neuromuscular_reeducation", 30)
    pt.goto(f"{server}/visits/{visit_id}/billing")  # the minutes per code drafted from the activity
    _submit(pt, "Save minutes")
    assert "97112" in pt.inner_text("#units"), pt.inner_text("main")[:800]
    pt.goto(f"{server}/visits/{visit_id}/note")
    _submit(pt, "Draft the note")
    if not pt.input_value("textarea[name=objective]"):
        pt.fill("textarea[name=objective]", "Standing balance on foam and turning practice with stand-by assistance.")
    _fill(pt, {"subjective": "No fall since the last visit.", "assessment": "Steadier when turning.",
               "plan": "Continue the plan of care."})
    with pt.expect_navigation():
        pt.locator("button[name=action][value=sign]").click()
    assert pt.inner_text("#note-status") == "Signed", pt.inner_text("main")[:800]
    _complete(pt, server, visit_id, 30)
    pt.context.close()
    return visit_id


def _progress_report_due(browser, server: str, world: World, episode_id: int) -> None:  # type: ignore[no-untyped-def]
    """After treatment day 9 (the evaluation is day 1) the schedule, the episode and the list say so."""
    desk = log_in(browser, server, world.emails["front_desk"])
    desk.get_by_role("link", name="Schedule", exact=True).click()
    row = desk.locator("table.schedule tr", has_text="Harold Finch")
    assert "Progress report due" in row.inner_text(), row.inner_text()
    _shot(desk, "12-schedule-progress-report-due")
    desk.get_by_role("link", name="Documentation due").click()
    due = desk.inner_text(f"#due-{episode_id}")
    assert "Finch, Harold" in due and "Due at the next visit" in due and "Certified" in due, due
    _shot(desk, "13-documentation-due")
    desk.context.close()
    pt = log_in(browser, server, world.emails["therapist"])
    pt.goto(f"{server}/episodes/{episode_id}")
    clock = pt.inner_text("#progress-clock")
    assert "Progress report due at the next visit" in clock, clock
    _shot(pt, "14-episode-progress-report-due")
    pt.context.close()


def _progress_report(browser, server: str, world: World, episode_id: int) -> None:  # type: ignore[no-untyped-def]
    pt = log_in(browser, server, world.emails["therapist"])
    pt.goto(f"{server}/episodes/{episode_id}")
    assert "Progress report due today" in pt.inner_text("#progress-clock"), pt.inner_text("#progress-clock")
    pt.get_by_role("link", name="Write progress report").click()
    assert "10 treatment days of this reporting period" in pt.inner_text("main"), pt.inner_text("main")[:800]
    _submit(pt, "Draft the progress report")
    report_url = pt.url
    berg = pt.locator(".goal", has_text="Long-term goal: Berg").inner_text()
    assert "38" in berg and "48" in berg and "50" in berg, berg  # baseline, latest, target
    short = pt.locator(".goal", has_text="Short-term goal: Berg").inner_text()
    assert "45" in short and "(reached)" in short, short

    # A PT assistant on the care team writes elements, not the report: no button, and the route refuses.
    assistant = log_in(browser, server, world.emails["assistant"])
    assistant.goto(report_url)
    assert "an assistant writes elements, not the report" in assistant.inner_text("#sections")
    assert assistant.locator("button[name=action][value=sign]").count() == 0
    assistant.locator("#report-form").evaluate(
        "form => { const b = document.createElement('button'); b.name = 'action'; b.value = 'sign';"
        " b.id = 'forged-sign'; form.appendChild(b); }")
    with assistant.expect_navigation():
        assistant.locator("#forged-sign").click()
    refusal = assistant.inner_text("[role=alert]")
    assert "not signed" in refusal, refusal
    assert assistant.inner_text("#report-status") == "Draft"
    _shot(assistant, "15-progress-report-assistant-refused")
    assistant.context.close()

    pt.goto(report_url)
    pt.get_by_label("Assessment: progress toward each goal, and your judgement").fill(
        "Berg up 10 points since the evaluation; the short-term goal reached. Still unsteady turning at speed.")
    pt.get_by_label("Plan: changes to the goals and the plan of care").fill("Continue twice a week; add turns.")
    pt.get_by_label("Continue the plan of care").check()
    pt.locator(".goal", has_text="mailbox").locator("textarea").fill("Walks 40 m to the gate without holding on.")
    with pt.expect_navigation():
        pt.get_by_role("button", name="Sign progress report").click()
    assert pt.inner_text("#report-status") == "Signed", pt.inner_text("main")[:800]
    _shot(pt, "16-progress-report-signed")
    text = _pdf(pt, server, pt.get_by_role("link", name="PDF").get_attribute("href"), "17-progress-report")
    assert "Progress report" in text and "Berg" in text and "38" in text and "48" in text, text[:2000]
    pt.context.close()


def _discharge(browser, server: str, world: World, episode_id: int, patient_id: int) -> None:  # type: ignore[no-untyped-def]
    pt = log_in(browser, server, world.emails["therapist"])
    pt.goto(f"{server}/episodes/{episode_id}/goals")
    short = pt.locator("details", has_text="Short-term: BBS 45")
    short.locator("summary").click()
    assert "Evidence: latest BBS 52 points" in short.inner_text(), short.inner_text()
    short.locator("input[name=met_on]").fill(_on(TREATMENT_DAYS[8]))  # first reached at treatment visit 9
    with pt.expect_navigation():
        short.get_by_role("button", name="Mark met").click()
    assert "Goal marked." in pt.inner_text("main")
    _shot(pt, "18-goal-met")

    pt.goto(f"{server}/episodes/{episode_id}/discharge")
    pt.locator("input[name=reason][value=goals_met]").check()
    _submit(pt, "Discharge")
    assert "Discharged" in pt.inner_text("main")
    pt.get_by_role("link", name="Write discharge summary").click()
    _submit(pt, "Draft the discharge summary")
    summary_url = pt.url
    long_berg = pt.locator(".goal", has_text="Long-term goal: Berg")
    assert "38" in long_berg.inner_text() and "52" in long_berg.inner_text(), long_berg.inner_text()
    long_berg.locator("input[type=radio][value=met]").check()
    walk = pt.locator(".goal", has_text="mailbox")
    walk.locator("input[type=radio][value=met]").check()
    walk.locator("textarea").fill("Walked to the mailbox and back today without holding on.")
    _fill(pt, {"assessment": "Berg 52 from 38: no fall during the episode; steady when turning.",
               "recommendations": "Keep up the home programme daily; call if a fall happens."})
    with pt.expect_navigation():
        pt.get_by_role("button", name="Sign discharge summary").click()
    assert pt.url.startswith(summary_url) and pt.inner_text("#report-status") == "Signed", pt.inner_text("main")[:800]
    signed = pt.inner_text("main")
    assert "Goals met" in pt.inner_text("#discharge") and "Not met" not in signed, signed[:1500]
    assert signed.count("Met at discharge") == 2, signed[:3000]  # the two long-term goals; the short one met before
    assert "Sit-to-stand" in pt.inner_text("#sections"), pt.inner_text("#sections")  # the home programme
    _shot(pt, "19-discharge-summary-signed")
    text = _pdf(pt, server, pt.get_by_role("link", name="PDF").get_attribute("href"), "20-discharge-summary")
    assert "Discharge summary" in text and "52" in text and "38" in text and "Met at discharge" in text, text[:2000]
    pt.goto(f"{server}/patients/{patient_id}")
    assert "Discharged" in pt.inner_text("main")
    _shot(pt, "21-chart-discharged")
    pt.context.close()


def test_a_plan_of_care_from_evaluation_to_discharge(browser, server: str, world: World, tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk = log_in(browser, server, world.emails["front_desk"])
    harold = _register(desk, server)
    _book_and_check_in(desk, server, world, harold, _on(0), "evaluation")
    desk.context.close()

    pt = log_in(browser, server, world.emails["therapist"])
    episode_id = _open_episode(pt, server, world, harold)
    evaluation = _todays_visit(pt, server, harold)
    _record_berg(pt, server, evaluation, BERG_BY_VISIT[0])
    _record_tug(pt, server, evaluation, "16.2")
    pt.goto(f"{server}/visits/{evaluation}")
    measures = pt.inner_text("#measures")
    assert "Berg" in measures and "38" in measures and "16.2" in measures, measures
    _add_minutes(pt, "evaluation", 45)
    _shot(pt, "01-evaluation-visit")
    _problems(pt, server, evaluation)
    pt.goto(f"{server}/visits/{evaluation}/billing")
    pt.locator("select[name=code]").nth(0).select_option("97162")
    pt.locator("input[name=minutes]").nth(0).fill("45")
    _submit(pt, "Save minutes")
    _sign_evaluation(pt, server, evaluation)
    _shot(pt, "04-evaluation-signed")
    href = pt.get_by_role("link", name="PDF").get_attribute("href")
    text = _pdf(pt, server, href, "04-evaluation-note")
    assert "Berg" in text and "38" in text and "16.2" in text and "97162" in text, text[:2000]
    _complete(pt, server, evaluation, 45)
    _set_goals(pt, server, episode_id)
    _plan(pt, server, episode_id)
    pt.context.close()

    scan = _scan_png(tmp_path / "signed-plan.png")
    for number, offset in enumerate(TREATMENT_DAYS, start=1):
        with time_machine.travel(local(offset, 11), tick=True):
            _treat(browser, server, world, harold, number)
            if number == 8:
                _progress_report_due(browser, server, world, episode_id)
            if number == 3:
                desk = log_in(browser, server, world.emails["front_desk"])
                _certify(desk, server, harold, scan)
                desk.goto(f"{server}/schedule")
                _shot(desk, "11-schedule-certified")
                desk.context.close()
            if number == 9:
                _progress_report(browser, server, world, episode_id)
            if number == 10:
                _discharge(browser, server, world, episode_id, harold)
