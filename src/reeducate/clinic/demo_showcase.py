"""The demo's showcase visit: one fall-risk retest recorded, documented and billed end to end.

Everything goes through the services a clinic uses: a single-leg balance clip, a walk on foot IMUs and two
surface-EMG recordings (the shoulder's 13 muscles lifting a box, the biceps repeated to fatigue) uploaded to
the open visit (and analysed), two live exercises replayed from the visit's own recordings
(labelled as replays), then, once the visit is over, the minutes per code confirmed, the note drafted,
written and signed, an addendum, and the claim released by the front desk. The recordings are real
recordings of other people (``example_data/``) standing in for the demo patient; a missing one stops the
seed with :class:`~reeducate.example_data.ExampleDataMissing` rather than leaving a part out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.models import BalanceTrial, Visit
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.schemas import EmgOptions
from reeducate.clinic.services import billing, emg, movement, notes, training
from reeducate.clinic.vocabulary import Activity, MovementKind
from reeducate.example_data import fetch

CLIP = "balancing_cam04.mp4"
WALK = "gaitmap_imu_sample.csv"
WALK_RATE_HZ = 204.8  # gaitmap's example walk (example_data/gait/README.md)
SHOULDER = "emg_pyomeca_markers_analogs.c3d"
SHOULDER_MUSCLES = {
    "Delt_ant": "Anterior deltoid", "Delt_med": "Middle deltoid", "Delt_post": "Posterior deltoid",
    "Biceps": "Biceps brachii", "Triceps": "Triceps brachii", "Trap_sup": "Upper trapezius",
    "Trap_inf": "Lower trapezius", "Gd_dent": "Serratus anterior", "Gd_dors": "Latissimus dorsi",
    "Pec": "Pectoralis major", "Supra": "Supraspinatus", "Infra": "Infraspinatus", "Subscap": "Subscapularis",
}
"""The pyomeca C3D's channel labels (example_data/emg/README.md; Gd_dent and Gd_dors: the French grand dentele
and grand dorsal) as the muscles' English names."""
FATIGUE = "emg_biosignalsnotebooks_emg_fatigue.h5"
FATIGUE_CHANNEL = "channel_2=Biceps brachii"  # the PLUX file's one EMG channel (example_data/emg/README.md)
RECORDINGS = (CLIP, WALK, SHOULDER, FATIGUE)
ACTIVITY_MINUTES = [(Activity.NEUROMUSCULAR_REEDUCATION, 23), (Activity.GAIT_TRAINING, 15)]
"""Demo data only: the minutes the therapist enters for the visit (balance work billed as 97112, the walk as 97116)."""


def record_in_visit(session: Session, clinician: Actor, visit: Visit, trials: list[BalanceTrial],
                    store: RecordingStore, *, at: datetime, height_cm: float) -> None:
    """While the visit is open: the clip, the walk, the EMG, and two exercises replayed from the visit's recordings."""
    movement.upload_recording(session, clinician, visit.id, movement.MovementUpload(
        CLIP, fetch(CLIP).read_bytes(), MovementKind.VIDEO, height_cm=height_cm), store, now=at,
        commit_before_analysis=False)
    walk = movement.upload_recording(session, clinician, visit.id, movement.MovementUpload(
        WALK, fetch(WALK).read_bytes(), MovementKind.IMU_GAIT, sensor="foot", sampling_rate_hz=WALK_RATE_HZ),
        store, now=at + timedelta(minutes=5), commit_before_analysis=False)
    shoulder = EmgOptions(channels=[f"{label}={muscle}" for label, muscle in SHOULDER_MUSCLES.items()],
                          pairs=[("Biceps brachii", "Triceps brachii")])
    for name, options, minutes in ((SHOULDER, shoulder, 10), (FATIGUE, EmgOptions(channels=[FATIGUE_CHANNEL]), 15)):
        path = fetch(name)
        emg.upload_recording(session, clinician, visit.id, emg.EmgUpload(path.name, path.read_bytes(), options), store,
                             now=at + timedelta(minutes=minutes), commit_before_analysis=False)
    training.replay_whole(session, clinician, visit.id, exercise_id="gait-training-imu", monitor=None, side="left",
                          ref=f"movement:{walk.id}", store=store)
    training.replay_whole(session, clinician, visit.id, exercise_id="two-foot-stance", monitor=None, side=None,
                          ref=f"balance:{trials[0].id}", store=store)


def document_and_bill(session: Session, clinician: Actor, therapist: Actor, desk: Actor, visit: Visit, *,
                      ended_at: datetime) -> None:
    """After the visit: minutes per code confirmed, the note written and signed, an addendum, the claim."""
    drafted = billing.drafted_charges(visit)
    billing.set_charges(session, clinician, visit.id, [
        billing.ChargeInput(c.code, c.minutes, c.assistant_minutes, c.region) for c in drafted])
    draft = notes.start_draft(session, clinician, visit.id)
    notes.edit(session, clinician, visit.id, {
        "subjective": "Reports feeling steadier when turning in the kitchen; no falls since the last visit.",
        "objective": draft.content["objective"],
        "assessment": "Balance improving with practice; still sways more with eyes closed on foam.",
        "plan": draft.content["plan"] or "Continue balance and gait training twice a week; retest in two weeks.",
    })
    notes.sign(session, clinician, visit.id, now=ended_at + timedelta(minutes=20))
    notes.add_addendum(session, therapist, visit.id,
                       "Daughter called that evening: home safely, no falls or near-falls since the visit.",
                       now=ended_at + timedelta(hours=2))
    billing.release_claim(session, desk, visit.id, now=ended_at + timedelta(hours=1))
