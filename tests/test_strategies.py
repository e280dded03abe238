"""
soapbill.strategies: what each strategy promises, its arguments, its shrink
target and the claim shapes it reaches.

That every generated object is valid is tested with each model, in
test_parties.py, test_soap.py, test_prescriptions.py and test_claims.py.
"""

from __future__ import annotations

import importlib.metadata
import os
import string
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import builders
from soapbill import (
    Address,
    Claim,
    ClaimFrequency,
    Coverage,
    CptCode,
    Credential,
    DiagnosisCode,
    Frequency,
    Modifier,
    Npi,
    PainReport,
    Patient,
    Payer,
    PersonName,
    PlaceOfService,
    Plan,
    PlanType,
    Prescription,
    Provider,
    RelatedCauses,
    Relationship,
    ServiceLine,
    SoapNote,
    Subscriber,
    TaxId,
    TissueFinding,
    Treatment,
    _hypothesis_plugin,
    _remit_strategies,
)
from soapbill import strategies as sbst
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CodeInfo
from soapbill.formats.cms1500 import cms1500_pages
from soapbill.formats.fhir import to_fhir_json
from soapbill.formats.json import from_json, to_json
from soapbill.formats.superbill import render_superbill
from soapbill.formats.x12 import problems_837p
from soapbill.soap import BodyRegion, Level


def _minimal(strategy: st.SearchStrategy[Any]) -> Any:
    return find(strategy, lambda _: True, settings=settings(database=None, max_examples=50))


def _strings(value: object) -> Iterator[str]:
    """
    Every string inside a model, recursively.
    """
    if isinstance(value, str):
        yield value
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):  # type: ignore[arg-type]  # has() checked it
            yield from _strings(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)


# --- shrink targets, as the docstrings state them ------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        pytest.param(sbst.npis(), Npi("1000000004"), id="npis"),
        pytest.param(sbst.tax_ids(), TaxId("00-0000000"), id="tax_ids"),
        pytest.param(sbst.cpt_codes(), CptCode("97010"), id="cpt_codes"),
        pytest.param(sbst.modifiers(), Modifier("25"), id="modifiers"),
        pytest.param(sbst.diagnosis_codes(), DiagnosisCode("M54.50"), id="diagnosis_codes"),
        pytest.param(sbst.places_of_service(), PlaceOfService("11"), id="places_of_service"),
        pytest.param(sbst.money(), Decimal("0.00"), id="money"),
        pytest.param(sbst.money(min_value=Decimal("5.00")), Decimal("5.00"), id="money-min-value"),
        pytest.param(
            sbst.addresses(),
            Address(line1="A", city="A", state="AK", postal_code="00000"),
            id="addresses",
        ),
        pytest.param(sbst.person_names(), PersonName(family="A", given="A"), id="person_names"),
        pytest.param(sbst.payers(), Payer(id="0", name="A"), id="payers"),
        pytest.param(sbst.frequencies(), Frequency(per_week=1, weeks=1), id="frequencies"),
        pytest.param(
            sbst.pain_reports(), PainReport(region=BodyRegion.HEAD, intensity=0), id="pain_reports"
        ),
        pytest.param(
            sbst.tissue_findings(), TissueFinding(region=BodyRegion.HEAD), id="tissue_findings"
        ),
        pytest.param(
            sbst.treatments(), Treatment(code=CptCode("97010"), minutes=1), id="treatments"
        ),
        pytest.param(sbst.related_causes(), RelatedCauses(other_accident=True), id="causes"),
    ],
)
def test_shrink_targets(strategy: st.SearchStrategy[Any], expected: object) -> None:
    assert _minimal(strategy) == expected


# --- text ------------------------------------------------------------------------------------


@given(name=sbst.person_names(), payer=sbst.payers(), address=sbst.addresses())
def test_names_are_plain_ascii_words(name: PersonName, payer: Payer, address: Address) -> None:
    words = string.ascii_letters + " "
    for text in (name.family, name.given, name.middle, name.suffix, payer.name, address.city):
        if text is not None:
            assert set(text) <= set(words)
            assert text == " ".join(text.split())


