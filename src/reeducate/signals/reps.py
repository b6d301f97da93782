"""Repetitions in any joint-angle or sensor signal, counted and scored as they happen.

A repetition is an excursion out of the rest band that goes far enough: the signal leaves the band
(``rest_level``), passes ``start_level`` (the movement is now a repetition: "started"), and comes back
into the band ("completed"). An excursion that turns back before ``start_level`` is reported as
"incomplete" (the squat that was not deep enough), one that lasts longer than ``max_duration_s`` or
loses the person for longer than ``max_gap_s`` is dropped with its reason. Two levels, not one, give
the hysteresis that keeps a noisy signal hovering near a threshold from counting twice.

``RepetitionCounter`` is the streaming engine: ``push`` takes one sample and returns the events it
completes, keeping only the samples of the excursion in progress (nothing while at rest), so live
biofeedback pays a constant cost per frame. ``segment_repetitions`` runs the same counter over a whole
recording. Each completed repetition is scored: range, tempo (time up, time down), smoothness (SPARC of
the signal's rate of change), left/right symmetry against a paired signal, distance to a reference
template (DTW), and the samples in which a watched compensation went past its limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from reeducate.signals.dtw import dtw_distance
from reeducate.signals.errors import RecordingError
from reeducate.signals.gait import symmetry_index
from reeducate.signals.smoothness import sparc

EventKind = Literal["started", "completed", "incomplete"]
#: An excursion turning back before start_level is reported as incomplete only past this fraction of
#: the way from rest_level to start_level; smaller wobbles around the rest band are not movements.
INCOMPLETE_FRACTION = 0.5
#: Automatic levels (``rule_from_signal``), as fractions of the 5th-95th percentile span (ours).
AUTO_REST_FRACTION = 0.3
AUTO_START_FRACTION = 0.6


@dataclass(frozen=True)
class Compensation:
    """A secondary signal to watch during each repetition (e.g. trunk lean during a squat)."""

    name: str
    limit: float
    above: bool = True

    def breached(self, value: float) -> bool:
        return bool(np.isfinite(value) and (value > self.limit if self.above else value < self.limit))


@dataclass(frozen=True)
class RepetitionRule:
    """When an excursion counts, in the watched signal's own units (deg, deg/s, m/s²...).

    ``direction`` is +1 when a repetition raises the signal (knee flexion in a squat) and -1 when it
    lowers it (hip height in a squat); the levels are then read the other way round.
    """

    rest_level: float
    start_level: float
    direction: Literal[1, -1] = 1
    min_duration_s: float = 0.3
    max_duration_s: float = 10.0
    max_gap_s: float = 0.5

    def check(self) -> None:
        """Refuse levels that cannot separate rest from movement."""
        if not (np.isfinite(self.rest_level) and np.isfinite(self.start_level)):
            raise RecordingError("The repetition levels must be numbers.")
        if self.direction * (self.start_level - self.rest_level) <= 0:
            way = "above" if self.direction == 1 else "below"
            raise RecordingError(
                f"start_level ({self.start_level:g}) must lie {way} rest_level ({self.rest_level:g}) "
                f"for a repetition that {'raises' if self.direction == 1 else 'lowers'} the signal.")
        if not 0 < self.min_duration_s < self.max_duration_s:
            raise RecordingError("min_duration_s must be positive and below max_duration_s.")


@dataclass(frozen=True)
class Repetition:
    """One completed repetition, its timing (s from the start of the stream) and its scores.

    ``range`` runs from the lowest point at rest before the repetition to its peak (signal units);
    ``up_s``/``down_s`` from its start to the peak and from the peak back to rest; ``sparc`` is
    dimensionless (closer to 0 is smoother); ``template_distance`` is in signal units;
    ``compensations`` maps each watched signal to the sample indices where it passed its limit;
    ``values`` are the samples from start to end (for plots and for making a template).
    """

    number: int
    start_index: int
    peak_index: int
    end_index: int
    start_s: float
    peak_s: float
    end_s: float
    peak_value: float
    range: float
    up_s: float
    down_s: float
    sparc: float | None
    symmetry_index_percent: float | None
    template_distance: float | None
    compensations: dict[str, tuple[int, ...]] = field(default_factory=dict)
    values: np.ndarray = field(default_factory=lambda: np.empty(0), compare=False, repr=False)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, object]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(float(v), 4)
        return {
            "number": self.number, "start_s": r(self.start_s), "peak_s": r(self.peak_s),
            "end_s": r(self.end_s), "duration_s": r(self.duration_s), "peak_value": r(self.peak_value),
            "range": r(self.range), "up_s": r(self.up_s), "down_s": r(self.down_s),
            "sparc": r(self.sparc), "symmetry_index_percent": r(self.symmetry_index_percent),
            "template_distance": r(self.template_distance),
            "compensation_frames": {k: list(v) for k, v in self.compensations.items()},
        }


@dataclass(frozen=True)
class RepEvent:
    """What the counter noticed at one sample: a repetition started, completed, or fell short."""

    kind: EventKind
    index: int
    time_s: float
    repetition: Repetition | None = None
    reason: str = ""


@dataclass
class _Excursion:
    """The samples of the excursion in progress: the only past the counter keeps."""

    first_index: int
    values: list[float]
    paired: list[float]
    breaches: dict[str, list[int]]
    started: bool = False
    last_seen: int = 0


class RepetitionCounter:
    """Streaming repetition segmentation and scoring: ``push`` one sample, get the events it completes.

    ``template`` is a reference repetition (values in the signal's units, any length); ``watch``
    lists the compensations whose breaches are reported per repetition, their values passed to
    ``push`` by name. ``paired`` values (the other side's signal) give the symmetry index.
    """

    def __init__(self, rule: RepetitionRule, *, sampling_rate_hz: float,
                 template: Sequence[float] | np.ndarray | None = None,
                 watch: Sequence[Compensation] = ()) -> None:
        rule.check()
        if not (np.isfinite(sampling_rate_hz) and sampling_rate_hz > 0):
            raise RecordingError(f"The sampling rate must be positive, not {sampling_rate_hz!r}.")
        self.rule = rule
        self.sampling_rate_hz = float(sampling_rate_hz)
        self.template = None if template is None else np.asarray(template, dtype=float)
        if self.template is not None and (self.template.size < 3 or not np.all(np.isfinite(self.template))):
            raise RecordingError("The reference template needs at least 3 finite values.")
        self.watch = tuple(watch)
        self.count = 0
        self._index = -1
        self._last_rest: tuple[int, float, float] | None = None
        self._excursion: _Excursion | None = None
        self._waiting_for_rest = False
        self._trough = np.inf

    @property
    def in_repetition(self) -> bool:
        """True from the sample that started a repetition until it completes or is dropped."""
        return self._excursion is not None and self._excursion.started

    def _time(self, index: int) -> float:
        return index / self.sampling_rate_hz

    def _signed(self, value: float) -> float:
        return self.rule.direction * value

    def push(self, value: float, *, paired: float = np.nan,
             watched: Mapping[str, float] | None = None) -> list[RepEvent]:
        """Feed the next sample (NaN where the signal is missing); return the events it completes."""
        self._index += 1
        i = self._index
        value = float(value)
        if not np.isfinite(value):
            return self._missing(i)
        rest = self._signed(value) <= self._signed(self.rule.rest_level)
        if self._excursion is None:
            self._waiting_for_rest = self._waiting_for_rest and not rest
            if rest or self._waiting_for_rest:
                self._last_rest = (i, value, float(paired)) if rest else None
                if rest:
                    self._trough = min(self._trough, self._signed(value))
                return []
            self._open(i)
        excursion = self._excursion
        assert excursion is not None
        excursion.values.append(value)
        excursion.paired.append(float(paired))
        excursion.last_seen = i
        for comp in self.watch:
            if comp.breached((watched or {}).get(comp.name, np.nan)):
                excursion.breaches[comp.name].append(i)
        events: list[RepEvent] = []
        if not excursion.started and self._signed(value) >= self._signed(self.rule.start_level):
            excursion.started = True
            events.append(RepEvent("started", i, self._time(i)))
        if rest:
            events.extend(self._close(i))
        elif i - excursion.first_index > self.rule.max_duration_s * self.sampling_rate_hz:
            events.extend(self._drop(i, f"no return to rest within {self.rule.max_duration_s:g} s"))
        return events

    def _open(self, i: int) -> None:
        """Start keeping samples, from the last sample at rest (the repetition's start)."""
        if self._last_rest is not None and self._last_rest[0] == i - 1:
            first, values, paired = self._last_rest[0], [self._last_rest[1]], [self._last_rest[2]]
        else:
            first, values, paired = i, [], []
        self._excursion = _Excursion(first, values, paired, {c.name: [] for c in self.watch}, last_seen=i)

    def _missing(self, i: int) -> list[RepEvent]:
        excursion = self._excursion
        if excursion is None:
            self._last_rest = None
            return []
        excursion.values.append(np.nan)
        excursion.paired.append(np.nan)
        if i - excursion.last_seen > self.rule.max_gap_s * self.sampling_rate_hz:
            return self._drop(i, f"signal lost for more than {self.rule.max_gap_s:g} s")
        return []

    def _drop(self, i: int, reason: str) -> list[RepEvent]:
        started = self._excursion is not None and self._excursion.started
        self._excursion = None
        self._last_rest = None
        self._waiting_for_rest = True
        self._trough = np.inf
        return [RepEvent("incomplete", i, self._time(i), reason=reason)] if started else []

    def _close(self, i: int) -> list[RepEvent]:
        excursion = self._excursion
        assert excursion is not None
        self._excursion = None
        self._last_rest = (i, excursion.values[-1], excursion.paired[-1])
        trough, self._trough = self._trough, self._signed(excursion.values[-1])
        duration_s = (i - excursion.first_index) / self.sampling_rate_hz
        values = np.asarray(excursion.values)
        peak = float(np.nanmax(self.rule.direction * values)) * self.rule.direction
        if not excursion.started:
            halfway = self.rule.rest_level + INCOMPLETE_FRACTION * (self.rule.start_level - self.rule.rest_level)
            if self._signed(peak) >= self._signed(halfway) and duration_s >= self.rule.min_duration_s:
                return [RepEvent("incomplete", i, self._time(i),
                                 reason=f"turned back at {peak:.1f}, before {self.rule.start_level:g}")]
            return []
        if duration_s < self.rule.min_duration_s:
            return [RepEvent("incomplete", i, self._time(i),
                             reason=f"shorter than {self.rule.min_duration_s:g} s")]
        self.count += 1
        return [RepEvent("completed", i, self._time(i), repetition=self._score(excursion, values, trough))]

    def _score(self, excursion: _Excursion, values: np.ndarray, trough: float) -> Repetition:
        """Scores of a completed excursion; its range runs from the lowest point at rest before it."""
        fs = self.sampling_rate_hz
        seen = np.isfinite(values)
        if not seen.all():
            positions = np.arange(values.size)
            values = np.interp(positions, positions[seen], values[seen])
        signed = self.rule.direction * values
        peak_at = int(np.argmax(signed))
        first = excursion.first_index
        excursion_range = float(signed[peak_at] - min(trough, signed[0], signed[-1]))
        paired = np.asarray(excursion.paired)
        paired_range = float(np.nanmax(paired) - np.nanmin(paired)) if np.isfinite(paired).sum() > 1 else None
        return Repetition(
            number=self.count, start_index=first, peak_index=first + peak_at,
            end_index=first + values.size - 1, start_s=first / fs, peak_s=(first + peak_at) / fs,
            end_s=(first + values.size - 1) / fs, peak_value=float(values[peak_at]),
            range=excursion_range, up_s=peak_at / fs, down_s=(values.size - 1 - peak_at) / fs,
            sparc=sparc(np.abs(np.gradient(values) * fs), fs) if values.size >= 3 else None,
            symmetry_index_percent=symmetry_index(excursion_range, paired_range),
            template_distance=None if self.template is None else dtw_distance(values, self.template),
            compensations={k: tuple(v) for k, v in excursion.breaches.items() if v}, values=values)


@dataclass(frozen=True)
class RepetitionResult:
    """The repetitions of a whole recording, and the excursions that fell short (with why)."""

    repetitions: tuple[Repetition, ...]
    incomplete: tuple[RepEvent, ...]
    rule: RepetitionRule



def rule_from_signal(values: np.ndarray, *, direction: Literal[1, -1] = 1) -> RepetitionRule:
    """Levels read off the recording itself: rest at 30% and start at 60% of its 5th-95th percentile span.

    For a recording made of repetitions, as a first look; an exercise's own levels are better.
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size < 3:
        raise RecordingError("The signal has fewer than 3 usable samples: nothing to count.")
    low, high = np.percentile(values, [5, 95])
    if high - low <= 1e-9 * max(1.0, abs(high)):
        raise RecordingError("The signal does not move: there are no repetitions to count.")
    base, top = (low, high) if direction == 1 else (high, low)
    return RepetitionRule(rest_level=float(base + AUTO_REST_FRACTION * (top - base)),
                          start_level=float(base + AUTO_START_FRACTION * (top - base)), direction=direction)


def segment_repetitions(values: np.ndarray, *, sampling_rate_hz: float, rule: RepetitionRule | None = None,
                        paired: np.ndarray | None = None, template: np.ndarray | None = None,
                        watch: Mapping[Compensation, np.ndarray] | None = None) -> RepetitionResult:
    """Run the streaming counter over a whole recording (one value per sample, NaN where missing)."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise RecordingError("Repetitions need a one-dimensional signal with at least one sample.")
    rule = rule or rule_from_signal(values)
    watch = dict(watch or {})
    for comp, series in watch.items():
        if np.shape(series) != values.shape:
            raise RecordingError(f"The watched signal {comp.name!r} has {np.size(series)} samples, "
                                 f"the counted one {values.size}: they must be sampled together.")
    if paired is not None and np.shape(paired) != values.shape:
        raise RecordingError("The paired signal must have one value per sample of the counted one.")
    counter = RepetitionCounter(rule, sampling_rate_hz=sampling_rate_hz, template=template, watch=tuple(watch))
    paired_values = np.full(values.size, np.nan) if paired is None else np.asarray(paired, dtype=float)
    repetitions: list[Repetition] = []
    incomplete: list[RepEvent] = []
    for i, value in enumerate(values):
        for event in counter.push(value, paired=paired_values[i],
                                  watched={c.name: float(s[i]) for c, s in watch.items()}):
            if event.repetition is not None:
                repetitions.append(event.repetition)
            elif event.kind == "incomplete":
                incomplete.append(event)
    return RepetitionResult(tuple(repetitions), tuple(incomplete), rule)
