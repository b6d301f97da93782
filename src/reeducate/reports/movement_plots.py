"""Movement plots as SVG (matplotlib, no pyplot), drawn from a stored result's JSON: joint angles
against time, one panel per joint with left and right together, and the gait's footfall diagram
(each foot's stance as a bar, swing as the gap) above the stride times."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reeducate.reports.figures import GRID, INK, svg

SIDE_COLOURS = {"left": "#1f6f8b", "right": "#c0392b", "unknown": INK}
MAX_PANELS = 8


def _tidy(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", color=GRID)


def _joint(name: str) -> tuple[str, str]:
    """('knee flexion', 'left') from 'left_knee_flexion'; ('trunk lean', 'unknown') from 'trunk_lean'."""
    side, _, rest = name.partition("_")
    return (rest.replace("_", " "), side) if side in ("left", "right") else (name.replace("_", " "), "unknown")


def angles_svg(movement: dict[str, Any], title: str) -> bytes:
    """Each measured joint's angle (deg) against time (s); gaps where the person was not seen."""
    time = np.array(movement["time_s"], dtype=float)
    panels: dict[str, list[tuple[str, np.ndarray]]] = {}
    for name, values in movement["angles_deg"].items():
        series = np.array([np.nan if v is None else v for v in values], dtype=float)
        if np.isfinite(series).any():
            joint, side = _joint(name)
            panels.setdefault(joint, []).append((side, series))
    shown = list(panels.items())[:MAX_PANELS]
    figure = Figure(figsize=(6.4, 1.5 * max(1, len(shown)) + 0.4), dpi=100)
    if not shown:
        axes = figure.subplots()
        axes.text(0.5, 0.5, "No angle could be measured in this clip.", ha="center", color=INK)
        axes.set_axis_off()
        return svg(figure)
    grid = figure.subplots(len(shown), 1, sharex=True, squeeze=False)[:, 0]
    for axes, (joint, lines) in zip(grid, shown, strict=True):
        for side, series in lines:
            axes.plot(time, series, color=SIDE_COLOURS[side], linewidth=1.0, label=side if side != "unknown" else None)
        axes.set_ylabel(f"{joint}\n(deg)", fontsize=7, color=INK)
        axes.tick_params(labelsize=7)
        _tidy(axes)
        if any(side != "unknown" for side, _ in lines):
            axes.legend(fontsize=6, frameon=False, loc="upper right")
    grid[-1].set_xlabel("time (s)", color=INK)
    grid[0].set_title(title, fontsize=9, color=INK, loc="left")
    return svg(figure)


def gait_svg(gait: dict[str, Any], title: str) -> bytes:
    """Footfall diagram (stance bars per foot against time, s) and each stride's time (s)."""
    sides = {side: data["strides"] for side, data in gait["sides"].items() if data["strides"]}
    figure = Figure(figsize=(6.4, 3.8), dpi=100)
    footfalls, times = figure.subplots(2, 1, sharex=True, height_ratios=[1, 1.4])
    for row, (side, strides) in enumerate(sides.items()):
        colour = SIDE_COLOURS.get(side, INK)
        bars = [(s["ic_s"], s["stance_time_s"]) for s in strides]
        footfalls.broken_barh(bars, (row - 0.3, 0.6), color=colour)
        turning = [(s["ic_s"], s["stride_time_s"]) for s in strides if s.get("turning")]
        if turning:
            footfalls.broken_barh(turning, (row - 0.4, 0.8), facecolor="none", edgecolor=INK, linestyle=":")
        times.plot([s["ic_s"] for s in strides], [s["stride_time_s"] for s in strides], "o-", color=colour,
                   markersize=3, linewidth=0.8, label=side)
    footfalls.set_yticks(range(len(sides)), list(sides), fontsize=8)
    footfalls.set_ylim(-0.6, len(sides) - 0.4)
    footfalls.set_title(f"{title}\nstance (bars) and swing (gaps) of each stride", fontsize=9, color=INK, loc="left")
    for side in ("top", "right"):
        footfalls.spines[side].set_visible(False)
    times.set_ylabel("stride time (s)", color=INK)
    times.set_xlabel("time from the start of the recording (s)", color=INK)
    _tidy(times)
    times.legend(fontsize=7, frameon=False, loc="upper right")
    return svg(figure)