@given(claim=sbst.claims(max_lines=3))
def test_claims_hold_no_x12_separator(claim: Claim) -> None:
    for text in _strings(claim):
        assert text.isascii()
        assert not set(text) & set("*~:^")
        assert text == text.strip()


# --- code values -------------------------------------------------------------------------------


@pytest.mark.parametrize("letter", "AFMTU")
def test_cpt_codes_reach_every_lettered_shape(letter: str) -> None:
    search = settings(database=None, max_examples=1_000, phases=[Phase.generate])
    find(sbst.cpt_codes(), lambda code: str(code).endswith(letter), settings=search)


@given(code=sbst.cpt_codes(catalogued=True))
def test_catalogued_codes_are_in_the_catalogue(code: CptCode) -> None:
    assert code in DEFAULT_CATALOG


CUSTOM = Catalog.of([CodeInfo(code=CptCode("97039"), label="Other", timed=True)])


@given(code=sbst.cpt_codes(catalog=CUSTOM, catalogued=True))
def test_codes_of_another_catalogue(code: CptCode) -> None:
    assert code == CptCode("97039")


@given(modifier=sbst.modifiers(known=True))
def test_known_modifiers_have_a_meaning(modifier: Modifier) -> None:
    assert modifier.meaning is not None


def test_common_diagnoses_are_billable() -> None:
    # Leaves of the ICD-10-CM tabular that simple-icd-10-cm bundles (April 2026).
    icd = pytest.importorskip("simple_icd_10_cm")
    common = sbst._COMMON_DIAGNOSES
    assert len(set(common)) == len(common)
    for code in common:
        assert icd.is_valid_item(str(code)), code
        assert icd.is_leaf(str(code)), code


@given(amount=sbst.money(min_value=Decimal("1.00"), max_value=Decimal("2.00")))
def test_money_bounds(amount: Decimal) -> None:
    assert Decimal("1.00") <= amount <= Decimal("2.00")
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("low", "high"),
    [("-0.01", "1.00"), ("0.00", "10000000000.00"), ("2.00", "1.00")],
    ids=["negative", "too-large", "reversed"],
)
def test_money_refuses_bad_bounds(low: str, high: str) -> None:
    with pytest.raises(InvalidArgument):
        sbst.money(min_value=Decimal(low), max_value=Decimal(high))


# --- parties -----------------------------------------------------------------------------------


@given(provider=sbst.providers(person=True, complete=True))
def test_complete_people(provider: Provider) -> None:
    assert provider.is_person
    assert None not in (
        provider.credential,
        provider.taxonomy,
        provider.tax_id,
        provider.address,
        provider.license_number,
        provider.license_state,
        provider.phone,
    )


@given(provider=sbst.providers(person=False, billing=True))
def test_billing_organisations(provider: Provider) -> None:
    assert not provider.is_person
    assert provider.address is not None
    assert provider.tax_id is not None


@given(provider=sbst.providers(person=True, credentials=(Credential.MD, Credential.DO)))
def test_provider_credentials(provider: Provider) -> None:
    assert provider.credential in (None, Credential.MD, Credential.DO)


def test_providers_need_a_credential_to_choose() -> None:
    with pytest.raises(InvalidArgument):
        sbst.providers(credentials=())


@given(
    patient=sbst.patients(complete=True, birth_dates=st.just(date(1970, 1, 1))),
    subscriber=sbst.subscribers(complete=True),
)
def test_complete_patients_and_subscribers(patient: Patient, subscriber: Subscriber) -> None:
    assert patient.birth_date == date(1970, 1, 1)
    assert patient.address is not None
    assert patient.phone is not None
    assert subscriber.address is not None


