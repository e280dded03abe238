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

Ids are deterministic: every resource id is a UUID (version 8, RFC 9562)
whose first part comes from the SHA-1 of the claim id and whose last part names
the resource's role in the Bundle, and every ``fullUrl`` is that UUID as a
``urn:uuid:``. The same input always gives the same Bundle, and no clock is
read: the Claim's creation date is an argument.

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
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Final

import msgspec

from soapbill._arguments import as_tuple
from soapbill._model import model
from soapbill.claims import Claim, ClaimFrequency, RelatedCauses
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.modifiers import MEANINGS
from soapbill.errors import SoapbillError, ValidationError
from soapbill.parties import (
    Address,
    Coverage,
    Credential,
    Patient,
    PersonName,
    Provider,
    Relationship,
    Subscriber,
)
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
_NAMESPACE_BYTES: Final = uuid.uuid5(
    uuid.NAMESPACE_URL, "https://soapbill.readthedocs.io/fhir"
).bytes
# The last 64 bits of the ids of the resources one per Bundle (see _BundleWriter):
# the variant nibble 8 (RFC 9562 section 4.1: bits 10), then the role's number.
_ROLES: Final = {
    role: f"8000-{number:012x}"
    for number, role in enumerate(("bundle", "claim", "patient", "payer", "coverage", "subscriber"))
}
#: The most providers of one NPI that differ and share a Bundle (five hex digits).
_MAX_VARIANTS: Final = 0xFFFFF
_CENT: Final = Decimal("0.01")
#: The widest indentation to_fhir_json writes, in spaces per level.
_MAX_INDENT: Final = 16
_ENCODER: Final = msgspec.json.Encoder(decimal_format="number")
# Reads the Bundle back: JSON numbers (amounts) as exact decimals.
_DECODER: Final = msgspec.json.Decoder(float_hook=Decimal)


@model
class Coding:
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


@model
class NoteCodes:
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
        It is the JSON of :func:`to_fhir_json`, read back.

    Raises:
        ValidationError: An argument has the wrong type; a prescription or a
            note is about another patient; two prescriptions or two notes share
            an id.
        SoapbillError: A text value cannot be written as UTF-8 (it holds a
            lone surrogate).

    .. versionadded:: 0.1.0
    """
    bundle: dict[str, Any] = _DECODER.decode(
        to_fhir_json(
            claim,
            created=created,
            prescriptions=prescriptions,
            notes=notes,
            note_codes=note_codes,
            catalog=catalog,
        )
    )
    return bundle


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

    Amounts are exact JSON numbers with two decimal places (``125.00``). The
    output is the same for the same input.

    Args:
        claim: The claim.
        created: The date the Claim resource is created.
        prescriptions: As for :func:`to_fhir_bundle`.
        notes: As for :func:`to_fhir_bundle`.
        note_codes: As for :func:`to_fhir_bundle`.
        catalog: As for :func:`to_fhir_bundle`.
        indent: Spaces per level of indentation, from 0 to 16; ``None`` writes
            one line.

    Raises:
        ValidationError: As for :func:`to_fhir_bundle`.
        SoapbillError: A text value cannot be written as UTF-8 (it holds a
            lone surrogate).

    .. versionadded:: 0.1.0
    """
    rxs, soap_notes = _check_inputs(claim, created, prescriptions, notes, note_codes)
    if catalog is not None and not isinstance(catalog, Catalog):
        raise ValidationError.single("catalog", "invalid_type", "expected a Catalog")
    if indent is not None:
        if indent.__class__ is not int:
            raise ValidationError.single("indent", "invalid_type", "expected a number of spaces")
        if not 0 <= indent <= _MAX_INDENT:
            raise ValidationError.single(
                "indent", "out_of_range", f"indent by 0 to {_MAX_INDENT} spaces"
            )
    text: str | None
    try:
        text = _BundleWriter(claim, catalog).write(created, rxs, soap_notes, note_codes)
        # The claim's resources are written as text (see _BundleWriter): a
        # lone surrogate passes there, and UTF-8 refuses it here.
        if not text.isascii():
            text.encode()
    except UnicodeEncodeError:
        text = None
    if text is None:
        # Raised outside the handler: "from None" only hides the encoding
        # error, which holds the whole Bundle, and it would stay the
        # refusal's __context__.
        raise SoapbillError("a text value cannot be written as UTF-8")
    if indent is not None:
        text = msgspec.json.format(text, indent=indent)
    return text


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
    rxs = as_tuple(prescriptions, "prescriptions", "Prescription values")
    soap_notes = as_tuple(notes, "notes", "SoapNote values")
    if not rxs and not soap_notes:
        return (), ()
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


