"""
Place of service vectors (the CMS Place of Service Code Set).
"""

from __future__ import annotations

import pytest

from soapbill import InvalidFormatError, PlaceOfService
from soapbill.codes import pos


@pytest.mark.parametrize(
    ("raw", "canonical", "name"),
    [
        pytest.param("11", "11", "Office", id="11-office"),
        pytest.param("12", "12", "Home", id="12-home"),
        pytest.param("02", "02", "Telehealth provided other than in patient's home", id="02"),
        pytest.param("10", "10", "Telehealth provided in patient's home", id="10"),
        pytest.param(" 22 ", "22", "On campus outpatient hospital", id="22-spaces"),
        # Any two digits from 01 to 99 are accepted, named or not.
        pytest.param("01", "01", None, id="01-lowest"),
        pytest.param("99", "99", None, id="99-highest"),
    ],
)
def test_valid_places(raw: str, canonical: str, name: str | None) -> None:
    assert pos.validate(raw) == canonical
    assert pos.format(raw) == canonical
    assert pos.is_valid(raw)
    assert pos.describe(raw) == name
    assert PlaceOfService(raw).description == name


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("00", id="00"),
        pytest.param("1", id="one-digit"),
        pytest.param("111", id="three-digits"),
        pytest.param("1a", id="letter"),
        pytest.param("-1", id="negative"),
        pytest.param("1.0", id="dot"),
        pytest.param("", id="empty"),
    ],
)
def test_invalid_places(raw: str) -> None:
    with pytest.raises(InvalidFormatError):
        pos.validate(raw)
    with pytest.raises(InvalidFormatError):
        pos.describe(raw)
    assert not pos.is_valid(raw)


def test_every_named_place_is_valid() -> None:
    assert all(pos.validate(code) == code for code in pos.NAMES)