@given(coverage=sbst.coverages(relationship=Relationship.SPOUSE, plan_type=PlanType.AUTO_PIP))
def test_coverage_arguments(coverage: Coverage) -> None:
    assert coverage.relationship is Relationship.SPOUSE
    assert coverage.subscriber is not None
    assert coverage.plan_type is PlanType.AUTO_PIP


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(
            {"relationship": Relationship.SELF, "subscriber": sbst.subscribers()}, id="self-sub"
        ),
        pytest.param({"active_between": (date(2026, 2, 1), date(2026, 1, 1))}, id="reversed"),
    ],
)
def test_coverages_refuse_contradictions(arguments: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        sbst.coverages(**arguments)


# --- SOAP notes and prescriptions --------------------------------------------------------------


@given(plan=sbst.plans(after=date(2026, 3, 2)))
def test_next_visit_comes_after_the_visit(plan: Plan) -> None:
    assert plan.next_visit is None or date(2026, 3, 2) < plan.next_visit <= date(2026, 5, 1)


@given(treatment=sbst.treatments(codes=st.just(CptCode("97124")), max_minutes=15))
def test_treatment_arguments(treatment: Treatment) -> None:
    assert treatment.code == CptCode("97124")
    assert 1 <= treatment.minutes <= 15


@pytest.mark.parametrize("minutes", [0, 1441])
def test_treatments_refuse_bad_minutes(minutes: int) -> None:
    with pytest.raises(InvalidArgument):
        sbst.treatments(max_minutes=minutes)


THERAPIST = builders.therapist()


@given(
    note=sbst.soap_notes(
        patient_id="P1",
        provider=THERAPIST,
        dates=st.just(date(2026, 3, 2)),
        signed=True,
        diagnoses=st.just(DiagnosisCode("M54.50")),
        treatment=st.just(Treatment(code=CptCode("97140"), minutes=20)),
    )
)
def test_soap_note_arguments(note: SoapNote) -> None:
    assert (note.patient_id, note.provider, note.date_of_service) == (
        "P1",
        THERAPIST,
        date(2026, 3, 2),
    )
    assert note.is_signed
    assert set(note.diagnoses) <= {DiagnosisCode("M54.50")}
    assert set(note.treatments) <= {Treatment(code=CptCode("97140"), minutes=20)}
    assert all(a.author == THERAPIST for a in note.addenda)


@given(note=sbst.soap_notes())
def test_soap_notes_treat_catalogued_codes(note: SoapNote) -> None:
    assert all(t.code in DEFAULT_CATALOG for t in note.treatments)
    assert note.plan.next_visit is None or note.plan.next_visit > note.date_of_service


@given(
    rx=sbst.prescriptions(
        patient_id="P1",
        prescriber=THERAPIST,
        written_on=st.just(date(2026, 3, 1)),
        diagnoses=sbst.diagnosis_codes(common=True),
    )
)
def test_prescription_arguments(rx: Prescription) -> None:
    assert (rx.patient_id, rx.prescriber, rx.written_on) == ("P1", THERAPIST, date(2026, 3, 1))
    assert all(code in DEFAULT_CATALOG for code in rx.procedures)


@given(rx=sbst.prescriptions())
def test_default_prescribers(rx: Prescription) -> None:
    assert rx.prescriber.is_person
    assert rx.prescriber.credential in {None, *sbst._PRESCRIBERS}


# --- claims ------------------------------------------------------------------------------------


@given(line=sbst.service_lines(max_pointer=2, dates=st.just(date(2026, 3, 2))))
def test_service_line_arguments(line: ServiceLine) -> None:
    assert set(line.diagnosis_pointers) <= {1, 2}
    assert line.date_of_service == date(2026, 3, 2)


@pytest.mark.parametrize("max_pointer", [0, 13])
def test_service_lines_refuse_bad_pointers(max_pointer: int) -> None:
    with pytest.raises(InvalidArgument):
        sbst.service_lines(max_pointer=max_pointer)


@given(causes=sbst.related_causes(accident_dates=st.just(date(2026, 1, 5))))
def test_related_causes_arguments(causes: RelatedCauses) -> None:
    assert causes.accident_date in (None, date(2026, 1, 5))


@given(claim=sbst.claims())
def test_claim_defaults_are_consistent(claim: Claim) -> None:
    first, last = claim.dates_of_service[0], claim.dates_of_service[-1]
    assert (last - first).days < 28
    assert claim.patient.birth_date <= first
    assert claim.coverage.is_active(first)
    assert claim.coverage.is_active(last)
    assert claim.billing_provider.address is not None
    assert claim.billing_provider.tax_id is not None
    for provider in (claim.rendering_provider, claim.referring_provider):
        assert provider is None or provider.is_person
    for line in claim.lines:
        assert line.place_of_service != claim.place_of_service
    causes = claim.related_causes
    assert causes is None or causes.accident_date is None or causes.accident_date <= first
    assert (claim.original_claim_number is None) is (claim.frequency is ClaimFrequency.ORIGINAL)


@given(
    claim=sbst.claims(
        patient=sbst.patients(birth_dates=st.just(date(2030, 1, 1))),
        dates=st.dates(date(1990, 1, 1), date(1990, 12, 31)),
        min_lines=2,
        max_lines=3,
        diagnoses=st.sampled_from([DiagnosisCode("M54.50"), DiagnosisCode("M54.2")]),
        codes=st.just(CptCode("97124")),
        frequency=ClaimFrequency.VOID,
    )
)
def test_claim_arguments(claim: Claim) -> None:
    # A given patient is used as it is, even born after the visit.
    assert claim.patient.birth_date == date(2030, 1, 1)
    assert all(date(1990, 1, 1) <= d <= date(1990, 12, 31) for d in claim.dates_of_service)
    assert 2 <= len(claim.lines) <= 3
    assert set(claim.diagnoses) <= {DiagnosisCode("M54.50"), DiagnosisCode("M54.2")}
    assert {line.code for line in claim.lines} == {CptCode("97124")}
    assert claim.frequency is ClaimFrequency.VOID
    assert claim.original_claim_number is not None


@given(claim=sbst.claims(dates=st.just(date(1901, 1, 1)), max_lines=1))
def test_default_patients_are_born_before_early_visits(claim: Claim) -> None:
    assert claim.patient.birth_date <= date(1901, 1, 1)


@given(claims=st.lists(sbst.claims(max_lines=50, min_lines=50), min_size=1, max_size=1))
# Each example draws a claim of 50 lines; three show the limit is reached.
@settings(max_examples=3)
def test_claims_reach_the_837p_line_limit(claims: list[Claim]) -> None:
    assert len(claims[0].lines) == 50


@pytest.mark.parametrize(
    ("min_lines", "max_lines"), [(0, 1), (1, 51), (3, 2)], ids=["zero", "51", "reversed"]
)
def test_claims_refuse_bad_line_counts(min_lines: int, max_lines: int) -> None:
    with pytest.raises(InvalidArgument):
        sbst.claims(min_lines=min_lines, max_lines=max_lines)


@given(data=st.data())
def test_claims_can_share_parties(data: st.DataObject) -> None:
    clinic = data.draw(sbst.providers(billing=True))
    subscriber = data.draw(sbst.subscribers())
    coverage = sbst.coverages(member_id="M1", subscriber=subscriber)
    batch = data.draw(
        st.lists(
            sbst.claims(billing_provider=clinic, coverage=coverage, max_lines=2),
            min_size=2,
            max_size=3,
        )
    )
    assert {claim.billing_provider for claim in batch} == {clinic}
    assert {claim.coverage.subscriber for claim in batch} == {subscriber}


# Each shape the formats need is reached by the default strategy.
SHAPES: dict[str, Callable[[Claim], bool]] = {
    "patient-not-subscriber": lambda c: c.coverage.relationship is not Relationship.SELF,
    "replacement": lambda c: c.frequency is ClaimFrequency.REPLACEMENT,
    "void": lambda c: c.frequency is ClaimFrequency.VOID,
    "attachments": lambda c: len(c.attachments) >= 2,
    "referring-provider": lambda c: c.referring_provider is not None,
    "rendering-provider": lambda c: c.rendering_provider is not None,
    "no-rendering-provider": lambda c: c.rendering_provider is None,
    "prior-authorization": lambda c: c.prior_authorization is not None,
    "auto-accident": lambda c: c.related_causes is not None and c.related_causes.auto_accident,
    "employment": lambda c: c.related_causes is not None and c.related_causes.employment,
    "property-casualty-number": lambda c: c.property_casualty_claim_number is not None,
    "twelve-diagnoses": lambda c: len(c.diagnoses) == 12,
    "several-lines": lambda c: len(c.lines) >= 3,
    "four-modifiers": lambda c: any(len(line.modifiers) == 4 for line in c.lines),
    "four-pointers": lambda c: any(len(line.diagnosis_pointers) == 4 for line in c.lines),
    "line-place-of-service": lambda c: any(line.place_of_service for line in c.lines),
    "several-dates": lambda c: len(c.dates_of_service) >= 2,
    "not-office": lambda c: c.place_of_service != PlaceOfService("11"),
}


@pytest.mark.parametrize("submittable", [False, True], ids=["any", "submittable"])
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_claims_reach_every_shape(shape: Callable[[Claim], bool], submittable: bool) -> None:
    search = settings(database=None, max_examples=1_000, phases=[Phase.generate])
    assert shape(find(sbst.claims(submittable=submittable), shape, settings=search))


def test_service_lines_reach_pointer_twelve() -> None:
    search = settings(database=None, max_examples=1_000, phases=[Phase.generate])
    find(sbst.service_lines(), lambda line: 12 in line.diagnosis_pointers, settings=search)


@pytest.mark.parametrize("level", list(Level), ids=str)
def test_soap_notes_reach_every_stress_level(level: Level) -> None:
    search = settings(database=None, max_examples=1_000, phases=[Phase.generate])
    find(
        sbst.objectives(),
        lambda o: o.lifestyle is not None and o.lifestyle.stress is level,
        settings=search,
    )


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda n: n.signature is None, id="draft"),
        pytest.param(lambda n: n.is_signed and not n.addenda, id="signed"),
        pytest.param(lambda n: len(n.addenda) == 2, id="amended"),
        pytest.param(lambda n: len(n.treatments) >= 2, id="treatments"),
    ],
)
def test_soap_notes_reach_every_state(shape: Callable[[SoapNote], bool]) -> None:
    search = settings(database=None, max_examples=1_000, phases=[Phase.generate])
    find(sbst.soap_notes(), shape, settings=search)


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda rx: rx.valid_until is not None, id="valid-until"),
        pytest.param(lambda rx: rx.valid_days is not None, id="valid-days"),
        pytest.param(lambda rx: rx.valid_until is None and rx.valid_days is None, id="open"),
        pytest.param(lambda rx: rx.procedures and rx.visits_authorized, id="limited"),
    ],
)
def test_prescriptions_reach_every_validity(shape: Callable[[Prescription], bool]) -> None:
    search = settings(database=None, max_examples=1_000, phases=[Phase.generate])
    find(sbst.prescriptions(), shape, settings=search)


