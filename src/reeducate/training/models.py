"""The schema of the exercise library: what a YAML file under `library/` may say.

A technique is a family of NMR methods (balance training, PNF...) with its purpose and indications.
An exercise belongs to one technique and names, for each way a clinic can watch it (a ``Monitor``: a
camera from the side or the front, a force plate, an IMU, surface EMG), the signal, how a repetition,
hold, relaxation or onset order is detected, the targets and tempo, a reference template, the faults with their cues; then its dosage
and its progressions and regressions. Both say which impairments (``impairments.py``) they address,
so a problem found at evaluation can be matched with the library. Every figure has a ``basis``: a published ``Source``, or a
``Setting`` that says plainly it is Reeducate's starting value for the therapist to adjust.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from reeducate.feedback.adapters.base import Device
from reeducate.measures.definition import Source, Strict
from reeducate.signals.jps import REST_BAND_DEG
from reeducate.training.impairments import Impairment
from reeducate.training.signals import MUSCLES, SIGNALS, camera_views, resolve

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Setting(Strict):
    """A figure that is not a published norm: Reeducate's starting value, and why it was chosen."""

    setting: str = Field(min_length=20)


Basis = Source | Setting


class Technique(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    purpose: str = Field(min_length=20)
    indications: list[str] = Field(min_length=1)
    addresses: list[Impairment] = Field(min_length=1, description="The impairments it retrains (every one "
                                        "its exercises address, and those of its methods).")
    methods: str = Field(min_length=20, description="How it is done, in the therapist's words.")
    source: Source


class RepetitionDetection(Strict):
    """A repetition leaves ``rest_level`` past ``start_level`` and comes back (signal units)."""

    rest_level: float
    start_level: float
    direction: Literal[1, -1] = 1
    min_duration_s: float = Field(0.3, gt=0)
    max_duration_s: float = Field(10.0, gt=0)

    @model_validator(mode="after")
    def _levels(self) -> RepetitionDetection:
        if self.direction * (self.start_level - self.rest_level) <= 0:
            raise ValueError("start_level must lie beyond rest_level in the repetition's direction")
        if self.min_duration_s >= self.max_duration_s:
            raise ValueError("min_duration_s must be below max_duration_s")
        return self


class HoldDetection(Strict):
    """A hold keeps the signal in [low, high] for ``target_s``; a wobble under ``grace_s`` is forgiven."""

    low: float
    high: float
    target_s: float = Field(gt=0)
    grace_s: float = Field(0.3, ge=0)
    basis: Basis

    @model_validator(mode="after")
    def _band(self) -> HoldDetection:
        if self.low >= self.high:
            raise ValueError("a hold's band needs low < high")
        return self


class RelaxDetection(Strict):
    """Down-training: keep the signal below ``below`` (an EMG amplitude, %MVC) for ``target_s``; a rise
    shorter than ``grace_s`` is forgiven."""

    below: float = Field(gt=0)
    target_s: float = Field(gt=0)
    grace_s: float = Field(0.3, ge=0)
    basis: Basis


class OrderDetection(Strict):
    """Onset order: in each activation, muscle ``first`` comes on at least ``min_lead_ms`` before ``second``."""

    first: str
    second: str
    min_lead_ms: float = Field(0.0, ge=0)
    basis: Basis

    @model_validator(mode="after")
    def _muscles(self) -> OrderDetection:
        for muscle in (self.first, self.second):
            if muscle not in MUSCLES:
                raise ValueError(f"unknown muscle {muscle!r}; choose from: {', '.join(MUSCLES)}")
        if self.first == self.second:
            raise ValueError("an onset order needs two different muscles")
        return self


class Targets(Strict):
    """The peak a repetition aims for (signal units) and its duration in seconds (low, high)."""

    peak: float | None = None
    tempo_s: tuple[float, float] | None = None
    basis: Basis

    @model_validator(mode="after")
    def _tempo(self) -> Targets:
        if self.tempo_s is not None and not 0 < self.tempo_s[0] < self.tempo_s[1]:
            raise ValueError("tempo_s is (shortest, longest) in seconds, shortest > 0")
        return self


class Template(Strict):
    """The model repetition: a minimum-jerk rise from rest to the target peak and back (Flash & Hogan
    1985, J Neurosci 5(7):1688-1703: smooth single-joint reaching follows this profile)."""

    shape: Literal["minimum_jerk"] = "minimum_jerk"
    duration_s: float = Field(gt=0)


class JpsDetection(Strict):
    """Joint position sense training (``feedback/jps_tracker.py``): ``trials`` trials, each a target from
    ``targets_deg`` in turn, shown and held within ``band_deg`` for ``target_hold_s``, then reproduced with the
    eyes closed and held ``reproduction_hold_s``. ``start_deg`` is the usual start position (the simulated
    patient rests there; a target must lie clear of it). Holds are found with ``signals/jps.py``'s settings."""

    targets_deg: list[float] = Field(min_length=1)
    start_deg: float
    band_deg: float = Field(gt=0, le=10)
    trials: int = Field(ge=2, le=20)
    target_hold_s: float = Field(ge=1)
    reproduction_hold_s: float = Field(ge=1)
    basis: Basis

    @model_validator(mode="after")
    def _clear_of_the_start(self) -> JpsDetection:
        for target in self.targets_deg:
            if abs(target - self.start_deg) < REST_BAND_DEG + self.band_deg:
                raise ValueError(f"target {target:g} deg is too close to the start ({self.start_deg:g} deg): a "
                                 f"target must lie {REST_BAND_DEG:g} deg plus its band clear of it, or its hold "
                                 "cannot be told from the rest")
        return self


class Fault(Strict):
    """A signal past ``limit`` for ``min_duration_s`` is a fault episode, cued once with ``cue``."""

    fault: str = Field(pattern=r"^[a-z][a-z_]*$")
    signal: str
    limit: float
    above: bool = True
    clear_margin: float = Field(0.0, ge=0)
    min_duration_s: float = Field(0.1, gt=0)
    cue: str = Field(min_length=3, max_length=60)
    basis: Basis


class Monitor(Strict):
    """One way to watch the exercise: the device (and camera view), the signal and how it counts."""

    device: Device
    view: Literal["side", "front"] | None = None
    signal: str
    paired_signal: str | None = None
    repetition: RepetitionDetection | None = None
    hold: HoldDetection | None = None
    relax: RelaxDetection | None = None
    order: OrderDetection | None = None
    targets: Targets | None = None
    template: Template | None = None
    jps: JpsDetection | None = None
    faults: list[Fault] = []

    @property
    def key(self) -> str:
        """How a session names this monitor: ``camera-side``, ``force_plate``, ``imu``."""
        return f"{self.device}-{self.view}" if self.view else str(self.device)

    @model_validator(mode="after")
    def _consistent(self) -> Monitor:
        goals = [g for g in (self.repetition, self.hold, self.relax, self.order, self.jps) if g is not None]
        if len(goals) != 1:
            raise ValueError("a monitor counts either repetitions or holds (or, watched by EMG, relaxations or onset "
                             "orders; or runs joint position sense trials): give exactly one of them")
        if (self.relax or self.order) and self.device is not Device.EMG:
            raise ValueError("relaxation and onset-order goals are for EMG monitors")
        if self.order and self.signal != f"{self.order.first}_on":
            raise ValueError(f"an onset-order monitor watches its first muscle's state: signal {self.order.first}_on")
        if self.device is Device.EMG and (self.hold or self.relax) and not self.signal.endswith("_mvc"):
            raise ValueError("an EMG hold or relaxation watches a muscle's amplitude ({muscle}_mvc)")
        if (self.device is Device.CAMERA) != (self.view is not None):
            raise ValueError("a camera monitor names its view (side or front); other devices have none")
        if self.repetition is None and (self.targets or self.template):
            raise ValueError("targets and a template are for repetitions; a hold's target is its band and time")
        for signal in (self.signal, self.paired_signal, *(f.signal for f in self.faults)):
            if signal is None:
                continue
            name = resolve(signal, "left")
            if name not in SIGNALS[self.device]:
                raise ValueError(f"{self.device} cannot give {signal!r}; it gives: {', '.join(SIGNALS[self.device])}")
            if self.device is Device.CAMERA and signal in (self.signal, self.paired_signal) \
                    and self.view not in camera_views(name):
                raise ValueError(f"{signal!r} cannot be measured from the {self.view}; "
                                 f"it needs the {' or '.join(sorted(camera_views(name)))} view")
        return self


class Dosage(Strict):
    sets: int = Field(ge=1)
    reps: int | None = Field(None, ge=1)
    hold_s: float | None = Field(None, gt=0)
    rest_s: float = Field(ge=0)
    sessions_per_week: int | None = Field(None, ge=1, le=14)
    basis: Basis

    @property
    def text(self) -> str:
        """The dosage in words: "2 sets × 10 repetitions, rest 60 s, 3 sessions a week"."""
        return (f"{self.sets} set{'s' if self.sets != 1 else ''}"
                + (f" × {self.reps} repetitions" if self.reps else "")
                + (f", holds of {self.hold_s:g} s" if self.hold_s else "") + f", rest {self.rest_s:g} s"
                + (f", {self.sessions_per_week} sessions a week" if self.sessions_per_week else ""))


class Exercise(Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=40)
    name: str
    technique: str
    purpose: str = Field(min_length=20)
    indications: list[str] = Field(min_length=1)
    addresses: list[Impairment] = Field(min_length=1, description="The impairments it retrains, read from "
                                        "its indications, purpose and the faults it watches.")
    instructions: str = Field(min_length=20)
    home_instructions: str | None = Field(None, min_length=20, description="The instructions as the patient "
                                          "reads them at home (Today, the printed programme) when ``instructions`` "
                                          "speak of the clinic's bench or the camera; None: they read right at home.")
    monitors: list[Monitor] = Field(min_length=1)
    dosage: Dosage
    progressions: list[str] = []
    regressions: list[str] = []

    @property
    def instructions_at_home(self) -> str:
        """The instructions the patient reads at home (the guided page keeps ``instructions``, camera and all)."""
        return self.home_instructions or self.instructions

    @property
    def sided(self) -> bool:
        """True when the therapist says which side is trained (or faces the camera)."""
        return any("{side}" in s for m in self.monitors
                   for s in (m.signal, m.paired_signal or "", *(f.signal for f in m.faults)))

    def monitor(self, key: str | None = None) -> Monitor:
        """The monitor with this key (the first when None), or a clear error naming the ones there are."""
        if key is None:
            return self.monitors[0]
        for m in self.monitors:
            if m.key == key:
                return m
        raise KeyError(f"{self.id} is not watched by {key!r}; choose {', '.join(m.key for m in self.monitors)}")

    @model_validator(mode="after")
    def _unique_monitors(self) -> Exercise:
        keys = [m.key for m in self.monitors]
        if len(set(keys)) != len(keys):
            raise ValueError(f"two monitors with the same device and view: {keys}")
        return self


class LibraryFile(Strict):
    """One YAML file: techniques and exercises (usually one technique and its exercises)."""

    techniques: list[Technique] = []
    exercises: list[Exercise] = []
