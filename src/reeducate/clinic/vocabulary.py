"""The controlled vocabularies of the clinic's records (stored as their string values)."""

from __future__ import annotations

import enum

from reeducate.billing.x12.frequency import (
    ClaimFrequency as ClaimFrequency,  # an X12 code, kept with the 837P
)


class Role(enum.StrEnum):
    """What a person does in the clinic; decides what they may see and do."""

    ADMIN = "admin"
    PHYSICAL_THERAPIST = "physical_therapist"
    PT_ASSISTANT = "pt_assistant"
    CHIROPRACTOR = "chiropractor"
    FRONT_DESK = "front_desk"
    PATIENT = "patient"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.PHYSICAL_THERAPIST: "Physical therapist",
    Role.PT_ASSISTANT: "PT assistant",
    Role.CHIROPRACTOR: "Chiropractor",
    Role.FRONT_DESK: "Front desk",
    Role.PATIENT: "Patient",
}

CLINICIANS = frozenset({Role.PHYSICAL_THERAPIST, Role.PT_ASSISTANT, Role.CHIROPRACTOR})
"""Roles that treat patients and see clinical content."""

EVALUATING_CLINICIANS = frozenset({Role.PHYSICAL_THERAPIST, Role.CHIROPRACTOR})
"""Roles licensed to evaluate and open an episode of care (a PT assistant treats under a PT's plan)."""

STAFF = frozenset(set(Role) - {Role.PATIENT})


class Sex(enum.StrEnum):
    """Administrative sex, as FHIR's AdministrativeGender value set."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class AdministrationSource(enum.StrEnum):
    """Who entered an outcome measure: a clinician in a visit, or the patient in the portal."""

    CLINICIAN = "clinician"
    PATIENT_PORTAL = "patient_portal"


class PlanKind(enum.StrEnum):
    """The kind of insurance plan, which decides the billing rules that apply."""

    MEDICARE = "medicare"
    COMMERCIAL = "commercial"
    AUTO_PIP = "auto_pip"
    WORKERS_COMP = "workers_comp"
    SELF_PAY = "self_pay"

    @property
    def label(self) -> str:
        return {
            PlanKind.MEDICARE: "Medicare",
            PlanKind.COMMERCIAL: "Commercial",
            PlanKind.AUTO_PIP: "Auto / PIP",
            PlanKind.WORKERS_COMP: "Workers' compensation",
            PlanKind.SELF_PAY: "Self-pay",
        }[self]


class SubscriberRelationship(enum.StrEnum):
    """The patient's relationship to the person who holds the insurance (the subscriber)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"

    @property
    def label(self) -> str:
        return "Self (the patient holds the plan)" if self is SubscriberRelationship.SELF else self.value.capitalize()


class Condition(enum.StrEnum):
    """The condition an episode of care treats."""

    KNEE_REPLACEMENT = "knee_replacement"
    HIP_REPLACEMENT = "hip_replacement"
    ACL_RECONSTRUCTION = "acl_reconstruction"
    SHOULDER_REPAIR = "shoulder_repair"
    WHIPLASH = "whiplash"
    MOTOR_VEHICLE_INJURY = "motor_vehicle_injury"
    CHRONIC_LOW_BACK_PAIN = "chronic_low_back_pain"
    SCIATICA = "sciatica"
    NECK_PAIN = "neck_pain"
    FALL_RISK = "fall_risk"
    STROKE = "stroke"
    NEUROLOGICAL_OTHER = "neurological_other"
    SPORTS_INJURY = "sports_injury"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _CONDITION_LABELS[self]


_CONDITION_LABELS = {
    Condition.KNEE_REPLACEMENT: "Post-surgical: knee replacement",
    Condition.HIP_REPLACEMENT: "Post-surgical: hip replacement",
    Condition.ACL_RECONSTRUCTION: "Post-surgical: ACL reconstruction",
    Condition.SHOULDER_REPAIR: "Post-surgical: shoulder repair",
    Condition.WHIPLASH: "Whiplash",
    Condition.MOTOR_VEHICLE_INJURY: "Other car-accident injury",
    Condition.CHRONIC_LOW_BACK_PAIN: "Chronic low back pain",
    Condition.SCIATICA: "Sciatica",
    Condition.NECK_PAIN: "Neck pain",
    Condition.FALL_RISK: "Fall risk and balance",
    Condition.STROKE: "Stroke",
    Condition.NEUROLOGICAL_OTHER: "Other neurological",
    Condition.SPORTS_INJURY: "Sports injury",
    Condition.OTHER: "Other",
}

