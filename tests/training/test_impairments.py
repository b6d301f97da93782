"""What the library addresses: every tag a known impairment with a plain label, every exercise's tags
among its technique's, and the faults an exercise cues reflected in its tags."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reeducate.training import catalogue
from reeducate.training.catalogue import Library, library
from reeducate.training.impairments import LABELS, Impairment
from reeducate.training.models import Exercise
from tests.training.test_library import VALID


def test_every_impairment_has_a_plain_label() -> None:
    assert set(LABELS) == set(Impairment)
    assert all(len(i.label) > 10 and "-" not in i.label.split()[0] for i in Impairment)


def test_every_technique_and_exercise_says_what_it_addresses() -> None:
    lib = library()
    for item in (*lib.techniques.values(), *lib.exercises.values()):
        assert item.addresses and all(isinstance(tag, Impairment) for tag in item.addresses), item.id


def test_an_exercise_addresses_only_what_its_technique_lists() -> None:
    lib = library()
    for ex in lib.exercises.values():
        assert set(ex.addresses) <= set(lib.techniques[ex.technique].addresses), ex.id


def test_an_exercise_that_cues_knee_valgus_addresses_it() -> None:
    cued = {ex.id for ex in library().exercises.values() for m in ex.monitors for f in m.faults
            if f.fault == "knee_valgus"}
    assert cued == {"mini-squat", "squat", "lunge"}
    assert all(Impairment.KNEE_VALGUS in library().exercises[i].addresses for i in cued)


def test_the_balance_ladder_addresses_the_sensory_conditions_of_the_mctsib() -> None:
    assert Impairment.SENSORY_INTEGRATION in library().exercises["foam-stance"].addresses
    assert Impairment.VISION_RELIANCE in library().exercises["eyes-closed-stance"].addresses
    assert Impairment.GAIT_SPEED in library().techniques["gait-training"].addresses


def test_an_unknown_tag_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="static-balance"):
        Exercise.model_validate({**VALID, "addresses": ["wobbly-knees"]})
    with pytest.raises(ValidationError, match="at least 1 item"):
        Exercise.model_validate({**VALID, "addresses": []})


def test_the_catalogue_refuses_an_exercise_that_addresses_more_than_its_technique() -> None:
    lib = library()
    squat = lib.exercises["mini-squat"].model_copy(update={"addresses": [Impairment.NECK_POSTURE]})
    broken = Library(lib.techniques, {**lib.exercises, "mini-squat": squat})
    with pytest.raises(ValueError, match="mini-squat addresses neck-posture"):
        catalogue._check(broken)
