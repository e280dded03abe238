"""
NCCI edits: procedure-to-procedure pairs and Medically Unlikely Edits.

CMS publishes the edits of its National Correct Coding Initiative every
quarter as data (CMS, "Medicare NCCI Procedure to Procedure (PTP) Edits" and
"Medicare NCCI Medically Unlikely Edits (MUEs)"), and soapbill treats them as
data too:

* :class:`PtpEdits` holds procedure-to-procedure (PTP) pairs. When both codes
  of a pair are billed on one date, the column-2 code is denied unless its
  modifier indicator is 1 and the column-2 line carries 59, XE, XS, XP or XU
  (CMS MLN1783722, "Proper Use of Modifiers 59, XE, XP, XS & XU").
* :class:`MueLimits` holds Medically Unlikely Edits: the most units of a code
  a provider would report for one patient on one date.

Both load the CMS quarterly *practitioner* files as CMS ships them (CSV or
tab-separated text, title rows above the header allowed) with ``load()``, or
are built in Python. soapbill ships only a small, sourced *sample* of each
(``sample()``), clearly marked as such: it is not the CMS table. Load the
current CMS files for real checks.

The checks return frozen result objects, never findings: :class:`PtpConflict`
and :class:`MueResult` name the lines by their index in the claim, so a rules
engine can report ``lines[2]``. A code without MUE data is
:attr:`MueStatus.NOT_CHECKED`, never "within the limit".

>>> from datetime import date
>>> edits = PtpEdits.sample()
>>> edits.find(CptCode("97140"), CptCode("97530"), date(2026, 3, 3)).indicator
<ModifierIndicator.ALLOWED: '1'>
>>> MueLimits.sample().get(CptCode("97035")).max_units
2

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import bisect
import csv
import itertools
import operator
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from types import MappingProxyType
from typing import Final, TypeVar, cast

import attrs

from soapbill._arguments import as_tuple, check_date, check_instance, invalid_type, tuple_of
from soapbill._enums import Choice
from soapbill._fields import rules
from soapbill._model import model
from soapbill.billing import _cms_files
from soapbill.billing._cms_files import (
    Rows,
    choice,
    cms_code,
    cms_date,
    data_rows,
    norm,
    row_error,
)
from soapbill.claims import ServiceLine
from soapbill.codes.cpt import CptCode
from soapbill.codes.modifiers import DISTINCT_SERVICE, Modifier
from soapbill.errors import ValidationError

__all__ = [
    "ModifierIndicator",
    "MueAdjudication",
    "MueLimit",
    "MueLimits",
    "MueResult",
    "MueStatus",
    "PtpConflict",
    "PtpEdit",
    "PtpEdits",
    "Source",
]

#: What the loaders read, a path or a text stream.
Source = _cms_files.Source

_RATIONALE = rules(max_len=500)


# --- PTP edits -------------------------------------------------------------------------


class ModifierIndicator(Choice):
    """
    The correct coding modifier indicator of a PTP edit (CMS MLN1783722).

    The values are CMS's codes.

    .. versionadded:: 0.1.0
    """

    #: No modifier bypasses the edit.
    NOT_ALLOWED = "0"
    #: 59, XE, XS, XP or XU on the column-2 line may bypass it.
    ALLOWED = "1"
    #: Not applicable ("9=not applicable" in the header of CMS's PTP files),
    #: as the edit is deleted and never applies.
    NOT_APPLICABLE = "9"


@model
class PtpEdit:
    """
    One procedure-to-procedure pair.

    Attributes:
        column1: The code that stays payable.
        column2: The code denied when billed with *column1* on one date.
        effective: The first date of service the edit applies to.
        deleted: The deletion date: the edit applies through this date and is
            ignored after it; ``None`` while it is in force. That the date is
            the last day in force (not the first day out of force) is a
            reading no public CMS document found confirms: unverified.
        indicator: Whether a modifier can bypass it.
        prior_1996: Whether CMS marks the edit as in existence before 1996.
        rationale: CMS's reason for the edit.

    .. versionadded:: 0.1.0
    """

    column1: CptCode
    column2: CptCode
    effective: date
    deleted: date | None = None
    indicator: ModifierIndicator
    prior_1996: bool = False
    rationale: str | None = attrs.field(default=None, metadata=_RATIONALE)

    def applies_on(self, day: date) -> bool:
        """
        Whether the edit applies to a date of service.

        It applies from :attr:`effective` through :attr:`deleted`, both
        inclusive, unless its indicator is 9 (not applicable).
        """
        if self.indicator is ModifierIndicator.NOT_APPLICABLE or day < self.effective:
            return False
        return self.deleted is None or day <= self.deleted


@model
class PtpConflict:
    """
    Two lines of one date that a PTP edit pairs.

    Attributes:
        line_index: The index of the column-2 line (the one denied).
        column1_index: The index of the column-1 line.
        column1: The column-1 code.
        column2: The column-2 code.
        date_of_service: The date of both lines.
        indicator: The edit's modifier indicator (0 or 1).
        bypassed: Whether the column-2 line carries a modifier that bypasses
            the edit (only with indicator 1).
        modifier: That modifier, if any.
        rationale: The edit's rationale.

    .. versionadded:: 0.1.0
    """

    line_index: int = attrs.field(metadata=rules(ge=0))
    column1_index: int = attrs.field(metadata=rules(ge=0))
    column1: CptCode
    column2: CptCode
    date_of_service: date
    indicator: ModifierIndicator
    bypassed: bool
    modifier: Modifier | None = None
    rationale: str | None = attrs.field(default=None, metadata=_RATIONALE)


# --- compact tables ----------------------------------------------------------------------
#
# The CMS practitioner PTP table holds well over a million rows. A table keeps
# them as a few flat arrays of machine numbers, sorted by pair, and builds a
# PtpEdit only for the rows a claim meets: about 21 bytes a row, a lookup by
# bisection, and a pickle of a few byte strings.

#: A procedure code (five letters and digits) read as a base-36 number: 36**5 < 2**26.
_CODE_BITS: Final = 26
_CODE_CHARS: Final = 5
_BASE: Final = 36
_DIGITS: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: A row's flag byte: its indicator in the two low bits, the pre-1996 mark above.
_INDICATOR_MASK: Final = 3
_PRIOR_1996_BIT: Final = 4
_INDICATOR_BITS: Final = MappingProxyType(
    {
        ModifierIndicator.NOT_ALLOWED: 0,
        ModifierIndicator.ALLOWED: 1,
        ModifierIndicator.NOT_APPLICABLE: 2,
    }
)
_BIT_INDICATORS: Final = tuple(_INDICATOR_BITS)
_NOT_APPLICABLE_BITS: Final = _INDICATOR_BITS[ModifierIndicator.NOT_APPLICABLE]
#: The quarter a table is of, such as ``2026Q3``.
_QUARTER: Final = re.compile(r"[0-9]{4}Q[1-4]").fullmatch


def _number(code: CptCode) -> int:
    return int(code.value, _BASE)


def _code(number: int) -> CptCode:
    chars = []
    for _ in range(_CODE_CHARS):
        number, digit = divmod(number, _BASE)
        chars.append(_DIGITS[digit])
    return CptCode("".join(reversed(chars)))


def _check_quarter(quarter: object) -> str | None:
    if quarter is None:
        return None
    if not isinstance(quarter, str):
        raise invalid_type("quarter", "a quarter such as 2026Q3, or None")
    if _QUARTER(quarter) is None:
        raise ValidationError.single("quarter", "invalid_format", "a quarter is YYYYQn")
    return quarter


def _frozen_setattr(self: object, _name: str, _value: object) -> None:
    msg = f"{type(self).__name__} is immutable"
    raise AttributeError(msg)


def _edits_tuple(value: Iterable[PtpEdit]) -> tuple[PtpEdit, ...]:
    return cast("tuple[PtpEdit, ...]", as_tuple(value, "edits", "PtpEdit values"))


class _PtpColumns:
    """
    The growing columns of a PTP table, filled row by row, then sorted by pair.

    A row is its pair's key and the number of its *tail*: its flag byte, its
    two dates and its rationale's number, which few rows do not share.
    """

    def __init__(self) -> None:
        self.keys = array("q")
        self.tails = array("I")
        #: Each distinct tail once, by its number.
        self.tail_numbers: dict[_Tail, int] = {}
        #: Each distinct rationale once, by its number; 0 is "none".
        self.rationales: dict[str | None, int] = {None: 0}
        self._mark = 0

    def begin(self) -> None:
        """
        Remember where a source starts, to drop its rows if it is read again.
        """
        self._mark = len(self.keys)

    def rollback(self) -> None:
        """
        Drop the rows of the source begun last.
        """
        del self.keys[self._mark :]
        del self.tails[self._mark :]

    def note(self, rationale: str | None) -> int:
        return self.rationales.setdefault(rationale, len(self.rationales))

    def tail(self, flag: int, effective: int, deleted: int, note: int) -> int:
        tail = (flag, effective, deleted, note)
        return self.tail_numbers.setdefault(tail, len(self.tail_numbers))

    def add(self, edit: PtpEdit) -> None:
        prior = _PRIOR_1996_BIT if edit.prior_1996 else 0
        self.keys.append(_number(edit.column1) << _CODE_BITS | _number(edit.column2))
        self.tails.append(
            self.tail(
                _INDICATOR_BITS[edit.indicator] | prior,
                edit.effective.toordinal(),
                0 if edit.deleted is None else edit.deleted.toordinal(),
                self.note(edit.rationale),
            )
        )

    def table(self, quarter: str | None, *, keep_order: bool = True) -> PtpEdits:
        """
        The table of the rows, sorted by pair; iterated in the order given when *keep_order*.
        """
        keys, tails = self.keys, self.tails
        given = None
        if any(map(operator.gt, keys, itertools.islice(keys, 1, None))):
            # Stable: rows of one pair keep the order they were given in. The
            # CMS files come sorted, and then nothing is moved.
            order = sorted(range(len(keys)), key=keys.__getitem__)
            keys = array("q", map(keys.__getitem__, order))
            tails = array("I", map(tails.__getitem__, order))
            given = _inverse(order) if keep_order else None
        # The numbers of tails and rationales are their places in the dictionaries.
        return PtpEdits._from_columns(  # noqa: SLF001
            keys, tails, tuple(self.tail_numbers), tuple(self.rationales), quarter, given
        )


#: A row's flag byte, effective and deletion dates (ordinals; 0: none) and rationale number.
_Tail = tuple[int, int, int, int]


def _inverse(order: list[int]) -> array[int]:
    """
    Where each row went: the sorted place of the row given *k*-th.
    """
    inverse = array("I", bytes(4 * len(order)))
    for place, row in enumerate(order):
        inverse[row] = place
    return inverse


T = TypeVar("T")


def _built(cls: type[T], **slots: object) -> T:
    """
    An immutable table of *cls* with its slots set, bypassing ``__init__`` and ``__setattr__``.
    """
    table = object.__new__(cls)
    for name, value in slots.items():
        object.__setattr__(table, name, value)
    return table


class PtpEdits:
    """
    A table of procedure-to-procedure edits: compact, immutable, a value.

    Build it from :class:`PtpEdit` s, or :meth:`load` the CMS practitioner
    files. A pair may have several rows (an edit deleted and added again); on
    a date the row in force with the latest effective date applies.

    The rows are kept as two flat arrays of numbers sorted by pair (12 bytes
    a row: the pair, and the number of the row's flags, dates and rationale,
    which few rows do not share), so the full CMS table of two million rows
    fits in some 25 MB, a lookup is a bisection, and a pickle is a few byte
    strings.
    Iterating builds each :class:`PtpEdit` on the way, in the order given.
    Two tables of the same rows are equal whatever their order.

    Args:
        edits: The edits.
        quarter: The NCCI quarter the table is of (``2026Q3``), if known.

    Raises:
        ValidationError: *edits* is not an iterable of :class:`PtpEdit`, or
            *quarter* is not ``YYYYQn``.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
       Compact storage; the *quarter*.
    """

    __slots__ = ("_given", "_keys", "_rationales", "_tail_values", "_tails", "quarter")

    _keys: array[int]
    _tails: array[int]
    _tail_values: tuple[_Tail, ...]
    _rationales: tuple[str | None, ...]
    #: The sorted place of each row in the order given, when it was not sorted.
    _given: array[int] | None
    #: The NCCI quarter of the table (``2026Q3``), or ``None``.
    quarter: str | None

    __setattr__ = _frozen_setattr

    def __init__(self, edits: Iterable[PtpEdit] = (), *, quarter: str | None = None) -> None:
        columns = _PtpColumns()
        for i, edit in enumerate(_edits_tuple(edits)):
            if not isinstance(edit, PtpEdit):
                raise ValidationError.single(f"edits[{i}]", "invalid_type", "expected a PtpEdit")
            columns.add(edit)
        built = columns.table(_check_quarter(quarter))
        for name in PtpEdits.__slots__:
            object.__setattr__(self, name, getattr(built, name))

    @classmethod
    def _from_columns(  # noqa: PLR0917 - one argument per column
        cls,
        keys: array[int],
        tails: array[int],
        tail_values: tuple[_Tail, ...],
        rationales: tuple[str | None, ...],
        quarter: str | None,
        given: array[int] | None,
    ) -> PtpEdits:
        return _built(
            cls,
            _keys=keys,
            _tails=tails,
            _tail_values=tail_values,
            _rationales=rationales,
            quarter=quarter,
            _given=given,
        )

    def __reduce__(self) -> tuple[object, ...]:
        # A few byte strings, whatever the size of the table.
        return (
            _ptp_from_bytes,
            (
                self._keys.tobytes(),
                self._tails.tobytes(),
                self._tail_values,
                self._rationales,
                self.quarter,
                None if self._given is None else self._given.tobytes(),
            ),
        )

    @classmethod
    def load(
        cls, *sources: Source, codes: Iterable[CptCode] | None = None, quarter: str | None = None
    ) -> PtpEdits:
        """
        Load CMS practitioner PTP files, as CMS publishes them.

        Each source is a path or a text stream, comma- or tab-separated (a
        source with a tab in its first 64 KiB is read as tab-separated). Rows
        above the header row (whose first two cells are ``Column 1`` and
        ``Column 2``) are title rows and skipped, as are blank rows and header
        continuation rows (first two cells empty: CMS spreads its header over
        four rows). The columns are CMS's, in CMS's order: Column 1, Column 2,
        in existence prior to 1996 (``*`` or empty), Effective Date, Deletion
        Date (``*`` or empty for none), Modifier (0, 1 or 9) and the PTP Edit
        Rationale. Dates are ``YYYYMMDD``, as in the CMS PTP files.

        A row whose code soapbill's :class:`~soapbill.codes.cpt.CptCode` does not accept (a shape
        CMS may add later) cannot match any claim line, so it is skipped. A path is read as
        UTF-8, or Latin-1 when it is not valid UTF-8.

        The rows go straight into the table's arrays: loading the two million
        rows of a full table takes about 2.3 times what Python's ``csv``
        module takes to read them (docs/performance.md).

        Args:
            sources: One or more files (CMS splits the practitioner table
                into several).
            codes: If given, keep only edits whose two codes are both in it:
                a practice that bills twenty codes needs a few hundred of
                the million and more rows.
            quarter: The NCCI quarter the files are of (``2026Q3``); a policy
                that names its quarter takes only a table of that quarter
                (:meth:`soapbill.rules.policy.PayerPolicy.with_edits`).

        Raises:
            ValidationError: A row is malformed; the path names the source
                (when there are several), the 1-based line number and the
                column, such as ``line[12].effective_date``.

        .. versionadded:: 0.1.0
        """
        wanted = _cms_files.wanted_codes(codes)
        quarter = _check_quarter(quarter)
        columns = _PtpColumns()

        def fill(rows: Rows) -> None:
            columns.begin()
            _read_ptp(rows, wanted, columns)

        _cms_files.read(sources, fill, columns.rollback)
        return columns.table(quarter)

    @classmethod
    def sample(cls) -> PtpEdits:
        """
        Load the small sample of PTP pairs that ships with soapbill.

        It holds only pairs whose modifier indicator public sources state
        (97140 / 97530: WebPT, "How to handle modifier 59 denials for 97530
        and 97140"; 97124, 97140, 97112 as column 2 of the chiropractic
        manipulation codes 98940-98942: Chiropractic Economics on modifier 59),
        with placeholder effective dates; the file's title rows name them. It
        is not the CMS table. No public CMS document found states whether
        97140 and 97124 are a PTP pair, so the sample does not hold that pair.

        .. versionadded:: 0.1.0
        """
        return cls.load(_cms_files.sample("ptp-sample.txt"))

    @property
    def edits(self) -> tuple[PtpEdit, ...]:
        """
        Every edit, built now, in the order of iteration (slow for a full table).
        """
        return tuple(self)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[PtpEdit]:
        rows = range(len(self._keys)) if self._given is None else self._given
        return map(self._edit, rows)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, PtpEdits)  # noqa: S101 - for the type checker
        if self._keys != other._keys or self.quarter != other.quarter:
            return False
        # Rows of one pair may come in another order: compare them as sets.
        return sorted(self._rows()) == sorted(other._rows())

    def __hash__(self) -> int:
        return hash((self._keys.tobytes(), self.quarter))

    def _rows(self) -> Iterator[tuple[int, int, int, int, str]]:
        rationales = self._rationales
        for key, tail in zip(self._keys, self._tails, strict=True):
            flag, effective, deleted, note = self._tail_values[tail]
            yield key, flag, effective, deleted, rationales[note] or ""

    def __repr__(self) -> str:
        return f"PtpEdits(<{len(self)} edits>, quarter={self.quarter!r})"

    def _edit(self, row: int) -> PtpEdit:
        key = self._keys[row]
        flags, effective, deleted, note = self._tail_values[self._tails[row]]
        return PtpEdit(
            column1=_code(key >> _CODE_BITS),
            column2=_code(key & ((1 << _CODE_BITS) - 1)),
            effective=date.fromordinal(effective),
            deleted=date.fromordinal(deleted) if deleted else None,
            indicator=_BIT_INDICATORS[flags & _INDICATOR_MASK],
            prior_1996=bool(flags & _PRIOR_1996_BIT),
            rationale=self._rationales[note],
        )

    def union(self, other: PtpEdits) -> PtpEdits:
        """
        A table of the rows of both tables, of this table's quarter.

        Raises:
            ValidationError: *other* is not a :class:`PtpEdits`.

        .. versionadded:: 0.1.0
        """
        check_instance(other, PtpEdits, "other")
        if not len(other):
            return self
        columns = _PtpColumns()
        columns.rationales = {r: i for i, r in enumerate(self._rationales)}
        columns.tail_numbers = {t: i for i, t in enumerate(self._tail_values)}
        notes = [columns.note(r) for r in other._rationales]
        tails = [
            columns.tail(flag, effective, deleted, notes[note])
            for flag, effective, deleted, note in other._tail_values
        ]
        columns.keys = self._keys + other._keys
        columns.tails = self._tails + array("I", map(tails.__getitem__, other._tails))
        return columns.table(self.quarter, keep_order=False)

    def find(self, column1: CptCode, column2: CptCode, on: date) -> PtpEdit | None:
        """
        Return the edit of a pair that applies on a date, or ``None``.

        Raises:
            ValidationError: An argument has the wrong type; the path names it.
        """
        check_instance(column1, CptCode, "column1")
        check_instance(column2, CptCode, "column2")
        check_date(on, "on")
        row = self._find(_number(column1) << _CODE_BITS | _number(column2), on.toordinal())
        return None if row is None else self._edit(row)

    def _find(self, key: int, day: int) -> int | None:
        keys = self._keys
        low = bisect.bisect_left(keys, key)
        best = None
        best_effective = -1
        tails, values = self._tails, self._tail_values
        for row in range(low, bisect.bisect_right(keys, key, low)):
            flags, start, end, _ = values[tails[row]]
            # The PtpEdit.applies_on reading, on ordinals.
            if flags & _INDICATOR_MASK == _NOT_APPLICABLE_BITS:
                continue
            if day < start or (end and day > end) or start <= best_effective:
                continue
            best, best_effective = row, start
        return best

    def check(self, lines: Sequence[ServiceLine]) -> tuple[PtpConflict, ...]:
        """
        Find the pairs among a claim's lines.

        Only lines of the same date of service are paired. An edit with
        indicator 1 is bypassed when the column-2 line carries 59, XE, XS, XP
        or XU (the modifier goes on the column-2 code, CMS MLN1783722); one with
        indicator 0 never is. Bypassed pairs are reported too, with
        ``bypassed=True``. Each column-2 line is reported once per edit,
        against the first column-1 line of its date.

        Args:
            lines: The claim's lines; indices in the result refer to them.

        Returns:
            The conflicts, by column-2 line index, then column-1 line index.

        Raises:
            ValidationError: *lines* is not an iterable of service lines.

        .. versionadded:: 0.1.0
        """
        lines = tuple_of(lines, ServiceLine, "lines")
        conflicts: list[PtpConflict] = []
        if not self._keys:
            return ()
        numbers = [_number(line.code) for line in lines]
        days = [line.date_of_service.toordinal() for line in lines]
        for i, line in enumerate(lines):
            reported: set[int] = set()
            for j in range(len(lines)):
                if i == j or days[j] != days[i] or numbers[j] in reported:
                    continue
                row = self._find(numbers[j] << _CODE_BITS | numbers[i], days[i])
                if row is None:
                    continue
                reported.add(numbers[j])
                conflicts.append(_conflict(self._edit(row), i, j, line))
        return tuple(conflicts)


def _ptp_from_bytes(  # noqa: PLR0917 - one argument per column
    keys: bytes,
    tails: bytes,
    tail_values: tuple[_Tail, ...],
    rationales: tuple[str | None, ...],
    quarter: str | None,
    given: bytes | None,
) -> PtpEdits:
    return PtpEdits._from_columns(  # noqa: SLF001
        _array("q", keys),
        _array("I", tails),
        tail_values,
        rationales,
        quarter,
        None if given is None else _array("I", given),
    )


def _array(typecode: str, data: bytes) -> array[int]:
    column = array(typecode)
    column.frombytes(data)
    return column


def _conflict(edit: PtpEdit, i: int, j: int, line: ServiceLine) -> PtpConflict:
    # CMS MLN1783722: indicator 1 may be bypassed by 59 or an X{EPSU}
    # modifier on the column-2 code; indicator 0 never.
    modifier = None
    if edit.indicator is ModifierIndicator.ALLOWED:
        modifier = next((m for m in line.modifiers if m.value in DISTINCT_SERVICE), None)
    return PtpConflict(
        line_index=i,
        column1_index=j,
        column1=edit.column1,
        column2=edit.column2,
        date_of_service=line.date_of_service,
        indicator=edit.indicator,
        bypassed=modifier is not None,
        modifier=modifier,
        rationale=edit.rationale,
    )


# --- MUE limits ------------------------------------------------------------------------


class MueAdjudication(Choice):
    """
    The MUE adjudication indicator (MAI) of the CMS MUE files; values are CMS's codes.

    .. versionadded:: 0.1.0
    """

    #: A claim-line edit, each line on its own.
    CLAIM_LINE = "1"
    #: Date-of-service edit based on policy.
    DATE_OF_SERVICE_POLICY = "2"
    #: Date-of-service edit based on clinical data.
    DATE_OF_SERVICE_CLINICAL = "3"

    @property
    def per_date(self) -> bool:
        """
        Whether the limit counts all lines of a code on one date together.
        """
        return self is not MueAdjudication.CLAIM_LINE


@model
class MueLimit:
    """
    The MUE of one code.

    Attributes:
        code: The procedure code.
        max_units: The most units per date of service (or per line, for a
            claim-line edit).
        adjudication: How the limit is counted.
        rationale: CMS's reason for the value.

    .. versionadded:: 0.1.0
    """

    code: CptCode
    max_units: int = attrs.field(metadata=rules(ge=0, le=9999))
    adjudication: MueAdjudication
    rationale: str | None = attrs.field(default=None, metadata=_RATIONALE)


class MueStatus(Choice):
    """
    The outcome of an MUE check.

    .. versionadded:: 0.1.0
    """

    WITHIN_LIMIT = "within_limit"
    OVER_LIMIT = "over_limit"
    #: No MUE value is loaded for the code, so nothing was checked.
    NOT_CHECKED = "not_checked"


@model
class MueResult:
    """
    The MUE check of one code on one date (or of one line, for a claim-line edit).

    Attributes:
        status: Within, over, or not checked.
        code: The procedure code.
        date_of_service: The date.
        line_indices: The claim lines counted.
        units: Their units.
        limit: The limit applied, ``None`` when not checked.

    .. versionadded:: 0.1.0
    """

    status: MueStatus
    code: CptCode
    date_of_service: date
    line_indices: tuple[int, ...] = attrs.field(metadata=rules(min_len=1))
    units: int = attrs.field(metadata=rules(ge=0))
    limit: MueLimit | None = None

    @property
    def excess(self) -> int:
        """
        The units above the limit (``0`` when within it or not checked).
        """
        if self.limit is None:
            return 0
        return max(0, self.units - self.limit.max_units)


def _limits_tuple(value: Iterable[MueLimit]) -> tuple[MueLimit, ...]:
    return cast("tuple[MueLimit, ...]", as_tuple(value, "limits", "MueLimit values"))


_ADJUDICATION_CODES: Final = tuple(MueAdjudication)


class _MueColumns:
    """
    The growing columns of an MUE table, one row per code, then sorted by code.
    """

    def __init__(self) -> None:
        self.codes = array("i")
        self.values = array("H")
        self.adjudications = bytearray()
        self.notes = array("I")
        self.rationales: dict[str | None, int] = {None: 0}
        self.seen: set[int] = set()
        self._mark = 0

    def begin(self) -> None:
        self._mark = len(self.codes)

    def rollback(self) -> None:
        mark = self._mark
        self.seen.difference_update(self.codes[mark:])
        for column in (self.codes, self.values, self.adjudications, self.notes):
            del column[mark:]

    def add(
        self, number: int, value: int, adjudication: MueAdjudication, rationale: str | None
    ) -> bool:
        """
        Add a row; ``False`` when the code has one already.
        """
        if number in self.seen:
            return False
        self.seen.add(number)
        self.codes.append(number)
        self.values.append(value)
        self.adjudications.append(_ADJUDICATION_CODES.index(adjudication))
        self.notes.append(self.rationales.setdefault(rationale, len(self.rationales)))
        return True

    def table(self, quarter: str | None) -> MueLimits:
        codes = self.codes
        order = sorted(range(len(codes)), key=codes.__getitem__)
        return MueLimits._from_columns(  # noqa: SLF001
            array("i", map(codes.__getitem__, order)),
            array("H", map(self.values.__getitem__, order)),
            bytes(map(self.adjudications.__getitem__, order)),
            array("I", map(self.notes.__getitem__, order)),
            tuple(self.rationales),
            quarter,
            _inverse(order),
        )


class MueLimits:
    """
    A table of MUE values, one per code: compact, immutable, a value.

    The table of one quarter applies to dates of service in that quarter:
    choose the table for the claim's dates. An empty table checks nothing.
    Like :class:`PtpEdits`, it keeps its rows as flat arrays sorted by code,
    builds each :class:`MueLimit` when asked, and pickles as a few byte
    strings; iteration goes in the order given.

    Args:
        limits: The limits, at most one per code.
        quarter: The NCCI quarter the table is of (``2026Q3``), if known.

    Raises:
        ValidationError: *limits* is not an iterable of :class:`MueLimit`, a
            code has two, or *quarter* is not ``YYYYQn``.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
       Compact storage; the *quarter*.
    """

    __slots__ = (
        "_adjudications",
        "_codes",
        "_given",
        "_notes",
        "_rationales",
        "_values",
        "quarter",
    )

    _codes: array[int]
    _values: array[int]
    _adjudications: bytes
    _notes: array[int]
    _rationales: tuple[str | None, ...]
    #: The sorted place of each row in the order given.
    _given: array[int]
    #: The NCCI quarter of the table (``2026Q3``), or ``None``.
    quarter: str | None

    __setattr__ = _frozen_setattr

    def __init__(self, limits: Iterable[MueLimit] = (), *, quarter: str | None = None) -> None:
        columns = _MueColumns()
        for i, limit in enumerate(_limits_tuple(limits)):
            if not isinstance(limit, MueLimit):
                raise ValidationError.single(f"limits[{i}]", "invalid_type", "expected a MueLimit")
            if not columns.add(
                _number(limit.code), limit.max_units, limit.adjudication, limit.rationale
            ):
                raise ValidationError.single(
                    f"limits[{i}].code", "duplicate", "a code has one MUE value"
                )
        built = columns.table(_check_quarter(quarter))
        for name in MueLimits.__slots__:
            object.__setattr__(self, name, getattr(built, name))

    @classmethod
    def _from_columns(  # noqa: PLR0917 - one argument per column
        cls,
        codes: array[int],
        values: array[int],
        adjudications: bytes,
        notes: array[int],
        rationales: tuple[str | None, ...],
        quarter: str | None,
        given: array[int],
    ) -> MueLimits:
        return _built(
            cls,
            _codes=codes,
            _values=values,
            _adjudications=adjudications,
            _notes=notes,
            _rationales=rationales,
            quarter=quarter,
            _given=given,
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _mue_from_bytes,
            (
                self._codes.tobytes(),
                self._values.tobytes(),
                self._adjudications,
                self._notes.tobytes(),
                self._rationales,
                self.quarter,
                self._given.tobytes(),
            ),
        )

    @classmethod
    def load(
        cls, *sources: Source, codes: Iterable[CptCode] | None = None, quarter: str | None = None
    ) -> MueLimits:
        """
        Load CMS practitioner MUE files, as CMS publishes them.

        Sources are read as by :meth:`PtpEdits.load`. The header row is the
        first whose first cell starts with ``HCPCS``; its columns are found by
        name: the code (``HCPCS/CPT Code``), the value (``... MUE Values``),
        the ``MUE Adjudication Indicator`` (a cell such as ``3 Date of Service
        Edit: Clinical``: its leading digit counts) and the ``MUE Rationale``.

        Args:
            sources: One or more files.
            codes: If given, keep only these codes.
            quarter: The NCCI quarter the files are of (``2026Q3``).

        Raises:
            ValidationError: A row is malformed, or a code has two values.

        .. versionadded:: 0.1.0
        """
        wanted = _cms_files.wanted_codes(codes)
        quarter = _check_quarter(quarter)
        columns = _MueColumns()

        def fill(rows: Rows) -> None:
            columns.begin()
            for line, number, value, adjudication, rationale in _mue_rows(rows, wanted):
                if not columns.add(number, value, adjudication, rationale):
                    raise row_error(line, "code", "duplicate", "a code has one MUE value")

        _cms_files.read(sources, fill, columns.rollback)
        return columns.table(quarter)

    @classmethod
    def sample(cls) -> MueLimits:
        """
        Load the small sample of MUE values that ships with soapbill.

        The values are from a 2017 practitioner table, as Functional Pathways
        reproduced it ("Medically Unlikely Edits", 2017), and may be outdated.
        It is not the CMS table.

        .. versionadded:: 0.1.0
        """
        return cls.load(_cms_files.sample("mue-sample.csv"))

    @property
    def limits(self) -> tuple[MueLimit, ...]:
        """
        Every limit, built now, in the order given.
        """
        return tuple(self)

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[MueLimit]:
        return map(self._limit, self._given)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, MueLimits)  # noqa: S101 - for the type checker
        return (
            self._codes == other._codes
            and self._values == other._values
            and self._adjudications == other._adjudications
            and self.quarter == other.quarter
            and self._rationale_column() == other._rationale_column()
        )

    def _rationale_column(self) -> list[str | None]:
        return list(map(self._rationales.__getitem__, self._notes))

    def __hash__(self) -> int:
        return hash((self._codes.tobytes(), self._values.tobytes(), self.quarter))

    def __repr__(self) -> str:
        return f"MueLimits(<{len(self)} limits>, quarter={self.quarter!r})"

    def _limit(self, row: int) -> MueLimit:
        return MueLimit(
            code=_code(self._codes[row]),
            max_units=self._values[row],
            adjudication=_ADJUDICATION_CODES[self._adjudications[row]],
            rationale=self._rationales[self._notes[row]],
        )

    def overlaid(self, limits: Iterable[MueLimit]) -> MueLimits:
        """
        This table with *limits* in place of its own values for their codes.

        Raises:
            ValidationError: *limits* is not an iterable of :class:`MueLimit`,
                or names a code twice.

        .. versionadded:: 0.1.0
        """
        own = MueLimits(limits)
        if not len(own):
            return self
        mine = [limit for limit in self if own._row(_number(limit.code)) is None]
        return MueLimits([*mine, *own], quarter=self.quarter)

    def _row(self, number: int) -> int | None:
        row = bisect.bisect_left(self._codes, number)
        if row < len(self._codes) and self._codes[row] == number:
            return row
        return None

    def get(self, code: CptCode) -> MueLimit | None:
        """
        Return the limit of a code, or ``None`` when the table has none.

        Raises:
            ValidationError: *code* is not a CptCode.
        """
        check_instance(code, CptCode, "code")
        row = self._row(_number(code))
        return None if row is None else self._limit(row)

    def check(self, lines: Sequence[ServiceLine]) -> tuple[MueResult, ...]:
        """
        Check a claim's units against the limits.

        A date-of-service edit (MAI 2 or 3) adds the units of every line of the
        code on the date; a claim-line edit (MAI 1) checks each line. A code
        without a value gives one :attr:`MueStatus.NOT_CHECKED` result per
        date.

        Args:
            lines: The claim's lines; indices in the result refer to them.

        Returns:
            One result per code and date (per line for claim-line edits), in
            the order of their first line.

        Raises:
            ValidationError: *lines* is not an iterable of service lines.

        .. versionadded:: 0.1.0
        """
        lines = tuple_of(lines, ServiceLine, "lines")
        groups: dict[tuple[CptCode, date], list[int]] = {}
        for i, line in enumerate(lines):
            groups.setdefault((line.code, line.date_of_service), []).append(i)
        limits: dict[CptCode, MueLimit | None] = {}
        results = []
        for (code, day), indices in groups.items():
            if code not in limits:
                row = self._row(_number(code))
                limits[code] = None if row is None else self._limit(row)
            limit = limits[code]
            if limit is None or limit.adjudication.per_date:
                results.append(_mue_result(code, day, indices, lines, limit))
            else:
                results.extend(_mue_result(code, day, [i], lines, limit) for i in indices)
        return tuple(sorted(results, key=lambda r: r.line_indices[0]))


def _mue_from_bytes(  # noqa: PLR0917 - one argument per column
    codes: bytes,
    values: bytes,
    adjudications: bytes,
    notes: bytes,
    rationales: tuple[str | None, ...],
    quarter: str | None,
    given: bytes,
) -> MueLimits:
    return MueLimits._from_columns(  # noqa: SLF001
        _array("i", codes),
        _array("H", values),
        adjudications,
        _array("I", notes),
        rationales,
        quarter,
        _array("I", given),
    )


def _mue_result(
    code: CptCode,
    day: date,
    indices: list[int],
    lines: Sequence[ServiceLine],
    limit: MueLimit | None,
) -> MueResult:
    units = sum(lines[i].units for i in indices)
    if limit is None:
        status = MueStatus.NOT_CHECKED
    elif units > limit.max_units:
        status = MueStatus.OVER_LIMIT
    else:
        status = MueStatus.WITHIN_LIMIT
    return MueResult(
        status=status,
        code=code,
        date_of_service=day,
        line_indices=tuple(indices),
        units=units,
        limit=limit,
    )


# --- the layouts of the CMS practitioner files -----------------------------------------

_MUE_VALUE: Final = re.compile(r"[0-9]{1,4}").fullmatch
_MAI: Final = re.compile(r"([123])(?:[^0-9].*)?", re.DOTALL).fullmatch
#: Column 1, Column 2, prior to 1996, Effective Date, Deletion Date, Modifier.
_PTP_REQUIRED: Final = 6
_RATIONALE_CELL: Final = 6
#: A data line split at its first two tabs: two codes and the rest.
_SPLIT: Final = 3
#: The two code cells that start every data row.
_CODE_CELLS: Final = 2
_PRIOR_1996: Final = MappingProxyType({"*": _PRIOR_1996_BIT, "": 0})
_INDICATORS: Final = MappingProxyType({m.value: _INDICATOR_BITS[m] for m in ModifierIndicator})
_NO_DATE: Final = frozenset({"*", ""})
_ADJUDICATIONS: Final = MappingProxyType({m.value: m for m in MueAdjudication})
#: A stand-in pair to check a rationale with PtpEdit's own field rules.
_SOME_CODE: Final = "97140"
#: What a refused row gives in place of a code: skip the row.
_SKIP: Final = -1


def _is_ptp_header(row: list[str]) -> bool:
    return len(row) > 1 and (norm(row[0]), norm(row[1])) == ("column1", "column2")


class _PtpCells:
    """
    The cells of the PTP files already read, each with what it stands for.

    CMS files repeat a few thousand codes, a few hundred dates and a few dozen
    rationales over millions of rows: each distinct cell is checked once.
    """

    def __init__(self, wanted: frozenset[str] | None, columns: _PtpColumns) -> None:
        self.wanted = wanted
        self.columns = columns
        self.codes: dict[str, int] = {}
        self.code_values: dict[str, CptCode] = {}
        self.effective: dict[str, int] = {}
        self.deleted: dict[str, int] = dict.fromkeys(_NO_DATE, 0)
        self.dates: dict[str, date] = {}
        self.notes: dict[str, int] = {}
        #: The text after the second tab of a line, and its tail's number.
        self.tails: dict[str, int] = {}

    def code(self, raw: str, cell: str, line: int, column: str) -> int:
        code = cms_code(cell, line, column, self.wanted, self.code_values)
        number = _SKIP if code is None else _number(code)
        self.codes[raw] = number
        return number

    def note(self, raw: str, cell: str, line: int) -> int:
        rationale = cell or None
        if rationale is not None:
            try:
                PtpEdit(
                    column1=CptCode(_SOME_CODE),
                    column2=CptCode(_SOME_CODE),
                    effective=date.min,
                    indicator=ModifierIndicator.ALLOWED,
                    rationale=rationale,
                )
            except ValidationError as error:
                raise error.prefixed(f"line[{line}]") from None
        note = self.notes[raw] = self.columns.note(rationale)
        return note

    def add(  # noqa: PLR0917 - one argument per column
        self, column1: int, column2: int, flag: int, effective: int, deleted: int, note: int
    ) -> int:
        """
        Add a row read from a file (not when a code is not wanted); its tail's number.
        """
        tail = self.columns.tail(flag, effective, deleted, note)
        if column1 >= 0 and column2 >= 0:
            self.columns.keys.append(column1 << _CODE_BITS | column2)
            self.columns.tails.append(tail)
        return tail

    def row(self, raw: list[str], line: int) -> tuple[int, int, int, int, int, int] | None:
        """
        Read a row the fast loop could not: ``None`` for a row to pass over.
        """
        row = [cell.strip() for cell in raw]
        if len(row) < _CODE_CELLS or not (row[0] or row[1]):
            return None  # a blank row, or a header continuation row
        if len(row) < _PTP_REQUIRED:
            raise ValidationError.single(
                f"line[{line}]", "missing_columns", "the row has too few columns"
            )
        column1 = self.codes.get(raw[0])
        if column1 is None:
            column1 = self.code(raw[0], row[0], line, "column_1")
        column2 = self.codes.get(raw[1])
        if column2 is None:
            column2 = self.code(raw[1], row[1], line, "column_2")
        prior = choice(row[2], line, "prior_1996", _PRIOR_1996, "expected * or nothing")
        effective = self.effective.get(raw[3])
        if effective is None:
            day = cms_date(row[3], line, "effective_date", self.dates)
            effective = self.effective[raw[3]] = day.toordinal()
        deleted = self.deleted.get(raw[4])
        if deleted is None:
            day = cms_date(row[4], line, "deletion_date", self.dates)
            deleted = self.deleted[raw[4]] = day.toordinal()
        indicator = choice(row[5], line, "modifier", _INDICATORS, "expected 0, 1 or 9")
        raw_note = raw[_RATIONALE_CELL] if len(raw) > _RATIONALE_CELL else ""
        note = self.notes.get(raw_note)
        if note is None:
            cell = row[_RATIONALE_CELL] if len(row) > _RATIONALE_CELL else ""
            note = self.note(raw_note, cell, line)
        return column1, column2, indicator | prior, effective, deleted, note


def _read_ptp(rows: Rows, wanted: frozenset[str] | None, columns: _PtpColumns) -> None:
    reader = rows.reader
    for raw in reader:
        if _is_ptp_header([cell.strip() for cell in raw]):
            break
    else:
        raise ValidationError.single("", "no_header", "no header row found")
    cells = _PtpCells(wanted, columns)
    if rows.delimiter == "\t":
        _read_lines(rows.lines, reader.line_num, cells)
    else:
        _read_rows(reader, 0, cells)


def _read_rows(reader: Iterator[list[str]], offset: int, cells: _PtpCells) -> None:
    """
    Add the rows the csv module reads; *offset* lines come before the reader's first.
    """
    for raw in reader:
        read = cells.row(raw, offset + reader.line_num)  # type: ignore[attr-defined]
        if read is not None:
            cells.add(*read)


def _read_lines(lines: Iterator[str], before: int, cells: _PtpCells) -> None:
    """
    Add the rows of the tab-separated lines below the header.

    CMS's PTP files quote nothing: a line without a quote is its cells split
    at the tabs, as the csv module would read it, and the loop of a million
    such lines costs three dictionary lookups a line. The last cells of a
    line (indicator, dates, rationale) repeat from line to line: they are
    looked up as one text. The first line that holds a quote (or a NUL,
    which the csv module refuses) hands itself and the rest to the csv
    module.
    """
    codes, tails = cells.codes, cells.tails
    add_key, add_tail = cells.columns.keys.append, cells.columns.tails.append
    number = before
    for line in lines:
        number += 1
        parts = line.split("\t", 2)
        if len(parts) == _SPLIT:
            column1 = codes.get(parts[0])
            column2 = codes.get(parts[1])
            tail = tails.get(parts[2])
            if column1 is not None and column2 is not None and tail is not None:
                if column1 >= 0 and column2 >= 0:
                    add_key(column1 << _CODE_BITS | column2)
                    add_tail(tail)
                continue
        # A cell not seen before. The caches hold cells of lines without
        # quotes and NULs only, so such a line always comes here.
        if '"' in line or "\0" in line:
            _read_quoted(itertools.chain((line,), lines), number - 1, cells)
            return
        # Check every cell, name any it refuses.
        read = cells.row(line.rstrip("\r\n").split("\t"), number)
        if read is None:
            continue
        tail = cells.add(*read)
        if len(parts) == _SPLIT:
            tails[parts[2]] = tail


def _read_quoted(lines: Iterator[str], before: int, cells: _PtpCells) -> None:
    reader = csv.reader(lines, delimiter="\t")
    try:
        _read_rows(reader, before, cells)
    except csv.Error:
        line = before + reader.line_num
    else:
        return
    raise ValidationError.single(f"line[{line}]", "invalid_csv", "the row is not valid CSV")


def _mue_columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = norm(cell)
        if name.startswith("hcpcs"):
            found.setdefault("code", i)
        elif "muevalue" in name:
            found.setdefault("mue_value", i)
        elif "adjudicationindicator" in name:
            found.setdefault("adjudication", i)
        elif "rationale" in name:
            found.setdefault("rationale", i)
    for name in ("mue_value", "adjudication"):
        if name not in found:
            raise ValidationError.single(name, "missing_column", "the header lacks a column")
    return found


def _is_mue_header(row: list[str]) -> bool:
    return bool(row) and norm(row[0]).startswith("hcpcs")


def _mue_rows(
    rows: Rows, wanted: frozenset[str] | None
) -> Iterator[tuple[int, int, int, MueAdjudication, str | None]]:
    columns: dict[str, int] | None = None
    codes: dict[str, CptCode] = {}
    checked: set[str | None] = set()
    for line, header, row in data_rows(rows, _is_mue_header):
        if columns is None:
            columns = _mue_columns(header)
        if len(row) <= max(columns.values()):
            raise ValidationError.single(
                f"line[{line}]", "missing_columns", "the row has too few columns"
            )
        code = cms_code(row[columns["code"]], line, "code", wanted, codes)
        value = row[columns["mue_value"]]
        if _MUE_VALUE(value) is None:
            raise row_error(line, "mue_value", "invalid_format", "an MUE value is a whole number")
        mai = _MAI(row[columns["adjudication"]])
        if mai is None:
            raise row_error(line, "adjudication", "invalid_choice", "expected 1, 2 or 3 first")
        rationale = (row[columns["rationale"]] if "rationale" in columns else "") or None
        if code is None:
            continue
        adjudication = _ADJUDICATIONS[mai.group(1)]
        if rationale not in checked:
            # MueLimit's own field rules, once for each distinct rationale.
            try:
                MueLimit(code=code, max_units=0, adjudication=adjudication, rationale=rationale)
            except ValidationError as error:
                raise error.prefixed(f"line[{line}]") from None
            checked.add(rationale)
        yield line, _number(code), int(value), adjudication, rationale
