from __future__ import annotations

import base64
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import attrs
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.claim import Claim as FhirClaim
from fhir.resources.R4B.composition import Composition
from fhir.resources.R4B.coverage import Coverage as FhirCoverage
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.relatedperson import RelatedPerson
from fhir.resources.R4B.servicerequest import ServiceRequest
from hypothesis import given, settings
from hypothesis import strategies as st

from soapbill import (
    Addendum,
    Claim,
    ClaimFrequency,
    Coverage,
    CptCode,
    Credential,
    DiagnosisCode,
    Frequency,
    Modifier,
    Npi,
    Patient,
    Payer,
    PersonName,
    PlanType,
    Prescription,
    Provider,
    RelatedCauses,
    Relationship,
    ServiceLine,
    Sex,
    SoapNote,
    Subjective,
    Subscriber,
    TaxId,
)
from soapbill import strategies as sbst
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CodeInfo
from soapbill.errors import SoapbillError, ValidationError
from soapbill.formats import fhir
from soapbill.formats.fhir import (
    ANY_PROCEDURE_TEXT,
    CPT_SYSTEM,
    DEFAULT_NOTE_CODES,
    DEFAULT_SYSTEMS,
    HCPCS_SYSTEM,
    ICD10CM_SYSTEM,
    LOINC_SYSTEM,
    NPI_SYSTEM,
    Coding,
    IdentifierSystems,
    NoteCodes,
    to_fhir_bundle,
    to_fhir_json,
)

CREATED = date(2031, 1, 2)
SENTINEL = "SENTINEL-7f3a"
#: The Source of Payment Typology code of each plan type (test_coverage_type_is_the_payer_type).
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CLINICAL_NOTE = (
    "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
    "clinical-note",
)
PRINCIPAL = ("http://terminology.hl7.org/CodeSystem/ex-diagnosistype", "principal")
SECONDARY = ("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType", "secondary")
SOPT = {
    PlanType.COMMERCIAL: "5",
    PlanType.MEDICARE_PART_B: "121",
    PlanType.MEDICARE_ADVANTAGE: "11",
    PlanType.MEDICAID: "2",
    PlanType.AUTO_PIP: "96",
    PlanType.WORKERS_COMP: "95",
    PlanType.OTHER: "9",
}
XHTML = "{http://www.w3.org/1999/xhtml}"
MODELS: dict[str, Any] = {
    "Claim": FhirClaim,
    "Composition": Composition,
    "Coverage": FhirCoverage,
    "DocumentReference": DocumentReference,
    "Organization": Organization,
    "Patient": FhirPatient,
    "Practitioner": Practitioner,
    "RelatedPerson": RelatedPerson,
    "ServiceRequest": ServiceRequest,
}
# Required value sets of R4 (and the example ones soapbill uses), checked here
# because fhir.resources accepts any code.
CLAIM_STATUS = {"active", "cancelled", "draft", "entered-in-error"}
COMPOSITION_STATUS = {"preliminary", "final", "amended", "entered-in-error"}
REQUEST_STATUS = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error"}
GENDER = {"male", "female", "other", "unknown"}
# fhir.resources builds a pydantic model of every resource: each example is slow.
FHIR_RESOURCES_ORACLE = settings(max_examples=20)


# --- inputs ---------------------------------------------------------------------------


def dated(claim: Claim) -> Claim:
    # An accident needs its date in FHIR (test_an_accident_without_its_date_is_refused):
    # give an undated one the first day of service.
    causes = claim.related_causes
    if causes is None or causes.accident_date is not None:
        return claim
    if not (causes.auto_accident or causes.other_accident):
        return claim
    causes = attrs.evolve(causes, accident_date=min(claim.dates_of_service))
    return attrs.evolve(claim, related_causes=causes)


@st.composite
def inputs(draw: st.DrawFn) -> tuple[Claim, list[Prescription], list[SoapNote]]:
    claim = dated(draw(sbst.claims(max_lines=5)))
    patient_id = claim.patient.id
    rxs = draw(
        st.lists(sbst.prescriptions(patient_id=patient_id), max_size=3, unique_by=lambda rx: rx.id)
    )
    notes = draw(
        st.lists(
            sbst.soap_notes(patient_id=patient_id, dates=st.sampled_from(claim.dates_of_service)),
            max_size=3,
            unique_by=lambda note: note.id,
        )
    )
    return claim, rxs, notes


THERAPIST = Provider(
    npi=Npi("1234567893"),
    name=PersonName(family="Lee", given="Sam"),
    credential=Credential.LMT,
    taxonomy="225700000X",
    license_number="MA60000000",
    license_state="WA",
)
CLINIC = Provider(
    npi=Npi("1245319599"),
    organization_name="Example Massage Clinic",
    tax_id=TaxId("12-3456789"),
)
DOCTOR = Provider(npi=Npi("1003000126"), name=PersonName(family="Ng", given="Ada"))
PATIENT = Patient(
    id="P-1",
    name=PersonName(family="Doe", given="Jane", middle="Q"),
    birth_date=date(1980, 2, 29),
    sex=Sex.FEMALE,
)
COVERAGE = Coverage(
    payer=Payer(id="EX123", name="Example Health"),
    member_id="M-1",
    plan_type=PlanType.COMMERCIAL,
)
DAY = date(2026, 3, 2)


def make_claim(**changes: Any) -> Claim:
    claim = Claim(
        id="CLM-1",
        patient=PATIENT,
        coverage=COVERAGE,
        billing_provider=CLINIC,
        rendering_provider=THERAPIST,
        diagnoses=(DiagnosisCode("M54.50"), DiagnosisCode("M62.830")),
        lines=(
            ServiceLine(
                code=CptCode("97124"),
                modifiers=(Modifier("GP"), Modifier("59")),
                units=2,
                charge=Decimal(130),
                date_of_service=DAY,
                diagnosis_pointers=(2, 1),
            ),
            ServiceLine(
                code=CptCode("G0283"),
                units=1,
                charge=Decimal("20.5"),
                date_of_service=DAY,
                diagnosis_pointers=(1,),
            ),
        ),
    )
    return attrs.evolve(claim, **changes)


def make_rx(**changes: Any) -> Prescription:
    rx = Prescription(
        id="RX-1",
        patient_id="P-1",
        prescriber=DOCTOR,
        written_on=date(2026, 2, 1),
        valid_days=90,
        diagnoses=(DiagnosisCode("M54.50"),),
    )
    return attrs.evolve(rx, **changes)


def make_note(**changes: Any) -> SoapNote:
    note = SoapNote(
        id="N-1",
        patient_id="P-1",
        provider=THERAPIST,
        date_of_service=DAY,
        subjective=Subjective(chief_complaint="Low back pain"),
    )
    return attrs.evolve(note, **changes)


