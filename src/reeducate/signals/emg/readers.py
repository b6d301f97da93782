"""Readers of surface-EMG files into an EmgRecording: C3D (ezc3d), EDF/BDF (pyedflib), PLUX OpenSignals
HDF5 (h5py), MATLAB structs (scipy.io) and delimited text with the channels, units and rate named.

Each reader keeps the channels as the file names them; ``channels`` picks and orders them (``name`` or
``name=muscle`` to rename). Only a file's EMG is analysed; its other channels stay ``auxiliary`` for
triggers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reeducate.signals.emg.recording import EmgRecording, emg_recording, millivolts_per
from reeducate.signals.errors import RecordingError

#: PLUX's EMG sensor: EMG (mV) = (ADC / 2^n - 1/2) x VCC / G with VCC 3 V and gain 1000, i.e.
#: (ADC x 3 / 2^n - 1.5) mV (PLUX, "Electromyography (EMG) sensor user manual", transfer function).
PLUX_VCC_V = 3.0
#: Labels of C3D analogs that are not EMG (Vicon/Delsys spare inputs).
NOT_EMG = re.compile(r"^(sensor\s*\d+|voltage)", re.IGNORECASE)
SUFFIXES = {".c3d": "c3d", ".edf": "edf", ".bdf": "edf", ".h5": "plux", ".hdf5": "plux", ".mat": "mat",
            ".csv": "text", ".tsv": "text", ".txt": "text"}


def read_emg(path: Path, *, channels: Sequence[str] | None = None, rate_hz: float | None = None,
             units: str | None = None) -> EmgRecording:
    """Read an EMG file by its suffix. ``rate_hz`` and ``units`` are for files that do not state them
    (text, MATLAB); a file that states them is believed, and a different value given is refused."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise RecordingError(f"{path.name}: not an EMG file Reeducate reads (C3D, EDF/BDF, OpenSignals HDF5, "
                             "MATLAB .mat, or CSV/TSV/TXT with the rate and units given).")
    recording = {"c3d": _c3d, "edf": _edf, "plux": _plux, "mat": _mat, "text": _text}[kind](path, rate_hz, units)
    return select(recording, channels) if channels else recording


def select(recording: EmgRecording, channels: Sequence[str]) -> EmgRecording:
    """The recording with only ``channels``, in that order: ``label``, ``label=muscle``, or a bipolar pair of
    monopolar leads ``A-B=muscle`` (lead A minus lead B, as BioSemi records)."""
    names, rows, renamed = [], [], {}
    for wanted in channels:
        label, _, muscle = wanted.partition("=")
        label = label.strip()
        if label not in recording.names and "-" in label:
            first, _, second = label.partition("-")
            rows.append(recording.channel(first.strip()) - recording.channel(second.strip()))
        else:
            rows.append(recording.channel(label))
            renamed[label] = muscle.strip() or label
        names.append(muscle.strip() or label)
    return emg_recording(names, np.vstack(rows), rate_hz=recording.rate_hz, units="mV" if recording.units == "mV"
                         else None, source=recording.source, auxiliary=recording.auxiliary, events=recording.events,
                         warnings=_file_warnings(recording, renamed))


def _file_warnings(recording: EmgRecording, renamed: dict[str, str]) -> tuple[str, ...]:
    """The file's warnings for the selected channels: about the file as a whole kept, a kept channel's missing
    samples under its new name; clipping is checked again on the selected channels, so not repeated here."""
    kept = []
    for warning in recording.warnings:
        if warning.startswith("The file does not state"):
            continue
        channel = next((n for n in recording.names if warning.startswith(f"{n}: ")), None)
        if channel is None:
            kept.append(warning)
        elif channel in renamed and "clipped" not in warning:
            kept.append(renamed[channel] + warning[len(channel):])
    return tuple(kept)


def _stated(given: float | None, stated: float, source: str) -> float:
    if given is not None and abs(given - stated) > 1e-6 * stated:
        raise RecordingError(f"{source}: the file states {stated:g} Hz, not {given:g} Hz; leave the rate out.")
    return stated


