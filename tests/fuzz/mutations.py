"""Seeded mutations of every upload format: the same seed gives the same bytes, so a case found once is
found again (the crashers' README names each by its method and seed).

Each format's mutations know its layout: a C3D's header, parameter and data sections and the counts
that say how much follows; a text export's lines and numbers; a video's container (an AVI whose
header states fewer frames than it holds); a JPEG's markers and the size its frame header states.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable

import numpy as np

C3D_METHODS = ("param8", "param1", "header", "data", "trunc", "counts")
TEXT_METHODS = ("bytes", "lines", "numbers", "header", "trunc")
BINARY_METHODS = ("bytes", "block", "trunc", "splice")
JPEG_METHODS = ("bytes", "size", "trunc", "markers")


def _scatter(rng: random.Random, data: bytearray, most: int, start: int = 0, end: int | None = None) -> None:
    """Set 1 to ``most`` random bytes of ``data[start:end]`` to random values."""
    for _ in range(rng.randint(1, most)):
        data[rng.randrange(start, len(data) if end is None else end)] = rng.randrange(256)


def _parameter_blocks(base: bytes) -> int:
    """How many 512-byte blocks the parameter section (from block 2) says it has."""
    return base[512 + 2]


def c3d(base: bytes, seed: int, method: str) -> bytes:
    """A C3D changed by ``method``: 8 random bytes of the parameter section (``param8``), 1-4 single bytes
    of it (``param1``), of the header (``header``) or of the data (``data``), a truncation (``trunc``), or
    a count that lies (``counts``: a header word or a parameter's dimension saying how much follows)."""
    rng = random.Random(seed)
    data = bytearray(base)
    parameters_end = 512 + 512 * _parameter_blocks(base)
    if method == "param8":
        at = rng.randrange(512, parameters_end - 8)
        data[at:at + 8] = rng.randbytes(8)
    elif method == "param1":
        _scatter(rng, data, 4, 512, parameters_end)
    elif method == "header":
        _scatter(rng, data, 4, 0, 512)
    elif method == "data":
        _scatter(rng, data, 16, parameters_end)
    elif method == "trunc":
        data = data[:rng.randrange(1, len(data))]
    elif method == "counts":
        # header words: points, analog values per frame, first and last frame, data start, analog per point
        word = rng.choice((2, 4, 6, 8, 16, 18))
        data[word:word + 2] = rng.choice((0, 1, 0x7FFF, 0xFFFF, rng.randrange(65536))).to_bytes(2, "little")
    else:
        raise ValueError(f"unknown C3D mutation {method!r}")
    return bytes(data)


def text(base: bytes, seed: int, method: str) -> bytes:
    """A text export changed by ``method``: random bytes, lines dropped or repeated, numbers made huge,
    NaN, negative or text, the header line mangled, or a truncation mid-line."""
    rng = random.Random(seed)
    if method == "bytes":
        data = bytearray(base)
        _scatter(rng, data, 32)
        return bytes(data)
    if method == "trunc":
        return base[:rng.randrange(1, len(base))]
    lines = base.split(b"\n")
    if method == "lines":
        for _ in range(rng.randint(1, 20)):
            at = rng.randrange(len(lines))
            if rng.random() < 0.5:
                del lines[at]
            else:
                lines[at:at] = [lines[at]] * rng.randint(1, 50)
    elif method == "numbers":
        for _ in range(rng.randint(1, 50)):
            at = rng.randrange(1, len(lines))
            cells = lines[at].replace(b",", b"\t").split(b"\t")
            cells[rng.randrange(len(cells))] = rng.choice((b"1e308", b"-1e308", b"nan", b"inf", b"", b"abc",
                                                           b"0", b"-0", b"9" * 400))
            lines[at] = (b"\t" if b"\t" in lines[at] else b",").join(cells)
    elif method == "header":
        header = bytearray(lines[0])
        for _ in range(rng.randint(1, 6)):
            header[rng.randrange(len(header))] = rng.choice(b"\t,;[] xX0")
        lines[0] = bytes(header)
    else:
        raise ValueError(f"unknown text mutation {method!r}")
    return b"\n".join(lines)


def binary(base: bytes, seed: int, method: str) -> bytes:
    """A container file (MP4, AVI) changed by ``method``: random bytes, a 4-byte word (a box size or a
    count) set to a lie, a truncation, or a stretch of the file repeated elsewhere."""
    rng = random.Random(seed)
    data = bytearray(base)
    if method == "bytes":
        _scatter(rng, data, 64)
    elif method == "block":
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(0, min(len(data) - 4, 4096))  # the headers: where sizes and counts live
            data[at:at + 4] = struct.pack(rng.choice(("<I", ">I")), rng.choice((0, 1, 0x7FFFFFFF, 0xFFFFFFFF,
                                                                         rng.randrange(2**32))))
    elif method == "trunc":
        data = data[:rng.randrange(1, len(data))]
    elif method == "splice":
        start = rng.randrange(len(data))
        piece = data[start:start + rng.randint(1, 4096)]
        at = rng.randrange(len(data))
        data[at:at] = piece
    else:
        raise ValueError(f"unknown binary mutation {method!r}")
    return bytes(data)


def _sof(data: bytes) -> int | None:
    """Where a JPEG's baseline or progressive frame header (SOF0/SOF2) starts."""
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        if (at := data.find(marker)) >= 0:
            return at
    return None


def jpeg(base: bytes, seed: int, method: str) -> bytes:
    """A JPEG changed by ``method``: random bytes, a frame header that states another size (up to
    65535x65535), a truncation, or markers removed or repeated."""
    rng = random.Random(seed)
    data = bytearray(base)
    if method == "bytes":
        _scatter(rng, data, 16)
    elif method == "size":
        at = _sof(base)
        assert at is not None, "the base picture has no SOF0/SOF2 frame header"
        height, width = (rng.choice((0, 1, 16000, 65535, rng.randrange(65536))) for _ in range(2))
        data[at + 5:at + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    elif method == "trunc":
        data = data[:rng.randrange(1, len(data))]
    elif method == "markers":
        for _ in range(rng.randint(1, 4)):
            at = data.find(b"\xff", rng.randrange(len(data)))
            if at >= 0:
                data[at:at + 2] = rng.choice((b"", b"\xff\xd8", b"\xff\xda", b"\xff\xc0\x00\x02", b"\xff\xff"))
    else:
        raise ValueError(f"unknown JPEG mutation {method!r}")
    return bytes(data)


def lying_avi(frames_bgr: list[np.ndarray], *, held: int, announced: int, fps: float) -> bytes:
    """An MJPEG AVI holding ``held`` frames (``frames_bgr`` repeated) whose header announces ``announced``
    (the main header's total frames and the video stream's length both say so)."""
    import tempfile
    from pathlib import Path

    import cv2

    height, width = frames_bgr[0].shape[:2]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.avi"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
        for k in range(held):
            writer.write(frames_bgr[k % len(frames_bgr)])
        writer.release()
        data = bytearray(path.read_bytes())
    main = data.find(b"avih")
    struct.pack_into("<I", data, main + 8 + 16, announced)  # dwTotalFrames: the fifth word of the header
    stream = data.find(b"strh")
    struct.pack_into("<I", data, stream + 8 + 32, announced)  # dwLength of the video stream
    return bytes(data)


MUTATORS: dict[str, tuple[Callable[[bytes, int, str], bytes], tuple[str, ...]]] = {
    "c3d": (c3d, C3D_METHODS), "text": (text, TEXT_METHODS), "video": (binary, BINARY_METHODS),
    "jpeg": (jpeg, JPEG_METHODS),
}


def case(kind: str, base: bytes, seed: int) -> tuple[str, bytes]:
    """The seed's method for this kind of file (methods in turn) and its mutated bytes."""
    mutate, methods = MUTATORS[kind]
    method = methods[seed % len(methods)]
    return method, mutate(base, seed, method)
