"""A library exercise made ready for the feedback engine: one monitor, one side, one sampling rate."""

from __future__ import annotations

from reeducate.feedback.adapters.base import Device
from reeducate.feedback.cues import CueRule
from reeducate.feedback.engine import LiveExercise
from reeducate.feedback.holds import HoldRule
from reeducate.feedback.jps_tracker import JpsRule
from reeducate.feedback.order import OrderRule
from reeducate.feedback.templates import minimum_jerk
from reeducate.signals.reps import RepetitionRule
from reeducate.training.models import Exercise, Monitor
from reeducate.training.signals import camera_views, resolve

SIDES = ("left", "right")


def _views(device: Device, signal: str) -> frozenset[str]:
    """The views a cue on ``signal`` may fire in (none: any moment the signal is measured)."""
    if device is not Device.CAMERA:
        return frozenset()
    views = camera_views(signal)
    return frozenset() if len(views) > 1 else views


def live_exercise(exercise: Exercise, *, monitor: Monitor, side: str | None, sampling_rate_hz: float) -> LiveExercise:
    """The engine's view of ``exercise`` watched by ``monitor``; ``side`` fills ``{side}`` in signal names."""
    if exercise.sided and side not in SIDES:
        raise ValueError(f"{exercise.name} trains one side: say left or right.")
    side = side or "left"
    jps = None if monitor.jps is None else JpsRule(
        tuple(monitor.jps.targets_deg), monitor.jps.trials, monitor.jps.band_deg, monitor.jps.target_hold_s,
        monitor.jps.reproduction_hold_s, monitor.jps.start_deg)
    det, targets = monitor.repetition, monitor.targets
    repetition = None if det is None else RepetitionRule(
        rest_level=det.rest_level, start_level=det.start_level, direction=det.direction,
        min_duration_s=det.min_duration_s, max_duration_s=det.max_duration_s)
    hold = None if monitor.hold is None else HoldRule(monitor.hold.low, monitor.hold.high, monitor.hold.target_s,
                                                      monitor.hold.grace_s)
    if monitor.relax is not None:  # an amplitude never falls below zero: the band is [0, below]
        hold = HoldRule(0.0, monitor.relax.below, monitor.relax.target_s, monitor.relax.grace_s)
    order = None if monitor.order is None else OrderRule(monitor.order.first, monitor.order.second,
                                                         monitor.order.min_lead_ms / 1000.0)
    peak = targets.peak if targets is not None else None
    template = None
    if monitor.template is not None and det is not None and peak is not None:
        template = tuple(minimum_jerk(det.rest_level, peak, monitor.template.duration_s, sampling_rate_hz).tolist())
    cues = tuple(CueRule(fault=f.fault, signal=resolve(f.signal, side), limit=f.limit, cue=f.cue, above=f.above,
                         clear_margin=f.clear_margin, min_duration_s=f.min_duration_s,
                         views=_views(monitor.device, resolve(f.signal, side))) for f in monitor.faults)
    return LiveExercise(
        exercise_id=exercise.id, signal=resolve(monitor.signal, side), repetition=repetition, hold=hold,
        target_peak=peak, target_duration_s=targets.tempo_s if targets is not None else None, template=template,
        paired_signal=resolve(monitor.paired_signal, side) if monitor.paired_signal else None, cues=cues,
        reps_per_set=exercise.dosage.reps, order=order, jps=jps)
