"""analyze_emg(): one EMG recording in, every channel's bursts and the timing between muscles out, as the
command line, the API and the visit page show it (``EmgResult.to_json``).

Cycles: with triggers, each trigger opens one (each muscle's first onset within ``TRIGGER_WINDOW_S``); with a
reference muscle, each of its bursts is one (each muscle's onset nearest to it within ``REFERENCE_WINDOW_S``);
otherwise the whole recording is one cycle (each muscle's first onset).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reeducate.signals.emg.conditioning import band, condition, envelope
from reeducate.signals.emg.onsets import Burst, Detection, Method, detect_bursts
from reeducate.signals.emg.recording import EmgRecording, clipped_share
from reeducate.signals.emg.timing import (
    burst_spectrum,
    co_contraction_index,
    fatigue_trend,
    firing_order,
    mvc_amplitude,
    onsets_after,
    symmetry_percent,
)
from reeducate.signals.errors import RecordingError

#: A muscle's response to a trigger is its first onset within this time after it (s): our setting, longer than
#: choice reaction times of healthy adults.
TRIGGER_WINDOW_S = 1.5
#: Against a reference muscle, an onset up to this far before or after the reference's (s) belongs to its cycle.
REFERENCE_WINDOW_S = 0.5
#: Two triggers on a channel closer than this (s) are one (contact bounce): our setting.
MIN_TRIGGER_GAP_S = 0.1
#: Bursts at the very edge of the recording may be cut short: flagged when closer than this to an end (s).
EDGE_S = 0.05


@dataclass(frozen=True)
class ChannelResult:
    """One muscle: its detection and each burst's amplitude and spectrum."""

    name: str
    detection: Detection
    bursts: tuple[dict[str, Any], ...]
    rms: float
    mvc: float | None
    clipped_share: float
    fatigue: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "rms": _round(self.rms), "mvc": _round(self.mvc),
                "clipped_share": round(self.clipped_share, 4), "detection": self.detection.to_json(),
                "bursts": list(self.bursts), "fatigue": self.fatigue}


@dataclass(frozen=True)
class EmgResult:
    """The analysis of one recording."""

    source: str
    rate_hz: float
    duration_s: float
    units: str
    band_hz: tuple[float, float]
    notch_hz: tuple[float, ...]
    channels: tuple[ChannelResult, ...]
    triggers_s: tuple[float, ...]
    reference: str | None
    latencies: dict[str, list[float | None]]
    order: dict[str, Any]
    co_contraction: tuple[dict[str, Any], ...]
    sides: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...] = field(default=())

    def channel(self, name: str) -> ChannelResult:
        return next(c for c in self.channels if c.name == name)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "rate_hz": self.rate_hz, "duration_s": round(self.duration_s, 3),
            "units": self.units, "band_hz": [round(f, 1) for f in self.band_hz], "notch_hz": list(self.notch_hz),
            "channels": [c.to_json() for c in self.channels],
            "triggers_s": [round(t, 4) for t in self.triggers_s], "reference": self.reference,
            "latencies_s": {k: [None if v is None else round(v, 4) for v in vs] for k, vs in self.latencies.items()},
            "firing_order": self.order, "co_contraction": list(self.co_contraction), "sides": list(self.sides),
            "warnings": list(self.warnings),
        }


def trigger_times(recording: EmgRecording, spec: str) -> tuple[float, ...]:
    """Trigger moments (s) from ``spec``: times ``"1.2,3.4"``, the file's events ``"event:LABEL"``, or a channel's
    name, whose rising edges through half its range are the triggers (at least ``MIN_TRIGGER_GAP_S`` apart)."""
    spec = spec.strip()
    if spec.startswith("event:"):
        label = spec.removeprefix("event:")
        found = tuple(t for t, name in recording.events if name == label)
        if not found:
            labels = sorted({name for _, name in recording.events}) or ["none"]
            raise RecordingError(f"{recording.source}: no event {label!r}; its events are: {', '.join(labels)}.")
        return found
    try:
        times = tuple(float(v) for v in spec.split(",") if v.strip())
    except ValueError:
        times = ()
    else:
        if any(not 0 <= t <= recording.duration_s for t in times):
            raise RecordingError(f"a trigger time is outside the recording (0-{recording.duration_s:.2f} s).")
        return tuple(sorted(times))
    values = recording.channel(spec)
    middle = (float(np.nanmin(values)) + float(np.nanmax(values))) / 2
    rising = np.flatnonzero((values[1:] > middle) & (values[:-1] <= middle)) + 1
    moments: list[float] = []
    for index in rising:
        if not moments or index / recording.rate_hz - moments[-1] >= MIN_TRIGGER_GAP_S:
            moments.append(index / recording.rate_hz)
    if not moments:
        raise RecordingError(f"{recording.source}: the channel {spec} never rises; it holds no trigger.")
    return tuple(moments)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else float(f"{value:.{digits}g}")


