"""
The generated field checks of soapbill._validators, on small models of their own.
"""

from __future__ import annotations

import builtins
import enum
import inspect
import linecache
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import (
    Coverage,
    CptCode,
    Patient,
    Payer,
    PersonName,
    PlanType,
    Sex,
    ValidationError,
)
from soapbill import strategies as sbst
from soapbill._fields import Shape, fields_of, redact, rules
from soapbill._model import model
from soapbill._validators import (
    TRUSTED,
    field_checks,
    generate,
    is_model,
    validate_money,
)


class Color(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


@model
class Inner:
    size: int = attrs.field(metadata=rules(ge=0, le=10))


@model
class Toy:
    name: str = attrs.field(metadata=rules(max_len=5))
    state: str | None = attrs.field(default=None, metadata=rules(pattern=r"[A-Z]{2}"))
    note: str = attrs.field(default="", metadata=rules(min_len=0, max_len=3))
    count: int = attrs.field(default=1, metadata=rules(ge=1, le=9))
    flag: bool = False
    amount: Decimal = Decimal("0.00")
    day: date = date(2024, 1, 15)
    color: Color = Color.RED
    code: CptCode | None = None
    tags: tuple[str, ...] = attrs.field(default=(), metadata=rules(max_len=2, unique=True))
    sizes: tuple[int, ...] = attrs.field(default=(), metadata=rules(min_len=0))
    inner: Inner | None = None
    inners: tuple[Inner, ...] = attrs.field(default=(), metadata=rules(min_len=0, max_len=3))
    secret: str | None = attrs.field(default=None, repr=redact)
    # Nested collections, which no model has yet.
    grid: tuple[tuple[int, ...], ...] = ()
    slots: tuple[Inner | None, ...] = ()


@model
class Pair:
    low: int
    high: int

    def _check_fields(self) -> None:
        if self.high < self.low:
            raise ValidationError.single("high", "before_start", "must not be below low")


@contextmanager
def trusted() -> Iterator[None]:
    token = TRUSTED.set(True)
    try:
        yield
    finally:
        TRUSTED.reset(token)


def test_valid_toy() -> None:
    toy = Toy(
        name="abcde",
        state="WA",
        note="",
        count=9,
        flag=True,
        amount=Decimal("12.34"),
        code=CptCode("97124"),
        tags=("a", "b"),
        sizes=(0, -5),
        inner=Inner(size=10),
        inners=(Inner(size=0),) * 3,
        secret="private",  # noqa: S106 - not a password
        grid=((), (1, 2)),
        slots=(None, Inner(size=1)),
    )
    assert toy.name == "abcde"
    assert "secret=<redacted>" in repr(toy)
    assert redact("anything") == "<redacted>"


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        # Exact types: bool is no int, datetime is no date, a str is no int.
        pytest.param({"count": True}, "count", "invalid_type", id="int-given-bool"),
        pytest.param({"count": "1"}, "count", "invalid_type", id="int-given-str"),
        pytest.param({"count": 1.0}, "count", "invalid_type", id="int-given-float"),
        pytest.param({"flag": 1}, "flag", "invalid_type", id="bool-given-int"),
        pytest.param({"name": 1}, "name", "invalid_type", id="str-given-int"),
        pytest.param({"name": b"abc"}, "name", "invalid_type", id="str-given-bytes"),
        pytest.param(
            {"day": datetime(2024, 1, 15)},  # noqa: DTZ001 - a naive datetime on purpose
            "day",
            "invalid_type",
            id="date-given-datetime",
        ),
        pytest.param({"day": "2024-01-15"}, "day", "invalid_type", id="date-given-str"),
        pytest.param({"color": "red"}, "color", "invalid_type", id="enum-given-value"),
        pytest.param({"code": "97124"}, "code", "invalid_type", id="code-given-str"),
        pytest.param({"inner": {"size": 1}}, "inner", "invalid_type", id="model-given-dict"),
        pytest.param({"tags": ["a"]}, "tags", "invalid_type", id="tuple-given-list"),
        pytest.param({"tags": ("a", 1)}, "tags[1]", "invalid_type", id="tuple-item-type"),
        pytest.param({"inners": (Inner(size=1), 2)}, "inners[1]", "invalid_type", id="model-item"),
        # Money: a Decimal, never a float or a str.
        pytest.param({"amount": 1.5}, "amount", "invalid_type", id="money-given-float"),
        pytest.param({"amount": "1.50"}, "amount", "invalid_type", id="money-given-str"),
        pytest.param({"amount": 1}, "amount", "invalid_type", id="money-given-int"),
        # Strings: not empty unless allowed, lengths, patterns.
        pytest.param({"name": ""}, "name", "too_short", id="empty-str"),
        pytest.param({"name": "abcdef"}, "name", "too_long", id="long-str"),
        pytest.param({"note": "abcd"}, "note", "too_long", id="long-note"),
        pytest.param({"state": "wa"}, "state", "invalid_format", id="pattern-case"),
        pytest.param({"state": "WAS"}, "state", "invalid_format", id="pattern-full-match"),
        pytest.param({"state": ""}, "state", "too_short", id="optional-str-empty"),
        # A lone surrogate is no text: no writer could encode it.
        pytest.param({"name": "a" + chr(0xD800)}, "name", "lone_surrogate", id="surrogate"),
        pytest.param({"note": chr(0xDFFF)}, "note", "lone_surrogate", id="surrogate-low"),
        pytest.param(
            {"name": "\N{SNOWMAN}" + chr(0xDC00)}, "name", "lone_surrogate", id="surrogate-wide"
        ),
        pytest.param({"state": chr(0xD800) * 2}, "state", "lone_surrogate", id="surrogate-opt"),
        pytest.param(
            {"tags": ("a", chr(0xDBFF))}, "tags[1]", "lone_surrogate", id="surrogate-item"
        ),
        pytest.param({"secret": chr(0xD800)}, "secret", "lone_surrogate", id="surrogate-phi"),
        # Integers: ranges.
        pytest.param({"count": 0}, "count", "too_small", id="int-below"),
        pytest.param({"count": 10}, "count", "too_large", id="int-above"),
        # Tuples: lengths, uniqueness, and their items' domains.
        pytest.param({"tags": ("a", "b", "c")}, "tags", "too_long", id="tuple-long"),
        pytest.param({"tags": ("a", "a")}, "tags", "duplicate", id="tuple-duplicate"),
        pytest.param({"tags": ("a", "")}, "tags[1]", "too_short", id="tuple-item-empty"),
        pytest.param({"inners": (Inner(size=1),) * 4}, "inners", "too_long", id="models-long"),
        # Nested collections report nested paths.
        pytest.param({"grid": ((1,), (2, "3"))}, "grid[1][1]", "invalid_type", id="nested-type"),
        pytest.param({"grid": ((1,), [2])}, "grid[1]", "invalid_type", id="nested-list"),
        pytest.param({"slots": (None, 1)}, "slots[1]", "invalid_type", id="optional-item"),
    ],
)
def test_field_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        Toy(**{"name": "toy", **changes})
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        pytest.param(Decimal("NaN"), "money_not_finite", id="nan"),
        pytest.param(Decimal("sNaN"), "money_not_finite", id="snan"),
        pytest.param(Decimal("Infinity"), "money_not_finite", id="infinity"),
        pytest.param(Decimal("-0.01"), "money_negative", id="negative"),
        pytest.param(Decimal("-0"), "money_negative", id="negative-zero"),
        pytest.param(Decimal("1.001"), "money_places", id="three-places"),
        pytest.param(Decimal("1E-5"), "money_places", id="tiny"),
        pytest.param(Decimal(10000000000), "money_too_large", id="ten-billion"),
        pytest.param(Decimal("1E+100"), "money_too_large", id="huge"),
    ],
)
def test_money_errors(amount: Decimal, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        Toy(name="toy", amount=amount)
    assert [(d.path, d.code) for d in info.value.errors] == [("amount", code)]
    with pytest.raises(ValidationError) as direct:
        validate_money(amount, "charge")
    assert [(d.path, d.code) for d in direct.value.errors] == [("charge", code)]


@pytest.mark.parametrize(
    "amount",
    ["0", "0.00", "0.1", "9999999999.99", "1E+2", "125.00"],
)
def test_money_accepted(amount: str) -> None:
    value = Decimal(amount)
    assert validate_money(value) is value
    assert Toy(name="toy", amount=value).amount is value


@pytest.mark.parametrize("value", [1.5, "1.50", 1, None, True], ids=repr)
def test_validate_money_refuses_other_types(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        validate_money(value)
    assert [(d.path, d.code) for d in info.value.errors] == [("", "invalid_type")]


@given(amount=sbst.money())
def test_validate_money_accepts_generated_money(amount: Decimal) -> None:
    assert validate_money(amount) == amount


AMOUNTS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-1, max_value=10**11, places=2),
    st.decimals(min_value=0, max_value=10**11, places=3),
    st.sampled_from([Decimal("-0.00"), Decimal("1.500"), Decimal("1E+2"), Decimal("sNaN")]),
)


