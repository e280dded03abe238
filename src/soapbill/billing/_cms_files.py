"""
Reading the files CMS publishes: the only file I/O of :mod:`soapbill.billing`.

CMS ships its quarterly NCCI practitioner tables (procedure-to-procedure
pairs, Medically Unlikely Edits) as CSV or tab-separated text, with title rows
above the header row, sometimes in Windows-1252 (NCCI PTP and MUE files, CMS
"National Correct Coding Initiative Edits" pages). This module reads such a
file: it opens a path (UTF-8, else Latin-1) or takes a text stream, tells the
delimiter, finds the header row, and yields the data rows with their physical
line numbers; its cell readers turn a code, a ``YYYYMMDD`` date or a coded
value into a Python value or refuse it with the path ``line[12].column``.

The layouts (which column holds what) live with the tables they fill, in
:mod:`soapbill.billing.ncci`. Every refusal names the source (when there are
several), the line and the column, and never quotes a cell: a CMS file holds
no patient data, but a file given in its place might.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING, Final, TextIO, TypeVar

from soapbill._arguments import as_tuple, invalid_type
from soapbill.codes.cpt import CptCode
from soapbill.errors import ValidationError

if TYPE_CHECKING:
    from _csv import Reader

__all__ = [
    "Rows",
    "Source",
    "choice",
    "cms_code",
    "cms_date",
    "data_rows",
    "norm",
    "read",
    "row_error",
    "sample",
    "wanted_codes",
]

#: What the loaders read, a path or a text stream.
Source = str | os.PathLike[str] | TextIO

_T = TypeVar("_T")
_CMS_CODE: Final = re.compile(r"[0-9A-Z]{5}").fullmatch
_CMS_DATE: Final = re.compile(r"[0-9]{8}").fullmatch
#: A source with a tab in its first 64 KiB is tab-separated.
_SNIFF_CHARS: Final = 65536
#: The two code cells that start every data row of the NCCI tables.
_CODE_CELLS: Final = 2


class Rows:
    """
    The rows of one source, each with its physical line number.
    """

    def __init__(self, stream: TextIO) -> None:
        head = stream.read(_SNIFF_CHARS)
        head += stream.readline()
        head = head.removeprefix("\ufeff")
        #: The delimiter told from the first 64 KiB: a tab, else a comma.
        self.delimiter = "\t" if "\t" in head else ","
        #: The lines of the source, with their line endings, as the reader
        #: reads them: a loop that reads on from here after the reader stopped
        #: at a row reads the lines below it.
        self.lines: Iterator[str] = itertools.chain(io.StringIO(head), stream)
        self._reader = csv.reader(self.lines, delimiter=self.delimiter)

    @property
    def reader(self) -> Reader:
        """
        The rows as the :mod:`csv` module reads them, cells not stripped.

        For the loops over millions of rows; its ``line_num`` is the physical
        line number of the row read last. A row that is not valid CSV raises
        :class:`csv.Error`: use :meth:`refusal` for the error to raise.
        """
        return self._reader

    def refusal(self) -> ValidationError:
        """
        The refusal of the row the reader could not read.
        """
        path = f"line[{self._reader.line_num}]"
        return ValidationError.single(path, "invalid_csv", "the row is not valid CSV")

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for row in self._reader:
                yield self._reader.line_num, [cell.strip() for cell in row]
        except csv.Error:
            raise self.refusal() from None


def sample(name: str) -> TextIO:
    """
    Open the sample file *name* that ships in ``soapbill/billing/data``.
    """
    text = resources.files("soapbill.billing").joinpath("data").joinpath(name).read_text("utf-8")
    return io.StringIO(text)


def read(
    sources: tuple[Source, ...], fill: Callable[[Rows], None], undo: Callable[[], None]
) -> None:
    """
    Give every source's rows to *fill*; the path of an error names its source.

    *fill* keeps what it reads; when a path turns out not to be UTF-8, *undo*
    drops what *fill* kept of it, and *fill* reads it again as Latin-1.

    Raises:
        ValidationError: No source is given, a source is not a path or a text
            stream, a row is not valid CSV, or *fill* refused a row.
    """
    if not sources:
        raise ValidationError.single("sources", "too_short", "give at least one source")
    for k, source in enumerate(sources):
        try:
            _read_one(source, fill, undo)
        except ValidationError as error:
            raise (error.prefixed(f"sources[{k}]") if len(sources) > 1 else error) from None


def _read_one(source: Source, fill: Callable[[Rows], None], undo: Callable[[], None]) -> None:
    if not isinstance(source, str | os.PathLike):
        if not isinstance(source, io.TextIOBase):
            raise ValidationError.single("", "invalid_type", "expected a path or a text stream")
        _fill(Rows(source), fill)
        return
    try:
        with open(source, encoding="utf-8", newline="") as stream:  # noqa: PTH123 - str or PathLike
            _fill(Rows(stream), fill)
    except UnicodeDecodeError:
        pass
    else:
        return
    undo()
    # Older CMS files are Windows-1252; Latin-1 decodes any byte. Read outside
    # the handler, so that an error of a row does not chain the decoding
    # error, which quotes the file's bytes.
    with open(source, encoding="latin-1", newline="") as stream:  # noqa: PTH123
        _fill(Rows(stream), fill)


def _fill(rows: Rows, fill: Callable[[Rows], None]) -> None:
    try:
        fill(rows)
    except csv.Error:
        refusal = rows.refusal()
    else:
        return
    raise refusal


def norm(cell: str) -> str:
    """
    A header cell without white space, in lower case (``"Column 1"`` -> ``"column1"``).
    """
    return "".join(cell.split()).lower()


def data_rows(
    rows: Rows, is_header: Callable[[list[str]], bool]
) -> Iterator[tuple[int, list[str], list[str]]]:
    """
    Yield ``(line, header, row)`` for each data row below the header row.

    Rows above the header are title rows. Blank rows and header continuation
    rows (both code cells empty) are skipped.

    Raises:
        ValidationError: No row is a header row.
    """
    header: list[str] | None = None
    for line, row in rows:
        if header is None:
            if is_header(row):
                header = row
            continue
        if len(row) < _CODE_CELLS or not (row[0] or row[1]):
            continue
        yield line, header, row
    if header is None:
        raise ValidationError.single("", "no_header", "no header row found")


def row_error(line: int, column: str, code: str, message: str) -> ValidationError:
    """
    The refusal of the cell *column* of physical line *line*.
    """
    return ValidationError.single(f"line[{line}].{column}", code, message)


def cms_code(
    cell: str, line: int, column: str, wanted: frozenset[str] | None, cache: dict[str, CptCode]
) -> CptCode | None:
    """
    The procedure code of a cell, or ``None`` when it is not wanted.

    A code of five letters and digits that :class:`~soapbill.codes.cpt.CptCode` does not
    accept (a shape CMS may add later) cannot match any claim line: ``None``.
    *cache* keeps the codes already read, as a file repeats them.

    Raises:
        ValidationError: The cell is not five letters and digits.
    """
    text = cell.upper()
    code = cache.get(text)
    if code is not None:
        return code
    if _CMS_CODE(text) is None:
        raise row_error(line, column, "invalid_format", "a procedure code is five characters")
    if wanted is not None and text not in wanted:
        return None
    try:
        code = cache[text] = CptCode(text)
    except ValidationError:
        return None  # a CMS code that no CptCode (and no claim) can hold
    return code


def cms_date(cell: str, line: int, column: str, cache: dict[str, date]) -> date:
    """
    The date of a ``YYYYMMDD`` cell; *cache* keeps the dates already read.

    Raises:
        ValidationError: The cell is not a real ``YYYYMMDD`` date.
    """
    day = cache.get(cell)
    if day is not None:
        return day
    if _CMS_DATE(cell) is None:
        raise row_error(line, column, "invalid_format", "a date is YYYYMMDD")
    try:
        day = date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    except ValueError:
        raise row_error(line, column, "invalid_date", "not a real calendar date") from None
    cache[cell] = day
    return day


def choice(cell: str, line: int, column: str, choices: Mapping[str, _T], message: str) -> _T:
    """
    The value *choices* gives the cell.

    Raises:
        ValidationError: The cell is not among *choices*; *message* says what is.
    """
    # Looked up without a KeyError: it would quote the cell, and stay the
    # refusal's __context__ even raised "from None".
    if cell not in choices:
        raise row_error(line, column, "invalid_choice", message)
    return choices[cell]


def wanted_codes(codes: object) -> frozenset[str] | None:
    """
    The codes a loader keeps (``None``: all of them), as strings.

    Raises:
        ValidationError: *codes* is not an iterable of codes.
    """
    if codes is None:
        return None
    wanted = as_tuple(codes, "codes", "CptCode values")
    for i, code in enumerate(wanted):
        if not isinstance(code, CptCode | str):
            raise invalid_type(f"codes[{i}]", "a CptCode")
    return frozenset(str(code) for code in wanted)