def analyze_emg(recording: EmgRecording, *, method: Method = "auto", rest_s: tuple[float, float] | None = None,
                triggers_s: Sequence[float] = (), reference: str | None = None,
                mvc: EmgRecording | None = None, pairs: Sequence[tuple[str, str]] = (),
                sides: Sequence[tuple[str, str]] = ()) -> EmgResult:
    """Analyse every channel, then the timing between them. ``mvc`` is a recording of maximal contractions with
    the same channel names; ``pairs`` are (agonist, antagonist); ``sides`` are (left, right) of one muscle."""
    rate = recording.rate_hz
    for name in [n for pair in (*pairs, *sides) for n in pair] + ([reference] if reference else []):
        recording.channel(name)
    if reference and triggers_s:
        raise RecordingError("give either triggers or a reference muscle to time against, not both.")
    conditioned: dict[str, np.ndarray] = {}
    notches: set[float] = set()
    for name, raw in zip(recording.names, recording.data, strict=True):
        conditioned[name], lines = condition(raw, rate)
        notches.update(lines)
    references = _mvc_levels(mvc, recording.names) if mvc is not None else {}
    channels = tuple(_channel(name, recording.data[i], conditioned[name], rate, method, rest_s, references.get(name),
                              recording.duration_s)
                     for i, name in enumerate(recording.names))
    bursts = {c.name: c.detection.bursts for c in channels}
    cycles, latencies = _cycles(bursts, triggers_s, reference)
    envelopes = {name: envelope(conditioned[name], rate) for name in {n for pair in pairs for n in pair}}
    co = tuple(_co_contraction(a, b, envelopes, references, bursts[a], rate) for a, b in pairs)
    side = tuple(_sides(left, right, channels, latencies) for left, right in sides)
    notes = [*recording.warnings, *(f"{c.name}: {w}" for c in channels for w in c.detection.warnings)]
    if mvc is None and pairs:
        notes.append("No MVC recording: each muscle's envelope is normalised to its own peak in this recording "
                     "for the co-contraction index.")
    return EmgResult(recording.source, rate, recording.duration_s, recording.units, band(rate), tuple(sorted(notches)),
                     channels, tuple(triggers_s), reference, latencies, firing_order(cycles), co, side, tuple(notes))


def _mvc_levels(mvc: EmgRecording, names: Sequence[str]) -> dict[str, float]:
    missing = [n for n in names if n not in mvc.names]
    if missing:
        raise RecordingError(f"the MVC recording has no channel {', '.join(missing)}; it must name the same muscles.")
    return {name: mvc_amplitude(condition(mvc.channel(name), mvc.rate_hz)[0], mvc.rate_hz) for name in names}


def _channel(name: str, raw: np.ndarray, conditioned: np.ndarray, rate: float, method: Method,
             rest_s: tuple[float, float] | None, mvc: float | None, duration_s: float) -> ChannelResult:
    detection = detect_bursts(conditioned, rate, method=method, rest_s=rest_s)
    amplitude = envelope(conditioned, rate)
    rows: list[dict[str, Any]] = []
    for burst in detection.bursts:
        start, end = round(burst.onset_s * rate), max(round(burst.offset_s * rate), round(burst.onset_s * rate) + 1)
        segment = conditioned[start:end]
        spectrum = burst_spectrum(segment, rate)
        peak = float(amplitude[start:end].max())
        rms = float(np.sqrt(np.mean(segment**2)))
        rows.append({
            "onset_s": round(burst.onset_s, 4), "offset_s": round(burst.offset_s, 4),
            "duration_s": round(burst.duration_s, 4), "peak": _round(peak), "rms": _round(rms),
            "peak_mvc_percent": None if not mvc else round(100 * peak / mvc, 1),
            "rms_mvc_percent": None if not mvc else round(100 * rms / mvc, 1),
            "median_frequency_hz": None if spectrum is None else round(spectrum[0], 1),
            "mean_frequency_hz": None if spectrum is None else round(spectrum[1], 1),
            "clipped": bool(clipped_share(raw) > 0 and clipped_share(raw[start:end]) > 0),
            "at_edge": bool(burst.onset_s < EDGE_S or burst.offset_s > duration_s - EDGE_S),
        })
    spectral = [(r["onset_s"], r["median_frequency_hz"]) for r in rows
                if r["median_frequency_hz"] is not None and not r["clipped"]]
    trend = fatigue_trend([t for t, _ in spectral], [f for _, f in spectral])
    return ChannelResult(name, detection, tuple(rows), float(np.sqrt(np.mean(conditioned**2))), mvc,
                         clipped_share(raw), trend)


