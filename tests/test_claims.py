"""
Claims, service lines, attachments and related causes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import builders
from model_support import assert_model_value
from soapbill import (
    Address,
    Attachment,
    AttachmentKind,
    Claim,
    ClaimFrequency,
    DiagnosisCode,
    Modifier,
    PersonName,
    PlaceOfService,
    RelatedCauses,
    Relationship,
    ServiceLine,
    Sex,
    Subscriber,
    TaxId,
    Transmission,
    ValidationError,
)
from soapbill import strategies as sbst

SENTINEL = "ZZSENTINELZZ"
DAY = date(2026, 3, 2)

LINE = builders.line("97124", 2, "GP", on=DAY, charge="120.00", pointers=(1, 2))
CLAIM = builders.claim(
    LINE,
    builders.line("97010", 1, on=DAY, charge="25.00"),
    id="PCN0001",
    diagnoses=("M54.50", "M62.830"),
)
CAUSES = RelatedCauses(auto_accident=True, accident_state="WA")
ATTACHMENT = Attachment(kind=AttachmentKind.SOAP_NOTE, id="N-2026.03_02")


def _errors(info: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(d.path, d.code) for d in info.value.errors]


def test_the_example_claim() -> None:
    # The 837P example of docs/guide/x12.md: CLM02 145 = 120 + 25.
    assert CLAIM.total_charge == Decimal("145.00")
    assert CLAIM.frequency is ClaimFrequency.ORIGINAL
    assert CLAIM.place_of_service == PlaceOfService("11")
    assert CLAIM.dates_of_service == (DAY,)
    assert CLAIM.treating_provider is CLAIM.billing_provider
    assert CLAIM.line_diagnoses(0) == (DiagnosisCode("M54.50"), DiagnosisCode("M62.830"))
    assert CLAIM.line_diagnoses(1) == (DiagnosisCode("M54.50"),)


MODELS: dict[str, st.SearchStrategy[Any]] = {
    "Attachment": sbst.attachments(),
    "RelatedCauses": sbst.related_causes(),
    "ServiceLine": sbst.service_lines(),
    "Claim": sbst.claims(),
}


@pytest.mark.parametrize("models", MODELS.values(), ids=MODELS.keys())
@given(data=st.data())
def test_generated_claim_parts_are_valid_values(
    models: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    assert_model_value(data.draw(models))


@given(claim=sbst.claims())
def test_derived_values(claim: Claim) -> None:
    assert claim.total_charge == sum(line.charge for line in claim.lines)
    assert claim.total_charge.as_tuple().exponent == -2
    assert claim.dates_of_service == tuple(sorted({line.date_of_service for line in claim.lines}))
    assert claim.treating_provider is (claim.rendering_provider or claim.billing_provider)
    for index, line in enumerate(claim.lines):
        diagnoses = claim.line_diagnoses(index)
        assert diagnoses == tuple(claim.diagnoses[p - 1] for p in line.diagnosis_pointers)
        assert set(diagnoses) <= set(claim.diagnoses)


@given(claim=sbst.claims())
def test_evolve_runs_the_cross_field_checks(claim: Claim) -> None:
    highest = max(p for line in claim.lines for p in line.diagnosis_pointers)
    fewer = claim.diagnoses[: highest - 1]
    if fewer:
        with pytest.raises(ValidationError) as info:
            attrs.evolve(claim, diagnoses=fewer)
        assert info.value.errors[0].code == "bad_pointer"
    else:
        with pytest.raises(ValidationError) as empty:
            attrs.evolve(claim, diagnoses=fewer)
        assert _errors(empty) == [("diagnoses", "too_short")]


# --- wire codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "code"),
    [
        # 837P CLM05-3 and CMS-1500 box 22 (TR3 loop 2300; NUCC item 22).
        pytest.param(ClaimFrequency.ORIGINAL, "1", id="original"),
        pytest.param(ClaimFrequency.REPLACEMENT, "7", id="replacement"),
        pytest.param(ClaimFrequency.VOID, "8", id="void"),
    ],
)
def test_claim_frequency_codes(frequency: ClaimFrequency, code: str) -> None:
    assert frequency.code == code


@pytest.mark.parametrize(
    ("transmission", "code"),
    [
        # 837P PWK02 (TR3 loop 2300, as the pyx12 map states it).
        pytest.param(Transmission.AVAILABLE_ON_REQUEST, "AA", id="on-request"),
        pytest.param(Transmission.MAIL, "BM", id="mail"),
        pytest.param(Transmission.ELECTRONIC, "EL", id="electronic"),
        pytest.param(Transmission.EMAIL, "EM", id="email"),
        pytest.param(Transmission.FILE_TRANSFER, "FT", id="file-transfer"),
        pytest.param(Transmission.FAX, "FX", id="fax"),
    ],
)
def test_transmission_codes(transmission: Transmission, code: str) -> None:
    assert transmission.code == code


def test_every_enum_member_has_a_code() -> None:
    assert sorted(f.code for f in ClaimFrequency) == ["1", "7", "8"]
    assert len({t.code for t in Transmission}) == len(Transmission)


# --- service lines ----------------------------------------------------------------------------


def _line_with(**changes: Any) -> ServiceLine:
    return attrs.evolve(LINE, **changes)


MODIFIERS = tuple(Modifier(m) for m in ("GP", "59", "KX", "XS", "XU"))


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        # Units: a whole number from 1 to 9999.
        pytest.param({"units": 0}, "units", "too_small", id="units-0"),
        pytest.param({"units": 10_000}, "units", "too_large", id="units-10000"),
        pytest.param({"units": "1"}, "units", "invalid_type", id="units-str"),
        pytest.param({"units": True}, "units", "invalid_type", id="units-bool"),
        pytest.param({"units": 1.5}, "units", "invalid_type", id="units-float"),
        # Charges: Decimal money.
        pytest.param({"charge": 120.0}, "charge", "invalid_type", id="charge-float"),
        pytest.param({"charge": "120.00"}, "charge", "invalid_type", id="charge-str"),
        pytest.param({"charge": Decimal("NaN")}, "charge", "money_not_finite", id="charge-nan"),
        pytest.param({"charge": Decimal(-1)}, "charge", "money_negative", id="charge-neg"),
        pytest.param({"charge": Decimal("1.005")}, "charge", "money_places", id="charge-places"),
        pytest.param({"charge": Decimal("1E10")}, "charge", "money_too_large", id="charge-huge"),
        # Modifiers: up to four (837P SV101-3..6), no repeats.
        pytest.param({"modifiers": MODIFIERS}, "modifiers", "too_long", id="five-modifiers"),
        pytest.param(
            {"modifiers": (Modifier("GP"),) * 2}, "modifiers", "duplicate", id="dup-modifier"
        ),
        pytest.param({"modifiers": ("GP",)}, "modifiers[0]", "invalid_type", id="modifier-str"),
        # Pointers: one to four distinct, from 1 to 12 (837P SV107).
        pytest.param({"diagnosis_pointers": ()}, "diagnosis_pointers", "too_short", id="no-ptr"),
        pytest.param(
            {"diagnosis_pointers": (1, 2, 3, 4, 5)}, "diagnosis_pointers", "too_long", id="5-ptrs"
        ),
        pytest.param(
            {"diagnosis_pointers": (1, 1)}, "diagnosis_pointers", "duplicate", id="dup-ptr"
        ),
        pytest.param(
            {"diagnosis_pointers": (0,)}, "diagnosis_pointers[0]", "out_of_range", id="ptr-0"
        ),
        pytest.param(
            {"diagnosis_pointers": (1, 13)}, "diagnosis_pointers[1]", "out_of_range", id="ptr-13"
        ),
        pytest.param(
            {"diagnosis_pointers": (1, "2")}, "diagnosis_pointers[1]", "invalid_type", id="ptr-str"
        ),
        pytest.param(
            {"date_of_service": datetime(2026, 3, 2, 9, 30)},  # noqa: DTZ001 - naive on purpose
            "date_of_service",
            "invalid_type",
            id="dos-datetime",
        ),
        pytest.param({"code": "97124"}, "code", "invalid_type", id="code-str"),
        pytest.param({"place_of_service": "11"}, "place_of_service", "invalid_type", id="pos"),
    ],
)
def test_service_line_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        _line_with(**changes)
    assert _errors(info) == [(path, code)]


def test_service_line_limits_are_inclusive() -> None:
    line = _line_with(
        modifiers=MODIFIERS[:4],
        units=9999,
        charge=Decimal("9999999999.99"),
        diagnosis_pointers=(12, 1, 11, 2),
    )
    assert len(line.modifiers) == 4


# --- claims -----------------------------------------------------------------------------------

DIAGNOSES = tuple(DiagnosisCode(f"M54.{n}") for n in range(13))
ONE_POINTER = _line_with(diagnosis_pointers=(1,))


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        # A replacement or void names the original; an original does not.
        pytest.param(
            {"original_claim_number": "ICN1"}, "original_claim_number", "not_allowed", id="orig"
        ),
        pytest.param(
            {"frequency": ClaimFrequency.REPLACEMENT},
            "original_claim_number",
            "required",
            id="replacement-without-number",
        ),
        pytest.param(
            {"frequency": ClaimFrequency.VOID},
            "original_claim_number",
            "required",
            id="void-without-number",
        ),
        pytest.param({"frequency": "7"}, "frequency", "invalid_type", id="frequency-str"),
        # 1-12 distinct diagnoses.
        pytest.param({"diagnoses": ()}, "diagnoses", "too_short", id="no-diagnosis"),
        pytest.param({"diagnoses": DIAGNOSES}, "diagnoses", "too_long", id="13-diagnoses"),
        pytest.param(
            {"diagnoses": (DiagnosisCode("M54.50"), DiagnosisCode("m5450"))},
            "diagnoses",
            "duplicate",
            id="duplicate-diagnosis",
        ),
        # Pointers past the claim's diagnoses.
        pytest.param(
            {"diagnoses": (DiagnosisCode("M54.50"),)},
            "lines[0].diagnosis_pointers[1]",
            "bad_pointer",
            id="pointer-past-diagnoses",
        ),
        pytest.param(
            {"lines": (ONE_POINTER, _line_with(diagnosis_pointers=(1, 3)))},
            "lines[1].diagnosis_pointers[1]",
            "bad_pointer",
            id="second-line-pointer",
        ),
        # 1-50 lines (837P loop 2400 repeats 50 times).
        pytest.param({"lines": ()}, "lines", "too_short", id="no-lines"),
        pytest.param({"lines": (LINE,) * 51}, "lines", "too_long", id="51-lines"),
        pytest.param({"lines": [LINE]}, "lines", "invalid_type", id="lines-list"),
        pytest.param({"lines": (LINE, "x")}, "lines[1]", "invalid_type", id="line-str"),
        pytest.param({"attachments": (ATTACHMENT,) * 11}, "attachments", "too_long", id="pwk-11"),
        # CLM01 is 38 characters; REF identifiers 50.
        pytest.param({"id": "x" * 39}, "id", "too_long", id="id-39"),
        pytest.param({"prior_authorization": "x" * 51}, "prior_authorization", "too_long", id="pa"),
        pytest.param(
            {"property_casualty_claim_number": ""},
            "property_casualty_claim_number",
            "too_short",
            id="pc-empty",
        ),
        pytest.param(
            {"patient": builders.clinic()}, "patient", "invalid_type", id="patient-provider"
        ),
        pytest.param({"billing_provider": None}, "billing_provider", "invalid_type", id="billing"),
        pytest.param({"related_causes": {}}, "related_causes", "invalid_type", id="causes-dict"),
        pytest.param(
            {"assignment_of_benefits": "Y"}, "assignment_of_benefits", "invalid_type", id="flag"
        ),
    ],
)
def test_claim_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(CLAIM, **changes)
    assert _errors(info) == [(path, code)]


@pytest.mark.parametrize("frequency", [ClaimFrequency.REPLACEMENT, ClaimFrequency.VOID])
def test_replacement_and_void_name_the_original(frequency: ClaimFrequency) -> None:
    claim = attrs.evolve(CLAIM, frequency=frequency, original_claim_number="1568735")
    assert claim.frequency.code in {"7", "8"}


def test_claim_limits_are_inclusive() -> None:
    claim = attrs.evolve(
        CLAIM,
        id="x" * 38,
        diagnoses=DIAGNOSES[:12],
        lines=(_line_with(diagnosis_pointers=(12, 11, 10, 9)),) * 50,
        attachments=(ATTACHMENT,) * 10,
    )
    assert claim.total_charge == Decimal("6000.00")


# --- related causes and attachments -----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        # At least one cause; a state exactly for an auto accident (CLM11-4).
        pytest.param(
            {"auto_accident": False, "employment": True},
            "accident_state",
            "not_allowed",
            id="state-without-auto",
        ),
        pytest.param({"accident_state": None}, "accident_state", "required", id="auto-no-state"),
        pytest.param(
            {"auto_accident": False, "accident_state": None}, "employment", "required", id="none"
        ),
        pytest.param({"accident_state": "wa"}, "accident_state", "invalid_format", id="state"),
        pytest.param({"employment": 1}, "employment", "invalid_type", id="employment-int"),
        pytest.param({"accident_date": "2026-03-01"}, "accident_date", "invalid_type", id="date"),
    ],
)
def test_related_causes_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(CAUSES, **changes)
    assert _errors(info) == [(path, code)]


@pytest.mark.parametrize(
    "causes",
    [
        pytest.param({"employment": True}, id="employment"),
        pytest.param({"other_accident": True}, id="other-accident"),
        pytest.param({"auto_accident": True, "accident_state": "OR"}, id="auto"),
        pytest.param(
            {"employment": True, "auto_accident": True, "accident_state": "WA"}, id="several"
        ),
    ],
)
def test_valid_related_causes(causes: dict[str, Any]) -> None:
    assert RelatedCauses(**causes, accident_date=date(2026, 2, 1)).accident_date is not None


@given(causes=sbst.related_causes())
def test_generated_related_causes(causes: RelatedCauses) -> None:
    assert causes.employment or causes.auto_accident or causes.other_accident
    assert (causes.accident_state is not None) is causes.auto_accident


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        pytest.param({"id": "a b"}, "id", "invalid_format", id="space"),
        pytest.param({"id": "a*b"}, "id", "invalid_format", id="star"),
        pytest.param({"id": "x" * 51}, "id", "too_long", id="long"),
        pytest.param({"kind": "soap_note"}, "kind", "invalid_type", id="kind-str"),
        pytest.param({"transmission": "FX"}, "transmission", "invalid_type", id="transmission"),
    ],
)
def test_attachment_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(ATTACHMENT, **changes)
    assert _errors(info) == [(path, code)]


# --- redaction --------------------------------------------------------------------------------


def test_patient_data_never_reaches_a_claim_repr() -> None:
    name = PersonName(family=SENTINEL, given=SENTINEL)
    address = Address(line1=SENTINEL, city=SENTINEL, state="WA", postal_code="98101")
    claim = attrs.evolve(
        CLAIM,
        patient=builders.patient(name=name, address=address, phone="9099099099"),
        coverage=builders.coverage(
            member_id=SENTINEL,
            relationship=Relationship.CHILD,
            subscriber=Subscriber(
                name=name, birth_date=date(1911, 11, 11), sex=Sex.FEMALE, address=address
            ),
        ),
    )
    text = repr(claim)
    for secret in (SENTINEL, "9099099099", "1911", "1980"):
        assert secret not in text


def test_individual_dates_and_numbers_never_reach_a_claim_repr() -> None:
    # 45 CFR 164.514(b)(2)(i)(C) and (R): an individual's dates, other than
    # the dates of service, and the numbers of their authorisations and claims
    # with other insurers.
    claim = attrs.evolve(
        CLAIM,
        coverage=builders.coverage(start=date(1912, 2, 2), end=date(2913, 3, 3)),
        prior_authorization="AUTHZZ7",
        property_casualty_claim_number="PCZZ8",
        related_causes=RelatedCauses(
            auto_accident=True, accident_state="WA", accident_date=date(1914, 4, 4)
        ),
        initial_treatment_date=date(1915, 5, 5),
        first_contact_date=date(1916, 6, 6),
    )
    text = repr(claim)
    for secret in ("1912", "2913", "1914", "1915", "1916", "AUTHZZ7", "PCZZ8"):
        assert secret not in text
    assert "accident_date=<redacted>" in repr(claim.related_causes)
    # The claim id and the dates of service stay, to tell claims apart.
    assert repr(claim.id) in text
    assert repr(DAY) in text


def test_a_sole_proprietors_ssn_never_reaches_a_claim_repr() -> None:
    clinic = attrs.evolve(CLAIM.billing_provider, tax_id=TaxId("501-22-4433"))
    text = repr(attrs.evolve(CLAIM, billing_provider=clinic))
    assert "4433" not in text
    assert "TaxId(<redacted>)" in text


# --- the facts added for the 837P and the CMS-1500 ----------------------------------------------


def test_an_attachment_is_available_on_request_by_default() -> None:
    # EL would promise an X12 275 that soapbill does not write.
    assert ATTACHMENT.transmission is Transmission.AVAILABLE_ON_REQUEST
    assert not ATTACHMENT.is_sent
    assert attrs.evolve(ATTACHMENT, transmission=Transmission.FAX).is_sent


def test_assignment_is_two_facts() -> None:
    # Box 27 / CLM07 (the provider accepts) and box 13 / CLM08 (the insured assigns).
    assert CLAIM.accepts_assignment is True
    assert CLAIM.assignment_of_benefits is True
    claim = attrs.evolve(CLAIM, accepts_assignment=False)
    assert (claim.accepts_assignment, claim.assignment_of_benefits) == (False, True)


def test_the_new_claim_fields_default_to_none() -> None:
    assert CLAIM.pay_to_address is None
    assert CLAIM.initial_treatment_date is None
    assert CLAIM.first_contact_date is None


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("accepts_assignment", 1, "invalid_type"),
        ("initial_treatment_date", "2024-01-02", "invalid_type"),
        ("first_contact_date", datetime(2024, 1, 2), "invalid_type"),  # noqa: DTZ001
        ("pay_to_address", "PO Box 1", "invalid_type"),
    ],
)
def test_the_new_claim_fields_are_checked(field: str, value: Any, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(CLAIM, **{field: value})
    assert _errors(info) == [(field, code)]


def test_line_diagnoses_refuses_what_is_not_a_line_index() -> None:
    count = len(CLAIM.lines)
    assert CLAIM.line_diagnoses(0) == CLAIM.line_diagnoses(-count)
    for index, code in [
        (None, "invalid_type"),
        ("0", "invalid_type"),
        (True, "invalid_type"),
        (count, "out_of_range"),
        (-count - 1, "out_of_range"),
    ]:
        with pytest.raises(ValidationError) as info:
            CLAIM.line_diagnoses(index)  # type: ignore[arg-type]
        assert [(d.path, d.code) for d in info.value.errors] == [("index", code)]
