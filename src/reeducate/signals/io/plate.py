"""Centre of pressure from a force plate's forces and moments, and the net COP of two plates.

The moment of a force F applied at r = (x, y, h) about the plate's origin is M = r x F, so for a
plate whose top surface lies h metres above its sensing origin (z up):
    Mx = y Fz - h Fy  and  My = h Fx - x Fz,  hence  x = (h Fx - My) / Fz,  y = (Mx + h Fy) / Fz.
With h = 0 this is the usual COPx = -My/Fz, COPy = Mx/Fz (as the BDS files' own COP columns are).
"""

from __future__ import annotations

import numpy as np

#: Below this vertical force (N) nobody is standing on the plate: the COP is undefined (a dropout).
#: 20 N is ~2 kg, far below any standing person and above the noise of a laboratory plate.
MIN_VERTICAL_FORCE_N = 20.0

#: Metres per unit of a COP column.
METRES_PER_UNIT = {"m": 1.0, "cm": 0.01, "mm": 0.001}


def cop_from_moments(
    fx_n: np.ndarray, fy_n: np.ndarray, fz_n: np.ndarray, mx_nm: np.ndarray, my_nm: np.ndarray,
    *, surface_height_m: float = 0.0, min_vertical_force_n: float = MIN_VERTICAL_FORCE_N,
) -> tuple[np.ndarray, np.ndarray]:
    """Plate-frame COP (x, y) in metres; NaN where the vertical force is below the threshold."""
    loaded = np.abs(fz_n) >= min_vertical_force_n
    safe_fz = np.where(loaded, fz_n, np.nan)
    x = (surface_height_m * fx_n - my_nm) / safe_fz
    y = (mx_nm + surface_height_m * fy_n) / safe_fz
    return x, y


def net_cop(
    first_xy_m: tuple[np.ndarray, np.ndarray], first_fz_n: np.ndarray,
    second_xy_m: tuple[np.ndarray, np.ndarray], second_fz_n: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """COP of two plates in one frame: each plate's COP weighted by its vertical force.

    A plate without load (NaN COP, force below threshold) contributes nothing; where neither plate
    is loaded the net COP is NaN.
    """
    f1 = np.where(np.isfinite(first_xy_m[0]), first_fz_n, 0.0)
    f2 = np.where(np.isfinite(second_xy_m[0]), second_fz_n, 0.0)
    total = f1 + f2
    total = np.where(np.abs(total) >= MIN_VERTICAL_FORCE_N, total, np.nan)
    x = (np.nan_to_num(first_xy_m[0]) * f1 + np.nan_to_num(second_xy_m[0]) * f2) / total
    y = (np.nan_to_num(first_xy_m[1]) * f1 + np.nan_to_num(second_xy_m[1]) * f2) / total
    return x, y
