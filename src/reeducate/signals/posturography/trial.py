"""A preprocessed trial, the input of every descriptor: COP in cm, ML then AP, at a uniform rate."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.signal import savgol_filter

ML, AP = 0, 1


@dataclass(frozen=True)
class PreparedTrial:
    """``xy_cm`` is n x 2 (ML, AP) in cm, centred then filtered; ``mean_cm`` the (ML, AP) position of
    the raw COP before centring, in the plate's coordinates."""

    xy_cm: np.ndarray
    rate_hz: float
    mean_cm: tuple[float, float]

    def __len__(self) -> int:
        return len(self.xy_cm)

    @cached_property
    def radius_cm(self) -> np.ndarray:
        """Distance of each sample from the mean position (cm)."""
        return np.sqrt(self.xy_cm[:, ML] ** 2 + self.xy_cm[:, AP] ** 2)

    @cached_property
    def velocity_cm_s(self) -> np.ndarray:
        """COP velocity (cm/s, n x 2): Savitzky-Golay first derivative, window 5, cubic, as Quijoux 2021."""
        return savgol_filter(self.xy_cm, window_length=5, polyorder=3, deriv=1, axis=0, delta=1 / self.rate_hz)
