"""
NCCI procedure-to-procedure pairs and MUE limits: checks, CMS files, JSON.
"""

from __future__ import annotations

import csv
import io
import pickle
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import CptCode, Modifier, ServiceLine, ValidationError
from soapbill.billing.ncci import (
    ModifierIndicator,
    MueAdjudication,
    MueLimit,
    MueLimits,
    MueResult,
    MueStatus,
    PtpConflict,
    PtpEdit,
    PtpEdits,
)
from soapbill.formats.json import from_json, to_json

DAY = date(2026, 3, 3)
C = CptCode


def line(
    code: str, *modifiers: str, units: int = 1, on: date = DAY, charge: str = "10.00"
) -> ServiceLine:
    return ServiceLine(
        code=C(code),
        modifiers=tuple(Modifier(m) for m in modifiers),
        units=units,
        charge=Decimal(charge),
        date_of_service=on,
        diagnosis_pointers=(1,),
    )


def edit(
    column1: str,
    column2: str,
    indicator: str = "1",
    effective: date = date(2020, 1, 1),
    deleted: date | None = None,
) -> PtpEdit:
    return PtpEdit(
        column1=C(column1),
        column2=C(column2),
        effective=effective,
        deleted=deleted,
        indicator=ModifierIndicator(indicator),
    )


# --- PTP edits: dates -------------------------------------------------------------------


def test_edit_applies_from_its_effective_date_through_its_deletion_date() -> None:
    e = edit("97140", "97530", effective=date(2024, 1, 1), deleted=date(2024, 12, 31))
    assert not e.applies_on(date(2023, 12, 31))
    assert e.applies_on(date(2024, 1, 1))
    assert e.applies_on(date(2024, 12, 31))
    assert not e.applies_on(date(2025, 1, 1))


def test_edit_with_indicator_9_never_applies() -> None:
    assert not edit("97140", "97530", indicator="9").applies_on(DAY)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(min_value=-400, max_value=400),
    st.one_of(st.none(), st.integers(min_value=-400, max_value=400)),
    st.sampled_from(list(ModifierIndicator)),
)
def test_applies_on_property(
    effective: date, offset: int, deleted_after: int | None, indicator: ModifierIndicator
) -> None:
    deleted = None if deleted_after is None else effective + timedelta(days=deleted_after)
    e = edit("97140", "97530", indicator.value, effective=effective, deleted=deleted)
    day = effective + timedelta(days=offset)
    expected = (
        indicator is not ModifierIndicator.NOT_APPLICABLE
        and effective <= day
        and (deleted is None or day <= deleted)
    )
    assert e.applies_on(day) is expected


def test_find_prefers_the_latest_effective_row_in_force() -> None:
    old = edit("97140", "97530", "0", effective=date(2019, 1, 1))
    new = edit("97140", "97530", "1", effective=date(2021, 1, 1))
    edits = PtpEdits([old, new])
    assert edits.find(C("97140"), C("97530"), date(2020, 6, 1)) == old
    assert edits.find(C("97140"), C("97530"), date(2022, 6, 1)) == new
    assert edits.find(C("97530"), C("97140"), date(2022, 6, 1)) is None
    assert edits.find(C("97140"), C("97530"), date(2018, 6, 1)) is None


# --- PTP edits: checking a claim's lines ------------------------------------------------

TABLE = PtpEdits(
    [
        edit("97140", "97530", "1"),
        edit("97161", "97530", "0"),
        edit("98940", "97124", "1", deleted=date(2025, 12, 31)),
        edit("97140", "97110", "1", effective=date(2027, 1, 1)),
    ]
)


def test_indicator_1_without_modifier_is_a_conflict() -> None:
    conflicts = TABLE.check([line("97530", "GP"), line("97140", "GP")])
    assert conflicts == (
        PtpConflict(
            line_index=0,
            column1_index=1,
            column1=C("97140"),
            column2=C("97530"),
            date_of_service=DAY,
            indicator=ModifierIndicator.ALLOWED,
            bypassed=False,
        ),
    )


@pytest.mark.parametrize("modifier", ["59", "XE", "XS", "XP", "XU"])
def test_indicator_1_is_bypassed_by_a_distinct_service_modifier_on_column_2(
    modifier: str,
) -> None:
    (conflict,) = TABLE.check([line("97140"), line("97530", "GP", modifier)])
    assert conflict.bypassed
    assert conflict.modifier == Modifier(modifier)
    assert (conflict.line_index, conflict.column1_index) == (1, 0)


def test_modifier_on_column_1_does_not_bypass() -> None:
    (conflict,) = TABLE.check([line("97140", "59"), line("97530")])
    assert not conflict.bypassed
    assert conflict.modifier is None


