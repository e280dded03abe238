"""
Coding edits: NCCI procedure-to-procedure pairs, MUE limits, and Medicare specifics.

CMS publishes its National Correct Coding Initiative edits every quarter as
data (DOMAIN.md 3.1-3.3), and soapbill treats them as data too:

* :class:`PtpEdits` holds procedure-to-procedure (PTP) pairs. When both codes
  of a pair are billed on one date, the column-2 code is denied unless its
  modifier indicator is 1 and the column-2 line carries 59, XE, XS, XP or XU.
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

Medicare specifics live here as data too: the KX modifier thresholds
(:data:`KX_THRESHOLDS`, :func:`needs_kx`), the therapy plan-of-care modifier of
each :class:`Discipline`, and the codes with a given Medicare fee-schedule
status (97010 is bundled, status B).

>>> from datetime import date
>>> from decimal import Decimal
>>> needs_kx(Decimal("2500.00"), 2025, Discipline.PT)
True
>>> edits = PtpEdits.sample()
>>> edits.find(CptCode("97140"), CptCode("97530"), date(2026, 3, 3)).indicator
<ModifierIndicator.ALLOWED: '1'>

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import csv
import enum
import io
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from importlib import resources
from types import MappingProxyType
from typing import Final, TextIO, TypeVar, cast

import attrs

from soapbill._arguments import as_tuple, check_date, check_instance, invalid_type, tuple_of
from soapbill._fields import rules
from soapbill._model import model
from soapbill._validators import validate_money
from soapbill.claims import ServiceLine
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CptCode, MedicareStatus
from soapbill.codes.modifiers import DISTINCT_SERVICE, Modifier
from soapbill.errors import SoapbillError, ValidationError

__all__ = [
    "KX_THRESHOLDS",
    "Discipline",
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
    "UnknownThresholdError",
    "lines_missing_plan_modifier",
    "lines_with_medicare_status",
    "needs_kx",
]

#: What the loaders read: a path, or a text stream.
Source = str | os.PathLike[str] | TextIO

_T = TypeVar("_T")
_RATIONALE = rules(max_len=500)


# --- PTP edits -------------------------------------------------------------------------


class ModifierIndicator(enum.StrEnum):
    """
    The correct coding modifier indicator of a PTP edit (MLN1783722 via DOMAIN.md 3.1).

    The values are CMS's codes.

    .. versionadded:: 0.1.0
    """

    #: No modifier bypasses the edit.
    NOT_ALLOWED = "0"
    #: 59, XE, XS, XP or XU on the column-2 line may bypass it.
    ALLOWED = "1"
    #: Not applicable: the edit is deleted and never applies.
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
            ignored after it; ``None`` while it is in force.
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


def _edits_tuple(value: Iterable[PtpEdit]) -> tuple[PtpEdit, ...]:
    return cast("tuple[PtpEdit, ...]", as_tuple(value, "edits", "PtpEdit values"))


def _index_edits(edits: tuple[PtpEdit, ...]) -> Mapping[tuple[CptCode, CptCode], list[PtpEdit]]:
    index: dict[tuple[CptCode, CptCode], list[PtpEdit]] = {}
    for i, edit in enumerate(edits):
        if not isinstance(edit, PtpEdit):
            raise ValidationError.single(f"edits[{i}]", "invalid_type", "expected a PtpEdit")
        index.setdefault((edit.column1, edit.column2), []).append(edit)
    return index


@attrs.frozen
class PtpEdits:
    """
    A table of procedure-to-procedure edits.

    Build it from :class:`PtpEdit` s, or :meth:`load` the CMS practitioner
    files. A pair may have several rows (an edit deleted and added again); on
    a date the row in force with the latest effective date applies.

    Args:
        edits: The edits.

    .. versionadded:: 0.1.0
    """

    edits: tuple[PtpEdit, ...] = attrs.field(default=(), converter=_edits_tuple)
    _index: Mapping[tuple[CptCode, CptCode], list[PtpEdit]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", _index_edits(self.edits))

    @classmethod
    def load(cls, *sources: Source, codes: Iterable[CptCode] | None = None) -> PtpEdits:
        """
        Load CMS practitioner PTP files, as CMS publishes them.

        Each source is a path or a text stream, comma- or tab-separated (a
        source with a tab in its first 64 KiB is read as tab-separated). Rows
        above the header row (whose first two cells are ``Column 1`` and
        ``Column 2``) are title rows and skipped, as are blank rows and header
        continuation rows (first two cells empty). The columns are CMS's, in
        CMS's order: Column 1, Column 2, in existence prior to 1996 (``*`` or
        empty), Effective Date, Deletion Date (``*`` or empty for none),
        Modifier (0, 1 or 9) and the PTP Edit Rationale. Dates are
        ``YYYYMMDD``, as in the CMS PTP files.

        A row whose code soapbill's :class:`CptCode` does not accept (a shape
        CMS may add later) cannot match any claim line, so it is skipped. A path is read as
        UTF-8, or Latin-1 when it is not valid UTF-8.

        Args:
            sources: One or more files (CMS splits the practitioner table
                into several).
            codes: If given, keep only edits whose two codes are both in it:
                a practice that bills twenty codes needs a few hundred of
                the million and more rows.

        Raises:
            ValidationError: A row is malformed; the path names the source
                (when there are several), the 1-based line number and the
                column, such as ``line[12].effective_date``.

        .. versionadded:: 0.1.0
        """
        wanted = _wanted(codes)
        return cls(_load_all(sources, lambda rows: _ptp_rows(rows, wanted)))

    @classmethod
    def sample(cls) -> PtpEdits:
        """
        Load the small sample of PTP pairs that ships with soapbill.

        It holds only pairs whose modifier indicator public sources state
        (DOMAIN.md 3.2: 97140 / 97530, and 97124, 97140, 97112 as column 2 of
        the chiropractic manipulation codes 98940-98942), with placeholder
        effective dates. It is not the CMS table.

        .. versionadded:: 0.1.0
        """
        return cls.load(_data("ptp-sample.txt"))

    def __len__(self) -> int:
        return len(self.edits)

    def __iter__(self) -> Iterator[PtpEdit]:
        return iter(self.edits)

    def find(self, column1: CptCode, column2: CptCode, on: date) -> PtpEdit | None:
        """
        Return the edit of a pair that applies on a date, or ``None``.

        Raises:
            ValidationError: An argument has the wrong type; the path names it.
        """
        check_instance(column1, CptCode, "column1")
        check_instance(column2, CptCode, "column2")
        check_date(on, "on")
        return self._find(column1, column2, on)

    def _find(self, column1: CptCode, column2: CptCode, on: date) -> PtpEdit | None:
        candidates = [e for e in self._index.get((column1, column2), ()) if e.applies_on(on)]
        return max(candidates, key=lambda e: e.effective, default=None)

    def check(self, lines: Sequence[ServiceLine]) -> tuple[PtpConflict, ...]:
        """
        Find the pairs among a claim's lines.

        Only lines of the same date of service are paired. An edit with
        indicator 1 is bypassed when the column-2 line carries 59, XE, XS, XP
        or XU (the modifier goes on the column-2 code, DOMAIN.md 3.1); one with
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
        for i, line in enumerate(lines):
            for j, other in enumerate(lines):
                if i == j or other.date_of_service != line.date_of_service:
                    continue
                edit = self._find(other.code, line.code, line.date_of_service)
                if edit is None or any(
                    c.line_index == i and c.column1 == other.code for c in conflicts
                ):
                    continue
                conflicts.append(_conflict(edit, i, j, line))
        return tuple(conflicts)


