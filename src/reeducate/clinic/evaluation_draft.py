"""The evaluation's and re-evaluation's note: its sections, drafted from the episode and the visit,
checked when edited, and the evaluation code drafted from the four components for the therapist to
confirm.

Sections (``content`` of a :class:`~reeducate.clinic.models.VisitNote` with ``template`` set):

- ``history``: mechanism of injury, onset (drafted from the episode's condition, onset and surgery
  dates), prior level of function and the patient's own goals (left for the therapist: the patient's
  words, never guessed);
- ``red_flags``: the episode's red flags and precautions listed as recorded, and a screen whose every
  item the therapist answers (``present`` or ``absent``; nothing is pre-answered), with the findings;
- ``systems_review``: the APTA Guide to Physical Therapist Practice's systems review, a brief
  examination of "(1) the anatomical and physiological status of the cardiovascular/pulmonary,
  integumentary, musculoskeletal, and neuromuscular systems and (2) the communication ability, affect,
  cognition, language, and learning style of the patient" (Guide, 2nd ed., 2001, as quoted in
  forwardthinkingpt.com/2014/05/01/the-systems-review-fishing-expedition-or-worthwhile/; the same
  five parts in Quinn & Gordon, Documentation for Rehabilitation, F.A. Davis, "Systems Review");
- ``tests_and_measures``: what the visit recorded, each line labelled by its source (entered by the
  clinician or by the patient, measured on the force plate or from a recording), written with
  :mod:`reeducate.clinic.note_draft`'s sentences;
- ``assessment``, with the episode's accepted problems (copied into ``problems`` when signed), and
  ``plan`` (the plan of care itself is the episode's, on its own page);
- ``code``: the four components of :mod:`reeducate.billing.evaluation` as the therapist entered them,
  the code they support and the components that limit it, and the confirmation (who, when). A
  re-evaluation's code is 97164 whatever its complexity, confirmed the same way.

The red-flag screen's items are a short selection from Goodman & Snyder, Differential Diagnosis for
Physical Therapists: Screening for Referral, 5th ed., Appendix A-2 "Red Flags" (past medical history,
clinical presentation, pain pattern, associated signs and symptoms, and the American Cancer Society's
early warning signs listed there). They are questions, not a diagnosis: a "present" answer is for the
therapist to act on.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from reeducate.billing.evaluation import EvaluationFindings, Level, Presentation, evaluation_code
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.models import (
    BalanceTrial,
    Episode,
    ExerciseRecord,
    MeasureAdministration,
    MovementRecording,
)
from reeducate.clinic.note_draft import balance_line, grouped_runs, measure_lines, movement_line
from reeducate.clinic.vocabulary import AdministrationSource, MovementKind, NoteTemplate, Role
from reeducate.measures.catalogue import instruments
from reeducate.measures.change import MeasureProgress
from reeducate.reports.dates import day_text, moment_text

RE_EVALUATION_CODE = "97164"
"""Re-evaluation of physical therapy: one code, no complexity levels."""

HISTORY_FIELDS = {
    "mechanism": "Mechanism of injury",
    "onset": "Onset",
    "prior_function": "Prior level of function",
    "goals": "The patient's goals",
}
SYSTEMS = {
    "cardiovascular_pulmonary": ("Cardiovascular / pulmonary", "heart rate, respiratory rate, blood pressure, edema"),
    "integumentary": ("Integumentary", "pliability, scar formation, skin colour, skin integrity"),
    "musculoskeletal": ("Musculoskeletal", "gross symmetry, gross range of motion, gross strength, height, weight"),
    "neuromuscular": ("Neuromuscular", "gross coordinated movement (balance, gait, locomotion, transfers, "
                      "transitions), motor function"),
    "communication": ("Communication, affect, cognition, language, learning style",
                      "makes needs known; consciousness; orientation to person, place and time; emotional and "
                      "behavioural responses; learning preferences"),
}
"""The APTA Guide's systems review: each system with what its brief examination looks at (the Guide's
list, as quoted in the sources of this module's docstring)."""

SCREEN_ITEMS = (
    "Personal or family history of cancer",
    "Recent infection (last 6 weeks)",
    "Recent trauma (a fall, a car accident)",
    "Immunosuppression (steroids, organ transplant)",
    "Weight loss or gain without trying",
    "Pain unrelieved by rest or change of position",
    "Night pain",
    "Change in bowel or bladder habits",
    "Bilateral symptoms (numbness, tingling, edema)",
    "Change in mental status or confusion",
    "Unusual vital signs",
)
"""The red-flag screen's questions (Goodman & Snyder, 5th ed., Appendix A-2; see the docstring)."""
ANSWERS = ("absent", "present")

