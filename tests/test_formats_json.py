from __future__ import annotations

import builtins
import copy
import enum
import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, cast
from unittest import mock

import attrs
import cattrs
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import (
    Address,
    Claim,
    ClaimFrequency,
    Coverage,
    CptCode,
    Credential,
    DiagnosisCode,
    Modifier,
    Npi,
    Patient,
    Payer,
    PersonName,
    PlaceOfService,
    PlanType,
    Prescription,
    Provider,
    ServiceLine,
    Sex,
    SoapNote,
    Subjective,
    TaxId,
    ValidationError,
)
from soapbill import strategies as sbst
from soapbill._fields import describe, rules
from soapbill._model import model
from soapbill._validators import TRUSTED
from soapbill.formats import _converter, _fastpath
from soapbill.formats.json import (
    FORMAT_VERSION,
    DeserializationError,
    from_dict,
    from_json,
    make_converter,
    to_dict,
    to_json,
)

Doc = dict[str, Any]

# --- a hand-built claim ------------------------------------------------------------------


def make_claim() -> Claim:
    return Claim(
        id="CLM-1",
        patient=Patient(
            id="PT-1",
            name=PersonName(family="Rivera", given="Jordan"),
            birth_date=date(1980, 2, 29),
            sex=Sex.FEMALE,
            address=Address(line1="12 Elm St", city="Springfield", state="WA", postal_code="98101"),
        ),
        coverage=Coverage(
            payer=Payer(id="EX123", name="Example Health"),
            member_id="XZ123456789",
            plan_type=PlanType.COMMERCIAL,
        ),
        billing_provider=Provider(
            npi=Npi("1245319599"), organization_name="Harbor Massage", tax_id=TaxId("123456789")
        ),
        rendering_provider=Provider(
            npi=Npi("1234567893"),
            name=PersonName(family="Lee", given="Sam"),
            credential=Credential.LMT,
        ),
        diagnoses=(DiagnosisCode("M54.50"), DiagnosisCode("M54.2"), DiagnosisCode("M62.830")),
        lines=tuple(
            ServiceLine(
                code=CptCode(code),
                modifiers=(Modifier("GP"),),
                units=units,
                charge=charge,
                date_of_service=date(2026, 3, 2),
                diagnosis_pointers=(1, 2),
            )
            for code, units, charge in [
                ("97124", 2, Decimal("120.00")),
                ("97140", 1, Decimal(65)),
                ("97112", 1, Decimal("70.5")),
                ("97530", 2, Decimal("1E+2")),
            ]
        ),
    )


@pytest.fixture
def claim() -> Claim:
    return make_claim()


@pytest.fixture
def doc() -> Doc:
    return to_dict(make_claim())


def errors_of(data: object, cls: type = Claim) -> list[tuple[str, str]]:
    with pytest.raises(DeserializationError) as info:
        from_dict(data, cls)
    return [(e.path, e.code) for e in info.value.errors]


# --- writing -------------------------------------------------------------------------------


def test_to_dict_writes_json_types_in_field_order(claim: Claim) -> None:
    data = to_dict(claim)
    assert list(data) == ["format_version", *(a.name for a in attrs.fields(Claim))]
    assert data["format_version"] == FORMAT_VERSION
    assert list(data["patient"]) == [a.name for a in attrs.fields(Patient)]
    assert data["patient"]["birth_date"] == "1980-02-29"
    assert data["patient"]["sex"] == "female"
    assert type(data["patient"]["sex"]) is str
    assert data["diagnoses"] == ["M54.50", "M54.2", "M62.830"]
    assert data["billing_provider"]["tax_id"] == "12-3456789"
    assert data["rendering_provider"]["credential"] == "lmt"
    assert data["referring_provider"] is None
    assert data["lines"][0]["modifiers"] == ["GP"]
    assert data["lines"][0]["diagnosis_pointers"] == [1, 2]
    assert data["attachments"] == []
    assert data["place_of_service"] == "11"


def test_money_is_written_with_two_places(claim: Claim) -> None:
    charges = [line["charge"] for line in to_dict(claim)["lines"]]
    assert charges == ["120.00", "65.00", "70.50", "100.00"]
    assert '"charge":"70.50"' in to_json(claim)


def test_to_json_is_compact_and_matches_to_dict(claim: Claim) -> None:
    text = to_json(claim)
    assert text.startswith('{"format_version":1,"id":"CLM-1","frequency":"original",')
    assert text == msgspec.json.encode(to_dict(claim)).decode()
    assert json.loads(text) == to_dict(claim)


def test_a_part_of_a_document_carries_no_version(claim: Claim) -> None:
    assert "format_version" not in to_dict(claim.patient)
    assert to_json(claim.coverage.payer) == '{"id":"EX123","name":"Example Health"}'


def test_to_dict_takes_only_models() -> None:
    with pytest.raises(TypeError):
        to_dict(CptCode("97124"))
    with pytest.raises(TypeError):
        to_json({"id": "x"})


# --- round trips ---------------------------------------------------------------------------

MODEL_STRATEGIES = [
    "addenda",
    "addresses",
    "assessments",
    "attachments",
    "benefits",
    "care_plans",
    "claims",
    "coverages",
    "eligibility_inquiries",
    "eligibility_responses",
    "frequencies",
    "functional_measures",
    "home_exercises",
    "lifestyles",
    "members",
    "objectives",
    "pain_reports",
    "patients",
    "payers",
    "person_names",
    "plans",
    "prescriptions",
    "providers",
    "ranges_of_motion",
    "rejections",
    "related_causes",
    "service_lines",
    "signatures",
    "soap_notes",
    "subjectives",
    "subscribers",
    "tissue_findings",
    "treatments",
]


