"""A stored file handed back exactly as it was uploaded: as an attachment, never cached."""

from __future__ import annotations

from fastapi.responses import Response


def attachment(filename: str, content: bytes) -> Response:
    """The bytes as a download named ``filename`` (already made safe when it was stored)."""
    return Response(content, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})