def _money_codes(check: Callable[[], object]) -> list[str]:
    try:
        check()
    except ValidationError as error:
        return [d.code for d in error.errors]
    return []


@given(amount=AMOUNTS)
def test_the_generated_money_check_is_validate_money(amount: Decimal) -> None:
    # The generated check passes the usual two-place amounts at once and hands
    # every other to the full check: both must agree on every amount.
    expected = _money_codes(lambda: validate_money(amount))
    assert _money_codes(lambda: Toy(name="toy", amount=amount)) == expected


def test_an_item_path_is_its_own_index() -> None:
    # 1 == True: the index of a failing item is found by identity, not equality.
    with pytest.raises(ValidationError) as info:
        Toy(name="toy", sizes=(1, True))
    assert [d.path for d in info.value.errors] == ["sizes[1]"]


def test_the_first_invalid_field_is_reported() -> None:
    # Fields are checked in definition order; construction stops at the first.
    with pytest.raises(ValidationError) as info:
        Toy(name="", count=0)
    assert [d.path for d in info.value.errors] == ["name"]


def test_cross_field_check_runs_after_field_checks() -> None:
    assert Pair(low=1, high=1).high == 1
    with pytest.raises(ValidationError) as info:
        Pair(low=2, high=1)
    assert [(d.path, d.code) for d in info.value.errors] == [("high", "before_start")]
    with pytest.raises(ValidationError) as types:
        Pair(low="2", high=1)  # type: ignore[arg-type]
    assert [d.code for d in types.value.errors] == ["invalid_type"]