def test_the_round_trip_covers_every_model_strategy() -> None:
    # The code and money strategies give values, not models.
    values = {"cpt_codes", "diagnosis_codes", "modifiers", "money", "npis", "places_of_service"}
    # The remittance strategies give X12 files and what is read from them,
    # whose amounts may be negative: no JSON documents.
    remittance = {
        "Written277CA",
        "Written835",
        "Written999",
        "acknowledgements_999",
        "adjustments",
        "claim_acknowledgements_277ca",
        "claim_decisions",
        "line_decisions",
        "provider_adjustments",
        "remittances_835",
    }
    # The 271 strategies give X12 text; a list of notes is no one model.
    texts = {"Written271", "responses_271", "measured_notes"}
    assert set(sbst.__all__) - values - {"tax_ids"} - remittance - texts == set(MODEL_STRATEGIES)


@pytest.mark.parametrize("name", MODEL_STRATEGIES)
@given(data=st.data())
def test_round_trip(name: str, data: st.DataObject) -> None:
    obj = data.draw(getattr(sbst, name)())
    cls = type(obj)
    assert from_dict(to_dict(obj), cls) == obj
    assert from_json(to_json(obj), cls) == obj
    assert from_json(to_json(obj).encode(), cls) == obj
    assert to_json(from_json(to_json(obj), cls)) == to_json(obj)
    assert to_json(obj) == msgspec.json.encode(to_dict(obj)).decode()


@given(sbst.claims(max_lines=3))
def test_equal_claims_give_identical_text(claim: Claim) -> None:
    twin = from_dict(copy.deepcopy(to_dict(claim)), Claim)
    assert twin is not claim
    assert to_json(twin) == to_json(claim)


@given(sbst.claims(max_lines=3))
def test_a_decoded_claim_is_the_claim_init_builds(claim: Claim) -> None:
    decoded = from_json(to_json(claim), Claim)
    assert_same(decoded, rebuild(decoded))
    assert_same(decoded, claim, money_exponent=False)


def rebuild(value: Any) -> Any:
    """
    Build *value* again through the constructors, with every check.
    """
    cls = type(value)
    if attrs.has(cls):
        return cls(**{a.name: rebuild(getattr(value, a.name)) for a in attrs.fields(cls)})
    if cls is tuple:
        return tuple(rebuild(item) for item in value)
    return value


def assert_same(a: object, b: object, *, money_exponent: bool = True) -> None:
    """
    Assert *a* and *b* are equal and of exactly the same classes throughout.
    """
    assert type(a) is type(b), (type(a), type(b))
    if attrs.has(type(a)):
        for field in attrs.fields(cast("Any", type(a))):
            assert_same(
                getattr(a, field.name), getattr(b, field.name), money_exponent=money_exponent
            )
    elif isinstance(a, tuple):
        assert isinstance(b, tuple)
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y, money_exponent=money_exponent)
    elif isinstance(a, Decimal) and money_exponent:
        assert isinstance(b, Decimal)
        assert a.as_tuple() == b.as_tuple()
    else:
        assert a == b


# --- strictness ------------------------------------------------------------------------------

DELETE = object()


def edit(path: str, value: object) -> Callable[[Doc], None]:
    """
    Set (or, with DELETE, remove) the value at a dotted path with list indices.
    """
    *parents, last = re.findall(r"[^.\[\]]+", path)

    def apply(doc: Doc) -> None:
        node: Any = doc
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        key: Any = int(last) if last.isdigit() else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value

    return apply


ARABIC_125 = "\u0661\u0662\u0665.00"
FULLWIDTH_DATE = "\uff11\uff19\uff18\uff10-02-29"


def case(path: str, value: object, code: str, *, at: str | None = None, id: str) -> Any:
    """
    A rejected edit: *path* set to *value* gives *code* at *at* (default: *path*).
    """
    return pytest.param(path, value, path if at is None else at, code, id=id)


