"""What each COP descriptor is: its name here, the name the reference code gives it, unit, domain.

Names here are lower-case ``<feature>_<axis>`` (axis ``ml``, ``ap``, ``radius`` or ``planar``); the
``quijoux_name`` is the key the Quijoux et al. 2021 code returns, so that a value can be traced to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Domain = Literal["positional", "dynamic", "spectral", "diffusion"]

POWER_QUIRK = ("sum of the density bins without the bin width, as the reference code (cm^2/Hz summed); "
               "see integrated power for cm^2")


@dataclass(frozen=True)
class DescriptorInfo:
    """How one descriptor is named, measured and defined (one sentence)."""

    name: str
    quijoux_name: str
    domain: Domain
    unit: str
    definition: str


# feature key in the reference -> (our feature name, domain, unit, definition)
_FEATURES: dict[str, tuple[str, Domain, str, str]] = {
    "mean_value": ("mean_position", "positional", "cm", "mean COP position before centring, plate coordinates"),
    "mean_distance": ("mean_distance", "positional", "cm", "mean distance from the mean position"),
    "maximal_distance": ("maximal_distance", "positional", "cm", "largest distance from the mean position"),
    "rms": ("rms", "positional", "cm", "root mean square distance from the mean position"),
    "range": ("range", "positional", "cm", "largest distance between two COP positions"),
    "range_ratio": ("range_ratio", "positional", "1", "ML range divided by AP range"),
    "planar_deviation": ("planar_deviation", "positional", "cm", "square root of the sum of ML and AP variances"),
    "coefficient_sway_direction": ("sway_direction_coefficient", "positional", "1",
                                   "ML-AP covariance over the product of their RMS"),
    "confidence_ellipse_area": ("ellipse_area_95", "positional", "cm^2",
                                "area of the 95 % prediction ellipse (Schubert & Kirchner 2014)"),
    "principal_sway_direction": ("principal_sway_direction", "positional", "deg",
                                 "angle between the main axis of sway and the AP axis"),
    "sway_length": ("path_length", "dynamic", "cm", "total distance travelled by the COP"),
    "mean_velocity": ("mean_velocity", "dynamic", "cm/s",
                      "path length times sampling rate over sample count (reference: n, not n-1, intervals)"),
    "sway_area_per_second": ("sway_area_per_second", "dynamic", "cm^2/s",
                             "area swept by the COP vector from the mean position, per second"),
    "phase_plane_parameter": ("phase_plane_parameter", "dynamic", "cm",
                              "square root of position RMS squared plus velocity variance (mixed units, as defined)"),
    "LFS": ("length_over_area", "dynamic", "1/cm", "path length over the 95 % ellipse area"),
    "fractal_dimension": ("fractal_dimension", "dynamic", "1",
                          "log n / (log n + log d - log path), d the ellipse's equivalent diameter"),
    "zero_crossing": ("velocity_zero_crossings", "dynamic", "count", "sign changes of the velocity"),
    "peak_velocity_pos": ("peak_velocity_positive", "dynamic", "cm/s", "mean peak forward/rightward velocity"),
    "peak_velocity_neg": ("peak_velocity_negative", "dynamic", "cm/s", "mean peak backward/leftward speed"),
    "peak_velocity_all": ("peak_velocity", "dynamic", "cm/s", "mean of all velocity peaks' magnitudes"),
    "mean_peak": ("sway_density_mean_peak", "dynamic", "s",
                  "mean height of the sway-density peaks (time spent within 3 mm)"),
    "mean_distance_peak": ("sway_density_peak_distance", "dynamic", "cm",
                           "mean distance between successive sway-density peaks"),
    "mean_frequency": ("mean_frequency", "dynamic", "Hz", "mean velocity over mean distance, as a frequency"),
    "total_power": ("total_power", "spectral", "cm^2/Hz (bin sum)", f"power in 0.15-5 Hz: {POWER_QUIRK}"),
    "power_frequency_50": ("power_frequency_50", "spectral", "Hz", "frequency below which half the power lies"),
    "power_frequency_95": ("power_frequency_95", "spectral", "Hz", "frequency below which 95 % of the power lies"),
    "frequency_mode": ("frequency_mode", "spectral", "Hz", "frequency of the largest density"),
    "centroid_frequency": ("centroid_frequency", "spectral", "Hz", "square root of m2/m0 spectral moments"),
    "frequency_dispersion": ("frequency_dispersion", "spectral", "1",
                             "square root of 1 - m1^2/(m0 m2): 0 for a pure tone"),
    "energy_content_below_05": ("energy_below_0_5_hz", "spectral", "cm^2/Hz (bin sum)",
                                f"power at 0.15-0.5 Hz: {POWER_QUIRK}"),
    "energy_content_05_2": ("energy_0_5_to_2_hz", "spectral", "cm^2/Hz (bin sum)",
                            f"power at 0.5-2 Hz: {POWER_QUIRK}"),
    "energy_content_above_2": ("energy_above_2_hz", "spectral", "cm^2/Hz (bin sum)",
                               f"power at 2-5 Hz: {POWER_QUIRK}"),
    "frequency_quotient": ("frequency_quotient", "spectral", "1", "power at 2-5 Hz over power at 0.15-2 Hz"),
    "short_time_diffusion": ("short_term_diffusion", "diffusion", "cm^2",
                             "short-term fit's MSD at a 1 s lag, exp(intercept), as the reference code"),
    "long_time_diffusion": ("long_term_diffusion", "diffusion", "cm^2",
                            "long-term fit's MSD at a 1 s lag, exp(intercept), as the reference code"),
    "critical_time": ("critical_time", "diffusion", "s", "lag where the short- and long-term fits cross"),
    "critical_displacement": ("critical_displacement", "diffusion", "cm^2", "MSD at the critical time"),
    "short_time_scaling": ("short_term_scaling_exponent", "diffusion", "1", "half the short-term log-log slope"),
    "long_time_scaling": ("long_term_scaling_exponent", "diffusion", "1", "half the long-term log-log slope"),
}

_AXES = {
    "ML": "ml", "AP": "ap", "Radius": "radius", "ML_AND_AP": "planar", "SPD_ML": "ml", "SPD_AP": "ap",
    "Power_Spectrum_Density_ML": "ml", "Power_Spectrum_Density_AP": "ap", "Diffusion_ML": "ml",
    "Diffusion_AP": "ap", "Sway_Density": "planar",
}


def describe(quijoux_name: str) -> DescriptorInfo:
    """The catalogue entry of a reference key such as ``mean_velocity_ML_AND_AP``."""
    for axis in sorted(_AXES, key=len, reverse=True):
        if quijoux_name.endswith("_" + axis):
            feature = quijoux_name[: -len(axis) - 1]
            if feature in _FEATURES:
                name, domain, unit, definition = _FEATURES[feature]
                return DescriptorInfo(f"{name}_{_AXES[axis]}", quijoux_name, domain, unit, definition)
    raise KeyError(f"no catalogue entry for {quijoux_name!r}")
