"""Surface-EMG plots as SVG (matplotlib, no pyplot): each muscle's envelope with its bursts shaded (from the
raw file read again), the firing order (muscles top to bottom in the order they fire, each onset a marker,
pairs too close to order bracketed), and the fatigue plot (each burst's median frequency with its trend line).
The stored result's JSON gives the bursts, the order and the trend; nothing is recomputed here but the trend
line's intercept, fitted to the very points the slope was."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from reeducate.reports import emg_text
from reeducate.reports.figures import GRID, INK, svg

ENVELOPE, BURST, CLOSE, TREND = "#1f6f8b", "#f2c14e", "#c0392b", "#7f8c8d"


def _tidy(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", color=GRID)


def envelopes_svg(time_s: np.ndarray, values: dict[str, np.ndarray], result: dict[str, Any], title: str) -> bytes:
    """One panel per muscle: the 6 Hz linear envelope against time (s), each detected burst shaded; amplitudes
    in %MVC where the recording has an MVC, else in its units (a.u. when the file did not state them)."""
    channels = {c["name"]: c for c in result["channels"]}
    names = [name for name in values if name in channels]
    figure = Figure(figsize=(6.8, 0.85 * len(names) + 0.9), dpi=100)
    grid = figure.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    for axes, name in zip(grid, names, strict=True):
        channel = channels[name]
        scale = 100.0 / channel["mvc"] if channel.get("mvc") else 1.0
        for burst in channel["bursts"]:
            axes.axvspan(burst["onset_s"], burst["offset_s"], color=BURST, alpha=0.45, linewidth=0)
        axes.plot(time_s, values[name] * scale, color=ENVELOPE, linewidth=0.9)
        axes.set_ylabel(f"{name}\n({emg_text.amplitude_unit(result, channel).replace(' ', '')})", fontsize=7,
                        color=INK, rotation=0, ha="right", va="center")
        axes.tick_params(labelsize=6)
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_locator(MaxNLocator(nbins=2))
        _tidy(axes)
    grid[-1].set_xlabel("time from the start of the recording (s)", color=INK, fontsize=8)
    grid[0].set_title(f"{title}\nenvelope of each muscle; detected bursts shaded", fontsize=9, color=INK, loc="left")
    return svg(figure)


def firing_order_svg(result: dict[str, Any], title: str) -> bytes:
    """The muscles top to bottom in the order they fire, each one's onset (ms after the first muscle's, the
    median over the cycles) as a marker on a bar from zero; pairs too close to order joined by a red bracket,
    muscles that never fired listed at the bottom."""
    firing = result["firing_order"]
    placed = firing["order"]
    rows = [o["channel"] for o in placed] + firing.get("silent", [])
    figure = Figure(figsize=(6.8, 0.32 * max(len(rows), 2) + 1.3), dpi=100)
    axes = figure.subplots()
    position = {name: row for row, name in enumerate(rows)}
    onsets = [1000 * o["onset_s"] for o in placed]
    for name, onset in zip((o["channel"] for o in placed), onsets, strict=True):
        row = position[name]
        axes.plot([0, onset], [row, row], color=ENVELOPE, linewidth=3, alpha=0.35, solid_capstyle="butt")
        axes.plot([onset], [row], "o", color=ENVELOPE, markersize=5)
        axes.annotate(f"{onset:.0f} ms", (onset, row), xytext=(5, 0), textcoords="offset points", va="center",
                      fontsize=6, color=INK)
    right = max(onsets, default=0.0)
    for name in firing.get("silent", []):
        axes.text(0, position[name], "no burst", va="center", fontsize=6, color=TREND)
    for number, pair in enumerate(firing.get("too_close_to_order", [])):
        first, second = position[pair["first"]], position[pair["second"]]
        x = right * (1.08 + 0.04 * (number % 4)) + 10
        axes.plot([x - 4, x, x, x - 4], [first, first, second, second], color=CLOSE, linewidth=1)
    if firing.get("too_close_to_order"):
        axes.plot([], [], color=CLOSE, linewidth=1, label="too close to order")
        axes.legend(fontsize=7, frameon=False, loc="lower right")
    axes.set_yticks(range(len(rows)), rows, fontsize=7)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_xlim(left=-0.02 * (right + 10), right=right * 1.3 + 30)
    axes.set_xlabel(f"onset after the first muscle (ms); {emg_text.cycles(result)}", color=INK, fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="x", color=GRID)
    axes.set_title(f"{title}\nfiring order, first at the top", fontsize=9, color=INK, loc="left")
    return svg(figure)


def fatigue_svg(result: dict[str, Any], title: str) -> bytes:
    """For each muscle with a trend: each burst's median frequency (Hz) against its onset (s, or minutes past two),
    the least-squares line through the bursts the trend was fitted to (clipped ones left out, drawn hollow; dashed
    when the trend is not significant), the trend in words."""
    channels = [c for c in result["channels"] if c.get("fatigue")]
    figure = Figure(figsize=(6.8, 2.1 * max(len(channels), 1) + 0.3), dpi=100)
    if not channels:
        axes = figure.subplots()
        axes.text(0.5, 0.5, "No muscle had 3 bursts with a spectrum: no fatigue trend.", ha="center", color=INK)
        axes.set_axis_off()
        return svg(figure)
    grid = figure.subplots(len(channels), 1, squeeze=False)[:, 0]
    for axes, channel in zip(grid, channels, strict=True):
        used = emg_text.trend_bursts(channel)
        seconds = max(b["onset_s"] for b in channel["bursts"]) < 120  # a short recording reads in seconds
        per = 1.0 if seconds else 60.0
        onsets = np.array([b["onset_s"] for b in used]) / per
        median = np.array([b["median_frequency_hz"] for b in used])
        axes.plot(onsets, median, "o", color=ENVELOPE, markersize=4, label="median frequency of a burst")
        clipped = [b for b in channel["bursts"] if b["clipped"] and b["median_frequency_hz"] is not None]
        if clipped:
            axes.plot([b["onset_s"] / per for b in clipped], [b["median_frequency_hz"] for b in clipped], "o",
                      markerfacecolor="none", color=TREND, markersize=4, label="clipped burst (left out)")
        slope, intercept = np.polyfit(onsets, median, 1)
        ends = np.array([onsets.min(), onsets.max()])
        falls = channel["fatigue"]["falls"]
        axes.plot(ends, intercept + slope * ends, "-" if falls else "--", color=CLOSE if falls else TREND,
                  linewidth=1.2, label="trend (falls)" if falls else "trend (not significant)")
        axes.set_ylabel("median frequency (Hz)", fontsize=7, color=INK)
        axes.tick_params(labelsize=7)
        axes.set_title(f"{channel['name']}: {emg_text.fatigue(channel)}", fontsize=8, color=INK, loc="left")
        axes.legend(fontsize=6, frameon=False, loc="upper right")
        _tidy(axes)
        axes.set_xlabel(f"onset of the burst ({'s' if seconds else 'minutes'} from the start)", color=INK, fontsize=8)
    figure.suptitle(title, fontsize=9, color=INK, x=0.01, ha="left")
    return svg(figure)
