"""C3D files: the COP of the force platforms described in the FORCE_PLATFORM parameters (ezc3d).

ezc3d computes each platform's forces, moments and COP in the laboratory frame from the analog
channels and the platform's calibration, corners and origin. One platform gives the COP directly;
two give the net COP (weighted by vertical force) and each foot's load, the first platform being
the left foot unless told otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from reeducate.signals.errors import RecordingError
from reeducate.signals.io.plate import METRES_PER_UNIT, MIN_VERTICAL_FORCE_N, net_cop
from reeducate.signals.recording import CopRecording, FootLoads, cop_recording


def declared_frames(path: Path) -> int | None:
    """Frame count written in the C3D header (words 4 and 5: first and last frame), before any reader
    adapts it to what the file really holds; None when the header cannot say (over 65535 frames)."""
    with path.open("rb") as stream:
        header = stream.read(512)
        stream.seek(max(header[0] - 1, 0) * 512 + 3)
        processor = stream.read(1)
    # 84 Intel, 85 DEC: little; 86 MIPS: big
    order: Literal["little", "big"] = "big" if processor == bytes([86]) else "little"
    first, last = int.from_bytes(header[6:8], order), int.from_bytes(header[8:10], order)
    return None if last >= 65535 or last < first else last - first + 1


def read_c3d(path: Path, *, ap_axis: Literal["x", "y"] = "x", left_platform: int = 1) -> CopRecording:
    """Read the force platforms of a C3D file into a COP recording (metres, at the analog rate)."""
    import ezc3d  # imported here: only C3D reading needs the compiled library

    source = path.name
    try:
        c3d = ezc3d.c3d(str(path), extract_forceplat_data=True)
    except (OSError, RuntimeError, ValueError) as error:
        raise RecordingError(f"{source}: not a readable C3D file ({error}).") from None
    declared, held = declared_frames(path), c3d["header"]["points"]["last_frame"] + 1
    if declared is not None and held < declared:
        raise RecordingError(
            f"{source}: the C3D file is truncated: its header declares {declared} frames, it holds {held}. "
            "Copy or export the file again."
        )
    platforms = c3d["data"].get("platform") or []
    if not platforms:
        raise RecordingError(f"{source}: the C3D file describes no force platform (FORCE_PLATFORM:USED = 0).")
    if len(platforms) > 2:
        raise RecordingError(f"{source}: {len(platforms)} force platforms; posturography reads one or two.")
    rate = float(c3d["header"]["analogs"]["frame_rate"])
    axis = 0 if ap_axis == "x" else 1
    cops, loads = [], []
    for platform in platforms:
        scale = METRES_PER_UNIT.get(str(platform["unit_position"]).strip().lower())
        if scale is None:
            raise RecordingError(f"{source}: unknown position unit {platform['unit_position']!r} in the C3D.")
        fz = np.abs(platform["force"][2])
        cop = platform["center_of_pressure"] * scale
        loaded = fz >= MIN_VERTICAL_FORCE_N
        cops.append((np.where(loaded, cop[axis], np.nan), np.where(loaded, cop[1 - axis], np.nan)))
        loads.append(fz)
    if len(platforms) == 1:
        ap, ml = cops[0]
        feet = None
    else:
        ap, ml = net_cop(cops[0], loads[0], cops[1], loads[1])
        left = 0 if left_platform == 1 else 1
        feet = FootLoads(left_n=loads[left], right_n=loads[1 - left])
    return cop_recording(ap_m=ap, ml_m=ml, sampling_rate_hz=rate, feet=feet, source=source,
                         metadata={"layout": "c3d", "platforms": str(len(platforms))})
