"""The typed surface-EMG recording every reader produces: named channels in millivolts, one rate.

Amplitudes are in mV whenever the file says what its units are (V, mV or µV, or an ADC whose sensor's
transfer function is known); a file that does not say is kept in its own units and marked ``a.u.`` so that
no amplitude is ever shown as millivolts by guess. Timing (onsets, order, latency) needs no units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reeducate.signals.errors import RecordingError

#: Millivolts per unit, for the units a file or a person may state.
MV_PER_UNIT = {"v": 1000.0, "mv": 1.0, "uv": 0.001, "µv": 0.001, "μv": 0.001}
#: The label of amplitudes whose units the file does not state (arbitrary units).
ARBITRARY = "a.u."
#: Surface EMG carries its power between about 20 and 450 Hz; a rate below this cannot show onsets
#: to the millisecond and leaves too little band above the 20 Hz high-pass (our setting).
MIN_RATE_HZ = 100.0
MAX_RATE_HZ = 20_000.0
#: A channel counts as clipped when this many samples sit at its extreme values (flat tops), a run the
#: noise of a real peak never makes (our setting).
MIN_CLIPPED_SAMPLES = 10
#: Shortest recording analysed (s): a rest segment and one burst need at least this (our setting).
MIN_DURATION_S = 1.0


def millivolts_per(unit: str, source: str) -> float:
    """The factor from a stated unit to mV, or a refusal naming the units that are understood."""
    factor = MV_PER_UNIT.get(unit.strip().lower())
    if factor is None:
        raise RecordingError(f"{source}: unknown EMG unit {unit!r}; give V, mV or uV.")
    return factor


@dataclass(frozen=True)
class EmgRecording:
    """Channels (channel, sample) in ``units`` at ``rate_hz``; ``names`` are the muscles or labels as the
    file or the person named them. ``auxiliary`` holds the file's other channels (triggers, force,
    switches) by name, same rate; ``events`` the file's own marked times (s) by label."""

    names: tuple[str, ...]
    data: np.ndarray
    rate_hz: float
    units: str
    source: str
    auxiliary: dict[str, np.ndarray] = field(default_factory=dict)
    events: tuple[tuple[float, str], ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def n_samples(self) -> int:
        return int(self.data.shape[1])

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.rate_hz

    def channel(self, name: str) -> np.ndarray:
        """One channel's samples by its name (EMG first, then auxiliary), or a refusal listing the names."""
        if name in self.names:
            return self.data[self.names.index(name)]
        if name in self.auxiliary:
            return self.auxiliary[name]
        known = ", ".join((*self.names, *self.auxiliary)) or "none"
        raise RecordingError(f"{self.source}: no channel named {name!r}; the channels are: {known}.")


def clipped_share(samples: np.ndarray) -> float:
    """Share of samples at the channel's extreme values when they form flat tops (0 when they do not)."""
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return 0.0
    low, high = float(finite.min()), float(finite.max())
    tolerance = (high - low) * 1e-6
    at_rail = int(np.count_nonzero(finite >= high - tolerance)) + int(np.count_nonzero(finite <= low + tolerance))
    return at_rail / finite.size if at_rail >= MIN_CLIPPED_SAMPLES else 0.0


def emg_recording(names: list[str] | tuple[str, ...], data: np.ndarray, *, rate_hz: float | None, units: str | None,
                  source: str, auxiliary: dict[str, np.ndarray] | None = None,
                  events: tuple[tuple[float, str], ...] = (), warnings: tuple[str, ...] = ()) -> EmgRecording:
    """Check the rate, shape and values; convert to mV when the units are stated; say what is clipped."""
    if rate_hz is None:
        raise RecordingError(f"{source}: the file does not state its sampling rate; give it (--rate-hz, e.g. 1000).")
    if not np.isfinite(rate_hz) or not MIN_RATE_HZ <= rate_hz <= MAX_RATE_HZ:
        raise RecordingError(f"{source}: a sampling rate of {rate_hz:g} Hz is outside {MIN_RATE_HZ:g}-"
                             f"{MAX_RATE_HZ:g} Hz; surface EMG needs at least {MIN_RATE_HZ:g} Hz. Check the rate given.")
    values = np.array(data, dtype=float)  # a copy: gaps are filled in place
    if values.ndim == 1:
        values = values[np.newaxis, :]
    if values.ndim != 2 or values.shape[0] != len(names) or values.shape[0] == 0:
        raise RecordingError(f"{source}: no EMG channel to analyse.")
    if len(set(names)) != len(names):
        raise RecordingError(f"{source}: two channels have the same name; name each muscle once.")
    if values.shape[1] / rate_hz < MIN_DURATION_S:
        raise RecordingError(f"{source}: {values.shape[1] / rate_hz:.2f} s of EMG; at least {MIN_DURATION_S:g} s "
                             "(a rest and a contraction) is needed.")
    notes = list(warnings)
    for name, samples in zip(names, values, strict=True):
        missing = np.count_nonzero(~np.isfinite(samples))
        if missing > samples.size // 2:
            raise RecordingError(f"{source}: channel {name} is mostly empty ({missing} of {samples.size} samples).")
        if missing:
            notes.append(f"{name}: {missing} missing samples were set to zero.")
            samples[~np.isfinite(samples)] = 0.0
        share = clipped_share(samples)
        if share:
            notes.append(f"{name}: clipped in {100 * share:.2g} % of samples (the amplifier's limit); amplitudes "
                         "and frequencies of its strongest contractions are underestimated.")
    label = ARBITRARY
    if units is not None:
        values = values * millivolts_per(units, source)
        label = "mV"
    else:
        notes.append("The file does not state its units: amplitudes are in its own units (a.u.); timing is "
                     "unaffected. Give the units (--units mV, uV or V) to read millivolts.")
    aux = {name: np.asarray(v, dtype=float) for name, v in (auxiliary or {}).items()}
    return EmgRecording(tuple(names), values, float(rate_hz), label, source, aux, events, tuple(notes))
