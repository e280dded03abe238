"""
Valid test objects, built in one place.

Each builder returns a small valid object with made-up data; keyword arguments
replace any of its fields, so a test names only what it is about::

    claim(line("97140", 1), patient=patient(sex=Sex.MALE))

Builders that take codes take them as strings, as tests write them. The
defaults are stable: tests may compare with them (``PATIENT_ID``, ``DOS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from soapbill import (
    CarePlan,
    Certification,
    Claim,
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
    ServiceLine,
    Sex,
    SoapNote,
    Subjective,
    Treatment,
)

__all__ = [
    "DOS",
    "NPI",
    "PATIENT_ID",
    "certified_plan",
    "claim",
    "clinic",
    "coverage",
    "line",
    "note",
    "patient",
    "payer",
    "physician",
    "prescription",
    "therapist",
]

#: The date of service of every builder that needs one.
DOS = date(2026, 3, 2)
#: CMS's worked example of the NPI check digit (valid, made up).
NPI = Npi("1234567893")
#: The id of the default patient; notes and prescriptions are for that patient.
PATIENT_ID = "P1"


def patient(**changes: Any) -> Patient:
    """
    Jane Doe, born 1 January 1980.
    """
    fields: dict[str, Any] = {
        "id": PATIENT_ID,
        "name": PersonName(family="Doe", given="Jane"),
        "birth_date": date(1980, 1, 1),
        "sex": Sex.FEMALE,
    }
    return Patient(**(fields | changes))


def payer(**changes: Any) -> Payer:
    """
    Example Health, payer id PAYER01.
    """
    fields: dict[str, Any] = {"id": "PAYER01", "name": "Example Health"}
    return Payer(**(fields | changes))


def coverage(**changes: Any) -> Coverage:
    """
    A commercial plan of :func:`payer`, member M1, the patient the subscriber.
    """
    fields: dict[str, Any] = {
        "payer": payer(),
        "member_id": "M1",
        "plan_type": PlanType.COMMERCIAL,
    }
    return Coverage(**(fields | changes))


def clinic(**changes: Any) -> Provider:
    """
    Example Clinic, an organization (a billing provider).
    """
    fields: dict[str, Any] = {"npi": NPI, "organization_name": "Example Clinic"}
    return Provider(**(fields | changes))


def therapist(**changes: Any) -> Provider:
    """
    Sam Lee, a licensed massage therapist (a rendering provider).
    """
    fields: dict[str, Any] = {
        "npi": NPI,
        "name": PersonName(family="Lee", given="Sam"),
        "credential": Credential.LMT,
    }
    return Provider(**(fields | changes))


def physician(**changes: Any) -> Provider:
    """
    Dr. Al Doc, MD (a prescriber, a referring provider).
    """
    fields: dict[str, Any] = {
        "npi": NPI,
        "name": PersonName(family="Doc", given="Al"),
        "credential": Credential.MD,
    }
    return Provider(**(fields | changes))


def line(
    code: str = "97124",
    units: int = 2,
    *modifiers: str,
    on: date = DOS,
    charge: str = "60.00",
    pointers: tuple[int, ...] = (1,),
    **changes: Any,
) -> ServiceLine:
    """
    A service line: two units of massage on :data:`DOS`, pointing at diagnosis 1.
    """
    fields: dict[str, Any] = {
        "code": CptCode(code),
        "modifiers": tuple(Modifier(m) for m in modifiers),
        "units": units,
        "charge": Decimal(charge),
        "date_of_service": on,
        "diagnosis_pointers": pointers,
    }
    return ServiceLine(**(fields | changes))


def claim(*lines: ServiceLine, diagnoses: Sequence[str] = ("M54.50",), **changes: Any) -> Claim:
    """
    Claim C1 of :func:`patient` under :func:`coverage`, billed by :func:`clinic`.

    Without *lines* the claim has one :func:`line`.
    """
    fields: dict[str, Any] = {
        "id": "C1",
        "patient": patient(),
        "coverage": coverage(),
        "billing_provider": clinic(),
        "diagnoses": tuple(DiagnosisCode(d) for d in diagnoses),
        "lines": lines or (line(),),
    }
    return Claim(**(fields | changes))


def note(
    *treatments: tuple[str, int],
    on: date = DOS,
    signed: bool = True,
    **changes: Any,
) -> SoapNote:
    """
    A SOAP note by :func:`therapist` on *on*, signed by default.

    *treatments* are ``(code, minutes)`` pairs; without them, 30 minutes of
    massage. Changes apply to the draft, before it is signed.
    """
    pairs = treatments or (("97124", 30),)
    fields: dict[str, Any] = {
        "id": f"N{on.isoformat()}",
        "patient_id": PATIENT_ID,
        "provider": therapist(),
        "date_of_service": on,
        "subjective": Subjective(chief_complaint="Low back pain"),
        "treatments": tuple(Treatment(code=CptCode(c), minutes=m) for c, m in pairs),
    }
    draft = SoapNote(**(fields | changes))
    return draft.sign(draft.provider, on) if signed else draft


def prescription(
    *,
    diagnoses: Sequence[str] = ("M54.50",),
    procedures: Sequence[str] = (),
    **changes: Any,
) -> Prescription:
    """
    Prescription RX1 by :func:`physician`, written 5 January 2026, for M54.50.
    """
    fields: dict[str, Any] = {
        "id": "RX1",
        "patient_id": PATIENT_ID,
        "prescriber": physician(),
        "written_on": date(2026, 1, 5),
        "diagnoses": tuple(DiagnosisCode(d) for d in diagnoses),
        "procedures": tuple(CptCode(p) for p in procedures),
    }
    return Prescription(**(fields | changes))


def certified_plan(subject: Claim | None = None, **changes: Any) -> CarePlan:
    """
    Plan of care POC1 of *subject*, certified by :func:`physician` on its first day.

    It starts on the claim's first date of service (without a claim,
    :data:`DOS`), runs six weeks or to its last date, whichever is later,
    allows two visits a week and names the claim's diagnoses: every date of
    the claim is covered by a plan certified in time, so the rules of plans of
    care (``care.*``, ``progress.report_due``) find nothing in a claim of up
    to ten visits.
    """
    days = subject.dates_of_service if subject is not None else (DOS,)
    first = min(days)
    fields: dict[str, Any] = {
        "id": "POC1",
        "patient_id": PATIENT_ID if subject is None else subject.patient.id,
        "therapist": therapist(),
        "prescriber": physician(),
        "diagnoses": (DiagnosisCode("M54.50"),) if subject is None else subject.diagnoses,
        "frequency": Frequency(per_week=2, weeks=6),
        "starts_on": first,
        "ends_on": max(*days, first + timedelta(weeks=6, days=-1)),
        "certification": Certification(certified_by=physician(), certified_on=first),
    }
    return CarePlan(**(fields | changes))
