"""The live-session service without a socket or a database: typed messages in, typed messages out, the
record kept through whatever keeper it is given."""

from __future__ import annotations

import asyncio
from typing import Any

from reeducate.clinic.services.live_session import Chosen, LiveSession
from reeducate.clinic.services.live_session.messages import (
    Event,
    Locked,
    Mute,
    Muted,
    Pain,
    Start,
    Summary,
    Warning,
)
from reeducate.clinic.services.training import StoredRecording
from reeducate.clinic.vocabulary import ExerciseSource, ExerciseStatus
from reeducate.training.catalogue import exercise


class NotebookKeeper:
    """A keeper that writes down what it was asked to keep."""

    sources: tuple[ExerciseSource, ...] = tuple(ExerciseSource)
    severe_pain_message = "Stop and rest."

    def __init__(self) -> None:
        self.kept: list[tuple[str, Any]] = []

    def choose(self, start: Start) -> Chosen:
        chosen = exercise(start.exercise)
        return Chosen(chosen, chosen.monitor(start.monitor), start.side, sets=1, reps_per_set=2)

    def recording(self, ref: str) -> StoredRecording:
        raise AssertionError("nothing is replayed here")

    def start(self, chosen: Chosen, source: ExerciseSource) -> int:
        self.kept.append(("start", (chosen.exercise.id, source)))
        return 7

    def save_progress(self, summary: dict[str, Any]) -> None:
        self.kept.append(("progress", summary["repetitions"]))

    def report_pain(self, summary: dict[str, Any], *, score: int, at_s: float, reported_by: str) -> None:
        self.kept.append(("pain", (score, reported_by, summary["repetitions"])))

    def finish(self, summary: dict[str, Any], status: ExerciseStatus) -> ExerciseStatus:
        self.kept.append(("finish", status))
        return status


START = Start(type="start", source=ExerciseSource.SIMULATED, exercise="mini-squat", monitor="camera-side",
              side="left", speed=8)


async def _until_repetitions(session: LiveSession, count: int) -> None:
    while session.engine.summary()["repetitions"] < count:
        sample = await session.next_paced()
        assert sample is not None
        await session.play(sample)


def test_severe_pain_stops_the_engine_at_once_and_keeps_the_report_with_the_keepers_words() -> None:
    async def run() -> tuple[NotebookKeeper, LiveSession, list[Any], list[Any], list[Any]]:
        keeper = NotebookKeeper()
        session = await LiveSession.open(keeper, START)
        await _until_repetitions(session, 2)
        muted = session.mute(Mute(type="mute", fault="trunk_lean")) + session.mute(Mute(type="mute", fault="nope"))
        keeping = session.pain(Pain(type="pain", score=8, by="therapist"))
        sample = await session.next_paced()
        assert keeping is not None and sample is not None
        after = await session.play(sample)  # the engine stopped before this sample
        told = await keeping
        return keeper, session, muted, after, told

    keeper, session, muted, after, told = asyncio.run(run())
    assert session.started().exercise.reps_per_set == 2 and session.started().record == 7
    # The second repetition's save had not begun when pain came: the report keeps that summary instead.
    assert keeper.kept == [("start", ("mini-squat", ExerciseSource.SIMULATED)), ("progress", 1),
                           ("pain", (8, "therapist", 2))]
    assert muted == [Muted(fault="trunk_lean", muted=True), Warning(message="No cue 'nope' in this exercise.")]
    assert after == []
    assert [type(m) for m in told] == [Event, Locked, Summary]
    assert told[1] == Locked(message="Stop and rest.") and told[2].status == "stopped_for_pain"
    assert session.close_record(ExerciseStatus.INTERRUPTED) == [] and session.stop() is None  # already ended


def test_a_closed_connection_ends_the_record_interrupted_with_what_was_counted() -> None:
    async def run() -> tuple[NotebookKeeper, list[Any]]:
        keeper = NotebookKeeper()
        session = await LiveSession.open(keeper, START)
        await _until_repetitions(session, 1)
        ended = session.close_record(ExerciseStatus.INTERRUPTED)
        session.close()
        return keeper, ended

    keeper, ended = asyncio.run(run())
    assert keeper.kept[-1] == ("finish", ExerciseStatus.INTERRUPTED)
    assert ended[0].status == "interrupted" and ended[0].summary["repetitions"] == 1