REJECTED = [
    # integers: no strings, floats or booleans
    case("lines[0].units", "2", "invalid_type", id="int-string"),
    case("lines[0].units", 1.9, "invalid_type", id="int-float"),
    case("lines[0].units", 1.0, "invalid_type", id="int-1.0"),
    case("lines[0].units", True, "invalid_type", id="int-true"),  # noqa: FBT003 - JSON true
    case("lines[0].units", 0, "too_small", id="int-zero"),
    # strings: no numbers or null
    case("id", 123, "invalid_type", id="str-number"),
    case("id", None, "invalid_type", id="str-null"),
    case("patient.id", "", "too_short", id="str-empty"),
    # booleans
    case("release_of_information", 1, "invalid_type", id="bool-1"),
    case("release_of_information", "true", "invalid_type", id="bool-str"),
    # arrays: a string or an object is not iterated
    case("diagnoses", "M54.50", "invalid_type", id="array-string"),
    case("diagnoses", {"M54.50": 1}, "invalid_type", id="array-dict"),
    case("lines", {}, "invalid_type", id="array-empty-dict"),
    case("lines[0].diagnosis_pointers", "12", "invalid_type", id="array-digits"),
    case("diagnoses", [25], "invalid_type", at="diagnoses[0]", id="array-of-number"),
    # money: a string with at most two places, nothing else
    case("lines[0].charge", 125.0, "invalid_type", id="money-float"),
    case("lines[0].charge", 125, "invalid_type", id="money-int"),
    case("lines[0].charge", "125.000", "invalid_format", id="money-3-places"),
    case("lines[0].charge", " 125.00", "invalid_format", id="money-space"),
    case("lines[0].charge", "125.00\n", "invalid_format", id="money-newline"),
    case("lines[0].charge", "-1.00", "invalid_format", id="money-negative"),
    case("lines[0].charge", "NaN", "invalid_format", id="money-nan"),
    case("lines[0].charge", "Infinity", "invalid_format", id="money-inf"),
    case("lines[0].charge", "1_000", "invalid_format", id="money-underscore"),
    case("lines[0].charge", "1e2", "invalid_format", id="money-exponent"),
    case("lines[0].charge", ".50", "invalid_format", id="money-no-units"),
    case("lines[0].charge", ARABIC_125, "invalid_format", id="money-unicode-digits"),
    case("lines[0].charge", "10000000000.00", "money_too_large", id="money-too-large"),
    # dates: YYYY-MM-DD only, and a real day
    case("patient.birth_date", "1980-02-30", "invalid_date", id="date-no-such-day"),
    case("patient.birth_date", "19800229", "invalid_format", id="date-basic"),
    case("patient.birth_date", "1980-W09-5", "invalid_format", id="date-week"),
    case("patient.birth_date", "1980-02-29T00:00:00", "invalid_format", id="date-time"),
    case("patient.birth_date", "1980-02-29\n", "invalid_format", id="date-newline"),
    case("patient.birth_date", FULLWIDTH_DATE, "invalid_format", id="date-unicode-digits"),
    case("patient.birth_date", 0, "invalid_type", id="date-number"),
    # enums: by value only
    case("patient.sex", "FEMALE", "invalid_choice", id="enum-name"),
    case("patient.sex", 1, "invalid_type", id="enum-number"),
    # code values: strings checked by their constructors
    case("billing_provider.npi", "1245319598", "bad_checksum", id="npi-check-digit"),
    case("billing_provider.npi", 1245319599, "invalid_type", id="npi-number"),
    case("lines[1].code", "9712", "invalid_format", id="cpt-short"),
    case("diagnoses[2]", "M5", "invalid_format", id="icd-short"),
    case("place_of_service", "00", "invalid_format", id="pos-00"),
    # unknown keys at each level
    case("extra", 1, "unknown_field", id="unknown-root"),
    case("patient.extra", 1, "unknown_field", id="unknown-patient"),
    case("patient.name.extra", 1, "unknown_field", id="unknown-name"),
    case("lines[1].extra", 1, "unknown_field", id="unknown-line"),
    # missing keys at each level
    case("id", DELETE, "missing", id="missing-root"),
    case("patient.sex", DELETE, "missing", id="missing-patient"),
    case("patient.name.family", DELETE, "missing", id="missing-name"),
    case("lines[3].code", DELETE, "missing", id="missing-line"),
    # objects
    case("patient", [], "invalid_type", id="object-array"),
    case("patient", "x", "invalid_type", id="object-string"),
    case("patient", None, "invalid_type", id="object-null"),
    # domain and cross-field rules, with their full paths
    case(
        "diagnoses",
        [f"M54.{i}" for i in range(10)] + ["M62.830", "M79.18", "G44.209"],
        "too_long",
        id="13-diagnoses",
    ),
    case("diagnoses[1]", "M54.50", "duplicate", at="diagnoses", id="repeated-diagnosis"),
    case(
        "lines[0].diagnosis_pointers",
        [13],
        "out_of_range",
        at="lines[0].diagnosis_pointers[0]",
        id="pointer-13",
    ),
    case(
        "lines[0].diagnosis_pointers",
        [1, 4],
        "bad_pointer",
        at="lines[0].diagnosis_pointers[1]",
        id="pointer-past-diagnoses",
    ),
    case(
        "frequency",
        "replacement",
        "required",
        at="original_claim_number",
        id="replacement-without-number",
    ),
    case("billing_provider.name", {"family": "A", "given": "B"}, "name_choice", id="both-names"),
    case(
        "coverage.relationship", "child", "required", at="coverage.subscriber", id="no-subscriber"
    ),
    # the version of the format
    case("format_version", DELETE, "missing", id="version-missing"),
    case("format_version", 2, "unsupported_version", id="version-2"),
    case("format_version", "1", "invalid_type", id="version-string"),
    case("format_version", True, "invalid_type", id="version-true"),  # noqa: FBT003 - JSON true
]


@pytest.mark.parametrize(("path", "value", "error_path", "code"), REJECTED)
def test_rejected(doc: Doc, path: str, value: object, error_path: str, code: str) -> None:
    edit(path, value)(doc)
    assert errors_of(doc) == [(error_path, code)]
    with pytest.raises(DeserializationError) as info:
        from_json(json.dumps(doc), Claim)
    assert [(e.path, e.code) for e in info.value.errors] == [(error_path, code)]


