"""What every report plot shares: the house style of a dated axis, and the figure as SVG bytes."""

from __future__ import annotations

import io
from datetime import date, timedelta

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

INK, GRID = "#1c2733", "#e6ebf0"


def dated_axis(axes: Axes, days: list[date]) -> None:
    """Days across (a week wide at least, so one or two points do not fill it), light grid, legend."""
    if days:
        first = min(days) - timedelta(days=3)
        last = max(max(days) + timedelta(days=3), min(days) + timedelta(days=7))
        axes.set_xlim(first, last)  # type: ignore[arg-type]  # dates: matplotlib's stubs say floats
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=6))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", color=GRID)
    axes.legend(fontsize=7, frameon=False, loc="best")


def svg(figure: Figure) -> bytes:
    """The figure, laid out, as SVG without a timestamp (the same plot gives the same bytes)."""
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
