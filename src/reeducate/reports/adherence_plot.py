"""A home programme's trend as SVG: the share of the dose done each week, and the guided sessions' scores."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from matplotlib.figure import Figure

from reeducate.reports.figures import INK, dated_axis, svg

BARS = "#1f6f8b"


def adherence_svg(weeks: Sequence[tuple[date, float | None]], scores: Sequence[tuple[date, str, float]]) -> bytes:
    """Two panels on one dated axis: each week's share of the dose done (%, bars from its Monday; guided and
    ticked sessions alike) and each guided session's score (0-100, one line per exercise), which the
    patient's camera measured."""
    figure = Figure(figsize=(6.4, 4.2), dpi=100)  # no pyplot: no global state, no display needed
    share_axes, score_axes = figure.subplots(2, 1, sharex=True)
    shown = [(monday, share) for monday, share in weeks if share is not None]
    share_axes.bar([m + timedelta(days=3) for m, _ in shown], [100 * s for _, s in shown],
                   width=6, color=BARS, label="share of the dose done")
    share_axes.set_ylim(0, 105)
    share_axes.set_ylabel("% per week", color=INK)
    by_exercise: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for day, exercise, score in scores:
        by_exercise[exercise].append((day, score))
    for exercise, points in by_exercise.items():
        score_axes.plot([d for d, _ in points], [s for _, s in points],
                        marker="o", linewidth=2, label=exercise)
    if not by_exercise:
        score_axes.text(0.5, 0.5, "no guided session yet", transform=score_axes.transAxes, ha="center",
                        va="center", color=INK, fontsize=9)
    score_axes.set_ylim(0, 100)
    score_axes.set_ylabel("guided score", color=INK)
    score_axes.set_title("Guided sessions' scores (measured by the patient's camera)", fontsize=9, color=INK,
                         loc="left")
    share_axes.set_title("Share of the dose done each week", fontsize=9, color=INK, loc="left")
    days = [m for m, _ in weeks] + [m + timedelta(days=6) for m, _ in weeks] + [d for d, _, _ in scores]
    for axes in (share_axes, score_axes):
        dated_axis(axes, days)
    if (legend := share_axes.get_legend()) is not None:
        legend.remove()  # the panel's title names its bars; a legend there would cover them
    return svg(figure)
