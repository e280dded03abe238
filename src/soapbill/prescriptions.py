"""
Prescriptions (orders, referrals) for massage or physical medicine.

Many payers pay for massage only with a prescription from a physician or
another qualified provider showing medical need (Regence, auto insurers' personal
injury protection, Washington L&I under WAC 296-23-250). A prescription names
the diagnoses, optionally the procedures ordered (none means "massage therapy
as needed": every code), how many visits, and how long it is valid.

Validity is inclusive at both ends. With ``valid_until`` the last valid day is
that date. With ``valid_days`` = *N* the prescription is valid for *N* calendar
days counting the day it was written: a prescription written on 1 March with
``valid_days=30`` is valid through 30 March. With neither, the payer's default
decides (``PayerPolicy``), and without one it does not expire.

>>> from datetime import date
>>> rx_dates = Prescription.last_valid_day(date(2026, 3, 1), None, 30)
>>> rx_dates
datetime.date(2026, 3, 30)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

import attrs

from soapbill._arguments import check_date, check_int
from soapbill._fields import redact, rules
from soapbill._model import model
from soapbill.codes.cpt import CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.errors import ValidationError
from soapbill.parties import Provider
from soapbill.soap import BodyRegion, Frequency

__all__ = ["Prescription"]


@model
class Prescription:
    """
    A prescription for treatment.

    Its dates and notes are redacted in ``repr``.

    Attributes:
        id: The practice's identifier of the prescription.
        patient_id: The patient it is for.
        prescriber: Who wrote it.
        written_on: The date it was written; it is valid from this day.
        valid_until: The last day it is valid, if it says so.
        valid_days: Or: for how many days (counting ``written_on``) it is valid.
        diagnoses: ICD-10-CM codes (1-12); the first is the principal one.
        procedures: The codes ordered; empty means any.
        visits_authorized: How many visits it allows; ``None`` means unlimited.
        frequency: Visits per week for a number of weeks.
        regions: Body regions to treat.
        notes: Free text.

    .. versionadded:: 0.1.0
    """

    #: A top-level JSON document: it carries ``"format_version"``.
    __soapbill_document__: ClassVar[bool] = True

    id: str = attrs.field(metadata=rules(max_len=50))
    patient_id: str = attrs.field(metadata=rules(max_len=50))
    prescriber: Provider
    # The dates of a referral are an individual's dates (45 CFR
    # 164.514(b)(2)(i)(C)): redacted in repr, like the notes.
    written_on: date = attrs.field(repr=redact)
    valid_until: date | None = attrs.field(default=None, repr=redact)
    valid_days: int | None = attrs.field(default=None, metadata=rules(ge=1, le=3660))
    diagnoses: tuple[DiagnosisCode, ...] = attrs.field(
        metadata=rules(min_len=1, max_len=12, unique=True)
    )
    procedures: tuple[CptCode, ...] = attrs.field(default=(), metadata=rules(unique=True))
    visits_authorized: int | None = attrs.field(default=None, metadata=rules(ge=1, le=1000))
    frequency: Frequency | None = None
    regions: tuple[BodyRegion, ...] = attrs.field(default=(), metadata=rules(unique=True))
    notes: str | None = attrs.field(default=None, repr=redact, metadata=rules(max_len=10_000))

    def _check_fields(self) -> None:
        if self.valid_until is not None and self.valid_days is not None:
            raise ValidationError.single(
                "valid_days", "not_allowed", "give valid_until or valid_days, not both"
            )
        if self.valid_until is not None and self.valid_until < self.written_on:
            raise ValidationError.single(
                "valid_until", "before_start", "must not be before written_on"
            )

    @staticmethod
    def last_valid_day(
        written_on: date, valid_until: date | None, valid_days: int | None
    ) -> date | None:
        """
        Compute the last valid day from the three dates that define it.

        A validity that would run past the last date Python can represent
        ends on :attr:`datetime.date.max`.

        Raises:
            ValidationError: An argument has the wrong type; the path names it.
        """
        check_date(written_on, "written_on")
        if valid_until is not None:
            check_date(valid_until, "valid_until")
        if valid_days is not None and check_int(valid_days, "valid_days") < 1:
            raise ValidationError.single("valid_days", "too_small", "must be at least 1")
        if valid_until is not None:
            return valid_until
        if valid_days is not None:
            try:
                return written_on + timedelta(days=valid_days - 1)
            except OverflowError:
                return date.max
        return None

    def expires_on(self, default_days: int | None = None) -> date | None:
        """
        The last day this prescription is valid, or ``None`` if it never expires.

        Args:
            default_days: The payer's default validity, used when the
                prescription states neither ``valid_until`` nor ``valid_days``.

        Raises:
            ValidationError: *default_days* is not a whole number of days >= 1.
        """
        if default_days is not None and (default_days.__class__ is not int or default_days < 1):
            raise ValidationError.single(
                "default_days", "too_small", "a validity is a whole number of days, at least 1"
            )
        days = self.valid_days
        if self.valid_until is None and days is None:
            days = default_days
        return self.last_valid_day(self.written_on, self.valid_until, days)

    def is_valid_on(self, day: date, default_days: int | None = None) -> bool:
        """
        Whether the prescription is valid on *day* (both ends inclusive).

        Raises:
            ValidationError: *day* is not a date, or *default_days* is not a
                whole number of days >= 1.
        """
        check_date(day, "day")
        if day < self.written_on:
            return False
        last = self.expires_on(default_days)
        return last is None or day <= last

    def covers(self, code: CptCode) -> bool:
        """
        Whether *code* is ordered (an empty ``procedures`` orders every code).

        Raises:
            ValidationError: *code* is not a CptCode.
        """
        if code.__class__ is not CptCode:
            raise ValidationError.single("code", "invalid_type", "expected a CptCode")
        return not self.procedures or code in self.procedures
