"""The portal's questions built from a definition: the item's own text as the stem, the scoring rule's words
at the scale's ends, buttons for a short scale and a slider (with buttons at its marks) for a long one, the
same field names the clinician's form posts."""

from __future__ import annotations

from reeducate.measures.catalogue import instruments
from reeducate.web.measure_forms import MOST_BUTTONS, questions, responses_from_form


def test_a_short_scale_is_buttons_with_the_rule_s_words_at_its_ends() -> None:
    (group,) = questions(instruments()["lefs"])
    third = group.questions[2]
    assert (third.name, third.stem, third.slider) == ("item-3", "Getting into or out of the bath", False)
    assert [c.value for c in third.choices] == ["0", "1", "2", "3", "4"]
    assert (third.low.words, third.high.words) == ("extreme difficulty or unable", "no difficulty")


def test_a_long_scale_is_a_slider_whose_buttons_without_javascript_are_eleven_marks() -> None:
    (group,) = questions(instruments()["abc"])
    stairs = [q for q in group.questions if q.number == "2"]
    assert [q.stem for q in stairs] == ["Walk up or down stairs: up", "Walk up or down stairs: down"]
    assert [q.name for q in stairs] == ["item-2-up", "item-2-down"]
    assert stairs[0].slider and stairs[0].step == 1
    assert [c.value for c in stairs[0].choices] == [str(v) for v in range(0, 101, 10)]
    pain = questions(instruments()["nprs"])[0].questions[0]
    assert pain.slider and len(pain.choices) == 11 > MOST_BUTTONS and pain.high.words == "worst pain imaginable"


def test_optional_activities_and_modules_are_marked_so() -> None:
    psfs = questions(instruments()["psfs"])[0].questions
    assert [(q.stem, q.optional) for q in psfs] == [("Activity 1", False), ("Activity 2", False), ("Activity 3", False),
                                                     ("Activity 4", True), ("Activity 5", True)]
    main, work, sports = questions(instruments()["quickdash"])
    assert main.heading == "" and work.heading == "Work module (optional)"  # the module is, not each of its items
    assert not sports.questions[0].optional
    assert work.questions[0].name == "module-work-1"
    assert main.questions[9].low.words == ""  # items 7-11 answer other scales, which the rule does not word


def test_every_question_s_field_is_one_the_form_reader_reads() -> None:
    for measure in (m for m in instruments().values() if m.patient_reported):
        form = {q.name: q.choices[-1].value for g in questions(measure) for q in g.questions}
        responses, _ = responses_from_form(measure, form)
        flat = str(responses)
        assert "None" not in flat, (measure.id, responses)
