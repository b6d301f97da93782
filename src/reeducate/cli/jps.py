"""`reeducate jps analyze`: a joint position sense test from a side-on clip or an IMU file.

``--json`` prints the documented JSON (docs/jps.md), the same the clinic stores and its API returns;
otherwise a table of the trials and the errors. Exit status 2 means the input was wrong; the message says
what and how to fix it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from reeducate.cli.output import console, refuse
from reeducate.signals.errors import RecordingError

if TYPE_CHECKING:
    from reeducate.signals.jps import JpsResult

app = typer.Typer()  # named and described in reeducate/cli/__init__.py

#: Files read as IMU recordings when --source is left out; anything else is a clip.
IMU_SUFFIXES = (".csv", ".tsv", ".txt")


def source_of(file: Path, source: str | None) -> Literal["video", "imu"]:
    """The source named, or the one the file's extension says (CSV/TSV/TXT: an IMU; else a clip)."""
    if source is None:
        return "imu" if file.suffix.lower() in IMU_SUFFIXES else "video"
    if source not in ("video", "imu"):
        refuse(f"--source {source!r}: choose video (a side-on clip) or imu (a sensor's CSV).")
    return "imu" if source == "imu" else "video"


@app.command("analyze")
def analyze(
    file: Annotated[Path, typer.Argument(help="A side-on clip (MP4, MOV, WebM) or one IMU's CSV (acc_x..gyr_z).")],
    joint: Annotated[str, typer.Option(help="knee_flexion, elbow_flexion, ... (camera); cervical_rotation, "
                                            "cervical_flexion or a limb joint (IMU).")],
    side: Annotated[str | None, typer.Option(help="left or right (a limb joint).")] = None,
    targets: Annotated[str | None, typer.Option(help="Target angles in degrees, e.g. 30,60: every hold away "
                                                     "from rest is then a reproduction.")] = None,
    source: Annotated[str | None, typer.Option(help="video or imu; from the file's extension when left out.")] = None,
    protocol: Annotated[str | None, typer.Option(help="reproduction (target shown, then reproduced) or relocation "
                                                      "(back to the start); relocation for the neck by default.")] = None,
    view: Annotated[str, typer.Option(help="Camera view (the angles need side-on).")] = "side",
    sampling_rate_hz: Annotated[float | None, typer.Option(help="IMU rate when the file does not state it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the documented shape).")] = False,
) -> None:
    """Find the still holds, pair targets and reproductions, and give AE, CE and VE per side."""
    from reeducate.signals.jps import PROTOCOLS, default_protocol, jps_from_imu, jps_from_pose, parse_targets

    if side not in (None, "left", "right"):
        refuse(f"--side {side!r}: choose left or right.")
    chosen = protocol or default_protocol(joint)
    if chosen not in PROTOCOLS:
        refuse(f"--protocol {protocol!r}: choose reproduction or relocation.")
    try:
        aims = parse_targets(targets)
        if source_of(file, source) == "imu":
            from reeducate.signals.io.imu import read_imu

            result = jps_from_imu(read_imu(file, sampling_rate_hz=sampling_rate_hz), joint=joint, side=side,
                                  protocol=chosen, targets=aims)
        else:
            from reeducate.signals.pose.video import read_video

            if not file.is_file():
                refuse(f"{file}: no such file.")
            result = jps_from_pose(read_video(file), joint=joint, side=side, protocol=chosen, targets=aims, view=view)
    except RecordingError as exc:
        refuse(str(exc))
    if as_json:
        print(json.dumps(result.to_dict()))
        return
    _print(result)


def _print(result: JpsResult) -> None:
    data = result.to_dict()
    side = f" {result.side}" if result.side else ""
    console.print(f"[bold]{data['joint_label']}[/bold]{side} ({result.protocol}, "
                  f"{data['source_label']}): {len(result.trials)} trials")
    table = Table("Trial", "Side", "Target (deg)", "Reproduced (deg)", "Error (deg)", "Reproduction held (s)")
    for t in result.trials:
        table.add_row(str(t.number), t.side or "", f"{t.target_deg:.1f}", f"{t.reproduced_deg:.1f}",
                      f"{t.error_deg:+.1f}", f"{t.reproduction.start_s:.1f}-{t.reproduction.end_s:.1f}")
    console.print(table)
    for side, e in result.by_side.items():
        ve = f"{e.variable_error_deg:.1f}" if e.variable_error_deg is not None else "-"
        console.print(f"  {side}: AE {e.absolute_error_deg:.1f} deg, CE {e.constant_error_deg:+.1f} deg, "
                      f"VE {ve} deg over {e.n_trials} trials")
    console.print(f"  [dim]{data['cutoff_note']}[/dim]")
    for warning in result.warnings:
        console.print(f"  [yellow]{warning}[/yellow]")
