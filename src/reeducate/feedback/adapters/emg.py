"""Surface EMG as a stream of samples: each muscle's amplitude as % of its MVC, and whether it is on.

Raw EMG comes in blocks of ``BLOCK_S`` (50 ms) of one or more named channels in mV at the recording's
rate; each block gives the engine one sample (20 a second). Per channel, causally (the filters' state is
carried from block to block by ``StreamingEnvelope``; nothing looks ahead), at a constant cost per block:

- ``{muscle}_mvc``: the 6 Hz linear envelope (band-pass 20-450 Hz, rectified, low-passed), the block's
  mean, in % of the channel's reference. The reference is its MVC level when one is given (mV: the MVC's
  RMS, ``signals.emg.timing.mvc_amplitude``, as the offline analysis normalises its bursts), else the
  highest envelope of its first contractions: the first ``CALIBRATION_S`` from the muscle's first onset,
  frozen after (NaN before that onset). ``reference`` says which, and the session's record keeps it, so a
  % of a calibrated level is never shown as %MVC.
- ``{muscle}_on``: 1 while the muscle is on, 0 while off, NaN until its rest is known. The rest is the
  50 Hz envelope (the onset envelope of ``signals.emg.conditioning``, after Hodges & Bui 1996) over the ``REST_S`` after ``SETTLE_S`` (the patient
  rests at the start); the muscle comes on above rest mean + ``ON_SD`` SD and goes off only once it has
  stayed below rest mean + ``OFF_SD`` SD for ``MERGE_GAP_S`` (hysteresis in level and time, as the offline
  detector merges stretches closer than that gap: hovering at the threshold does not flicker).
- ``{muscle}_onset_s``: the time (s from the start) of the muscle's latest onset, to the sample: what an
  onset-order goal compares (``feedback.order``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Literal

import numpy as np

from reeducate.feedback.adapters.base import DeviceError, Sample
from reeducate.signals.emg.conditioning import ONSET_ENVELOPE_HZ, StreamingEnvelope
from reeducate.signals.emg.onsets import MERGE_GAP_S, MIN_REST_S
from reeducate.signals.emg.recording import EmgRecording

#: One engine sample per block of this many seconds of raw EMG (the issue's 50 ms blocks).
BLOCK_S = 0.05
#: The band-pass's start-up transient is left out of the rest (s): our setting, several time constants of
#: the 20 Hz high-pass.
SETTLE_S = 0.2
#: Seconds of rest after ``SETTLE_S`` that calibrate the on/off thresholds: the shortest rest the offline
#: detector calibrates from (``onsets.MIN_REST_S``); the patient rests for the first moments of the exercise.
REST_S = MIN_REST_S
#: On above rest mean + ``ON_SD`` SD, off below rest mean + ``OFF_SD`` SD (half of it: the hysteresis). Our
#: setting: the form of Hodges & Bui 1996 (Electroencephalogr Clin Neurophysiol 101:511-519), whose h = 3 is
#: for a 25 ms mean of the envelope calibrated on the rest around each burst; against one rest at the start,
#: h = 3 leaves the muscle on through most of the low activity between contractions. With 12 the stream is
#: on through 99 % of the offline detector's bursts and off through over 90 % of the rests between them, on
#: the two PLUX example recordings (tests/feedback/test_emg_adapter.py).
ON_SD = 12.0
OFF_SD = ON_SD / 2
#: Without an MVC, the amplitude's reference is the highest envelope of this many seconds from the muscle's
#: first onset (our setting: time for two or three contractions).
CALIBRATION_S = 5.0

Reference = Literal["mvc", "first_contractions"]
#: What each reference means, for the record and the page.
REFERENCE_WORDS: dict[str, str] = {
    "mvc": "% of each muscle's MVC",
    "first_contractions": f"% of the strongest of the first contractions (first {CALIBRATION_S:g} s), no MVC given",
}


def muscle_key(name: str) -> str:
    """A channel's muscle as signals name it: ``Upper trapezius`` -> ``upper_trapezius``."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def amplitude_signal(muscle: str) -> str:
    return f"{muscle}_mvc"


