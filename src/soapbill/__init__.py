"""
Turn massage, physical-therapy and chiropractic visits into paid claims.

Typed, immutable models of SOAP notes, prescriptions, codes, parties and
claims; billable units; payer rules that explain every decision; and the
formats insurers read.

.. versionadded:: 0.1.0
"""

import importlib

# What typing.TYPE_CHECKING is, without importing typing (about 5 ms) here.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from soapbill.care import (
        CarePlan,
        Certification,
        Goal,
        Measure,
        MeasureKind,
        RxRequest,
        ScriptItem,
    )
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
        Adherence,
        Assessment,
        BodyRegion,
        Frequency,
        FunctionalMeasure,
        HomeExercise,
        Joint,
        Level,
        Lifestyle,
        Movement,
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
    "Adherence",
    "Assessment",
    "Attachment",
    "AttachmentKind",
    "BodyRegion",
    "CarePlan",
    "Certification",
    "Claim",
    "ClaimFrequency",
    "Coverage",
    "CptCode",
    "Credential",
    "DiagnosisCode",
    "ErrorDetail",
    "Frequency",
    "FunctionalMeasure",
    "Goal",
    "HomeExercise",
    "InvalidChecksumError",
    "InvalidFormatError",
    "Joint",
    "Level",
    "Lifestyle",
    "Measure",
    "MeasureKind",
    "Modifier",
    "Movement",
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
    "RxRequest",
    "ScriptItem",
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

# The names above are imported on first use (PEP 562), each from the module
# that defines it, and the imports above show them to type checkers: `import
# soapbill` then costs about 1 ms instead of about 45 ms (every model module,
# every code table, the JSON format), of which `from soapbill import Claim`
# pays only what the claim needs.
_HOMES: dict[str, str] = {
    **dict.fromkeys(
        [
            "CarePlan",
            "Certification",
            "Goal",
            "Measure",
            "MeasureKind",
            "RxRequest",
            "ScriptItem",
        ],
        "soapbill.care",
    ),
    **dict.fromkeys(
        [
            "Attachment",
            "AttachmentKind",
            "Claim",
            "ClaimFrequency",
            "RelatedCauses",
            "ServiceLine",
            "Transmission",
        ],
        "soapbill.claims",
    ),
    **dict.fromkeys(
        ["CptCode", "DiagnosisCode", "Modifier", "Npi", "PlaceOfService", "TaxId"],
        "soapbill.codes",
    ),
    **dict.fromkeys(
        [
            "ErrorDetail",
            "InvalidChecksumError",
            "InvalidFormatError",
            "SoapbillError",
            "ValidationError",
        ],
        "soapbill.errors",
    ),
    **dict.fromkeys(["from_dict", "from_json", "to_dict", "to_json"], "soapbill.formats.json"),
    **dict.fromkeys(
        [
            "Address",
            "Coverage",
            "Credential",
            "Patient",
            "Payer",
            "PersonName",
            "PlanType",
            "Provider",
            "Relationship",
            "Sex",
            "Subscriber",
        ],
        "soapbill.parties",
    ),
    "Prescription": "soapbill.prescriptions",
    **dict.fromkeys(
        [
            "Addendum",
            "Adherence",
            "Assessment",
            "BodyRegion",
            "Frequency",
            "FunctionalMeasure",
            "HomeExercise",
            "Joint",
            "Level",
            "Lifestyle",
            "Movement",
            "NoteStateError",
            "Objective",
            "PainReport",
            "Plan",
            "RangeOfMotion",
            "Side",
            "Signature",
            "SoapNote",
            "Subjective",
            "TissueFinding",
            "Treatment",
        ],
        "soapbill.soap",
    ),
}

# The submodules `import soapbill` used to import: still attributes of the package.
_SUBMODULES = frozenset(
    ["claims", "codes", "errors", "formats", "parties", "prescriptions", "soap"]
)


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    # Bound here, so that the next look-up is an ordinary one.
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