def resources(bundle: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    found = [entry["resource"] for entry in bundle["entry"]]
    return [r for r in found if kind is None or r["resourceType"] == kind]


def one(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    (resource,) = resources(bundle, kind)
    return resource


def by_url(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}


def references(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        if "reference" in value:
            yield value["reference"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def containers(value: object) -> Iterator[object]:
    if isinstance(value, dict | list):
        yield value
        for item in value.values() if isinstance(value, dict) else value:
            yield from containers(item)


def codings(concept: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["system"], c["code"]) for c in concept["coding"]]


def div_text(section: dict[str, Any]) -> str:
    root = ET.fromstring(section["text"]["div"])  # noqa: S314 - our own output
    return "".join(root.itertext())


# --- validation and invariants of generated bundles -----------------------------------


@given(inputs())
@FHIR_RESOURCES_ORACLE
def test_every_resource_validates_with_fhir_resources(
    data: tuple[Claim, list[Prescription], list[SoapNote]],
) -> None:
    claim, rxs, notes = data
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=rxs, notes=notes)
    Bundle.model_validate(bundle)
    for resource in resources(bundle):
        MODELS[resource["resourceType"]].model_validate(resource)


@given(inputs())
def test_bundle_is_self_contained(
    data: tuple[Claim, list[Prescription], list[SoapNote]],
) -> None:
    claim, rxs, notes = data
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=rxs, notes=notes)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    for entry in bundle["entry"]:
        rid = entry["resource"]["id"]
        assert entry["fullUrl"] == f"urn:uuid:{rid}"
        # A version-8 UUID in its canonical form, the variant bits 10.
        assert str(uuid.UUID(rid)) == rid
        assert uuid.UUID(rid).version == 8
        assert uuid.UUID(rid).variant == uuid.RFC_4122
    assert bundle["id"] not in {entry["resource"]["id"] for entry in bundle["entry"]}
    # Every reference but the original claim's (a logical one) points into the bundle.
    assert set(references(bundle)) <= set(urls)
    # No dict or list is shared: changing one part of the bundle changes no other.
    shared = [id(c) for c in containers(bundle)]
    assert len(set(shared)) == len(shared)
    kinds = [r["resourceType"] for r in resources(bundle)]
    assert kinds[:2] == ["Claim", "Patient"]
    # One ServiceRequest per ordered code, one for a prescription of any code.
    assert kinds.count("ServiceRequest") == sum(len(rx.procedures) or 1 for rx in rxs)
    assert kinds.count("Composition") == len(notes)
    assert kinds.count("DocumentReference") == len(notes)
    assert kinds.count("RelatedPerson") == (claim.coverage.subscriber is not None)


@given(inputs())
def test_claim_mapping(data: tuple[Claim, list[Prescription], list[SoapNote]]) -> None:
    claim, rxs, notes = data
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=rxs, notes=notes)
    urls = by_url(bundle)
    fc = one(bundle, "Claim")
    assert fc["identifier"] == [{"system": DEFAULT_SYSTEMS.claim, "value": claim.id}]
    assert fc["status"] in CLAIM_STATUS
    assert (fc["status"] == "cancelled") == (claim.frequency is ClaimFrequency.VOID)
    assert fc["use"] == "claim"
    assert fc["created"] == CREATED.isoformat()
    assert urls[fc["patient"]["reference"]]["resourceType"] == "Patient"
    insurer = urls[fc["insurer"]["reference"]]
    assert insurer["resourceType"] == "Organization"
    assert insurer["name"] == claim.coverage.payer.name
    assert insurer["identifier"] == [
        {"system": DEFAULT_SYSTEMS.payer, "value": claim.coverage.payer.id}
    ]
    billing = urls[fc["provider"]["reference"]]
    assert billing["resourceType"] == (
        "Practitioner" if claim.billing_provider.is_person else "Organization"
    )
    assert {"system": NPI_SYSTEM, "value": claim.billing_provider.npi.value} in billing[
        "identifier"
    ]
    # fhir.resources accepts an empty insurance: check it ourselves.
    (insurance,) = fc["insurance"]
    assert insurance["focal"] is True
    coverage = urls[insurance["coverage"]["reference"]]
    assert coverage["resourceType"] == "Coverage"
    assert coverage["status"] == "active"
    assert coverage["subscriberId"] == claim.coverage.member_id
    assert coverage["payor"] == [fc["insurer"]]
    # US Core Coverage: the member id as an identifier of type MB, in the
    # payer's namespace; the plan type from the Source of Payment Typology.
    (member,) = coverage["identifier"]
    assert codings(member["type"]) == [("http://terminology.hl7.org/CodeSystem/v2-0203", "MB")]
    assert member["value"] == claim.coverage.member_id
    assert member["system"] == f"{DEFAULT_SYSTEMS.member}/{quote(claim.coverage.payer.id, safe='')}"
    assert codings(coverage["type"]) == [("https://nahdo.org/sopt", SOPT[claim.coverage.plan_type])]
    # Replacements and voids name the original claim.
    if claim.original_claim_number is None:
        assert "related" not in fc
    else:
        (related,) = fc["related"]
        assert related["claim"]["identifier"]["value"] == claim.original_claim_number
    # Diagnoses, in order, as ICD-10-CM with the dot.
    assert [d["sequence"] for d in fc["diagnosis"]] == list(range(1, len(claim.diagnoses) + 1))
    assert [codings(d["diagnosisCodeableConcept"]) for d in fc["diagnosis"]] == [
        [(ICD10CM_SYSTEM, code.value)] for code in claim.diagnoses
    ]
    # The first diagnosis is principal, the others secondary (CARIN BB professional).
    assert [[codings(t) for t in d["type"]] for d in fc["diagnosis"]] == [
        [[PRINCIPAL if sequence == 1 else SECONDARY]]
        for sequence in range(1, len(claim.diagnoses) + 1)
    ]
    # An accident with its date, typed by its cause.
    causes = claim.related_causes
    if causes is None or causes.accident_date is None:
        assert "accident" not in fc
    else:
        assert fc["accident"]["date"] == causes.accident_date.isoformat()
        kind = "MVA" if causes.auto_accident else "WPA" if causes.employment else None
        assert (codings(fc["accident"]["type"]) if "type" in fc["accident"] else None) == (
            None if kind is None else [(ACT_CODE, kind)]
        )
    # Every note is supporting information; the first prescription is the referral.
    notes_info = [
        i
        for i in fc.get("supportingInfo", [])
        if i["valueReference"]["reference"]
        in {e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Composition"}
    ]
    assert len(notes_info) == len(notes)
    if rxs:
        assert urls[fc["referral"]["reference"]]["requisition"] == {
            "system": DEFAULT_SYSTEMS.prescription,
            "value": rxs[0].id,
        }
    else:
        assert "referral" not in fc


@given(inputs())
def test_claim_items(data: tuple[Claim, list[Prescription], list[SoapNote]]) -> None:
    claim, rxs, notes = data
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=rxs, notes=notes)
    urls = by_url(bundle)
    fc = one(bundle, "Claim")
    # The care team: the treating provider first; items point at it.
    team = {member["sequence"]: member for member in fc["careTeam"]}
    assert urls[team[1]["provider"]["reference"]]["identifier"][0]["value"] == (
        claim.treating_provider.npi.value
    )
    info = {
        i["sequence"]: urls[i["valueReference"]["reference"]] for i in fc.get("supportingInfo", [])
    }
    for line, item in zip(claim.lines, fc["item"], strict=True):
        assert item["diagnosisSequence"] == list(line.diagnosis_pointers)
        assert all(1 <= p <= len(fc["diagnosis"]) for p in item["diagnosisSequence"])
        assert all(s in team for s in item["careTeamSequence"])
        (coding,) = item["productOrService"]["coding"]
        system = HCPCS_SYSTEM if line.code.value[0].isalpha() else CPT_SYSTEM
        assert coding == {"system": system, "code": line.code.value}
        assert [c["coding"][0]["code"] for c in item.get("modifier", [])] == [
            m.value for m in line.modifiers
        ]
        assert item["servicedDate"] == line.date_of_service.isoformat()
        assert item["quantity"] == {"value": line.units}
        assert item["net"] == {"value": line.charge, "currency": "USD"}
        assert item["net"]["value"].as_tuple().exponent == -2
        # The price of one unit, to the cent: units times it is the charge,
        # within half a cent a unit.
        price = item["unitPrice"]["value"]
        assert item["unitPrice"]["currency"] == "USD"
        assert price.as_tuple().exponent == -2
        assert abs(price * line.units - line.charge) <= Decimal("0.005") * line.units
        for sequence in item.get("informationSequence", []):
            assert info[sequence]["resourceType"] == "Composition"
            assert info[sequence]["event"][0]["period"]["start"] == item["servicedDate"]
    assert fc["total"] == {"value": claim.total_charge, "currency": "USD"}