def _cycles(bursts: dict[str, tuple[Burst, ...]], triggers_s: Sequence[float],
            reference: str | None) -> tuple[list[dict[str, float | None]], dict[str, list[float | None]]]:
    """The cycles for the firing order, and each muscle's latency per trigger or reference burst (s)."""
    if triggers_s:
        firsts = {name: onsets_after(b, triggers_s, TRIGGER_WINDOW_S) for name, b in bursts.items()}
        cycles = [{name: firsts[name][i] for name in bursts} for i in range(len(triggers_s))]
        latencies = {name: [None if on is None else on - t for on, t in zip(firsts[name], triggers_s, strict=True)]
                     for name in bursts}
        return cycles, latencies
    if reference:
        moments = [b.onset_s for b in bursts[reference]]
        cycles, latencies = [], {name: [] for name in bursts}
        for moment in moments:
            cycle: dict[str, float | None] = {}
            for name, found in bursts.items():
                starts = np.array([b.onset_s for b in found])
                near = starts[np.abs(starts - moment) <= REFERENCE_WINDOW_S]
                onset = float(near[np.argmin(np.abs(near - moment))]) if near.size else None
                cycle[name] = onset
                latencies[name].append(None if onset is None else onset - moment)
            cycles.append(cycle)
        return cycles, latencies
    return [{name: (b[0].onset_s if b else None) for name, b in bursts.items()}], {}


def _co_contraction(agonist: str, antagonist: str, envelopes: dict[str, np.ndarray], mvc: dict[str, float],
                    agonist_bursts: tuple[Burst, ...], rate: float) -> dict[str, Any]:
    def normalised(name: str) -> np.ndarray:
        scale = mvc.get(name) or float(envelopes[name].max())
        return envelopes[name] / scale if scale > 0 else envelopes[name]

    a, b = normalised(agonist), normalised(antagonist)
    during = np.zeros(a.size, dtype=bool)
    for burst in agonist_bursts:
        during[round(burst.onset_s * rate):round(burst.offset_s * rate)] = True
    return {
        "agonist": agonist, "antagonist": antagonist,
        "normalised_to": "MVC" if agonist in mvc and antagonist in mvc else "each muscle's peak in this recording",
        "index_percent": round(co_contraction_index(a, b), 1),
        "during_agonist_bursts_percent": round(co_contraction_index(a[during], b[during]), 1) if during.any() else None,
        "definition": "Falconer & Winter 1985: 2 x common area / sum of areas of the normalised envelopes",
    }


def _sides(left: str, right: str, channels: tuple[ChannelResult, ...],
           latencies: dict[str, list[float | None]]) -> dict[str, Any]:
    by_name = {c.name: c for c in channels}

    def summary(name: str) -> dict[str, Any]:
        peaks = [b["peak_mvc_percent"] or b["peak"] for b in by_name[name].bursts]
        delays = [v for v in latencies.get(name, []) if v is not None]
        return {"channel": name, "bursts": len(peaks), "mean_peak": _round(float(np.mean(peaks))) if peaks else None,
                "mean_latency_s": round(float(np.mean(delays)), 4) if delays else None}

    l, r = summary(left), summary(right)
    amplitude = None if l["mean_peak"] is None or r["mean_peak"] is None else symmetry_percent(l["mean_peak"],
                                                                                                r["mean_peak"])
    latency = None if l["mean_latency_s"] is None or r["mean_latency_s"] is None else \
        round(r["mean_latency_s"] - l["mean_latency_s"], 4)
    return {"left": l, "right": r, "amplitude_symmetry_percent": None if amplitude is None else round(amplitude, 1),
            "latency_difference_s": latency}
