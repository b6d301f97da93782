"""What signing a clinical document stores: a SHA-256 over its canonical JSON, and the moment as stored.

Shared by the visit note (:mod:`reeducate.clinic.services.notes`) and the episode's reports
(:mod:`reeducate.clinic.services.reports`), so a hash is computed one way: keys sorted, text as
UTF-8, times in ISO 8601 UTC without microseconds (what the database keeps, so a stored row hashes
again to the same value).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from reeducate.clinic.db import utcnow


def sha256_of(payload: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of ``payload`` as canonical JSON (sorted keys, UTF-8)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def signing_moment(now: datetime | None = None) -> datetime:
    """The moment a signature records: ``now`` (default the clock) in UTC, to the second, as stored."""
    return (now or utcnow()).astimezone(UTC).replace(microsecond=0)
