"""The fuzz corpus's files: the C3D every C3D case is made from, and the crashers found so far."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
#: 12 s of quiet standing (BDS00001's forces and moments, 100 Hz) as a one-plate C3D; README.md says how.
TRIAL_C3D = HERE / "data" / "trial.c3d"
CRASHERS = HERE / "crashers"
#: The tester's report: 8 bytes of the parameter section changed, and ezc3d dies of a segmentation fault.
SEGFAULT = CRASHERS / "param8-660-crash.c3d"
#: One that sends ezc3d into a loop it never leaves.
HANG = CRASHERS / "param8-174-limit.c3d"


def crashers() -> list[Path]:
    """Every crasher kept, in name order."""
    return sorted(CRASHERS.glob("*.c3d"))
