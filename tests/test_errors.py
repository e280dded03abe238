"""
soapbill.errors, and the promise that no error carries the value it refuses.
"""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import soapbill
from soapbill import (
    ErrorDetail,
    InvalidChecksumError,
    InvalidFormatError,
    SoapbillError,
    ValidationError,
)
from soapbill import strategies as sbst
from soapbill.care import Certification, RxRequest

SENTINEL = "ZZSENTINELZZ"

# --- ErrorDetail ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "prefix", "expected"),
    [
        pytest.param("units", "", "units", id="no-prefix"),
        pytest.param("", "lines[2]", "lines[2]", id="value-itself"),
        pytest.param("units", "lines[2]", "lines[2].units", id="field"),
        pytest.param("[1]", "modifiers", "modifiers[1]", id="index"),
        pytest.param("name.family", "patient", "patient.name.family", id="nested"),
        pytest.param("[0].code", "lines", "lines[0].code", id="index-then-field"),
    ],
)
def test_error_detail_prefixed(path: str, prefix: str, expected: str) -> None:
    detail = ErrorDetail(path=path, code="too_long", message="is too long")
    moved = detail.prefixed(prefix)
    assert moved.path == expected
    assert (moved.code, moved.message) == ("too_long", "is too long")
    assert detail.path == path


@pytest.mark.parametrize(
    ("path", "text"),
    [
        pytest.param("lines[2].units", "lines[2].units: must be at least 1 [too_small]", id="path"),
        pytest.param("", "<value>: must be at least 1 [too_small]", id="value-itself"),
    ],
)
def test_error_detail_str(path: str, text: str) -> None:
    assert str(ErrorDetail(path=path, code="too_small", message="must be at least 1")) == text


def test_error_detail_is_frozen() -> None:
    detail = ErrorDetail(path="", code="c", message="m")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        detail.path = "x"  # type: ignore[misc]


# --- ValidationError -----------------------------------------------------------------

ONE = ErrorDetail(path="id", code="too_long", message="must have at most 38 characters")
TWO = ErrorDetail(path="lines[0].units", code="too_small", message="must be at least 1")


def test_validation_error_is_a_value_error_and_a_soapbill_error() -> None:
    error = ValidationError([ONE])
    assert isinstance(error, ValueError)
    assert isinstance(error, SoapbillError)
    for cls in (InvalidFormatError, InvalidChecksumError):
        assert issubclass(cls, ValidationError)


def test_validation_error_names_every_path() -> None:
    assert str(ValidationError([ONE])) == str(ONE)
    text = str(ValidationError([ONE, TWO]))
    assert text.splitlines() == ["2 validation errors:", f"  {ONE}", f"  {TWO}"]
    assert ValidationError(iter([ONE, TWO])).errors == (ONE, TWO)


def test_validation_error_needs_a_detail() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ValidationError([])


@pytest.mark.parametrize(
    ("errors", "path", "code"),
    [
        pytest.param([], "errors", "too_short", id="empty"),
        pytest.param(None, "errors", "invalid_type", id="None"),
        pytest.param(5, "errors", "invalid_type", id="int"),
        pytest.param(SENTINEL, "errors", "invalid_type", id="text"),
        pytest.param(
            [ErrorDetail(path="a", code="b", message="c"), SENTINEL],
            "errors[1]",
            "invalid_type",
            id="item",
        ),
    ],
)
def test_validation_error_refuses_what_is_not_details(errors: object, path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        ValidationError(errors)  # type: ignore[arg-type]
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]
    assert SENTINEL not in repr(info.value)


def test_single() -> None:
    error = InvalidFormatError.single("npi", "bad_checksum", "the check digit does not match")
    assert type(error) is InvalidFormatError
    assert error.errors == (
        ErrorDetail(path="npi", code="bad_checksum", message="the check digit does not match"),
    )


@pytest.mark.parametrize("cls", [ValidationError, InvalidFormatError, InvalidChecksumError])
def test_prefixed_keeps_the_class(cls: type[ValidationError]) -> None:
    error = cls([ErrorDetail(path="", code="c", message="m"), TWO])
    moved = error.prefixed("claim")
    assert type(moved) is cls
    assert [d.path for d in moved.errors] == ["claim", "claim.lines[0].units"]
    assert "claim.lines[0].units" in str(moved)


