from __future__ import annotations

import copy
import enum
import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, Literal

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soapbill import (
    Assessment,
    Claim,
    CptCode,
    DiagnosisCode,
    Frequency,
    Modifier,
    Npi,
    Objective,
    PlaceOfService,
    Plan,
    Prescription,
    SoapNote,
    TaxId,
)
from soapbill import strategies as sbst
from soapbill._fields import rules
from soapbill._model import model
from soapbill.codes import cpt, icd10, modifiers, npi, pos, taxid
from soapbill.codes._base import CodeValue
from soapbill.errors import SoapbillError, ValidationError
from soapbill.formats.json import FORMAT_VERSION, from_dict, to_dict
from soapbill.formats.schema import DIALECT, UnsupportedTypeError, json_schema
from soapbill.rules import Decision, PayerPolicy, evaluate
from soapbill.rules import policies as bundled

DOCUMENTS = (Claim, SoapNote, Prescription, PayerPolicy, Decision)
# jsonschema checks a whole document against the schema in pure Python: each
# example of a test that asks it is slow.
JSONSCHEMA_ORACLE = settings(max_examples=15)


def validator(cls: type) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        json_schema(cls), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


VALIDATORS = {cls: validator(cls) for cls in DOCUMENTS}


# --- the schema itself ----------------------------------------------------------------


@pytest.mark.parametrize("cls", DOCUMENTS, ids=lambda c: c.__name__)
def test_schema_is_a_valid_draft_2020_12_schema(cls: type) -> None:
    schema = json_schema(cls)
    assert schema["$schema"] == DIALECT
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("cls", DOCUMENTS, ids=lambda c: c.__name__)
def test_schema_is_json_and_deterministic(cls: type) -> None:
    text = json.dumps(json_schema(cls), indent=2)
    assert json.dumps(json_schema(cls), indent=2) == text
    assert json.loads(text) == json_schema(cls)


@pytest.mark.parametrize("cls", DOCUMENTS, ids=lambda c: c.__name__)
def test_document_root_requires_format_version_first(cls: type) -> None:
    schema = json_schema(cls)
    assert next(iter(schema["properties"])) == "format_version"
    assert schema["properties"]["format_version"] == {"const": FORMAT_VERSION}
    assert schema["required"][0] == "format_version"
    assert schema["additionalProperties"] is False


def test_nested_document_carries_no_format_version() -> None:
    # A SoapNote's provider is a Provider; a class that is a document only at the
    # root gets format_version there and nowhere else.
    schema = json_schema(SoapNote)
    for definition in schema["$defs"].values():
        assert "format_version" not in definition.get("properties", {})


def test_non_document_class_has_no_format_version() -> None:
    schema = json_schema(Objective)
    assert "format_version" not in schema["properties"]
    assert schema["required"] == []


def test_required_are_the_fields_without_defaults_in_order() -> None:
    schema = json_schema(Claim)
    expected = [f.name for f in attrs.fields(Claim) if f.default is attrs.NOTHING]
    assert schema["required"] == ["format_version", *expected]
    assert list(schema["properties"])[1:] == [f.name for f in attrs.fields(Claim)]


def test_every_object_forbids_unknown_keys() -> None:
    for cls in DOCUMENTS:
        schema = json_schema(cls)
        for definition in [schema, *schema["$defs"].values()]:
            if definition.get("type") == "object":
                assert definition["additionalProperties"] is False


def test_constraints_come_from_the_field_rules() -> None:
    schema = json_schema(Claim)
    props, defs = schema["properties"], schema["$defs"]
    assert props["id"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 38,
        "description": "The practice's claim id (patient control number, CLM01).",
    }
    assert props["diagnoses"]["minItems"] == 1
    assert props["diagnoses"]["maxItems"] == 12
    assert props["diagnoses"]["uniqueItems"] is True
    assert props["lines"]["items"] == {"$ref": "#/$defs/ServiceLine"}
    units = defs["ServiceLine"]["properties"]["units"]
    assert (units["type"], units["minimum"], units["maximum"]) == ("integer", 1, 9999)
    state = defs["Address"]["properties"]["state"]
    assert state["pattern"] == "^(?:[A-Z]{2})$"
    assert defs["ClaimFrequency"]["enum"] == ["original", "replacement", "void"]
    assert defs["Money"]["pattern"] == r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
    assert defs["Date"]["format"] == "date"
    # Optional fields accept null and default to it.
    assert props["rendering_provider"]["anyOf"][1] == {"type": "null"}
    assert props["rendering_provider"]["default"] is None


