"""
to_fhir_json writes what to_fhir_bundle builds, whatever it wrote before.

to_fhir_json keeps the JSON of the parts a practice writes Bundle after Bundle
(provider and payer entries, a billed line's codes and amounts, diagnosis
lists, CodeableConcepts, ids) in bounded memos. These tests write claims that
share what those memos are keyed on but differ in one thing, one after the
other, and check that each Bundle is still its own claim's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import builders
from soapbill import Claim, DiagnosisCode, Modifier, Npi, PersonName, PlaceOfService
from soapbill import strategies as sbst
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog
from soapbill.codes.npi import calc_check_digit
from soapbill.formats.fhir import to_fhir_bundle, to_fhir_json

CREATED = date(2031, 1, 2)
#: The built-in catalogue under its own labels, upper-cased: a catalogue that
#: is not the built-in one, with a label for every code the built-in one has.
SHOUTED = Catalog.of(
    attrs.evolve(info, label=info.label.upper()) for info in DEFAULT_CATALOG.values()
)
CATALOGS = {
    "built-in": None,
    "built-in, passed": DEFAULT_CATALOG,
    "other labels": SHOUTED,
    "empty": Catalog.of([]),
}


def written(claim: Claim, catalog: Catalog | None = None) -> dict[str, Any]:
    # to_fhir_json's Bundle read back, amounts as the Decimals to_fhir_bundle holds.
    text = to_fhir_json(claim, created=CREATED, catalog=catalog)
    result: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return result


def writable(claim: Claim) -> bool:
    # FHIR refuses an accident without its date (test_formats_fhir).
    causes = claim.related_causes
    if causes is None or causes.accident_date is not None:
        return True
    return not (causes.auto_accident or causes.other_accident)


def base(**changes: Any) -> Claim:
    fields: dict[str, Any] = {
        "diagnoses": ("M54.50", "M62.830"),
        "billing_provider": builders.clinic(phone="2065550100"),
        "rendering_provider": builders.therapist(npi=Npi("1245319599")),
        "referring_provider": builders.physician(npi=Npi("1003000126")),
    }
    return builders.claim(
        builders.line("97124", 2, "GP", "59", pointers=(1, 2)),
        builders.line("97140", 1, "GP", charge="45.00"),
        **(fields | changes),
    )


def first_line(claim: Claim, **changes: Any) -> Claim:
    return attrs.evolve(claim, lines=(attrs.evolve(claim.lines[0], **changes), *claim.lines[1:]))


#: One change each to what a memo is keyed on, keeping the rest of the claim.
CHANGES: dict[str, Callable[[Claim], Claim]] = {
    "billing provider's phone": lambda c: attrs.evolve(
        c, billing_provider=attrs.evolve(c.billing_provider, phone="2065550199")
    ),
    "rendering provider's licence": lambda c: attrs.evolve(
        c, rendering_provider=builders.therapist(npi=Npi("1245319599"), license_number="L2")
    ),
    "referring provider's name": lambda c: attrs.evolve(
        c,
        referring_provider=builders.physician(
            npi=Npi("1003000126"), name=PersonName(family="Roe", given="Al")
        ),
    ),
    "payer's name": lambda c: attrs.evolve(
        c, coverage=builders.coverage(payer=builders.payer(name="Other Health"))
    ),
    "diagnoses' order": lambda c: attrs.evolve(c, diagnoses=c.diagnoses[::-1]),
    "one more diagnosis": lambda c: attrs.evolve(
        c, diagnoses=(*c.diagnoses, DiagnosisCode("M79.18"))
    ),
    "line's charge": lambda c: first_line(c, charge=Decimal("130.01")),
    "line's units": lambda c: first_line(c, units=3),
    "line's modifiers' order": lambda c: first_line(c, modifiers=(Modifier("59"), Modifier("GP"))),
    "line without modifiers": lambda c: first_line(c, modifiers=()),
    "line's place": lambda c: first_line(c, place_of_service=PlaceOfService("12")),
    "claim's place": lambda c: attrs.evolve(c, place_of_service=PlaceOfService("02")),
    "line's pointers": lambda c: first_line(c, diagnosis_pointers=(2,)),
    "line's day": lambda c: first_line(c, date_of_service=date(2026, 3, 3)),
}


@pytest.mark.parametrize("catalog", CATALOGS.values(), ids=CATALOGS.keys())
@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_claim_written_after_a_like_one_is_its_own(
    change: Callable[[Claim], Claim], catalog: Catalog | None
) -> None:
    before, after = base(), change(base())
    assert to_fhir_bundle(after, created=CREATED) != to_fhir_bundle(before, created=CREATED)
    for claim in (before, after, before):
        assert written(claim, catalog) == to_fhir_bundle(claim, created=CREATED, catalog=catalog)


def test_an_equal_provider_that_is_another_object_is_written_alike() -> None:
    # The memos compare values: a claim read again (new, equal objects)
    # gives the same text.
    claim = base()
    again = attrs.evolve(
        claim,
        billing_provider=attrs.evolve(claim.billing_provider),
        lines=tuple(attrs.evolve(line) for line in claim.lines),
    )
    assert to_fhir_json(again, created=CREATED) == to_fhir_json(claim, created=CREATED)


def test_providers_beyond_what_is_kept_are_written_alike() -> None:
    # More billing providers than the memo of provider entries holds (256),
    # then the first again, changed: the memo drops the oldest and is never
    # wrong about the ones it keeps.
    claims = [
        base(billing_provider=builders.clinic(npi=Npi(f"1{n:08d}" + calc_check_digit(f"1{n:08d}"))))
        for n in range(300)
    ]
    changed = attrs.evolve(
        claims[0], billing_provider=attrs.evolve(claims[0].billing_provider, phone="2065550199")
    )
    for claim in (*claims, claims[0], changed, claims[-1]):
        assert written(claim) == to_fhir_bundle(claim, created=CREATED)


@given(
    st.lists(sbst.claims(max_lines=4).filter(writable), min_size=1, max_size=3),
    st.sampled_from(list(CATALOGS.values())),
)
def test_json_is_the_bundle_with_any_catalogue(
    claims: list[Claim], catalog: Catalog | None
) -> None:
    # Claims written one after another, with the built-in catalogue (whose
    # lines' JSON is kept) or another one.
    for claim in claims:
        assert written(claim, catalog) == to_fhir_bundle(claim, created=CREATED, catalog=catalog)
