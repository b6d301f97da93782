"""The patient's progress in plain words: each sentence rewords the change engine's own judgement, and a
fall-risk finding is the latest score's own band, kept with its source."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reeducate.clinic.models import MeasureAdministration
from reeducate.measures.catalogue import instruments
from reeducate.measures.change import trajectory
from reeducate.web.plain_progress import change_sentences, fall_risks

FIRST, LATER = date(2026, 11, 2), date(2026, 11, 23)


def _said(measure_id: str, *scores: float) -> list[str]:
    dated = list(zip([FIRST, LATER], scores, strict=False))
    return change_sentences(trajectory(instruments()[measure_id], dated), "balance score")


def test_a_change_beyond_the_measurement_error_and_big_enough_to_notice_is_said_so() -> None:
    # Berg 50 -> 56: the MDC for a baseline of 45-56 is 4 (Donoghue 2009), the MCID 5 (Tamura 2022)
    assert _said("berg", 50, 56) == [
        "Your balance score has improved by more than the ups and downs this test usually shows from one time to "
        "the next: a real change, not chance.", "It is a change big enough to notice in daily life."]


def test_a_change_within_the_measurement_error_may_be_chance() -> None:
    assert _said("berg", 50, 52) == [
        "Your balance score has changed since your first, but by less than the ups and downs this test usually "
        "shows from one time to the next, so the change may be chance rather than real.",
        "It is not yet a change big enough to notice in daily life."]


def test_a_real_change_for_the_worse_is_said_calmly_with_what_happens_next() -> None:
    said = _said("berg", 50, 44)
    assert said == ["Your balance score has gone the wrong way by more than the ups and downs this test usually "
                    "shows from one time to the next. Your therapist will talk it over with you."]


def test_without_a_published_measurement_error_the_page_does_not_guess() -> None:
    said = change_sentences(trajectory(instruments()["nprs"], [(FIRST, 6), (LATER, 3)]), "pain score")
    assert "we cannot tell whether this is more than chance" in said[0] and "improved" in said[0]
    assert "measurement error" not in " ".join(said)  # the clinicians' term, in the patient's words
    assert said[1] == "It is a change big enough to notice in daily life."  # 3 points, the MCID 2 (Farrar 2001)


def test_a_first_score_and_an_unchanged_one() -> None:
    assert _said("berg", 50) == ["This is your first balance score; the next one will show how you are changing."]
    assert _said("berg", 50, 50) == ["Your balance score is the same as your first."]


def _administration(measure_id: str, day: int, labels: dict[str, bool], computable: bool = True
                    ) -> MeasureAdministration:
    found = [{"label": label, "applies": applies, "rule": "score < 45", "source": f"Study of {label}."}
             for label, applies in labels.items()]
    return MeasureAdministration(measure_id=measure_id, computable=computable, result={"interpretations": found},
                                 administered_at=datetime(2026, 11, day, 15, tzinfo=UTC))


def test_a_fall_risk_finding_is_the_latest_score_s_own_with_its_source() -> None:
    found = fall_risks([
        _administration("berg", 2, {"Increased risk of falls": True}),
        _administration("berg", 23, {"Increased risk of falls": False}),  # the latest score is past it
        _administration("abc", 20, {"Increased risk of falls": True, "Moderate level of physical functioning": True}),
        _administration("abc", 23, {"Increased risk of falls": True}, computable=False),  # no score: not its say
        _administration("tug", 23, {"At risk of falling (CDC STEADI screen)": True}),
    ])
    assert [(f.measure_id, f.on.day, [(x.label, x.source) for x in f.findings]) for f in found] == [
        ("abc", 20, [("Increased risk of falls", "Study of Increased risk of falls.")]),
        ("tug", 23, [("At risk of falling (CDC STEADI screen)", "Study of At risk of falling (CDC STEADI screen).")])]


def test_two_fall_risk_bands_of_one_score_are_said_once_with_both_studies() -> None:
    # a TUG of 15.6 s is past both the CDC STEADI screen's 12 s and Shumway-Cook 2000's 13.5 s
    found = fall_risks([_administration("tug", 23, {"At risk of falling (CDC STEADI screen)": True,
                                                    "Increased risk of falls": True})])
    assert len(found) == 1 and [x.label for x in found[0].findings] == [
        "At risk of falling (CDC STEADI screen)", "Increased risk of falls"]
