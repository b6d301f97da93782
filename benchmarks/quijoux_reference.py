"""Run the Quijoux et al. 2021 reference code (github.com/Jythen/code_descriptors_postural_control)
on our recordings, for the agreement fixture and the speed benchmark. Never imported by ``src/``.

The reference is found through a path given on the command line (``--reference``) or in
``$QUIJOUX_REFERENCE``: a checkout of that repository or its bare git directory. It imports itself as
the package ``code_descriptors_postural_control``, so it is exported under that name into a temporary
folder put on ``sys.path``. Its own dependencies (pandas, scikit-learn, statsmodels) come from
``benchmarks/requirements-reference.txt``, installed by ``make bench`` in the benchmark environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from reeducate.signals.recording import CopRecording

REPOSITORY = "https://github.com/Jythen/code_descriptors_postural_control"
PACKAGE = "code_descriptors_postural_control"
SWAY_DENSITY_RADIUS_CM = 0.3  # the reference main.py's value


class ReferenceMissing(SystemExit):
    """The reference code is not where we were told; the message says how to get it."""


def _export(git_dir: Path, target: Path) -> str:
    commit = subprocess.run(["git", "--git-dir", str(git_dir), "rev-parse", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    archive = subprocess.run(["git", "--git-dir", str(git_dir), "archive", "HEAD"], check=True,
                             capture_output=True).stdout
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return commit


def load(reference: str | None) -> tuple[Any, Any, Any, str]:
    """Import the reference: its Stabilogram class, compute_all_features, sway_length, and commit."""
    location = reference or os.environ.get("QUIJOUX_REFERENCE")
    if not location or not Path(location).exists():
        raise ReferenceMissing(
            f"The Quijoux 2021 reference code was not found ({location or 'no --reference given'}).\n"
            f"Get it with: git clone {REPOSITORY}\nthen pass --reference PATH (or set QUIJOUX_REFERENCE)."
        )
    root = Path(tempfile.mkdtemp(prefix="quijoux-reference-"))
    path = Path(location)
    if (path / "descriptors").is_dir():
        (root / PACKAGE).symlink_to(path.resolve())
        commit = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True,
                                text=True).stdout.strip() or "unknown"
    else:
        commit = _export(path, root / PACKAGE)
    sys.path.insert(0, str(root))
    from code_descriptors_postural_control.descriptors import compute_all_features  # noqa: PLC0415
    from code_descriptors_postural_control.descriptors.dynamic import sway_length  # noqa: PLC0415
    from code_descriptors_postural_control.stabilogram.stato import Stabilogram  # noqa: PLC0415

    return Stabilogram, compute_all_features, sway_length, commit


def reference_values(recording: CopRecording, loaded: tuple[Any, Any, Any, str]) -> dict[str, float]:
    """The reference's descriptors for a recording: its COP (ML, AP in cm) through its own
    ``from_array`` (centring, resampling, filtering) and ``compute_all_features``, plus the path
    lengths, which it defines but leaves out of that list."""
    stabilogram_class, compute_all_features, sway_length, _ = loaded
    cop_cm = np.column_stack([recording.ml_m, recording.ap_m]) * 100.0
    stabilogram = stabilogram_class()
    if recording.is_uniform:
        stabilogram.from_array(array=cop_cm, original_frequency=recording.sampling_rate_hz)
    else:
        stabilogram.from_array(array=np.column_stack([recording.time_s, cop_cm]))
    values = compute_all_features(stabilogram, params_dic={"sway_density_radius": SWAY_DENSITY_RADIUS_CM})
    for axis in ("ML", "AP", "ML_AND_AP"):
        values.update(sway_length(stabilogram, axis=axis))
    return {key: float(value) for key, value in values.items()}
