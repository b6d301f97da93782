"""The evaluation note (issue 19): its own template, chosen by the appointment's kind or the evaluating
minutes; drafted from the episode and what the visit recorded; its code drafted from the four
components and confirmed by the therapist; signed only complete and confirmed; billed on the confirmed
code (97161-97163, or 97164 for a re-evaluation), never a default."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic import evaluation_draft
from reeducate.clinic.access import Actor
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput
from reeducate.clinic.models import Appointment, Episode, Problem, User, Visit
from reeducate.clinic.schemas import VisitActivityAdd
from reeducate.clinic.services import billing, documents, notes, visits
from reeducate.clinic.vocabulary import Activity, AppointmentKind, NoteTemplate, ProblemStatus
from tests.support import World, local


def _actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _visit_of_kind(session: Session, world: World, kind: AppointmentKind) -> int:
    """Today's 10:00 appointment of P1 with the therapist, booked as ``kind``, checked in."""
    session.get_one(Appointment, world.appt_today).kind = kind
    return visits.check_in(session, _actor(session, world, "front_desk"), world.appt_today, now=local(0, 9, 55)).id


def _evaluating(session: Session, world: World, minutes: int = 30) -> int:
    """The open visit (its Berg, force-plate trial and gait recording) with evaluation minutes added."""
    visits.add_activity(session, _actor(session, world, "therapist"), world.visit_open,
                        VisitActivityAdd(activity=Activity.EVALUATION, minutes=minutes))
    return world.visit_open


COMPONENTS = {"personal_factors": 1, "body_elements": 4, "presentation": "evolving", "decision_making": "moderate"}


def _complete(session: Session, pt: Actor, visit_id: int) -> None:
    """Write every section an evaluation needs and answer every screening item."""
    notes.edit(session, pt, visit_id, {
        "history": {"mechanism": "Tripped on a kerb.", "prior_function": "Walked 2 km daily without an aid.",
                    "goals": "Walk to church without fear of falling."},
        "red_flags": {"answers": ["absent"] * len(evaluation_draft.SCREEN_ITEMS)},
        "systems_review": dict.fromkeys(evaluation_draft.SYSTEMS, "Unremarkable."),
        "assessment": "Balance deficits limit community walking.",
    })


@pytest.mark.parametrize(("kind", "template"), [(AppointmentKind.EVALUATION, NoteTemplate.EVALUATION),
                                                (AppointmentKind.RE_EVALUATION, NoteTemplate.RE_EVALUATION),
                                                (AppointmentKind.TREATMENT, NoteTemplate.DAILY)])
def test_the_template_follows_the_appointment_kind(records: World, factory: sessionmaker[Session],
                                                   kind: AppointmentKind, template: NoteTemplate) -> None:
    with factory.begin() as session:
        visit_id = _visit_of_kind(session, records, kind)
        note = notes.start_draft(session, _actor(session, records, "therapist"), visit_id)
        assert evaluation_draft.template_of(note.content) is template
        assert ("subjective" in note.content) is (template is NoteTemplate.DAILY)


