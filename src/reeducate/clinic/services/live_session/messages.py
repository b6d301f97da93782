"""The live session's messages, typed: what the page sends and what the server answers.

Each is a pydantic model tagged by its ``type``; ``PageMessage`` and ``ServerMessage`` are the
unions a socket reads and writes, so a message is parsed (and refused with the reason) in one place.
``read_page_message`` turns a text frame into one, or a ``Refusal`` naming what is wrong.

The ``landmarks`` message is what a browser running BlazePose itself sends per frame:
``{"type": "landmarks", "t": 1.25, "size": [640, 480], "landmarks": [[x, y, z, visibility] x 33]}``
(x, y in 0-1 of the picture, as ``@mediapipe/pose``'s ``poseLandmarks``; an empty list when nobody
is seen; ``t`` in seconds since the start).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from reeducate.clinic.vocabulary import ExerciseSource
from reeducate.feedback.events import EventKind
from reeducate.signals.pose.landmarks import LANDMARKS

#: Largest picture side a device may report (pixels): above an 8K camera.
MAX_SIDE_PX = 8192
#: Frame rates a page may report for its camera (frames per second).
MAX_FPS = 240.0


def _blank_as_none(value: object) -> object:
    """A form's empty choice ("" or null) means none chosen."""
    return None if value == "" else value


Blankable = BeforeValidator(_blank_as_none)


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, allow_inf_nan=False)


# -- what the page sends ---------------------------------------------------------------------------------------
class Start(_Message):
    """Begin one exercise. At a visit the page chooses the exercise, monitor and side; at home the
    programme's item does, and these are ignored. ``fps`` is the page's measured camera rate (camera,
    device), ``speed`` how fast a simulated patient or a recording is played (0.25-8). ``carry_on`` is the
    record this page started when its connection broke: that exercise goes on, its count kept, and the
    record decides the exercise, monitor and side."""

    type: Literal["start"]
    source: ExerciseSource
    exercise: str = ""
    monitor: Annotated[str | None, Blankable] = None
    side: Annotated[Literal["left", "right"] | None, Blankable] = None
    recording: Annotated[str | None, Blankable] = None
    fps: Annotated[float | None, Blankable, Field(gt=0, le=MAX_FPS)] = None
    speed: Annotated[float | None, Blankable, Field(gt=0)] = None
    carry_on: Annotated[StrictInt | None, Blankable, Field(ge=1, le=2**31 - 1)] = None


class Pain(_Message):
    """Pain now, 0-10 (7 or more is severe), said by the patient or the therapist: the exercise stops."""

    type: Literal["pain"]
    score: Annotated[StrictInt, Field(ge=0, le=10)]
    by: Literal["patient", "therapist"] = "patient"


class Mute(_Message):
    """Silence (or give back) one fault's cue."""

    type: Literal["mute"]
    fault: str
    muted: StrictBool = True


class Stop(_Message):
    """End the exercise now, with what was done."""

    type: Literal["stop"]


class Landmarks(_Message):
    """One frame posed on the device: ``landmarks`` 33 rows of [x, y, z, visibility] or none."""

    type: Literal["landmarks"]
    t: Annotated[float, Field(ge=0)]
    size: tuple[Annotated[int, Field(gt=0, le=MAX_SIDE_PX)], Annotated[int, Field(gt=0, le=MAX_SIDE_PX)]]
    landmarks: list[tuple[float, float, float, float]]

    @field_validator("landmarks")
    @classmethod
    def _a_whole_pose_or_nobody(cls, rows: list[tuple[float, float, float, float]]
                                ) -> list[tuple[float, float, float, float]]:
        if rows and len(rows) != len(LANDMARKS):
            raise ValueError(f"a pose has {len(LANDMARKS)} landmarks (or none when nobody is seen), not {len(rows)}")
        return rows


PageMessage = Annotated[Start | Pain | Mute | Stop | Landmarks, Field(discriminator="type")]
_PAGE = TypeAdapter(PageMessage)
PAGE_TYPES = ("start", "pain", "mute", "stop", "landmarks")


