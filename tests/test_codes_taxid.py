"""
Employer Identification Number vectors.
"""

from __future__ import annotations

import pytest

from soapbill import InvalidFormatError, TaxId
from soapbill.codes import taxid


@pytest.mark.parametrize(
    ("raw", "canonical", "digits"),
    [
        pytest.param("12-3456789", "12-3456789", "123456789", id="display-form"),
        pytest.param("123456789", "12-3456789", "123456789", id="nine-digits"),
        pytest.param(" 12 3456789 ", "12-3456789", "123456789", id="spaces"),
        pytest.param("00-0000000", "00-0000000", "000000000", id="zeros"),
    ],
)
def test_valid_eins(raw: str, canonical: str, digits: str) -> None:
    assert taxid.validate(raw) == canonical
    assert taxid.format(raw) == canonical
    assert taxid.compact(raw) == digits
    assert taxid.is_valid(raw)
    assert TaxId(raw).compact == digits
    assert str(TaxId(raw)) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("12345678", id="eight-digits"),
        pytest.param("1234567890", id="ten-digits"),
        pytest.param("12-345678a", id="letter"),
        pytest.param("12/3456789", id="slash"),
        pytest.param("", id="empty"),
    ],
)
def test_invalid_eins(raw: str) -> None:
    with pytest.raises(InvalidFormatError):
        taxid.validate(raw)
    assert not taxid.is_valid(raw)
