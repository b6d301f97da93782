"""One migration history serves SQLite and PostgreSQL, and matches the models exactly."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic import migrate
from reeducate.clinic.access import Actor
from reeducate.clinic.db import Base, unit_of_work
from reeducate.clinic.models import Counter, Patient, User
from reeducate.clinic.numbering import CLAIM_CONTROL_NUMBERS, mrn_series
from reeducate.clinic.schemas import PatientCreate
from reeducate.clinic.services import patients
from reeducate.clinic.vocabulary import Sex
from tests.support import World


def test_the_database_is_at_the_newest_revision(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_the_migrations_create_exactly_the_tables_and_columns_of_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert differences == []
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_machines_upgrading_at_once_take_turns(engine: Engine) -> None:
    """Web machines restarted together after an upgrade each migrate at start: the upgrades take turns (an
    advisory lock on PostgreSQL; SQLite's one writer), and none fails on a table another just made."""
    downgrade(engine, "0016")
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda _: migrate.upgrade(engine), range(3)))
    assert migrate.current_revision(engine) == migrate.head_revision()


def downgrade(engine: Engine, revision: str) -> None:
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_counters_start_where_the_numbers_already_given_end(engine: Engine, records: World,
                                                                 factory: sessionmaker[Session]) -> None:
    downgrade(engine, "0006")
    with engine.begin() as connection:  # an MRN past a gap in clinic A, one of another shape in clinic B
        connection.execute(update(Patient).where(Patient.id == records.p2).values(mrn="MRN000040"))
        connection.execute(update(Patient).where(Patient.id == records.q1).values(mrn="B-17"))
    migrate.upgrade(engine)
    with unit_of_work(factory) as session:
        other_clinic = session.get_one(Patient, records.q1).clinic_id
        assert dict(session.execute(select(Counter.series, Counter.last_value)).all()) == {
            mrn_series(records.clinic_id): 40, mrn_series(other_clinic): 1, CLAIM_CONTROL_NUMBERS: 1}
        desk = Actor.of(session.get_one(User, records.user_ids["front_desk"]))
        assert patients.create(session, desk, PatientCreate(
            first_name="Nina", last_name="Next", date_of_birth="1970-03-02", sex=Sex.FEMALE)).mrn == "MRN000041"