def test_descriptions_come_from_the_docstrings() -> None:
    schema = json_schema(Claim)
    assert schema["description"] == "A professional claim."
    assert schema["properties"]["frequency"]["description"] == "Original, replacement or void."
    # reStructuredText roles and literals become plain text.
    pointers = schema["$defs"]["ServiceLine"]["properties"]["diagnosis_pointers"]
    assert pointers["description"] == (
        "One to four distinct 1-based pointers into Claim.diagnoses."
    )
    note = json_schema(SoapNote)["properties"]["patient_id"]["description"]
    assert note == "The Patient.id it is about."


def _defaults(schema: dict[str, Any]) -> list[tuple[dict[str, Any], object]]:
    return [
        (prop, prop["default"])
        for definition in [schema, *schema["$defs"].values()]
        for prop in definition.get("properties", {}).values()
        if "default" in prop
    ]


@pytest.mark.parametrize("cls", DOCUMENTS, ids=lambda c: c.__name__)
def test_every_default_is_valid_for_its_own_field(cls: type) -> None:
    schema = json_schema(cls)
    defaults = _defaults(schema)
    assert defaults
    for prop, default in defaults:
        jsonschema.Draft202012Validator({"$defs": schema["$defs"], **prop}).validate(default)


@pytest.mark.parametrize("cls", [Objective, Assessment, Plan], ids=lambda c: c.__name__)
def test_defaults_are_what_to_dict_writes(cls: type) -> None:
    schema = json_schema(cls)
    written = to_dict(cls())
    assert {name: prop["default"] for name, prop in schema["properties"].items()} == written
    assert json_schema(SoapNote)["properties"][cls.__name__.lower()]["default"] == written


# --- code values ---------------------------------------------------------------------

CODES = [
    pytest.param(CptCode, cpt.validate, id="CptCode"),
    pytest.param(DiagnosisCode, icd10.validate, id="DiagnosisCode"),
    pytest.param(Modifier, modifiers.validate, id="Modifier"),
    pytest.param(Npi, npi.validate, id="Npi"),
    pytest.param(PlaceOfService, pos.validate, id="PlaceOfService"),
    pytest.param(TaxId, taxid.validate, id="TaxId"),
]


def _code_pattern(cls: type[CodeValue]) -> str:
    schema = json_schema(Claim)
    pattern: str = schema["$defs"][cls.__name__]["pattern"]
    return pattern


@pytest.mark.parametrize(("cls", "validate"), CODES)
@given(data=st.data())
def test_code_pattern_matches_only_canonical_forms(
    cls: type[CodeValue], validate: Callable[[str], str], data: st.DataObject
) -> None:
    pattern = _code_pattern(cls) if cls is not TaxId else r"^[0-9]{2}-[0-9]{7}$"
    text = data.draw(st.from_regex(re.compile(pattern, re.ASCII), fullmatch=True))
    if cls is Npi:
        # The check digit is beyond a pattern: valid NPIs are the canonical ones.
        text = text[:9] + npi.calc_check_digit(text[:9])
    assert validate(text) == text


@pytest.mark.parametrize(("cls", "validate"), CODES)
@given(text=st.text(alphabet="0123456789ABCDEFGTXZ.-abx ", max_size=9))
def test_every_canonical_code_matches_its_pattern(
    cls: type[CodeValue], validate: Callable[[str], str], text: str
) -> None:
    pattern = _code_pattern(cls) if cls is not TaxId else r"^[0-9]{2}-[0-9]{7}$"
    try:
        canonical = validate(text)
    except ValidationError:
        return
    assert re.search(pattern, canonical)


def test_tax_id_pattern_is_the_canonical_form() -> None:
    schema = json_schema(Claim)
    provider = schema["$defs"]["Provider"]["properties"]["tax_id"]["anyOf"][0]
    assert provider == {"$ref": "#/$defs/TaxId"}
    assert schema["$defs"]["TaxId"]["pattern"] == (
        r"^([0-9]{2}-[0-9]{7}|[0-9]{3}-[0-9]{2}-[0-9]{4})$"
    )


