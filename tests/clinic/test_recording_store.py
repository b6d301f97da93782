"""The recording store keeps no file for a row that was never committed: a raw file is written before
its row, so a failed insert or commit removes the file it newly wrote, and only that."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.models import User
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import balance, recordings
from reeducate.signals.posturography.clinical import Condition
from tests.support import World, synthetic_trial_csv


def _therapist(session: Session, world: World) -> Actor:
    return Actor.of(session.get(User, world.user_ids["therapist"]))


def _upload(content: bytes) -> list[balance.TrialUpload]:
    return [balance.TrialUpload("trial.csv", content, Condition())]


def _locked(session: Session) -> None:
    raise RuntimeError("database is locked")


def test_put_says_whether_it_wrote_the_file(store: RecordingStore) -> None:
    digest, written = store.put(b"raw")
    assert digest == hashlib.sha256(b"raw").hexdigest() and written
    assert store.put(b"raw") == (digest, False)
    store.remove(digest)
    assert not store.path(digest).exists()


def test_a_raw_file_whose_upload_fails_at_commit_is_removed(factory: sessionmaker[Session], records: World,
                                                            store: RecordingStore) -> None:
    content = synthetic_trial_csv(seed=21)
    digest = hashlib.sha256(content).hexdigest()
    with pytest.raises(RuntimeError, match="locked"), unit_of_work(factory) as session:
        balance.upload_trials(session, _therapist(session, records), records.visit_open, _upload(content), store)
        assert store.path(digest).exists()  # written before the row, as it must be
        event.listen(session, "before_commit", _locked)
    assert not store.path(digest).exists()


def test_a_raw_file_stored_before_is_kept_when_another_upload_of_it_fails(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    content = synthetic_trial_csv(seed=22)
    with unit_of_work(factory) as session:
        [kept] = balance.upload_trials(session, _therapist(session, records), records.visit_open, _upload(content),
                                       store)
    with pytest.raises(RuntimeError, match="locked"), unit_of_work(factory) as session:
        balance.upload_trials(session, _therapist(session, records), records.visit_open, _upload(content), store)
        event.listen(session, "before_commit", _locked)
    assert store.read(kept.sha256) == content


@pytest.mark.postgres
@pytest.mark.databases("postgresql")
def test_a_raw_file_a_committed_row_took_meanwhile_is_kept(factory: sessionmaker[Session], records: World,
                                                          store: RecordingStore) -> None:
    """PostgreSQL only: on SQLite writers take turns (a transaction holds the write lock from its start),
    so no other upload can commit while this one is open."""
    content = synthetic_trial_csv(seed=23)
    with pytest.raises(RuntimeError, match="insert failed"), unit_of_work(factory) as first:
        therapist = _therapist(first, records)  # the transaction has begun
        digest = recordings.keep_raw(first, store, content)  # this upload wrote the file...
        with unit_of_work(factory) as second:  # ...and another one of the same bytes was kept meanwhile
            balance.upload_trials(second, therapist, records.visit_open, _upload(content), store)
        raise RuntimeError("insert failed")
    assert store.read(digest) == content
