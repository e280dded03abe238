"""
FHIR R4: a claim and its supporting documents as one ``collection`` Bundle.

:func:`to_fhir_bundle` turns a :class:`~soapbill.Claim`, the prescriptions it
relies on and the SOAP notes of its visits into a FHIR R4 Bundle of type
``collection``: a Claim, the Patient, the Coverage, the payer as an
Organization, each provider as a Practitioner (a person) or an Organization, a
ServiceRequest per code a prescription orders (grouped by the prescription's
id as their ``requisition``), and per SOAP note a Composition and a
DocumentReference (a US Core clinical note), all cross-referenced.
:func:`to_fhir_json` encodes the same Bundle as JSON text, once, with msgspec.

The Bundle is a plain ``dict`` of JSON-ready values, every part of it a new
dict or list, with one exception: FHIR decimals (amounts of money) are
:class:`~decimal.Decimal`, so that no precision is lost on the way to JSON.
:func:`json.dumps` cannot write them; :func:`to_fhir_json` writes them as
exact JSON numbers (``125.00``).

Ids are deterministic: every resource id is a UUID (version 8, RFC 9562)
made from the SHA-1 of what identifies the resource (its type and an
identifier's system and value: the patient's id for the Patient, the claim's
for the Claim; a provider's id holds its NPI), and every ``fullUrl`` is that
UUID as a ``urn:uuid:``. The same patient has the same Patient id in every
Bundle, and two patients have two. The identifiers carry the systems
(namespaces) of :class:`IdentifierSystems`. The same input always gives the
same Bundle, and no clock is read: the Claim's creation date is an argument.

The SOAP sections' LOINC codes are data (:data:`DEFAULT_NOTE_CODES`), because
some of them are not confirmed by a published source; pass your own
:class:`NoteCodes` to replace them. See the FHIR guide for the full mapping.

>>> DEFAULT_NOTE_CODES.document
Coding(system='http://loinc.org', code='11506-3', display='Progress note')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import html
import json
import re
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import attrs
import msgspec

from soapbill._arguments import as_tuple
from soapbill._fields import rules
from soapbill._model import model
from soapbill._validators import has_surrogate
from soapbill.claims import Claim, ClaimFrequency, RelatedCauses
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.modifiers import Modifier
from soapbill.errors import SoapbillError, ValidationError
from soapbill.parties import (
    Address,
    Coverage,
    Patient,
    Payer,
    PersonName,
    PlanType,
    Provider,
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
    "ANY_PROCEDURE_TEXT",
    "CPT_SYSTEM",
    "DEFAULT_NOTE_CODES",
    "DEFAULT_SYSTEMS",
    "HCPCS_SYSTEM",
    "ICD10CM_SYSTEM",
    "LOINC_SYSTEM",
    "NPI_SYSTEM",
    "Coding",
    "IdentifierSystems",
    "NoteCodes",
    "to_fhir_bundle",
    "to_fhir_json",
]

# Code system URIs: CPT, ICD-10-CM and LOINC per the US Core VSAC-to-FHIR URI map
# (https://hl7.org/fhir/us/core/vsacname-fhiruri-map.html); HCPCS Level II as
# the project specifies; the NPI system as the US Core Practitioner profile
# identifies a practitioner by NPI.
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
#: The text of ``ServiceRequest.code`` for a prescription that names no
#: procedure (any procedure may be billed under it).
ANY_PROCEDURE_TEXT: Final = "Any procedure: the prescription names no procedure code"

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
# Diagnosis types: principal from FHIR R4's example value set ex-diagnosistype,
# secondary from CARIN Blue Button's C4BBClaimDiagnosisType, the two codes of
# its value set C4BBClaimProfessionalAndNonClinicianDiagnosisType.
_DIAGNOSIS_TYPE: Final = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype"
_CARIN_DIAGNOSIS_TYPE: Final = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType"
# US Core DocumentReference category: its code system's clinical-note.
_DOCUMENT_CATEGORY: Final = (
    "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
)
# Identifier types (HL7 v2 table 0203): MB, the member number (US Core Coverage,
# identifier:memberid).
_IDENTIFIER_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"
# The Source of Payment Typology (PHDSC), HL7 Terminology's URI for it: US Core
# Coverage binds Coverage.type (extensible) to the VSAC value set "Payer"
# (2.16.840.1.114222.4.11.3591), all of whose codes are from this system.
_PAYER_TYPE: Final = "https://nahdo.org/sopt"
#: The Source of Payment Typology code of each plan type.
_PLAN_TYPES: Final = {
    PlanType.COMMERCIAL: "5",  # PRIVATE HEALTH INSURANCE
    PlanType.MEDICARE_PART_B: "121",  # Medicare FFS
    PlanType.MEDICARE_ADVANTAGE: "11",  # Medicare Managed Care (Includes Medicare Advantage Plans)
    PlanType.MEDICAID: "2",  # MEDICAID
    PlanType.AUTO_PIP: "96",  # Auto Insurance (includes no fault)
    PlanType.WORKERS_COMP: "95",  # Worker's Compensation
    PlanType.OTHER: "9",  # MISCELLANEOUS/OTHER
}
# The EIN: HL7 Terminology NamingSystem USEIN (urn:oid:2.16.840.1.113883.4.4).
_EIN_SYSTEM: Final = "urn:oid:2.16.840.1.113883.4.4"
# A sole proprietor's SSN: the FHIR R4 identifier registry's US SSN system.
_SSN_SYSTEM: Final = "http://hl7.org/fhir/sid/us-ssn"
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
#: The most providers of one NPI that differ and share a Bundle (five hex digits).
_MAX_VARIANTS: Final = 0xFFFFF
_CENT: Final = Decimal("0.01")
_NO_CHARGE: Final = Decimal("0.00")
#: The widest indentation to_fhir_json writes, in spaces per level.
_MAX_INDENT: Final = 16
#: Writes a Bundle: amounts (Decimals) as exact JSON numbers.
_ENCODER: Final = msgspec.json.Encoder(decimal_format="number")
#: A string as json.dumps writes it (non-ASCII characters escaped): the names
#: the resource ids are made from, so that the ids stay what they have been.
_json_ascii: Final[Callable[[str], str]] = json.encoder.encode_basestring_ascii


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


# The document type 11506-3 "Progress note" is a C-CDA progress note document
# type code, Subjective 61150-9 the C-CDA Subjective Section's code and Plan
# 18776-5 the C-CDA Plan of Treatment Section's (HL7 C-CDA R2.1); Objective
# 61149-1 and Assessment 51848-0 are not confirmed by a public source we read.
# All four section codes are in FHIR's DocumentSectionCodes value set
# (http://hl7.org/fhir/R4/valueset-doc-section-codes.html). Section displays
# are left out: the section titles say what they are.
#: The default codes (LOINC), replaceable (see the FHIR guide).
DEFAULT_NOTE_CODES: Final = NoteCodes(
    document=Coding(system=LOINC_SYSTEM, code="11506-3", display="Progress note"),
    subjective=Coding(system=LOINC_SYSTEM, code="61150-9"),
    objective=Coding(system=LOINC_SYSTEM, code="61149-1"),
    assessment=Coding(system=LOINC_SYSTEM, code="51848-0"),
    plan=Coding(system=LOINC_SYSTEM, code="18776-5"),
)


# An absolute URI (RFC 3986: a scheme, a colon, then no spaces or controls)
# that does not end with a slash: soapbill appends "/" and a name to it.
_URI_PATTERN: Final = r"[A-Za-z][A-Za-z0-9+.-]*:[!-~]*[!-.0-~]"
_URI: Final = rules(pattern=_URI_PATTERN, max_len=200)
_is_uri: Final = re.compile(_URI_PATTERN, re.ASCII).fullmatch


@model
class IdentifierSystems:
    """
    The namespaces (``Identifier.system``) of the identifiers soapbill writes.

    Each value soapbill writes as an identifier is the practice's own (a
    patient id, a claim id, a prescription id, a note id) or one it received
    (a payer id, a member id): the system says whose namespace the value
    belongs to. Build them all under one URI of your own with
    :meth:`IdentifierSystems.under`; :data:`DEFAULT_SYSTEMS` is soapbill's
    placeholder.

    Attributes:
        claim: The system of ``Claim.id``.
        patient: The system of ``Patient.id``.
        payer: The system of ``Payer.id``.
        prescription: The system of ``Prescription.id``
            (``ServiceRequest.requisition``).
        note: The system of ``SoapNote.id``.
        member: The start of the system of a member id: the member id of a
            payer whose id is ``EX123`` is in the system ``{member}/EX123``
            (the payer id percent-encoded), since each payer issues its own.

    Each is an absolute URI without a trailing slash, at most 200 characters.

    .. versionadded:: 0.1.0
    """

    claim: str = attrs.field(metadata=_URI)
    patient: str = attrs.field(metadata=_URI)
    payer: str = attrs.field(metadata=_URI)
    prescription: str = attrs.field(metadata=_URI)
    note: str = attrs.field(metadata=_URI)
    member: str = attrs.field(metadata=_URI)

    @classmethod
    def under(cls, base: str) -> IdentifierSystems:
        """
        Return the systems named after *base*: ``{base}/claim``, ``{base}/patient``, ...

        >>> IdentifierSystems.under("https://clinic.example/fhir/id").patient
        'https://clinic.example/fhir/id/patient'

        Raises:
            ValidationError: *base* is not an absolute URI without a trailing
                slash, or too long; the path names the field.
        """
        if base.__class__ is not str:
            raise ValidationError.single("base", "invalid_type", "expected a URI")
        if not _is_uri(base):
            raise ValidationError.single(
                "base", "invalid_format", "expected an absolute URI without a trailing slash"
            )
        return cls(
            claim=f"{base}/claim",
            patient=f"{base}/patient",
            payer=f"{base}/payer",
            prescription=f"{base}/prescription",
            note=f"{base}/note",
            member=f"{base}/member",
        )


#: soapbill's placeholder namespaces, under ``https://soapbill.readthedocs.io/fhir/id``:
#: pass your own (:meth:`IdentifierSystems.under`) so that your ids cannot be
#: mistaken for another practice's.
DEFAULT_SYSTEMS: Final = IdentifierSystems.under("https://soapbill.readthedocs.io/fhir/id")


def to_fhir_bundle(
    claim: Claim,
    *,
    created: date,
    prescriptions: Iterable[Prescription] = (),
    notes: Iterable[SoapNote] = (),
    note_codes: NoteCodes = DEFAULT_NOTE_CODES,
    catalog: Catalog | None = None,
    systems: IdentifierSystems = DEFAULT_SYSTEMS,
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
        systems: The namespaces of the identifiers (default: soapbill's
            placeholders, :data:`DEFAULT_SYSTEMS`).

    Returns:
        The Bundle as a ``dict`` of new dicts and lists (changing one part
        changes no other); amounts are :class:`~decimal.Decimal` with two
        places. :func:`to_fhir_json` writes the same Bundle.

    Raises:
        ValidationError: An argument has the wrong type; a prescription or a
            note is about another patient; two prescriptions or two notes share
            an id.
        SoapbillError: A text value cannot be written as UTF-8 (it holds a
            lone surrogate).

    .. versionadded:: 0.1.0
    """
    rxs, soap_notes = _check_inputs(
        claim, created, prescriptions, notes, note_codes, catalog, systems
    )
    return _BundleBuilder(claim, catalog, systems, encoded=False).bundle(
        created, rxs, soap_notes, note_codes
    )


