"""
Write 835, 999 and 277CA files from soapbill claims and a payer's decisions.

A **test aid**, not a production writer: an app that reads remittances can
make the files a payer would send for its own claims, and check its posting
code against them. What the models do not know is written as fixed synthetic
data: the payer's address and contacts, bank numbers, tax ids. The files pass
pyx12's checks of the 835 ``005010X221A1``, 999 ``005010X231A1`` and 277CA
``005010X214`` guides (soapbill's tests check every generated file), and
:mod:`soapbill.remittance` reads back what was written.

- :func:`write_835`: one remittance paying *claims*, one :class:`ClaimDecision`
  per claim; each line is paid its charge less its adjustments, each claim the
  sum of its lines less its claim-level adjustments, and the payment the sum
  of the claims less the provider adjustments: the file balances.
- :func:`write_999`: the acknowledgement of an 837P's functional group, one
  :class:`~soapbill.remittance.TransactionAcknowledgement` per transaction set.
- :func:`write_277ca`: a claim acknowledgement, one :class:`ClaimOutcome` per claim.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal

import attrs

from soapbill.claims import Claim, ServiceLine
from soapbill.errors import ValidationError
from soapbill.formats import _x12
from soapbill.formats._tables import CLAIM_FILING_CODES
from soapbill.parties import PlanType, Provider
from soapbill.remittance import (
    AckStatus,
    Adjustment,
    AdjustmentGroup,
    ClaimStatus,
    ClaimStatusCode,
    PaymentMethod,
    ProviderAdjustment,
    TransactionAcknowledgement,
)

__all__ = [
    "FILING_INDICATORS",
    "ClaimDecision",
    "ClaimOutcome",
    "LineDecision",
    "write_277ca",
    "write_835",
    "write_999",
]

_ZERO: Final = Decimal("0.00")
#: The 835's claim filing indicator (CLP06) for each plan type: the 837P's
#: (SBR09), except that the 835 list (pyx12 map) has no plain commercial
#: code, so a commercial plan is written as a PPO (12).
FILING_INDICATORS: Final[Mapping[PlanType, str]] = MappingProxyType(
    {**CLAIM_FILING_CODES, PlanType.COMMERCIAL: "12"}
)
#: Characters the writer may put in a value: no separator (``* : ~ ^``).
_SAFE: Final = re.compile(r"[A-Za-z0-9 .,\-/&'()#@!%+=?;\[\]{}_`|<>$\"]*").fullmatch
_ADJUSTMENTS_PER_CAS: Final = 6
#: The writer writes the conventional separators (``*``, ``:``, ``^``, ``~``).
_WRITER: Final = _x12.SegmentWriter(_x12.DEFAULT_SEPARATORS)
_835: Final = _x12.Transaction(
    name="835", functional_id="HP", code="835", version="005010X221A1", convention=False
)
_999: Final = _x12.Transaction(name="999", functional_id="FA", code="999", version="005010X231A1")
_277CA: Final = _x12.Transaction(name="277CA", functional_id="HN", code="277", version="005010X214")


@attrs.frozen(kw_only=True)
class LineDecision:
    """
    What the payer decided for one service line.

    Attributes:
        adjustments: The line's adjustments; the line is paid its charge less
            their sum.
        remarks: Remark codes (``LQ*HE``).
        allowed: The allowed amount (``AMT*B6``); by default the payment plus
            the patient's share.
    """

    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    allowed: Decimal | None = None


@attrs.frozen(kw_only=True)
class ClaimDecision:
    """
    What the payer decided for one claim.

    Attributes:
        payer_claim_number: The payer's claim control number (``CLP07``).
        lines: One decision per claim line, in order; lines without one are
            paid in full.
        adjustments: Claim-level adjustments.
        remarks: Claim-level remark codes (``MOA``).
        status: How the claim was processed; by default denied when nothing
            is paid, else processed as primary.
    """

    payer_claim_number: str
    lines: tuple[LineDecision, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    status: ClaimStatusCode | None = None


@attrs.frozen(kw_only=True)
class ClaimOutcome:
    """
    What a 277CA says of one claim.

    Attributes:
        statuses: Its statuses, each written in an ``STC`` segment of its own.
        payer_claim_number: The payer's claim control number (``REF*1K``), if any.
    """

    statuses: tuple[ClaimStatus, ...]
    payer_claim_number: str | None = None


# --- text ------------------------------------------------------------------------------


def _safe(value: str, path: str) -> str:
    if not value.isascii() or _SAFE(value) is None:
        raise ValidationError.single(
            path, "x12_separator", "contains a character the test writer does not write"
        )
    return value


def _envelope(
    segments: list[str],
    *,
    transaction: _x12.Transaction,
    sender: str,
    receiver: str,
    control_number: int,
    created: datetime,
    usage: str,
) -> str:
    """
    *segments* (from the one after ``ST`` to the one before ``SE``) in one interchange.
    """
    _x12.check_control_number(control_number)
    # ISA06/ISA08 and GS02/GS03 hold 15 characters at most.
    return _WRITER.envelope(
        "".join(f"{s}~" for s in segments),
        transaction=transaction,
        sender=sender[:15],
        receiver=receiver[:15],
        control_number=control_number,
        created=created,
        usage=usage,
    )


def _cas(adjustments: Sequence[Adjustment]) -> list[str]:
    """
    CAS segments: one per group, six reasons to a segment at most.
    """
    out = []
    for group in AdjustmentGroup:
        mine = [a for a in adjustments if a.group is group]
        for start in range(0, len(mine), _ADJUSTMENTS_PER_CAS):
            chunk = mine[start : start + _ADJUSTMENTS_PER_CAS]
            out.append(
                f"CAS*{group.value}*"
                + "**".join(f"{a.reason}*{_x12.amount(a.amount)}" for a in chunk)
            )
    return out


def _payee(provider: Provider, path: str) -> list[str]:
    person = provider.name
    name = provider.organization_name or "" if person is None else f"{person.given} {person.family}"
    # N102 holds 60 characters; a person's given and family names may hold more.
    name = name[:60].rstrip(" ")
    out = [f"N1*PE*{_safe(name.upper(), path)}*XX*{provider.npi.value}"]
    if provider.tax_id is not None:
        out.append(f"REF*TJ*{provider.tax_id.value}")
    return out


# --- 835 -------------------------------------------------------------------------------


def _total(adjustments: Sequence[Adjustment], group: AdjustmentGroup | None = None) -> Decimal:
    """
    The sum of *adjustments*, or of those of *group*.
    """
    return sum((a.amount for a in adjustments if group is None or a.group is group), _ZERO)


def _line_segments(line: ServiceLine, decision: LineDecision) -> tuple[list[str], Decimal]:
    """
    Loop 2110 of one service line, and what it pays: its charge less its adjustments.
    """
    paid = line.charge - _total(decision.adjustments)
    allowed = decision.allowed
    if allowed is None:
        allowed = paid + _total(decision.adjustments, AdjustmentGroup.PR)
    composite = ":".join(["HC", line.code.value, *(m.value for m in line.modifiers)])
    return [
        f"SVC*{composite}*{_x12.amount(line.charge)}*{_x12.amount(paid)}**{line.units}",
        f"DTM*472*{_x12.d8(line.date_of_service)}",
        *_cas(decision.adjustments),
        f"AMT*B6*{_x12.amount(allowed)}",
        *(f"LQ*HE*{remark}" for remark in decision.remarks),
    ], paid


def _claim_segments(claim: Claim, decision: ClaimDecision, path: str) -> tuple[list[str], Decimal]:
    """
    Loop 2100 of one claim and its lines, and what it pays.
    """
    lines = list(decision.lines) + [LineDecision()] * (len(claim.lines) - len(decision.lines))
    if len(lines) > len(claim.lines):
        raise ValidationError.single(
            f"{path}.lines", "too_long", "one decision per line of the claim at most"
        )
    body: list[str] = []
    paid = _ZERO
    for line, line_decision in zip(claim.lines, lines, strict=True):
        segments, line_paid = _line_segments(line, line_decision)
        body += segments
        paid += line_paid
    paid -= _total(decision.adjustments)
    everything = [*decision.adjustments, *(a for d in lines for a in d.adjustments)]
    patient = _total(everything, AdjustmentGroup.PR)
    status = decision.status
    if status is None:
        denied = paid == 0 and claim.total_charge != 0
        status = ClaimStatusCode.DENIED if denied else ClaimStatusCode.PRIMARY
    name = claim.patient.name
    clp = [
        f"CLP*{_safe(claim.id, f'{path}.id')}",
        status.value,
        _x12.amount(claim.total_charge),
        _x12.amount(paid),
        _x12.amount(patient) if patient else "",
        FILING_INDICATORS[claim.coverage.plan_type],
        _safe(decision.payer_claim_number, f"{path}.payer_claim_number"),
        claim.place_of_service.value,
        claim.frequency.code,
    ]
    return [
        "*".join(clp),
        *_cas(decision.adjustments),
        (
            f"NM1*QC*1*{_safe(name.family.upper(), path)}*{_safe(name.given.upper(), path)}"
            f"****MI*{_safe(claim.coverage.member_id, path)}"
        ),
        *(["MOA***" + "*".join(decision.remarks[:5])] if decision.remarks else []),
        *body,
    ], paid


def write_835(
    claims: Sequence[Claim],
    decisions: Sequence[ClaimDecision],
    *,
    trace_number: str,
    payment_date: date,
    control_number: int,
    created: datetime,
    provider_adjustments: Sequence[ProviderAdjustment] = (),
    method: Literal[PaymentMethod.CHECK, PaymentMethod.ACH] = PaymentMethod.CHECK,
    usage: Literal["T", "P"] = "T",
) -> str:
    """
    Write an 835 paying *claims* as *decisions* say.

    The payer is the first claim's payer and the payee its billing provider.
    A payment of zero is written as a notification without payment (``BPR01``
    ``H``, ``BPR04`` ``NON``).

    Raises:
        ValidationError: The decisions do not fit the claims, a value holds a
            separator, or the payment would be negative.
    """
    if len(decisions) != len(claims) or not claims:
        raise ValidationError.single(
            "decisions", "length_mismatch", "give one decision per claim, at least one"
        )
    payer = claims[0].coverage.payer
    body: list[str] = []
    total = _ZERO
    for i, (claim, decision) in enumerate(zip(claims, decisions, strict=True)):
        segments, paid = _claim_segments(claim, decision, f"claims[{i}]")
        body.extend(segments)
        total += paid
    total -= sum((p.amount for p in provider_adjustments), _ZERO)
    if total < 0:
        raise ValidationError.single(
            "provider_adjustments", "negative_payment", "the payment would be negative"
        )
    day = _x12.d8(payment_date)
    if total == 0:
        bpr = f"BPR*H*0*C*NON{'*' * 12}{day}"
    elif method is PaymentMethod.ACH:
        bpr = (
            f"BPR*I*{_x12.amount(total)}*C*ACH*CCP*01*999999992*DA*1234567*1912345678**01"
            f"*999988880*DA*98765*{day}"
        )
    else:
        bpr = f"BPR*I*{_x12.amount(total)}*C*CHK{'*' * 12}{day}"
    header = [
        bpr,
        f"TRN*1*{_safe(trace_number, 'trace_number')}*1912345678",
        f"DTM*405*{_x12.d8(created)}",
        f"N1*PR*{_safe(payer.name.upper(), 'claims[0].coverage.payer.name')}",
        "N3*1 PAYER WAY",
        "N4*SEATTLE*WA*98101",
        f"REF*2U*{_safe(payer.id, 'claims[0].coverage.payer.id')}",
        "PER*BL*EDI SUPPORT*TE*8005550100",
        *_payee(claims[0].billing_provider, "claims[0].billing_provider"),
        "LX*1",
    ]
    npi = claims[0].billing_provider.npi.value
    return _envelope(
        [*header, *body, *_plb(provider_adjustments)],
        transaction=_835,
        sender=_safe(payer.id, "claims[0].coverage.payer.id"),
        receiver=npi,
        control_number=control_number,
        created=created,
        usage=usage,
    )


def _plb(adjustments: Sequence[ProviderAdjustment]) -> list[str]:
    """
    PLB segments: six adjustments to a segment, one per provider and fiscal period.

    pyx12 counts each PLB as a footer loop of its own and allows one, so the
    adjustments of one provider and period share a segment.
    """
    out = []
    groups: dict[tuple[str, date], list[ProviderAdjustment]] = {}
    for adjustment in adjustments:
        key = (adjustment.provider_id, adjustment.fiscal_period_end)
        groups.setdefault(key, []).append(adjustment)
    for (provider, period), mine in groups.items():
        for start in range(0, len(mine), _ADJUSTMENTS_PER_CAS):
            pairs = [
                f"{p.reason}"
                + (f":{_safe(p.reference, 'provider_adjustments')}" if p.reference else "")
                + f"*{_x12.amount(p.amount)}"
                for p in mine[start : start + _ADJUSTMENTS_PER_CAS]
            ]
            out.append(
                f"PLB*{_safe(provider, 'provider_adjustments')}*{_x12.d8(period)}*"
                + "*".join(pairs)
            )
    return out


# --- 999 -------------------------------------------------------------------------------


def _group_status(sets: Sequence[TransactionAcknowledgement]) -> AckStatus:
    accepted = [s for s in sets if s.accepted]
    if len(accepted) == len(sets):
        if all(s.status is AckStatus.ACCEPTED for s in sets):
            return AckStatus.ACCEPTED
        return AckStatus.ACCEPTED_WITH_ERRORS
    return AckStatus.PARTIALLY_ACCEPTED if accepted else AckStatus.REJECTED


def write_999(
    sets: Sequence[TransactionAcknowledgement],
    *,
    group_control_number: int,
    sender: str,
    receiver: str,
    control_number: int,
    created: datetime,
    usage: Literal["T", "P"] = "T",
) -> str:
    """
    Write a 999 acknowledging one functional group of 837P transaction sets.

    The group's status follows from the sets': all accepted gives ``A`` (or
    ``E`` when errors are noted), none ``R``, some ``P``.

    Raises:
        ValidationError: No set is given.
    """
    if not sets:
        raise ValidationError.single("sets", "too_short", "acknowledge at least one set")
    body = [f"AK1*HC*{group_control_number}*005010X222A1"]
    for s in sets:
        body.append(f"AK2*{s.transaction_set}*{s.control_number}*{s.convention or ''}".rstrip("*"))
        for error in s.segment_errors:
            ik3 = f"IK3*{error.segment_id}*{error.position}*{error.loop or ''}*{error.code or ''}"
            body.append(ik3.rstrip("*"))
            if error.claim_id is not None:
                body.append(f"CTX*CLM01:{_safe(error.claim_id, 'claim_id')}")
            for element in error.elements:
                position = ":".join(
                    str(p)
                    for p in (element.position, element.component, element.repetition)
                    if p is not None
                )
                body.append(f"IK4*{position}*{element.reference or ''}*{element.code}")
        body.append("*".join(["IK5", s.status.value, *s.errors]))
    status = _group_status(sets)
    accepted = sum(1 for s in sets if s.accepted)
    body.append(f"AK9*{status.value}*{len(sets)}*{len(sets)}*{accepted}")
    return _envelope(
        body,
        transaction=_999,
        sender=_safe(sender, "sender"),
        receiver=_safe(receiver, "receiver"),
        control_number=control_number,
        created=created,
        usage=usage,
    )


# --- 277CA -----------------------------------------------------------------------------


def _stc(status: ClaimStatus, charge: Decimal, day: date) -> str:
    composite = ":".join(p for p in (status.category, status.code, status.entity) if p)
    effective = _x12.d8(status.effective or day)
    return f"STC*{composite}*{effective}*{status.action or 'WQ'}*{_x12.amount(charge)}"


def _claim_277(claim: Claim, outcome: ClaimOutcome, i: int, day: date) -> list[str]:
    """
    Loop 2000D of one claim, after its ``HL``: the patient, the claim and its statuses.
    """
    path = f"claims[{i}]"
    name = claim.patient.name
    out = [
        (
            f"NM1*QC*1*{_safe(name.family.upper(), path)}*{_safe(name.given.upper(), path)}"
            f"****MI*{_safe(claim.coverage.member_id, path)}"
        ),
        f"TRN*2*{_safe(claim.id, f'{path}.id')}",
        *(_stc(status, claim.total_charge, day) for status in outcome.statuses),
    ]
    if outcome.payer_claim_number is not None:
        out.append(f"REF*1K*{_safe(outcome.payer_claim_number, f'outcomes[{i}]')}")
    first, last = claim.dates_of_service[0], claim.dates_of_service[-1]
    out.append(
        f"DTP*472*D8*{_x12.d8(first)}"
        if first == last
        else f"DTP*472*RD8*{_x12.d8(first)}-{_x12.d8(last)}"
    )
    return out


def write_277ca(
    claims: Sequence[Claim],
    outcomes: Sequence[ClaimOutcome],
    *,
    received: date,
    control_number: int,
    created: datetime,
    submitter_id: str = "SUBMITTERID",
    submitter_name: str = "SOAPBILL CLINIC",
    usage: Literal["T", "P"] = "T",
) -> str:
    """
    Write a 277CA acknowledging *claims* as *outcomes* say.

    The payer is the first claim's; claims are grouped under their billing
    providers.

    Raises:
        ValidationError: The outcomes do not fit the claims, or a value holds
            a separator.
    """
    if len(outcomes) != len(claims) or not claims:
        raise ValidationError.single(
            "outcomes", "length_mismatch", "give one outcome per claim, at least one"
        )
    payer = claims[0].coverage.payer
    day = created.date()
    total = sum((c.total_charge for c in claims), _ZERO)
    body = [
        f"BHT*0085*08*{control_number}*{_x12.d8(day)}*{_x12.hhmm(created)}*TH",
        "HL*1**20*1",
        (
            f"NM1*PR*2*{_safe(payer.name.upper(), 'claims[0].coverage.payer.name')}*****PI"
            f"*{_safe(payer.id, 'claims[0].coverage.payer.id')}"
        ),
        f"TRN*1*{control_number}",
        f"DTP*050*D8*{_x12.d8(received)}",
        f"DTP*009*D8*{_x12.d8(day)}",
        "HL*2*1*21*1",
        (
            f"NM1*41*2*{_safe(submitter_name, 'submitter_name')}*****46"
            f"*{_safe(submitter_id, 'submitter_id')}"
        ),
        f"TRN*2*{control_number}",
        f"STC*A1:19*{_x12.d8(day)}*WQ*{_x12.amount(total)}",
    ]
    hl = 2
    providers: dict[str, list[int]] = {}
    for i, claim in enumerate(claims):
        providers.setdefault(claim.billing_provider.npi.value, []).append(i)
    for indices in providers.values():
        hl += 1
        provider_hl = hl
        provider = claims[indices[0]].billing_provider
        name = (
            provider.organization_name
            if provider.organization_name is not None
            else provider.name.family  # type: ignore[union-attr]
        )
        charges = sum((claims[i].total_charge for i in indices), _ZERO)
        body += [
            f"HL*{provider_hl}*2*19*1",
            f"NM1*85*2*{_safe(name.upper(), 'billing_provider')}*****XX*{provider.npi.value}",
            "TRN*1*0",
            # The billing provider's STC has no STC02 (pyx12 map: not used).
            f"STC*A1:19:PR**WQ*{_x12.amount(charges)}",
        ]
        for i in indices:
            hl += 1
            body += [f"HL*{hl}*{provider_hl}*PT", *_claim_277(claims[i], outcomes[i], i, day)]
    return _envelope(
        body,
        transaction=_277CA,
        sender=_safe(payer.id, "claims[0].coverage.payer.id"),
        receiver=_safe(submitter_id, "submitter_id"),
        control_number=control_number,
        created=created,
        usage=usage,
    )
