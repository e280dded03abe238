from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import builders
from soapbill import (
    Claim,
    CptCode,
    SoapbillError,
    ValidationError,
)
from soapbill.billing.fees import (
    Estimate,
    Fee,
    FeeNotFoundError,
    FeeSchedule,
    Package,
    PackageBalance,
    PackageError,
    SessionPrice,
    _round_cents,
    estimate,
)
from soapbill.formats.json import from_json, to_json

C = CptCode
D = Decimal
JAN1 = date(2026, 1, 1)

money = st.decimals(min_value=0, max_value=5_000, places=2, allow_nan=False, allow_infinity=False)


# --- fee schedule ----------------------------------------------------------------------


def test_fee_dates_are_inclusive() -> None:
    fee = Fee(
        code=C("97124"), amount=D("30.00"), effective_from=JAN1, effective_to=date(2026, 6, 30)
    )
    assert not fee.applies_on(date(2025, 12, 31))
    assert fee.applies_on(JAN1)
    assert fee.applies_on(date(2026, 6, 30))
    assert not fee.applies_on(date(2026, 7, 1))
    assert Fee(code=C("97124"), amount=D("30.00"), effective_from=JAN1).applies_on(date.max)


def test_fee_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValidationError) as info:
        Fee(code=C("97124"), amount=D("30.00"), effective_from=JAN1, effective_to=date(2025, 1, 1))
    assert info.value.errors[0].path == "effective_to"


@pytest.mark.parametrize("amount", [30.0, D("30.005"), D("-1.00"), D("NaN")])
def test_fee_amount_is_money(amount: object) -> None:
    with pytest.raises(ValidationError) as info:
        Fee(code=C("97124"), amount=amount, effective_from=JAN1)  # type: ignore[arg-type]
    assert info.value.errors[0].path == "amount"


SCHEDULE = FeeSchedule(
    fees=(
        Fee(
            code=C("97124"),
            amount=D("28.00"),
            effective_from=date(2025, 1, 1),
            effective_to=date(2025, 12, 31),
        ),
        Fee(code=C("97124"), amount=D("30.00"), effective_from=JAN1),
        Fee(code=C("97140"), amount=D("35.00"), effective_from=date(2025, 1, 1)),
    )
)


def test_fee_follows_the_date_of_service() -> None:
    assert SCHEDULE.fee(C("97124"), date(2025, 12, 31)) == D("28.00")
    assert SCHEDULE.fee(C("97124"), JAN1) == D("30.00")
    assert SCHEDULE.fee(C("97140"), JAN1) == D("35.00")
    assert SCHEDULE.find(C("97124"), date(2024, 12, 31)) is None


@pytest.mark.parametrize(
    ("code", "on"), [("97110", JAN1), ("97124", date(2024, 12, 31))], ids=["code", "date"]
)
def test_missing_fee_is_a_clear_error(code: str, on: date) -> None:
    with pytest.raises(FeeNotFoundError) as info:
        SCHEDULE.fee(C(code), on)
    assert isinstance(info.value, SoapbillError)
    assert isinstance(info.value, LookupError)
    with pytest.raises(FeeNotFoundError):
        SCHEDULE.charge(C(code), 2, on)


def test_charge_is_fee_times_units_exactly() -> None:
    assert SCHEDULE.charge(C("97124"), 3, JAN1) == D("90.00")
    assert SCHEDULE.charge(C("97124"), 0, JAN1) == D("0.00")


