"""
Full-size code tables attached to a policy: PayerPolicy.with_edits and ncci_quarter.
"""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from soapbill import Claim, CptCode, Modifier, ServiceLine, from_json, to_json
from soapbill.billing.ncci import (
    ModifierIndicator,
    MueAdjudication,
    MueLimit,
    MueLimits,
    PtpEdit,
    PtpEdits,
)
from soapbill.errors import ValidationError
from soapbill.rules import PayerPolicy, evaluate, policies

C = CptCode
DAY = date(2026, 3, 3)
OWN = PtpEdit(
    column1=C("97110"),
    column2=C("97112"),
    effective=date(2020, 1, 1),
    indicator=ModifierIndicator.NOT_ALLOWED,
)
TABLE = PtpEdits(
    [
        PtpEdit(
            column1=C("97140"),
            column2=C("97124"),
            effective=date(2020, 1, 1),
            indicator=ModifierIndicator.ALLOWED,
        )
    ],
    quarter="2026Q1",
)
LIMITS = MueLimits(
    [
        MueLimit(code=C("97124"), max_units=4, adjudication=MueAdjudication.CLAIM_LINE),
        MueLimit(code=C("97035"), max_units=9, adjudication=MueAdjudication.CLAIM_LINE),
    ],
    quarter="2026Q1",
)
POLICY = PayerPolicy(
    id="p",
    version="1",
    ptp_edits=(OWN,),
    mue_limits=(MueLimit(code=C("97035"), max_units=2, adjudication=MueAdjudication.CLAIM_LINE),),
)


def test_attached_pairs_apply_with_the_policys_own() -> None:
    policy = POLICY.with_edits(TABLE)
    table = policy.ptp_table
    assert table is not None
    assert sorted(map(repr, table)) == sorted(map(repr, [OWN, *TABLE]))
    assert POLICY.ptp_table is not None
    assert len(POLICY.ptp_table) == 1
    bare = PayerPolicy(id="p", version="1")
    assert bare.ptp_table is None
    assert bare.with_edits(TABLE).ptp_table is TABLE
    assert bare.with_edits(PtpEdits()).ptp_table is None


def test_the_policys_own_mue_values_win() -> None:
    limits = POLICY.with_edits(mue=LIMITS).mue_table
    assert limits is not None
    own = POLICY.mue_limits
    assert own is not None
    assert limits.get(C("97035")) == own[0]
    assert limits.get(C("97124")) == LIMITS.get(C("97124"))
    bare = PayerPolicy(id="p", version="1")
    assert bare.mue_table is None
    assert bare.with_edits(mue=LIMITS).mue_table == LIMITS


def test_tables_are_not_part_of_the_policys_value() -> None:
    policy = POLICY.with_edits(TABLE, LIMITS)
    assert policy == POLICY
    assert hash(policy) == hash(POLICY)
    assert to_json(policy) == to_json(POLICY)
    assert attrs.evolve(policy).ptp_table == POLICY.ptp_table


def test_a_pickle_carries_the_tables() -> None:
    policy = POLICY.with_edits(TABLE, LIMITS)
    clone = pickle.loads(pickle.dumps(policy))  # noqa: S301 - our own data
    assert clone == policy
    assert clone.ptp_table == policy.ptp_table
    assert clone.mue_table == policy.mue_table
    plain = pickle.loads(pickle.dumps(POLICY))  # noqa: S301 - our own data
    assert plain.ptp_table == POLICY.ptp_table


def test_a_table_left_out_keeps_the_one_attached_before() -> None:
    policy = POLICY.with_edits(TABLE).with_edits(mue=LIMITS)
    assert policy.ptp_table == POLICY.with_edits(TABLE).ptp_table
    assert policy.mue_table == POLICY.with_edits(mue=LIMITS).mue_table


def test_a_policy_that_names_its_quarter_takes_only_tables_of_it() -> None:
    policy = attrs.evolve(POLICY, ncci_quarter="2026Q1")
    assert policy.with_edits(TABLE, LIMITS).ptp_table is not None
    for ptp, mue, paths in [
        (PtpEdits(TABLE), None, ["ptp.quarter"]),
        (TABLE, MueLimits(LIMITS, quarter="2025Q4"), ["mue.quarter"]),
        (PtpEdits(TABLE, quarter="2026Q2"), MueLimits(), ["ptp.quarter", "mue.quarter"]),
    ]:
        with pytest.raises(ValidationError) as info:
            policy.with_edits(ptp, mue)
        assert [d.path for d in info.value.errors] == paths
        assert {d.code for d in info.value.errors} == {"wrong_quarter"}
    # A policy that names no quarter takes tables of any.
    assert POLICY.with_edits(PtpEdits(TABLE, quarter="2019Q1")).ptp_table is not None


def test_tables_of_the_wrong_type_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        POLICY.with_edits(LIMITS, TABLE)  # type: ignore[arg-type]
    assert [d.path for d in info.value.errors] == ["ptp", "mue"]


@pytest.mark.parametrize("quarter", ["2026", "2026Q0", "2026q1", "Q1-2026"])
def test_the_quarter_of_a_policy_is_yyyyqn(quarter: str) -> None:
    with pytest.raises(ValidationError) as info:
        PayerPolicy(id="p", version="1", ncci_quarter=quarter)
    assert info.value.errors[0].path == "ncci_quarter"
    document = to_json(attrs.evolve(POLICY, ncci_quarter="2026Q3"))
    assert '"ncci_quarter":"2026Q3"' in document
    assert from_json(document, PayerPolicy).ncci_quarter == "2026Q3"


def test_an_attached_table_decides_a_claim() -> None:
    text = (Path(__file__).parent.parent / "examples" / "claim.json").read_text(encoding="utf-8")
    claim = from_json(text, Claim)
    lines = [
        ServiceLine(
            code=C(code),
            modifiers=(Modifier("GP"),),
            units=1,
            charge=Decimal("30.00"),
            date_of_service=DAY,
            diagnosis_pointers=(1,),
        )
        for code in ("97140", "97124")
    ]
    claim = attrs.evolve(claim, lines=tuple(lines))
    policy = policies.load("commercial")
    rules = {f.rule for f in evaluate(claim, policy, as_of=DAY).findings}
    assert "ncci.conflict" not in rules
    attached = policy.with_edits(TABLE)
    rules = {f.rule for f in evaluate(claim, attached, as_of=DAY).findings}
    assert "ncci.conflict" in rules
