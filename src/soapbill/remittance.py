"""
What comes back after a claim: acknowledgements, remittances, and posting them.

A practice sends an 837P and receives, in order:

1. a **999** implementation acknowledgement: was the file accepted?
   :func:`read_999` gives one :class:`Acknowledgement` per functional group,
   with each transaction set accepted or rejected and its segment and element
   errors explained;
2. a **277CA** claim acknowledgement: was each claim accepted into
   adjudication, or rejected and why? :func:`read_277ca` gives one
   :class:`ClaimAcknowledgement` per claim, matched by the claim id soapbill
   wrote in ``CLM01`` and carrying the payer's claim control number;
3. an **835** remittance advice: what was paid, adjusted and denied, and what
   the patient owes. :func:`read_835` gives one :class:`Remittance` per
   transaction set, with every claim, service line and adjustment explained
   and the balancing rules of the guide checked.

:func:`post` matches remittances to soapbill claims and tells, per claim,
what was paid, what was adjusted and why, what the patient owes and what to
do next.

Every amount is a :class:`~decimal.Decimal` with two decimal places. Amounts
in a remittance may be negative: a reversal takes a payment back, a negative
adjustment adds to a payment, and a negative provider adjustment (interest) is
paid to the provider. The readers keep no patient data: no names, member ids
or free text from the files (the claim id ties everything to your claim).

Implementation guides (TR3): 835 ``005010X221A1``, 999 ``005010X231A1``,
277CA ``005010X214``; segments, elements and codes follow the open-source
pyx12 maps of those guides. The code lists (adjustment reasons, remarks,
claim status categories and codes, 999 error codes) are dated data with their
sources, in the private module ``soapbill._remit_codes``.

>>> [str(group) for group in AdjustmentGroup]
['CO', 'PR', 'OA', 'PI', 'CR']
>>> Adjustment(group=AdjustmentGroup.CO, reason="97", amount=Decimal("10.00")).explanation
'bundled: paid as part of another service already adjudicated'

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from soapbill import _remit_codes as codes
from soapbill._enums import Choice
from soapbill._fields import rules
from soapbill._model import model
from soapbill.claims import Claim
from soapbill.errors import ValidationError
from soapbill.formats import _x12read as xr

__all__ = [
    "AckStatus",
    "Acknowledgement",
    "Adjustment",
    "AdjustmentGroup",
    "BalanceProblem",
    "ClaimAcknowledgement",
    "ClaimPayment",
    "ClaimStatus",
    "ClaimStatusCode",
    "ElementError",
    "LineAcknowledgement",
    "NextStep",
    "Party",
    "PaymentMethod",
    "PostedAdjustment",
    "Posting",
    "ProviderAdjustment",
    "Remark",
    "Remittance",
    "SegmentError",
    "ServicePayment",
    "TransactionAcknowledgement",
    "post",
    "read_277ca",
    "read_835",
    "read_999",
]

T = TypeVar("T")
_ZERO: Final = Decimal("0.00")
_CODE = rules(max_len=5)
_ID = rules(max_len=80)
#: Amounts in a remittance may be negative (reversals, negative adjustments,
#: interest paid in a provider adjustment).
_SIGNED = rules(signed=True)
#: Units are quantities, not money: any finite number (``SVC05``, ``SVC07``).
_UNITS = rules(quantity=True)
_MODIFIERS = rules(items=rules(max_len=2))

# --- codes -----------------------------------------------------------------------------


class AckStatus(Choice):
    """
    What a 999 says of a transaction set (``IK501``) or a group (``AK901``).

    .. versionadded:: 0.1.0
    """

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    PARTIALLY_ACCEPTED = "P"
    REJECTED = "R"
    REJECTED_AUTHENTICATION = "M"
    REJECTED_ASSURANCE = "W"
    REJECTED_DECRYPTION = "X"

    @property
    def explanation(self) -> str:
        """
        What the code means.
        """
        return codes.ACK_CODES.explain(self.value)

    @property
    def accepted(self) -> bool:
        """
        Whether the set or group was accepted (perhaps with errors noted).
        """
        return self in (AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_ERRORS)


class AdjustmentGroup(Choice):
    """
    Who bears an adjustment (835 ``CAS01``).

    ``CR`` (corrections and reversals) was retired in version 5010; it is
    read from older files only.

    .. versionadded:: 0.1.0
    """

    CO = "CO"
    PR = "PR"
    OA = "OA"
    PI = "PI"
    CR = "CR"

    @property
    def explanation(self) -> str:
        """
        What the group means.
        """
        return codes.ADJUSTMENT_GROUPS.explain(self.value)


class ClaimStatusCode(Choice):
    """
    How the payer processed a claim (835 ``CLP02``).

    .. versionadded:: 0.1.0
    """

    PRIMARY = "1"
    SECONDARY = "2"
    TERTIARY = "3"
    DENIED = "4"
    PRIMARY_FORWARDED = "19"
    SECONDARY_FORWARDED = "20"
    TERTIARY_FORWARDED = "21"
    REVERSAL = "22"
    NOT_OUR_CLAIM = "23"
    PREDETERMINATION = "25"

    @property
    def explanation(self) -> str:
        """
        What the code means.
        """
        return codes.CLAIM_STATUS.explain(self.value)


class PaymentMethod(Choice):
    """
    How the money travels (835 ``BPR04``).

    .. versionadded:: 0.1.0
    """

    ACH = "ACH"
    CHECK = "CHK"
    FEDWIRE = "FWT"
    FINANCIAL_INSTITUTION_OPTION = "BOP"
    NONE = "NON"


def _total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, _ZERO)


# --- shared models ----------------------------------------------------------------------


@model
class Remark:
    """
    A remittance advice remark code (RARC): more detail about an adjustment.

    Attributes:
        code: The remark code, such as ``"N130"``.

    .. versionadded:: 0.1.0
    """

    code: str = attrs.field(metadata=_CODE)

    @property
    def explanation(self) -> str:
        """
        What the code means, in soapbill's own words.
        """
        return codes.RARC.explain(self.code)


@model
class Adjustment:
    """
    Why part of a charge was not paid (835 ``CAS``): a group and a reason.

    Attributes:
        group: Who bears it.
        reason: The claim adjustment reason code (CARC), such as ``"45"``.
        amount: The amount (negative when it adds to the payment).

    .. versionadded:: 0.1.0
    """

    group: AdjustmentGroup
    reason: str = attrs.field(metadata=_CODE)
    amount: Decimal = attrs.field(metadata=_SIGNED)

    @property
    def label(self) -> str:
        """
        Group and reason as payers write them, such as ``"CO-45"``.
        """
        return f"{self.group.value}-{self.reason}"

    @property
    def explanation(self) -> str:
        """
        What the reason code means, in soapbill's own words.
        """
        return codes.CARC.explain(self.reason)


@model
class Party:
    """
    A payer or a payee as a remittance names them.

    Attributes:
        name: The name (``N102``).
        id: The identifier (``N104``, or the payer's ``REF*2U``), if given.
        id_qualifier: What kind of identifier (``N103``: ``XX`` an NPI,
            ``FI`` a tax id, ``XV`` a CMS plan id ...), if known.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(metadata=rules(max_len=60))
    id: str | None = attrs.field(default=None, metadata=_ID)
    id_qualifier: str | None = attrs.field(default=None, metadata=rules(max_len=3))


# --- 835 models -------------------------------------------------------------------------


@model
class ServicePayment:
    """
    One service line of a remittance (loop 2110, ``SVC``).

    The code, modifiers and units are those billed: the payer writes what it
    adjudicated in ``SVC01`` and, when that differs, what was billed in
    ``SVC06`` and ``SVC07``.

    Attributes:
        code: The procedure code as billed.
        modifiers: Its modifiers as billed.
        qualifier: The code's kind (``HC`` for CPT and HCPCS).
        charge: The line's charge (``SVC02``).
        paid: What the payer paid for it (``SVC03``).
        units: The units billed (``SVC07``, else ``SVC05``, else 1).
        units_paid: The units paid (``SVC05``, else 1).
        allowed: The allowed amount (``AMT*B6``), if given.
        date_of_service: The line's date (``DTM*472``, or the start ``DTM*150``).
        end_date: The end of a period of service (``DTM*151``).
        adjustments: The line's adjustments (``CAS``).
        remarks: The line's remark codes (``LQ*HE``).
        adjudicated_code: The code the payer adjudicated, when it differs.
        adjudicated_modifiers: Its modifiers.
        control_number: The line item control number (``REF*6R``).

    .. versionadded:: 0.1.0
    """

    code: str = attrs.field(metadata=rules(max_len=48))
    modifiers: tuple[str, ...] = attrs.field(default=(), metadata=_MODIFIERS)
    qualifier: str = attrs.field(default="HC", metadata=rules(max_len=2))
    charge: Decimal = attrs.field(metadata=_SIGNED)
    paid: Decimal = attrs.field(metadata=_SIGNED)
    units: Decimal = attrs.field(default=Decimal(1), metadata=_UNITS)
    units_paid: Decimal = attrs.field(default=Decimal(1), metadata=_UNITS)
    allowed: Decimal | None = attrs.field(default=None, metadata=_SIGNED)
    date_of_service: date | None = None
    end_date: date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[Remark, ...] = ()
    adjudicated_code: str | None = attrs.field(default=None, metadata=rules(max_len=48))
    adjudicated_modifiers: tuple[str, ...] = attrs.field(default=(), metadata=_MODIFIERS)
    control_number: str | None = attrs.field(default=None, metadata=rules(max_len=50))

    @property
    def adjusted(self) -> Decimal:
        """
        The sum of the line's adjustments.
        """
        return _total(a.amount for a in self.adjustments)

    @property
    def balances(self) -> bool:
        """
        Whether the charge less the adjustments is the payment (TR3 1.10.2.1).
        """
        return self.charge - self.adjusted == self.paid


@model
class ClaimPayment:
    """
    One claim of a remittance (loop 2100, ``CLP``).

    Attributes:
        claim_id: Your claim id (the patient control number you sent in
            ``CLM01``).
        status: How the payer processed it.
        charge: The claim's charge (``CLP03``).
        paid: What the payer paid (``CLP04``).
        patient_responsibility: What the patient owes (``CLP05``; 0 when absent).
        filing_indicator: The claim filing indicator (``CLP06``).
        payer_claim_number: The payer's claim control number (``CLP07``):
            quote it on a replacement or a void.
        frequency: The claim frequency code (``CLP09``), if given.
        adjustments: Claim-level adjustments (``CAS``).
        remarks: Claim-level remark codes (``MOA03``-``MOA07``).
        lines: The service lines.
        statement_start: The start of the claim's period (``DTM*232``).
        statement_end: The end of the claim's period (``DTM*233``).
        received: When the payer received the claim (``DTM*050``).

    .. versionadded:: 0.1.0
    """

    claim_id: str = attrs.field(metadata=rules(max_len=38))
    status: ClaimStatusCode
    charge: Decimal = attrs.field(metadata=_SIGNED)
    paid: Decimal = attrs.field(metadata=_SIGNED)
    patient_responsibility: Decimal = attrs.field(default=_ZERO, metadata=_SIGNED)
    filing_indicator: str = attrs.field(metadata=rules(max_len=2))
    payer_claim_number: str = attrs.field(metadata=rules(max_len=50))
    frequency: str | None = attrs.field(default=None, metadata=rules(max_len=1))
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[Remark, ...] = ()
    lines: tuple[ServicePayment, ...] = ()
    statement_start: date | None = None
    statement_end: date | None = None
    received: date | None = None

    @property
    def all_adjustments(self) -> tuple[Adjustment, ...]:
        """
        The claim-level adjustments, then each line's.
        """
        return self.adjustments + tuple(a for line in self.lines for a in line.adjustments)

    @property
    def balances(self) -> bool:
        """
        Whether the charge less every adjustment is the payment (TR3 1.10.2.1).
        """
        return self.charge - _total(a.amount for a in self.all_adjustments) == self.paid


@model
class ProviderAdjustment:
    """
    An adjustment to the whole payment, not to a claim (835 ``PLB``).

    A positive amount is taken from the payment (an overpayment recovered, a
    withholding), a negative one is added to it (interest).

    Attributes:
        provider_id: The provider the adjustment is for (``PLB01``).
        fiscal_period_end: The last day of the provider's fiscal period (``PLB02``).
        reason: The adjustment reason code, such as ``"WO"`` or ``"L6"``.
        reference: The payer's reference, such as the claim an overpayment
            came from, if given.
        amount: The amount.

    .. versionadded:: 0.1.0
    """

    provider_id: str = attrs.field(metadata=rules(max_len=50))
    fiscal_period_end: date
    reason: str = attrs.field(metadata=rules(max_len=2))
    reference: str | None = attrs.field(default=None, metadata=rules(max_len=50))
    amount: Decimal = attrs.field(metadata=_SIGNED)

    @property
    def explanation(self) -> str:
        """
        What the reason code means.
        """
        return codes.PROVIDER_ADJUSTMENTS.explain(self.reason)


@model
class BalanceProblem:
    """
    An amount of a remittance that breaks a balancing rule of the guide.

    Attributes:
        rule: ``"remittance.balance.line"`` (``SVC02`` less the line's
            adjustments is ``SVC03``), ``"remittance.balance.claim"``
            (``CLP03`` less the claim's and its lines' adjustments is
            ``CLP04``) or ``"remittance.balance.payment"`` (``BPR02`` is the
            sum of ``CLP04`` less the sum of the provider adjustments).
        path: Where, such as ``"claims[2].lines[0]"``.
        message: A fixed sentence saying which rule.
        expected: What the rule computes.
        found: What the remittance says.

    .. versionadded:: 0.1.0
    """

    rule: str = attrs.field(metadata=rules(max_len=80))
    path: str = attrs.field(metadata=rules(max_len=80))
    message: str = attrs.field(metadata=rules(max_len=200))
    expected: Decimal = attrs.field(metadata=_SIGNED)
    found: Decimal = attrs.field(metadata=_SIGNED)


@model
class Remittance:
    """
    One 835 transaction set: a payment and the claims it pays.

    A remittance whose amounts do not balance is read all the same, with
    :attr:`balance_problems` listing every broken rule: do not post it
    without asking the payer.

    Attributes:
        control_number: Its transaction set control number (``ST02``).
        handling: ``BPR01``: ``I`` remittance with payment, ``H``
            notification only, ...
        amount: The total payment (``BPR02``).
        credit: ``True`` for a credit to the provider (``BPR03`` ``C``),
            ``False`` for a debit.
        method: How the money travels (``BPR04``).
        payment_date: The check or EFT date (``BPR16``).
        trace_number: The check or EFT trace number (``TRN02``): it ties the
            remittance to the money in the bank.
        trace_originator: Who issued the trace number (``TRN03``).
        production_date: When the payer produced the remittance (``DTM*405``).
        payer: The payer (loop 1000A).
        payee: The payee (loop 1000B).
        claims: The claims paid, adjusted or denied.
        provider_adjustments: Adjustments to the whole payment (``PLB``).
        balance_problems: Every balancing rule the amounts break.

    .. versionadded:: 0.1.0
    """

    control_number: str = attrs.field(metadata=rules(max_len=9))
    handling: str = attrs.field(metadata=rules(max_len=2))
    amount: Decimal
    credit: bool = True
    method: PaymentMethod
    payment_date: date
    trace_number: str = attrs.field(metadata=_ID)
    trace_originator: str = attrs.field(metadata=rules(max_len=10))
    production_date: date | None = None
    payer: Party
    payee: Party
    claims: tuple[ClaimPayment, ...] = ()
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    balance_problems: tuple[BalanceProblem, ...] = ()

    @property
    def balanced(self) -> bool:
        """
        Whether every balancing rule holds.
        """
        return not self.balance_problems


# --- 999 models -------------------------------------------------------------------------


@model
class ElementError:
    """
    An error in one element of a segment (999 ``IK4``).

    The copy of the bad value (``IK404``) is not kept: it may be patient data.

    Attributes:
        position: The element's position in its segment (``IK401-1``).
        component: The component's position in a composite, if any.
        repetition: The repeat's position, if any.
        reference: The data element reference number (``IK402``), if given.
        code: The element syntax error code (``IK403``).

    .. versionadded:: 0.1.0
    """

    position: int = attrs.field(metadata=rules(ge=1, le=99))
    component: int | None = attrs.field(default=None, metadata=rules(ge=1, le=99))
    repetition: int | None = attrs.field(default=None, metadata=rules(ge=1, le=99999))
    reference: str | None = attrs.field(default=None, metadata=rules(max_len=4))
    code: str = attrs.field(metadata=rules(max_len=3))

    @property
    def explanation(self) -> str:
        """
        What the error code means.
        """
        return codes.ELEMENT_ERRORS.explain(self.code)


@model
class SegmentError:
    """
    An error in one segment of the file acknowledged (999 ``IK3``).

    Attributes:
        segment_id: The segment's id, such as ``"CLM"`` (``IK301``).
        position: Its position in its transaction set, ``ST`` being 1 (``IK302``).
        loop: The loop it is in, such as ``"2300"`` (``IK303``), if given.
        code: The segment syntax error code (``IK304``), if given.
        claim_id: The claim it belongs to (the ``CTX*CLM01`` business unit), if given.
        elements: The errors in its elements.

    .. versionadded:: 0.1.0
    """

    segment_id: str = attrs.field(metadata=rules(max_len=3))
    position: int = attrs.field(metadata=rules(ge=1))
    loop: str | None = attrs.field(default=None, metadata=rules(max_len=4))
    code: str | None = attrs.field(default=None, metadata=rules(max_len=3))
    claim_id: str | None = attrs.field(default=None, metadata=rules(max_len=38))
    elements: tuple[ElementError, ...] = ()

    @property
    def explanation(self) -> str | None:
        """
        What the error code means, if there is one.
        """
        return None if self.code is None else codes.SEGMENT_ERRORS.explain(self.code)


@model
class TransactionAcknowledgement:
    """
    What a 999 says of one transaction set (``AK2`` ... ``IK5``).

    Attributes:
        transaction_set: The kind acknowledged, such as ``"837"`` (``AK201``).
        control_number: Its control number (``AK202``): ``"0001"`` for an
            837P soapbill wrote.
        convention: The guide it was checked against (``AK203``), if given.
        status: Accepted, accepted with errors, or rejected (``IK501``).
        errors: Transaction set error codes (``IK502``-``IK506``).
        segment_errors: The segments in error.

    .. versionadded:: 0.1.0
    """

    transaction_set: str = attrs.field(metadata=rules(max_len=3))
    control_number: str = attrs.field(metadata=rules(max_len=9))
    convention: str | None = attrs.field(default=None, metadata=rules(max_len=35))
    status: AckStatus
    errors: tuple[str, ...] = attrs.field(default=(), metadata=rules(max_len=5))
    segment_errors: tuple[SegmentError, ...] = ()

    @property
    def accepted(self) -> bool:
        """
        Whether the set was accepted (perhaps with errors noted).
        """
        return self.status.accepted

    @property
    def explanations(self) -> tuple[str, ...]:
        """
        What each error code means.
        """
        return tuple(codes.TRANSACTION_ERRORS.explain(code) for code in self.errors)


@model
class Acknowledgement:
    """
    A 999: what the receiver made of one functional group of your file.

    Attributes:
        control_number: The 999's own transaction set control number.
        functional_id: The kind of group acknowledged (``AK101``: ``HC`` for claims).
        group_control_number: The group's control number (``AK102``), the
            ``GS06`` of your file: soapbill's 837P writes its control number there.
        version: The group's version (``AK103``), if given.
        status: What became of the group (``AK901``).
        included: How many transaction sets the group held (``AK902``).
        received: How many were received (``AK903``).
        accepted_count: How many were accepted (``AK904``).
        errors: Group error codes (``AK905``-``AK909``).
        transactions: What became of each transaction set.

    .. versionadded:: 0.1.0
    """

    control_number: str = attrs.field(metadata=rules(max_len=9))
    functional_id: str = attrs.field(metadata=rules(max_len=2))
    group_control_number: str = attrs.field(metadata=rules(max_len=9))
    version: str | None = attrs.field(default=None, metadata=rules(max_len=12))
    status: AckStatus
    included: int = attrs.field(metadata=rules(ge=0))
    received: int = attrs.field(metadata=rules(ge=0))
    accepted_count: int = attrs.field(metadata=rules(ge=0))
    errors: tuple[str, ...] = attrs.field(default=(), metadata=rules(max_len=5))
    transactions: tuple[TransactionAcknowledgement, ...] = ()

    @property
    def accepted(self) -> bool:
        """
        Whether the whole group was accepted (perhaps with errors noted).
        """
        return self.status.accepted

    @property
    def explanations(self) -> tuple[str, ...]:
        """
        What each group error code means.
        """
        return tuple(codes.GROUP_ERRORS.explain(code) for code in self.errors)


# --- 277CA models -----------------------------------------------------------------------


@model
class ClaimStatus:
    """
    One status of a claim or a line (277CA ``STC01``, ``STC10`` or ``STC11``).

    Attributes:
        category: The claim status category code, such as ``"A2"`` (list 507).
        code: The claim status code, such as ``"20"`` (list 508).
        entity: The entity the status is about (``STC01-3``), if given.
        action: ``"WQ"`` accepted or ``"U"`` rejected (``STC03``), if given.
        effective: When the status took effect (``STC02``), if given.

    .. versionadded:: 0.1.0
    """

    category: str = attrs.field(metadata=rules(max_len=3))
    code: str = attrs.field(metadata=rules(max_len=30))
    entity: str | None = attrs.field(default=None, metadata=rules(max_len=3))
    action: str | None = attrs.field(default=None, metadata=rules(max_len=2))
    effective: date | None = None

    @property
    def explanation(self) -> str:
        """
        The category and the status code in words.
        """
        category = codes.STATUS_CATEGORIES.explain(self.category)
        return f"{category}: {codes.STATUS_CODES.explain(self.code)}"


#: 277CA categories that mean the claim was not accepted for adjudication.
_REJECTED_CATEGORIES: Final = frozenset({"A3", "A4", "A6", "A7", "A8", "E0", "E3", "E4"})


def _accepted(statuses: tuple[ClaimStatus, ...]) -> bool:
    return bool(statuses) and all(
        s.action != "U" and s.category not in _REJECTED_CATEGORIES for s in statuses
    )


@model
class LineAcknowledgement:
    """
    The status of one service line in a 277CA (loop 2220D).

    Attributes:
        code: The procedure code.
        modifiers: Its modifiers.
        charge: The line's charge.
        date_of_service: The line's date (``DTP*472``), if given.
        statuses: Its statuses.

    .. versionadded:: 0.1.0
    """

    code: str = attrs.field(metadata=rules(max_len=48))
    modifiers: tuple[str, ...] = attrs.field(default=(), metadata=rules(max_len=4))
    charge: Decimal
    date_of_service: date | None = None
    statuses: tuple[ClaimStatus, ...] = ()

    @property
    def accepted(self) -> bool:
        """
        Whether the line was accepted.
        """
        return _accepted(self.statuses)


@model
class ClaimAcknowledgement:
    """
    What a 277CA says of one claim: accepted into adjudication, or rejected.

    Attributes:
        claim_id: Your claim id (``TRN02`` of loop 2200D: the ``CLM01`` you sent).
        payer_claim_number: The payer's claim control number (``REF*1K``), if given.
        clearinghouse_trace: The clearinghouse's claim id (``REF*D9``), if given.
        total_charge: The claim's charge as the payer read it (``STC04``).
        statuses: Every status of the claim, in order.
        service_start: The first date of service (``DTP*472``), if given.
        service_end: The last date of service, if given.
        payer_name: The information source's name (loop 2100A).
        payer_id: The information source's id.
        billing_provider_id: The billing provider's id (loop 2100C), such as its NPI.
        lines: Line statuses, when the payer gives them.

    .. versionadded:: 0.1.0
    """

    claim_id: str = attrs.field(metadata=rules(max_len=50))
    payer_claim_number: str | None = attrs.field(default=None, metadata=_ID)
    clearinghouse_trace: str | None = attrs.field(default=None, metadata=_ID)
    total_charge: Decimal
    statuses: tuple[ClaimStatus, ...] = attrs.field(metadata=rules(min_len=1))
    service_start: date | None = None
    service_end: date | None = None
    payer_name: str = attrs.field(metadata=rules(max_len=60))
    payer_id: str = attrs.field(metadata=_ID)
    billing_provider_id: str | None = attrs.field(default=None, metadata=_ID)
    lines: tuple[LineAcknowledgement, ...] = ()

    @property
    def accepted(self) -> bool:
        """
        Whether the claim was accepted into adjudication.

        A claim is rejected when a status has the action ``U`` or a category
        of rejection (``A3``, ``A4``, ``A6``-``A8``, ``E0``, ``E3``, ``E4``).
        """
        return _accepted(self.statuses)

    @property
    def explanations(self) -> tuple[str, ...]:
        """
        Each status in words.
        """
        return tuple(s.explanation for s in self.statuses)


# --- posting models ---------------------------------------------------------------------


@model
class PostedAdjustment(Adjustment):
    """
    An adjustment posted against a claim, or one of its lines.

    An :class:`Adjustment` (with its :attr:`~Adjustment.label` and
    :attr:`~Adjustment.explanation`) and the line it applies to.

    Attributes:
        group: Who bears it.
        reason: The adjustment reason code (CARC).
        amount: The amount.
        line: The 0-based index of the claim's line it applies to; ``None``
            for the claim as a whole, or a line the claim does not have.

    .. versionadded:: 0.1.0
    """

    line: int | None = attrs.field(default=None, metadata=rules(ge=0))


@model
class NextStep:
    """
    What to do after a posting, with the rule that says so.

    Attributes:
        rule: A stable dotted id, such as ``"remittance.denied.medical_necessity"``.
        message: What happened, without patient data, such as
            ``"denied CO-50: not medically necessary"``.
        fix: What to do, such as ``"appeal with the SOAP notes and the prescription"``.
        line: The 0-based index of the claim's line it is about, if any.

    .. versionadded:: 0.1.0
    """

    rule: str = attrs.field(metadata=rules(max_len=80))
    message: str = attrs.field(metadata=rules(max_len=200))
    fix: str = attrs.field(metadata=rules(max_len=200))
    line: int | None = attrs.field(default=None, metadata=rules(ge=0))


@model
class Posting:
    """
    What the remittances did to one claim.

    Attributes:
        claim_id: The claim id.
        matched: Whether the claim was among those given to :func:`post`;
            ``False`` for a claim only a remittance knows, whose charge is
            then the remittance's.
        charge: The claim's total charge.
        paid: What the payer paid, net of any reversal.
        adjustments: Every adjustment, claim-level first, each with its line.
        patient_balance: What the patient owes: the sum of the ``PR`` adjustments.
        unmatched_lines: Remittance lines that match no line of the claim
            (by code, date and modifiers), never dropped.
        unpaid_lines: 0-based indices of the claim's lines no remittance line mentions.
        next_steps: What to do next, in order.
        payer_claim_numbers: The payer's claim control numbers, in order.
        statuses: How the payer processed each claim record, in order.
        trace_numbers: The trace numbers of the payments, in order.

    .. versionadded:: 0.1.0
    """

    claim_id: str = attrs.field(metadata=rules(max_len=50))
    matched: bool = True
    charge: Decimal = attrs.field(metadata=_SIGNED)
    paid: Decimal = attrs.field(metadata=_SIGNED)
    adjustments: tuple[PostedAdjustment, ...] = ()
    patient_balance: Decimal = attrs.field(metadata=_SIGNED)
    unmatched_lines: tuple[ServicePayment, ...] = ()
    unpaid_lines: tuple[int, ...] = attrs.field(default=(), metadata=rules(items=rules(ge=0)))
    next_steps: tuple[NextStep, ...] = ()
    payer_claim_numbers: tuple[str, ...] = attrs.field(
        default=(), metadata=rules(items=rules(max_len=50))
    )
    statuses: tuple[ClaimStatusCode, ...] = ()
    trace_numbers: tuple[str, ...] = attrs.field(default=(), metadata=rules(items=_ID))

    @property
    def written_off(self) -> Decimal:
        """
        The adjustments the patient does not owe (every group but ``PR``).
        """
        return _total(a.amount for a in self.adjustments if a.group is not AdjustmentGroup.PR)

    @property
    def open_balance(self) -> Decimal:
        """
        The charge less what was paid, written off and billed to the patient.

        Zero when the remittances explain the whole charge.
        """
        return self.charge - self.paid - self.written_off - self.patient_balance


# --- reading: shared --------------------------------------------------------------------


def _guarded(read: Callable[[], T]) -> T:
    """
    Run a reader, turning a model's refusal of a value into an X12 error.

    The readers build models from elements they have checked; a value a model
    still refuses (too long, say) is reported at the segment without the value.
    """
    try:
        return read()
    except _ElementError as error:
        raise ValidationError.single(
            error.path, "x12_value", "a value does not fit its model field"
        ) from None


class _ElementError(Exception):
    """
    A model refused a value read from *path*.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def _build(segment: xr.Segment, factory: Callable[..., T], **fields: Any) -> T:  # noqa: ANN401 - model fields
    try:
        return factory(**fields)
    except ValidationError:
        # Raised outside the handler so that no chained error repeats a value.
        pass
    raise _ElementError(segment.path())


# Each code enum's members by value, built on first use: one small, immutable
# mapping per enum class, so the cache is bounded.
_MEMBERS: dict[type, Mapping[str, Any]] = {}


def _code(segment: xr.Segment, n: int, allowed: type[T], what: str) -> T:
    members = _MEMBERS.get(allowed)
    if members is None:
        members = _MEMBERS[allowed] = {m.value: m for m in allowed}  # type: ignore[attr-defined]
    found: T | None = members.get(xr.required(segment, n))
    if found is None:
        xr.fail(segment.path(n), "x12_code", f"not a known {what} code")
    return found


def _modifiers(parts: list[str], segment: xr.Segment, n: int) -> tuple[str, ...]:
    found = tuple(m for m in parts[2:6] if m)
    for m in found:
        if len(m) != 2:  # noqa: PLR2004 - modifiers are two characters
            xr.fail(segment.path(n), "x12_modifier", "a modifier has two characters")
    return found


# --- reading the 835 --------------------------------------------------------------------


class _Line:
    """
    A service line of an 835 as it is read (loop 2110).
    """

    __slots__ = (
        "adjustments",
        "allowed",
        "control_number",
        "end",
        "remarks",
        "segment",
        "start",
        "svc",
    )

    def __init__(self, segment: xr.Segment) -> None:
        self.segment = segment
        self.svc = _svc(segment)
        self.adjustments: list[Adjustment] = []
        self.remarks: list[Remark] = []
        self.allowed: Decimal | None = None
        self.start: date | None = None
        self.end: date | None = None
        self.control_number: str | None = None

    def build(self) -> ServicePayment:
        return _build(
            self.segment,
            ServicePayment,
            **self.svc,
            allowed=self.allowed,
            date_of_service=self.start,
            end_date=self.end,
            adjustments=tuple(self.adjustments),
            remarks=tuple(self.remarks),
            control_number=self.control_number,
        )


class _Claim:
    """
    A claim of an 835 as it is read (loop 2100).
    """

    __slots__ = ("adjustments", "clp", "dates", "lines", "remarks", "segment")

    def __init__(self, segment: xr.Segment) -> None:
        self.segment = segment
        self.clp = _clp(segment)
        self.adjustments: list[Adjustment] = []
        self.remarks: list[Remark] = []
        self.lines: list[ServicePayment] = []
        self.dates: dict[str, date] = {}

    def build(self) -> ClaimPayment:
        return _build(
            self.segment,
            ClaimPayment,
            **self.clp,
            adjustments=tuple(self.adjustments),
            remarks=tuple(self.remarks),
            lines=tuple(self.lines),
            statement_start=self.dates.get("232"),
            statement_end=self.dates.get("233"),
            received=self.dates.get("050"),
        )


def _cas(segment: xr.Segment, out: list[Adjustment]) -> None:
    group = _code(segment, 1, AdjustmentGroup, "claim adjustment group")
    elements = segment.elements
    for n in range(2, min(len(elements), 20), 3):
        reason = elements[n]
        if not reason:
            if xr.element(segment, n + 1):
                xr.fail(segment.path(n), "x12_required", "a required element is missing")
            continue
        if len(reason) > 5:  # noqa: PLR2004 - CARC codes
            xr.fail(segment.path(n), "x12_code", "not a known claim adjustment reason code")
        amount = xr.amount(segment, n + 1)
        out.append(_build(segment, Adjustment, group=group, reason=reason, amount=amount))


def _svc(segment: xr.Segment) -> dict[str, Any]:
    adjudicated = xr.components(segment, 1)
    if len(adjudicated) < 2 or not adjudicated[1]:  # noqa: PLR2004 - qualifier and code
        xr.fail(segment.path(1), "x12_required", "a required element is missing")
    units_paid = xr.number(segment, 5)
    billed = xr.components(segment, 6)
    original_units = xr.number(segment, 7)
    fields: dict[str, Any] = {
        "qualifier": adjudicated[0],
        "charge": xr.amount(segment, 2),
        "paid": xr.amount(segment, 3),
        "units_paid": Decimal(1) if units_paid is None else units_paid,
    }
    if len(billed) >= 2 and billed[1]:  # noqa: PLR2004 - qualifier and code
        fields["code"] = billed[1]
        fields["modifiers"] = _modifiers(billed, segment, 6)
        fields["adjudicated_code"] = adjudicated[1]
        fields["adjudicated_modifiers"] = _modifiers(adjudicated, segment, 1)
    else:
        fields["code"] = adjudicated[1]
        fields["modifiers"] = _modifiers(adjudicated, segment, 1)
    fields["units"] = original_units if original_units is not None else fields["units_paid"]
    return fields


def _clp(segment: xr.Segment) -> dict[str, Any]:
    responsibility = xr.optional_amount(segment, 5)
    return {
        "claim_id": xr.required(segment, 1),
        "status": _code(segment, 2, ClaimStatusCode, "claim status"),
        "charge": xr.amount(segment, 3),
        "paid": xr.amount(segment, 4),
        "patient_responsibility": _ZERO if responsibility is None else responsibility,
        "filing_indicator": xr.required(segment, 6),
        "payer_claim_number": xr.required(segment, 7),
        "frequency": xr.element(segment, 9) or None,
    }


def _plb(segment: xr.Segment, out: list[ProviderAdjustment]) -> None:
    provider = xr.required(segment, 1)
    period = xr.date8(segment, 2)
    elements = segment.elements
    for n in range(3, min(len(elements), 15), 2):
        parts = xr.components(segment, n)
        if not parts:
            continue
        if not parts[0] or len(parts[0]) > 2:  # noqa: PLR2004 - PLB03-1 codes
            xr.fail(segment.path(n), "x12_code", "not a known provider adjustment reason code")
        out.append(
            _build(
                segment,
                ProviderAdjustment,
                provider_id=provider,
                fiscal_period_end=period,
                reason=parts[0],
                reference=parts[1] if len(parts) > 1 and parts[1] else None,
                amount=xr.amount(segment, n + 1),
            )
        )


class _Remit:
    """
    The header of an 835 as it is read.
    """

    def __init__(self) -> None:
        self.bpr: xr.Segment | None = None
        self.trn: xr.Segment | None = None
        self.production: date | None = None
        # N101 (PR payer, PE payee) -> the N1 segment and the party's fields.
        self.parties: dict[str, tuple[xr.Segment, dict[str, str | None]]] = {}
        self.party: dict[str, str | None] | None = None


class _Reader835:
    """
    Reads one 835 transaction set, segment by segment.

    Each segment the reader uses has a handler in :data:`_HANDLERS_835`; the
    others (addresses, contacts, the patient's name) are passed over. A
    segment belongs to the header until the first ``CLP``, then to the
    current claim, and after an ``SVC`` to the current service line; ``LX``
    and ``PLB`` close the claim.
    """

    def __init__(self) -> None:
        self.head = _Remit()
        self.claims: list[ClaimPayment] = []
        self.plbs: list[ProviderAdjustment] = []
        self.claim: _Claim | None = None
        self.line: _Line | None = None

    def read(self, transaction: xr.Transaction) -> Remittance:
        handlers = _HANDLERS_835
        for segment in transaction.segments[1:-1]:
            handler = handlers.get(segment.id)
            if handler is not None:
                handler(self, segment)
        self.close_claim()
        return _remittance(transaction, self.head, self.claims, self.plbs)

    def close_line(self) -> None:
        if self.line is not None and self.claim is not None:
            self.claim.lines.append(self.line.build())
        self.line = None

    def close_claim(self) -> None:
        self.close_line()
        if self.claim is not None:
            self.claims.append(self.claim.build())
        self.claim = None

    # --- the handlers, one per segment id

    def bpr_segment(self, segment: xr.Segment) -> None:
        if self.head.bpr is not None or self.claims or self.claim is not None:
            xr.fail(segment.path(), "x12_835", "a BPR segment is out of place")
        self.head.bpr = segment

    def trn_segment(self, segment: xr.Segment) -> None:
        if self.claim is None and self.head.trn is None:
            self.head.trn = segment

    def n1_segment(self, segment: xr.Segment) -> None:
        if self.claim is None:
            self.head.party = _party(segment, self.head.parties)

    def ref_segment(self, segment: xr.Segment) -> None:
        qualifier = xr.element(segment, 1)
        if self.line is not None and qualifier == "6R":
            self.line.control_number = xr.required(segment, 2)
        elif self.claim is None and self.head.party is not None and qualifier == "2U":
            self.head.party.setdefault("id", xr.required(segment, 2))

    def dtm_segment(self, segment: xr.Segment) -> None:
        qualifier = xr.element(segment, 1)
        if self.line is not None:
            if qualifier in ("472", "150"):
                self.line.start = xr.date8(segment, 2)
            elif qualifier == "151":
                self.line.end = xr.date8(segment, 2)
        elif self.claim is not None:
            if qualifier in ("232", "233", "050"):
                self.claim.dates[qualifier] = xr.date8(segment, 2)
        elif qualifier == "405":
            self.head.production = xr.date8(segment, 2)

    def lx_segment(self, _segment: xr.Segment) -> None:
        self.close_claim()

    def clp_segment(self, segment: xr.Segment) -> None:
        self.close_claim()
        self.claim = _Claim(segment)

    def cas_segment(self, segment: xr.Segment) -> None:
        if self.line is not None:
            _cas(segment, self.line.adjustments)
        elif self.claim is not None:
            _cas(segment, self.claim.adjustments)
        else:
            xr.fail(segment.path(), "x12_835", "an adjustment comes before any claim")

    def moa_segment(self, segment: xr.Segment) -> None:
        if self.claim is not None:
            self.claim.remarks.extend(
                _build(segment, Remark, code=code) for code in segment.elements[3:8] if code
            )

    def svc_segment(self, segment: xr.Segment) -> None:
        if self.claim is None:
            xr.fail(segment.path(), "x12_835", "a service line comes before any claim")
        self.close_line()
        self.line = _Line(segment)

    def amt_segment(self, segment: xr.Segment) -> None:
        if self.line is not None and xr.element(segment, 1) == "B6":
            self.line.allowed = xr.amount(segment, 2)

    def lq_segment(self, segment: xr.Segment) -> None:
        if self.line is not None and xr.element(segment, 1) == "HE":
            self.line.remarks.append(_build(segment, Remark, code=xr.required(segment, 2)))

    def plb_segment(self, segment: xr.Segment) -> None:
        self.close_claim()
        _plb(segment, self.plbs)


#: The 835 reader's handler of each segment id it uses.
_HANDLERS_835: Final[Mapping[str, Callable[[_Reader835, xr.Segment], None]]] = {
    "BPR": _Reader835.bpr_segment,
    "TRN": _Reader835.trn_segment,
    "N1": _Reader835.n1_segment,
    "REF": _Reader835.ref_segment,
    "DTM": _Reader835.dtm_segment,
    "LX": _Reader835.lx_segment,
    "CLP": _Reader835.clp_segment,
    "CAS": _Reader835.cas_segment,
    "MOA": _Reader835.moa_segment,
    "SVC": _Reader835.svc_segment,
    "AMT": _Reader835.amt_segment,
    "LQ": _Reader835.lq_segment,
    "PLB": _Reader835.plb_segment,
}


def _party(
    segment: xr.Segment, parties: dict[str, tuple[xr.Segment, dict[str, str | None]]]
) -> dict[str, str | None]:
    party: dict[str, str | None] = {"name": xr.required(segment, 2)}
    if xr.element(segment, 4):
        party["id"] = segment.elements[4]
        party["id_qualifier"] = xr.element(segment, 3) or None
    parties.setdefault(xr.element(segment, 1), (segment, party))
    return party


def _party_model(head: _Remit, role: str, path: str, what: str) -> Party:
    found = head.parties.get(role)
    if found is None:
        xr.fail(path, "x12_835", f"the 835 names no {what}")
    segment, fields = found
    return _build(segment, Party, **fields)


def _remittance(
    transaction: xr.Transaction,
    head: _Remit,
    claims: list[ClaimPayment],
    plbs: list[ProviderAdjustment],
) -> Remittance:
    st = transaction.header
    bpr, trn = head.bpr, head.trn
    if bpr is None:
        xr.fail(st.path(), "x12_835", "the 835 has no BPR segment")
    if trn is None:
        xr.fail(st.path(), "x12_835", "the 835 has no TRN segment")
    amount = xr.amount(bpr, 2)
    if amount < 0:
        xr.fail(bpr.path(2), "x12_amount", "the total payment is not negative")
    flag = xr.required(bpr, 3)
    if flag not in ("C", "D"):
        xr.fail(bpr.path(3), "x12_code", "not a known credit or debit flag")
    payer = _party_model(head, "PR", st.path(), "payer")
    payee = _party_model(head, "PE", st.path(), "payee")
    remittance = _build(
        bpr,
        Remittance,
        control_number=transaction.control_number,
        handling=xr.required(bpr, 1),
        amount=amount,
        credit=flag == "C",
        method=_code(bpr, 4, PaymentMethod, "payment method"),
        payment_date=xr.date8(bpr, 16),
        trace_number=xr.required(trn, 2),
        trace_originator=xr.required(trn, 3),
        production_date=head.production,
        payer=payer,
        payee=payee,
        claims=tuple(claims),
        provider_adjustments=tuple(plbs),
    )
    problems = _balance(remittance)
    if problems:
        remittance = attrs.evolve(remittance, balance_problems=problems)
    return remittance


def _balance(remittance: Remittance) -> tuple[BalanceProblem, ...]:
    """
    Check the balancing rules of the 835 guide (005010X221A1, section 1.10.2.1).
    """
    problems = []
    for i, claim in enumerate(remittance.claims):
        adjusted = _total(a.amount for a in claim.adjustments)
        for j, line in enumerate(claim.lines):
            line_adjusted = line.adjusted
            adjusted += line_adjusted
            if line.charge - line_adjusted != line.paid:
                problems.append(
                    BalanceProblem(
                        rule="remittance.balance.line",
                        path=f"claims[{i}].lines[{j}]",
                        message="the line's charge less its adjustments is not its payment",
                        expected=line.charge - line_adjusted,
                        found=line.paid,
                    )
                )
        if claim.charge - adjusted != claim.paid:
            problems.append(
                BalanceProblem(
                    rule="remittance.balance.claim",
                    path=f"claims[{i}]",
                    message="the claim's charge less its adjustments is not its payment",
                    expected=claim.charge - adjusted,
                    found=claim.paid,
                )
            )
    expected = _total(c.paid for c in remittance.claims) - _total(
        p.amount for p in remittance.provider_adjustments
    )
    found = remittance.amount if remittance.credit else -remittance.amount
    if expected != found:
        problems.append(
            BalanceProblem(
                rule="remittance.balance.payment",
                path="amount",
                message="the payment is not the claims' payments less the provider adjustments",
                expected=expected,
                found=found,
            )
        )
    return tuple(problems)


def read_835(source: str | bytes) -> tuple[Remittance, ...]:
    """
    Read an 835 remittance advice.

    Args:
        source: X12 text holding one or more 835 transaction sets.

    Returns:
        One :class:`Remittance` per transaction set, in order. Amounts that
        break the guide's balancing rules are listed in its
        :attr:`~Remittance.balance_problems`, never silently accepted.

    Raises:
        ValidationError: The text is not an 835: not X12, broken envelopes,
            another transaction set, a required segment or element missing, or
            an amount, date or code that cannot be read. The path names the
            segment and element, such as ``segments[41].CLP04``.

    .. versionadded:: 0.1.0
    """
    return _guarded(
        lambda: tuple(_Reader835().read(t) for _, t in xr.transactions(source, "835", "an 835"))
    )


# --- reading the 999 --------------------------------------------------------------------


def _optional_int(segment: xr.Segment, value: str, n: int) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 5:  # noqa: PLR2004 - positions
        xr.fail(segment.path(n), "x12_integer", "expected an integer")
    return int(value)


def _ik4(segment: xr.Segment) -> ElementError:
    parts = xr.components(segment, 1)
    if not parts or not parts[0]:
        xr.fail(segment.path(1), "x12_required", "a required element is missing")
    return _build(
        segment,
        ElementError,
        position=_optional_int(segment, parts[0], 1),
        component=_optional_int(segment, parts[1] if len(parts) > 1 else "", 1),
        repetition=_optional_int(segment, parts[2] if len(parts) > 2 else "", 1),  # noqa: PLR2004
        reference=xr.element(segment, 2) or None,
        code=xr.required(segment, 3),
    )


class _SegmentErrorBuilder:
    __slots__ = ("claim_id", "elements", "segment")

    def __init__(self, segment: xr.Segment) -> None:
        self.segment = segment
        self.claim_id: str | None = None
        self.elements: list[ElementError] = []

    def build(self) -> SegmentError:
        s = self.segment
        return _build(
            s,
            SegmentError,
            segment_id=xr.required(s, 1),
            position=xr.integer(s, 2),
            loop=xr.element(s, 3) or None,
            code=xr.element(s, 4) or None,
            claim_id=self.claim_id,
            elements=tuple(self.elements),
        )


class _Reader999:
    """
    Reads one 999 transaction set: ``AK1``, then ``AK2`` ... ``IK5`` per set, then ``AK9``.

    Each segment the reader uses has a handler in :data:`_HANDLERS_999`.
    """

    def __init__(self) -> None:
        self.ak1: xr.Segment | None = None
        self.ak9: xr.Segment | None = None
        self.sets: list[TransactionAcknowledgement] = []
        # The set being acknowledged, its segment errors, and the one being read.
        self.ak2: xr.Segment | None = None
        self.errors: list[SegmentError] = []
        self.current: _SegmentErrorBuilder | None = None

    def read(self, transaction: xr.Transaction) -> Acknowledgement:
        handlers = _HANDLERS_999
        for segment in transaction.segments[1:-1]:
            handler = handlers.get(segment.id)
            if handler is not None:
                handler(self, segment)
        ak1, ak9 = self.ak1, self.ak9
        if ak1 is None or ak9 is None or self.ak2 is not None:
            xr.fail(
                transaction.header.path(),
                "x12_999",
                "a 999 has AK1, then AK2 ... IK5 per set, then AK9",
            )
        return _build(
            ak9,
            Acknowledgement,
            control_number=transaction.control_number,
            functional_id=xr.required(ak1, 1),
            group_control_number=xr.required(ak1, 2),
            version=xr.element(ak1, 3) or None,
            status=_code(ak9, 1, AckStatus, "acknowledgement"),
            included=xr.integer(ak9, 2),
            received=xr.integer(ak9, 3),
            accepted_count=xr.integer(ak9, 4),
            errors=tuple(e for e in ak9.elements[5:10] if e),
            transactions=tuple(self.sets),
        )

    def close_segment_error(self) -> None:
        if self.current is not None:
            self.errors.append(self.current.build())
        self.current = None

    # --- the handlers, one per segment id

    def ak1_segment(self, segment: xr.Segment) -> None:
        if self.ak1 is not None:
            xr.fail(segment.path(), "x12_999", "a 999 acknowledges one group")
        self.ak1 = segment

    def ak2_segment(self, segment: xr.Segment) -> None:
        if self.ak1 is None or self.ak2 is not None:
            xr.fail(segment.path(), "x12_999", "an AK2 segment is out of place")
        self.ak2, self.errors, self.current = segment, [], None

    def ik3_segment(self, segment: xr.Segment) -> None:
        if self.ak2 is None:
            xr.fail(segment.path(), "x12_999", "an IK3 segment is out of place")
        self.close_segment_error()
        self.current = _SegmentErrorBuilder(segment)

    def ik4_segment(self, segment: xr.Segment) -> None:
        if self.current is None:
            xr.fail(segment.path(), "x12_999", "an IK4 segment is out of place")
        self.current.elements.append(_ik4(segment))

    def ctx_segment(self, segment: xr.Segment) -> None:
        parts = xr.components(segment, 1)
        if self.current is not None and parts and parts[0] == "CLM01" and len(parts) > 1:
            self.current.claim_id = parts[1] or None

    def ik5_segment(self, segment: xr.Segment) -> None:
        ak2 = self.ak2
        if ak2 is None:
            xr.fail(segment.path(), "x12_999", "an IK5 segment is out of place")
        self.close_segment_error()
        self.sets.append(
            _build(
                ak2,
                TransactionAcknowledgement,
                transaction_set=xr.required(ak2, 1),
                control_number=xr.required(ak2, 2),
                convention=xr.element(ak2, 3) or None,
                status=_code(segment, 1, AckStatus, "acknowledgement"),
                errors=tuple(e for e in segment.elements[2:7] if e),
                segment_errors=tuple(self.errors),
            )
        )
        self.ak2, self.errors = None, []

    def ak9_segment(self, segment: xr.Segment) -> None:
        self.ak9 = segment


#: The 999 reader's handler of each segment id it uses.
_HANDLERS_999: Final[Mapping[str, Callable[[_Reader999, xr.Segment], None]]] = {
    "AK1": _Reader999.ak1_segment,
    "AK2": _Reader999.ak2_segment,
    "IK3": _Reader999.ik3_segment,
    "IK4": _Reader999.ik4_segment,
    "CTX": _Reader999.ctx_segment,
    "IK5": _Reader999.ik5_segment,
    "AK9": _Reader999.ak9_segment,
}


def read_999(source: str | bytes) -> tuple[Acknowledgement, ...]:
    """
    Read a 999 implementation acknowledgement.

    Args:
        source: X12 text holding one or more 999 transaction sets.

    Returns:
        One :class:`Acknowledgement` per functional group acknowledged, in
        order, each with what became of each of its transaction sets.

    Raises:
        ValidationError: The text is not a 999; the path names the segment
            and element.

    .. versionadded:: 0.1.0
    """
    return _guarded(
        lambda: tuple(_Reader999().read(t) for _, t in xr.transactions(source, "999", "a 999"))
    )


# --- reading the 277CA ------------------------------------------------------------------


def _stc(segment: xr.Segment, out: list[ClaimStatus]) -> Decimal | None:
    action = xr.element(segment, 3) or None
    effective = xr.date8(segment, 2) if xr.element(segment, 2) else None
    for n in (1, 10, 11):
        parts = xr.components(segment, n)
        if not parts:
            if n == 1:
                xr.fail(segment.path(1), "x12_required", "a required element is missing")
            continue
        if len(parts) < 2 or not parts[0] or not parts[1]:  # noqa: PLR2004 - category and code
            xr.fail(segment.path(n), "x12_required", "a required component is missing")
        out.append(
            _build(
                segment,
                ClaimStatus,
                category=parts[0],
                code=parts[1],
                entity=parts[2] if len(parts) > 2 and parts[2] else None,  # noqa: PLR2004
                action=action,
                effective=effective,
            )
        )
    return xr.optional_amount(segment, 4)


def _dtp_period(segment: xr.Segment) -> tuple[date, date]:
    qualifier = xr.element(segment, 2)
    value = xr.required(segment, 3)
    if qualifier == "RD8":
        start, _, end = value.partition("-")
        return xr.date8(segment, 3, start), xr.date8(segment, 3, end)
    day = xr.date8(segment, 3)
    return day, day


class _Ack277:
    """
    A claim of a 277CA as it is read (loop 2200D), with its lines (loop 2220D).

    Its methods are the handlers of the segments that belong to a claim
    (:data:`_CLAIM_HANDLERS_277`).
    """

    __slots__ = ("charge", "end", "line", "lines", "refs", "segment", "start", "statuses")

    def __init__(self, segment: xr.Segment) -> None:
        self.segment = segment
        self.statuses: list[ClaimStatus] = []
        self.charge: Decimal | None = None
        self.refs: dict[str, str] = {}
        self.start: date | None = None
        self.end: date | None = None
        self.lines: list[LineAcknowledgement] = []
        self.line: dict[str, Any] | None = None

    def close_line(self) -> None:
        line = self.line
        if line is not None:
            segment = line.pop("segment")
            self.lines.append(_build(segment, LineAcknowledgement, **line))
            self.line = None

    def build(self, payer: tuple[str, str] | None, provider: str | None) -> ClaimAcknowledgement:
        self.close_line()
        if payer is None:
            xr.fail(self.segment.path(), "x12_277", "the 277CA names no information source")
        if not self.statuses:
            xr.fail(self.segment.path(), "x12_277", "a claim has no status")
        return _build(
            self.segment,
            ClaimAcknowledgement,
            claim_id=xr.required(self.segment, 2),
            payer_claim_number=self.refs.get("1K"),
            clearinghouse_trace=self.refs.get("D9"),
            total_charge=_ZERO if self.charge is None else self.charge,
            statuses=tuple(self.statuses),
            service_start=self.start,
            service_end=self.end,
            payer_name=payer[0],
            payer_id=payer[1],
            billing_provider_id=provider,
            lines=tuple(self.lines),
        )

    def stc_segment(self, segment: xr.Segment) -> None:
        if self.line is not None:
            statuses: list[ClaimStatus] = []
            _stc(segment, statuses)
            self.line["statuses"] += tuple(statuses)
        else:
            charge = _stc(segment, self.statuses)
            if self.charge is None:
                self.charge = charge

    def ref_segment(self, segment: xr.Segment) -> None:
        if self.line is None:
            self.refs.setdefault(xr.required(segment, 1), xr.required(segment, 2))

    def dtp_segment(self, segment: xr.Segment) -> None:
        if xr.element(segment, 1) != "472":
            return
        start, end = _dtp_period(segment)
        if self.line is not None:
            self.line["date_of_service"] = start
        else:
            self.start, self.end = start, end

    def svc_segment(self, segment: xr.Segment) -> None:
        self.close_line()
        parts = xr.components(segment, 1)
        if len(parts) < 2 or not parts[1]:  # noqa: PLR2004 - qualifier and code
            xr.fail(segment.path(1), "x12_required", "a required element is missing")
        self.line = {
            "segment": segment,
            "code": parts[1],
            "modifiers": _modifiers(parts, segment, 1),
            "charge": xr.amount(segment, 2),
            "statuses": (),
        }


#: The handlers of the segments of a 277CA claim, once a claim is being read.
_CLAIM_HANDLERS_277: Final[Mapping[str, Callable[[_Ack277, xr.Segment], None]]] = {
    "STC": _Ack277.stc_segment,
    "REF": _Ack277.ref_segment,
    "DTP": _Ack277.dtp_segment,
    "SVC": _Ack277.svc_segment,
}


class _Reader277:
    """
    Reads the claims of one 277CA transaction set.

    The hierarchical levels (``HL03``) tell whose segments follow: ``20`` the
    information source (the payer), ``19`` the billing provider, ``PT`` a
    claim, whose ``TRN`` starts it. Statuses of the other levels are passed over.
    """

    def __init__(self) -> None:
        self.out: list[ClaimAcknowledgement] = []
        self.level = ""
        self.payer: tuple[str, str] | None = None
        self.provider: str | None = None
        self.claim: _Ack277 | None = None

    def read(self, transaction: xr.Transaction) -> list[ClaimAcknowledgement]:
        convention = transaction.convention
        if convention and convention != "005010X214":
            xr.fail(transaction.header.path(3), "x12_transaction", "expected a 277CA (005010X214)")
        for segment in transaction.segments[1:-1]:
            sid = segment.id
            if sid == "HL":
                self.close_claim()
                self.level = xr.required(segment, 3)
            elif sid == "NM1":
                self.nm1_segment(segment)
            elif sid == "TRN":
                self.trn_segment(segment)
            elif self.claim is not None:
                handler = _CLAIM_HANDLERS_277.get(sid)
                if handler is not None:
                    handler(self.claim, segment)
        self.close_claim()
        return self.out

    def close_claim(self) -> None:
        if self.claim is not None:
            self.out.append(self.claim.build(self.payer, self.provider))
        self.claim = None

    def nm1_segment(self, segment: xr.Segment) -> None:
        if self.level == "20":
            self.payer = (xr.required(segment, 3), xr.required(segment, 9))
        elif self.level == "19":
            self.provider = xr.element(segment, 9) or None

    def trn_segment(self, segment: xr.Segment) -> None:
        if self.level == "PT":
            self.close_claim()
            self.claim = _Ack277(segment)
            xr.required(segment, 2)


def read_277ca(source: str | bytes) -> tuple[ClaimAcknowledgement, ...]:
    """
    Read a 277CA claim acknowledgement.

    Args:
        source: X12 text holding one or more 277 transaction sets of the
            005010X214 guide.

    Returns:
        One :class:`ClaimAcknowledgement` per claim, in order: match them to
        your claims by :attr:`~ClaimAcknowledgement.claim_id`. Statuses at
        the batch and provider levels are not returned.

    Raises:
        ValidationError: The text is not a 277CA; the path names the segment
            and element.

    .. versionadded:: 0.1.0
    """
    return _guarded(
        lambda: tuple(
            ack
            for _, t in xr.transactions(source, "277", "a 277CA")
            for ack in _Reader277().read(t)
        )
    )


# --- posting ----------------------------------------------------------------------------

#: (group, reason) -> rule id, message, fix. Messages carry codes, never values.
_STEPS: Final[Mapping[tuple[str, str], tuple[str, str, str]]] = {
    ("PR", "1"): (
        "remittance.patient.deductible",
        "PR-1: the patient's deductible applies",
        "bill the patient's deductible",
    ),
    ("PR", "2"): (
        "remittance.patient.coinsurance",
        "PR-2: the patient's coinsurance",
        "bill the patient's coinsurance",
    ),
    ("PR", "3"): (
        "remittance.patient.copay",
        "PR-3: the patient's copay",
        "collect the copay from the patient",
    ),
    ("CO", "45"): (
        "remittance.contractual.fee_schedule",
        "CO-45: the charge is above the contracted amount",
        "write off the difference; the patient does not owe it",
    ),
    ("CO", "253"): (
        "remittance.contractual.sequestration",
        "CO-253: the federal sequestration reduction",
        "write it off",
    ),
    ("CO", "97"): (
        "remittance.denied.bundled",
        "CO-97: bundled into another service",
        (
            "write it off; if the service was separate and distinct, send a replacement "
            "claim with the right modifier (59, XS, XU)"
        ),
    ),
    ("CO", "236"): (
        "remittance.denied.ncci",
        "CO-236: not allowed with another procedure on the same day",
        (
            "check the NCCI pair; send a replacement claim with a modifier if one applies, "
            "else write it off"
        ),
    ),
    ("CO", "50"): (
        "remittance.denied.medical_necessity",
        "denied CO-50: not medically necessary",
        "appeal with the SOAP notes and the prescription",
    ),
    ("CO", "16"): (
        "remittance.denied.missing_information",
        "denied CO-16: the claim lacks information",
        "read the remark codes, correct the claim and send a replacement claim",
    ),
    ("CO", "18"): (
        "remittance.denied.duplicate",
        "denied CO-18: a duplicate of a claim already received",
        "do not resubmit; follow up on the original claim",
    ),
    ("OA", "18"): (
        "remittance.denied.duplicate",
        "denied OA-18: a duplicate of a claim already received",
        "do not resubmit; follow up on the original claim",
    ),
    ("CO", "29"): (
        "remittance.denied.timely_filing",
        "denied CO-29: the filing limit has passed",
        "appeal only with proof of timely filing (a 999 or 277CA); otherwise write it off",
    ),
    ("CO", "197"): (
        "remittance.denied.authorization",
        "denied CO-197: authorization was missing",
        "get the authorization and send a replacement claim with its number, or appeal",
    ),
    ("CO", "15"): (
        "remittance.denied.authorization",
        "denied CO-15: the authorization number is missing or invalid",
        "send a replacement claim with the right authorization number",
    ),
    ("CO", "22"): (
        "remittance.denied.other_payer_first",
        "denied CO-22: another payer may pay first",
        "bill the primary payer, then send its remittance with the claim",
    ),
    ("CO", "26"): (
        "remittance.denied.coverage",
        "denied CO-26: the coverage had not begun",
        "check eligibility; bill the right payer or the patient",
    ),
    ("CO", "27"): (
        "remittance.denied.coverage",
        "denied CO-27: the coverage had ended",
        "check eligibility; bill the right payer or the patient",
    ),
    ("CO", "31"): (
        "remittance.denied.member",
        "denied CO-31: the patient is not identified as a member",
        "check the member id and name against the insurance card; send a corrected claim",
    ),
    ("CO", "109"): (
        "remittance.denied.wrong_payer",
        "denied CO-109: not this payer's claim",
        "send the claim to the correct payer",
    ),
    ("CO", "119"): (
        "remittance.denied.benefit_maximum",
        "denied CO-119: the benefit maximum has been reached",
        "check the plan's visit limit; bill the patient only if they agreed in advance",
    ),
    ("PR", "119"): (
        "remittance.patient.benefit_maximum",
        "PR-119: the benefit maximum has been reached; the patient owes it",
        "bill the patient",
    ),
    ("CO", "150"): (
        "remittance.denied.level_of_service",
        "denied CO-150: the records do not support this level of service",
        "appeal with the SOAP notes, or bill the level they support",
    ),
    ("CO", "151"): (
        "remittance.denied.frequency",
        "denied CO-151: more services than the payer allows",
        "appeal with the SOAP notes and the plan of care showing the need",
    ),
    ("CO", "4"): (
        "remittance.denied.modifier",
        "denied CO-4: a modifier is wrong or missing",
        "correct the modifiers (GP, 59, KX ...) and send a replacement claim",
    ),
    ("CO", "11"): (
        "remittance.denied.diagnosis",
        "denied CO-11: the diagnosis does not support the procedure",
        "check the diagnoses and pointers against the prescription; send a replacement claim",
    ),
    ("CO", "96"): (
        "remittance.denied.not_covered",
        "denied CO-96: not covered",
        "write it off, or appeal if the plan covers the service",
    ),
    ("CO", "204"): (
        "remittance.denied.not_covered",
        "denied CO-204: not covered by the patient's plan",
        "write it off, or appeal if the plan covers the service",
    ),
    ("PR", "96"): (
        "remittance.patient.not_covered",
        "PR-96: not covered; the patient owes it",
        "bill the patient",
    ),
    ("PR", "204"): (
        "remittance.patient.not_covered",
        "PR-204: not covered by the patient's plan; the patient owes it",
        "bill the patient",
    ),
    ("CO", "242"): (
        "remittance.denied.out_of_network",
        "denied CO-242: the provider is out of network",
        "check the network status; bill the patient only where the plan allows",
    ),
    ("PR", "242"): (
        "remittance.patient.out_of_network",
        "PR-242: out of network; the patient owes it",
        "bill the patient",
    ),
    ("CO", "129"): (
        "remittance.denied.prior_processing",
        "denied CO-129: the prior payer's information appears wrong",
        "correct the other payer's information and send a replacement claim",
    ),
    ("CO", "B7"): (
        "remittance.denied.provider",
        "denied CO-B7: the provider was not eligible for this service",
        "check the provider's credentialing with the payer",
    ),
    ("CO", "185"): (
        "remittance.denied.provider",
        "denied CO-185: the rendering provider may not perform this service",
        "check the provider's credentialing and taxonomy with the payer",
    ),
}

#: Group -> rule id, fix, for reasons without a step of their own.
_DEFAULT_STEPS: Final[Mapping[AdjustmentGroup, tuple[str, str]]] = {
    AdjustmentGroup.PR: ("remittance.patient.other", "bill the patient"),
    AdjustmentGroup.CO: (
        "remittance.contractual.other",
        "read the reason; write it off or appeal",
    ),
    AdjustmentGroup.PI: (
        "remittance.payer_reduction",
        "read the reason; appeal if you disagree; the patient does not owe it",
    ),
    AdjustmentGroup.OA: ("remittance.other_adjustment", "read the reason"),
    AdjustmentGroup.CR: ("remittance.other_adjustment", "read the reason"),
}

#: Reasons that only report what another payer did: no step.
_NO_STEP: Final = frozenset({("OA", "23")})

_STATUS_STEPS: Final[Mapping[ClaimStatusCode, tuple[str, str, str]]] = {
    ClaimStatusCode.DENIED: (
        "remittance.claim.denied",
        "the claim was denied",
        "read the adjustment reasons; correct and resubmit, or appeal",
    ),
    ClaimStatusCode.PRIMARY_FORWARDED: (
        "remittance.claim.forwarded",
        "the payer forwarded the claim to another payer",
        "wait for the other payer's remittance before billing the patient",
    ),
    ClaimStatusCode.SECONDARY_FORWARDED: (
        "remittance.claim.forwarded",
        "the payer forwarded the claim to another payer",
        "wait for the other payer's remittance before billing the patient",
    ),
    ClaimStatusCode.TERTIARY_FORWARDED: (
        "remittance.claim.forwarded",
        "the payer forwarded the claim to another payer",
        "wait for the other payer's remittance before billing the patient",
    ),
    ClaimStatusCode.NOT_OUR_CLAIM: (
        "remittance.claim.not_ours",
        "the payer says the claim is not theirs and forwarded it",
        "check the patient's coverage; wait for the other payer",
    ),
    ClaimStatusCode.REVERSAL: (
        "remittance.claim.reversed",
        "the payer reversed an earlier payment",
        "post the reversal against the earlier payment; a corrected payment may follow",
    ),
    ClaimStatusCode.PREDETERMINATION: (
        "remittance.claim.predetermination",
        "a predetermination: priced, not paid",
        "submit the claim for payment once the services are given",
    ),
}


#: What posting itself finds, rule -> message, fix.
_POSTING_STEPS: Final[Mapping[str, tuple[str, str]]] = {
    "remittance.line.unmatched": (
        "a remittance line matches no line of the claim",
        "compare it with the claim: the payer may have changed the code, the date or the modifiers",
    ),
    "remittance.line.missing": (
        "no remittance line mentions this line of the claim",
        "ask the payer about the line; it may come in a later remittance",
    ),
    "remittance.claim.unknown": (
        "a remittance pays a claim that was not passed in",
        "pass the claim, or check the claim id the payer returned",
    ),
    "remittance.claim.unpaid": (
        "no remittance mentions the claim",
        "check its 277CA acknowledgement; follow up with the payer",
    ),
    "remittance.balance": (
        "the remittance's amounts do not balance for this claim",
        "ask the payer for a corrected remittance before posting it",
    ),
}


def _adjustment_step(adjustment: Adjustment, line: int | None, *, denied: bool) -> NextStep | None:
    key = (adjustment.group.value, adjustment.reason)
    if adjustment.amount == 0 or key in _NO_STEP:
        return None
    found = _STEPS.get(key)
    if found is not None:
        rule, message, fix = found
        if not denied and message.startswith("denied "):
            message = message.removeprefix("denied ")
    else:
        rule, fix = _DEFAULT_STEPS[adjustment.group]
        message = f"{adjustment.label}: {adjustment.explanation}"
    return NextStep(rule=rule, message=message[:200], fix=fix, line=line)


def _same_modifiers(line_modifiers: tuple[str, ...], paid: tuple[str, ...]) -> bool:
    return sorted(line_modifiers) == sorted(paid)


def _match(claim: Claim, payment: ClaimPayment, taken: set[int]) -> list[int | None]:
    """
    The index of the claim line each remittance line pays, or ``None``.

    A line matches on its code, its modifiers (in any order) and its date;
    a remittance line without a date takes the claim's statement date, or
    any date when the remittance gives none. Of several candidates, one with
    the same charge is preferred, then the first. A claim line is matched
    once per remittance claim record.
    """
    found: list[int | None] = []
    used: set[int] = set()
    for line in payment.lines:
        day = line.date_of_service or payment.statement_start
        candidates = [
            i
            for i, mine in enumerate(claim.lines)
            if i not in used
            and mine.code.value == line.code
            and _same_modifiers(tuple(m.value for m in mine.modifiers), line.modifiers)
            and (day is None or mine.date_of_service == day)
        ]
        same_charge = [i for i in candidates if claim.lines[i].charge == abs(line.charge)]
        pick: int | None = None
        if same_charge or candidates:
            pick = (same_charge or candidates)[0]
            used.add(pick)
            taken.add(pick)
        found.append(pick)
    return found


class _PostingBuilder:
    """
    Everything posted against one claim, as the remittances are read.
    """

    def __init__(self, claim_id: str, claim: Claim | None) -> None:
        self.claim_id = claim_id
        self.claim = claim
        self.paid = _ZERO
        self.charge = _ZERO if claim is None else claim.total_charge
        self.adjustments: list[PostedAdjustment] = []
        self.unmatched: list[ServicePayment] = []
        self.taken: set[int] = set()
        self.steps: list[NextStep] = []
        self.seen: set[tuple[str, int | None]] = set()
        self.numbers: list[str] = []
        self.statuses: list[ClaimStatusCode] = []
        self.traces: list[str] = []
        self.unbalanced = False

    def step(self, step: NextStep | None) -> None:
        if step is not None and (step.rule, step.line) not in self.seen:
            self.seen.add((step.rule, step.line))
            self.steps.append(step)

    def note(self, rule: str, line: int | None = None) -> None:
        """
        Add the step of what posting itself found (:data:`_POSTING_STEPS`).
        """
        message, fix = _POSTING_STEPS[rule]
        self.step(NextStep(rule=rule, message=message, fix=fix, line=line))

    def add(self, remittance: Remittance, payment: ClaimPayment, *, unbalanced: bool) -> None:
        if self.claim is None:
            self.charge += payment.charge
        self.paid += payment.paid
        self.numbers.append(payment.payer_claim_number)
        self.statuses.append(payment.status)
        if remittance.trace_number not in self.traces:
            self.traces.append(remittance.trace_number)
        self.unbalanced = self.unbalanced or unbalanced
        denied = payment.status is ClaimStatusCode.DENIED or payment.paid == 0
        for adjustment in payment.adjustments:
            self.adjustments.append(_posted(adjustment, None))
            self.step(_adjustment_step(adjustment, None, denied=denied))
        status_step = _STATUS_STEPS.get(payment.status)
        if status_step is not None:
            rule, message, fix = status_step
            self.step(NextStep(rule=rule, message=message, fix=fix))
        matches = (
            _match(self.claim, payment, self.taken)
            if self.claim is not None
            else [None] * len(payment.lines)
        )
        for line, index in zip(payment.lines, matches, strict=True):
            if index is None:
                self.unmatched.append(line)
                self.note("remittance.line.unmatched")
            line_denied = denied or line.paid == 0
            for adjustment in line.adjustments:
                self.adjustments.append(_posted(adjustment, index))
                self.step(_adjustment_step(adjustment, index, denied=line_denied))

    def build(self) -> Posting:
        unpaid: tuple[int, ...] = ()
        if self.claim is not None and self.statuses:
            unpaid = tuple(i for i in range(len(self.claim.lines)) if i not in self.taken)
            for i in unpaid:
                self.note("remittance.line.missing", i)
        if self.claim is None:
            self.note("remittance.claim.unknown")
        elif not self.statuses:
            self.note("remittance.claim.unpaid")
        if self.unbalanced:
            self.note("remittance.balance")
        return Posting(
            claim_id=self.claim_id,
            matched=self.claim is not None,
            charge=self.charge,
            paid=self.paid,
            adjustments=tuple(self.adjustments),
            patient_balance=_total(
                a.amount for a in self.adjustments if a.group is AdjustmentGroup.PR
            ),
            unmatched_lines=tuple(self.unmatched),
            unpaid_lines=unpaid,
            next_steps=tuple(self.steps),
            payer_claim_numbers=tuple(self.numbers),
            statuses=tuple(self.statuses),
            trace_numbers=tuple(self.traces),
        )


def _posted(adjustment: Adjustment, line: int | None) -> PostedAdjustment:
    return PostedAdjustment(
        group=adjustment.group, reason=adjustment.reason, amount=adjustment.amount, line=line
    )


def _unbalanced_claims(remittance: Remittance) -> set[int]:
    found = set()
    for problem in remittance.balance_problems:
        if problem.path.startswith("claims["):
            found.add(int(problem.path[7 : problem.path.index("]")]))
    return found


def post(claims: Sequence[Claim], remittances: Sequence[Remittance]) -> tuple[Posting, ...]:
    """
    Post remittances to claims: what was paid, adjusted, owed, and what next.

    Remittance claims are matched to *claims* by claim id; their lines to the
    claim's lines by code, date and modifiers (see :class:`Posting`). Several
    remittance records for one claim (a reversal and a corrected payment, or
    payments over several files) add up.

    Args:
        claims: The claims, each with a unique id.
        remittances: The remittances, as :func:`read_835` returns them.

    Returns:
        One :class:`Posting` per claim, in the order given, then one per
        claim id that only the remittances know (``matched=False``), in the
        order met: nothing a remittance says is dropped.

    Raises:
        ValidationError: An argument is not a sequence of claims or of
            remittances, or two claims share an id.

    .. versionadded:: 0.1.0
    """
    if not isinstance(claims, (list, tuple)):
        raise ValidationError.single("claims", "invalid_type", "expected a sequence of claims")
    if not isinstance(remittances, (list, tuple)):
        raise ValidationError.single(
            "remittances", "invalid_type", "expected a sequence of remittances"
        )
    builders: dict[str, _PostingBuilder] = {}
    for i, claim in enumerate(claims):
        if not isinstance(claim, Claim):
            raise ValidationError.single(f"claims[{i}]", "invalid_type", "expected a Claim")
        if claim.id in builders:
            raise ValidationError.single(f"claims[{i}].id", "duplicate", "claim ids must differ")
        builders[claim.id] = _PostingBuilder(claim.id, claim)
    for i, remittance in enumerate(remittances):
        if not isinstance(remittance, Remittance):
            raise ValidationError.single(
                f"remittances[{i}]", "invalid_type", "expected a Remittance"
            )
        unbalanced = _unbalanced_claims(remittance)
        payment_problem = any(
            p.rule == "remittance.balance.payment" for p in remittance.balance_problems
        )
        for j, payment in enumerate(remittance.claims):
            builder = builders.get(payment.claim_id)
            if builder is None:
                builder = builders[payment.claim_id] = _PostingBuilder(payment.claim_id, None)
            builder.add(remittance, payment, unbalanced=payment_problem or j in unbalanced)
    return tuple(builder.build() for builder in builders.values())
