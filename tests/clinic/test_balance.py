"""Force-plate trials in the clinic: uploaded to a visit with their conditions, raw files kept by
SHA-256, results as the engine computes them, nothing kept when any file of an upload is refused."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import BalanceTrial, User
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import balance
from reeducate.signals.balance import analyze_cop
from reeducate.signals.io import read_cop
from reeducate.signals.posturography.clinical import Condition, Surface, Vision
from tests.clinic.conftest import row_counts
from tests.fuzz.corpus import SEGFAULT, TRIAL_C3D
from tests.support import World, synthetic_trial_csv

Example = Callable[[str], Path]
SUBJECT_4 = {("BDS00037.txt", Vision.OPEN, Surface.FIRM), ("BDS00046.txt", Vision.CLOSED, Surface.FIRM),
             ("BDS00040.txt", Vision.OPEN, Surface.FOAM), ("BDS00043.txt", Vision.CLOSED, Surface.FOAM)}


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get(User, world.user_ids[persona]))


def _uploads(example: Example) -> list[balance.TrialUpload]:
    return [balance.TrialUpload(name, example(name).read_bytes(), Condition(vision, surface))
            for name, vision, surface in sorted(SUBJECT_4)]


def test_four_conditions_are_kept_with_their_raw_files_and_compared(
        factory: sessionmaker[Session], records: World, store: RecordingStore, example: Example) -> None:
    with unit_of_work(factory) as session:
        trials = balance.upload_trials(session, actor(session, records, "therapist"), records.visit_open,
                                       _uploads(example), store, height_cm=164)
    with unit_of_work(factory) as session:
        stored = balance.for_visit(session, actor(session, records, "therapist"), records.visit_open)
        ours = [t for t in stored if t.id in {x.id for x in trials}]
        assert len(ours) == 4
        for trial in ours:
            raw = example(trial.filename).read_bytes()
            assert trial.sha256 == hashlib.sha256(raw).hexdigest() and store.read(trial.sha256) == raw
            engine = analyze_cop(read_cop(example(trial.filename)), height_cm=164)
            assert trial.mean_velocity_cm_s == engine.sway.mean_velocity_cm_s
            assert trial.result["descriptors"][0]["quijoux_name"] == "mean_value_ML"
            assert trial.equilibrium_score == pytest.approx(engine.equilibrium_score)
        comparison = balance.sensory_comparison(ours)
        velocity = {(t.vision, t.surface): t.mean_velocity_cm_s for t in ours}
        assert comparison.romberg_firm_pct == pytest.approx(
            100 * velocity[(Vision.CLOSED, Surface.FIRM)] / velocity[(Vision.OPEN, Surface.FIRM)])
        assert comparison.vestibular_ratio < 1  # eyes closed on foam is the least steady
        by_condition = balance.velocity_by_condition(balance.for_episode(
            session, actor(session, records, "patient"), records.episode))
        assert "eyes closed, foam, bipedal" in by_condition


def test_a_dual_plate_trial_keeps_each_foots_share_of_the_weight(
        factory: sessionmaker[Session], records: World, store: RecordingStore, example: Example) -> None:
    with unit_of_work(factory) as session:
        [trial] = balance.upload_trials(session, actor(session, records, "therapist"), records.visit_open, [
            balance.TrialUpload("PDS13OR1grf.txt", example("PDS13OR1grf.txt").read_bytes(), Condition())], store)
        assert trial.result["weight_bearing"]["right_pct"] == pytest.approx(45.5, abs=0.1)


@pytest.mark.parametrize(("bad_name", "content", "message"), [
    ("short.csv", synthetic_trial_csv(seconds=3), "at least 10 s"),
    ("garbage.bin", bytes(range(256)) * 40, "not a text file"),
    ("empty.csv", b"", "empty"),
])
def test_one_bad_file_refuses_the_whole_upload_and_stores_nothing(
        factory: sessionmaker[Session], records: World, tmp_path: Path, bad_name: str, content: bytes,
        message: str) -> None:
    store = RecordingStore(tmp_path / "fresh-store")
    before = row_counts(factory)
    uploads = [balance.TrialUpload("good.csv", synthetic_trial_csv(), Condition()),
               balance.TrialUpload(bad_name, content, Condition(Vision.CLOSED))]
    with pytest.raises(InvalidInput, match=message), unit_of_work(factory) as session:
        balance.upload_trials(session, actor(session, records, "therapist"), records.visit_open, uploads, store)
    assert row_counts(factory) == before
    assert not store.root.exists() or not any(store.root.rglob("*"))


def test_a_c3d_that_crashes_the_reader_is_refused_and_the_next_upload_is_kept(
        factory: sessionmaker[Session], records: World, tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "fresh-store")
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match=r"^plate.c3d could not be read: the file appears damaged \(the reader "
                                           r"crashed\); export it again"), unit_of_work(factory) as session:
        balance.upload_trials(session, actor(session, records, "therapist"), records.visit_open,
                              [balance.TrialUpload("plate.c3d", SEGFAULT.read_bytes(), Condition())], store)
    assert row_counts(factory) == before
    assert not store.root.exists() or not any(store.root.rglob("*"))
    with unit_of_work(factory) as session:
        [trial] = balance.upload_trials(session, actor(session, records, "therapist"), records.visit_open,
                                        [balance.TrialUpload("plate.c3d", TRIAL_C3D.read_bytes(), Condition())], store)
        assert trial.mean_velocity_cm_s > 0 and store.read(trial.sha256) == TRIAL_C3D.read_bytes()


def test_a_hostile_file_name_is_stored_as_a_plain_name(factory: sessionmaker[Session], records: World,
                                                         store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        [trial] = balance.upload_trials(session, actor(session, records, "therapist"), records.visit_open, [
            balance.TrialUpload("../../etc/<script>x.csv", synthetic_trial_csv(), Condition())], store)
        assert trial.filename == "_script_x.csv"


def test_an_oversized_upload_is_refused(factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    huge = b"Time,AP[cm],ML[cm]\n" + b"0" * (balance.MAX_UPLOAD_BYTES + 1)
    with pytest.raises(InvalidInput, match="MB limit"), unit_of_work(factory) as session:
        balance.upload_trials(session, actor(session, records, "therapist"), records.visit_open,
                              [balance.TrialUpload("huge.csv", huge, Condition())], store)


def test_who_may_upload_and_where(factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    upload = [balance.TrialUpload("t.csv", synthetic_trial_csv(), Condition())]
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        balance.upload_trials(session, actor(session, records, "front_desk"), records.visit_open, upload, store)
    with pytest.raises(NotFound), unit_of_work(factory) as session:
        balance.upload_trials(session, actor(session, records, "other_therapist"), records.visit_open, upload, store)
    with pytest.raises(Conflict, match="completed"), unit_of_work(factory) as session:
        balance.upload_trials(session, actor(session, records, "therapist"), records.visit_done, upload, store)
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        balance.raw_file(session, actor(session, records, "patient"), records.balance_trial, store)


def test_the_plots_are_recomputed_from_the_stored_raw_file(factory: sessionmaker[Session], records: World,
                                                          store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        trial = balance.get(session, actor(session, records, "patient"), records.balance_trial)
        cop = balance.prepared_cop(trial, store)
        assert isinstance(trial, BalanceTrial) and cop.rate_hz == 25.0 and len(cop) > 600


def test_a_form_s_text_becomes_the_preset_the_engine_takes() -> None:
    assert balance.named_preset("native") == "native"
    with pytest.raises(InvalidInput, match="Unknown preset 'fast'; choose quijoux2021 or native"):
        balance.named_preset("fast")