class SmallInt(enum.IntEnum):
    TWO = 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(Decimal("120.00"), "invalid_type", id="decimal"),
        pytest.param(120, "invalid_type", id="int"),
    ],
)
def test_from_dict_refuses_ready_money(doc: Doc, value: object, expected: str) -> None:
    doc["lines"][0]["charge"] = value
    assert errors_of(doc) == [("lines[0].charge", expected)]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param("patient.birth_date", date(1980, 2, 29), id="date-object"),
        pytest.param("diagnoses", ("M54.50",), id="tuple-for-array"),
        pytest.param("patient.sex", Sex.FEMALE, id="enum-member"),
        pytest.param("patient.id", Sex.FEMALE, id="str-subclass"),
        pytest.param("lines[0].code", CptCode("97124"), id="code-value"),
        pytest.param("lines[0].units", SmallInt.TWO, id="int-subclass"),
    ],
)
def test_from_dict_takes_json_types_only(doc: Doc, path: str, value: object) -> None:
    edit(path, value)(doc)
    assert errors_of(doc) == [(path, "invalid_type")]


def test_from_dict_refuses_a_dict_subclass(doc: Doc) -> None:
    class Mapping(dict[str, Any]):
        pass

    doc["patient"] = Mapping(doc["patient"])
    assert errors_of(doc) == [("patient", "invalid_type")]


def test_a_key_with_a_default_may_be_left_out(doc: Doc) -> None:
    for key in ("frequency", "attachments", "place_of_service", "referring_provider"):
        del doc[key]
    del doc["lines"][0]["modifiers"]
    claim = from_dict(doc, Claim)
    assert claim.frequency is ClaimFrequency.ORIGINAL
    assert claim.place_of_service == PlaceOfService("11")
    assert claim.lines[0].modifiers == ()


def test_code_values_are_canonicalised(doc: Doc) -> None:
    doc["diagnoses"][0] = "m5450"
    doc["lines"][0]["code"] = " 97124"
    claim = from_dict(doc, Claim)
    assert claim.diagnoses[0] == DiagnosisCode("M54.50")
    assert to_dict(claim)["diagnoses"][0] == "M54.50"
    assert to_dict(claim)["lines"][0]["code"] == "97124"


# --- every problem at once ------------------------------------------------------------------


def test_every_problem_is_reported(doc: Doc) -> None:
    doc["lines"][2]["units"] = "2"
    doc["patient"]["birth_date"] = "1980-02-30"
    assert errors_of(doc) == [
        ("patient.birth_date", "invalid_date"),
        ("lines[2].units", "invalid_type"),
    ]


def test_a_domain_error_is_not_hidden_by_others(doc: Doc) -> None:
    doc["diagnoses"] = [f"M54.{i}" for i in range(10)] + ["M62.830", "M79.18", "G44.209"]
    doc["lines"][0]["charge"] = 125.0
    doc["lines"][1]["x"] = 1
    del doc["lines"][3]["code"]
    doc["format_version"] = 7
    assert errors_of(doc) == [
        ("format_version", "unsupported_version"),
        ("diagnoses", "too_long"),
        ("lines[0].charge", "invalid_type"),
        ("lines[1].x", "unknown_field"),
        ("lines[3].code", "missing"),
    ]


def test_errors_of_constructors_get_their_paths(doc: Doc) -> None:
    doc["billing_provider"]["npi"] = "1234567890"
    doc["rendering_provider"]["organization_name"] = "Also a clinic"
    doc["diagnoses"][1] = "M5"
    doc["lines"][1]["diagnosis_pointers"] = [1, 13]
    assert errors_of(doc) == [
        ("billing_provider.npi", "bad_checksum"),
        ("rendering_provider.name", "name_choice"),
        ("diagnoses[1]", "invalid_format"),
        ("lines[1].diagnosis_pointers[1]", "out_of_range"),
    ]


def test_cross_field_rules_run_beside_field_errors(doc: Doc) -> None:
    doc["frequency"] = "replacement"  # without original_claim_number
    doc["billing_provider"]["npi"] = "1234567890"
    doc["extra"] = 1
    doc["coverage"]["relationship"] = "child"  # without a subscriber
    doc["coverage"]["plan_type"] = "gold"
    assert errors_of(doc) == [
        ("coverage.plan_type", "invalid_choice"),
        ("coverage.subscriber", "required"),
        ("billing_provider.npi", "bad_checksum"),
        ("extra", "unknown_field"),
        ("original_claim_number", "required"),
    ]


def test_a_cross_field_rule_that_needs_a_failed_field_is_skipped(doc: Doc) -> None:
    doc["frequency"] = "replacement"
    doc["original_claim_number"] = 7
    del doc["id"]
    doc["coverage"]["relationship"] = "child"
    doc["coverage"]["subscriber"] = {"name": {"family": "A", "given": "B"}}
    assert errors_of(doc) == [
        ("id", "missing"),
        ("original_claim_number", "invalid_type"),
        ("coverage.subscriber.birth_date", "missing"),
        ("coverage.subscriber.sex", "missing"),
    ]


def test_an_empty_document_lists_its_required_keys() -> None:
    assert errors_of({}) == [
        ("format_version", "missing"),
        *((a.name, "missing") for a in attrs.fields(Claim) if a.default is attrs.NOTHING),
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("", "json_invalid", id="empty"),
        pytest.param('{"id": ', "json_invalid", id="truncated"),
        pytest.param("{'id': 1}", "json_invalid", id="single-quotes"),
        pytest.param(b"\xff", "json_invalid", id="not-utf-8"),
        pytest.param("[1e400]", "json_invalid", id="number-out-of-range"),
        pytest.param("[]", "invalid_type", id="array"),
        pytest.param("null", "invalid_type", id="null"),
        pytest.param('"claim"', "invalid_type", id="string"),
    ],
)
def test_not_a_document(text: str | bytes, code: str) -> None:
    with pytest.raises(DeserializationError) as info:
        from_json(text, Claim)
    assert [(e.path, e.code) for e in info.value.errors] == [("", code)]


