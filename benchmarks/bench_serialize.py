"""
Serialization speed of soapbill against equally strict pydantic and msgspec mirrors.

The same 6-line claim with 6 diagnoses is modelled three ways: soapbill's
:class:`~soapbill.Claim`, a pydantic v2 model and a msgspec ``Struct``, each
mirroring soapbill field for field and as strict: exact JSON types, money only
as a ``"125.00"``-style string, dates only as ``YYYY-MM-DD``, code shapes, the
NPI check digit, diagnosis pointers, lengths, cross-field rules and no unknown
keys. The mirrors take codes in canonical form only, where soapbill also
canonicalises (``"m5450"`` is ``"M54.50"``): they are, if anything, stricter.

Before timing, the script asserts that the three write identical JSON and
accept and reject the same documents (:data:`BROKEN`). Then it times decode
(validated, JSON bytes to objects), encode (objects to JSON text) and
construct (building the objects in Python from ready values) two ways, both
run by default (``--mode`` picks one):

* **warm**: in this process, each with a calibrated loop, several interleaved
  repeats and the median;
* **fresh**: in ``--runs`` new interpreters per library, which time the first
  call and then the next ``--calls`` calls (the steady cost per call), with
  nothing built before the first: one interpreter decodes first, then encodes
  what it decoded; another constructs first. The median and the fastest over
  the interpreters.

And the import time of soapbill against ``import attrs, cattrs``, in fresh
interpreters. Pin it to one CPU for stable figures::

    taskset -c 1 python benchmarks/bench_serialize.py
    taskset -c 1 python benchmarks/bench_serialize.py --json
    python benchmarks/bench_serialize.py --check   # the agreement checks only
    python benchmarks/bench_serialize.py --quick   # a smoke run of both measurements

Ratios are soapbill's time divided by the other's: below 1.0 soapbill is faster.
"""

import argparse
import copy
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

import msgspec
import pydantic
from pydantic_core import core_schema as cs

from _timing import CPU, WALL, Program, Step, bench, fresh
from soapbill import (
    Address,
    Claim,
    ClaimFrequency,
    Coverage,
    CptCode,
    Credential,
    DiagnosisCode,
    Modifier,
    Npi,
    Patient,
    Payer,
    PersonName,
    PlaceOfService,
    PlanType,
    Provider,
    Relationship,
    ServiceLine,
    Sex,
    TaxId,
)
from soapbill.claims import AttachmentKind, Transmission
from soapbill.formats.json import DeserializationError, from_json, to_json

# --- shared rules ----------------------------------------------------------------------

# Anchored for pydantic (its Rust regex has no "$ before a final newline" hole).
CPT = r"^(?:[0-9]{4}[0-9AFMTU]|[A-Z][0-9]{4})$"
ICD10 = r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$"
MODIFIER = r"^[A-Z0-9]{2}$"
NPI = r"^[12][0-9]{9}$"
POS = r"^(?:0[1-9]|[1-9][0-9])$"
# The employer form only: the benchmark's documents hold no SSN, whose refusal of
# never-assigned numbers needs look-ahead, which pydantic's Rust regex lacks.
EIN = r"^[0-9]{2}-[0-9]{7}$"
STATE = r"^[A-Z]{2}$"
PHONE = r"^[0-9]{10}$"
ZIP = r"^[0-9]{5}(?:[0-9]{4})?$"
TAXONOMY = r"^[0-9]{3}[0-9A-Z]{6}X$"
ATTACHMENT_ID = r"^[A-Za-z0-9._-]+$"
MONEY = r"^[0-9]+(?:\.[0-9]{1,2})?$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MONEY_LIMIT = Decimal(10_000_000_000)
MAX_POINTER = 12


def z(pattern: str) -> str:
    """
    The same pattern for msgspec, which uses re.search: end with \\Z, not $.
    """
    return pattern[:-1] + r"\Z"


def npi_ok(value: str) -> bool:
    """
    The NPI check digit: Luhn over the nine digits, plus 24 for the 80840 prefix.
    """
    total = 24
    for position, char in enumerate(reversed(value[:9])):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(value[9])


def check_npi(value: str) -> str:
    if not npi_ok(value):
        msg = "bad NPI check digit"
        raise ValueError(msg)
    return value


