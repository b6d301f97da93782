"""The EMG engine on synthetic bursts with known times and on the real example recordings: readers, filters
designed from the file's rate, four onset methods, timing between muscles, co-contraction, fatigue."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import signal

from reeducate.example_data import fetch
from reeducate.signals.emg import METHODS, analyze_emg, detect_bursts, read_emg, trigger_times
from reeducate.signals.emg.conditioning import StreamingEnvelope, band, band_pass_sos, condition, low_pass_sos
from reeducate.signals.emg.recording import emg_recording
from reeducate.signals.emg.timing import co_contraction_index, firing_order, symmetry_percent
from reeducate.signals.errors import RecordingError

RATE = 1000.0


def synthetic(onsets: list[float], *, duration_s: float = 10.0, burst_s: float = 0.4, gain: float = 12.0,
              rate: float = RATE, seed: int = 1) -> np.ndarray:
    """Gaussian noise (SD 0.01 mV) with band-limited bursts ``gain`` times stronger at known onsets."""
    rng = np.random.default_rng(seed)
    samples = rng.normal(0, 0.01, int(duration_s * rate))
    for onset in onsets:
        start, end = int(onset * rate), int((onset + burst_s) * rate)
        samples[start:end] += rng.normal(0, 0.01 * gain, end - start)
    return samples


@pytest.mark.parametrize("method", METHODS)
def test_every_method_finds_known_bursts_paired_and_close_to_their_onsets(method: str) -> None:
    truth = [1.5, 3.2, 5.0, 7.7]
    conditioned, _ = condition(synthetic(truth), RATE)
    found = detect_bursts(conditioned, RATE, method=method)  # type: ignore[arg-type]
    assert len(found.bursts) == len(truth), found.bursts
    for burst, onset in zip(found.bursts, truth, strict=True):
        assert burst.onset_s < burst.offset_s
        assert abs(burst.onset_s - onset) < 0.02
        assert abs(burst.offset_s - (onset + 0.4)) < 0.05
    assert found.method == method and found.parameters["min_burst_s"] == 0.03


def test_a_rest_is_found_and_reported_and_a_rest_given_outside_the_recording_is_refused() -> None:
    conditioned, _ = condition(synthetic([2.0, 6.0]), RATE)
    found = detect_bursts(conditioned, RATE)
    assert found.rest_s is not None and found.rest_s[1] - found.rest_s[0] >= 0.5
    assert not any(b.onset_s < found.rest_s[1] and b.offset_s > found.rest_s[0] for b in found.bursts)
    with pytest.raises(RecordingError, match="not inside the recording"):
        detect_bursts(conditioned, RATE, rest_s=(8.0, 12.0))


def test_noise_alone_gives_no_burst_and_says_why() -> None:
    conditioned, _ = condition(synthetic([]), RATE)
    found = detect_bursts(conditioned, RATE)
    assert found.bursts == ()
    assert "no contraction stands out" in found.warnings[0]


def test_short_gaps_are_merged_and_blips_shorter_than_the_minimum_dropped() -> None:
    on = np.zeros(1000, dtype=bool)
    on[100:200] = on[250:400] = True  # a 50 ms gap: one burst
    on[600:620] = True  # 20 ms: dropped
    from reeducate.signals.emg.onsets import tidy

    bursts = tidy(on, RATE, min_burst_s=0.03, merge_gap_s=0.1)
    assert [(b.onset_s, b.offset_s) for b in bursts] == [(0.1, 0.4)]


def test_filters_are_designed_from_the_rate_and_a_250_hz_file_keeps_a_band_below_nyquist() -> None:
    assert band(250.0) == (20.0, 112.5)
    assert band(2000.0) == (20.0, 450.0)
    for rate in (250.0, 1000.0, 2048.0):
        for sos in (band_pass_sos(rate), low_pass_sos(50.0, rate)):
            poles = np.concatenate([np.roots(section[3:]) for section in sos])
            assert np.all(np.abs(poles) < 1)


def test_mains_is_notched_only_where_the_spectrum_shows_it() -> None:
    clean = synthetic([2.0, 5.0])
    t = np.arange(clean.size) / RATE
    hum = clean + 0.05 * np.sin(2 * np.pi * 60 * t) + 0.02 * np.sin(2 * np.pi * 180 * t)
    assert condition(clean, RATE)[1] == ()
    filtered, lines = condition(hum, RATE)
    assert lines[:1] == (60.0,) and 180.0 in lines
    frequencies, power = signal.welch(filtered, fs=RATE, nperseg=4000)
    assert power[np.argmin(np.abs(frequencies - 60))] < 0.01 * power[np.argmin(np.abs(frequencies - 61.5))] * 100


def test_the_streaming_envelope_in_blocks_equals_one_causal_pass() -> None:
    raw = synthetic([1.0, 3.0], duration_s=5.0)
    whole = StreamingEnvelope(RATE).push(raw)
    streamed = StreamingEnvelope(RATE)
    blocks = np.concatenate([streamed.push(raw[i:i + 50]) for i in range(0, raw.size, 50)])
    np.testing.assert_allclose(blocks, whole, rtol=0, atol=1e-9)


def test_the_emggo_tibialis_at_250_hz_gives_its_documented_56_bursts() -> None:
    recording = read_emg(fetch("emg_emggo_Sample_Data.mat"))
    assert recording.rate_hz == 250.0 and recording.units == "a.u."
    result = analyze_emg(recording)
    assert abs(len(result.channels[0].bursts) - 56) <= 2
    assert any("does not state its units" in w for w in result.warnings)


def test_the_fatigue_record_median_frequency_falls_over_its_bursts() -> None:
    result = analyze_emg(read_emg(fetch("emg_biosignalsnotebooks_emg_fatigue.h5")))
    channel = result.channels[0]
    assert 26 <= len(channel.bursts) <= 32
    assert channel.fatigue is not None and channel.fatigue["falls"] and channel.fatigue["slope_hz_per_min"] < 0
    assert channel.clipped_share > 0 and any(b["clipped"] for b in channel.bursts)
    assert any("clipped" in w for w in result.warnings)


def test_the_shoulder_c3d_gives_the_firing_order_seen_on_its_envelopes() -> None:
    """Looked at on the plotted envelopes (docs/emg.md): the biceps bursts first, alone, at 0.33 s; the shoulder
    girdle and deltoids start together about 0.3 s later; supraspinatus, infraspinatus, pectoralis, triceps and
    posterior deltoid after 1.4 s."""
    recording = read_emg(fetch("emg_pyomeca_markers_analogs.c3d"))
    assert len(recording.names) == 13 and recording.units == "mV" and "Delt_ant" in recording.names
    result = analyze_emg(recording, pairs=[("Biceps", "Triceps")])
    order = {o["channel"]: o["onset_s"] for o in result.order["order"]}
    first = result.channel("Biceps").bursts[0]["onset_s"]
    assert list(order)[0] == "Biceps" and 0.25 < first < 0.4
    girdle = ["Delt_ant", "Delt_med", "Gd_dent", "Trap_sup", "Trap_inf", "Gd_dors", "Subscap"]
    assert all(0.2 < order[m] < 0.6 for m in girdle)
    assert all(order[m] > 1.0 for m in ["Supra", "Infra", "Pec", "Triceps", "Delt_post"])
    assert result.order["too_close_to_order"], "onsets within 10 ms of each other must not be put in order"
    assert 0 < result.co_contraction[0]["index_percent"] < 100


def test_readers_keep_names_rates_and_units_as_the_files_state_them() -> None:
    plux = read_emg(fetch("emg_biosignalsnotebooks_emg_bursts.h5"), channels=["channel_3=Biceps brachii"])
    assert plux.names == ("Biceps brachii",) and plux.rate_hz == 1000.0 and plux.units == "mV"
    assert abs(float(np.median(plux.data))) < 0.1  # PLUX transfer function centres the ADC on 0 mV
    text = read_emg(fetch("emg_biosppy_emg_1.txt"))
    assert text.rate_hz == 1000.0 and text.units == "a.u."
    with pytest.raises(RecordingError, match="states 1000 Hz, not 500 Hz"):
        read_emg(fetch("emg_biosppy_emg_1.txt"), rate_hz=500)


def test_a_csv_needs_its_rate_and_reads_units_and_a_time_column(tmp_path: Path) -> None:
    samples = synthetic([1.0, 2.5], duration_s=4.0)
    plain = tmp_path / "plain.csv"
    plain.write_text("VMO,VL\n" + "\n".join(f"{v:.6f},{-v:.6f}" for v in samples))
    with pytest.raises(RecordingError, match="does not state its sampling rate"):
        read_emg(plain)
    recording = read_emg(plain, rate_hz=1000, units="uV")
    assert recording.names == ("VMO", "VL") and recording.units == "mV"
    np.testing.assert_allclose(recording.data[0], samples / 1000, atol=1e-9)
    timed = tmp_path / "timed.csv"
    timed.write_text("time,VMO\n" + "\n".join(f"{i / 2000:.5f},{v:.6f}" for i, v in enumerate(samples)))
    assert read_emg(timed, units="mV").rate_hz == pytest.approx(2000.0)
    with pytest.raises(RecordingError, match="unknown EMG unit"):
        read_emg(plain, rate_hz=1000, units="furlongs")


def test_bad_files_are_refused_with_the_reason(tmp_path: Path) -> None:
    junk = tmp_path / "junk.c3d"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(RecordingError, match="not a readable C3D"):
        read_emg(junk)
    with pytest.raises(RecordingError, match="not an EMG file"):
        read_emg(tmp_path / "notes.docx")
    short = tmp_path / "short.csv"
    short.write_text("a\n" + "\n".join("0.1" for _ in range(100)))
    with pytest.raises(RecordingError, match="at least 1 s"):
        read_emg(short, rate_hz=1000)
    words = tmp_path / "words.csv"
    words.write_text("a,b\n" + "\n".join("x,1" for _ in range(3000)))
    with pytest.raises(RecordingError, match="column a is not numbers"):
        read_emg(words, rate_hz=1000)


def test_an_edf_with_bipolar_leads_and_annotated_triggers(tmp_path: Path) -> None:
    import pyedflib

    rate, seconds = 2048, 6
    hand = synthetic([2.3], duration_s=seconds, rate=rate) * 1000  # µV
    common = np.random.default_rng(3).normal(0, 200, hand.size)  # shared by both leads: cancels in the pair
    path = tmp_path / "trial.edf"
    writer = pyedflib.EdfWriter(str(path), 2, file_type=pyedflib.FILETYPE_EDFPLUS)
    headers = [{"label": label, "dimension": "uV", "sample_frequency": rate, "physical_max": 5000,
                "physical_min": -5000, "digital_max": 32767, "digital_min": -32768} for label in ("EXG1", "EXG2")]
    writer.setSignalHeaders(headers)
    writer.writeSamples([hand + common, common])
    writer.writeAnnotation(2.0, -1, "stimulus")
    writer.close()
    recording = read_emg(path, channels=["EXG1-EXG2=right hand"])
    assert recording.names == ("right hand",) and recording.rate_hz == rate
    triggers = trigger_times(recording, "event:stimulus")
    assert triggers == pytest.approx((2.0,))
    result = analyze_emg(recording, triggers_s=triggers)
    latency = result.latencies["right hand"][0]
    assert latency is not None and abs(latency - 0.3) < 0.02
    with pytest.raises(RecordingError, match="no event 'press'"):
        trigger_times(recording, "event:press")


def test_latency_against_a_reference_muscle_and_the_order_over_cycles() -> None:
    vmo = synthetic([1.0, 3.0, 5.0, 7.0], seed=2)
    vl = synthetic([1.05, 3.06, 5.04, 7.05], seed=3)
    recording = emg_recording(["VMO", "VL"], np.vstack([vmo, vl]), rate_hz=RATE, units="mV", source="test")
    result = analyze_emg(recording, reference="VMO")
    assert result.order["order"][0]["channel"] == "VMO" and result.order["cycles"] == 4
    assert result.order["too_close_to_order"] == []
    for latency, truth in zip(result.latencies["VL"], [0.05, 0.06, 0.04, 0.05], strict=True):
        assert latency is not None and abs(latency - truth) <= 0.025


def test_pairs_too_close_or_inconsistent_are_not_ordered() -> None:
    cycles = [{"A": 1.000, "B": 1.004}, {"A": 2.0, "B": 2.003}]
    assert firing_order(cycles)["too_close_to_order"][0]["first"] == "A"
    flipping = [{"A": 1.0, "B": 1.05}, {"A": 2.05, "B": 2.0}, {"A": 3.0, "B": 3.05}]
    close = firing_order(flipping)["too_close_to_order"][0]
    assert close["consistency"] == pytest.approx(0.67, abs=0.01)


def test_co_contraction_index_and_symmetry_by_their_definitions() -> None:
    a = np.array([0.0, 1.0, 1.0, 0.0])
    assert co_contraction_index(a, a) == 100.0
    assert co_contraction_index(a, np.array([1.0, 0.0, 0.0, 1.0])) == 0.0
    assert co_contraction_index(a, a / 2) == pytest.approx(200 * 1.0 / 3.0)
    assert symmetry_percent(10.0, 10.0) == 0.0 and symmetry_percent(5.0, 10.0) == 50.0
    assert symmetry_percent(0.0, 0.0) is None


def test_an_mvc_recording_gives_amplitudes_in_percent_of_it() -> None:
    burst = synthetic([2.0], duration_s=5.0)
    maximal = synthetic([1.0], duration_s=5.0, gain=40.0, burst_s=2.0, seed=9)
    recording = emg_recording(["Quadriceps"], burst, rate_hz=RATE, units="mV", source="task")
    mvc = emg_recording(["Quadriceps"], maximal, rate_hz=RATE, units="mV", source="mvc")
    row = analyze_emg(recording, mvc=mvc).channels[0].bursts[0]
    assert 15 < row["rms_mvc_percent"] < 45  # 12 / 40 of the MVC's RMS, less the filters' edges
    with pytest.raises(RecordingError, match="no channel Quadriceps"):
        analyze_emg(recording, mvc=emg_recording(["Hamstrings"], maximal, rate_hz=RATE, units="mV", source="mvc"))