# --- generated documents validate ---------------------------------------------------


@given(claim=sbst.claims(max_lines=6))
@JSONSCHEMA_ORACLE
def test_generated_claims_validate(claim: Claim) -> None:
    VALIDATORS[Claim].validate(to_dict(claim))


@given(note=sbst.soap_notes())
@JSONSCHEMA_ORACLE
def test_generated_soap_notes_validate(note: SoapNote) -> None:
    VALIDATORS[SoapNote].validate(to_dict(note))


@given(rx=sbst.prescriptions())
@JSONSCHEMA_ORACLE
def test_generated_prescriptions_validate(rx: Prescription) -> None:
    VALIDATORS[Prescription].validate(to_dict(rx))


@pytest.mark.parametrize("name", bundled.names())
def test_bundled_policies_validate(name: str) -> None:
    policy = bundled.load(name)
    data = to_dict(policy)
    VALIDATORS[PayerPolicy].validate(data)
    assert from_dict(data, PayerPolicy) == policy


@given(claim=sbst.claims(max_lines=4), name=st.sampled_from(bundled.names()))
@JSONSCHEMA_ORACLE
def test_decisions_validate(claim: Claim, name: str) -> None:
    decision = evaluate(claim, bundled.load(name), as_of=date(2031, 1, 1))
    VALIDATORS[Decision].validate(to_dict(decision))


# --- invalid documents are refused by the schema and by from_dict ----------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[str | int, ...], value: object) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(*path: str | int) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


CLAIM_MUTATIONS = [
    # Wrong JSON types.
    pytest.param(_set(("lines", 0, "units"), "1"), id="units-as-string"),
    pytest.param(_set(("lines", 0, "units"), value=True), id="units-as-boolean"),
    pytest.param(_set(("lines", 0, "charge"), 125), id="money-as-number"),
    pytest.param(_set(("id",), 7), id="id-as-number"),
    pytest.param(_set(("patient",), None), id="required-object-null"),
    pytest.param(_set(("diagnoses",), "M54.50"), id="array-as-string"),
    pytest.param(_set(("provider_signature_on_file",), "yes"), id="boolean-as-string"),
    # Unknown keys, at the root and nested.
    pytest.param(_set(("color",), "blue"), id="unknown-root-key"),
    pytest.param(_set(("patient", "nickname"), "Jo"), id="unknown-nested-key"),
    pytest.param(_set(("lines", 0, "note"), "x"), id="unknown-line-key"),
    # Missing keys.
    pytest.param(_delete("id"), id="missing-id"),
    pytest.param(_delete("format_version"), id="missing-format-version"),
    pytest.param(_delete("lines", 0, "charge"), id="missing-line-charge"),
    pytest.param(_delete("patient", "birth_date"), id="missing-birth-date"),
    # Bad formats.
    pytest.param(_set(("diagnoses", 0), "M5"), id="diagnosis-too-short"),
    pytest.param(_set(("diagnoses", 0), "5M4.50"), id="diagnosis-shape"),
    pytest.param(_set(("lines", 0, "code"), "9712"), id="cpt-four-digits"),
    pytest.param(_set(("lines", 0, "code"), "97124X"), id="cpt-six-characters"),
    pytest.param(_set(("billing_provider", "npi"), "12345"), id="npi-short"),
    pytest.param(_set(("place_of_service",), "00"), id="place-of-service-00"),
    pytest.param(_set(("lines", 0, "charge"), "1.234"), id="money-three-places"),
    pytest.param(_set(("lines", 0, "charge"), "-1.00"), id="money-negative"),
    pytest.param(_set(("lines", 0, "charge"), "10000000000.00"), id="money-too-large"),
    pytest.param(_set(("lines", 0, "date_of_service"), "2026-3-1"), id="date-shape"),
    pytest.param(_set(("lines", 0, "date_of_service"), "2026-02-30"), id="date-not-a-day"),
    pytest.param(_set(("frequency",), "sometimes"), id="unknown-enum-value"),
    pytest.param(_set(("format_version",), 2), id="format-version-2"),
    pytest.param(_set(("patient", "address"), {"line1": "1 Main St"}), id="partial-object"),
    # Lengths, ranges and uniqueness.
    pytest.param(_set(("id",), ""), id="empty-id"),
    pytest.param(_set(("id",), "X" * 39), id="id-too-long"),
    pytest.param(_set(("lines", 0, "units"), 0), id="units-zero"),
    pytest.param(_set(("lines", 0, "units"), 10_000), id="units-too-many"),
    pytest.param(_set(("lines",), []), id="no-lines"),
    pytest.param(_set(("lines", 0, "diagnosis_pointers"), [1, 1]), id="repeated-pointer"),
    pytest.param(
        _set(("lines", 0, "modifiers"), ["GP", "59", "XE", "KX", "XS"]), id="five-modifiers"
    ),
]


