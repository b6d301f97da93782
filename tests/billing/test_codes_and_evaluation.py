"""The code catalogue, licensed descriptors, NPI check digits, and the evaluation's complexity."""

from __future__ import annotations

from pathlib import Path

import pytest

from reeducate.billing.codes import Category, catalogue, code, load_descriptors
from reeducate.billing.evaluation import EvaluationFindings, Level, Presentation, evaluation_code
from reeducate.billing.npi import check_npi, npi_is_valid

ISSUE_CODES = ["97112", "97110", "97116", "97140", "97530", "97535", "97750", "97150", "97161", "97162", "97163",
               "97164", "97010", "97014", "G0283", "98940", "98941", "98942", "98975", "98977", "98980", "98981",
               "98985", "98979"]


def test_the_catalogue_holds_every_code_a_clinic_uses_timed_or_not() -> None:
    assert set(ISSUE_CODES) <= set(catalogue())
    timed = {c for c, entry in catalogue().items() if entry.timed}
    assert {"97112", "97110", "97116", "97140", "97530", "97535", "97750"} <= timed
    assert not timed & {"97150", "97161", "97164", "97010", "G0283", "98940", "98975", "98980"}
    assert code("97150").category is Category.GROUP and code("98941").category is Category.CHIROPRACTIC


def test_labels_are_our_own_words_not_the_ama_descriptors() -> None:
    assert all(len(entry.label) <= 80 for entry in catalogue().values())
    assert "each 15 minutes" not in " ".join(entry.label for entry in catalogue().values())


def test_a_clinic_loads_its_licensed_descriptors_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cpt.csv"
    path.write_text("code,descriptor\n97112,Licensed text of 97112\ng0283,Licensed text of G0283\n")
    assert load_descriptors(path) == {"97112": "Licensed text of 97112", "G0283": "Licensed text of G0283"}
    path.write_text("code,descriptor\n97112,ok\n99999,unknown\n")
    with pytest.raises(ValueError, match="cpt.csv, line 3: '99999' is not a code"):
        load_descriptors(path)
    path.write_text("cpt;text\n97112;x\n")
    with pytest.raises(ValueError, match="expected a CSV with the columns code,descriptor"):
        load_descriptors(path)


def test_npi_check_digits_follow_the_luhn_rule_with_the_80840_prefix() -> None:
    assert npi_is_valid("1234567893")  # CMS's worked example
    assert not npi_is_valid("1234567890")
    assert not npi_is_valid("123456789") and not npi_is_valid("12345678a3") and not npi_is_valid("１234567893")
    with pytest.raises(ValueError, match="Dr Who's NPI 1234567890 is not valid"):
        check_npi("1234567890", "Dr Who")
    with pytest.raises(ValueError, match="has no NPI"):
        check_npi("", "Dr Who")


@pytest.mark.parametrize(
    ("factors", "elements", "presentation", "decision", "expected", "limited_by"),
    [
        (0, 2, Presentation.STABLE, Level.LOW, "97161", ("history", "examination", "presentation", "decision_making")),
        (2, 3, Presentation.EVOLVING, Level.MODERATE, "97162", ("history", "examination", "presentation", "decision_making")),
        (3, 4, Presentation.UNSTABLE, Level.HIGH, "97163", ("history", "examination", "presentation", "decision_making")),
        (5, 6, Presentation.UNSTABLE, Level.MODERATE, "97162", ("decision_making",)),
        (1, 4, Presentation.UNSTABLE, Level.HIGH, "97162", ("history",)),
        (4, 1, Presentation.UNSTABLE, Level.HIGH, "97161", ("examination",)),
    ],
)
def test_the_evaluation_code_is_the_level_all_four_components_reach(
    factors, elements, presentation, decision, expected, limited_by
) -> None:
    result = evaluation_code(EvaluationFindings(factors, elements, presentation, decision))
    assert result.code == expected and result.limited_by == limited_by


def test_impossible_evaluation_findings_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one body-system element"):
        evaluation_code(EvaluationFindings(0, 0, Presentation.STABLE, Level.LOW))
    with pytest.raises(ValueError, match="cannot be negative"):
        evaluation_code(EvaluationFindings(-1, 2, Presentation.STABLE, Level.LOW))