@pytest.mark.parametrize(
    ("units", "code"), [(True, "invalid_type"), ("2", "invalid_type"), (-1, "too_small")]
)
def test_charge_refuses_bad_units(units: object, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        SCHEDULE.charge(C("97124"), units, JAN1)  # type: ignore[arg-type]
    assert (info.value.errors[0].path, info.value.errors[0].code) == ("units", code)


def junk(value: object) -> Any:
    return value


@pytest.mark.parametrize(
    ("call", "path"),
    [
        pytest.param(lambda: SCHEDULE.find(C("97124"), junk(None)), "on", id="find-on"),
        pytest.param(lambda: SCHEDULE.find(junk("97124"), JAN1), "code", id="find-code"),
        pytest.param(lambda: SCHEDULE.fee(C("97124"), junk("2026-01-01")), "on", id="fee-on"),
        pytest.param(lambda: SCHEDULE.charge(C("97124"), 1, junk(None)), "on", id="charge-on"),
        pytest.param(lambda: SCHEDULE.fees[0].applies_on(junk(None)), "day", id="applies_on"),
        pytest.param(
            lambda: FeeSchedule.of(junk(None), effective_from=JAN1), "amounts", id="of-None"
        ),
        pytest.param(
            lambda: FeeSchedule.of({"9712": D("1.00")}, effective_from=JAN1),
            "amounts",
            id="of-bad-code",
        ),
        pytest.param(
            lambda: FeeSchedule.of(junk({"97124": 30.0}), effective_from=JAN1),
            "amounts[97124]",
            id="of-float",
        ),
        pytest.param(
            lambda: FeeSchedule.of({"97124": D("1.00")}, effective_from=junk("2026-01-01")),
            "effective_from",
            id="of-from",
        ),
    ],
)
def test_schedule_arguments_of_the_wrong_type_are_refused_by_name(
    call: Callable[[], object], path: str
) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.errors[0].path == path


def test_overlapping_fees_of_a_code_are_refused() -> None:
    open_ended = Fee(code=C("97124"), amount=D("28.00"), effective_from=date(2025, 1, 1))
    later = Fee(code=C("97124"), amount=D("30.00"), effective_from=JAN1)
    with pytest.raises(ValidationError) as info:
        FeeSchedule(fees=(later, open_ended))
    assert [(e.path, e.code) for e in info.value.errors] == [("fees[0]", "overlap")]
    same_day = Fee(
        code=C("97124"), amount=D("28.00"), effective_from=date(2025, 1, 1), effective_to=JAN1
    )
    with pytest.raises(ValidationError):
        FeeSchedule(fees=(same_day, later))


def test_schedule_of_amounts() -> None:
    schedule = FeeSchedule.of({"97124": D("30.00"), C("97140"): D("35.00")}, effective_from=JAN1)
    assert [(f.code.value, f.amount, f.effective_to) for f in schedule.fees] == [
        ("97124", D("30.00"), None),
        ("97140", D("35.00"), None),
    ]


ranges = st.lists(
    st.tuples(
        st.sampled_from(["97124", "97140"]),
        st.integers(min_value=0, max_value=30),
        st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
    ),
    max_size=5,
)


@given(ranges)
def test_schedule_accepts_exactly_the_non_overlapping_fees(
    spec: list[tuple[str, int, int | None]],
) -> None:
    fees = tuple(
        Fee(
            code=C(code),
            amount=D("10.00"),
            effective_from=JAN1 + timedelta(days=start),
            effective_to=None if length is None else JAN1 + timedelta(days=start + length),
        )
        for code, start, length in spec
    )

    def overlap(a: Fee, b: Fee) -> bool:
        a_end = a.effective_to or date.max
        b_end = b.effective_to or date.max
        return a.code == b.code and a.effective_from <= b_end and b.effective_from <= a_end

    clash = any(overlap(a, b) for i, a in enumerate(fees) for b in fees[i + 1 :])
    if clash:
        with pytest.raises(ValidationError):
            FeeSchedule(fees=fees)
    else:
        schedule = FeeSchedule(fees=fees)
        for fee in fees:
            assert schedule.find(fee.code, fee.effective_from) is fee


@given(money, st.integers(min_value=0, max_value=99))
def test_charge_property(amount: Decimal, units: int) -> None:
    schedule = FeeSchedule.of({"97124": amount}, effective_from=JAN1)
    charge = schedule.charge(C("97124"), units, JAN1)
    assert charge == amount * units
    assert charge == _round_cents(charge)


@given(ranges, money)
def test_fee_schedule_json_round_trip(
    spec: list[tuple[str, int, int | None]], amount: Decimal
) -> None:
    fees = [
        Fee(code=C(code), amount=amount, effective_from=JAN1 + timedelta(days=40 * i + start))
        for i, (code, start, _) in enumerate(spec)
    ]
    # Keep one open-ended fee per code.
    unique = tuple({f.code: f for f in fees}.values())
    schedule = FeeSchedule(fees=unique)
    assert from_json(to_json(schedule), FeeSchedule) == schedule


# --- self-pay --------------------------------------------------------------------------

SINGLE = SessionPrice(minutes=60, price=D("100.00"))
THREE_PACK = Package(sessions=3, minutes=60, price=D("275.00"))


def test_package_saving_and_discount() -> None:
    assert THREE_PACK.saving(SINGLE) == D("25.00")
    assert THREE_PACK.full_price(SINGLE) == D("300.00")
    assert THREE_PACK.price_per_session == D("91.67")
    assert THREE_PACK.discount_percent(SINGLE) == D("8.33")


def test_package_costing_more_saves_a_negative_amount() -> None:
    dear = Package(sessions=2, minutes=60, price=D("220.00"))
    assert dear.saving(SINGLE) == D("-20.00")
    assert dear.discount_percent(SINGLE) == D("-10.00")


def test_saving_refuses_sessions_of_another_length() -> None:
    with pytest.raises(ValidationError) as info:
        THREE_PACK.saving(SessionPrice(minutes=90, price=D("140.00")))
    assert (info.value.errors[0].path, info.value.errors[0].code) == (
        "single.minutes",
        "length_mismatch",
    )
    with pytest.raises(ValidationError):
        THREE_PACK.saving(D("100.00"))  # type: ignore[arg-type]


def test_session_price_must_be_more_than_zero() -> None:
    with pytest.raises(ValidationError) as info:
        SessionPrice(minutes=60, price=D("0.00"))
    assert info.value.errors[0].path == "price"


@pytest.mark.parametrize(
    ("field", "value"), [("sessions", 0), ("minutes", 0), ("valid_days", 0), ("price", 275.0)]
)
def test_package_fields_are_checked(field: str, value: object) -> None:
    kwargs: dict[str, object] = {"sessions": 3, "minutes": 60, "price": D("275.00")}
    kwargs[field] = value
    with pytest.raises(ValidationError) as info:
        Package(**kwargs)  # type: ignore[arg-type]
    assert info.value.errors[0].path == field


@given(
    st.integers(min_value=1, max_value=20),
    money.filter(bool),
    money,
)
def test_saving_property(sessions: int, single: Decimal, price: Decimal) -> None:
    package = Package(sessions=sessions, minutes=50, price=price)
    one = SessionPrice(minutes=50, price=single)
    assert package.saving(one) + price == single * sessions
    assert package.discount_percent(one) == _round_cents(
        package.saving(one) * 100 / (single * sessions)
    )
    assert abs(package.price_per_session * sessions - price) <= D("0.005") * sessions


def test_package_expiry_counts_the_day_of_purchase() -> None:
    package = Package(sessions=3, minutes=60, price=D("275.00"), valid_days=30)
    assert package.last_day(date(2026, 3, 1)) == date(2026, 3, 30)
    assert package.last_day(date.max) == date.max
    assert THREE_PACK.last_day(date(2026, 3, 1)) is None


def test_redeem_returns_a_new_balance() -> None:
    bought = PackageBalance(package=THREE_PACK, purchased_on=date(2026, 3, 1))
    once = bought.redeem(date(2026, 3, 2))
    assert (bought.remaining, once.remaining) == (3, 2)
    assert once.used == (date(2026, 3, 2),)
    assert bought.used == ()
    assert once.redeem(date(2026, 3, 1)).remaining == 1


def test_redeem_an_empty_package() -> None:
    balance = PackageBalance(package=THREE_PACK, purchased_on=JAN1, used=(JAN1,) * 3)
    with pytest.raises(PackageError) as info:
        balance.redeem(JAN1)
    assert info.value.reason == "empty"
    assert isinstance(info.value, SoapbillError)
    assert balance.remaining == 0


def test_redeem_an_expired_package() -> None:
    package = Package(sessions=3, minutes=60, price=D("275.00"), valid_days=30)
    balance = PackageBalance(package=package, purchased_on=date(2026, 3, 1))
    assert not balance.is_expired(date(2026, 3, 30))
    assert balance.redeem(date(2026, 3, 30)).remaining == 2
    assert balance.is_expired(date(2026, 3, 31))
    with pytest.raises(PackageError) as info:
        balance.redeem(date(2026, 3, 31))
    assert info.value.reason == "expired"
    assert balance.used == ()


def test_redeem_before_purchase_is_refused() -> None:
    balance = PackageBalance(package=THREE_PACK, purchased_on=date(2026, 3, 1))
    with pytest.raises(PackageError) as info:
        balance.redeem(date(2026, 2, 28))
    assert info.value.reason == "before_purchase"
    with pytest.raises(ValidationError):
        balance.redeem("2026-03-02")  # type: ignore[arg-type]


def test_package_dates_must_be_dates() -> None:
    balance = PackageBalance(package=THREE_PACK, purchased_on=date(2026, 3, 1))
    with pytest.raises(ValidationError) as info:
        balance.is_expired(None)  # type: ignore[arg-type]
    assert info.value.errors[0].path == "on"
    with pytest.raises(ValidationError) as info:
        THREE_PACK.last_day("2026-03-01")  # type: ignore[arg-type]
    assert info.value.errors[0].path == "purchased_on"


@pytest.mark.parametrize(
    ("used", "path"),
    [
        ((JAN1,) * 4, "used"),
        ((date(2025, 12, 31),), "used[0]"),
        ((JAN1, date(2026, 2, 1)), "used[1]"),
    ],
)
def test_balance_checks_its_history(used: tuple[date, ...], path: str) -> None:
    package = Package(sessions=3, minutes=60, price=D("275.00"), valid_days=30)
    with pytest.raises(ValidationError) as info:
        PackageBalance(package=package, purchased_on=JAN1, used=used)
    assert info.value.errors[0].path == path


@given(
    st.integers(min_value=1, max_value=5),
    st.one_of(st.none(), st.integers(min_value=1, max_value=20)),
    st.lists(st.integers(min_value=-3, max_value=25), max_size=8),
)
def test_redeem_property(sessions: int, valid_days: int | None, offsets: list[int]) -> None:
    package = Package(sessions=sessions, minutes=60, price=D("100.00"), valid_days=valid_days)
    balance = PackageBalance(package=package, purchased_on=JAN1)
    for offset in offsets:
        day = JAN1 + timedelta(days=offset)
        before = balance
        refused = before.remaining == 0 or offset < 0 or before.is_expired(day)
        try:
            balance = balance.redeem(day)
        except PackageError:
            assert refused
        else:
            assert not refused
            assert balance.remaining == before.remaining - 1
            assert before.used == balance.used[:-1]
        assert 0 <= balance.remaining <= sessions
    assert from_json(to_json(balance), PackageBalance) == balance


# --- estimate --------------------------------------------------------------------------


def claim_of(*lines: tuple[str, int, str, date]) -> Claim:
    return builders.claim(
        *(builders.line(code, units, on=day, charge=charge) for code, units, charge, day in lines)
    )


TWO_VISITS = claim_of(
    ("97124", 3, "90.00", date(2026, 3, 3)),
    ("97140", 1, "35.00", date(2026, 3, 3)),
    ("97124", 2, "60.00", date(2026, 3, 10)),
    ("97140", 2, "70.00", date(2026, 3, 10)),
)


def test_estimate_deductible_then_coinsurance_then_copay() -> None:
    result = estimate(
        TWO_VISITS, deductible_remaining=D("100.00"), coinsurance=D("0.20"), copay=D("15.00")
    )
    # 255 allowed; 100 deductible; 20% of 155 = 31; copay 2 x 15 = 30.
    assert (result.billed, result.allowed) == (D("255.00"), D("255.00"))
    assert (result.deductible, result.coinsurance, result.copay) == (
        D("100.00"),
        D("31.00"),
        D("30.00"),
    )
    assert (result.patient_share, result.insurer_share) == (D("161.00"), D("94.00"))
    assert result.steps == (
        "Billed $255.00; allowed $255.00 (the billed charges).",
        "Deductible: $100.00 of the $100.00 remaining.",
        "Coinsurance: 20% of the remaining $155.00 is $31.00.",
        "Copay: $15.00 for each of 2 dates of service is $30.00.",
        "The patient pays $161.00; the insurer pays $94.00.",
    )


def test_estimate_with_allowed_amounts_capped_at_the_charge() -> None:
    allowed = FeeSchedule.of({"97124": D("25.00"), "97140": D("40.00")}, effective_from=JAN1)
    result = estimate(
        TWO_VISITS,
        allowed=allowed,
        deductible_remaining=D("0.00"),
        coinsurance=D("0.10"),
        copay=D("0.00"),
    )
    # 97124: 75 + 50; 97140: 40 -> capped at 35, then 70 (80 capped).
    assert result.allowed == D("230.00")
    assert result.coinsurance == D("23.00")
    assert result.insurer_share == D("207.00")
    assert "capped at its charge" in result.steps[0]


def test_copay_never_pushes_the_patient_above_the_allowed_total() -> None:
    claim = claim_of(("97124", 1, "30.00", date(2026, 3, 3)))
    result = estimate(
        claim, deductible_remaining=D("20.00"), coinsurance=D("0.50"), copay=D("40.00")
    )
    # 30 allowed: 20 deductible, 5 coinsurance, copay capped at the 5 left.
    assert (result.deductible, result.coinsurance, result.copay) == (
        D("20.00"),
        D("5.00"),
        D("5.00"),
    )
    assert (result.patient_share, result.insurer_share) == (D("30.00"), D("0.00"))
    assert result.steps[3] == (
        "Copay: $40.00 for each of 1 date of service is $40.00, capped at the $5.00 left."
    )


def test_coinsurance_rounds_half_up_to_cents() -> None:
    claim = claim_of(("97124", 1, "0.05", date(2026, 3, 3)))
    result = estimate(claim, deductible_remaining=D(0), coinsurance=D("0.5"), copay=D(0))
    assert result.coinsurance == D("0.03")
    assert _round_cents(D("0.125")) == D("0.13")
    assert _round_cents(D("2.675")) == D("2.68")


def test_estimate_missing_allowed_fee() -> None:
    allowed = FeeSchedule.of({"97124": D("25.00")}, effective_from=JAN1)
    with pytest.raises(FeeNotFoundError):
        estimate(
            TWO_VISITS,
            allowed=allowed,
            deductible_remaining=D(0),
            coinsurance=D("0.2"),
            copay=D(0),
        )


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"deductible_remaining": 100.0}, "deductible_remaining"),
        ({"copay": D("-5.00")}, "copay"),
        ({"coinsurance": 0.2}, "coinsurance"),
        ({"coinsurance": D("1.2")}, "coinsurance"),
        ({"coinsurance": D("-0.1")}, "coinsurance"),
        ({"coinsurance": D("NaN")}, "coinsurance"),
        ({"allowed": {"97124": D("1.00")}}, "allowed"),
    ],
)
def test_estimate_refuses_bad_arguments(kwargs: dict[str, object], path: str) -> None:
    args: dict[str, object] = {
        "deductible_remaining": D("0.00"),
        "coinsurance": D("0.20"),
        "copay": D("0.00"),
        **kwargs,
    }
    with pytest.raises(ValidationError) as info:
        estimate(TWO_VISITS, **args)  # type: ignore[arg-type]
    assert info.value.errors[0].path == path