def _c3d(path: Path, rate_hz: float | None, units: str | None) -> EmgRecording:
    import ezc3d  # imported here: only C3D reading needs the compiled library

    from reeducate.signals.io.c3d import declared_frames

    source = path.name
    try:
        c3d = ezc3d.c3d(str(path))
    except (OSError, RuntimeError, ValueError) as error:
        raise RecordingError(f"{source}: not a readable C3D file ({error}).") from None
    declared, held = declared_frames(path), c3d["header"]["points"]["last_frame"] + 1
    if declared is not None and held < declared:
        raise RecordingError(f"{source}: the C3D file is truncated: its header declares {declared} frames, it holds "
                             f"{held}. Copy or export the file again.")
    analog = c3d["parameters"].get("ANALOG", {})
    labels = [str(label).strip() for label in analog.get("LABELS", {}).get("value", [])]
    values = np.asarray(c3d["data"]["analogs"])
    if not labels or values.size == 0:
        raise RecordingError(f"{source}: the C3D file holds no analog channels, so no EMG.")
    values = values[0]
    unit_list = [str(u).strip() for u in analog.get("UNITS", {}).get("value", [])] or ["V"] * len(labels)
    rate = _stated(rate_hz, float(c3d["header"]["analogs"]["frame_rate"]), source)
    emg_names, emg_rows, aux = [], [], {}
    for index, label in enumerate(labels):
        name = label.split(".")[0].strip() or label
        factor = millivolts_per(unit_list[index] if index < len(unit_list) else "V", source)
        if "emg" in label.lower() and not NOT_EMG.match(label):
            emg_names.append(name)
            emg_rows.append(values[index] * factor)
        else:
            aux[label] = values[index]
    if not emg_rows:
        raise RecordingError(f"{source}: none of its {len(labels)} analog channels is labelled EMG; name them "
                             "(--channels LABEL=muscle).")
    events = _c3d_events(c3d)
    return emg_recording(emg_names, np.vstack(emg_rows), rate_hz=rate, units="mV", source=source, auxiliary=aux,
                         events=events)


def _c3d_events(c3d: dict[str, Any]) -> tuple[tuple[float, str], ...]:
    event = c3d["parameters"].get("EVENT", {})
    times = np.asarray(event.get("TIMES", {}).get("value", []), dtype=float)
    labels = [str(label).strip() for label in event.get("LABELS", {}).get("value", [])]
    if times.ndim != 2 or not labels:
        return ()
    seconds = times[0] * 60 + times[1]
    return tuple(sorted(zip(map(float, seconds), labels, strict=False)))


def _edf(path: Path, rate_hz: float | None, units: str | None) -> EmgRecording:
    import pyedflib  # imported here: only EDF reading needs it

    source = path.name
    try:
        reader = pyedflib.EdfReader(str(path))
    except OSError as error:
        raise RecordingError(f"{source}: not a readable EDF/BDF file ({error}).") from None
    try:
        labels = [label.strip() for label in reader.getSignalLabels()]
        rates = [float(reader.getSampleFrequency(i)) for i in range(len(labels))]
        dims = [str(reader.getPhysicalDimension(i)).strip() for i in range(len(labels))]
        signals = [reader.readSignal(i) for i in range(len(labels))]
        onsets, _, descriptions = reader.readAnnotations()
    finally:
        reader.close()
    emg = [i for i, dim in enumerate(dims) if dim.lower() in {"v", "mv", "uv", "µv", "μv"}]
    if not emg:
        raise RecordingError(f"{source}: no channel in volts; the EDF holds {', '.join(labels)}.")
    rate = rates[emg[0]]
    if any(rates[i] != rate for i in emg):
        raise RecordingError(f"{source}: its EMG channels are sampled at different rates; export them at one rate.")
    rate = _stated(rate_hz, rate, source)
    rows = [signals[i] * millivolts_per(dims[i], source) for i in emg]
    aux = {labels[i]: signals[i] for i in range(len(labels)) if i not in emg and rates[i] == rate}
    events = tuple((float(t), str(d)) for t, d in zip(onsets, descriptions, strict=True))
    return emg_recording([labels[i] for i in emg], np.vstack(rows), rate_hz=rate, units="mV", source=source,
                         auxiliary=aux, events=events)