@pytest.mark.parametrize("modifier", ["59", "XE", "XS", "XP", "XU"])
def test_indicator_0_never_passes(modifier: str) -> None:
    (conflict,) = TABLE.check([line("97161"), line("97530", modifier)])
    assert conflict.indicator is ModifierIndicator.NOT_ALLOWED
    assert not conflict.bypassed


def test_lines_of_different_dates_are_not_paired() -> None:
    assert TABLE.check([line("97140"), line("97530", on=DAY + timedelta(days=1))]) == ()


def test_deleted_edit_is_ignored_after_its_deletion_date() -> None:
    assert (
        len(
            TABLE.check(
                [line("98940", on=date(2025, 12, 31)), line("97124", on=date(2025, 12, 31))]
            )
        )
        == 1
    )
    assert TABLE.check([line("98940"), line("97124")]) == ()


def test_edit_not_yet_effective_is_ignored() -> None:
    assert TABLE.check([line("97140"), line("97110")]) == ()
    later = date(2027, 1, 1)
    assert len(TABLE.check([line("97140", on=later), line("97110", on=later)])) == 1


def test_each_column_2_line_is_reported_once_per_edit() -> None:
    lines = [line("97140"), line("97530"), line("97140"), line("97161")]
    conflicts = TABLE.check(lines)
    assert [(c.line_index, c.column1_index, c.column1.value) for c in conflicts] == [
        (1, 0, "97140"),
        (1, 3, "97161"),
    ]


def test_no_lines_no_conflicts() -> None:
    assert TABLE.check([]) == ()
    assert PtpEdits().check([line("97140"), line("97530")]) == ()


def test_table_is_a_value() -> None:
    edits = [edit("97140", "97530")]
    assert PtpEdits(edits) == PtpEdits(tuple(edits))
    assert len(PtpEdits(edits)) == 1
    assert list(PtpEdits(edits)) == edits
    with pytest.raises(ValidationError) as info:
        PtpEdits([edits[0], "97140"])  # type: ignore[list-item]
    assert info.value.errors[0].path == "edits[1]"


POOL = ["97140", "97530", "97161", "98940", "97124"]
line_st = st.builds(
    lambda code, mods, day: line(code, *mods, on=day),
    st.sampled_from(POOL),
    st.lists(st.sampled_from(["59", "XS", "GP", "KX"]), unique=True, max_size=3),
    st.sampled_from([DAY, date(2026, 3, 4)]),
)


@given(st.lists(line_st, max_size=6))
def test_check_matches_a_brute_force_reading(lines: list[ServiceLine]) -> None:
    conflicts = TABLE.check(lines)
    expected = {
        (i, b.code.value)
        for i, a in enumerate(lines)
        for b in lines
        if b is not a
        and b.date_of_service == a.date_of_service
        and TABLE.find(b.code, a.code, a.date_of_service) is not None
    }
    found = [(c.line_index, c.column1.value) for c in conflicts]
    assert sorted(found) == sorted(expected)
    assert found == sorted(found, key=lambda pair: pair[0])
    for c in conflicts:
        column2, column1 = lines[c.line_index], lines[c.column1_index]
        assert (column1.code, column2.code) == (c.column1, c.column2)
        assert column1.date_of_service == column2.date_of_service == c.date_of_service
        distinct = {m.value for m in column2.modifiers} & {"59", "XE", "XS", "XP", "XU"}
        allowed = c.indicator is ModifierIndicator.ALLOWED
        assert c.bypassed is (allowed and bool(distinct))


# --- PTP edits: loading CMS files -------------------------------------------------------

PTP_HEADER = [
    "Column 1",
    "Column 2",
    "*=in existence prior to 1996",
    "Effective Date",
    "Deletion Date *=no data",
    "Modifier 0=not allowed 1=allowed 9=not applicable",
    "PTP Edit Rationale",
]
PTP_ROWS = [
    ["97140", "97530", "", "20200101", "*", "1", "Mutually exclusive procedures"],
    ["98940", "97124", "*", "19960101", "20251231", "1", "Standards of medical services"],
    ["97161", "97530", "", "20200101", "20200131", "0", ""],
    ["97161", "97150", "", "20200101", "20200101", "9"],
]
PTP_EXPECTED = PtpEdits(
    [
        PtpEdit(
            column1=C("97140"),
            column2=C("97530"),
            effective=date(2020, 1, 1),
            indicator=ModifierIndicator.ALLOWED,
            rationale="Mutually exclusive procedures",
        ),
        PtpEdit(
            column1=C("98940"),
            column2=C("97124"),
            effective=date(1996, 1, 1),
            deleted=date(2025, 12, 31),
            indicator=ModifierIndicator.ALLOWED,
            prior_1996=True,
            rationale="Standards of medical services",
        ),
        PtpEdit(
            column1=C("97161"),
            column2=C("97530"),
            effective=date(2020, 1, 1),
            deleted=date(2020, 1, 31),
            indicator=ModifierIndicator.NOT_ALLOWED,
        ),
        PtpEdit(
            column1=C("97161"),
            column2=C("97150"),
            effective=date(2020, 1, 1),
            deleted=date(2020, 1, 1),
            indicator=ModifierIndicator.NOT_APPLICABLE,
        ),
    ]
)


