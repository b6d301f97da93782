"""What each role may do, said once: the services refuse with these role sets, and pages read the
same facts (``login.can.release_claims``) instead of comparing role names, so a button is shown
exactly when the service behind it would accept the click.

Record-dependent facts (may *this* note still be signed, is *this* claim released) are decided by
the page from the record; the role part always comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from reeducate.clinic.vocabulary import CLINICIANS, EVALUATING_CLINICIANS, STAFF, Role

SEE_CLINICAL = CLINICIANS
"""Staff who see clinical content (episodes, visits, notes); front desk and administrators do not."""
EVALUATE = EVALUATING_CLINICIANS
"""Open and discharge episodes, evaluate, resume an exercise stopped for pain (not a PT assistant)."""
PLAN = EVALUATING_CLINICIANS
"""Accept problems, set and judge goals, write and sign the plan of care, progress reports and the
discharge summary (Medicare Benefit Policy Manual ch. 15 section 220.3 D: the progress report is the
clinician's; an assistant may write elements of it, never sign it)."""
TRACK_CERTIFICATION = STAFF
"""Record the physician's certification of a plan as it arrives (sent, verbal order, signed, scan):
in most clinics the front desk does the faxing; the plan's clinical content stays the clinicians'."""
TREAT = CLINICIANS
"""Record minutes, measures, recordings and live exercises; write and sign visit notes."""
PRESCRIBE_HOME = CLINICIANS
"""Write and change a patient's home programme (an assistant progresses it within the plan of care)."""
MONITOR_REMOTELY = CLINICIANS
"""Record remote therapeutic monitoring: its set-up and education, minutes spent, flags reviewed. A PT
assistant may furnish RTM under general supervision: the CY 2023 PFS final rule allowed general supervision
for RTM (87 FR 69649); the CY 2024 PFS final rule extended it to PTs in private practice supervising their
assistants (42 CFR 410.59(a)(3)(ii))."""
BILL = frozenset(STAFF - {Role.PT_ASSISTANT})
"""Release and correct claims, check eligibility (the front desk, administrators, PTs and DCs)."""
SEE_BILLING = STAFF
"""See a visit's codes, units and claims."""
REGISTER = STAFF
"""Register patients, edit demographics and coverage, book and check in."""
ADMINISTER = frozenset({Role.ADMIN})
"""Users, locations, rooms, hours, fee schedule, clinic settings, the audit log."""
USE_PORTAL = frozenset({Role.PATIENT})
"""The patient's own portal."""


@dataclass(frozen=True)
class Permissions:
    """The facts a page needs about what the logged-in person may do, whatever the record."""

    see_clinical: bool
    evaluate: bool
    plan: bool
    track_certification: bool
    treat: bool
    prescribe_home: bool
    monitor_remotely: bool
    bill: bool
    see_billing: bool
    register: bool
    administer: bool
    use_portal: bool


_SETS = {
    "see_clinical": SEE_CLINICAL,
    "evaluate": EVALUATE,
    "plan": PLAN,
    "track_certification": TRACK_CERTIFICATION,
    "treat": TREAT,
    "prescribe_home": PRESCRIBE_HOME,
    "monitor_remotely": MONITOR_REMOTELY,
    "bill": BILL,
    "see_billing": SEE_BILLING,
    "register": REGISTER,
    "administer": ADMINISTER,
    "use_portal": USE_PORTAL,
}


def of(role: Role | None) -> Permissions:
    """What ``role`` may do (nothing, for no role)."""
    return Permissions(**{name: role in roles for name, roles in _SETS.items()})
