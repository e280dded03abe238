"""
Fees, self-pay prices and packages, and the patient's estimated share.

A :class:`FeeSchedule` is the practice's price list: a fee per code (per unit
for timed codes), each valid over a range of dates. A line's charge is the fee
times the units, exact in :class:`~decimal.Decimal`.

For patients who pay themselves, a :class:`SessionPrice` is the price of one
session and a :class:`Package` a prepaid bundle of sessions; a
:class:`PackageBalance` tracks what is left of a package bought. For insured
patients, :func:`estimate` splits a claim into the insurer's and the patient's
shares (deductible, then coinsurance, then copay), so an app can show the
estimate beside the self-pay price.

Amounts that need rounding (a price per session, a coinsurance, a percentage)
are rounded in one place, to cents, with ``ROUND_HALF_UP``.

>>> from datetime import date
>>> from decimal import Decimal
>>> from soapbill import CptCode
>>> fees = FeeSchedule.of({"97124": Decimal("30.00")}, effective_from=date(2026, 1, 1))
>>> fees.charge(CptCode("97124"), 3, date(2026, 3, 3))
Decimal('90.00')
>>> three_pack = Package(sessions=3, minutes=60, price=Decimal("275.00"))
>>> three_pack.saving(SessionPrice(minutes=60, price=Decimal("100.00")))
Decimal('25.00')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import attrs

from soapbill._arguments import check_date, invalid_type
from soapbill._fields import redact, rules
from soapbill._model import model
from soapbill._text import dollars
from soapbill._validators import validate_money
from soapbill.claims import Claim
from soapbill.codes.cpt import CptCode
from soapbill.errors import SoapbillError, ValidationError

__all__ = [
    "Estimate",
    "Fee",
    "FeeNotFoundError",
    "FeeSchedule",
    "Package",
    "PackageBalance",
    "PackageError",
    "SessionPrice",
    "estimate",
]

_CENT: Final = Decimal("0.01")
_HUNDRED: Final = Decimal(100)
_ZERO: Final = Decimal("0.00")


def _round_cents(value: Decimal) -> Decimal:
    """
    Round an amount to cents, half up: the one place soapbill's billing rounds.
    """
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


# --- fee schedule ----------------------------------------------------------------------


class FeeNotFoundError(SoapbillError, LookupError):
    """
    A fee schedule has no fee for a code on a date.

    .. versionadded:: 0.1.0
    """


@model
class Fee:
    """
    The fee of one code over a range of dates.

    Attributes:
        code: The procedure code.
        amount: The fee per unit (per service for an untimed code).
        effective_from: The first date of service it applies to.
        effective_to: The last date of service it applies to; ``None`` while
            it is current.

    .. versionadded:: 0.1.0
    """

    code: CptCode
    amount: Decimal
    effective_from: date
    effective_to: date | None = None

    def _check_fields(self) -> None:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValidationError.single(
                "effective_to", "before_start", "must not be before effective_from"
            )

    def applies_on(self, day: date) -> bool:
        """
        Whether the fee applies to a date of service (both ends inclusive).

        Raises:
            ValidationError: *day* is not a date.
        """
        check_date(day, "day")
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@model
class FeeSchedule:
    """
    A practice's fees, by code and date.

    Two fees of one code must not overlap in time.

    Attributes:
        fees: The fees.

    .. versionadded:: 0.1.0
    """

    fees: tuple[Fee, ...] = ()

    def _check_fields(self) -> None:
        latest: dict[CptCode, Fee] = {}
        order = sorted(range(len(self.fees)), key=lambda i: self.fees[i].effective_from)
        for i in order:
            fee = self.fees[i]
            before = latest.get(fee.code)
            if before is not None and (
                before.effective_to is None or before.effective_to >= fee.effective_from
            ):
                raise ValidationError.single(
                    f"fees[{i}]", "overlap", "overlaps another fee of the same code"
                )
            latest[fee.code] = fee

    @classmethod
    def of(
        cls,
        amounts: Mapping[CptCode | str, Decimal],
        *,
        effective_from: date,
        effective_to: date | None = None,
    ) -> FeeSchedule:
        """
        Build a schedule of one fee per code, all over the same dates.

        Raises:
            ValidationError: An argument is invalid; the path names it, such
                as ``amounts[97124]``.

        .. versionadded:: 0.1.0
        """
        if not isinstance(amounts, Mapping):
            raise invalid_type("amounts", "a mapping of procedure codes to amounts")
        fees = []
        for key, amount in amounts.items():
            try:
                code = CptCode(key)
            except ValidationError as error:
                raise error.prefixed("amounts") from None
            fees.append(
                Fee(
                    code=code,
                    amount=validate_money(amount, f"amounts[{code}]"),
                    effective_from=effective_from,
                    effective_to=effective_to,
                )
            )
        return cls(fees=tuple(fees))

    def find(self, code: CptCode, on: date) -> Fee | None:
        """
        Return the fee of a code on a date of service, or ``None``.

        Raises:
            ValidationError: *code* is not a CptCode, or *on* not a date.
        """
        if code.__class__ is not CptCode:
            raise invalid_type("code", "a CptCode")
        check_date(on, "on")
        return next((f for f in self.fees if f.code == code and f.applies_on(on)), None)

    def fee(self, code: CptCode, on: date) -> Decimal:
        """
        Return the fee per unit of a code on a date of service.

        Raises:
            FeeNotFoundError: The schedule has no fee for the code on that date.
            ValidationError: *code* is not a CptCode, or *on* not a date.
        """
        found = self.find(code, on)
        if found is None:
            raise FeeNotFoundError("the fee schedule has no fee for the code on that date")
        return found.amount

    def charge(self, code: CptCode, units: int, on: date) -> Decimal:
        """
        Return the charge of a line: the fee times the units, exactly.

        Raises:
            FeeNotFoundError: The schedule has no fee for the code on that date.
            ValidationError: *units* is not a whole number ``>= 0``, *code* is
                not a CptCode, or *on* not a date.
        """
        if units.__class__ is not int:
            raise ValidationError.single("units", "invalid_type", "expected an integer")
        if units < 0:
            raise ValidationError.single("units", "too_small", "must be at least 0")
        return self.fee(code, on) * units


# --- self-pay --------------------------------------------------------------------------


class PackageError(SoapbillError):
    """
    A package session cannot be redeemed.

    Attributes:
        reason: ``"empty"`` (no session left), ``"expired"`` or
            ``"before_purchase"``.

    .. versionadded:: 0.1.0
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@model
class SessionPrice:
    """
    The self-pay price of one session.

    Attributes:
        minutes: The length of the session.
        price: Its price (more than zero).

    .. versionadded:: 0.1.0
    """

    minutes: int = attrs.field(metadata=rules(ge=1, le=24 * 60))
    price: Decimal

    def _check_fields(self) -> None:
        if not self.price:
            raise ValidationError.single("price", "too_small", "must be more than zero")