@pytest.mark.parametrize("cls", [ValidationError, InvalidFormatError, InvalidChecksumError])
def test_validation_errors_pickle(cls: type[ValidationError]) -> None:
    error = cls([ONE, TWO])
    clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own data
    assert type(clone) is cls
    assert clone.errors == error.errors
    assert str(clone) == str(error)


# --- no value ever reaches an error ------------------------------------------------------

# Every model, with a strategy of valid instances.
MODELS: dict[str, st.SearchStrategy[Any]] = {
    "Address": sbst.addresses(),
    "PersonName": sbst.person_names(),
    "Patient": sbst.patients(),
    "Provider": sbst.providers(),
    "Payer": sbst.payers(),
    "Subscriber": sbst.subscribers(),
    "Coverage": sbst.coverages(),
    "Frequency": sbst.frequencies(),
    "PainReport": sbst.pain_reports(),
    "Subjective": sbst.subjectives(),
    "Lifestyle": sbst.lifestyles(),
    "Objective": sbst.objectives(),
    "TissueFinding": sbst.tissue_findings(),
    "RangeOfMotion": sbst.ranges_of_motion(),
    "Assessment": sbst.assessments(),
    "HomeExercise": sbst.home_exercises(),
    "Plan": sbst.plans(),
    "Treatment": sbst.treatments(),
    "Signature": sbst.signatures(),
    "Addendum": sbst.addenda(),
    "SoapNote": sbst.soap_notes(),
    "Prescription": sbst.prescriptions(),
    "Attachment": sbst.attachments(),
    "RelatedCauses": sbst.related_causes(),
    "ServiceLine": sbst.service_lines(),
    "Claim": sbst.claims(max_lines=2),
    "FunctionalMeasure": sbst.functional_measures(),
    "CarePlan": sbst.care_plans(),
    "Goal": sbst.care_plans().map(lambda plan: plan.goals[0]),
    "Measure": sbst.care_plans().map(lambda plan: plan.goals[0].measure),
    "Certification": st.builds(
        Certification, certified_by=sbst.providers(), certified_on=st.dates()
    ),
    "RxRequest": st.builds(
        RxRequest,
        id=st.just("RX-REQ-1"),
        patient=sbst.patients(),
        therapist=sbst.providers(),
        prescriber=sbst.providers(),
        requested_on=st.dates(),
        diagnoses=st.lists(sbst.diagnosis_codes(), min_size=1, max_size=3, unique=True).map(tuple),
        frequency=sbst.frequencies(),
    ),
}

# Invalid for every field: longer than any text field, or of the wrong type.
BAD_VALUES: list[object] = [
    SENTINEL * 1_000,
    (SENTINEL * 1_000,),
    (SENTINEL,) * 20,
    {SENTINEL: SENTINEL},
    [SENTINEL],
]


def _assert_no_sentinel(error: BaseException) -> None:
    seen: BaseException | None = error
    while seen is not None:
        assert SENTINEL not in str(seen)
        assert SENTINEL not in repr(seen)
        assert SENTINEL not in repr(seen.args)
        if isinstance(seen, ValidationError):
            assert SENTINEL not in repr(seen.errors)
        seen = seen.__cause__ or seen.__context__


def _refusal(obj: Any, name: str, value: object) -> ValidationError | None:
    """
    Return the error of setting field *name* of *obj* to *value*, if any.
    """
    try:
        changed = attrs.evolve(obj, **{name: value})
    except ValidationError as error:
        return error
    # Only free text is unbounded, and free text is patient data.
    assert SENTINEL not in repr(changed)
    return None


@pytest.mark.parametrize("models", MODELS.values(), ids=MODELS.keys())
@given(data=st.data())
def test_errors_never_carry_the_value(models: st.SearchStrategy[Any], data: st.DataObject) -> None:
    obj = data.draw(models)
    for field in attrs.fields(type(obj)):
        errors = [_refusal(obj, field.name, bad) for bad in BAD_VALUES]
        refused = [error for error in errors if error is not None]
        assert refused, field.name
        for error in refused:
            assert all(d.path.startswith(field.name) for d in error.errors)
            _assert_no_sentinel(error)


def test_every_model_is_swept() -> None:
    models = {
        name
        for name in soapbill.__all__
        if attrs.has(getattr(soapbill, name)) and name != "ErrorDetail"
    }
    assert models == set(MODELS)