COMPONENTS = {
    "personal_factors": "Personal factors and comorbidities affecting the plan (count)",
    "body_elements": "Body-system elements examined with standardised tests and measures (count)",
    "presentation": "Clinical presentation",
    "decision_making": "Clinical decision making",
}
COMPONENT_OF = {"history": "personal_factors", "examination": "body_elements", "presentation": "presentation",
                "decision_making": "decision_making"}
"""billing.evaluation's component names to the note's fields."""
LIMIT_LABELS = {"personal_factors": "history (personal factors and comorbidities)",
                "body_elements": "examination (body-system elements)", "presentation": "clinical presentation",
                "decision_making": "clinical decision making"}
"""How the code panel names a component that limits the code."""
COMPLEXITY = {level.code: f"{level.name.lower()} complexity" for level in Level} | {RE_EVALUATION_CODE: "re-evaluation"}
PRESENTATIONS = {p.value: {Presentation.STABLE: "Stable", Presentation.EVOLVING: "Evolving",
                           Presentation.UNSTABLE: "Unstable and unpredictable"}[p] for p in Presentation}
DECISIONS = {level.name.lower(): level.name.capitalize() for level in Level}

TEXT_SECTIONS = ("tests_and_measures", "assessment", "plan")
EDITABLE = ("history", "red_flags", "systems_review", *TEXT_SECTIONS)
"""What the therapist edits as text; ``code`` changes only through its components and confirmation."""
REQUIRED = {
    NoteTemplate.EVALUATION: ("history", "red_flags", "systems_review", *TEXT_SECTIONS),
    NoteTemplate.RE_EVALUATION: ("red_flags", *TEXT_SECTIONS),
}
"""The sections a note of each template needs before it is signed (a re-evaluation updates the
history and systems only where they changed)."""


def template_of(content: dict[str, Any]) -> NoteTemplate:
    """The note's template (a note without one, every note before evaluations had their own, is daily)."""
    return NoteTemplate(content.get("template", NoteTemplate.DAILY))


def is_evaluation(content: dict[str, Any]) -> bool:
    return template_of(content) is not NoteTemplate.DAILY


def needs_code(clinician_role: Role) -> bool:
    """Whether an evaluation by ``clinician_role`` bills a physical therapy evaluation code the therapist
    confirms (the catalogue has no chiropractic evaluation code: a chiropractor's is added on the claim)."""
    return clinician_role is not Role.CHIROPRACTOR


def confirmed_code(content: dict[str, Any]) -> str | None:
    """The evaluation code the therapist confirmed, if any."""
    code = content.get("code") or {}
    return code.get("confirmed") if code.get("confirmed_at") else None


# --- the draft ------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def onset_text(episode: Episode | None, visit_day: date) -> str:
    """The episode's condition, onset and surgery dates, said as the episode records them."""
    if episode is None:
        return ""
    parts = [f"{episode.condition.label}."]
    if episode.onset_date:
        parts.append(f"Onset {day_text(episode.onset_date)} ({(visit_day - episode.onset_date).days} days before "
                     "this visit).")
    if episode.surgery_date:
        parts.append(f"Surgery {day_text(episode.surgery_date)} ({(visit_day - episode.surgery_date).days} days "
                     "before this visit).")
    return " ".join(parts) + " (From the episode.)"


def listed_flags(episode: Episode | None) -> list[str]:
    """The episode's red flags and precautions, each as recorded and named for what it is."""
    if episode is None:
        return []
    return ([f"Red flag: {line}" for line in _lines(episode.red_flags)]
            + [f"Precaution: {line}" for line in _lines(episode.precautions)])


SOURCE_OF_ENTRY = {AdministrationSource.CLINICIAN: "entered by the clinician",
                   AdministrationSource.PATIENT_PORTAL: "entered by the patient in the portal"}


def tests_and_measures(*, administrations: list[MeasureAdministration], progress: list[MeasureProgress],
                       trials: list[BalanceTrial], recordings: list[MovementRecording]) -> list[str]:
    """What the visit recorded, one line each, labelled by its source."""
    lines = [_labelled(line, SOURCE_OF_ENTRY[AdministrationSource(a.source)])
             for a in administrations for line in measure_lines([a], progress)]
    lines += [_labelled(balance_line(t), "measured on the force plate") for t in trials]
    for recording in recordings:
        gait = movement_line(recording)
        if gait is not None:
            lines.append(_labelled(gait, f"measured from the recording {recording.filename}"))
        elif recording.kind is MovementKind.VIDEO:
            lines.append(_labelled(f"Movement clip {recording.filename} (video)",
                                   "recorded in this visit; its analysis is on the visit's page"))
    return lines


def _labelled(sentence: str, source: str) -> str:
    """``sentence`` with its source in brackets before the full stop."""
    return f"{sentence.removesuffix('.')} [{source}]."


