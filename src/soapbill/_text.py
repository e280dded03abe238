r"""
The small pieces of text that soapbill's writers and rules share.

- :func:`printable`: text meant for a terminal or for print, made safe to show.
  A claim's free text (a name, an address, an id) may hold any character.
  Shown as it is, a line break or a ``U+2028`` starts a line the layout did
  not write (a patient's name could add a fake ``28 TOTAL CHARGE`` row to a
  CMS-1500), an ANSI escape (``ESC [``) drives the terminal, a NUL ends
  the text for some readers, and a right-to-left override shows the rest of
  its line backwards. :func:`printable` turns every such character
  into a space, so that the only line breaks left are the layout's own; every
  writer of such text uses it (the CMS-1500 boxes and text, the superbill, and
  everything the command line prints from its input). :func:`one_line` also
  folds runs of white space.
- :func:`plural`: a count and its noun, ``"3 units"``.
- :func:`dollars`: an amount as people read it, ``"$1,234.50"``.
- :data:`DIAGNOSIS_LETTERS` and :func:`diagnosis_letter`: the letters A-L that
  stand for a claim's diagnoses on paper (CMS-1500 items 21 and 24E).
- :func:`us_date`, :func:`full_name` and :func:`provider_name`: a date, a
  person and a provider as a printed page shows them to people.

>>> printable("DOE\n28    TOTAL CHARGE\x1b[2J")
'DOE 28    TOTAL CHARGE [2J'
>>> plural(1, "unit"), plural(3, "unit")
('1 unit', '3 units')
>>> from decimal import Decimal
>>> dollars(Decimal("1234.5"))
'$1,234.50'
>>> diagnosis_letter(1), diagnosis_letter(12)
('A', 'L')
>>> from datetime import date
>>> us_date(date(2026, 3, 2))
'03/02/2026'
>>> from soapbill import PersonName
>>> full_name(PersonName(family="Doe", given="Jane", middle="Q", suffix="Jr"))
'Jane Q Doe, Jr'
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Final

from soapbill.claims import MAX_DIAGNOSES

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date
    from decimal import Decimal

    from soapbill.parties import PersonName, Provider

__all__ = [
    "BIDI_CONTROLS",
    "CONTROLS",
    "DIAGNOSIS_LETTERS",
    "diagnosis_letter",
    "dollars",
    "full_name",
    "line_numbers",
    "one_line",
    "plural",
    "printable",
    "provider_name",
    "us_date",
]

#: The explicit directional embeddings, overrides and isolates (LRE, RLE, PDF,
#: LRO, RLO; LRI, RLI, FSI, PDI: Unicode Standard Annex #9, section 2). Left in
#: a name, an override turns the rest of its line around, so that a terminal or
#: a page shows the amounts after it in another order than they are written
#: (the "Trojan Source" attack, CVE-2021-42574). The marks LRM and RLM, which
#: change no order but their neighbours', stay.
BIDI_CONTROLS: Final = frozenset((*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

#: The code points of Unicode's control characters (category ``Cc``: C0, DEL
#: and C1), of its line and paragraph separators (``Zl``, ``Zp``), and
#: :data:`BIDI_CONTROLS`. The ``Cc`` set is fixed by Unicode's stability
#: policy; ``Zl`` and ``Zp`` have held only these two since Unicode 1.1
#: (Unicode Standard, section 4.5).
CONTROLS: Final = frozenset((*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *BIDI_CONTROLS))
_TO_SPACE: Final = dict.fromkeys(CONTROLS, " ")

#: The letters of a claim's diagnoses on paper, in order: CMS-1500 item 21
#: numbers its twelve lines A to L, and item 24E points at them by letter
#: (NUCC 1500 Claim Form Reference Instruction Manual, items 21 and 24E).
DIAGNOSIS_LETTERS: Final = string.ascii_uppercase[:MAX_DIAGNOSES]


def printable(text: str) -> str:
    """
    Return *text* with each character of :data:`CONTROLS` replaced by a space.

    The result has as many characters as *text*, so column layouts hold.
    """
    # str.isprintable() is False for every character of CONTROLS (the bidi
    # controls are category Cf) and for others we keep: most text takes this
    # quick way out unchanged.
    if text.isprintable():
        return text
    return text.translate(_TO_SPACE)


def one_line(text: str) -> str:
    """
    Return *text* on one line: its controls and runs of white space become one space.
    """
    return " ".join(printable(text).split())


def plural(n: int, noun: str) -> str:
    """
    Return *n* and *noun*, with an ``s`` unless *n* is 1: ``"1 visit"``, ``"0 visits"``.
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


def line_numbers(indices: Sequence[int]) -> str:
    """
    Return the claim lines at *indices* as people count them, from 1: ``"lines 1, 3 and 4"``.

    Messages count lines as the claim form does; paths index them from 0.

    >>> line_numbers([0]), line_numbers([0, 2, 3])
    ('line 1', 'lines 1, 3 and 4')
    """
    numbers = [str(i + 1) for i in indices]
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    return f"lines {', '.join(numbers[:-1])} and {numbers[-1]}"


def dollars(amount: Decimal) -> str:
    """
    Return *amount* as dollars and cents with thousands separators: ``"$1,234.50"``.

    A negative amount (an adjustment that adds to a payment) has its sign
    before the dollar sign: ``"-$5.00"``.
    """
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def diagnosis_letter(pointer: int) -> str:
    """
    Return the letter of the diagnosis a 1-based *pointer* points at: 1 is ``A``.
    """
    return DIAGNOSIS_LETTERS[pointer - 1]


def us_date(day: date) -> str:
    """
    Return *day* as ``MM/DD/YYYY``, the way US forms print dates.
    """
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"


def full_name(name: PersonName) -> str:
    """
    Return *name* in reading order: given, middle, family, then ``, suffix``.
    """
    parts = [name.given, name.middle, name.family]
    full = " ".join(part for part in parts if part is not None)
    return full if name.suffix is None else f"{full}, {name.suffix}"


def provider_name(provider: Provider) -> str:
    """
    Return a person's :func:`full_name` and credential, or the organization's name.

    A person reads ``"Sam Lee, LMT"``; the text is not folded to one line.
    """
    if provider.name is None:
        return provider.organization_name or ""
    name = full_name(provider.name)
    if provider.credential is not None:
        name = f"{name}, {provider.credential.value.upper()}"
    return name