def test_estimate_needs_a_claim() -> None:
    with pytest.raises(ValidationError) as info:
        estimate("claim", deductible_remaining=D(0), coinsurance=D(0), copay=D(0))  # type: ignore[arg-type]
    assert info.value.errors[0].path == "claim"


def test_estimate_is_consistent_by_construction() -> None:
    with pytest.raises(ValidationError) as info:
        Estimate(
            billed=D(10),
            allowed=D(10),
            deductible=D(0),
            coinsurance=D(2),
            copay=D(0),
            patient_share=D(2),
            insurer_share=D(7),
        )
    assert info.value.errors[0].path == "insurer_share"
    with pytest.raises(ValidationError) as info:
        Estimate(
            billed=D(10),
            allowed=D(10),
            deductible=D(0),
            coinsurance=D(2),
            copay=D(0),
            patient_share=D(3),
            insurer_share=D(7),
        )
    assert info.value.errors[0].path == "patient_share"


line_spec = st.tuples(
    st.sampled_from(["97124", "97140"]),
    st.integers(min_value=1, max_value=4),
    money,
    st.sampled_from([date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 17)]),
)
fractions = st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False)


@given(st.lists(line_spec, min_size=1, max_size=6), money, fractions, money)
def test_estimate_shares_property(
    spec: list[tuple[str, int, Decimal, date]],
    deductible: Decimal,
    coinsurance: Decimal,
    copay: Decimal,
) -> None:
    claim = claim_of(*((code, units, str(charge), day) for code, units, charge, day in spec))
    result = estimate(claim, deductible_remaining=deductible, coinsurance=coinsurance, copay=copay)
    assert result.patient_share + result.insurer_share == result.allowed == claim.total_charge
    assert D(0) <= result.patient_share <= result.allowed
    assert result.insurer_share >= 0
    assert result.deductible == min(deductible, result.allowed)
    assert result.copay <= copay * len(claim.dates_of_service)
    assert from_json(to_json(result), Estimate) == result