# --- JSON text ------------------------------------------------------------------------
#
# The claim's resources are written as JSON text directly: building dicts and
# encoding them cost several times as much (benchmarks/bench_formats.py). Keys
# are constant text; every free-text value goes through _string, which escapes
# it as JSON does; codes, NPIs, dates and amounts are checked by their models
# to hold no character JSON escapes, and are written as they are. The
# resources of prescriptions and notes, mostly narrative, are built as dicts
# and encoded.

#: A string as a JSON string: quoted, with '"', '\' and control characters
#: escaped (the standard library's C encoder, as json.dumps uses it).
_string: Final[Callable[[str], str]] = json.encoder.encode_basestring
#: A string as json.dumps writes it (non-ASCII characters escaped too): the
#: names the resource ids are made from.
_json_ascii: Final[Callable[[str], str]] = json.encoder.encode_basestring_ascii
#: Diagnosis pointers and sequences as text.
_NUMBERS: Final = tuple(str(n) for n in range(13))


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def _concept_text(system: str, code: str) -> str:
    return f'{{"coding":[{{"system":"{system}","code":"{code}"}}]}}'


_CLAIM_TYPE_TEXT: Final = _concept_text(_CLAIM_TYPE, "professional")
_PRIORITY_TEXT: Final = _concept_text(_PRIORITY, "normal")
_PRIOR_TEXT: Final = _concept_text(_RELATED, "prior")
_PRIMARY_ROLE_TEXT: Final = _concept_text(_CARE_TEAM_ROLE, "primary")
_REFERRING_ROLE_TEXT: Final = (
    f'{{"coding":[{{"system":"{_CARE_TEAM_ROLE}","code":"other"}}],"text":"Referring provider"}}'
)
_ATTACHMENT_TEXT: Final = _concept_text(_INFO_CATEGORY, "attachment")
_PAYER_TYPE_TEXT: Final = _concept_text(_ORG_TYPE, "pay")
_PROVIDER_TYPE_TEXT: Final = _concept_text(_ORG_TYPE, "prov")
_GROUP_TEXT: Final = _concept_text(_COVERAGE_CLASS, "group")
_MVA_TEXT: Final = _concept_text(_ACT_CODE, "MVA")
#: A taxonomy Coding up to its code.
_TAXONOMY_START: Final = f'{{"system":"{_TAXONOMY_SYSTEM}","code":"'
_RELATIONSHIP_TEXT: Final = {
    relationship: _concept_text(_SUBSCRIBER_RELATIONSHIP, relationship.value)
    for relationship in Relationship
}


def _amount_text(amount: Decimal) -> str:
    # Two decimal places: a decimal with two places prints as such; the
    # models allow at most two, so quantize only pads.
    text = str(amount)
    if text[-3:-2] == ".":
        return text
    return str(amount.quantize(_CENT))


def _human_name_text(name: PersonName) -> str:
    middle, suffix = name.middle, name.suffix
    given = _string(name.given) if middle is None else f"{_string(name.given)},{_string(middle)}"
    end = "}" if suffix is None else f',"suffix":[{_string(suffix)}]}}'
    return f'{{"family":{_string(name.family)},"given":[{given}]{end}'


def _address_text(address: Address) -> str:
    line2 = address.line2
    lines = _string(address.line1)
    if line2 is not None:
        lines += f",{_string(line2)}"
    return (
        f'{{"line":[{lines}],"city":{_string(address.city)},"state":"{address.state}",'
        f'"postalCode":"{address.postal_code}","country":"US"}}'
    )