SURGICAL_CONDITIONS = frozenset(
    {
        Condition.KNEE_REPLACEMENT,
        Condition.HIP_REPLACEMENT,
        Condition.ACL_RECONSTRUCTION,
        Condition.SHOULDER_REPAIR,
    }
)


class EpisodeStatus(enum.StrEnum):
    ACTIVE = "active"
    DISCHARGED = "discharged"


class DischargeReason(enum.StrEnum):
    """Why an episode of care ended (the PT's discharge; "other" is explained in the discharge note)."""

    GOALS_MET = "goals_met"
    PLATEAUED = "plateaued"
    PATIENT_REQUEST = "patient_request"
    NON_ATTENDANCE = "non_attendance"
    REFERRED_ON = "referred_on"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            DischargeReason.GOALS_MET: "Goals met",
            DischargeReason.PLATEAUED: "Progress plateaued",
            DischargeReason.PATIENT_REQUEST: "At the patient's request",
            DischargeReason.NON_ATTENDANCE: "Stopped attending",
            DischargeReason.REFERRED_ON: "Referred on to another provider",
            DischargeReason.OTHER: "Other",
        }[self]


class AppointmentKind(enum.StrEnum):
    EVALUATION = "evaluation"
    TREATMENT = "treatment"
    RE_EVALUATION = "re_evaluation"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()


EVALUATING_KINDS = frozenset({AppointmentKind.EVALUATION, AppointmentKind.RE_EVALUATION})
"""Appointments only a clinician who evaluates may hold (a PT assistant treats under a PT's plan)."""


class AppointmentStatus(enum.StrEnum):
    """Life of an appointment: requested -> booked -> checked in -> completed, or cancelled, cancelled
    late (within the clinic's notice before the start) or no-show."""

    REQUESTED = "requested"
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        if self is AppointmentStatus.LATE_CANCELLED:
            return "Late cancellation"
        return self.value.replace("_", " ").capitalize()


SLOT_HOLDING = frozenset(
    {AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED}
)
"""Statuses whose appointment occupies its provider and room (a mere request does not)."""


class VisitStatus(enum.StrEnum):
    """Life of a visit: checked in -> in progress (the first minutes, measure, recording or exercise)
    -> completed (with its minutes; afterwards only the note, addenda and billing change)."""

    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Activity(enum.StrEnum):
    """What the clinician spent a visit's minutes on (billing maps these to codes later)."""

    EVALUATION = "evaluation"
    RE_EVALUATION = "re_evaluation"
    NEUROMUSCULAR_REEDUCATION = "neuromuscular_reeducation"
    THERAPEUTIC_EXERCISE = "therapeutic_exercise"
    THERAPEUTIC_ACTIVITIES = "therapeutic_activities"
    GAIT_TRAINING = "gait_training"
    MANUAL_THERAPY = "manual_therapy"
    CHIROPRACTIC_MANIPULATION = "chiropractic_manipulation"
    PATIENT_EDUCATION = "patient_education"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


EVALUATING_ACTIVITIES = frozenset({Activity.EVALUATION, Activity.RE_EVALUATION})
"""Minutes only a clinician who evaluates may have spent."""


class MovementKind(enum.StrEnum):
    """What a movement recording of a visit is: a camera clip, a gait IMU file, or a joint position sense
    test (a clip or an IMU file of targets shown and reproduced; its options say which)."""

    VIDEO = "video"
    IMU_GAIT = "imu_gait"
    JOINT_POSITION_SENSE = "joint_position_sense"


class JobKind(enum.StrEnum):
    """What a background job does: analyse an upload kept in the recording store and add its result
    to the visit (a camera clip or IMU file; a set of force-plate trials, all or nothing)."""

    MOVEMENT_RECORDING = "movement_recording"
    BALANCE_TRIALS = "balance_trials"
    EMG_RECORDING = "emg_recording"


class JobStatus(enum.StrEnum):
    """Where a background job stands: waiting for a worker, being run, finished with its result kept,
    or refused with the reason (the file cannot be analysed, or the visit was completed meanwhile)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED)


class ExerciseStatus(enum.StrEnum):
    """Where an exercise done under live feedback stands."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"  # ended with no repetition or hold done: never "completed"
    STOPPED_FOR_PAIN = "stopped_for_pain"
    INTERRUPTED = "interrupted"  # the connection broke: what was counted up to then is kept