def to_fhir_json(
    claim: Claim,
    *,
    created: date,
    prescriptions: Iterable[Prescription] = (),
    notes: Iterable[SoapNote] = (),
    note_codes: NoteCodes = DEFAULT_NOTE_CODES,
    catalog: Catalog | None = None,
    systems: IdentifierSystems = DEFAULT_SYSTEMS,
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
        systems: As for :func:`to_fhir_bundle`.
        indent: Spaces per level of indentation, from 0 to 16; ``None`` writes
            one line.

    Raises:
        ValidationError: As for :func:`to_fhir_bundle`.
        SoapbillError: A text value cannot be written as UTF-8 (it holds a
            lone surrogate).

    .. versionadded:: 0.1.0
    """
    rxs, soap_notes = _check_inputs(
        claim, created, prescriptions, notes, note_codes, catalog, systems
    )
    if indent is not None:
        if indent.__class__ is not int:
            raise ValidationError.single("indent", "invalid_type", "expected a number of spaces")
        if not 0 <= indent <= _MAX_INDENT:
            raise ValidationError.single(
                "indent", "out_of_range", f"indent by 0 to {_MAX_INDENT} spaces"
            )
    builder = _BundleBuilder(claim, catalog, systems, encoded=True)
    bundle = builder.bundle(created, rxs, soap_notes, note_codes)
    text = _ENCODER.encode(bundle)
    if indent is not None:
        text = msgspec.json.format(text, indent=indent)
    return text.decode()


def _check_inputs(  # noqa: PLR0917 - the writers' arguments, in their order
    claim: object,
    created: object,
    prescriptions: Iterable[object],
    notes: Iterable[object],
    note_codes: object,
    catalog: object,
    systems: object,
) -> tuple[tuple[Prescription, ...], tuple[SoapNote, ...]]:
    documents = _check_documents(claim, created, prescriptions, notes, note_codes)
    if catalog is not None and not isinstance(catalog, Catalog):
        raise ValidationError.single("catalog", "invalid_type", "expected a Catalog")
    if systems.__class__ is not IdentifierSystems:
        raise ValidationError.single("systems", "invalid_type", "expected an IdentifierSystems")
    return documents


def _check_documents(
    claim: object,
    created: object,
    prescriptions: Iterable[object],
    notes: Iterable[object],
    note_codes: object,
) -> tuple[tuple[Prescription, ...], tuple[SoapNote, ...]]:
    if not isinstance(claim, Claim):
        raise ValidationError.single("claim", "invalid_type", "expected a Claim")
    _check_accident(claim)
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


def _check_accident(claim: Claim) -> None:
    causes = claim.related_causes
    if (
        causes is not None
        and causes.accident_date is None
        and (causes.auto_accident or causes.other_accident)
    ):
        # Claim.accident.date is required (1..1): an accident without its
        # date cannot be written, and leaving it out would hide it.
        raise ValidationError.single(
            "claim.related_causes.accident_date", "required", "required for an accident"
        )


# --- the resources ------------------------------------------------------------------
#
# Every resource is built as dicts and lists of JSON values, a new dict for
# every element, so that changing one in a Bundle changes no other; amounts are
# Decimals with two places. to_fhir_json encodes the whole Bundle once.
#
# to_fhir_json builds the same Bundle, but its dicts never leave it: there, the
# parts a practice writes Bundle after Bundle (a code's CodeableConcept, a
# billed line's codes and amounts, a diagnosis list, a provider's or a payer's
# entry) are their JSON, msgspec.Raw, kept with a few ids and texts in bounded
# memos of immutable values (like re's patterns). Each memo says what it saves
# a Bundle, measured on the six-line claim of benchmarks/bench_formats.py in
# one process, to_fhir_json against the same writer without that memo
# (interleaved, the median of 61 rounds): for that claim written again, and for
# claims of other patients read from JSON (the benchmark's "new" claims).


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


#: The variant nibble of a UUID (RFC 9562 section 4.1: the bits 10) from any hex digit.
_VARIANT: Final = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def _resource_id(*parts: str) -> str:
    """
    Return the version-8 UUID (RFC 9562 section 5.8) named by *parts*.

    The parts are the resource type and what identifies the resource (an
    identifier's system and value, ...); each is written as a JSON string, so
    that no two lists of parts give the same text.
    """
    h = _sha1(_NAMESPACE_BYTES + "".join(map(_json_ascii, parts)).encode())
    return f"{h[:8]}-{h[8:12]}-8{h[12:15]}-{_VARIANT[h[15]]}{h[16:19]}-{h[19:31]}"


def _claim_ids(system: str, claim_id: str) -> tuple[str, str]:
    """
    Return the ids of a claim's Claim and Bundle, both named by the claim's identifier.

    One SHA-1 names both (the claim's ids are made on every call): the Claim's
    id is made of its first 124 bits, the Bundle's of its last 124, as
    :func:`_resource_id` makes an id of the first.
    """
    h = _sha1(_NAMESPACE_BYTES + "".join(map(_json_ascii, ("Claim", system, claim_id))).encode())
    return (
        f"{h[:8]}-{h[8:12]}-8{h[12:15]}-{_VARIANT[h[15]]}{h[16:19]}-{h[19:31]}",
        f"{h[9:17]}-{h[17:21]}-8{h[21:24]}-{_VARIANT[h[24]]}{h[25:28]}-{h[28:40]}",
    )


#: The ids of the parties (patients, payers, coverages, subscribers): a practice
#: writes the same ones claim after claim, so they are kept (a bounded memo of
#: immutable values, like re's patterns). Saves 5.2 us (0.7 us for new claims,
#: whose patients are new: only the payer's id is kept).
_party_id: Final = functools.lru_cache(maxsize=1024)(_resource_id)
#: The first 64 bits of a provider's id; the last 64 are its NPI's (see
#: _BundleBuilder.provider_url).
_PROVIDER_PREFIX: Final = _resource_id("Provider")[:19]


@functools.lru_cache(maxsize=256)
def _member_system(base: str, payer_id: str) -> str:
    # Each payer issues its own member ids: its id names their namespace.
    # Kept per payer: saves 1.3 us (2.0 us for new claims).
    return f"{base}/{urllib.parse.quote(payer_id, safe='')}"


def _ref(url: str) -> dict[str, str]:
    return {"reference": url}


def _concept(system: str, code: str, text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [{"system": system, "code": code}]}
    if text is not None:
        concept["text"] = text
    return concept


def _money(amount: Decimal) -> dict[str, Any]:
    # Two decimal places: the models allow at most two, so quantize only pads.
    return {"value": amount.quantize(_CENT), "currency": "USD"}


@functools.lru_cache(maxsize=4096)
def _encoded_concept(system: str, code: str, text: str | None = None) -> msgspec.Raw:
    # The JSON of a CodeableConcept (see "the resources" above): saves 1.8 us
    # (2.0 us for new claims).
    return msgspec.Raw(_ENCODER.encode(_concept(system, code, text)))


def _procedure(code: CptCode, catalog: Catalog | None) -> dict[str, Any]:
    # A procedure code as a CodeableConcept, our label its text.
    system = HCPCS_SYSTEM if code.is_hcpcs_level2 else CPT_SYSTEM
    return _concept(system, code.value, _label(code, catalog))


def _modifiers(modifiers: tuple[Modifier, ...]) -> list[dict[str, Any]]:
    return [_concept(_modifier_system(m.value), m.value) for m in modifiers]


def _diagnoses(diagnoses: tuple[DiagnosisCode, ...]) -> list[dict[str, Any]]:
    # The first diagnosis is the principal one (837P HI ABK), the others
    # secondary (ABF): CARIN Blue Button's professional diagnosis types.
    return [
        {
            "sequence": sequence,
            "diagnosisCodeableConcept": _concept(ICD10CM_SYSTEM, code.value),
            "type": [
                _concept(_DIAGNOSIS_TYPE, "principal")
                if sequence == 1
                else _concept(_CARIN_DIAGNOSIS_TYPE, "secondary")
            ],
        }
        for sequence, code in enumerate(diagnoses, 1)
    ]


@functools.lru_cache(maxsize=256)
def _encoded_diagnoses(diagnoses: tuple[DiagnosisCode, ...]) -> msgspec.Raw:
    # A patient's claims repeat their diagnoses, and a practice's patients
    # share many: the JSON of the list is kept. Saves 4.3 us (5.3 us for new
    # claims, which have the same diagnoses).
    return msgspec.Raw(_ENCODER.encode(_diagnoses(diagnoses)))


def _unit_price(charge: Decimal, units: int) -> dict[str, Any]:
    # The line's charge per unit, rounded half up to the cent: the one place
    # the FHIR writer rounds. Claim.item.net stays the line's charge, which
    # may differ from units times this price by less than a cent a unit.
    price = (charge / units).quantize(_CENT, rounding=ROUND_HALF_UP)
    return {"value": price, "currency": "USD"}


#: What an item holds that its line alone decides: ``careTeamSequence``,
#: ``diagnosisSequence``, ``productOrService``, ``modifier`` (``None`` for a
#: line without modifiers), ``locationCodeableConcept``, ``quantity``,
#: ``unitPrice`` and ``net``.
_LineParts = tuple[Any, ...]


def _line_parts(  # noqa: PLR0917 - what a service line bills
    code: CptCode,
    modifiers: tuple[Modifier, ...],
    place: str,
    charge: Decimal,
    units: int,
    pointers: tuple[int, ...],
    catalog: Catalog | None,
) -> _LineParts:
    # The treating provider is the care team's first member.
    return (
        [1],
        list(pointers),
        _procedure(code, catalog),
        _modifiers(modifiers) if modifiers else None,
        _concept(_POS_SYSTEM, place),
        {"value": units},
        _unit_price(charge, units),
        _money(charge),
    )


@functools.lru_cache(maxsize=1024)
def _encoded_line_parts(  # noqa: PLR0917 - what a service line bills
    code: str,
    modifiers: tuple[Modifier, ...],
    place: str,
    charge: Decimal,
    units: int,
    pointers: tuple[int, ...],
) -> _LineParts:
    # A practice bills the same few lines day after day (a code with its
    # modifiers, at a place, its fee for some units, for the usual
    # diagnoses): with the built-in catalogue their parts are the same JSON
    # every time, kept per line. The code comes as its text, which hashes in
    # C, and is built again only when a line is new. Saves 20 us (21 us for
    # new claims); it replaced a memo per part (procedure, modifiers, place,
    # unit price, amount), which took 2.3 us more, and 0.8 us more again
    # before it held the item's sequences.
    return tuple(
        None if part is None else msgspec.Raw(_ENCODER.encode(part))
        for part in _line_parts(CptCode(code), modifiers, place, charge, units, pointers, None)
    )


@functools.lru_cache(maxsize=1024)
def _iso_day(day: date) -> str:
    # The lines of a claim share a few days, and a day's claims their
    # creation date: each is written once and kept. Saves 1.6 us (2.3 us
    # for new claims).
    return day.isoformat()


#: What builds a CodeableConcept from its system, code and text: new dicts,
#: or shared JSON (see _encoded_concept).
_Concept = Callable[..., Any]


def _human_name(name: PersonName) -> dict[str, Any]:
    given = [name.given] if name.middle is None else [name.given, name.middle]
    human: dict[str, Any] = {"family": name.family, "given": given}
    if name.suffix is not None:
        human["suffix"] = [name.suffix]
    return human


def _address(address: Address) -> dict[str, Any]:
    lines = [address.line1] if address.line2 is None else [address.line1, address.line2]
    return {
        "line": lines,
        "city": address.city,
        "state": address.state,
        "postalCode": address.postal_code,
        "country": "US",
    }


def _phone(phone: str | None) -> dict[str, Any]:
    return {} if phone is None else {"telecom": [{"system": "phone", "value": phone}]}


class _BundleBuilder:
    """
    Builds the resources of one claim's Bundle and remembers their URLs.
    """

    __slots__ = (
        "catalog",
        "claim",
        "concept",
        "diagnoses",
        "payer_entry",
        "provider_entries",
        "provider_entry",
        "providers",
        "shared_lines",
        "systems",
    )

    def __init__(
        self,
        claim: Claim,
        catalog: Catalog | None,
        systems: IdentifierSystems,
        *,
        encoded: bool,
    ) -> None:
        self.claim = claim
        self.catalog = catalog
        self.systems = systems
        # New dicts for to_fhir_bundle, shared JSON for to_fhir_json: the
        # parts that recur from Bundle to Bundle (see "the resources").
        self.concept: _Concept = _encoded_concept if encoded else _concept
        self.diagnoses: Callable[[tuple[DiagnosisCode, ...]], Any] = (
            _encoded_diagnoses if encoded else _diagnoses
        )
        self.provider_entry: Callable[[Provider, str], Any] = (
            _encoded_provider_entry if encoded else _provider_entry
        )
        self.payer_entry: Callable[[Payer, str, str], Any] = (
            _encoded_payer_entry if encoded else _payer_entry
        )
        # to_fhir_json with the built-in catalogue: a line's codes and
        # amounts are the same JSON every time (see _encoded_line_parts).
        self.shared_lines = encoded and catalog is None
        # The providers met so far, with their URLs; a Bundle has a handful.
        self.providers: list[tuple[Provider, str]] = []
        # The Bundle entries of the providers.
        self.provider_entries: list[dict[str, Any]] = []

    def provider_url(self, provider: Provider) -> str:
        """
        Return the URL of *provider*'s resource, adding it on first use.
        """
        variants = 0
        npi = provider.npi.value
        for known, url in self.providers:
            if known.npi.value == npi:
                if known == provider:
                    return url
                variants += 1
        # The NPI names a provider (variant 9); a provider whose NPI an
        # unequal one already has in this Bundle gets the next number.
        if variants > _MAX_VARIANTS:
            raise ValidationError.single(
                "providers", "too_many", "too many different providers share one NPI"
            )
        number = "00000" if not variants else f"{variants:05x}"
        rid = f"{_PROVIDER_PREFIX}9{number[:3]}-{number[3:]}{npi}"
        url = f"urn:uuid:{rid}"
        self.providers.append((provider, url))
        self.provider_entries.append(self.provider_entry(provider, rid))
        return url

    def bundle(
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
        coverage = claim.coverage
        systems = self.systems
        patient_system, patient_id = systems.patient, claim.patient.id
        member_system = _member_system(systems.member, coverage.payer.id)
        # Each id is named by what identifies its resource: the claim by its
        # id, the patient by theirs, the payer by its id, the coverage by the
        # member id and the patient it covers, the subscriber by that coverage.
        claim_rid, bundle_rid = _claim_ids(systems.claim, claim.id)
        rid = {
            "claim": claim_rid,
            "patient": _party_id("Patient", patient_system, patient_id),
            "payer": _party_id("Organization", systems.payer, coverage.payer.id),
            "coverage": _party_id(
                "Coverage", member_system, coverage.member_id, patient_system, patient_id
            ),
        }
        url = {
            "claim": f"urn:uuid:{claim_rid}",
            "patient": f"urn:uuid:{rid['patient']}",
            "payer": f"urn:uuid:{rid['payer']}",
            "coverage": f"urn:uuid:{rid['coverage']}",
        }
        subscriber = url["patient"]
        related = []
        if coverage.subscriber is not None:
            person_id = _party_id(
                "RelatedPerson", member_system, coverage.member_id, patient_system, patient_id
            )
            subscriber = f"urn:uuid:{person_id}"
            person = _related_person(coverage.subscriber, person_id, url["patient"])
            related.append({"fullUrl": subscriber, "resource": person})
        billing = self.provider_url(claim.billing_provider)
        concept = self.concept
        primary = concept(_CARE_TEAM_ROLE, "primary")
        care_team = [self.care_team_member(1, claim.treating_provider, primary)]
        if claim.referring_provider is not None:
            referring = concept(_CARE_TEAM_ROLE, "other", "Referring provider")
            care_team.append(self.care_team_member(2, claim.referring_provider, referring))
        requests: list[dict[str, Any]] = []
        request_urls: list[str] = []
        system = systems.prescription
        for rx in prescriptions:
            # One ServiceRequest per ordered code (ServiceRequest.code holds
            # one concept), or one for "any procedure".
            for code in rx.procedures or (None,):
                request_id = _resource_id(
                    "ServiceRequest", system, rx.id, "" if code is None else code.value
                )
                request_urls.append(f"urn:uuid:{request_id}")
                resource = self.service_request(rx, code, request_id, url["patient"])
                requests.append({"fullUrl": request_urls[-1], "resource": resource})
        compositions: list[dict[str, Any]] = []
        document_references: list[dict[str, Any]] = []
        note_urls: list[tuple[str, SoapNote]] = []
        for note in notes:
            composition, document_reference = self.note_resources(note, url["patient"], note_codes)
            compositions.append(composition)
            document_references.append(document_reference)
            note_urls.append((composition["fullUrl"], note))
        claim_resource = self.claim_resource(
            claim_rid,
            created,
            urls=url,
            provider=billing,
            care_team=care_team,
            requests=request_urls,
            notes=note_urls,
        )
        entries = [
            {"fullUrl": url["claim"], "resource": claim_resource},
            {
                "fullUrl": url["patient"],
                "resource": _patient(claim.patient, rid["patient"], patient_system),
            },
            *related,
            {
                "fullUrl": url["coverage"],
                "resource": _coverage(
                    coverage, rid["coverage"], url, subscriber, member_system, concept
                ),
            },
            self.payer_entry(coverage.payer, rid["payer"], systems.payer),
            *self.provider_entries,
            *requests,
            *compositions,
            *document_references,
        ]
        return {
            "resourceType": "Bundle",
            "id": bundle_rid,
            "type": "collection",
            "entry": entries,
        }

    def care_team_member(self, sequence: int, provider: Provider, role: object) -> dict[str, Any]:
        """
        Return a ``Claim.careTeam`` entry.
        """
        member: dict[str, Any] = {
            "sequence": sequence,
            "provider": _ref(self.provider_url(provider)),
            "role": role,
        }
        if provider.taxonomy is not None:
            member["qualification"] = self.concept(_TAXONOMY_SYSTEM, provider.taxonomy)
        return member

    def claim_resource(
        self,
        rid: str,
        created: date,
        *,
        urls: dict[str, str],
        provider: str,
        care_team: list[dict[str, Any]],
        requests: list[str],
        notes: list[tuple[str, SoapNote]],
    ) -> dict[str, Any]:
        """
        Return the Claim resource.
        """
        claim = self.claim
        concept = self.concept
        # The lines first: they give the billable period and the total.
        items, first, last, total = self.items(notes)
        # Claim.status (FHIR R4 value set fm-status): a void asks that the
        # original no longer be active, so it is "cancelled".
        status = "cancelled" if claim.frequency is ClaimFrequency.VOID else "active"
        resource: dict[str, Any] = {
            "resourceType": "Claim",
            "id": rid,
            "identifier": [{"system": self.systems.claim, "value": claim.id}],
            "status": status,
            "type": concept(_CLAIM_TYPE, "professional"),
            "use": "claim",
            "patient": _ref(urls["patient"]),
            "billablePeriod": {"start": first, "end": last},
            "created": _iso_day(created),
            "insurer": _ref(urls["payer"]),
            "provider": _ref(provider),
            "priority": concept(_PRIORITY, "normal"),
        }
        if claim.original_claim_number is not None:
            resource["related"] = [
                {
                    "claim": {"identifier": {"value": claim.original_claim_number}},
                    "relationship": concept(_RELATED, "prior"),
                }
            ]
        if requests:
            resource["referral"] = _ref(requests[0])
        resource["careTeam"] = care_team
        if notes or len(requests) > 1:
            # The notes first, then the prescriptions after the referral.
            resource["supportingInfo"] = [
                {
                    "sequence": sequence,
                    "category": concept(_INFO_CATEGORY, "attachment"),
                    "valueReference": _ref(url),
                }
                for sequence, url in enumerate([*[url for url, _ in notes], *requests[1:]], 1)
            ]
        resource["diagnosis"] = self.diagnoses(claim.diagnoses)
        insurance: dict[str, Any] = {
            "sequence": 1,
            "focal": True,
            "coverage": _ref(urls["coverage"]),
        }
        if claim.prior_authorization is not None:
            insurance["preAuthRef"] = [claim.prior_authorization]
        resource["insurance"] = [insurance]
        accident = _accident(claim.related_causes, concept)
        if accident is not None:
            resource["accident"] = accident
        resource["item"] = items
        resource["total"] = _money(total)
        return resource

    def items(
        self, notes: list[tuple[str, SoapNote]]
    ) -> tuple[list[dict[str, Any]], str, str, Decimal]:
        """
        Return the items of the claim's lines, their first and last days (ISO), their total.
        """
        # A line points at the supporting information of its day's notes.
        note_sequences: dict[date, list[int]] = {}
        for sequence, (_, note) in enumerate(notes, 1):
            note_sequences.setdefault(note.date_of_service, []).append(sequence)
        claim = self.claim
        shared = self.shared_lines
        items = []
        days = []
        total = _NO_CHARGE
        for sequence, line in enumerate(claim.lines, 1):
            day = line.date_of_service
            total += line.charge
            place = (line.place_of_service or claim.place_of_service).value
            pointers = line.diagnosis_pointers
            care_team, diagnoses, product, modifier, location, quantity, unit_price, net = (
                _encoded_line_parts(
                    line.code.value, line.modifiers, place, line.charge, line.units, pointers
                )
                if shared
                else _line_parts(
                    line.code,
                    line.modifiers,
                    place,
                    line.charge,
                    line.units,
                    pointers,
                    self.catalog,
                )
            )
            item: dict[str, Any] = {
                "sequence": sequence,
                "careTeamSequence": care_team,
                "diagnosisSequence": diagnoses,
            }
            if day in note_sequences:
                item["informationSequence"] = list(note_sequences[day])
            item["productOrService"] = product
            if modifier is not None:
                item["modifier"] = modifier
            item["servicedDate"] = serviced = _iso_day(day)
            days.append(serviced)
            item["locationCodeableConcept"] = location
            item["quantity"] = quantity
            item["unitPrice"] = unit_price
            item["net"] = net
            items.append(item)
        # ISO dates sort as the days do.
        return items, min(days), max(days), total

    def procedure(self, code: CptCode) -> Any:  # noqa: ANN401 - a dict or its JSON
        """
        Return a procedure code as a CodeableConcept, our label its text.
        """
        system = HCPCS_SYSTEM if code.is_hcpcs_level2 else CPT_SYSTEM
        return self.concept(system, code.value, _label(code, self.catalog))

    def service_request(
        self, rx: Prescription, code: CptCode | None, rid: str, patient: str
    ) -> dict[str, Any]:
        """
        Return the ServiceRequest of one code of a prescription (``None``: any code).
        """
        resource: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "id": rid,
            # The prescription's id groups the requests of its codes (FHIR R4
            # ServiceRequest.requisition, "Composite Request ID").
            "requisition": {"system": self.systems.prescription, "value": rx.id},
            # The prescription as written; whether it is still valid is the
            # rules engine's question, not the format's.
            "status": "active",
            "intent": "order",
            # ServiceRequest.code is required by US Core: the ordered code, or
            # for a prescription that names none a text-only concept.
            "code": {"text": ANY_PROCEDURE_TEXT} if code is None else self.procedure(code),
        }
        if rx.visits_authorized is not None:
            resource["quantityQuantity"] = {"value": rx.visits_authorized, "unit": "visits"}
        resource["subject"] = _ref(patient)
        resource.update(_occurrence(rx))
        resource["authoredOn"] = rx.written_on.isoformat()
        resource["requester"] = _ref(self.provider_url(rx.prescriber))
        resource["reasonCode"] = [self.concept(ICD10CM_SYSTEM, code.value) for code in rx.diagnoses]
        if rx.regions:
            resource["bodySite"] = [{"text": _region(region)} for region in rx.regions]
        if rx.notes is not None:
            resource["note"] = [{"text": rx.notes}]
        return resource

    def note_resources(
        self, note: SoapNote, patient: str, codes: NoteCodes
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """
        Return the Composition of a SOAP note and its DocumentReference entries.
        """
        system = self.systems.note
        composition_id = _resource_id("Composition", system, note.id)
        reference_id = _resource_id("DocumentReference", system, note.id)
        composition_url = f"urn:uuid:{composition_id}"
        signed = note.is_signed
        if not signed:
            status = "preliminary"
        elif note.addenda:
            status = "amended"
        else:
            status = "final"
        written = note.signature.signed_on if signed and note.signature else note.date_of_service
        author = [_ref(self.provider_url(note.provider))]
        signer = (
            self.provider_url(note.signature.signer)
            if signed and note.signature is not None
            else None
        )
        resource: dict[str, Any] = {
            "resourceType": "Composition",
            "id": composition_id,
            "identifier": {"system": system, "value": note.id},
            "status": status,
            "type": {"coding": [codes.document.to_fhir()]},
            "subject": _ref(patient),
            "date": written.isoformat(),
            "author": author,
            "title": "SOAP note",
        }
        if signer is not None and note.signature is not None:
            resource["attester"] = [
                {
                    "mode": "legal",
                    "time": note.signature.signed_on.isoformat(),
                    "party": _ref(signer),
                }
            ]
        day = note.date_of_service.isoformat()
        resource["event"] = [{"period": {"start": day, "end": day}}]
        parts = [
            ("Subjective", codes.subjective, _subjective(note.subjective)),
            ("Objective", codes.objective, _objective(note.objective, note, self.catalog)),
            ("Assessment", codes.assessment, _assessment(note.assessment, note)),
            ("Plan", codes.plan, _plan(note.plan)),
        ]
        sections = [_section(title, code, paragraphs) for title, code, paragraphs in parts]
        body = [_heading(title, paragraphs) for title, _, paragraphs in parts]
        for addendum in note.addenda:
            title = f"Addendum {addendum.written_on.isoformat()}"
            paragraphs = [_paragraph(None, addendum.text)]
            sections.append(
                {
                    "title": title,
                    "author": [_ref(self.provider_url(addendum.author))],
                    "text": _narrative(paragraphs),
                }
            )
            body.append(_heading(title, paragraphs))
        resource["section"] = sections
        # The same note as a US Core DocumentReference (a clinical note): its
        # text as one XHTML document, its Composition in context.related.
        # DocumentReference.date is an instant (a time soapbill does not
        # have): the day the note was written is the attachment's creation.
        document = (
            f'<html xmlns="{_XHTML}"><head><title>SOAP note</title></head>'
            f"<body>{''.join(body)}</body></html>"
        )
        reference: dict[str, Any] = {
            "resourceType": "DocumentReference",
            "id": reference_id,
            "identifier": [{"system": system, "value": note.id}],
            "status": "current",
            "docStatus": status,
            "type": {"coding": [codes.document.to_fhir()]},
            "category": [{"coding": [{"system": _DOCUMENT_CATEGORY, "code": "clinical-note"}]}],
            "subject": _ref(patient),
            "author": [_ref(self.provider_url(note.provider))],
        }
        if signer is not None:
            reference["authenticator"] = _ref(signer)
        reference["content"] = [
            {
                "attachment": {
                    "contentType": "application/xhtml+xml",
                    "data": base64.b64encode(document.encode()).decode("ascii"),
                    "title": "SOAP note",
                    "creation": written.isoformat(),
                }
            }
        ]
        reference["context"] = {
            "period": {"start": day, "end": day},
            "related": [_ref(composition_url)],
        }
        return (
            {"fullUrl": composition_url, "resource": resource},
            {"fullUrl": f"urn:uuid:{reference_id}", "resource": reference},
        )


def _label(code: CptCode, catalog: Catalog | None) -> str | None:
    """
    Our label of *code*, or ``None`` for a code the catalogue does not hold.

    Raises:
        SoapbillError: The label holds a lone surrogate, which UTF-8 cannot
            write: the models refuse one in their text, but a catalogue's
            labels are not checked.
    """
    label = (DEFAULT_CATALOG if catalog is None else catalog).label(code)
    if label is not None and has_surrogate(label):
        raise SoapbillError("a text value cannot be written as UTF-8")
    return label


def _modifier_system(value: str) -> str:
    # CPT's own modifiers are two digits (25, 59, 76, 77); letters mark HCPCS
    # Level II modifiers (GP, KX, XE, ...): the shapes of the two code sets
    # (AMA CPT Appendix A; CMS HCPCS Level II modifiers), as in
    # soapbill.codes.modifiers.
    return CPT_SYSTEM if value.isdigit() else HCPCS_SYSTEM


def _accident(causes: RelatedCauses | None, concept: _Concept) -> dict[str, Any] | None:
    # Claim.accident.date is required: a condition related to employment with
    # no accident date is no accident (an accident without one is refused by
    # _check_documents).
    if causes is None or causes.accident_date is None:
        return None
    accident: dict[str, Any] = {"date": causes.accident_date.isoformat()}
    # Claim.accident.type (v3 ActIncidentCode) holds one code: an auto
    # accident at work is a motor vehicle accident, with its state.
    if causes.auto_accident:
        # RelatedCauses requires the state of an auto accident.
        accident["type"] = concept(_ACT_CODE, "MVA")
        accident["locationAddress"] = {"state": causes.accident_state, "country": "US"}
    elif causes.employment:
        accident["type"] = concept(_ACT_CODE, "WPA")
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


def _patient(patient: Patient, rid: str, system: str) -> dict[str, Any]:
    head = {
        "resourceType": "Patient",
        "id": rid,
        "identifier": [{"system": system, "value": patient.id}],
    }
    return _person(head, patient, patient.phone)


def _related_person(subscriber: Subscriber, rid: str, patient: str) -> dict[str, Any]:
    head = {"resourceType": "RelatedPerson", "id": rid, "patient": _ref(patient)}
    return _person(head, subscriber, None)


def _person(
    head: dict[str, Any], person: Patient | Subscriber, phone: str | None
) -> dict[str, Any]:
    # A Patient or a RelatedPerson: what identifies it, then the person.
    resource = head
    resource["name"] = [_human_name(person.name)]
    resource.update(_phone(phone))
    resource["gender"] = person.sex.value
    resource["birthDate"] = person.birth_date.isoformat()
    if person.address is not None:
        resource["address"] = [_address(person.address)]
    return resource


def _coverage(  # noqa: PLR0917 - the parts the Coverage refers to
    coverage: Coverage,
    rid: str,
    urls: dict[str, str],
    subscriber: str,
    member_system: str,
    concept: _Concept,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Coverage",
        "id": rid,
        # The member id as US Core's identifier:memberid (type MB) beside
        # subscriberId, in the payer's namespace.
        "identifier": [
            {
                "type": concept(_IDENTIFIER_TYPE, "MB"),
                "system": member_system,
                "value": coverage.member_id,
            }
        ],
        "status": "active",
        "type": concept(_PAYER_TYPE, _PLAN_TYPES[coverage.plan_type]),
        "subscriber": _ref(subscriber),
        "subscriberId": coverage.member_id,
        "beneficiary": _ref(urls["patient"]),
        "relationship": concept(_SUBSCRIBER_RELATIONSHIP, coverage.relationship.value),
    }
    period = {}
    if coverage.start is not None:
        period["start"] = coverage.start.isoformat()
    if coverage.end is not None:
        period["end"] = coverage.end.isoformat()
    if period:
        resource["period"] = period
    resource["payor"] = [_ref(urls["payer"])]
    if coverage.group_number is not None:
        group = {"type": concept(_COVERAGE_CLASS, "group"), "value": coverage.group_number}
        resource["class"] = [group]
    return resource


def _provider(provider: Provider, rid: str) -> dict[str, Any]:
    identifiers = [{"system": NPI_SYSTEM, "value": provider.npi.value}]
    if provider.tax_id is not None:
        system = _SSN_SYSTEM if provider.tax_id.kind == "ssn" else _EIN_SYSTEM
        identifiers.append({"system": system, "value": provider.tax_id.compact})
    name = provider.name
    resource: dict[str, Any]
    if name is None:
        # Provider requires an organisation name when there is no person's name.
        resource = {
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
            "name": [_human_name(name)],
        }
    resource.update(_phone(provider.phone))
    if provider.address is not None:
        resource["address"] = [_address(provider.address)]
    qualified = provider.credential is not None or provider.license_number is not None
    if name is not None and qualified:
        resource["qualification"] = [_qualification(provider)]
    return resource


def _provider_entry(provider: Provider, rid: str) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{rid}", "resource": _provider(provider, rid)}


#: The JSON of the last providers' entries by resource id, each with the
#: provider it was written from (see _encoded_provider_entry).
_PROVIDER_ENTRIES: Final[dict[str, tuple[Provider, msgspec.Raw]]] = {}
_MAX_PROVIDER_ENTRIES: Final = 256


def _encoded_provider_entry(provider: Provider, rid: str) -> msgspec.Raw:
    # A practice's providers are on claim after claim: the JSON of each
    # provider's entry is kept. It is found by the resource id, a string that
    # hashes in C, and checked against the provider it was written from (is,
    # then ==), where an lru_cache keyed by the provider would hash it (each
    # of its fields, in Python) and then compare it too. Bounded, oldest out
    # first, and safe across threads as re's cache is: a race at worst writes
    # an entry twice. Saves 6.9 us with three providers (4.2 us for new
    # claims), 1.8 us (2.6 us) of it against such an lru_cache.
    known = _PROVIDER_ENTRIES.get(rid)
    if known is not None and (known[0] is provider or known[0] == provider):
        return known[1]
    entry = msgspec.Raw(_ENCODER.encode(_provider_entry(provider, rid)))
    if len(_PROVIDER_ENTRIES) >= _MAX_PROVIDER_ENTRIES:
        with contextlib.suppress(StopIteration, RuntimeError, KeyError):
            del _PROVIDER_ENTRIES[next(iter(_PROVIDER_ENTRIES))]
    _PROVIDER_ENTRIES[rid] = (provider, entry)
    return entry


def _payer_entry(payer: Payer, rid: str, system: str) -> dict[str, Any]:
    resource = {
        "resourceType": "Organization",
        "id": rid,
        "identifier": [{"system": system, "value": payer.id}],
        "type": [_concept(_ORG_TYPE, "pay")],
        "name": payer.name,
    }
    return {"fullUrl": f"urn:uuid:{rid}", "resource": resource}


@functools.lru_cache(maxsize=256)
def _encoded_payer_entry(payer: Payer, rid: str, system: str) -> msgspec.Raw:
    # A practice bills a few payers: the JSON of each payer's entry is kept.
    # Saves 1.0 us (0.8 us for new claims).
    return msgspec.Raw(_ENCODER.encode(_payer_entry(payer, rid, system)))


def _qualification(provider: Provider) -> dict[str, Any]:
    credential = provider.credential
    qualification: dict[str, Any] = {}
    if provider.license_number is not None:
        qualification["identifier"] = [{"value": provider.license_number}]
    # A person's credential as the qualification's text ("LMT").
    title = "License" if credential is None else credential.value.upper()
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


def _heading(title: str, paragraphs: list[str]) -> str:
    # A section of the note's XHTML document: its title, then its paragraphs.
    return (
        f"<h2>{_escape(title)}</h2>{''.join(paragraphs or [_paragraph(None, 'Nothing recorded.')])}"
    )


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
