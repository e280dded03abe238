"""
From signed visit notes to a claim.

:func:`build_claim` turns the signed :class:`~soapbill.soap.SoapNote` s of one
patient (one plan of care: one discipline) into a :class:`~soapbill.claims.Claim`:

* **lines**: one per code per date of service (First Coast Service Options,
  "timed codes on a single line" per date of service), its
  units from the notes' treatment minutes under the payer's
  :class:`~soapbill.billing.units.UnitMethod`, the ``unit_method`` of the
  payer's :class:`~soapbill.rules.policy.PayerPolicy` when it is given (notes
  of one date are combined per code first), its charge from the
  :class:`~soapbill.billing.fees.FeeSchedule`; a code with 0 units gets no
  line. Lines are sorted by date, then code.
* **diagnoses**: the prescription's, then each note's (notes by date, then
  id), without repeats; the first is the principal one. More than 12 is refused
  (:data:`~soapbill.claims.MAX_DIAGNOSES`: CMS-1500 item 21 and the 837P
  ``HI`` segment).
* **diagnosis pointers**: each line points at the claim diagnoses that the
  prescription or a note of the line's date names, in claim order, at most
  four (:data:`~soapbill.claims.MAX_DIAGNOSIS_POINTERS`, CMS-1500 item 24E).
  Where none does, the line points at the first
  four claim diagnoses.
* **providers**: the prescriber is the referring provider; the notes'
  provider is the rendering provider unless one is given, and is left out when
  it is the billing provider itself (CMS-1500 item 24J is reported only when it
  differs: NUCC 1500 Claim Form Reference Instruction Manual, item 24J).
* **modifiers**: ``line_modifiers`` per code, such as GP on every therapy code.
* **attachments**: the prescription, then the notes (by date, then id).

The claim does not depend on the order of the notes given.

The rules of a payer (is the prescription still valid, is a modifier missing)
are not checked here: that is the rules engine's work. What makes a claim
impossible is refused: a note that is not signed, a note of another patient, a
treatment code the fee schedule lacks on its date, or no billable unit at all.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from soapbill._validators import field_checks
from soapbill.billing.fees import FeeSchedule
from soapbill.billing.units import UnitMethod, allocate_units
from soapbill.claims import (
    MAX_DIAGNOSES,
    MAX_DIAGNOSIS_POINTERS,
    Attachment,
    AttachmentKind,
    Claim,
    ServiceLine,
)
from soapbill.codes.cpt import Catalog, CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.modifiers import Modifier
from soapbill.codes.pos import PlaceOfService
from soapbill.errors import ValidationError
from soapbill.parties import Coverage, Patient, Provider
from soapbill.prescriptions import Prescription
from soapbill.soap import SoapNote, minutes_by_code

if TYPE_CHECKING:
    from soapbill.rules.policy import PayerPolicy

__all__ = ["build_claim"]

_NO_MODIFIERS: Final[Mapping[CptCode, Sequence[Modifier]]] = MappingProxyType({})


def build_claim(
    notes: Sequence[SoapNote],
    *,
    claim_id: str,
    patient: Patient,
    coverage: Coverage,
    billing_provider: Provider,
    fee_schedule: FeeSchedule,
    policy: PayerPolicy | None = None,
    unit_method: UnitMethod | None = None,
    prescription: Prescription | None = None,
    rendering_provider: Provider | None = None,
    place_of_service: PlaceOfService | str = "11",
    line_modifiers: Mapping[CptCode, Sequence[Modifier]] = _NO_MODIFIERS,
    catalog: Catalog | None = None,
) -> Claim:
    """
    Build a claim from signed SOAP notes.

    See the module documentation for how each part of the claim is found.

    Args:
        notes: The signed notes to bill, of one patient and one discipline.
        claim_id: The practice's claim id.
        patient: The patient.
        coverage: The coverage billed.
        billing_provider: Who is paid.
        fee_schedule: The practice's fees.
        policy: The payer's policy, whose ``unit_method`` counts the units.
        unit_method: The payer's unit method, when no policy is given. Give
            *policy* or *unit_method*; both only when they agree.
        prescription: The prescription, if any.
        rendering_provider: Who treated, if not the notes' provider.
        place_of_service: Where the services were given; default office.
        line_modifiers: Modifiers per code, put on every line of the code.
        catalog: Which codes are timed; default the built-in catalogue.

    Returns:
        The claim, an original.

    Raises:
        ValidationError: An argument is invalid; the path names it, such as
            ``notes[1].signature``; neither *policy* nor *unit_method* is
            given (``unit_method``, ``required``), or both are and differ
            (``unit_method``, ``conflict``).
        UnknownCodeError: A treatment code is not in the catalogue.

    .. versionadded:: 0.1.0
    """
    ordered = _checked_notes(notes, patient)
    _claim_id(claim_id)
    if catalog is not None and not isinstance(catalog, Catalog):
        raise ValidationError.single("catalog", "invalid_type", "expected a Catalog")
    if not isinstance(fee_schedule, FeeSchedule):
        raise ValidationError.single("fee_schedule", "invalid_type", "expected a FeeSchedule")
    method = _unit_method(policy, unit_method)
    _check_prescription(prescription, patient)
    modifiers = _checked_modifiers(line_modifiers)
    pos = _place(place_of_service)
    _check_fees(ordered, fee_schedule)

    diagnoses = _diagnoses(ordered, prescription)
    lines = _lines(
        ordered,
        diagnoses,
        prescription,
        fees=fee_schedule,
        modifiers=modifiers,
        method=method,
        catalog=catalog,
    )
    if not lines:
        raise ValidationError.single("notes", "nothing_billable", "no treatment makes a unit")
    return Claim(
        id=claim_id,
        patient=patient,
        coverage=coverage,
        billing_provider=billing_provider,
        rendering_provider=_rendering(ordered, rendering_provider, billing_provider),
        referring_provider=None if prescription is None else prescription.prescriber,
        diagnoses=diagnoses,
        lines=lines,
        attachments=_attachments(ordered, prescription),
        place_of_service=pos,
    )


def _unit_method(policy: object, unit_method: object) -> UnitMethod:
    """
    The unit method of *policy*, or *unit_method*; one is required, and both must agree.
    """
    if unit_method is not None and not isinstance(unit_method, UnitMethod):
        raise ValidationError.single("unit_method", "invalid_type", "expected a UnitMethod")
    if policy is None:
        if unit_method is None:
            raise ValidationError.single(
                "unit_method", "required", "give the payer's policy or its unit method"
            )
        return unit_method
    # Billing sits below the rules; the policy class is looked up only when
    # a policy is given, so that importing billing loads no rules.
    from soapbill.rules.policy import PayerPolicy  # noqa: PLC0415

    if not isinstance(policy, PayerPolicy):
        raise ValidationError.single("policy", "invalid_type", "expected a PayerPolicy")
    if unit_method is not None and unit_method is not policy.unit_method:
        raise ValidationError.single(
            "unit_method", "conflict", "differs from the unit method of the policy"
        )
    return policy.unit_method


def _checked_notes(notes: object, patient: Patient) -> list[tuple[int, SoapNote]]:
    """
    Check the notes and return them with their indices, by date, then id.
    """
    if not isinstance(notes, Sequence) or isinstance(notes, str):
        raise ValidationError.single("notes", "invalid_type", "expected a sequence of notes")
    if not notes:
        raise ValidationError.single("notes", "too_short", "give at least one note")
    if not isinstance(patient, Patient):
        raise ValidationError.single("patient", "invalid_type", "expected a Patient")
    seen: set[str] = set()
    for i, note in enumerate(notes):
        if not isinstance(note, SoapNote):
            raise ValidationError.single(f"notes[{i}]", "invalid_type", "expected a SoapNote")
        if note.patient_id != patient.id:
            raise ValidationError.single(
                f"notes[{i}].patient_id", "wrong_patient", "the note is about another patient"
            )
        if not note.is_signed:
            raise ValidationError.single(
                f"notes[{i}].signature", "not_signed", "the note is not signed as it stands"
            )
        if note.id in seen:
            raise ValidationError.single(f"notes[{i}].id", "duplicate", "the note is given twice")
        seen.add(note.id)
    return sorted(enumerate(notes), key=lambda pair: (pair[1].date_of_service, pair[1].id))


def _claim_id(value: object) -> None:
    # Checked by the claim's own check, named for the argument: the claim
    # would call it "id".
    check = next(c for c in field_checks(Claim) if c.name == "id")
    try:
        check(value)
    except ValidationError as error:
        raise error.prefixed("claim_id") from None


def _check_prescription(prescription: object, patient: Patient) -> None:
    if prescription is None:
        return
    if not isinstance(prescription, Prescription):
        raise ValidationError.single("prescription", "invalid_type", "expected a Prescription")
    if prescription.patient_id != patient.id:
        raise ValidationError.single(
            "prescription.patient_id", "wrong_patient", "the prescription is for another patient"
        )


def _lines(
    notes: list[tuple[int, SoapNote]],
    diagnoses: tuple[DiagnosisCode, ...],
    prescription: Prescription | None,
    *,
    fees: FeeSchedule,
    modifiers: Mapping[CptCode, tuple[Modifier, ...]],
    method: UnitMethod,
    catalog: Catalog | None,
) -> tuple[ServiceLine, ...]:
    """
    One line per code per date, dates in order and codes in order within a date.
    """
    by_date: dict[date, list[SoapNote]] = {}
    for _, note in notes:
        by_date.setdefault(note.date_of_service, []).append(note)
    lines: list[ServiceLine] = []
    for day, day_notes in by_date.items():
        allocation = allocate_units(minutes_by_code(day_notes), method=method, catalog=catalog)
        pointers = _pointers(diagnoses, day_notes, prescription)
        lines.extend(
            ServiceLine(
                code=code,
                modifiers=modifiers.get(code, ()),
                units=units,
                charge=fees.charge(code, units, day),
                date_of_service=day,
                diagnosis_pointers=pointers,
            )
            for code, units in allocation.units.items()
            if units
        )
    return tuple(lines)


def _checked_modifiers(value: object) -> Mapping[CptCode, tuple[Modifier, ...]]:
    if not isinstance(value, Mapping):
        raise ValidationError.single(
            "line_modifiers", "invalid_type", "expected a mapping of codes to modifiers"
        )
    check = next(c for c in field_checks(ServiceLine) if c.name == "modifiers")
    result: dict[CptCode, tuple[Modifier, ...]] = {}
    for code, modifiers in value.items():
        if code.__class__ is not CptCode:
            raise ValidationError.single(
                "line_modifiers", "invalid_type", "keys must be CptCode values"
            )
        path = f"line_modifiers[{code}]"
        if not isinstance(modifiers, list | tuple):
            raise ValidationError.single(path, "invalid_type", "expected a tuple of modifiers")
        try:
            check(tuple(modifiers))
        except ValidationError as error:
            raise error.prefixed(path) from None
        result[code] = tuple(modifiers)
    return result


def _place(value: object) -> PlaceOfService:
    try:
        return PlaceOfService(value)  # type: ignore[arg-type]
    except ValidationError as error:
        raise error.prefixed("place_of_service") from None


def _check_fees(notes: list[tuple[int, SoapNote]], fees: FeeSchedule) -> None:
    for i, note in notes:
        for j, treatment in enumerate(note.treatments):
            if fees.find(treatment.code, note.date_of_service) is None:
                raise ValidationError.single(
                    f"notes[{i}].treatments[{j}].code",
                    "no_fee",
                    "the fee schedule has no fee for the code on the date of service",
                )


def _diagnoses(
    notes: list[tuple[int, SoapNote]], prescription: Prescription | None
) -> tuple[DiagnosisCode, ...]:
    found = [] if prescription is None else list(prescription.diagnoses)
    for _, note in notes:
        found.extend(note.diagnoses)
    diagnoses = tuple(dict.fromkeys(found))
    if not diagnoses:
        raise ValidationError.single(
            "diagnoses", "required", "give a prescription or notes with diagnoses"
        )
    if len(diagnoses) > MAX_DIAGNOSES:
        raise ValidationError.single(
            "diagnoses", "too_long", "more than 12 diagnoses: split the claim"
        )
    return diagnoses


def _pointers(
    diagnoses: tuple[DiagnosisCode, ...],
    notes: list[SoapNote],
    prescription: Prescription | None,
) -> tuple[int, ...]:
    named = set() if prescription is None else set(prescription.diagnoses)
    for note in notes:
        named.update(note.diagnoses)
    pointers = [i for i, dx in enumerate(diagnoses, start=1) if dx in named]
    if not pointers:
        pointers = list(range(1, len(diagnoses) + 1))
    return tuple(pointers[:MAX_DIAGNOSIS_POINTERS])


def _rendering(
    notes: list[tuple[int, SoapNote]], given: Provider | None, billing: Provider
) -> Provider | None:
    if given is None:
        providers = {note.provider for _, note in notes}
        if len(providers) > 1:
            raise ValidationError.single(
                "rendering_provider",
                "required",
                "the notes are by more than one provider: give the rendering provider",
            )
        (given,) = providers
    return None if given == billing else given


def _attachments(
    notes: list[tuple[int, SoapNote]], prescription: Prescription | None
) -> tuple[Attachment, ...]:
    attachments = []
    if prescription is not None:
        try:
            attachments.append(Attachment(kind=AttachmentKind.PRESCRIPTION, id=prescription.id))
        except ValidationError as error:
            raise error.prefixed("prescription") from None
    for i, note in notes:
        try:
            attachments.append(Attachment(kind=AttachmentKind.SOAP_NOTE, id=note.id))
        except ValidationError as error:
            raise error.prefixed(f"notes[{i}]") from None
    return tuple(attachments)
