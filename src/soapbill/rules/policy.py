"""
Payer policies: a payer's requirements as data.

A :class:`PayerPolicy` says what one payer (or one plan of a payer) requires
for a massage or physical-medicine claim: whether a prescription is needed and
who may write it, which codes and which rendering credentials are covered, how
minutes become units, which modifiers are required, how many visits a year,
how many units of a code a day, how long after the date of service a claim may
be filed, when prior authorisation is needed, the NCCI and MUE edits to apply,
codes never paid separately, and the Medicare KX threshold.

A policy stays data: the full CMS code tables are loaded by the caller
(:meth:`soapbill.billing.ncci.PtpEdits.load`) and attached with
:meth:`PayerPolicy.with_edits`; the policy's JSON may name the NCCI quarter
it expects (``ncci_quarter``).

Policies are values, loadable from JSON, so an app configures its payers
without code. Every field is optional except ``id`` and ``version``: a field
left at its default switches its rule off. The field names are public API;
docs/guide/policies.md documents each.

>>> policy = PayerPolicy.from_json(
...     '{"format_version": 1, "id": "acme-ppo", "version": "2026.1",'
...     ' "rx_required": true, "timely_filing_days": 90}'
... )
>>> policy.rx_required, policy.covered_codes
(True, None)
>>> policy == PayerPolicy(id="acme-ppo", version="2026.1", rx_required=True, timely_filing_days=90)
True

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, Final

import attrs

from soapbill._arguments import check_instance, invalid_type
from soapbill._fields import rules
from soapbill._model import model
from soapbill.billing.ncci import MueLimit, MueLimits, PtpEdit, PtpEdits
from soapbill.billing.units import UnitMethod
from soapbill.codes.cpt import CptCode
from soapbill.codes.modifiers import Modifier
from soapbill.errors import ErrorDetail, ValidationError
from soapbill.parties import Credential, PlanType

__all__ = [
    "POLICY_ID_PATTERN",
    "KxThreshold",
    "ModifierRequirement",
    "PayerPolicy",
    "PriorAuthorization",
    "UnitLimit",
]

#: The shape of a policy id, lower-case letters, digits, dots, hyphens and underscores.
POLICY_ID_PATTERN: Final = r"[a-z0-9][a-z0-9._-]*"

_CODES = rules(min_len=1, unique=True)


@model
class ModifierRequirement:
    """
    Lines of some codes must carry one of some modifiers.

    Attributes:
        any_of: The modifiers, one of which is required (``GP``; or ``GP``,
            ``GO``, ``GN`` for "a therapy plan-of-care modifier").
        codes: The codes it applies to; ``None`` means every code.

    .. versionadded:: 0.1.0
    """

    any_of: tuple[Modifier, ...] = attrs.field(metadata=rules(min_len=1, max_len=10, unique=True))
    codes: tuple[CptCode, ...] | None = attrs.field(default=None, metadata=_CODES)


@model
class UnitLimit:
    """
    At most ``units`` units of ``code`` per date of service.

    .. versionadded:: 0.1.0
    """

    code: CptCode
    units: int = attrs.field(metadata=rules(ge=1, le=9999))


@model
class PriorAuthorization:
    """
    When the claim needs a prior-authorisation number.

    A line needs one when its code is among ``codes`` and its date of service
    is a visit after the first ``after_visits`` visits billed to the payer
    (counted over the claim and the history given: pass the history of the
    episode of care the authorisation is about).

    Attributes:
        codes: The codes that need authorisation; ``None`` means every code.
        after_visits: How many visits need none; ``0`` means every visit.

    .. versionadded:: 0.1.0
    """

    codes: tuple[CptCode, ...] | None = attrs.field(default=None, metadata=_CODES)
    after_visits: int = attrs.field(default=0, metadata=rules(ge=0, le=1000))


@model
class KxThreshold:
    """
    The Medicare therapy threshold of one calendar year.

    Once a patient's therapy expenses of the year pass ``amount``, every
    therapy line needs the KX modifier; PT and speech-language pathology share
    one threshold, OT has its own of the same amount (Pub 100-04 Ch. 5 §10.3;
    Noridian, "Per-Beneficiary KX Modifier Thresholds").

    .. versionadded:: 0.1.0
    """

    year: int = attrs.field(metadata=rules(ge=1900, le=9999))
    amount: Decimal


@attrs.frozen
class _Lookups:
    """
    What the public lookups of a policy read, derived once from its fields.
    """

    covered_codes: frozenset[CptCode] | None
    covered_credentials: frozenset[Credential] | None
    prescriber_credentials: frozenset[Credential] | None
    plan_types: frozenset[PlanType] | None
    bundled_codes: frozenset[CptCode]
    units_per_day: Mapping[CptCode, int]
    modifier_requirements: tuple[tuple[frozenset[CptCode] | None, ModifierRequirement], ...]
    ptp_edits: PtpEdits | None
    mue_limits: MueLimits | None
    kx_thresholds: Mapping[int, Decimal]


@attrs.frozen(eq=False)
class _Tables:
    """
    The code tables a caller attached to a policy (:meth:`PayerPolicy.with_edits`).
    """

    ptp: PtpEdits | None = None
    mue: MueLimits | None = None


_NO_TABLES: Final = _Tables()


def _rebuild(cls: type[PayerPolicy], fields: dict[str, Any], tables: _Tables) -> PayerPolicy:
    """
    A policy from its pickle: its fields, checked again, and its tables.
    """
    policy = cls(**fields)
    if tables.ptp is not None or tables.mue is not None:
        object.__setattr__(policy, "_attached", tables)
    return policy


def _frozen(values: tuple[Any, ...] | None) -> frozenset[Any] | None:
    return None if values is None else frozenset(values)


def _member(credential: object, allowed: frozenset[Credential] | None) -> bool:
    if credential is not None and not isinstance(credential, Credential):
        raise invalid_type("credential", "a Credential or None")
    return allowed is None or credential in allowed


def _add_months(day: date, months: int) -> date:
    # The same day of the month *months* later, or the last day of a shorter
    # month (29 February + 12 months = 28 February).
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@model
class PayerPolicy:
    """
    A payer's requirements for a claim, as data.

    Every field but ``id`` and ``version`` has a default that switches its rule
    off; ``None`` in a list field means "any".

    Attributes:
        id: A stable id of the policy (``"commercial-rx"``).
        version: Its version, reported in every decision (``"2026.1"``).
        name: A human-readable name.
        payer_id: The payer id it applies to; ``None`` means any payer.
        plan_types: The plan types it applies to; ``None`` means any.
        rx_required: Whether every line needs a prescription valid on its date.
        prescriber_credentials: Who may prescribe; ``None`` means anyone.
        rx_default_valid_days: How long a prescription stating no validity is
            valid, counting the day it was written; ``None``: it never expires.
        covered_codes: The codes the payer covers; ``None`` means every code.
        covered_credentials: The credentials of rendering providers the payer
            covers (is a massage therapist covered?); ``None`` means any.
        unit_method: How minutes become units (CMS 8-minute rule or per code).
        modifier_requirements: Modifiers that lines of some codes must carry.
        assistant_modifiers: Whether a service furnished in whole or in part
            by a therapy assistant must carry the assistant's modifier (CQ
            for a physical therapist assistant: Medicare, Pub 100-04 Ch. 5
            §20.1).
        signed_note_required: Whether every date of service needs a signed
            SOAP note, attached to the claim.
        visits_per_year: The most visits paid per calendar year.
        units_per_day: The most units of a code paid per date of service.
        timely_filing_days: A claim must be filed within this many days after
            the date of service.
        timely_filing_months: Or within this many months after it (Medicare:
            12); give one of the two at most.
        prior_authorization: When a prior-authorisation number is needed.
        ptp_edits: The NCCI procedure-to-procedure edits to apply (load the
            CMS tables with :meth:`soapbill.billing.ncci.PtpEdits.load`).
        mue_limits: The MUE values to apply; ``None`` applies none, and a
            code without a value is reported as not checked.
        ncci_quarter: The NCCI quarter (``2026Q3``) of the code tables the
            policy expects: :meth:`with_edits` takes only tables of it;
            ``None`` takes tables of any quarter.
        bundled_codes: Codes never paid separately (Medicare status B: 97010).
        kx_thresholds: The Medicare KX thresholds by calendar year.
        care_plan_required: Whether every date of service needs a plan of
            care (:class:`~soapbill.care.CarePlan`) covering it, within its
            planned visits (Medicare Part B therapy: Pub 100-02 Ch. 15
            §220.1).
        care_plan_certification_days: The prescriber certifies the plan
            within this many days of its first day (Medicare: 30, Pub 100-02
            Ch. 15 §220.1.3); ``None`` checks no certification.
        progress_report_every: A progress report is due at least once every
            this many treatment days (Medicare: 10, Pub 100-02 Ch. 15
            §220.3); ``None`` checks none.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``care_plan_required``,
       ``care_plan_certification_days`` and ``progress_report_every``.
    """

    #: A top-level JSON document, which carries ``"format_version"``.
    __soapbill_document__: ClassVar[bool] = True

    id: str = attrs.field(metadata=rules(max_len=64, pattern=POLICY_ID_PATTERN))
    version: str = attrs.field(metadata=rules(max_len=32))
    name: str | None = attrs.field(default=None, metadata=rules(max_len=200))
    payer_id: str | None = attrs.field(default=None, metadata=rules(max_len=80))
    plan_types: tuple[PlanType, ...] | None = attrs.field(default=None, metadata=_CODES)
    rx_required: bool = False
    prescriber_credentials: tuple[Credential, ...] | None = attrs.field(
        default=None, metadata=_CODES
    )
    rx_default_valid_days: int | None = attrs.field(default=None, metadata=rules(ge=1, le=3660))
    covered_codes: tuple[CptCode, ...] | None = attrs.field(default=None, metadata=_CODES)
    covered_credentials: tuple[Credential, ...] | None = attrs.field(default=None, metadata=_CODES)
    unit_method: UnitMethod = UnitMethod.CMS
    modifier_requirements: tuple[ModifierRequirement, ...] = attrs.field(
        default=(), metadata=rules(max_len=100)
    )
    assistant_modifiers: bool = False
    signed_note_required: bool = False
    visits_per_year: int | None = attrs.field(default=None, metadata=rules(ge=1, le=366))
    units_per_day: tuple[UnitLimit, ...] = attrs.field(default=(), metadata=rules(max_len=1000))
    timely_filing_days: int | None = attrs.field(default=None, metadata=rules(ge=1, le=3660))
    timely_filing_months: int | None = attrs.field(default=None, metadata=rules(ge=1, le=120))
    prior_authorization: PriorAuthorization | None = None
    ptp_edits: tuple[PtpEdit, ...] = ()
    mue_limits: tuple[MueLimit, ...] | None = None
    ncci_quarter: str | None = attrs.field(
        default=None, metadata=rules(max_len=6, pattern=r"[0-9]{4}Q[1-4]")
    )
    bundled_codes: tuple[CptCode, ...] = attrs.field(default=(), metadata=rules(unique=True))
    kx_thresholds: tuple[KxThreshold, ...] = ()
    care_plan_required: bool = False
    care_plan_certification_days: int | None = attrs.field(
        default=None, metadata=rules(ge=1, le=366)
    )
    progress_report_every: int | None = attrs.field(default=None, metadata=rules(ge=1, le=100))

    def _check_fields(self) -> None:
        if self.timely_filing_days is not None and self.timely_filing_months is not None:
            raise ValidationError.single(
                "timely_filing_months",
                "not_allowed",
                "give timely_filing_days or timely_filing_months, not both",
            )
        seen: set[CptCode] = set()
        for i, limit in enumerate(self.units_per_day):
            if limit.code in seen:
                raise ValidationError.single(
                    f"units_per_day[{i}].code", "duplicate", "a code has one limit"
                )
            seen.add(limit.code)
        years: set[int] = set()
        for i, kx in enumerate(self.kx_thresholds):
            if kx.year in years:
                raise ValidationError.single(
                    f"kx_thresholds[{i}].year", "duplicate", "a year has one threshold"
                )
            years.add(kx.year)
        if self.mue_limits is not None:
            codes: set[CptCode] = set()
            for i, mue in enumerate(self.mue_limits):
                if mue.code in codes:
                    raise ValidationError.single(
                        f"mue_limits[{i}].code", "duplicate", "a code has one MUE value"
                    )
                codes.add(mue.code)

    @functools.cached_property
    def _attached(self) -> _Tables:
        # Set by with_edits on the policy it returns; none otherwise.
        return _NO_TABLES

    @functools.cached_property
    def _lookups(self) -> _Lookups:
        return _Lookups(
            covered_codes=_frozen(self.covered_codes),
            covered_credentials=_frozen(self.covered_credentials),
            prescriber_credentials=_frozen(self.prescriber_credentials),
            plan_types=_frozen(self.plan_types),
            bundled_codes=frozenset(self.bundled_codes),
            units_per_day=MappingProxyType(
                {limit.code: limit.units for limit in self.units_per_day}
            ),
            modifier_requirements=tuple(
                (_frozen(req.codes), req) for req in self.modifier_requirements
            ),
            ptp_edits=self._ptp_lookup(),
            mue_limits=self._mue_lookup(),
            kx_thresholds=MappingProxyType({kx.year: kx.amount for kx in self.kx_thresholds}),
        )

    def _ptp_lookup(self) -> PtpEdits | None:
        own = PtpEdits(self.ptp_edits) if self.ptp_edits else None
        table = self._attached.ptp
        if table is None:
            return own
        both = table if own is None else table.union(own)
        return both if len(both) else None

    def _mue_lookup(self) -> MueLimits | None:
        table = self._attached.mue
        if table is None:
            return None if self.mue_limits is None else MueLimits(self.mue_limits)
        return table.overlaid(self.mue_limits or ())

    def with_edits(self, ptp: PtpEdits | None = None, mue: MueLimits | None = None) -> PayerPolicy:
        """
        This policy with NCCI code tables attached, loaded by the caller.

        The PTP pairs of *ptp* apply as well as the policy's own ``ptp_edits``;
        the MUE values of *mue* apply where the policy's own ``mue_limits``
        name no value for the code. A table left ``None`` keeps the one
        attached before, if any.

        The tables are not part of the policy's value: equality, hash and JSON
        ignore them, and ``attrs.evolve`` returns a policy without them; a
        pickle of the policy carries them (as a few byte strings each).

        >>> from soapbill.billing.ncci import PtpEdits
        >>> policy = PayerPolicy(id="p", version="1").with_edits(PtpEdits.sample())
        >>> len(policy.ptp_table), policy == PayerPolicy(id="p", version="1")
        (10, True)

        Args:
            ptp: A table of PTP edits (:meth:`soapbill.billing.ncci.PtpEdits.load`).
            mue: A table of MUE values (:meth:`soapbill.billing.ncci.MueLimits.load`).

        Raises:
            ValidationError: A table is of the wrong type, or, when the policy
                names its ``ncci_quarter``, of another quarter (or of none):
                ``ptp.quarter``, ``mue.quarter``.

        .. versionadded:: 0.1.0
        """
        problems: list[ErrorDetail] = []
        for name, table, cls in (("ptp", ptp, PtpEdits), ("mue", mue, MueLimits)):
            if table is None:
                continue
            if not isinstance(table, cls):
                message = f"expected a {cls.__name__} or None"
                problems.append(ErrorDetail(path=name, code="invalid_type", message=message))
            elif self.ncci_quarter is not None and table.quarter != self.ncci_quarter:
                problems.append(
                    ErrorDetail(
                        path=f"{name}.quarter",
                        code="wrong_quarter",
                        message="the table is not of the NCCI quarter the policy names",
                    )
                )
        if problems:
            raise ValidationError(problems)
        before = self._attached
        tables = _Tables(
            ptp=before.ptp if ptp is None else ptp, mue=before.mue if mue is None else mue
        )
        policy = attrs.evolve(self)
        object.__setattr__(policy, "_attached", tables)
        return policy

    def __reduce__(self) -> tuple[Any, ...]:
        # attrs pickles the fields only; the attached tables go along.
        fields = {a.name: getattr(self, a.name) for a in attrs.fields(type(self))}
        return (_rebuild, (type(self), fields, self._attached))

    # --- lookups: what a rule asks of a policy; each is built once, on first use ----

    def covers_plan_type(self, plan_type: PlanType) -> bool:
        """
        Whether the policy applies to *plan_type* (any, when ``plan_types`` is ``None``).

        Raises:
            ValidationError: *plan_type* is not a :class:`~soapbill.parties.PlanType`.

        .. versionadded:: 0.1.0
        """
        check_instance(plan_type, PlanType, "plan_type")
        wanted = self._lookups.plan_types
        return wanted is None or plan_type in wanted

    def accepts_prescriber(self, credential: Credential | None) -> bool:
        """
        Whether a prescriber with *credential* (``None``: none) may prescribe.

        Raises:
            ValidationError: *credential* is neither a
                :class:`~soapbill.parties.Credential` nor ``None``.

        .. versionadded:: 0.1.0
        """
        return _member(credential, self._lookups.prescriber_credentials)

    def covers_credential(self, credential: Credential | None) -> bool:
        """
        Whether a rendering provider with *credential* (``None``: none) is covered.

        Raises:
            ValidationError: *credential* is neither a
                :class:`~soapbill.parties.Credential` nor ``None``.

        .. versionadded:: 0.1.0
        """
        return _member(credential, self._lookups.covered_credentials)

    def covers_code(self, code: CptCode) -> bool:
        """
        Whether the payer covers *code* (every code, when ``covered_codes`` is ``None``).

        Raises:
            ValidationError: *code* is not a :class:`~soapbill.codes.cpt.CptCode`.

        .. versionadded:: 0.1.0
        """
        check_instance(code, CptCode, "code")
        covered = self._lookups.covered_codes
        return covered is None or code in covered

    def is_bundled(self, code: CptCode) -> bool:
        """
        Whether *code* is never paid separately (it is among ``bundled_codes``).

        Raises:
            ValidationError: *code* is not a :class:`~soapbill.codes.cpt.CptCode`.

        .. versionadded:: 0.1.0
        """
        check_instance(code, CptCode, "code")
        return code in self._lookups.bundled_codes

    def unit_limit(self, code: CptCode) -> int | None:
        """
        The most units of *code* paid per date of service, or ``None`` for no limit.

        Raises:
            ValidationError: *code* is not a :class:`~soapbill.codes.cpt.CptCode`.

        .. versionadded:: 0.1.0
        """
        check_instance(code, CptCode, "code")
        return self._lookups.units_per_day.get(code)

    def modifier_requirements_of(self, code: CptCode) -> tuple[ModifierRequirement, ...]:
        """
        The modifier requirements that apply to lines of *code*, in the policy's order.

        Raises:
            ValidationError: *code* is not a :class:`~soapbill.codes.cpt.CptCode`.

        .. versionadded:: 0.1.0
        """
        check_instance(code, CptCode, "code")
        return tuple(
            requirement
            for codes, requirement in self._lookups.modifier_requirements
            if codes is None or code in codes
        )

    @property
    def ptp_table(self) -> PtpEdits | None:
        """
        The PTP edits to apply, or ``None`` when there are none.

        The ``ptp_edits`` as a table indexed by pair, with the rows of the
        table attached by :meth:`with_edits`.

        .. versionadded:: 0.1.0
        """
        return self._lookups.ptp_edits

    @property
    def mue_table(self) -> MueLimits | None:
        """
        The MUE values to apply, or ``None`` when MUEs do not apply.

        The ``mue_limits`` as a table indexed by code, over the table attached
        by :meth:`with_edits`.

        .. versionadded:: 0.1.0
        """
        return self._lookups.mue_limits

    @property
    def kx_threshold_by_year(self) -> Mapping[int, Decimal]:
        """
        The ``kx_thresholds`` as a read-only mapping of years to amounts.

        Pass it to :func:`soapbill.billing.medicare.needs_kx` as ``thresholds``.

        .. versionadded:: 0.1.0
        """
        return self._lookups.kx_thresholds

    def filing_deadline(self, date_of_service: date) -> date | None:
        """
        The last day a claim for *date_of_service* is filed in time, if limited.

        With ``timely_filing_days`` = *N* the last day is *N* days after the
        date of service. With ``timely_filing_months`` = *N* it is the same day
        of the month *N* months later, or the last day of that month when it is
        shorter: Medicare's "12 months, or 1 calendar year, after the date of
        service" (42 CFR 424.44) makes a service of 29 February 2024 due by
        28 February 2025.

        >>> PayerPolicy(id="p", version="1", timely_filing_months=12).filing_deadline(
        ...     date(2024, 2, 29)
        ... )
        datetime.date(2025, 2, 28)
        >>> PayerPolicy(id="p", version="1", timely_filing_days=90).filing_deadline(
        ...     date(2026, 1, 15)
        ... )
        datetime.date(2026, 4, 15)
        """
        if self.timely_filing_days is not None:
            try:
                return date_of_service + timedelta(days=self.timely_filing_days)
            except OverflowError:
                return date.max
        if self.timely_filing_months is not None:
            return _add_months(date_of_service, self.timely_filing_months)
        return None

    def to_json(self) -> str:
        """
        Encode this policy as a JSON document.

        A thin alias of ``soapbill.formats.json.to_json(policy)``, kept because
        policies are configuration files; the JSON format is the formats'
        business, which is imported on the first call, not when this module
        loads.
        """
        from soapbill.formats.json import to_json  # noqa: PLC0415 - models load no formats

        return to_json(self)

    @classmethod
    def from_json(cls, text: str | bytes) -> PayerPolicy:
        """
        Decode a policy from a JSON document.

        A thin alias of ``soapbill.formats.json.from_json(text, PayerPolicy)``,
        kept for the same reason as :meth:`to_json`.

        Raises:
            ValidationError: The document is not a valid policy; every problem
                is listed with its path.
        """
        from soapbill.formats.json import from_json  # noqa: PLC0415 - models load no formats

        return from_json(text, cls)
