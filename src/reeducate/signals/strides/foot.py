"""Strides and gait events from a foot-worn IMU's gyroscope (our own method, no template).

The foot's rotation about its medio-lateral axis dominates walking: a large mid-swing peak, flanked
by the push-off rotation before it and the heel-strike rotation after it. We

1. find that axis as the gyroscope's first principal component while the foot moves, signed so the
   mid-swing lobe is positive: the lobe that follows a still stance is push-off, which turns the
   other way from mid-swing (so the sensor's mounting does not matter);
2. take each mid-swing as a peak of the 5 Hz low-passed rate above ``MIN_SWING_DEG_S``, at least
   ``MIN_STRIDE_S`` apart, with the foot at rest (angular speed under ``STILL_DEG_S``) somewhere between
   two of them: a swing lies between two stances, however small it is (the first step of a walk, the
   short steps of a turn);
3. place terminal contact (toe-off) at the deepest push-off rotation in the ``EVENT_WINDOW_S`` before
   mid-swing (the minimum before mid-swing, Salarian et al. 2004, IEEE Trans Biomed Eng
   51(8):1434-1443), and initial contact (heel strike) where the swing's forward rotation ends: the first
   zero crossing of the rate after mid-swing, from the swing's sign to the heel rocker's (a public
   implementation attributes this marker to Wu et al. 2021, Sensors 21(8):2869, and Brasiliano et al. 2023,
   Micromachines 14(2):277, whose methods we could not read; what supports it here is our comparison with
   gaitmap's motion capture, docs/gait.md). The deepest
   heel-rocker rotation that follows is the foot slapping flat, tens of milliseconds after contact (our
   earlier choice, after Salarian's shank minimum: 45 ms after the motion-capture heel strike on
   gaitmap's example walk); it stays the fallback when the rate does not cross zero in the window;
4. set mid-stance, where the foot is flat and still, at the middle of the ``MID_STANCE_WINDOW_S`` window
   of least gyroscope energy between a heel strike and the next toe-off (Rampp et al. 2015, IEEE Trans
   Biomed Eng 62(4):1089-1097): the zero-velocity instant the trajectory integrates from.

A stride runs from one initial contact to the next of the same foot. An interval longer than
``MAX_STRIDE_S``, or than ``BREAK_FACTOR`` times the recording's median stride (a swing too small
to see, as in a tight turn), is a break, not a stride.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.fft import next_fast_len
from scipy.signal import butter, find_peaks, sosfiltfilt

from reeducate.signals.errors import RecordingError

#: The mid-swing peak of a walking foot exceeds this angular rate (deg/s); slower is not a step.
MIN_SWING_DEG_S = 100.0
#: A foot flat on the ground turns slower than this (deg/s).
STILL_DEG_S = 50.0
#: Shortest stride (s): running strides take about 0.7 s; anything faster is a double detection.
MIN_STRIDE_S = 0.5
#: Longest stride (s) that is still walking; a longer interval is a pause between bouts.
MAX_STRIDE_S = 2.5
#: An interval this many times the median stride time holds a missed step or a pause.
BREAK_FACTOR = 1.5
#: Window (s) on either side of mid-swing in which toe-off and heel strike are looked for.
EVENT_WINDOW_S = 0.4
#: Low-pass (Hz) for finding mid-swing; events are placed on the unfiltered rate.
SWING_LOWPASS_HZ = 5.0
#: Width (s) of the sliding window whose least gyroscope energy marks mid-stance (Rampp et al. 2015's
#: minimum-velocity window, 100 ms).
MID_STANCE_WINDOW_S = 0.1


@dataclass(frozen=True)
class FootEvents:
    """Sample indices of one foot's events; stride k runs from ic[k] to ic[k + 1]."""

    ic: np.ndarray          # initial contacts
    tc: np.ndarray          # terminal contact of each stride (toe-off between ic[k] and ic[k + 1])
    mid_stance: np.ndarray  # zero-velocity sample of each stride's stance (between ic[k] and tc[k])
    valid: np.ndarray       # stride k is a walking stride (not a break)
    ml_gyro_deg_s: np.ndarray
    axis: np.ndarray


