"""
Hypothesis strategies for remittances and acknowledgements, as X12 text.

Test aids for apps that read what payers send: each strategy draws a payer's
decisions for given soapbill claims and writes them with
:mod:`soapbill._remit_writer`, so a test gets the text *and* what it should
read back. Needs Hypothesis (the ``soapbill[testing]`` extra).

The claims must be writable: text without X12 separators (every claim
:func:`soapbill.strategies.claims` draws is) and unique claim ids.

- :func:`adjustments`, :func:`line_decisions`, :func:`claim_decisions` and
  :func:`provider_adjustments` draw the parts;
- :func:`remittances_835` draws a whole, balanced 835 for some claims;
- :func:`acknowledgements_999` draws a 999 of one group of 837P sets;
- :func:`claim_acknowledgements_277ca` draws a 277CA for some claims.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Final

import attrs
from hypothesis import strategies as st

from soapbill._remit_codes import CARC, ELEMENT_ERRORS, SEGMENT_ERRORS, STATUS_CODES
from soapbill._remit_writer import (
    ClaimDecision,
    ClaimOutcome,
    LineDecision,
    write_277ca,
    write_835,
    write_999,
)
from soapbill.claims import Claim, ServiceLine
from soapbill.remittance import (
    AckStatus,
    Adjustment,
    AdjustmentGroup,
    ClaimStatus,
    ElementError,
    ProviderAdjustment,
    SegmentError,
    TransactionAcknowledgement,
)

__all__ = [
    "Written277CA",
    "Written835",
    "Written999",
    "acknowledgements_999",
    "adjustments",
    "claim_acknowledgements_277ca",
    "claim_decisions",
    "line_decisions",
    "provider_adjustments",
    "remittances_835",
]

_CENT: Final = Decimal("0.01")
_ZERO: Final = Decimal("0.00")
#: Reasons each group is drawn with, as payers use them for therapy claims.
_REASONS: Final = {
    AdjustmentGroup.CO: ("45", "97", "50", "16", "4", "18", "29", "197", "236", "253", "151", "B7"),
    AdjustmentGroup.PR: ("1", "2", "3", "96", "204", "119", "242"),
    AdjustmentGroup.OA: ("23", "18", "94"),
    AdjustmentGroup.PI: ("45", "150", "59"),
}
#: Remark codes in both soapbill's list and pyx12's, which checks LQ02.
_REMARKS: Final = (
    "M15", "M20", "M51", "M76", "M80", "M86", "M127", "MA01", "MA04", "MA130", "N4", "N10",
    "N19", "N20", "N30", "N54", "N56", "N95", "N115", "N122", "N130", "N179", "N211", "N290",
    "N362", "N386", "N431", "N522", "N640", "N657",
)  # fmt: skip
_PLB_REASONS: Final = ("WO", "L6", "72", "FB", "CS", "J1", "IR")
_IDS: Final = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=2, max_size=20)
_CREATED: Final = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def adjustments(
    group: AdjustmentGroup | None = None, *, max_amount: Decimal = Decimal("500.00")
) -> st.SearchStrategy[Adjustment]:
    """
    Adjustments of *group* (any but ``CR``) with amounts from 0.01 to *max_amount*.

    Shrinks to ``CO-45`` of 0.01.
    """
    groups = [group] if group is not None else list(_REASONS)
    return st.sampled_from(groups).flatmap(
        lambda g: st.builds(
            Adjustment,
            group=st.just(g),
            reason=st.sampled_from(_REASONS[g]),
            amount=st.decimals(_CENT, max_amount, places=2),
        )
    )


def _split(draw: st.DrawFn, amount: Decimal, parts: int) -> list[Decimal]:
    """
    *amount* cut into *parts* non-negative amounts (whole cents) that add up.
    """
    cents = int(amount / _CENT)
    cuts = sorted(draw(st.lists(st.integers(0, cents), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, cents]
    return [Decimal(b - a) * _CENT for a, b in itertools.pairwise(bounds)]


@st.composite
def _line_decision(draw: st.DrawFn, line: ServiceLine) -> LineDecision:
    paid = draw(st.sampled_from([line.charge, _ZERO, None]))
    if paid is None:
        paid = Decimal(draw(st.integers(0, int(line.charge / _CENT)))) * _CENT
    rest = line.charge - paid
    count = draw(st.integers(1 if rest else 0, 3))
    found = []
    for amount in _split(draw, rest, count) if count else []:
        if amount:
            group = draw(st.sampled_from(list(_REASONS)))
            found.append(
                Adjustment(
                    group=group, reason=draw(st.sampled_from(_REASONS[group])), amount=amount
                )
            )
    if rest and not found:  # pragma: no cover - the cuts left every share empty
        found.append(Adjustment(group=AdjustmentGroup.CO, reason="45", amount=rest))
    remarks = draw(st.lists(st.sampled_from(_REMARKS), max_size=2, unique=True))
    return LineDecision(adjustments=tuple(found), remarks=tuple(remarks))


def line_decisions(line: ServiceLine) -> st.SearchStrategy[LineDecision]:
    """
    A payer's decision for *line*: paid in full, not at all, or in part.

    The unpaid part is cut into one to three adjustments of any group but
    ``CR``. Shrinks to the line paid in full, with no remark.
    """
    return _line_decision(line)


@st.composite
def _claim_decision(draw: st.DrawFn, claim: Claim) -> ClaimDecision:
    lines = tuple(draw(line_decisions(line)) for line in claim.lines)
    paid = sum(
        (
            line.charge - sum((a.amount for a in d.adjustments), _ZERO)
            for line, d in zip(claim.lines, lines, strict=True)
        ),
        _ZERO,
    )
    claim_level: tuple[Adjustment, ...] = ()
    if paid and draw(st.booleans()):
        # A claim-level adjustment takes part of what the lines would be paid.
        amount = Decimal(draw(st.integers(1, int(paid / _CENT)))) * _CENT
        claim_level = (
            Adjustment(
                group=AdjustmentGroup.CO, reason=draw(st.sampled_from(("45", "253"))), amount=amount
            ),
        )
    return ClaimDecision(
        payer_claim_number=draw(_IDS),
        lines=lines,
        adjustments=claim_level,
        remarks=tuple(draw(st.lists(st.sampled_from(_REMARKS), max_size=2, unique=True))),
    )


def claim_decisions(claim: Claim) -> st.SearchStrategy[ClaimDecision]:
    """
    A payer's decision for *claim*, line by line.

    One :func:`line_decisions` per line, and perhaps a claim-level ``CO``
    adjustment.

    Shrinks to every line paid in full and the payer claim number ``"00"``.
    """
    return _claim_decision(claim)


def provider_adjustments(
    *, max_amount: Decimal = Decimal("100.00")
) -> st.SearchStrategy[ProviderAdjustment]:
    """
    Provider-level adjustments: recoveries (positive) or interest (negative).

    Shrinks to a ``WO`` recovery of 0.01.
    """
    return st.builds(
        ProviderAdjustment,
        provider_id=st.just("1234567893"),
        fiscal_period_end=st.just(date(2026, 12, 31)),
        reason=st.sampled_from(_PLB_REASONS),
        reference=st.none() | _IDS,
        amount=st.decimals(_CENT, max_amount, places=2)
        | st.decimals(-max_amount, -_CENT, places=2),
    )


@attrs.frozen
class Written835:
    """
    An 835 and what it was written from.
    """

    claims: tuple[Claim, ...]
    decisions: tuple[ClaimDecision, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    text: str


def _paid(claim: Claim, decision: ClaimDecision) -> Decimal:
    lines = sum(
        (line.charge - sum((a.amount for a in d.adjustments), _ZERO))
        for line, d in zip(claim.lines, decision.lines, strict=True)
    )
    return lines - sum((a.amount for a in decision.adjustments), _ZERO)


@st.composite
def _remittance(draw: st.DrawFn, claims: tuple[Claim, ...]) -> Written835:
    decisions = tuple(draw(claim_decisions(claim)) for claim in claims)
    total = sum((_paid(c, d) for c, d in zip(claims, decisions, strict=True)), _ZERO)
    plbs = []
    for adjustment in draw(st.lists(provider_adjustments(), max_size=2)):
        if adjustment.amount <= total:
            plbs.append(adjustment)
            total -= adjustment.amount
    text = write_835(
        claims,
        decisions,
        trace_number=draw(_IDS),
        payment_date=date(2026, 4, 1),
        control_number=draw(st.integers(1, 999_999_999)),
        created=_CREATED,
        provider_adjustments=tuple(plbs),
    )
    return Written835(claims, decisions, tuple(plbs), text)


def remittances_835(claims: Sequence[Claim]) -> st.SearchStrategy[Written835]:
    """
    A balanced 835 paying *claims*, with the decisions it was written from.

    Shrinks to every claim paid in full, without provider adjustments.
    """
    return _remittance(tuple(claims))


@attrs.frozen
class Written999:
    """
    A 999 and the acknowledgements it was written from.
    """

    group_control_number: int
    sets: tuple[TransactionAcknowledgement, ...]
    text: str


_ELEMENT_ERRORS: Final = st.builds(
    ElementError,
    position=st.integers(1, 20),
    component=st.none() | st.integers(1, 6),
    reference=st.none() | st.sampled_from(("782", "1028", "1331", "66")),
    code=st.sampled_from(sorted(ELEMENT_ERRORS.codes)),
)
_SEGMENT_ERRORS: Final = st.builds(
    SegmentError,
    segment_id=st.sampled_from(("CLM", "SV1", "NM1", "HI", "DTP", "REF")),
    position=st.integers(1, 9999),
    loop=st.none() | st.sampled_from(("2300", "2400", "2010")),
    code=st.none() | st.sampled_from(sorted(SEGMENT_ERRORS.codes)),
    claim_id=st.none() | _IDS,
    elements=st.lists(_ELEMENT_ERRORS, max_size=2).map(tuple),
)


@st.composite
def _set(draw: st.DrawFn, number: int) -> TransactionAcknowledgement:
    status = draw(
        st.sampled_from([AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_ERRORS, AckStatus.REJECTED])
    )
    errors: tuple[SegmentError, ...] = ()
    codes: tuple[str, ...] = ()
    if status is not AckStatus.ACCEPTED:
        errors = tuple(draw(st.lists(_SEGMENT_ERRORS, min_size=1, max_size=3)))
        codes = ("5",) if status is AckStatus.REJECTED else ()
    return TransactionAcknowledgement(
        transaction_set="837",
        control_number=f"{number:04d}",
        convention="005010X222A1",
        status=status,
        errors=codes,
        segment_errors=errors,
    )


@st.composite
def _ack(draw: st.DrawFn) -> Written999:
    count = draw(st.integers(1, 3))
    sets = tuple(draw(_set(n)) for n in range(1, count + 1))
    group = draw(st.integers(1, 999_999_999))
    text = write_999(
        sets,
        group_control_number=group,
        sender="RECEIVERID",
        receiver="SUBMITTERID",
        control_number=draw(st.integers(1, 999_999_999)),
        created=_CREATED,
    )
    return Written999(group, sets, text)


def acknowledgements_999() -> st.SearchStrategy[Written999]:
    """
    A 999 of one to three 837P transaction sets.

    Each set is accepted, accepted with errors, or rejected with segment and
    element errors.

    Shrinks to one accepted set.
    """
    return _ack()


@attrs.frozen
class Written277CA:
    """
    A 277CA and the outcomes it was written from.
    """

    claims: tuple[Claim, ...]
    outcomes: tuple[ClaimOutcome, ...]
    text: str


#: (category, action) pairs a 277CA gives a claim, and the codes they come with.
_OUTCOMES: Final = (
    ("A2", "WQ", ("20",)),
    ("A1", "WQ", ("19",)),
    ("A3", "U", ("21", "116", "35")),
    ("A6", "U", ("21", "187", "454", "562")),
    ("A7", "U", ("21", "164", "187", "454", "562", "29", "30", "33")),
    ("A8", "U", ("21",)),
)


@st.composite
def _outcome(draw: st.DrawFn) -> ClaimOutcome:
    category, action, codes = draw(st.sampled_from(_OUTCOMES))
    count = draw(st.integers(1, 2))
    statuses = tuple(
        ClaimStatus(
            category=category,
            code=draw(st.sampled_from(codes)),
            entity=draw(st.sampled_from((None, "PR", "41", "85", "IL"))),
            action=action,
            effective=date(2026, 3, 12),
        )
        for _ in range(count)
    )
    assert all(s.code in STATUS_CODES for s in statuses)  # noqa: S101 - the table above
    number = draw(st.none() | _IDS) if action == "WQ" else None
    return ClaimOutcome(statuses=statuses, payer_claim_number=number)


@st.composite
def _acks(draw: st.DrawFn, claims: tuple[Claim, ...]) -> Written277CA:
    outcomes = tuple(draw(_outcome()) for _ in claims)
    text = write_277ca(
        claims,
        outcomes,
        received=date(2026, 3, 11),
        control_number=draw(st.integers(1, 999_999_999)),
        created=datetime(2026, 3, 12, 8, 0, tzinfo=UTC),
    )
    return Written277CA(claims, outcomes, text)


def claim_acknowledgements_277ca(claims: Sequence[Claim]) -> st.SearchStrategy[Written277CA]:
    """
    A 277CA acknowledging *claims*.

    Each claim is accepted (``A1``, ``A2``) or rejected (``A3``, ``A6``-``A8``)
    with one or two statuses.

    Shrinks to every claim accepted into adjudication (``A2:20``).
    """
    return _acks(tuple(claims))


# The CARC reasons drawn are all explained by soapbill's list.
assert all(r in CARC for reasons in _REASONS.values() for r in reasons)  # noqa: S101
