"""The progress plot of one measure over an episode: scores, baseline, MDC band and goal (SVG)."""

from __future__ import annotations

from datetime import date

from matplotlib.figure import Figure

from reeducate.measures.change import MeasureProgress
from reeducate.reports.figures import INK, dated_axis, svg

ACCENT, BAND, GOAL = "#1f6f8b", "#d7ecf3", "#1d6b40"


def progress_svg(progress: MeasureProgress) -> bytes:
    """An SVG of the measure's scores by date; says in its title which way is better."""
    figure = Figure(figsize=(6.4, 2.9), dpi=100)  # no pyplot: no global state, no display needed
    axes = figure.subplots()
    days_shown: list[date] = []
    series = {"score": progress.trajectory} if progress.trajectory else progress.subscore_trajectories
    for name, path in series.items():
        if path is None:
            continue
        days = [p.on for p in path.points]
        days_shown += days
        # matplotlib's stubs take numbers only; dates go through its unit converters.
        axes.plot(days, [p.score for p in path.points],  # type: ignore[arg-type]
                  marker="o", color=ACCENT if name == "score" else None,
                  label=None if name == "score" else name.replace("_", " "), linewidth=2)
        if name == "score":
            axes.axhline(path.baseline, color=INK, linewidth=1, linestyle=":", label=f"baseline {path.baseline:g}")
            if path.mdc_band:
                axes.axhspan(*path.mdc_band, color=BAND, label="within measurement error of baseline", zorder=0)
    if progress.goal is not None:
        axes.axhline(progress.goal, color=GOAL, linestyle="--", linewidth=1.5, label=f"goal {progress.goal:g}")
    better = "higher is better" if progress.higher_is_better else "lower is better"
    axes.set_title(f"{progress.name} ({better})", fontsize=10, color=INK, loc="left")
    axes.set_ylabel(progress.unit, color=INK)
    dated_axis(axes, days_shown)
    return svg(figure)
