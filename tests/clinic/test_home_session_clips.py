"""A clip the patient chose to share of a guided home session: once a session, only a video, only their own,
and only after it has ended; then the clinic's clinicians may open it, each read audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import AuditEvent, User
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import adherence, home_programmes, home_sessions
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.vocabulary import AuditAction
from tests.support import NOW, World

TODAY = NOW.date()
WEBM = bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d42878104428581021853")
"""The first bytes of Chromium's MediaRecorder output: the EBML header, DocType "webm"."""
MP4 = b"\0\0\0\x1cftypisom\0\0\x02\0isomiso2mp41"
"""An MP4 file's first box, as Safari's MediaRecorder writes it."""


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _ended_guided_session(session: Session, world: World, *, end: bool = True) -> int:
    """The patient's overhead reach, guided today and (unless ``end`` is false) finished with 3 repetitions."""
    version = home_programmes.prescribe(session, actor(session, world, "therapist"), world.episode, HomeProgrammeInput(
        starts_on=TODAY, items=[HomeItemInput(exercise_id="overhead-reach", monitor="camera-front", side="left",
                                              sets=1, reps=10, weekdays=[1, 2, 3, 4, 5, 6, 7])]))
    patient = actor(session, world, "patient")
    row = home_sessions.start_guided(session, patient, version.items[0].id, day=TODAY)
    if end:
        home_sessions.finish(session, patient, row.id, {"repetitions": 3, "active_s": 40.0})
    return row.id


def test_the_patient_shares_a_clip_once_and_the_therapist_opens_it(factory: sessionmaker[Session], records: World,
                                                                   store: RecordingStore) -> None:
    clip = WEBM + b"\x42" * 2048
    with unit_of_work(factory) as session:
        session_id = _ended_guided_session(session, records)
        patient = actor(session, records, "patient")
        row = home_sessions.share_clip(session, patient, session_id, clip, store)
        assert row.clip_filename == f"home-session-{TODAY.isoformat()}-overhead-reach.webm"
        assert store.read(row.clip_sha256 or "") == clip
        with pytest.raises(Conflict, match="already shared a clip"):
            home_sessions.share_clip(session, patient, session_id, MP4 + b"\0" * 64, store)
        therapist = actor(session, records, "therapist")
        assert home_sessions.clip_file(session, therapist, session_id, store) == (row.clip_filename, clip)
        found = adherence.for_episode(session, therapist, records.episode, today=TODAY)
        assert found is not None and [(c.session_id, c.exercise) for c in found.clips] == [
            (session_id, "Overhead reach (left)")]
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_id == str(session_id))).all()
        shared = [e for e in audit if e.action is AuditAction.UPDATE and "clip shared" in (e.detail or "")]
        assert len(shared) == 1 and shared[0].changes["clip_filename"] == [None, row.clip_filename]
        assert any(e.action is AuditAction.READ and e.resource_type == "home_session_clip" for e in audit)


def test_an_mp4_clip_is_kept_as_mp4(factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        session_id = _ended_guided_session(session, records)
        row = home_sessions.share_clip(session, actor(session, records, "patient"), session_id, MP4 + b"\0" * 64,
                                       store)
        assert row.clip_filename is not None and row.clip_filename.endswith(".mp4")


def test_a_clip_is_refused_with_the_reason(factory: sessionmaker[Session], records: World,
                                           store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        running = _ended_guided_session(session, records, end=False)
        patient = actor(session, records, "patient")
        with pytest.raises(Conflict, match="still going"):
            home_sessions.share_clip(session, patient, running, WEBM, store)
        home_sessions.finish(session, patient, running, {"repetitions": 2})
        with pytest.raises(InvalidInput, match="not a video clip"):
            home_sessions.share_clip(session, patient, running, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, store)
        with pytest.raises(InvalidInput, match="not a video clip"):
            home_sessions.share_clip(session, patient, running, b"\x1a\x45\xdf\xa3" + b"matroska" + b"\0" * 64, store)
        with pytest.raises(InvalidInput, match="empty"):
            home_sessions.share_clip(session, patient, running, b"", store)
        with pytest.raises(InvalidInput, match="over the 20 MB limit"):
            home_sessions.share_clip(session, patient, running, WEBM + b"\0" * home_sessions.CLIP_MAX_BYTES, store)
        with pytest.raises(NotFound, match=f"No home session {running}"):
            home_sessions.share_clip(session, actor(session, records, "other_patient"), running, WEBM, store)
        with pytest.raises(Forbidden):
            home_sessions.share_clip(session, actor(session, records, "therapist"), running, WEBM, store)
        ticked = home_sessions.tick_done(session, patient, home_sessions.between(
            session, actor(session, records, "therapist"), records.p1, TODAY, TODAY)[0].item_id, day=TODAY)
        with pytest.raises(Conflict, match="guided by your camera"):
            home_sessions.share_clip(session, patient, ticked.id, WEBM, store)
        assert home_sessions.between(session, actor(session, records, "therapist"), records.p1, TODAY,
                                     TODAY)[0].clip_sha256 is None


def test_only_the_clinics_clinicians_open_a_shared_clip(factory: sessionmaker[Session], records: World,
                                                        store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        session_id = _ended_guided_session(session, records)
        therapist = actor(session, records, "therapist")
        with pytest.raises(NotFound, match="has not shared a clip"):
            home_sessions.clip_file(session, therapist, session_id, store)
        home_sessions.share_clip(session, actor(session, records, "patient"), session_id, WEBM, store)
        for persona, refused in (("front_desk", Forbidden), ("patient", Forbidden), ("other_therapist", NotFound)):
            with pytest.raises(refused):
                home_sessions.clip_file(session, actor(session, records, persona), session_id, store)