def _plux(path: Path, rate_hz: float | None, units: str | None) -> EmgRecording:
    import h5py  # imported here: only OpenSignals HDF5 reading needs it

    source = path.name
    try:
        with h5py.File(path, "r") as file:
            devices = [file[key] for key in file if isinstance(file[key], h5py.Group) and "raw" in file[key]]
            if not devices:
                raise RecordingError(f"{source}: an HDF5 file without an OpenSignals device group (MAC/raw).")
            names, rows = [], []
            rate = 0.0
            for device in devices:
                rate = float(device.attrs["sampling rate"])
                bits = int(np.ravel(device.attrs["resolution"])[0])
                for key in sorted(k for k in device["raw"] if k.startswith("channel_")):
                    adc = np.asarray(device["raw"][key][:, 0], dtype=float)
                    names.append(key if len(devices) == 1 else f"{device.name.strip('/')}:{key}")
                    rows.append(adc * PLUX_VCC_V / 2**bits - PLUX_VCC_V / 2)
    except (OSError, KeyError, ValueError) as error:
        raise RecordingError(f"{source}: not a readable OpenSignals HDF5 file ({error}).") from None
    if not rows:
        raise RecordingError(f"{source}: the OpenSignals file holds no channel.")
    return emg_recording(names, np.vstack(rows), rate_hz=_stated(rate_hz, rate, source), units="mV", source=source,
                         warnings=("Converted from ADC values with PLUX's EMG sensor transfer function; for another "
                                   "PLUX sensor on these channels the millivolts are wrong.",))


def _mat(path: Path, rate_hz: float | None, units: str | None) -> EmgRecording:
    import scipy.io

    source = path.name
    try:
        content = scipy.io.loadmat(str(path), squeeze_me=True, struct_as_record=False)
    except (OSError, ValueError, NotImplementedError) as error:
        raise RecordingError(f"{source}: not a readable MATLAB file ({error}; v7.3 files: save with -v7).") from None
    structs = [v for k, v in content.items() if not k.startswith("__") and hasattr(v, "_fieldnames")]
    for struct in structs:
        fields = {f.lower(): f for f in struct._fieldnames}
        data_field = next((fields[f] for f in ("channeldata", "data", "emg", "signals") if f in fields), None)
        if data_field is None:
            continue
        data = np.atleast_2d(np.asarray(getattr(struct, data_field), dtype=float))
        if data.shape[0] > data.shape[1]:
            data = data.T
        stated = next((float(getattr(struct, fields[f])) for f in ("fs", "rate", "samplingrate") if f in fields), None)
        rate = _stated(rate_hz, stated, source) if stated is not None else rate_hz
        names = [f"channel {i + 1}" for i in range(data.shape[0])]
        return emg_recording(names, data, rate_hz=rate, units=units, source=source)
    raise RecordingError(f"{source}: no struct with EMG data (a field channelData, data or emg, and fs) in the file.")


def _text(path: Path, rate_hz: float | None, units: str | None) -> EmgRecording:
    import pandas as pd

    source = path.name
    text = path.read_text(errors="replace")
    header_rate = re.search(r"sampling\s*rate[^:=\d]*[:=]+\s*([\d.]+)", text[:2000], re.IGNORECASE)
    rate = _stated(rate_hz, float(header_rate.group(1)), source) if header_rate else rate_hz
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise RecordingError(f"{source}: the file holds no samples.")
    separator = "\t" if "\t" in lines[0] else "," if "," in lines[0] else r"\s+"
    first = re.split(separator, lines[0].strip())
    has_header = any(re.search(r"[A-Za-z]", cell) for cell in first)
    from io import StringIO

    frame = pd.read_csv(StringIO("\n".join(lines)), sep=separator, header=0 if has_header else None,
                        engine="python")
    if not has_header:
        frame.columns = [f"channel {i + 1}" for i in range(frame.shape[1])]
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    bad = [str(c) for c in numeric if numeric[c].isna().mean() > 0.5]
    if bad:
        raise RecordingError(f"{source}: column {bad[0]} is not numbers; give a table of samples, one column per "
                             "channel.")
    time_column = next((c for c in numeric.columns if str(c).strip().lower() in {"time", "t", "time_s", "seconds"}),
                       None)
    if time_column is not None:
        times = numeric.pop(time_column).to_numpy(dtype=float)
        steps = np.diff(times)
        if rate is None and steps.size and np.all(steps > 0):
            rate = float(1.0 / np.median(steps))
    return emg_recording([str(c) for c in numeric.columns], numeric.to_numpy(dtype=float).T, rate_hz=rate,
                         units=units, source=source)