def check_unique(value: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(set(value)) != len(value):
        msg = "repeated item"
        raise ValueError(msg)
    return value


def check_pointers(pointers: tuple[int, ...]) -> None:
    for pointer in pointers:
        if not 1 <= pointer <= MAX_POINTER:
            msg = "pointer out of range"
            raise ValueError(msg)


def check_provider(name: object, organization_name: object, credential: object) -> None:
    if (name is None) == (organization_name is None):
        msg = "name or organization_name"
        raise ValueError(msg)
    if name is None and credential is not None:
        msg = "an organisation has no credential"
        raise ValueError(msg)


def check_coverage(
    relationship: Relationship, subscriber: object, start: date | None, end: date | None
) -> None:
    if (relationship is Relationship.SELF) != (subscriber is None):
        msg = "subscriber"
        raise ValueError(msg)
    if start is not None and end is not None and end < start:
        msg = "end before start"
        raise ValueError(msg)


def check_related(employment: bool, auto: bool, state: str | None, other: bool) -> None:  # noqa: FBT001 - mirrors fields
    if not (employment or auto or other):
        msg = "no cause"
        raise ValueError(msg)
    if auto != (state is not None):
        msg = "accident state"
        raise ValueError(msg)


def check_claim(
    frequency: ClaimFrequency, original: str | None, diagnoses: int, pointers: list[int]
) -> None:
    if (frequency is ClaimFrequency.ORIGINAL) != (original is None):
        msg = "original claim number"
        raise ValueError(msg)
    if any(p > diagnoses for p in pointers):
        msg = "bad pointer"
        raise ValueError(msg)


# --- the pydantic mirror -----------------------------------------------------------------

_MONEY_SCHEMA = cs.json_or_python_schema(
    json_schema=cs.chain_schema(
        [cs.str_schema(pattern=MONEY, strict=True), cs.decimal_schema(strict=False, lt=MONEY_LIMIT)]
    ),
    python_schema=cs.decimal_schema(
        strict=True, ge=Decimal(0), lt=MONEY_LIMIT, decimal_places=2, allow_inf_nan=False
    ),
    serialization=cs.to_string_ser_schema(),
)
_DATE_SCHEMA = cs.json_or_python_schema(
    json_schema=cs.chain_schema(
        [cs.str_schema(pattern=DATE, strict=True), cs.date_schema(strict=False)]
    ),
    python_schema=cs.date_schema(strict=True),
)
PMoney = Annotated[Decimal, pydantic.GetPydanticSchema(lambda _t, _h: _MONEY_SCHEMA)]
PDate = Annotated[date, pydantic.GetPydanticSchema(lambda _t, _h: _DATE_SCHEMA)]


PNpi = Annotated[str, pydantic.StringConstraints(pattern=NPI), pydantic.AfterValidator(check_npi)]
PCpt = Annotated[str, pydantic.StringConstraints(pattern=CPT)]
PIcd = Annotated[str, pydantic.StringConstraints(pattern=ICD10)]
PModifier = Annotated[str, pydantic.StringConstraints(pattern=MODIFIER)]
PPos = Annotated[str, pydantic.StringConstraints(pattern=POS)]
PEin = Annotated[str, pydantic.StringConstraints(pattern=EIN)]
PState = Annotated[str, pydantic.StringConstraints(pattern=STATE)]
PPhone = Annotated[str, pydantic.StringConstraints(pattern=PHONE)]
PStr10 = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=10)]
PStr25 = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=25)]
PStr30 = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=30)]
PStr35 = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=35)]
PStr38 = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=38)]
PStr50 = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=50)]
PStr55 = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=55)]
PStr60 = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=60)]
PStr80 = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=80)]


