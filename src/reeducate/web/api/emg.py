"""Surface EMG: a recording uploaded to a visit (analysed by a job), a visit's recordings, one recording's
analysis (the CLI's JSON) and its raw file. The upload's fields are text as a person types them, read here
into the options the service takes (the visit's page posts the same fields)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.schemas import EmgOptions, EmgRecordingOut, JobOut
from reeducate.clinic.services import emg
from reeducate.web.deps import ActorDep, SessionDep, StaffDep, StoreDep
from reeducate.web.downloads import attachment

router = APIRouter(tags=["emg"])

#: The upload's text fields, as the form and the API name them, and what each holds.
FIELDS = {
    "channels": "the file's channel labels with their muscles, one a line: LABEL=muscle (or A-B=muscle)",
    "rate_hz": "samples a second, only for a CSV or MATLAB file that does not state it",
    "units": "V, mV or uV, only for a CSV or MATLAB file that does not state them",
    "method": "auto, hodges_bui, bonato or tkeo",
    "rest_s": "a rest moment to calibrate from: START-END in seconds from the start",
    "triggers_s": "trigger times in seconds from the start, separated by commas",
    "reference": "a muscle to time the others against",
    "pairs": "agonist/antagonist pairs, one a line: Biceps brachii/Triceps brachii",
    "sides": "left/right pairs of one muscle, one a line: Left VMO/Right VMO",
    "mvc_recording_id": "an earlier MVC recording of the patient, for amplitudes in %MVC",
    "is_mvc": "true when this recording is the patient's maximal voluntary contractions",
}

#: Each field's name on the page, for a refusal.
LABELS = {"channels": "Muscles on the channels", "rate_hz": "Sampling rate", "units": "Units", "method": "How onsets are found",
          "rest_s": "Rest moment", "triggers_s": "Trigger times", "reference": "Reference muscle",
          "pairs": "Agonist/antagonist pairs", "sides": "Left/right pairs", "mvc_recording_id": "MVC recording",
          "is_mvc": "MVC"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n;]", text) if line.strip()]


def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(value) for value in re.split(r"[\s,;]+", text.strip()) if value]
    except ValueError:
        raise InvalidInput(f"{what}: give numbers of seconds, e.g. 1.5, 4.0") from None


def _pairs(text: str, what: str) -> list[tuple[str, str]]:
    found = []
    for line in _lines(text):
        names = [name.strip() for name in line.split("/")]
        if len(names) != 2:
            raise InvalidInput(f"{what}: write each pair as two muscles with a slash between them, not {line!r}.")
        found.append((names[0], names[1]))
    return found


def emg_options(fields: Mapping[str, str]) -> EmgOptions:
    """The options of :data:`FIELDS` read from text (empty fields left out); a refusal names the field."""
    text = {name: str(fields.get(name) or "").strip() for name in FIELDS}
    chosen: dict[str, Any] = {
        "channels": ["=".join(part.strip() for part in line.split("=", 1)) for line in _lines(text["channels"])],
        "triggers_s": _numbers(text["triggers_s"], "Trigger times"),
        "pairs": _pairs(text["pairs"], "Agonist/antagonist pairs"), "sides": _pairs(text["sides"], "Left/right pairs"),
        "is_mvc": text["is_mvc"].lower() in ("on", "true", "1", "yes"),
        "method": text["method"] or "auto",
    }
    for name in ("rate_hz", "units", "reference", "mvc_recording_id"):
        if text[name]:
            chosen[name] = text[name]
    if text["rest_s"]:
        bounds = _numbers(text["rest_s"].replace("-", " "), "Rest moment")
        if len(bounds) != 2:
            raise InvalidInput("Rest moment: give its start and end in seconds, e.g. 0-2.")
        chosen["rest_s"] = tuple(bounds)
    try:
        return EmgOptions.model_validate(chosen)
    except ValidationError as error:
        problem = error.errors()[0]
        field = LABELS.get(str(problem["loc"][0]), "Options") if problem["loc"] else "Options"
        raise InvalidInput(f"{field}: {str(problem['msg']).removeprefix('Value error, ')}.") from None


@router.post("/visits/{visit_id}/emg-recordings", response_model=JobOut, status_code=202)
async def upload_recording(
    visit_id: int, actor: StaffDep, session: SessionDep, store: StoreDep,
    file: Annotated[UploadFile, Form(description="A surface-EMG file: C3D, EDF/BDF, OpenSignals HDF5, MATLAB .mat, "
                                                 "or CSV/TSV/TXT with the rate and units given.")],
    channels: Annotated[str, Form(description=FIELDS["channels"])] = "",
    rate_hz: Annotated[str, Form(description=FIELDS["rate_hz"])] = "",
    units: Annotated[str, Form(description=FIELDS["units"])] = "",
    method: Annotated[str, Form(description=FIELDS["method"])] = "",
    rest_s: Annotated[str, Form(description=FIELDS["rest_s"])] = "",
    triggers_s: Annotated[str, Form(description=FIELDS["triggers_s"])] = "",
    reference: Annotated[str, Form(description=FIELDS["reference"])] = "",
    pairs: Annotated[str, Form(description=FIELDS["pairs"])] = "",
    sides: Annotated[str, Form(description=FIELDS["sides"])] = "",
    mvc_recording_id: Annotated[str, Form(description=FIELDS["mvc_recording_id"])] = "",
    is_mvc: Annotated[str, Form(description=FIELDS["is_mvc"])] = "",
) -> JobOut:
    """Keep one EMG recording and queue its analysis (202): poll ``GET /api/v1/jobs/{id}``; once done, the job
    names the recording; a file that cannot be analysed fails the job with the reason and is not kept. What is
    wrong without reading the file (options, size, an MVC that is not the patient's) is refused at once (422)."""
    options = emg_options({"channels": channels, "rate_hz": rate_hz, "units": units, "method": method,
                           "rest_s": rest_s, "triggers_s": triggers_s, "reference": reference, "pairs": pairs,
                           "sides": sides, "mvc_recording_id": mvc_recording_id, "is_mvc": is_mvc})
    upload = emg.EmgUpload(file.filename or "recording", await file.read(emg.MAX_EMG_BYTES + 1), options)
    job = await run_in_threadpool(emg.submit, session, actor, visit_id, upload, store)
    return JobOut.of(job)


@router.get("/visits/{visit_id}/emg-recordings", response_model=list[EmgRecordingOut])
def visit_recordings(visit_id: int, actor: ActorDep, session: SessionDep) -> list[EmgRecordingOut]:
    return [EmgRecordingOut.model_validate(r) for r in emg.for_visit(session, actor, visit_id)]


@router.get("/emg-recordings/{recording_id}", response_model=EmgRecordingOut)
def read_recording(recording_id: int, actor: ActorDep, session: SessionDep) -> EmgRecordingOut:
    return EmgRecordingOut.model_validate(emg.get(session, actor, recording_id))


@router.get("/emg-recordings/{recording_id}/raw", response_class=Response)
def raw_recording(recording_id: int, actor: StaffDep, session: SessionDep, store: StoreDep) -> Response:
    """The file exactly as it was uploaded."""
    return attachment(*emg.raw_file(session, actor, recording_id, store))