def cms_text(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str,
    titles: Sequence[str] = (),
    after_header: Sequence[Sequence[str]] = (),
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for title in titles:
        writer.writerow([title])
    writer.writerow(header)
    writer.writerows(after_header)
    writer.writerows(rows)
    return out.getvalue()


TITLES = [
    "CPT codes, descriptions and other data only are copyright the AMA. All rights reserved.",
    "",
    "Practitioner PTP edits, a test fixture",
]
CONTINUATION = [["", "", "", "", "", "1=allowed", ""], ["", "", "", "", "", "9=not applicable"]]


@pytest.mark.parametrize("delimiter", ["\t", ","], ids=["tab", "csv"])
def test_load_ptp_with_title_rows(delimiter: str) -> None:
    text = cms_text(
        PTP_HEADER,
        PTP_ROWS,
        delimiter=delimiter,
        titles=TITLES,
        after_header=CONTINUATION,
    )
    assert PtpEdits.load(io.StringIO(text)) == PTP_EXPECTED


def test_load_ptp_from_paths_in_utf8_and_latin1(tmp_path: Path) -> None:
    body = cms_text(PTP_HEADER, PTP_ROWS, delimiter="\t", titles=["Copyright \u00a9 AMA"])
    utf8 = tmp_path / "utf8.txt"
    utf8.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    latin = tmp_path / "latin.txt"
    latin.write_bytes(body.encode("latin-1"))
    assert PtpEdits.load(utf8) == PTP_EXPECTED
    assert PtpEdits.load(str(latin)) == PTP_EXPECTED


def test_load_ptp_from_several_sources_and_filter_codes() -> None:
    first = cms_text(PTP_HEADER, PTP_ROWS[:2], delimiter="\t")
    second = cms_text(PTP_HEADER, PTP_ROWS[2:], delimiter="\t")
    both = PtpEdits.load(io.StringIO(first), io.StringIO(second))
    assert both == PTP_EXPECTED
    only = PtpEdits.load(io.StringIO(first), codes=[C("97140"), C("97530"), C("97124")])
    assert [(e.column1.value, e.column2.value) for e in only] == [("97140", "97530")]


def test_load_ptp_skips_codes_no_claim_can_hold() -> None:
    rows = [["0001Z", "0591T", "", "20210101", "*", "1", ""], *PTP_ROWS]
    assert PtpEdits.load(io.StringIO(cms_text(PTP_HEADER, rows, delimiter="\t"))) == PTP_EXPECTED


def test_load_ptp_keeps_lettered_cpt_codes() -> None:
    # CMS files carry CPT codes such as 0001A (vaccine administration).
    rows = [["0001A", "0591T", "", "20210101", "*", "1", ""]]
    edits = PtpEdits.load(io.StringIO(cms_text(PTP_HEADER, rows, delimiter="\t")))
    assert [(e.column1.value, e.column2.value) for e in edits] == [("0001A", "0591T")]


BAD_PTP = [
    pytest.param(
        ["9714", "97530", "", "20200101", "*", "1"], "column_1", "invalid_format", id="c1"
    ),
    pytest.param(
        ["97140", "9753!", "", "20200101", "*", "1"], "column_2", "invalid_format", id="c2"
    ),
    pytest.param(
        ["97140", "97530", "x", "20200101", "*", "1"], "prior_1996", "invalid_choice", id="prior"
    ),
    pytest.param(
        ["97140", "97530", "", "2020-01-01", "*", "1"], "effective_date", "invalid_format", id="iso"
    ),
    pytest.param(
        ["97140", "97530", "", "20200230", "*", "1"], "effective_date", "invalid_date", id="feb30"
    ),
    pytest.param(
        ["97140", "97530", "", "", "*", "1"], "effective_date", "invalid_format", id="empty"
    ),
    pytest.param(
        ["97140", "97530", "", "20200101", "2020", "1"], "deletion_date", "invalid_format", id="del"
    ),
    pytest.param(
        ["97140", "97530", "", "20200101", "*", "2"], "modifier", "invalid_choice", id="mod"
    ),
    pytest.param(
        ["97140", "97530", "", "20200101", "*", "1", "x" * 501], "rationale", "too_long", id="long"
    ),
]


@pytest.mark.parametrize(("row", "column", "code"), BAD_PTP)
def test_bad_ptp_row_names_line_and_column(row: list[str], column: str, code: str) -> None:
    text = cms_text(PTP_HEADER, [PTP_ROWS[0], row], delimiter="\t", titles=TITLES)
    with pytest.raises(ValidationError) as info:
        PtpEdits.load(io.StringIO(text))
    # Three title rows, the header and one good row come first.
    assert [(e.path, e.code) for e in info.value.errors] == [(f"line[6].{column}", code)]


def test_bad_row_in_second_source_names_the_source() -> None:
    good = cms_text(PTP_HEADER, PTP_ROWS, delimiter="\t")
    bad = cms_text(PTP_HEADER, [["97140", "97530", "", "20200101", "*"]], delimiter="\t")
    with pytest.raises(ValidationError) as info:
        PtpEdits.load(io.StringIO(good), io.StringIO(bad))
    assert info.value.errors[0].path == "sources[1].line[2]"
    assert info.value.errors[0].code == "missing_columns"


def test_file_without_header_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        PtpEdits.load(io.StringIO("97140\t97530\t\t20200101\t*\t1\n"))
    assert info.value.errors[0].code == "no_header"


def test_unreadable_csv_is_refused() -> None:
    text = cms_text(PTP_HEADER, [], delimiter=",") + '97140,"' + "x" * 200_000 + '"\n'
    with pytest.raises(ValidationError) as info:
        PtpEdits.load(io.StringIO(text))
    assert info.value.errors[0].code == "invalid_csv"


@pytest.mark.parametrize("source", [b"Column 1", 42, io.BytesIO(b"Column 1")])
def test_load_refuses_what_is_not_a_path_or_text(source: object) -> None:
    with pytest.raises(ValidationError) as info:
        PtpEdits.load(source)  # type: ignore[arg-type]
    assert info.value.errors[0].code == "invalid_type"


def test_load_needs_a_source() -> None:
    with pytest.raises(ValidationError) as info:
        PtpEdits.load()
    assert info.value.errors[0].path == "sources"


def test_load_errors_leak_no_values() -> None:
    sentinel = "Z9Q8X"
    text = cms_text(PTP_HEADER, [["97140", "97530", "", sentinel, "*", "1"]], delimiter="\t")
    with pytest.raises(ValidationError) as info:
        PtpEdits.load(io.StringIO(text))
    assert sentinel not in str(info.value)
    assert sentinel not in repr(info.value)
    assert sentinel not in repr(info.value.args)


def _assert_chain_clean(error: BaseException, sentinel: str) -> None:
    seen: BaseException | None = error
    while seen is not None:
        for shown in (str(seen), repr(seen), repr(seen.args)):
            assert sentinel not in shown
        seen = seen.__cause__ or seen.__context__


def test_a_refused_choice_chains_no_lookup_error() -> None:
    sentinel = "Z9Q8X"
    row = ["97140", "97530", "", "20200101", "*", sentinel]
    text = cms_text(PTP_HEADER, [row], delimiter="\t")
    with pytest.raises(ValidationError) as info:
        PtpEdits.load(io.StringIO(text))
    assert info.value.errors[0].code == "invalid_choice"
    _assert_chain_clean(info.value, sentinel)


def test_a_bad_row_of_a_latin1_file_chains_no_decoding_error(tmp_path: Path) -> None:
    # The decoding error of the UTF-8 attempt quotes the file's bytes.
    sentinel = "Z9Q8X"
    row = ["97140", "97530", "", sentinel, "*", "1", "caf\u00e9"]
    path = tmp_path / "latin.txt"
    path.write_bytes(cms_text(PTP_HEADER, [row], delimiter="\t").encode("latin-1"))
    with pytest.raises(ValidationError) as info:
        PtpEdits.load(path)
    assert info.value.errors[0].path == "line[2].effective_date"
    _assert_chain_clean(info.value, sentinel)


@pytest.mark.parametrize("value", [None, 5, "97140", b"x"])
def test_tables_are_built_from_iterables(value: object) -> None:
    for cls, path in ((PtpEdits, "edits"), (MueLimits, "limits")):
        with pytest.raises(ValidationError) as info:
            cls(value)  # type: ignore[arg-type]
        assert info.value.errors[0].path == path


def test_tables_refuse_arguments_of_the_wrong_type() -> None:
    mue = MueLimits.sample()
    lines = [line("97124")]
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: TABLE.find("97140", C("97530"), DAY), "column1"),  # type: ignore[arg-type]
        (lambda: TABLE.find(C("97140"), [], DAY), "column2"),  # type: ignore[arg-type]
        (lambda: TABLE.find(C("97140"), C("97530"), None), "on"),  # type: ignore[arg-type]
        (lambda: TABLE.check(None), "lines"),  # type: ignore[arg-type]
        (lambda: TABLE.check([*lines, "x"]), "lines[1]"),  # type: ignore[list-item]
        (lambda: mue.get([]), "code"),  # type: ignore[arg-type]
        (lambda: mue.check("97124"), "lines"),  # type: ignore[arg-type]
        (lambda: mue.check([None]), "lines[0]"),  # type: ignore[list-item]
        (lambda: PtpEdits.load(io.StringIO(""), codes=5), "codes"),  # type: ignore[arg-type]
        (lambda: MueLimits.load(io.StringIO(""), codes=[None]), "codes[0]"),  # type: ignore[list-item]
    ]
    for call, path in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.errors[0].path == path, path