@given(inputs())
def test_parties_mapping(data: tuple[Claim, list[Prescription], list[SoapNote]]) -> None:
    claim, rxs, notes = data
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=rxs, notes=notes)
    urls = by_url(bundle)
    patient = one(bundle, "Patient")
    assert patient["identifier"] == [{"system": DEFAULT_SYSTEMS.patient, "value": claim.patient.id}]
    assert patient["name"][0]["family"] == claim.patient.name.family
    assert patient["name"][0]["given"][0] == claim.patient.name.given
    assert patient["gender"] in GENDER
    assert patient["gender"] == claim.patient.sex.value
    assert patient["birthDate"] == claim.patient.birth_date.isoformat()
    assert ("address" in patient) == (claim.patient.address is not None)
    coverage = one(bundle, "Coverage")
    subscriber = urls[coverage["subscriber"]["reference"]]
    if claim.coverage.subscriber is None:
        assert subscriber is patient
    else:
        assert subscriber["resourceType"] == "RelatedPerson"
        assert subscriber["patient"] == coverage["beneficiary"]
    assert codings(coverage["relationship"])[0][1] == claim.coverage.relationship.value
    # One resource per distinct provider.
    providers = [r for r in resources(bundle) if r["resourceType"] == "Practitioner"]
    npis = [r["identifier"][0]["value"] for r in providers]
    assert len(providers) == len({p for p in _providers(claim, rxs, notes) if p.is_person})
    assert all(npi.isdigit() for npi in npis)


def _providers(claim: Claim, rxs: list[Prescription], notes: list[SoapNote]) -> set[Provider]:
    found = {claim.billing_provider, claim.treating_provider}
    if claim.referring_provider is not None:
        found.add(claim.referring_provider)
    found |= {rx.prescriber for rx in rxs}
    for note in notes:
        found.add(note.provider)
        if note.is_signed and note.signature is not None:
            found.add(note.signature.signer)
        found |= {addendum.author for addendum in note.addenda}
    return found


@given(inputs())
def test_documents_mapping(data: tuple[Claim, list[Prescription], list[SoapNote]]) -> None:
    claim, rxs, notes = data
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=rxs, notes=notes)
    requests = resources(bundle, "ServiceRequest")
    for rx in rxs:
        # The prescription's requests, in the order of its codes.
        mine = [r for r in requests if r["requisition"]["value"] == rx.id]
        assert {r["requisition"]["system"] for r in mine} == {DEFAULT_SYSTEMS.prescription}
        # US Core: every ServiceRequest has a code; one per ordered code, and
        # a prescription of any code has one request with a text-only code.
        assert all(r["code"] for r in mine)
        if rx.procedures:
            assert [codings(r["code"]) for r in mine] == [
                [(HCPCS_SYSTEM if c.is_hcpcs_level2 else CPT_SYSTEM, c.value)]
                for c in rx.procedures
            ]
        else:
            assert [r["code"] for r in mine] == [{"text": ANY_PROCEDURE_TEXT}]
        for request in mine:
            assert "orderDetail" not in request
            assert request["status"] in REQUEST_STATUS
            assert request["intent"] == "order"
            assert request["subject"] == one(bundle, "Claim")["patient"]
            assert [codings(c)[0] for c in request["reasonCode"]] == [
                (ICD10CM_SYSTEM, code.value) for code in rx.diagnoses
            ]
            assert request["authoredOn"] == rx.written_on.isoformat()
    assert len(requests) == sum(len(rx.procedures) or 1 for rx in rxs)
    for note, composition in zip(notes, resources(bundle, "Composition"), strict=True):
        assert composition["status"] in COMPOSITION_STATUS
        assert (composition["status"] != "preliminary") == note.is_signed
        assert ("attester" in composition) == note.is_signed
        assert codings(composition["type"]) == [(LOINC_SYSTEM, "11506-3")]
        sections = composition["section"]
        assert [s["title"] for s in sections[:4]] == [
            "Subjective",
            "Objective",
            "Assessment",
            "Plan",
        ]
        assert [codings(s["code"])[0][1] for s in sections[:4]] == [
            "61150-9",
            "61149-1",
            "51848-0",
            "18776-5",
        ]
        assert len(sections) == 4 + len(note.addenda)
        for section in sections:
            root = ET.fromstring(section["text"]["div"])  # noqa: S314 - our own output
            assert root.tag == f"{XHTML}div"
            assert {el.tag for el in root.iter()} <= {
                f"{XHTML}{t}" for t in ("div", "p", "b", "br")
            }
            assert not any(el.attrib for el in root.iter() if el is not root)
        assert note.subjective.chief_complaint in div_text(sections[0])


@given(inputs())
def test_notes_as_document_references(
    data: tuple[Claim, list[Prescription], list[SoapNote]],
) -> None:
    # Each note is also a US Core DocumentReference: a clinical note of the same
    # type, its Composition in context.related, its text as an XHTML document.
    claim, rxs, notes = data
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=rxs, notes=notes)
    urls = by_url(bundle)
    for note, document in zip(notes, resources(bundle, "DocumentReference"), strict=True):
        assert document["status"] == "current"
        assert document["identifier"] == [{"system": DEFAULT_SYSTEMS.note, "value": note.id}]
        assert codings(document["type"]) == [(LOINC_SYSTEM, "11506-3")]
        assert [codings(c) for c in document["category"]] == [[CLINICAL_NOTE]]
        assert document["subject"] == one(bundle, "Claim")["patient"]
        assert ("authenticator" in document) == note.is_signed
        (related,) = document["context"]["related"]
        composition = urls[related["reference"]]
        assert composition["resourceType"] == "Composition"
        assert composition["identifier"]["value"] == note.id
        assert document["docStatus"] == composition["status"]
        day = note.date_of_service.isoformat()
        assert document["context"]["period"] == {"start": day, "end": day}
        (content,) = document["content"]
        attachment = content["attachment"]
        assert attachment["contentType"] == "application/xhtml+xml"
        root = ET.fromstring(base64.b64decode(attachment["data"]).decode())  # noqa: S314 - ours
        assert root.tag == f"{XHTML}html"
        headings = [el.text for el in root.iter(f"{XHTML}h2")]
        assert headings == [s["title"] for s in composition["section"]]
        assert note.subjective.chief_complaint in "".join(root.itertext())


@given(inputs())
def test_same_input_same_output(data: tuple[Claim, list[Prescription], list[SoapNote]]) -> None:
    claim, rxs, notes = data
    first = to_fhir_json(claim, created=CREATED, prescriptions=rxs, notes=notes)
    assert to_fhir_json(claim, created=CREATED, prescriptions=rxs, notes=notes) == first
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=rxs, notes=notes)
    # The JSON text carries the decimals exactly.
    assert json.loads(first, parse_float=Decimal) == bundle
    assert json.loads(to_fhir_json(claim, created=CREATED, indent=2), parse_float=Decimal) == (
        to_fhir_bundle(claim, created=CREATED)
    )


def _ids(bundle: dict[str, Any]) -> dict[str, str]:
    # The id of each resource of a bundle by its type (providers by NPI).
    found: dict[str, str] = {}
    for resource in resources(bundle):
        kind = resource["resourceType"]
        if kind in {"Practitioner", "Organization"} and "type" in resource:
            kind = f"{kind}:{resource['type'][0]['coding'][0]['code']}"
        if kind in {"Practitioner", "Organization:prov"}:
            kind = f"{kind}:{resource['identifier'][0]['value']}"
        found.setdefault(kind, resource["id"])
    found["Bundle"] = bundle["id"]
    return found


