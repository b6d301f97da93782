"""Positional descriptors: where the COP is and how far it wanders (Quijoux et al. 2021, section 3.1).

Every function takes a ``PreparedTrial`` and returns ``{quijoux_name: value}``; distances in cm.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.spatial import ConvexHull, QhullError

from reeducate.signals.posturography.trial import AP, ML, PreparedTrial

AXES = {"ML": ML, "AP": AP}
ELLIPSE_CONFIDENCE = 0.95


def rms(trial: PreparedTrial, axis: int) -> float:
    return float(np.sqrt(np.mean(trial.xy_cm[:, axis] ** 2)))


def planar_diameter(xy: np.ndarray) -> float:
    """Largest distance between two samples (cm): the diameter of the path's convex hull."""
    try:
        points = xy[ConvexHull(xy).vertices]
    except (QhullError, ValueError):  # all samples on a line, or too few: every sample is a candidate
        points = xy
    best = 0.0
    for start in range(0, len(points), 512):  # pairwise in blocks keeps memory bounded
        block = points[start:start + 512]
        d = block[:, None, :] - points[None, :, :]
        best = max(best, float(np.sqrt(d[..., 0] ** 2 + d[..., 1] ** 2).max()))
    return best


def covariance_ml_ap(trial: PreparedTrial) -> float:
    """Mean product of the (centred) ML and AP positions (cm^2)."""
    return float(np.sum(trial.xy_cm[:, ML] * trial.xy_cm[:, AP]) / len(trial))


def ellipse_area(trial: PreparedTrial) -> float:
    """95 % prediction ellipse area (cm^2), Schubert & Kirchner 2014's small-sample form, as Quijoux 2021:
    2 pi F(0.95; 2, n-2) sqrt(det S) (n+1)(n-1) / (n(n-2))."""
    n = len(trial)
    s_ml, s_ap, cov = rms(trial, ML), rms(trial, AP), covariance_ml_ap(trial)
    quantile = stats.f.ppf(ELLIPSE_CONFIDENCE, 2, n - 2)
    det = s_ml**2 * s_ap**2 - cov**2
    return float(2 * np.pi * quantile * np.sqrt(det) * ((n + 1) * (n - 1)) / (n * (n - 2)))


def principal_sway_direction_deg(trial: PreparedTrial) -> float:
    """Angle (deg, 0-90) between the AP axis and the main axis of sway (first principal component)."""
    centred = trial.xy_cm - trial.xy_cm.mean(axis=0)
    sxx, syy = np.mean(centred[:, ML] ** 2), np.mean(centred[:, AP] ** 2)
    sxy = np.mean(centred[:, ML] * centred[:, AP])
    return float(abs(np.degrees(0.5 * np.arctan2(2 * sxy, syy - sxx))))


def positional(trial: PreparedTrial) -> dict[str, float]:
    out: dict[str, float] = {
        "mean_value_ML": trial.mean_cm[ML], "mean_value_AP": trial.mean_cm[AP],
    }
    signals = {"ML": trial.xy_cm[:, ML], "AP": trial.xy_cm[:, AP], "Radius": trial.radius_cm}
    for label, values in signals.items():
        magnitude = np.abs(values)
        out[f"mean_distance_{label}"] = float(np.mean(magnitude))
        out[f"maximal_distance_{label}"] = float(np.max(magnitude))
        out[f"rms_{label}"] = float(np.sqrt(np.mean(values**2)))
    for label, axis in AXES.items():
        out[f"range_{label}"] = float(trial.xy_cm[:, axis].max() - trial.xy_cm[:, axis].min())
    out["range_ML_AND_AP"] = planar_diameter(trial.xy_cm)
    out["range_ratio_ML_AND_AP"] = out["range_ML"] / out["range_AP"]
    s_ml, s_ap = out["rms_ML"], out["rms_AP"]
    out["planar_deviation_ML_AND_AP"] = float(np.sqrt(s_ml**2 + s_ap**2))
    out["coefficient_sway_direction_ML_AND_AP"] = covariance_ml_ap(trial) / (s_ml * s_ap)
    out["confidence_ellipse_area_ML_AND_AP"] = ellipse_area(trial)
    out["principal_sway_direction_ML_AND_AP"] = principal_sway_direction_deg(trial)
    return out