rationale_st = st.one_of(
    st.none(),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool),
)
edit_st = st.builds(
    PtpEdit,
    column1=st.sampled_from(POOL).map(C),
    column2=st.sampled_from(POOL).map(C),
    effective=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 1, 1)),
    deleted=st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 1, 1)),
    indicator=st.sampled_from(list(ModifierIndicator)),
    prior_1996=st.booleans(),
    rationale=rationale_st,
)


def ptp_row(e: PtpEdit) -> list[str]:
    return [
        e.column1.value,
        e.column2.value,
        "*" if e.prior_1996 else "",
        e.effective.strftime("%Y%m%d"),
        "*" if e.deleted is None else e.deleted.strftime("%Y%m%d"),
        e.indicator.value,
        e.rationale or "",
    ]


@given(st.lists(edit_st, max_size=8), st.sampled_from(["\t", ","]))
def test_ptp_file_round_trip(edits: list[PtpEdit], delimiter: str) -> None:
    text = cms_text(PTP_HEADER, [ptp_row(e) for e in edits], delimiter=delimiter, titles=TITLES)
    assert PtpEdits.load(io.StringIO(text)) == PtpEdits(edits)


def test_ptp_sample_is_marked_and_sourced() -> None:
    sample = PtpEdits.sample()
    pairs = {(e.column1.value, e.column2.value) for e in sample}
    assert ("97140", "97530") in pairs
    assert {("98940", "97124"), ("98941", "97140"), ("98942", "97112")} <= pairs
    assert all(e.indicator is ModifierIndicator.ALLOWED for e in sample)
    assert all(e.rationale and e.rationale.startswith("Sample:") for e in sample)