@model
class Package:
    """
    A prepaid bundle of sessions of one length.

    Attributes:
        sessions: How many sessions.
        minutes: The length of each.
        price: The price of the whole package.
        valid_days: For how many days it can be used, counting the day of
            purchase (30 days bought on 1 March run through 30 March);
            ``None`` means it does not expire.

    .. versionadded:: 0.1.0
    """

    sessions: int = attrs.field(metadata=rules(ge=1, le=1000))
    minutes: int = attrs.field(metadata=rules(ge=1, le=24 * 60))
    price: Decimal
    valid_days: int | None = attrs.field(default=None, metadata=rules(ge=1, le=3660))

    @property
    def price_per_session(self) -> Decimal:
        """
        The price of one session of the package, rounded to cents.
        """
        return _round_cents(self.price / self.sessions)

    def full_price(self, single: SessionPrice) -> Decimal:
        """
        What the package's sessions cost one by one.

        Raises:
            ValidationError: The single session is of another length.
        """
        if not isinstance(single, SessionPrice):
            raise ValidationError.single("single", "invalid_type", "expected a SessionPrice")
        if single.minutes != self.minutes:
            raise ValidationError.single(
                "single.minutes", "length_mismatch", "the sessions differ in length"
            )
        return single.price * self.sessions

    def saving(self, single: SessionPrice) -> Decimal:
        """
        How much the package saves against single sessions (negative if it costs more).

        Raises:
            ValidationError: The single session is of another length.
        """
        return self.full_price(single) - self.price

    def discount_percent(self, single: SessionPrice) -> Decimal:
        """
        The saving as a percentage of the single-session price, rounded to cents.

        Raises:
            ValidationError: The single session is of another length.
        """
        return _round_cents(self.saving(single) * _HUNDRED / self.full_price(single))

    def last_day(self, purchased_on: date) -> date | None:
        """
        The last day a package bought on *purchased_on* can be used, or ``None``.

        Raises:
            ValidationError: *purchased_on* is not a date.
        """
        check_date(purchased_on, "purchased_on")
        if self.valid_days is None:
            return None
        try:
            return purchased_on + timedelta(days=self.valid_days - 1)
        except OverflowError:
            return date.max


