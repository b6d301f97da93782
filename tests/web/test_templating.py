"""Values as people read them: one number format at clinical precision, with its unit."""

from __future__ import annotations

import pytest

from reeducate.measures import catalogue
from reeducate.web.templating import templates


def _render(source: str, **values: object) -> str:
    return templates.env.from_string(source).render(**values)


@pytest.mark.parametrize("value, args, shown", [
    (1.2456, '2, "m/s"', "1.25 m/s"), (25.4999, '1, "%"', "25.5 %"), (40.4, '0, "°"', "40°"),
    (None, '2, "m/s"', "—"), (float("nan"), "1", "—"), (-0.004, '1, "cm"', "0.0 cm"), (3.0, "0", "3"),
])
def test_a_number_is_rounded_to_its_precision_and_written_with_its_unit(value: float | None, args: str,
                                                                        shown: str) -> None:
    assert _render(f"{{{{ v | number({args}) }}}}", v=value) == shown


@pytest.mark.parametrize("measure, value, shown", [
    ("gait-speed-10m", 1.2468, "1.25 m/s"), ("tug", 10.94, "10.9 s"), ("odi", 25.48, "25.5 %"),
    ("berg", 44.0, "44 points"), ("chair-stand-30s", 12, "12 stands"),
])
def test_a_score_is_shown_at_its_instrument_s_precision(measure: str, value: float, shown: str) -> None:
    assert _render("{{ v | score(m) }}", v=value, m=catalogue.instruments()[measure]) == shown


def test_a_change_carries_its_sign_and_a_range_can_leave_its_unit_to_the_other_end() -> None:
    tug = catalogue.instruments()["tug"]
    assert _render("{{ a | score(m, signed=true) }} · {{ b | score(m, unit=false) }}", a=-2.04, b=8.0, m=tug) \
        == "-2.0 s · 8.0"


def test_a_result_field_is_read_by_its_name_and_unit() -> None:
    assert _render("{{ v | quantity('knee_valgus_deg') }}; {{ w | quantity('trunk_lateral_shift_percent_hip_width') }}",
                   v=4.21, w=12.345) == "knee valgus 4.2°; trunk lateral shift 12.3 % of hip width"
