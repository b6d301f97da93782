"""Every instrument is complete, sourced, and names only real LOINC codes."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from reeducate.measures.catalogue import NOT_SHIPPED, instruments
from reeducate.measures.definition import Instrument

ISSUE_IDS = {
    "berg", "tug", "tug-cognitive", "ftsts", "chair-stand-30s", "steadi-4-stage", "fga", "dgi",
    "mini-bestest", "abc", "single-leg-stance", "mctsib", "gait-speed-10m", "six-minute-walk", "odi",
    "ndi", "lefs", "quickdash", "psfs", "nprs", "fabq", "tsk-17", "koos-jr", "hoos-jr",
}
ALL = list(instruments().values())


def luhn_valid(code: str) -> bool:
    """LOINC codes end in a mod-10 (Luhn) check digit."""
    digits = [int(c) for c in code.replace("-", "")]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return total % 10 == 0


def verified_loinc() -> dict[str, str]:
    text = (resources.files("reeducate.measures") / "loinc_verified.yaml").read_text()
    return {entry["code"]: entry["display"] for entry in yaml.safe_load(text)}


def test_every_issue_id_is_shipped_or_declared_not_shipped() -> None:
    assert set(instruments()) | set(NOT_SHIPPED) == ISSUE_IDS


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.id)
def test_every_figure_has_a_source_with_a_year_and_population(instrument: Instrument) -> None:
    for source in instrument.sources():
        assert any(str(year) in source.citation for year in range(1950, 2030)), source.citation
        assert source.population.strip()


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.id)
def test_every_instrument_states_its_missing_rule_licence_and_direction(instrument: Instrument) -> None:
    assert len(instrument.scoring.missing_rule) > 20
    assert instrument.licence
    assert isinstance(instrument.higher_is_better, bool)
    for threshold in instrument.thresholds:
        assert threshold.confidence_pct in (None, 90, 95)


@pytest.mark.parametrize("instrument", [i for i in ALL if i.loinc], ids=lambda i: i.id)
def test_a_loinc_code_is_real(instrument: Instrument) -> None:
    assert instrument.loinc is not None
    assert luhn_valid(instrument.loinc.code), f"{instrument.loinc.code} fails the LOINC check digit"
    assert verified_loinc().get(instrument.loinc.code) == instrument.loinc.display


def test_the_loinc_check_catches_an_invented_code() -> None:
    assert luhn_valid("72514-3")
    assert not luhn_valid("72514-4")
    assert "89999-1" not in verified_loinc()


def test_the_measures_page_is_generated_from_the_definitions() -> None:
    from pathlib import Path

    from reeducate.measures.docs import measures_markdown

    page = Path(__file__).parents[2] / "docs" / "measures.md"
    assert page.read_text() == measures_markdown(), "run: reeducate measures docs > docs/measures.md"


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.id)
def test_an_answer_s_words_repeat_the_scoring_rule(instrument: Instrument) -> None:
    """The words a patient reads beside an answer are the scoring rule's own, not ours."""
    rule = instrument.scoring.rule.lower().replace("%", "")
    for item in [*instrument.items, *(i for m in instrument.modules for i in m.items)]:
        for value, words in item.choices.items():
            assert f"{value} ({words.lower()}" in rule or f"{value} ({words.lower()})" in rule, (item, value)


def test_a_choice_that_is_no_answer_of_its_item_is_refused() -> None:
    from pydantic import ValidationError

    from reeducate.measures.definition import Item

    with pytest.raises(ValidationError, match="choice '5' is not one of its answers"):
        Item(number=1, label="Pain now", max=4, choices={"5": "worst"})