def on_signal(muscle: str) -> str:
    return f"{muscle}_on"


def onset_signal(muscle: str) -> str:
    return f"{muscle}_onset_s"


class EmgAdapter:
    """Blocks of raw EMG (channels ``names``, mV, ``rate_hz``) to samples; ``mvc_mv`` the MVC level of each
    channel (all of them or none: a mixed reference would make the bars incomparable)."""

    def __init__(self, names: Sequence[str], *, rate_hz: float, mvc_mv: Mapping[str, float] | None = None) -> None:
        if not names:
            raise DeviceError("An EMG stream needs at least one named channel.")
        if mvc_mv:
            missing = [n for n in names if n not in mvc_mv]
            bad = [n for n, v in mvc_mv.items() if not (np.isfinite(v) and v > 0)]
            if missing or bad:
                raise DeviceError(f"Give an MVC level (mV, above 0) for every channel or for none: "
                                  f"{', '.join(missing + bad)} {'has' if len(missing + bad) == 1 else 'have'} none.")
        self.names = tuple(names)
        self.rate_hz = float(rate_hz)
        self.reference: Reference = "mvc" if mvc_mv else "first_contractions"
        n = len(self.names)
        self._envelopes = StreamingEnvelope(self.rate_hz, channels=n, also_hz=ONSET_ENVELOPE_HZ)
        self._level = np.array([mvc_mv[m] for m in self.names]) if mvc_mv else np.full(n, np.nan)
        self._peak = np.zeros(n)
        self._calibrate_until = np.full(n, np.nan)  # s: end of each channel's calibration (from its first onset)
        self._offset: np.ndarray | None = None  # the first block's mean (mV): the electrodes' DC offset
        self._rest_sum, self._rest_squares, self._rest_count = np.zeros(n), np.zeros(n), 0  # of the 50 Hz envelope
        self._on_level = np.full(n, np.nan)
        self._off_level = np.full(n, np.nan)
        self._state = np.zeros(n, dtype=bool)
        self._quiet_s = np.zeros(n)  # s each channel has stayed below its off level
        self._onset_s = np.full(n, np.nan)
        self._keys = [(amplitude_signal(m), on_signal(m), onset_signal(m)) for m in self.names]
        self._seen = 0  # raw samples so far
        self._index = -1

    @property
    def calibrated(self) -> bool:
        """True once the rest has set the on/off thresholds."""
        return bool(np.isfinite(self._on_level).all())

    def push(self, block: np.ndarray) -> Sample:
        """The sample of one block, (channels, samples) in mV, the channels in ``names`` order."""
        block = np.asarray(block, dtype=float)
        if block.ndim != 2 or block.shape[0] != len(self.names) or block.shape[1] == 0:
            raise DeviceError(f"An EMG block is (channels, samples) with {len(self.names)} channels; got an array "
                              f"of shape {block.shape}.", retryable=True)
        self._index += 1
        if self._offset is None:
            self._offset = block.mean(axis=1, keepdims=True)
        block = block - self._offset
        if not np.isfinite(block).all():  # a dropped sample reads as zero, not as a filter full of NaN
            block = np.nan_to_num(block)
        amplitude, fast = self._envelopes.push_both(block)
        first = self._seen
        self._seen += block.shape[1]
        times = np.arange(first, self._seen) / self.rate_hz
        if not self.calibrated:
            self._learn_rest(fast, times)
        else:
            self._switch(fast, times)
        percent = (100.0 * amplitude.mean(axis=1) / self._reference(amplitude, times)).tolist()
        on = self._state.astype(float).tolist() if self.calibrated else [np.nan] * len(self.names)
        values: dict[str, float] = {}
        for (amp, state, onset), p, o, t in zip(self._keys, percent, on, self._onset_s.tolist(), strict=True):
            values[amp], values[state], values[onset] = p, o, t
        return Sample(self._index, first / self.rate_hz, values)

    def _learn_rest(self, fast: np.ndarray, times: np.ndarray) -> None:
        inside = (times >= SETTLE_S) & (times < SETTLE_S + REST_S)
        part = fast[:, inside]
        self._rest_sum += part.sum(axis=1)
        self._rest_squares += (part**2).sum(axis=1)
        self._rest_count += part.shape[1]
        if times[-1] >= SETTLE_S + REST_S - 1 / self.rate_hz and self._rest_count > 1:
            mean = self._rest_sum / self._rest_count
            sd = np.sqrt(np.maximum(self._rest_squares / self._rest_count - mean**2, 0.0))
            self._on_level, self._off_level = mean + ON_SD * sd, mean + OFF_SD * sd

    def _switch(self, fast: np.ndarray, times: np.ndarray) -> None:
        """On at the block's first sample above the on level (its onset, to the sample); off once every sample
        of the last ``MERGE_GAP_S`` was below the off level (a dip inside a contraction does not end it)."""
        above = fast > self._on_level[:, None]
        starting = ~self._state & above.any(axis=1)
        first = above.argmax(axis=1)
        for k in np.flatnonzero(starting):
            self._onset_s[k] = times[first[k]]
            if np.isnan(self._calibrate_until[k]):
                self._calibrate_until[k] = self._onset_s[k] + CALIBRATION_S
        not_below = fast >= self._off_level[:, None]
        not_below[starting, :] |= np.arange(fast.shape[1]) <= first[starting, None]  # quiet counts from the onset
        last = fast.shape[1] - 1 - np.argmax(not_below[:, ::-1], axis=1)
        quiet = np.where(not_below.any(axis=1), (fast.shape[1] - 1 - last) / self.rate_hz,
                         self._quiet_s + fast.shape[1] / self.rate_hz)
        self._quiet_s = quiet
        self._state = (self._state | starting) & (quiet < MERGE_GAP_S)

    def _reference(self, amplitude: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Each channel's reference level (mV) for this block: its MVC, or its first contractions' peak so far."""
        if self.reference == "mvc":
            return self._level
        calibrating = times[0] < self._calibrate_until  # False while NaN: before the first onset
        self._peak = np.where(calibrating, np.maximum(self._peak, amplitude.max(axis=1)), self._peak)
        return np.where(self._peak > 0, self._peak, np.nan)


def shown_muscles(values: Mapping[str, float], names: Sequence[str]) -> dict[str, tuple[float | None, bool | None]]:
    """Each muscle's (amplitude %, on) as the live page draws its bar and lamp (None: not known yet)."""
    shown: dict[str, tuple[float | None, bool | None]] = {}
    for m in names:
        amplitude, on = values.get(amplitude_signal(m), np.nan), values.get(on_signal(m), np.nan)
        shown[m] = (round(amplitude, 1) if np.isfinite(amplitude) else None, bool(on) if np.isfinite(on) else None)
    return shown


def block_width(rate_hz: float) -> int:
    """Raw samples per block at ``rate_hz``: ``BLOCK_S`` rounded to whole samples."""
    return max(1, round(BLOCK_S * rate_hz))


def block_rate_hz(rate_hz: float) -> float:
    """The engine's sampling rate for a stream at ``rate_hz``: blocks per second."""
    return rate_hz / block_width(rate_hz)


def emg_samples(recording: EmgRecording, *, mvc_mv: Mapping[str, float] | None = None) -> Iterator[Sample]:
    """A recorded EMG file, block by block, as a live amplifier would stream it (``block_rate_hz`` a second)."""
    if mvc_mv and recording.units != "mV":
        raise DeviceError(f"{recording.source}: its amplitudes are in {recording.units}, not mV, so an MVC level "
                          "in mV cannot be applied; give the file's units (text, MATLAB) or leave the MVC out.")
    adapter = EmgAdapter(recording.names, rate_hz=recording.rate_hz, mvc_mv=mvc_mv)
    width = block_width(recording.rate_hz)
    for start in range(0, recording.n_samples, width):
        yield adapter.push(recording.data[:, start:start + width])
