"""
The one helper that makes text safe to show on a terminal or in print.
"""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from soapbill._text import CONTROLS, printable
from text_support import CONTROL_CATEGORIES, controls, hostile_text


def test_controls_are_exactly_the_categories() -> None:
    expected = {
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in CONTROL_CATEGORIES
    }
    assert expected == CONTROLS


@given(st.text() | hostile_text)
def test_printable_leaves_no_control_and_keeps_the_rest(text: str) -> None:
    shown = printable(text)
    assert not controls(shown)
    # One character for one: columns stay where the layout put them.
    assert len(shown) == len(text)
    for before, after in zip(text, shown, strict=True):
        assert after == (" " if before in controls(text) else before)


def test_printable_examples() -> None:
    assert printable("") == ""
    assert printable("Jane Doe") == "Jane Doe"
    assert printable("DOE\n28 TOTAL\x1b[2J\u2028\x00\x85") == "DOE 28 TOTAL [2J   "
    # Other invisible characters are text, not controls: a name may need them.
    assert printable("\u200c\u00a0\u202e") == "\u200c\u00a0\u202e"
