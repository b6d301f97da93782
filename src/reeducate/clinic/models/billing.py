"""What a visit bills and how it is documented: minutes per code, the note and its addenda, claims.

A signed note is final: the ORM refuses any change to it (addenda carry corrections), on top of the
services' own refusal, so no route can alter it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.errors import Conflict
from reeducate.clinic.models.patients import Coverage
from reeducate.clinic.models.people import User
from reeducate.clinic.models.visits import Visit
from reeducate.clinic.vocabulary import ClaimFrequency, ClaimStatus, NoteStatus


class VisitCharge(Base):
    """Minutes of one billing code in a visit, the assistant's share of them, and the body region."""

    __tablename__ = "visit_charges"
    __table_args__ = (
        CheckConstraint("minutes >= 0 AND minutes <= 480", name="minutes_range"),
        CheckConstraint("assistant_minutes >= 0 AND assistant_minutes <= minutes", name="assistant_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    code: Mapped[str] = mapped_column(String(5))
    minutes: Mapped[int] = mapped_column(default=0)
    assistant_minutes: Mapped[int] = mapped_column(default=0)
    region: Mapped[str] = mapped_column(String(120), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    visit: Mapped[Visit] = relationship()


class VisitNote(Base):
    """The visit's SOAP note: a draft the clinician edits, then signed (content hash, signer, time).

    ``content`` holds the sections; ``billing`` the lines as they were when the note was signed.
    """

    __tablename__ = "visit_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), unique=True)
    status: Mapped[NoteStatus] = mapped_column(enum_type(NoteStatus), default=NoteStatus.DRAFT)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    billing: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # A PT assistant's note, signed while the clinic asks for it, waits for a supervising PT's co-signature.
    cosignature_required: Mapped[bool] = mapped_column(default=False)
    cosigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cosigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cosign_sha256: Mapped[str | None] = mapped_column(String(64))

    visit: Mapped[Visit] = relationship()
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    cosigned_by: Mapped[User | None] = relationship(foreign_keys=[cosigned_by_id])
    addenda: Mapped[list[NoteAddendum]] = relationship(back_populates="note", order_by="NoteAddendum.id")

    @property
    def awaiting_cosignature(self) -> bool:
        """Signed by a PT assistant while the clinic asks for co-signature, and not co-signed yet."""
        return self.status is NoteStatus.SIGNED and self.cosignature_required and self.cosigned_at is None


class NoteAddendum(Base):
    """A correction or addition to a signed note, kept with its author, time and content hash."""

    __tablename__ = "note_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("visit_notes.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))

    note: Mapped[VisitNote] = relationship(back_populates="addenda")
    author: Mapped[User] = relationship()


class Claim(Base):
    """An 837P released for a visit: the X12 text exactly as validated and sent.

    A claim is corrected only by a later claim (never edited): a replacement (frequency 7) or a void
    (frequency 8) names the claim it corrects in ``replaces_claim_id`` (at most one correction each),
    with the reason given. The visit's live claim is the one neither void nor corrected.
    """

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    coverage_id: Mapped[int] = mapped_column(ForeignKey("coverages.id"))
    control_number: Mapped[int] = mapped_column(unique=True)
    total_charge: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    x12: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    frequency_code: Mapped[ClaimFrequency] = mapped_column(enum_type(ClaimFrequency), default=ClaimFrequency.ORIGINAL)
    replaces_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(500), default="")

    visit: Mapped[Visit] = relationship()
    coverage: Mapped[Coverage] = relationship()
    created_by: Mapped[User] = relationship()
    replaces: Mapped[Claim | None] = relationship(remote_side=[id], foreign_keys=[replaces_claim_id],
                                                  back_populates="corrected_by")
    corrected_by: Mapped[Claim | None] = relationship(foreign_keys=[replaces_claim_id], back_populates="replaces",
                                                      uselist=False)

    @property
    def status(self) -> ClaimStatus:
        """Original or replacement while live; replaced or voided once corrected; void if it voids another."""
        if self.frequency_code is ClaimFrequency.VOID:
            return ClaimStatus.VOID
        if self.corrected_by is not None:
            return ClaimStatus.VOIDED if self.corrected_by.frequency_code is ClaimFrequency.VOID else ClaimStatus.REPLACED
        return ClaimStatus.REPLACEMENT if self.frequency_code is ClaimFrequency.REPLACEMENT else ClaimStatus.ORIGINAL

    @property
    def is_live(self) -> bool:
        """Whether this is the claim the payer should pay for the visit now (not void, not corrected)."""
        return self.status in (ClaimStatus.ORIGINAL, ClaimStatus.REPLACEMENT)


COSIGNATURE = frozenset({"cosigned_at", "cosigned_by_id", "cosign_sha256", "cosigned_by"})
"""The only columns of a signed note that may still change, once: its co-signature."""


@event.listens_for(VisitNote, "before_update")
def _signed_notes_are_final(_mapper: object, _connection: object, note: VisitNote) -> None:
    state = inspect(note)
    was = state.attrs.status.history.deleted
    signed_before = was[0] == NoteStatus.SIGNED if was else note.status is NoteStatus.SIGNED
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    cosigned = state.attrs.cosigned_at.history.deleted
    first_cosignature = (cosigned[0] if cosigned else note.cosigned_at) is None and changed <= COSIGNATURE
    if signed_before and not (note.cosignature_required and first_cosignature):
        raise Conflict("This note is signed and cannot change; add an addendum instead.")


@event.listens_for(NoteAddendum, "before_update")
def _addenda_are_final(_mapper: object, _connection: object, addendum: NoteAddendum) -> None:
    raise Conflict("An addendum is part of the signed record and cannot change.")