def assert_refused_by_schema_and_decoder(doc: dict[str, Any], cls: type[Claim | SoapNote]) -> None:
    """
    Assert that the JSON Schema of *cls* refuses *doc* and so does ``from_dict``.
    """
    assert not VALIDATORS[cls].is_valid(doc)
    with pytest.raises(ValidationError):
        from_dict(doc, cls)


@pytest.mark.parametrize("mutate", CLAIM_MUTATIONS)
@given(claim=sbst.claims(max_lines=3))
@settings(max_examples=3)  # jsonschema, once per mutation and claim.
def test_mutated_claims_are_refused_by_schema_and_decoder(mutate: Mutation, claim: Claim) -> None:
    doc = copy.deepcopy(to_dict(claim))
    mutate(doc)
    assert_refused_by_schema_and_decoder(doc, Claim)


NOTE_MUTATIONS = [
    pytest.param(_set(("subjective", "pain"), [{"region": "neck", "intensity": 11}]), id="pain-11"),
    pytest.param(_set(("plan", "focus"), ["neck", "neck"]), id="repeated-region"),
    pytest.param(_set(("treatments",), [{"code": "97124", "minutes": 0}]), id="zero-minutes"),
    pytest.param(_set(("subjective", "limitations"), [""]), id="empty-text-item"),
    pytest.param(_delete("subjective"), id="missing-subjective"),
]


@pytest.mark.parametrize("mutate", NOTE_MUTATIONS)
@given(note=sbst.soap_notes(signed=False))
@settings(max_examples=3)  # jsonschema, once per mutation and note.
def test_mutated_notes_are_refused_by_schema_and_decoder(mutate: Mutation, note: SoapNote) -> None:
    doc = copy.deepcopy(to_dict(note))
    mutate(doc)
    assert_refused_by_schema_and_decoder(doc, SoapNote)


# --- what the schema does not accept, by design ----------------------------------------


@given(claim=sbst.claims(max_lines=2, diagnoses=sbst.diagnosis_codes(common=True)))
@JSONSCHEMA_ORACLE
def test_compact_codes_are_read_but_not_canonical(claim: Claim) -> None:
    # The decoder reads "m5450"; the schema describes what soapbill writes.
    doc = to_dict(claim)
    doc["diagnoses"] = [code.replace(".", "").lower() for code in doc["diagnoses"]]
    assert from_dict(doc, Claim) == claim
    assert not VALIDATORS[Claim].is_valid(doc)


@given(claim=sbst.claims(max_lines=2))
@JSONSCHEMA_ORACLE
def test_npi_check_digit_is_left_to_the_decoder(claim: Claim) -> None:
    doc = to_dict(claim)
    good = doc["billing_provider"]["npi"]
    doc["billing_provider"]["npi"] = good[:9] + str((int(good[9]) + 1) % 10)
    assert VALIDATORS[Claim].is_valid(doc)
    with pytest.raises(ValidationError):
        from_dict(doc, Claim)


# --- any model class -----------------------------------------------------------------


@model
class _Inner:
    """
    A small model.
    """

    name: str = attrs.field(metadata=rules(min_len=0, max_len=5))
    count: int = 3


