"""`reeducate movement triangulate|calibrate`: 3-D joint angles from two or more calibrated cameras.

Prints the documented JSON (docs/movement.md, "Two or more cameras") with ``--json`` or a readable
summary. Each clip is a video (posed here, frame by frame) or a MediaPipe landmark CSV; each goes with
the calibration's camera whose name its file name contains, else with the cameras in the file's order.
Exit status 2 means the input was wrong; the message says what and how to fix it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from reeducate.cli.output import console, refuse
from reeducate.signals.errors import RecordingError

if TYPE_CHECKING:
    import numpy as np

    from reeducate.signals.multiview.calibration import Calibration, Camera
    from reeducate.signals.pose.landmarks import PoseSeries

app = typer.Typer()  # named and described in reeducate/cli/__init__.py

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".webm", ".mkv", ".m4v")


def cameras_for(clips: list[Path], calibration: Calibration, names: str | None) -> list[Camera]:
    """The camera of each clip: named by --cameras, else the one whose name the file name contains, else in order."""
    if names is not None:
        wanted = [n.strip() for n in names.split(",")]
        if len(wanted) != len(clips):
            refuse(f"--cameras names {len(wanted)} cameras for {len(clips)} clips; name one camera per clip.")
        try:
            return [calibration.camera(n) for n in wanted]
        except RecordingError as exc:
            refuse(str(exc))
    by_name = []
    for clip in clips:
        matches = [c for c in calibration.cameras if c.name.lower() in clip.name.lower()]
        by_name.append(matches[0] if len(matches) == 1 else None)
    if all(c is not None for c in by_name) and len({c.name for c in by_name if c}) == len(clips):
        return [c for c in by_name if c is not None]
    if len(clips) > len(calibration.cameras):
        refuse(f"{len(clips)} clips but {calibration.source} calibrates {len(calibration.cameras)} cameras.")
    return list(calibration.cameras[:len(clips)])


def read_clip(clip: Path, camera: Camera, quiet: bool) -> PoseSeries:
    """Keypoints of one clip: a video is posed here, a CSV is read at the camera's calibrated image size."""
    if clip.suffix.lower() in VIDEO_SUFFIXES:
        from reeducate.cli.movement import _pose

        return _pose(clip, None, None, quiet)
    from reeducate.signals.pose.readers import read_landmark_csv

    return read_landmark_csv(clip, width_px=camera.size_px[0], height_px=camera.size_px[1])


def _offsets(text: str | None, n: int) -> list[int] | None:
    if text is None:
        return None
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != n:
        refuse(f"--offsets {text!r}: give {n} whole numbers of frames, one per clip (the first usually 0).")
    return values


@app.command("triangulate")
def triangulate_clips(
    clips: Annotated[list[Path], typer.Argument(help="Two or more clips (videos or MediaPipe landmark CSVs).")],
    calibration: Annotated[Path, typer.Option("--calibration", help="Pose2Sim/OpenCV .toml or Qualisys .qca.txt.")],
    cameras: Annotated[str | None, typer.Option(help="CAM1,CAM2,...: the calibration's camera of each clip.")] = None,
    sync: Annotated[bool, typer.Option(help="Find each clip's frame offset from the movement.")] = True,
    offsets: Annotated[str | None, typer.Option(help="O1,O2,...: known frame offsets (clip i's frame 0 is the "
                                                       "first clip's frame Oi); overrides --sync.")] = None,
    max_lag_s: Annotated[float, typer.Option(help="Longest offset searched (s).")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the documented shape).")] = False,
) -> None:
    """Triangulate the patient's landmarks and measure 3-D joint angles in the body's planes."""
    from reeducate.signals.multiview.analysis import analyze_multiview
    from reeducate.signals.multiview.calibration import read_calibration

    if len(clips) < 2:
        refuse("Give at least two clips, one per calibrated camera.")
    known = _offsets(offsets, len(clips))
    try:
        cal = read_calibration(calibration)
        chosen = cameras_for(clips, cal, cameras)
        series = [read_clip(clip, camera, as_json) for clip, camera in zip(clips, chosen, strict=True)]
        result = analyze_multiview(series, chosen, offsets=known, find_offsets=sync, max_lag_s=max_lag_s)
    except RecordingError as exc:
        refuse(str(exc))
    data = result.to_dict()
    if as_json:
        print(json.dumps(data))
        return
    console.print(f"[bold]{len(chosen)} cameras[/bold] ({', '.join(c.name for c in chosen)}): "
                  f"{data['n_frames']} frames at {data['fps']:.0f} frames a second; frame offsets "
                  + ", ".join(f"{o.camera} {o.frames:+d}" for o in result.offsets)
                  + (f"; reprojection error {result.points.median_reprojection_px:.1f} px (median)"
                     if result.points else ""))
    table = Table("Angle", "Min (deg)", "Max (deg)", "Range (deg)")
    for name, rom in result.rom.items():
        table.add_row(name, f"{rom.min_deg:.1f}", f"{rom.max_deg:.1f}", f"{rom.range_deg:.1f}")
    console.print(table)
    console.print(f"  [dim]{result.method}[/dim]")
    for warning in result.warnings:
        console.print(f"  [yellow]{warning}[/yellow]")


