"""The permission facts pages read are the very role sets the services refuse with."""

from __future__ import annotations

from dataclasses import fields

import pytest

from reeducate.clinic import permissions
from reeducate.clinic.vocabulary import Role


def test_every_fact_has_its_role_set() -> None:
    for fact in fields(permissions.Permissions):
        assert isinstance(getattr(permissions, fact.name.upper()), frozenset), fact.name


@pytest.mark.parametrize("role", [*Role, None])
def test_a_role_may_do_exactly_what_its_sets_allow(role: Role | None) -> None:
    facts = permissions.of(role)
    for fact in fields(permissions.Permissions):
        assert getattr(facts, fact.name) is (role in getattr(permissions, fact.name.upper())), fact.name


def test_a_pt_assistant_treats_but_neither_evaluates_nor_bills() -> None:
    facts = permissions.of(Role.PT_ASSISTANT)
    assert facts.treat and not facts.evaluate and not facts.bill


def test_the_front_desk_bills_and_registers_but_sees_no_clinical_content() -> None:
    facts = permissions.of(Role.FRONT_DESK)
    assert facts.bill and facts.register and not facts.see_clinical and not facts.administer
