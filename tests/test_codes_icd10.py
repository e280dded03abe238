"""
ICD-10-CM syntax vectors (NCI SEER's code structure; the CDC tabular's codes).
"""

from __future__ import annotations

import pytest
from hypothesis import given

from soapbill import DiagnosisCode, InvalidFormatError
from soapbill import strategies as sbst
from soapbill.codes import icd10


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # Dotted and dotless forms of the same code; claims carry the dotless one.
        pytest.param("M54.50", "M54.50", id="M54.50"),
        pytest.param("M5450", "M54.50", id="M5450-gets-its-dot"),
        pytest.param("m54.50", "M54.50", id="lower-case"),
        pytest.param(" M54.50\n", "M54.50", id="white-space"),
        # Three-character categories have no dot.
        pytest.param("M54", "M54", id="category"),
        pytest.param("R51.9", "R51.9", id="R51.9"),
        pytest.param("M62.830", "M62.830", id="six-characters"),
        # A 7th character with the placeholder X (SEER; guideline I.A.5).
        pytest.param("S13.4XXA", "S13.4XXA", id="S13.4XXA"),
        pytest.param("s13.4xxa", "S13.4XXA", id="placeholder-x-upper-cased"),
        pytest.param("S134XXA", "S13.4XXA", id="S134XXA"),
        pytest.param("S39.012A", "S39.012A", id="S39.012A"),
        # A letter in the third position (category O9A).
        pytest.param("O9A", "O9A", id="O9A-category"),
        pytest.param("O9A.1", "O9A.1", id="O9A-letter-third"),
        # U codes exist: COVID-19 and post COVID-19 condition.
        pytest.param("U07.1", "U07.1", id="U07.1"),
        pytest.param("U09.9", "U09.9", id="U09.9"),
    ],
)
def test_valid_codes(raw: str, canonical: str) -> None:
    assert icd10.validate(raw) == canonical
    assert icd10.format(raw) == canonical
    assert icd10.is_valid(raw)
    assert str(DiagnosisCode(raw)) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("M5", id="two-characters"),
        pytest.param("M54.50123", id="eight-characters"),
        pytest.param("5M4.50", id="digit-first"),
        pytest.param("MM4.50", id="letter-second"),
        pytest.param("M5.450", id="dot-after-second"),
        pytest.param("M545.0", id="dot-after-fourth"),
        pytest.param(".M5450", id="dot-first"),
        pytest.param("M54..50", id="two-dots-together"),
        pytest.param("M54.5.0", id="two-dots"),
        pytest.param("M54-50", id="hyphen"),
        pytest.param("M54.5_", id="underscore"),
        pytest.param("", id="empty"),
        pytest.param(".", id="dot-only"),
    ],
)
def test_invalid_codes(raw: str) -> None:
    with pytest.raises(InvalidFormatError) as info:
        icd10.validate(raw)
    assert info.value.errors[0].code == "invalid_format"
    assert not icd10.is_valid(raw)


@pytest.mark.parametrize(
    ("code", "compact", "category"),
    [
        pytest.param("M54.50", "M5450", "M54", id="M54.50"),
        pytest.param("S13.4XXA", "S134XXA", "S13", id="S13.4XXA"),
        pytest.param("M54", "M54", "M54", id="category"),
    ],
)
def test_compact_and_category(code: str, compact: str, category: str) -> None:
    value = DiagnosisCode(code)
    assert value.compact == compact
    assert value.category == category
    assert icd10.compact(code) == compact


@given(code=sbst.diagnosis_codes())
def test_dotless_form_round_trips(code: DiagnosisCode) -> None:
    assert DiagnosisCode(code.compact) == code
    assert 3 <= len(code.compact) <= 7
    assert ("." in str(code)) is (len(code.compact) > 3)


@pytest.mark.parametrize("raw", ["M54.", "M54. ", "M54 ."])
def test_a_trailing_dot_is_refused(raw: str) -> None:
    assert not icd10.is_valid(raw)
