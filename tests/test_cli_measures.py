"""`reeducate measures`: the API's JSON on stdout, exit status 2 with a named item on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from reeducate.cli import app

runner = CliRunner()


def write(tmp_path: Path, payload: object, name: str = "input.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload))
    return path


def test_list_and_show() -> None:
    listed = json.loads(runner.invoke(app, ["measures", "list", "--json"]).stdout)
    assert {"berg", "tug", "odi", "tsk-17"} <= {row["id"] for row in listed}
    shown = json.loads(runner.invoke(app, ["measures", "show", "berg"]).stdout)
    assert shown["id"] == "berg" and len(shown["items"]) == 14


def test_score_prints_the_documented_json(tmp_path: Path) -> None:
    path = write(tmp_path, {"responses": {"stands": 9, "used_arms": False},
                            "patient": {"age_years": 75, "sex": "female", "height_cm": 160, "weight_kg": 65}})
    result = runner.invoke(app, ["measures", "score", "chair-stand-30s", "--input", str(path), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {"measure", "computable", "reason", "score", "max", "percent", "unit", "subscores",
            "interpretations"} <= set(body)
    assert body["score"] == 9 and body["interpretations"][0]["applies"] is True
    assert {"label", "applies", "rule", "source"} == set(body["interpretations"][0])


def test_bad_answers_exit_2_naming_the_item(tmp_path: Path) -> None:
    path = write(tmp_path, {"responses": [4] * 13 + [9]})
    result = runner.invoke(app, ["measures", "score", "berg", "--input", str(path), "--json"])
    assert result.exit_code == 2
    assert "item 14" in result.output and "0, 1, 2, 3, 4" in result.output


def test_missing_patient_field_and_bad_files_exit_2(tmp_path: Path) -> None:
    no_age = write(tmp_path, {"responses": {"stands": 9}})
    assert runner.invoke(app, ["measures", "score", "chair-stand-30s", "--input", str(no_age)]).exit_code == 2
    broken = tmp_path / "broken.json"
    broken.write_text('{"responses": [4, 4,')
    result = runner.invoke(app, ["measures", "score", "berg", "--input", str(broken)])
    assert result.exit_code == 2 and "not valid JSON" in result.output
    result = runner.invoke(app, ["measures", "score", "nope", "--input", str(broken)])
    assert result.exit_code == 2 and "Known measures" in result.output


def test_change_from_scores_and_from_files(tmp_path: Path) -> None:
    result = runner.invoke(app, ["measures", "change", "tug", "--baseline", "15", "--followup", "12", "--json"])
    body = json.loads(result.stdout)
    assert body["direction"] == "improved" and body["exceeds_mdc"] is True and body["mdc"][0]["source"]
    first = write(tmp_path, {"responses": [2] * 10}, "first.json")
    later = write(tmp_path, {"responses": [1] * 10}, "later.json")
    body = json.loads(runner.invoke(app, ["measures", "change", "odi", "--baseline", str(first), "--followup",
                                          str(later), "--json"]).stdout)
    assert (body["baseline"], body["followup"], body["meets_mcid"]) == (40, 20, True)


def test_koos_jr_is_refused_with_the_reason() -> None:
    result = runner.invoke(app, ["measures", "show", "koos-jr"])
    assert result.exit_code == 2 and "not shipped" in result.output
