"""Stabilogram diffusion analysis (Collins & De Luca 1993, as computed by Quijoux et al. 2021, 3.4).

The mean square displacement (MSD, cm^2) of each axis is computed for time lags up to a third of the
trial; straight lines are fitted to log MSD against log lag over a short-term region (the first i
lags) and a long-term region (from lag i on), i running from 0.3 s to 2.5 s, keeping for each region
the fit with the smallest root-mean-square residual (the last one when tied). Their crossing is the
critical point. As in the reference code, the "diffusion coefficients" are exp(intercept), i.e. the
fitted MSD at a lag of 1 s (cm^2), and the scaling exponents are half the slopes.
"""

from __future__ import annotations

import numpy as np

from reeducate.signals.posturography.trial import AP, ML, PreparedTrial

SHORT_FROM_S, LONG_UNTIL_S = 0.3, 2.5
LAG_FRACTION = 1 / 3
MAX_FIT_CELLS = 2_000_000  # lags x candidate splits fitted at once (16 MB a float array)


def mean_square_displacement(x: np.ndarray, max_lag: int) -> np.ndarray:
    """MSD(k) = mean over j of (x[j+k] - x[j])^2 for k = 1..max_lag, via one FFT autocorrelation."""
    n = len(x)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.rfft(x, size)
    autocorrelation = np.fft.irfft(spectrum * np.conj(spectrum), size)[1:max_lag + 1]
    squares = x * x
    head = np.cumsum(squares)  # sum of x[j]^2 for j < n-k is head[n-k-1]
    tail = np.cumsum(squares[::-1])  # sum of x[j]^2 for j >= k is tail[n-k-1]
    lags = np.arange(1, max_lag + 1)
    return (head[n - lags - 1] + tail[n - lags - 1] - 2 * autocorrelation) / (n - lags)


def _fits(log_t: np.ndarray, log_msd: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares lines for each row of ``masks``: intercepts, slopes and RMS residuals."""
    counts = masks.sum(axis=1)
    mean_t = (masks * log_t).sum(axis=1) / counts
    mean_y = (masks * log_msd).sum(axis=1) / counts
    dt = np.where(masks, log_t - mean_t[:, None], 0.0)
    dy = np.where(masks, log_msd - mean_y[:, None], 0.0)
    slope = (dt * dy).sum(axis=1) / (dt * dt).sum(axis=1)
    intercept = mean_y - slope * mean_t
    residual = np.where(masks, log_msd - (intercept[:, None] + slope[:, None] * log_t), 0.0)
    return intercept, slope, np.sqrt((residual**2).sum(axis=1) / counts)


def _region_fits(log_t: np.ndarray, log_msd: np.ndarray, splits: np.ndarray, *, short: bool
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fits of every split's short-term region (the first i lags) or long-term region (lag i on),
    a block of splits at a time so that memory stays bounded on long, fast recordings."""
    index = np.arange(len(log_t))[None, :]
    block = max(1, MAX_FIT_CELLS // len(log_t))
    parts = []
    for start in range(0, len(splits), block):
        chosen = splits[start:start + block, None]
        parts.append(_fits(log_t, log_msd, index < chosen if short else index >= chosen - 1))
    intercepts, slopes, residuals = (np.concatenate(values) for values in zip(*parts, strict=True))
    return intercepts, slopes, residuals


def _last_best(rmse: np.ndarray) -> int:
    return int(len(rmse) - 1 - np.argmin(rmse[::-1]))


def diffusion_axis(x: np.ndarray, rate_hz: float, label: str) -> dict[str, float]:
    n = len(x)
    max_lag = int(n * LAG_FRACTION)
    msd = mean_square_displacement(x, max_lag)
    log_t = np.log(np.arange(1, max_lag + 1) / rate_hz)
    log_msd = np.log(msd)
    first, last = int(SHORT_FROM_S * rate_hz) + 1, int(LONG_UNTIL_S * rate_hz)
    splits = np.arange(first, last + 1)
    short = _region_fits(log_t, log_msd, splits, short=True)
    long = _region_fits(log_t, log_msd, splits, short=False)
    s, lo = _last_best(short[2]), _last_best(long[2])
    a_s, b_s, a_l, b_l = short[0][s], short[1][s], long[0][lo], long[1][lo]
    log_critical_t = min((a_l - a_s) / (b_s - b_l), log_t[-1])
    key = f"Diffusion_{label}"
    return {
        f"short_time_diffusion_{key}": float(np.exp(a_s)),
        f"long_time_diffusion_{key}": float(np.exp(a_l)),
        f"critical_time_{key}": float(np.exp(log_critical_t)),
        f"critical_displacement_{key}": float(np.exp(a_s + b_s * log_critical_t)),
        f"short_time_scaling_{key}": float(b_s / 2),
        f"long_time_scaling_{key}": float(b_l / 2),
    }


def diffusion(trial: PreparedTrial) -> dict[str, float]:
    return {**diffusion_axis(trial.xy_cm[:, ML], trial.rate_hz, "ML"),
            **diffusion_axis(trial.xy_cm[:, AP], trial.rate_hz, "AP")}
