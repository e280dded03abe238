"""
Medicare specifics: therapy disciplines, plan modifiers, KX thresholds, fee-schedule status.

Medicare Part B outpatient therapy has rules of its own, kept here as data:

* each therapy :class:`Discipline` (PT, OT, speech-language pathology) has its
  plan-of-care modifier, GP, GO or GN, which every line of an "always therapy"
  code carries (Medicare Claims Processing Manual, Pub 100-04, Ch. 5, §20.1);
  :func:`lines_missing_plan_modifier` finds the lines without it;
* once a patient's therapy expenses of a calendar year exceed the year's
  threshold, every therapy line carries the KX modifier (Pub 100-04 Ch. 5
  §10.3; Noridian, "Per-Beneficiary KX Modifier Thresholds"): the thresholds
  by year are :data:`KX_THRESHOLDS`, and :func:`needs_kx` answers for one
  amount; PT and speech-language pathology share one threshold, OT has its
  own (:attr:`Discipline.kx_pool`);
* codes of fee-schedule status B (97010) are never paid separately and codes
  of status I (97014) are not valid for Medicare (Pub 100-04 Ch. 23 §30.2.2):
  :func:`lines_with_medicare_status` finds them;
* a service furnished in whole or in part by a therapy assistant carries the
  assistant's modifier, CQ for a physical therapist assistant (CO for an
  occupational therapy assistant), on claims with dates of service from
  1 January 2020 (Pub 100-04 Ch. 5 §20.1; CMS, "Billing Examples Using CQ/CO
  Modifiers"): :func:`assistant_modifier` says which. Medicare does not
  enrol assistants: their services are billed under the supervising
  therapist (Pub 100-02 Ch. 15 §230.4).

>>> from decimal import Decimal
>>> needs_kx(Decimal("2500.00"), 2025, Discipline.PT)
True
>>> Discipline.SLP.plan_modifier, Discipline.SLP.kx_pool == Discipline.PT.kx_pool
(Modifier('GN'), True)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from soapbill._arguments import check_instance, invalid_type, tuple_of
from soapbill._enums import Choice
from soapbill._validators import validate_money
from soapbill.claims import ServiceLine
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, MedicareStatus
from soapbill.codes.modifiers import Modifier
from soapbill.errors import SoapbillError, ValidationError
from soapbill.parties import Credential

__all__ = [
    "ASSISTANTS_FROM",
    "ASSISTANT_MODIFIERS",
    "KX_THRESHOLDS",
    "Discipline",
    "UnknownThresholdError",
    "assistant_modifier",
    "lines_missing_plan_modifier",
    "lines_with_medicare_status",
    "needs_kx",
]


class Discipline(Choice):
    """
    A therapy discipline, each with its own plan of care.

    .. versionadded:: 0.1.0
    """

    PT = "pt"
    OT = "ot"
    SLP = "slp"

    @property
    def plan_modifier(self) -> Modifier:
        """
        The plan-of-care modifier, GP, GO or GN (Pub 100-04 Ch. 5 §20.1).
        """
        return _PLAN_MODIFIERS[self]

    @property
    def kx_pool(self) -> frozenset[Discipline]:
        """
        The disciplines whose expenses count toward one KX threshold.

        PT and speech-language pathology share one; OT has its own (Noridian,
        "Per-Beneficiary KX Modifier Thresholds"; NGS). The same set is
        returned for every discipline of a pool, so it can key a running total.
        """
        return _OT_POOL if self is Discipline.OT else _PT_POOL

    @classmethod
    def of_line(cls, line: ServiceLine) -> Discipline:
        """
        The discipline whose plan of care a service line is billed under.

        A line with GO is OT and one with GN is SLP (the first of them, if it
        has both); any other line, with GP or with no plan-of-care modifier,
        counts as PT: the therapy of a massage or physical therapy practice.

        Raises:
            ValidationError: *line* is not a :class:`~soapbill.claims.ServiceLine`.

        .. versionadded:: 0.1.0
        """
        if not isinstance(line, ServiceLine):
            raise invalid_type("line", "a ServiceLine")
        for modifier in line.modifiers:
            discipline = _NOT_PT.get(modifier.value)
            if discipline is not None:
                return discipline
        return Discipline.PT


_PLAN_MODIFIERS: Final = MappingProxyType(
    {
        Discipline.PT: Modifier("GP"),
        Discipline.OT: Modifier("GO"),
        Discipline.SLP: Modifier("GN"),
    }
)
# Keyed by the modifier's text, which hashes faster than the value class.
_NOT_PT: Final = MappingProxyType(
    {_PLAN_MODIFIERS[d].value: d for d in (Discipline.OT, Discipline.SLP)}
)
_PT_POOL: Final = frozenset({Discipline.PT, Discipline.SLP})
_OT_POOL: Final = frozenset({Discipline.OT})

#: The Medicare Part B KX modifier thresholds by calendar year, in dollars.
#: One amount per year applies to PT and speech-language pathology combined,
#: and the same amount to OT separately: 2021 from therapycomply ("KX Modifier
#: Targeted Review"), 2022 and 2023 from Noridian and therapycomply, 2024 from
#: Noridian and NGS, 2025 from Proactive Chart ("KX modifier therapy 2025"),
#: 2026 from a single source, postacutetools ("The KX threshold and
#: modifier"). Pass your own to :func:`needs_kx` for other years, and put a
#: payer's in its policy (:class:`soapbill.rules.policy.KxThreshold`).
KX_THRESHOLDS: Final[Mapping[int, Decimal]] = MappingProxyType(
    {
        2021: Decimal("2110.00"),
        2022: Decimal("2150.00"),
        2023: Decimal("2230.00"),
        2024: Decimal("2330.00"),
        2025: Decimal("2410.00"),
        2026: Decimal("2480.00"),
    }
)


#: The modifier that marks a service furnished in whole or in part by a
#: therapy assistant, by the assistant's credential, with the discipline whose
#: plan of care the service is under: CQ, "outpatient physical therapy services
#: furnished in whole or in part by a physical therapist assistant" (Pub 100-04
#: Ch. 5 §20.1; CMS, "Billing Examples Using CQ/CO Modifiers for Services
#: Furnished In Whole or In Part by PTAs and OTAs"), and CO the same for an
#: occupational therapy assistant's services under an occupational therapy plan.
ASSISTANT_MODIFIERS: Final[Mapping[Credential, tuple[Discipline, Modifier]]] = MappingProxyType(
    {
        Credential.PTA: (Discipline.PT, Modifier("CQ")),
        Credential.OTA: (Discipline.OT, Modifier("CO")),
    }
)
#: The first date of service whose claims must carry CQ or CO, as the
#: Bipartisan Budget Act of 2018, §53107 (Social Security Act §1834(v)(2)) sets
#: it and CMS's billing examples state it.
ASSISTANTS_FROM: Final = date(2020, 1, 1)


def assistant_modifier(credential: Credential | None) -> tuple[Discipline, Modifier] | None:
    """
    The discipline and modifier of services furnished by an assistant with *credential*.

    ``None`` for a credential that is no assistant's (a therapist, a
    physician, a massage therapist) and for ``None``.

    >>> assistant_modifier(Credential.PTA)
    (<Discipline.PT: 'pt'>, Modifier('CQ'))
    >>> assistant_modifier(Credential.OTA)
    (<Discipline.OT: 'ot'>, Modifier('CO'))
    >>> assistant_modifier(Credential.PT) is None
    True

    Raises:
        ValidationError: *credential* is neither a
            :class:`~soapbill.parties.Credential` nor ``None``.

    .. versionadded:: 0.1.0
    """
    if credential is not None and not isinstance(credential, Credential):
        raise invalid_type("credential", "a Credential or None")
    return None if credential is None else ASSISTANT_MODIFIERS.get(credential)


class UnknownThresholdError(SoapbillError, LookupError):
    """
    No KX threshold is known for the year asked.

    .. versionadded:: 0.1.0
    """


def needs_kx(
    year_to_date_amount: Decimal,
    year: int,
    discipline: Discipline,
    *,
    thresholds: Mapping[int, Decimal] = KX_THRESHOLDS,
) -> bool:
    """
    Whether therapy lines need the KX modifier.

    Medicare wants KX on every therapy line once the patient's incurred
    therapy expenses of the calendar year *exceed* the threshold (Noridian,
    "Per-Beneficiary KX Modifier Thresholds"): an amount equal to the
    threshold does not need it; one cent more does. Pass the expenses
    including the service being billed, of the discipline's pool
    (:attr:`Discipline.kx_pool`: PT and SLP together, or OT).

    Args:
        year_to_date_amount: The year's incurred expenses of the pool.
        year: The calendar year of the date of service.
        discipline: The discipline of the lines.
        thresholds: The thresholds by year; default :data:`KX_THRESHOLDS`.

    Raises:
        ValidationError: An argument has the wrong type or the amount is not
            an amount of money.
        UnknownThresholdError: *thresholds* has no amount for *year*.

    .. versionadded:: 0.1.0
    """
    amount = validate_money(year_to_date_amount, "year_to_date_amount")
    if year.__class__ is not int:
        raise ValidationError.single("year", "invalid_type", "expected an integer")
    if not isinstance(discipline, Discipline):
        raise ValidationError.single("discipline", "invalid_type", "expected a Discipline")
    if not isinstance(thresholds, Mapping):
        raise invalid_type("thresholds", "a mapping of years to amounts")
    threshold = thresholds.get(year)
    if threshold is None:
        raise UnknownThresholdError("no KX threshold is known for that year")
    return amount > validate_money(threshold, f"thresholds[{year}]")


def lines_with_medicare_status(
    lines: Sequence[ServiceLine], status: MedicareStatus, *, catalog: Catalog | None = None
) -> tuple[int, ...]:
    """
    The indices of the lines whose code has a Medicare fee-schedule status.

    With :attr:`~soapbill.codes.cpt.MedicareStatus.BUNDLED` this finds 97010: status B, never paid
    separately, and the patient cannot be billed for it (Palmetto GBA on
    status B codes; Pub 100-04 Ch. 23 §30.2.2); with
    :attr:`~soapbill.codes.cpt.MedicareStatus.INVALID`, 97014.

    Raises:
        UnknownCodeError: A line's code is not in the catalogue.
        ValidationError: An argument has the wrong type; the path names it.

    .. versionadded:: 0.1.0
    """
    lines = tuple_of(lines, ServiceLine, "lines")
    check_instance(status, MedicareStatus, "status")
    book = _catalog(catalog)
    return tuple(
        i for i, line in enumerate(lines) if book.lookup(line.code).medicare_status is status
    )


def lines_missing_plan_modifier(
    lines: Sequence[ServiceLine], discipline: Discipline, *, catalog: Catalog | None = None
) -> tuple[int, ...]:
    """
    The indices of "always therapy" lines without the discipline's modifier.

    Medicare wants GP (PT), GO (OT) or GN (SLP) on every line of an "always
    therapy" code (Pub 100-04 Ch. 5 §20.1); the catalogue's
    ``always_therapy`` says which codes are.

    Raises:
        UnknownCodeError: A line's code is not in the catalogue.
        ValidationError: An argument has the wrong type; the path names it.

    .. versionadded:: 0.1.0
    """
    lines = tuple_of(lines, ServiceLine, "lines")
    check_instance(discipline, Discipline, "discipline")
    book = _catalog(catalog)
    wanted = discipline.plan_modifier
    return tuple(
        i
        for i, line in enumerate(lines)
        if book.lookup(line.code).always_therapy and wanted not in line.modifiers
    )


def _catalog(catalog: object) -> Catalog:
    if catalog is None:
        return DEFAULT_CATALOG
    return check_instance(catalog, Catalog, "catalog")
