"""The visit note, the superbill, progress reports, the discharge summary and the home programme as HTML
and PDF (Jinja2 templates, WeasyPrint).

The caller passes plain values (a view of the records); nothing here reads the database.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("reeducate.reports", "templates"),
                       autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def note_html(view: dict[str, Any]) -> str:
    """The note as a standalone HTML page (the same document the PDF prints)."""
    return _environment().get_template("visit_note.html").render(**view)


def superbill_html(view: dict[str, Any]) -> str:
    return _environment().get_template("superbill.html").render(**view)


def pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint (fonts from the system; no network: base_url is None)."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, only PDFs need it

    return HTML(string=html, base_url=None).write_pdf()


def plan_of_care_html(view: dict[str, Any]) -> str:
    """The plan of care with the physician's certification block, as the physician signs it."""
    return _environment().get_template("plan_of_care.html").render(**view)


def progress_report_html(view: dict[str, Any]) -> str:
    """A progress report (ch. 15 section 220.3 D) as a standalone HTML page, for the PDF."""
    return _environment().get_template("progress_report.html").render(**view)


def discharge_summary_html(view: dict[str, Any]) -> str:
    """A discharge summary as a standalone HTML page, for the PDF."""
    return _environment().get_template("discharge_summary.html").render(**view)


def home_programme_html(view: dict[str, Any]) -> str:
    """The patient's home programme, in large type, with each exercise's figure and a tick chart."""
    return _environment().get_template("home_programme.html").render(**view)