def suggested_elements(*, administrations: list[MeasureAdministration], trials: list[BalanceTrial],
                       recordings: list[MovementRecording]) -> tuple[int, list[str]]:
    """A SUGGESTION for the body-system elements examined: one per distinct standardised test or measure
    the visit recorded (each scored outcome measure, the force plate, gait, a movement clip, joint position
    sense), with what
    was counted. The therapist decides the count; the CPT element is theirs to judge."""
    shipped = instruments()
    counted = list(dict.fromkeys(shipped[a.measure_id].name if a.measure_id in shipped else a.measure_id
                                 for a in administrations if a.score is not None))
    if trials:
        counted.append("force-plate stance")
    if any(r.cadence_steps_per_min is not None for r in recordings):
        counted.append("gait")
    if any(r.kind is MovementKind.VIDEO and r.cadence_steps_per_min is None for r in recordings):
        counted.append("movement clip")
    if any(r.kind is MovementKind.JOINT_POSITION_SENSE for r in recordings):
        counted.append("joint position sense")
    return len(counted), counted


def draft(
    *, template: NoteTemplate, episode: Episode | None, visit_day: date,
    administrations: list[MeasureAdministration], progress: list[MeasureProgress], trials: list[BalanceTrial],
    recordings: list[MovementRecording], exercises: list[ExerciseRecord],
) -> dict[str, Any]:
    """The evaluation's (or re-evaluation's) sections as the therapist starts editing them."""
    elements, counted = suggested_elements(administrations=administrations, trials=trials, recordings=recordings)
    treated = [g.line() for g in grouped_runs(exercises)]
    plan = ["Plan of care: see the episode's plan of care."]
    if treated:
        plan += ["Treatment in this visit:", *treated]
    code: dict[str, Any] = {"suggested_elements": elements, "suggested_from": counted, "confirmed_at": None,
                            "confirmed": None, "confirmed_by": "", "confirmed_by_id": None}
    if template is NoteTemplate.RE_EVALUATION:
        code |= {"drafted": RE_EVALUATION_CODE, "limited_by": []}
    else:
        code |= {key: None for key in COMPONENTS} | {"drafted": None, "limited_by": []}
    return {
        "template": template.value,
        "history": {"mechanism": "", "onset": onset_text(episode, visit_day), "prior_function": "", "goals": ""},
        "red_flags": {"listed": listed_flags(episode),
                      "screen": [{"item": item, "answer": ""} for item in SCREEN_ITEMS], "findings": ""},
        "systems_review": dict.fromkeys(SYSTEMS, ""),
        "tests_and_measures": "\n".join(tests_and_measures(administrations=administrations, progress=progress,
                                                           trials=trials, recordings=recordings)),
        "assessment": "",
        "problems": [],
        "plan": "\n".join(plan),
        "code": code,
    }


# --- edits and signing ----------------------------------------------------------------------------


def edited(content: dict[str, Any], current: dict[str, Any], text: Any) -> dict[str, Any]:
    """``current`` with the sections of ``content`` replaced; ``text(value, where)`` checks one text.
    Unknown sections, fields or answers are refused with what the note holds."""
    unknown = set(content) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"Unknown section(s) of an evaluation note: {', '.join(sorted(unknown))}; it has "
                           f"{', '.join(EDITABLE)} (the code is confirmed on its own).")
    merged = dict(current)
    for key in TEXT_SECTIONS:
        if key in content:
            merged[key] = text(content[key], key)
    for key, fields in (("history", HISTORY_FIELDS), ("systems_review", SYSTEMS)):
        if key in content:
            merged[key] = {**current[key], **_fields(content[key], fields, key, text)}
    if "red_flags" in content:
        merged["red_flags"] = _screen(content["red_flags"], current["red_flags"], text)
    return merged


def _fields(value: object, fields: dict[str, Any], where: str, text: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) - set(fields):
        raise InvalidInput(f"{where} holds only {', '.join(fields)}")
    return {key: text(item, f"{where}.{key}") for key, item in value.items()}


def _screen(value: object, current: dict[str, Any], text: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"answers", "findings"}:
        raise InvalidInput("red_flags holds only answers (one per screening item) and findings")
    merged = {**current, "screen": [dict(item) for item in current["screen"]]}
    if "answers" in value:
        answers = value["answers"]
        if not isinstance(answers, list) or len(answers) != len(merged["screen"]):
            raise InvalidInput(f"Answer each of the {len(merged['screen'])} screening items (absent or present, "
                               "or leave it blank until asked).")
        for item, answer in zip(merged["screen"], answers, strict=True):
            if answer not in (*ANSWERS, ""):
                raise InvalidInput(f"{item['item']}: answer absent or present, not {answer!r}")
            item["answer"] = answer
    if "findings" in value:
        merged["findings"] = text(value["findings"], "red_flags.findings")
    return merged


