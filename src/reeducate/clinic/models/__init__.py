"""All tables of the clinic's records; importing this package registers them on ``Base.metadata``."""

from reeducate.clinic.models.audit import AuditEvent
from reeducate.clinic.models.auth import AuthSession, LoginAttempt
from reeducate.clinic.models.balance import BalanceTrial
from reeducate.clinic.models.billing import Claim, NoteAddendum, NoteStatus, VisitCharge, VisitNote
from reeducate.clinic.models.episodes import CareTeamMember, Diagnosis, Episode
from reeducate.clinic.models.measures import MeasureAdministration, MeasureGoal, QuestionnaireRequest
from reeducate.clinic.models.movement import MovementKind, MovementRecording
from reeducate.clinic.models.organisation import Clinic, Location, OpeningHours, Room
from reeducate.clinic.models.patients import Coverage, Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.models.scheduling import Appointment
from reeducate.clinic.models.training import ExerciseRecord, ExerciseStatus
from reeducate.clinic.models.visits import Visit, VisitActivity

__all__ = [
    "Appointment",
    "AuditEvent",
    "AuthSession",
    "BalanceTrial",
    "CareTeamMember",
    "Claim",
    "Clinic",
    "Coverage",
    "Diagnosis",
    "Episode",
    "ExerciseRecord",
    "ExerciseStatus",
    "Location",
    "LoginAttempt",
    "MeasureAdministration",
    "MeasureGoal",
    "MovementKind",
    "MovementRecording",
    "NoteAddendum",
    "NoteStatus",
    "OpeningHours",
    "Patient",
    "QuestionnaireRequest",
    "Room",
    "User",
    "Visit",
    "VisitActivity",
    "VisitCharge",
    "VisitNote",
]
