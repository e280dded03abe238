"""
The one description of a model's fields, soapbill._fields.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import attrs
import pytest

from soapbill import Claim, CptCode, Npi, Prescription, ServiceLine, SoapNote
from soapbill._fields import (
    NO_RULES,
    Kind,
    Rules,
    Shape,
    describe,
    fields_of,
    is_document,
    redact,
    rules,
)


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("tp", "shape", "item"),
    [
        pytest.param(str, Shape.STR, None, id="str"),
        pytest.param(int, Shape.INT, None, id="int"),
        pytest.param(bool, Shape.BOOL, None, id="bool"),
        pytest.param(Decimal, Shape.MONEY, None, id="money"),
        pytest.param(date, Shape.DATE, None, id="date"),
        pytest.param(Colour, Shape.ENUM, None, id="enum"),
        pytest.param(CptCode, Shape.CODE, None, id="code"),
        pytest.param(Claim, Shape.MODEL, None, id="model"),
        pytest.param(int | None, Shape.OPTIONAL, int, id="optional"),
        pytest.param(None | int, Shape.OPTIONAL, int, id="optional-first"),
        pytest.param(tuple[int, ...], Shape.TUPLE, int, id="tuple"),
        # What only the converter's own hooks handle.
        pytest.param(int | str, Shape.OTHER, None, id="union"),
        pytest.param(int | str | None, Shape.OTHER, None, id="optional-union"),
        pytest.param(tuple[int, int], Shape.OTHER, None, id="pair"),
        pytest.param(list[int], Shape.OTHER, None, id="list"),
        pytest.param(float, Shape.OTHER, None, id="float"),
        pytest.param(datetime, Shape.OTHER, None, id="datetime-is-no-date"),
        pytest.param("Claim", Shape.OTHER, None, id="unresolved"),
    ],
)
def test_describe(tp: object, shape: Shape, item: object) -> None:
    kind = describe(tp)
    assert kind.shape is shape
    assert kind.type == tp
    assert (kind.item.type if kind.item else None) is item


def test_nested_kinds() -> None:
    kind = describe(tuple[tuple[Npi | None, ...], ...] | None)
    assert kind.shape is Shape.OPTIONAL
    assert kind.inner.inner.inner.shape is Shape.OPTIONAL
    assert kind.leaf.shape is Shape.CODE
    assert repr(kind) == "Kind(OPTIONAL, Kind(TUPLE, Kind(TUPLE, Kind(OPTIONAL, Kind(CODE, Npi)))))"
    assert repr(describe(tuple[int, int])) == "Kind(OTHER, tuple[int, int])"
    with pytest.raises(TypeError):
        _ = describe(int).inner


def test_the_fields_of_a_model() -> None:
    fields = fields_of(ServiceLine)
    assert fields is fields_of(ServiceLine)
    assert [f.name for f in fields] == [a.name for a in attrs.fields(ServiceLine)]
    by_name = {f.name: f for f in fields}
    assert by_name["units"].rules.ge == 1
    assert by_name["units"].rules.le == 9999
    assert by_name["modifiers"].rules.unique
    assert by_name["modifiers"].kind.inner.type is not None
    assert by_name["place_of_service"].rules is NO_RULES
    assert by_name["code"].required
    assert not by_name["modifiers"].required
    assert repr(by_name["units"]) == "Field('units', Kind(INT, int))"


def test_redacted_fields() -> None:
    redacted = {f.name for f in fields_of(SoapNote) if f.redacted}
    assert redacted == set()
    patient = {f.name: f.redacted for f in fields_of(fields_of(Claim)[3].kind.type)}
    assert patient == {
        "id": False,
        "name": True,
        "birth_date": True,
        "sex": False,
        "address": True,
        "phone": True,
    }


def test_a_plain_attrs_class_is_described_too() -> None:
    @attrs.frozen
    class Plain:
        hidden: str = attrs.field(repr=False)
        weight: float = 0.0

    hidden, weight = fields_of(Plain)
    assert hidden.redacted
    assert weight.kind.shape is Shape.OTHER


def test_only_attrs_classes_have_fields() -> None:
    with pytest.raises(attrs.exceptions.NotAnAttrsClassError):
        fields_of(Colour)


def test_descriptions_are_immutable() -> None:
    values: list[object] = [describe(int), fields_of(ServiceLine)[0], NO_RULES]
    for value in values:
        with pytest.raises(AttributeError):
            setattr(value, "shape", Shape.STR)  # noqa: B010 - what a caller must not do
        with pytest.raises(AttributeError):
            delattr(value, "shape")


def test_rules_are_metadata() -> None:
    # Other code reads the metadata as a plain mapping.
    metadata = rules(max_len=3, unique=True)
    assert metadata == {
        "soapbill": {
            "min_len": None,
            "max_len": 3,
            "ge": None,
            "le": None,
            "unique": True,
            "pattern": None,
            "signed": False,
            "quantity": False,
            "items": None,
        }
    }
    described = Rules(metadata["soapbill"])  # type: ignore[arg-type]
    assert (described.max_len, described.unique, described.min_len) == (3, True, None)
    assert described.items is NO_RULES
    assert redact("anything") == "<redacted>"


def test_documents() -> None:
    assert is_document(Claim)
    assert is_document(Prescription)
    assert not is_document(ServiceLine)
    assert isinstance(describe(Claim), Kind)


def test_rules_of_amounts_and_of_items() -> None:
    metadata = rules(max_len=4, items=rules(max_len=2, signed=True))
    described = Rules(metadata["soapbill"])  # type: ignore[arg-type]
    assert (described.max_len, described.signed, described.quantity) == (4, False, False)
    assert (described.items.max_len, described.items.signed) == (2, True)
    assert described.items.items is NO_RULES
    assert Rules(rules(quantity=True)["soapbill"]).quantity  # type: ignore[arg-type]
