"""The password policy (NIST SP 800-63B-4, 3.1.1.2): long enough, any printing character, no composition
rules, not a common password nor the account's e-mail name or clinic's name; each refusal says what to do."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.demo import DEMO_PASSWORD
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.models import Clinic, User
from reeducate.clinic.passwords import MAX_LENGTH, check_password, common_passwords
from reeducate.clinic.services.users import create_user, password_matches
from reeducate.clinic.vocabulary import Role
from tests.clinic.conftest import row_counts
from tests.support import World

EMAIL, CLINIC = "penny.quennell@example.org", "Alpha Rehab"


def check(password: str) -> None:
    check_password(password, email=EMAIL, clinic_name=CLINIC)


@pytest.mark.parametrize("password", [
    "correct horse battery",  # words and spaces, nothing else asked for
    "tulip lantern 7",  # exactly 15
    "ÉTÉ À MONTRÉAL — 2026",  # any printing character; each code point counts once
    "x" * MAX_LENGTH,
    DEMO_PASSWORD,
])
def test_it_accepts_a_long_enough_password_of_any_printing_characters(password: str) -> None:
    check(password)


@pytest.mark.parametrize(("password", "message"), [
    ("reeducate-demo", "The password has 14 characters; use at least 15 characters; a few unrelated words work well."),
    ("x" * (MAX_LENGTH + 1), f"use at most {MAX_LENGTH}"),
    ("tulip lantern\t77", "control character"),
    ("tulip lantern\x0077", "control character"),
    ("1Q2W3E4R5T6Y7U8I9O0P", "on a list of common passwords"),  # compared case-insensitively
    ("Penny.Quennell walks daily", "contains the account's e-mail name (penny.quennell)"),
    ("we love alpharehab a lot", "contains the clinic's name (Alpha Rehab)"),
])
def test_it_refuses_a_password_saying_what_to_do_instead(password: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check(password)
    assert message in refused.value.message and refused.value.field == "password"


def test_the_blocklist_is_the_shipped_list_lowercased() -> None:
    listed = common_passwords()
    assert len(listed) > 19_000 and {"password", "123456", "qwerty"} <= listed
    assert all(word == word.lower() for word in listed)


def test_an_e_mail_name_too_short_to_be_a_guess_is_not_refused() -> None:
    check_password("the pt walks in the park", email="pt@example.org", clinic_name="Beta Physio")


def test_creating_an_account_applies_the_policy_and_stores_nothing_when_refused(
    factory: sessionmaker[Session], records: World
) -> None:
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match="at least 15 characters"), unit_of_work(factory) as session:
        clinic = session.get(Clinic, records.clinic_id)
        create_user(session, Actor.system("tests"), clinic=clinic, email="kim.lee@example.org", full_name="Kim Lee",
                    role=Role.FRONT_DESK, password="short but 14ch")
    assert row_counts(factory) == before
    with unit_of_work(factory) as session:
        clinic = session.get(Clinic, records.clinic_id)
        create_user(session, Actor.system("tests"), clinic=clinic, email="kim.lee@example.org", full_name="Kim Lee",
                    role=Role.FRONT_DESK, password="maple kettle orbit")
    with factory() as session:
        user = session.scalar(select(User).where(User.email == "kim.lee@example.org"))
        assert password_matches(user, "maple kettle orbit")