def _ref(url: str) -> dict[str, str]:
    # A new dict for every reference: changing one in the Bundle changes no other.
    return {"reference": url}


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


class _BundleWriter:
    """
    Writes the resources of one claim's Bundle and remembers their URLs.
    """

    __slots__ = ("catalog", "claim", "concepts", "id_prefix", "provider_entries", "providers")

    def __init__(self, claim: Claim, catalog: Catalog | None) -> None:
        self.claim = claim
        self.catalog = catalog
        # A list, not a dict keyed by provider: hashing a Provider walks all its
        # fields, and a Bundle has a handful of providers (see provider_url).
        self.providers: list[tuple[Provider, str]] = []
        # The Bundle entries of the providers, as JSON text.
        self.provider_entries: list[tuple[str, str]] = []
        # The concept of each procedure code the default catalogue does not
        # hold, or of a catalogue of the caller's, written once per Bundle.
        self.concepts: dict[str, str] = {}
        # The first 64 bits of every id: 60 bits of the SHA-1 of the claim id
        # and the version 8 (RFC 9562 section 5.8), one hash per Bundle.
        h = _sha1(_NAMESPACE_BYTES + _json_ascii(claim.id).encode())
        self.id_prefix = f"{h[:8]}-{h[8:12]}-8{h[12:15]}-"

    def document_id(self, variant: str, document_id: str) -> str:
        """
        Return the resource id of a prescription (variant ``a``) or a note (``b``).
        """
        # 60 bits of the SHA-1 of the document's id name it within the Bundle.
        h = _sha1(_NAMESPACE_BYTES + _json_ascii(document_id).encode())
        return f"{self.id_prefix}{variant}{h[:3]}-{h[3:15]}"

    def provider_url(self, provider: Provider) -> str:
        """
        Return the URL of *provider*'s resource, adding it on first use.
        """
        variants = 0
        npi = provider.npi.value
        for known, url in self.providers:
            if known is provider:
                return url
            if known.npi.value == npi:
                if known == provider:
                    return url
                variants += 1
        # The NPI names a provider within the Bundle (variant 9); a provider
        # whose NPI an unequal one already has gets the next number.
        if variants > _MAX_VARIANTS:
            raise ValidationError.single(
                "providers", "too_many", "too many different providers share one NPI"
            )
        number = "00000" if not variants else f"{variants:05x}"
        rid = f"{self.id_prefix}9{number[:3]}-{number[3:]}{npi}"
        url = f"urn:uuid:{rid}"
        self.providers.append((provider, url))
        self.provider_entries.append((url, _provider_text(provider, rid)))
        return url

    def write(
        self,
        created: date,
        prescriptions: tuple[Prescription, ...],
        notes: tuple[SoapNote, ...],
        note_codes: NoteCodes,
    ) -> str:
        """
        Return the Bundle as JSON text.
        """
        claim = self.claim
        coverage = claim.coverage
        prefix = self.id_prefix
        patient_id = prefix + _ROLES["patient"]
        payer_id = prefix + _ROLES["payer"]
        coverage_id = prefix + _ROLES["coverage"]
        patient = f"urn:uuid:{patient_id}"
        payer = f"urn:uuid:{payer_id}"
        subscriber = patient
        related = []
        if coverage.subscriber is not None:
            subscriber_id = prefix + _ROLES["subscriber"]
            subscriber = f"urn:uuid:{subscriber_id}"
            related.append(
                (subscriber, _related_person_text(coverage.subscriber, subscriber_id, patient))
            )
        billing = self.provider_url(claim.billing_provider)
        care_team = self.care_team_member(1, claim.treating_provider, _PRIMARY_ROLE_TEXT)
        if claim.referring_provider is not None:
            care_team += "," + self.care_team_member(
                2, claim.referring_provider, _REFERRING_ROLE_TEXT
            )

        requests = []
        for rx in prescriptions:
            rid = self.document_id("a", rx.id)
            url = f"urn:uuid:{rid}"
            requests.append((url, _encode(self.service_request(rx, rid, patient))))
        compositions = []
        for note in notes:
            rid = self.document_id("b", note.id)
            url = f"urn:uuid:{rid}"
            compositions.append((url, _encode(self.composition(note, rid, patient, note_codes))))

        claim_id = prefix + _ROLES["claim"]
        claim_url = f"urn:uuid:{claim_id}"
        claim_resource = self.claim_resource(
            claim_id,
            created,
            patient=patient,
            payer=payer,
            provider=billing,
            coverage=f"urn:uuid:{coverage_id}",
            care_team=care_team,
            requests=[url for url, _ in requests],
            notes=[(url, note) for (url, _), note in zip(compositions, notes, strict=True)],
        )
        entries = [
            (patient, _patient_text(claim.patient, patient_id)),
            *related,
            (
                f"urn:uuid:{coverage_id}",
                _coverage_text(
                    coverage, coverage_id, patient=patient, subscriber=subscriber, payer=payer
                ),
            ),
            (
                payer,
                (
                    f'{{"resourceType":"Organization","id":"{payer_id}",'
                    f'"identifier":[{{"value":{_string(coverage.payer.id)}}}],'
                    f'"type":[{_PAYER_TYPE_TEXT}],"name":{_string(coverage.payer.name)}}}'
                ),
            ),
            *self.provider_entries,
            *requests,
            *compositions,
        ]
        # One join for the whole Bundle: each resource's text is copied once.
        pieces = [
            (
                f'{{"resourceType":"Bundle","id":"{prefix}{_ROLES["bundle"]}","type":"collection",'
                f'"entry":[{{"fullUrl":"{claim_url}","resource":'
            ),
            *claim_resource,
        ]
        for url, resource in entries:
            pieces += ('},{"fullUrl":"', url, '","resource":', resource)
        pieces.append("}]}")
        return "".join(pieces)

    def care_team_member(self, sequence: int, provider: Provider, role: str) -> str:
        """
        Return a ``Claim.careTeam`` entry.
        """
        url = self.provider_url(provider)
        taxonomy = provider.taxonomy
        qualification = (
            "" if taxonomy is None
            else f',"qualification":{{"coding":[{_TAXONOMY_START}{taxonomy}"}}]}}'
        )  # fmt: skip
        return (
            f'{{"sequence":{sequence},"provider":{{"reference":"{url}"}},"role":{role}'
            f"{qualification}}}"
        )

    def claim_resource(
        self,
        rid: str,
        created: date,
        *,
        patient: str,
        payer: str,
        provider: str,
        coverage: str,
        care_team: str,
        requests: list[str],
        notes: list[tuple[str, SoapNote]],
    ) -> list[str]:
        """
        Return the Claim resource as pieces of text to join.
        """
        claim = self.claim
        # The lines first: they give the billable period and the total.
        items, first, last, total = self.items(notes)
        # Claim.status (FinancialResourceStatusCodes, DOMAIN.md 8): a void asks
        # that the original no longer be active, so it is "cancelled".
        status = "cancelled" if claim.frequency is ClaimFrequency.VOID else "active"
        # Pieces of text, joined with the whole Bundle.
        parts = [
            (
                f'{{"resourceType":"Claim","id":"{rid}",'
                f'"identifier":[{{"value":{_string(claim.id)}}}],'
                f'"status":"{status}","type":{_CLAIM_TYPE_TEXT},"use":"claim",'
                f'"patient":{{"reference":"{patient}"}},'
                f'"billablePeriod":{{"start":"{first}","end":"{last}"}},'
                f'"created":"{created.isoformat()}","insurer":{{"reference":"{payer}"}},'
                f'"provider":{{"reference":"{provider}"}},"priority":{_PRIORITY_TEXT}'
            )
        ]
        if claim.original_claim_number is not None:
            parts.append(
                f',"related":[{{"claim":{{"identifier":'
                f'{{"value":{_string(claim.original_claim_number)}}}}},'
                f'"relationship":{_PRIOR_TEXT}}}]'
            )
        if requests:
            parts.append(f',"referral":{{"reference":"{requests[0]}"}}')
        parts.append(f',"careTeam":[{care_team}]')
        if notes or len(requests) > 1:
            # The notes first, then the prescriptions after the referral.
            info = [
                _supporting_text(sequence, url)
                for sequence, url in enumerate([*[url for url, _ in notes], *requests[1:]], 1)
            ]
            parts.append(f',"supportingInfo":[{",".join(info)}]')
        diagnoses = ",".join(
            [
                f'{{"sequence":{i},"diagnosisCodeableConcept":{{"coding":'
                f'[{{"system":"{ICD10CM_SYSTEM}","code":"{code.value}"}}]}}}}'
                for i, code in enumerate(claim.diagnoses, start=1)
            ]
        )
        authorization = claim.prior_authorization
        pre_auth = "" if authorization is None else f',"preAuthRef":[{_string(authorization)}]'
        parts.append(
            f',"diagnosis":[{diagnoses}],"insurance":[{{"sequence":1,"focal":true,'
            f'"coverage":{{"reference":"{coverage}"}}{pre_auth}}}]'
        )
        if claim.related_causes is not None:
            accident = _accident_text(claim.related_causes)
            if accident is not None:
                parts.append(f',"accident":{accident}')
        parts.append(',"item":[')
        parts += items
        parts.append(f'],"total":{{"value":{_amount_text(total)},"currency":"USD"}}}}')
        return parts

    def items(self, notes: list[tuple[str, SoapNote]]) -> tuple[list[str], str, str, Decimal]:
        """
        Return the items of the lines, their first and last days (ISO), their total.

        The items are pieces of text to join, a comma between two items.
        """
        # A line points at the supporting information of its day's notes.
        note_sequences: dict[date, list[int]] = {}
        for sequence, (_, note) in enumerate(notes, 1):
            note_sequences.setdefault(note.date_of_service, []).append(sequence)
        # Most lines are at the claim's place of service.
        claim_location = _concept_text(_POS_SYSTEM, self.claim.place_of_service.value)
        # Procedure codes as concepts: the default catalogue's are written once
        # (see procedure for the others).
        known = _DEFAULT_CONCEPTS if self.catalog is None else self.concepts
        # Lines of one claim share their dates and places: write each once.
        days: dict[date, str] = {}
        places: dict[str, str] = {}
        items = []
        lines = self.claim.lines
        total = Decimal("0.00")
        for sequence, line in enumerate(lines, 1):
            day = line.date_of_service
            total += line.charge
            pointers = line.diagnosis_pointers
            sequences = (
                _NUMBERS[pointers[0]] if len(pointers) == 1
                else ",".join([_NUMBERS[p] for p in pointers])
            )  # fmt: skip
            information = (
                "" if day not in note_sequences
                else f',"informationSequence":[{",".join(map(str, note_sequences[day]))}]'
            )  # fmt: skip
            modifiers = line.modifiers
            if not modifiers:
                modifier = ""
            elif len(modifiers) == 1:
                modifier = f',"modifier":[{_modifier_text(modifiers[0].value)}]'
            else:
                modifier = f',"modifier":[{",".join([_modifier_text(m.value) for m in modifiers])}]'
            served = days.get(day)
            if served is None:
                served = days[day] = day.isoformat()
            place = line.place_of_service
            location = claim_location if place is None else places.get(place.value)
            if location is None:
                # The line's own place, met for the first time (so not None).
                value = place.value  # type: ignore[union-attr]
                location = places[value] = _concept_text(_POS_SYSTEM, value)
            charge = str(line.charge)
            if charge[-3:-2] != ".":
                charge = _amount_text(line.charge)
            concept = known.get(line.code.value)
            if concept is None:
                concept = self.procedure(line.code)
            items.append(
                f'{{"sequence":{sequence},"careTeamSequence":[1],"diagnosisSequence":[{sequences}]'
                f'{information},"productOrService":{concept}{modifier},'
                f'"servicedDate":"{served}","locationCodeableConcept":{location},'
                f'"quantity":{{"value":{line.units}}},"net":{{"value":{charge},"currency":"USD"}}}}'
            )
            items.append(",")
        items.pop()
        # The billable period: the first and last of the lines' days.
        return items, days[min(days)], days[max(days)], total

    def procedure(self, code: CptCode) -> str:
        """
        Return a procedure code as a CodeableConcept (JSON text), our label its text.

        Written once per Bundle; the default catalogue's codes once at import.
        """
        value = code.value
        if self.catalog is None and value in _DEFAULT_CONCEPTS:
            return _DEFAULT_CONCEPTS[value]
        concept = self.concepts.get(value)
        if concept is None:
            concept = self.concepts[value] = _procedure_concept(code, _label(code, self.catalog))
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
            resource["code"] = msgspec.Raw(self.procedure(rx.procedures[0]))
        elif rx.procedures:
            resource["orderDetail"] = [msgspec.Raw(self.procedure(code)) for code in rx.procedures]
        if rx.visits_authorized is not None:
            resource["quantityQuantity"] = {"value": rx.visits_authorized, "unit": "visits"}
        resource["subject"] = _ref(patient)
        resource.update(_occurrence(rx))
        resource["authoredOn"] = rx.written_on.isoformat()
        resource["requester"] = _ref(self.provider_url(rx.prescriber))
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
            "author": [_ref(self.provider_url(note.provider))],
            "title": "SOAP note",
        }
        if signed and note.signature is not None:
            resource["attester"] = [
                {
                    "mode": "legal",
                    "time": note.signature.signed_on.isoformat(),
                    "party": _ref(self.provider_url(note.signature.signer)),
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
                    "author": [_ref(self.provider_url(addendum.author))],
                    "text": _narrative([_paragraph(None, addendum.text)]),
                }
            )
        resource["section"] = sections
        return resource