# --- MUE -------------------------------------------------------------------------------

MUE_HEADER = [
    "HCPCS/\nCPT Code",
    "Practitioner Services MUE Values",
    "MUE Adjudication Indicator",
    "MUE Rationale",
]
MUE_ROWS = [
    ["97035", "2", "3 Date of Service Edit: Clinical", "Clinical: Data"],
    ["97124", "4", "2 Date of Service Edit: Policy", ""],
    ["97140", "1", "1 Line Edit", "Anatomic"],
]
MUE_EXPECTED = MueLimits(
    [
        MueLimit(
            code=C("97035"),
            max_units=2,
            adjudication=MueAdjudication.DATE_OF_SERVICE_CLINICAL,
            rationale="Clinical: Data",
        ),
        MueLimit(code=C("97124"), max_units=4, adjudication=MueAdjudication.DATE_OF_SERVICE_POLICY),
        MueLimit(
            code=C("97140"),
            max_units=1,
            adjudication=MueAdjudication.CLAIM_LINE,
            rationale="Anatomic",
        ),
    ]
)
COPYRIGHT = (
    "CPT codes, descriptions and other data only\nare copyright the AMA.\nAll rights reserved."
)


@pytest.mark.parametrize("delimiter", [",", "\t"], ids=["csv", "tab"])
def test_load_mue_with_a_multiline_title_cell(delimiter: str) -> None:
    text = cms_text(MUE_HEADER, MUE_ROWS, delimiter=delimiter, titles=[COPYRIGHT])
    assert MueLimits.load(io.StringIO(text)) == MUE_EXPECTED


def test_load_mue_finds_columns_by_name() -> None:
    order = [0, 3, 2, 1]
    text = cms_text(
        [*(MUE_HEADER[i] for i in order), "Notes"],
        [[*(row[i] for i in order), "n/a"] for row in MUE_ROWS],
        delimiter=",",
    )
    assert MueLimits.load(io.StringIO(text)) == MUE_EXPECTED


def test_load_mue_without_rationale_column_and_filter() -> None:
    text = cms_text(MUE_HEADER[:3], [row[:3] for row in MUE_ROWS], delimiter=",")
    limits = MueLimits.load(io.StringIO(text), codes=[C("97124")])
    assert [(lim.code.value, lim.rationale) for lim in limits] == [("97124", None)]


