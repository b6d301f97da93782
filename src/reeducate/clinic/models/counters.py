"""Counters: the last number handed out in each series of numbers that people read (``numbering.py``)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from reeducate.clinic.db import Base


class Counter(Base):
    """The last number of one series (a clinic's MRNs, the claims' control numbers) given out."""

    __tablename__ = "counters"

    series: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_value: Mapped[int]