def test_evolve_runs_the_checks_again() -> None:
    toy = Toy(name="toy")
    with pytest.raises(ValidationError) as info:
        attrs.evolve(toy, count=0)
    assert [d.path for d in info.value.errors] == ["count"]


# --- generating the checks once ----------------------------------------------------


@contextmanager
def counted_compiles() -> Iterator[list[int]]:
    calls = [0]
    real_compile = builtins.compile

    def counting_compile(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real_compile(*args, **kwargs)

    builtins.compile = counting_compile
    try:
        yield calls
    finally:
        builtins.compile = real_compile


def _fresh_class(least: int = 0) -> type[Any]:
    @model
    class Fresh:
        size: int = attrs.field(metadata=rules(ge=least))

    return Fresh


def test_the_check_is_one_function_from_the_start() -> None:
    # msgspec keeps the __attrs_post_init__ it first saw, before any object.
    fresh = _fresh_class()
    check = fresh.__attrs_post_init__
    fresh(size=1)
    assert fresh.__attrs_post_init__ is check
    with counted_compiles() as calls:
        for size in range(3):
            check(fresh(size=size))
    assert calls == [0]
    # It runs the real checks, called on an object it did not build too.
    bad = object.__new__(fresh)
    object.__setattr__(bad, "size", -1)
    with pytest.raises(ValidationError):
        check(bad)


def test_a_check_generated_ahead_compiles_nothing_later() -> None:
    fresh = _fresh_class()
    check = fresh.__attrs_post_init__
    generate(fresh)
    with counted_compiles() as calls:
        generate(fresh)
        fresh(size=1)
    assert calls == [0]
    assert fresh.__attrs_post_init__ is check


def test_tracebacks_show_the_generated_source() -> None:
    fresh = _fresh_class()
    with pytest.raises(ValidationError) as info:
        fresh(size=-1)
    frames = traceback.extract_tb(info.value.__traceback__)
    # The last: the first construction also shows the frame that generated it.
    check = [f for f in frames if f.name == "__attrs_post_init__"][-1]
    assert check.filename.startswith("<soapbill check ")
    assert check.filename.endswith(".Fresh>")
    assert check.line == "_raise('size', 'too_small', 'must be at least 0')"
    assert "def __attrs_post_init__(self):" in inspect.getsource(fresh.__attrs_post_init__)


def test_classes_of_the_same_name_keep_their_own_source() -> None:
    first, second = _fresh_class(least=1), _fresh_class(least=2)
    first(size=2)
    second(size=2)
    files = [c.__attrs_post_init__.__code__.co_filename for c in (first, second)]
    assert files[0] != files[1]
    assert [linecache.getline(f, 7).strip() for f in files] == [
        "if v_size < 1:",
        "if v_size < 2:",
    ]


def test_a_model_puts_cross_field_rules_in_check_fields() -> None:
    class Own:
        size: int

        def __attrs_post_init__(self) -> None:
            return None

    with pytest.raises(TypeError):
        model(Own)


def test_a_field_type_the_checks_cannot_check() -> None:
    @model
    class Measured:
        weight: float

    with pytest.raises(TypeError):
        Measured(weight=1.0)


def test_a_model_may_print_itself() -> None:
    from hypothesis.vendor.pretty import pretty  # noqa: PLC0415 - only this test

    @model
    class Shown:
        size: int

        def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # noqa: ARG002
            printer.text("shown")

    @model
    class Plain:
        size: int

    assert pretty(Shown(size=1)) == "shown"
    assert pretty(Plain(size=1)) == repr(Plain(size=1))


def test_only_models_have_field_checks() -> None:
    assert is_model(Toy)
    assert not is_model(Color)
    with pytest.raises(KeyError):
        field_checks(Color)


def test_the_checks_follow_the_description_of_the_fields() -> None:
    fields = {f.name: f for f in fields_of(Toy)}
    assert [f.name for f in fields_of(Toy)] == [a.name for a in attrs.fields(Toy)]
    assert fields["state"].kind.inner.shape is Shape.STR
    assert fields["grid"].kind.leaf.shape is Shape.INT
    assert fields["slots"].kind.inner.inner.type is Inner
    assert fields["secret"].redacted
    assert not fields["name"].redacted


# --- the trusted decoder mode ------------------------------------------------------


def test_trusted_mode_skips_type_checks_only() -> None:
    with trusted():
        # A wrong type passes: the trusted decoder has checked types already.
        assert Toy(name="toy", flag=1).flag == 1  # type: ignore[arg-type]
        assert Toy(name="toy", day=datetime(2024, 1, 15)).day.year == 2024  # noqa: DTZ001
        # Domain checks still run.
        with pytest.raises(ValidationError) as info:
            Toy(name="toy", count=0)
        assert info.value.errors[0].code == "too_small"
        with pytest.raises(ValidationError):
            Toy(name="toy", tags=("a", "a"))
        with pytest.raises(ValidationError):
            Toy(name="toy", inners=(Inner(size=1),) * 4)
        with pytest.raises(ValidationError) as money:
            Toy(name="toy", amount=Decimal("1E+10"))
        assert money.value.errors[0].code == "money_too_large"
        with pytest.raises(ValidationError):
            Pair(low=2, high=1)
    # The mode ends with its context.
    with pytest.raises(ValidationError):
        Toy(name="toy", flag=1)  # type: ignore[arg-type]


def test_trusted_mode_leaves_surrogates_to_the_decoder() -> None:
    # msgspec refuses them in JSON text, and the decoder's pre-check in Python
    # data (see the module docstring and tests/test_hostile_json.py).
    with trusted():
        assert Toy(name=chr(0xD800)).name == chr(0xD800)
    with pytest.raises(ValidationError):
        Toy(name=chr(0xD800))


def test_text_beyond_ascii_is_accepted() -> None:
    for text in ("caf\N{LATIN SMALL LETTER E WITH ACUTE}", "\N{SNOWMAN}", "\U0001f600"):
        assert Toy(name=text).name == text
    assert field_checks(Toy)[0]("\U00010000") is None


def test_trusted_mode_leaves_money_shape_to_the_decoder() -> None:
    # The decoder accepts only digits with at most two places, so these
    # checks are not repeated (see the module docstring).
    with trusted():
        assert Toy(name="toy", amount=Decimal("1.234")).amount == Decimal("1.234")


# --- per-field checks for decoders ---------------------------------------------------


def test_field_checks_follow_the_fields() -> None:
    checks = field_checks(Toy)
    assert [c.name for c in checks] == [a.name for a in attrs.fields(Toy)]


@pytest.mark.parametrize(
    ("name", "value", "path", "code"),
    [
        pytest.param("name", "abcdef", "", "too_long", id="str"),
        pytest.param("count", True, "", "invalid_type", id="type"),
        pytest.param("tags", ("a", 1), "[1]", "invalid_type", id="tuple-item"),
        pytest.param("tags", ("a", ""), "[1]", "too_short", id="tuple-item-domain"),
        pytest.param("amount", Decimal("1.001"), "", "money_places", id="money"),
        pytest.param("state", "wa", "", "invalid_format", id="optional-pattern"),
    ],
)
def test_field_check_paths_are_relative(name: str, value: object, path: str, code: str) -> None:
    check = {c.name: c for c in field_checks(Toy)}[name]
    with pytest.raises(ValidationError) as info:
        check(value)
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]