def test_evaluation_minutes_choose_the_template_and_the_draft_pulls_the_visit_and_episode(
        records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        episode = session.get_one(Episode, records.episode)
        episode.red_flags, episode.precautions = "Report new numbness", "No running"
        note = notes.start_draft(session, _actor(session, records, "therapist"), _evaluating(session, records))
        content = note.content
        assert content["template"] == "evaluation"
        measured = content["tests_and_measures"].splitlines()
        assert measured[0].startswith("Berg Balance Scale: ") and measured[0].endswith(" [entered by the clinician].")
        assert measured[1].startswith("Force-plate stance") and measured[1].endswith(" [measured on the force plate].")
        assert measured[2].startswith("Gait (foot IMUs): cadence") and measured[2].endswith(" [measured from the recording walk.csv].")
        assert content["code"]["suggested_elements"] == 3
        assert content["code"]["suggested_from"] == ["Berg Balance Scale", "force-plate stance", "gait"]
        assert content["code"]["drafted"] is None and content["code"]["confirmed"] is None
        assert content["history"]["onset"].startswith("Fall risk and balance.")
        assert content["history"]["mechanism"] == content["history"]["goals"] == ""
        assert content["red_flags"]["listed"] == ["Red flag: Report new numbness", "Precaution: No running"]
        assert {item["answer"] for item in content["red_flags"]["screen"]} == {""}  # nothing pre-answered
        assert set(content["systems_review"]) == {"cardiovascular_pulmonary", "integumentary", "musculoskeletal",
                                                  "neuromuscular", "communication"}


def test_a_note_without_a_template_is_daily_and_a_treatment_visit_drafts_one(records: World,
                                                                            factory: sessionmaker[Session]) -> None:
    assert evaluation_draft.template_of({"subjective": "old note"}) is NoteTemplate.DAILY
    with factory.begin() as session:
        note = notes.start_draft(session, _actor(session, records, "therapist"), records.visit_open)
        assert evaluation_draft.template_of(note.content) is NoteTemplate.DAILY and "template" not in note.content


def test_a_pt_assistant_may_not_write_an_evaluation(records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        visit_id = _evaluating(session, records)
        with pytest.raises(Forbidden):
            notes.start_draft(session, _actor(session, records, "assistant"), visit_id)


def test_the_code_is_drafted_from_the_components_with_what_limits_it(records: World,
                                                                    factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        pt = _actor(session, records, "therapist")
        visit_id = _evaluating(session, records)
        notes.start_draft(session, pt, visit_id)
        with pytest.raises(InvalidInput, match="Enter the four components first"):
            notes.confirm_code(session, pt, visit_id)
        code = notes.set_code_components(session, pt, visit_id, dict(COMPONENTS)).content["code"]
        assert code["drafted"] == "97162"
        assert code["limited_by"] == ["personal_factors", "presentation", "decision_making"]
        with pytest.raises(Forbidden, match="who evaluated the patient"):  # on the care team, but not the evaluator
            notes.confirm_code(session, _actor(session, records, "chiropractor"), visit_id)
        confirmed = notes.confirm_code(session, pt, visit_id).content["code"]
        assert confirmed["confirmed"] == "97162" and confirmed["confirmed_by"] == "Therapist"
        assert confirmed["confirmed_at"]
        again = notes.set_code_components(session, pt, visit_id, {**COMPONENTS, "personal_factors": 0}).content["code"]
        assert again["drafted"] == "97161" and again["limited_by"] == ["personal_factors"]
        assert again["confirmed"] is None  # new components: the code must be confirmed anew
        with pytest.raises(InvalidInput, match="whole number"):
            evaluation_draft.components_from_form("-1", "3", "stable", "low")
        with pytest.raises(InvalidInput, match="at least one body-system element"):
            notes.set_code_components(session, pt, visit_id, {**COMPONENTS, "body_elements": 0})


def _codes(session: Session, visit_id: int) -> tuple[list[str], list[str]]:
    """The visit's codes as billing assesses them now, and the problems it finds."""
    assessed = billing.assess(session, session.get_one(Visit, visit_id))
    return sorted(c.code for c in assessed.charges), assessed.problems


def test_signing_needs_the_sections_and_a_confirmed_code_and_billing_uses_it(records: World,
                                                                              factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        pt, desk = _actor(session, records, "therapist"), _actor(session, records, "front_desk")
        visit_id = _evaluating(session, records)
        session.add_all([Problem(episode_id=records.episode, statement="Impaired standing balance",
                                 status=ProblemStatus.ACCEPTED),
                         Problem(episode_id=records.episode, statement="Proposed only", status=ProblemStatus.PROPOSED)])
        notes.start_draft(session, pt, visit_id)
        with pytest.raises(InvalidInput, match="history: mechanism of injury"):
            notes.sign(session, pt, visit_id)
        _complete(session, pt, visit_id)
        codes, problems = _codes(session, visit_id)
        assert codes == ["97112"] and problems == ["The evaluation code is not confirmed: confirm it on the visit's note."]
        notes.set_code_components(session, pt, visit_id, dict(COMPONENTS))
        with pytest.raises(InvalidInput, match="the evaluation code: confirm it"):
            notes.sign(session, pt, visit_id)
        notes.confirm_code(session, pt, visit_id)
        assert _codes(session, visit_id) == (["97112", "97162"], [])
        billing.set_charges(session, pt, visit_id, [billing.ChargeInput("97112", 15), billing.ChargeInput("97161")])
        assert _codes(session, visit_id)[1] == ["The billing lists 97161, but the evaluation note's confirmed code is "
                                                "97162: bill 97162 only."]
        notes.confirm_code(session, pt, visit_id)  # confirming puts the confirmed code in the saved billing
        assert _codes(session, visit_id) == (["97112", "97162"], [])
        signed = notes.sign(session, pt, visit_id, now=local(0, 11))
        assert signed.content["problems"] == ["Impaired standing balance"]
        assert [line["code"] for line in signed.billing["lines"]] == ["97112", "97162"]
        assert notes.verify(signed)
        claim = billing.release_claim(session, desk, visit_id, now=local(0, 12))
        assert "HC:97162" in claim.x12 and "HC:97161" not in claim.x12


def test_a_re_evaluation_is_97164_confirmed_the_same_way(records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        pt = _actor(session, records, "therapist")
        visit_id = _visit_of_kind(session, records, AppointmentKind.RE_EVALUATION)
        visits.add_activity(session, pt, visit_id, VisitActivityAdd(activity=Activity.RE_EVALUATION, minutes=20))
        note = notes.start_draft(session, pt, visit_id)
        assert note.content["code"]["drafted"] == "97164" and note.content["code"]["confirmed"] is None
        codes, problems = _codes(session, visit_id)
        assert codes == [] and problems  # the activity's default 97164 waits for the therapist's confirmation
        with pytest.raises(Conflict, match="97164 whatever its complexity"):
            notes.set_code_components(session, pt, visit_id, dict(COMPONENTS))
        notes.edit(session, pt, visit_id, {"red_flags": {"answers": ["absent"] * len(evaluation_draft.SCREEN_ITEMS)},
                                           "assessment": "Progressing.", "tests_and_measures": "Berg 50/56."})
        notes.confirm_code(session, pt, visit_id)
        assert _codes(session, visit_id) == (["97164"], [])
        billing.set_charges(session, pt, visit_id, [billing.ChargeInput("97164")])
        assert notes.sign(session, pt, visit_id, now=local(0, 11)).content["code"]["confirmed"] == "97164"


def test_evaluation_edits_are_checked(records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        pt = _actor(session, records, "therapist")
        visit_id = _evaluating(session, records)
        notes.start_draft(session, pt, visit_id)
        bad: list[dict[str, Any]] = [
            {"subjective": "daily section"}, {"code": {"confirmed": "97163"}}, {"history": {"diet": "x"}},
            {"red_flags": {"answers": ["absent"]}}, {"red_flags": {"answers": ["maybe"] * len(evaluation_draft.SCREEN_ITEMS)}},
        ]
        for content in bad:
            with pytest.raises(InvalidInput):
                notes.edit(session, pt, visit_id, content)
        answers = ["absent"] * len(evaluation_draft.SCREEN_ITEMS)
        answers[6] = "present"
        notes.edit(session, pt, visit_id, {"red_flags": {"answers": answers}})
        note = notes.of_visit(session, pt, visit_id)
        assert note is not None
        assert any("describe the findings" in m for m in evaluation_draft.missing(note.content, needs_code=True))


def test_the_document_prints_the_evaluation_with_its_problem_list_and_code(records: World,
                                                                            factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        pt = _actor(session, records, "therapist")
        visit_id = _evaluating(session, records)
        session.add(Problem(episode_id=records.episode, statement="Impaired standing balance",
                            status=ProblemStatus.ACCEPTED))
        notes.start_draft(session, pt, visit_id)
        _complete(session, pt, visit_id)
        notes.set_code_components(session, pt, visit_id, dict(COMPONENTS))
        notes.confirm_code(session, pt, visit_id, now=local(0, 10, 30))
        billing.set_charges(session, pt, visit_id, [billing.ChargeInput("97112", 15), billing.ChargeInput("97162")])
        notes.sign(session, pt, visit_id, now=local(0, 11))
        _, html = documents.note_document(session, pt, visit_id, as_pdf=False)
    assert isinstance(html, str)
    assert "<h1>Initial evaluation</h1>" in html and "Daily treatment note" not in html
    for text in ("Mechanism of injury", "Tripped on a kerb.", "Night pain</td><td>absent", "Cardiovascular / pulmonary",
                 "Berg Balance Scale: ", "<li>Impaired standing balance</li>", "Clinical presentation", "Evolving",
                 "<strong>97162</strong> (moderate complexity), confirmed by Therapist on Wed 25 Nov 2026 10:30 CST",
                 "Held at this level by: history (personal factors and comorbidities), clinical presentation"):
        assert text in html, text
    assert "Subjective" not in html and "Neuromuscular re-education (97112)</h2>" not in html


def test_only_the_evaluating_roles_edit_an_evaluation_and_a_chiropractors_has_no_code_to_confirm(
        records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        pt = _actor(session, records, "therapist")
        visit_id = _evaluating(session, records)
        notes.start_draft(session, pt, visit_id)
        with pytest.raises(Forbidden):
            notes.edit(session, _actor(session, records, "assistant"), visit_id, {"assessment": "Written by the PTA."})
        with pytest.raises(Forbidden):
            notes.confirm_code(session, _actor(session, records, "assistant"), visit_id)
        with pytest.raises(Forbidden):
            notes.set_code_components(session, _actor(session, records, "front_desk"), visit_id, dict(COMPONENTS))
    with factory.begin() as session:
        dc = _actor(session, records, "chiropractor")
        session.get_one(Appointment, records.appt_today).provider_id = records.user_ids["chiropractor"]
        visit_id = _visit_of_kind(session, records, AppointmentKind.EVALUATION)
        visits.add_activity(session, dc, visit_id, VisitActivityAdd(activity=Activity.CHIROPRACTIC_MANIPULATION,
                                                                    minutes=10))
        notes.start_draft(session, dc, visit_id)
        with pytest.raises(Conflict, match="no evaluation code in this catalogue"):
            notes.confirm_code(session, dc, visit_id)
        codes, problems = _codes(session, visit_id)
        assert codes == ["98940"] and not any("evaluation" in p for p in problems)  # nothing waits for a code
        _complete(session, dc, visit_id)
        notes.edit(session, dc, visit_id, {"tests_and_measures": "Cervical rotation 60° each side."})
        billing.set_charges(session, dc, visit_id, [billing.ChargeInput("98940", region="cervical")])
        assert notes.sign(session, dc, visit_id, now=local(0, 11)).status.value == "signed"
