"""
NPI vectors (CMS, "Requirements for NPI Check Digit").
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import InvalidChecksumError, InvalidFormatError, Npi
from soapbill import strategies as sbst
from soapbill.codes import npi


def _luhn_with_prefix(number: str) -> bool:
    """
    An independent oracle: the ISO Luhn check over "80840" + the NPI.
    """
    total = 0
    for position, char in enumerate(reversed("80840" + number)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # The CMS worked example: base 123456789, check digit 3.
        pytest.param("1234567893", "1234567893", id="cms-example"),
        pytest.param(" 123-456-7893 ", "1234567893", id="cms-example-with-separators"),
        pytest.param("123.456.7893", "1234567893", id="cms-example-with-dots"),
        # The check digit 0: a sum already ending in 0 (the "% 10" pitfall).
        pytest.param("1234567000", "1234567000", id="check-digit-0"),
        # NPIs from the 837P example of docs/guide/x12.md.
        pytest.param("1558598797", "1558598797", id="x12-guide-referring"),
        pytest.param("1528060837", "1528060837", id="x12-guide-rendering"),
        # NPIs start with 1 or 2.
        pytest.param("2000000002", "2000000002", id="starts-with-2"),
    ],
)
def test_valid_npis(raw: str, canonical: str) -> None:
    assert npi.validate(raw) == canonical
    assert npi.is_valid(raw)
    assert npi.format(raw) == canonical
    assert str(Npi(raw)) == canonical
    assert _luhn_with_prefix(canonical)


@pytest.mark.parametrize(
    "raw",
    [
        # The check digit is wrong, including the 10 a missing "% 10" would give.
        pytest.param("1234567890", id="cms-base-wrong-digit-0"),
        pytest.param("1234567894", id="cms-base-wrong-digit-4"),
        pytest.param("1234567001", id="zero-check-digit-base-wrong-digit"),
    ],
)
def test_bad_check_digits(raw: str) -> None:
    with pytest.raises(InvalidChecksumError) as info:
        npi.validate(raw)
    assert info.value.errors[0].code == "bad_checksum"
    assert not npi.is_valid(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("123456789", id="nine-digits"),
        pytest.param("12345678930", id="eleven-digits"),
        pytest.param("3234567893", id="starts-with-3"),
        pytest.param("0234567893", id="starts-with-0"),
        pytest.param("12345678a3", id="letter"),
        pytest.param("80840123456789", id="with-card-prefix"),
        pytest.param("", id="empty"),
    ],
)
def test_malformed_npis(raw: str) -> None:
    with pytest.raises(InvalidFormatError) as info:
        npi.validate(raw)
    assert not isinstance(info.value, InvalidChecksumError)
    assert info.value.errors[0].code == "invalid_format"


@pytest.mark.parametrize(
    ("base", "digit"),
    [
        pytest.param("123456789", "3", id="cms-example"),
        pytest.param("123456700", "0", id="zero"),
        pytest.param("155859879", "7", id="domain-5.5"),
    ],
)
def test_calc_check_digit(base: str, digit: str) -> None:
    assert npi.calc_check_digit(base) == digit


@pytest.mark.parametrize(
    "base",
    ["12345678", "1234567890", "12345678a", "１２３４５６７８９", 123456789, None],  # noqa: RUF001 - full-width on purpose
    ids=repr,
)
def test_calc_check_digit_refuses_bad_bases(base: object) -> None:
    with pytest.raises(InvalidFormatError):
        npi.calc_check_digit(base)  # type: ignore[arg-type]


@given(base=st.text("0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_fits_every_base(base: str) -> None:
    fits = [d for d in "0123456789" if _luhn_with_prefix(base + d)]
    assert fits == [npi.calc_check_digit(base)]


@given(number=sbst.npis(), wrong=st.integers(1, 9))
def test_changing_the_check_digit_breaks_the_npi(number: Npi, wrong: int) -> None:
    text = str(number)
    broken = text[:9] + str((int(text[9]) + wrong) % 10)
    assert not npi.is_valid(broken)
    assert _luhn_with_prefix(text)


@given(number=sbst.npis(), position=st.integers(0, 8), shift=st.integers(1, 9))
def test_changing_one_base_digit_breaks_the_npi(number: Npi, position: int, shift: int) -> None:
    # Luhn catches every single-digit error.
    text = str(number)
    digit = (int(text[position]) + shift) % 10
    broken = text[:position] + str(digit) + text[position + 1 :]
    assert not npi.is_valid(broken)
