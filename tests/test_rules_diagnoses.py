"""
Diagnosis tables: the dated table soapbill ships, layering, and the ICD-10-CM adapter.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import DiagnosisCode, ValidationError
from soapbill.rules.diagnoses import (
    MASSAGE_DIAGNOSES,
    DatedTable,
    DiagnosisEntry,
    DiagnosisStatus,
    DiagnosisVerdict,
    layered,
)
from soapbill.rules.icd10cm import Icd10CmTable, MissingExtraError

D = DiagnosisCode
B = DiagnosisStatus.BILLABLE
H = DiagnosisStatus.HEADER
N = DiagnosisStatus.NOT_YET_VALID
U = DiagnosisStatus.UNKNOWN


@pytest.mark.parametrize(
    ("code", "on", "status"),
    [
        # ICD-10-CM FY2022: M54.5 billable through FY2021, a header from 2021-10-01.
        ("M54.5", date(2021, 9, 30), B),
        ("M54.5", date(2021, 10, 1), H),
        ("M54.50", date(2021, 9, 30), N),
        ("M54.50", date(2021, 10, 1), B),
        ("M54.59", date(2026, 4, 1), B),
        # M79.1 split on 2021-10-01 (the date is an unsourced recollection).
        ("M79.1", date(2021, 9, 30), B),
        ("M79.1", date(2021, 10, 1), H),
        ("M79.18", date(2021, 10, 1), B),
        # R51 split on 2020-10-01.
        ("R51", date(2020, 9, 30), B),
        ("R51", date(2020, 10, 1), H),
        ("R51.9", date(2020, 10, 1), B),
        # M51.36 split on 2024-10-01 (unsourced date).
        ("M51.36", date(2024, 9, 30), B),
        ("M51.36", date(2024, 10, 1), H),
        ("M51.369", date(2024, 10, 1), B),
        # U07.1 from 2020-04-01 (unsourced date), U09.9 from 2021-10-01.
        ("U07.1", date(2020, 3, 31), N),
        ("U07.1", date(2020, 4, 1), B),
        ("U09.9", date(2021, 9, 30), N),
        ("U09.9", date(2021, 10, 1), B),
        # Headers on every date.
        ("M62.83", date(2016, 1, 1), H),
        ("M25.5", date(2026, 1, 1), H),
        ("M25.51", date(2026, 1, 1), H),
        ("S13.4", date(2026, 1, 1), H),
        ("G44.2", date(2026, 1, 1), H),
        ("G44.20", date(2026, 1, 1), H),
        ("M26.60", date(2026, 1, 1), H),
        ("M26.62", date(2026, 1, 1), H),
        # Leaves.
        ("M54.2", date(2026, 1, 1), B),
        ("M62.830", date(2026, 1, 1), B),
        ("S13.4XXA", date(2026, 1, 1), B),
        ("S39.012A", date(2026, 1, 1), B),
        ("G44.209", date(2026, 1, 1), B),
        ("M99.03", date(2026, 1, 1), B),
        # Codes the table does not list.
        ("J06.9", date(2026, 1, 1), U),
        ("M54", date(2026, 1, 1), U),
    ],
)
def test_massage_diagnoses(code: str, on: date, status: DiagnosisStatus) -> None:
    assert MASSAGE_DIAGNOSES.check(D(code), on).status is status


def test_headers_say_what_to_use_instead() -> None:
    verdict = MASSAGE_DIAGNOSES.check(D("M62.83"), date(2026, 1, 1))
    assert verdict.use_instead == (D("M62.830"), D("M62.831"), D("M62.838"))
    assert not verdict.billable
    assert MASSAGE_DIAGNOSES.check(D("M62.830"), date(2026, 1, 1)).billable


@pytest.fixture(scope="module")
def icd10cm() -> Icd10CmTable:
    return Icd10CmTable()


def test_massage_diagnoses_agree_with_the_current_tabular(icd10cm: Icd10CmTable) -> None:
    # The leaf / header structure of every listed code, on a date after every
    # change the table knows, is that of the April 2026 tabular.
    today = date(2026, 4, 1)
    assert len(MASSAGE_DIAGNOSES) == len(MASSAGE_DIAGNOSES.entries)
    for entry in MASSAGE_DIAGNOSES.entries:
        ours = MASSAGE_DIAGNOSES.check(entry.code, today)
        theirs = icd10cm.check(entry.code, today)
        assert ours == theirs, entry.code


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        ("M54.50", DiagnosisVerdict(status=B)),
        ("M54.5", DiagnosisVerdict(status=H, use_instead=(D("M54.50"), D("M54.51"), D("M54.59")))),
        ("Z99.999", DiagnosisVerdict(status=DiagnosisStatus.INVALID)),
        ("J06.9", DiagnosisVerdict(status=B)),
    ],
)
def test_icd10cm_table(icd10cm: Icd10CmTable, code: str, verdict: DiagnosisVerdict) -> None:
    assert icd10cm.check(D(code), date(2026, 1, 1)) == verdict


def test_layering_lets_the_dated_table_judge_old_dates(icd10cm: Icd10CmTable) -> None:
    table = layered(MASSAGE_DIAGNOSES, icd10cm)
    # The current tabular alone says M54.5 is a header even in 2020.
    assert icd10cm.check(D("M54.5"), date(2020, 6, 1)).status is H
    assert table.check(D("M54.5"), date(2020, 6, 1)).status is B
    assert table.check(D("J06.9"), date(2020, 6, 1)).status is B
    assert layered().check(D("J06.9"), date(2020, 6, 1)).status is U
    assert pickle.loads(pickle.dumps(table)) == table  # noqa: S301 - our own data


def test_icd10cm_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "simple_icd_10_cm", None)
    with pytest.raises(MissingExtraError, match=r"soapbill\[icd10\]") as info:
        Icd10CmTable()
    assert isinstance(info.value, ImportError)


@pytest.mark.parametrize(
    ("entry", "on", "status"),
    [
        (DiagnosisEntry(code=D("A00.0"), billable_from=date(2026, 1, 1)), date(2025, 12, 31), N),
        (DiagnosisEntry(code=D("A00.0"), billable_from=date(2026, 1, 1)), date(2026, 1, 1), B),
        (DiagnosisEntry(code=D("A00.0"), billable_until=date(2026, 1, 1)), date(2026, 1, 1), B),
        (
            DiagnosisEntry(code=D("A00.0"), billable_until=date(2026, 1, 1)),
            date(2026, 1, 2),
            DiagnosisStatus.DELETED,
        ),
        (
            DiagnosisEntry(
                code=D("A00.0"), billable_until=date(2026, 1, 1), use_instead=(D("A00.01"),)
            ),
            date(2026, 1, 2),
            H,
        ),
        (DiagnosisEntry(code=D("A00"), header=True), date(2026, 1, 2), H),
    ],
)
def test_entry_boundaries_are_inclusive(
    entry: DiagnosisEntry, on: date, status: DiagnosisStatus
) -> None:
    assert entry.check(on).status is status


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"header": True, "billable_from": date(2026, 1, 1)}, "header"),
        ({"header": True, "billable_until": date(2026, 1, 1)}, "header"),
        ({"billable_from": date(2026, 1, 2), "billable_until": date(2026, 1, 1)}, "billable_until"),
        ({"use_instead": (D("A00.1"), D("A00.1"))}, "use_instead"),
    ],
)
def test_entry_validation(kwargs: dict[str, object], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        DiagnosisEntry(code=D("A00.0"), **kwargs)  # type: ignore[arg-type]
    assert info.value.errors[0].path == path


def test_dated_tables_are_values() -> None:
    extra = DiagnosisEntry(code=D("J06.9"))
    bigger = MASSAGE_DIAGNOSES.extend(extra)
    assert D("J06.9") in bigger
    assert D("J06.9") not in MASSAGE_DIAGNOSES
    assert len(bigger) == len(MASSAGE_DIAGNOSES) + 1
    replaced = bigger.extend(DiagnosisEntry(code=D("J06.9"), header=True))
    assert replaced.check(D("J06.9"), date(2026, 1, 1)).status is H
    assert len(replaced) == len(bigger)
    assert repr(DatedTable.of([extra])) == "DatedTable(<1 codes>)"
    assert pickle.loads(pickle.dumps(bigger)) == bigger  # noqa: S301 - our own data


@given(st.dates())
def test_a_header_always_names_codes_to_use(on: date) -> None:
    for entry in MASSAGE_DIAGNOSES.entries:
        verdict = MASSAGE_DIAGNOSES.check(entry.code, on)
        assert (verdict.status is H) == bool(verdict.use_instead)
        assert verdict.status in {B, H, N}


def test_tables_refuse_what_is_not_an_entry_or_a_table_by_name() -> None:
    entry = DiagnosisEntry(code=D("J06.9"))
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: DatedTable.of([entry, "J06.9"]), "entries[1]"),  # type: ignore[list-item]
        (lambda: DatedTable.of("J06.9"), "entries"),  # type: ignore[arg-type]
        (lambda: MASSAGE_DIAGNOSES.extend("J06.9"), "entries[0]"),  # type: ignore[arg-type]
        (lambda: layered(MASSAGE_DIAGNOSES, "table"), "tables[1]"),  # type: ignore[arg-type]
        (lambda: layered(None), "tables[0]"),  # type: ignore[arg-type]
    ]
    for call, path in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert [(d.path, d.code) for d in info.value.errors] == [(path, "invalid_type")]
        assert "J06.9" not in str(info.value)
