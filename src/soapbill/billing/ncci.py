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

import enum
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import Final, cast

import attrs

from soapbill._arguments import as_tuple, check_date, check_instance, tuple_of
from soapbill._fields import rules
from soapbill._model import model
from soapbill.billing import _cms_files
from soapbill.billing._cms_files import Rows, choice, cms_code, cms_date, data_rows, norm, row_error
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


class ModifierIndicator(enum.StrEnum):
    """
    The correct coding modifier indicator of a PTP edit (CMS MLN1783722).

    The values are CMS's codes.

    .. versionadded:: 0.1.0
    """

    #: No modifier bypasses the edit.
    NOT_ALLOWED = "0"
    #: 59, XE, XS, XP or XU on the column-2 line may bypass it.
    ALLOWED = "1"
    #: Not applicable, as the edit is deleted and never applies.
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
    # Built from the edits by the generated __init__, once.
    _index: Mapping[tuple[CptCode, CptCode], list[PtpEdit]] = attrs.field(
        init=False,
        repr=False,
        eq=False,
        hash=False,
        default=attrs.Factory(lambda self: _index_edits(self.edits), takes_self=True),
    )

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

        A row whose code soapbill's :class:`~soapbill.codes.cpt.CptCode` does not accept (a shape
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
        wanted = _cms_files.wanted_codes(codes)
        return cls(_cms_files.load(sources, lambda rows: _ptp_rows(rows, wanted)))

    @classmethod
    def sample(cls) -> PtpEdits:
        """
        Load the small sample of PTP pairs that ships with soapbill.

        It holds only pairs whose modifier indicator public sources state
        (97140 / 97530: WebPT, "How to handle modifier 59 denials for 97530
        and 97140"; 97124, 97140, 97112 as column 2 of the chiropractic
        manipulation codes 98940-98942: Chiropractic Economics on modifier 59),
        with placeholder effective dates; the file's title rows name them. It
        is not the CMS table.

        .. versionadded:: 0.1.0
        """
        return cls.load(_cms_files.sample("ptp-sample.txt"))

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


class MueAdjudication(enum.StrEnum):
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


class MueStatus(enum.StrEnum):
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
    # Built from the limits by the generated __init__, once.
    _index: Mapping[CptCode, MueLimit] = attrs.field(
        init=False,
        repr=False,
        eq=False,
        hash=False,
        default=attrs.Factory(lambda self: _index_limits(self.limits), takes_self=True),
    )

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
        wanted = _cms_files.wanted_codes(codes)
        return cls(_cms_files.load(sources, lambda rows: _mue_rows(rows, wanted)))

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


# --- the layouts of the CMS practitioner files -----------------------------------------

_MUE_VALUE: Final = re.compile(r"[0-9]{1,4}").fullmatch
_MAI: Final = re.compile(r"([123])(?:[^0-9].*)?", re.DOTALL).fullmatch
#: Column 1, Column 2, prior to 1996, Effective Date, Deletion Date, Modifier.
_PTP_REQUIRED: Final = 6
_PRIOR_1996: Final = MappingProxyType({"*": True, "": False})
_INDICATORS: Final = MappingProxyType({m.value: m for m in ModifierIndicator})
_NO_DATE: Final = frozenset({"*", ""})
_ADJUDICATIONS: Final = MappingProxyType({m.value: m for m in MueAdjudication})


def _is_ptp_header(row: list[str]) -> bool:
    return len(row) > 1 and (norm(row[0]), norm(row[1])) == ("column1", "column2")


def _ptp_rows(rows: Rows, wanted: frozenset[str] | None) -> Iterator[PtpEdit]:
    codes: dict[str, CptCode] = {}
    dates: dict[str, date] = {}
    for line, _header, row in data_rows(rows, _is_ptp_header):
        if len(row) < _PTP_REQUIRED:
            raise ValidationError.single(
                f"line[{line}]", "missing_columns", "the row has too few columns"
            )
        column1 = cms_code(row[0], line, "column_1", wanted, codes)
        column2 = cms_code(row[1], line, "column_2", wanted, codes)
        prior = choice(row[2], line, "prior_1996", _PRIOR_1996, "expected * or nothing")
        effective = cms_date(row[3], line, "effective_date", dates)
        deleted = None if row[4] in _NO_DATE else cms_date(row[4], line, "deletion_date", dates)
        indicator = choice(row[5], line, "modifier", _INDICATORS, "expected 0, 1 or 9")
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


def _mue_rows(rows: Rows, wanted: frozenset[str] | None) -> Iterator[MueLimit]:
    columns: dict[str, int] | None = None
    codes: dict[str, CptCode] = {}
    seen: set[CptCode] = set()
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
        rationale = row[columns["rationale"]] if "rationale" in columns else ""
        if code is None:
            continue
        if code in seen:
            raise row_error(line, "code", "duplicate", "a code has one MUE value")
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
