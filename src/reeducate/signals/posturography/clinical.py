"""Clinical readings of posturography trials: test conditions, Romberg quotients, an SOT-style
equilibrium score, the sensory-interaction comparison of the four mCTSIB conditions, and
weight-bearing symmetry. Every constant names its source."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from reeducate.signals.recording import FootLoads


@dataclass(frozen=True)
class Fact:
    """A number with the publication it comes from."""

    value: float
    source: str


#: Theoretical anterior-posterior limit of stability of the SOT equilibrium score (deg), and the
#: height of the centre of gravity as a fraction of body height used to turn sway into an angle.
SWAY_LIMIT_DEG = Fact(12.5, "Chaudhry et al. 2004, J Rehabil Res Dev 41(5):713-720 (NeuroCom SOT equilibrium score)")
COG_HEIGHT_FRACTION = Fact(0.5527, "Chaudhry et al. 2004, J Rehabil Res Dev 41(5):713-720 (NeuroCom COG height)")
ROMBERG_SOURCE = "Van Parys & Njiokiktjien 1976, Agressologie 17:95-100: eyes-closed over eyes-open sway, x 100"
SENSORY_RATIO_SOURCE = ("Nashner & Peters 1990, Neurol Clin 8(2):331-349 (SOT sensory analysis: C2/C1, C4/C1, "
                        "C5/C1); foam stands in for the sway-referenced support as in the mCTSIB "
                        "(Shumway-Cook & Horak 1986, Phys Ther 66(10):1548-1550)")


class Vision(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Surface(StrEnum):
    FIRM = "firm"
    FOAM = "foam"


class Stance(StrEnum):
    BIPEDAL = "bipedal"
    FEET_TOGETHER = "feet-together"
    SEMI_TANDEM = "semi-tandem"
    TANDEM = "tandem"
    SINGLE_LEG_LEFT = "single-leg-left"
    SINGLE_LEG_RIGHT = "single-leg-right"


@dataclass(frozen=True)
class Condition:
    """How a trial was stood: eyes, surface and stance."""

    vision: Vision = Vision.OPEN
    surface: Surface = Surface.FIRM
    stance: Stance = Stance.BIPEDAL

    @property
    def label(self) -> str:
        return f"eyes {self.vision}, {self.surface}, {self.stance.replace('-', ' ')}"


def romberg_quotient(eyes_open: float, eyes_closed: float) -> float:
    """Eyes-closed sway as a percentage of eyes-open sway on the same surface and stance (%)."""
    return 100.0 * eyes_closed / eyes_open


def equilibrium_score(ap_cm: np.ndarray, height_cm: float) -> float:
    """SOT-style equilibrium score (0-100) from the AP sway of the COP and the patient's height.

    The AP excursion is turned into a sway angle about the ankles at the centre-of-gravity height
    (0.5527 x height); 100 means no sway, 0 sway spanning the 12.5 deg limit of stability or more.
    The SOT uses the COG; from a COP recording this is an approximation (COP sways more than COG).
    """
    if not height_cm or height_cm <= 0:
        raise ValueError("the patient's height (cm) is needed for the equilibrium score")
    cog_height = COG_HEIGHT_FRACTION.value * height_cm
    angle = np.degrees(np.arctan2(ap_cm, cog_height))
    spread = float(angle.max() - angle.min())
    return max(0.0, (SWAY_LIMIT_DEG.value - spread) / SWAY_LIMIT_DEG.value * 100.0)


@dataclass(frozen=True)
class WeightBearing:
    """Share of body weight on each foot over the trial (%), and their difference (percentage points)."""

    left_pct: float
    right_pct: float

    @property
    def asymmetry_pct(self) -> float:
        return abs(self.left_pct - self.right_pct)


def weight_bearing(feet: FootLoads) -> WeightBearing:
    left, right = float(np.nanmean(feet.left_n)), float(np.nanmean(feet.right_n))
    total = left + right
    return WeightBearing(left_pct=100.0 * left / total, right_pct=100.0 * right / total)


@dataclass(frozen=True)
class SensoryInteraction:
    """The four mCTSIB conditions compared (Shumway-Cook & Horak 1986), for one sway measure.

    ``sway`` holds each condition's mean value; Romberg quotients are eyes closed over eyes open on
    each surface (%); the ratios compare equilibrium scores (1 = no loss of stability) of eyes closed
    on firm (somatosensory), eyes open on foam (visual) and eyes closed on foam (vestibular) with
    eyes open on firm, as the SOT sensory analysis does."""

    measure: str
    sway: dict[str, float]
    romberg_firm_pct: float | None
    romberg_foam_pct: float | None
    equilibrium: dict[str, float]
    somatosensory_ratio: float | None
    visual_ratio: float | None
    vestibular_ratio: float | None
    sources: tuple[str, ...] = (ROMBERG_SOURCE, SENSORY_RATIO_SOURCE)


def _key(vision: Vision, surface: Surface) -> str:
    return f"eyes {vision}, {surface}"


def sensory_interaction(measure: str, sway: dict[tuple[Vision, Surface], list[float]],
                        equilibrium: dict[tuple[Vision, Surface], list[float]]) -> SensoryInteraction:
    """Compare the conditions present; a quotient or ratio whose conditions are missing is None."""
    mean = {k: float(np.mean(v)) for k, v in sway.items() if v}
    es = {k: float(np.mean(v)) for k, v in equilibrium.items() if v}

    def quotient(surface: Surface) -> float | None:
        o, c = mean.get((Vision.OPEN, surface)), mean.get((Vision.CLOSED, surface))
        return romberg_quotient(o, c) if o and c is not None else None

    base = es.get((Vision.OPEN, Surface.FIRM))

    def ratio(vision: Vision, surface: Surface) -> float | None:
        other = es.get((vision, surface))
        return other / base if base and other is not None else None

    return SensoryInteraction(
        measure=measure,
        sway={_key(*k): v for k, v in mean.items()},
        romberg_firm_pct=quotient(Surface.FIRM), romberg_foam_pct=quotient(Surface.FOAM),
        equilibrium={_key(*k): v for k, v in es.items()},
        somatosensory_ratio=ratio(Vision.CLOSED, Surface.FIRM),
        visual_ratio=ratio(Vision.OPEN, Surface.FOAM),
        vestibular_ratio=ratio(Vision.CLOSED, Surface.FOAM),
    )


__all__ = ["Condition", "Stance", "Surface", "Vision", "equilibrium_score", "romberg_quotient",
           "sensory_interaction", "weight_bearing"]