def missing(content: dict[str, Any], *, needs_code: bool) -> list[str]:
    """What the note still needs before it is signed, in words (empty when complete)."""
    template = template_of(content)
    out: list[str] = []
    for section in REQUIRED[template]:
        if section == "history":
            out += [f"history: {HISTORY_FIELDS[k].lower()}" for k, v in content["history"].items() if not v.strip()]
        elif section == "systems_review":
            out += [f"systems review: {SYSTEMS[k][0].lower()}" for k, v in content["systems_review"].items()
                    if not v.strip()]
        elif section == "red_flags":
            screen = content["red_flags"]
            unanswered = [item["item"] for item in screen["screen"] if not item["answer"]]
            if unanswered:
                out.append(f"red-flag screen: answer {len(unanswered)} item(s) ({unanswered[0]}...)")
            if any(item["answer"] == "present" for item in screen["screen"]) and not screen["findings"].strip():
                out.append("red-flag screen: describe the findings of the items answered present and what was done")
        elif not str(content.get(section, "")).strip():
            out.append(section.replace("_", " "))
    if needs_code and not confirmed_code(content):
        out.append("the evaluation code: confirm it")
    return out


# --- the code -------------------------------------------------------------------------------------


def components_from_form(personal_factors: str, body_elements: str, presentation: str,
                         decision_making: str) -> dict[str, Any]:
    """The four components as the therapist typed them, checked (InvalidInput naming the bad one)."""
    out: dict[str, Any] = {}
    for key, value in (("personal_factors", personal_factors), ("body_elements", body_elements)):
        value = value.strip()
        if not value.isdigit() or int(value) > 50:
            raise InvalidInput(f"{COMPONENTS[key]}: give a whole number from 0 to 50, not {value!r}")
        out[key] = int(value)
    if presentation not in PRESENTATIONS:
        raise InvalidInput(f"Clinical presentation: choose {', '.join(PRESENTATIONS.values())}")
    if decision_making not in DECISIONS:
        raise InvalidInput(f"Clinical decision making: choose {', '.join(DECISIONS.values())}")
    return out | {"presentation": presentation, "decision_making": decision_making}


def with_components(code: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The note's code block with new components: the code they support and what limits it drafted
    (billing.evaluation's judgement), any earlier confirmation withdrawn."""
    try:
        judged = evaluation_code(EvaluationFindings(
            personal_factors_and_comorbidities=components["personal_factors"],
            body_elements_examined=components["body_elements"],
            presentation=Presentation(components["presentation"]),
            decision_making=Level[components["decision_making"].upper()]))
    except ValueError as error:
        raise InvalidInput(f"{error}.") from None
    limited = [COMPONENT_OF[name] for name in judged.limited_by]
    return {**code, **components, "drafted": judged.code, "limited_by": limited,
            "confirmed": None, "confirmed_at": None, "confirmed_by": "", "confirmed_by_id": None}


def confirmed_on(code: dict[str, Any]) -> datetime | None:
    """When the code was confirmed (stored as ISO text in the note's JSON)."""
    return datetime.fromisoformat(code["confirmed_at"]) if code.get("confirmed_at") else None


def component_text(code: dict[str, Any], key: str) -> str:
    """A component's value as people read it."""
    value = code.get(key)
    if value is None:
        return "—"
    return {"presentation": PRESENTATIONS, "decision_making": DECISIONS}.get(key, {}).get(value, str(value))


def document_view(content: dict[str, Any], problems: list[str], *, clinician_role: Role,
                  zone: tzinfo | None) -> dict[str, Any]:
    """What the note's document prints for an evaluation, as plain values (reports read no clinic
    module): the title, the sections' labels, the problem list given (:func:`notes.problem_list`) and the
    code with its components."""
    template = template_of(content)
    code = content["code"]
    coded = template is NoteTemplate.EVALUATION and needs_code(clinician_role)
    shown = code.get("confirmed") or code.get("drafted")
    at = confirmed_on(code)
    return {
        "title": template.label if template is NoteTemplate.RE_EVALUATION else "Initial evaluation",
        "evaluation": {
            "history": HISTORY_FIELDS, "systems": {key: label for key, (label, _) in SYSTEMS.items()},
            "problems": problems,
            "components": COMPONENTS if coded else {},
            "component_values": {key: component_text(code, key) for key in COMPONENTS},
            "complexity": COMPLEXITY.get(shown or "", ""),
            "limited_by": [LIMIT_LABELS[key] for key in code.get("limited_by", [])],
            "confirmed_at": moment_text(at, zone) if at else "",
        },
    }
