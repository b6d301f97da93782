"""The printed home programme's layout: the tick chart's heading never ends a page without its grid; the first
exercise is not pushed off the first page."""

from __future__ import annotations

import base64
from typing import Any

import pypdfium2 as pdfium
import pytest

from reeducate.reports.documents import home_programme_html, pdf
from reeducate.reports.exercise_figures import exercise_figure
from reeducate.training.catalogue import exercise


def _view(exercises: int, note_lines: int) -> dict[str, Any]:
    """A programme of ``exercises`` chin tucks and a note of ``note_lines`` lines: the two move the chart down
    the page (without the break rules, these three put its heading at a page's foot)."""
    tuck = {"name": "Chin tuck", "side": "", "instructions": "Sit tall. Draw the chin back and hold.",
            "dose": "Hold 10 seconds, 10 times", "days": "Every day", "notes": "", "figure": "", "figure_alt": ""}
    week = {"label": "Week of Mon 23 Nov 2026", "days": [("Mon", 23)] * 7,
            "rows": [{"name": "Chin tuck", "cells": [True] * 7}] * exercises}
    return {"title": "Home exercise programme", "clinic": {"name": "Alpha Rehab", "address": "1 Road", "phone": ""},
            "patient": {"name": "Ann Example"}, "printed_on": "Wed 25 Nov 2026", "programmes": [{
                "condition": "Knee", "starts": "Mon 23 Nov 2026", "ends": "", "by": "Pat Therapist",
                "notes": "\n".join(["Little and often."] * note_lines), "exercises": [tuck] * exercises,
                "weeks": [week] * 4}]}


@pytest.mark.slow
@pytest.mark.parametrize(("exercises", "note_lines"), [(1, 10), (2, 2), (3, 0)])
def test_the_charts_heading_starts_a_page_with_its_first_week(exercises: int, note_lines: int) -> None:
    pages = [page.get_textpage().get_text_range()
             for page in pdfium.PdfDocument(pdf(home_programme_html(_view(exercises, note_lines))))]
    (heading,) = [text for text in pages if "Tick each exercise when you have done it" in text]
    assert "Week of Mon 23 Nov 2026" in heading


@pytest.mark.slow
def test_a_first_exercise_with_its_figure_starts_on_the_first_page_after_two_lines_of_notes() -> None:
    # Dorothy Brown's demo programme: a general note of two lines, then overhead reach with its two-pose figure
    # and a therapist's note (with a taller figure the whole card moved to page 2, leaving page 1 nearly empty).
    drawn = exercise_figure(exercise("overhead-reach"), degrees=False)
    assert drawn is not None
    view = {**_view(1, 2), "clinic": {"name": "Riverside Neuromuscular Rehab", "phone": "(217) 555-0100",
                                      "address": "120 Main Street, Springfield, IL 62701-0001"}}
    view["programmes"][0]["exercises"] = [{
        "name": "Overhead reach", "side": "Left arm", "instructions": exercise("overhead-reach").instructions,
        "dose": "10 times", "days": "Monday, Wednesday and Friday", "notes": "Stand by the kitchen counter. Stop if "
        "your shoulder hurts.", "figure_alt": drawn.alt,
        "figure": f"data:image/svg+xml;base64,{base64.b64encode(drawn.svg.encode()).decode()}"}]
    first = pdfium.PdfDocument(pdf(home_programme_html(view)))[0].get_textpage().get_text_range()
    assert "Overhead reach" in first and "Monday, Wednesday and Friday" in first