@model
class PackageBalance:
    """
    A package bought by a patient, and the sessions used.

    Attributes:
        package: The package.
        purchased_on: The date of purchase.
        used: The date of each session used, in the order redeemed.

    .. versionadded:: 0.1.0
    """

    package: Package
    # The day a patient paid: an individual's date (45 CFR 164.514(b)(2)(i)(C)).
    # The sessions used are visits, shown like other dates of service.
    purchased_on: date = attrs.field(repr=redact)
    used: tuple[date, ...] = ()

    def _check_fields(self) -> None:
        if len(self.used) > self.package.sessions:
            raise ValidationError.single(
                "used", "too_long", "more sessions used than the package holds"
            )
        last = self.expires_on
        for i, day in enumerate(self.used):
            if day < self.purchased_on:
                raise ValidationError.single(
                    f"used[{i}]", "before_purchase", "a session is used before the purchase"
                )
            if last is not None and day > last:
                raise ValidationError.single(
                    f"used[{i}]", "expired", "a session is used after the package expired"
                )

    @property
    def remaining(self) -> int:
        """
        The sessions left.
        """
        return self.package.sessions - len(self.used)

    @property
    def expires_on(self) -> date | None:
        """
        The last day a session can be used, or ``None`` if the package does not expire.
        """
        return self.package.last_day(self.purchased_on)

    def is_expired(self, on: date) -> bool:
        """
        Whether the package can no longer be used on *on*.

        Raises:
            ValidationError: *on* is not a date.
        """
        check_date(on, "on")
        last = self.expires_on
        return last is not None and on > last

    def redeem(self, on: date) -> PackageBalance:
        """
        Return the balance after using one session on *on*; this one is unchanged.

        Raises:
            PackageError: No session is left, the package has expired, or *on*
                is before the purchase.
            ValidationError: *on* is not a date.
        """
        check_date(on, "on")
        if on < self.purchased_on:
            raise PackageError("before_purchase", "a session cannot be used before the purchase")
        if self.is_expired(on):
            raise PackageError("expired", "the package has expired")
        if not self.remaining:
            raise PackageError("empty", "the package has no session left")
        return attrs.evolve(self, used=(*self.used, on))


# --- estimate --------------------------------------------------------------------------


@model
class Estimate:
    """
    The insurer's and the patient's estimated shares of a claim.

    ``patient_share + insurer_share == allowed`` always holds, and
    ``patient_share == deductible + coinsurance + copay``.

    Attributes:
        billed: The claim's total charge.
        allowed: The total the payer allows.
        deductible: What the patient pays toward the deductible.
        coinsurance: The patient's coinsurance.
        copay: The patient's copays.
        patient_share: What the patient pays.
        insurer_share: What the insurer pays.
        steps: How the shares were found, one sentence each.

    .. versionadded:: 0.1.0
    """

    billed: Decimal
    allowed: Decimal
    deductible: Decimal
    coinsurance: Decimal
    copay: Decimal
    patient_share: Decimal
    insurer_share: Decimal
    steps: tuple[str, ...] = ()

    def _check_fields(self) -> None:
        if self.patient_share + self.insurer_share != self.allowed:
            raise ValidationError.single(
                "insurer_share", "inconsistent", "the shares must add up to the allowed total"
            )
        if self.deductible + self.coinsurance + self.copay != self.patient_share:
            raise ValidationError.single(
                "patient_share", "inconsistent", "must be deductible + coinsurance + copay"
            )


