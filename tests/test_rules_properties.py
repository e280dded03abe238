"""
Properties of evaluate(), each a named test.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

import attrs
from hypothesis import assume, event, given
from hypothesis import strategies as st

import builders
from soapbill import (
    Attachment,
    AttachmentKind,
    Claim,
    ClaimFrequency,
    CptCode,
    Credential,
    DiagnosisCode,
    PersonName,
    Prescription,
    SoapNote,
)
from soapbill import strategies as sbst
from soapbill.billing.units import UnitMethod, allocate_units
from soapbill.rules import BUILTIN_IDS, Decision, PayerPolicy, evaluate, policies
from soapbill.rules.care import CARE_IDS
from soapbill.rules.diagnoses import MASSAGE_DIAGNOSES

# Sentinels: patient data that must never reach a finding.
PATIENT = builders.patient(
    id="PIDSENTINEL",
    name=PersonName(family="Qzxfamily", given="Qzxgiven"),
    birth_date=date(1971, 7, 23),
)
COVERAGE = builders.coverage(member_id="MEMBERSENTINEL")
FIRST, LAST = date(2026, 1, 1), date(2026, 3, 31)
DATES = st.dates(FIRST, LAST)
DIAGNOSES = st.sampled_from(
    [DiagnosisCode(c) for c in ("M54.50", "M54.2", "M62.830", "M79.18", "M54.5", "J06.9")]
)
CODES = st.sampled_from(
    [CptCode(c) for c in ("97124", "97140", "97112", "97110", "97010", "97530")]
)
AS_OF = st.dates(date(2026, 3, 1), date(2027, 6, 30))
BUNDLED = [policies.load(name) for name in policies.names()]
MD = builders.physician()
ONE_LINE = builders.claim(
    builders.line(on=FIRST), id="C", patient=PATIENT, coverage=COVERAGE, billing_provider=MD
)


RENDERING = st.sampled_from(
    [
        None,
        MD,
        attrs.evolve(MD, credential=Credential.LMT),
        attrs.evolve(MD, credential=Credential.PT),
    ]
)
ATTACHMENTS = st.sampled_from([(), (Attachment(kind=AttachmentKind.SOAP_NOTE, id="N1"),)])


@st.composite
def claims(
    draw: st.DrawFn, *, max_lines: int = 3, frequency: ClaimFrequency | None = None
) -> Claim:
    """
    Claims of the one patient, lighter to draw than soapbill.strategies.claims.

    Lines come from :func:`soapbill.strategies.service_lines`; parties that no
    rule looks at are fixed.
    """
    diagnoses = draw(st.lists(DIAGNOSES, min_size=1, max_size=3, unique=True))
    lines = draw(
        st.lists(
            sbst.service_lines(max_pointer=len(diagnoses), dates=DATES, codes=CODES),
            min_size=1,
            max_size=max_lines,
        )
    )
    chosen = draw(st.sampled_from(ClaimFrequency)) if frequency is None else frequency
    return Claim(
        id=draw(st.sampled_from(["C", "H1", "H2"])),
        frequency=chosen,
        original_claim_number=None if chosen is ClaimFrequency.ORIGINAL else "ICN",
        patient=PATIENT,
        coverage=COVERAGE,
        billing_provider=MD,
        rendering_provider=draw(RENDERING),
        diagnoses=tuple(diagnoses),
        lines=tuple(lines),
        attachments=draw(ATTACHMENTS),
        prior_authorization=draw(st.none() | st.just("PA1")),
    )


PRESCRIPTIONS = sbst.prescriptions(
    patient_id=PATIENT.id, written_on=st.dates(date(2025, 10, 1), LAST), diagnoses=DIAGNOSES
)
NOTES = sbst.soap_notes(
    patient_id=PATIENT.id,
    dates=DATES,
    treatment=sbst.treatments(codes=CODES, max_minutes=60),
)
# History claims share a few ids, so that replacements and voids meet their originals.
HISTORY = st.lists(
    st.builds(attrs.evolve, claims(max_lines=2), id=st.sampled_from(["H1", "H2", "H3", "C"])),
    max_size=3,
)
POLICIES = st.sampled_from(BUNDLED).flatmap(
    lambda p: st.builds(attrs.evolve, st.just(p), plan_types=st.none() | st.just(p.plan_types))
)


def rx_findings(decision: Decision) -> list[object]:
    return [f for f in decision.findings if f.rule.startswith("rx.")]


@st.composite
def covering_prescriptions(draw: st.DrawFn, subject: Claim) -> Prescription:
    """
    Prescriptions made for the claim: often, but not always, covering it.
    """
    first = min(subject.dates_of_service)
    written = first - timedelta(days=draw(st.integers(-3, 60)))
    every_diagnosis = st.just(subject.diagnoses)
    some_diagnoses = st.lists(st.sampled_from(subject.diagnoses), min_size=1, unique=True).map(
        tuple
    )
    some_codes = st.lists(st.sampled_from([ln.code for ln in subject.lines]), unique=True)
    return Prescription(
        id=draw(st.sampled_from(["R1", "R2", "R3"])),
        patient_id=PATIENT.id,
        prescriber=draw(st.sampled_from([MD, attrs.evolve(MD, credential=Credential.DC)])),
        written_on=written,
        valid_days=draw(st.none() | st.integers(1, 120)),
        diagnoses=draw(every_diagnosis | some_diagnoses),
        procedures=tuple(draw(st.just([]) | some_codes)),
        visits_authorized=draw(st.none() | st.integers(1, 6)),
    )


def rx_only(policy: PayerPolicy) -> PayerPolicy:
    # Only the prescription rules (and the always-on coverage check) can fail.
    return PayerPolicy(
        id="rx-only",
        version="1",
        rx_required=True,
        prescriber_credentials=policy.prescriber_credentials,
        rx_default_valid_days=policy.rx_default_valid_days,
    )


# --- prescriptions ---------------------------------------------------------------------


@given(claims(), st.lists(PRESCRIPTIONS, max_size=4), POLICIES, st.data())
def test_without_a_valid_rx_on_a_date_a_claim_is_never_eligible(
    subject: Claim, rxs: list[Prescription], policy: PayerPolicy, data: st.DataObject
) -> None:
    policy = attrs.evolve(policy, rx_required=True)
    day = data.draw(st.sampled_from(subject.dates_of_service))
    invalid = [rx for rx in rxs if not rx.is_valid_on(day, policy.rx_default_valid_days)]
    decision = evaluate(subject, policy, prescriptions=invalid, as_of=day)
    assert not decision.eligible
    first = next(i for i, ln in enumerate(subject.lines) if ln.date_of_service == day)
    assert {f.rule for f in decision.findings if f.path == f"lines[{first}].date_of_service"} & {
        "rx.required",
        "rx.expired",
        "rx.not_yet_valid",
    }


@given(claims(), st.lists(PRESCRIPTIONS, max_size=4), POLICIES, AS_OF)
def test_prescriptions_change_nothing_when_the_policy_requires_none(
    subject: Claim, rxs: list[Prescription], policy: PayerPolicy, as_of: date
) -> None:
    policy = attrs.evolve(policy, rx_required=False)
    without = evaluate(subject, policy, as_of=as_of)
    with_rxs = evaluate(subject, policy, prescriptions=rxs, as_of=as_of)
    assert rx_findings(with_rxs) == rx_findings(without) == []
    assert with_rxs == without


@given(st.data(), claims(frequency=ClaimFrequency.ORIGINAL), POLICIES, HISTORY)
def test_adding_a_valid_rx_never_makes_an_eligible_claim_ineligible(
    data: st.DataObject, subject: Claim, policy: PayerPolicy, history: list[Claim]
) -> None:
    policy = rx_only(policy)
    rxs = data.draw(st.lists(covering_prescriptions(subject), max_size=3))
    extra = data.draw(covering_prescriptions(subject))
    day = data.draw(st.sampled_from(subject.dates_of_service))
    extra = attrs.evolve(extra, written_on=day - timedelta(days=data.draw(st.integers(0, 30))))
    as_of = max(subject.dates_of_service)
    before = evaluate(subject, policy, prescriptions=rxs, history=history, as_of=as_of)
    after = evaluate(subject, policy, prescriptions=[*rxs, extra], history=history, as_of=as_of)
    event(f"eligible before: {before.eligible}")
    if before.eligible:
        assert after.eligible
    # A date with no valid prescription before may have one after, never the reverse.
    assert _dates_without_rx(after) <= _dates_without_rx(before)


def _dates_without_rx(decision: Decision) -> set[str]:
    return {
        f.path
        for f in decision.findings
        if f.rule in {"rx.required", "rx.expired", "rx.not_yet_valid"}
    }


@given(st.integers(1, 10), st.data())
def test_visits_within_the_authorised_count_never_exhaust_one_more_always_does(
    authorised: int, data: st.DataObject
) -> None:
    written = date(2026, 1, 5)
    days = sorted(
        data.draw(st.sets(st.integers(0, 80), min_size=authorised + 1, max_size=authorised + 1))
    )
    dates = [written + timedelta(days=d) for d in days]
    rx = Prescription(
        id="RX",
        patient_id=PATIENT.id,
        prescriber=data.draw(sbst.providers(person=True)),
        written_on=written,
        diagnoses=(DiagnosisCode("M54.50"),),
        visits_authorized=authorised,
    )
    policy = PayerPolicy(id="rx", version="1", rx_required=True)

    def visit(day: date, claim_id: str) -> Claim:
        return builders.claim(
            builders.line(on=day),
            id=claim_id,
            patient=PATIENT,
            coverage=COVERAGE,
            billing_provider=rx.prescriber,
        )

    earlier = [visit(day, f"H{i}") for i, day in enumerate(dates[:-1])]
    # A voided claim adds no visit.
    void = attrs.evolve(
        visit(dates[0] + timedelta(days=1), "V"),
        frequency=ClaimFrequency.VOID,
        original_claim_number="ICN",
    )
    within = evaluate(
        visit(dates[-2], "C"), policy, prescriptions=[rx], history=[*earlier[:-1], void], as_of=LAST
    )
    assert "rx.visits_exhausted" not in within.rules_found
    one_more = evaluate(
        visit(dates[-1], "C"), policy, prescriptions=[rx], history=earlier, as_of=LAST
    )
    assert "rx.visits_exhausted" in one_more.rules_found


@given(
    st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    st.integers(1, 400),
    st.sampled_from(["until", "days", "default"]),
)
def test_rx_validity_is_inclusive_at_both_ends(written: date, length: int, how: str) -> None:
    last = written + timedelta(days=length - 1)
    rx = Prescription(
        id="RX",
        patient_id=PATIENT.id,
        prescriber=MD,
        written_on=written,
        valid_until=last if how == "until" else None,
        valid_days=length if how == "days" else None,
        diagnoses=(DiagnosisCode("M54.50"),),
    )
    policy = PayerPolicy(
        id="rx",
        version="1",
        rx_required=True,
        rx_default_valid_days=length if how == "default" else None,
    )

    def rules_on(day: date) -> set[str]:
        subject = attrs.evolve(
            ONE_LINE, lines=(attrs.evolve(ONE_LINE.lines[0], date_of_service=day),)
        )
        found = evaluate(subject, policy, prescriptions=[rx], as_of=day).rules_found
        return {rule_id for rule_id in found if rule_id.startswith("rx.")}

    assert rules_on(written) == set()
    assert rules_on(last) == set()
    assert rules_on(written - timedelta(days=1)) == {"rx.not_yet_valid"}
    assert rules_on(last + timedelta(days=1)) == {"rx.expired"}


# --- units -------------------------------------------------------------------------------


@given(
    st.lists(
        sbst.soap_notes(
            patient_id=PATIENT.id,
            dates=st.just(FIRST),
            treatment=sbst.treatments(max_minutes=60),
        ),
        min_size=1,
        max_size=2,
        unique_by=lambda n: n.id,
    ),
    st.sampled_from(UnitMethod),
)
def test_a_claim_billed_as_allocate_units_says_is_never_refused_by_the_note(
    notes: list[SoapNote], method: UnitMethod
) -> None:
    minutes: dict[CptCode, int] = {}
    for each in notes:
        for treatment in each.treatments:
            minutes[treatment.code] = minutes.get(treatment.code, 0) + treatment.minutes
    units = allocate_units(minutes, method=method).units
    lines = [builders.line(str(code), n, on=FIRST) for code, n in units.items() if n]
    assume(lines)
    subject = attrs.evolve(ONE_LINE, lines=tuple(lines))
    policy = PayerPolicy(id="units", version="1", unit_method=method)
    decision = evaluate(subject, policy, notes=notes, as_of=FIRST)
    assert "units.unsupported_by_note" not in decision.rules_found


# --- every rule ------------------------------------------------------------------------


@given(
    claims(),
    st.lists(PRESCRIPTIONS, max_size=3),
    st.lists(NOTES, max_size=2),
    HISTORY,
    POLICIES,
    AS_OF,
    st.randoms(use_true_random=False),
)
def test_the_decision_does_not_depend_on_the_order_of_inputs(  # noqa: PLR0917 - drawn by hypothesis
    subject: Claim,
    rxs: list[Prescription],
    notes: list[SoapNote],
    history: list[Claim],
    policy: PayerPolicy,
    as_of: date,
    random: Random,
) -> None:
    decision = evaluate(
        subject, policy, prescriptions=rxs, notes=notes, history=history, as_of=as_of
    )
    again = evaluate(
        subject,
        policy,
        prescriptions=random.sample(rxs, len(rxs)),
        notes=random.sample(notes, len(notes)),
        history=random.sample(history, len(history)),
        as_of=as_of,
    )
    assert again == evaluate(
        subject,
        policy,
        prescriptions=list(reversed(rxs)),
        notes=list(reversed(notes)),
        history=list(reversed(history)),
        as_of=as_of,
    )
    assert again == decision


@given(
    claims(),
    st.lists(PRESCRIPTIONS, max_size=2),
    st.lists(NOTES, max_size=2),
    HISTORY,
    POLICIES,
    AS_OF,
    st.booleans(),
)
def test_decisions_round_trip_through_json_and_findings_come_in_rule_order(  # noqa: PLR0917 - drawn by hypothesis
    subject: Claim,
    rxs: list[Prescription],
    notes: list[SoapNote],
    history: list[Claim],
    policy: PayerPolicy,
    as_of: date,
    planned: bool,
) -> None:
    decision = evaluate(
        subject,
        policy,
        prescriptions=rxs,
        notes=notes,
        history=history,
        as_of=as_of,
        diagnosis_table=MASSAGE_DIAGNOSES,
        care_plans=[builders.certified_plan(subject)] if planned else [],
    )
    assert Decision.from_json(decision.to_json()) == decision
    # The rules of plans of care (on in medicare-part-b) run after the others.
    order = [(*BUILTIN_IDS, *CARE_IDS).index(f.rule) for f in decision.findings]
    assert order == sorted(order)
    assert decision.eligible == (decision.errors == ())


@given(claims(), st.lists(PRESCRIPTIONS, max_size=2), st.lists(NOTES, max_size=2), HISTORY, AS_OF)
def test_findings_never_contain_patient_data(
    subject: Claim,
    rxs: list[Prescription],
    notes: list[SoapNote],
    history: list[Claim],
    as_of: date,
) -> None:
    subject = attrs.evolve(subject, id="CLAIMSENTINEL")
    notes = [
        attrs.evolve(n, subjective=attrs.evolve(n.subjective, chief_complaint="COMPLAINTSENTINEL"))
        for n in notes
    ]
    secrets = {
        PATIENT.id,
        PATIENT.name.family,
        PATIENT.name.given,
        PATIENT.birth_date.isoformat(),
        COVERAGE.member_id,
        subject.id,
        "COMPLAINTSENTINEL",
        # Dates of service are patient data too.
        *(day.isoformat() for day in subject.dates_of_service),
    }
    for policy in BUNDLED:
        decision = evaluate(
            subject,
            policy,
            prescriptions=rxs,
            notes=notes,
            history=history,
            as_of=as_of,
            diagnosis_table=MASSAGE_DIAGNOSES,
        )
        for finding in decision.findings:
            text = f"{finding.message} {finding.path} {finding.fix}"
            assert not any(secret in text for secret in secrets)
