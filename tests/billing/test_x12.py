"""X12: the 837P validated by pyx12 before release, and the 270/271 eligibility exchange."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from x12sdk.generate import generate_271

from reeducate.billing.lines import Context, Discipline, Service, bill_visit
from reeducate.billing.units import UnitRule
from reeducate.billing.x12.claim_837p import (
    Address,
    ClaimNotValid,
    Dependant,
    Organisation,
    Payer,
    Person,
    ProfessionalClaim,
    Subscriber,
    build_837p,
)
from reeducate.billing.x12.eligibility import EligibilityError, Inquiry, build_270, parse_271
from reeducate.billing.x12.envelope import Parties
from reeducate.billing.x12.validation import x12_errors

CLINIC = Address("100 River Rd", "Springfield", "IL", "62701-1234")
PARTIES = Parties("RIVERSIDE", "12202")
NOW = datetime(2026, 11, 21, 9, 30)


def a_claim(**changes) -> ProfessionalClaim:
    context = Context(date(2026, 11, 20), Discipline.PHYSICAL_THERAPY, True, UnitRule.CMS,
                      fees={"97112": Decimal("60"), "97110": Decimal("50")})
    lines = bill_visit([Service("97112", 24, assistant_minutes=5), Service("97110", 23)], context).lines
    claim = ProfessionalClaim(
        claim_id="V42", service_date=date(2026, 11, 20),
        billing_provider=Organisation("Riverside NMR", "1234567893", "12-3456789", CLINIC, "(217) 555-0100", "Billing"),
        rendering=Person("Okafor", "Ada", "1245319599", "225100000X"),
        subscriber=Subscriber("Doe", "Jane", date(1950, 3, 4), "F", "1EG4TE5MK73",
                              Address("1 Elm St", "Springfield", "IL", "62701")),
        payer=Payer("Medicare Part B", "12202", "MB"), diagnoses=["M54.50", "R26.81"], lines=lines,
    )
    return replace(claim, **changes)


def test_an_837p_for_a_visit_validates_with_pyx12_and_carries_units_and_modifiers() -> None:
    text = build_837p(a_claim(), PARTIES, control_number=7, created_at=NOW)
    assert x12_errors(text) == []
    segments = text.replace("\n", "").split("~")
    assert "ST*837*0001*005010X222A1" in segments
    assert "SV1*HC:97112:CQ:GP*120*UN*2***1:2" in segments
    assert "SV1*HC:97110:GP*50*UN*1***1:2" in segments
    assert "CLM*V42*170***11:B:1*Y*A*Y*Y" in segments
    assert "HI*ABK:M5450*ABF:R2681" in segments
    assert "NM1*85*2*RIVERSIDE NMR*****XX*1234567893" in segments


def test_an_837p_for_a_spouse_names_the_subscriber_in_2000b_and_the_patient_in_2000c() -> None:
    spouse = Subscriber("Doe", "John", date(1948, 5, 6), "M", "W123456789", None, "GRP-7")
    patient = Dependant("01", "Doe", "Jane", date(1950, 3, 4), "F", Address("1 Elm St", "Springfield", "IL", "62701"))
    text = build_837p(a_claim(subscriber=spouse, patient=patient, payer=Payer("Blue Prairie", "BP001", "CI")),
                      PARTIES, control_number=8, created_at=NOW)
    assert x12_errors(text) == []
    segments = text.replace("\n", "").split("~")
    subscriber_loop = segments[segments.index("HL*2*1*22*1"):segments.index("HL*3*2*23*0")]
    assert subscriber_loop[1:3] == ["SBR*P**GRP-7******CI", "NM1*IL*1*DOE*JOHN****MI*W123456789"]
    assert not any(s.startswith(("DMG", "N3")) for s in subscriber_loop), "only the patient's are sent"
    patient_loop = segments[segments.index("HL*3*2*23*0"):]
    assert patient_loop[1:6] == ["PAT*01", "NM1*QC*1*DOE*JANE", "N3*1 ELM ST", "N4*SPRINGFIELD*IL*62701",
                                 "DMG*D8*19500304*F"]
    assert patient_loop[6].startswith("CLM*V42*")


def test_a_dependant_without_an_address_is_refused() -> None:
    spouse = Subscriber("Doe", "John", None, "U", "W123456789", None)
    patient = Dependant("01", "Doe", "Jane", date(1950, 3, 4), "F", Address("", "", "", ""))
    with pytest.raises(ClaimNotValid, match="The patient's address needs a street"):
        build_837p(a_claim(subscriber=spouse, patient=patient), PARTIES, control_number=8, created_at=NOW)


def test_pyx12_finds_what_is_wrong_in_a_broken_837p() -> None:
    text = build_837p(a_claim(), PARTIES, control_number=7, created_at=NOW)
    assert any("HI" in e for e in x12_errors(text.replace("HI*ABK:M5450*ABF:R2681~\n", "")))
    assert x12_errors("not x12 at all")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rendering": Person("Okafor", "Ada", "1245319598")}, "Rendering provider Ada Okafor's NPI 1245319598 is not valid"),
        ({"diagnoses": []}, "The claim has no diagnosis"),
        ({"lines": []}, "The claim has no billable line"),
        ({"subscriber": Subscriber("Doe", "Jane", date(1950, 3, 4), "F", "", Address("", "", "", ""))},
         "The patient's address needs a street"),
    ],
)
def test_a_claim_with_bad_facts_is_refused_before_any_x12_is_written(changes, message) -> None:
    with pytest.raises(ClaimNotValid, match=message):
        build_837p(a_claim(**changes), PARTIES, control_number=7, created_at=NOW)


def test_a_line_without_a_charge_names_the_fee_schedule() -> None:
    lines = [replace(line, charge=Decimal(0)) for line in a_claim().lines]
    with pytest.raises(ClaimNotValid, match="97112 has no charge: set it in the clinic's fee schedule"):
        build_837p(a_claim(lines=lines), PARTIES, control_number=7, created_at=NOW)


def an_inquiry(**changes) -> Inquiry:
    inquiry = Inquiry("TRC-1", "Riverside NMR", "1234567893", "12-3456789", "Medicare Part B", "12202",
                      "1EG4TE5MK73", "Doe", "Jane", date(1950, 3, 4), "F", date(2026, 11, 21))
    return replace(inquiry, **changes)


def test_a_270_asks_about_the_patient_and_reads_back_through_the_x12_models() -> None:
    text = build_270(an_inquiry(), PARTIES, control_number=3, created_at=NOW)
    segments = text.replace("\n", "").split("~")
    assert "ST*270*0001*005010X279A1" in segments
    assert "NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73" in segments
    assert "EQ*PT" in segments and "TRN*1*TRC-1*1123456789" in segments


def test_a_270_without_a_member_id_or_with_a_bad_npi_is_refused() -> None:
    with pytest.raises(EligibilityError, match="no member ID"):
        build_270(an_inquiry(member_id=""), PARTIES, control_number=3, created_at=NOW)
    with pytest.raises(ValueError, match="NPI 1234567890 is not valid"):
        build_270(an_inquiry(provider_npi="1234567890"), PARTIES, control_number=3, created_at=NOW)


def test_a_271_from_x12sdk_gives_each_subscribers_coverage() -> None:
    answers = parse_271(generate_271(seed=3, members=3, dependent_rate=0.0))
    assert len(answers) == 3
    assert all(a.status == "active" and a.member_id for a in answers)
    assert answers[0].benefits[0].kind_label == "Active coverage"


PT_271 = """ISA*00*          *00*          *ZZ*12202          *ZZ*RIVERSIDE      *261121*0931*^*00501*000000011*0*T*:~
GS*HB*12202*RIVERSIDE*20261121*0931*11*X*005010X279A1~
ST*271*0001*005010X279A1~
BHT*0022*11*TRC-1*20261121*0931~
HL*1**20*1~
NM1*PR*2*MEDICARE PART B*****PI*12202~
HL*2*1*21*1~
NM1*1P*2*RIVERSIDE NMR*****XX*1234567893~
HL*3*2*22*0~
TRN*2*TRC-1*9877281234~
NM1*IL*1*DOE*JANE****MI*1EG4TE5MK73~
DMG*D8*19500304*F~
EB*1*IND*30**MEDICARE PART B~
EB*C*IND*30***23*283~
EB*A*IND*PT*****.2~
MSG*THERAPY THRESHOLD APPLIED 1210.00~
SE*15*0001~
GE*1*11~
IEA*1*000000011~
"""


def test_a_medicare_271_gives_status_plan_deductible_coinsurance_and_messages() -> None:
    (answer,) = parse_271(PT_271)
    assert (answer.status, answer.plan, answer.member_id) == ("active", "MEDICARE PART B", "1EG4TE5MK73")
    deductible = next(b for b in answer.benefits if b.kind == "C")
    assert deductible.amount == "283" and deductible.period == "23"
    coinsurance = next(b for b in answer.benefits if b.kind == "A")
    assert coinsurance.service_types == ("Physical therapy",) and coinsurance.percent == "0.2"
    assert coinsurance.messages == ("THERAPY THRESHOLD APPLIED 1210.00",)


def test_a_271_pasted_from_a_browser_form_with_cr_lf_line_breaks_is_read_alike() -> None:
    assert parse_271(PT_271.replace("\n", "\r\n")) == parse_271(PT_271)


def test_a_271_whose_segments_no_reader_knows_is_refused_in_words() -> None:
    with pytest.raises(EligibilityError, match="not valid X12"):
        parse_271(PT_271.replace("GS*HB", "XX*HB").replace("\n", "\r"))


def test_a_rejected_271_says_why() -> None:
    benefits = PT_271[PT_271.index("DMG*"):PT_271.index("SE*")]
    text = PT_271.replace(benefits, "AAA*N**75*C~\nDMG*D8*19500304*F~\n").replace("SE*15", "SE*12")
    (answer,) = parse_271(text)
    assert answer.status == "rejected" and answer.rejections == ("Subscriber/insured not found",)


@pytest.mark.parametrize(("text", "message"), [
    ("", "not an X12 file"),
    ("hello", "not an X12 file"),
    (PT_271[: len(PT_271) // 2], "incomplete"),
    (PT_271.replace("SE*15", "SE*16"), "not valid X12 005010X279: .*SE segment count"),
    (build_270(an_inquiry(), PARTIES, control_number=3, created_at=NOW), "holds no 271"),
])
def test_a_bad_271_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(EligibilityError, match=message):
        parse_271(text)