class ExerciseSource(enum.StrEnum):
    """Where a live exercise's samples came from, which decides what the record may claim."""

    CAMERA = "camera"  # the patient, live
    RECORDING = "recording"  # a recording of the visit replayed: the patient's, but not live
    SIMULATED = "simulated"  # a made-up patient: a demonstration, never the patient's performance
    DEVICE = "device"  # the patient, live, posed by their own browser: only landmarks reach the server

    @property
    def label(self) -> str:
        return {
            ExerciseSource.CAMERA: "Live camera",
            ExerciseSource.RECORDING: "Replay of a recording of this visit",
            ExerciseSource.SIMULATED: "Simulated patient — demonstration, not the patient's performance",
            ExerciseSource.DEVICE: "Live camera, pose on this device",
        }[self]

    @property
    def is_the_patients(self) -> bool:
        """False for a simulated patient: its runs stay out of every note and of the patient's minutes."""
        return self is not ExerciseSource.SIMULATED


class HomeSessionKind(enum.StrEnum):
    """How a home exercise session was done, which decides what its record may claim."""

    GUIDED = "guided"  # watched by the patient's own camera, pose on the device: measured
    TICKED = "ticked"  # the patient said it was done: entered, nothing measured

    @property
    def label(self) -> str:
        return {HomeSessionKind.GUIDED: "Guided by the camera (measured)",
                HomeSessionKind.TICKED: "Marked done by the patient (entered)"}[self]


class RtmActivity(enum.StrEnum):
    """What a clinician's logged remote-monitoring minutes were spent on."""

    DATA_REVIEW = "data_review"
    PROGRAMME_CHANGE = "programme_change"
    INTERACTIVE = "interactive"  # a real-time call (audio or video) with the patient or caregiver
    SETUP_EDUCATION = "setup_education"

    @property
    def label(self) -> str:
        return {RtmActivity.DATA_REVIEW: "Reviewed the home data",
                RtmActivity.PROGRAMME_CHANGE: "Changed the home programme",
                RtmActivity.INTERACTIVE: "Talked with the patient (real time)",
                RtmActivity.SETUP_EDUCATION: "Set-up and education"}[self]


class NoteStatus(enum.StrEnum):
    """A visit note is a draft until signed; signed is final."""

    DRAFT = "draft"
    SIGNED = "signed"


class NoteTemplate(enum.StrEnum):
    """Which sections a visit note has: the daily treatment note, or an evaluation's or re-evaluation's.

    Stored in the note's content (``content["template"]``); a note without one is a daily note.
    """

    DAILY = "daily"
    EVALUATION = "evaluation"
    RE_EVALUATION = "re_evaluation"

    @property
    def label(self) -> str:
        return {NoteTemplate.DAILY: "Daily note", NoteTemplate.EVALUATION: "Evaluation",
                NoteTemplate.RE_EVALUATION: "Re-evaluation"}[self]


class ProblemStatus(enum.StrEnum):
    """A problem proposed from a finding waits for the therapist: accepted into the plan, or rejected."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class GoalTerm(enum.StrEnum):
    SHORT = "short"
    LONG = "long"

    @property
    def label(self) -> str:
        return {GoalTerm.SHORT: "Short-term", GoalTerm.LONG: "Long-term"}[self]


class GoalStatus(enum.StrEnum):
    """A goal is active until marked met (who and when), judged not met at discharge, or discontinued."""

    ACTIVE = "active"
    MET = "met"
    NOT_MET = "not_met"
    DISCONTINUED = "discontinued"

    @property
    def label(self) -> str:
        return {GoalStatus.ACTIVE: "In progress", GoalStatus.MET: "Met", GoalStatus.NOT_MET: "Not met",
                GoalStatus.DISCONTINUED: "Discontinued"}[self]


class ReportKind(enum.StrEnum):
    """An episode's reports beyond the visit notes: progress reports and the discharge summary."""

    PROGRESS_REPORT = "progress_report"
    DISCHARGE_SUMMARY = "discharge_summary"

    @property
    def label(self) -> str:
        return {ReportKind.PROGRESS_REPORT: "Progress report",
                ReportKind.DISCHARGE_SUMMARY: "Discharge summary"}[self]


class ClaimStatus(enum.StrEnum):
    """Where a released claim stands: still the visit's live claim (an original or a replacement), or
    corrected by a later claim (replaced, voided), or itself the void of another."""

    ORIGINAL = "original"
    REPLACEMENT = "replacement"
    REPLACED = "replaced"
    VOIDED = "voided"
    VOID = "void"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class AuditAction(enum.StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DENIED = "denied"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    EXPORT = "export"
    RESTORE = "restore"
