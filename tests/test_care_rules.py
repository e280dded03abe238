"""
soapbill.rules.care: visits against the plan of care, its certification, progress reports.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest

import builders
from soapbill import Claim, DiagnosisCode, Frequency, PersonName, ValidationError
from soapbill.care import CarePlan, Certification
from soapbill.rules import BUILTIN_IDS, PayerPolicy, evaluate, policies
from soapbill.rules.care import CARE_IDS, CARE_RULES
from soapbill.rules.context import Context

START = date(2026, 3, 2)
PLAN = CarePlan(
    id="POC-1",
    patient_id=builders.PATIENT_ID,
    therapist=builders.therapist(),
    prescriber=builders.physician(),
    diagnoses=(DiagnosisCode("M54.2"),),
    frequency=Frequency(per_week=2, weeks=6),
    starts_on=START,
    ends_on=START + timedelta(days=41),
    certification=Certification(certified_by=builders.physician(), certified_on=START),
)
#: Medicare's switches: a plan, certified within 30 days, a report every 10 treatment days.
MEDICARE = PayerPolicy(
    id="medicare-care",
    version="1",
    care_plan_required=True,
    care_plan_certification_days=30,
    progress_report_every=10,
)


def visits(count: int, *, first: date = START) -> list[Claim]:
    """
    One claim per visit, every other day from *first*.
    """
    return [
        builders.claim(builders.line(on=first + timedelta(days=2 * k)), id=f"C{k + 1}")
        for k in range(count)
    ]


def rules_found(
    claim: Claim, *, history: tuple[Claim, ...] | list[Claim] = (), **changes: object
) -> list[str]:
    arguments: dict[str, object] = {"care_plans": [PLAN], "as_of": START + timedelta(days=90)}
    arguments.update(changes)
    decision = evaluate(claim, MEDICARE, history=history, **arguments)  # type: ignore[arg-type]
    return [f.rule for f in decision.findings if f.rule in CARE_IDS]


def test_the_care_ids_follow_the_builtin_ids() -> None:
    assert CARE_IDS == (
        "care.plan_missing",
        "care.plan_ended",
        "care.visits_exceeded",
        "care.not_certified",
        "progress.report_due",
    )
    assert set(CARE_IDS).isdisjoint(BUILTIN_IDS)
    assert len(CARE_RULES) == 3


def test_a_visit_within_a_certified_plan_passes() -> None:
    claims = visits(10)
    assert rules_found(claims[-1], history=claims[:-1]) == []


def test_every_rule_is_off_by_default() -> None:
    claims = visits(14)
    late = attrs.evolve(PLAN, certification=None, visits_planned=2)
    for policy in (PayerPolicy(id="none", version="1"), policies.load("commercial")):
        decision = evaluate(
            claims[-1],
            policy,
            history=claims[:-1],
            care_plans=[late],
            as_of=START + timedelta(days=90),
        )
        assert not set(decision.rules_found) & set(CARE_IDS)


def test_no_plan_and_an_ended_plan() -> None:
    claim = visits(1)[0]
    assert rules_found(claim, care_plans=[]) == ["care.plan_missing"]
    after = visits(1, first=PLAN.ends_on + timedelta(days=1))[0]
    assert rules_found(after) == ["care.plan_ended"]
    before = visits(1, first=START - timedelta(days=1))[0]
    assert rules_found(before) == ["care.plan_missing"]


def test_a_visit_past_the_plans_visits() -> None:
    claims = visits(13)
    assert rules_found(claims[11], history=claims[:11]) == ["progress.report_due"]
    assert rules_found(claims[12], history=claims[:12]) == [
        "care.visits_exceeded",
        "progress.report_due",
    ]
    # A progress report at visit 10 resets the count of treatment days.
    reported = attrs.evolve(PLAN, progress_reports=(START + timedelta(days=18),))
    assert rules_found(claims[12], history=claims[:12], care_plans=[reported]) == [
        "care.visits_exceeded"
    ]


@pytest.mark.parametrize(
    ("visit", "found"),
    [
        pytest.param(10, [], id="day-10"),
        pytest.param(11, ["progress.report_due"], id="day-11"),
    ],
)
def test_a_progress_report_by_the_tenth_treatment_day(visit: int, found: list[str]) -> None:
    # Pub 100-02 Ch. 15 §220.3: at least once every 10 treatment days.
    plan = attrs.evolve(PLAN, visits_planned=30)
    claims = visits(visit)
    assert rules_found(claims[-1], history=claims[:-1], care_plans=[plan]) == found


@pytest.mark.parametrize(
    ("certified_after", "as_of_after", "found"),
    [
        pytest.param(30, 90, [], id="on-day-30"),
        pytest.param(31, 90, ["care.not_certified"], id="day-31"),
        pytest.param(None, 30, [], id="not-yet-window-open"),
        pytest.param(None, 31, ["care.not_certified"], id="never"),
    ],
)
def test_certification_within_the_window(
    certified_after: int | None, as_of_after: int, found: list[str]
) -> None:
    # Pub 100-02 Ch. 15 §220.1.3: dated in the 30 days following the first day.
    certification = (
        None
        if certified_after is None
        else Certification(
            certified_by=builders.physician(),
            certified_on=START + timedelta(days=certified_after),
        )
    )
    plan = attrs.evolve(PLAN, certification=certification)
    claim = visits(1)[0]
    as_of = START + timedelta(days=as_of_after)
    assert rules_found(claim, care_plans=[plan], as_of=as_of) == found


def test_the_plan_that_started_last_applies() -> None:
    old = attrs.evolve(PLAN, id="POC-0", visits_planned=1)
    claims = visits(3)
    assert rules_found(claims[2], history=claims[:2], care_plans=[old]) == ["care.visits_exceeded"]
    new = attrs.evolve(PLAN, starts_on=START + timedelta(days=3))
    assert rules_found(claims[2], history=claims[:2], care_plans=[old, new]) == []
    assert rules_found(claims[2], history=claims[:2], care_plans=[new, old]) == []


def test_plans_of_another_patient_are_refused() -> None:
    other = attrs.evolve(PLAN, patient_id="Zqxleak")
    with pytest.raises(ValidationError) as info:
        evaluate(visits(1)[0], MEDICARE, care_plans=[PLAN, other], as_of=START)
    assert [(d.path, d.code) for d in info.value.errors] == [
        ("care_plans[1].patient_id", "other_patient")
    ]
    assert "Zqxleak" not in f"{info.value} {info.value!r} {info.value.args}"
    with pytest.raises(ValidationError) as info:
        Context.of(visits(1)[0], MEDICARE, care_plans=["Zqxleak"], as_of=START)  # type: ignore[list-item]
    assert "Zqxleak" not in f"{info.value} {info.value!r} {info.value.args}"


def test_findings_never_carry_patient_data() -> None:
    sentinel = "Zqxleak"
    patient = builders.patient(id=sentinel, name=PersonName(family=sentinel, given=sentinel))
    plan = attrs.evolve(
        PLAN, patient_id=sentinel, id=sentinel, certification=None, visits_planned=1
    )
    claims = [attrs.evolve(c, patient=patient, id=sentinel + c.id) for c in visits(12)]
    found: set[str] = set()
    for plans in ([plan], []):
        for each in (claims[-1], visits(1, first=START + timedelta(days=60))[0]):
            decision = evaluate(
                attrs.evolve(each, patient=patient),
                MEDICARE,
                history=claims[:-1],
                care_plans=plans,
                as_of=START + timedelta(days=90),
            )
            found |= set(decision.rules_found)
            for finding in decision.findings:
                assert sentinel not in f"{finding.message} {finding.fix} {finding.path}"
            assert sentinel not in repr(decision)
    assert set(CARE_IDS) <= found
