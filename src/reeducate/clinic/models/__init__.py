"""All tables of the clinic's records; importing this package registers them on ``Base.metadata``."""

from reeducate.clinic.models.audit import AuditEvent
from reeducate.clinic.models.auth import AuthSession, LoginAttempt
from reeducate.clinic.models.balance import BalanceTrial
from reeducate.clinic.models.billing import Claim, NoteAddendum, VisitCharge, VisitNote
from reeducate.clinic.models.counters import Counter
from reeducate.clinic.models.emg import EmgRecording
from reeducate.clinic.models.episodes import CareTeamMember, Diagnosis, Episode
from reeducate.clinic.models.home import (
    HomeProgramme,
    HomeProgrammeItem,
    HomeProgrammeVersion,
    HomeReminder,
    HomeSession,
    RtmSetup,
    RtmTimeEntry,
)
from reeducate.clinic.models.jobs import Job, JobFile
from reeducate.clinic.models.measures import MeasureAdministration, QuestionnaireRequest
from reeducate.clinic.models.movement import MovementRecording
from reeducate.clinic.models.organisation import Clinic, Location, OpeningHours, Room
from reeducate.clinic.models.patients import Coverage, Patient
from reeducate.clinic.models.people import User
from reeducate.clinic.models.plan import EpisodeReport, Goal, PlanOfCare, Problem, ReportAddendum
from reeducate.clinic.models.scheduling import Appointment, AppointmentSeries, AppointmentSeriesMember
from reeducate.clinic.models.training import ExerciseRecord
from reeducate.clinic.models.visits import Visit, VisitActivity

__all__ = [
    "Appointment",
    "AppointmentSeries",
    "AppointmentSeriesMember",
    "AuditEvent",
    "AuthSession",
    "BalanceTrial",
    "CareTeamMember",
    "Claim",
    "Clinic",
    "Counter",
    "Coverage",
    "Diagnosis",
    "EmgRecording",
    "Episode",
    "EpisodeReport",
    "ExerciseRecord",
    "Goal",
    "HomeProgramme",
    "HomeProgrammeItem",
    "HomeProgrammeVersion",
    "HomeReminder",
    "HomeSession",
    "Job",
    "JobFile",
    "Location",
    "LoginAttempt",
    "MeasureAdministration",
    "MovementRecording",
    "NoteAddendum",
    "OpeningHours",
    "Patient",
    "PlanOfCare",
    "Problem",
    "QuestionnaireRequest",
    "ReportAddendum",
    "Room",
    "RtmSetup",
    "RtmTimeEntry",
    "User",
    "Visit",
    "VisitActivity",
    "VisitCharge",
    "VisitNote",
]