@given(st.lists(line_spec, min_size=1, max_size=4), money, money, fractions, money)
def test_more_deductible_left_never_lowers_the_patient_share(
    spec: list[tuple[str, int, Decimal, date]],
    deductible: Decimal,
    more: Decimal,
    coinsurance: Decimal,
    copay: Decimal,
) -> None:
    assume(deductible + more < 10_000)
    claim = claim_of(*((code, units, str(charge), day) for code, units, charge, day in spec))
    low = estimate(claim, deductible_remaining=deductible, coinsurance=coinsurance, copay=copay)
    high = estimate(
        claim, deductible_remaining=deductible + more, coinsurance=coinsurance, copay=copay
    )
    assert high.patient_share >= low.patient_share


@given(st.lists(line_spec, min_size=1, max_size=4))
def test_no_cost_sharing_or_full_coinsurance(spec: list[tuple[str, int, Decimal, date]]) -> None:
    claim = claim_of(*((code, units, str(charge), day) for code, units, charge, day in spec))
    none = estimate(claim, deductible_remaining=D(0), coinsurance=D(0), copay=D(0))
    assert none.patient_share == 0
    assert none.insurer_share == claim.total_charge
    full = estimate(claim, deductible_remaining=D(0), coinsurance=D(1), copay=D(0))
    assert full.patient_share == claim.total_charge


def test_the_purchase_date_never_reaches_a_repr() -> None:
    # The day a patient paid is an individual's date: 45 CFR 164.514(b)(2)(i)(C).
    balance = PackageBalance(package=THREE_PACK, purchased_on=date(2026, 3, 1))
    assert "purchased_on=<redacted>" in repr(balance)
    assert "2026, 3, 1" not in repr(balance)
