"""A stored EMG result (the engine's JSON) in the words a therapist reads, at clinical precision: latencies and
onsets in ms, frequencies in Hz to one decimal, percentages to one decimal, amplitudes with their unit (mV,
%MVC, or a.u. when the file did not state its units). The visit's EMG pages and the note draft say the same
things the same way from here."""

from __future__ import annotations

from typing import Any


def ms(seconds: float | None) -> str:
    """A time in milliseconds, whole ("212 ms"); a dash when not measured."""
    return "—" if seconds is None else f"{1000 * seconds:.0f} ms"


def p_text(p: float) -> str:
    """A p value as reported: "p < 0.001", else to two significant decimals ("p = 0.23")."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def amplitude_unit(result: dict[str, Any], channel: dict[str, Any]) -> str:
    """The unit a channel's amplitudes are shown in: % MVC when an MVC recording gave its level, else the
    recording's (mV, or a.u. when the file does not state its units)."""
    return "% MVC" if channel.get("mvc") else str(result["units"])


def peak(result: dict[str, Any], channel: dict[str, Any], burst: dict[str, Any]) -> str:
    """A burst's peak envelope with its unit: "45.2 % MVC", "0.475 mV", "312 a.u."."""
    if channel.get("mvc") and burst.get("peak_mvc_percent") is not None:
        return f"{burst['peak_mvc_percent']:.1f} % MVC"
    value = burst.get("peak")
    return "—" if value is None else f"{value:.3g} {result['units']}"


def span(seconds: float) -> str:
    """A stretch of a recording: "4 s" under two minutes, else "2.0 minutes"."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} minutes"


def trend_bursts(channel: dict[str, Any]) -> list[dict[str, Any]]:
    """The bursts a channel's fatigue trend was fitted to: those with a spectrum, clipped ones left out."""
    return [b for b in channel["bursts"] if b["median_frequency_hz"] is not None and not b["clipped"]]


def fatigue(channel: dict[str, Any]) -> str:
    """A channel's median-frequency trend over its bursts in words: "fell 11.3 % per minute over 25 bursts in
    2.0 minutes (p < 0.001)", or that it did not fall significantly (no slope then: a per-minute figure from a
    few seconds of bursts would mislead), or that there were too few bursts."""
    trend = channel.get("fatigue")
    if trend is None:
        return "too few bursts for a trend (3 are needed)"
    used = trend_bursts(channel)
    over = f"over {trend['bursts']} bursts in {span(used[-1]['onset_s'] - used[0]['onset_s'] if used else 0.0)}"
    if trend["falls"]:
        return f"fell {abs(trend['slope_percent_per_min']):.1f} % per minute {over} ({p_text(trend['p'])})"
    return f"did not fall significantly {over} ({p_text(trend['p'])})"


def order(firing: dict[str, Any]) -> str:
    """The firing order in words: "Biceps brachii, then Triceps brachii (+200 ms)" (each onset after the
    first muscle's, the median over the cycles)."""
    placed = firing.get("order", [])
    if not placed:
        return "no muscle fired"
    parts = [placed[0]["channel"]] + [f"{o['channel']} (+{ms(o['onset_s'])})" for o in placed[1:]]
    return ", then ".join(parts)


def too_close(firing: dict[str, Any]) -> list[str]:
    """Each pair of muscles whose onsets are too close (or too inconsistent) to put in order, in words."""
    words = []
    for pair in firing.get("too_close_to_order", []):
        apart = abs(pair["median_difference_s"])
        reason = (f"{ms(apart)} apart, under the {ms(firing['resolution_s'])} the onsets can be told apart"
                  if apart < firing["resolution_s"] else
                  f"the same order in only {100 * pair['consistency']:.0f} % of {pair['cycles']} cycles")
        words.append(f"{pair['first']} and {pair['second']}: too close to order ({reason})")
    return words


def cycles(result: dict[str, Any]) -> str:
    """What the order and latencies are timed against, in words."""
    count = result["firing_order"].get("cycles", 1)
    if result.get("triggers_s"):
        return f"each muscle's first onset after each of {len(result['triggers_s'])} triggers"
    if result.get("reference"):
        return f"each muscle's onset nearest each of {count} bursts of {result['reference']}"
    return "each muscle's first onset in the recording"


def co_contraction(item: dict[str, Any]) -> str:
    """One agonist/antagonist pair's co-contraction index with its definition's author and normalisation."""
    author = str(item["definition"]).split(":")[0]
    text = f"{item['agonist']}/{item['antagonist']} co-contraction index {item['index_percent']:.1f} %"
    if item.get("during_agonist_bursts_percent") is not None:
        text += f", {item['during_agonist_bursts_percent']:.1f} % during the {item['agonist']} bursts"
    return f"{text} ({author}; envelopes normalised to {item['normalised_to']})"


def latency_summary(values: list[float | None]) -> str:
    """A muscle's latencies over the cycles: median and range in ms, with how many cycles it fired in."""
    fired = sorted(v for v in values if v is not None)
    if not fired:
        return "did not fire"
    middle = fired[len(fired) // 2] if len(fired) % 2 else (fired[len(fired) // 2 - 1] + fired[len(fired) // 2]) / 2
    spread = f" ({ms(fired[0])} to {ms(fired[-1])})" if len(fired) > 1 else ""
    return f"{ms(middle)}{spread}, fired in {len(fired)} of {len(values)}"


def sides(item: dict[str, Any]) -> str:
    """A left/right comparison in words (amplitude symmetry: positive when the right is larger)."""
    left, right = item["left"], item["right"]
    text = f"{left['channel']} {left['bursts']} bursts, {right['channel']} {right['bursts']}"
    if item.get("amplitude_symmetry_percent") is not None:
        text += f"; mean peak {item['amplitude_symmetry_percent']:+.1f} % right against left"
    if item.get("latency_difference_s") is not None:
        text += f"; right fires {ms(item['latency_difference_s'])} after left"
    return text