def _pairs(values: list[str], option: str) -> dict[str, Path]:
    pairs = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            refuse(f"{option} {value!r}: give CAMERA=PATH (for example cam01=calibration/cam01).")
        pairs[name] = Path(path)
    return pairs


def _images(source: Path, most: int = 40) -> list[np.ndarray]:
    """Grey images from a folder of pictures, one picture, or a video (at most ``most`` frames, evenly spread)."""
    import cv2

    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp", ".tif"))
        return [image for p in files if (image := cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)) is not None]
    if source.suffix.lower() in VIDEO_SUFFIXES:
        capture = cv2.VideoCapture(str(source))
        total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) or most
        step, index = max(1, total // most), 0
        frames: list[np.ndarray] = []
        while len(frames) < most:
            ok, frame = capture.read()
            if not ok:
                break
            if index % step == 0:
                frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
            index += 1
        capture.release()
        return frames
    image = cv2.imread(str(source), cv2.IMREAD_GRAYSCALE)
    return [image] if image is not None else []


@app.command("calibrate")
def calibrate(
    intrinsics_from: Annotated[list[str], typer.Option("--intrinsics", help="CAMERA=FOLDER|VIDEO of the board in "
                                                                            "many poses; once per camera.")],
    extrinsics_from: Annotated[list[str], typer.Option("--extrinsics", help="CAMERA=IMAGE of the board lying "
                                                                            "still in the scene; once per camera.")],
    board: Annotated[str, typer.Option(help="Inner corners COLUMNSxROWS (squares minus one each way).")],
    square_mm: Annotated[float, typer.Option(help="Side of one printed square (mm).")],
    out: Annotated[Path, typer.Option(help="Where to write the calibration (Pose2Sim TOML).")],
) -> None:
    """Calibrate cameras with a printed checkerboard; write Pose2Sim's TOML for `movement triangulate`."""
    from reeducate.signals.multiview.calibration import Calibration
    from reeducate.signals.multiview.checkerboard import Board, extrinsics, intrinsics, to_toml

    try:
        columns, rows = (int(v) for v in board.lower().split("x"))
    except ValueError:
        refuse(f"--board {board!r}: give the inner corners as COLUMNSxROWS, for example 9x6.")
    if columns < 2 or rows < 2 or not square_mm > 0:
        refuse("--board needs at least 2x2 inner corners and --square-mm a positive size.")
    spec = Board(columns, rows, square_mm / 1000)
    sources, scenes = _pairs(intrinsics_from, "--intrinsics"), _pairs(extrinsics_from, "--extrinsics")
    if set(sources) != set(scenes):
        refuse(f"--intrinsics names {', '.join(sorted(sources))} but --extrinsics {', '.join(sorted(scenes))}; "
               "give both for every camera.")
    cameras = []
    try:
        for name in sorted(sources):
            camera, rms = intrinsics(name, _images(sources[name]), spec)
            scene = _images(scenes[name], most=1)
            if not scene:
                refuse(f"--extrinsics {name}={scenes[name]}: not an image this command can read.")
            camera, error = extrinsics(camera, scene[0], spec)
            console.print(f"{name}: intrinsics RMS {rms:.2f} px, board reprojected within {error:.2f} px, "
                          f"{float(((camera.centre_m ** 2).sum()) ** 0.5):.2f} m from the board")
            cameras.append(camera)
    except RecordingError as exc:
        refuse(str(exc))
    out.write_text(to_toml(Calibration(tuple(cameras), out.name)), encoding="utf-8")
    console.print(f"Wrote {out}")
