"""One live exercise, whatever carries it: the source opened, samples through the engine, the page's
messages out, the record kept by its keeper (a visit's exercise record or a home session).

Sources: ``simulated`` (a made-up patient) and ``recording`` (a recording of the visit) are played by
the server at real speed (``paced``); ``camera`` frames (JPEG, posed here in a thread) and ``device``
landmarks (posed by the patient's own browser) are sent by the page, one at a time. Every sample goes
through the same ``FeedbackEngine``, so the count, cues and scores are the same whoever posed it.

The summary is saved after every repetition or hold (off the answer's path: the page hears of a
repetition without waiting for the database), so a broken connection keeps what was counted.
A pain report stops the engine at once (the next sample is not looked at) and then keeps the report;
``stop`` ends the exercise with what was done; ``close_record`` ends it when the connection ends.
Nothing here knows the connection: methods take typed messages and return the messages to send.

A start that names ``carry_on`` takes up the record of an exercise whose connection broke (the server
process running it may have died): the engine goes on from its saved summary, and a source the server
plays goes on from the sample after the last one counted. Once a newer connection has carried the
exercise on, this one's saves are refused and it ends, telling its page.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import numpy as np

from reeducate.clinic.errors import ClinicError, InvalidInput
from reeducate.clinic.services import training
from reeducate.clinic.services.live_session.keepers import Chosen, Keeper
from reeducate.clinic.services.live_session.messages import (
    Error,
    Event,
    ExerciseCard,
    Fault,
    Hold,
    Landmarks,
    Locked,
    Mute,
    Muted,
    Order,
    Pain,
    SampleShown,
    ServerMessage,
    Start,
    Started,
    Summary,
    Warning,
)
from reeducate.clinic.services.training import CarriedElsewhere
from reeducate.clinic.uploads import as_file, safe_name
from reeducate.clinic.vocabulary import ExerciseSource, ExerciseStatus
from reeducate.feedback.adapters.base import Device, DeviceError, Sample
from reeducate.feedback.adapters.camera import DevicePose, LivePose, decode_frame
from reeducate.feedback.adapters.emg import shown_muscles
from reeducate.feedback.adapters.simulated import simulated_samples
from reeducate.feedback.engine import FeedbackEngine, LiveExercise
from reeducate.feedback.events import EventKind
from reeducate.feedback.replay import emg_muscles, recording_samples
from reeducate.training.live import live_exercise
from reeducate.training.signals import SIGNALS, resolve

log = logging.getLogger(__name__)

#: Samples of a plate or an IMU shown on the page at most this often (Hz); the engine sees every one.
PAGE_RATE_HZ = 30.0
#: Frames per second of the simulated patient.
SIMULATED_RATE_HZ = 30.0
#: Frames per second assumed for a page's camera that does not say its own.
CAMERA_RATE_HZ = 15.0
#: How fast a simulated patient or a recording may be played (times real speed).
SPEEDS = (0.25, 8.0)
#: Events after which the summary so far is saved.
SAVE_AFTER = {EventKind.REPETITION_COMPLETED, EventKind.REPETITION_INCOMPLETE, EventKind.HOLD_COMPLETED, EventKind.JPS_TRIAL,
              EventKind.HOLD_BROKEN}
#: What a simulated patient's EMG amplitudes are: made up, in % of an MVC that was never recorded.
SIMULATED_EMG = {"amplitude": "% of MVC of a simulated patient (made up)"}
#: Sources whose samples the page sends (the others the server plays).
FROM_THE_PAGE = (ExerciseSource.CAMERA, ExerciseSource.DEVICE)


def exercise_card(chosen: Chosen, live: LiveExercise, labels: dict[str, str] | None = None) -> ExerciseCard:
    """What the page shows of the exercise while it runs."""
    monitor = chosen.monitor
    hold = None if live.hold is None else Hold(low=live.hold.low, high=live.hold.high, target_s=live.hold.target_s)
    emg = monitor.device is Device.EMG
    order = None if live.order is None else Order(first=live.order.first, second=live.order.second,
                                                  min_lead_ms=live.order.min_lead_s * 1000)
    return ExerciseCard(
        muscles=list(emg_muscles(live)) if emg else [], order=order, amplitude=(labels or {}).get("amplitude"),
        id=chosen.exercise.id, name=chosen.exercise.name, instructions=chosen.exercise.instructions,
        device=str(monitor.device), view=monitor.view, signal=live.signal,
        unit=SIGNALS[monitor.device][resolve(monitor.signal, "left")], target=live.target_peak,
        reps_per_set=live.reps_per_set, sets=chosen.sets or chosen.exercise.dosage.sets,
        faults=[Fault(fault=c.fault, cue=c.cue) for c in live.cues], hold=hold,
        cop_radius_mm=live.hold.high if live.signal == "cop_offset_mm" and live.hold is not None else None)


def _dosed(live: LiveExercise, chosen: Chosen) -> LiveExercise:
    """The engine's exercise with the prescribed dose where a programme sets one."""
    if chosen.reps_per_set is not None:
        live = dataclasses.replace(live, reps_per_set=chosen.reps_per_set)
    if chosen.hold_s is not None and live.hold is not None:
        live = dataclasses.replace(live, hold=dataclasses.replace(live.hold, target_s=chosen.hold_s))
    return live


