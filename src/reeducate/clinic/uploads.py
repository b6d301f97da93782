"""Files uploaded by a clinician: a safe name, a size limit, and a moment on disk for the readers.

The engines' readers (OpenCV, ezc3d, numpy) take a path, so an upload is written to a private
temporary folder under its own cleaned name and removed as soon as it has been read.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reeducate.clinic.errors import InvalidInput


def safe_name(filename: str) -> str:
    """The file's own name without any folder, control characters or odd punctuation (max 100)."""
    name = Path(filename.replace("\\", "/")).name
    name = re.sub(r"[^A-Za-z0-9._ -]", "_", name).strip(" .") or "recording"
    return name[:100]


def check_size(name: str, content: bytes, limit_bytes: int, advice: str) -> None:
    """Refuse an empty file, or one over the limit (the message says what to do instead)."""
    if not content:
        raise InvalidInput(f"{name}: the file is empty.")
    if len(content) > limit_bytes:
        raise InvalidInput(f"{name}: {len(content) / 1e6:.0f} MB is over the {limit_bytes // 2**20} MB limit; "
                           f"{advice}.")


@contextmanager
def as_file(name: str, content: bytes) -> Iterator[Path]:
    """The upload as a file named ``name`` in a private temporary folder, removed on leaving."""
    with tempfile.TemporaryDirectory(prefix="reeducate-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        yield path