@given(
    note=sbst.soap_notes(dates=st.just(date.max)),
    claim=sbst.claims(dates=st.just(date.min), max_lines=1),
)
def test_dates_stop_at_the_ends_of_the_calendar(note: SoapNote, claim: Claim) -> None:
    assert note.signature is None or note.signature.signed_on == date.max
    assert note.plan.next_visit in (None, date.max)
    assert claim.patient.birth_date == date.min


@pytest.mark.parametrize(
    "strategy",
    [sbst.claims(), sbst.soap_notes(), sbst.prescriptions(), sbst.coverages()],
    ids=["claims", "soap_notes", "prescriptions", "coverages"],
)
def test_strategy_reprs_stay_short(strategy: st.SearchStrategy[Any]) -> None:
    assert len(repr(strategy)) < 100
    assert "Parts(...)" in repr(strategy)


# --- what the formats write ----------------------------------------------------------------


@given(claim=sbst.claims(max_lines=7))
def test_every_claim_is_written_by_the_other_formats(claim: Claim) -> None:
    # The module's promise: JSON, FHIR, the CMS-1500 and the superbill write
    # every generated claim; the 837P needs submittable ones, and FHIR an
    # accident's date (Claim.accident.date is required).
    assert from_json(to_json(claim), Claim) == claim
    causes = claim.related_causes
    if (
        causes is None
        or causes.accident_date
        or not (causes.auto_accident or causes.other_accident)
    ):
        assert to_fhir_json(claim, created=date(2031, 1, 1))
    assert cms1500_pages(claim)
    assert render_superbill(claim)


