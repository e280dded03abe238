"""
The test writer of 835, 999 and 277CA files, judged by pyx12.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit_support import (
    CREATED,
    accepting_277ca,
    pyx12_problems,
    seed_claim,
    unique_claims,
    validated,
)
from soapbill import Claim, PersonName, ValidationError
from soapbill import _remit_strategies as rst
from soapbill import _remit_writer as w
from soapbill.formats import _x12
from soapbill.remittance import (
    AckStatus,
    Adjustment,
    AdjustmentGroup,
    ClaimStatus,
    PaymentMethod,
    ProviderAdjustment,
    TransactionAcknowledgement,
    read_835,
)

CO, PR = AdjustmentGroup.CO, AdjustmentGroup.PR


def seed_835(**kwargs: object) -> str:
    claim = seed_claim()
    decision = w.ClaimDecision(
        payer_claim_number="PCN123",
        lines=(
            w.LineDecision(adjustments=(Adjustment(group=CO, reason="97", amount=Decimal(10)),)),
        ),
    )
    options: dict[str, Any] = {
        "trace_number": "CHK100",
        "payment_date": date(2026, 4, 1),
        "control_number": 5,
        "created": CREATED,
    }
    options.update(kwargs)
    return w.write_835([claim], [decision], **options)


def paying(claim: Claim, decision: w.ClaimDecision) -> str:
    """
    An 835 paying *claim* as *decision* says, with the usual envelope.
    """
    return w.write_835(
        [claim],
        [decision],
        trace_number="T1",
        payment_date=date(2026, 4, 1),
        control_number=1,
        created=CREATED,
    )


def provider_adjustment(
    reason: str, amount: str, *, year: int = 2026, reference: str | None = None
) -> ProviderAdjustment:
    """
    A PLB adjustment of the test NPI for the fiscal year that ends on 31 December *year*.
    """
    return ProviderAdjustment(
        provider_id="1234567893",
        fiscal_period_end=date(year, 12, 31),
        reason=reason,
        reference=reference,
        amount=Decimal(amount),
    )


# --- pyx12 accepts every generated file --------------------------------------------------


@given(st.data())
def test_every_generated_835_passes_pyx12(data: st.DataObject) -> None:
    claims = data.draw(unique_claims())
    validated(data.draw(rst.remittances_835(claims)).text)


@given(rst.acknowledgements_999())
def test_every_generated_999_passes_pyx12(written: rst.Written999) -> None:
    validated(written.text)


@given(st.data())
def test_every_generated_277ca_passes_pyx12(data: st.DataObject) -> None:
    claims = data.draw(unique_claims())
    validated(data.draw(rst.claim_acknowledgements_277ca(claims)).text)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("CLP*clm-001*1*", "CLP*clm-001*9*", id="claim-status"),
        pytest.param("CAS*CO*97", "CAS*XX*97", id="group-code"),
        pytest.param("N1*PE*", "N1*XX*", id="payee-missing"),
    ],
)
def test_pyx12_can_refuse_an_835(old: str, new: str) -> None:
    # The oracle is not blind: a broken 835 is refused.
    text = seed_835()
    assert pyx12_problems(text) == []
    assert pyx12_problems(text.replace(old, new, 1))


def test_pyx12_can_refuse_a_277ca() -> None:
    text = accepting_277ca()
    assert pyx12_problems(text) == []
    assert pyx12_problems(text.replace("STC*A2:20*", "STC*Q9:20*"))


# --- what the writers write --------------------------------------------------------------


def test_an_835_of_nothing_paid_is_a_notification() -> None:
    claim = seed_claim()
    decision = w.ClaimDecision(
        payer_claim_number="PCN1",
        lines=tuple(
            w.LineDecision(adjustments=(Adjustment(group=CO, reason="50", amount=line.charge),))
            for line in claim.lines
        ),
    )
    text = validated(paying(claim, decision))
    assert "~BPR*H*0*C*NON************20260401~" in text
    assert "~CLP*clm-001*4*265*0**12*PCN1*11*1~" in text


def test_an_835_by_ach() -> None:
    text = validated(seed_835(method=PaymentMethod.ACH))
    assert "~BPR*I*255*C*ACH*CCP*01*" in text


def test_provider_adjustments_share_a_segment_per_period() -> None:
    plbs = [provider_adjustment("L6", "-0.01")] * 7 + [
        provider_adjustment("WO", "5.00", year=2025, reference="OLD1")
    ]
    text = seed_835(provider_adjustments=plbs)
    assert "~PLB*1234567893*20261231*" + "*".join(["L6*-0.01"] * 6) + "~" in text
    assert "~PLB*1234567893*20261231*L6*-0.01~" in text
    assert "~PLB*1234567893*20251231*WO:OLD1*5~" in text


def test_amounts_are_written_as_x12_decimals() -> None:
    values = ("-0.00", "0.00", "120.00", "120.50", "0.05", "-12.25")
    assert [_x12.amount(Decimal(v)) for v in values] == ["0", "0", "120", "120.5", "0.05", "-12.25"]


@pytest.mark.parametrize(
    ("call", "path", "code"),
    [
        pytest.param(
            lambda: w.write_835(
                [seed_claim()],
                [],
                trace_number="T",
                payment_date=date(2026, 4, 1),
                control_number=1,
                created=CREATED,
            ),
            "decisions",
            "length_mismatch",
            id="835-decisions",
        ),
        pytest.param(
            lambda: seed_835(trace_number="T*1"), "trace_number", "x12_separator", id="sep"
        ),
        pytest.param(lambda: seed_835(control_number=0), "control_number", "out_of_range", id="cn"),
        pytest.param(
            lambda: seed_835(
                provider_adjustments=[provider_adjustment("WO", "9999.00")]
            ),
            "provider_adjustments",
            "negative_payment",
            id="negative",
        ),
        pytest.param(
            lambda: w.write_999(
                [], group_control_number=1, sender="A1", receiver="B1", control_number=1,
                created=CREATED,
            ),
            "sets",
            "too_short",
            id="999-empty",
        ),
        pytest.param(
            lambda: w.write_277ca(
                [seed_claim()], [], received=date(2026, 3, 1), control_number=1,
                created=CREATED,
            ),
            "outcomes",
            "length_mismatch",
            id="277-outcomes",
        ),
    ],
)  # fmt: skip
def test_the_writers_refuse_what_they_cannot_write(call: object, path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]


def test_too_many_line_decisions_are_refused() -> None:
    claim = seed_claim()
    decision = w.ClaimDecision(payer_claim_number="P1", lines=(w.LineDecision(),) * 6)
    with pytest.raises(ValidationError) as info:
        paying(claim, decision)
    assert info.value.errors[0].path == "claims[0].lines"


def test_a_999_groups_the_sets_status() -> None:
    def ack(*statuses: AckStatus) -> str:
        sets = [
            TransactionAcknowledgement(transaction_set="837", control_number=f"{i:04d}", status=s)
            for i, s in enumerate(statuses, 1)
        ]
        return w.write_999(
            sets,
            group_control_number=7,
            sender="RECEIVERID",
            receiver="SUBMITTERID",
            control_number=2,
            created=CREATED,
        )

    a, e, r = AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_ERRORS, AckStatus.REJECTED
    assert "~AK9*A*2*2*2~" in ack(a, a)
    assert "~AK9*E*2*2*2~" in ack(a, e)
    assert "~AK9*P*2*2*1~" in ack(a, r)
    assert "~AK9*R*1*1*0~" in ack(r)


def test_a_277ca_writes_one_service_period() -> None:
    claim = seed_claim()
    one_day = attrs.evolve(claim, lines=claim.lines[:1])
    text = w.write_277ca(
        [claim, attrs.evolve(one_day, id="clm-002")],
        [w.ClaimOutcome(statuses=(ClaimStatus(category="A2", code="20"),))] * 2,
        received=date(2026, 3, 11),
        control_number=3,
        created=CREATED,
    )
    validated(text)
    assert "~DTP*472*RD8*20260303-20260310~" in text
    assert "~DTP*472*D8*20260303~" in text


def test_a_long_personal_payee_name_is_cut_to_what_n102_holds() -> None:
    claim = seed_claim()
    person = PersonName(family="F" * 40, given="G" * 30)
    provider = attrs.evolve(claim.billing_provider, name=person, organization_name=None)
    text = validated(
        paying(
            attrs.evolve(claim, billing_provider=provider), w.ClaimDecision(payer_claim_number="P1")
        )
    )
    (remittance,) = read_835(text)
    assert remittance.payee.name == ("G" * 30 + " " + "F" * 29)
