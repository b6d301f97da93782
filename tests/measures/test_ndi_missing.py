"""The NDI's missing-section rule, as its author's scoring note gives it (one section: the average of
the answered sections is added to their total); two or more missing are not computable."""

from __future__ import annotations

import pytest

from reeducate.measures.catalogue import get
from reeducate.measures.scoring import score


def test_ndi_with_every_section_answered_is_the_plain_sum() -> None:
    result = score(get("ndi"), [3, 1, 0, 2, 4, 1, 0, 1, 2, 3])
    assert result.score == 17 and result.details["missing_items"] == []


def test_ndi_with_one_section_missing_adds_the_average_of_the_others() -> None:
    result = score(get("ndi"), [2, 2, 2, 2, 2, 2, 2, 2, 2, None])
    assert result.computable and result.score == 20 and result.percent == 40
    uneven = score(get("ndi"), [3, 1, 0, 2, 4, 1, 0, None, 2, 3])  # 16 over 9 sections, + 16/9
    assert uneven.details["raw_sum"] == 16 and uneven.details["imputed_each"] == pytest.approx(16 / 9)
    assert uneven.score == round(16 + 16 / 9) == 18
    assert uneven.details["missing_items"] == [8]


def test_ndi_with_two_sections_missing_is_not_computable_and_says_why() -> None:
    result = score(get("ndi"), [2] * 8 + [None, None])
    assert not result.computable and result.score is None
    assert result.reason is not None and "9, 10" in result.reason and "two or more missing" in result.reason


def test_ndi_missing_rule_quotes_its_source() -> None:
    rule = get("ndi").scoring.missing_rule
    assert "NDI_Explain" in rule and get("ndi").scoring.max_missing == 1