# -- what the server sends -------------------------------------------------------------------------------------
class Hold(_Message):
    """A hold's target band (the signal's unit) and time (s)."""

    low: float
    high: float
    target_s: float


class Fault(_Message):
    fault: str
    cue: str


class Order(_Message):
    """An onset-order goal: ``first`` should come on before ``second`` (by ``min_lead_ms`` or more)."""

    first: str
    second: str
    min_lead_ms: float


class ExerciseCard(_Message):
    """What the page shows of the exercise while it runs; for EMG, the muscles it watches, the onset order it
    asks for, and what the amplitudes are measured against (``amplitude``)."""

    id: str
    name: str
    instructions: str
    device: str
    view: str | None
    signal: str
    unit: str
    target: float | None
    reps_per_set: int | None
    sets: int | None
    faults: list[Fault]
    hold: Hold | None
    cop_radius_mm: float | None = None
    muscles: list[str] = []
    order: Order | None = None
    amplitude: str | None = None


class Started(_Message):
    """The exercise runs, kept as ``record``; ``counted`` is what its earlier part counted when it was
    carried on after a broken connection (the summary so far), else None."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=True)
    type: Literal["started"] = "started"
    record: int
    exercise: ExerciseCard
    counted: dict[str, Any] | None = None


class SampleShown(_Message):
    """One sample as the page draws it: the watched signal's value (null when unmeasurable), the skeleton
    (0-1 of a picture of ``size``), the COP dot (mm) or each EMG muscle's [amplitude %, on] (``muscles``,
    null where not known yet); ``server_ms`` from a frame's or landmarks' arrival to this answer."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=True)
    type: Literal["sample"] = "sample"
    index: int
    t: float
    value: float | None
    view: str | None
    landmarks: list[list[float]] | None
    size: tuple[int, int] | None
    cop: tuple[float, float] | None
    muscles: dict[str, tuple[float | None, bool | None]] | None = None
    server_ms: float | None = None


class Event(_Message):
    """One engine event; its data (count, score, reasons, cue, pain...) as further fields."""

    model_config = ConfigDict(frozen=True, extra="allow", allow_inf_nan=True)
    type: Literal["event"] = "event"
    kind: EventKind
    index: int
    time_s: float


class Warning(_Message):  # noqa: A001  # the protocol's name for it
    """Something was skipped (a frame, a message); the exercise goes on."""

    type: Literal["warning"] = "warning"
    message: str


class Summary(_Message):
    """The exercise ended: the status it was kept with and its summary."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=True)
    type: Literal["summary"] = "summary"
    status: str
    summary: dict[str, Any]


class Locked(_Message):
    """Severe pain: what happens now, in words for whoever is reading the page."""

    type: Literal["locked"] = "locked"
    message: str


class Error(_Message):
    """The session could not start or go on; the socket closes after it."""

    type: Literal["error"] = "error"
    message: str


class Muted(_Message):
    type: Literal["muted"] = "muted"
    fault: str
    muted: bool


ServerMessage = Started | SampleShown | Event | Warning | Summary | Locked | Error | Muted


class Refusal(ValueError):
    """A page's message that could not be read, with what is wrong in it."""


def read_page_message(text: str | bytes) -> Start | Pain | Mute | Stop | Landmarks:
    """One message from the page; ``Refusal`` naming each wrong field (or the JSON's fault)."""
    try:
        return _PAGE.validate_json(text)
    except ValidationError as error:
        raise Refusal(_reasons(error)) from None


def _reasons(error: ValidationError) -> str:
    found = error.errors(include_url=False, include_input=False)
    if not found[0]["loc"] or found[0]["type"] == "union_tag_not_found":
        return f"Message refused: a message is a JSON object with a type ({', '.join(PAGE_TYPES)})."
    if found[0]["type"] in ("json_invalid", "union_tag_invalid"):
        return f"Message refused: {found[0]['msg']}."
    problems = [f"{'.'.join(str(part) for part in problem['loc'][1:])}: {problem['msg']}" for problem in found[:3]]
    return f"Message refused ({found[0]['loc'][0]}): {'; '.join(problems)}."