@given(claim=sbst.claims(submittable=True, max_lines=3))
def test_submittable_claims_have_no_837p_problems(claim: Claim) -> None:
    assert problems_837p(claim) == ()


@given(
    claim=sbst.claims(
        submittable=True, dates=st.dates(date(1800, 1, 1), date(1800, 12, 31)), max_lines=2
    )
)
def test_submittable_claims_draw_no_date_before_1800(claim: Claim) -> None:
    # Birth and accident dates go back from the first date of service, not
    # before 1800-01-01.
    assert problems_837p(claim) == ()


def test_submittable_claims_shrink_to_the_documented_claim() -> None:
    claim = _minimal(sbst.claims(submittable=True))
    assert (claim.id, claim.frequency, claim.diagnoses) == (
        "0",
        ClaimFrequency.ORIGINAL,
        (DiagnosisCode("M54.50"),),
    )
    assert claim.place_of_service == PlaceOfService("11")
    assert claim.patient.address == Address(line1="A", city="AA", state="AK", postal_code="00000")
    assert (claim.coverage.member_id, claim.coverage.payer.id) == ("00", "00")
    assert claim.billing_provider.address == Address(
        line1="A", city="AA", state="AK", postal_code="000000000"
    )
    assert claim.coverage.relationship is Relationship.SELF
    assert claim.billing_provider.organization_name == "A"