class LiveSession:
    """One exercise, live, with its record. Made by :meth:`open`; ``close`` when the connection ends."""

    def __init__(self, keeper: Keeper, engine: FeedbackEngine, *, source: ExerciseSource, record_id: int,
                 card: ExerciseCard, paced: Iterator[Sample] | None, speed: float,
                 files: contextlib.ExitStack) -> None:
        self.superseded = False  # a newer connection carries the exercise on: this one writes nothing
        self.keeper = keeper
        self.engine = engine
        self.source = source
        self.record_id = record_id
        self.card = card
        self.paced = paced
        self.speed = speed
        self.ended = False
        self._files = files
        self._camera: LivePose | None = None
        self._device = DevicePose(fps=engine.sampling_rate_hz)
        self._show_every = max(1, int(round(engine.sampling_rate_hz / PAGE_RATE_HZ)))
        self._saving: asyncio.Task[None] | None = None
        self._unsaved = False
        self.counted: dict[str, Any] | None = None  # what an earlier part counted (carried on)

    # -- start ---------------------------------------------------------------------------------------------
    @classmethod
    async def open(cls, keeper: Keeper, start: Start) -> LiveSession:
        """The exercise started from ``start``: its source opened, then its record made (so a refused start
        leaves nothing behind). ClinicError when it cannot start, InvalidInput naming why."""
        if start.source not in keeper.sources:
            raise InvalidInput(f"This session takes {' or '.join(map(str, keeper.sources))} as its source, "
                               f"not {start.source}.")
        if start.carry_on is not None:
            return await cls._carry_on(keeper, start, start.carry_on)
        files = contextlib.ExitStack()
        try:
            chosen = await asyncio.to_thread(keeper.choose, start)
            fps, paced, labels = await cls._source(keeper, start, chosen, files)
            live = _dosed(live_exercise(chosen.exercise, monitor=chosen.monitor, side=chosen.side,
                                        sampling_rate_hz=fps), chosen)
            engine = FeedbackEngine(live, sampling_rate_hz=fps, labels=labels)
            record_id = await asyncio.to_thread(keeper.start, chosen, start.source)
        except (DeviceError, ValueError, KeyError) as exc:
            files.close()
            raise InvalidInput(str(exc.args[0] if exc.args else exc)) from None
        except BaseException:
            files.close()
            raise
        speed = min(max(start.speed or 1.0, SPEEDS[0]), SPEEDS[1])
        return cls(keeper, engine, source=start.source, record_id=record_id,
                   card=exercise_card(chosen, live, engine.labels), paced=paced, speed=speed, files=files)

    @classmethod
    async def _carry_on(cls, keeper: Keeper, start: Start, record_id: int) -> LiveSession:
        """The exercise of record ``record_id`` taken up again, from its saved summary; if its source cannot
        be opened now, the record is left interrupted as it was."""
        carried = await asyncio.to_thread(keeper.carry_on, record_id)
        if start.source is not carried.source:
            await asyncio.to_thread(keeper.finish, carried.summary, ExerciseStatus.INTERRUPTED)
            raise InvalidInput(f"Exercise record {record_id} was run from {carried.source}, not {start.source}.")
        files = contextlib.ExitStack()
        chosen = carried.chosen
        try:
            fps, paced, labels = await cls._source(keeper, start, chosen, files)
            live = _dosed(live_exercise(chosen.exercise, monitor=chosen.monitor, side=chosen.side,
                                        sampling_rate_hz=fps), chosen)
            engine = FeedbackEngine(live, sampling_rate_hz=fps, carried=carried.summary, labels=labels)
        except BaseException as exc:
            files.close()
            await asyncio.to_thread(keeper.finish, carried.summary, ExerciseStatus.INTERRUPTED)
            if isinstance(exc, DeviceError | ValueError | KeyError):
                raise InvalidInput(str(exc.args[0] if exc.args else exc)) from None
            raise
        if paced is not None:  # a played source goes on after the samples already counted
            paced = itertools.islice(paced, round(float(carried.summary.get("active_s") or 0.0) * fps), None)
        speed = min(max(start.speed or 1.0, SPEEDS[0]), SPEEDS[1])
        session = cls(keeper, engine, source=start.source, record_id=record_id,
                      card=exercise_card(chosen, live, engine.labels), paced=paced, speed=speed, files=files)
        session.counted = carried.summary
        return session

    @staticmethod
    async def _source(keeper: Keeper, start: Start, chosen: Chosen, files: contextlib.ExitStack
                      ) -> tuple[float, Iterator[Sample] | None, dict[str, str] | None]:
        """The sampling rate (Hz), for a source the server plays its samples, and what its numbers are measured
        against (an EMG amplitude's reference: a simulated patient's are % of MVC by construction)."""
        monitor = chosen.monitor
        live = live_exercise(chosen.exercise, monitor=monitor, side=chosen.side, sampling_rate_hz=SIMULATED_RATE_HZ)
        if start.source is ExerciseSource.SIMULATED:
            return SIMULATED_RATE_HZ, simulated_samples(
                live, sampling_rate_hz=SIMULATED_RATE_HZ, repetitions=min(chosen.exercise.dosage.reps or 3, 5),
                faulty=(2,), view=monitor.view), SIMULATED_EMG if monitor.device is Device.EMG else None
        if start.source is ExerciseSource.RECORDING:
            stored = await asyncio.to_thread(keeper.recording, start.recording or "")
            sensor = training.replay_sensor(stored, chosen.exercise.name, monitor, chosen.side)
            path = files.enter_context(as_file(safe_name(stored.filename), stored.content))
            fps, samples = await asyncio.to_thread(recording_samples, stored.device, path, sensor=sensor,
                                                   sampling_rate_hz=stored.sampling_rate_hz, **stored.emg(live))
            return fps, samples, stored.labels
        if monitor.device is not Device.CAMERA:
            raise InvalidInput(f"{chosen.exercise.name} is watched by {training.DEVICE_WORDS[monitor.device]}, "
                               "not a camera.")
        return start.fps or CAMERA_RATE_HZ, None, None

    def started(self) -> Started:
        return Started(record=self.record_id, exercise=self.card, counted=self.counted)

    # -- samples -------------------------------------------------------------------------------------------
    async def next_paced(self) -> Sample | None:
        """The next sample a played source gives (read off the event loop), None when it is played out."""
        assert self.paced is not None
        return await asyncio.to_thread(next, self.paced, None)

    async def push(self, sample: Sample, *, show: bool = True, arrived: float | None = None) -> list[ServerMessage]:
        """One sample through the engine: the sample to draw (when ``show`` or an event came) and the events;
        the summary saved after a repetition or hold. ``arrived`` (``time.perf_counter``) times the answer."""
        if self.superseded and not self.ended:
            self.ended = True
            return [Error(message=CarriedElsewhere().message)]
        if self.ended or self.engine.stopped is not None:
            return []
        events = self.engine.push(sample.values, sample.view)
        messages: list[ServerMessage] = [Event(kind=e.kind, index=e.index, time_s=round(e.time_s, 3), **e.data)
                                         for e in events]
        if show or events:
            muscles = shown_muscles(sample.values, self.card.muscles) if self.card.muscles else None
            messages.insert(0, SampleShown(
                index=sample.index, t=round(sample.time_s, 3), value=_finite(sample.values.get(self.engine.exercise.signal)),
                view=sample.view, landmarks=sample.landmarks, size=sample.image_size_px, cop=sample.cop_mm, muscles=muscles,
                server_ms=None if arrived is None else round((time.perf_counter() - arrived) * 1000, 2)))
        if any(e.kind in SAVE_AFTER for e in events):
            self._save_soon()
        return messages

    def _save_soon(self) -> None:
        """Save the summary so far without holding up the answer: saves run one after another, and the
        one that starts next saves the newest summary (a busy database may write slower than repetitions
        come)."""
        self._unsaved = True
        if self._saving is None or self._saving.done():
            self._saving = asyncio.create_task(self._save_while_unsaved())

    async def _save_while_unsaved(self) -> None:
        while self._unsaved and not self.ended:
            self._unsaved = False
            summary = self.engine.summary()
            try:
                await asyncio.to_thread(self.keeper.save_progress, summary)
            except CarriedElsewhere:  # the next sample ends this connection's part, telling the page
                self.superseded = True
            except ClinicError as error:  # ended meanwhile (the connection broke): the end kept the summary
                log.info("Progress of record %s not saved: %s", self.record_id, error.message)

    async def _saved(self) -> None:
        """Wait for a save under way: the end is written after it."""
        if self._saving is not None:
            await self._saving

    async def play(self, sample: Sample) -> list[ServerMessage]:
        """A played source's sample, shown on the page at most ``PAGE_RATE_HZ`` a second."""
        return await self.push(sample, show=sample.index % self._show_every == 0)

    async def frame(self, jpeg: bytes, arrived: float) -> list[ServerMessage]:
        """A camera frame from the page, decoded and posed in a thread; a warning when it is skipped."""
        if self.source is not ExerciseSource.CAMERA:
            return [Warning(message=f"This exercise is posed by {self.source}; camera frames are not read.")]
        try:
            sample = await asyncio.to_thread(self._posed, jpeg)
        except DeviceError as error:
            return [Warning(message=str(error))]
        return await self.push(sample, arrived=arrived)

    def _posed(self, jpeg: bytes) -> Sample:
        frame = decode_frame(jpeg)
        if self._camera is None:  # the pose model is made for the first frame's size
            self._camera = LivePose(fps=self.engine.sampling_rate_hz, image_size_px=(frame.shape[1], frame.shape[0]))
        return self._camera.sample(frame)

    async def landmarks(self, message: Landmarks, arrived: float) -> list[ServerMessage]:
        """One frame posed on the patient's device, through the camera's own landmarks-to-angles path."""
        if self.source is not ExerciseSource.DEVICE:
            return [Warning(message=f"This exercise is posed from {self.source}; landmarks are not read.")]
        if self.ended or self.engine.stopped is not None:
            return []
        try:
            sample = self._device.sample(np.asarray(message.landmarks, dtype=float).reshape(-1, 4),
                                         image_size_px=message.size, time_s=message.t)
        except DeviceError as error:
            return [Warning(message=str(error))]
        return await self.push(sample, arrived=arrived)

    # -- the page's commands ---------------------------------------------------------------------------------
    def mute(self, message: Mute) -> list[ServerMessage]:
        if message.fault not in self.engine.cues:
            return [Warning(message=f"No cue {message.fault!r} in this exercise.")]
        self.engine.mute(message.fault, message.muted)
        return [Muted(fault=message.fault, muted=message.muted)]

    def pain(self, message: Pain) -> Coroutine[Any, Any, list[ServerMessage]] | None:
        """Stop the engine now (before the next sample); returns the keeping of the report to await (the
        stop event, the locked message when severe, the summary), or None when already ended."""
        if self.ended:
            return None
        event = self.engine.report_pain(message.score, reported_by=message.by)
        self.ended = True
        return self._keep_pain(event.to_dict())

    async def _keep_pain(self, event: dict[str, Any]) -> list[ServerMessage]:
        await self._saved()
        summary = self.engine.summary()
        await asyncio.to_thread(self.keeper.report_pain, summary, score=event["pain"], at_s=event["time_s"],
                                reported_by=event["reported_by"])
        messages: list[ServerMessage] = [Event(**event)]
        if event["severe"]:
            messages.append(Locked(message=self.keeper.severe_pain_message))
        messages.append(Summary(status=ExerciseStatus.STOPPED_FOR_PAIN, summary=summary))
        return messages

    def stop(self) -> Coroutine[Any, Any, list[ServerMessage]] | None:
        """End the exercise with what was done (asked by the page); None when already ended."""
        if self.ended:
            return None
        self.ended = True
        return self._keep_end(ExerciseStatus.COMPLETED)

    async def _keep_end(self, status: ExerciseStatus) -> list[ServerMessage]:
        await self._saved()
        summary = self.engine.summary()
        stored = await asyncio.to_thread(self.keeper.finish, summary, status)
        return [Summary(status=stored, summary=summary)]

    def close_record(self, status: ExerciseStatus) -> list[ServerMessage]:
        """End the record now, in the calling thread (a worker thread, which outlives a cancelled task):
        ``completed`` when a played source ran out, ``interrupted`` when the connection broke; nothing when it
        had already ended."""
        if self.ended:
            return []
        self.ended = True
        summary = self.engine.summary()
        try:
            return [Summary(status=self.keeper.finish(summary, status), summary=summary)]
        except ClinicError as error:  # carried on by a newer connection meanwhile: that one keeps it
            log.info("Record %s not ended here: %s", self.record_id, error.message)
            return []

    def close(self) -> None:
        """Let go of the pose model and the recording's file."""
        if self._camera is not None:
            self._camera.close()
        self._files.close()


def _finite(value: object) -> float | None:
    """JSON has no NaN: an unmeasurable value is sent as null."""
    try:
        number = float(value)  # type: ignore[arg-type]  # anything may come; float() refuses what it cannot take
    except (TypeError, ValueError):
        return None
    return round(number, 2) if np.isfinite(number) else None
