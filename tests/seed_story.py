"""
The seed story: a patient, a prescription, two signed SOAP notes, one claim.

The same story is told, step by step, in ``docs/guide/seed-story.md``; a test
checks that both build the same claim. Every person, number and id is made up.

Jordan Park has low back pain. Dr. Ana Ortiz (MD) prescribes massage therapy
on 24 February 2026. Sam Lee (LMT) of Cedar Massage Therapy treats Jordan on 3
and 10 March 2026 and signs a SOAP note each time. The clinic bills Jordan's
commercial plan; the plan counts units with the CMS 8-minute rule.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from soapbill import (
    Address,
    Claim,
    Coverage,
    CptCode,
    Credential,
    DiagnosisCode,
    Modifier,
    Npi,
    Patient,
    Payer,
    PersonName,
    PlanType,
    Prescription,
    Provider,
    Sex,
    SoapNote,
    Subjective,
    TaxId,
    Treatment,
)
from soapbill.billing.build import build_claim
from soapbill.billing.fees import FeeSchedule
from soapbill.billing.units import UnitMethod

__all__ = ["seed_story"]

SeedStory = tuple[Patient, Coverage, Prescription, tuple[SoapNote, ...], Claim, FeeSchedule]


def seed_story() -> SeedStory:
    """
    Return the story's patient, coverage, prescription, notes, claim and fee schedule.
    """
    patient = Patient(
        id="pt-001",
        name=PersonName(family="Park", given="Jordan"),
        birth_date=date(1985, 4, 12),
        sex=Sex.FEMALE,
        address=Address(line1="42 Cedar Ave", city="Seattle", state="WA", postal_code="98102"),
        phone="2065550142",
    )
    coverage = Coverage(
        payer=Payer(id="EXHP1", name="Example Health Plan"),
        member_id="XHP123456789",
        plan_type=PlanType.COMMERCIAL,
    )
    physician = Provider(
        npi=Npi("1987654328"),
        name=PersonName(family="Ortiz", given="Ana"),
        credential=Credential.MD,
    )
    therapist = Provider(
        npi=Npi("1654321987"),
        name=PersonName(family="Lee", given="Sam"),
        credential=Credential.LMT,
        taxonomy="225700000X",
    )
    clinic = Provider(
        npi=Npi("1234567893"),
        organization_name="Cedar Massage Therapy",
        tax_id=TaxId("12-3456789"),
        address=Address(line1="100 Main St", city="Seattle", state="WA", postal_code="981011234"),
        phone="2065550100",
    )
    prescription = Prescription(
        id="rx-001",
        patient_id="pt-001",
        prescriber=physician,
        written_on=date(2026, 2, 24),
        valid_days=90,
        diagnoses=(DiagnosisCode("M54.50"), DiagnosisCode("M62.830")),
        procedures=(CptCode("97124"), CptCode("97140"), CptCode("97010")),
        visits_authorized=8,
    )
    first = SoapNote(
        id="note-001",
        patient_id="pt-001",
        provider=therapist,
        date_of_service=date(2026, 3, 3),
        diagnoses=(DiagnosisCode("M54.50"),),
        subjective=Subjective(chief_complaint="Low back pain after gardening"),
        treatments=(
            Treatment(code=CptCode("97124"), minutes=40),
            Treatment(code=CptCode("97140"), minutes=15),
            Treatment(code=CptCode("97010"), minutes=10),
        ),
    ).sign(therapist, date(2026, 3, 3))
    second = SoapNote(
        id="note-002",
        patient_id="pt-001",
        provider=therapist,
        date_of_service=date(2026, 3, 10),
        diagnoses=(DiagnosisCode("M62.830"), DiagnosisCode("M54.6")),
        subjective=Subjective(chief_complaint="Less pain; upper back tight"),
        treatments=(
            Treatment(code=CptCode("97124"), minutes=30),
            Treatment(code=CptCode("97140"), minutes=23),
        ),
    ).sign(therapist, date(2026, 3, 10))
    fee_schedule = FeeSchedule.of(
        {"97124": Decimal("30.00"), "97140": Decimal("35.00"), "97010": Decimal("10.00")},
        effective_from=date(2026, 1, 1),
    )
    notes = (first, second)
    claim = build_claim(
        notes,
        claim_id="clm-001",
        patient=patient,
        coverage=coverage,
        billing_provider=clinic,
        fee_schedule=fee_schedule,
        unit_method=UnitMethod.CMS,
        prescription=prescription,
        line_modifiers={CptCode("97124"): (Modifier("GP"),), CptCode("97140"): (Modifier("GP"),)},
    )
    return patient, coverage, prescription, notes, claim, fee_schedule
