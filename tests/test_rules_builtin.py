"""
The built-in rules, one table of cases per rule.

Every case names what it shows; vectors from public sources (the CMS unit
examples of Pub 100-04 Ch. 5 §20.2, the KX thresholds, the Medicare filing limit
of 42 CFR 424.44) say where they come from (docs/sources.md lists them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest

import builders
from builders import line, note
from seed_story import seed_story
from soapbill import (
    Attachment,
    AttachmentKind,
    Claim,
    ClaimFrequency,
    CptCode,
    Credential,
    DiagnosisCode,
    Modifier,
    Payer,
    PlanType,
    Prescription,
    Provider,
    RelatedCauses,
    ServiceLine,
    SoapNote,
    Treatment,
    ValidationError,
)
from soapbill.billing.fees import FeeSchedule
from soapbill.billing.ncci import (
    ModifierIndicator,
    MueAdjudication,
    MueLimit,
    PtpEdit,
    PtpEdits,
)
from soapbill.billing.units import UnitMethod
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CodeInfo
from soapbill.rules import (
    BUILTIN_IDS,
    BUILTIN_RULES,
    Decision,
    Finding,
    KxThreshold,
    ModifierRequirement,
    PayerPolicy,
    PriorAuthorization,
    Severity,
    UnitLimit,
    declared,
    evaluate,
)
from soapbill.rules import builtin as b
from soapbill.rules.diagnoses import (
    MASSAGE_DIAGNOSES,
    DiagnosisStatus,
    DiagnosisTable,
    DiagnosisVerdict,
)

DOS = builders.DOS
LMT = builders.therapist()
POLICY = PayerPolicy(id="test", version="1")
RX_POLICY = PayerPolicy(id="test", version="1", rx_required=True)


def claim(
    *lines: ServiceLine,
    frequency: ClaimFrequency = ClaimFrequency.ORIGINAL,
    rendering: Provider | None = LMT,
    **changes: Any,
) -> Claim:
    return builders.claim(
        *lines,
        frequency=frequency,
        original_claim_number=None if frequency is ClaimFrequency.ORIGINAL else "ICN1",
        rendering_provider=rendering,
        **changes,
    )


def rx(
    *,
    written: date = date(2026, 1, 5),
    until: date | None = None,
    days: int | None = None,
    visits: int | None = None,
    **changes: Any,
) -> Prescription:
    return builders.prescription(
        written_on=written,
        valid_until=until,
        valid_days=days,
        visits_authorized=visits,
        **changes,
    )


def check(
    subject: Claim,
    policy: PayerPolicy = POLICY,
    *,
    as_of: date = DOS,
    prescriptions: Sequence[Prescription] = (),
    notes: Sequence[SoapNote] = (),
    history: Sequence[Claim] = (),
    table: DiagnosisTable | None = MASSAGE_DIAGNOSES,
) -> Decision:
    return evaluate(
        subject,
        policy,
        prescriptions=prescriptions,
        notes=notes,
        history=history,
        as_of=as_of,
        diagnosis_table=table,
    )


def found(decision: Decision, rule_id: str) -> list[tuple[str, str]]:
    return [(f.path, f.message) for f in decision.findings if f.rule == rule_id]


def only(decision: Decision, rule_id: str) -> Finding:
    matches = [f for f in decision.findings if f.rule == rule_id]
    assert len(matches) == 1, decision.findings
    return matches[0]


def visit(on: date, *, id: str, frequency: ClaimFrequency = ClaimFrequency.ORIGINAL) -> Claim:
    return claim(line(on=on), id=id, frequency=frequency)


# --- the list of rules -------------------------------------------------------------


def test_builtin_ids_are_the_documented_public_ids() -> None:
    assert BUILTIN_IDS == (
        "coverage.inactive",
        "coverage.wrong_payer",
        "accident.cause_missing",
        "accident.date_missing",
        "accident.claim_number_missing",
        "rx.required",
        "rx.expired",
        "rx.not_yet_valid",
        "rx.visits_exhausted",
        "rx.prescriber_not_accepted",
        "rx.diagnosis_mismatch",
        "rx.code_not_ordered",
        "provider.not_covered",
        "code.not_covered",
        "code.bundled",
        "diagnosis.not_billable",
        "diagnosis.not_checked",
        "units.exceed_limit",
        "mue.not_checked",
        "units.unsupported_by_note",
        "units.method_mismatch",
        "ncci.conflict",
        "modifier.missing",
        "modifier.assistant_missing",
        "note.missing",
        "note.unsigned",
        "visits.annual_limit",
        "filing.late",
        "auth.missing",
        "kx.required",
        "kx.estimated",
        "kx.not_checked",
    )
    assert len(set(BUILTIN_IDS)) == len(BUILTIN_IDS)
    assert tuple(i for each in BUILTIN_RULES for i in declared(each)) == BUILTIN_IDS


def test_the_ids_of_one_analysis_come_from_one_rule_group() -> None:
    groups = {
        getattr(each, "__name__", ""): tuple(declared(each))
        for each in BUILTIN_RULES
        if len(declared(each)) > 1
    }
    assert groups == {
        "rx_group": tuple(i for i in BUILTIN_IDS if i.startswith("rx.")),
        "diagnosis_group": ("diagnosis.not_billable", "diagnosis.not_checked"),
        "accident_group": (
            "accident.cause_missing",
            "accident.date_missing",
            "accident.claim_number_missing",
        ),
        "units_group": ("units.exceed_limit", "mue.not_checked"),
        "kx_group": ("kx.required", "kx.estimated", "kx.not_checked"),
    }


def test_every_rule_and_group_is_a_documented_module_level_function() -> None:
    for each in BUILTIN_RULES:
        name = getattr(each, "__name__", "")
        assert getattr(b, name) is each
        assert each.__doc__
        assert name in b.__all__


def test_a_clean_claim_under_an_empty_policy_has_no_findings() -> None:
    decision = check(claim())
    assert decision.findings == ()
    assert decision.eligible


# --- coverage --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(None, None, [], id="open coverage"),
        pytest.param(DOS, DOS, [], id="bounds are inclusive"),
        pytest.param(
            None,
            date(2026, 3, 1),
            [
                (
                    "lines[0].date_of_service",
                    "line 1: the coverage is not in force on its date of service",
                )
            ],
            id="ended the day before",
        ),
        pytest.param(
            date(2026, 3, 3),
            None,
            [
                (
                    "lines[0].date_of_service",
                    "line 1: the coverage is not in force on its date of service",
                )
            ],
            id="starts the day after",
        ),
    ],
)
def test_coverage_inactive(start: date | None, end: date | None, expected: list[object]) -> None:
    coverage = builders.coverage(start=start, end=end)
    assert found(check(claim(coverage=coverage)), "coverage.inactive") == expected


def test_coverage_inactive_groups_the_lines_of_a_date() -> None:
    coverage = builders.coverage(end=date(2026, 3, 3))
    late = date(2026, 3, 4)
    subject = claim(line(), line(on=late), line("97140", 1, on=late), coverage=coverage)
    finding = only(check(subject), "coverage.inactive")
    assert finding.path == "lines[1].date_of_service"
    assert finding.message == "lines 2 and 3: the coverage is not in force on their date of service"
    assert finding.severity is Severity.ERROR


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        pytest.param(POLICY, [], id="any payer, any plan"),
        pytest.param(
            attrs.evolve(POLICY, payer_id="PAYER01", plan_types=(PlanType.COMMERCIAL,)),
            [],
            id="matching payer and plan",
        ),
        pytest.param(
            attrs.evolve(POLICY, payer_id="OTHER"),
            [
                (
                    "coverage.payer.id",
                    "the policy applies to payer id OTHER, not to the claim's payer",
                )
            ],
            id="another payer",
        ),
        pytest.param(
            attrs.evolve(POLICY, plan_types=(PlanType.MEDICARE_PART_B, PlanType.AUTO_PIP)),
            [
                (
                    "coverage.plan_type",
                    "the policy applies to plan type auto_pip and medicare_part_b, not commercial",
                )
            ],
            id="another plan type",
        ),
    ],
)
def test_coverage_wrong_payer(policy: PayerPolicy, expected: list[object]) -> None:
    assert found(check(claim(), policy), "coverage.wrong_payer") == expected


# --- property and casualty ---------------------------------------------------------------

AUTO = builders.coverage(plan_type=PlanType.AUTO_PIP)
COMP = builders.coverage(plan_type=PlanType.WORKERS_COMP)
CRASH = RelatedCauses(auto_accident=True, accident_state="WA", accident_date=date(2026, 2, 20))
AT_WORK = RelatedCauses(employment=True)


@pytest.mark.parametrize(
    ("coverage", "causes", "number", "expected"),
    [
        pytest.param(AUTO, CRASH, "PC1", [], id="auto: complete"),
        pytest.param(
            AUTO,
            None,
            None,
            [
                "accident.cause_missing",
                "accident.date_missing",
                "accident.claim_number_missing",
            ],
            id="auto: nothing",
        ),
        pytest.param(
            AUTO,
            attrs.evolve(CRASH, accident_date=None),
            "PC1",
            ["accident.date_missing"],
            id="auto: no date",
        ),
        pytest.param(AUTO, CRASH, None, ["accident.claim_number_missing"], id="auto: no number"),
        pytest.param(
            AUTO,
            RelatedCauses(other_accident=True, accident_date=date(2026, 2, 20)),
            "PC1",
            ["accident.cause_missing"],
            id="auto: another accident",
        ),
        pytest.param(COMP, AT_WORK, "WC1", [], id="comp: complete"),
        pytest.param(
            COMP,
            None,
            None,
            ["accident.cause_missing", "accident.claim_number_missing"],
            id="comp: nothing",
        ),
        pytest.param(COMP, CRASH, "WC1", ["accident.cause_missing"], id="comp: not employment"),
        pytest.param(COMP, AT_WORK, None, ["accident.claim_number_missing"], id="comp: no number"),
        pytest.param(builders.coverage(), None, None, [], id="commercial: not asked"),
    ],
)
def test_accident_group_by_plan_type(
    coverage: Any, causes: RelatedCauses | None, number: str | None, expected: list[str]
) -> None:
    subject = claim(coverage=coverage, related_causes=causes, property_casualty_claim_number=number)
    decision = check(subject, table=None)
    assert [f.rule for f in decision.findings if f.rule.startswith("accident.")] == expected


def test_accident_group_messages() -> None:
    decision = check(claim(coverage=AUTO))
    assert [(f.path, f.message, f.fix) for f in decision.findings] == [
        (
            "related_causes",
            "an auto PIP claim must say the condition is related to an auto accident",
            "set related_causes.auto_accident with the accident_state",
        ),
        (
            "related_causes.accident_date",
            "an auto PIP claim needs the date of the accident",
            "add the accident date to related_causes",
        ),
        (
            "property_casualty_claim_number",
            "an auto PIP claim needs the claim number the insurer assigned",
            "ask the insurer for its claim number and add it to the claim",
        ),
    ]
    comp = check(claim(coverage=COMP, property_casualty_claim_number="WC1"))
    assert [(f.path, f.message, f.fix) for f in comp.findings] == [
        (
            "related_causes",
            "a workers' compensation claim must say the condition is related to employment",
            "set related_causes.employment",
        )
    ]


# --- prescriptions ---------------------------------------------------------------------


def test_rx_required_without_any_prescription() -> None:
    finding = only(check(claim(line(), line("97140", 1)), RX_POLICY), "rx.required")
    assert finding.path == "lines[0].date_of_service"
    assert finding.message == (
        "lines 1 and 2: the policy requires a prescription and none is on file"
    )
    assert finding.fix == "add the prescription to the prescriptions on file"


@pytest.mark.parametrize(
    ("prescription", "rule_id"),
    [
        pytest.param(rx(until=date(2026, 3, 1)), "rx.expired", id="expired the day before"),
        pytest.param(rx(written=date(2026, 1, 1), days=60), "rx.expired", id="60 days end 1 March"),
        pytest.param(rx(written=date(2026, 3, 3)), "rx.not_yet_valid", id="written the day after"),
    ],
)
def test_rx_not_valid_on_the_date(prescription: Prescription, rule_id: str) -> None:
    decision = check(claim(), RX_POLICY, prescriptions=[prescription])
    assert [f.rule for f in decision.findings] == [rule_id]
    assert not decision.eligible


def test_rx_expired_wins_over_not_yet_valid() -> None:
    old = rx(until=date(2026, 2, 1), id="OLD")
    new = rx(written=date(2026, 3, 3), id="NEW")
    decision = check(claim(), RX_POLICY, prescriptions=[new, old])
    assert [f.rule for f in decision.findings] == ["rx.expired"]


@pytest.mark.parametrize(
    ("prescription", "policy"),
    [
        pytest.param(rx(until=DOS), RX_POLICY, id="valid_until is the last valid day"),
        pytest.param(rx(written=DOS), RX_POLICY, id="valid from the day written"),
        pytest.param(rx(written=date(2026, 1, 31), days=31), RX_POLICY, id="31 days end 2 March"),
        pytest.param(
            rx(written=date(2026, 1, 31)),
            attrs.evolve(RX_POLICY, rx_default_valid_days=31),
            id="the policy's default validity, inclusive",
        ),
    ],
)
def test_rx_validity_boundaries_are_inclusive(
    prescription: Prescription, policy: PayerPolicy
) -> None:
    decision = check(claim(), policy, prescriptions=[prescription])
    assert decision.findings == ()


def test_rx_default_validity_applies_only_to_prescriptions_that_state_none() -> None:
    policy = attrs.evolve(RX_POLICY, rx_default_valid_days=30)
    stated = rx(written=date(2026, 1, 31), days=31)
    unstated = rx(written=date(2026, 1, 31))
    assert check(claim(), policy, prescriptions=[stated]).eligible
    assert [f.rule for f in check(claim(), policy, prescriptions=[unstated]).findings] == [
        "rx.expired"
    ]


def test_rx_visits_exhausted_counts_visits_since_written() -> None:
    prescription = rx(written=date(2026, 2, 1), visits=2)
    before = visit(date(2026, 1, 20), id="H0")  # before the prescription: not counted
    first = visit(date(2026, 2, 10), id="H1")
    ok = check(claim(), RX_POLICY, prescriptions=[prescription], history=[before, first])
    assert ok.findings == ()
    second = visit(date(2026, 2, 20), id="H2")
    decision = check(claim(), RX_POLICY, prescriptions=[prescription], history=[first, second])
    finding = only(decision, "rx.visits_exhausted")
    assert finding.message == "line 1: the prescription allows 2 visits; this is visit 3"
    assert finding.path == "lines[0].date_of_service"


def test_rx_visits_count_dates_not_claims_or_lines() -> None:
    prescription = rx(written=date(2026, 2, 1), visits=2)
    same_day = [visit(date(2026, 2, 10), id="H1"), visit(date(2026, 2, 10), id="H2")]
    subject = claim(line(), line("97140", 1))
    assert check(subject, RX_POLICY, prescriptions=[prescription], history=same_day).eligible


@pytest.mark.parametrize(
    ("versions", "counted"),
    [
        pytest.param([("H1", ClaimFrequency.ORIGINAL)], True, id="an original counts"),
        pytest.param(
            [("H1", ClaimFrequency.ORIGINAL), ("H1", ClaimFrequency.VOID)],
            False,
            id="a void cancels its original",
        ),
        pytest.param(
            [("C1", ClaimFrequency.ORIGINAL)], False, id="an earlier version of the claim"
        ),
        pytest.param(
            [("H1", ClaimFrequency.ORIGINAL), ("H2", ClaimFrequency.VOID)],
            True,
            id="a void of another claim",
        ),
    ],
)
def test_history_versions(versions: list[tuple[str, ClaimFrequency]], counted: bool) -> None:
    prescription = rx(written=date(2026, 2, 1), visits=1)
    history = [visit(date(2026, 2, 10), id=i, frequency=f) for i, f in versions]
    decision = check(claim(), RX_POLICY, prescriptions=[prescription], history=history)
    assert bool(found(decision, "rx.visits_exhausted")) is counted


def test_a_replacement_supersedes_its_original() -> None:
    prescription = rx(written=date(2026, 2, 1), visits=2)
    original = claim(line(on=date(2026, 2, 10)), line(on=date(2026, 2, 11)), id="H1")
    replacement = attrs.evolve(
        visit(date(2026, 2, 10), id="H1", frequency=ClaimFrequency.REPLACEMENT)
    )
    with_original = check(claim(), RX_POLICY, prescriptions=[prescription], history=[original])
    assert found(with_original, "rx.visits_exhausted")
    replaced = check(
        claim(), RX_POLICY, prescriptions=[prescription], history=[original, replacement]
    )
    assert replaced.findings == ()


def test_rx_prescriber_not_accepted() -> None:
    policy = attrs.evolve(RX_POLICY, prescriber_credentials=(Credential.MD, Credential.DO))
    chiropractor = builders.physician(credential=Credential.DC)
    finding = only(
        check(claim(), policy, prescriptions=[rx(prescriber=chiropractor)]),
        "rx.prescriber_not_accepted",
    )
    assert (
        finding.message
        == "line 1: the prescriber (dc) is not accepted; the policy accepts do and md"
    )
    assert finding.path == "lines[0]"
    organisation = builders.clinic(organization_name="Example Hospital")
    finding = only(
        check(claim(), policy, prescriptions=[rx(prescriber=organisation)]),
        "rx.prescriber_not_accepted",
    )
    assert "(no credential)" in finding.message
    assert check(claim(), policy, prescriptions=[rx()]).eligible


def test_rx_diagnosis_mismatch() -> None:
    subject = claim(line(pointers=(1, 2)), diagnoses=("M54.50", "M62.830"))
    assert check(subject, RX_POLICY, prescriptions=[rx(diagnoses=("M62.830",))]).eligible
    finding = only(
        check(subject, RX_POLICY, prescriptions=[rx(diagnoses=("M54.2",))]),
        "rx.diagnosis_mismatch",
    )
    assert finding.message == (
        "line 1: the prescription names none of its diagnoses (M54.50 and M62.830)"
    )
    assert finding.path == "lines[0].diagnosis_pointers"


def test_rx_code_not_ordered() -> None:
    subject = claim(line(), line("97140", 1))
    decision = check(subject, RX_POLICY, prescriptions=[rx(procedures=("97124",))])
    assert found(decision, "rx.code_not_ordered") == [
        ("lines[1].code", "line 2: the prescription does not order 97140")
    ]
    assert check(subject, RX_POLICY, prescriptions=[rx()]).eligible


def test_a_line_is_covered_by_any_one_prescription() -> None:
    # Each prescription fails the line on one count; neither covers it alone.
    wrong_code = rx(procedures=("97140",), id="A")
    wrong_diagnosis = rx(diagnoses=("M54.2",), id="B")
    decision = check(claim(), RX_POLICY, prescriptions=[wrong_code, wrong_diagnosis])
    assert not decision.eligible
    assert len(decision.errors) == 1
    # A third that does cover it makes the line covered.
    both = [wrong_code, wrong_diagnosis, rx(id="C")]
    assert check(claim(), RX_POLICY, prescriptions=both).eligible


def test_rx_rules_do_nothing_when_the_policy_requires_no_prescription() -> None:
    assert check(claim(), POLICY, prescriptions=[rx(until=date(2026, 1, 6))]).findings == ()


# --- provider and codes ----------------------------------------------------------------


def test_provider_not_covered() -> None:
    policy = attrs.evolve(POLICY, covered_credentials=(Credential.PT, Credential.OT))
    finding = only(check(claim(), policy), "provider.not_covered")
    assert finding.path == "rendering_provider.credential"
    assert finding.message == (
        "the rendering provider's credential (lmt) is not covered; the policy covers ot and pt"
    )
    no_rendering = only(check(claim(rendering=None), policy), "provider.not_covered")
    assert no_rendering.path == "billing_provider.credential"
    assert no_rendering.message.startswith("the rendering provider has no credential")
    covered = attrs.evolve(policy, covered_credentials=(Credential.LMT,))
    assert check(claim(), covered).findings == ()


def test_code_not_covered_and_bundled() -> None:
    policy = attrs.evolve(
        POLICY,
        covered_codes=(CptCode("97124"), CptCode("97010")),
        bundled_codes=(CptCode("97010"),),
    )
    subject = claim(line(), line("97140", 1), line("97010", 1))
    decision = check(subject, policy)
    assert found(decision, "code.not_covered") == [
        ("lines[1].code", "line 2: the policy does not cover 97140")
    ]
    bundled = only(decision, "code.bundled")
    assert bundled.severity is Severity.WARNING
    assert bundled.path == "lines[2].code"
    assert bundled.fix == "remove line 3"
    # A warning alone leaves the claim eligible.
    assert check(claim(line(), line("97010", 1)), policy).eligible


# --- diagnoses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "on", "expected"),
    [
        # ICD-10-CM FY2022: M54.5 was billable through 2021-09-30, then a header.
        pytest.param("M54.5", date(2021, 9, 30), None, id="M54.5 before the split"),
        pytest.param(
            "M54.5",
            date(2021, 10, 1),
            (
                "diagnosis 1 (M54.5) is a category, not a billable code",
                "use a more specific code: M54.50, M54.51 or M54.59",
            ),
            id="M54.5 after the split",
        ),
        pytest.param(
            "M54.50",
            date(2021, 9, 30),
            (
                "diagnosis 1 (M54.50) is not yet in force on the date of service",
                "use a code billable on the date of service",
            ),
            id="M54.50 before it existed",
        ),
        pytest.param("M54.50", date(2021, 10, 1), None, id="M54.50 from its first day"),
        pytest.param(
            "M79.1",
            date(2026, 1, 5),
            (
                "diagnosis 1 (M79.1) is a category, not a billable code",
                "use a more specific code: M79.10, M79.11, M79.12 or M79.18",
            ),
            id="M79.1 now",
        ),
        pytest.param(
            "S13.4",
            date(2026, 1, 5),
            (
                "diagnosis 1 (S13.4) is a category, not a billable code",
                "use a more specific code: S13.4XXA, S13.4XXD or S13.4XXS",
            ),
            id="S13.4 needs a 7th character",
        ),
    ],
)
def test_diagnosis_not_billable(code: str, on: date, expected: tuple[str, str] | None) -> None:
    decision = check(claim(line(on=on), diagnoses=(code,)), as_of=on)
    if expected is None:
        assert decision.findings == ()
        return
    finding = only(decision, "diagnosis.not_billable")
    assert (finding.message, finding.fix) == expected
    assert finding.path == "diagnoses[0]"


def test_diagnoses_are_checked_on_the_dates_of_the_lines_pointing_at_them() -> None:
    before, after = date(2021, 9, 30), date(2021, 10, 1)
    subject = claim(
        line(on=before, pointers=(1,)),
        line(on=after, pointers=(2,)),
        diagnoses=("M54.5", "M54.50"),
    )
    assert check(subject, as_of=after).findings == ()
    unpointed = claim(line(on=after), diagnoses=("M54.50", "M54.5"))
    assert found(check(unpointed, as_of=after), "diagnosis.not_billable") == [
        ("diagnoses[1]", "diagnosis 2 (M54.5) is a category, not a billable code")
    ]


class _Fixed:
    def __init__(self, status: DiagnosisStatus) -> None:
        self.status = status

    def check(self, code: DiagnosisCode, on: date, /) -> DiagnosisVerdict:
        del code, on
        return DiagnosisVerdict(status=self.status)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            DiagnosisStatus.DELETED,
            "diagnosis 1 (M54.50) is no longer in force on the date of service",
        ),
        (DiagnosisStatus.INVALID, "diagnosis 1 (M54.50) is not an ICD-10-CM code"),
    ],
)
def test_diagnosis_statuses_of_other_tables(status: DiagnosisStatus, message: str) -> None:
    finding = only(check(claim(), table=_Fixed(status)), "diagnosis.not_billable")
    assert finding.message == message


def test_diagnosis_not_checked_without_a_table() -> None:
    decision = check(claim(), table=None)
    finding = only(decision, "diagnosis.not_checked")
    assert finding.severity is Severity.INFO
    assert finding.path == "diagnoses"
    assert finding.message == "diagnoses not checked: no diagnosis table was given"
    assert decision.eligible
    assert found(decision, "diagnosis.not_billable") == []


def test_diagnosis_not_checked_for_codes_the_table_does_not_know() -> None:
    decision = check(claim(diagnoses=("J06.9", "M54.50")))
    assert found(decision, "diagnosis.not_checked") == [
        ("diagnoses[0]", "diagnosis 1 (J06.9) not checked: the diagnosis table does not know it")
    ]


# --- units -----------------------------------------------------------------------------


def test_units_exceed_the_policy_limit_per_code_per_date() -> None:
    policy = attrs.evolve(POLICY, units_per_day=(UnitLimit(code=CptCode("97124"), units=3),))
    later = date(2026, 3, 3)
    subject = claim(line(units=2), line(units=2), line(units=3, on=later), line("97140", 4))
    finding = only(check(subject, policy), "units.exceed_limit")
    assert finding.path == "lines[0].units"
    assert (
        finding.message == "lines 1 and 2: 4 units of 97124 on one date; the policy pays at most 3"
    )
    assert finding.fix == "bill at most 3 units of 97124 a date"


def test_mue_limits_and_codes_without_a_value() -> None:
    mue = MueLimit(
        code=CptCode("97035"), max_units=2, adjudication=MueAdjudication.DATE_OF_SERVICE_CLINICAL
    )
    policy = attrs.evolve(POLICY, mue_limits=(mue,))
    subject = claim(line("97035", 2), line("97035", 1), line())
    decision = check(subject, policy)
    over = only(decision, "units.exceed_limit")
    assert over.message == "lines 1 and 2: 3 units of 97035; its MUE allows 2"
    unchecked = only(decision, "mue.not_checked")
    assert unchecked.severity is Severity.INFO
    assert unchecked.message == "line 3: MUE not checked: the policy has no MUE value for 97124"
    # Within the limit: nothing to say.
    assert check(claim(line("97035", 2)), policy).findings == ()
    # Without MUE data in the policy, nothing is said about MUEs.
    assert check(subject).findings == ()


CMS = attrs.evolve(POLICY, unit_method=UnitMethod.CMS)
PER_CODE = attrs.evolve(POLICY, unit_method=UnitMethod.PER_CODE)


@pytest.mark.parametrize(
    ("policy", "minutes", "billed", "problems"),
    [
        # CMS example 1 (Pub 100-04 Ch. 5 §20.2): 97112 24 + 97110 23 = 47 minutes,
        # 3 units, 97112 x 2.
        pytest.param(CMS, {"97112": 24, "97110": 23}, {"97112": 2, "97110": 1}, 0, id="CMS-1"),
        pytest.param(
            CMS, {"97112": 24, "97110": 23}, {"97112": 1, "97110": 2}, 1, id="CMS-1 swapped"
        ),
        # CMS-2: 20 + 20 = 40 minutes, 3 units: either code x 2, never both.
        pytest.param(CMS, {"97112": 20, "97110": 20}, {"97112": 2, "97110": 1}, 0, id="CMS-2 a"),
        pytest.param(CMS, {"97112": 20, "97110": 20}, {"97112": 1, "97110": 2}, 0, id="CMS-2 b"),
        pytest.param(CMS, {"97112": 20, "97110": 20}, {"97112": 2, "97110": 2}, 1, id="CMS-2 both"),
        pytest.param(CMS, {"97112": 20, "97110": 20}, {"97112": 3}, 1, id="CMS-2 3 of one"),
        # CMS-3: 97110 33 + 97140 7: 97110 x 2, 97140 x 1.
        pytest.param(CMS, {"97110": 33, "97140": 7}, {"97110": 2, "97140": 1}, 0, id="CMS-3"),
        pytest.param(CMS, {"97110": 33, "97140": 7}, {"97110": 3}, 1, id="CMS-3 all to 97110"),
        # CMS-5: three codes of 7 minutes: one unit of any one.
        pytest.param(CMS, {"97112": 7, "97110": 7, "97140": 7}, {"97140": 1}, 0, id="CMS-5"),
        pytest.param(
            CMS, {"97112": 7, "97110": 7, "97140": 7}, {"97140": 1, "97110": 1}, 1, id="CMS-5 two"
        ),
        # CPT's time rule (a unit once the midpoint is passed), per code, on the same minutes.
        pytest.param(PER_CODE, {"97112": 24, "97110": 23}, {"97112": 2, "97110": 2}, 0, id="AMA 4"),
        pytest.param(
            PER_CODE, {"97110": 33, "97140": 7}, {"97110": 2, "97140": 1}, 1, id="AMA 7 min"
        ),
        # Untimed codes are one unit; codes the note does not record none.
        pytest.param(CMS, {"97124": 30, "97010": 10}, {"97124": 2, "97010": 1}, 0, id="untimed 1"),
        pytest.param(CMS, {"97124": 30, "97010": 10}, {"97010": 2}, 1, id="untimed 2"),
        pytest.param(CMS, {"97124": 30}, {"97124": 2, "97140": 1}, 1, id="not in the note"),
        pytest.param(CMS, {"97124": 30}, {"97124": 1}, 0, id="billing less is fine"),
        # An untimed code never joins a tie class, even when its minutes equal a
        # timed code's leftover: 97110 25 (1 + 10 left) and 97010 10.
        pytest.param(
            CMS, {"97110": 25, "97010": 10}, {"97110": 2, "97010": 1}, 0, id="untimed no tie"
        ),
        pytest.param(
            PER_CODE,
            {"97110": 25, "97010": 10},
            {"97110": 2, "97010": 1},
            0,
            id="untimed no tie, per code",
        ),
        # The seed story's notes: 97124 40 (2 + 10 left), 97140 15, 97010 10.
        pytest.param(
            CMS,
            {"97124": 40, "97140": 15, "97010": 10},
            {"97124": 3, "97140": 1, "97010": 1},
            0,
            id="seed notes",
        ),
        pytest.param(
            CMS, {"97110": 25, "97010": 10}, {"97110": 3, "97010": 1}, 1, id="untimed, too many"
        ),
    ],
)
def test_units_unsupported_by_note(
    policy: PayerPolicy, minutes: dict[str, int], billed: dict[str, int], problems: int
) -> None:
    subject = claim(*(line(code, units) for code, units in billed.items()))
    decision = check(subject, policy, notes=[note(*minutes.items())])
    assert len(found(decision, "units.unsupported_by_note")) == problems


def test_the_seed_story_claim_is_supported_by_its_notes_under_the_cms_rule() -> None:
    # The seed notes (97124 40, 97140 15, 97010 10; 97124 30, 97140 23) billed
    # as allocate_units says, under the CMS 8-minute rule.
    _, _, rx_on_file, notes, subject, _ = seed_story()
    decision = evaluate(
        subject, CMS, prescriptions=[rx_on_file], notes=notes, as_of=date(2026, 3, 17)
    )
    assert found(decision, "units.unsupported_by_note") == []


def test_units_unsupported_by_note_messages() -> None:
    subject = claim(line("97124", 3), line("97140", 1))
    decision = check(subject, CMS, notes=[note(("97124", 30))])
    assert [(f.path, f.message, f.fix) for f in decision.findings] == [
        (
            "lines[0].units",
            (
                "line 1: 3 units of 97124 billed; the note's 30 minutes support 2 units under "
                "the CMS 8-minute rule"
            ),
            "bill 2 units of 97124",
        ),
        (
            "lines[1].units",
            "line 2: 1 unit of 97140 billed; the note records no 97140",
            "remove line 2",
        ),
    ]
    tie = check(
        claim(line("97112", 2), line("97110", 2)), CMS, notes=[note(("97112", 20), ("97110", 20))]
    )
    assert [(f.path, f.message) for f in tie.findings] == [
        (
            "lines[0].units",
            (
                "lines 1 and 2: 97110 and 97112 each take an extra unit for 5 leftover minutes; "
                "under the CMS 8-minute rule the note's minutes support 1 extra unit among them"
            ),
        )
    ]


def test_units_unsupported_by_note_adds_the_notes_of_a_date_and_skips_unknown_codes() -> None:
    notes = [note(("97124", 15), ("98940", 10)), attrs.evolve(note(("97124", 15)), id="second")]
    subject = claim(line("97124", 2), line("98940", 1))
    assert check(subject, CMS, notes=notes).findings == ()
    # No note for the date: nothing to compare with.
    assert check(claim(line("97124", 9))).findings == ()


def test_units_unsupported_by_note_honours_the_catalogue_passed() -> None:
    # 97039 (an unlisted modality) is not in the built-in catalogue: a practice adds it.
    def catalog(*, timed: bool) -> Catalog:
        info = CodeInfo(code=CptCode("97039"), label="Unlisted modality", timed=timed)
        return DEFAULT_CATALOG.extend(info)

    subject = claim(line("97039", 3))
    notes = [note(("97039", 40))]

    def unsupported(book: Catalog | None) -> list[tuple[str, str]]:
        decision = evaluate(subject, CMS, notes=notes, as_of=DOS, catalog=book)
        return found(decision, "units.unsupported_by_note")

    assert unsupported(None) == []  # not in the catalogue: not checked
    assert unsupported(catalog(timed=True)) == []  # 40 timed minutes make 3 units
    message = (
        "line 1: 3 units of 97039 billed; the note's 40 minutes support 1 unit "
        "under the CMS 8-minute rule"
    )
    assert unsupported(catalog(timed=False)) == [("lines[0].units", message)]


# The same minutes, counted under the other method: CMS example 1 (Pub 100-04
# Ch. 5 §20.2), 97112 24 + 97110 23, is 3 units under the CMS rule and 4 per code.
@pytest.mark.parametrize(
    ("policy", "minutes", "billed", "expected"),
    [
        pytest.param(CMS, {"97112": 24, "97110": 23}, {"97112": 2, "97110": 1}, 0, id="CMS as CMS"),
        pytest.param(
            PER_CODE, {"97112": 24, "97110": 23}, {"97112": 2, "97110": 2}, 0, id="AMA as AMA"
        ),
        # Billed per code under a CMS policy: over-billed (also unsupported_by_note).
        pytest.param(
            CMS, {"97112": 24, "97110": 23}, {"97112": 2, "97110": 2}, 1, id="CMS billed per code"
        ),
        # Billed by the CMS rule under a per-code policy: 1 unit under-billed.
        pytest.param(
            PER_CODE, {"97112": 24, "97110": 23}, {"97112": 2, "97110": 1}, 1, id="AMA billed CMS"
        ),
        # CMS-3, 97110 33 + 97140 7: per code drops 97140's 7 minutes.
        pytest.param(CMS, {"97110": 33, "97140": 7}, {"97110": 2}, 1, id="CMS-3 per code"),
        # A tie broken the other way is still the CMS rule (CMS-2).
        pytest.param(
            CMS, {"97112": 20, "97110": 20}, {"97112": 1, "97110": 2}, 0, id="CMS-2 either"
        ),
        # One code: both methods agree.
        pytest.param(CMS, {"97124": 40}, {"97124": 3}, 0, id="one code"),
        # Neither method's result: not this rule's business.
        pytest.param(CMS, {"97112": 24, "97110": 23}, {"97112": 1}, 0, id="neither"),
    ],
)
def test_units_method_mismatch(
    policy: PayerPolicy, minutes: dict[str, int], billed: dict[str, int], expected: int
) -> None:
    subject = claim(*(line(code, units) for code, units in billed.items()))
    decision = check(subject, policy, notes=[note(*minutes.items())], table=None)
    assert len(found(decision, "units.method_mismatch")) == expected


def test_units_method_mismatch_message() -> None:
    subject = claim(line("97112", 2), line("97110", 1))
    notes = [note(("97112", 24), ("97110", 23))]
    finding = only(check(subject, PER_CODE, notes=notes, table=None), "units.method_mismatch")
    assert finding.severity is Severity.WARNING
    assert (finding.path, finding.message, finding.fix) == (
        "lines[0].units",
        (
            "lines 1 and 2: the timed units of the date (3) follow the CMS 8-minute rule; the "
            "policy counts under the per-code rule, which makes 4 units of the note's minutes"
        ),
        "bill 2 units of 97110 and 2 units of 97112",
    )


# --- edits and modifiers ---------------------------------------------------------------

SAMPLE_PTP = attrs.evolve(POLICY, ptp_edits=tuple(PtpEdits.sample()))


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param((line("97140", 1), line("97530", 1)), 1, id="97140 with 97530"),
        pytest.param((line("97140", 1), line("97530", 1, "59")), 0, id="59 bypasses"),
        pytest.param((line("97140", 1), line("97530", 1, "XS")), 0, id="XS bypasses"),
        pytest.param((line("97140", 1, "59"), line("97530", 1)), 1, id="59 on column 1 does not"),
        pytest.param(
            (line("97140", 1), line("97530", 1, on=date(2026, 3, 3))), 0, id="different dates"
        ),
    ],
)
def test_ncci_conflict(lines: tuple[ServiceLine, ...], expected: int) -> None:
    assert len(found(check(claim(*lines), SAMPLE_PTP), "ncci.conflict")) == expected


def test_ncci_conflict_messages() -> None:
    finding = only(check(claim(line("97140", 1), line("97530", 1)), SAMPLE_PTP), "ncci.conflict")
    assert finding.path == "lines[1].modifiers"
    assert finding.message == (
        "line 2 (97530) is paired with line 1 (97140) by an NCCI edit: 97530 is denied"
    )
    assert finding.fix is not None
    assert finding.fix.endswith("add modifier 59 (or XE, XS, XP, XU) to line 2")
    hard = PtpEdit(
        column1=CptCode("97124"),
        column2=CptCode("97140"),
        effective=date(2020, 1, 1),
        indicator=ModifierIndicator.NOT_ALLOWED,
    )
    policy = attrs.evolve(POLICY, ptp_edits=(hard,))
    finding = only(check(claim(line(), line("97140", 1, "59")), policy), "ncci.conflict")
    assert finding.fix == "remove line 2: no modifier bypasses this edit"


def test_modifier_missing() -> None:
    policy = attrs.evolve(
        POLICY,
        modifier_requirements=(
            ModifierRequirement(any_of=(Modifier("GP"),), codes=(CptCode("97124"),)),
            ModifierRequirement(any_of=(Modifier("GP"), Modifier("GO"), Modifier("GN"))),
        ),
    )
    subject = claim(line(), line("97140", 1, "GO"), line("97010", 1))
    assert [(f.path, f.message, f.fix) for f in check(subject, policy).findings] == [
        ("lines[0].modifiers", "line 1 (97124) needs modifier GP", "add modifier GP to line 1"),
        (
            "lines[0].modifiers",
            "line 1 (97124) needs one of the modifiers GP, GO or GN",
            "add one of GP, GO or GN to line 1",
        ),
        (
            "lines[2].modifiers",
            "line 3 (97010) needs one of the modifiers GP, GO or GN",
            "add one of GP, GO or GN to line 3",
        ),
    ]


# Medicare: services furnished in whole or in part by a physical therapist
# assistant carry CQ, and an occupational therapy assistant's CO, from
# 1 January 2020 (Pub 100-04 Ch. 5 §20.1).
ASSISTED = attrs.evolve(POLICY, assistant_modifiers=True)
PTA = builders.therapist(credential=Credential.PTA)
OTA = builders.therapist(credential=Credential.OTA)


@pytest.mark.parametrize(
    ("policy", "lines", "rendering", "note_by", "expected"),
    [
        pytest.param(ASSISTED, (line("97110", 2, "GP"),), PTA, None, 1, id="PTA renders"),
        pytest.param(ASSISTED, (line("97110", 2, "GP", "CQ"),), PTA, None, 0, id="CQ given"),
        pytest.param(ASSISTED, (line("97110", 2, "GP"),), LMT, PTA, 1, id="PTA's note"),
        pytest.param(
            ASSISTED,
            (line("97110", 2, "GP"), line("97124", 1, "GP", "CQ")),
            LMT,
            PTA,
            1,
            id="one line of two",
        ),
        pytest.param(ASSISTED, (line("97110", 2, "GO"),), PTA, None, 0, id="an OT line"),
        pytest.param(ASSISTED, (line("97530", 2, "GO"),), OTA, None, 1, id="OTA renders"),
        pytest.param(ASSISTED, (line("97530", 2, "GO", "CO"),), OTA, None, 0, id="CO given"),
        pytest.param(ASSISTED, (line("97530", 2, "GO", "CQ"),), OTA, None, 1, id="CQ for CO"),
        pytest.param(ASSISTED, (line("97110", 2, "GP"),), OTA, None, 0, id="OTA, a PT line"),
        pytest.param(ASSISTED, (line("97110", 2, "GP"),), LMT, None, 0, id="no assistant"),
        pytest.param(POLICY, (line("97110", 2, "GP"),), PTA, PTA, 0, id="switched off"),
        pytest.param(
            ASSISTED,
            (line("97110", 2, "GP", on=date(2019, 12, 31)),),
            PTA,
            None,
            0,
            id="before 2020",
        ),
    ],
)
def test_modifier_assistant_missing(
    policy: PayerPolicy,
    lines: tuple[ServiceLine, ...],
    rendering: Provider,
    note_by: Provider | None,
    expected: int,
) -> None:
    notes = [] if note_by is None else [note(("97110", 30), provider=note_by)]
    decision = check(claim(*lines, rendering=rendering), policy, notes=notes, table=None)
    assert len(found(decision, "modifier.assistant_missing")) == expected


def test_modifier_assistant_missing_message() -> None:
    decision = check(claim(line("97110", 2, "GP"), rendering=PTA), ASSISTED, table=None)
    finding = only(decision, "modifier.assistant_missing")
    assert (finding.path, finding.message, finding.fix) == (
        "lines[0].modifiers",
        (
            "line 1 (97110) needs modifier CQ: an assistant (pta) furnished services on its date "
            "of service"
        ),
        "add modifier CQ to line 1, unless the assistant's part was 10% of the service or less",
    )


# --- notes -----------------------------------------------------------------------------

NOTES = attrs.evolve(POLICY, signed_note_required=True)
ATTACHED = (Attachment(kind=AttachmentKind.SOAP_NOTE, id="N1"),)


def test_note_missing() -> None:
    decision = check(claim(), NOTES)
    assert found(decision, "note.missing") == [
        (
            "attachments",
            (
                "the policy wants the signed SOAP note attached, and the claim has no SOAP-note "
                "attachment"
            ),
        ),
        ("lines[0].date_of_service", "line 1: no SOAP note is on file for its date of service"),
    ]
    assert check(claim(attachments=ATTACHED), NOTES, notes=[note(("97124", 30))]).eligible


def test_note_unsigned() -> None:
    subject = claim(attachments=ATTACHED)
    draft = note(("97124", 30), signed=False)
    assert found(check(subject, NOTES, notes=[draft]), "note.unsigned") == [
        (
            "lines[0].date_of_service",
            (
                "line 1: a SOAP note of its date of service is not signed, or was changed after it "
                "was signed"
            ),
        )
    ]
    tampered = attrs.evolve(
        note(("97124", 30)), treatments=(Treatment(code=CptCode("97124"), minutes=45),)
    )
    assert found(check(subject, NOTES, notes=[tampered]), "note.unsigned")
    assert check(subject, POLICY, notes=[draft]).findings == ()


# --- visits, filing, authorisation -----------------------------------------------------


def test_visits_annual_limit_counts_the_calendar_year_of_the_same_payer() -> None:
    policy = attrs.evolve(POLICY, visits_per_year=2)
    last_year = visit(date(2025, 12, 30), id="H0")
    this_year = visit(date(2026, 1, 10), id="H1")
    other_payer = attrs.evolve(
        visit(date(2026, 1, 11), id="H2"),
        coverage=builders.coverage(payer=Payer(id="OTHER", name="Other")),
    )
    later = visit(date(2026, 3, 20), id="H3")  # after the date: not counted
    history = [last_year, this_year, other_payer, later]
    assert check(claim(), policy, history=history).findings == ()
    second = visit(date(2026, 2, 1), id="H4")
    finding = only(check(claim(), policy, history=[*history, second]), "visits.annual_limit")
    assert (
        finding.message == "line 1: visit 3 of the calendar year; the policy pays 2 visits a year"
    )


@pytest.mark.parametrize(
    ("policy", "service", "last_timely_day"),
    [
        pytest.param(
            attrs.evolve(POLICY, timely_filing_days=90),
            date(2026, 1, 15),
            date(2026, 4, 15),
            id="90 days",
        ),
        # 42 CFR 424.44: Medicare, 12 months; a service of 29 February is due 28 February.
        pytest.param(
            attrs.evolve(POLICY, timely_filing_months=12),
            date(2024, 2, 29),
            date(2025, 2, 28),
            id="12 months from 29 February",
        ),
        pytest.param(
            attrs.evolve(POLICY, timely_filing_months=12),
            date(2026, 3, 2),
            date(2027, 3, 2),
            id="12 months",
        ),
    ],
)
def test_filing_late_is_inclusive_of_the_last_day(
    policy: PayerPolicy, service: date, last_timely_day: date
) -> None:
    subject = claim(line(on=service))
    assert check(subject, policy, as_of=last_timely_day, table=None).eligible
    late = check(
        subject, policy, as_of=date.fromordinal(last_timely_day.toordinal() + 1), table=None
    )
    finding = only(late, "filing.late")
    assert finding.path == "lines[0].date_of_service"
    assert finding.fix is None


def test_filing_late_message() -> None:
    policy = attrs.evolve(POLICY, timely_filing_months=12)
    finding = only(check(claim(), policy, as_of=date(2027, 3, 3)), "filing.late")
    assert finding.message == (
        "line 1: filed after the 12 months the policy allows after its date of service"
    )


def test_auth_missing() -> None:
    policy = attrs.evolve(
        POLICY, prior_authorization=PriorAuthorization(codes=(CptCode("97112"),), after_visits=1)
    )
    subject = claim(line(), line("97112", 1))
    assert check(subject, policy).findings == ()  # the first visit needs none
    history = [visit(date(2026, 2, 2), id="H1")]
    finding = only(check(subject, policy, history=history), "auth.missing")
    assert finding.path == "prior_authorization"
    assert finding.message == (
        "line 2: the policy requires prior authorisation after the first 1 visit, and the claim "
        "has no authorisation number"
    )
    authorised = claim(line(), line("97112", 1), prior_authorization="PA1")
    assert check(authorised, policy, history=history).findings == ()
    every = attrs.evolve(POLICY, prior_authorization=PriorAuthorization())
    assert only(check(subject, every), "auth.missing").message.startswith(
        "lines 1 and 2: the policy requires prior authorisation, and"
    )


# --- KX --------------------------------------------------------------------------------

# CMS's CY 2026 physician fee schedule: the 2026 threshold is $2,480 (PT and SLP
# together; OT apart).
KX = attrs.evolve(POLICY, kx_thresholds=(KxThreshold(year=2026, amount=Decimal("2480.00")),))


def _spent(amount: str, *modifiers: str) -> Claim:
    return claim(line("97110", 1, *modifiers, on=date(2026, 1, 10), charge=amount), id="H1")


# Without allowed amounts, billed charges stand in: the finding is the warning
# kx.estimated, which says so.
@pytest.mark.parametrize(
    ("earlier", "this", "expected"),
    [
        pytest.param("2420.00", line(charge="60.00"), 0, id="reaching the threshold: no KX"),
        pytest.param("2420.00", line(charge="60.01"), 1, id="one cent over: KX"),
        pytest.param("2420.00", line("97124", 2, "KX", charge="60.01"), 0, id="KX given"),
        pytest.param("2420.00", line("97124", 2, "GO", charge="60.01"), 0, id="OT has its own"),
        pytest.param("2420.00", line("97124", 2, "GN", charge="60.01"), 1, id="SLP shares PT's"),
    ],
)
def test_kx_estimated_from_charges(earlier: str, this: ServiceLine, expected: int) -> None:
    decision = check(claim(this), KX, history=[_spent(earlier)])
    assert len(found(decision, "kx.estimated")) == expected
    assert found(decision, "kx.required") == []


def test_kx_estimated_counts_this_claims_earlier_lines_and_not_later_history() -> None:
    later_history = claim(line(on=date(2026, 6, 1), charge="5000.00"), id="H9")
    subject = claim(line(charge="2400.00"), line("97140", 1, charge="100.00"))
    decision = check(subject, KX, history=[later_history])
    finding = only(decision, "kx.estimated")
    assert finding.severity is Severity.WARNING
    assert finding.path == "lines[1].modifiers"
    assert finding.message == (
        "line 2 (97140) may need modifier KX: the year's therapy amounts pass the $2480.00 "
        "threshold, counted with billed charges, as no allowed amounts were given; Medicare "
        "counts allowed amounts"
    )
    assert finding.fix == (
        "pass the payer's allowed amounts to check, or add modifier KX to line 2, "
        "with documentation of medical necessity"
    )


def test_kx_adds_up_every_earlier_line_of_the_year() -> None:
    earlier = claim(
        line("97110", 1, on=date(2026, 1, 10), charge="1210.00"),
        line("97110", 1, on=date(2026, 2, 10), charge="1210.00"),
        id="H1",
    )
    last_year = claim(line("97110", 1, on=date(2025, 12, 10), charge="1000.00"), id="H2")
    assert (
        found(check(claim(line(charge="60.00")), KX, history=[earlier, last_year]), "kx.estimated")
        == []
    )
    assert found(
        check(claim(line(charge="60.01")), KX, history=[earlier, last_year]), "kx.estimated"
    )


# Medicare measures the threshold in allowed amounts (Pub 100-04 Ch. 5 §10.3):
# with the payer's allowed amounts, a line counts its fee times its units.
ALLOWED = FeeSchedule.of(
    {"97110": Decimal("30.00"), "97124": Decimal("25.00")}, effective_from=date(2026, 1, 1)
)


def _kx_rules(earlier_units: int, this: ServiceLine, allowed: FeeSchedule | None) -> list[str]:
    # The earlier visit is billed at $100.00 a unit, far above what is allowed.
    history = claim(
        line("97110", earlier_units, on=date(2026, 1, 10), charge=f"{100 * earlier_units}.00"),
        id="H1",
    )
    decision = evaluate(claim(this), KX, history=[history], as_of=DOS, allowed_amounts=allowed)
    return [f.rule for f in decision.findings if f.rule.startswith("kx.")]


@pytest.mark.parametrize(
    ("earlier_units", "this", "allowed", "expected"),
    [
        # 80 units allowed at $30.00 = $2400.00; 2 more units of 97124 at $25.00
        # make $2450.00: under the threshold, though the charges ($8060.00) pass it.
        pytest.param(80, line("97124", 2, charge="60.00"), ALLOWED, [], id="allowed: under"),
        pytest.param(
            80, line("97124", 2, charge="60.00"), None, ["kx.estimated"], id="charges: over"
        ),
        # 80 + 4 units: $2400.00 + $100.00 allowed passes $2480.00.
        pytest.param(
            80, line("97124", 4, charge="120.00"), ALLOWED, ["kx.required"], id="allowed: over"
        ),
        pytest.param(80, line("97124", 4, "KX", charge="120.00"), ALLOWED, [], id="KX given"),
        # 97140 has no allowed amount: its charge stands in, and the finding says so.
        pytest.param(
            82, line("97140", 1, charge="100.00"), ALLOWED, ["kx.estimated"], id="not priced"
        ),
    ],
)
def test_kx_is_measured_in_allowed_amounts(
    earlier_units: int, this: ServiceLine, allowed: FeeSchedule | None, expected: list[str]
) -> None:
    assert _kx_rules(earlier_units, this, allowed) == expected


def test_kx_required_message_and_the_basis_of_an_estimate() -> None:
    history = [claim(line("97110", 80, on=date(2026, 1, 10), charge="8000.00"), id="H1")]
    required = evaluate(
        claim(line("97124", 4, charge="120.00")),
        KX,
        history=history,
        as_of=DOS,
        allowed_amounts=ALLOWED,
    )
    finding = only(required, "kx.required")
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "line 1 (97124) needs modifier KX: the year's allowed amounts for therapy pass the "
        "$2480.00 threshold"
    )
    estimated = evaluate(
        claim(line("97140", 3, charge="100.00")),
        KX,
        history=history,
        as_of=DOS,
        allowed_amounts=ALLOWED,
    )
    assert only(estimated, "kx.estimated").message == (
        "line 1 (97140) may need modifier KX: the year's therapy amounts pass the $2480.00 "
        "threshold, counted with billed charges for 1 line the allowed amounts do not price; "
        "Medicare counts allowed amounts"
    )


def test_allowed_amounts_must_be_a_fee_schedule() -> None:
    with pytest.raises(ValidationError) as info:
        evaluate(claim(), KX, as_of=DOS, allowed_amounts={"97110": "30.00"})  # type: ignore[arg-type]
    assert [(d.path, d.code) for d in info.value.errors] == [("allowed_amounts", "invalid_type")]


def test_kx_counts_only_the_history_of_the_same_payer() -> None:
    other = attrs.evolve(
        _spent("5000.00"), coverage=builders.coverage(payer=Payer(id="OTHER", name="Other"))
    )
    assert check(claim(line(charge="60.00")), KX, history=[other]).findings == ()


def test_kx_not_checked_for_a_year_without_threshold() -> None:
    decision = check(claim(line(on=date(2027, 1, 4))), KX, as_of=date(2027, 1, 4), table=None)
    finding = only(decision, "kx.not_checked")
    assert finding.message == "line 1: KX not checked: the policy has no threshold for 2027"
    assert finding.severity is Severity.INFO