BAD_MUE = [
    pytest.param(["97035", "two", "3", ""], "line[4].mue_value", "invalid_format", id="value"),
    pytest.param(["97035", "2", "4 Other", ""], "line[4].adjudication", "invalid_choice", id="mai"),
    pytest.param(["97035", "2", "31", ""], "line[4].adjudication", "invalid_choice", id="mai31"),
    pytest.param(["97035", "2"], "line[4]", "missing_columns", id="short"),
    pytest.param(["97035!", "2", "3", ""], "line[4].code", "invalid_format", id="code"),
    pytest.param(["97035", "2", "3", "y" * 501], "line[4].rationale", "too_long", id="long"),
    pytest.param(["97124", "2", "3", ""], "line[4].code", "duplicate", id="dup"),
]


@pytest.mark.parametrize(("row", "path", "code"), BAD_MUE)
def test_bad_mue_row(row: list[str], path: str, code: str) -> None:
    text = cms_text(MUE_HEADER, [MUE_ROWS[1], row], delimiter=",")
    with pytest.raises(ValidationError) as info:
        MueLimits.load(io.StringIO(text))
    assert [(e.path, e.code) for e in info.value.errors] == [(path, code)]


def test_mue_header_without_value_column() -> None:
    text = cms_text(["HCPCS", "MUE Adjudication Indicator"], [["97124", "3"]], delimiter=",")
    with pytest.raises(ValidationError) as info:
        MueLimits.load(io.StringIO(text))
    assert info.value.errors[0].path == "mue_value"


def test_mue_table_refuses_two_values_for_a_code() -> None:
    limit = MUE_EXPECTED.limits[0]
    with pytest.raises(ValidationError) as info:
        MueLimits([limit, limit])
    assert info.value.errors[0].path == "limits[1].code"
    with pytest.raises(ValidationError) as info:
        MueLimits(["97035"])  # type: ignore[list-item]
    assert info.value.errors[0].path == "limits[0]"


def test_mue_sample() -> None:
    sample = MueLimits.sample()
    assert {lim.code.value: lim.max_units for lim in sample} == {
        "97012": 1,
        "97018": 1,
        "97022": 1,
        "97024": 1,
        "97032": 4,
        "97035": 2,
    }
    assert all(lim.adjudication is MueAdjudication.DATE_OF_SERVICE_CLINICAL for lim in sample)
    assert len(sample) == 6


def test_mue_check_date_of_service_limit_adds_the_lines() -> None:
    lines = [line("97035", units=1), line("97124", units=4), line("97035", units=2)]
    results = MUE_EXPECTED.check(lines)
    assert results == (
        MueResult(
            status=MueStatus.OVER_LIMIT,
            code=C("97035"),
            date_of_service=DAY,
            line_indices=(0, 2),
            units=3,
            limit=MUE_EXPECTED.get(C("97035")),
        ),
        MueResult(
            status=MueStatus.WITHIN_LIMIT,
            code=C("97124"),
            date_of_service=DAY,
            line_indices=(1,),
            units=4,
            limit=MUE_EXPECTED.get(C("97124")),
        ),
    )
    assert [r.excess for r in results] == [1, 0]


def test_mue_check_claim_line_limit_checks_each_line() -> None:
    results = MUE_EXPECTED.check([line("97140", units=1), line("97140", units=2)])
    assert [(r.line_indices, r.status) for r in results] == [
        ((0,), MueStatus.WITHIN_LIMIT),
        ((1,), MueStatus.OVER_LIMIT),
    ]


def test_mue_without_data_is_not_checked_never_passed() -> None:
    lines = [line("97110", units=9), line("97110", units=9, on=DAY + timedelta(days=1))]
    for table in (MUE_EXPECTED, MueLimits()):
        results = table.check(lines)
        assert [r.status for r in results] == [MueStatus.NOT_CHECKED] * 2
        assert [r.excess for r in results] == [0, 0]
        assert all(r.limit is None for r in results)


mue_line_st = st.builds(
    lambda code, units, day: line(code, units=units, on=day),
    st.sampled_from(["97035", "97124", "97140", "97110"]),
    st.integers(min_value=1, max_value=6),
    st.sampled_from([DAY, date(2026, 3, 4)]),
)


@given(st.lists(mue_line_st, max_size=8))
def test_mue_check_property(lines: list[ServiceLine]) -> None:
    results = MUE_EXPECTED.check(lines)
    covered = sorted(i for r in results for i in r.line_indices)
    assert covered == list(range(len(lines)))
    for r in results:
        assert r.units == sum(lines[i].units for i in r.line_indices)
        assert all(lines[i].code == r.code for i in r.line_indices)
        limit = MUE_EXPECTED.get(r.code)
        if limit is None:
            assert r.status is MueStatus.NOT_CHECKED
        else:
            assert (r.status is MueStatus.OVER_LIMIT) is (r.units > limit.max_units)
            assert r.status is not MueStatus.NOT_CHECKED
            assert len(r.line_indices) == 1 or limit.adjudication.per_date