@given(sbst.claims(max_lines=2).map(dated), sbst.claims(max_lines=2).map(dated))
def test_ids_are_named_by_what_identifies_each_resource(first: Claim, second: Claim) -> None:
    # Two claims with one id: the same Claim id; each party's id is the same
    # exactly when what identifies it is, whatever else the claims hold.
    second = attrs.evolve(second, id=first.id)
    a = _ids(to_fhir_bundle(first, created=CREATED))
    b = _ids(to_fhir_bundle(second, created=date(2031, 6, 1)))
    assert a["Claim"] == b["Claim"]
    assert a["Bundle"] == b["Bundle"]
    same_patient = first.patient.id == second.patient.id
    assert (a["Patient"] == b["Patient"]) == same_patient
    assert (a["Organization:pay"] == b["Organization:pay"]) == (
        first.coverage.payer.id == second.coverage.payer.id
    )
    same_coverage = same_patient and (first.coverage.payer.id, first.coverage.member_id) == (
        second.coverage.payer.id,
        second.coverage.member_id,
    )
    assert (a["Coverage"] == b["Coverage"]) == same_coverage
    if "RelatedPerson" in a and "RelatedPerson" in b:
        assert (a["RelatedPerson"] == b["RelatedPerson"]) == same_coverage
    # A provider's id holds its NPI; the first provider of an NPI in a bundle
    # has the same id in every bundle (a second, unequal one is numbered).
    for ids in (a, b):
        for kind, rid in ids.items():
            if kind.startswith(("Practitioner:", "Organization:prov:")):
                assert rid.endswith(kind.rsplit(":", 1)[1])
    first_of_npi = {rid for rid in [*a.values(), *b.values()] if rid[19:26] == "9000-00"}
    assert len({rid[-10:] for rid in first_of_npi}) == len(first_of_npi)


def test_two_patients_on_claims_with_one_id_have_two_patient_ids() -> None:
    other = attrs.evolve(PATIENT, id="P-2")
    first = to_fhir_bundle(make_claim(), created=CREATED)
    second = to_fhir_bundle(make_claim(patient=other), created=CREATED)
    assert one(first, "Patient")["id"] != one(second, "Patient")["id"]
    assert one(first, "Coverage")["id"] != one(second, "Coverage")["id"]
    assert one(first, "Claim")["id"] == one(second, "Claim")["id"]
    # The same patient on another claim: the same Patient, payer and Coverage.
    third = to_fhir_bundle(make_claim(id="CLM-2"), created=CREATED)
    for kind in ("Patient", "Coverage"):
        assert one(first, kind)["id"] == one(third, kind)["id"]
    assert one(first, "Claim")["id"] != one(third, "Claim")["id"]
    assert first["id"] != third["id"]


def test_ids_and_identifiers_follow_the_systems() -> None:
    systems = IdentifierSystems.under("https://clinic.example/ids")
    rx, note = make_rx(), make_note()
    ours = to_fhir_bundle(make_claim(), created=CREATED, prescriptions=[rx], notes=[note])
    theirs = to_fhir_bundle(
        make_claim(), created=CREATED, prescriptions=[rx], notes=[note], systems=systems
    )
    a, b = _ids(ours), _ids(theirs)
    for kind in ("Bundle", "Claim", "Patient", "Coverage", "Organization:pay"):
        assert a[kind] != b[kind]
    assert one(ours, "ServiceRequest")["id"] != one(theirs, "ServiceRequest")["id"]
    assert one(ours, "Composition")["id"] != one(theirs, "Composition")["id"]
    # A provider is named by its NPI alone.
    assert a["Practitioner:1234567893"] == b["Practitioner:1234567893"]
    base = "https://clinic.example/ids"
    assert one(theirs, "Claim")["identifier"] == [{"system": f"{base}/claim", "value": "CLM-1"}]
    assert one(theirs, "Patient")["identifier"] == [{"system": f"{base}/patient", "value": "P-1"}]
    payer = resources(theirs, "Organization")[0]
    assert payer["identifier"] == [{"system": f"{base}/payer", "value": "EX123"}]
    assert one(theirs, "Coverage")["identifier"][0]["system"] == f"{base}/member/EX123"
    assert one(theirs, "Composition")["identifier"] == {"system": f"{base}/note", "value": "N-1"}


def test_a_member_system_names_the_payer_percent_encoded() -> None:
    coverage = attrs.evolve(COVERAGE, payer=Payer(id="A/B C?", name="Example Health"))
    member = one(to_fhir_bundle(make_claim(coverage=coverage), created=CREATED), "Coverage")
    assert member["identifier"][0]["system"] == f"{DEFAULT_SYSTEMS.member}/A%2FB%20C%3F"


@pytest.mark.parametrize(
    ("plan_type", "code"),
    [
        pytest.param(PlanType.COMMERCIAL, "5", id="commercial"),
        pytest.param(PlanType.MEDICARE_PART_B, "121", id="medicare-part-b"),
        pytest.param(PlanType.MEDICARE_ADVANTAGE, "11", id="medicare-advantage"),
        pytest.param(PlanType.MEDICAID, "2", id="medicaid"),
        pytest.param(PlanType.AUTO_PIP, "96", id="auto-pip"),
        pytest.param(PlanType.WORKERS_COMP, "95", id="workers-comp"),
        pytest.param(PlanType.OTHER, "9", id="other"),
    ],
)
def test_coverage_type_is_the_payer_type(plan_type: PlanType, code: str) -> None:
    # US Core Coverage.type: the VSAC "Payer" value set, Source of Payment Typology.
    coverage = attrs.evolve(COVERAGE, plan_type=plan_type)
    resource = one(to_fhir_bundle(make_claim(coverage=coverage), created=CREATED), "Coverage")
    assert resource["type"] == {"coding": [{"system": "https://nahdo.org/sopt", "code": code}]}


def test_every_plan_type_has_a_payer_type() -> None:
    assert set(SOPT) == set(PlanType)


# --- one mapping at a time ------------------------------------------------------------


def test_money_is_written_exactly() -> None:
    text = to_fhir_json(make_claim(), created=CREATED)
    assert '"net":{"value":130.00,"currency":"USD"}' in text
    assert '"net":{"value":20.50,"currency":"USD"}' in text
    assert '"total":{"value":150.50,"currency":"USD"}' in text
    indented = to_fhir_json(make_claim(), created=CREATED, indent=1)
    assert '"value": 150.50' in indented
    assert indented.count("\n") > 100


def test_code_systems_and_labels() -> None:
    fc = one(to_fhir_bundle(make_claim(), created=CREATED), "Claim")
    massage, estim = fc["item"]
    assert massage["productOrService"] == {
        "coding": [{"system": CPT_SYSTEM, "code": "97124"}],
        "text": "Massage therapy",
    }
    assert estim["productOrService"]["coding"] == [{"system": HCPCS_SYSTEM, "code": "G0283"}]
    # GP is a HCPCS Level II modifier, 59 a CPT one.
    assert [codings(m)[0] for m in massage["modifier"]] == [
        (HCPCS_SYSTEM, "GP"),
        (CPT_SYSTEM, "59"),
    ]
    assert "modifier" not in estim
    assert massage["diagnosisSequence"] == [2, 1]
    assert massage["locationCodeableConcept"]["coding"][0]["code"] == "11"


