"""A simulated device: an exercise performed by a made-up patient, for demos without a camera and tests.

A joint position sense exercise is done as its protocol asks (``_jps``): from the start position to each
target, held, back, then to the target again missed by a made-up error (``JPS_ERRORS_DEG``, past the target
when positive), held, and back, for the protocol's trials.

Each repetition rises from rest to the target peak (or, without one, well past the start level) on
the minimum-jerk profile and comes back, then rests a second; a hold sits mid-band for its target
time and two more seconds, then leaves the band. In the repetitions listed in ``faulty``, every cue
rule's signal is pushed past its limit for the middle third of the repetition; the rest of the time
it stays well inside. Noise is Gaussian with ``noise`` signal units of standard deviation. An onset-order
exercise's two muscles come on together for ``ORDER_ON_S`` each repetition, the first ``ORDER_LEAD_S`` ahead
(the second ahead in a faulty repetition).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from reeducate.feedback.adapters.base import Sample
from reeducate.feedback.adapters.emg import on_signal, onset_signal
from reeducate.feedback.engine import LiveExercise
from reeducate.feedback.jps_tracker import JpsRule
from reeducate.feedback.templates import minimum_jerk

REST_S = 1.0
#: The simulated patient's joint position errors, trial after trial (deg; made up, positive past the target).
JPS_ERRORS_DEG = (3.0, -2.0, 4.0, -1.0, 2.5, -3.0)
#: How long the simulated patient takes to move between positions (s), rests, and holds past what is asked (s).
JPS_MOVE_S = 1.5
JPS_REST_S = 2.5
JPS_HOLD_MORE_S = 1.0
DEFAULT_TEMPO_S = 3.0
ORDER_ON_S = 1.5
ORDER_LEAD_S = 0.05


def _movement(exercise: LiveExercise, repetitions: int, fs: float) -> list[np.ndarray]:
    rest = np.full(int(REST_S * fs), 0.0)
    if exercise.repetition is not None:
        rule = exercise.repetition
        peak = exercise.target_peak if exercise.target_peak is not None else \
            rule.start_level + 2 * (rule.start_level - rule.rest_level)
        tempo = float(np.mean(exercise.target_duration_s)) if exercise.target_duration_s else DEFAULT_TEMPO_S
        start = rule.rest_level - rule.direction * abs(rule.start_level - rule.rest_level)
        rep = minimum_jerk(start, peak, tempo, fs)
        return [np.concatenate([rest + start, rep, rest + start]) for _ in range(repetitions)]
    assert exercise.hold is not None
    hold = exercise.hold
    outside = hold.high + (hold.high - hold.low) if np.isfinite(hold.high) else hold.low - 10
    inside = np.full(int((hold.target_s + 2.0) * fs), (hold.low + hold.high) / 2)
    return [np.concatenate([rest + outside, inside, rest + outside]) for _ in range(repetitions)]


def _jps(rule: JpsRule, fs: float) -> np.ndarray:
    """The joint's angle (deg) through ``rule.trials`` trials of the protocol, without noise."""
    start = rule.start_deg

    def move(a: float, b: float) -> np.ndarray:
        return minimum_jerk(a, b, 2 * JPS_MOVE_S, fs)[:max(2, int(round(JPS_MOVE_S * fs)))]

    def still(angle: float, seconds: float) -> np.ndarray:
        return np.full(int(round(seconds * fs)), angle)

    parts = [still(start, JPS_REST_S)]
    for k in range(rule.trials):
        target = rule.targets[k % len(rule.targets)]
        missed = target + JPS_ERRORS_DEG[k % len(JPS_ERRORS_DEG)] * (1.0 if target >= start else -1.0)
        parts += [move(start, target), still(target, rule.target_hold_s + JPS_HOLD_MORE_S), move(target, start),
                  still(start, JPS_REST_S), move(start, missed),
                  still(missed, rule.reproduction_hold_s + JPS_HOLD_MORE_S), move(missed, start),
                  still(start, JPS_REST_S)]
    return np.concatenate(parts)


def simulated_samples(exercise: LiveExercise, *, sampling_rate_hz: float = 30.0, repetitions: int = 5,
                      faulty: Iterable[int] = (), view: str | None = None, noise: float = 0.5,
                      random_state: int = 0) -> Iterator[Sample]:
    """Samples of ``repetitions`` repetitions (or holds); those numbered (from 1) in ``faulty`` show every fault."""
    rng = np.random.default_rng(random_state)
    if exercise.jps is not None:
        angles = _jps(exercise.jps, sampling_rate_hz)
        angles += rng.normal(0, noise, len(angles))
        for k, angle in enumerate(angles):
            yield Sample(k, k / sampling_rate_hz, {exercise.signal: float(angle)}, view)
        return
    faulty = set(faulty)
    if exercise.order is not None:
        yield from _ordered(exercise, sampling_rate_hz, repetitions, faulty)
        return
    index = 0
    for number, values in enumerate(_movement(exercise, repetitions, sampling_rate_hz), start=1):
        n = len(values)
        signals = {exercise.signal: values + rng.normal(0, noise, n)}
        if exercise.paired_signal:
            signals[exercise.paired_signal] = values + rng.normal(0, noise, n)
        for rule in exercise.cues:
            way = 1 if rule.above else -1
            fault = np.full(n, rule.limit - way * (rule.clear_margin + 5.0))
            if number in faulty:
                fault[n // 3: 2 * n // 3] = rule.limit + way * 5.0
            signals[rule.signal] = fault + rng.normal(0, noise, n)
        for k in range(n):
            yield Sample(index, index / sampling_rate_hz, {name: float(v[k]) for name, v in signals.items()}, view)
            index += 1


def _ordered(exercise: LiveExercise, fs: float, repetitions: int, faulty: set[int]) -> Iterator[Sample]:
    """Two muscles' on/off states and onset times (s), repetition after repetition."""
    assert exercise.order is not None
    first, second = exercise.order.first, exercise.order.second
    rest, on = int(REST_S * fs), int(ORDER_ON_S * fs)
    onsets = {first: np.nan, second: np.nan}
    index = 0
    for number in range(1, repetitions + 1):
        leader, follower = (second, first) if number in faulty else (first, second)
        for k in range(rest + on):
            active = k >= rest
            if k == rest:
                onsets[leader] = index / fs
                onsets[follower] = index / fs + ORDER_LEAD_S
            values = {name: v for m in (first, second)
                      for name, v in ((on_signal(m), float(active)), (onset_signal(m), onsets[m]))}
            yield Sample(index, index / fs, values)
            index += 1
    for _ in range(rest):  # both off again: the last activation ends
        yield Sample(index, index / fs, {name: v for m in (first, second)
                                         for name, v in ((on_signal(m), 0.0), (onset_signal(m), onsets[m]))})
        index += 1