@model
class _Outer:
    """
    Another model.

    Attributes:
        inner: The inner one, described over
            two lines.
        inners: Several, uniquely.
    """

    __soapbill_document__: ClassVar[bool] = True

    inner: _Inner
    inners: tuple[_Inner, ...] = attrs.field(factory=tuple, metadata=rules(unique=True))


def test_any_model_class() -> None:
    schema = json_schema(_Outer)
    assert schema["properties"]["inner"] == {
        "$ref": "#/$defs/_Inner",
        "description": "The inner one, described over two lines.",
    }
    assert schema["properties"]["inners"]["default"] == []
    assert schema["$defs"]["_Inner"]["properties"]["name"] == {"type": "string", "maxLength": 5}
    assert schema["$defs"]["_Inner"]["properties"]["count"] == {"type": "integer", "default": 3}
    good = {"format_version": 1, "inner": {"name": "", "count": 1}}
    jsonschema.validate(good, schema)
    assert from_dict(good, _Outer) == _Outer(inner=_Inner(name="", count=1))


class _Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class _Shade(enum.Enum):
    # No docstring of its own: the schema has no description.
    DARK = "dark"


def _upper(value: str) -> str:
    return value.upper()


class _Code(CodeValue):
    __slots__ = ()
    _validate = staticmethod(_upper)


@attrs.frozen
class _Kinds:
    """
    Every other kind of field, see :class:`~soapbill.Claim` and :attr:`Claim.id`.
    """

    level: _Level
    shade: _Shade
    code: _Code
    mode: Literal["a", "b"]


def test_other_kinds_of_field() -> None:
    schema = json_schema(_Kinds)
    assert schema["description"] == "Every other kind of field, see Claim and Claim.id."
    assert schema["$defs"]["_Level"] == {"enum": [1, 2]}
    assert schema["$defs"]["_Shade"] == {"type": "string", "enum": ["dark"]}
    assert schema["$defs"]["_Code"] == {"type": "string", "minLength": 1}
    assert schema["properties"]["mode"] == {"enum": ["a", "b"]}


def test_a_model_of_plain_fields_has_no_definitions() -> None:
    schema = json_schema(Frequency)
    assert "$defs" not in schema
    assert schema["required"] == ["per_week", "weeks"]


def test_classes_of_one_name_get_distinct_definitions() -> None:
    # Another class named _Inner, from another module.
    other = attrs.make_class("_Inner", {"flag": attrs.field(type=bool)})
    other.__module__ = "elsewhere"
    both = attrs.make_class("Both", {"a": attrs.field(type=other), "b": attrs.field(type=_Inner)})
    schema = json_schema(both)
    refs = {schema["properties"]["a"]["$ref"], schema["properties"]["b"]["$ref"]}
    # The first one met keeps the short name; the other is qualified by its module.
    assert refs == {"#/$defs/_Inner", f"#/$defs/{_Inner.__module__}._Inner"}


UNSUPPORTED = [
    pytest.param(int, id="not-attrs"),
    pytest.param(Claim.__init__, id="not-a-class"),
]


@pytest.mark.parametrize("cls", UNSUPPORTED)
def test_non_models_are_refused(cls: Any) -> None:
    with pytest.raises(UnsupportedTypeError) as info:
        json_schema(cls)
    assert isinstance(info.value, SoapbillError)
    assert isinstance(info.value, TypeError)


@attrs.frozen
class _Mapping:
    values: dict[str, int]


@attrs.frozen
class _Union:
    value: int | str


@attrs.frozen
class _Pair:
    value: tuple[int, str]


@attrs.frozen
class _SelfDefault:
    a: int = 1
    b: int = attrs.field(default=attrs.Factory(lambda self: self.a, takes_self=True))


@pytest.mark.parametrize(
    ("cls", "field"),
    [
        pytest.param(_Mapping, "_Mapping.values", id="dict"),
        pytest.param(_Union, "_Union.value", id="union"),
        pytest.param(_Pair, "_Pair.value", id="fixed-tuple"),
    ],
)
def test_unsupported_field_types_name_the_field(cls: type, field: str) -> None:
    with pytest.raises(UnsupportedTypeError, match=re.escape(field)):
        json_schema(cls)


def test_a_default_that_depends_on_the_object_is_refused() -> None:
    with pytest.raises(UnsupportedTypeError):
        json_schema(_SelfDefault)
