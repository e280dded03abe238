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


# --- the SSN form (sole proprietors: 837P REF*SY, CMS-1500 item 25 SSN) -----------------


@pytest.mark.parametrize(
    ("raw", "canonical", "kind"),
    [
        pytest.param("123-45-6789", "123-45-6789", "ssn", id="ssn-display-form"),
        pytest.param(" 123-45-6789 ", "123-45-6789", "ssn", id="ssn-with-spaces-around"),
        pytest.param("665-01-0001", "665-01-0001", "ssn", id="ssn-area-665"),
        pytest.param("899-99-9999", "899-99-9999", "ssn", id="ssn-area-899"),
        # Nine digits written otherwise stay an EIN, as documents of earlier releases.
        pytest.param("123456789", "12-3456789", "ein", id="bare-digits-are-an-ein"),
        pytest.param("12-3456789", "12-3456789", "ein", id="ein"),
    ],
)
def test_the_hyphens_tell_an_ssn_from_an_ein(raw: str, canonical: str, kind: str) -> None:
    assert taxid.validate(raw) == canonical
    assert taxid.is_valid(raw)
    tax_id = TaxId(raw)
    assert tax_id.value == canonical
    assert tax_id.kind == kind
    assert tax_id.compact == canonical.replace("-", "")
    assert TaxId(canonical) == tax_id


@pytest.mark.parametrize(
    "raw",
    [
        # Social Security Administration, "Social Security Number Randomization".
        pytest.param("000-12-3456", id="area-000"),
        pytest.param("666-12-3456", id="area-666"),
        pytest.param("900-12-3456", id="area-900"),
        pytest.param("999-12-3456", id="area-999"),
        pytest.param("123-00-4567", id="group-00"),
        pytest.param("123-45-0000", id="serial-0000"),
    ],
)
def test_ssns_the_ssa_does_not_assign_are_refused(raw: str) -> None:
    with pytest.raises(InvalidFormatError) as info:
        taxid.validate(raw)
    assert info.value.errors[0].code == "invalid_ssn"
    assert not taxid.is_valid(raw)
    with pytest.raises(InvalidFormatError):
        TaxId(raw)
    with pytest.raises(InvalidFormatError):
        TaxId.ssn(raw.replace("-", ""))


def test_named_constructors() -> None:
    assert TaxId.ssn("123456789") == TaxId("123-45-6789")
    assert TaxId.ein("123-45-6789") == TaxId("12-3456789")
    for build in (TaxId.ssn, TaxId.ein):
        with pytest.raises(InvalidFormatError):
            build("12345678")


def test_an_ssn_is_redacted_in_repr_and_errors() -> None:
    ssn = TaxId("123-45-6789")
    assert repr(ssn) == "TaxId(<redacted>)"
    assert "6789" not in repr(ssn)
    assert repr(TaxId("12-3456789")) == "TaxId('12-3456789')"
    with pytest.raises(InvalidFormatError) as info:
        TaxId("666-45-6789")
    assert "6789" not in f"{info.value} {info.value!r} {info.value.args}"