def test_the_error_is_a_validation_error(doc: Doc) -> None:
    del doc["id"]
    with pytest.raises(ValidationError) as info:
        from_dict(doc, Claim)
    assert isinstance(info.value, ValueError)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_the_version_belongs_to_the_root_only(doc: Doc) -> None:
    doc["patient"]["format_version"] = 1
    assert errors_of(doc) == [("patient.format_version", "unknown_field")]
    patient = to_dict(make_claim().patient)
    assert from_dict(patient, Patient) == make_claim().patient
    patient["format_version"] = 1
    assert errors_of(patient, Patient) == [("format_version", "unknown_field")]


# --- patient data never reaches an error -------------------------------------------------------

SENTINEL = "Zebulon-7731"

LEAKS = [
    pytest.param("patient.name.family", SENTINEL * 5, id="name-too-long"),
    pytest.param("patient.birth_date", SENTINEL, id="birth-date"),
    pytest.param("patient.sex", SENTINEL, id="sex"),
    pytest.param("patient.phone", SENTINEL, id="phone"),
    pytest.param("patient.address", SENTINEL, id="address"),
    pytest.param("patient.address.postal_code", SENTINEL, id="postal-code"),
    pytest.param("coverage.member_id", SENTINEL * 10, id="member-id"),
    pytest.param("lines[0].charge", SENTINEL, id="charge"),
    pytest.param("diagnoses[0]", SENTINEL, id="diagnosis"),
    pytest.param("billing_provider.npi", SENTINEL, id="npi"),
    pytest.param("patient.id", [SENTINEL], id="array-for-string"),
]


@pytest.mark.parametrize(("path", "value"), LEAKS)
def test_no_value_in_errors(doc: Doc, path: str, value: object) -> None:
    doc["patient"]["name"]["given"] = SENTINEL
    doc["coverage"]["subscriber"] = SENTINEL
    edit(path, value)(doc)
    with pytest.raises(DeserializationError) as from_data:
        from_dict(doc, Claim)
    with pytest.raises(DeserializationError) as from_text:
        from_json(json.dumps(doc), Claim)
    for error in (from_data.value, from_text.value):
        for shown in (str(error), repr(error), repr(error.args), repr(error.errors)):
            assert SENTINEL not in shown
            assert SENTINEL[:6] not in shown


@given(st.from_regex(r"\AQ[A-Z0-9]{8,20}\Z"))
def test_no_text_in_json_errors(secret: str) -> None:
    text = json.dumps(
        {"format_version": 1, "id": "C1", "patient": secret, "lines": [secret], "diagnoses": []}
    )
    with pytest.raises(DeserializationError) as info:
        from_json(text[:-1], Claim)  # broken JSON
    assert secret not in str(info.value)
    with pytest.raises(DeserializationError) as info:
        from_json(text, Claim)
    found = [(e.path, e.code) for e in info.value.errors]
    assert ("patient", "invalid_type") in found
    assert ("lines[0]", "invalid_type") in found
    assert secret not in str(info.value) + repr(info.value.args)


# --- the fast path and the detailed path agree ----------------------------------------------------

JUNK: list[object] = [
    None, True, False, 0, 1, -1, 2, 13, 9999, 10000, 10**30, 1.0, 1.9, 125.0,
    "", "x", "1", "2", "a" * 61, "125.00", "125.000", " 125.00", "-1.00", "NaN", "1_000",
    ARABIC_125, "1e2", "1980-02-29", "19800229", "1980-W09-5", "1980-02-30", "2026-03-02\n",
    FULLWIDTH_DATE, "M54.50", "m5450", "M5", "97124", "9712", "1234567893", "1234567890",
    "GP", "11", "00", "female", "FEMALE", "lmt", "original", "replacement", "WA", "wa",
    [], [1], [1, 1], ["M54.50"], ["GP", "GP"], [{}], {}, {"family": "A", "given": "B"},
    "\x1b[0m", "\u2028", "\U0001f600", json.loads("[" * 70 + "]" * 70),
]  # fmt: skip
# Only from_dict sees these: objects JSON cannot hold, and lone surrogates (a
# "\ud800" escape of JSON text is not valid JSON for msgspec).
PYTHON_JUNK: list[object] = [
    Decimal("125.00"), Decimal("1E+2"), date(2020, 1, 1), ("M54.50",), (1,), Sex.FEMALE,
    CptCode("97124"), SmallInt.TWO, frozenset({1}), chr(0xD800), "female" + chr(0xDC00),
    "1980-02-29" + chr(0xDFFF), "Jo" + chr(0xDBFF), {chr(0xD800): 1},
]  # fmt: skip


def paths(node: object, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from paths(value, (*prefix, i))


def mutate(data: st.DataObject, doc: Doc, junk: list[object]) -> None:
    for _ in range(data.draw(st.integers(1, 3))):
        all_paths = list(paths(doc))
        path = data.draw(st.sampled_from(all_paths))
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "add", "copy"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["extra", "format_version", "x"]))] = 1
        elif action == "copy":
            # A value from elsewhere in the document: a wrong type or shape.
            other = data.draw(st.sampled_from(all_paths))
            source: Any = doc
            for part in other:
                source = source[part]
            parent[path[-1]] = copy.deepcopy(source)
        else:
            parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(junk)))


