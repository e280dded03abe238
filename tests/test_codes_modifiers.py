"""
Modifier vectors (CMS MLN1783722; Pub 100-04 Ch. 5 §20.1).
"""

from __future__ import annotations

import pytest

from soapbill import InvalidFormatError, Modifier
from soapbill.codes import modifiers


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        pytest.param("GP", "GP", id="GP"),
        pytest.param("gp", "GP", id="lower-case"),
        pytest.param(" 59 ", "59", id="spaces"),
        pytest.param("-59", "59", id="leading-hyphen"),
        pytest.param("XS", "XS", id="XS"),
        pytest.param("KX", "KX", id="KX"),
        pytest.param("A1", "A1", id="letter-and-digit"),
    ],
)
def test_valid_modifiers(raw: str, canonical: str) -> None:
    assert modifiers.validate(raw) == canonical
    assert modifiers.format(raw) == canonical
    assert modifiers.is_valid(raw)
    assert str(Modifier(raw)) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("5", id="one-character"),
        pytest.param("GPX", id="three-characters"),
        pytest.param("G.", id="dot"),
        pytest.param("G*", id="star"),
        pytest.param("", id="empty"),
    ],
)
def test_invalid_modifiers(raw: str) -> None:
    with pytest.raises(InvalidFormatError):
        modifiers.validate(raw)
    assert not modifiers.is_valid(raw)


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        pytest.param("59", "Distinct procedural service", id="59"),
        pytest.param("GP", "Under an outpatient physical therapy plan of care", id="GP"),
        pytest.param("ZZ", None, id="unknown"),
    ],
)
def test_meaning(code: str, meaning: str | None) -> None:
    assert Modifier(code).meaning == meaning


def test_modifier_groups_are_known_modifiers() -> None:
    # The X{EPSU} subsets of 59 (CMS CR 8863) and the therapy plan modifiers.
    assert {"59", "XE", "XP", "XS", "XU"} == modifiers.DISTINCT_SERVICE
    assert {"GN", "GO", "GP"} == modifiers.THERAPY_PLAN
    assert set(modifiers.MEANINGS) >= modifiers.DISTINCT_SERVICE | modifiers.THERAPY_PLAN
    assert all(modifiers.validate(code) == code for code in modifiers.MEANINGS)