def test_a_code_outside_the_catalogue_has_no_label() -> None:
    line = attrs.evolve(make_claim().lines[0], code=CptCode("99999"))
    claim = make_claim(lines=(line,))
    fc = one(to_fhir_bundle(claim, created=CREATED), "Claim")
    assert "text" not in fc["item"][0]["productOrService"]
    catalog = DEFAULT_CATALOG.extend(
        CodeInfo(code=CptCode("99999"), label="Our own label", timed=False)
    )
    fc = one(to_fhir_bundle(claim, created=CREATED, catalog=catalog), "Claim")
    assert fc["item"][0]["productOrService"]["text"] == "Our own label"


def test_rendering_provider_is_in_the_care_team_with_its_taxonomy() -> None:
    bundle = to_fhir_bundle(make_claim(referring_provider=DOCTOR), created=CREATED)
    urls = by_url(bundle)
    fc = one(bundle, "Claim")
    primary, referring = fc["careTeam"]
    assert codings(primary["role"]) == [
        ("http://terminology.hl7.org/CodeSystem/claimcareteamrole", "primary")
    ]
    assert codings(primary["qualification"]) == [
        ("http://nucc.org/provider-taxonomy", "225700000X")
    ]
    therapist = urls[primary["provider"]["reference"]]
    assert therapist["qualification"] == [
        {
            "identifier": [{"value": "MA60000000"}],
            "code": {"text": "LMT"},
            "issuer": {"display": "WA"},
        }
    ]
    assert referring["role"]["text"] == "Referring provider"
    assert urls[referring["provider"]["reference"]]["name"][0]["family"] == "Ng"
    clinic = urls[fc["provider"]["reference"]]
    assert clinic["resourceType"] == "Organization"
    assert clinic["identifier"] == [
        {"system": NPI_SYSTEM, "value": "1245319599"},
        {"system": "urn:oid:2.16.840.1.113883.4.4", "value": "123456789"},
    ]


def test_a_sole_proprietors_ssn_is_not_called_an_ein() -> None:
    claim = make_claim()
    sole = attrs.evolve(claim.billing_provider, tax_id=TaxId("123-45-6789"))
    bundle = to_fhir_bundle(attrs.evolve(claim, billing_provider=sole), created=CREATED)
    identifiers = [i for r in resources(bundle) for i in r.get("identifier", ())]
    assert {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "123456789"} in identifiers
    assert not any(i.get("system") == "urn:oid:2.16.840.1.113883.4.4" for i in identifiers)


def test_one_resource_per_provider() -> None:
    # The therapist treats, writes the note and signs it: one Practitioner.
    note = make_note().sign(THERAPIST, DAY)
    bundle = to_fhir_bundle(make_claim(), created=CREATED, notes=[note])
    assert len(resources(bundle, "Practitioner")) == 1
    # Same NPI, other details: two resources, two ids.
    moved = attrs.evolve(THERAPIST, phone="2065550100")
    bundle = to_fhir_bundle(make_claim(), created=CREATED, notes=[make_note(provider=moved)])
    practitioners = resources(bundle, "Practitioner")
    assert len(practitioners) == 2
    assert practitioners[0]["id"] != practitioners[1]["id"]
    # The NPI names the provider in its id, the second of one NPI numbered 1.
    assert [p["id"][19:] for p in practitioners] == ["9000-001234567893", "9000-011234567893"]


def test_a_prescribed_code_the_catalogue_lacks_has_no_text() -> None:
    rx = make_rx(procedures=(CptCode("97124"),))
    catalog = Catalog.of([])
    bundle = to_fhir_bundle(make_claim(), created=CREATED, prescriptions=[rx], catalog=catalog)
    assert one(bundle, "ServiceRequest")["code"] == {
        "coding": [{"system": CPT_SYSTEM, "code": "97124"}]
    }
    # The claim's items too: a code without a label is a coding alone.
    assert all("text" not in item["productOrService"] for item in one(bundle, "Claim")["item"])


def test_codes_outside_the_default_catalogue_have_no_text() -> None:
    line = attrs.evolve(make_claim().lines[0], code=CptCode("97799"))
    claim = make_claim(lines=(line,))
    rx = make_rx(procedures=(CptCode("97799"), CptCode("97124")))
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=[rx])
    unknown = {"coding": [{"system": CPT_SYSTEM, "code": "97799"}]}
    assert one(bundle, "Claim")["item"][0]["productOrService"] == unknown
    unknown_request, massage_request = resources(bundle, "ServiceRequest")
    assert unknown_request["code"] == unknown
    assert massage_request["code"]["text"] == DEFAULT_CATALOG.label(CptCode("97124"))


def test_every_part_of_a_bundle_is_its_own() -> None:
    # The Bundle is built of new dicts and lists: changing one part of it
    # changes no other part, and no later Bundle.
    claim = make_claim(referring_provider=DOCTOR)
    rx = make_rx(procedures=(CptCode("97124"),))
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=[rx])
    expected = to_fhir_bundle(claim, created=CREATED, prescriptions=[rx])
    fc = one(bundle, "Claim")
    fc["item"][0]["productOrService"]["text"] = "changed"
    fc["item"][0]["locationCodeableConcept"]["coding"][0]["code"] = "99"
    fc["careTeam"][1]["role"]["coding"][0]["code"] = "changed"
    fc["total"]["currency"] = "EUR"
    assert fc["item"][1]["locationCodeableConcept"]["coding"][0]["code"] == "11"
    assert fc["careTeam"][0]["role"]["coding"][0]["code"] == "primary"
    assert one(bundle, "ServiceRequest")["code"] == {
        "coding": [{"system": CPT_SYSTEM, "code": "97124"}],
        "text": DEFAULT_CATALOG.label(CptCode("97124")),
    }
    assert to_fhir_bundle(claim, created=CREATED, prescriptions=[rx]) == expected


def test_too_many_providers_of_one_npi_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # An id numbers the providers of one NPI in five hex digits.
    monkeypatch.setattr(fhir, "_MAX_VARIANTS", 0)
    moved = attrs.evolve(THERAPIST, phone="2065550100")
    with pytest.raises(ValidationError) as info:
        to_fhir_json(make_claim(), created=CREATED, notes=[make_note(provider=moved)])
    assert info.value.errors[0].code == "too_many"


def test_billing_provider_person_without_rendering() -> None:
    claim = make_claim(billing_provider=THERAPIST, rendering_provider=None)
    bundle = to_fhir_bundle(claim, created=CREATED)
    fc = one(bundle, "Claim")
    assert fc["careTeam"][0]["provider"] == fc["provider"]
    assert by_url(bundle)[fc["provider"]["reference"]]["resourceType"] == "Practitioner"


@pytest.mark.parametrize(
    ("frequency", "status"),
    [
        pytest.param(ClaimFrequency.REPLACEMENT, "active", id="replacement"),
        pytest.param(ClaimFrequency.VOID, "cancelled", id="void"),
    ],
)
def test_replacement_and_void(frequency: ClaimFrequency, status: str) -> None:
    claim = make_claim(frequency=frequency, original_claim_number="PAYER-ICN-9")
    fc = one(to_fhir_bundle(claim, created=CREATED), "Claim")
    assert fc["status"] == status
    assert fc["related"] == [
        {
            "claim": {"identifier": {"value": "PAYER-ICN-9"}},
            "relationship": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship",
                        "code": "prior",
                    }
                ]
            },
        }
    ]


def test_subscriber_who_is_not_the_patient() -> None:
    coverage = attrs.evolve(
        COVERAGE,
        relationship=Relationship.CHILD,
        subscriber=Subscriber(
            name=PersonName(family="Doe", given="John"), birth_date=date(1950, 1, 1), sex=Sex.MALE
        ),
        group_number="G-7",
        start=date(2026, 1, 1),
    )
    bundle = to_fhir_bundle(make_claim(coverage=coverage), created=CREATED)
    fhir_coverage = one(bundle, "Coverage")
    person = one(bundle, "RelatedPerson")
    assert fhir_coverage["subscriber"] == {"reference": f"urn:uuid:{person['id']}"}
    assert fhir_coverage["relationship"]["coding"][0]["code"] == "child"
    assert fhir_coverage["period"] == {"start": "2026-01-01"}
    assert fhir_coverage["class"][0]["value"] == "G-7"
    assert person["name"] == [{"family": "Doe", "given": ["John"]}]


