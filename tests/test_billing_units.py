from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import CptCode, ValidationError
from soapbill.billing.units import UnitAllocation, UnitMethod, allocate_units
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CodeInfo, UnknownCodeError

TIMED = sorted(code for code, info in DEFAULT_CATALOG.items() if info.timed)
UNTIMED = sorted(code for code, info in DEFAULT_CATALOG.items() if not info.timed)


def _m(**minutes: int) -> dict[CptCode, int]:
    # Keyword names are the codes with a leading underscore: _m(_97110=23).
    return {CptCode(name.lstrip("_")): value for name, value in minutes.items()}


def _u(allocation: UnitAllocation) -> dict[str, int]:
    return {str(code): units for code, units in allocation.units.items()}


# --- published vectors --------------------------------------------------------------

# CMS's worked examples of the 8-minute rule (Pub 100-04 Ch. 5 §20.2) with one
# stated answer.
CMS_EXAMPLES = [
    pytest.param(_m(_97112=24, _97110=23), {"97112": 2, "97110": 1}, id="CMS-1"),
    pytest.param(_m(_97110=33, _97140=7), {"97110": 2, "97140": 1}, id="CMS-3"),
    pytest.param(
        _m(_97110=18, _97140=13, _97116=10, _97035=8),
        {"97110": 1, "97140": 1, "97116": 1, "97035": 0},
        id="CMS-4",
    ),
    # Other published examples (WebPT, an MPA Media Q&A, UTHealth coding compliance).
    pytest.param(
        _m(_97110=30, _97140=15, _97035=8, G0283=30),
        {"97110": 2, "97140": 1, "97035": 1, "G0283": 1},
        id="webpt-four-lines",
    ),
    pytest.param(_m(_97110=10, _97112=10), {"97110": 1, "97112": 0}, id="mpamedia-10-10"),
    pytest.param(_m(_97110=18, _97140=10), {"97110": 1, "97140": 1}, id="uthealth-18-10"),
    # Follows from the allocation: minutes dropped although small leftovers exist.
    pytest.param(_m(_97124=45, _97140=7), {"97124": 3, "97140": 0}, id="edge-45-7"),
    # The CMS rule on the rows compared with CPT's time rule, rows with one answer.
    pytest.param(_m(_97124=60), {"97124": 4}, id="single-code-60"),
]


@pytest.mark.parametrize(("minutes", "expected"), CMS_EXAMPLES)
def test_cms_published_examples(minutes: dict[CptCode, int], expected: dict[str, int]) -> None:
    assert _u(allocate_units(minutes)) == expected


# Examples whose published answer is "either way": the allowed answers, and the
# one our tie-break (more minutes, then the lower code) picks.
CMS_TIES = [
    pytest.param(
        _m(_97112=20, _97110=20),
        [{"97112": 2, "97110": 1}, {"97112": 1, "97110": 2}],
        {"97110": 2, "97112": 1},
        id="CMS-2",
    ),
    pytest.param(
        _m(_97112=7, _97110=7, _97140=7),
        [
            {"97112": 1, "97110": 0, "97140": 0},
            {"97112": 0, "97110": 1, "97140": 0},
            {"97112": 0, "97110": 0, "97140": 1},
        ],
        {"97110": 1, "97112": 0, "97140": 0},
        id="CMS-5",
    ),
    # The CMS rule on three codes of 8 minutes: two of the three codes x 1.
    pytest.param(
        _m(_97124=8, _97140=8, _97112=8),
        [
            {"97124": 1, "97140": 1, "97112": 0},
            {"97124": 1, "97140": 0, "97112": 1},
            {"97124": 0, "97140": 1, "97112": 1},
        ],
        {"97112": 1, "97124": 1, "97140": 0},
        id="three-codes-8",
    ),
    # The CMS rule on two codes of 22 minutes: 3 units (2 + 1, either way).
    pytest.param(
        _m(_97124=22, _97140=22),
        [{"97124": 2, "97140": 1}, {"97124": 1, "97140": 2}],
        {"97124": 2, "97140": 1},
        id="two-codes-22",
    ),
]


@pytest.mark.parametrize(("minutes", "allowed", "expected"), CMS_TIES)
def test_cms_ties_follow_the_documented_tie_break(
    minutes: dict[CptCode, int], allowed: list[dict[str, int]], expected: dict[str, int]
) -> None:
    result = _u(allocate_units(minutes))
    assert result == expected
    assert result in allowed
    assert "tie" in allocate_units(minutes).explanation