class PModel(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(strict=True, extra="forbid", frozen=True)


class PAddress(PModel):
    line1: PStr55
    line2: PStr55 | None = None
    city: PStr30
    state: PState
    postal_code: Annotated[str, pydantic.StringConstraints(pattern=ZIP)]


class PPersonName(PModel):
    family: PStr60
    given: PStr35
    middle: PStr25 | None = None
    suffix: PStr10 | None = None


class PPatient(PModel):
    id: PStr50
    name: PPersonName
    birth_date: PDate
    sex: Sex
    address: PAddress | None = None
    phone: PPhone | None = None


class PProvider(PModel):
    npi: PNpi
    name: PPersonName | None = None
    organization_name: PStr60 | None = None
    credential: Credential | None = None
    taxonomy: Annotated[str, pydantic.StringConstraints(pattern=TAXONOMY)] | None = None
    tax_id: PEin | None = None
    address: PAddress | None = None
    license_number: PStr50 | None = None
    license_state: PState | None = None
    phone: PPhone | None = None

    @pydantic.model_validator(mode="after")
    def _check(self) -> Self:
        check_provider(self.name, self.organization_name, self.credential)
        return self


class PPayer(PModel):
    id: PStr80
    name: PStr60


class PSubscriber(PModel):
    name: PPersonName
    birth_date: PDate
    sex: Sex
    address: PAddress | None = None


class PCoverage(PModel):
    payer: PPayer
    member_id: PStr80
    group_number: PStr50 | None = None
    plan_type: PlanType
    relationship: Relationship = Relationship.SELF
    subscriber: PSubscriber | None = None
    start: PDate | None = None
    end: PDate | None = None

    @pydantic.model_validator(mode="after")
    def _check(self) -> Self:
        check_coverage(self.relationship, self.subscriber, self.start, self.end)
        return self


class PServiceLine(PModel):
    code: PCpt
    modifiers: Annotated[
        tuple[PModifier, ...], pydantic.Field(max_length=4), pydantic.AfterValidator(check_unique)
    ] = ()
    units: Annotated[int, pydantic.Field(ge=1, le=9999)]
    charge: PMoney
    date_of_service: PDate
    diagnosis_pointers: Annotated[
        tuple[int, ...],
        pydantic.Field(min_length=1, max_length=4),
        pydantic.AfterValidator(check_unique),
    ]
    place_of_service: PPos | None = None

    @pydantic.model_validator(mode="after")
    def _check(self) -> Self:
        check_pointers(self.diagnosis_pointers)
        return self


class PAttachment(PModel):
    kind: AttachmentKind
    id: Annotated[str, pydantic.StringConstraints(max_length=50, pattern=ATTACHMENT_ID)]
    transmission: Transmission = Transmission.AVAILABLE_ON_REQUEST


class PRelatedCauses(PModel):
    employment: bool = False
    auto_accident: bool = False
    accident_state: PState | None = None
    other_accident: bool = False
    accident_date: PDate | None = None

    @pydantic.model_validator(mode="after")
    def _check(self) -> Self:
        check_related(self.employment, self.auto_accident, self.accident_state, self.other_accident)
        return self


class PClaim(PModel):
    format_version: Literal[1]
    id: PStr38
    frequency: ClaimFrequency = ClaimFrequency.ORIGINAL
    original_claim_number: PStr50 | None = None
    patient: PPatient
    coverage: PCoverage
    billing_provider: PProvider
    pay_to_address: PAddress | None = None
    rendering_provider: PProvider | None = None
    referring_provider: PProvider | None = None
    diagnoses: Annotated[
        tuple[PIcd, ...],
        pydantic.Field(min_length=1, max_length=12),
        pydantic.AfterValidator(check_unique),
    ]
    lines: Annotated[tuple[PServiceLine, ...], pydantic.Field(min_length=1, max_length=50)]
    attachments: Annotated[tuple[PAttachment, ...], pydantic.Field(max_length=10)] = ()
    prior_authorization: PStr50 | None = None
    place_of_service: PPos = "11"
    provider_signature_on_file: bool = True
    accepts_assignment: bool = True
    assignment_of_benefits: bool = True
    release_of_information: bool = True
    related_causes: PRelatedCauses | None = None
    property_casualty_claim_number: PStr50 | None = None
    initial_treatment_date: PDate | None = None
    first_contact_date: PDate | None = None

    @pydantic.model_validator(mode="after")
    def _check(self) -> Self:
        pointers = [p for line in self.lines for p in line.diagnosis_pointers]
        check_claim(self.frequency, self.original_claim_number, len(self.diagnoses), pointers)
        return self


# --- the msgspec mirror --------------------------------------------------------------------


MMoney = Annotated[str, msgspec.Meta(pattern=z(MONEY))]
MNpi = Annotated[str, msgspec.Meta(pattern=z(NPI))]
MCpt = Annotated[str, msgspec.Meta(pattern=z(CPT))]
MIcd = Annotated[str, msgspec.Meta(pattern=z(ICD10))]
MModifier = Annotated[str, msgspec.Meta(pattern=z(MODIFIER))]
MPos = Annotated[str, msgspec.Meta(pattern=z(POS))]
MEin = Annotated[str, msgspec.Meta(pattern=z(EIN))]
MState = Annotated[str, msgspec.Meta(pattern=z(STATE))]
MPhone = Annotated[str, msgspec.Meta(pattern=z(PHONE))]
MStr10 = Annotated[str, msgspec.Meta(min_length=1, max_length=10)]
MStr25 = Annotated[str, msgspec.Meta(min_length=1, max_length=25)]
MStr30 = Annotated[str, msgspec.Meta(min_length=1, max_length=30)]
MStr35 = Annotated[str, msgspec.Meta(min_length=1, max_length=35)]
MStr38 = Annotated[str, msgspec.Meta(min_length=1, max_length=38)]
MStr50 = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
MStr55 = Annotated[str, msgspec.Meta(min_length=1, max_length=55)]
MStr60 = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
MStr80 = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class MModel(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class MAddress(MModel, frozen=True, kw_only=True):
    line1: MStr55
    line2: MStr55 | None = None
    city: MStr30
    state: MState
    postal_code: Annotated[str, msgspec.Meta(pattern=z(ZIP))]


class MPersonName(MModel, frozen=True, kw_only=True):
    family: MStr60
    given: MStr35
    middle: MStr25 | None = None
    suffix: MStr10 | None = None


class MPatient(MModel, frozen=True, kw_only=True):
    id: MStr50
    name: MPersonName
    birth_date: date
    sex: Sex
    address: MAddress | None = None
    phone: MPhone | None = None


class MProvider(MModel, frozen=True, kw_only=True):
    npi: MNpi
    name: MPersonName | None = None
    organization_name: MStr60 | None = None
    credential: Credential | None = None
    taxonomy: Annotated[str, msgspec.Meta(pattern=z(TAXONOMY))] | None = None
    tax_id: MEin | None = None
    address: MAddress | None = None
    license_number: MStr50 | None = None
    license_state: MState | None = None
    phone: MPhone | None = None

    def __post_init__(self) -> None:
        check_npi(self.npi)
        check_provider(self.name, self.organization_name, self.credential)


class MPayer(MModel, frozen=True, kw_only=True):
    id: MStr80
    name: MStr60


class MSubscriber(MModel, frozen=True, kw_only=True):
    name: MPersonName
    birth_date: date
    sex: Sex
    address: MAddress | None = None


class MCoverage(MModel, frozen=True, kw_only=True):
    payer: MPayer
    member_id: MStr80
    group_number: MStr50 | None = None
    plan_type: PlanType
    relationship: Relationship = Relationship.SELF
    subscriber: MSubscriber | None = None
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        check_coverage(self.relationship, self.subscriber, self.start, self.end)


class MServiceLine(MModel, frozen=True, kw_only=True):
    code: MCpt
    modifiers: Annotated[tuple[MModifier, ...], msgspec.Meta(max_length=4)] = ()
    units: Annotated[int, msgspec.Meta(ge=1, le=9999)]
    charge: MMoney
    date_of_service: date
    diagnosis_pointers: Annotated[tuple[int, ...], msgspec.Meta(min_length=1, max_length=4)]
    place_of_service: MPos | None = None

    def __post_init__(self) -> None:
        check_unique(self.modifiers)
        check_unique(self.diagnosis_pointers)
        check_pointers(self.diagnosis_pointers)
        charge = Decimal(self.charge)
        if charge >= MONEY_LIMIT:
            msg = "amount too large"
            raise ValueError(msg)
        msgspec.structs.force_setattr(self, "charge", charge)


class MAttachment(MModel, frozen=True, kw_only=True):
    kind: AttachmentKind
    id: Annotated[str, msgspec.Meta(max_length=50, pattern=z(ATTACHMENT_ID))]
    transmission: Transmission = Transmission.AVAILABLE_ON_REQUEST


class MRelatedCauses(MModel, frozen=True, kw_only=True):
    employment: bool = False
    auto_accident: bool = False
    accident_state: MState | None = None
    other_accident: bool = False
    accident_date: date | None = None

    def __post_init__(self) -> None:
        check_related(self.employment, self.auto_accident, self.accident_state, self.other_accident)


class MClaim(MModel, frozen=True, kw_only=True):
    format_version: Literal[1]
    id: MStr38
    frequency: ClaimFrequency = ClaimFrequency.ORIGINAL
    original_claim_number: MStr50 | None = None
    patient: MPatient
    coverage: MCoverage
    billing_provider: MProvider
    pay_to_address: MAddress | None = None
    rendering_provider: MProvider | None = None
    referring_provider: MProvider | None = None
    diagnoses: Annotated[tuple[MIcd, ...], msgspec.Meta(min_length=1, max_length=12)]
    lines: Annotated[tuple[MServiceLine, ...], msgspec.Meta(min_length=1, max_length=50)]
    attachments: Annotated[tuple[MAttachment, ...], msgspec.Meta(max_length=10)] = ()
    prior_authorization: MStr50 | None = None
    place_of_service: MPos = "11"
    provider_signature_on_file: bool = True
    accepts_assignment: bool = True
    assignment_of_benefits: bool = True
    release_of_information: bool = True
    related_causes: MRelatedCauses | None = None
    property_casualty_claim_number: MStr50 | None = None
    initial_treatment_date: date | None = None
    first_contact_date: date | None = None

    def __post_init__(self) -> None:
        check_unique(self.diagnoses)
        pointers = [p for line in self.lines for p in line.diagnosis_pointers]
        check_claim(self.frequency, self.original_claim_number, len(self.diagnoses), pointers)


M_DECODER = msgspec.json.Decoder(MClaim)


# --- the claim, built three ways from the same ready values ---------------------------------

DIAGNOSES = ("M54.50", "M54.2", "M62.830", "M79.18", "M54.6", "G44.209")
LINES = (
    ("97124", ("GP",), 2, Decimal("120.00"), (1, 2)),
    ("97140", ("GP", "59"), 1, Decimal("65.00"), (1,)),
    ("97112", ("GP",), 1, Decimal("70.50"), (3, 1)),
    ("97530", (), 2, Decimal("130.00"), (4,)),
    ("97110", ("GP",), 1, Decimal("60.00"), (5, 6, 1)),
    ("97010", (), 1, Decimal("15.00"), (1,)),
)
SERVICE_DATE = date(2026, 3, 2)


def build_soapbill() -> Claim:
    return Claim(
        id="CLM-2026-0001",
        patient=Patient(
            id="PT-1001",
            name=PersonName(family="Rivera", given="Jordan", middle="Q"),
            birth_date=date(1980, 2, 29),
            sex=Sex.FEMALE,
            address=Address(line1="12 Elm St", city="Springfield", state="WA", postal_code="98101"),
            phone="2065550100",
        ),
        coverage=Coverage(
            payer=Payer(id="EX123", name="Example Health"),
            member_id="XZ123456789",
            group_number="GRP-77",
            plan_type=PlanType.COMMERCIAL,
        ),
        billing_provider=Provider(
            npi=Npi("1245319599"),
            organization_name="Harbor Massage Clinic",
            tax_id=TaxId("12-3456789"),
            address=Address(
                line1="400 Pier Ave", city="Springfield", state="WA", postal_code="98101"
            ),
        ),
        rendering_provider=Provider(
            npi=Npi("1234567893"),
            name=PersonName(family="Lee", given="Sam"),
            credential=Credential.LMT,
            taxonomy="225700000X",
            license_number="MA60000000",
            license_state="WA",
        ),
        diagnoses=tuple(DiagnosisCode(d) for d in DIAGNOSES),
        lines=tuple(
            ServiceLine(
                code=CptCode(code),
                modifiers=tuple(Modifier(m) for m in modifiers),
                units=units,
                charge=charge,
                date_of_service=SERVICE_DATE,
                diagnosis_pointers=pointers,
            )
            for code, modifiers, units, charge, pointers in LINES
        ),
        place_of_service=PlaceOfService("11"),
    )


def build_pydantic() -> PClaim:
    return PClaim(
        format_version=1,
        id="CLM-2026-0001",
        patient=PPatient(
            id="PT-1001",
            name=PPersonName(family="Rivera", given="Jordan", middle="Q"),
            birth_date=date(1980, 2, 29),
            sex=Sex.FEMALE,
            address=PAddress(
                line1="12 Elm St", city="Springfield", state="WA", postal_code="98101"
            ),
            phone="2065550100",
        ),
        coverage=PCoverage(
            payer=PPayer(id="EX123", name="Example Health"),
            member_id="XZ123456789",
            group_number="GRP-77",
            plan_type=PlanType.COMMERCIAL,
        ),
        billing_provider=PProvider(
            npi="1245319599",
            organization_name="Harbor Massage Clinic",
            tax_id="12-3456789",
            address=PAddress(
                line1="400 Pier Ave", city="Springfield", state="WA", postal_code="98101"
            ),
        ),
        rendering_provider=PProvider(
            npi="1234567893",
            name=PPersonName(family="Lee", given="Sam"),
            credential=Credential.LMT,
            taxonomy="225700000X",
            license_number="MA60000000",
            license_state="WA",
        ),
        diagnoses=DIAGNOSES,
        lines=tuple(
            PServiceLine(
                code=code,
                modifiers=modifiers,
                units=units,
                charge=charge,
                date_of_service=SERVICE_DATE,
                diagnosis_pointers=pointers,
            )
            for code, modifiers, units, charge, pointers in LINES
        ),
        place_of_service="11",
    )


def build_msgspec() -> MClaim:
    # msgspec checks types only when decoding; __post_init__ runs the rest.
    return MClaim(
        format_version=1,
        id="CLM-2026-0001",
        patient=MPatient(
            id="PT-1001",
            name=MPersonName(family="Rivera", given="Jordan", middle="Q"),
            birth_date=date(1980, 2, 29),
            sex=Sex.FEMALE,
            address=MAddress(
                line1="12 Elm St", city="Springfield", state="WA", postal_code="98101"
            ),
            phone="2065550100",
        ),
        coverage=MCoverage(
            payer=MPayer(id="EX123", name="Example Health"),
            member_id="XZ123456789",
            group_number="GRP-77",
            plan_type=PlanType.COMMERCIAL,
        ),
        billing_provider=MProvider(
            npi="1245319599",
            organization_name="Harbor Massage Clinic",
            tax_id="12-3456789",
            address=MAddress(
                line1="400 Pier Ave", city="Springfield", state="WA", postal_code="98101"
            ),
        ),
        rendering_provider=MProvider(
            npi="1234567893",
            name=MPersonName(family="Lee", given="Sam"),
            credential=Credential.LMT,
            taxonomy="225700000X",
            license_number="MA60000000",
            license_state="WA",
        ),
        diagnoses=DIAGNOSES,
        lines=tuple(
            MServiceLine(
                code=code,
                modifiers=modifiers,
                units=units,
                charge=str(charge),
                date_of_service=SERVICE_DATE,
                diagnosis_pointers=pointers,
            )
            for code, modifiers, units, charge, pointers in LINES
        ),
        place_of_service="11",
    )


# --- agreement -------------------------------------------------------------------------------


def decode_soapbill(data: bytes) -> object:
    return from_json(data, Claim)


def decode_pydantic(data: bytes) -> object:
    return PClaim.model_validate_json(data)


def decode_msgspec(data: bytes) -> object:
    return M_DECODER.decode(data)


DECODERS: dict[str, tuple[Callable[[bytes], object], tuple[type[Exception], ...]]] = {
    "soapbill": (decode_soapbill, (DeserializationError,)),
    "pydantic": (decode_pydantic, (pydantic.ValidationError,)),
    "msgspec": (decode_msgspec, (msgspec.ValidationError, msgspec.DecodeError)),
}

Doc = dict[str, Any]
Edit = Callable[[Doc], object]


def setter(path: str, value: object) -> Edit:
    """
    An edit that sets (or, with DELETE, removes) the value at a dotted path.
    """
    *parents, last = re.findall(r"[^.\[\]]+", path)

    def edit(doc: Doc) -> None:
        node: Any = doc
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        key: Any = int(last) if last.isdigit() else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value

    return edit


DELETE = object()
ARABIC_125 = "\u0661\u0662\u0665.00"
FULLWIDTH_DATE = "\uff11\uff19\uff18\uff10-02-29"

#: Broken documents: (label, edit of the valid document's data, or raw bytes).
BROKEN: list[tuple[str, Edit | bytes]] = [
    # integers
    ("units as string", setter("lines.0.units", "3")),
    ("units as float", setter("lines.0.units", 1.9)),
    ("units as 1.0", setter("lines.0.units", 1.0)),
    ("units as true", setter("lines.0.units", True)),  # noqa: FBT003 - JSON true
    ("units 0", setter("lines.0.units", 0)),
    ("units 10000", setter("lines.0.units", 10000)),
    ("pointer as string", setter("lines.0.diagnosis_pointers.0", "1")),
    # strings
    ("id as number", setter("id", 123)),
    ("id as null", setter("id", None)),
    ("id empty", setter("id", "")),
    ("family name too long", setter("patient.name.family", "x" * 61)),
    # arrays
    ("diagnoses as string", setter("diagnoses", "M54.50")),
    ("diagnoses as object", setter("diagnoses", {})),
    ("diagnoses of numbers", setter("diagnoses", [25])),
    ("pointers as string", setter("lines.0.diagnosis_pointers", "1")),
    ("lines as object", setter("lines", {})),
    ("lines as string", setter("lines", "abc")),
    ("no lines", setter("lines", [])),
    # money
    ("charge as float", setter("lines.0.charge", 125.0)),
    ("charge as integer", setter("lines.0.charge", 125)),
    ("charge 1e2", setter("lines.0.charge", "1e2")),
    ("charge three places", setter("lines.0.charge", "125.000")),
    ("charge leading space", setter("lines.0.charge", " 125.00")),
    ("charge trailing newline", setter("lines.0.charge", "125.00\n")),
    ("charge negative", setter("lines.0.charge", "-1.00")),
    ("charge NaN", setter("lines.0.charge", "NaN")),
    ("charge underscore", setter("lines.0.charge", "1_000")),
    ("charge Arabic-Indic digits", setter("lines.0.charge", ARABIC_125)),
    ("charge .50", setter("lines.0.charge", ".50")),
    ("charge too large", setter("lines.0.charge", "10000000000.00")),
    # dates
    ("birth date not a day", setter("patient.birth_date", "1980-02-30")),
    ("birth date basic format", setter("patient.birth_date", "19800229")),
    ("birth date timestamp", setter("patient.birth_date", "1710374400")),
    ("birth date number", setter("patient.birth_date", 0)),
    ("birth date with time", setter("patient.birth_date", "1980-02-29T00:00:00")),
    ("birth date week date", setter("patient.birth_date", "1980-W09-5")),
    ("birth date full-width digits", setter("patient.birth_date", FULLWIDTH_DATE)),
    ("service date trailing newline", setter("lines.0.date_of_service", "2026-03-02\n")),
    # enums
    ("sex upper case", setter("patient.sex", "FEMALE")),
    ("frequency unknown", setter("frequency", "sometimes")),
    # codes
    ("NPI check digit", setter("billing_provider.npi", "1245319598")),
    ("NPI as number", setter("billing_provider.npi", 1245319599)),
    ("CPT four digits", setter("lines.0.code", "9712")),
    ("diagnosis too short", setter("diagnoses.1", "M5")),
    ("modifier too long", setter("lines.0.modifiers.0", "GPX")),
    ("place of service 00", setter("place_of_service", "00")),
    ("state lower case", setter("patient.address.state", "wa")),
    ("postal code short", setter("patient.address.postal_code", "9810")),
    # unknown and missing keys at each level
    ("unknown key at the root", setter("extra", 1)),
    ("unknown key in patient", setter("patient.extra", 1)),
    ("unknown key in a line", setter("lines.1.extra", 1)),
    ("unknown key in a name", setter("patient.name.extra", 1)),
    ("missing id", setter("id", DELETE)),
    ("missing patient sex", setter("patient.sex", DELETE)),
    ("missing line code", setter("lines.3.code", DELETE)),
    ("missing name family", setter("patient.name.family", DELETE)),
    # wrong shapes
    ("patient as array", setter("patient", [])),
    ("patient as string", setter("patient", "x")),
    ("patient as null", setter("patient", None)),
    ("root array", b"[]"),
    ("broken JSON", b'{"id": '),
    # lengths, repeats and cross-field rules
    (
        "13 diagnoses",
        setter("diagnoses", [f"M54.{i}" for i in range(10)] + ["M62.830", "M79.18", "G44.209"]),
    ),
    ("repeated diagnosis", setter("diagnoses.1", "M54.50")),
    ("repeated modifier", setter("lines.1.modifiers", ["GP", "GP"])),
    ("five modifiers", setter("lines.1.modifiers", ["GP", "59", "XE", "XS", "XU"])),
    ("pointer 0", setter("lines.0.diagnosis_pointers", [0])),
    ("pointer 13", setter("lines.0.diagnosis_pointers", [13])),
    ("pointer past the diagnoses", setter("lines.0.diagnosis_pointers", [7])),
    ("repeated pointer", setter("lines.0.diagnosis_pointers", [1, 1])),
    ("replacement without number", setter("frequency", "replacement")),
    ("original with number", setter("original_claim_number", "ORIG-1")),
    ("provider with both names", setter("billing_provider.name", {"family": "A", "given": "B"})),
    ("organisation with credential", setter("billing_provider.credential", "lmt")),
    ("child without subscriber", setter("coverage.relationship", "child")),
    # format_version
    ("format_version missing", setter("format_version", DELETE)),
    ("format_version 2", setter("format_version", 2)),
    ("format_version string", setter("format_version", "1")),
]


def valid_documents(base: Doc) -> list[Doc]:
    minimal = copy.deepcopy(base)
    for key in ("frequency", "attachments", "place_of_service", "release_of_information"):
        del minimal[key]
    del minimal["lines"][0]["modifiers"]
    replacement = copy.deepcopy(base)
    replacement["frequency"] = "replacement"
    replacement["original_claim_number"] = "PAYER-1"
    child = copy.deepcopy(base)
    child["coverage"]["relationship"] = "child"
    child["coverage"]["subscriber"] = {
        "name": {"family": "Rivera", "given": "Casey"},
        "birth_date": "1955-01-31",
        "sex": "male",
    }
    accident = copy.deepcopy(base)
    accident["related_causes"] = {"auto_accident": True, "accident_state": "WA"}
    accident["attachments"] = [{"kind": "prescription", "id": "RX-1"}]
    return [base, minimal, replacement, child, accident]


def dumps(doc: Doc) -> bytes:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


def check_agreement() -> tuple[bytes, int, int]:
    """
    Assert that the three write the same JSON and accept the same documents.

    Returns:
        The JSON of the claim, the numbers of valid and of broken documents.
    """
    text = to_json(build_soapbill()).encode()
    assert build_pydantic().model_dump_json().encode() == text, "pydantic writes other JSON"
    assert msgspec.json.encode(build_msgspec()) == text, "msgspec writes other JSON"
    base = json.loads(text)
    valid = valid_documents(base)
    for doc in valid:
        for name, (decode, _errors) in DECODERS.items():
            decode(dumps(doc))  # raises if refused
            assert name
    for label, edit in BROKEN:
        if isinstance(edit, bytes):
            data = edit
        else:
            doc = copy.deepcopy(base)
            edit(doc)
            data = dumps(doc)
        for name, (decode, errors) in DECODERS.items():
            try:
                decode(data)
            except errors:
                continue
            msg = f"{name} accepts the broken document {label!r}"
            raise AssertionError(msg)
    return text, len(valid), len(BROKEN)


# --- timing ----------------------------------------------------------------------------------

LIBRARIES = ("soapbill", "pydantic", "msgspec")
OPERATIONS = ("decode", "encode", "construct")

#: What the fresh interpreters import (timed, not reported): the mirrors, and
#: with them soapbill, pydantic and msgspec. Importing builds no soapbill model.
FRESH_IMPORTS = """
from bench_serialize import (
    M_DECODER, Claim, PClaim, build_msgspec, build_pydantic, build_soapbill, from_json, msgspec,
    to_json,
)
"""

#: Per library: decoding the claim, encoding the decoded claim, constructing it.
FRESH_STEPS = {
    "soapbill": ("from_json(TEXT, Claim)", "to_json(decode)", "build_soapbill()"),
    "pydantic": (
        "PClaim.model_validate_json(TEXT)",
        "decode.model_dump_json()",
        "build_pydantic()",
    ),
    "msgspec": (
        "M_DECODER.decode(TEXT)",
        "msgspec.json.encode(decode).decode()",
        "build_msgspec()",
    ),
}

#: The import figure: soapbill with its JSON format against what it is built on.
IMPORTS = {
    "soapbill": "import soapbill, soapbill.formats.json",
    "attrs_cattrs": "import attrs, cattrs",
}


def fresh_programs(text: bytes) -> dict[str, Program]:
    """
    The fresh-process programs: per library, decode first, and construct first.

    In the first, decoding the claim's JSON is the first thing the interpreter
    does after its imports; then it encodes the decoded claim. In the second,
    constructing the claim by hand is the first thing. Nothing is built before
    the subject that is timed first.
    """
    programs = {}
    for library, (decode, encode, construct) in FRESH_STEPS.items():
        programs[library] = Program(
            FRESH_IMPORTS,
            f"TEXT = {text!r}",
            (Step("decode", decode), Step("encode", encode)),
        )
        programs[f"{library}_construct"] = Program(
            FRESH_IMPORTS, steps=(Step("construct", construct),)
        )
    for name, statement in IMPORTS.items():
        programs[f"import_{name}"] = Program(statement)
    return programs


def fresh_figures(text: bytes, runs: int, calls: int, timer: str) -> dict[str, Any]:
    """
    Decode, encode and construct in fresh interpreters, and the imports.

    Returns:
        ``{op: {library: {"first_us": ..., "steady_us": ...}}}``, each a median
        and a fastest; the ratios to pydantic and msgspec; the imports in ms.
    """
    figures = fresh(fresh_programs(text), runs, calls, timer)
    out: dict[str, Any] = {"runs": runs, "calls": calls}
    for op in OPERATIONS:
        times = {
            library: figures[library if op != "construct" else f"{library}_construct"]
            for library in LIBRARIES
        }
        out[op] = {
            library: {
                f"{when}_us": times[library][f"{op}.{when}"].scaled(1e6)
                for when in ("first", "steady")
            }
            for library in LIBRARIES
        }
        for when in ("first", "steady"):
            ours = times["soapbill"][f"{op}.{when}"]
            for other in ("pydantic", "msgspec"):
                out[f"{op}_{when}_vs_{other}"] = (ours / times[other][f"{op}.{when}"]).scaled(1, 3)
    soapbill, base = figures["import_soapbill"]["import"], figures["import_attrs_cattrs"]["import"]
    out["import_soapbill_ms"] = soapbill.scaled(1e3, 1)
    out["import_attrs_cattrs_ms"] = base.scaled(1e3, 1)
    out["import_vs_attrs_cattrs"] = (soapbill / base).scaled(1, 3)
    return out


def warm_figures(text: bytes, repeats: int, seconds: float, timer: str) -> dict[str, Any]:
    """
    Decode, encode and construct in this process, warm, against the mirrors.
    """
    clock = WALL if timer == "wall" else CPU
    claim, pclaim, mclaim = build_soapbill(), build_pydantic(), build_msgspec()
    ops: dict[str, dict[str, Callable[[], object]]] = {
        "decode": {
            "soapbill": lambda: from_json(text, Claim),
            "pydantic": lambda: PClaim.model_validate_json(text),
            "msgspec": lambda: M_DECODER.decode(text),
        },
        "encode": {
            "soapbill": lambda: to_json(claim),
            "pydantic": pclaim.model_dump_json,
            "msgspec": lambda: msgspec.json.encode(mclaim).decode(),
        },
        "construct": {
            "soapbill": build_soapbill,
            "pydantic": build_pydantic,
            "msgspec": build_msgspec,
        },
    }
    results: dict[str, Any] = {}
    for op, variants in ops.items():
        medians = bench(variants, repeats, seconds, clock)
        for name, secs in medians.items():
            results[f"{op}_{name}_us"] = round(secs * 1e6, 2)
        results[f"{op}_vs_pydantic"] = round(medians["soapbill"] / medians["pydantic"], 3)
        results[f"{op}_vs_msgspec"] = round(medians["soapbill"] / medians["msgspec"], 3)
    return results


def print_warm(warm: dict[str, Any]) -> None:
    print("warm, in this process (median of the repeats):")
    for op in OPERATIONS:
        print(
            f"  {op:<10} soapbill {warm[f'{op}_soapbill_us']:8.2f} us"
            f"  pydantic {warm[f'{op}_pydantic_us']:8.2f} us"
            f"  msgspec {warm[f'{op}_msgspec_us']:8.2f} us"
            f"  soapbill/pydantic {warm[f'{op}_vs_pydantic']:.2f}"
        )


def print_fresh(cold: dict[str, Any]) -> None:
    print(
        f"fresh interpreters ({cold['runs']} each; first call, then {cold['calls']} calls;"
        " median [fastest]):"
    )
    for op in OPERATIONS:
        for when in ("first", "steady"):
            cells = "  ".join(
                f"{library} {cold[op][library][f'{when}_us']['median']:10.1f} us"
                for library in LIBRARIES
            )
            ratio = cold[f"{op}_{when}_vs_pydantic"]
            print(
                f"  {op:<10} {when:<6} {cells}"
                f"  soapbill/pydantic {ratio['median']:.2f} [{ratio['min']:.2f}]"
            )
    ratio = cold["import_vs_attrs_cattrs"]
    print(
        f"  import     soapbill {cold['import_soapbill_ms']['median']:.1f} ms"
        f"  attrs, cattrs {cold['import_attrs_cattrs_ms']['median']:.1f} ms"
        f"  ratio {ratio['median']:.2f} [{ratio['min']:.2f}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check", action="store_true", help="only run the agreement checks")
    parser.add_argument(
        "--mode", choices=["both", "warm", "fresh"], default="both", help="what to measure"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny loops, one run")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved warm repeats")
    parser.add_argument("--seconds", type=float, default=0.25, help="length of one warm loop")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per program")
    parser.add_argument("--calls", type=int, default=300, help="steady calls after the first")
    parser.add_argument("--timer", choices=["wall", "cpu"], default="wall", help="the clock")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.seconds, args.runs, args.calls = 1, 0.002, 1, 3

    text, n_valid, n_broken = check_agreement()
    if args.check:
        print(f"agree: {len(text)} bytes, {n_valid} valid and {n_broken} broken documents")
        return

    results: dict[str, Any] = {
        "python": sys.version.split()[0],
        "bytes": len(text),
        "valid": n_valid,
        "broken": n_broken,
        "timer": args.timer,
    }
    if args.mode != "fresh":
        results["warm"] = warm_figures(text, args.repeats, args.seconds, args.timer)
    if args.mode != "warm":
        results["fresh"] = fresh_figures(text, args.runs, args.calls, args.timer)

    if args.json:
        print(json.dumps(results))
        return
    print(
        f"claim: {len(text)} bytes of JSON; {n_valid} valid and {n_broken} broken documents agree"
    )
    if "warm" in results:
        print_warm(results["warm"])
    if "fresh" in results:
        print_fresh(results["fresh"])


if __name__ == "__main__":
    main()
