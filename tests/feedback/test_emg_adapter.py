"""EMG biofeedback through the engine: the example recordings fed block by block to the EMG adapter, checked
against the offline detector on the same files; the hold, relax and onset-order goals with their success
rates; and replays of EMG files as the live page and ``session replay`` run them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import signal

from reeducate.example_data import fetch
from reeducate.feedback.adapters.base import Device, DeviceError
from reeducate.feedback.adapters.emg import (
    BLOCK_S,
    REFERENCE_WORDS,
    EmgAdapter,
    block_rate_hz,
    emg_samples,
    muscle_key,
    shown_muscles,
)
from reeducate.feedback.adapters.simulated import simulated_samples
from reeducate.feedback.engine import FeedbackEngine
from reeducate.feedback.replay import emg_labels, recording_samples, replay
from reeducate.signals.emg import detect_bursts, read_emg
from reeducate.signals.emg.conditioning import StreamingEnvelope, band_pass_sos, condition, low_pass_sos
from reeducate.signals.emg.recording import EmgRecording
from reeducate.training.catalogue import exercise
from reeducate.training.live import live_exercise

SHOULDER = "emg_pyomeca_markers_analogs.c3d"  # 13 shoulder muscles, 2000 Hz, V
FATIGUE = "emg_biosignalsnotebooks_emg_fatigue.h5"  # biceps, 30 contractions, 1000 Hz
BURSTS = "emg_biosignalsnotebooks_emg_bursts.h5"  # 9 contractions, 1000 Hz


def streamed(recording: EmgRecording, **options: object) -> list:
    return list(emg_samples(recording, **options))  # type: ignore[arg-type]


def states(samples: list, muscle: str) -> np.ndarray:
    return np.array([s.values[f"{muscle}_on"] for s in samples])


def test_many_channels_are_filtered_at_once_as_each_would_be_alone() -> None:
    rng = np.random.default_rng(0)
    raw = rng.normal(0, 0.1, (3, 4000))
    together = StreamingEnvelope(2000.0, channels=3)
    blocks = np.concatenate([together.push(raw[:, k:k + 100]) for k in range(0, 4000, 100)], axis=1)
    for c in range(3):
        alone = signal.sosfilt(low_pass_sos(6.0, 2000.0), np.abs(signal.sosfilt(band_pass_sos(2000.0), raw[c])))
        assert np.allclose(blocks[c], np.maximum(alone, 0.0))
    both = StreamingEnvelope(2000.0, channels=3, also_hz=50.0)
    fast_alone = StreamingEnvelope(2000.0, cutoff_hz=50.0, channels=3)
    for k in range(0, 4000, 100):  # the band-pass done once gives each envelope as its own filter does
        slow, fast = both.push_both(raw[:, k:k + 100])
        assert np.allclose(slow, blocks[:, k:k + 100]) and np.allclose(fast, fast_alone.push(raw[:, k:k + 100]))


def test_fifty_ms_blocks_give_one_sample_each_at_the_block_rate() -> None:
    shoulder = read_emg(fetch(SHOULDER))
    samples = streamed(shoulder)
    assert len(samples) == int(np.ceil(shoulder.n_samples / (BLOCK_S * shoulder.rate_hz)))
    assert block_rate_hz(2000.0) == 20.0 and block_rate_hz(250.0) == pytest.approx(250 / 12)
    assert samples[3].time_s == pytest.approx(0.15)
    assert set(samples[0].values) == {f"{m}_{s}" for m in shoulder.names for s in ("mvc", "on", "onset_s")}
    # Rest calibrates first: no state before it, then every muscle has one.
    assert np.isnan(samples[0].values["Trap_sup_on"]) and all(
        np.isfinite(samples[-1].values[f"{m}_on"]) for m in shoulder.names)


@pytest.mark.parametrize(("name", "bursts"), [(FATIGUE, 30), (BURSTS, 9)])
def test_the_streamed_on_state_agrees_with_the_offline_bursts(name: str, bursts: int) -> None:
    recording = read_emg(fetch(name))
    muscle = recording.names[0]
    offline = detect_bursts(condition(recording.data[0], recording.rate_hz)[0], recording.rate_hz).bursts
    assert len(offline) == bursts
    on = states(streamed(recording), muscle)
    t = np.arange(on.size) * BLOCK_S
    during = np.concatenate([on[(t >= b.onset_s) & (t < b.offset_s)] for b in offline])
    gaps = [(a.offset_s + 0.5, b.onset_s - 0.5) for a, b in zip(offline, offline[1:], strict=False)]
    between = np.concatenate([on[(t >= lo) & (t < hi)] for lo, hi in gaps if hi > lo])
    assert during.mean() > 0.95  # on through the offline bursts
    assert between.mean() < 0.1  # and off in the rests between them (half a second from each burst)


def test_an_onset_is_timed_to_the_sample_and_a_copy_delayed_by_40_ms_comes_on_40_ms_later() -> None:
    fatigue = read_emg(fetch(FATIGUE))
    lag = round(0.040 * fatigue.rate_hz)
    both = np.vstack([fatigue.data[0], np.concatenate([np.full(lag, fatigue.data[0, 0]), fatigue.data[0, :-lag]])])
    pair = dataclasses.replace(fatigue, names=("vastus_medialis_oblique", "vastus_lateralis"), data=both)
    samples = streamed(pair)
    leads = []
    for before, now in zip(samples, samples[1:], strict=False):
        if now.values["vastus_lateralis_on"] == 1 and before.values["vastus_lateralis_on"] == 0:
            leads.append(now.values["vastus_lateralis_onset_s"] - now.values["vastus_medialis_oblique_onset_s"])
    # The copy's rest (calibrated 40 ms later) differs a little from the original's: a few onsets of a weak
    # start cross on a different sample; nine in ten are within 2 ms.
    leads_ms = 1000 * np.array(leads)
    assert len(leads) >= 30 and np.median(leads_ms) == pytest.approx(40, abs=1)
    assert np.mean(np.abs(leads_ms - 40) <= 2) >= 0.85


def test_amplitude_is_a_percent_of_the_given_mvc_or_of_the_first_contractions_and_says_which() -> None:
    fatigue = read_emg(fetch(FATIGUE))
    muscle = fatigue.names[0]
    calibrated = streamed(fatigue)
    level = 0.5  # mV
    given = streamed(fatigue, mvc_mv={muscle: level})
    adapter = EmgAdapter(fatigue.names, rate_hz=fatigue.rate_hz)
    assert adapter.reference == "first_contractions"
    assert EmgAdapter(fatigue.names, rate_hz=fatigue.rate_hz, mvc_mv={muscle: level}).reference == "mvc"
    first = [s.values[f"{muscle}_mvc"] for s in calibrated]
    percent = np.array([s.values[f"{muscle}_mvc"] for s in given])
    assert np.isnan(first[0])  # no reference before the first contraction
    # Within the first 5 s from the first onset, the running peak is the reference: never above 100 %.
    onset = next(s.values[f"{muscle}_onset_s"] for s in calibrated if np.isfinite(s.values[f"{muscle}_onset_s"]))
    inside = [v for s, v in zip(calibrated, first, strict=True) if onset <= s.time_s < onset + 5 and np.isfinite(v)]
    assert max(inside) <= 100.0
    # %MVC is the envelope over the level: the two differ by one constant factor once calibration has ended.
    late = slice(int(20 / BLOCK_S), None)
    ratio = np.array(first[late]) / percent[late]
    assert np.nanstd(ratio) / np.nanmean(ratio) < 1e-9
    assert emg_labels({muscle: level}) == {"amplitude": REFERENCE_WORDS["mvc"]}
    assert emg_labels(None) == {"amplitude": REFERENCE_WORDS["first_contractions"]}


def test_bad_blocks_and_levels_are_refused_with_the_reason() -> None:
    adapter = EmgAdapter(("quadriceps",), rate_hz=1000.0)
    with pytest.raises(DeviceError, match="1 channels; got an array of shape") as refused:
        adapter.push(np.zeros((2, 50)))
    assert refused.value.retryable
    with pytest.raises(DeviceError, match="for every channel or for none: vastus_lateralis has none"):
        EmgAdapter(("vastus_medialis_oblique", "vastus_lateralis"), rate_hz=1000.0,
                   mvc_mv={"vastus_medialis_oblique": 0.4})
    with pytest.raises(DeviceError, match="at least one named channel"):
        EmgAdapter((), rate_hz=1000.0)


def test_the_page_sees_each_muscles_percent_and_lamp() -> None:
    values = {"quadriceps_mvc": 41.26, "quadriceps_on": 1.0, "vastus_lateralis_mvc": np.nan,
              "vastus_lateralis_on": np.nan}
    assert shown_muscles(values, ["quadriceps", "vastus_lateralis"]) == {
        "quadriceps": (41.3, True), "vastus_lateralis": (None, None)}
    assert muscle_key(" Upper trapezius ") == "upper_trapezius" and muscle_key("VMO-left") == "vmo_left"


def _replay(exercise_id: str, name: str, channels: list[str], *, target_s: float | None = None,
            mvc_mv: dict[str, float] | None = None) -> dict:
    chosen = exercise(exercise_id)
    watched = chosen.monitor()
    live = live_exercise(chosen, monitor=watched, side=None, sampling_rate_hz=1.0)
    from reeducate.feedback.replay import emg_muscles

    rate, samples = recording_samples(Device.EMG, fetch(name), channels=channels, muscles=emg_muscles(live),
                                      mvc_mv=mvc_mv)
    live = live_exercise(chosen, monitor=watched, side=None, sampling_rate_hz=rate)
    if target_s is not None:
        assert live.hold is not None
        live = dataclasses.replace(live, hold=dataclasses.replace(live.hold, target_s=target_s))
    return replay(live, samples, sampling_rate_hz=rate, labels=emg_labels(mvc_mv))


def test_an_amplitude_hold_counts_its_attempts_and_success_rate_over_the_contractions() -> None:
    # The biceps of the fatigue record standing in for a quadriceps (the holds' mechanics, not a clinical claim):
    # 30 contractions of about 2 s, the band 30-60 % of the first contractions' peak, held 1 s.
    result = _replay("quadriceps-activation-hold", FATIGUE, ["channel_2=Quadriceps"], target_s=1.0)
    summary = result["summary"]
    completed = [e for e in result["events"] if e["kind"] == "hold_completed"]
    assert summary["holds_completed"] == len(completed) > 10
    assert summary["attempts"] == len([e for e in result["events"] if e["kind"] == "hold_started"])
    assert summary["success_rate"] == round(100 * summary["successes"] / summary["attempts"], 1)
    assert summary["labels"] == {"amplitude": REFERENCE_WORDS["first_contractions"]}


def test_relaxation_is_a_hold_under_the_ceiling_broken_by_a_contraction() -> None:
    # The shoulder record's upper trapezius: active through the arm movement, quiet from about 4 s.
    result = _replay("upper-trapezius-relaxation", SHOULDER, ["Trap_sup=Upper trapezius"], target_s=1.0)
    summary = result["summary"]
    assert summary["holds_completed"] == summary["successes"] == 1
    (done,) = [e for e in result["events"] if e["kind"] == "hold_completed"]
    assert done["time_s"] > 4.0
    live = live_exercise(exercise("upper-trapezius-relaxation"), monitor=exercise("upper-trapezius-relaxation").monitor(),
                         side=None, sampling_rate_hz=20.0)
    assert live.hold is not None and (live.hold.low, live.hold.high) == (0.0, 10.0)


def test_onset_order_counts_each_activation_with_the_lead_in_ms() -> None:
    fatigue = read_emg(fetch(FATIGUE))
    lag = round(0.040 * fatigue.rate_hz)
    late = np.concatenate([np.full(lag, fatigue.data[0, 0]), fatigue.data[0, :-lag]])
    chosen = exercise("vmo-before-vl")
    for names, success in ((("vastus_medialis_oblique", "vastus_lateralis"), True),
                           (("vastus_lateralis", "vastus_medialis_oblique"), False)):
        pair = dataclasses.replace(fatigue, names=names, data=np.vstack([fatigue.data[0], late]))
        rate = block_rate_hz(pair.rate_hz)
        result = replay(live_exercise(chosen, monitor=chosen.monitor(), side=None, sampling_rate_hz=rate),
                        emg_samples(pair), sampling_rate_hz=rate)
        done = [e for e in result["events"] if e["kind"] == "repetition_completed"]
        summary = result["summary"]
        assert len(done) >= 30 and [e["count"] for e in done] == list(range(1, len(done) + 1))
        assert {e["success"] for e in done} == {success}
        assert np.median([e["lead_ms"] for e in done]) == pytest.approx(40.0 if success else -40.0, abs=1.0)
        assert summary["success_rate"] == (100.0 if success else 0.0) and summary["leads_ms"] == [
            e["lead_ms"] for e in done]
        assert any(e["kind"] == "set_complete" for e in result["events"])  # 10 a set


def test_an_activation_of_one_muscle_alone_is_not_counted_and_says_which_fired() -> None:
    chosen = exercise("vmo-before-vl")
    engine = FeedbackEngine(live_exercise(chosen, monitor=chosen.monitor(), side=None, sampling_rate_hz=20.0),
                            sampling_rate_hz=20.0)
    off = {"vastus_medialis_oblique_on": 0.0, "vastus_lateralis_on": 0.0,
           "vastus_medialis_oblique_onset_s": np.nan, "vastus_lateralis_onset_s": np.nan}
    events = engine.push(off) + engine.push({**off, "vastus_lateralis_on": 1.0, "vastus_lateralis_onset_s": 0.06})
    events += engine.push(off)
    assert [e.kind for e in events] == ["repetition_started", "repetition_incomplete"]
    assert events[-1].data["reason"] == "only vastus lateralis came on, not vastus medialis oblique"
    assert engine.summary()["attempts"] == 0 and engine.summary()["success_rate"] is None


def test_a_carried_on_exercise_adds_its_attempts_and_leads_to_the_earlier_parts() -> None:
    chosen = exercise("vmo-before-vl")
    live = live_exercise(chosen, monitor=chosen.monitor(), side=None, sampling_rate_hz=30.0)
    first = FeedbackEngine(live, sampling_rate_hz=30.0, labels={"amplitude": "% of each muscle's MVC"})
    for sample in simulated_samples(live, repetitions=2, faulty=(2,)):
        first.push(sample.values)
    before = first.summary()
    assert (before["attempts"], before["successes"], before["leads_ms"]) == (2, 1, [50.0, -50.0])
    then = FeedbackEngine(live, sampling_rate_hz=30.0, carried=before)
    for sample in simulated_samples(live, repetitions=1):
        then.push(sample.values)
    after = then.summary()
    assert (after["repetitions"], after["attempts"], after["successes"], after["success_rate"]) == (3, 3, 2, 66.7)
    assert after["leads_ms"] == [50.0, -50.0, 50.0] and after["labels"] == before["labels"]


def test_a_replay_names_the_channels_it_lacks_and_how_to_name_them() -> None:
    with pytest.raises(DeviceError, match=r"no channel named vastus_medialis_oblique.*\(e.g. Delt_ant="):
        recording_samples(Device.EMG, fetch(SHOULDER), muscles=("vastus_medialis_oblique",))
