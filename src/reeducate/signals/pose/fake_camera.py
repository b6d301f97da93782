"""A clip as a camera: a YUV4MPEG2 (.y4m) file for Chromium's fake capture device.

Chromium started with ``--use-fake-device-for-media-stream --use-file-for-fake-video-capture=FILE.y4m``
gives every ``getUserMedia`` call this file as the camera, looped, at the frame rate its header states.
The browser tests and the on-device pose benchmark make one from a repository clip at run time.
Stating a frame rate lower than the clip's slows the movement down, so a pose model that manages only a
frame or two a second on a machine without a GPU still sees every phase of it.

Format: the header ``YUV4MPEG2 W<w> H<h> F<num>:<den> Ip A1:1 C420jpeg``, then per frame ``FRAME`` and
the picture as planar YUV 4:2:0 (Y at full size, then U and V at half width and height).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from reeducate.signals.errors import RecordingError
from reeducate.signals.pose.video import frames


def write_y4m(clip: str | Path, target: str | Path, *, size_px: tuple[int, int] = (640, 360),
              stated_fps: float, first: int = 0, last: int | None = None, every: int = 1,
              region: tuple[int, int, int, int] | None = None) -> int:
    """Write frames ``first``..``last`` (inclusive; the end when None) of ``clip``, every ``every``-th,
    cut to ``region`` (x0, y0, x1, y1 in the clip's pixels; the whole picture when None) and resized to
    ``size_px`` (width, height; both even), to ``target`` as a y4m stating ``stated_fps`` frames a second.
    Returns the number of frames written."""
    import cv2

    width, height = size_px
    if width <= 0 or height <= 0 or width % 2 or height % 2:
        raise ValueError(f"A 4:2:0 picture needs an even width and height, not {width}x{height}.")
    if stated_fps <= 0 or every < 1 or first < 0 or (last is not None and last < first):
        raise ValueError("The frame rate must be positive, every at least 1 and the frames in order.")
    rate = Fraction(stated_fps).limit_denominator(1000)
    written = 0
    with Path(target).open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{rate.numerator}:{rate.denominator} Ip A1:1 C420jpeg\n".encode())
        for index, rgb in enumerate(frames(clip)):
            if last is not None and index > last:
                break
            if index < first or (index - first) % every:
                continue
            if region is not None:
                x0, y0, x1, y1 = region
                rgb = rgb[y0:y1, x0:x1]
            picture = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(picture, cv2.COLOR_RGB2YUV_I420).tobytes())
            written += 1
    if not written:
        raise RecordingError(f"{Path(clip).name}: no frame in the range asked for.")
    return written