def _conflict(edit: PtpEdit, i: int, j: int, line: ServiceLine) -> PtpConflict:
    # CMS MLN1783722 via DOMAIN.md 3.1: indicator 1 may be bypassed by 59 or
    # an X{EPSU} modifier on the column-2 code; indicator 0 never.
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


class MueAdjudication(enum.StrEnum):
    """
    The MUE adjudication indicator (MAI), DOMAIN.md 3.3; values are CMS's codes.

    .. versionadded:: 0.1.0
    """

    #: Claim-line edit: each line on its own.
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


class MueStatus(enum.StrEnum):
    """
    The outcome of an MUE check.

    .. versionadded:: 0.1.0
    """

    WITHIN_LIMIT = "within_limit"
    OVER_LIMIT = "over_limit"
    #: No MUE value is loaded for the code: nothing was checked.
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


def _index_limits(limits: tuple[MueLimit, ...]) -> Mapping[CptCode, MueLimit]:
    index: dict[CptCode, MueLimit] = {}
    for i, limit in enumerate(limits):
        if not isinstance(limit, MueLimit):
            raise ValidationError.single(f"limits[{i}]", "invalid_type", "expected a MueLimit")
        if limit.code in index:
            raise ValidationError.single(
                f"limits[{i}].code", "duplicate", "a code has one MUE value"
            )
        index[limit.code] = limit
    return MappingProxyType(index)


