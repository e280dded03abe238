"""
Payer policies: the model, its JSON form and the bundled examples.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import builders
from soapbill import Claim, CptCode, Credential, Modifier, PlanType, ValidationError
from soapbill.billing.ncci import MueAdjudication, MueLimit, PtpEdits
from soapbill.billing.units import UnitMethod
from soapbill.codes.cpt import DEFAULT_CATALOG
from soapbill.rules import (
    KxThreshold,
    ModifierRequirement,
    PayerPolicy,
    PriorAuthorization,
    UnitLimit,
    evaluate,
    policies,
)
from soapbill.rules.care import CARE_IDS
from soapbill.rules.policies import UnknownPolicyError

CODES = st.sampled_from(sorted(DEFAULT_CATALOG))
MODIFIERS = st.sampled_from(["GP", "GO", "GN", "59", "KX"]).map(Modifier)


def _unique(
    strategy: st.SearchStrategy[Any], *, min_size: int = 0, max_size: int
) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(strategy, unique=True, min_size=min_size, max_size=max_size).map(tuple)


def _optional_set(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, ...] | None]:
    return st.none() | _unique(strategy, min_size=1, max_size=5)


@st.composite
def payer_policies(draw: st.DrawFn) -> PayerPolicy:
    """
    Policies with any mix of fields switched on.
    """
    filing = draw(st.sampled_from(["none", "days", "months"]))
    unit_codes = draw(_unique(CODES, max_size=4))
    years = draw(_unique(st.integers(2020, 2030), max_size=3))
    mue_codes = draw(st.none() | _unique(CODES, max_size=4))
    return PayerPolicy(
        id=draw(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True)),
        version=draw(st.sampled_from(["1", "2026.1", "2026-01-01"])),
        name=draw(st.none() | st.just("Example")),
        payer_id=draw(st.none() | st.just("PAYER01")),
        plan_types=draw(_optional_set(st.sampled_from(PlanType))),
        rx_required=draw(st.booleans()),
        prescriber_credentials=draw(_optional_set(st.sampled_from(Credential))),
        rx_default_valid_days=draw(st.none() | st.integers(1, 3660)),
        covered_codes=draw(_optional_set(CODES)),
        covered_credentials=draw(_optional_set(st.sampled_from(Credential))),
        unit_method=draw(st.sampled_from(UnitMethod)),
        modifier_requirements=draw(
            st.lists(
                st.builds(
                    ModifierRequirement,
                    any_of=_unique(MODIFIERS, min_size=1, max_size=3),
                    codes=_optional_set(CODES),
                ),
                max_size=2,
            ).map(tuple)
        ),
        assistant_modifiers=draw(st.booleans()),
        signed_note_required=draw(st.booleans()),
        visits_per_year=draw(st.none() | st.integers(1, 366)),
        units_per_day=tuple(UnitLimit(code=c, units=draw(st.integers(1, 8))) for c in unit_codes),
        timely_filing_days=draw(st.integers(1, 3660)) if filing == "days" else None,
        timely_filing_months=draw(st.integers(1, 120)) if filing == "months" else None,
        prior_authorization=draw(
            st.none()
            | st.builds(
                PriorAuthorization, codes=_optional_set(CODES), after_visits=st.integers(0, 20)
            )
        ),
        ptp_edits=draw(st.sampled_from([(), tuple(PtpEdits.sample())])),
        mue_limits=None
        if mue_codes is None
        else tuple(
            MueLimit(code=c, max_units=draw(st.integers(0, 9)), adjudication=MueAdjudication("3"))
            for c in mue_codes
        ),
        bundled_codes=draw(_unique(CODES, max_size=2)),
        kx_thresholds=tuple(
            KxThreshold(year=y, amount=Decimal(draw(st.integers(0, 500_000))) / 100) for y in years
        ),
    )


@given(payer_policies())
def test_policies_round_trip_through_json_and_pickle(policy: PayerPolicy) -> None:
    assert PayerPolicy.from_json(policy.to_json()) == policy
    copy = pickle.loads(pickle.dumps(policy))  # noqa: S301 - our own data
    assert copy == policy
    assert hash(copy) == hash(policy)


def test_a_policy_needs_only_an_id_and_a_version() -> None:
    policy = PayerPolicy.from_json('{"format_version": 1, "id": "minimal", "version": "1"}')
    assert policy == PayerPolicy(id="minimal", version="1")
    assert policy.unit_method is UnitMethod.CMS
    assert policy.filing_deadline(date(2026, 1, 1)) is None


def test_from_json_lists_every_problem_with_its_path() -> None:
    text = json.dumps(
        {
            "format_version": 1,
            "id": "Bad Id",
            "version": "1",
            "rx_required": "yes",
            "covered_codes": ["97124", "nope"],
            "colour": "blue",
        }
    )
    with pytest.raises(ValidationError) as info:
        PayerPolicy.from_json(text)
    paths = {detail.path for detail in info.value.errors}
    assert paths == {"id", "rx_required", "covered_codes[1]", "colour"}


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        pytest.param(
            {"timely_filing_days": 90, "timely_filing_months": 12},
            "timely_filing_months",
            id="two filing limits",
        ),
        pytest.param(
            {"units_per_day": (UnitLimit(code=CptCode("97124"), units=2),) * 2},
            "units_per_day[1].code",
            id="a code limited twice",
        ),
        pytest.param(
            {"kx_thresholds": (KxThreshold(year=2026, amount=Decimal("1.00")),) * 2},
            "kx_thresholds[1].year",
            id="a year twice",
        ),
        pytest.param(
            {
                "mue_limits": (
                    MueLimit(code=CptCode("97035"), max_units=2, adjudication=MueAdjudication("3")),
                )
                * 2
            },
            "mue_limits[1].code",
            id="an MUE twice",
        ),
        pytest.param({"covered_codes": ()}, "covered_codes", id="an empty list is not 'any'"),
        pytest.param({"id": "Upper"}, "id", id="an id in capitals"),
        pytest.param({"version": ""}, "version", id="an empty version"),
        pytest.param({"visits_per_year": 0}, "visits_per_year", id="no visits"),
    ],
)
def test_policy_validation(changes: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(PayerPolicy(id="p", version="1"), **changes)
    assert info.value.errors[0].path == path


@pytest.mark.parametrize(
    ("changes", "service", "deadline"),
    [
        pytest.param(
            {"timely_filing_days": 90}, date(2026, 1, 15), date(2026, 4, 15), id="90 days"
        ),
        pytest.param({"timely_filing_days": 1}, date(2026, 12, 31), date(2027, 1, 1), id="1 day"),
        # 42 CFR 424.44: 12 months; 29 February is due 28 February.
        pytest.param(
            {"timely_filing_months": 12}, date(2024, 2, 29), date(2025, 2, 28), id="leap day"
        ),
        pytest.param(
            {"timely_filing_months": 12}, date(2025, 3, 1), date(2026, 3, 1), id="12 months"
        ),
        pytest.param(
            {"timely_filing_months": 1}, date(2026, 1, 31), date(2026, 2, 28), id="month end"
        ),
        pytest.param(
            {"timely_filing_months": 13}, date(2026, 12, 15), date(2028, 1, 15), id="13 months"
        ),
        pytest.param(
            {"timely_filing_days": 3660}, date(9999, 1, 1), date.max, id="days past the calendar"
        ),
        pytest.param(
            {"timely_filing_months": 120}, date(9999, 1, 1), date.max, id="months past the calendar"
        ),
    ],
)
def test_filing_deadline(changes: dict[str, Any], service: date, deadline: date) -> None:
    policy = attrs.evolve(PayerPolicy(id="p", version="1"), **changes)
    assert policy.filing_deadline(service) == deadline


# --- the bundled examples --------------------------------------------------------------


def test_names_lists_every_bundled_file() -> None:
    files = {
        entry.name.removesuffix(".json")
        for entry in resources.files("soapbill.rules.policies").iterdir()
        if entry.name.endswith(".json")
    }
    assert policies.names() == tuple(sorted(files))
    assert set(policies.names()) == {
        "commercial-rx",
        "commercial",
        "medicare-part-b",
        "auto-pip",
        "workers-comp",
    }


@pytest.mark.parametrize("name", policies.names())
def test_each_bundled_policy_loads_and_round_trips(name: str) -> None:
    policy = policies.load(name)
    assert policy.id == name
    assert policy.name is not None
    assert "not any payer's contract" in policy.name
    assert PayerPolicy.from_json(policy.to_json()) == policy
    assert pickle.loads(pickle.dumps(policy)) == policy  # noqa: S301 - our own data


def test_bundled_policy_contents() -> None:
    rx = policies.load("commercial-rx")
    assert rx.rx_required
    assert rx.rx_default_valid_days == 90
    assert rx.visits_per_year == 16
    assert rx.unit_method is UnitMethod.PER_CODE
    commercial = policies.load("commercial")
    assert not commercial.rx_required
    assert commercial.timely_filing_days == 180
    medicare = policies.load("medicare-part-b")
    assert medicare.timely_filing_months == 12
    assert medicare.bundled_codes == (CptCode("97010"),)
    assert medicare.unit_method is UnitMethod.CMS
    assert [(k.year, str(k.amount)) for k in medicare.kx_thresholds] == [
        (2021, "2110.00"),
        (2022, "2150.00"),
        (2023, "2230.00"),
        (2024, "2330.00"),
        (2025, "2410.00"),
        (2026, "2480.00"),
    ]
    assert medicare.ptp_edits == tuple(PtpEdits.sample())
    assert medicare.covered_codes is not None
    assert CptCode("97014") not in medicare.covered_codes
    assert Credential.LMT not in (medicare.covered_credentials or ())
    # Medicare enrols no physical therapist assistant: the supervising PT
    # bills, with CQ on the lines (Pub 100-02 Ch. 15 §230.4; Pub 100-04 Ch. 5 §20.1).
    assert Credential.PTA not in (medicare.covered_credentials or ())
    assert medicare.assistant_modifiers
    # A certified plan of care (Pub 100-02 Ch. 15 §220.1.3) and a progress
    # report every 10 treatment days (§220.3).
    assert medicare.care_plan_required
    assert medicare.care_plan_certification_days == 30
    assert medicare.progress_report_every == 10
    assert policies.load("auto-pip").signed_note_required
    comp = policies.load("workers-comp")
    assert comp.covered_credentials == (Credential.LMT,)
    assert comp.prior_authorization == PriorAuthorization(after_visits=6)


ANYONE = (Credential.MD, Credential.DO, Credential.NP, Credential.PA)


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        # Who may write the prescription: an MD, PT or DC writes the seed's.
        pytest.param("commercial-rx", (*ANYONE, Credential.PT, Credential.DC), id="commercial-rx"),
        pytest.param("auto-pip", (*ANYONE, Credential.PT, Credential.DC), id="auto-pip"),
        # WAC 296-23-250: the attending doctor (a chiropractor may be one) or a PA.
        pytest.param("workers-comp", (*ANYONE, Credential.DC), id="workers-comp"),
        # A physician or NPP certifies the plan of care, never a chiropractor
        # (Pub 100-02 Ch. 15 §220.1.3).
        pytest.param("medicare-part-b", ANYONE, id="medicare-part-b"),
    ],
)
def test_bundled_policies_accept_the_prescribers_their_sources_name(
    name: str, accepted: tuple[Credential, ...]
) -> None:
    policy = policies.load(name)
    assert {c for c in Credential if policy.accepts_prescriber(c)} == set(accepted)


def test_medicare_part_b_refuses_a_pta_rendering_and_wants_cq_for_a_ptas_note() -> None:
    medicare = policies.load("medicare-part-b")
    pta = builders.therapist(credential=Credential.PTA)
    gp_line = builders.line("97110", 2, "GP")
    coverage = builders.coverage(plan_type=PlanType.MEDICARE_PART_B)
    rendered = builders.claim(gp_line, coverage=coverage, rendering_provider=pta)
    found = evaluate(rendered, medicare, as_of=builders.DOS).rules_found
    assert {"provider.not_covered", "modifier.assistant_missing"} <= set(found)
    # Billed under the supervising PT, the PTA's note still asks for CQ.
    pt = builders.therapist(credential=Credential.PT)
    under_pt = builders.claim(gp_line, coverage=coverage, rendering_provider=pt)
    notes = [builders.note(("97110", 30), provider=pta)]
    found = evaluate(under_pt, medicare, notes=notes, as_of=builders.DOS).rules_found
    assert "provider.not_covered" not in found
    assert "modifier.assistant_missing" in found
    with_cq = attrs.evolve(under_pt, lines=(builders.line("97110", 2, "GP", "CQ"),))
    found = evaluate(with_cq, medicare, notes=notes, as_of=builders.DOS).rules_found
    assert "modifier.assistant_missing" not in found


def _medicare_visits(count: int) -> list[Claim]:
    """
    Medicare claims of one PT visit each, every other day from :data:`builders.DOS`.
    """
    coverage = builders.coverage(plan_type=PlanType.MEDICARE_PART_B)
    pt = builders.therapist(credential=Credential.PT)
    return [
        builders.claim(
            builders.line("97110", 2, "GP", on=builders.DOS + timedelta(days=2 * k)),
            id=f"C{k + 1}",
            coverage=coverage,
            rendering_provider=pt,
        )
        for k in range(count)
    ]


def _care_found(subject: Claim, *, as_of: date, **inputs: Any) -> list[str]:
    decision = evaluate(subject, policies.load("medicare-part-b"), as_of=as_of, **inputs)
    return [f.rule for f in decision.findings if f.rule in CARE_IDS]


def test_medicare_part_b_wants_a_plan_of_care_certified_within_30_days() -> None:
    first = _medicare_visits(1)[0]
    soon, late = builders.DOS + timedelta(days=30), builders.DOS + timedelta(days=31)
    assert _care_found(first, as_of=soon) == ["care.plan_missing"]
    plan = builders.certified_plan(first)
    assert _care_found(first, as_of=late, care_plans=[plan]) == []
    # Not yet certified: fine while the 30 days run, an error once they have.
    unsigned = attrs.evolve(plan, certification=None)
    assert _care_found(first, as_of=soon, care_plans=[unsigned]) == []
    assert _care_found(first, as_of=late, care_plans=[unsigned]) == ["care.not_certified"]


def test_medicare_part_b_wants_a_progress_report_by_the_tenth_treatment_day() -> None:
    claims = _medicare_visits(11)
    plan = builders.certified_plan(claims[0])
    as_of = claims[-1].dates_of_service[0]
    # An episode of 10 treatment days needs no report yet; the 11th does.
    tenth = _care_found(claims[9], as_of=as_of, care_plans=[plan], history=claims[:9])
    assert tenth == []
    eleventh = _care_found(claims[10], as_of=as_of, care_plans=[plan], history=claims[:10])
    assert eleventh == ["progress.report_due"]
    reported = attrs.evolve(plan, progress_reports=claims[9].dates_of_service)
    assert _care_found(claims[10], as_of=as_of, care_plans=[reported], history=claims[:10]) == []


def test_loading_an_unknown_policy() -> None:
    with pytest.raises(UnknownPolicyError) as info:
        policies.load("medicare")
    assert isinstance(info.value, LookupError)


# --- lookups ---------------------------------------------------------------------------


@given(payer_policies(), CODES, st.sampled_from([None, *Credential]), st.sampled_from(PlanType))
def test_lookups_answer_what_the_fields_say(
    policy: PayerPolicy, code: CptCode, credential: Credential | None, plan_type: PlanType
) -> None:
    def within(values: tuple[Any, ...] | None, value: object) -> bool:
        return values is None or value in values

    assert policy.covers_code(code) is within(policy.covered_codes, code)
    assert policy.covers_credential(credential) is within(policy.covered_credentials, credential)
    assert policy.accepts_prescriber(credential) is within(
        policy.prescriber_credentials, credential
    )
    assert policy.covers_plan_type(plan_type) is within(policy.plan_types, plan_type)
    assert policy.is_bundled(code) is (code in policy.bundled_codes)
    limits = [u.units for u in policy.units_per_day if u.code == code]
    assert policy.unit_limit(code) == (limits[0] if limits else None)
    assert policy.modifier_requirements_of(code) == tuple(
        r for r in policy.modifier_requirements if within(r.codes, code)
    )
    assert dict(policy.kx_threshold_by_year) == {k.year: k.amount for k in policy.kx_thresholds}
    assert (policy.ptp_table is None) is (not policy.ptp_edits)
    assert policy.ptp_table is None or tuple(policy.ptp_table) == policy.ptp_edits
    assert (policy.mue_table is None) is (policy.mue_limits is None)
    assert policy.mue_table is None or tuple(policy.mue_table) == policy.mue_limits


def test_lookups_refuse_arguments_of_the_wrong_type() -> None:
    policy = policies.load("medicare-part-b")
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: policy.covers_code("97124"), "code"),  # type: ignore[arg-type]
        (lambda: policy.is_bundled(None), "code"),  # type: ignore[arg-type]
        (lambda: policy.unit_limit(97124), "code"),  # type: ignore[arg-type]
        (lambda: policy.modifier_requirements_of("97124"), "code"),  # type: ignore[arg-type]
        (lambda: policy.covers_credential("lmt"), "credential"),  # type: ignore[arg-type]
        (lambda: policy.accepts_prescriber(1), "credential"),  # type: ignore[arg-type]
        (lambda: policy.covers_plan_type("commercial"), "plan_type"),  # type: ignore[arg-type]
    ]
    for call, path in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert [(d.path, d.code) for d in info.value.errors] == [(path, "invalid_type")]


def test_a_policy_builds_its_tables_once() -> None:
    policy = attrs.evolve(policies.load("medicare-part-b"), ptp_edits=tuple(PtpEdits.sample()))
    assert policy.ptp_table is policy.ptp_table
    assert policy.mue_table is policy.mue_table
