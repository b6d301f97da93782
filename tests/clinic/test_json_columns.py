"""A number the engines could not measure (NaN, infinity) is stored in a JSON column as null, on both
databases: SQLite would otherwise keep the token NaN, which PostgreSQL (and a restore into it) refuses."""

from __future__ import annotations

import math

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.db import json_safe, unit_of_work
from reeducate.clinic.models import MovementRecording
from tests.support import World


def test_non_finite_numbers_in_a_json_column_are_stored_as_null(factory: sessionmaker[Session],
                                                                 records: World) -> None:
    with unit_of_work(factory) as session:
        recording = session.get_one(MovementRecording, records.gait_recording)
        recording.result = {"gait": {"summary": {"gait_speed_m_s": math.nan, "steps": [1.0, math.inf, 2.5]}}}
    with factory() as session:
        stored = session.scalar(text("SELECT CAST(result AS TEXT) FROM movement_recordings WHERE id = :id"),
                                {"id": records.gait_recording})
        assert stored is not None and "NaN" not in stored and "Infinity" not in stored
        back = session.scalar(select(MovementRecording.result).where(MovementRecording.id == records.gait_recording))
    assert back == {"gait": {"summary": {"gait_speed_m_s": None, "steps": [1.0, None, 2.5]}}}


def test_json_safe_keeps_what_is_finite_and_the_shape() -> None:
    assert json_safe({"a": (1, 2.5, -math.inf), "b": "NaN", "c": None, "d": [{"e": math.nan}]}) == \
        {"a": [1, 2.5, None], "b": "NaN", "c": None, "d": [{"e": None}]}