def _label(code: CptCode, catalog: Catalog | None) -> str | None:
    """
    Our label of *code*, or ``None`` for a code the catalogue does not hold.
    """
    return (DEFAULT_CATALOG if catalog is None else catalog).label(code)


def _encode(resource: dict[str, Any]) -> str:
    return _ENCODER.encode(resource).decode()


def _diagnosis(code: DiagnosisCode) -> dict[str, Any]:
    # FHIR carries ICD-10-CM codes in their dotted form.
    return _concept(ICD10CM_SYSTEM, code.value)


def _procedure_concept(code: CptCode, label: str | None) -> str:
    # A procedure code as a CodeableConcept, with our label as its text.
    system = HCPCS_SYSTEM if code.is_hcpcs_level2 else CPT_SYSTEM
    text = "" if label is None else f',"text":{_string(label)}'
    return f'{{"coding":[{{"system":"{system}","code":"{code.value}"}}]{text}}}'


#: The concepts of the default catalogue's codes, written once.
_DEFAULT_CONCEPTS: Final = {
    code.value: _procedure_concept(code, info.label) for code, info in DEFAULT_CATALOG.items()
}


def _modifier_concept(value: str) -> str:
    # CPT's own modifiers are two digits (25, 59, 76, 77); letters mark HCPCS Level II
    # modifiers (GP, KX, XE, ...). An unsourced recollection of the two code sets'
    # shapes, consistent with soapbill.codes.modifiers.MEANINGS.
    return _concept_text(CPT_SYSTEM if value.isdigit() else HCPCS_SYSTEM, value)