def sagittal_rate(gyr_deg_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The angular rate about the foot's medio-lateral axis (deg/s) and that axis (unit, sensor frame)."""
    norm = np.linalg.norm(gyr_deg_s, axis=1)
    moving = norm > np.percentile(norm, 50)
    if moving.sum() < 10:
        raise RecordingError("The foot sensor barely moves; no walking to analyse.")
    centred = gyr_deg_s[moving] - gyr_deg_s[moving].mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    axis = vt[0]
    explained = singular[0] ** 2 / np.sum(singular ** 2)
    if explained < 0.5:
        raise RecordingError(f"No dominant rotation axis in the gyroscope ({explained:.0%} of the motion in one axis); "
                             "this does not look like a sensor on a walking foot. Check --sensor (foot or "
                             "lower-back) and that the gyroscope columns are gyr_x, gyr_y, gyr_z in deg/s.")
    rate = gyr_deg_s @ axis
    if _push_off_sign(rate, norm) > 0:
        rate, axis = -rate, -axis
    return rate, axis


def _push_off_sign(rate: np.ndarray, speed: np.ndarray) -> float:
    """Majority sign of the first clear rotation after each still period (push-off)."""
    still = speed < STILL_DEG_S
    starts = np.flatnonzero(still[:-1] & ~still[1:]) + 1
    votes = 0.0
    for start in starts:
        ahead = np.flatnonzero(np.abs(rate[start:]) > MIN_SWING_DEG_S)
        if len(ahead):
            votes += np.sign(rate[start + ahead[0]])
    return votes


def detect_events(gyr_deg_s: np.ndarray, sampling_rate_hz: float) -> FootEvents:
    """Mid-swings, toe-offs, heel strikes and mid-stances of one foot (see the module's steps)."""
    fs = sampling_rate_hz
    rate, axis = sagittal_rate(gyr_deg_s)
    smooth = sosfiltfilt(butter(4, SWING_LOWPASS_HZ, fs=fs, output="sos"), rate)
    speed = np.linalg.norm(gyr_deg_s, axis=1)
    peaks, _ = find_peaks(smooth, height=MIN_SWING_DEG_S, distance=int(MIN_STRIDE_S * fs))
    peaks = _swings_between_stances(peaks, smooth, speed)
    window = int(EVENT_WINDOW_S * fs)
    n = len(rate)
    ics, tcs = [], []
    for p in peaks:
        if p - window < 0 or p + window >= n:
            continue
        tcs.append(p - window + int(np.argmin(rate[p - window:p])))
        ics.append(_end_of_swing(rate[p:p + window]) + p)
    ic, tc_before = np.array(ics, dtype=int), np.array(tcs, dtype=int)
    if len(ic) < 2:
        raise RecordingError(f"Fewer than two strides were found ({len(ic)} swing phases above "
                             f"{MIN_SWING_DEG_S:g} deg/s). Is this walking, with the gyroscope in deg/s?")
    # Stride k: ic[k] -> ic[k+1]; its toe-off is the one before the swing that ends it.
    tc = tc_before[1:]
    ic_start, ic_end = ic[:-1], ic[1:]
    durations = (ic_end - ic_start) / fs
    longest = min(MAX_STRIDE_S, BREAK_FACTOR * float(np.median(durations)))
    valid = (durations >= MIN_STRIDE_S) & (durations <= longest) & (tc > ic_start) & (tc < ic_end)
    mid = _least_energy(gyr_deg_s, ic_start, tc, max(1, int(round(MID_STANCE_WINDOW_S * fs))))
    return FootEvents(ic=ic, tc=tc, mid_stance=mid, valid=valid, ml_gyro_deg_s=rate, axis=axis)


def _swings_between_stances(peaks: np.ndarray, smooth: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """Mid-swing peaks with the foot at rest between each and the next; of two without, the higher stays.

    Two peaks of one swing (a wobble of the foot in the air) have no stance between them.
    """
    kept: list[int] = []
    for p in peaks:
        if kept and not (speed[kept[-1]:p] < STILL_DEG_S).any():
            if smooth[p] > smooth[kept[-1]]:
                kept[-1] = int(p)
            continue
        kept.append(int(p))
    return np.array(kept, dtype=int)


def _end_of_swing(after_peak: np.ndarray) -> int:
    """Offset of initial contact from mid-swing: the first sample past the rate's zero crossing, or the
    deepest heel-rocker rotation when the rate does not cross zero in the window."""
    crossed = np.flatnonzero(after_peak <= 0)
    return int(crossed[0]) if len(crossed) else int(np.argmin(after_peak))


def _least_energy(gyr_deg_s: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int) -> np.ndarray:
    """Centre of the ``width``-sample window of least gyroscope energy between each start and end sample."""
    energy = np.sum(gyr_deg_s.astype(float) ** 2, axis=1)
    cumulative = np.concatenate([[0.0], np.cumsum(energy)])
    half = width // 2
    centres = np.arange(len(energy))
    lo, hi = np.clip(centres - half, 0, len(energy)), np.clip(centres - half + width, 0, len(energy))
    mean = (cumulative[hi] - cumulative[lo]) / np.maximum(hi - lo, 1)
    return np.array([a + int(np.argmin(mean[a:b])) if b > a else a for a, b in zip(starts, ends, strict=True)],
                    dtype=int)


def stride_period_s(gyr_deg_s: np.ndarray, sampling_rate_hz: float) -> float:
    """The dominant stride period (s): the highest autocorrelation peak of the angular speed.

    Found before any event detection, in samples, so a wrong sampling rate shows as an implausible
    period instead of as a confusion of sub-peaks.
    """
    speed = np.linalg.norm(gyr_deg_s, axis=1)
    speed = speed - speed.mean()
    n = len(speed)
    size = next_fast_len(2 * n, real=True)  # zero padding to a length the FFT factors well
    spectrum = np.fft.rfft(speed, size)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size)[:n // 2]
    if acf[0] <= 0:
        return float("nan")
    first_negative = np.flatnonzero(acf < 0)
    if not len(first_negative):
        return float("nan")
    start = int(first_negative[0])
    peaks, _ = find_peaks(acf[start:])
    if not len(peaks):
        return float("nan")
    return float((start + peaks[np.argmax(acf[start:][peaks])]) / sampling_rate_hz)