def test_accident() -> None:
    causes = RelatedCauses(auto_accident=True, accident_state="WA", accident_date=date(2026, 2, 1))
    fc = one(to_fhir_bundle(make_claim(related_causes=causes), created=CREATED), "Claim")
    assert fc["accident"] == {
        "date": "2026-02-01",
        "type": {"coding": [{"system": ACT_CODE, "code": "MVA"}]},
        "locationAddress": {"state": "WA", "country": "US"},
    }
    # A workplace accident says so (v3 ActIncidentCode WPA).
    work = RelatedCauses(employment=True, accident_date=date(2026, 2, 1))
    fc = one(to_fhir_bundle(make_claim(related_causes=work), created=CREATED), "Claim")
    assert fc["accident"] == {
        "date": "2026-02-01",
        "type": {"coding": [{"system": ACT_CODE, "code": "WPA"}]},
    }
    # An auto accident at work is a motor vehicle accident.
    both = attrs.evolve(causes, employment=True)
    fc = one(to_fhir_bundle(make_claim(related_causes=both), created=CREATED), "Claim")
    assert fc["accident"]["type"]["coding"][0]["code"] == "MVA"
    other = RelatedCauses(other_accident=True, accident_date=date(2026, 2, 1))
    fc = one(to_fhir_bundle(make_claim(related_causes=other), created=CREATED), "Claim")
    assert fc["accident"] == {"date": "2026-02-01"}
    # A condition related to employment, with no accident date, is no accident.
    employment = RelatedCauses(employment=True)
    fc = one(to_fhir_bundle(make_claim(related_causes=employment), created=CREATED), "Claim")
    assert "accident" not in fc


@given(
    claim=sbst.claims(max_lines=1),
    causes=st.sampled_from(
        [
            RelatedCauses(auto_accident=True, accident_state="WA"),
            RelatedCauses(other_accident=True),
            RelatedCauses(employment=True, other_accident=True),
            RelatedCauses(employment=True, auto_accident=True, accident_state="OR"),
        ]
    ),
)
def test_an_accident_without_its_date_is_refused(claim: Claim, causes: RelatedCauses) -> None:
    # Claim.accident.date is required: the accident is refused, not dropped.
    claim = attrs.evolve(
        claim,
        related_causes=causes,
        patient=attrs.evolve(claim.patient, name=PersonName(family=SENTINEL, given="Jane")),
        coverage=attrs.evolve(claim.coverage, member_id=SENTINEL),
    )
    for write in (to_fhir_bundle, to_fhir_json):
        with pytest.raises(ValidationError) as info:
            write(claim, created=CREATED)
        assert [(d.path, d.code) for d in info.value.errors] == [
            ("claim.related_causes.accident_date", "required")
        ]
        for text in (str(info.value), repr(info.value), repr(info.value.args)):
            assert SENTINEL not in text


@pytest.mark.parametrize(
    ("charge", "units", "price"),
    [
        pytest.param("130.00", 2, "65.00", id="even"),
        pytest.param("100.00", 3, "33.33", id="down"),
        pytest.param("200.00", 3, "66.67", id="up"),
        pytest.param("0.05", 2, "0.03", id="half-up"),
        pytest.param("0.00", 4, "0.00", id="zero"),
    ],
)
def test_unit_price(charge: str, units: int, price: str) -> None:
    line = attrs.evolve(make_claim().lines[0], charge=Decimal(charge), units=units)
    claim = make_claim(lines=(line,))
    item = one(to_fhir_bundle(claim, created=CREATED), "Claim")["item"][0]
    assert item["unitPrice"] == {"value": Decimal(price), "currency": "USD"}
    assert str(item["unitPrice"]["value"]) == price
    assert f'"unitPrice":{{"value":{price},"currency":"USD"}}' in to_fhir_json(
        claim, created=CREATED
    )
    # net stays the charge billed.
    assert item["net"]["value"] == Decimal(charge)


def test_diagnosis_types() -> None:
    fc = one(to_fhir_bundle(make_claim(), created=CREATED), "Claim")
    assert [d["type"] for d in fc["diagnosis"]] == [
        [{"coding": [{"system": PRINCIPAL[0], "code": "principal"}]}],
        [{"coding": [{"system": SECONDARY[0], "code": "secondary"}]}],
    ]


def test_prior_authorization() -> None:
    fc = one(to_fhir_bundle(make_claim(prior_authorization="PA-1"), created=CREATED), "Claim")
    assert fc["insurance"][0]["preAuthRef"] == ["PA-1"]


@pytest.mark.parametrize(
    ("procedures", "codes"),
    [
        pytest.param((), [{"text": ANY_PROCEDURE_TEXT}], id="any-procedure"),
        pytest.param(
            (CptCode("97124"),),
            [{"coding": [{"system": CPT_SYSTEM, "code": "97124"}], "text": "Massage therapy"}],
            id="one-procedure",
        ),
        pytest.param(
            (CptCode("97124"), CptCode("G0283")),
            [
                {"coding": [{"system": CPT_SYSTEM, "code": "97124"}], "text": "Massage therapy"},
                {
                    "coding": [{"system": HCPCS_SYSTEM, "code": "G0283"}],
                    "text": DEFAULT_CATALOG.label(CptCode("G0283")),
                },
            ],
            id="two",
        ),
    ],
)
def test_prescription_procedures(
    procedures: tuple[CptCode, ...], codes: list[dict[str, Any]]
) -> None:
    # US Core ServiceRequest requires code: one request per ordered code, all
    # of one requisition (the prescription's id), never orderDetail.
    bundle = to_fhir_bundle(
        make_claim(), created=CREATED, prescriptions=[make_rx(procedures=procedures)]
    )
    requests = resources(bundle, "ServiceRequest")
    assert [request["code"] for request in requests] == codes
    assert [request["requisition"] for request in requests] == [
        {"system": DEFAULT_SYSTEMS.prescription, "value": "RX-1"}
    ] * len(codes)
    assert not any("orderDetail" in request for request in requests)
    # The first is the claim's referral; the others support the claim.
    fc = one(bundle, "Claim")
    urls = [entry["fullUrl"] for entry in bundle["entry"][-len(codes) :]]
    assert fc["referral"] == {"reference": urls[0]}
    assert [i["valueReference"]["reference"] for i in fc.get("supportingInfo", [])] == urls[1:]
    assert len(set(urls)) == len(urls)


def test_prescription_system_is_the_callers() -> None:
    systems = IdentifierSystems.under("https://clinic.example/ids")
    bundle = to_fhir_bundle(
        make_claim(), created=CREATED, prescriptions=[make_rx()], systems=systems
    )
    assert one(bundle, "ServiceRequest")["requisition"] == {
        "system": "https://clinic.example/ids/prescription",
        "value": "RX-1",
    }


