"""Raw recordings on disk, content-addressed: a file is stored once under its SHA-256 and never changed.

Rows refer to a recording by its digest; storing the same bytes twice is one file. A file is written
to a temporary name and renamed into place, so a crash never leaves half a recording under a digest.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reeducate.clinic.errors import NotFound


@dataclass(frozen=True)
class RecordingStore:
    """The folder that holds the clinic's raw recordings."""

    root: Path

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> tuple[str, bool]:
        """Store ``content`` (if not already there): its SHA-256, and whether this call wrote the file."""
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(stream.name, target)
        return digest, True

    def remove(self, sha256: str) -> None:
        """Delete a file no row refers to (one stored for an insert that was rolled back)."""
        self.path(sha256).unlink(missing_ok=True)

    def read(self, sha256: str) -> bytes:
        target = self.path(sha256)
        if not target.is_file():
            raise NotFound(f"The raw recording {sha256[:12]} is missing from the recording store ({self.root}).")
        return target.read_bytes()