def _fraction(value: object, path: str) -> Decimal:
    if value.__class__ is not Decimal:
        raise ValidationError.single(path, "invalid_type", "expected a Decimal fraction")
    fraction: Decimal = value
    if not fraction.is_finite() or not 0 <= fraction <= 1:
        raise ValidationError.single(path, "out_of_range", "a fraction is from 0 to 1")
    return fraction


def estimate(
    claim: Claim,
    *,
    allowed: FeeSchedule | None = None,
    deductible_remaining: Decimal,
    coinsurance: Decimal,
    copay: Decimal,
) -> Estimate:
    """
    Estimate what the insurer and the patient will pay for a claim.

    The allowed amount of a line is the payer's fee times its units, capped at
    the line's charge (a payer does not allow more than was billed), or the
    charge itself without *allowed*. On the allowed total, the patient first
    pays toward the deductible, then the *coinsurance* fraction of the rest,
    then *copay* once per date of service. The copays are capped at what is
    left after deductible and coinsurance, so the patient's share never
    exceeds the allowed total; the insurer pays the rest.

    Args:
        claim: The claim.
        allowed: The payer's allowed amounts per code; default the charges.
        deductible_remaining: What is left of the patient's deductible.
        coinsurance: The patient's fraction after the deductible, such as
            ``Decimal("0.20")``.
        copay: The copay per date of service.

    Raises:
        ValidationError: An amount or the fraction is invalid.
        FeeNotFoundError: *allowed* lacks a fee for a line's code and date.

    .. versionadded:: 0.1.0
    """
    if not isinstance(claim, Claim):
        raise ValidationError.single("claim", "invalid_type", "expected a Claim")
    if allowed is not None and not isinstance(allowed, FeeSchedule):
        raise ValidationError.single("allowed", "invalid_type", "expected a FeeSchedule")
    deductible_left = validate_money(deductible_remaining, "deductible_remaining")
    fraction = _fraction(coinsurance, "coinsurance")
    copay_each = validate_money(copay, "copay")

    billed = claim.total_charge
    if allowed is None:
        total = billed
        basis = "the billed charges"
    else:
        total = sum(
            (
                min(line.charge, allowed.charge(line.code, line.units, line.date_of_service))
                for line in claim.lines
            ),
            _ZERO,
        )
        basis = "the payer's fees, each line capped at its charge"
    deductible = min(deductible_left, total)
    rest = total - deductible
    # rest has two places and fraction <= 1, so the rounded coinsurance never exceeds rest.
    coinsured = _round_cents(rest * fraction)
    dates = len(claim.dates_of_service)
    copays = copay_each * dates
    copaid = min(copays, rest - coinsured)
    patient = deductible + coinsured + copaid
    percent = format((fraction * _HUNDRED).normalize(), "f")
    days = f"{dates} {'date' if dates == 1 else 'dates'} of service"
    capped = f", capped at the {dollars(copaid)} left" if copaid < copays else ""
    steps = (
        f"Billed {dollars(billed)}; allowed {dollars(total)} ({basis}).",
        f"Deductible: {dollars(deductible)} of the {dollars(deductible_left)} remaining.",
        f"Coinsurance: {percent}% of the remaining {dollars(rest)} is {dollars(coinsured)}.",
        f"Copay: {dollars(copay_each)} for each of {days} is {dollars(copays)}{capped}.",
        f"The patient pays {dollars(patient)}; the insurer pays {dollars(total - patient)}.",
    )
    return Estimate(
        billed=billed,
        allowed=total,
        deductible=deductible,
        coinsurance=coinsured,
        copay=copaid,
        patient_share=patient,
        insurer_share=total - patient,
        steps=steps,
    )
