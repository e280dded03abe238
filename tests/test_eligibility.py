"""
Reading 271 eligibility responses, and the answers a therapist gets from them.

Every fixture is read by x12sdk into its 005010X279A1 models before soapbill's
reader sees it (see ``eligibility_support``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import eligibility_fixtures as fx
from eligibility_support import x12sdk_models
from seed_story import seed_story
from soapbill import ValidationError, from_json, to_json
from soapbill.codes.cpt import CptCode
from soapbill.eligibility import (
    THERAPY_SERVICES,
    Benefit,
    BenefitCode,
    BenefitsAnswers,
    CoverageLevel,
    EligibilityInquiry,
    EligibilityResponse,
    FollowUpAction,
    Indicator,
    InsuranceType,
    Member,
    Period,
    QuantityQualifier,
    Rejection,
    Requirement,
    ServiceType,
    TimePeriod,
    policy_from_benefits,
    read_271,
)
from soapbill.parties import Credential, Sex
from soapbill.rules import evaluate
from soapbill.rules.policy import PayerPolicy, PriorAuthorization

D = Decimal
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def read(*bodies: list[str]) -> tuple[EligibilityResponse, ...]:
    """
    The responses of *bodies*, once x12sdk has read the same text.
    """
    text = fx.interchange(*bodies)
    x12sdk_models(text)
    return read_271(text)


def one(body: list[str]) -> EligibilityResponse:
    (response,) = read(body)
    return response


# --- the fixtures, read ------------------------------------------------------------------


def test_active_coverage_reads_typed() -> None:
    response = one(fx.ACTIVE)
    assert response.control_number == "0001"
    assert response.trace_number == "elig-0001"
    assert response.payer is not None
    assert (response.payer.id, response.payer.name) == ("EXHP1", "EXAMPLE HEALTH PLAN")
    assert response.provider_npi is not None
    assert response.provider_npi.value == "1234567893"
    assert response.subscriber == Member(
        family_name="PARK",
        given_name="JORDAN",
        member_id="XHP123456789",
        birth_date=date(1985, 4, 12),
        sex=Sex.FEMALE,
    )
    assert response.dependent is None
    assert response.member is response.subscriber
    assert response.group_number == "GRP4400"
    assert (response.coverage_start, response.coverage_end) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    assert response.active is True
    assert response.plan == "EXAMPLE PPO GOLD"
    assert response.rejections == ()
    assert len(response.benefits) == 12
    first = response.benefits[0]
    assert first.code is BenefitCode.ACTIVE_COVERAGE
    assert first.coverage_level is CoverageLevel.INDIVIDUAL
    assert first.service_types == (ServiceType.HEALTH_BENEFIT_PLAN_COVERAGE,)
    assert first.insurance_type is not None
    assert first.insurance_type.value == "PR"
    limit = response.benefits[10]
    assert limit == Benefit(
        code=BenefitCode.LIMITATIONS,
        coverage_level=CoverageLevel.INDIVIDUAL,
        service_types=(ServiceType.PHYSICAL_THERAPY,),
        time_period=TimePeriod.CALENDAR_YEAR,
        quantity_qualifier=QuantityQualifier.VISITS,
        quantity=D(20),
        authorization=Indicator.YES,
        messages=("VISIT LIMIT SHARED BY PHYSICAL THERAPY AND MASSAGE",),
    )
    assert limit.visits == 20
    co_insurance = response.benefits[4]
    assert (co_insurance.percent, co_insurance.in_network) == (D("20.00"), Indicator.YES)
    assert response.benefits[2].amount == D("25.00")


def test_active_coverage_answers_the_questions() -> None:
    response = one(fx.ACTIVE)
    assert response.covers() is True
    assert response.covers(on=date(2026, 3, 10)) is True
    assert response.covers(on=date(2027, 1, 4)) is False
    assert response.is_active(date(2025, 12, 31)) is False
    assert response.copay() == D("25.00")
    assert response.copay(in_network=False) == D("50.00")
    assert response.coinsurance() == D("20.00")
    assert response.coinsurance(in_network=False) == D("40.00")
    assert response.deductible() == D("500.00")
    assert response.deductible(level=CoverageLevel.FAMILY) == D("1000.00")
    assert response.deductible_remaining() == D("150.00")
    assert response.deductible(in_network=False) == D("1500.00")
    assert response.deductible_remaining(in_network=False) is None
    assert response.visits_allowed() == 20
    assert response.visits_used() == 12
    assert response.visits_remaining() == 8
    assert response.authorization_required() == Requirement(
        required=True, basis="EB11, the authorization or certification indicator"
    )
    referral = response.referral_required()
    assert referral.required is True
    assert referral.basis == "the payer's message"
    assert referral.messages == ("PRESCRIPTION FROM AN MD, DO OR NP REQUIRED FOR MASSAGE THERAPY",)


def test_active_summary_is_what_a_front_desk_reads() -> None:
    assert one(fx.ACTIVE).summary() == (
        "Inquiry: elig-0001",
        "Payer: EXAMPLE HEALTH PLAN (EXHP1)",
        "Coverage: active",
        "Massage therapy: covered",
        "Physical medicine: covered",
        "Physical therapy: covered",
        "Copay (in network): $25.00",
        "Co-insurance (in network): 20%",
        "Deductible (in network): $500.00, $150.00 left",
        "Copay (out of network): $50.00",
        "Co-insurance (out of network): 40%",
        "Deductible (out of network): $1,500.00, remaining not told",
        "Visits: 8 left of 20 per calendar year (12 used)",
        "Prior authorization: required (EB11, the authorization or certification indicator)",
        "Referral or prescription: required (the payer's message)",
    )


def test_inactive_coverage() -> None:
    response = one(fx.INACTIVE)
    assert response.active is False
    assert (response.coverage_start, response.coverage_end) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert response.covers() is False
    assert response.is_active(date(2025, 6, 1)) is False
    assert response.benefits[0].messages == ("COVERAGE TERMINATED",)
    assert "Coverage: inactive" in response.summary()


def test_rejected_members_are_explained() -> None:
    unknown, birth_date = read(fx.REJECTED_MEMBERS)
    assert unknown.rejections == (
        Rejection(
            loop="2100C", valid=True, reason="75", follow_up=FollowUpAction.CORRECT_AND_RESUBMIT
        ),
    )
    assert (
        unknown.rejections[0].explanation == "the payer cannot find the subscriber (unknown member)"
    )
    assert unknown.rejections[0].follow_up.explanation == "correct the inquiry and send it again"
    assert unknown.trace_number == "elig-0004"
    assert birth_date.rejections[0].reason == "58"
    assert birth_date.rejections[0].explanation == "the date of birth is missing or invalid"
    for response in (unknown, birth_date):
        assert response.benefits == ()
        assert response.active is None
        assert response.covers() is None
        assert response.copay() is None
        assert response.visits_remaining() is None
        assert response.authorization_required().required is None
    assert unknown.summary()[-1] == (
        "Rejected (2100C): 75 the payer cannot find the subscriber (unknown member); "
        "next: correct the inquiry and send it again"
    )


def test_dependent_answers() -> None:
    response = one(fx.DEPENDENT)
    assert response.subscriber is not None
    assert response.dependent is not None
    assert response.member is response.dependent
    assert response.subscriber.member_id == "XHP123456789"
    assert (response.dependent.family_name, response.dependent.given_name) == ("PARK", "RILEY")
    assert response.dependent.birth_date == date(2015, 6, 7)
    assert response.dependent.sex is Sex.MALE
    assert response.trace_number == "elig-0006"
    # The group number is the subscriber's; the dates are the dependent's.
    assert response.group_number == "GRP4400"
    assert response.coverage_start == date(2026, 1, 1)
    assert response.copay((ServiceType.MASSAGE_THERAPY,)) == D("20.00")
    assert response.visits_allowed((ServiceType.MASSAGE_THERAPY,)) == 12
    assert response.visits_remaining((ServiceType.MASSAGE_THERAPY,)) is None
    assert response.referral_required() == Requirement(
        required=False, basis="the payer's message", messages=("NO REFERRAL REQUIRED",)
    )


def test_several_benefits_per_service_type() -> None:
    response = one(fx.MASSAGE_NOT_COVERED)
    massage = (ServiceType.MASSAGE_THERAPY,)
    medicine = (ServiceType.PHYSICAL_MEDICINE,)
    therapy = (ServiceType.PHYSICAL_THERAPY,)
    assert response.covers(massage) is False
    assert response.covers(medicine) is True
    assert response.covers(therapy) is True
    # Any service asked about that is not covered makes the answer no.
    assert response.covers() is False
    assert response.copay(medicine) == D("30.00")
    assert response.copay(therapy) == D("40.00")
    # Benefits that do not name a network side answer for either side.
    assert response.copay(medicine, in_network=False) == D("30.00")
    assert response.visits_allowed(medicine) == 30
    assert response.visits_remaining(medicine) == 30
    assert response.visits_used(medicine) is None
    assert response.referral_required(medicine).messages == (
        "REFERRAL FROM PRIMARY CARE PHYSICIAN REQUIRED",
    )
    procedures = {b.procedure: b.code for b in response.benefits if b.procedure is not None}
    assert procedures == {
        CptCode("97124"): BenefitCode.NON_COVERED,
        CptCode("97140"): BenefitCode.ACTIVE_COVERAGE,
    }
    # The plan as a whole answers when no benefit names the service.
    assert response.covers((ServiceType.CHIROPRACTIC,)) is None
    assert response.copay((ServiceType.CHIROPRACTIC,)) is None


def test_source_rejection_gives_a_response_without_members() -> None:
    response = one(fx.SOURCE_REJECTED)
    assert response.subscriber is None
    assert response.member is None
    assert response.provider_npi is None
    assert response.rejections == (
        Rejection(
            loop="2000A", valid=True, reason="42", follow_up=FollowUpAction.RESUBMISSION_ALLOWED
        ),
    )


def test_one_response_per_transaction_set_and_patient() -> None:
    responses = read(fx.ACTIVE, fx.REJECTED_MEMBERS, fx.DEPENDENT)
    assert [r.control_number for r in responses] == ["0001", "0002", "0002", "0003"]
    assert [r.trace_number for r in responses] == [
        "elig-0001",
        "elig-0004",
        "elig-0005",
        "elig-0006",
    ]


def test_bundled_example_is_the_active_fixture() -> None:
    text = (EXAMPLES / "eligibility-271.x12").read_text(encoding="ascii")
    assert text == fx.interchange(fx.ACTIVE)
    assert read_271(text.encode()) == read_271(text)


def test_subscriber_with_benefits_and_dependents_answers_for_both() -> None:
    body = [
        *fx.DEPENDENT[:8],
        "EB*1*IND*30",
        *fx.DEPENDENT[8:],
    ]
    # The guide puts benefits under the patient's level; x12sdk cannot parse
    # them under a subscriber with dependents. soapbill keeps them apart.
    subscriber, dependent = read_271(fx.interchange(body))
    assert subscriber.dependent is None
    assert subscriber.benefits == (
        Benefit(
            code=BenefitCode.ACTIVE_COVERAGE,
            coverage_level=CoverageLevel.INDIVIDUAL,
            service_types=(ServiceType.HEALTH_BENEFIT_PLAN_COVERAGE,),
        ),
    )
    assert dependent.dependent is not None
    assert len(dependent.benefits) == 3


# --- the questions' edges -----------------------------------------------------------------


def response_of(*benefits: Benefit, **fields: Any) -> EligibilityResponse:
    return EligibilityResponse(control_number="0001", benefits=benefits, **fields)


PT = (ServiceType.PHYSICAL_THERAPY,)


def service_year_limit(
    quantity: int, qualifier: QuantityQualifier = QuantityQualifier.VISITS
) -> Benefit:
    """
    A limit on physical therapy over a service year: *quantity* of what *qualifier* counts.
    """
    return Benefit(
        code=BenefitCode.LIMITATIONS,
        service_types=PT,
        time_period=TimePeriod.SERVICE_YEAR,
        quantity_qualifier=qualifier,
        quantity=D(quantity),
    )


def test_specific_benefits_win_over_the_plan() -> None:
    response = response_of(
        Benefit(
            code=BenefitCode.CO_PAYMENT,
            service_types=(ServiceType.HEALTH_BENEFIT_PLAN_COVERAGE,),
            amount=D("10.00"),
        ),
        Benefit(code=BenefitCode.CO_PAYMENT, service_types=PT, amount=D("35.00")),
    )
    assert response.copay(PT) == D("35.00")
    assert response.copay((ServiceType.CHIROPRACTIC,)) == D("10.00")


def test_the_network_side_asked_wins() -> None:
    response = response_of(
        Benefit(code=BenefitCode.CO_PAYMENT, service_types=PT, amount=D("15.00")),
        Benefit(
            code=BenefitCode.CO_PAYMENT,
            service_types=PT,
            amount=D("60.00"),
            in_network=Indicator.NO,
        ),
        Benefit(
            code=BenefitCode.CO_PAYMENT,
            service_types=PT,
            amount=D("20.00"),
            in_network=Indicator.NOT_APPLICABLE,
        ),
    )
    assert response.copay(PT, in_network=False) == D("60.00")
    # "Not applicable": the same in and out of network.
    assert response.copay(PT, in_network=True) == D("20.00")


def test_deductible_left_from_what_was_met() -> None:
    response = response_of(
        Benefit(
            code=BenefitCode.DEDUCTIBLE, time_period=TimePeriod.CALENDAR_YEAR, amount=D("400.00")
        ),
        Benefit(
            code=BenefitCode.DEDUCTIBLE, time_period=TimePeriod.YEAR_TO_DATE, amount=D("500.00")
        ),
    )
    assert response.deductible_remaining() == D("0.00")
    met = attrs.evolve(
        response,
        benefits=(response.benefits[0], attrs.evolve(response.benefits[1], amount=D("120.00"))),
    )
    assert met.deductible_remaining() == D("280.00")


def test_visits_used_as_quantity_used() -> None:
    response = response_of(
        service_year_limit(24),
        service_year_limit(30, QuantityQualifier.QUANTITY_USED),
    )
    assert response.visits_allowed(PT) == 24
    assert response.visits_used(PT) == 30
    assert response.visits_remaining(PT) == 0


def test_fractional_visits_are_not_visits() -> None:
    benefit = Benefit(
        code=BenefitCode.LIMITATIONS, quantity_qualifier=QuantityQualifier.VISITS, quantity=D("2.5")
    )
    assert benefit.visits is None
    assert response_of(benefit).visits_allowed() is None


@pytest.mark.parametrize(
    ("message", "required"),
    [
        ("NO REFERRAL REQUIRED", False),
        ("REFERRAL NOT REQUIRED", False),
        ("PRESCRIPTION IS NOT NEEDED", False),
        ("NO RX NEEDED FOR MASSAGE", False),
        ("REFERRAL REQUIRED", True),
        ("NOT COVERED WITHOUT A PHYSICIAN'S ORDER", True),
        ("RX REQUIRED FROM MD OR DO", True),
        ("COPAY APPLIES", None),
    ],
)
def test_referral_messages(message: str, required: bool | None) -> None:
    response = response_of(Benefit(code=BenefitCode.ACTIVE_COVERAGE, messages=(message,)))
    assert response.referral_required().required is required


def test_referral_rests_on_eb11_without_messages() -> None:
    response = response_of(
        Benefit(code=BenefitCode.ACTIVE_COVERAGE, service_types=PT, authorization=Indicator.YES)
    )
    answer = response.referral_required(PT)
    assert answer.required is None
    assert "EB11" in answer.basis
    assert response.authorization_required(PT).required is True


@pytest.mark.parametrize(
    ("message", "required"),
    [("PRIOR AUTHORIZATION REQUIRED AFTER 12 VISITS", True), ("NO PRIOR AUTH REQUIRED", False)],
)
def test_authorization_messages_win_over_eb11(message: str, required: bool) -> None:
    benefit = Benefit(code=BenefitCode.LIMITATIONS, authorization=Indicator.NO, messages=(message,))
    assert response_of(benefit).authorization_required().required is required


def test_authorization_unknown_is_not_told() -> None:
    response = response_of(
        Benefit(code=BenefitCode.ACTIVE_COVERAGE, authorization=Indicator.UNKNOWN)
    )
    assert response.authorization_required().required is None
    no = response_of(Benefit(code=BenefitCode.ACTIVE_COVERAGE, authorization=Indicator.NO))
    assert no.authorization_required().required is False


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda r: r.copay("PT"), "services"),
        (lambda r: r.copay([ServiceType.PHYSICAL_THERAPY, "PT"]), "services[1]"),
        (lambda r: r.copay(in_network=1), "in_network"),
        (lambda r: r.deductible(level="IND"), "level"),
        (lambda r: r.covers(on="2026-03-03"), "on"),
        (lambda r: r.summary(None), "services"),
        (lambda r: r.estimate("claim"), "claim"),
    ],
)
def test_question_arguments_are_checked(call: Any, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        call(response_of())
    assert info.value.errors[0].path == path


# --- the models ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        ({"percent": D("100.01")}, "percent", "too_large"),
        ({"quantity": D(3)}, "quantity", "quantity_pair"),
        ({"quantity_qualifier": QuantityQualifier.VISITS}, "quantity", "quantity_pair"),
        ({"authorization": Indicator.NOT_APPLICABLE}, "authorization", "invalid_code"),
        ({"start": date(2026, 2, 1), "end": date(2026, 1, 1)}, "end", "before_start"),
        ({"messages": ("",)}, "messages[0]", "too_short"),
        ({"messages": ("X" * 265,)}, "messages[0]", "invalid_length"),
        ({"amount": D("-1.00")}, "amount", "money_negative"),
        ({"service_types": ("PT",)}, "service_types[0]", "invalid_type"),
    ],
)
def test_benefit_checks(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        Benefit(code=BenefitCode.LIMITATIONS, **changes)
    ((detail,),) = [info.value.errors]
    assert (detail.path, detail.code) == (path, code)


def test_response_checks() -> None:
    with pytest.raises(ValidationError) as info:
        EligibilityResponse(control_number="0001", dependent=Member())
    assert info.value.errors[0].path == "subscriber"
    with pytest.raises(ValidationError) as info:
        EligibilityResponse(
            control_number="0001", coverage_start=date(2026, 2, 1), coverage_end=date(2026, 1, 1)
        )
    assert info.value.errors[0].path == "coverage_end"
    with pytest.raises(ValidationError) as info:
        Rejection(loop="2300", valid=True, reason="75", follow_up=FollowUpAction.DO_NOT_RESUBMIT)
    assert info.value.errors[0].path == "loop"


def test_inquiry_takes_a_date_or_a_period() -> None:
    patient, coverage, _, _, claim, _ = seed_story()
    fields: dict[str, Any] = {
        "patient": patient,
        "coverage": coverage,
        "provider": claim.billing_provider,
        "service_types": THERAPY_SERVICES,
        "trace_number": "elig-0001",
    }
    EligibilityInquiry(**fields, service_date=date(2026, 3, 3))
    period = Period(start=date(2026, 3, 1), end=date(2026, 3, 31))
    EligibilityInquiry(**fields, service_period=period)
    neither: dict[str, Any] = {}
    both: dict[str, Any] = {"service_date": date(2026, 3, 3), "service_period": period}
    for dates in (neither, both):
        with pytest.raises(ValidationError) as info:
            EligibilityInquiry(**fields, **dates)
        assert info.value.errors[0].code == "date_choice"
    bad: dict[str, Any]
    for bad, path in (
        ({"trace_number": "a*b"}, "trace_number"),
        ({"service_types": ()}, "service_types"),
        ({"service_types": (ServiceType.CHIROPRACTIC, ServiceType.CHIROPRACTIC)}, "service_types"),
    ):
        with pytest.raises(ValidationError) as info:
            EligibilityInquiry(**{**fields, **bad}, service_date=date(2026, 3, 3))
        assert info.value.errors[0].path == path
    with pytest.raises(ValidationError) as info:
        Period(start=date(2026, 3, 2), end=date(2026, 3, 1))
    assert info.value.errors[0].path == "end"


def test_patient_data_is_redacted_in_repr() -> None:
    response = one(fx.ACTIVE)
    shown = repr(response)
    for secret in ("PARK", "JORDAN", "XHP123456789", "1985", "PRESCRIPTION", "2026, 1, 1"):
        assert secret not in shown
    assert "REFERRAL" not in repr(response.referral_required())


def test_codes_explain_themselves() -> None:
    assert ServiceType.MASSAGE_THERAPY.label == "massage therapy"
    assert BenefitCode.NON_COVERED.explanation == "not covered"
    assert BenefitCode.DEDUCTIBLE.active is None
    assert BenefitCode.INACTIVE.active is False
    assert TimePeriod.REMAINING.label == "remaining"
    assert QuantityQualifier.VISITS.label == "visits"
    assert CoverageLevel.FAMILY.label == "the family"
    assert (
        InsuranceType.PREFERRED_PROVIDER_ORGANIZATION.label
        == "preferred provider organization (PPO)"
    )
    unknown = Rejection(
        loop="2110C", valid=False, reason="ZZ", follow_up=FollowUpAction.WAIT_10_DAYS
    )
    assert unknown.explanation.startswith("a code soapbill's reject reason code list does not hold")
    assert {s.value for s in ServiceType} >= {"BE", "AE", "PT", "33", "30"}
    assert len(ServiceType) == 187


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(lambda: one(fx.ACTIVE), id="response"),
        pytest.param(lambda: one(fx.DEPENDENT), id="dependent"),
        pytest.param(
            lambda: BenefitsAnswers(
                called_on=date(2026, 3, 2), copay=D("25.00"), covered_codes=(CptCode("97124"),)
            ),
            id="answers",
        ),
    ],
)
def test_json_round_trip(value: Any) -> None:
    obj = value()
    assert from_json(to_json(obj), type(obj)) == obj


# --- policy and estimate -----------------------------------------------------------------------

BASE = PayerPolicy(id="exhp-ppo", version="2026.1")


def test_policy_from_the_active_271() -> None:
    policy = policy_from_benefits(one(fx.ACTIVE), base=BASE)
    assert policy.visits_per_year == 20
    assert policy.prior_authorization == PriorAuthorization()
    assert policy.rx_required is True
    assert policy.covered_codes is None
    # Only what the payer said changed.
    assert (
        attrs.evolve(policy, visits_per_year=None, prior_authorization=None, rx_required=False)
        == BASE
    )


def test_policy_from_a_271_naming_codes() -> None:
    response = one(fx.MASSAGE_NOT_COVERED)
    policy = policy_from_benefits(response, base=BASE, services=(ServiceType.PHYSICAL_MEDICINE,))
    assert policy.covered_codes is not None
    assert CptCode("97124") not in policy.covered_codes
    assert CptCode("97140") in policy.covered_codes
    assert CptCode("97110") in policy.covered_codes
    assert policy.rx_required is True
    # A limit counted over a calendar year is a visits_per_year.
    assert policy.visits_per_year == 30
    listed = attrs.evolve(BASE, covered_codes=(CptCode("97124"), CptCode("97010")))
    assert policy_from_benefits(response, base=listed).covered_codes == (
        CptCode("97010"),
        CptCode("97140"),
    )


def test_what_the_271_does_not_say_leaves_the_policy() -> None:
    base = attrs.evolve(
        BASE,
        visits_per_year=16,
        rx_required=True,
        prior_authorization=PriorAuthorization(after_visits=6),
    )
    assert policy_from_benefits(one(fx.REJECTED_MEMBERS[:10]), base=base) == base
    # A limit over a service year is no calendar-year limit.
    response = response_of(service_year_limit(10))
    assert policy_from_benefits(response, base=base).visits_per_year == 16


def test_authorization_not_required_removes_the_policys() -> None:
    base = attrs.evolve(BASE, prior_authorization=PriorAuthorization(after_visits=6))
    response = response_of(Benefit(code=BenefitCode.ACTIVE_COVERAGE, authorization=Indicator.NO))
    assert policy_from_benefits(response, base=base).prior_authorization is None


def test_evaluate_checks_what_the_payer_said() -> None:
    _, _, prescription, notes, claim, _ = seed_story()
    as_of = date(2026, 3, 20)
    before = evaluate(claim, BASE, prescriptions=(prescription,), notes=notes, as_of=as_of)
    assert "auth.missing" not in {f.rule for f in before.findings}
    policy = policy_from_benefits(one(fx.ACTIVE), base=BASE)
    after = evaluate(claim, policy, prescriptions=(prescription,), notes=notes, as_of=as_of)
    assert "auth.missing" in {f.rule for f in after.findings}


def test_policy_arguments_are_checked() -> None:
    with pytest.raises(ValidationError) as info:
        policy_from_benefits(one(fx.ACTIVE), base="exhp")  # type: ignore[arg-type]
    assert info.value.errors[0].path == "base"
    with pytest.raises(ValidationError) as info:
        policy_from_benefits("271", base=BASE)  # type: ignore[arg-type]
    assert info.value.errors[0].path == "source"


def test_estimate_uses_the_271() -> None:
    claim = seed_story()[4]
    found = one(fx.ACTIVE).estimate(claim)
    # Deductible 150.00 first, 20 % of the rest, then a 25.00 copay per date.
    total = claim.total_charge
    coinsurance = ((total - D("150.00")) * D("0.2")).quantize(D("0.01"))
    assert found.deductible == D("150.00")
    assert found.coinsurance == coinsurance
    assert found.copay == D("50.00")
    assert found.patient_share == D("150.00") + coinsurance + D("50.00")


def test_estimate_says_what_the_271_does_not_tell() -> None:
    claim = seed_story()[4]
    found = one(fx.DEPENDENT).estimate(claim, services=(ServiceType.MASSAGE_THERAPY,))
    assert found.steps[:2] == (
        "The 271 does not tell the remaining deductible: none is counted.",
        "The 271 does not tell the co-insurance: none is counted.",
    )
    assert found.patient_share == D("40.00")


# --- answers taken by phone ---------------------------------------------------------------------


def test_answers_turn_into_the_same_policy() -> None:
    answers = BenefitsAnswers(
        called_on=date(2026, 3, 2),
        reference_number="CALL-778812",
        covered_codes=(CptCode("97140"),),
        not_covered_codes=(CptCode("97124"),),
        rx_required=True,
        prescriber_credentials=(Credential.MD, Credential.DO),
        visits_per_year=20,
        visits_used=12,
        prior_authorization_required=True,
        prior_authorization_after_visits=6,
        copay=D("25.00"),
        coinsurance_percent=D("20"),
        deductible=D("500.00"),
        deductible_remaining=D("150.00"),
        in_network=True,
    )
    assert answers.visits_remaining == 8
    policy = policy_from_benefits(answers, base=BASE)
    assert policy.visits_per_year == 20
    assert policy.prior_authorization == PriorAuthorization(after_visits=6)
    assert policy.rx_required is True
    assert policy.prescriber_credentials == (Credential.MD, Credential.DO)
    assert policy.covered_codes is not None
    assert CptCode("97124") not in policy.covered_codes
    assert CptCode("97140") in policy.covered_codes
    claim = seed_story()[4]
    assert answers.estimate(claim) == one(fx.ACTIVE).estimate(claim)


def test_codes_said_covered_add_to_the_policys_list() -> None:
    answers = BenefitsAnswers(called_on=date(2026, 3, 2), covered_codes=(CptCode("97530"),))
    listed = attrs.evolve(BASE, covered_codes=(CptCode("97124"),))
    assert policy_from_benefits(answers, base=listed).covered_codes == (
        CptCode("97124"),
        CptCode("97530"),
    )
    # A policy that takes any code takes these too.
    assert policy_from_benefits(answers, base=BASE).covered_codes is None


def test_unanswered_questions_leave_the_policy() -> None:
    answers = BenefitsAnswers(called_on=date(2026, 3, 2))
    assert policy_from_benefits(answers, base=BASE) == BASE
    assert answers.visits_remaining is None


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        (
            {"covered_codes": (CptCode("97124"),), "not_covered_codes": (CptCode("97124"),)},
            "not_covered_codes",
        ),
        ({"coinsurance_percent": D("101")}, "coinsurance_percent"),
        ({"out_of_network_percent": D("100.5")}, "out_of_network_percent"),
        ({"prior_authorization_after_visits": 6}, "prior_authorization_after_visits"),
        ({"prescriber_credentials": (Credential.MD,)}, "prescriber_credentials"),
        ({"deductible": D("100.00"), "deductible_remaining": D("150.00")}, "deductible_remaining"),
        ({"visits_per_year": 400}, "visits_per_year"),
        ({"copay": 25.0}, "copay"),
    ],
)
def test_answers_checks(changes: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        BenefitsAnswers(called_on=date(2026, 3, 2), **changes)
    assert info.value.errors[0].path == path
