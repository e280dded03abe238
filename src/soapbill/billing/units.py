"""
Billable units from minutes of treatment.

Timed procedure codes (97110, 97124, 97140, ...) are billed in 15-minute
units; untimed codes (97010, G0283, evaluations) are billed one unit each
(their descriptors say "each 15 minutes"; Clinicient lists the service-based
codes). :func:`allocate_units` turns the minutes of one patient on
one date of service in one discipline into units, under one of two methods:

* :attr:`UnitMethod.CMS`, the Medicare "8-minute rule" (CMS Pub 100-04 Ch. 5
  §20.2): the *total* timed minutes set the *total* units, which are then
  shared among the codes;
* :attr:`UnitMethod.PER_CODE`, the AMA "rule of eights" (CPT's midpoint rule),
  which many commercial payers use: each code on its own minutes.

The payer contract decides which applies (WebPT, "The 8-Minute Rule
Showdown"), so the method is a
setting, with CMS the default.

>>> from soapbill import CptCode
>>> result = allocate_units({CptCode("97112"): 24, CptCode("97110"): 23})
>>> dict(result.units)
{CptCode('97110'): 1, CptCode('97112'): 2}
>>> print(result.explanation)
CMS 8-minute rule: 47 timed minutes make 3 units (8-22 minutes = 1, each further 15 = 1 more).
Full 15-minute blocks: 97110 23 minutes = 1 + 8 left over; 97112 24 minutes = 1 + 9 left over.
1 remaining unit goes to the largest leftover: 97112 (9 minutes).
Minutes not billed: 97110 8.
>>> dict(allocate_units(result.minutes, method=UnitMethod.PER_CODE).units)
{CptCode('97110'): 2, CptCode('97112'): 2}

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from soapbill._enums import Choice
from soapbill._text import plural
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CptCode
from soapbill.errors import ValidationError

__all__ = ["MIDPOINT", "UNIT_MINUTES", "UnitAllocation", "UnitMethod", "allocate_units"]

#: Minutes in one unit of a timed code ("each 15 minutes").
UNIT_MINUTES: Final = 15
#: A leftover of at least this many minutes is worth a unit, as the midpoint of
#: 15 minutes is passed (CPT, Introduction, "Time"; the CMS unit table of Pub
#: 100-04 Ch. 5 §20.2).
MIDPOINT: Final = 8


class UnitMethod(Choice):
    """
    How minutes of timed codes become units.

    The values are the stable words stored in payer policies.

    .. versionadded:: 0.1.0
    """

    #: Medicare's 8-minute rule, where the total timed minutes set the total units.
    CMS = "cms"
    #: The AMA rule of eights, where each code counts on its own minutes.
    PER_CODE = "per_code"


def _readonly(value: Mapping[CptCode, int]) -> Mapping[CptCode, int]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class UnitAllocation:
    """
    The units of each code, and how they were found.

    Attributes:
        method: The method used.
        minutes: The minutes given, by code (read-only, in code order).
        units: The units of every given code, ``0`` included (read-only, in
            code order).
        timed: The given codes that are timed.
        explanation: Where the minutes went, in plain words, one sentence a line.

    .. versionadded:: 0.1.0
    """

    method: UnitMethod
    minutes: Mapping[CptCode, int] = attrs.field(converter=_readonly, hash=False)
    units: Mapping[CptCode, int] = attrs.field(converter=_readonly, hash=False)
    timed: frozenset[CptCode]
    explanation: str

    @property
    def timed_minutes(self) -> int:
        """
        The minutes of the timed codes.
        """
        return sum(self.minutes[code] for code in self.timed)

    @property
    def timed_units(self) -> int:
        """
        The units of the timed codes.
        """
        return sum(self.units[code] for code in self.timed)

    @property
    def total_units(self) -> int:
        """
        The units of every code.
        """
        return sum(self.units.values())


def _units(minutes: int) -> int:
    # Closed form of the CMS unit table (8-22 = 1, 23-37 = 2, ...):
    # (T + 7) // 15, CMS Pub 100-04 Ch. 5 §20.2, as First Coast tabulates it. The
    # AMA per-code rule uses the same thresholds on one code's minutes (1.3).
    return (minutes + MIDPOINT - 1) // UNIT_MINUTES


def allocate_units(
    minutes: Mapping[CptCode, int],
    *,
    method: UnitMethod = UnitMethod.CMS,
    catalog: Catalog | None = None,
) -> UnitAllocation:
    """
    Turn minutes of treatment into billable units.

    *minutes* are those of one patient on one date of service in one
    discipline (a PT, OT or speech plan of care counts on its own, each billed
    under its own modifier, Pub 100-04 Ch. 5 §20.1); the caller groups them.
    Every code in *minutes* gets a unit count, ``0`` included.

    Timed codes follow *method*. Under :attr:`UnitMethod.CMS` the total timed
    minutes *T* make ``(T + 7) // 15`` units (none under 8 minutes); each code
    first gets its full 15-minute blocks, and the units left go one each to the
    codes with the largest leftover minutes. A tie goes to the code with more
    minutes in all, then to the lower code, so the result never depends on the
    order of *minutes*. Under :attr:`UnitMethod.PER_CODE` each timed code gets
    ``(m + 7) // 15`` units for its own *m* minutes.

    An untimed code is one unit, whatever its minutes, even ``0``: being in
    *minutes* means it was performed. Its minutes never count toward the timed
    total (Pub 100-04 Ch. 5 §20.2; AOTA on timed and untimed codes).

    Args:
        minutes: Whole minutes (``>= 0``) by procedure code.
        method: The unit method of the payer.
        catalog: Which codes are timed; default the built-in catalogue.

    Returns:
        The units of every code, with an explanation.

    Raises:
        ValidationError: *minutes* is not a mapping of :class:`~soapbill.codes.cpt.CptCode` to
            whole minutes ``>= 0``, *method* is not a :class:`UnitMethod`, or
            *catalog* is not a :class:`~soapbill.codes.cpt.Catalog`.
        UnknownCodeError: A code is not in the catalogue.

    .. versionadded:: 0.1.0
    """
    given = _checked_minutes(minutes)
    if not isinstance(method, UnitMethod):
        raise ValidationError.single("method", "invalid_type", "expected a UnitMethod")
    if catalog is not None and not isinstance(catalog, Catalog):
        raise ValidationError.single("catalog", "invalid_type", "expected a Catalog")
    book = DEFAULT_CATALOG if catalog is None else catalog
    timed = frozenset(code for code in given if book.lookup(code).timed)
    untimed = sorted(code for code in given if code not in timed)
    timed_minutes = {code: m for code, m in given.items() if code in timed}
    if method is UnitMethod.CMS:
        units, lines = _cms(timed_minutes)
    else:
        units, lines = _per_code(timed_minutes)
    # Untimed codes are one unit and add no minutes (Pub 100-04 Ch. 5 §20.2).
    units.update(dict.fromkeys(untimed, 1))
    if untimed:
        lines.append(
            "Untimed, 1 unit each, minutes not counted in the timed total: "
            + ", ".join(map(str, untimed))
            + "."
        )
    if not given:
        lines.append("No procedures.")
    return UnitAllocation(
        method=method,
        minutes=dict(sorted(given.items())),
        units=dict(sorted(units.items())),
        timed=timed,
        explanation="\n".join(lines),
    )


def _checked_minutes(minutes: object) -> dict[CptCode, int]:
    if not isinstance(minutes, Mapping):
        raise ValidationError.single(
            "minutes", "invalid_type", "expected a mapping of procedure codes to minutes"
        )
    given: dict[CptCode, int] = {}
    for code, value in minutes.items():
        if code.__class__ is not CptCode:
            raise ValidationError.single("minutes", "invalid_type", "keys must be CptCode values")
        path = f"minutes[{code}]"
        if value.__class__ is not int:
            raise ValidationError.single(path, "invalid_type", "expected whole minutes")
        if value < 0:
            raise ValidationError.single(path, "too_small", "must be at least 0")
        given[code] = value
    return given


def _listing(items: Iterable[str]) -> str:
    return ", ".join(items)


_RULE = "(8-22 minutes = 1, each further 15 = 1 more)"


def _cms(minutes: dict[CptCode, int]) -> tuple[dict[CptCode, int], list[str]]:
    """
    Share the units of the total timed minutes among the codes.

    An algorithm that reproduces every worked example of the CMS manual (Pub
    100-04 Ch. 5 §20.2, as findacode reproduces them): the total timed minutes
    set the total units, each code gets its full 15-minute blocks, and the
    units left go to the largest leftovers.
    """
    if not minutes:
        return {}, []
    codes = sorted(minutes)
    total = sum(minutes.values())
    # The total timed minutes of the date determine the total timed units.
    target = _units(total)
    if target == 0:
        # Under 8 minutes in all, nothing is billed.
        lines = [f"CMS 8-minute rule: {plural(total, 'timed minute')} in all: no timed unit."]
        lines += _not_billed(f"{code} {minutes[code]}" for code in codes if minutes[code])
        return dict.fromkeys(codes, 0), lines
    made = f"{plural(total, 'timed minute')} make {plural(target, 'unit')}"
    # Full 15-minute blocks first.
    units = {code: minutes[code] // UNIT_MINUTES for code in codes}
    leftover = {code: minutes[code] % UNIT_MINUTES for code in codes}
    blocks = "; ".join(
        f"{code} {plural(minutes[code], 'minute')} = {units[code]} + {leftover[code]} left over"
        for code in codes
    )
    lines = [f"CMS 8-minute rule: {made} {_RULE}.", f"Full 15-minute blocks: {blocks}."]
    # Then the remaining units to the largest leftovers; ties to more total
    # minutes, then the lower code (the manual's example of equal minutes lets
    # either code take the unit, so the tie-break is ours: documented and
    # deterministic). `remaining` never exceeds the number of codes with a
    # leftover, since (R + 7) // 15 <= k for R <= 14k.
    remaining = target - sum(units.values())
    ranked = sorted(codes, key=lambda code: (-leftover[code], -minutes[code], code))
    chosen = ranked[:remaining]
    for code in chosen:
        units[code] += 1
    lines += _remaining_units(ranked, remaining, leftover)
    lines += _not_billed(
        f"{code} {leftover[code]}" for code in codes if leftover[code] and code not in chosen
    )
    return units, lines


def _remaining_units(
    ranked: list[CptCode], remaining: int, leftover: dict[CptCode, int]
) -> list[str]:
    """
    Say where the units left after the full blocks went, and how a tie was broken.
    """
    if not remaining:
        return []
    verb, noun = ("goes", "leftover") if remaining == 1 else ("go", "leftovers")
    winners = _listing(
        f"{code} ({plural(leftover[code], 'minute')})" for code in ranked[:remaining]
    )
    return [
        f"{plural(remaining, 'remaining unit')} {verb} to the largest {noun}: {winners}.",
        *_tie_note(ranked, remaining, leftover),
    ]


def _not_billed(items: Iterable[str]) -> list[str]:
    """
    The sentence listing the minutes not billed, if any (``"97110 8"``, ...).
    """
    shown = _listing(items)
    return [f"Minutes not billed: {shown}."] if shown else []


def _tie_note(ranked: list[CptCode], remaining: int, leftover: dict[CptCode, int]) -> list[str]:
    """
    Say how a tie was broken.

    A tie mattered when the last code that got a unit and the first that did
    not had equal leftovers.
    """
    if remaining >= len(ranked):
        return []
    last, first_out = ranked[remaining - 1], ranked[remaining]
    if leftover[last] != leftover[first_out]:
        return []
    tied = sorted(code for code in ranked if leftover[code] == leftover[last])
    tie = f"{_listing(map(str, tied))} tie at {plural(leftover[last], 'leftover minute')}"
    return [f"{tie}: the tie goes to the code with more minutes in all, then to the lower code."]


def _per_code(minutes: dict[CptCode, int]) -> tuple[dict[CptCode, int], list[str]]:
    """
    Count each code on its own minutes (the AMA rule of eights: CPT, Introduction, "Time").
    """
    if not minutes:
        return {}, []
    codes = sorted(minutes)
    lines = [f"Per-code rule (rule of eights): each timed code counts on its own minutes {_RULE}."]
    units: dict[CptCode, int] = {}
    dropped = []
    for code in codes:
        m = minutes[code]
        units[code] = _units(m)
        rest = m % UNIT_MINUTES
        lines.append(
            f"{code}: {plural(m, 'minute')} = {m // UNIT_MINUTES} + {rest} left over: "
            f"{plural(units[code], 'unit')}."
        )
        if 0 < rest < MIDPOINT:
            dropped.append(f"{code} {rest}")
    lines += _not_billed(dropped)
    return units, lines