def test_field_checks_ignore_the_trusted_mode() -> None:
    check = {c.name: c for c in field_checks(Toy)}["count"]
    with trusted(), pytest.raises(ValidationError):
        check(value=True)


@pytest.mark.parametrize(
    ("name", "value"),
    [("name", "abc"), ("state", None), ("tags", ()), ("inner", None), ("amount", Decimal(1))],
    ids=["name", "state", "tags", "inner", "amount"],
)
def test_field_checks_accept_valid_values(name: str, value: object) -> None:
    check = {c.name: c for c in field_checks(Toy)}[name]
    check(value)


def test_error_messages_carry_no_values() -> None:
    sentinel = "ZZSENTINELZZ"
    changes: list[dict[str, Any]] = [
        {"name": sentinel},
        {"state": sentinel},
        {"tags": (sentinel, sentinel)},
    ]
    for change in changes:
        with pytest.raises(ValidationError) as info:
            Toy(**{"name": "toy", **change})
        assert sentinel not in str(info.value)
        assert sentinel not in repr(info.value.args)
        assert sentinel not in repr(info.value.errors)


def test_pretty_printers_use_the_redacting_repr() -> None:
    from hypothesis.vendor.pretty import pretty  # noqa: PLC0415 - only this test

    patient = Patient(
        id="p1",
        name=PersonName(family="ZZSENTINELZZ", given="Jo"),
        birth_date=date(1980, 1, 1),
        sex=Sex.FEMALE,
    )
    coverage = Coverage(
        payer=Payer(id="P1", name="Payer"),
        member_id="ZZSENTINELZZ",
        plan_type=PlanType.COMMERCIAL,
    )
    for obj in (patient, coverage, patient.name):
        assert pretty(obj) == repr(obj)
        assert "ZZSENTINELZZ" not in pretty(obj)


