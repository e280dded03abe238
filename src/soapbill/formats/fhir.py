"""
FHIR R4: a claim and its supporting documents as one ``collection`` Bundle.

:func:`to_fhir_bundle` turns a :class:`~soapbill.Claim`, the prescriptions it
relies on and the SOAP notes of its visits into a FHIR R4 Bundle of type
``collection``: a Claim, the Patient, the Coverage, the payer as an
Organization, each provider as a Practitioner (a person) or an Organization, a
ServiceRequest per prescription and a Composition per SOAP note, all
cross-referenced. :func:`to_fhir_json` writes the same Bundle as JSON text.

The Bundle is a plain ``dict`` of JSON-ready values with one exception: FHIR
decimals (amounts of money) are :class:`~decimal.Decimal`, so that no
precision is lost on the way to JSON. :func:`json.dumps` cannot write them;
:func:`to_fhir_json` writes them as exact JSON numbers (``125.00``).

Ids are deterministic: every resource id is a UUID (version 5) made from the
claim id and the resource's role in the Bundle, and every ``fullUrl`` is that
UUID as a ``urn:uuid:``. The same input always gives the same Bundle, and no
clock is read: the Claim's creation date is an argument.

The SOAP sections' LOINC codes are data (:data:`DEFAULT_NOTE_CODES`), because
some of them are not confirmed by a published source; pass your own
:class:`NoteCodes` to replace them. See the FHIR guide for the full mapping.

>>> DEFAULT_NOTE_CODES.document
Coding(system='http://loinc.org', code='11506-3', display='Progress note')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Final

import attrs
import msgspec

from soapbill._validators import Checked, checked
from soapbill.claims import Claim, ClaimFrequency
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.modifiers import Modifier
from soapbill.errors import SoapbillError, ValidationError
from soapbill.parties import Address, Coverage, Patient, Payer, PersonName, Provider, Subscriber
from soapbill.prescriptions import Prescription
from soapbill.soap import (
    Assessment,
    BodyRegion,
    Objective,
    Plan,
    SoapNote,
    Subjective,
)

__all__ = [
    "CPT_SYSTEM",
    "DEFAULT_NOTE_CODES",
    "HCPCS_SYSTEM",
    "ICD10CM_SYSTEM",
    "LOINC_SYSTEM",
    "NPI_SYSTEM",
    "Coding",
    "NoteCodes",
    "to_fhir_bundle",
    "to_fhir_json",
]

# Code system URIs: CPT, ICD-10-CM and LOINC per the US Core VSAC-to-FHIR URI map
# (DOMAIN.md 8); HCPCS Level II as the project specifies; the NPI system per
# DOMAIN.md 8 (an unsourced recollection there, and the URI US Core profiles use).
#: CPT (AMA).
CPT_SYSTEM: Final = "http://www.ama-assn.org/go/cpt"
#: HCPCS Level II (CMS).
HCPCS_SYSTEM: Final = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
#: ICD-10-CM.
ICD10CM_SYSTEM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
#: LOINC.
LOINC_SYSTEM: Final = "http://loinc.org"
#: The National Provider Identifier.
NPI_SYSTEM: Final = "http://hl7.org/fhir/sid/us-npi"

# HL7 Terminology code systems, read from the R4B value sets that bind them
# (hl7.fhir.r4b.core 4.3.0): claim-type, process-priority, related-claim-
# relationship, claim-careteamrole, claim-informationcategory, organization-type,
# subscriber-relationship, coverage-class and v3-ActIncidentCode.
_CLAIM_TYPE: Final = "http://terminology.hl7.org/CodeSystem/claim-type"
_PRIORITY: Final = "http://terminology.hl7.org/CodeSystem/processpriority"
_RELATED: Final = "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship"
_CARE_TEAM_ROLE: Final = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
_INFO_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
_ORG_TYPE: Final = "http://terminology.hl7.org/CodeSystem/organization-type"
_SUBSCRIBER_RELATIONSHIP: Final = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
_COVERAGE_CLASS: Final = "http://terminology.hl7.org/CodeSystem/coverage-class"
_ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
# The EIN: HL7 Terminology NamingSystem USEIN (urn:oid:2.16.840.1.113883.4.4).
_EIN_SYSTEM: Final = "urn:oid:2.16.840.1.113883.4.4"
# NUCC provider taxonomy: HL7 Terminology's URI for the NUCC code system.
_TAXONOMY_SYSTEM: Final = "http://nucc.org/provider-taxonomy"
# CMS place of service codes: HL7 Terminology CodeSystem CMSPlaceofServiceCodes.
_POS_SYSTEM: Final = (
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
)

_XHTML: Final = "http://www.w3.org/1999/xhtml"
# Characters XML 1.0 does not allow, even escaped (XML 1.0 section 2.2, Char).
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The namespace of soapbill's version-5 UUIDs.
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://soapbill.readthedocs.io/fhir")
# The variant nibble of a UUID (RFC 9562 section 4.1): the hash's hex digit with
# its top two bits set to 10, by the digit's value.
_VARIANT: Final = "89ab" * 4
_CENT: Final = Decimal("0.01")
_ENCODER: Final = msgspec.json.Encoder(decimal_format="number")


@checked
@attrs.frozen(kw_only=True)
class Coding(Checked):
    """
    A code from a code system, as a FHIR ``Coding``.

    Attributes:
        system: The code system URI.
        code: The code.
        display: The code system's display text, if any.

    .. versionadded:: 0.1.0
    """

    system: str
    code: str
    display: str | None = None

    def to_fhir(self) -> dict[str, str]:
        """
        Return the FHIR JSON form.
        """
        coding = {"system": self.system, "code": self.code}
        if self.display is not None:
            coding["display"] = self.display
        return coding


@checked
@attrs.frozen(kw_only=True)
class NoteCodes(Checked):
    """
    The codes of a SOAP note as a FHIR Composition: its type and its sections.

    Attributes:
        document: The Composition's type.
        subjective: The Subjective section's code.
        objective: The Objective section's code.
        assessment: The Assessment section's code.
        plan: The Plan section's code.

    .. versionadded:: 0.1.0
    """

    document: Coding
    subjective: Coding
    objective: Coding
    assessment: Coding
    plan: Coding


# DOMAIN.md 8: the document type 11506-3 "Progress note" (C-CDA progress note
# document type codes), Subjective 61150-9 (C-CDA Subjective Section example) and
# Plan 18776-5 (C-CDA Plan of Treatment Section example) are sourced; Objective
# 61149-1 and Assessment 51848-0 are an unsourced recollection. All four section
# codes appear in FHIR's DocumentSectionCodes value set. Section displays are left
# out: the section titles say what they are.
#: The default codes: LOINC, replaceable (see the FHIR guide).
DEFAULT_NOTE_CODES: Final = NoteCodes(
    document=Coding(system=LOINC_SYSTEM, code="11506-3", display="Progress note"),
    subjective=Coding(system=LOINC_SYSTEM, code="61150-9"),
    objective=Coding(system=LOINC_SYSTEM, code="61149-1"),
    assessment=Coding(system=LOINC_SYSTEM, code="51848-0"),
    plan=Coding(system=LOINC_SYSTEM, code="18776-5"),
)


def to_fhir_bundle(
    claim: Claim,
    *,
    created: date,
    prescriptions: Iterable[Prescription] = (),
    notes: Iterable[SoapNote] = (),
    note_codes: NoteCodes = DEFAULT_NOTE_CODES,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """
    Return *claim* and its supporting documents as a FHIR R4 ``collection`` Bundle.

    Args:
        claim: The claim.
        created: The date the Claim resource is created (``Claim.created``).
        prescriptions: The prescriptions the claim relies on; the first is the
            claim's referral (``Claim.referral``), any others are supporting
            information.
        notes: The SOAP notes of the claim's visits, each a Composition in
            ``Claim.supportingInfo``; a service line points at the notes of its
            date of service (``Claim.item.informationSequence``).
        note_codes: The codes of the notes' document type and sections.
        catalog: The code catalogue whose labels become the text of each
            procedure (default: the built-in one).

    Returns:
        The Bundle as a ``dict``; amounts are :class:`~decimal.Decimal`.

    Raises:
        ValidationError: An argument has the wrong type; a prescription or a
            note is about another patient; two prescriptions or two notes share
            an id.

    .. versionadded:: 0.1.0
    """
    rxs, soap_notes = _check_inputs(claim, created, prescriptions, notes, note_codes)
    return _BundleWriter(claim, catalog).write(created, rxs, soap_notes, note_codes)


def to_fhir_json(
    claim: Claim,
    *,
    created: date,
    prescriptions: Iterable[Prescription] = (),
    notes: Iterable[SoapNote] = (),
    note_codes: NoteCodes = DEFAULT_NOTE_CODES,
    catalog: Catalog | None = None,
    indent: int | None = None,
) -> str:
    """
    Return the Bundle of :func:`to_fhir_bundle` as JSON text.

    Amounts are exact JSON numbers with two decimal places (``125.00``). Keys
    keep the order of the Bundle; the output is the same for the same input.

    Args:
        claim: The claim.
        created: The date the Claim resource is created.
        prescriptions: As for :func:`to_fhir_bundle`.
        notes: As for :func:`to_fhir_bundle`.
        note_codes: As for :func:`to_fhir_bundle`.
        catalog: As for :func:`to_fhir_bundle`.
        indent: Spaces per level of indentation; ``None`` writes one line.

    Raises:
        ValidationError: As for :func:`to_fhir_bundle`.
        SoapbillError: A text value cannot be written as UTF-8 (it holds a
            lone surrogate).

    .. versionadded:: 0.1.0
    """
    bundle = to_fhir_bundle(
        claim,
        created=created,
        prescriptions=prescriptions,
        notes=notes,
        note_codes=note_codes,
        catalog=catalog,
    )
    try:
        data = _ENCODER.encode(bundle)
    except UnicodeEncodeError:
        raise SoapbillError("a text value cannot be written as UTF-8") from None
    if indent is not None:
        data = msgspec.json.format(data, indent=indent)
    return data.decode()


def _check_inputs(
    claim: object,
    created: object,
    prescriptions: Iterable[object],
    notes: Iterable[object],
    note_codes: object,
) -> tuple[tuple[Prescription, ...], tuple[SoapNote, ...]]:
    if not isinstance(claim, Claim):
        raise ValidationError.single("claim", "invalid_type", "expected a Claim")
    if created.__class__ is not date:
        raise ValidationError.single("created", "invalid_type", "expected a date")
    if not isinstance(note_codes, NoteCodes):
        raise ValidationError.single("note_codes", "invalid_type", "expected a NoteCodes")
    rxs = tuple(prescriptions)
    soap_notes = tuple(notes)
    for name, items, cls in (
        ("prescriptions", rxs, Prescription),
        ("notes", soap_notes, SoapNote),
    ):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if not isinstance(item, cls):
                raise ValidationError.single(
                    f"{name}[{i}]", "invalid_type", f"expected a {cls.__name__}"
                )
            if item.patient_id != claim.patient.id:
                raise ValidationError.single(
                    f"{name}[{i}].patient_id", "patient_mismatch", "is not the claim's patient"
                )
            if item.id in seen:
                raise ValidationError.single(f"{name}[{i}].id", "duplicate", "repeats an id")
            seen.add(item.id)
    return rxs, soap_notes  # type: ignore[return-value]


class _BundleWriter:
    """
    Builds the resources of one claim's Bundle and remembers their URLs.
    """

    def __init__(self, claim: Claim, catalog: Catalog | None) -> None:
        self.claim = claim
        self.catalog = catalog
        # A list, not a dict keyed by provider: hashing a Provider walks all its
        # fields, and a Bundle has a handful of providers (see provider_ref).
        self.providers: list[tuple[Provider, str]] = []
        self.provider_entries: list[tuple[str, dict[str, Any]]] = []
        # The text of each procedure code, looked up once per Bundle.
        self.labels: dict[str, str | None] = {}
        # Every id hashes the namespace and a JSON array that starts with the
        # claim id (see ident): hash that common start once, copy it per id.
        start = f"[{json.dumps(claim.id)}".encode()
        self.id_hash = hashlib.sha1(_NAMESPACE.bytes + start, usedforsecurity=False)

    def ident(self, role: str) -> str:
        """
        Return the resource id of *role*: a UUID made from the claim id and the role.

        *role* is the JSON text of the role's parts, such as ``"note", "N-1"``.
        The id is ``uuid.uuid5(_NAMESPACE, json.dumps([claim.id, *parts]))``,
        computed without building the array or the :class:`uuid.UUID`.
        """
        digest = self.id_hash.copy()
        digest.update(f", {role}]".encode())
        h = digest.hexdigest()
        # uuid5: the first 16 bytes of the SHA-1, version 5, variant 10.
        return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[int(h[16], 16)]}{h[17:20]}-{h[20:32]}"

    def provider_ref(self, provider: Provider) -> dict[str, str]:
        """
        Return a reference to *provider*'s resource, adding it on first use.
        """
        variants = 0
        npi = provider.npi
        for known, url in self.providers:
            if known is provider:
                return {"reference": url}
            if known.npi == npi:
                if known == provider:
                    return {"reference": url}
                variants += 1
        # A provider whose NPI an unequal one already has gets a numbered role.
        role = f'"provider", {json.dumps(npi.value)}' + (f', "{variants}"' if variants else "")
        rid = self.ident(role)
        url = f"urn:uuid:{rid}"
        self.providers.append((provider, url))
        self.provider_entries.append((url, _provider(provider, rid)))
        return {"reference": url}

    def write(
        self,
        created: date,
        prescriptions: tuple[Prescription, ...],
        notes: tuple[SoapNote, ...],
        note_codes: NoteCodes,
    ) -> dict[str, Any]:
        """
        Return the Bundle.
        """
        claim = self.claim
        patient_id = self.ident('"patient"')
        payer_id = self.ident('"payer"')
        coverage_id = self.ident('"coverage"')
        patient = _url(patient_id)
        subscriber = patient
        related: list[tuple[str, dict[str, Any]]] = []
        if claim.coverage.subscriber is not None:
            subscriber_id = self.ident('"subscriber"')
            subscriber = _url(subscriber_id)
            related.append(
                (subscriber, _related_person(claim.coverage.subscriber, subscriber_id, patient))
            )
        billing = self.provider_ref(claim.billing_provider)
        care_team = [self.care_team_member(1, claim.treating_provider, "primary")]
        if claim.referring_provider is not None:
            care_team.append(self.care_team_member(2, claim.referring_provider, "other"))

        requests = []
        for rx in prescriptions:
            rid = self.ident(f'"prescription", {json.dumps(rx.id)}')
            requests.append((_url(rid), self.service_request(rx, rid, patient)))
        compositions = []
        for note in notes:
            rid = self.ident(f'"note", {json.dumps(note.id)}')
            compositions.append((_url(rid), self.composition(note, rid, patient, note_codes)))

        claim_id = self.ident('"claim"')
        claim_resource = self.claim_resource(
            claim_id,
            created,
            patient=patient,
            payer=_url(payer_id),
            provider=billing,
            coverage=_url(coverage_id),
            care_team=care_team,
            requests=[url for url, _ in requests],
            notes=[(url, note) for (url, _), note in zip(compositions, notes, strict=True)],
        )
        entries = [
            (_url(claim_id), claim_resource),
            (_url(patient_id), _patient(claim.patient, patient_id)),
            *related,
            (
                _url(coverage_id),
                _coverage(
                    claim.coverage,
                    coverage_id,
                    patient=patient,
                    subscriber=subscriber,
                    payer=_url(payer_id),
                ),
            ),
            (_url(payer_id), _payer(claim.coverage.payer, payer_id)),
            *self.provider_entries,
            *requests,
            *compositions,
        ]
        return {
            "resourceType": "Bundle",
            "id": self.ident('"bundle"'),
            "type": "collection",
            "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
        }

    def care_team_member(self, sequence: int, provider: Provider, role: str) -> dict[str, Any]:
        """
        Return a ``Claim.careTeam`` entry.
        """
        member: dict[str, Any] = {
            "sequence": sequence,
            "provider": self.provider_ref(provider),
            "role": _concept(_CARE_TEAM_ROLE, role),
        }
        if role == "other":
            member["role"]["text"] = "Referring provider"
        if provider.taxonomy is not None:
            member["qualification"] = _concept(_TAXONOMY_SYSTEM, provider.taxonomy)
        return member

    def claim_resource(
        self,
        rid: str,
        created: date,
        *,
        patient: str,
        payer: str,
        provider: dict[str, str],
        coverage: str,
        care_team: list[dict[str, Any]],
        requests: list[str],
        notes: list[tuple[str, SoapNote]],
    ) -> dict[str, Any]:
        """
        Return the Claim resource.
        """
        claim = self.claim
        dates = claim.dates_of_service
        resource: dict[str, Any] = {
            "resourceType": "Claim",
            "id": rid,
            "identifier": [{"value": claim.id}],
            # Claim.status (FinancialResourceStatusCodes, DOMAIN.md 8): a void asks
            # that the original no longer be active, so it is "cancelled".
            "status": "cancelled" if claim.frequency is ClaimFrequency.VOID else "active",
            "type": _concept(_CLAIM_TYPE, "professional"),
            "use": "claim",
            "patient": _ref(patient),
            "billablePeriod": {"start": dates[0].isoformat(), "end": dates[-1].isoformat()},
            "created": created.isoformat(),
            "insurer": _ref(payer),
            "provider": provider,
            "priority": _concept(_PRIORITY, "normal"),
        }
        if claim.original_claim_number is not None:
            resource["related"] = [
                {
                    "claim": {"identifier": {"value": claim.original_claim_number}},
                    "relationship": _concept(_RELATED, "prior"),
                }
            ]
        if requests:
            resource["referral"] = _ref(requests[0])
        resource["careTeam"] = care_team
        info: list[dict[str, Any]] = []
        note_sequences: dict[date, list[int]] = {}
        for url, note in notes:
            info.append(_supporting(len(info) + 1, url))
            note_sequences.setdefault(note.date_of_service, []).append(len(info))
        info.extend(_supporting(len(info) + 1, url) for url in requests[1:])
        if info:
            resource["supportingInfo"] = info
        resource["diagnosis"] = [
            {
                "sequence": i,
                "diagnosisCodeableConcept": {
                    "coding": [{"system": ICD10CM_SYSTEM, "code": code.value}]
                },
            }
            for i, code in enumerate(claim.diagnoses, start=1)
        ]
        insurance: dict[str, Any] = {"sequence": 1, "focal": True, "coverage": _ref(coverage)}
        if claim.prior_authorization is not None:
            insurance["preAuthRef"] = [claim.prior_authorization]
        resource["insurance"] = [insurance]
        accident = _accident(claim)
        if accident is not None:
            resource["accident"] = accident
        resource["item"] = self.items(note_sequences)
        resource["total"] = _money(claim.total_charge)
        return resource

    def items(self, note_sequences: dict[date, list[int]]) -> list[dict[str, Any]]:
        """
        Return the ``Claim.item`` of each line.
        """
        claim_place = self.claim.place_of_service
        procedure = self.procedure
        # Lines of one claim share their dates and places: write each once.
        days: dict[date, str] = {}
        items = []
        for sequence, line in enumerate(self.claim.lines, 1):
            day = line.date_of_service
            item: dict[str, Any] = {
                "sequence": sequence,
                "careTeamSequence": [1],
                "diagnosisSequence": list(line.diagnosis_pointers),
            }
            if day in note_sequences:
                # A copy: lines of one day must not share their list.
                item["informationSequence"] = [*note_sequences[day]]
            item["productOrService"] = procedure(line.code)
            if line.modifiers:
                item["modifier"] = [_modifier(m) for m in line.modifiers]
            text = days.get(day)
            if text is None:
                text = days[day] = day.isoformat()
            item["servicedDate"] = text
            place = line.place_of_service or claim_place
            item["locationCodeableConcept"] = {
                "coding": [{"system": _POS_SYSTEM, "code": place.value}]
            }
            item["quantity"] = {"value": line.units}
            item["net"] = {"value": line.charge.quantize(_CENT), "currency": "USD"}
            items.append(item)
        return items

    def procedure(self, code: CptCode) -> dict[str, Any]:
        """
        Return a procedure code as a CodeableConcept, with our label as its text.
        """
        value = code.value
        system = HCPCS_SYSTEM if code.is_hcpcs_level2 else CPT_SYSTEM
        concept: dict[str, Any] = {"coding": [{"system": system, "code": value}]}
        labels = self.labels
        if value in labels:
            label = labels[value]
        else:
            label = labels[value] = _label(code, self.catalog)
        if label is not None:
            concept["text"] = label
        return concept

    def service_request(self, rx: Prescription, rid: str, patient: str) -> dict[str, Any]:
        """
        Return the ServiceRequest of a prescription.
        """
        resource: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "id": rid,
            "identifier": [{"value": rx.id}],
            # The prescription as written; whether it is still valid is the
            # rules engine's question, not the format's.
            "status": "active",
            "intent": "order",
        }
        # ServiceRequest.code holds one concept: one ordered code goes there;
        # several go to orderDetail; none (any procedure) leaves both out.
        if len(rx.procedures) == 1:
            resource["code"] = self.procedure(rx.procedures[0])
        elif rx.procedures:
            resource["orderDetail"] = [self.procedure(code) for code in rx.procedures]
        if rx.visits_authorized is not None:
            resource["quantityQuantity"] = {"value": rx.visits_authorized, "unit": "visits"}
        resource["subject"] = _ref(patient)
        resource.update(_occurrence(rx))
        resource["authoredOn"] = rx.written_on.isoformat()
        resource["requester"] = self.provider_ref(rx.prescriber)
        resource["reasonCode"] = [_diagnosis(code) for code in rx.diagnoses]
        if rx.regions:
            resource["bodySite"] = [{"text": _region(region)} for region in rx.regions]
        if rx.notes is not None:
            resource["note"] = [{"text": rx.notes}]
        return resource

    def composition(
        self, note: SoapNote, rid: str, patient: str, codes: NoteCodes
    ) -> dict[str, Any]:
        """
        Return the Composition of a SOAP note.
        """
        signed = note.is_signed
        if not signed:
            status = "preliminary"
        elif note.addenda:
            status = "amended"
        else:
            status = "final"
        written = note.signature.signed_on if signed and note.signature else note.date_of_service
        resource: dict[str, Any] = {
            "resourceType": "Composition",
            "id": rid,
            "identifier": {"value": note.id},
            "status": status,
            "type": {"coding": [codes.document.to_fhir()]},
            "subject": _ref(patient),
            "date": written.isoformat(),
            "author": [self.provider_ref(note.provider)],
            "title": "SOAP note",
        }
        if signed and note.signature is not None:
            resource["attester"] = [
                {
                    "mode": "legal",
                    "time": note.signature.signed_on.isoformat(),
                    "party": self.provider_ref(note.signature.signer),
                }
            ]
        day = note.date_of_service.isoformat()
        resource["event"] = [{"period": {"start": day, "end": day}}]
        sections = [
            _section("Subjective", codes.subjective, _subjective(note.subjective)),
            _section("Objective", codes.objective, _objective(note.objective, note, self.catalog)),
            _section("Assessment", codes.assessment, _assessment(note.assessment, note)),
            _section("Plan", codes.plan, _plan(note.plan)),
        ]
        for addendum in note.addenda:
            written_on = addendum.written_on.isoformat()
            sections.append(
                {
                    "title": f"Addendum {written_on}",
                    "author": [self.provider_ref(addendum.author)],
                    "text": _narrative([_paragraph(None, addendum.text)]),
                }
            )
        resource["section"] = sections
        return resource


def _label(code: CptCode, catalog: Catalog | None) -> str | None:
    """
    Our label of *code*, or ``None`` for a code the catalogue does not hold.
    """
    # Catalog[code] is lookup(code) without its argument conversion: code is a CptCode.
    try:
        return (DEFAULT_CATALOG if catalog is None else catalog)[code].label
    except KeyError:
        return None


def _url(rid: str) -> str:
    return f"urn:uuid:{rid}"


def _ref(url: str) -> dict[str, str]:
    # A new dict for every reference: changing one in the Bundle changes no other.
    return {"reference": url}


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _diagnosis(code: DiagnosisCode) -> dict[str, Any]:
    # FHIR carries ICD-10-CM codes in their dotted form.
    return _concept(ICD10CM_SYSTEM, code.value)


def _modifier(modifier: Modifier) -> dict[str, Any]:
    # CPT's own modifiers are two digits (25, 59, 76, 77); letters mark HCPCS Level II
    # modifiers (GP, KX, XE, ...). An unsourced recollection of the two code sets'
    # shapes, consistent with soapbill.codes.modifiers.MEANINGS.
    system = CPT_SYSTEM if modifier.value.isdigit() else HCPCS_SYSTEM
    return _concept(system, modifier.value)


def _money(amount: Decimal) -> dict[str, Any]:
    # Amounts have at most two places (the models check it), so this only pads.
    return {"value": amount.quantize(_CENT), "currency": "USD"}


def _supporting(sequence: int, url: str) -> dict[str, Any]:
    return {
        "sequence": sequence,
        "category": _concept(_INFO_CATEGORY, "attachment"),
        "valueReference": _ref(url),
    }


def _accident(claim: Claim) -> dict[str, Any] | None:
    causes = claim.related_causes
    # Claim.accident.date is required: without the date there is no accident element.
    if causes is None or causes.accident_date is None:
        return None
    accident: dict[str, Any] = {"date": causes.accident_date.isoformat()}
    if causes.auto_accident:
        accident["type"] = _concept(_ACT_CODE, "MVA")
        accident["locationAddress"] = {"state": causes.accident_state, "country": "US"}
    return accident


def _occurrence(rx: Prescription) -> dict[str, Any]:
    last = rx.expires_on()
    period: dict[str, str] = {"start": rx.written_on.isoformat()}
    if last is not None:
        period["end"] = last.isoformat()
    if rx.frequency is None:
        return {"occurrencePeriod": period}
    return {
        "occurrenceTiming": {
            "repeat": {
                "boundsPeriod": period,
                "count": rx.frequency.visits,
                "frequency": rx.frequency.per_week,
                "period": 1,
                "periodUnit": "wk",
            }
        }
    }


def _human_name(name: PersonName) -> dict[str, Any]:
    given = [name.given] if name.middle is None else [name.given, name.middle]
    result: dict[str, Any] = {"family": name.family, "given": given}
    if name.suffix is not None:
        result["suffix"] = [name.suffix]
    return result


def _address(address: Address) -> dict[str, Any]:
    lines = [address.line1] if address.line2 is None else [address.line1, address.line2]
    return {
        "line": lines,
        "city": address.city,
        "state": address.state,
        "postalCode": address.postal_code,
        "country": "US",
    }


def _telecom(phone: str | None) -> list[dict[str, str]]:
    return [] if phone is None else [{"system": "phone", "value": phone}]


def _patient(patient: Patient, rid: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": rid,
        "identifier": [{"value": patient.id}],
        "name": [_human_name(patient.name)],
    }
    if patient.phone is not None:
        resource["telecom"] = _telecom(patient.phone)
    resource["gender"] = patient.sex.value
    resource["birthDate"] = patient.birth_date.isoformat()
    if patient.address is not None:
        resource["address"] = [_address(patient.address)]
    return resource


def _related_person(subscriber: Subscriber, rid: str, patient: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "RelatedPerson",
        "id": rid,
        "patient": _ref(patient),
        "name": [_human_name(subscriber.name)],
        "gender": subscriber.sex.value,
        "birthDate": subscriber.birth_date.isoformat(),
    }
    if subscriber.address is not None:
        resource["address"] = [_address(subscriber.address)]
    return resource


def _coverage(
    coverage: Coverage,
    rid: str,
    *,
    patient: str,
    subscriber: str,
    payer: str,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Coverage",
        "id": rid,
        "status": "active",
        "subscriber": _ref(subscriber),
        "subscriberId": coverage.member_id,
        "beneficiary": _ref(patient),
        "relationship": _concept(_SUBSCRIBER_RELATIONSHIP, coverage.relationship.value),
    }
    if coverage.start is not None or coverage.end is not None:
        period = {}
        if coverage.start is not None:
            period["start"] = coverage.start.isoformat()
        if coverage.end is not None:
            period["end"] = coverage.end.isoformat()
        resource["period"] = period
    resource["payor"] = [_ref(payer)]
    if coverage.group_number is not None:
        resource["class"] = [
            {"type": _concept(_COVERAGE_CLASS, "group"), "value": coverage.group_number}
        ]
    return resource


def _payer(payer: Payer, rid: str) -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": rid,
        "identifier": [{"value": payer.id}],
        "type": [_concept(_ORG_TYPE, "pay")],
        "name": payer.name,
    }


def _provider(provider: Provider, rid: str) -> dict[str, Any]:
    identifiers = [{"system": NPI_SYSTEM, "value": provider.npi.value}]
    if provider.tax_id is not None:
        identifiers.append({"system": _EIN_SYSTEM, "value": provider.tax_id.compact})
    if provider.name is None:
        resource: dict[str, Any] = {
            "resourceType": "Organization",
            "id": rid,
            "identifier": identifiers,
            "type": [_concept(_ORG_TYPE, "prov")],
            "name": provider.organization_name,
        }
    else:
        resource = {
            "resourceType": "Practitioner",
            "id": rid,
            "identifier": identifiers,
            "name": [_human_name(provider.name)],
        }
    if provider.phone is not None:
        resource["telecom"] = _telecom(provider.phone)
    if provider.address is not None:
        resource["address"] = [_address(provider.address)]
    qualification = _qualification(provider)
    if provider.name is not None and qualification is not None:
        resource["qualification"] = [qualification]
    return resource


def _qualification(provider: Provider) -> dict[str, Any] | None:
    if provider.credential is None and provider.license_number is None:
        return None
    title = "License" if provider.credential is None else provider.credential.value.upper()
    qualification: dict[str, Any] = {}
    if provider.license_number is not None:
        qualification["identifier"] = [{"value": provider.license_number}]
    qualification["code"] = {"text": title}
    if provider.license_state is not None:
        qualification["issuer"] = {"display": provider.license_state}
    return qualification


# --- the narrative of a SOAP note ------------------------------------------------------


def _section(title: str, code: Coding, paragraphs: list[str]) -> dict[str, Any]:
    return {
        "title": title,
        "code": {"coding": [code.to_fhir()]},
        "text": _narrative(paragraphs or [_paragraph(None, "Nothing recorded.")]),
    }


def _narrative(paragraphs: list[str]) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="{_XHTML}">{"".join(paragraphs)}</div>'}


def _escape(text: str) -> str:
    """
    Return *text* as XHTML character data: escaped, without characters XML forbids.
    """
    return html.escape(_NOT_XML.sub("\ufffd", text), quote=True)


def _paragraph(label: str | None, text: str) -> str:
    body = "<br/>".join(_escape(line) for line in text.splitlines() or [""])
    if label is None:
        return f"<p>{body}</p>"
    return f"<p><b>{_escape(label)}:</b> {body}</p>"


def _items(label: str, values: Iterable[str]) -> list[str]:
    """
    One paragraph listing *values*, or none when there are none.
    """
    values = list(values)
    return [_paragraph(label, "; ".join(values))] if values else []


def _optional(label: str, value: str | None) -> list[str]:
    return [] if value is None else [_paragraph(label, value)]


def _region(region: BodyRegion) -> str:
    # "shoulder_left" reads "left shoulder".
    side = region.side
    if side is None:
        return region.value.replace("_", " ")
    return f"{side.value} {region.value.rsplit('_', 1)[0].replace('_', ' ')}"


def _subjective(subjective: Subjective) -> list[str]:
    pain = (
        f"{_region(p.region)} {p.intensity}/10"
        + ("" if p.description is None else f" ({p.description})")
        for p in subjective.pain
    )
    return [
        _paragraph("Chief complaint", subjective.chief_complaint),
        *_items("Pain", pain),
        *_items("Limitations", subjective.limitations),
        *_items("Goals", subjective.goals),
        *_optional("Notes", subjective.text),
    ]


def _objective(objective: Objective, note: SoapNote, catalog: Catalog | None) -> list[str]:
    lifestyle = objective.lifestyle
    habits = []
    if lifestyle is not None:
        if lifestyle.diet is not None:
            habits.append(f"diet: {lifestyle.diet}")
        if lifestyle.stress is not None:
            habits.append(f"stress: {lifestyle.stress.value}")
        if lifestyle.sleep is not None:
            habits.append(f"sleep: {lifestyle.sleep}")
    treatments = []
    for treatment in note.treatments:
        known = _label(treatment.code, catalog)
        label = "" if known is None else f" {known}"
        regions = ", ".join(_region(r) for r in treatment.regions)
        treatments.append(
            f"{treatment.code.value}{label}, {treatment.minutes} min"
            + (f" ({regions})" if regions else "")
        )
    shoulder = objective.raised_shoulder
    return [
        *_items("Posture", objective.posture),
        *_items("Gait", objective.gait),
        *_optional("Raised shoulder", None if shoulder is None else shoulder.value),
        *_items("Lifestyle", habits),
        *_items("Treatment given", treatments),
        *_optional("Notes", objective.text),
    ]


def _assessment(assessment: Assessment, note: SoapNote) -> list[str]:
    tissue = (
        f"{_region(t.region)}: tension {t.tension.value}"
        + (", inflammation" if t.inflammation else "")
        + (f", {t.trigger_points} trigger points" if t.trigger_points else "")
        for t in assessment.tissue
    )
    motion = (
        " ".join(part for part in (r.joint, r.movement) if part)
        + (": full" if r.full else ": limited")
        + ("" if r.degrees is None else f", {r.degrees} degrees")
        for r in assessment.range_of_motion
    )
    return [
        *_items("Diagnoses", (code.value for code in note.diagnoses)),
        *_items("Tissue", tissue),
        *_items("Range of motion", motion),
        *_optional("Breathing", assessment.breathing),
        *_items("Asymmetries", assessment.asymmetries),
        *_optional("Progress", assessment.progress),
        *_optional("Notes", assessment.text),
    ]


def _plan(plan: Plan) -> list[str]:
    frequency = plan.frequency
    return [
        *_items("Focus", (_region(r) for r in plan.focus)),
        *_items("Muscle groups", plan.muscle_groups),
        *_items("Home exercises", (f"{e.name} ({e.dosage})" for e in plan.home_exercises)),
        *_optional(
            "Frequency",
            None
            if frequency is None
            else f"{frequency.per_week} per week for {frequency.weeks} weeks",
        ),
        *_optional("Next visit", None if plan.next_visit is None else plan.next_visit.isoformat()),
        *_optional("Notes", plan.text),
    ]
