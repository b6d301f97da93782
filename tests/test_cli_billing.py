"""`reeducate billing units|evaluation|validate` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reeducate.cli import app

runner = CliRunner()


def units(*args: str):
    return runner.invoke(app, ["billing", "units", *args])


def test_units_json_is_the_issues_example() -> None:
    result = units("--rule", "cms", "--minutes", "97112=24", "--minutes", "97110=23", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"rule": "cms", "total_timed_minutes": 47,
                                         "units": {"97112": 2, "97110": 1}, "total_units": 3}


def test_every_code_named_appears_with_zero_where_it_bills_none_and_untimed_count_one() -> None:
    result = units("--rule", "ama", "--minutes", "97110=33", "--minutes", "97140=7", "--untimed", "97161", "--json")
    assert json.loads(result.stdout) == {"rule": "ama", "total_timed_minutes": 40,
                                         "units": {"97110": 2, "97140": 0, "97161": 1}, "total_units": 3}


def test_minutes_given_twice_for_one_code_add_up() -> None:
    result = units("--rule", "cms", "--minutes", "97112=5", "--minutes", "97112=4", "--json")
    assert json.loads(result.stdout)["units"] == {"97112": 1}


def test_a_tie_is_shown_as_the_therapists_choice() -> None:
    result = units("--rule", "cms", "--minutes", "97112=20", "--minutes", "97110=20")
    assert result.exit_code == 0
    assert "One unit may go to any of 97112, 97110" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--minutes", "97999=10"], "'97999' is not a code Reeducate bills"),
        (["--minutes", "97112=-5"], "the minutes of 97112 cannot be negative"),
        (["--minutes", "97112=ten"], "the minutes of 97112 must be a whole number"),
        (["--minutes", "97112"], "write CODE=MINUTES"),
        (["--untimed", "97112"], "97112 (Neuromuscular reeducation) is timed"),
        ([], "give at least one"),
    ],
)
def test_bad_input_exits_2_naming_the_problem(args: list[str], message: str) -> None:
    result = units("--rule", "cms", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_an_unknown_rule_exits_2() -> None:
    assert units("--rule", "medicaid", "--minutes", "97112=10").exit_code == 2


def test_evaluation_prints_the_code_and_what_holds_it_there() -> None:
    result = runner.invoke(app, ["billing", "evaluation", "--factors", "1", "--elements", "4",
                                 "--presentation", "evolving", "--decision", "high", "--json"])
    assert json.loads(result.stdout) == {
        "code": "97162", "level": "moderate", "limited_by": ["history", "presentation"],
        "components": {"history": "moderate", "examination": "high", "presentation": "moderate",
                       "decision_making": "high"}}
    bad = runner.invoke(app, ["billing", "evaluation", "--factors", "1", "--elements", "4",
                              "--presentation", "evolving", "--decision", "extreme"])
    assert bad.exit_code == 2 and "choose low, moderate or high" in bad.stderr


def test_validate_says_which_segment_is_wrong(tmp_path: Path) -> None:
    from reeducate.billing.x12.claim_837p import build_837p
    from tests.billing.test_x12 import NOW, PARTIES, a_claim

    good = tmp_path / "claim.x12"
    good.write_text(build_837p(a_claim(), PARTIES, control_number=1, created_at=NOW))
    assert runner.invoke(app, ["billing", "validate", str(good)]).exit_code == 0
    bad = tmp_path / "bad.x12"
    bad.write_text(good.read_text().replace("HI*ABK:M5450*ABF:R2681~\n", ""))
    result = runner.invoke(app, ["billing", "validate", str(bad)])
    assert result.exit_code == 2 and "HI" in result.stderr