DOCUMENTS = [
    pytest.param(lambda: sbst.claims(max_lines=3), id="claim"),
    pytest.param(sbst.soap_notes, id="soap-note"),
    pytest.param(sbst.prescriptions, id="prescription"),
    pytest.param(sbst.providers, id="provider"),
]


def detailed(data: object, cls: type) -> object | None:
    try:
        return _converter.decode_detailed(data, cls, _converter.default_converter())
    except DeserializationError:
        return None


@pytest.mark.parametrize("python", [False, True], ids=["json", "python-data"])
@pytest.mark.parametrize("strategy", DOCUMENTS)
@given(data=st.data())
def test_fast_and_detailed_paths_agree(
    strategy: Callable[[], st.SearchStrategy[Any]], python: bool, data: st.DataObject
) -> None:
    obj = data.draw(strategy())
    cls = type(obj)
    doc = to_dict(obj)
    if data.draw(st.booleans()):
        # Python data may also hold what JSON cannot: Decimals, dates, tuples ...
        mutate(data, doc, JUNK + PYTHON_JUNK if python else JUNK)
    parsed = doc if python else msgspec.json.decode(json.dumps(doc))
    fast = _fastpath.decode(parsed, cls, python=python)
    slow = detailed(parsed, cls)
    assert (fast is None) == (slow is None)
    if fast is not None:
        assert_same(fast, slow)
        assert_same(fast, rebuild(fast))
    assert TRUSTED.get() is False


DATE_TEXT = st.one_of(
    st.dates().map(date.isoformat),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    st.text(alphabet="0123456789-WT:+ \n\uff11\u0661", max_size=12),
)
MONEY_TEXT = st.one_of(
    st.decimals(min_value=0, max_value=10**11, places=2).map(str),
    st.from_regex(r"\A[0-9]{1,12}(\.[0-9]{0,3})?\Z"),
    st.text(alphabet="0123456789.-+eE_ \n\u0661", max_size=8),
)


@given(birth_date=DATE_TEXT, charge=MONEY_TEXT)
def test_paths_agree_on_dates_and_money(birth_date: str, charge: str) -> None:
    doc = to_dict(make_claim())
    doc["patient"]["birth_date"] = birth_date
    doc["lines"][1]["charge"] = charge
    fast = _fastpath.decode(doc, Claim, python=False)
    slow = detailed(doc, Claim)
    assert (fast is None) == (slow is None)
    if fast is not None:
        assert fast == slow


@pytest.mark.parametrize(
    "value",
    [97124, 1.5, True, None, ["97124"], {"code": "97124"}],
    ids=["number", "float", "boolean", "null", "array", "object"],
)
def test_a_code_of_another_json_type_takes_the_cattrs_path(doc: Doc, value: object) -> None:
    # msgspec hands the JSON value to the code memo as it is.
    doc["lines"][0]["code"] = value
    text = json.dumps(doc)
    assert _fastpath.decode(msgspec.json.decode(text), Claim, python=False) is None
    with pytest.raises(DeserializationError) as info:
        from_json(text, Claim)
    assert [(e.path, e.code) for e in info.value.errors] == [("lines[0].code", "invalid_type")]


def test_decoded_documents_share_their_code_values(claim: Claim) -> None:
    text = to_json(claim)
    first, second = from_json(text, Claim), from_json(text, Claim)
    assert first == second
    assert first.lines[0].code is second.lines[0].code
    memo: Any = _fastpath._code
    assert memo.cache_info().maxsize == _fastpath.CODE_MEMO_SIZE


def test_the_trusted_switch_is_reset(doc: Doc) -> None:
    from_dict(doc, Claim)
    assert TRUSTED.get() is False
    doc["lines"][0]["diagnosis_pointers"] = [9]  # fails in __attrs_post_init__
    with pytest.raises(DeserializationError):
        from_dict(doc, Claim)
    assert TRUSTED.get() is False


# --- any model, with no code of its own --------------------------------------------------------


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class Size(enum.IntEnum):
    SMALL = 1
    LARGE = 2


@model
class Part:
    code: CptCode
    count: int = attrs.field(default=1, metadata=rules(ge=1))
    price: Decimal | None = None


@model
class Bag:
    items: tuple[int, ...] = attrs.field(metadata=rules(max_len=3))


@attrs.frozen
class Empty:
    pass


@model
class Order:
    __soapbill_document__: ClassVar[bool] = True

    name: str = attrs.field(metadata=rules(max_len=10))
    rush: bool = False
    colour: Colour
    size: Size = Size.SMALL
    placed: date
    parts: tuple[Part, ...] = attrs.field(metadata=rules(min_len=1))
    bag: Bag
    spare: Bag | None = None
    empty: Empty = Empty()
    notes: tuple[str, ...] = ()
    tags: tuple[str, ...] = attrs.field(factory=tuple)

    def _check_fields(self) -> None:
        if self.rush and self.size is Size.LARGE:
            raise ValidationError.single("rush", "not_allowed", "no rush for large orders")


ORDER = Order(
    name="A-1",
    colour=Colour.RED,
    placed=date(2026, 1, 31),
    parts=(Part(code=CptCode("97124"), price=Decimal("9.5")), Part(code=CptCode("G0283"))),
    bag=Bag(items=(1, 2)),
    spare=Bag(items=()),
)