@attrs.frozen
class MueLimits:
    """
    A table of MUE values, one per code.

    The table of one quarter applies to dates of service in that quarter:
    choose the table for the claim's dates. An empty table checks nothing.

    Args:
        limits: The limits, at most one per code.

    .. versionadded:: 0.1.0
    """

    limits: tuple[MueLimit, ...] = attrs.field(default=(), converter=_limits_tuple)
    _index: Mapping[CptCode, MueLimit] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", _index_limits(self.limits))

    @classmethod
    def load(cls, *sources: Source, codes: Iterable[CptCode] | None = None) -> MueLimits:
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

        Raises:
            ValidationError: A row is malformed, or a code has two values.

        .. versionadded:: 0.1.0
        """
        wanted = _wanted(codes)
        return cls(_load_all(sources, lambda rows: _mue_rows(rows, wanted)))

    @classmethod
    def sample(cls) -> MueLimits:
        """
        Load the small sample of MUE values that ships with soapbill.

        The values are from a 2017 practitioner table (DOMAIN.md 3.3) and may
        be outdated. It is not the CMS table.

        .. versionadded:: 0.1.0
        """
        return cls.load(_data("mue-sample.csv"))

    def __len__(self) -> int:
        return len(self.limits)

    def __iter__(self) -> Iterator[MueLimit]:
        return iter(self.limits)

    def get(self, code: CptCode) -> MueLimit | None:
        """
        Return the limit of a code, or ``None`` when the table has none.

        Raises:
            ValidationError: *code* is not a CptCode.
        """
        check_instance(code, CptCode, "code")
        return self._index.get(code)

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
        index = self._index
        groups: dict[tuple[CptCode, date], list[int]] = {}
        for i, line in enumerate(lines):
            groups.setdefault((line.code, line.date_of_service), []).append(i)
        results = []
        for (code, day), indices in groups.items():
            limit = index.get(code)
            if limit is None or limit.adjudication.per_date:
                results.append(_mue_result(code, day, indices, lines, limit))
            else:
                results.extend(_mue_result(code, day, [i], lines, limit) for i in indices)
        return tuple(sorted(results, key=lambda r: r.line_indices[0]))


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


# --- loading CMS files -----------------------------------------------------------------

_CMS_CODE: Final = re.compile(r"[0-9A-Z]{5}").fullmatch
_CMS_DATE: Final = re.compile(r"[0-9]{8}").fullmatch
_MUE_VALUE: Final = re.compile(r"[0-9]{1,4}").fullmatch
_MAI: Final = re.compile(r"([123])(?:[^0-9].*)?", re.DOTALL).fullmatch
_SNIFF_CHARS: Final = 65536
#: Column 1, Column 2, prior to 1996, Effective Date, Deletion Date, Modifier.
_PTP_REQUIRED: Final = 6


class _Rows:
    """
    The rows of one source, with the physical line number of each.
    """

    def __init__(self, stream: TextIO) -> None:
        head = stream.read(_SNIFF_CHARS)
        head += stream.readline()
        head = head.removeprefix("\ufeff")
        delimiter = "\t" if "\t" in head else ","
        self._reader = csv.reader(itertools.chain(io.StringIO(head), stream), delimiter=delimiter)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for row in self._reader:
                yield self._reader.line_num, [cell.strip() for cell in row]
        except csv.Error:
            path = f"line[{self._reader.line_num}]"
            raise ValidationError.single(path, "invalid_csv", "the row is not valid CSV") from None


def _data(name: str) -> TextIO:
    text = resources.files("soapbill.billing").joinpath("data").joinpath(name).read_text("utf-8")
    return io.StringIO(text)


def _load_all(sources: tuple[Source, ...], parse: Callable[[_Rows], Iterator[_T]]) -> list[_T]:
    if not sources:
        raise ValidationError.single("sources", "too_short", "give at least one source")
    items: list[_T] = []
    for k, source in enumerate(sources):
        try:
            items.extend(_load_one(source, parse))
        except ValidationError as error:
            raise (error.prefixed(f"sources[{k}]") if len(sources) > 1 else error) from None
    return items


def _load_one(source: Source, parse: Callable[[_Rows], Iterator[_T]]) -> list[_T]:
    if not isinstance(source, str | os.PathLike):
        if not isinstance(source, io.TextIOBase):
            raise ValidationError.single("", "invalid_type", "expected a path or a text stream")
        return list(parse(_Rows(source)))
    try:
        with open(source, encoding="utf-8", newline="") as stream:  # noqa: PTH123 - str or PathLike
            return list(parse(_Rows(stream)))
    except UnicodeDecodeError:
        pass
    # Older CMS files are Windows-1252; Latin-1 decodes any byte. Read outside
    # the handler, so that an error of a row does not chain the decoding
    # error, which quotes the file's bytes.
    with open(source, encoding="latin-1", newline="") as stream:  # noqa: PTH123
        return list(parse(_Rows(stream)))


def _norm(cell: str) -> str:
    return "".join(cell.split()).lower()


def _after_header(
    rows: _Rows, is_header: Callable[[list[str]], bool]
) -> Iterator[tuple[int, list[str], list[str]]]:
    """
    Yield ``(line, header, row)`` for each data row below the header row.
    """
    header: list[str] | None = None
    for line, row in rows:
        if header is None:
            if is_header(row):
                header = row
            continue
        if len(row) < 2 or not (row[0] or row[1]):  # noqa: PLR2004 - the two code cells
            continue  # a blank row or a header continuation row
        yield line, header, row
    if header is None:
        raise ValidationError.single("", "no_header", "no header row found")


def _error(line: int, column: str, code: str, message: str) -> ValidationError:
    return ValidationError.single(f"line[{line}].{column}", code, message)


def _cms_code(
    cell: str, line: int, column: str, wanted: frozenset[str] | None, cache: dict[str, CptCode]
) -> CptCode | None:
    text = cell.upper()
    code = cache.get(text)
    if code is not None:
        return code
    if _CMS_CODE(text) is None:
        raise _error(line, column, "invalid_format", "a procedure code is five characters")
    if wanted is not None and text not in wanted:
        return None
    try:
        code = cache[text] = CptCode(text)
    except ValidationError:
        return None  # a CMS code that no CptCode (and no claim) can hold
    return code


def _cms_date(cell: str, line: int, column: str) -> date:
    if _CMS_DATE(cell) is None:
        raise _error(line, column, "invalid_format", "a date is YYYYMMDD")
    try:
        return date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    except ValueError:
        raise _error(line, column, "invalid_date", "not a real calendar date") from None


def _choice(cell: str, line: int, column: str, choices: Mapping[str, _T], message: str) -> _T:
    # Looked up without a KeyError: it would quote the cell, and stay the
    # refusal's __context__ even raised "from None".
    if cell not in choices:
        raise _error(line, column, "invalid_choice", message)
    return choices[cell]


def _wanted(codes: object) -> frozenset[str] | None:
    if codes is None:
        return None
    wanted = as_tuple(codes, "codes", "CptCode values")
    for i, code in enumerate(wanted):
        if not isinstance(code, CptCode | str):
            raise invalid_type(f"codes[{i}]", "a CptCode")
    return frozenset(str(code) for code in wanted)


_PRIOR_1996: Final = MappingProxyType({"*": True, "": False})
_INDICATORS: Final = MappingProxyType({m.value: m for m in ModifierIndicator})
_NO_DATE: Final = frozenset({"*", ""})


def _is_ptp_header(row: list[str]) -> bool:
    return len(row) >= 2 and (_norm(row[0]), _norm(row[1])) == ("column1", "column2")  # noqa: PLR2004


def _ptp_rows(rows: _Rows, wanted: frozenset[str] | None) -> Iterator[PtpEdit]:
    codes: dict[str, CptCode] = {}
    dates: dict[str, date] = {}
    for line, _header, row in _after_header(rows, _is_ptp_header):
        if len(row) < _PTP_REQUIRED:
            raise ValidationError.single(
                f"line[{line}]", "missing_columns", "the row has too few columns"
            )
        column1 = _cms_code(row[0], line, "column_1", wanted, codes)
        column2 = _cms_code(row[1], line, "column_2", wanted, codes)
        prior = _choice(row[2], line, "prior_1996", _PRIOR_1996, "expected * or nothing")
        effective = dates.get(row[3]) or dates.setdefault(
            row[3], _cms_date(row[3], line, "effective_date")
        )
        deleted = None
        if row[4] not in _NO_DATE:
            deleted = dates.get(row[4]) or dates.setdefault(
                row[4], _cms_date(row[4], line, "deletion_date")
            )
        indicator = _choice(row[5], line, "modifier", _INDICATORS, "expected 0, 1 or 9")
        rationale = row[6] if len(row) > _PTP_REQUIRED and row[6] else None
        if column1 is None or column2 is None:
            continue
        try:
            yield PtpEdit(
                column1=column1,
                column2=column2,
                effective=effective,
                deleted=deleted,
                indicator=indicator,
                prior_1996=prior,
                rationale=rationale,
            )
        except ValidationError as error:
            raise error.prefixed(f"line[{line}]") from None


_ADJUDICATIONS: Final = MappingProxyType({m.value: m for m in MueAdjudication})


def _mue_columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = _norm(cell)
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
    return bool(row) and _norm(row[0]).startswith("hcpcs")


def _mue_rows(rows: _Rows, wanted: frozenset[str] | None) -> Iterator[MueLimit]:
    columns: dict[str, int] | None = None
    codes: dict[str, CptCode] = {}
    seen: set[CptCode] = set()
    for line, header, row in _after_header(rows, _is_mue_header):
        if columns is None:
            columns = _mue_columns(header)
        if len(row) <= max(columns.values()):
            raise ValidationError.single(
                f"line[{line}]", "missing_columns", "the row has too few columns"
            )
        code = _cms_code(row[columns["code"]], line, "code", wanted, codes)
        value = row[columns["mue_value"]]
        if _MUE_VALUE(value) is None:
            raise _error(line, "mue_value", "invalid_format", "an MUE value is a whole number")
        mai = _MAI(row[columns["adjudication"]])
        if mai is None:
            raise _error(line, "adjudication", "invalid_choice", "expected 1, 2 or 3 first")
        rationale = row[columns["rationale"]] if "rationale" in columns else ""
        if code is None:
            continue
        if code in seen:
            raise _error(line, "code", "duplicate", "a code has one MUE value")
        seen.add(code)
        try:
            yield MueLimit(
                code=code,
                max_units=int(value),
                adjudication=_ADJUDICATIONS[mai.group(1)],
                rationale=rationale or None,
            )
        except ValidationError as error:
            raise error.prefixed(f"line[{line}]") from None


# --- Medicare specifics ----------------------------------------------------------------


class Discipline(enum.StrEnum):
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
        The plan-of-care modifier: GP, GO or GN (DOMAIN.md 3.4).
        """
        return _PLAN_MODIFIERS[self]

    @property
    def kx_pool(self) -> frozenset[Discipline]:
        """
        The disciplines whose expenses count toward one KX threshold.

        PT and speech-language pathology share one; OT has its own (Noridian
        and NGS via DOMAIN.md 3.4).
        """
        if self is Discipline.OT:
            return frozenset({Discipline.OT})
        return frozenset({Discipline.PT, Discipline.SLP})


_PLAN_MODIFIERS: Final = MappingProxyType(
    {
        Discipline.PT: Modifier("GP"),
        Discipline.OT: Modifier("GO"),
        Discipline.SLP: Modifier("GN"),
    }
)

#: The Medicare Part B KX modifier thresholds by calendar year, in dollars.
#: One amount per year applies to PT and speech-language pathology combined,
#: and the same amount to OT separately (DOMAIN.md 3.4: Noridian, NGS,
#: therapycomply, proactivechart; 2026 from a single source, postacutetools).
#: Pass your own to :func:`needs_kx` for other years.
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
    therapy expenses of the calendar year *exceed* the threshold (DOMAIN.md
    3.4): an amount equal to the threshold does not need it; one cent more
    does. Pass the expenses including the service being billed, of the
    discipline's pool (:attr:`Discipline.kx_pool`: PT and SLP together, or OT).

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

    With :attr:`MedicareStatus.BUNDLED` this finds 97010: status B, never paid
    separately, and the patient cannot be billed for it (Palmetto GBA via
    DOMAIN.md 2); with :attr:`MedicareStatus.INVALID`, 97014.

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
    therapy" code (DOMAIN.md 3.4); the catalogue's ``always_therapy`` says
    which codes are.

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