# --- JSON round trips ----------------------------------------------------------------------

limit_st = st.builds(
    MueLimit,
    code=st.sampled_from(POOL).map(C),
    max_units=st.integers(min_value=0, max_value=9999),
    adjudication=st.sampled_from(list(MueAdjudication)),
    rationale=rationale_st,
)


@given(edit_st, limit_st)
def test_edit_models_json_round_trip(e: PtpEdit, limit: MueLimit) -> None:
    assert from_json(to_json(e), PtpEdit) == e
    assert from_json(to_json(limit), MueLimit) == limit


@given(st.lists(line_st, max_size=5), st.lists(mue_line_st, max_size=5))
def test_result_models_json_round_trip(
    ptp_lines: list[ServiceLine], mue_lines: list[ServiceLine]
) -> None:
    for conflict in TABLE.check(ptp_lines):
        assert from_json(to_json(conflict), PtpConflict) == conflict
    for result in MUE_EXPECTED.check(mue_lines):
        assert from_json(to_json(result), MueResult) == result


# --- compact tables: storage, pickling, quarters, unions --------------------------------


def test_tables_pickle_as_a_few_byte_strings() -> None:
    for table in (PTP_EXPECTED, MUE_EXPECTED, PtpEdits(), MueLimits()):
        data = pickle.dumps(table)
        clone = pickle.loads(data)  # noqa: S301 - our own data
        assert clone == table
        assert list(clone) == list(table)
        assert hash(clone) == hash(table)
    # No PtpEdit objects in the pickle: the columns travel as bytes.
    assert b"PtpEdit\x94" not in pickle.dumps(PTP_EXPECTED)


@given(st.lists(edit_st, max_size=12), st.randoms(use_true_random=False))
def test_tables_are_values_whatever_the_order(edits: list[PtpEdit], rnd: Random) -> None:
    shuffled = list(edits)
    rnd.shuffle(shuffled)
    table = PtpEdits(edits)
    assert list(table) == edits
    assert table.edits == tuple(edits)
    assert PtpEdits(shuffled) == table
    for e in edits:
        for day in (e.effective, e.effective - timedelta(days=1), e.deleted or DAY):
            expected = [x for x in edits if (x.column1, x.column2) == (e.column1, e.column2)]
            in_force = [x for x in expected if x.applies_on(day)]
            found = table.find(e.column1, e.column2, day)
            latest = max(in_force, key=lambda x: x.effective, default=None)
            assert found == latest


def test_tables_are_immutable() -> None:
    with pytest.raises(AttributeError):
        PTP_EXPECTED.quarter = "2026Q1"
    with pytest.raises(AttributeError):
        MUE_EXPECTED._codes = None  # type: ignore[assignment]


@pytest.mark.parametrize("quarter", ["2026q1", "2026Q5", "26Q1", "2026Q1 ", 2026])
def test_quarter_is_yyyyqn(quarter: object) -> None:
    for build in (
        lambda: PtpEdits(quarter=quarter),  # type: ignore[arg-type]
        lambda: MueLimits(quarter=quarter),  # type: ignore[arg-type]
        lambda: PtpEdits.load(io.StringIO(""), quarter=quarter),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValidationError) as info:
            build()
        assert info.value.errors[0].path == "quarter"


def test_loaded_tables_carry_their_quarter() -> None:
    text = cms_text(PTP_HEADER, PTP_ROWS, delimiter="\t", titles=TITLES)
    table = PtpEdits.load(io.StringIO(text), quarter="2026Q3")
    assert table.quarter == "2026Q3"
    assert table != PTP_EXPECTED
    assert list(table) == list(PTP_EXPECTED)
    assert repr(table) == "PtpEdits(<4 edits>, quarter='2026Q3')"


def test_union_holds_the_rows_of_both() -> None:
    extra = PtpEdits([edit("97124", "97140", "0")])
    both = PTP_EXPECTED.union(extra)
    assert sorted(map(repr, both)) == sorted(map(repr, [*PTP_EXPECTED, *extra]))
    assert both.find(C("97124"), C("97140"), DAY) == extra.edits[0]
    assert PTP_EXPECTED.union(PtpEdits()) is PTP_EXPECTED
    with pytest.raises(ValidationError) as info:
        PTP_EXPECTED.union(MUE_EXPECTED)  # type: ignore[arg-type]
    assert info.value.errors[0].path == "other"


