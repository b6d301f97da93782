"""The Medicare KX modifier threshold of each calendar year (dated data with its source)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib import resources

import yaml


class UnknownThresholdYear(ValueError):
    """No threshold is shipped for that year: update ``billing/data/kx_thresholds.yaml``."""


@cache
def _thresholds() -> tuple[str, dict[int, tuple[Decimal, Decimal]]]:
    data = yaml.safe_load(
        (resources.files("reeducate.billing") / "data" / "kx_thresholds.yaml").read_text(encoding="utf-8")
    )
    return data["source"], {
        row["year"]: (Decimal(row["pt_slp_usd"]), Decimal(row["ot_usd"])) for row in data["thresholds"]
    }


KX_SOURCE = _thresholds()[0]


def kx_threshold(year: int, *, occupational: bool = False) -> Decimal:
    """US dollars of allowed amount a beneficiary may reach in ``year`` before therapy lines need KX."""
    table = _thresholds()[1]
    if year not in table:
        raise UnknownThresholdYear(
            f"No KX threshold is known for {year} (known: {min(table)}-{max(table)}); add that year's "
            "figure from the physician fee schedule final rule to billing/data/kx_thresholds.yaml"
        )
    return table[year][1 if occupational else 0]