#: The concepts of the modifiers soapbill knows, written once.
_MODIFIER_TEXT: Final = {value: _modifier_concept(value) for value in MEANINGS}


def _modifier_text(value: str) -> str:
    text = _MODIFIER_TEXT.get(value)
    return _modifier_concept(value) if text is None else text


def _supporting_text(sequence: int, url: str) -> str:
    return (
        f'{{"sequence":{sequence},"category":{_ATTACHMENT_TEXT},'
        f'"valueReference":{{"reference":"{url}"}}}}'
    )


def _accident_text(causes: RelatedCauses) -> str | None:
    # Claim.accident.date is required: without the date there is no accident element.
    if causes.accident_date is None:
        return None
    day = causes.accident_date.isoformat()
    if not causes.auto_accident:
        return f'{{"date":"{day}"}}'
    # RelatedCauses requires the state of an auto accident.
    return (
        f'{{"date":"{day}","type":{_MVA_TEXT},'
        f'"locationAddress":{{"state":"{causes.accident_state}","country":"US"}}}}'
    )


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


def _patient_text(patient: Patient, rid: str) -> str:
    # Phone numbers are ten digits (the models check it).
    phone = patient.phone
    telecom = "" if phone is None else f',"telecom":[{{"system":"phone","value":"{phone}"}}]'
    address = "" if patient.address is None else f',"address":[{_address_text(patient.address)}]'
    return (
        f'{{"resourceType":"Patient","id":"{rid}","identifier":[{{"value":{_string(patient.id)}}}],'
        f'"name":[{_human_name_text(patient.name)}]{telecom},'
        f'"gender":"{patient.sex.value}","birthDate":"{patient.birth_date.isoformat()}"{address}}}'
    )