def test_overlaid_limits_replace_the_tables_values() -> None:
    own = MueLimit(code=C("97035"), max_units=4, adjudication=MueAdjudication.CLAIM_LINE)
    extra = MueLimit(code=C("97110"), max_units=6, adjudication=MueAdjudication.CLAIM_LINE)
    table = MUE_EXPECTED.overlaid([own, extra])
    assert table.get(C("97035")) == own
    assert table.get(C("97110")) == extra
    assert len(table) == len(MUE_EXPECTED) + 1
    assert MUE_EXPECTED.overlaid([]) is MUE_EXPECTED


#: The header CMS spreads over four rows, under two title rows.
CMS_HEAD = (
    "CPT only copyright 2025 American Medical Association.  All rights reserved.\t\t\t\t\t\t\n"
    "Column1/Column2 Edits\t\t\t\t\t\t\n"
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"
    "\t\tprior to 1996\tDate\tDate\t0=not allowed\t\n"
    "\t\t\t\t*=no data\t1=allowed\t\n"
    "\t\t\t\t\t9=not applicable\t\n"
)


def test_load_reads_the_four_row_header_cms_ships() -> None:
    rows = "".join("\t".join(row) + "\n" for row in PTP_ROWS)
    assert PtpEdits.load(io.StringIO(CMS_HEAD + rows)) == PTP_EXPECTED


def test_a_later_row_reuses_what_was_read_and_still_names_bad_cells() -> None:
    good = "97140\t97530\t\t20200101\t*\t1\tMutually exclusive procedures\n"
    bad = "97140\t97530\t\t20200101\t*\t7\tMutually exclusive procedures\n"
    with pytest.raises(ValidationError) as info:
        PtpEdits.load(io.StringIO(CMS_HEAD + good * 3 + bad))
    assert info.value.errors[0].path == "line[10].modifier"
    assert info.value.__context__ is None


def test_a_latin1_path_is_read_once(tmp_path: Path) -> None:
    rows = "".join("\t".join(row) + "\n" for row in PTP_ROWS)
    path = tmp_path / "ptp.txt"
    # The first rows are valid UTF-8; the byte that is not comes late.
    path.write_bytes(
        (CMS_HEAD + rows * 300 + "97140\t97530\t\t20200101\t*\t1\tCaf\xe9\n").encode("latin-1")
    )
    table = PtpEdits.load(path)
    assert len(table) == 4 * 300 + 1


def test_the_sample_holds_no_97140_97124_pair() -> None:
    # No public CMS document found states this pair: it is not encoded.
    pairs = {(e.column1.value, e.column2.value) for e in PtpEdits.sample()}
    assert not pairs & {("97140", "97124"), ("97124", "97140")}


def test_a_quoted_line_goes_to_the_csv_module() -> None:
    rows = "".join("\t".join(row) + "\n" for row in PTP_ROWS)
    quoted = '"97140"\t"97530"\t\t20200101\t*\t1\t"Mutually exclusive procedures"\n'
    table = PtpEdits.load(io.StringIO(CMS_HEAD + quoted + rows))
    assert len(table) == len(PTP_EXPECTED) + 1
    first = next(iter(PTP_EXPECTED))  # the quoted row holds the same cells
    assert sorted(map(repr, table)) == sorted(map(repr, [*PTP_EXPECTED, first]))


@pytest.mark.parametrize(
    ("bad", "path", "code"),
    [
        # The quoted cell runs past the csv module's field limit: refused
        # where the module stops reading, on the line after.
        pytest.param('97140\t"97530\n', "line[12]", "invalid_csv", id="quote"),
        pytest.param(
            "97140\t97530\t\x00\t20200101\t*\t1\tx\n",
            "line[11].prior_1996",
            "invalid_choice",
            id="nul",
        ),
    ],
)
def test_lines_for_the_csv_module_are_refused_by_line(bad: str, path: str, code: str) -> None:
    rows = "".join("\t".join(row) + "\n" for row in PTP_ROWS)
    with pytest.raises(ValidationError) as info:
        PtpEdits.load(io.StringIO(CMS_HEAD + rows + bad + "x" * 200_000))
    assert (info.value.errors[0].path, info.value.errors[0].code) == (path, code)
    assert info.value.__context__ is None


def test_a_latin1_mue_path_is_read_once(tmp_path: Path) -> None:
    rows = [[f"9{i:04d}", "2", "3 Date of Service Edit: Clinical", "Clinical"] for i in range(50)]
    text = cms_text(MUE_HEADER, rows, delimiter=",") + "97999,1,1 Line Edit,Caf\xe9\n"
    path = tmp_path / "mue.csv"
    path.write_bytes(text.encode("latin-1"))
    assert len(MueLimits.load(path)) == 51
