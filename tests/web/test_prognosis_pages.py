"""The goal prognosis on the pages: the clinician's episode page shows the date, its interval and basis;
the patient's portal says it in plain words (no statistics), or that it cannot say yet."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import Episode
from reeducate.clinic.vocabulary import Condition
from tests.clinic.test_prognosis import TODAY, nprs_goal, own_scores
from tests.support import World
from tests.web.conftest import browser_login

JARGON = ("MCID", "MDC", "interval", "percentile", "Kaplan", "simulated", "residual", "CI")


def _goal_with_scores(engine: Engine, world: World, scores: list[float]) -> None:
    with unit_of_work(make_session_factory(engine)) as session:
        nprs_goal(session, world, target=2, due_on=TODAY + timedelta(days=120))
        own_scores(session, world, scores)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_therapist_sees_the_expected_date_its_interval_and_basis(
        client: TestClient, world: World, world_engine: Engine) -> None:
    _goal_with_scores(world_engine, world, [8, 6.5, 5.2, 4.1, 3.2])
    browser_login(client, world, "therapist")
    page = client.get(f"/episodes/{world.episode}")
    assert page.status_code == 200
    shown = _text(page.text)
    assert "Goal prognosis" in shown and "Numeric Pain Rating Scale: 2 points" in shown
    assert re.search(r"Expected \w{3} \d{2} \w{3} 2026", shown)
    assert "80% prediction interval" in shown and "Own trend: a recovery curve" in shown


def test_without_enough_scores_the_therapist_reads_why(client: TestClient, world: World,
                                                       world_engine: Engine) -> None:
    _goal_with_scores(world_engine, world, [7])
    browser_login(client, world, "therapist")
    shown = _text(client.get(f"/episodes/{world.episode}").text)
    assert "Not enough data yet, because" in shown and "1 score over 0 days" in shown
    assert "no published course we could verify" in shown


@pytest.mark.parametrize(("scores", "words"), [
    ([8, 6.9, 6.0, 5.2, 4.5, 3.9, 3.4, 3.0],
     r"Your goal: 2 points on the Numeric Pain Rating Scale[^.]*\. You will probably reach it between \w{3} \d{2} \w{3} "
     r"20\d\d and \w{3} \d{2} \w{3} 20\d\d, judging from your own progress so far\."),
    # a one-sided interval: not before a date, no later bound; said without contradicting itself
    ([8, 6.5, 5.2, 4.1, 3.2], r"Your goal: 2 points on the Numeric Pain Rating Scale[^.]*\. It will probably take until "
                              r"\w{3} \d{2} \w{3} 20\d\d at least, judging from your own progress so far; we can't yet "
                              r"say how much longer\."),
    ([7], r"Your goal: 2 points on the Numeric Pain Rating Scale[^.]*\. We can't say yet when you will reach it: we "
          r"need a few more of your check-ins\."),
])
def test_the_patient_reads_it_in_plain_words(client: TestClient, world: World, world_engine: Engine,
                                             scores: list[float], words: str) -> None:
    _goal_with_scores(world_engine, world, scores)
    browser_login(client, world, "patient")
    page = client.get("/portal")
    assert page.status_code == 200
    shown = _text(page.text).replace("&#39;", "'")
    assert re.search(words, shown), shown[shown.find("My care"):][:600]
    goals = shown[shown.find("My progress"):]
    assert not any(word in goals for word in JARGON)


def test_the_patient_reads_the_published_average_as_an_average(client: TestClient, world: World,
                                                               world_engine: Engine) -> None:
    with unit_of_work(make_session_factory(world_engine)) as session:
        episode = session.get(Episode, world.episode)
        assert episode is not None
        episode.condition = Condition.CHRONIC_LOW_BACK_PAIN
        nprs_goal(session, world, target=4)
        own_scores(session, world, [6])
    browser_login(client, world, "therapist")
    shown = _text(client.get(f"/episodes/{world.episode}").text)
    assert "Published course: Menezes Costa et al. 2012" in shown and "not an interval for one person" in shown
    browser_login(client, world, "patient")
    shown = _text(client.get("/portal").text)
    assert re.search(r"Your goal: 4 points on the Numeric Pain Rating Scale[^.]*\. On average, people with the same "
                     r"condition reach a goal like yours between \w{3} \d{2} \w{3} 20\d\d and \w{3} \d{2} \w{3} 20\d\d, judging from published "
                     r"studies\. Your own progress may be quicker or slower\.", shown)
