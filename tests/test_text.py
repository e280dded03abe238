"""
The text helpers the writers and the rules share: safe to show, plurals,
dollars, diagnosis letters, and dates, names and providers as pages print them.
"""

from __future__ import annotations

import sys
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill._text import (
    CONTROLS,
    DIAGNOSIS_LETTERS,
    diagnosis_letter,
    dollars,
    full_name,
    one_line,
    plural,
    printable,
    provider_name,
    us_date,
)
from soapbill.claims import MAX_DIAGNOSES
from soapbill.codes.npi import Npi
from soapbill.parties import Credential, PersonName, Provider
from text_support import BIDI, CONTROL_CATEGORIES, controls, hostile_text


def test_controls_are_exactly_the_categories() -> None:
    expected = {
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in CONTROL_CATEGORIES or chr(code) in BIDI
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
    # An override would show what follows it backwards.
    assert printable("DOE\u202e00.05") == "DOE 00.05"
    assert printable("\u2066A\u2069") == " A "
    # Other invisible characters are text, not controls: a name may need them.
    assert printable("\u200c\u00a0\u200f\u200e") == "\u200c\u00a0\u200f\u200e"


@given(st.text() | hostile_text)
def test_one_line_holds_no_control_and_no_run_of_white_space(text: str) -> None:
    shown = one_line(text)
    assert not controls(shown)
    assert shown == shown.strip()
    assert "  " not in shown
    assert shown.split() == printable(text).split()


def test_one_line_examples() -> None:
    assert one_line(" Jane\n\t Doe \x1b[2J ") == "Jane Doe [2J"
    assert one_line("") == ""


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 visits"), (1, "1 visit"), (2, "2 visits"), (12, "12 visits")],
)
def test_plural(n: int, text: str) -> None:
    assert plural(n, "visit") == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0", "$0.00"),
        ("0.5", "$0.50"),
        ("65.00", "$65.00"),
        ("1234.5", "$1,234.50"),
        ("1000000.00", "$1,000,000.00"),
        ("-5", "-$5.00"),
        ("-1234.5", "-$1,234.50"),
    ],
)
def test_dollars(amount: str, text: str) -> None:
    assert dollars(Decimal(amount)) == text


def test_diagnosis_letters_are_a_to_l() -> None:
    # One letter for each diagnosis a claim may hold (CMS-1500 item 21).
    assert DIAGNOSIS_LETTERS == "ABCDEFGHIJKL"
    assert len(DIAGNOSIS_LETTERS) == MAX_DIAGNOSES
    letters = [diagnosis_letter(pointer) for pointer in range(1, MAX_DIAGNOSES + 1)]
    assert "".join(letters) == DIAGNOSIS_LETTERS


def test_us_date() -> None:
    assert us_date(date(2026, 3, 2)) == "03/02/2026"
    assert us_date(date(987, 12, 31)) == "12/31/0987"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param(PersonName(family="Doe", given="Jane"), "Jane Doe", id="given-family"),
        pytest.param(
            PersonName(family="Doe", given="Jane", middle="Quinn", suffix="Jr"),
            "Jane Quinn Doe, Jr",
            id="middle-and-suffix",
        ),
    ],
)
def test_full_name(name: PersonName, text: str) -> None:
    assert full_name(name) == text


NPI = Npi("1234567893")
SAM = PersonName(family="Lee", given="Sam")


@pytest.mark.parametrize(
    ("provider", "text"),
    [
        pytest.param(
            Provider(
                npi=NPI, name=PersonName(family="Lee", given="Sam"), credential=Credential.LMT
            ),
            "Sam Lee, LMT",
            id="person-with-credential",
        ),
        pytest.param(Provider(npi=NPI, name=SAM), "Sam Lee", id="person"),
        pytest.param(
            Provider(npi=NPI, organization_name="Example Clinic"),
            "Example Clinic",
            id="organization",
        ),
    ],
)
def test_provider_name(provider: Provider, text: str) -> None:
    assert provider_name(provider) == text
