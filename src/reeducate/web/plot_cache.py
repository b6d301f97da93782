"""Plots drawn once per content: an SVG kept on disk under a hash of exactly what it is drawn from.

A plot's key is the SHA-256 of its kind, the drawing code's version (the source of the packages that
turn the stored data into the picture, and matplotlib's version) and its content (the values drawn,
as canonical JSON). Changed data or changed code is a new key, so a kept plot is never stale and is
never invalidated by hand. The files live under the server's home (``home/plot-cache``): every server
process shares them and they outlive a restart. A file is written to a temporary name and renamed
into place, so a reader never sees half a plot; the folder is held under :data:`MAX_BYTES` by
removing the plots least recently served.

Only the drawing is kept: the route checks access and writes the audit row on every request before
it asks for the plot. The answer carries the key as its ETag and stays ``private, no-store``, as the
pages do: these are a patient's data, and a browser on a shared clinic computer keeps none of them on
its disk (nor shows one again after log-out); the server's kept copy is what makes a second view
cheap. A client that kept a copy anyway (a script) and sends ``If-None-Match`` gets a 304.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import matplotlib
from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: Largest size of the folder (bytes); a demo clinic's plots take about 6 MB, a plot 20 to 300 kB.
MAX_BYTES = 256 * 2**20
#: Packages whose code draws every plot from the values it is given.
DRAWING = ("reeducate.reports",)
HEADERS = {"Cache-Control": "private, no-store"}


@lru_cache
def code_version(packages: tuple[str, ...]) -> str:
    """A digest of the source of ``packages`` and of matplotlib's version, computed once a process."""
    digest = hashlib.sha256(matplotlib.__version__.encode())
    for package in packages:
        root = Path(str(importlib.import_module(package).__file__)).parent
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def plot_key(kind: str, content: Any, derived_with: tuple[str, ...] = ()) -> str:
    """The key of the plot ``kind`` of ``content`` (JSON-able; dates as text); ``derived_with``:
    packages that make what is drawn out of what ``content`` names (a stored file's reader)."""
    text = json.dumps([kind, code_version((*DRAWING, *derived_with)), content], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class PlotCache:
    """The folder of drawn plots, each file named by its key."""

    root: Path
    max_bytes: int = MAX_BYTES

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.svg"

    def get(self, key: str) -> bytes | None:
        """The plot kept under ``key`` (and marked as just served), or None."""
        path = self.path(key)
        try:
            content = path.read_bytes()
            os.utime(path)
        except FileNotFoundError:  # never drawn, or removed by another process meanwhile
            return None
        return content or None

    def put(self, key: str, content: bytes) -> None:
        """Keep ``content`` under ``key``, then trim the folder to its bound."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as stream:
            stream.write(content)
        os.replace(stream.name, target)
        self._trim()

    def plot(self, key: str, draw: Callable[[], bytes]) -> bytes:
        """The plot under ``key``, drawn by ``draw`` and kept if it is not there yet."""
        kept = self.get(key)
        if kept is not None:
            return kept
        drawn = draw()
        self.put(key, drawn)
        return drawn

    def _trim(self) -> None:
        """Remove the plots served longest ago until the folder holds at most ``max_bytes``."""
        files = [(stat.st_mtime, stat.st_size, path) for path in self.root.glob("*/*.svg")
                 for stat in [_stat(path)] if stat is not None]
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            log.debug("plot cache: removed %s", path.name)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:  # removed by another process while listed
        return None


async def get_plot_cache(request: Request) -> PlotCache:
    """The plot cache of the server's home."""
    return PlotCache(request.app.state.settings.home / "plot-cache")


PlotCacheDep = Annotated[PlotCache, Depends(get_plot_cache)]


def svg_response(request: Request, session: Session, cache: PlotCache, key: str,
                 draw: Callable[[], bytes]) -> Response:
    """The plot under ``key`` as an SVG answer with its ETag (304 when the client already has it).

    Call it once the request's access check and audit row are in ``session``: they are committed
    here, before a plot is drawn, so that no transaction is held open while it is (on SQLite, a
    transaction is the process's one turn to use the database: a page's plots drawn in theirs took
    turns, and the last waited past the time limit). ``draw`` reads only loaded columns.
    """
    session.commit()
    etag = f'"{key}"'
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag, **HEADERS})
    return Response(cache.plot(key, draw), media_type="image/svg+xml", headers={"ETag": etag, **HEADERS})
