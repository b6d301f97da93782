"""`reeducate video analyze|gait` and `reeducate gait analyze|batch`: the movement engine from the command line.

Both print the documented JSON with ``--json`` (docs/movement.md, docs/gait.md) or a readable
summary. Exit status 2 means the input was wrong; the message says what and how to fix it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from reeducate.cli.cohort import (
    Cluster,
    ClusterTimeout,
    Files,
    Out,
    Source,
    Workers,
    analyse_and_write,
    check_out,
    jobs_of,
)
from reeducate.cli.output import console, errors, refuse
from reeducate.signals.errors import RecordingError
from reeducate.signals.kinematics.views import View  # an option's choices: Typer needs the enum itself

if TYPE_CHECKING:
    from reeducate.signals.gait import GaitResult
    from reeducate.signals.imu import Sensor, Side
    from reeducate.signals.pose.landmarks import PoseSeries
    from reeducate.signals.pose.tracking import Mark
    from reeducate.signals.pose.video import Region

video_app = typer.Typer()  # named and described in reeducate/cli/__init__.py, as gait_app
gait_app = typer.Typer()


def _mark(text: str | None) -> Mark | None:
    from reeducate.signals.pose.tracking import Mark

    if text is None:
        return None
    try:
        frame, x, y = (float(v) for v in text.split(","))
    except ValueError:
        refuse(f"--mark {text!r}: give FRAME,X,Y (the frame number and the patient's position in pixels).")
    return Mark(int(frame), x, y)


def _region(text: str | None) -> Region | None:
    if text is None:
        return None
    try:
        x0, y0, x1, y1 = (int(v) for v in text.split(","))
    except ValueError:
        refuse(f"--region {text!r}: give X0,Y0,X1,Y1 (the box the patient moves in, in pixels).")
    return x0, y0, x1, y1


Mark_ = Annotated[str | None, typer.Option("--mark", help="FRAME,X,Y: the patient, when others are in view.")]
Region_ = Annotated[str | None, typer.Option("--region", help="X0,Y0,X1,Y1: look for the patient only there.")]
HeightCm = Annotated[float | None, typer.Option("--height-cm", help="Patient's height: gives metric lengths.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (the documented shape).")]


def _pose(video: Path, mark: str | None, region: str | None, quiet: bool) -> PoseSeries:
    """Keypoints of the patient in every frame, with a progress bar unless ``quiet``."""
    from reeducate.signals.pose.video import read_video

    with Progress(TextColumn("Pose"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=errors, transient=True, disable=quiet) as progress:
        task = progress.add_task("pose", total=None)
        return read_video(video, mark=_mark(mark), region=_region(region),
                          on_frame=lambda done, total: progress.update(task, completed=done, total=total or None))


@video_app.command("analyze")
def analyze_video(
    video: Annotated[Path, typer.Argument(help="A clip from one camera (MP4, MOV, AVI, WebM).")],
    view: Annotated[View | None, typer.Option(help="Camera view; inferred from the body when left out.")] = None,
    annotate: Annotated[Path | None, typer.Option(help="Write the clip with skeleton and angles (MP4).")] = None,
    mark: Mark_ = None,
    region: Region_ = None,
    height_cm: HeightCm = None,
    as_json: AsJson = False,
) -> None:
    """Pose every frame, follow the patient, and measure the angles the view supports."""
    from reeducate.signals.movement import analyze_pose

    try:
        series = _pose(video, mark, region, as_json)
        result = analyze_pose(series, view=view, height_cm=height_cm)
    except RecordingError as exc:
        refuse(str(exc))
    if annotate is not None:
        from reeducate.reports.annotated_video import write_annotated

        write_annotated(video, result, annotate)
    if as_json:
        print(json.dumps(result.to_dict()))
        return
    console.print(f"[bold]{series.source}[/bold]: {series.n_frames} frames at {series.fps:g} fps, person seen in "
                  f"{series.detected_fraction:.0%}, view {result.view.value if result.view else 'oblique'}")
    table = Table("Angle", "Min (deg)", "Max (deg)", "Range (deg)")
    for name, rom in result.rom.items():
        table.add_row(name, f"{rom.min_deg:.1f}", f"{rom.max_deg:.1f}", f"{rom.range_deg:.1f}")
    console.print(table)
    for key, value in result.posture.items():
        console.print(f"  {key}: {value}")
    for measure, reason in result.refused:
        console.print(f"  [dim]{measure}: not measured, {reason}[/dim]")
    for warning in result.warnings:
        console.print(f"  [yellow]{warning}[/yellow]")


@gait_app.command("analyze")
def analyze_gait_file(
    file: Annotated[Path, typer.Argument(help="An IMU recording (CSV: gaitmap, acc_x..gyr_z, GENEActiv).")],
    sensor: Annotated[str, typer.Option(help="Where the sensor was worn: foot or lower-back.")] = "foot",
    sampling_rate_hz: Annotated[float | None, typer.Option(help="Rate when the file does not state it.")] = None,
    side: Annotated[str | None, typer.Option(help="left or right, for a single foot sensor.")] = None,
    sensor_height_m: Annotated[float | None, typer.Option(help="Lower-back sensor's height (m): step length.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the documented shape).")] = False,
) -> None:
    """Strides, events and spatio-temporal parameters from one recording."""
    from reeducate.signals.gait import analyze_gait
    from reeducate.signals.io.imu import read_imu

    worn, side = _sensor_and_side(sensor, side)
    try:
        recording = read_imu(file, sampling_rate_hz=sampling_rate_hz, sensor=worn, side=side)
        result = analyze_gait(recording, sensor=worn, sensor_height_m=sensor_height_m)
    except RecordingError as exc:
        refuse(str(exc))
    _print_gait(result, as_json)


def _sensor_and_side(sensor: str, side: str | None, where: str = "") -> tuple[Sensor, Side | None]:
    """The options as the engine names them (lower-back is lower_back), or a refusal naming ``where``."""
    from reeducate.signals.imu import SENSORS, SIDES

    worn = sensor.replace("-", "_")
    if worn not in SENSORS:
        refuse(f"{where}sensor {sensor!r}: choose foot or lower-back.")
    if side not in (None, *SIDES):
        refuse(f"{where}side {side!r}: choose left or right.")
    return worn, side


def _positive(value: object, name: str, where: str) -> float | None:
    """A manifest's number (None when not given), or a refusal naming the file and the column."""
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]  # a cell: str, int or float; anything else is refused
    except (TypeError, ValueError):
        number = float("nan")
    if not 0 < number < float("inf"):
        refuse(f"{where}{name} {value!r}: give a positive number, or leave the cell empty.")
    return number