# --- signed money, quantities and the rules of items ---------------------------------


@model
class Ledger:
    balance: Decimal = attrs.field(default=Decimal("0.00"), metadata=rules(signed=True))
    units: Decimal = attrs.field(default=Decimal(1), metadata=rules(quantity=True))
    codes: tuple[str, ...] = attrs.field(default=(), metadata=rules(items=rules(max_len=2)))
    lines: tuple[int, ...] = attrs.field(default=(), metadata=rules(items=rules(ge=0)))
    entry: Inner | None = None
    owner: Ledger | None = None


def test_signed_money_quantities_and_items_accept_valid_values() -> None:
    ledger = Ledger(
        balance=Decimal("-9999999999.99"), units=Decimal("-0.125"), codes=("GP", "5"), lines=(0, 3)
    )
    assert ledger.balance == Decimal("-9999999999.99")
    assert Ledger(balance=Decimal("-0.00"), units=Decimal("1E+3")).units == 1000


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        pytest.param({"balance": -1.5}, "balance", "invalid_type", id="signed-given-float"),
        pytest.param({"balance": Decimal("NaN")}, "balance", "money_not_finite", id="signed-nan"),
        pytest.param(
            {"balance": Decimal("-Infinity")}, "balance", "money_not_finite", id="signed-infinity"
        ),
        pytest.param({"balance": Decimal("-1.005")}, "balance", "money_places", id="signed-places"),
        pytest.param(
            {"balance": Decimal(-10000000000)}, "balance", "money_too_large", id="signed-large"
        ),
        pytest.param({"units": 1}, "units", "invalid_type", id="quantity-given-int"),
        pytest.param({"units": Decimal("sNaN")}, "units", "not_finite", id="quantity-snan"),
        pytest.param({"units": Decimal("Infinity")}, "units", "not_finite", id="quantity-inf"),
        pytest.param({"codes": ("GPX",)}, "codes[0]", "too_long", id="item-too-long"),
        pytest.param({"codes": ("",)}, "codes[0]", "too_short", id="item-empty"),
        pytest.param({"lines": (0, -1)}, "lines[1]", "too_small", id="item-too-small"),
        pytest.param({"lines": (True,)}, "lines[0]", "invalid_type", id="item-given-bool"),
    ],
)
def test_signed_money_quantities_and_items_are_checked(
    changes: dict[str, Any], path: str, code: str
) -> None:
    with pytest.raises(ValidationError) as info:
        Ledger(**changes)
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]


def test_signed_money_keeps_its_limit_in_trusted_mode() -> None:
    with trusted(), pytest.raises(ValidationError) as info:
        Ledger(balance=Decimal("-10000000000.00"))
    assert info.value.errors[0].code == "money_too_large"


def test_a_wrong_type_is_named_with_its_article() -> None:
    with pytest.raises(ValidationError) as info:
        Ledger(entry="x")  # type: ignore[arg-type]
    assert info.value.errors[0].message == "expected an Inner"
    with pytest.raises(ValidationError) as info:
        Ledger(owner="x")  # type: ignore[arg-type]
    assert info.value.errors[0].message == "expected a Ledger"
    with pytest.raises(ValidationError) as info:
        Ledger(units=1.5)  # type: ignore[arg-type]
    assert info.value.errors[0].message == "expected a Decimal"