def _related_person_text(subscriber: Subscriber, rid: str, patient: str) -> str:
    address = (
        "" if subscriber.address is None
        else f',"address":[{_address_text(subscriber.address)}]'
    )  # fmt: skip
    return (
        f'{{"resourceType":"RelatedPerson","id":"{rid}","patient":{{"reference":"{patient}"}},'
        f'"name":[{_human_name_text(subscriber.name)}],"gender":"{subscriber.sex.value}",'
        f'"birthDate":"{subscriber.birth_date.isoformat()}"{address}}}'
    )


def _coverage_text(
    coverage: Coverage,
    rid: str,
    *,
    patient: str,
    subscriber: str,
    payer: str,
) -> str:
    text = (
        f'{{"resourceType":"Coverage","id":"{rid}","status":"active",'
        f'"subscriber":{{"reference":"{subscriber}"}},'
        f'"subscriberId":{_string(coverage.member_id)},"beneficiary":{{"reference":"{patient}"}},'
        f'"relationship":{_RELATIONSHIP_TEXT[coverage.relationship]}'
    )
    start, end = coverage.start, coverage.end
    if start is not None or end is not None:
        period = []
        if start is not None:
            period.append(f'"start":"{start.isoformat()}"')
        if end is not None:
            period.append(f'"end":"{end.isoformat()}"')
        text += f',"period":{{{",".join(period)}}}'
    text += f',"payor":[{{"reference":"{payer}"}}]'
    group = coverage.group_number
    if group is not None:
        text += f',"class":[{{"type":{_GROUP_TEXT},"value":{_string(group)}}}]'
    return text + "}"


