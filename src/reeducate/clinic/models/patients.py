"""Patients: demographics, contact and insurance coverage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reeducate.clinic.db import Base, UTCDateTime, enum_type, utcnow
from reeducate.clinic.models.organisation import Clinic
from reeducate.clinic.vocabulary import PlanKind, Sex, SubscriberRelationship


class Patient(Base):
    """A person treated by the clinic; the medical record number (MRN) is unique per clinic."""

    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("clinic_id", "mrn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    mrn: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(enum_type(Sex))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address_line: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(40), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(200), default="")
    emergency_contact_relationship: Mapped[str] = mapped_column(String(60), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clinic: Mapped[Clinic] = relationship()
    coverages: Mapped[list[Coverage]] = relationship(
        back_populates="patient", order_by="Coverage.priority"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        """Age in completed years on ``day``."""
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday


class Coverage(Base):
    """An insurance plan that pays for the patient's care; priority 1 is primary."""

    __tablename__ = "coverages"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    plan_kind: Mapped[PlanKind] = mapped_column(enum_type(PlanKind))
    payer_name: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[str] = mapped_column(String(60), default="")
    group_number: Mapped[str] = mapped_column(String(60), default="")
    claim_number: Mapped[str] = mapped_column(
        String(60), default="", doc="Auto/PIP or workers' compensation claim number."
    )
    priority: Mapped[int] = mapped_column(default=1)
    is_active: Mapped[bool] = mapped_column(default=True)
    payer_id: Mapped[str] = mapped_column(String(80), default="", doc="The payer's X12 identifier (NM109).")
    unit_rule: Mapped[str | None] = mapped_column(
        String(3), doc="cms or ama; empty means the plan's default (Medicare: cms, others: ama)."
    )
    eligibility_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    eligibility_status: Mapped[str] = mapped_column(String(20), default="")
    eligibility: Mapped[dict[str, Any] | None] = mapped_column(JSON, doc="The payer's last 271 answer, read.")
    subscriber_relationship: Mapped[SubscriberRelationship] = mapped_column(
        enum_type(SubscriberRelationship), default=SubscriberRelationship.SELF,
        doc="The patient's relationship to the plan's holder; the subscriber_* fields are empty when self.",
    )
    subscriber_first_name: Mapped[str] = mapped_column(String(100), default="")
    subscriber_last_name: Mapped[str] = mapped_column(String(100), default="")
    subscriber_date_of_birth: Mapped[date | None] = mapped_column(Date)
    subscriber_sex: Mapped[Sex | None] = mapped_column(enum_type(Sex))

    patient: Mapped[Patient] = relationship(back_populates="coverages")

    @property
    def has_payer(self) -> bool:
        """Whether someone other than the patient pays (self-pay has no payer to ask or bill)."""
        return self.plan_kind is not PlanKind.SELF_PAY

    @property
    def patient_is_subscriber(self) -> bool:
        return self.subscriber_relationship is SubscriberRelationship.SELF

    @property
    def subscriber_name(self) -> str:
        """Who holds the plan: the patient, or the subscriber named on the coverage."""
        if self.patient_is_subscriber:
            return self.patient.full_name
        return f"{self.subscriber_first_name} {self.subscriber_last_name}"
