"""Claim corrections in X12: a replacement (CLM05-3 7) and a void (8), each naming the claim it corrects in
REF*F8 and validated with pyx12 (005010X222A1, loop 2300)."""

from __future__ import annotations

from datetime import datetime

import pytest

from reeducate.billing.x12.claim_837p import ClaimNotValid, build_837p, submitter_identifier, void_837p
from reeducate.billing.x12.frequency import ClaimFrequency
from reeducate.billing.x12.validation import x12_errors
from tests.billing.test_x12 import PARTIES, a_claim

LATER = datetime(2026, 11, 28, 14, 5)


def segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def test_a_replacement_carries_frequency_7_and_the_corrected_claims_identifier_and_validates() -> None:
    original = build_837p(a_claim(), PARTIES, control_number=7, created_at=LATER)
    text = build_837p(a_claim(frequency_code=ClaimFrequency.REPLACEMENT, corrects=submitter_identifier(original)), PARTIES,
                      control_number=8, created_at=LATER)
    assert x12_errors(text) == []
    found = segments(text)
    assert "CLM*V42*170***11:B:7*Y*A*Y*Y" in found and "REF*F8*V42" in found
    assert found.index("REF*F8*V42") < next(i for i, s in enumerate(found) if s.startswith("HI*"))


def test_a_void_repeats_the_claim_with_frequency_8_and_the_reference_and_validates() -> None:
    original = build_837p(a_claim(), PARTIES, control_number=7, created_at=LATER)
    text = void_837p(original, control_number=9, created_at=LATER)
    assert x12_errors(text) == []
    found, before = segments(text), segments(original)
    assert "CLM*V42*170***11:B:8*Y*A*Y*Y" in found and found.count("REF*F8*V42") == 1
    assert [s for s in found if s.startswith(("SV1", "HI", "NM1", "DTP"))] == [
        s for s in before if s.startswith(("SV1", "HI", "NM1", "DTP"))]
    assert "BHT*0019*00*V42-9*20261128*1405*CH" in found and found[0].split("*")[13] == "000000009"


def test_the_void_of_a_replacement_names_it_once() -> None:
    replacement = build_837p(a_claim(frequency_code=ClaimFrequency.REPLACEMENT, corrects="V42"), PARTIES, control_number=8, created_at=LATER)
    text = void_837p(replacement, control_number=9, created_at=LATER)
    assert x12_errors(text) == [] and segments(text).count("REF*F8*V42") == 1 and "11:B:8" in text


@pytest.mark.parametrize("changes", [{"frequency_code": ClaimFrequency.VOID}, {"corrects": "V41"}])
def test_a_correction_without_its_reference_or_an_original_with_one_is_refused(changes) -> None:
    with pytest.raises(ClaimNotValid, match="names the claim it corrects"):
        build_837p(a_claim(**changes), PARTIES, control_number=8, created_at=LATER)