def _provider_text(provider: Provider, rid: str) -> str:
    identifiers = f'{{"system":"{NPI_SYSTEM}","value":"{provider.npi.value}"}}'
    if provider.tax_id is not None:
        identifiers += f',{{"system":"{_EIN_SYSTEM}","value":"{provider.tax_id.compact}"}}'
    name = provider.name
    if name is None:
        # Provider requires an organisation name when there is no person's name.
        text = (
            f'{{"resourceType":"Organization","id":"{rid}","identifier":[{identifiers}],'
            f'"type":[{_PROVIDER_TYPE_TEXT}],"name":{_string(provider.organization_name)}'  # type: ignore[arg-type]
        )
    else:
        text = (
            f'{{"resourceType":"Practitioner","id":"{rid}","identifier":[{identifiers}],'
            f'"name":[{_human_name_text(name)}]'
        )
    phone = provider.phone
    if phone is not None:
        text += f',"telecom":[{{"system":"phone","value":"{phone}"}}]'
    if provider.address is not None:
        text += f',"address":[{_address_text(provider.address)}]'
    qualified = provider.credential is not None or provider.license_number is not None
    if name is not None and qualified:
        text += f',"qualification":[{_qualification_text(provider)}]'
    return text + "}"


#: A person's credential as the qualification's text ("LMT").
_TITLES: Final = {credential: credential.value.upper() for credential in Credential}


def _qualification_text(provider: Provider) -> str:
    credential, number, state = (
        provider.credential,
        provider.license_number,
        provider.license_state,
    )
    title = "License" if credential is None else _TITLES[credential]
    identifier = "" if number is None else f'"identifier":[{{"value":{_string(number)}}}],'
    issuer = "" if state is None else f',"issuer":{{"display":"{state}"}}'
    return f'{{{identifier}"code":{{"text":"{title}"}}{issuer}}}'


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