def test_prescription_validity_visits_and_frequency() -> None:
    rx = make_rx(visits_authorized=12, notes="Twice a week <b>only</b>")
    request = one(
        to_fhir_bundle(make_claim(), created=CREATED, prescriptions=[rx]), "ServiceRequest"
    )
    assert request["occurrencePeriod"] == {"start": "2026-02-01", "end": "2026-05-01"}
    assert request["quantityQuantity"] == {"value": 12, "unit": "visits"}
    assert request["note"] == [{"text": "Twice a week <b>only</b>"}]
    rx = make_rx(valid_days=None, frequency=Frequency(per_week=2, weeks=6))
    request = one(
        to_fhir_bundle(make_claim(), created=CREATED, prescriptions=[rx]), "ServiceRequest"
    )
    assert request["occurrenceTiming"] == {
        "repeat": {
            "boundsPeriod": {"start": "2026-02-01"},
            "count": 12,
            "frequency": 2,
            "period": 1,
            "periodUnit": "wk",
        }
    }


def test_later_prescriptions_are_supporting_information() -> None:
    rxs = [make_rx(), make_rx(id="RX-2")]
    bundle = to_fhir_bundle(make_claim(), created=CREATED, prescriptions=rxs, notes=[make_note()])
    urls = by_url(bundle)
    fc = one(bundle, "Claim")
    assert urls[fc["referral"]["reference"]]["requisition"]["value"] == "RX-1"
    info = [urls[i["valueReference"]["reference"]] for i in fc["supportingInfo"]]
    assert [r["resourceType"] for r in info] == ["Composition", "ServiceRequest"]
    assert info[1]["requisition"]["value"] == "RX-2"
    assert [i["sequence"] for i in fc["supportingInfo"]] == [1, 2]
    assert fc["item"][0]["informationSequence"] == [1]


def test_note_status_follows_its_signature() -> None:
    draft = make_note()
    signed = draft.sign(THERAPIST, date(2026, 3, 3))
    amended = signed.amend(
        Addendum(author=THERAPIST, written_on=date(2026, 3, 4), text="Late entry")
    )
    tampered = attrs.evolve(signed, subjective=Subjective(chief_complaint="Changed"))
    statuses = []
    for note in (draft, signed, amended, tampered):
        composition = one(
            to_fhir_bundle(make_claim(), created=CREATED, notes=[note]), "Composition"
        )
        statuses.append((composition["status"], composition["date"], "attester" in composition))
    assert statuses == [
        ("preliminary", "2026-03-02", False),
        ("final", "2026-03-03", True),
        ("amended", "2026-03-03", True),
        ("preliminary", "2026-03-02", False),
    ]
    composition = one(to_fhir_bundle(make_claim(), created=CREATED, notes=[amended]), "Composition")
    addendum = composition["section"][4]
    assert addendum["title"] == "Addendum 2026-03-04"
    assert div_text(addendum) == "Late entry"


def test_a_note_is_also_a_document_reference() -> None:
    note = make_note(subjective=Subjective(chief_complaint=HOSTILE)).sign(THERAPIST, DAY)
    bundle = to_fhir_bundle(make_claim(), created=CREATED, notes=[note])
    composition = one(bundle, "Composition")
    document = one(bundle, "DocumentReference")
    assert bundle["entry"][-1]["resource"] is document
    assert document["type"] == {
        "coding": [{"system": LOINC_SYSTEM, "code": "11506-3", "display": "Progress note"}]
    }
    assert document["category"] == [
        {"coding": [{"system": CLINICAL_NOTE[0], "code": "clinical-note"}]}
    ]
    assert document["docStatus"] == "final"
    assert document["authenticator"] == composition["attester"][0]["party"]
    assert document["context"]["related"] == [{"reference": f"urn:uuid:{composition['id']}"}]
    attachment = document["content"][0]["attachment"]
    assert attachment["creation"] == DAY.isoformat()
    text = base64.b64decode(attachment["data"]).decode()
    assert text.startswith('<html xmlns="http://www.w3.org/1999/xhtml"><head><title>SOAP note')
    assert "<script>" not in text
    root = ET.fromstring(text)  # noqa: S314 - our own output
    assert "<script>alert('x')</script>" in "".join(root.itertext())
    # Named by the note's id: the same in every bundle, unlike the Composition's.
    again = to_fhir_bundle(make_claim(id="CLM-9"), created=CREATED, notes=[note])
    assert one(again, "DocumentReference")["id"] == document["id"] != composition["id"]
    # The JSON writer writes the same resource.
    written = json.loads(to_fhir_json(make_claim(), created=CREATED, notes=[note]))
    assert written["entry"][-1]["resource"] == document


def test_empty_sections_say_so() -> None:
    composition = one(
        to_fhir_bundle(make_claim(), created=CREATED, notes=[make_note()]), "Composition"
    )
    assert [div_text(s) for s in composition["section"]] == [
        "Chief complaint: Low back pain",
        "Nothing recorded.",
        "Nothing recorded.",
        "Nothing recorded.",
    ]


HOSTILE = "<script>alert('x')</script> & \"q\"\x01\ufffe]]>"


def test_section_text_is_escaped() -> None:
    note = make_note(
        subjective=Subjective(chief_complaint=HOSTILE, limitations=("a\nb",), text="line 1\nline 2")
    )
    composition = one(to_fhir_bundle(make_claim(), created=CREATED, notes=[note]), "Composition")
    div = composition["section"][0]["text"]["div"]
    assert "<script>" not in div
    root = ET.fromstring(div)  # noqa: S314 - our own output
    assert {el.tag for el in root.iter()} == {f"{XHTML}{t}" for t in ("div", "p", "b", "br")}
    text = "".join(root.itertext())
    # XML cannot carry \x01 or \ufffe: they become the replacement character.
    assert "<script>alert('x')</script> & \"q\"\ufffd\ufffd]]>" in text
    assert "line 1line 2" in text


def test_note_codes_are_data() -> None:
    codes = attrs.evolve(
        DEFAULT_NOTE_CODES,
        document=Coding(
            system=LOINC_SYSTEM, code="11508-9", display="Physical therapy Progress note"
        ),
        assessment=Coding(system="urn:example:codes", code="A"),
    )
    composition = one(
        to_fhir_bundle(make_claim(), created=CREATED, notes=[make_note()], note_codes=codes),
        "Composition",
    )
    assert composition["type"]["coding"][0]["code"] == "11508-9"
    assert composition["section"][2]["code"] == {
        "coding": [{"system": "urn:example:codes", "code": "A"}]
    }


def test_default_note_codes() -> None:
    expected = NoteCodes(
        document=Coding(system=LOINC_SYSTEM, code="11506-3", display="Progress note"),
        subjective=Coding(system=LOINC_SYSTEM, code="61150-9"),
        objective=Coding(system=LOINC_SYSTEM, code="61149-1"),
        assessment=Coding(system=LOINC_SYSTEM, code="51848-0"),
        plan=Coding(system=LOINC_SYSTEM, code="18776-5"),
    )
    assert expected == DEFAULT_NOTE_CODES


