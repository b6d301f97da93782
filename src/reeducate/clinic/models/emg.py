"""Surface EMG recordings of a visit: the raw file, the channels and options it was read with, the analysis."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from reeducate.clinic.db import Base
from reeducate.clinic.models.recordings import RecordedInVisit


class EmgRecording(RecordedInVisit, Base):
    """One EMG recording: the raw file is kept in the recording store under its SHA-256; ``options`` are what
    the reader and analysis were given (channels and their muscles, trigger, MVC, units, rate for CSV);
    ``result`` is the analysis as shown (the CLI's JSON), so the page and the note never recompute it."""

    __tablename__ = "emg_recordings"

    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    duration_s: Mapped[float]
    channel_count: Mapped[int]
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
