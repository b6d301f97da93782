"""The printed home programme's layout: the tick chart's heading never ends a page without its grid."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium
import pytest

from reeducate.reports.documents import home_programme_html, pdf


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
