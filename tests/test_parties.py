"""
Patients, providers, payers, subscribers and coverage.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model_support import assert_model_value
from soapbill import (
    Address,
    Coverage,
    Credential,
    Npi,
    Patient,
    Payer,
    PersonName,
    PlanType,
    Provider,
    Relationship,
    Sex,
    Subscriber,
    TaxId,
    ValidationError,
)
from soapbill import strategies as sbst

SENTINEL = "ZZSENTINELZZ"
#: A phone number and a birth date that appear nowhere else in these tests.
PHONE_SENTINEL = "9099099099"
BIRTH_SENTINEL = date(1911, 11, 11)

NAME = PersonName(family="Doe", given="Jane")
ADDRESS = Address(line1="1 Main St", city="Seattle", state="WA", postal_code="98101")
PAYER = Payer(id="PAYER01", name="Example Health")
SUBSCRIBER = Subscriber(name=NAME, birth_date=date(1980, 1, 1), sex=Sex.MALE)
NPI = Npi("1234567893")


def _errors(info: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(d.path, d.code) for d in info.value.errors]


PARTIES: dict[str, st.SearchStrategy[Any]] = {
    "Address": sbst.addresses(),
    "PersonName": sbst.person_names(),
    "Patient": sbst.patients(),
    "Provider": sbst.providers(),
    "Payer": sbst.payers(),
    "Subscriber": sbst.subscribers(),
    "Coverage": sbst.coverages(),
}


@pytest.mark.parametrize("parties", PARTIES.values(), ids=PARTIES.keys())
@given(data=st.data())
def test_generated_parties_are_valid_values(
    parties: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    assert_model_value(data.draw(parties))


# --- field checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        # USPS state: two upper-case letters.
        pytest.param({"state": "wa"}, "state", "invalid_format", id="state-lower"),
        pytest.param({"state": "WAS"}, "state", "invalid_format", id="state-three"),
        # ZIP: five or nine digits, no hyphen.
        pytest.param({"postal_code": "9810"}, "postal_code", "invalid_format", id="zip-4"),
        pytest.param({"postal_code": "981011"}, "postal_code", "invalid_format", id="zip-6"),
        pytest.param(
            {"postal_code": "98101-0000"}, "postal_code", "invalid_format", id="zip-hyphen"
        ),
        pytest.param({"postal_code": 98101}, "postal_code", "invalid_type", id="zip-int"),
        # 837P N301 is 55 characters, N401 30.
        pytest.param({"line1": "x" * 56}, "line1", "too_long", id="line1-long"),
        pytest.param({"line1": ""}, "line1", "too_short", id="line1-empty"),
        pytest.param({"line2": ""}, "line2", "too_short", id="line2-empty"),
        pytest.param({"city": "x" * 31}, "city", "too_long", id="city-long"),
    ],
)
def test_address_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(ADDRESS, **changes)
    assert _errors(info) == [(path, code)]


def test_address_limits_are_inclusive() -> None:
    address = attrs.evolve(
        ADDRESS, line1="x" * 55, line2="y" * 55, city="z" * 30, postal_code="981010000"
    )
    assert address.postal_code == "981010000"


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        # 837P NM103 60, NM104 35, NM105 25, NM107 10.
        pytest.param({"family": "x" * 61}, "family", "too_long", id="family"),
        pytest.param({"given": "x" * 36}, "given", "too_long", id="given"),
        pytest.param({"middle": "x" * 26}, "middle", "too_long", id="middle"),
        pytest.param({"suffix": "x" * 11}, "suffix", "too_long", id="suffix"),
        pytest.param({"given": ""}, "given", "too_short", id="given-empty"),
        pytest.param({"family": None}, "family", "invalid_type", id="family-none"),
    ],
)
def test_person_name_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(NAME, **changes)
    assert _errors(info) == [(path, code)]


PATIENT = Patient(id="P1", name=NAME, birth_date=date(1990, 5, 17), sex=Sex.FEMALE)


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        pytest.param({"id": "x" * 51}, "id", "too_long", id="id-long"),
        pytest.param({"id": 1}, "id", "invalid_type", id="id-int"),
        pytest.param({"name": "Jane Doe"}, "name", "invalid_type", id="name-str"),
        pytest.param(
            {"birth_date": datetime(1990, 5, 17)},  # noqa: DTZ001 - naive on purpose
            "birth_date",
            "invalid_type",
            id="birth-datetime",
        ),
        pytest.param({"birth_date": "1990-05-17"}, "birth_date", "invalid_type", id="birth-str"),
        pytest.param({"sex": "female"}, "sex", "invalid_type", id="sex-str"),
        pytest.param({"phone": "555-123-4567"}, "phone", "invalid_format", id="phone-hyphens"),
        pytest.param({"phone": "555123456"}, "phone", "invalid_format", id="phone-9"),
        pytest.param({"phone": 5551234567}, "phone", "invalid_type", id="phone-int"),
        pytest.param({"address": {"line1": "x"}}, "address", "invalid_type", id="address-dict"),
    ],
)
def test_patient_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(PATIENT, **changes)
    assert _errors(info) == [(path, code)]


PERSON = Provider(npi=NPI, name=NAME, credential=Credential.LMT)
CLINIC = Provider(npi=NPI, organization_name="Example Clinic", tax_id=TaxId("12-3456789"))


@pytest.mark.parametrize(
    ("provider", "changes", "path", "code"),
    [
        # A person has a name, an organisation an organization_name: never both.
        pytest.param(PERSON, {"organization_name": "Clinic"}, "name", "name_choice", id="both"),
        pytest.param(PERSON, {"name": None}, "name", "name_choice", id="neither"),
        pytest.param(
            CLINIC, {"credential": Credential.LMT}, "credential", "not_allowed", id="org-cred"
        ),
        pytest.param(PERSON, {"npi": "1234567893"}, "npi", "invalid_type", id="npi-str"),
        pytest.param(PERSON, {"credential": "lmt"}, "credential", "invalid_type", id="cred-str"),
        pytest.param(PERSON, {"taxonomy": "225700000"}, "taxonomy", "invalid_format", id="tax-9"),
        pytest.param(PERSON, {"taxonomy": "225700000x"}, "taxonomy", "invalid_format", id="tax-x"),
        pytest.param(PERSON, {"tax_id": "123456789"}, "tax_id", "invalid_type", id="ein-str"),
        pytest.param(PERSON, {"license_state": "Wa"}, "license_state", "invalid_format", id="st"),
        pytest.param(PERSON, {"license_number": "x" * 51}, "license_number", "too_long", id="lic"),
        pytest.param(
            CLINIC, {"organization_name": "x" * 61}, "organization_name", "too_long", id="org"
        ),
    ],
)
def test_provider_errors(provider: Provider, changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(provider, **changes)
    assert _errors(info) == [(path, code)]


def test_provider_kinds() -> None:
    assert PERSON.is_person
    assert not CLINIC.is_person
    assert Provider(npi=NPI, name=NAME).credential is None
    assert attrs.evolve(PERSON, taxonomy="225700000X").taxonomy == "225700000X"


@given(provider=sbst.providers())
def test_a_provider_is_a_person_or_an_organisation(provider: Provider) -> None:
    assert provider.is_person is (provider.organization_name is None)
    assert provider.is_person or provider.credential is None


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        pytest.param({"id": "x" * 81}, "id", "too_long", id="id"),
        pytest.param({"name": ""}, "name", "too_short", id="name"),
    ],
)
def test_payer_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(PAYER, **changes)
    assert _errors(info) == [(path, code)]


# --- coverage -----------------------------------------------------------------------------

SELF_COVERAGE = Coverage(payer=PAYER, member_id="M1", plan_type=PlanType.COMMERCIAL)


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        # The subscriber is given exactly when the patient is not the subscriber.
        pytest.param({"subscriber": SUBSCRIBER}, "subscriber", "not_allowed", id="self-sub"),
        pytest.param(
            {"relationship": Relationship.CHILD}, "subscriber", "required", id="child-no-sub"
        ),
        pytest.param(
            {"start": date(2026, 1, 2), "end": date(2026, 1, 1)}, "end", "before_start", id="end"
        ),
        pytest.param({"member_id": "x" * 81}, "member_id", "too_long", id="member-id"),
        pytest.param({"member_id": ""}, "member_id", "too_short", id="member-id-empty"),
        pytest.param({"plan_type": "commercial"}, "plan_type", "invalid_type", id="plan-str"),
        pytest.param({"relationship": "self"}, "relationship", "invalid_type", id="rel-str"),
        pytest.param({"payer": "PAYER01"}, "payer", "invalid_type", id="payer-str"),
    ],
)
def test_coverage_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(SELF_COVERAGE, **changes)
    assert _errors(info) == [(path, code)]


@pytest.mark.parametrize("relationship", [r for r in Relationship if r is not Relationship.SELF])
def test_coverage_of_a_dependant(relationship: Relationship) -> None:
    coverage = attrs.evolve(SELF_COVERAGE, relationship=relationship, subscriber=SUBSCRIBER)
    assert coverage.subscriber == SUBSCRIBER


@pytest.mark.parametrize(
    ("start", "end", "day", "active"),
    [
        # Bounds are inclusive; None is open.
        pytest.param(None, None, date(1900, 1, 1), True, id="open"),
        pytest.param(date(2026, 1, 1), None, date(2025, 12, 31), False, id="before-start"),
        pytest.param(date(2026, 1, 1), None, date(2026, 1, 1), True, id="on-start"),
        pytest.param(None, date(2026, 6, 30), date(2026, 6, 30), True, id="on-end"),
        pytest.param(None, date(2026, 6, 30), date(2026, 7, 1), False, id="after-end"),
        pytest.param(date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1), True, id="one-day"),
    ],
)
def test_coverage_is_active(start: date | None, end: date | None, day: date, active: bool) -> None:
    assert attrs.evolve(SELF_COVERAGE, start=start, end=end).is_active(day) is active


@given(coverage=sbst.coverages(), day=st.dates())
def test_is_active_agrees_with_the_bounds(coverage: Coverage, day: date) -> None:
    after_start = coverage.start is None or coverage.start <= day
    before_end = coverage.end is None or day <= coverage.end
    assert coverage.is_active(day) is (after_start and before_end)


@given(coverage=sbst.coverages())
def test_generated_coverage_has_a_subscriber_exactly_when_needed(coverage: Coverage) -> None:
    assert (coverage.subscriber is None) is (coverage.relationship is Relationship.SELF)


@given(data=st.data())
def test_coverages_can_share_a_subscriber(data: st.DataObject) -> None:
    subscriber = data.draw(sbst.subscribers())
    family = data.draw(
        st.lists(sbst.coverages(payer=PAYER, member_id="M1", subscriber=subscriber), min_size=2)
    )
    assert {c.subscriber for c in family} == {subscriber}
    assert {c.member_id for c in family} == {"M1"}
    assert all(c.relationship is not Relationship.SELF for c in family)


@given(
    first=st.dates(date(2000, 1, 1), date(2040, 1, 1)),
    days=st.integers(0, 400),
    data=st.data(),
)
def test_coverages_active_between(first: date, days: int, data: st.DataObject) -> None:
    last = date.fromordinal(first.toordinal() + days)
    coverage = data.draw(sbst.coverages(active_between=(first, last)))
    assert coverage.is_active(first)
    assert coverage.is_active(last)


# --- wire codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("enum", "values"),
    [
        pytest.param(Sex, ["female", "male", "unknown"], id="Sex"),
        pytest.param(Relationship, ["self", "spouse", "child", "other"], id="Relationship"),
        pytest.param(
            Credential,
            ["lmt", "pt", "pta", "dc", "md", "do", "np", "pa", "ot", "ota"],
            id="Credential",
        ),
        pytest.param(
            PlanType,
            [
                "commercial",
                "medicare_part_b",
                "medicare_advantage",
                "medicaid",
                "auto_pip",
                "workers_comp",
                "other",
            ],
            id="PlanType",
        ),
    ],
)
def test_enum_wire_codes_are_stable(enum: type[Any], values: list[str]) -> None:
    # Stored documents hold these values: changing one breaks them.
    assert [member.value for member in enum] == values


# --- redaction ----------------------------------------------------------------------------


def _sentinel_name() -> PersonName:
    return PersonName(family=SENTINEL, given=SENTINEL, middle=SENTINEL, suffix="ZZSENT")


def _sentinel_address() -> Address:
    return Address(line1=SENTINEL, line2=SENTINEL, city=SENTINEL, state="WA", postal_code="98101")


def test_patient_data_never_reaches_a_repr() -> None:
    patient = Patient(
        id="P1",
        name=_sentinel_name(),
        birth_date=BIRTH_SENTINEL,
        sex=Sex.FEMALE,
        address=_sentinel_address(),
        phone=PHONE_SENTINEL,
    )
    subscriber = Subscriber(
        name=_sentinel_name(),
        birth_date=BIRTH_SENTINEL,
        sex=Sex.MALE,
        address=_sentinel_address(),
    )
    coverage = Coverage(
        payer=PAYER,
        member_id=SENTINEL,
        plan_type=PlanType.COMMERCIAL,
        relationship=Relationship.SPOUSE,
        subscriber=subscriber,
    )
    provider = Provider(npi=NPI, name=_sentinel_name(), address=_sentinel_address())
    for value in (patient, subscriber, coverage, provider, patient.name, patient.address):
        text = repr(value)
        for secret in (SENTINEL, "ZZSENT", PHONE_SENTINEL, "1911"):
            assert secret not in text, type(value).__name__
    assert repr(patient.name) == "PersonName(<redacted>)"
    assert repr(patient.address) == "Address(<redacted>)"


def test_coverage_dates_never_reach_a_repr() -> None:
    # The dates of an individual's coverage: 45 CFR 164.514(b)(2)(i)(C).
    dated = attrs.evolve(SELF_COVERAGE, start=date(1912, 2, 2), end=date(2913, 3, 3))
    text = repr(dated)
    assert "1912" not in text
    assert "2913" not in text
    assert "start=<redacted>" in text


def test_is_active_refuses_what_is_not_a_date() -> None:
    dated = attrs.evolve(SELF_COVERAGE, start=date(2026, 1, 1))
    for on in (None, "2026-03-02", datetime(2026, 3, 2)):  # noqa: DTZ001 - refused
        with pytest.raises(ValidationError) as info:
            dated.is_active(on)  # type: ignore[arg-type]
        assert info.value.errors[0].path == "on"


# --- mailbox-only addresses (837P loop 2010AA: a street address) -------------------------------


@pytest.mark.parametrize(
    ("line1", "line2", "is_box"),
    [
        pytest.param("PO Box 12", None, True, id="po-box"),
        pytest.param("P.O. Box 12", None, True, id="dotted"),
        pytest.param("p o box 12", None, True, id="lower-spaced"),
        pytest.param("POBox 12", None, True, id="joined"),
        pytest.param("Post Office Box 7", None, True, id="post-office-box"),
        pytest.param("Lock Box 3", None, True, id="lock-box"),
        pytest.param("Lockbox 3", None, True, id="lockbox"),
        pytest.param("PMB 40", None, True, id="private-mailbox"),
        pytest.param("Drawer 9", None, True, id="drawer"),
        pytest.param("12 Main St", "PO Box 5", True, id="box-on-line-2"),
        pytest.param("12 Main St", "Suite 5", False, id="street-and-suite"),
        pytest.param("12 Boxwood Rd", None, False, id="boxwood"),
        pytest.param("1 Post Office Sq", None, False, id="post-office-square"),
        pytest.param("9 Poboy Ln", None, False, id="poboy"),
    ],
)
def test_is_po_box(line1: str, line2: str | None, is_box: bool) -> None:
    address = Address(line1=line1, line2=line2, city="Kent", state="WA", postal_code="98032")
    assert address.is_po_box is is_box