def test_a_new_model_needs_no_code_of_its_own() -> None:
    data = to_dict(ORDER)
    assert data == {
        "format_version": 1,
        "name": "A-1",
        "rush": False,
        "colour": "red",
        "size": 1,
        "placed": "2026-01-31",
        "parts": [
            {"code": "97124", "count": 1, "price": "9.50"},
            {"code": "G0283", "count": 1, "price": None},
        ],
        "bag": {"items": [1, 2]},
        "spare": {"items": []},
        "empty": {},
        "notes": [],
        "tags": [],
    }
    assert to_json(ORDER) == msgspec.json.encode(data).decode()
    assert from_dict(data, Order) == ORDER
    assert from_json(to_json(ORDER), Order) == ORDER
    assert _fastpath.decode(data, Order, python=True) == ORDER


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param("size", "1", [("size", "invalid_type")], id="int-enum-string"),
        pytest.param("size", 3, [("size", "invalid_choice")], id="int-enum-unknown"),
        pytest.param("size", True, [("size", "invalid_type")], id="int-enum-bool"),
        pytest.param("colour", "green", [("colour", "invalid_choice")], id="str-enum"),
        pytest.param("bag.items", [1, 2, 3, 4], [("bag.items", "too_long")], id="tuple-too-long"),
        pytest.param("parts[1].count", 0, [("parts[1].count", "too_small")], id="nested-domain"),
        pytest.param("empty", {"x": 1}, [("empty.x", "unknown_field")], id="empty-extra"),
    ],
)
def test_a_new_model_is_strict(path: str, value: object, expected: list[tuple[str, str]]) -> None:
    data = to_dict(ORDER)
    edit(path, value)(data)
    assert errors_of(data, Order) == expected


def test_a_new_model_checks_across_fields() -> None:
    data = to_dict(ORDER)
    data["rush"] = True
    data["size"] = 2
    assert errors_of(data, Order) == [("rush", "not_allowed")]
    data["name"] = 5
    del data["tags"]
    assert errors_of(data, Order) == [("name", "invalid_type"), ("rush", "not_allowed")]


def test_the_fast_path_refuses_an_enum_it_cannot_check() -> None:
    with pytest.raises(_fastpath._UnsupportedError):
        _fastpath.json_class(describe(Mixed))


@attrs.frozen
class Node:
    """
    A plain attrs class (no generated checks) that contains itself.
    """

    label: str
    child: Node | None = None
    weight: int = attrs.field(default=0, converter=int)


def test_a_recursive_plain_attrs_class() -> None:
    tree = Node("a", Node("b", Node("c")))
    data = to_dict(tree)
    assert data == {
        "label": "a",
        "child": {"label": "b", "child": {"label": "c", "child": None, "weight": 0}, "weight": 0},
        "weight": 0,
    }
    assert from_dict(data, Node) == tree
    assert _fastpath.plan(Node) is None  # a converter: only cattrs builds it as __init__ does
    assert errors_of({"label": 1, "child": {"label": "b", "x": 2}}, Node) == [
        ("label", "invalid_type"),
        ("child.x", "unknown_field"),
    ]


class Mixed(enum.Enum):
    ONE = 1
    A = "a"


@attrs.frozen
class Reading:
    value: float
    pair: tuple[int, int] = (0, 0)


@attrs.frozen
class Labelled:
    mixed: Mixed


@attrs.frozen(kw_only=True)
class Tree:
    label: str
    children: tuple[Tree, ...] = ()


def test_a_recursive_class_takes_the_fast_path() -> None:
    tree = Tree(label="a", children=(Tree(label="b", children=(Tree(label="c"),)),))
    data = to_dict(tree)
    assert _fastpath.decode(data, Tree, python=True) == tree
    assert from_json(to_json(tree), Tree) == tree
    data["children"][0]["children"][0]["x"] = 1
    assert _fastpath.decode(data, Tree, python=True) is None
    assert errors_of(data, Tree) == [("children[0].children[0].x", "unknown_field")]


def test_a_type_the_fast_path_does_not_handle() -> None:
    assert _fastpath.plan(Reading) is None
    assert from_dict({"value": 1}, Reading) == Reading(1.0)
    assert from_json('{"value": 2.5, "pair": [1, 2]}', Reading) == Reading(2.5, (1, 2))
    assert errors_of({"value": "2.5"}, Reading) == [("value", "invalid_type")]
    assert errors_of({"value": True}, Reading) == [("value", "invalid_type")]


def test_an_enum_of_mixed_values() -> None:
    assert _fastpath.plan(Labelled) is None
    assert from_dict({"mixed": "a"}, Labelled) == Labelled(Mixed.A)
    assert from_dict({"mixed": 1}, Labelled) == Labelled(Mixed.ONE)
    assert errors_of({"mixed": True}, Labelled) == [("mixed", "invalid_choice")]
    assert errors_of({"mixed": "b"}, Labelled) == [("mixed", "invalid_choice")]


@model
class Slot:
    """
    Built only by test_msgspec_gets_the_generated_checks.
    """

    size: int = attrs.field(metadata=rules(ge=0))


@model
class Crate:
    """
    Built only by test_msgspec_gets_the_generated_checks.
    """

    slots: tuple[Slot, ...]