@gait_app.command("batch")
def gait_batch(
    source: Source,
    out: Out,
    sensor: Annotated[str, typer.Option(help="Where the sensors were worn: foot or lower-back.")] = "foot",
    sampling_rate_hz: Annotated[float | None, typer.Option(help="Rate of files that do not state it.")] = None,
    side: Annotated[str | None, typer.Option(help="left or right, for single foot sensors.")] = None,
    sensor_height_m: Annotated[float | None, typer.Option(help="Lower-back sensor's height (m): step length.")] = None,
    workers: Workers = None,
    cluster: Cluster = None,
    files: Files = "auto",
    cluster_timeout_s: ClusterTimeout = 10.0,
) -> None:
    """Gait summary of every recording of a folder or manifest, one row each (docs/cohorts.md).

    A manifest may set each file's sensor, side, sampling_rate_hz and sensor_height_m in columns of those names;
    the options here are the defaults.
    """
    from reeducate.signals.batch import gait_row

    check_out(out, files)
    defaults = {"sensor": sensor, "side": side, "sampling_rate_hz": sampling_rate_hz,
                "sensor_height_m": sensor_height_m}
    jobs = []
    for job in jobs_of(source, defaults):
        where = f"{job.label}: "
        worn, worn_side = _sensor_and_side(str(job.options["sensor"]), job.options["side"], where)
        jobs.append(replace(job, options={
            "sensor": worn, "side": worn_side,
            "sampling_rate_hz": _positive(job.options["sampling_rate_hz"], "sampling_rate_hz", where),
            "sensor_height_m": _positive(job.options["sensor_height_m"], "sensor_height_m", where)}))
    analyse_and_write(gait_row, jobs, out, what="recordings", cluster=cluster, files=files, workers=workers,
                      timeout_s=cluster_timeout_s)


@video_app.command("gait")
def video_gait(
    video: Annotated[Path, typer.Argument(help="A side-on clip of the patient walking across the picture.")],
    mark: Mark_ = None,
    region: Region_ = None,
    height_cm: HeightCm = None,
    as_json: AsJson = False,
) -> None:
    """Heel strikes, toe offs and the gait parameters one side-on camera supports (same JSON as gait)."""
    from reeducate.signals.video_gait import analyze_video_gait

    try:
        result = analyze_video_gait(_pose(video, mark, region, as_json), height_cm=height_cm)
    except RecordingError as exc:
        refuse(str(exc))
    _print_gait(result, as_json)


def _print_gait(result: GaitResult, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_dict()))
        return
    console.print(f"[bold]{result.source}[/bold]: {result.duration_s:.1f} s at {result.sampling_rate_hz:g} Hz")
    table = Table("Parameter", "Value")
    for key, value in result.summary.items():
        table.add_row(key, "—" if value is None else str(value))
    console.print(table)
    for side_name, summary in result.side_summaries.items():
        console.print(f"  {side_name}: {summary['n_strides']} strides, stride {summary['stride_time_s']} s, "
                      f"length {summary['stride_length_m']} m")
    for measure, reason in result.refused:
        console.print(f"  [dim]{measure}: not measured, {reason}[/dim]")