# --- st.from_type, through Hypothesis' plugin entry point --------------------------------------

#: Imports soapbill without Hypothesis, then Hypothesis, which runs the plugin.
_FROM_TYPE = textwrap.dedent(
    """
    import sys

    import soapbill
    import soapbill._hypothesis_plugin

    assert "hypothesis" not in sys.modules, "import soapbill imported Hypothesis"
    from hypothesis import Phase, find, settings, strategies as st

    assert "soapbill.strategies" not in sys.modules, "the plugin built the strategies"
    quick = settings(database=None, phases=[Phase.generate])
    claim = find(st.from_type(soapbill.Claim), lambda _: True, settings=quick)
    assert type(claim) is soapbill.Claim
    assert "soapbill.strategies" in sys.modules
    print("drawn")
    """
)


def test_hypothesis_draws_claims_through_the_plugin_entry_point(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name != "HYPOTHESIS_NO_PLUGINS"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _FROM_TYPE],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "drawn"


def test_the_entry_point_is_declared() -> None:
    hooks = [
        entry
        for entry in importlib.metadata.entry_points(group="hypothesis")
        if entry.value.startswith("soapbill.")
    ]
    assert [entry.load() for entry in hooks] == [_hypothesis_plugin._hypothesis_setup_hook]


def test_the_plugin_registers_every_strategy() -> None:
    registered = {strategy for _, strategy in _hypothesis_plugin._STRATEGIES}
    # The remittance strategies draw X12 texts for given claims, not models,
    # and so does responses_271 (with Written271, the class of what it draws).
    # measured_notes draws a list of notes for a given plan.
    texts = {*_remit_strategies.__all__, "Written271", "responses_271", "measured_notes"}
    assert registered == set(sbst.__all__) - {"money"} - texts
    # Every strategy of a model is registered: the eligibility models too.
    assert {"benefits", "eligibility_inquiries", "members", "rejections"} <= registered


@pytest.mark.parametrize(("type_name", "strategy_name"), _hypothesis_plugin._STRATEGIES)
def test_from_type_draws_each_model(type_name: str, strategy_name: str) -> None:
    cls = _hypothesis_plugin._model(type_name)
    quick = settings(database=None, max_examples=5, phases=[Phase.generate])
    assert type(find(st.from_type(cls), lambda _: True, settings=quick)) is cls
    resolve = _hypothesis_plugin._Deferred(strategy_name)
    assert repr(resolve(cls)) == repr(getattr(sbst, strategy_name)())
    assert repr(resolve) == f"soapbill.strategies.{strategy_name}()"