def test_tie_goes_to_more_minutes_before_the_lower_code() -> None:
    # Equal leftovers of 5; 97140 has more minutes in all, so it wins over the
    # lower code 97110.
    result = allocate_units(_m(_97110=20, _97140=35))
    assert _u(result) == {"97110": 1, "97140": 3}


# CPT's time rule (a unit once the midpoint is passed), code by code, on the same rows.
PER_CODE_EXAMPLES = [
    pytest.param(_m(_97112=24, _97110=23), 4, id="24-23"),
    pytest.param(_m(_97112=20, _97110=20), 2, id="20-20"),
    pytest.param(_m(_97110=33, _97140=7), 2, id="33-7"),
    pytest.param(_m(_97110=18, _97140=13, _97116=10, _97035=8), 4, id="18-13-10-8"),
    pytest.param(_m(_97112=7, _97110=7, _97140=7), 0, id="7-7-7"),
    pytest.param(_m(_97110=10, _97116=10), 2, id="10-10"),
    pytest.param(_m(_97124=8, _97140=8, _97112=8), 3, id="8-8-8"),
    pytest.param(_m(_97124=22, _97140=22), 2, id="22-22"),
    pytest.param(_m(_97124=60), 4, id="60"),
]


@pytest.mark.parametrize(("minutes", "total"), PER_CODE_EXAMPLES)
def test_per_code_published_totals(minutes: dict[CptCode, int], total: int) -> None:
    result = allocate_units(minutes, method=UnitMethod.PER_CODE)
    assert result.total_units == total


