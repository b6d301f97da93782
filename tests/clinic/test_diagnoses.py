"""ICD-10-CM codes are checked against the real table; a refused episode stores nothing."""

from __future__ import annotations

import pytest

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.diagnoses import search_billable, validate_icd10cm
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput
from reeducate.clinic.models import User
from reeducate.clinic.schemas import EpisodeCreate
from reeducate.clinic.services import episodes
from reeducate.clinic.vocabulary import Condition
from tests.clinic.conftest import row_counts
from tests.support import World


@pytest.mark.parametrize(("raw", "code", "description"), [
    ("M54.50", "M54.50", "Low back pain, unspecified"),
    ("s134xxa", "S13.4XXA", "Sprain of ligaments of cervical spine, initial encounter"),
    ("Z96651", "Z96.651", "Presence of right artificial knee joint"),
])
def test_it_accepts_billable_codes_in_any_spelling(raw: str, code: str, description: str) -> None:
    found = validate_icd10cm(raw)
    assert (found.code, found.description) == (code, description)


def test_it_refuses_a_category_naming_its_billable_children() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_icd10cm("M54.5")
    assert "M54.5 (Low back pain) is a category, not a billable code" in caught.value.message
    assert "M54.50, M54.51, M54.59" in caught.value.message


@pytest.mark.parametrize("raw", ["XX9.9", "M54.99999", "", "DROP TABLE", "M54.7"])
def test_it_refuses_codes_that_are_not_in_the_table(raw: str) -> None:
    with pytest.raises(InvalidInput, match="is not an ICD-10-CM code"):
        validate_icd10cm(raw)


def _open(factory, world: World, persona: str, codes: list[str]) -> None:
    with unit_of_work(factory) as session:
        actor = Actor.of(session.get(User, world.user_ids[persona]))
        episodes.create(session, actor, world.p2, EpisodeCreate(condition=Condition.SCIATICA, diagnoses=codes))


def test_an_episode_with_one_bad_code_is_refused_whole(factory, records: World) -> None:
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match="M51.1"):
        _open(factory, records, "therapist", ["M54.41", "M51.1"])
    assert row_counts(factory) == before


def test_a_pt_assistant_cannot_open_an_episode(factory, records: World) -> None:
    with pytest.raises(Forbidden, match="PT assistant may not open an episode"):
        _open(factory, records, "assistant", ["M54.41"])


def test_a_chiropractor_and_a_pt_share_the_care_team(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        actor = Actor.of(session.get(User, records.user_ids["therapist"]))
        episode = episodes.get(session, actor, records.episode)
        assert {m.role.value for m in episode.care_team} == {"physical_therapist", "chiropractor"}
        with pytest.raises(Conflict, match="already a diagnosis"):
            episodes.add_diagnosis(session, actor, records.episode, "r26.81")


@pytest.mark.parametrize("typed", ["primary osteoarthritis right knee", "M17.11", "m1711",
                                   "osteoarthritis, right knee primary"])
def test_the_search_finds_a_billable_code_by_words_or_by_code(typed: str) -> None:
    assert search_billable(typed)[0].code == "M17.11"


def test_the_search_takes_a_plural_for_a_singular() -> None:
    assert "R26.89" in [found.code for found in search_billable("gait abnormality")]


def test_the_search_lists_only_billable_codes_at_most_its_limit() -> None:
    found = search_billable("M17")
    assert len(found) <= 25 and "M17.1" not in [f.code for f in found] and found[0].code.startswith("M17")
    assert search_billable("M") == []