def test_msgspec_gets_the_generated_checks() -> None:
    # msgspec keeps the __attrs_post_init__ it finds when it first meets a
    # class: that function is the class's one check from its creation on, and
    # the decoder generates the checks of every class a document may hold.
    check = Slot.__dict__["__attrs_post_init__"]
    assert from_json('{"slots": []}', Crate) == Crate(slots=())
    assert Slot.__dict__["__attrs_post_init__"] is check
    with mock.patch("builtins.compile", wraps=builtins.compile) as compiled:
        crate = from_json('{"slots": [{"size": 1}, {"size": 2}]}', Crate)
    assert crate == Crate(slots=(Slot(size=1), Slot(size=2)))
    assert compiled.call_count == 0
    assert errors_of({"slots": [{"size": -1}]}, Crate) == [("slots[0].size", "too_small")]


def test_plain_values_take_the_cattrs_path() -> None:
    assert from_dict("m5450", DiagnosisCode) == DiagnosisCode("M54.50")
    assert from_json('"97124"', CptCode) == CptCode("97124")
    assert errors_of(97124, CptCode) == [("", "invalid_type")]


# --- an application's own converter ---------------------------------------------------------------


def test_make_converter_builds_a_new_converter() -> None:
    first, second = make_converter(), make_converter()
    assert isinstance(first, cattrs.Converter)
    assert first is not second
    assert first is not cattrs.global_converter
    assert first.unstructure(Decimal(5)) == "5.00"
    assert first.unstructure(date(2026, 1, 2)) == "2026-01-02"
    assert first.unstructure(Sex.MALE) == "male"
    assert first.unstructure(Npi("1234567893")) == "1234567893"
    assert first.unstructure((Sex.MALE,), unstructure_as=tuple[Sex, ...]) == ["male"]
    assert first.unstructure((1, 2), unstructure_as=tuple[int, ...]) == [1, 2]


SEX_CODES = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.UNKNOWN: "U"}


def sex_converter() -> cattrs.Converter:
    converter = make_converter()
    converter.register_unstructure_hook(Sex, SEX_CODES.__getitem__)

    def structure_sex(value: object, _tp: object) -> Sex:
        for sex, code in SEX_CODES.items():
            if value == code:
                return sex
        msg = f"not a sex code: {value!r}"
        raise ValueError(msg)

    converter.register_structure_hook(Sex, structure_sex)
    return converter


def test_an_application_converter_uses_its_hooks(claim: Claim) -> None:
    converter = sex_converter()
    data = to_dict(claim, converter=converter)
    assert data["patient"]["sex"] == "F"
    assert data["format_version"] == 1
    text = to_json(claim, converter=converter)
    assert '"sex":"F"' in text
    assert from_json(text, Claim, converter=converter) == claim
    assert from_dict(data, Claim, converter=converter) == claim
    # soapbill's own converter is untouched.
    assert to_dict(claim)["patient"]["sex"] == "female"
    with pytest.raises(DeserializationError):
        from_json(text, Claim)


def test_an_application_hook_error_hides_its_message(doc: Doc) -> None:
    doc["patient"]["sex"] = SENTINEL
    with pytest.raises(DeserializationError) as info:
        from_dict(doc, Claim, converter=sex_converter())
    assert [(e.path, e.code) for e in info.value.errors] == [("patient.sex", "invalid_value")]
    assert SENTINEL not in str(info.value)


def test_an_application_class_hook_is_called(claim: Claim) -> None:
    converter = make_converter()
    converter.register_unstructure_hook(Patient, lambda p: {"id": p.id})
    assert to_dict(claim, converter=converter)["patient"] == {"id": "PT-1"}
    assert to_json(claim.patient, converter=converter) == '{"id":"PT-1"}'


def test_a_document_whose_hook_an_application_replaced(claim: Claim) -> None:
    converter = make_converter()
    converter.register_unstructure_hook(Claim, lambda c: {"id": c.id})
    assert to_dict(claim, converter=converter) == {"format_version": 1, "id": "CLM-1"}
    assert to_json(claim, converter=converter) == '{"format_version":1,"id":"CLM-1"}'


# --- the documented format ---------------------------------------------------------------

FORMAT_DOC = Path(__file__).parent.parent / "docs" / "format.md"


def json_blocks(title: str) -> list[str]:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    section = text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```json\n(.*?)```", section, re.DOTALL)


def test_the_documented_claim_decodes() -> None:
    [block] = json_blocks("A full example")
    claim = from_json(block, Claim)
    assert to_dict(claim) == json.loads(block)
    assert claim.total_charge == sum(line.charge for line in claim.lines)


def test_the_documented_error_is_what_decoding_gives() -> None:
    document, errors = json_blocks("Errors")
    with pytest.raises(DeserializationError) as info:
        from_json(document, Claim)
    assert [attrs.asdict(e) for e in info.value.errors] == json.loads(errors)


def test_the_documented_soap_note_and_prescription_decode() -> None:
    note, prescription = json_blocks("Other documents")
    assert isinstance(from_json(note, SoapNote), SoapNote)
    assert isinstance(from_json(prescription, Prescription), Prescription)
    assert to_dict(from_json(note, SoapNote)) == json.loads(note)
    assert to_dict(from_json(prescription, Prescription)) == json.loads(prescription)


def test_defaults_are_written() -> None:
    assert to_dict(Subjective(chief_complaint="Neck pain")) == {
        "chief_complaint": "Neck pain",
        "pain": [],
        "limitations": [],
        "goals": [],
        "text": None,
        "exercise_adherence": None,
    }
