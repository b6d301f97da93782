"""Validation of an X12 document against its implementation guide map, with pyx12."""

from __future__ import annotations

import io
import logging

import pyx12.errors
import pyx12.params
import pyx12.x12n_document


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def x12_errors(text: str) -> list[str]:
    """pyx12's errors for ``text`` (empty when it conforms to its guide's map)."""
    handler = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(handler)
    previous, logger.propagate = logger.propagate, False
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=io.StringIO(),
            fd_html=None, fd_xmldoc=None, map_path=None,
        )
    except pyx12.errors.X12Error as error:
        return [str(error)]
    except pyx12.errors.EngineError as error:
        return [f"pyx12 has no map for this document: {error}"]
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous
    messages = handler.messages
    if not ok and not messages:
        messages = ["pyx12 found the document invalid"]
    return messages
