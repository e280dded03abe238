"""
Prescriptions: validity (inclusive at both ends) and the procedures they order.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import builders
from soapbill import (
    BodyRegion,
    CptCode,
    DiagnosisCode,
    Prescription,
    ValidationError,
)
from soapbill import strategies as sbst

SENTINEL = "ZZSENTINELZZ"

DOCTOR = builders.physician()
WRITTEN = date(2026, 3, 1)
RX = Prescription(
    id="RX1",
    patient_id="P1",
    prescriber=DOCTOR,
    written_on=WRITTEN,
    diagnoses=(DiagnosisCode("M54.50"),),
)


def _errors(info: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(d.path, d.code) for d in info.value.errors]


@given(rx=sbst.prescriptions())
def test_generated_prescriptions_are_valid_values(rx: Prescription) -> None:
    assert attrs.evolve(rx) == rx
    assert pickle.loads(pickle.dumps(rx)) == rx  # noqa: S301 - our own data
    assert rx.valid_until is None or rx.valid_days is None


# --- validity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "default_days", "day", "valid"),
    [
        # valid_days counts the day written: 30 days from 1 March end on 30 March.
        pytest.param({"valid_days": 30}, None, date(2026, 2, 28), False, id="days-before"),
        pytest.param({"valid_days": 30}, None, date(2026, 3, 1), True, id="days-first-day"),
        pytest.param({"valid_days": 30}, None, date(2026, 3, 30), True, id="days-last-day"),
        pytest.param({"valid_days": 30}, None, date(2026, 3, 31), False, id="days-after"),
        pytest.param({"valid_days": 1}, None, date(2026, 3, 1), True, id="one-day"),
        pytest.param({"valid_days": 1}, None, date(2026, 3, 2), False, id="one-day-after"),
        # valid_until is the last valid day.
        pytest.param(
            {"valid_until": date(2026, 3, 15)}, None, date(2026, 3, 15), True, id="until-last"
        ),
        pytest.param(
            {"valid_until": date(2026, 3, 15)}, None, date(2026, 3, 16), False, id="until-after"
        ),
        pytest.param({"valid_until": WRITTEN}, None, WRITTEN, True, id="until-same-day"),
        # With neither, the payer's default decides; without one it never expires.
        pytest.param({}, None, date(2099, 12, 31), True, id="open"),
        pytest.param({}, None, date(2026, 2, 28), False, id="open-before"),
        pytest.param({}, 90, date(2026, 5, 29), True, id="default-last-day"),
        pytest.param({}, 90, date(2026, 5, 30), False, id="default-after"),
        # The payer's default does not override what the prescription says.
        pytest.param({"valid_days": 10}, 90, date(2026, 3, 11), False, id="days-beat-default"),
        pytest.param(
            {"valid_until": date(2026, 3, 5)}, 90, date(2026, 3, 6), False, id="until-beats"
        ),
    ],
)
def test_validity_boundaries(
    changes: dict[str, Any], default_days: int | None, day: date, valid: bool
) -> None:
    assert attrs.evolve(RX, **changes).is_valid_on(day, default_days) is valid


@pytest.mark.parametrize(
    ("written_on", "valid_until", "valid_days", "last"),
    [
        pytest.param(WRITTEN, None, 30, date(2026, 3, 30), id="thirty-days"),
        pytest.param(date(2024, 2, 29), None, 366, date(2025, 2, 28), id="leap-year"),
        pytest.param(WRITTEN, date(2026, 4, 1), None, date(2026, 4, 1), id="until"),
        pytest.param(WRITTEN, None, None, None, id="open"),
        # Past the end of the calendar, validity stops at date.max.
        pytest.param(date(9999, 12, 20), None, 30, date.max, id="calendar-end"),
    ],
)
def test_last_valid_day(
    written_on: date, valid_until: date | None, valid_days: int | None, last: date | None
) -> None:
    assert Prescription.last_valid_day(written_on, valid_until, valid_days) == last
    rx = attrs.evolve(RX, written_on=written_on, valid_until=valid_until, valid_days=valid_days)
    assert rx.expires_on() == last


def test_validity_near_the_end_of_the_calendar() -> None:
    rx = attrs.evolve(RX, written_on=date(9999, 12, 30), valid_days=3660)
    assert rx.expires_on() == date.max
    assert rx.is_valid_on(date.max)
    assert attrs.evolve(RX, written_on=date(9999, 12, 30)).is_valid_on(date.max, 3660)


@given(rx=sbst.prescriptions(), day=st.dates(), default_days=st.none() | st.integers(1, 3660))
def test_is_valid_on_agrees_with_expires_on(
    rx: Prescription, day: date, default_days: int | None
) -> None:
    last = rx.expires_on(default_days)
    expected = rx.written_on <= day and (last is None or day <= last)
    assert rx.is_valid_on(day, default_days) is expected


@given(rx=sbst.prescriptions(), default_days=st.none() | st.integers(1, 3660))
def test_a_prescription_is_valid_the_day_it_is_written(
    rx: Prescription, default_days: int | None
) -> None:
    assert rx.is_valid_on(rx.written_on, default_days)
    assert not rx.is_valid_on(rx.written_on - timedelta(days=1), default_days)


# --- procedures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("procedures", "code", "covered"),
    [
        # No procedures: "massage therapy as needed", every code.
        pytest.param((), "97124", True, id="any-massage"),
        pytest.param((), "97140", True, id="any-manual"),
        pytest.param(("97124",), "97124", True, id="listed"),
        pytest.param(("97124",), "97140", False, id="not-listed"),
        pytest.param(("97124", "97140"), "97140", True, id="second-listed"),
    ],
)
def test_covers(procedures: tuple[str, ...], code: str, covered: bool) -> None:
    rx = attrs.evolve(RX, procedures=tuple(CptCode(p) for p in procedures))
    assert rx.covers(CptCode(code)) is covered


@given(rx=sbst.prescriptions(), code=sbst.cpt_codes())
def test_covers_agrees_with_procedures(rx: Prescription, code: CptCode) -> None:
    assert rx.covers(code) is (not rx.procedures or code in rx.procedures)


# --- field checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        # valid_until or valid_days, not both; never before written_on.
        pytest.param(
            {"valid_until": date(2026, 4, 1), "valid_days": 30},
            "valid_days",
            "not_allowed",
            id="until-and-days",
        ),
        pytest.param(
            {"valid_until": date(2026, 2, 28)}, "valid_until", "before_start", id="until-before"
        ),
        pytest.param({"valid_days": 0}, "valid_days", "too_small", id="days-0"),
        pytest.param({"valid_days": 3661}, "valid_days", "too_large", id="days-3661"),
        pytest.param({"valid_days": "30"}, "valid_days", "invalid_type", id="days-str"),
        # 1-12 distinct diagnoses.
        pytest.param({"diagnoses": ()}, "diagnoses", "too_short", id="no-diagnosis"),
        pytest.param(
            {"diagnoses": tuple(DiagnosisCode(f"M54.{n}") for n in range(13))},
            "diagnoses",
            "too_long",
            id="13-diagnoses",
        ),
        pytest.param(
            {"diagnoses": (DiagnosisCode("M54.50"),) * 2},
            "diagnoses",
            "duplicate",
            id="duplicate-diagnosis",
        ),
        pytest.param(
            {"procedures": (CptCode("97124"),) * 2}, "procedures", "duplicate", id="dup-procedure"
        ),
        pytest.param({"regions": (BodyRegion.NECK,) * 2}, "regions", "duplicate", id="dup-region"),
        pytest.param({"visits_authorized": 0}, "visits_authorized", "too_small", id="visits-0"),
        pytest.param(
            {"visits_authorized": 1001}, "visits_authorized", "too_large", id="visits-1001"
        ),
        pytest.param({"written_on": None}, "written_on", "invalid_type", id="written-none"),
        pytest.param({"prescriber": "Dr Smith"}, "prescriber", "invalid_type", id="prescriber"),
        pytest.param({"notes": "x" * 10_001}, "notes", "too_long", id="notes"),
        pytest.param({"notes": ""}, "notes", "too_short", id="notes-empty"),
    ],
)
def test_prescription_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(RX, **changes)
    assert _errors(info) == [(path, code)]


def test_prescription_notes_never_reach_a_repr() -> None:
    assert SENTINEL not in repr(attrs.evolve(RX, notes=SENTINEL))


@pytest.mark.parametrize("days", [0, -1, True])
def test_default_days_is_at_least_one_whole_day(days: int) -> None:
    with pytest.raises(ValidationError) as info:
        RX.expires_on(default_days=days)
    assert [(d.path, d.code) for d in info.value.errors] == [("default_days", "too_small")]


def test_prescription_dates_never_reach_a_repr() -> None:
    # A referral's dates are an individual's dates: 45 CFR 164.514(b)(2)(i)(C).
    rx = attrs.evolve(RX, written_on=date(1912, 2, 2), valid_until=date(2913, 3, 3))
    text = repr(rx)
    assert "1912" not in text
    assert "2913" not in text


@pytest.mark.parametrize(
    ("call", "path"),
    [
        pytest.param(lambda: RX.is_valid_on(junk(None)), "day", id="is_valid_on"),
        pytest.param(lambda: RX.is_valid_on(junk("2026-03-02")), "day", id="is_valid_on-str"),
        pytest.param(lambda: RX.covers(junk("97124")), "code", id="covers"),
        pytest.param(
            lambda: Prescription.last_valid_day(junk(None), None, 30), "written_on", id="written"
        ),
        pytest.param(
            lambda: Prescription.last_valid_day(WRITTEN, junk("2026-04-01"), None),
            "valid_until",
            id="until",
        ),
        pytest.param(
            lambda: Prescription.last_valid_day(WRITTEN, None, junk("30")), "valid_days", id="days"
        ),
        pytest.param(
            lambda: Prescription.last_valid_day(WRITTEN, None, junk(float("nan"))),
            "valid_days",
            id="days-nan",
        ),
        pytest.param(lambda: Prescription.last_valid_day(WRITTEN, None, 0), "valid_days", id="0"),
    ],
)
def test_methods_refuse_arguments_of_the_wrong_type_by_name(
    call: Callable[[], object], path: str
) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.errors[0].path == path


def junk(value: object) -> Any:
    return value
