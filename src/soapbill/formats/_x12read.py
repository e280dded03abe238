"""
The X12 reader shared by every transaction soapbill reads (835, 999, 277CA, 271).

:func:`read_interchanges` splits X12 text into segments and checks its
envelopes; the transaction readers walk the segments of each transaction set.

- The separators are learned from ``ISA``: the element separator is its fourth
  character, the component separator is ``ISA16`` and the segment terminator
  the character after it; ``ISA11`` is the repetition separator from version
  00402 on (the X12 control segments, as pyx12 ``x12.control.00501.xml`` states them).
- Line breaks after segment terminators (a new line, or a carriage return
  and a new line) are tolerated, and so is a terminator that is a line break.
- Envelopes are checked: ``ISA``/``IEA``, ``GS``/``GE`` and ``ST``/``SE`` pair
  up, each trailer repeats its header's control number, ``IEA01`` counts the
  groups, ``GE01`` the transaction sets and ``SE01`` the segments from ``ST``
  to ``SE``, both included.
- Every segment knows its 0-based :attr:`Segment.index` in the text and its
  1-based :attr:`Segment.position` in its transaction set (``ST`` is 1, as a
  999's ``IK302`` counts).

Errors are :class:`~soapbill.errors.ValidationError` s whose path names the
segment by index and the element by reference, such as
``segments[41].CLP04``; a message never repeats what the segment holds, which
may be patient data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Final, NoReturn

import attrs

from soapbill.errors import ValidationError

__all__ = [
    "Group",
    "Interchange",
    "Segment",
    "Separators",
    "amount",
    "components",
    "date8",
    "element",
    "fail",
    "integer",
    "number",
    "optional_amount",
    "read_interchanges",
    "required",
    "transactions",
]

#: A segment id: two or three upper-case letters and digits, a letter first.
_SEGMENT_ID: Final = re.compile(r"[A-Z][A-Z0-9]{1,2}").fullmatch
#: An X12 decimal (type R): an optional minus, digits with an optional point.
_DECIMAL: Final = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)").fullmatch
#: An X12 integer (type N0).
_INTEGER: Final = re.compile(r"-?[0-9]+").fullmatch
#: An amount of money as payers write it: below ten billion, at most two places.
_MONEY: Final = re.compile(r"-?[0-9]{1,10}(?:\.[0-9]{0,2})?").fullmatch
_DIGITS8: Final = re.compile(r"[0-9]{8}").fullmatch
#: Money in a remittance has at most two decimal places and stays below ten
#: billion dollars (as every soapbill amount does).
_MONEY_LIMIT: Final = Decimal(10_000_000_000)
#: ISA is 16 elements; ISA13, the interchange control number, is nine digits.
_ISA_ELEMENTS: Final = 16
_CONTROL: Final = re.compile(r"[0-9]{9}").fullmatch
#: GS has eight elements (GS01-GS08).
_GS_ELEMENTS: Final = 8
#: ISA11 is the repetition separator from version 00402 on.
_REPETITION_FROM: Final = "00402"


def fail(path: str, code: str, message: str) -> NoReturn:
    """
    Raise a :class:`~soapbill.errors.ValidationError` with one detail.
    """
    raise ValidationError.single(path, code, message)


@attrs.frozen
class Separators:
    """
    The delimiters of an interchange, as its ``ISA`` declares them.

    Attributes:
        element: Between elements.
        component: Between the components of a composite element (ISA16).
        repetition: Between repeats of an element (ISA11), or ``None`` before
            version 00402.
        segment: After each segment.
    """

    element: str
    component: str
    repetition: str | None
    segment: str


class Segment:
    """
    One segment: its elements and where it stands.

    ``elements[0]`` is the segment id, so ``elements[n]`` is element *n*
    (``CLP04`` is ``elements[4]``).
    """

    __slots__ = ("elements", "id", "index", "position", "separators")

    def __init__(
        self, elements: list[str], index: int, position: int, separators: Separators
    ) -> None:
        self.elements = elements
        self.id = elements[0]
        self.index = index
        self.position = position
        self.separators = separators

    def __repr__(self) -> str:
        # The elements may hold patient data: show where, never what.
        return f"<Segment {self.id} at {self.index}>"

    def path(self, n: int | None = None) -> str:
        """
        The error path of this segment, or of its element *n*.
        """
        if n is None:
            return f"segments[{self.index}]"
        return f"segments[{self.index}].{self.id}{n:02d}"


@attrs.frozen
class Transaction:
    """
    One transaction set, ``ST`` to ``SE``, both included.

    Attributes:
        code: ``ST01``, such as ``"835"``.
        control_number: ``ST02``.
        convention: ``ST03`` (the implementation guide), or ``""``.
        segments: Its segments, ``ST`` first and ``SE`` last.
    """

    code: str
    control_number: str
    convention: str
    segments: tuple[Segment, ...]

    @property
    def header(self) -> Segment:
        """
        The ``ST`` segment.
        """
        return self.segments[0]


@attrs.frozen
class Group:
    """
    One functional group, ``GS`` to ``GE``.

    Attributes:
        functional_id: ``GS01``, such as ``"HP"`` for an 835.
        sender: ``GS02``.
        receiver: ``GS03``.
        created: ``GS04``.
        control_number: ``GS06``.
        version: ``GS08``, such as ``"005010X221A1"``.
        transactions: Its transaction sets.
        header: The ``GS`` segment.
    """

    functional_id: str
    sender: str
    receiver: str
    created: date
    control_number: str
    version: str
    transactions: tuple[Transaction, ...]
    header: Segment


@attrs.frozen
class Interchange:
    """
    One interchange, ``ISA`` to ``IEA``.

    Attributes:
        separators: Its delimiters.
        sender: ``ISA06``, without its padding.
        receiver: ``ISA08``, without its padding.
        control_number: ``ISA13``.
        usage: ``ISA15``: ``"P"`` production or ``"T"`` test.
        groups: Its functional groups.
    """

    separators: Separators
    sender: str
    receiver: str
    control_number: str
    usage: str
    groups: tuple[Group, ...]


# --- elements ------------------------------------------------------------------------


def element(segment: Segment, n: int) -> str:
    """
    Element *n* of *segment*, or ``""`` when it is absent.
    """
    elements = segment.elements
    return elements[n] if n < len(elements) else ""


def required(segment: Segment, n: int) -> str:
    """
    Element *n* of *segment*; raise when it is absent or empty.
    """
    elements = segment.elements
    if n < len(elements) and elements[n]:
        return elements[n]
    fail(segment.path(n), "x12_required", "a required element is missing")


def components(segment: Segment, n: int) -> list[str]:
    """
    The components of composite element *n* (``[]`` when it is absent).
    """
    value = element(segment, n)
    return value.split(segment.separators.component) if value else []


def number(segment: Segment, n: int) -> Decimal | None:
    """
    Element *n* as a decimal number (X12 type R), or ``None`` when absent.
    """
    value = element(segment, n)
    if not value:
        return None
    if _DECIMAL(value) is None:
        fail(segment.path(n), "x12_number", "expected a decimal number")
    return Decimal(value)


def optional_amount(segment: Segment, n: int) -> Decimal | None:
    """
    Element *n* as an amount of money, or ``None`` when absent.

    An amount may be negative (reversals and provider adjustments are), has
    at most two decimal places and stays below ten billion dollars. It is
    returned with two decimal places, as soapbill writes money.
    """
    value = element(segment, n)
    if not value:
        return None
    if _MONEY(value) is not None:
        # The common shape, read without arithmetic: pad to two places.
        dot = value.find(".")
        found = Decimal(value + ".00" if dot < 0 else value + "0" * (dot + 3 - len(value)))
        # A zero keeps no sign: "-0" is written by some payers and means 0.
        return found or _ZERO_CENTS
    if _DECIMAL(value) is None:
        fail(segment.path(n), "x12_amount", "expected an amount of money")
    found = Decimal(value)
    exponent = found.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:  # noqa: PLR2004 - cents
        fail(segment.path(n), "x12_amount", "an amount has at most two decimal places")
    if abs(found) >= _MONEY_LIMIT:
        fail(segment.path(n), "x12_amount", "the amount is too large")
    # Exact: at most two places, so quantize only adds zeros.
    found = found.quantize(_CENT)
    return found or _ZERO_CENTS


_CENT: Final = Decimal("0.01")
_ZERO_CENTS: Final = Decimal("0.00")


def amount(segment: Segment, n: int) -> Decimal:
    """
    Element *n* as an amount of money; raise when it is absent.

    See :func:`optional_amount`.
    """
    found = optional_amount(segment, n)
    if found is None:
        fail(segment.path(n), "x12_required", "a required element is missing")
    return found


def integer(segment: Segment, n: int) -> int:
    """
    Element *n* as an integer (X12 type N0); raise when it is absent.
    """
    value = required(segment, n)
    if _INTEGER(value) is None or len(value) > 18:  # noqa: PLR2004 - X12 numbers
        fail(segment.path(n), "x12_integer", "expected an integer")
    return int(value)


def date8(segment: Segment, n: int, text: str | None = None) -> date:
    """
    Element *n* (or *text* taken from it) as a CCYYMMDD date.
    """
    value = required(segment, n) if text is None else text
    if _DIGITS8(value) is None:
        fail(segment.path(n), "x12_date", "expected a date as CCYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        pass
    # Raised outside the handler, so that no chained error repeats the value.
    fail(segment.path(n), "x12_date", "not a real calendar date")


# --- the reader ----------------------------------------------------------------------


def _text(source: object) -> str:
    if isinstance(source, bytes):
        try:
            return source.decode()
        except UnicodeDecodeError:
            pass
        # Raised outside the handler, so that the decoding error (which quotes
        # the bytes) is not chained to it.
        fail("", "x12_encoding", "X12 text is ASCII (or UTF-8)")
    if not isinstance(source, str):
        fail("", "invalid_type", "expected X12 text (str or bytes)")
    return source


def _separators(text: str) -> Separators:
    if not text.startswith("ISA") or len(text) < 6:  # noqa: PLR2004 - "ISA" and separators
        fail("segments[0]", "x12_not_isa", "X12 text starts with an ISA segment")
    e = text[3]
    if e.isalnum() or e.isspace():
        fail("segments[0]", "x12_separators", "the element separator is not punctuation")
    parts = text[:300].split(e, _ISA_ELEMENTS)
    if len(parts) <= _ISA_ELEMENTS or len(parts[_ISA_ELEMENTS]) < 2:  # noqa: PLR2004
        fail("segments[0]", "x12_truncated", "the ISA segment is incomplete")
    component, segment = parts[_ISA_ELEMENTS][0], parts[_ISA_ELEMENTS][1]
    if component.isalnum() or segment.isalnum() or segment == " " or component == " ":
        fail("segments[0]", "x12_separators", "a separator is not punctuation")
    if len({e, component, segment}) != 3:  # noqa: PLR2004 - three distinct separators
        fail("segments[0]", "x12_separators", "the separators must differ")
    repetition = _repetition(parts[11], parts[12], {e, component, segment, " "})
    return Separators(element=e, component=component, repetition=repetition, segment=segment)


def _repetition(candidate: str, version: str, taken: set[str]) -> str | None:
    """
    The repetition separator ``ISA11`` declares, or ``None``.

    Before version 00402, ``ISA11`` is the interchange standards identifier
    (``U``); from it on, a punctuation character that no other separator uses.
    """
    if (
        version >= _REPETITION_FROM
        and len(candidate) == 1
        and not candidate.isalnum()
        and candidate not in taken
    ):
        return candidate
    return None


def _split(text: str, separators: Separators) -> Iterator[list[str]]:
    """
    The elements of each segment; line breaks around segments are dropped.
    """
    pieces = text.split(separators.segment)
    tail = pieces.pop()
    if tail.strip():
        # Text after the last terminator: a truncated segment.
        fail(f"segments[{len(pieces)}]", "x12_truncated", "the last segment has no terminator")
    e = separators.element
    for piece in pieces:
        if "\n" in piece or "\r" in piece:
            piece = piece.strip("\r\n")  # noqa: PLW2901 - the same piece, trimmed
            if not piece:
                continue
        yield piece.split(e)


class _Reader:
    """
    Walks the segments and checks the envelopes; see :func:`read_interchanges`.
    """

    def __init__(self, separators: Separators) -> None:
        self.separators = separators
        self.interchanges: list[Interchange] = []
        self.isa: Segment | None = None
        self.gs: Segment | None = None
        self.st: Segment | None = None
        self.groups: list[Group] = []
        self.sets: list[Transaction] = []
        self.segments: list[Segment] = []

    def read(self, text: str) -> tuple[Interchange, ...]:
        separators = self.separators
        index = -1
        for index, elements in enumerate(_split(text, separators)):
            sid = elements[0]
            if self.st is not None and sid != "SE":
                # The body of a transaction set: by far the most segments.
                if _SEGMENT_ID(sid) is None or sid in _ENVELOPE:
                    self._bad_id(elements, index)
                self.segments.append(Segment(elements, index, len(self.segments) + 1, separators))
                continue
            segment = Segment(elements, index, 0, separators)
            handler = _HANDLERS.get(sid)
            if handler is None:
                self._bad_id(elements, index)
                fail(segment.path(), "x12_envelope", "a segment stands outside a transaction set")
            handler(self, segment)
        if self.isa is not None or not self.interchanges:
            fail(f"segments[{index + 1}]", "x12_truncated", "the interchange has no IEA trailer")
        return tuple(self.interchanges)

    @staticmethod
    def _bad_id(elements: list[str], index: int) -> None:
        sid = elements[0]
        if _SEGMENT_ID(sid) is None:
            fail(f"segments[{index}]", "x12_segment_id", "not a valid segment id")
        if sid in _ENVELOPE:
            fail(f"segments[{index}]", "x12_envelope", "an envelope segment is out of place")

    def isa_segment(self, segment: Segment) -> None:
        if self.isa is not None:
            fail(segment.path(), "x12_envelope", "an ISA segment comes before the last IEA")
        if len(segment.elements) != _ISA_ELEMENTS + 1:
            fail(segment.path(), "x12_isa", "the ISA segment has 16 elements")
        if _CONTROL(segment.elements[13]) is None:
            fail(segment.path(13), "x12_control_number", "ISA13 is a nine-digit number")
        self.isa = segment
        self.groups = []

    def gs_segment(self, segment: Segment) -> None:
        if self.isa is None or self.gs is not None:
            fail(segment.path(), "x12_envelope", "a GS segment is out of place")
        if len(segment.elements) < _GS_ELEMENTS + 1:
            fail(segment.path(), "x12_gs", "the GS segment has eight elements")
        for n in (1, 6, 8):
            required(segment, n)
        date8(segment, 4)
        self.gs = segment
        self.sets = []

    def st_segment(self, segment: Segment) -> None:
        if self.gs is None:
            fail(segment.path(), "x12_envelope", "an ST segment stands outside a group")
        required(segment, 1)
        required(segment, 2)
        segment.position = 1
        self.st = segment
        self.segments = [segment]

    def se_segment(self, segment: Segment) -> None:
        st = self.st
        if st is None:
            fail(segment.path(), "x12_envelope", "an SE segment has no ST")
        segment.position = len(self.segments) + 1
        self.segments.append(segment)
        _check_trailer(segment, len(self.segments), "transaction set's segments", st, 2)
        self.sets.append(
            Transaction(
                code=st.elements[1],
                control_number=st.elements[2],
                convention=element(st, 3),
                segments=tuple(self.segments),
            )
        )
        self.st = None
        self.segments = []

    def ge_segment(self, segment: Segment) -> None:
        gs = self.gs
        if gs is None:
            fail(segment.path(), "x12_envelope", "a GE segment has no GS")
        _check_trailer(segment, len(self.sets), "group's transaction sets", gs, 6)
        self.groups.append(
            Group(
                functional_id=gs.elements[1],
                sender=gs.elements[2],
                receiver=gs.elements[3],
                created=date8(gs, 4),
                control_number=gs.elements[6],
                version=gs.elements[8],
                transactions=tuple(self.sets),
                header=gs,
            )
        )
        self.gs = None

    def iea_segment(self, segment: Segment) -> None:
        isa = self.isa
        if isa is None or self.gs is not None:
            fail(segment.path(), "x12_envelope", "an IEA segment is out of place")
        _check_trailer(segment, len(self.groups), "interchange's groups", isa, 13)
        self.interchanges.append(
            Interchange(
                separators=self.separators,
                sender=isa.elements[6].strip(),
                receiver=isa.elements[8].strip(),
                control_number=isa.elements[13],
                usage=isa.elements[15],
                groups=tuple(self.groups),
            )
        )
        self.isa = None

    def ta1_segment(self, segment: Segment) -> None:
        # An interchange acknowledgement may stand between ISA and the first GS.
        if self.isa is None or self.gs is not None:
            fail(segment.path(), "x12_envelope", "a TA1 segment is out of place")


def _check_trailer(trailer: Segment, count: int, counted: str, header: Segment, at: int) -> None:
    """
    Check a trailer (SE, GE, IEA) against what it closes.

    Its first element counts *count* of *counted*; its second repeats
    *header*'s control number, element *at*.
    """
    if integer(trailer, 1) != count:
        fail(trailer.path(1), "x12_count", f"{trailer.id}01 does not count the {counted}")
    if required(trailer, 2) != header.elements[at]:
        message = f"{trailer.id}02 does not repeat {header.id}{at:02d}"
        fail(trailer.path(2), "x12_control_number", message)


_HANDLERS: Final = {
    "ISA": _Reader.isa_segment,
    "GS": _Reader.gs_segment,
    "ST": _Reader.st_segment,
    "SE": _Reader.se_segment,
    "GE": _Reader.ge_segment,
    "IEA": _Reader.iea_segment,
    "TA1": _Reader.ta1_segment,
}
_ENVELOPE: Final = frozenset(_HANDLERS)


def read_interchanges(source: str | bytes) -> tuple[Interchange, ...]:
    """
    Read every interchange of X12 *source*, checking its envelopes.

    Leading white space (and a byte order mark) before the first ``ISA`` is
    ignored; several interchanges may follow each other.

    Raises:
        ValidationError: *source* is not X12 text, or its envelopes do not
            pair up, count or repeat their control numbers.
    """
    text = _text(source).lstrip("\ufeff \t\r\n")
    separators = _separators(text)
    return _Reader(separators).read(text)


def transactions(source: str | bytes, code: str, what: str) -> Iterator[tuple[Group, Transaction]]:
    """
    Each transaction set of *source* with its group; all must be *code* ones.

    Args:
        source: X12 text.
        code: The expected ``ST01``, such as ``"835"``.
        what: How messages name the transaction, such as ``"an 835"``.

    Raises:
        ValidationError: The text is not X12, holds no transaction set, or
            holds one of another kind.
    """
    found = False
    for interchange in read_interchanges(source):
        for group in interchange.groups:
            for transaction in group.transactions:
                if transaction.code != code:
                    fail(
                        transaction.header.path(1),
                        "x12_transaction",
                        f"expected {what} transaction set",
                    )
                found = True
                yield group, transaction
    if not found:
        fail("segments", "x12_transaction", f"the text holds no {what} transaction set")