# The unit table of Pub 100-04 Ch. 5 §20.2, both ends of every row shown.
UNIT_TABLE = [(0, 0), (7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (52, 3), (53, 4)]
UNIT_TABLE += [(67, 4), (68, 5), (82, 5), (83, 6), (97, 6), (98, 7), (112, 7), (113, 8), (127, 8)]


@pytest.mark.parametrize(("minutes", "units"), UNIT_TABLE, ids=[str(m) for m, _ in UNIT_TABLE])
@pytest.mark.parametrize("method", list(UnitMethod))
def test_unit_table_for_one_code(minutes: int, units: int, method: UnitMethod) -> None:
    assert allocate_units(_m(_97124=minutes), method=method).units[CptCode("97124")] == units


# --- untimed codes ----------------------------------------------------------------------


@pytest.mark.parametrize("method", list(UnitMethod))
def test_untimed_code_is_one_unit_even_with_zero_minutes(method: UnitMethod) -> None:
    result = allocate_units(_m(_97010=0, _97124=30), method=method)
    assert _u(result) == {"97010": 1, "97124": 2}
    assert result.timed == frozenset({CptCode("97124")})
    assert result.timed_minutes == 30
    assert result.timed_units == 2
    assert result.total_units == 3


def test_untimed_minutes_do_not_count_toward_the_timed_total() -> None:
    # 7 timed minutes alone are no unit; 30 minutes of hot packs do not help.
    result = allocate_units(_m(_97010=30, _97124=7))
    assert _u(result) == {"97010": 1, "97124": 0}
    assert "Untimed" in result.explanation


# --- explanation --------------------------------------------------------------------------


def test_cms_explanation_says_where_the_minutes_went() -> None:
    text = allocate_units(_m(_97112=24, _97110=23)).explanation
    assert text.splitlines() == [
        "CMS 8-minute rule: 47 timed minutes make 3 units (8-22 minutes = 1, each further 15 = 1 more).",  # noqa: E501
        "Full 15-minute blocks: 97110 23 minutes = 1 + 8 left over; 97112 24 minutes = 1 + 9 left over.",  # noqa: E501
        "1 remaining unit goes to the largest leftover: 97112 (9 minutes).",
        "Minutes not billed: 97110 8.",
    ]


def test_cms_explanation_under_eight_minutes() -> None:
    text = allocate_units(_m(_97110=3, _97140=4, _97112=0)).explanation
    assert text.splitlines() == [
        "CMS 8-minute rule: 7 timed minutes in all: no timed unit.",
        "Minutes not billed: 97110 3, 97140 4.",
    ]
    assert allocate_units(_m(_97110=0)).explanation == (
        "CMS 8-minute rule: 0 timed minutes in all: no timed unit."
    )


def test_cms_explanation_with_several_remaining_units() -> None:
    text = allocate_units(_m(_97110=18, _97140=13, _97116=10, _97035=8)).explanation
    assert (
        "2 remaining units go to the largest leftovers: 97140 (13 minutes), 97116 (10 minutes)."
    ) in text
    assert text.endswith("Minutes not billed: 97035 8, 97110 3.")
    assert "tie" not in text


def test_cms_explanation_without_a_remaining_unit() -> None:
    text = allocate_units(_m(_97110=30)).explanation
    assert "remaining" not in text
    assert "not billed" not in text


def test_per_code_explanation() -> None:
    text = allocate_units(_m(_97110=10, _97116=7), method=UnitMethod.PER_CODE).explanation
    assert text.splitlines() == [
        (
            "Per-code rule (rule of eights): each timed code counts on its own minutes "
            "(8-22 minutes = 1, each further 15 = 1 more)."
        ),
        "97110: 10 minutes = 0 + 10 left over: 1 unit.",
        "97116: 7 minutes = 0 + 7 left over: 0 units.",
        "Minutes not billed: 97116 7.",
    ]


@pytest.mark.parametrize("method", list(UnitMethod))
def test_nothing_given(method: UnitMethod) -> None:
    result = allocate_units({}, method=method)
    assert dict(result.units) == {}
    assert result.total_units == 0
    assert result.explanation == "No procedures."


# --- the result object --------------------------------------------------------------------


def test_result_is_frozen_and_read_only() -> None:
    result = allocate_units(_m(_97110=23))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.method = UnitMethod.PER_CODE  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.units[CptCode("97110")] = 9  # type: ignore[index]
    with pytest.raises(TypeError):
        result.minutes[CptCode("97110")] = 9  # type: ignore[index]
    assert isinstance(result.units, MappingProxyType)


def test_result_does_not_share_the_callers_mapping() -> None:
    minutes = _m(_97110=23)
    result = allocate_units(minutes)
    minutes[CptCode("97110")] = 60
    assert result.minutes[CptCode("97110")] == 23


def test_results_compare_and_hash() -> None:
    a = allocate_units(_m(_97110=23, _97140=8))
    b = allocate_units(_m(_97140=8, _97110=23))
    assert a == b
    assert hash(a) == hash(b)
    assert a != allocate_units(_m(_97110=23, _97140=8), method=UnitMethod.PER_CODE)


def test_method_values_are_wire_words() -> None:
    assert [m.value for m in UnitMethod] == ["cms", "per_code"]
    assert UnitMethod("per_code") is UnitMethod.PER_CODE


def test_custom_catalog() -> None:
    code = CptCode("97799")
    catalog = DEFAULT_CATALOG.extend(CodeInfo(code=code, label="Unlisted", timed=False))
    assert allocate_units({code: 40}, catalog=catalog).units[code] == 1
    timed_catalog = Catalog.of([CodeInfo(code=code, label="Unlisted", timed=True)])
    assert allocate_units({code: 40}, catalog=timed_catalog).units[code] == 3


# --- bad input ---------------------------------------------------------------------------


def test_unknown_code_is_refused() -> None:
    with pytest.raises(UnknownCodeError):
        allocate_units({CptCode("99999"): 10})


BAD_INPUT = [
    pytest.param([(CptCode("97110"), 10)], "minutes", "invalid_type", id="not-a-mapping"),
    pytest.param({"97110": 10}, "minutes", "invalid_type", id="str-key"),
    pytest.param({CptCode("97110"): True}, "minutes[97110]", "invalid_type", id="bool"),
    pytest.param({CptCode("97110"): 10.0}, "minutes[97110]", "invalid_type", id="float"),
    pytest.param({CptCode("97110"): -12345}, "minutes[97110]", "too_small", id="negative"),
]


@pytest.mark.parametrize(("minutes", "path", "code"), BAD_INPUT)
def test_bad_minutes_are_refused(minutes: object, path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        allocate_units(minutes)  # type: ignore[arg-type]
    assert [(e.path, e.code) for e in info.value.errors] == [(path, code)]
    assert "12345" not in str(info.value)


def test_method_must_be_a_unit_method() -> None:
    with pytest.raises(ValidationError) as info:
        allocate_units(_m(_97110=10), method="cms")  # type: ignore[arg-type]
    assert info.value.errors[0].path == "method"


@pytest.mark.parametrize("catalog", [5, {}, "catalog"])
def test_catalog_must_be_a_catalog(catalog: object) -> None:
    with pytest.raises(ValidationError) as info:
        allocate_units(_m(_97110=10), catalog=catalog)  # type: ignore[arg-type]
    assert info.value.errors[0].path == "catalog"


# --- properties ---------------------------------------------------------------------------

minutes_st = st.integers(min_value=0, max_value=200)
timed_minutes = st.dictionaries(st.sampled_from(TIMED), minutes_st, max_size=len(TIMED))
any_minutes = st.dictionaries(st.sampled_from(TIMED + UNTIMED), minutes_st, max_size=8)


def _timed_total(minutes: Mapping[CptCode, int]) -> int:
    return sum(m for code, m in minutes.items() if DEFAULT_CATALOG[code].timed)


@given(any_minutes)
def test_cms_total_timed_units_follow_the_total_minutes(minutes: dict[CptCode, int]) -> None:
    result = allocate_units(minutes)
    total = _timed_total(minutes)
    assert result.timed_minutes == total
    assert result.timed_units == (total + 7) // 15
    if total < 8:
        assert result.timed_units == 0


@given(any_minutes, st.sampled_from(list(UnitMethod)))
def test_every_code_gets_a_count_and_untimed_codes_one(
    minutes: dict[CptCode, int], method: UnitMethod
) -> None:
    result = allocate_units(minutes, method=method)
    assert set(result.units) == set(minutes)
    assert list(result.units) == sorted(minutes)
    for code in minutes:
        if code not in result.timed:
            assert result.units[code] == 1


@given(timed_minutes)
def test_cms_each_code_gets_its_blocks_and_at_most_one_more(minutes: dict[CptCode, int]) -> None:
    result = allocate_units(minutes)
    for code, m in minutes.items():
        assert m // 15 <= result.units[code] <= m // 15 + 1
        if m % 15 == 0:
            assert result.units[code] == m // 15


@given(timed_minutes)
def test_cms_larger_leftover_never_gets_fewer_extra_units(minutes: dict[CptCode, int]) -> None:
    result = allocate_units(minutes)
    extra = {code: result.units[code] - m // 15 for code, m in minutes.items()}
    for a, ma in minutes.items():
        for b, mb in minutes.items():
            if ma % 15 > mb % 15:
                assert extra[a] >= extra[b]


@given(any_minutes, st.sampled_from(TIMED + UNTIMED), minutes_st, st.sampled_from(list(UnitMethod)))
def test_adding_minutes_never_lowers_the_total(
    minutes: dict[CptCode, int], code: CptCode, more: int, method: UnitMethod
) -> None:
    before = allocate_units(minutes, method=method).total_units
    bigger = {**minutes, code: minutes.get(code, 0) + more}
    assert allocate_units(bigger, method=method).total_units >= before


@given(any_minutes, st.randoms(use_true_random=False), st.sampled_from(list(UnitMethod)))
def test_result_does_not_depend_on_input_order(
    minutes: dict[CptCode, int], rnd: object, method: UnitMethod
) -> None:
    items = list(minutes.items())
    rnd.shuffle(items)  # type: ignore[attr-defined]
    assert allocate_units(dict(items), method=method) == allocate_units(minutes, method=method)


@given(any_minutes)
def test_per_code_counts_each_code_on_its_own(minutes: dict[CptCode, int]) -> None:
    result = allocate_units(minutes, method=UnitMethod.PER_CODE)
    for code in result.timed:
        assert result.units[code] == (minutes[code] + 7) // 15


@given(st.sampled_from(TIMED), minutes_st)
def test_methods_agree_on_a_single_code(code: CptCode, minutes: int) -> None:
    # With a single code the CMS rule and CPT's time rule agree.
    cms = allocate_units({code: minutes})
    per_code = allocate_units({code: minutes}, method=UnitMethod.PER_CODE)
    assert cms.units == per_code.units


@given(timed_minutes, st.sampled_from(UNTIMED), minutes_st)
def test_untimed_minutes_never_change_timed_units(
    minutes: dict[CptCode, int], untimed: CptCode, extra: int
) -> None:
    base = allocate_units(minutes)
    more = allocate_units({**minutes, untimed: extra})
    assert {c: more.units[c] for c in minutes} == dict(base.units)


@given(timed_minutes)
def test_cms_explanation_accounts_for_dropped_minutes(minutes: dict[CptCode, int]) -> None:
    result = allocate_units(minutes)
    dropped = {f"{c} {m % 15}" for c, m in minutes.items() if m % 15 and result.units[c] == m // 15}
    lines = [line for line in result.explanation.splitlines() if line.startswith("Minutes not")]
    listed = (
        set(lines[0].removeprefix("Minutes not billed: ").rstrip(".").split(", "))
        if lines
        else set()
    )
    assert listed == dropped
