"""
Medicare specifics: disciplines, plan modifiers, KX thresholds, fee-schedule status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import CptCode, Credential, Modifier, ServiceLine, ValidationError
from soapbill.billing.medicare import (
    ASSISTANT_MODIFIERS,
    ASSISTANTS_FROM,
    KX_THRESHOLDS,
    Discipline,
    UnknownThresholdError,
    assistant_modifier,
    lines_missing_plan_modifier,
    lines_with_medicare_status,
    needs_kx,
)
from soapbill.codes.cpt import DEFAULT_CATALOG, CodeInfo, MedicareStatus

DAY = date(2026, 3, 3)
C = CptCode


def line(code: str, *modifiers: str) -> ServiceLine:
    return ServiceLine(
        code=C(code),
        modifiers=tuple(Modifier(m) for m in modifiers),
        units=1,
        charge=Decimal("10.00"),
        date_of_service=DAY,
        diagnosis_pointers=(1,),
    )


# --- Medicare specifics -----------------------------------------------------------------


def test_disciplines() -> None:
    assert [d.value for d in Discipline] == ["pt", "ot", "slp"]
    assert [d.plan_modifier.value for d in Discipline] == ["GP", "GO", "GN"]
    assert Discipline.PT.kx_pool == Discipline.SLP.kx_pool == {Discipline.PT, Discipline.SLP}
    assert Discipline.OT.kx_pool == {Discipline.OT}


# The KX thresholds by year, as CMS's physician fee schedule rules set them (published
# by the Medicare contractors Noridian and NGS).
KX_TABLE = [
    (2021, "2110.00"),
    (2022, "2150.00"),
    (2023, "2230.00"),
    (2024, "2330.00"),
    (2025, "2410.00"),
    (2026, "2480.00"),
]


@pytest.mark.parametrize(("year", "threshold"), KX_TABLE, ids=[str(y) for y, _ in KX_TABLE])
@pytest.mark.parametrize("discipline", list(Discipline))
def test_kx_is_needed_strictly_above_the_threshold(
    year: int, threshold: str, discipline: Discipline
) -> None:
    amount = Decimal(threshold)
    assert KX_THRESHOLDS[year] == amount
    assert not needs_kx(amount, year, discipline)
    assert needs_kx(amount + Decimal("0.01"), year, discipline)
    assert not needs_kx(Decimal(0), year, discipline)


def test_kx_refuses_an_unknown_year() -> None:
    with pytest.raises(UnknownThresholdError):
        needs_kx(Decimal("5000.00"), 2020, Discipline.PT)
    assert needs_kx(Decimal("5000.00"), 2020, Discipline.PT, thresholds={2020: Decimal("2080.00")})


@pytest.mark.parametrize(
    ("args", "path"),
    [
        ((2500.0, 2025, Discipline.PT), "year_to_date_amount"),
        ((Decimal(-1), 2025, Discipline.PT), "year_to_date_amount"),
        ((Decimal(1), True, Discipline.PT), "year"),
        ((Decimal(1), "2025", Discipline.PT), "year"),
        ((Decimal(1), 2025, "pt"), "discipline"),
    ],
)
def test_kx_refuses_bad_arguments(args: tuple[object, object, object], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        needs_kx(*args)  # type: ignore[arg-type]
    assert info.value.errors[0].path == path


@pytest.mark.parametrize(
    ("thresholds", "path"),
    [
        pytest.param(None, "thresholds", id="None"),
        pytest.param("x", "thresholds", id="text"),
        pytest.param([2025], "thresholds", id="list"),
        pytest.param({2025: 2410.0}, "thresholds[2025]", id="float"),
        pytest.param({2025: "2410.00"}, "thresholds[2025]", id="str"),
    ],
)
def test_kx_refuses_bad_thresholds(thresholds: object, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        needs_kx(Decimal(1), 2025, Discipline.PT, thresholds=thresholds)  # type: ignore[arg-type]
    assert info.value.errors[0].path == path


def test_kx_unknown_year_chains_no_lookup_error() -> None:
    with pytest.raises(UnknownThresholdError) as info:
        needs_kx(Decimal(1), 2020, Discipline.PT)
    assert info.value.__context__ is None


@given(
    st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(sorted(KX_THRESHOLDS)),
    st.sampled_from(list(Discipline)),
)
def test_kx_property(amount: Decimal, year: int, discipline: Discipline) -> None:
    assert needs_kx(amount, year, discipline) is (amount > KX_THRESHOLDS[year])


def test_bundled_and_invalid_codes() -> None:
    lines = [line("97124", "GP"), line("97010", "GP"), line("97014")]
    assert lines_with_medicare_status(lines, MedicareStatus.BUNDLED) == (1,)
    assert lines_with_medicare_status(lines, MedicareStatus.INVALID) == (2,)
    assert lines_with_medicare_status(lines, MedicareStatus.ACTIVE) == (0,)


def test_plan_modifier_on_always_therapy_codes() -> None:
    lines = [line("97124", "GP"), line("97140"), line("97110", "GO"), line("97799")]
    catalog = DEFAULT_CATALOG.extend(
        CodeInfo(code=C("97799"), label="Unlisted", timed=False, always_therapy=False)
    )
    assert lines_missing_plan_modifier(lines, Discipline.PT, catalog=catalog) == (1, 2)
    assert lines_missing_plan_modifier(lines, Discipline.OT, catalog=catalog) == (0, 1)
    assert lines_missing_plan_modifier(lines[:3], Discipline.SLP) == (0, 1, 2)


def test_functions_refuse_arguments_of_the_wrong_type() -> None:
    lines = [line("97124")]
    calls: list[tuple[Callable[[], object], str]] = [
        (
            lambda: lines_with_medicare_status(None, MedicareStatus.BUNDLED),  # type: ignore[arg-type]
            "lines",
        ),
        (lambda: lines_with_medicare_status(lines, "B"), "status"),  # type: ignore[arg-type]
        (
            lambda: lines_with_medicare_status(lines, MedicareStatus.BUNDLED, catalog=5),  # type: ignore[arg-type]
            "catalog",
        ),
        (lambda: lines_missing_plan_modifier("x", Discipline.PT), "lines"),  # type: ignore[arg-type]
        (lambda: lines_missing_plan_modifier(lines, None), "discipline"),  # type: ignore[arg-type]
        (
            lambda: lines_missing_plan_modifier(lines, Discipline.PT, catalog={}),  # type: ignore[arg-type]
            "catalog",
        ),
        (lambda: Discipline.of_line(lines[0].modifiers), "line"),  # type: ignore[arg-type]
    ]
    for call, path in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.errors[0].path == path, path


@pytest.mark.parametrize(
    ("modifiers", "discipline"),
    [
        pytest.param((), Discipline.PT, id="no plan modifier: PT"),
        pytest.param(("GP",), Discipline.PT, id="GP"),
        pytest.param(("GO",), Discipline.OT, id="GO"),
        pytest.param(("GN", "59"), Discipline.SLP, id="GN"),
        pytest.param(("GP", "GO"), Discipline.OT, id="GO after GP"),
        pytest.param(("GN", "GO"), Discipline.SLP, id="the first of GO and GN"),
        pytest.param(("KX", "59"), Discipline.PT, id="other modifiers: PT"),
    ],
)
def test_the_discipline_of_a_line(modifiers: tuple[str, ...], discipline: Discipline) -> None:
    assert Discipline.of_line(line("97110", *modifiers)) is discipline


def test_a_pool_is_one_object_per_discipline_pool() -> None:
    # Rules key running totals by the pool: one set, whichever discipline asks.
    assert Discipline.PT.kx_pool is Discipline.SLP.kx_pool
    assert Discipline.OT.kx_pool is not Discipline.PT.kx_pool


# --- assistants ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credential", "expected"),
    [
        # CQ: PT services furnished in whole or in part by a PTA (Pub 100-04 Ch. 5 §20.1).
        pytest.param(Credential.PTA, (Discipline.PT, Modifier("CQ")), id="pta: CQ"),
        # CO: OT services furnished in whole or in part by an OTA (the same section).
        pytest.param(Credential.OTA, (Discipline.OT, Modifier("CO")), id="ota: CO"),
        pytest.param(Credential.PT, None, id="pt"),
        pytest.param(Credential.OT, None, id="ot"),
        pytest.param(Credential.LMT, None, id="lmt"),
        pytest.param(None, None, id="none"),
    ],
)
def test_assistant_modifier(
    credential: Credential | None, expected: tuple[Discipline, Modifier] | None
) -> None:
    assert assistant_modifier(credential) == expected
    assert date(2020, 1, 1) == ASSISTANTS_FROM
    assert dict(ASSISTANT_MODIFIERS) == {
        Credential.PTA: (Discipline.PT, Modifier("CQ")),
        Credential.OTA: (Discipline.OT, Modifier("CO")),
    }


def test_assistant_modifier_refuses_what_is_no_credential() -> None:
    with pytest.raises(ValidationError) as info:
        assistant_modifier("pta")  # type: ignore[arg-type]
    assert [(d.path, d.code) for d in info.value.errors] == [("credential", "invalid_type")]
