"""The impairments the exercise library addresses, in one vocabulary with plain labels.

A technique or exercise of ``library/*.yaml`` says what it ``addresses`` with these ids (its
indications name conditions, these name the body's problem), and a finding of an evaluation
(``planning/findings.py``) indicates them: the library items whose tags match are suggested for a
problem. The tags are read from each item's indications, purpose and monitors (a fault an exercise
watches and cues, such as knee valgus, is what it retrains); they are our classification, not a
published one.
"""

from __future__ import annotations

import enum


class Impairment(enum.StrEnum):
    """One impairment or limitation a therapist can put on a problem list."""

    STATIC_BALANCE = "static-balance"
    DYNAMIC_BALANCE = "dynamic-balance"
    VISION_RELIANCE = "vision-reliance"
    SENSORY_INTEGRATION = "sensory-integration"
    GAIT_SPEED = "gait-speed"
    GAIT_PATTERN = "gait-pattern"
    SIT_TO_STAND = "sit-to-stand"
    KNEE_VALGUS = "knee-valgus"
    TRUNK_CONTROL = "trunk-control"
    LUMBOPELVIC_CONTROL = "lumbopelvic-control"
    WEIGHT_BEARING_ASYMMETRY = "weight-bearing-asymmetry"
    ANKLE_INSTABILITY = "ankle-instability"
    LOWER_LIMB_CONTROL = "lower-limb-control"
    UPPER_LIMB_CONTROL = "upper-limb-control"
    SCAPULAR_CONTROL = "scapular-control"
    SHOULDER_STABILITY = "shoulder-stability"
    NECK_POSTURE = "neck-posture"
    PROPRIOCEPTION = "proprioception"
    RANGE_OF_MOTION = "range-of-motion"

    @property
    def label(self) -> str:
        """The impairment in a therapist's plain words."""
        return LABELS[self]


LABELS: dict[Impairment, str] = {
    Impairment.STATIC_BALANCE: "Reduced static standing balance",
    Impairment.DYNAMIC_BALANCE: "Reduced dynamic balance, increased risk of falls",
    Impairment.VISION_RELIANCE: "Relies on vision to keep standing balance",
    Impairment.SENSORY_INTEGRATION: "Loses balance on a soft surface with the eyes closed (relies on vision or a firm floor)",
    Impairment.GAIT_SPEED: "Reduced walking speed",
    Impairment.GAIT_PATTERN: "Altered walking pattern (short or uneven steps)",
    Impairment.SIT_TO_STAND: "Reduced sit-to-stand performance (leg strength, transfers)",
    Impairment.KNEE_VALGUS: "Dynamic knee valgus (the knee caves in under load)",
    Impairment.TRUNK_CONTROL: "Poor trunk control during movement",
    Impairment.LUMBOPELVIC_CONTROL: "Poor control of the low back and hips when bending",
    Impairment.WEIGHT_BEARING_ASYMMETRY: "Uneven weight bearing between the legs",
    Impairment.ANKLE_INSTABILITY: "Ankle instability",
    Impairment.LOWER_LIMB_CONTROL: "Reduced control of leg movement",
    Impairment.UPPER_LIMB_CONTROL: "Reduced control of arm movement",
    Impairment.SCAPULAR_CONTROL: "Poor shoulder-blade control (the shoulder hikes)",
    Impairment.SHOULDER_STABILITY: "Reduced shoulder stability",
    Impairment.NECK_POSTURE: "Forward head posture, weak deep neck flexors",
    Impairment.PROPRIOCEPTION: "Reduced joint position sense",
    Impairment.RANGE_OF_MOTION: "Reduced range of motion or muscle length",
}
