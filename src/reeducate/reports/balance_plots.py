"""Posturography plots as SVG (matplotlib, no pyplot): the statokinesigram (the COP's path seen from
above, with its 95 % prediction ellipse) and the stabilogram (AP and ML against time)."""

from __future__ import annotations

from datetime import date

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from reeducate.reports.figures import GRID, INK, dated_axis, svg
from reeducate.signals.posturography.trial import AP, ML, PreparedTrial

PATH, ELLIPSE, SECOND = "#1f6f8b", "#c0392b", "#8e6c1f"


def _ellipse(trial: PreparedTrial, area_cm2: float) -> Ellipse:
    """The ellipse of the sway's covariance scaled to the given area, centred on the mean."""
    centred = trial.xy_cm - trial.xy_cm.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(centred.T, bias=True))
    scale = np.sqrt(area_cm2 / (np.pi * np.sqrt(values[0] * values[1])))
    major = vectors[:, 1]
    return Ellipse(tuple(trial.xy_cm.mean(axis=0)), 2 * scale * np.sqrt(values[1]), 2 * scale * np.sqrt(values[0]),
                   angle=float(np.degrees(np.arctan2(major[1], major[0]))), fill=False, color=ELLIPSE,
                   linewidth=1.5)


def statokinesigram_svg(trial: PreparedTrial, ellipse_area_cm2: float, title: str) -> bytes:
    """COP path (ML across, AP up, cm, centred) with the 95 % prediction ellipse, equal axes."""
    figure = Figure(figsize=(4.2, 4.2), dpi=100)
    axes = figure.subplots()
    axes.plot(trial.xy_cm[:, ML], trial.xy_cm[:, AP], color=PATH, linewidth=0.6)
    axes.add_patch(_ellipse(trial, ellipse_area_cm2))
    title = f"{title}\n95 % prediction ellipse {ellipse_area_cm2:.2f} cm²"
    reach = max(float(np.abs(trial.xy_cm).max()) * 1.15, 0.5)
    axes.set_xlim(-reach, reach)
    axes.set_ylim(-reach, reach)
    axes.set_aspect("equal")
    axes.set_xlabel("medio-lateral (cm)", color=INK)
    axes.set_ylabel("anterior-posterior (cm)", color=INK)
    axes.set_title(title, fontsize=9, color=INK, loc="left")
    axes.axhline(0, color=GRID, linewidth=0.8, zorder=0)
    axes.axvline(0, color=GRID, linewidth=0.8, zorder=0)
    return svg(figure)


def stabilogram_svg(trial: PreparedTrial, title: str) -> bytes:
    """AP and ML displacement (cm) against time (s)."""
    figure = Figure(figsize=(6.4, 2.8), dpi=100)
    axes = figure.subplots()
    time = np.arange(len(trial)) / trial.rate_hz
    axes.plot(time, trial.xy_cm[:, AP], color=PATH, linewidth=0.8, label="anterior-posterior")
    axes.plot(time, trial.xy_cm[:, ML], color=SECOND, linewidth=0.8, label="medio-lateral")
    axes.set_xlabel("time (s)", color=INK)
    axes.set_ylabel("COP (cm)", color=INK)
    axes.set_title(title, fontsize=9, color=INK, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", color=GRID)
    axes.legend(fontsize=7, frameon=False, loc="upper right", ncols=2)
    return svg(figure)


def balance_progress_svg(series: dict[str, list[tuple[date, float]]]) -> bytes:
    """Mean sway velocity (cm/s) by date, one line per test condition; lower is steadier."""
    figure = Figure(figsize=(6.4, 2.9), dpi=100)
    axes = figure.subplots()
    days: list[date] = []
    for label, points in sorted(series.items()):
        dates, values = [d for d, _ in points], [v for _, v in points]
        axes.plot(dates, values,  # type: ignore[arg-type]  # dates: matplotlib's stubs say floats
                  marker="o", linewidth=2, label=label)
        days += dates
    axes.set_title("Mean sway velocity by condition (lower is steadier)", fontsize=10, color=INK, loc="left")
    axes.set_ylabel("cm/s", color=INK)
    axes.set_ylim(bottom=0)
    dated_axis(axes, days)
    return svg(figure)
