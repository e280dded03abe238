"""
Turn massage, physical-therapy and chiropractic visits into paid claims.

Typed, immutable models of SOAP notes, prescriptions, codes, parties and
claims; billable units; payer rules that explain every decision; and the
formats insurers read.

.. versionadded:: 0.1.0
"""

from soapbill.claims import (
    Attachment,
    AttachmentKind,
    Claim,
    ClaimFrequency,
    RelatedCauses,
    ServiceLine,
    Transmission,
)
from soapbill.codes import CptCode, DiagnosisCode, Modifier, Npi, PlaceOfService, TaxId
from soapbill.errors import (
    ErrorDetail,
    InvalidChecksumError,
    InvalidFormatError,
    SoapbillError,
    ValidationError,
)
from soapbill.formats.json import from_dict, from_json, to_dict, to_json
from soapbill.parties import (
    Address,
    Coverage,
    Credential,
    Patient,
    Payer,
    PersonName,
    PlanType,
    Provider,
    Relationship,
    Sex,
    Subscriber,
)
from soapbill.prescriptions import Prescription
from soapbill.soap import (
    Addendum,
    Assessment,
    BodyRegion,
    Frequency,
    HomeExercise,
    Level,
    Lifestyle,
    NoteStateError,
    Objective,
    PainReport,
    Plan,
    RangeOfMotion,
    Side,
    Signature,
    SoapNote,
    Subjective,
    TissueFinding,
    Treatment,
)

#: The version of this release (PEP 440).
__version__ = "0.1.0.dev0"

__all__ = [
    "Addendum",
    "Address",
    "Assessment",
    "Attachment",
    "AttachmentKind",
    "BodyRegion",
    "Claim",
    "ClaimFrequency",
    "Coverage",
    "CptCode",
    "Credential",
    "DiagnosisCode",
    "ErrorDetail",
    "Frequency",
    "HomeExercise",
    "InvalidChecksumError",
    "InvalidFormatError",
    "Level",
    "Lifestyle",
    "Modifier",
    "NoteStateError",
    "Npi",
    "Objective",
    "PainReport",
    "Patient",
    "Payer",
    "PersonName",
    "PlaceOfService",
    "Plan",
    "PlanType",
    "Prescription",
    "Provider",
    "RangeOfMotion",
    "RelatedCauses",
    "Relationship",
    "ServiceLine",
    "Sex",
    "Side",
    "Signature",
    "SoapNote",
    "SoapbillError",
    "Subjective",
    "Subscriber",
    "TaxId",
    "TissueFinding",
    "Transmission",
    "Treatment",
    "ValidationError",
    "__version__",
    "from_dict",
    "from_json",
    "to_dict",
    "to_json",
]
