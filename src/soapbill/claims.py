"""
Claims: what a practice asks an insurer to pay.

A :class:`Claim` carries the patient, their coverage, the providers, 1-12
diagnoses (the first is the principal one) and 1-50 :class:`ServiceLine` s
(the 837P limits: :data:`MAX_DIAGNOSES`, :data:`MAX_LINES`). Each line points
at one to four (:data:`MAX_DIAGNOSIS_POINTERS`) of the claim's diagnoses with
1-based pointers. The total charge is derived from the
lines, never stored.

A replacement or a void (claim frequency 7 or 8) names the payer's claim number
of the original (837P ``REF*F8``, CMS-1500 box 22); an original claim must not.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Final

import attrs

from soapbill._arguments import check_int
from soapbill._enums import Choice
from soapbill._fields import redact, rules
from soapbill._model import model
from soapbill.codes.cpt import CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.modifiers import Modifier
from soapbill.codes.pos import PlaceOfService
from soapbill.errors import ValidationError
from soapbill.parties import Address, Coverage, Patient, Provider

__all__ = [
    "MAX_DIAGNOSES",
    "MAX_DIAGNOSIS_POINTERS",
    "MAX_LINES",
    "Attachment",
    "AttachmentKind",
    "Claim",
    "ClaimFrequency",
    "RelatedCauses",
    "ServiceLine",
    "Transmission",
]

#: The default place of service: an office (code 11 of the CMS place of service code set).
_OFFICE: Final = PlaceOfService("11")
#: Identifiers that travel in X12 elements of at most 50 characters.
_ID = rules(max_len=50)

#: The most diagnoses a claim holds, as many as the diagnosis composites of
#: the 837P ``HI`` segment (ASC X12 005010X222A1, loop 2300, HI01-HI12) and the
#: lines A-L of CMS-1500 item 21 (NUCC 1500 Claim Form Reference Instruction
#: Manual, item 21). Diagnosis pointers run from 1 to this.
MAX_DIAGNOSES: Final = 12
#: The most diagnosis pointers a service line holds (837P ``SV107-1`` to
#: ``SV107-4``, loop 2400; CMS-1500 item 24E).
MAX_DIAGNOSIS_POINTERS: Final = 4
#: The most service lines a claim holds (837P loop 2400, repeat 50).
MAX_LINES: Final = 50


class ClaimFrequency(Choice):
    """
    Original, replacement or void (837P CLM05-3; CMS-1500 box 22).

    .. versionadded:: 0.1.0
    """

    ORIGINAL = "original"
    REPLACEMENT = "replacement"
    VOID = "void"

    @property
    def code(self) -> str:
        """
        The claim frequency code, ``"1"``, ``"7"`` or ``"8"``.
        """
        return _FREQUENCY_CODES[self]


_FREQUENCY_CODES = {
    ClaimFrequency.ORIGINAL: "1",
    ClaimFrequency.REPLACEMENT: "7",
    ClaimFrequency.VOID: "8",
}


class AttachmentKind(Choice):
    """
    What an attachment is.

    .. versionadded:: 0.1.0
    """

    SOAP_NOTE = "soap_note"
    PRESCRIPTION = "prescription"
    PLAN_OF_CARE = "plan_of_care"


class Transmission(Choice):
    """
    How an attachment reaches the payer (837P PWK02).

    :attr:`AVAILABLE_ON_REQUEST` (``AA``), the default, says the practice
    keeps the document and sends it when the payer asks; the others promise
    a document sent on its own way, named by the attachment's control number
    (837P PWK05 ``AC`` and PWK06). :attr:`ELECTRONIC` (``EL``) promises an
    X12 275 attachment transaction, which soapbill does not write: send the
    notes as a FHIR Bundle, by fax (:attr:`FAX`, ``FX``, with a cover sheet
    that carries the control number) or by mail (:attr:`MAIL`, ``BM``).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
       :class:`Attachment` defaults to :attr:`AVAILABLE_ON_REQUEST`, not
       :attr:`ELECTRONIC`.
    """

    AVAILABLE_ON_REQUEST = "available_on_request"
    MAIL = "mail"
    ELECTRONIC = "electronic"
    EMAIL = "email"
    FILE_TRANSFER = "file_transfer"
    FAX = "fax"

    @property
    def code(self) -> str:
        """
        The 837P PWK02 transmission code.
        """
        return _TRANSMISSION_CODES[self]


_TRANSMISSION_CODES = {
    Transmission.AVAILABLE_ON_REQUEST: "AA",
    Transmission.MAIL: "BM",
    Transmission.ELECTRONIC: "EL",
    Transmission.EMAIL: "EM",
    Transmission.FILE_TRANSFER: "FT",
    Transmission.FAX: "FX",
}


@model
class Attachment:
    """
    A document sent with a claim (837P PWK).

    Attributes:
        kind: What it is.
        id: Its control number, which links the document to the claim; the
            837P and the CMS-1500 write it only when the document is sent
            (not with :attr:`Transmission.AVAILABLE_ON_REQUEST`).
        transmission: How it reaches the payer (default: available on
            request).

    .. versionadded:: 0.1.0
    """

    kind: AttachmentKind
    id: str = attrs.field(metadata=rules(max_len=50, pattern=r"[A-Za-z0-9._-]+"))
    transmission: Transmission = Transmission.AVAILABLE_ON_REQUEST

    @property
    def is_sent(self) -> bool:
        """
        Whether the document is sent on its own way, named by its control number.

        An attachment available on request is not: the 837P writes no PWK05
        and PWK06 for it.
        """
        return self.transmission is not Transmission.AVAILABLE_ON_REQUEST


@model
class RelatedCauses:
    """
    What the condition is related to (CMS-1500 box 10; 837P CLM11).

    The 837P needs the date of an auto or other accident (DTP*439): it
    refuses an accident without one (see
    :func:`soapbill.formats.x12.problems_837p`).

    The accident date is an individual's date (45 CFR 164.514(b)(2)(i)(C)): it
    is redacted in ``repr``.

    Attributes:
        employment: Related to employment (workers' compensation).
        auto_accident: Related to an auto accident.
        accident_state: The state of an auto accident (required with it).
        other_accident: Related to another accident.
        accident_date: The date of the accident.

    .. versionadded:: 0.1.0
    """

    employment: bool = False
    auto_accident: bool = False
    accident_state: str | None = attrs.field(default=None, metadata=rules(pattern=r"[A-Z]{2}"))
    other_accident: bool = False
    accident_date: date | None = attrs.field(default=None, repr=redact)

    def _check_fields(self) -> None:
        if not (self.employment or self.auto_accident or self.other_accident):
            raise ValidationError.single(
                "employment", "required", "name at least one related cause"
            )
        if self.auto_accident and self.accident_state is None:
            raise ValidationError.single(
                "accident_state", "required", "required for an auto accident"
            )
        if not self.auto_accident and self.accident_state is not None:
            raise ValidationError.single(
                "accident_state", "not_allowed", "only for an auto accident"
            )


@model
class ServiceLine:
    """
    One billed procedure on one date of service.

    Attributes:
        code: The procedure code.
        modifiers: Up to four modifiers, no repeats.
        units: Units of service (at least 1).
        charge: The charge of the whole line (not per unit).
        date_of_service: When it was done.
        diagnosis_pointers: One to four distinct 1-based pointers into
            :attr:`Claim.diagnoses`.
        place_of_service: Only when it differs from the claim's.

    .. versionadded:: 0.1.0
    """

    code: CptCode
    modifiers: tuple[Modifier, ...] = attrs.field(
        default=(), metadata=rules(max_len=4, unique=True)
    )
    units: int = attrs.field(metadata=rules(ge=1, le=9999))
    charge: Decimal
    date_of_service: date
    diagnosis_pointers: tuple[int, ...] = attrs.field(
        metadata=rules(min_len=1, max_len=MAX_DIAGNOSIS_POINTERS, unique=True)
    )
    place_of_service: PlaceOfService | None = None

    def _check_fields(self) -> None:
        for i, pointer in enumerate(self.diagnosis_pointers):
            if not 1 <= pointer <= MAX_DIAGNOSES:
                raise ValidationError.single(
                    f"diagnosis_pointers[{i}]",
                    "out_of_range",
                    f"a pointer is from 1 to {MAX_DIAGNOSES}",
                )


@model
class Claim:
    """
    A professional claim.

    Patient data is redacted in ``repr``: the patient's and subscriber's
    names, birth dates, addresses and phone, the member id, the accident,
    initial treatment and first contact dates, the
    prior-authorisation number and the property and casualty claim number.
    The claim id, the dates of service and the codes are shown.

    Attributes:
        id: The practice's claim id (patient control number, CLM01).
        frequency: Original, replacement or void.
        original_claim_number: The payer's claim number of the claim replaced
            or voided; required for those, refused for an original.
        patient: The patient.
        coverage: The coverage billed.
        billing_provider: Who is paid. Its address is where it practises: a
            street address, never a PO Box (837P loop 2010AA).
        pay_to_address: Where the payer sends payment when that is not the
            billing address, such as a PO Box or a lock box (837P loop
            2010AB; the CMS-1500 has no box for it).
        rendering_provider: Who treated, when not the billing provider.
        referring_provider: Who referred or prescribed, if anyone.
        diagnoses: 1-12 ICD-10-CM codes, no repeats; the first is principal.
        lines: 1-50 service lines.
        attachments: Documents sent with the claim (at most 10).
        prior_authorization: The payer's prior-authorisation number.
        place_of_service: Where the services were given.
        provider_signature_on_file: The provider's signature is on file (box 31).
        accepts_assignment: The provider accepts assignment (box 27; 837P
            CLM07 ``A``, else ``C``).
        assignment_of_benefits: The insured assigns benefits to the provider
            (box 13; 837P CLM08 ``Y``, else ``N``).
        release_of_information: The patient allows release of information (box 12).
        related_causes: Employment or accident, if the condition is related.
        property_casualty_claim_number: The auto or workers' compensation
            claim number (CMS-1500 box 11b).
        initial_treatment_date: The first day of treatment of this episode
            (837P DTP*454; CMS-1500 box 15, qualifier 454). Medicare requires
            it on chiropractic manipulation claims.
        first_contact_date: The day the patient first saw the provider about
            a property and casualty claim (837P DTP*444; CMS-1500 box 15,
            qualifier 444); the 837P then needs the claim number.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
       ``accepts_assignment`` (box 27, CLM07) apart from
       ``assignment_of_benefits`` (box 13, CLM08); ``pay_to_address``,
       ``initial_treatment_date`` and ``first_contact_date``.
    """

    #: A top-level JSON document: it carries ``"format_version"``.
    __soapbill_document__: ClassVar[bool] = True

    id: str = attrs.field(metadata=rules(max_len=38))
    frequency: ClaimFrequency = ClaimFrequency.ORIGINAL
    original_claim_number: str | None = attrs.field(default=None, metadata=_ID)
    patient: Patient
    coverage: Coverage
    billing_provider: Provider
    pay_to_address: Address | None = None
    rendering_provider: Provider | None = None
    referring_provider: Provider | None = None
    diagnoses: tuple[DiagnosisCode, ...] = attrs.field(
        metadata=rules(min_len=1, max_len=MAX_DIAGNOSES, unique=True)
    )
    lines: tuple[ServiceLine, ...] = attrs.field(metadata=rules(min_len=1, max_len=MAX_LINES))
    attachments: tuple[Attachment, ...] = attrs.field(default=(), metadata=rules(max_len=10))
    prior_authorization: str | None = attrs.field(default=None, repr=redact, metadata=_ID)
    place_of_service: PlaceOfService = _OFFICE
    provider_signature_on_file: bool = True
    accepts_assignment: bool = True
    assignment_of_benefits: bool = True
    release_of_information: bool = True
    related_causes: RelatedCauses | None = None
    property_casualty_claim_number: str | None = attrs.field(
        default=None, repr=redact, metadata=_ID
    )
    # Dates of an individual's care (45 CFR 164.514(b)(2)(i)(C)).
    initial_treatment_date: date | None = attrs.field(default=None, repr=redact)
    first_contact_date: date | None = attrs.field(default=None, repr=redact)

    def _check_fields(self) -> None:
        if self.frequency is ClaimFrequency.ORIGINAL:
            if self.original_claim_number is not None:
                raise ValidationError.single(
                    "original_claim_number", "not_allowed", "an original claim replaces nothing"
                )
        elif self.original_claim_number is None:
            raise ValidationError.single(
                "original_claim_number", "required", "required for a replacement or a void"
            )
        count = len(self.diagnoses)
        for i, line in enumerate(self.lines):
            for j, pointer in enumerate(line.diagnosis_pointers):
                if pointer > count:
                    raise ValidationError.single(
                        f"lines[{i}].diagnosis_pointers[{j}]",
                        "bad_pointer",
                        "points past the claim's diagnoses",
                    )

    @property
    def total_charge(self) -> Decimal:
        """
        The sum of the line charges.
        """
        return sum((line.charge for line in self.lines), Decimal("0.00"))

    @property
    def dates_of_service(self) -> tuple[date, ...]:
        """
        The distinct dates of service, in order.
        """
        return tuple(sorted({line.date_of_service for line in self.lines}))

    @property
    def treating_provider(self) -> Provider:
        """
        The rendering provider, or the billing provider when none is given.
        """
        return self.billing_provider if self.rendering_provider is None else self.rendering_provider

    def line_diagnoses(self, index: int) -> tuple[DiagnosisCode, ...]:
        """
        The diagnoses line *index* (0-based) points at, in pointer order.

        Raises:
            ValidationError: *index* is not the index of a line.
        """
        check_int(index, "index")
        # Negative indices count from the end, as for any sequence.
        if not -len(self.lines) <= index < len(self.lines):
            raise ValidationError.single("index", "out_of_range", "is not the index of a line")
        return tuple(self.diagnoses[p - 1] for p in self.lines[index].diagnosis_pointers)