# --- refused inputs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "path", "code"),
    [
        pytest.param({"claim": "claim"}, "claim", "invalid_type", id="claim-type"),
        pytest.param(
            {"created": datetime(2031, 1, 2, 3, 4, tzinfo=UTC)},
            "created",
            "invalid_type",
            id="datetime",
        ),
        pytest.param({"created": "2031-01-02"}, "created", "invalid_type", id="created-str"),
        pytest.param({"note_codes": {}}, "note_codes", "invalid_type", id="note-codes"),
        pytest.param(
            {"prescriptions": [make_note()]}, "prescriptions[0]", "invalid_type", id="rx-type"
        ),
        pytest.param({"notes": [make_rx()]}, "notes[0]", "invalid_type", id="note-type"),
        pytest.param({"prescriptions": None}, "prescriptions", "invalid_type", id="rx-None"),
        pytest.param({"notes": 5}, "notes", "invalid_type", id="notes-5"),
        pytest.param({"notes": SENTINEL}, "notes", "invalid_type", id="notes-text"),
        pytest.param({"catalog": 5}, "catalog", "invalid_type", id="catalog-5"),
        pytest.param({"catalog": {}}, "catalog", "invalid_type", id="catalog-dict"),
        pytest.param({"systems": SENTINEL}, "systems", "invalid_type", id="systems-text"),
        pytest.param(
            {"prescriptions": [make_rx(), make_rx(patient_id=SENTINEL)]},
            "prescriptions[1].patient_id",
            "patient_mismatch",
            id="rx-other-patient",
        ),
        pytest.param(
            {"notes": [make_note(patient_id=SENTINEL)]},
            "notes[0].patient_id",
            "patient_mismatch",
            id="note-other-patient",
        ),
        pytest.param(
            {"prescriptions": [make_rx(id=SENTINEL), make_rx(id=SENTINEL)]},
            "prescriptions[1].id",
            "duplicate",
            id="rx-repeated-id",
        ),
        pytest.param(
            {"notes": [make_note(id=SENTINEL), make_note(id=SENTINEL)]},
            "notes[1].id",
            "duplicate",
            id="note-repeated-id",
        ),
    ],
)
def test_refused_inputs(kwargs: dict[str, Any], path: str, code: str) -> None:
    arguments: dict[str, Any] = {"claim": make_claim(), "created": CREATED, **kwargs}
    claim = arguments.pop("claim")
    for write in (to_fhir_bundle, to_fhir_json):
        with pytest.raises(ValidationError) as info:
            write(claim, **arguments)
        ((detail),) = info.value.errors
        assert (detail.path, detail.code) == (path, code)
        for text in (str(info.value), repr(info.value), repr(info.value.args)):
            assert SENTINEL not in text


def test_text_that_is_not_unicode_scalar_values_is_refused_in_json() -> None:
    # The models refuse a lone surrogate; a catalogue's labels are not checked,
    # and a label becomes the text of a Claim item, which JSON cannot carry.
    hostile = "label \ud800 " + SENTINEL
    code = make_claim().lines[0].code
    labels = DEFAULT_CATALOG.extend(attrs.evolve(DEFAULT_CATALOG.lookup(code), label=hostile))
    patient = attrs.evolve(PATIENT, name=PersonName(family=SENTINEL, given="Jane"))
    for write in (to_fhir_json, to_fhir_bundle):
        with pytest.raises(SoapbillError) as info:
            write(make_claim(patient=patient), created=CREATED, catalog=labels)
        # No error in the chain carries the Bundle's text: "from None" would
        # only hide the encoding error, which holds the whole Bundle.
        assert info.value.__context__ is None
        seen: BaseException | None = info.value
        while seen is not None:
            for shown in (str(seen), repr(seen), repr(seen.args), repr(vars(seen))):
                assert SENTINEL not in shown
            seen = seen.__cause__ or seen.__context__


@pytest.mark.parametrize(
    ("base", "path", "code"),
    [
        pytest.param(5, "base", "invalid_type", id="not-text"),
        pytest.param(f"no scheme {SENTINEL}", "base", "invalid_format", id="no-scheme"),
        pytest.param(f"https://clinic.example/{SENTINEL}/", "base", "invalid_format", id="slash"),
        pytest.param(f"https://clinic.example/{SENTINEL} x", "base", "invalid_format", id="space"),
        pytest.param(f"https://{SENTINEL * 30}", "claim", "too_long", id="long"),
    ],
)
def test_identifier_systems_are_uris(base: object, path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        IdentifierSystems.under(base)  # type: ignore[arg-type]
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]
    for text in (str(info.value), repr(info.value), repr(info.value.args)):
        assert SENTINEL not in text
    # Built field by field, each system is checked the same way.
    with pytest.raises(ValidationError) as info:
        attrs.evolve(DEFAULT_SYSTEMS, note=f"{SENTINEL}/")
    assert [d.path for d in info.value.errors] == ["note"]
    assert SENTINEL not in str(info.value)


@pytest.mark.parametrize(
    ("indent", "code"),
    [
        pytest.param("2", "invalid_type", id="text"),
        pytest.param(2.0, "invalid_type", id="float"),
        pytest.param(True, "invalid_type", id="bool"),
        pytest.param(-1, "out_of_range", id="negative"),
        pytest.param(10**30, "out_of_range", id="huge"),
    ],
)
def test_indent_is_a_small_number_of_spaces(indent: object, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        to_fhir_json(make_claim(), created=CREATED, indent=indent)  # type: ignore[arg-type]
    assert [(d.path, d.code) for d in info.value.errors] == [("indent", code)]


@pytest.mark.parametrize(
    "text",
    [
        'Quote " backslash \\ /',
        "tab\tline\nnul\x00 us\x1f del\x7f",
        "Zoë Ñúñez 李 \u2028 \U0001f600",
        "</script><!-- & ' \"",
    ],
)
def test_free_text_is_escaped_as_json(text: str) -> None:
    # The claim's resources are written as JSON text: every free-text value
    # must come back exactly, whatever its characters.
    name = PersonName(family=text, given=text, middle=text, suffix=text[:10])
    provider = attrs.evolve(THERAPIST, name=name, license_number=text[:50])
    claim = make_claim(
        id=text[:38],
        patient=attrs.evolve(PATIENT, id=text[:50], name=name),
        coverage=attrs.evolve(
            COVERAGE,
            member_id=text,
            group_number=text[:50],
            payer=Payer(id=text, name=text[:60]),
        ),
        billing_provider=attrs.evolve(CLINIC, organization_name=text[:60]),
        rendering_provider=provider,
        prior_authorization=text[:50],
        frequency=ClaimFrequency.REPLACEMENT,
        original_claim_number=text[:50],
    )
    code = claim.lines[0].code
    labels = DEFAULT_CATALOG.extend(attrs.evolve(DEFAULT_CATALOG.lookup(code), label=text))
    bundle = json.loads(to_fhir_json(claim, created=CREATED, catalog=labels), parse_float=Decimal)
    assert bundle == to_fhir_bundle(claim, created=CREATED, catalog=labels)
    fc = one(bundle, "Claim")
    assert fc["identifier"] == [{"system": DEFAULT_SYSTEMS.claim, "value": text[:38]}]
    assert fc["insurance"][0]["preAuthRef"] == [text[:50]]
    assert fc["related"][0]["claim"]["identifier"]["value"] == text[:50]
    assert {item["productOrService"].get("text") for item in fc["item"]} >= {text}
    patient = one(bundle, "Patient")
    assert patient["identifier"] == [{"system": DEFAULT_SYSTEMS.patient, "value": text[:50]}]
    assert patient["name"] == [{"family": text, "given": [text, text], "suffix": [text[:10]]}]
    coverage = one(bundle, "Coverage")
    assert coverage["subscriberId"] == text
    assert coverage["class"][0]["value"] == text[:50]
    payer, clinic = (r for r in resources(bundle, "Organization"))
    assert (payer["identifier"], payer["name"]) == (
        [{"system": DEFAULT_SYSTEMS.payer, "value": text}],
        text[:60],
    )
    assert coverage["identifier"][0]["value"] == text
    assert coverage["identifier"][0]["system"] == f"{DEFAULT_SYSTEMS.member}/{quote(text, safe='')}"
    assert clinic["name"] == text[:60]
    (practitioner,) = resources(bundle, "Practitioner")
    assert practitioner["qualification"][0]["identifier"] == [{"value": text[:50]}]


def test_patient_data_is_in_the_output() -> None:
    # The point of the bundle: the patient's own data travels in it.
    text = to_fhir_json(make_claim(), created=CREATED)
    assert re.search(r'"family":"Doe","given":\["Jane","Q"\]', text)
    assert '"birthDate":"1980-02-29"' in text
