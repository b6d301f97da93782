"""The ``reeducate`` command, built to answer at once.

The clinic's own commands (clinic.py) sit at the root; every other group is named here with its help
and its module is imported only when one of its commands is asked for (lazy.py). Each command then
imports the engine it runs, so `reeducate --help` or `reeducate billing units` load neither numpy, nor
the database, nor the ICD-10-CM table (tests/test_cli_startup.py keeps it so). output.py holds the
console and the one refusal (exit status 2) that every group uses.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from reeducate.cli.clinic import app as clinic_app
from reeducate.cli.lazy import LazyGroup

GROUPS: tuple[tuple[str, str, str], ...] = (  # name, help, where its commands are
    ("measures", "Standardised outcome measures: definitions, scoring, change.", "reeducate.cli.measures:app"),
    ("balance", "Posturography: centre-of-pressure descriptors from force plates.", "reeducate.cli.balance:app"),
    ("video", "Movement from one camera: joint angles, range of motion, posture, gait.",
     "reeducate.cli.movement:video_app"),
    ("movement", "Movement from two or more calibrated cameras: calibration, 3-D joint angles.",
     "reeducate.cli.multiview:app"),
    ("gait", "Gait from wearable IMUs (foot or lower back).", "reeducate.cli.movement:gait_app"),
    ("emg", "Surface EMG: muscle onsets, firing order, co-contraction, fatigue.", "reeducate.cli.emg:app"),
    ("jps", "Joint position sense: targets reproduced without vision, from a clip or an IMU.",
     "reeducate.cli.jps:app"),
    ("exercises", "The exercise library: techniques, exercises, their signals, targets and cues.",
     "reeducate.cli.training:exercises_app"),
    ("session", "Live feedback sessions run from recorded files.", "reeducate.cli.training:session_app"),
    ("billing", "Billing rules: timed units, evaluation complexity, X12 validation.", "reeducate.cli.billing:app"),
    ("reminders", "Exercise reminders by e-mail (sent once a minute by the job workers; here by hand).",
     "reeducate.cli.reminders:app"),
)


class _Root(TyperGroup):
    """The root: the clinic's commands, then every group of GROUPS, not yet loaded."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, help, target in GROUPS:
            self.add_command(LazyGroup(name=name, help=help, target=target))


app = typer.Typer(cls=_Root, help="Reeducate: neuromuscular reeducation clinics.", no_args_is_help=True)
app.add_typer(clinic_app)
