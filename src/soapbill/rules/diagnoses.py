"""
Diagnosis tables: is an ICD-10-CM code billable on a date of service?

A syntactically valid code (:class:`~soapbill.codes.icd10.DiagnosisCode`) is billable only
if it is a leaf of the ICD-10-CM tabular (not a category or subcategory header
with more specific codes below it) and in force on the date of service: codes
are added and split every October and sometimes in April (the CDC's yearly
ICD-10-CM updates; a code is reported to its highest level of detail:
ICD-10-CM Official Guidelines for Coding and Reporting, Section I.B.2).

A *diagnosis table* answers that question through one method,
:meth:`DiagnosisTable.check`, with a :class:`DiagnosisVerdict`. A table that
does not know a code says :attr:`DiagnosisStatus.UNKNOWN`: the rule
``diagnosis.not_billable`` then reports the code as *not checked*
(``diagnosis.not_checked``), never as passed.

soapbill ships :data:`MASSAGE_DIAGNOSES`, the codes a massage or
physical-medicine practice uses most, with their dated changes (M54.5 became
a header on 2021-10-01, M79.1 likewise, R51 on 2020-10-01, ...; the sources
are named beside the table). For the whole current tabular, install ``soapbill[icd10]``
and layer :class:`soapbill.rules.icd10cm.Icd10CmTable` under it with
:func:`layered`: the dated table answers first for the codes it knows, the
full table for the rest.

>>> from datetime import date
>>> from soapbill import DiagnosisCode
>>> MASSAGE_DIAGNOSES.check(DiagnosisCode("M54.5"), date(2021, 9, 30)).status
<DiagnosisStatus.BILLABLE: 'billable'>
>>> verdict = MASSAGE_DIAGNOSES.check(DiagnosisCode("M54.5"), date(2021, 10, 1))
>>> verdict.status, [str(code) for code in verdict.use_instead]
(<DiagnosisStatus.HEADER: 'header'>, ['M54.50', 'M54.51', 'M54.59'])
>>> MASSAGE_DIAGNOSES.check(DiagnosisCode("J06.9"), date(2026, 1, 5)).status
<DiagnosisStatus.UNKNOWN: 'unknown'>

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from typing import Final, Protocol, cast

import attrs

from soapbill._arguments import as_tuple, invalid_type, tuple_of
from soapbill._enums import Choice
from soapbill._fields import rules
from soapbill._model import model
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.errors import ValidationError

__all__ = [
    "MASSAGE_DIAGNOSES",
    "DatedTable",
    "DiagnosisEntry",
    "DiagnosisStatus",
    "DiagnosisTable",
    "DiagnosisVerdict",
    "Layered",
    "layered",
]


class DiagnosisStatus(Choice):
    """
    What a diagnosis table says of a code on a date.

    .. versionadded:: 0.1.0
    """

    #: A leaf code in force on the date, so billable.
    BILLABLE = "billable"
    #: A category or subcategory with more specific codes below it.
    HEADER = "header"
    #: In the table, but not yet in force on the date.
    NOT_YET_VALID = "not_yet_valid"
    #: No longer in force on the date, with no more specific code to use.
    DELETED = "deleted"
    #: Not an ICD-10-CM code at all, according to the table.
    INVALID = "invalid"
    #: The table does not know the code, so nothing can be said.
    UNKNOWN = "unknown"


@attrs.frozen(kw_only=True)
class DiagnosisVerdict:
    """
    A table's answer for one code on one date.

    Attributes:
        status: What the table says.
        use_instead: More specific codes to use instead, for a header.

    .. versionadded:: 0.1.0
    """

    status: DiagnosisStatus
    use_instead: tuple[DiagnosisCode, ...] = ()

    @property
    def billable(self) -> bool:
        """
        Whether the code is billable on the date.
        """
        return self.status is DiagnosisStatus.BILLABLE


_UNKNOWN: Final = DiagnosisVerdict(status=DiagnosisStatus.UNKNOWN)
_BILLABLE: Final = DiagnosisVerdict(status=DiagnosisStatus.BILLABLE)


class DiagnosisTable(Protocol):
    """
    Anything that says whether a diagnosis code is billable on a date.

    Implement :meth:`check` to plug in your own code set (the CMS code files of
    each fiscal year, a terminology server). A table passed to
    :func:`soapbill.rules.engine.evaluate` in a process pool must pickle.

    .. versionadded:: 0.1.0
    """

    def check(self, code: DiagnosisCode, on: date, /) -> DiagnosisVerdict:
        """
        Say whether *code* is billable on the date *on*.
        """
        ...  # pragma: no cover - a protocol


@model
class DiagnosisEntry:
    """
    What a :class:`DatedTable` knows of one code.

    A code is billable from ``billable_from`` through ``billable_until`` (both
    inclusive; ``None`` means "as far as the table knows"). Before that it is
    not yet valid; after it, a header when ``use_instead`` names the codes that
    replaced it, else deleted. A ``header`` entry is never billable.

    Attributes:
        code: The code.
        billable_from: The first day it is billable, if known.
        billable_until: The last day it is billable, if it stopped being.
        use_instead: The more specific codes below it, once it is a header.
        header: Whether it is a header on every date the table covers.

    .. versionadded:: 0.1.0
    """

    code: DiagnosisCode
    billable_from: date | None = None
    billable_until: date | None = None
    use_instead: tuple[DiagnosisCode, ...] = attrs.field(default=(), metadata=rules(unique=True))
    header: bool = False

    def _check_fields(self) -> None:
        if self.header and (self.billable_from is not None or self.billable_until is not None):
            raise ValidationError.single(
                "header", "not_allowed", "a header entry has no billable dates"
            )
        if (
            self.billable_from is not None
            and self.billable_until is not None
            and self.billable_until < self.billable_from
        ):
            raise ValidationError.single(
                "billable_until", "before_start", "must not be before billable_from"
            )

    def check(self, on: date) -> DiagnosisVerdict:
        """
        Say whether the code is billable on *on*.
        """
        if self.header:
            return DiagnosisVerdict(status=DiagnosisStatus.HEADER, use_instead=self.use_instead)
        if self.billable_from is not None and on < self.billable_from:
            return DiagnosisVerdict(status=DiagnosisStatus.NOT_YET_VALID)
        if self.billable_until is not None and on > self.billable_until:
            if self.use_instead:
                return DiagnosisVerdict(status=DiagnosisStatus.HEADER, use_instead=self.use_instead)
            return DiagnosisVerdict(status=DiagnosisStatus.DELETED)
        return _BILLABLE


def _entries(values: object) -> tuple[DiagnosisEntry, ...]:
    return tuple_of(values, DiagnosisEntry, "entries")


def _tables(values: object) -> tuple[DiagnosisTable, ...]:
    tables = as_tuple(values, "tables", "diagnosis tables")
    for i, table in enumerate(tables):
        # A table is anything with a check method (DiagnosisTable is a protocol).
        if not callable(getattr(table, "check", None)):
            raise invalid_type(f"tables[{i}]", "a DiagnosisTable (an object with a check method)")
    return cast("tuple[DiagnosisTable, ...]", tables)


@attrs.frozen
class DatedTable:
    """
    A table of :class:`DiagnosisEntry` s; codes it does not list are unknown.

    It is a value: :meth:`extend` returns a new table.

    Attributes:
        entries: The entries; a later entry for a code replaces an earlier one.

    .. versionadded:: 0.1.0
    """

    entries: tuple[DiagnosisEntry, ...] = attrs.field(converter=_entries)

    @classmethod
    def of(cls, entries: Iterable[DiagnosisEntry]) -> DatedTable:
        """
        Build a table from entries.

        Raises:
            ValidationError: *entries* is not an iterable of
                :class:`DiagnosisEntry`; the path names the item.
        """
        return cls(_entries(entries))

    def extend(self, *entries: DiagnosisEntry) -> DatedTable:
        """
        Return a new table with *entries* added (replacing the same codes).

        Raises:
            ValidationError: An entry is not a :class:`DiagnosisEntry`; the
                path names it.
        """
        return DatedTable((*self.entries, *_entries(entries)))

    @functools.cached_property
    def _index(self) -> dict[DiagnosisCode, DiagnosisEntry]:
        return {entry.code: entry for entry in self.entries}

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def __len__(self) -> int:
        return len(self._index)

    def check(self, code: DiagnosisCode, on: date, /) -> DiagnosisVerdict:
        """
        Say whether *code* is billable on *on*; unknown codes are UNKNOWN.
        """
        entry = self._index.get(code)
        return _UNKNOWN if entry is None else entry.check(on)

    def __repr__(self) -> str:
        return f"DatedTable(<{len(self)} codes>)"


@attrs.frozen
class Layered:
    """
    Tables asked in turn: the first that knows a code answers.

    .. versionadded:: 0.1.0
    """

    tables: tuple[DiagnosisTable, ...] = attrs.field(converter=_tables)

    def check(self, code: DiagnosisCode, on: date, /) -> DiagnosisVerdict:
        """
        Return the first verdict that is not UNKNOWN, or UNKNOWN.
        """
        for table in self.tables:
            verdict = table.check(code, on)
            if verdict.status is not DiagnosisStatus.UNKNOWN:
                return verdict
        return _UNKNOWN


def layered(*tables: DiagnosisTable) -> Layered:
    """
    Ask *tables* in turn; the first that knows a code answers.

    >>> from datetime import date
    >>> from soapbill import DiagnosisCode
    >>> extra = DatedTable.of([DiagnosisEntry(code=DiagnosisCode("J06.9"))])
    >>> table = layered(MASSAGE_DIAGNOSES, extra)
    >>> table.check(DiagnosisCode("J06.9"), date(2026, 1, 5)).billable
    True

    Raises:
        ValidationError: A table has no ``check`` method; the path names it
            (``tables[1]``).

    .. versionadded:: 0.1.0
    """
    return Layered(tables)


def _codes(*values: str) -> tuple[DiagnosisCode, ...]:
    return tuple(DiagnosisCode(value) for value in values)


def _leaves(*values: str, since: date | None = None) -> list[DiagnosisEntry]:
    return [DiagnosisEntry(code=code, billable_from=since) for code in _codes(*values)]


def _split(value: str, last_day: date, *children: str) -> list[DiagnosisEntry]:
    # A billable code that became a header the day after *last_day*, and its
    # children, billable from that day.
    day_after = date.fromordinal(last_day.toordinal() + 1)
    return [
        DiagnosisEntry(
            code=DiagnosisCode(value), billable_until=last_day, use_instead=_codes(*children)
        ),
        *_leaves(*children, since=day_after),
    ]


def _header(value: str, *children: str) -> DiagnosisEntry:
    return DiagnosisEntry(code=DiagnosisCode(value), header=True, use_instead=_codes(*children))


# The leaf / header structure of every entry below was read from the CDC
# "April 1 2026" ICD-10-CM tabular bundled with simple-icd-10-cm 1.5.0. The
# dates of the splits: M54.5 on 2021-10-01 (Acupuncture Today, Dec 2021;
# icdlist "valid Oct 1 2020 - Sep 30 2021"); R51 on 2020-10-01 (Acupuncture
# Today); U09.9 from 2021-10-01 (AHCC). Three dates have no public source we
# found and are data you can replace: M79.1 on 2021-10-01, M51.36 on
# 2024-10-01 and U07.1 from 2020-04-01.
_FY2021: Final = date(2020, 9, 30)
_FY2022: Final = date(2021, 9, 30)
_FY2025: Final = date(2024, 9, 30)

#: The diagnosis codes a massage or physical-medicine practice uses most, with
#: their dated changes (sources above); every other code is UNKNOWN.
MASSAGE_DIAGNOSES: Final = DatedTable.of(
    [
        # Low back pain: M54.5 split into M54.50, M54.51, M54.59 (FY2022).
        *_split("M54.5", _FY2022, "M54.50", "M54.51", "M54.59"),
        # Myalgia: M79.1 split into M79.10, M79.11, M79.12, M79.18 (FY2022).
        *_split("M79.1", _FY2022, "M79.10", "M79.11", "M79.12", "M79.18"),
        # Headache: R51 split into R51.0 and R51.9 (FY2021).
        *_split("R51", _FY2021, "R51.0", "R51.9"),
        # Lumbar disc degeneration: M51.36 split (FY2025).
        *_split("M51.36", _FY2025, "M51.360", "M51.361", "M51.362", "M51.369"),
        # COVID-19 and post COVID-19 condition.
        *_leaves("U07.1", since=date(2020, 4, 1)),
        *_leaves("U09.9", since=date(2021, 10, 1)),
        # Headers on every date the table covers, with the codes below them.
        _header("M62.83", "M62.830", "M62.831", "M62.838"),
        _header(
            "M25.5",
            *("M25.50", "M25.51", "M25.52", "M25.53", "M25.54"),
            *("M25.55", "M25.56", "M25.57", "M25.59"),
        ),
        _header("M25.51", "M25.511", "M25.512", "M25.519"),
        _header("S13.4", "S13.4XXA", "S13.4XXD", "S13.4XXS"),
        _header("G44.2", "G44.20", "G44.21", "G44.22"),
        _header("G44.20", "G44.201", "G44.209"),
        _header("M26.60", "M26.601", "M26.602", "M26.603", "M26.609"),
        _header("M26.62", "M26.621", "M26.622", "M26.623", "M26.629"),
        # Billable leaves.
        *_leaves(
            *("M54.2", "M54.6", "M54.9", "M54.16", "M54.41", "M54.42", "M54.30"),
            *("M62.830", "M62.831", "M62.838", "M62.81"),
            *("M79.7", "M79.601", "M79.604", "M79.605"),
            *("M25.50", "M25.511", "M25.512", "M25.519", "M25.551", "M25.561", "M25.571"),
            *("S13.4XXA", "S13.4XXD", "S13.4XXS", "S16.1XXA", "S39.012A"),
            *("S33.5XXA", "S23.3XXA"),
            *("G44.201", "G44.209", "G44.221"),
            *("M53.3", "M99.03", "G89.29"),
            *("M26.609", "M26.621"),
        ),
    ]
)
