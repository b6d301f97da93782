"""A two-muscle EMG file whose onset order is known without the code under test: the first seconds of the PLUX
fatigue record (a real biceps, a contraction every 4 s) as "VMO", and the same samples ``lead_s`` later as
"VL", so in every activation VMO comes on first by ``lead_s``. CSV in mV at 1000 Hz (the rate not stated, as
an export without a header gives it)."""

from __future__ import annotations

import io

import numpy as np

from reeducate.example_data import fetch
from reeducate.signals.emg import read_emg

RATE_HZ = 1000.0
#: The channels as a clinician names them on upload.
CHANNELS = ["VMO=Vastus medialis oblique", "VL=Vastus lateralis"]


def vmo_vl_csv(seconds: float = 13.0, lead_s: float = 0.040) -> bytes:
    fatigue = read_emg(fetch("emg_biosignalsnotebooks_emg_fatigue.h5"))
    assert fatigue.rate_hz == RATE_HZ
    n, lag = int(seconds * RATE_HZ), int(lead_s * RATE_HZ)
    vmo = fatigue.data[0, :n]
    vl = np.concatenate([np.full(lag, vmo[0]), vmo[:-lag]])
    out = io.StringIO()
    out.write("VMO,VL\n")
    np.savetxt(out, np.column_stack([vmo, vl]), fmt="%.6f", delimiter=",")
    return out.getvalue().encode()
