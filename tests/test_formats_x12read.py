"""
The X12 reader shared by the remittance and eligibility readers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import ValidationError
from soapbill.formats import _x12read as xr

SENTINEL = "ZQXJSENTINEL"


def isa(e: str = "*", c: str = ":", r: str = "^", t: str = "~", control: str = "000000001") -> str:
    return (
        f"ISA{e}00{e}{' ' * 10}{e}00{e}{' ' * 10}{e}ZZ{e}{'SENDER'.ljust(15)}{e}ZZ"
        f"{e}{'RECEIVER'.ljust(15)}{e}240115{e}1200{e}{r}{e}00501{e}{control}{e}0{e}T{e}{c}{t}"
    )


def interchange(
    body: list[str],
    *,
    e: str = "*",
    c: str = ":",
    t: str = "~",
    code: str = "835",
    se_count: int | None = None,
    se_control: str = "0001",
    ge_count: int = 1,
    ge_control: str = "7",
    iea_count: int = 1,
    iea_control: str = "000000001",
    newline: str = "",
) -> str:
    segments = [f"ST{e}{code}{e}0001", *body]
    count = len(segments) + 1 if se_count is None else se_count
    segments.append(f"SE{e}{count}{e}{se_control}")
    text = isa(e=e, c=c, t=t) + newline
    text += f"GS{e}HP{e}SENDER{e}RECEIVER{e}20240115{e}1200{e}7{e}X{e}005010X221A1{t}{newline}"
    text += "".join(f"{s}{t}{newline}" for s in segments)
    text += (
        f"GE{e}{ge_count}{e}{ge_control}{t}{newline}IEA{e}{iea_count}{e}{iea_control}{t}{newline}"
    )
    return text


BODY = ["BPR*I*100*C*CHK************20240120", "CLP*A1*1*150*100**12*X1", "SVC*HC:97124:GP*150*100"]


def error_of(text: str | bytes) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        xr.read_interchanges(text)
    return info.value


def codes(error: ValidationError) -> list[tuple[str, str]]:
    return [(d.path, d.code) for d in error.errors]


# --- reading ---------------------------------------------------------------------------


def test_reads_an_interchange_with_its_envelopes() -> None:
    (found,) = xr.read_interchanges(interchange(BODY))
    assert found.separators == xr.Separators(
        element="*", component=":", repetition="^", segment="~"
    )
    assert (found.sender, found.receiver, found.control_number, found.usage) == (
        "SENDER",
        "RECEIVER",
        "000000001",
        "T",
    )
    (group,) = found.groups
    assert (group.functional_id, group.control_number, group.version) == ("HP", "7", "005010X221A1")
    assert group.created == date(2024, 1, 15)
    (transaction,) = group.transactions
    assert (transaction.code, transaction.control_number, transaction.convention) == (
        "835",
        "0001",
        "",
    )
    assert [s.id for s in transaction.segments] == ["ST", "BPR", "CLP", "SVC", "SE"]


def test_segments_know_their_index_and_position() -> None:
    (found,) = xr.read_interchanges(interchange(BODY))
    segments = found.groups[0].transactions[0].segments
    # ISA is segment 0 and GS segment 1; ST is the first of its transaction set.
    assert [s.index for s in segments] == [2, 3, 4, 5, 6]
    assert [s.position for s in segments] == [1, 2, 3, 4, 5]
    assert segments[2].path() == "segments[4]"
    assert segments[2].path(4) == "segments[4].CLP04"


@pytest.mark.parametrize(
    ("e", "c", "r", "t"),
    [
        pytest.param("*", ":", "^", "~", id="conventional"),
        pytest.param("|", ">", "^", "~", id="stedi"),
        pytest.param("!", "@", "{", "'", id="unusual"),
        pytest.param("*", ":", "^", "\n", id="newline-terminator"),
    ],
)
def test_learns_the_separators_from_isa(e: str, c: str, r: str, t: str) -> None:
    body = [s.replace("*", e).replace(":", c) for s in BODY]
    text = interchange(body, e=e, c=c, t=t).replace("^", r, 1)
    (found,) = xr.read_interchanges(text)
    assert found.separators == xr.Separators(element=e, component=c, repetition=r, segment=t)
    svc = found.groups[0].transactions[0].segments[3]
    assert xr.components(svc, 1) == ["HC", "97124", "GP"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_tolerates_line_breaks_after_terminators(newline: str) -> None:
    plain = xr.read_interchanges(interchange(BODY))
    broken = xr.read_interchanges(interchange(BODY, newline=newline))
    seg = [s.elements for s in plain[0].groups[0].transactions[0].segments]
    assert [s.elements for s in broken[0].groups[0].transactions[0].segments] == seg


def test_reads_bytes_a_bom_and_leading_space() -> None:
    text = "\ufeff\n  " + interchange(BODY)
    assert xr.read_interchanges(text.encode())[0].control_number == "000000001"


def test_no_repetition_separator_before_00402() -> None:
    text = interchange(BODY).replace("*^*00501*", "*U*00401*", 1)
    assert xr.read_interchanges(text)[0].separators.repetition is None


def test_reads_several_interchanges() -> None:
    found = xr.read_interchanges(interchange(BODY) + "\n" + interchange(BODY))
    assert len(found) == 2


def test_a_ta1_may_follow_isa() -> None:
    text = interchange(BODY).replace("~GS*", "~TA1*000000009*240101*1200*A*000~GS*", 1)
    assert len(xr.read_interchanges(text)[0].groups) == 1


def test_repr_hides_the_content() -> None:
    (found,) = xr.read_interchanges(interchange([f"CLP*{SENTINEL}*1*1*1**12*X"]))
    segment = found.groups[0].transactions[0].segments[1]
    assert SENTINEL not in repr(segment)
    assert repr(segment) == "<Segment CLP at 3>"


# --- envelope errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(interchange(BODY, se_count=4), ("segments[6].SE01", "x12_count"), id="se01"),
        pytest.param(
            interchange(BODY, se_control="0002"),
            ("segments[6].SE02", "x12_control_number"),
            id="se02",
        ),
        pytest.param(interchange(BODY, ge_count=2), ("segments[7].GE01", "x12_count"), id="ge01"),
        pytest.param(
            interchange(BODY, ge_control="8"),
            ("segments[7].GE02", "x12_control_number"),
            id="ge02",
        ),
        pytest.param(
            interchange(BODY, iea_count=0), ("segments[8].IEA01", "x12_count"), id="iea01"
        ),
        pytest.param(
            interchange(BODY, iea_control="000000002"),
            ("segments[8].IEA02", "x12_control_number"),
            id="iea02",
        ),
        pytest.param(
            interchange(BODY).rsplit("IEA", 1)[0],
            ("segments[8]", "x12_truncated"),
            id="no-iea",
        ),
        pytest.param(
            interchange(BODY)[:-5], ("segments[8]", "x12_truncated"), id="cut-in-a-segment"
        ),
        pytest.param(
            interchange(BODY).replace("~SE*", "~GE*1*7~SE*"),
            ("segments[6]", "x12_envelope"),
            id="ge-inside-st",
        ),
        pytest.param(
            interchange(BODY).replace("~GE*", "~CLP*X~GE*"),
            ("segments[7]", "x12_envelope"),
            id="outside-st",
        ),
        pytest.param(interchange(["clp*1"]), ("segments[3]", "x12_segment_id"), id="lower-case-id"),
        pytest.param(interchange(["CLP*1", ""]), ("segments[4]", "x12_segment_id"), id="empty"),
        pytest.param("GS*HP~", ("segments[0]", "x12_not_isa"), id="not-isa"),
        pytest.param(
            interchange(BODY).replace("000000001", "00000001X", 1),
            ("segments[0].ISA13", "x12_control_number"),
            id="isa13",
        ),
        pytest.param(
            interchange(BODY).replace("20240115", "20240230", 1),
            ("segments[1].GS04", "x12_date"),
            id="gs04",
        ),
        pytest.param(isa()[:50], ("segments[0]", "x12_truncated"), id="short-isa"),
        pytest.param(
            isa().replace(":~", "A~"), ("segments[0]", "x12_separators"), id="letter-separator"
        ),
        pytest.param(
            isa().replace(":~", "**"), ("segments[0]", "x12_separators"), id="same-separators"
        ),
        pytest.param(
            interchange(BODY).replace("*T*:~", "*T*X*:~", 1),
            ("segments[0]", "x12_separators"),
            id="seventeen-elements",
        ),
        pytest.param(
            interchange(BODY).replace("ST*835*0001~", "ST*835*0001~ST*835*0002~"),
            ("segments[3]", "x12_envelope"),
            id="st-inside-st",
        ),
        pytest.param(
            interchange(BODY).replace("~SE*5*0001", "~SE*5*0001~SE*5*0001"),
            ("segments[7]", "x12_envelope"),
            id="se-without-st",
        ),
        pytest.param(
            interchange(BODY).replace("~GE*1*7~", "~GE*1*7~GE*0*7~"),
            ("segments[8]", "x12_envelope"),
            id="ge-without-gs",
        ),
        pytest.param(
            interchange(BODY).replace("~IEA*", "~GS*HP*A*B*20240115*1200*7*X*1~IEA*"),
            ("segments[9]", "x12_envelope"),
            id="iea-inside-gs",
        ),
        pytest.param(
            interchange(BODY).replace("~GS*", "~ISA*1~GS*", 1),
            ("segments[1]", "x12_envelope"),
            id="isa-inside-isa",
        ),
        pytest.param(
            interchange(BODY).replace("~GS*", "~GS*HP*A~GS*", 1),
            ("segments[1]", "x12_gs"),
            id="short-gs",
        ),
        pytest.param(
            interchange(BODY).replace("~GS*HP*", "~GE*1*7~GS*HP*", 1),
            ("segments[1]", "x12_envelope"),
            id="ge-before-gs",
        ),
        pytest.param(
            interchange(BODY).replace("~GS*", "~ST*835*0001~GS*", 1),
            ("segments[1]", "x12_envelope"),
            id="st-outside-gs",
        ),
        pytest.param(
            interchange(BODY).replace("~ST*", "~TA1*1~ST*", 1),
            ("segments[2]", "x12_envelope"),
            id="ta1-inside-gs",
        ),
    ],
)
def test_envelope_errors_name_the_segment(text: str, expected: tuple[str, str]) -> None:
    assert codes(error_of(text)) == [expected]


def test_an_isa_of_wrong_length_is_refused() -> None:
    # The separators are read, but a segment terminator inside ISA02 cuts
    # the segment short: it is not an ISA.
    bad = interchange(BODY).replace("*00*" + " " * 10, "*00*" + " " * 4 + "~" + " " * 5, 1)
    assert codes(error_of(bad)) == [("segments[0]", "x12_isa")]


def test_refuses_what_is_not_text() -> None:
    assert codes(error_of(b"\xff\xfe")) == [("", "x12_encoding")]
    assert codes(error_of(42)) == [("", "invalid_type")]  # type: ignore[arg-type]


def test_transactions_refuses_another_kind() -> None:
    with pytest.raises(ValidationError) as info:
        list(xr.transactions(interchange(BODY, code="999"), "835", "an 835"))
    assert codes(info.value) == [("segments[2].ST01", "x12_transaction")]
    assert str(info.value) == "segments[2].ST01: expected an 835 transaction set [x12_transaction]"


def test_transactions_needs_one() -> None:
    empty = interchange(BODY).replace("~ST*835*0001~BPR*I*100*C*CHK************20240120~", "~")
    empty = empty.replace("CLP*A1*1*150*100**12*X1~SVC*HC:97124:GP*150*100~SE*5*0001~", "")
    empty = empty.replace("GE*1*7", "GE*0*7")
    with pytest.raises(ValidationError) as info:
        list(xr.transactions(empty, "835", "an 835"))
    assert codes(info.value) == [("segments", "x12_transaction")]


# --- elements ----------------------------------------------------------------------------


def segment(text: str) -> xr.Segment:
    (found,) = xr.read_interchanges(interchange([text]))
    return found.groups[0].transactions[0].segments[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100", Decimal("100.00")),
        ("100.5", Decimal("100.50")),
        ("-12.25", Decimal("-12.25")),
        ("0", Decimal("0.00")),
        ("-0", Decimal("0.00")),
        (".5", Decimal("0.50")),
        ("7.", Decimal("7.00")),
    ],
)
def test_amounts(text: str, expected: Decimal) -> None:
    found = xr.amount(segment(f"AMT*B6*{text}"), 2)
    assert found == expected
    assert str(found) == str(expected)


@pytest.mark.parametrize("text", ["1e5", "NaN", "1,000", " 1", "1.005", "10000000000", "-", "$1"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        xr.amount(segment(f"AMT*B6*{text}"), 2)
    assert codes(info.value) == [("segments[3].AMT02", "x12_amount")]


def test_missing_elements() -> None:
    seg = segment("AMT*B6")
    assert xr.element(seg, 2) == ""
    assert xr.optional_amount(seg, 2) is None
    assert xr.number(seg, 2) is None
    assert xr.components(seg, 2) == []
    for read in (xr.amount, xr.required, xr.integer, xr.date8):
        with pytest.raises(ValidationError) as info:
            read(seg, 2)
        assert codes(info.value) == [("segments[3].AMT02", "x12_required")]


def test_numbers_integers_and_dates() -> None:
    seg = segment("DTM*472*20240229*1.5*x*20240230*2024011")
    assert xr.date8(seg, 2) == date(2024, 2, 29)
    assert xr.number(seg, 3) == Decimal("1.5")
    assert xr.integer(segment("LX*12"), 1) == 12
    reads: list[tuple[Callable[[xr.Segment, int], object], int, str]] = [
        (xr.number, 4, "x12_number"),
        (xr.integer, 4, "x12_integer"),
        (xr.date8, 5, "x12_date"),
        (xr.date8, 6, "x12_date"),
    ]
    for read, n, code in reads:
        with pytest.raises(ValidationError) as info:
            read(seg, n)
        assert info.value.errors[0].code == code


# --- bad input only ever raises ValidationError, and never repeats it ----------------


def _assert_clean(error: ValidationError) -> None:
    for shown in (str(error), repr(error), repr(error.args), repr(error.errors)):
        assert SENTINEL not in shown
    assert error.__cause__ is None
    assert error.__suppress_context__ or error.__context__ is None


@given(st.binary(max_size=300))
def test_random_bytes_raise_only_validation_errors(data: bytes) -> None:
    try:
        xr.read_interchanges(data)
    except ValidationError as error:
        _assert_clean(error)


@given(st.integers(0, 400), st.sampled_from(["", "\n"]))
def test_truncated_text_raises_only_validation_errors(cut: int, newline: str) -> None:
    text = interchange([*BODY, f"NM1*QC*1*{SENTINEL}"], newline=newline)
    try:
        xr.read_interchanges(text[:cut])
    except ValidationError as error:
        _assert_clean(error)


@given(st.text(st.sampled_from(f"*:~^\nAB1{SENTINEL}"), max_size=60), st.integers(0, 500))
def test_mangled_text_raises_only_validation_errors(junk: str, at: int) -> None:
    text = interchange([*BODY, f"NM1*QC*1*{SENTINEL}"])
    at = min(at, len(text))
    try:
        found = xr.read_interchanges(text[:at] + junk + text[at:])
    except ValidationError as error:
        _assert_clean(error)
    else:
        assert found
