"""
The bundled examples are the seed story, written by soapbill itself.

Set SOAPBILL_WRITE_EXAMPLES=1 to rewrite them after a deliberate change.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from seed_story import seed_story
from soapbill import (
    BodyRegion,
    Claim,
    Coverage,
    Credential,
    Frequency,
    Patient,
    Prescription,
    Provider,
    SoapNote,
    ValidationError,
    from_json,
    to_json,
)
from soapbill.care import CarePlan, Certification, Goal, Measure, MeasureKind

EXAMPLES = Path(__file__).parent.parent / "examples"


def care_plan() -> CarePlan:
    """
    The seed story's plan of care: two visits a week for four weeks from the first
    visit, certified by the prescriber two days later.
    """
    _patient, _coverage, prescription, notes, _claim, _fees = seed_story()
    return CarePlan(
        id="poc-001",
        patient_id="pt-001",
        therapist=notes[0].provider,
        prescriber=prescription.prescriber,
        diagnoses=prescription.diagnoses,
        procedures=prescription.procedures,
        goals=(
            Goal(
                measure=Measure(kind=MeasureKind.PAIN, region=BodyRegion.LOWER_BACK),
                baseline=7,
                target=3,
            ),
        ),
        frequency=Frequency(per_week=2, weeks=4),
        starts_on=date(2026, 3, 3),
        ends_on=date(2026, 3, 30),
        certification=Certification(
            certified_by=prescription.prescriber, certified_on=date(2026, 3, 5)
        ),
    )


def _expected() -> dict[str, str]:
    patient, coverage, prescription, notes, claim, _fees = seed_story()
    return {
        "claim.json": to_json(claim),
        "prescription.json": to_json(prescription),
        "note-1.json": to_json(notes[0]),
        "note-2.json": to_json(notes[1]),
        "patient.json": to_json(patient),
        "coverage.json": to_json(coverage),
        "prescriber.json": to_json(prescription.prescriber),
        "care-plan.json": to_json(care_plan()),
    }


def _pretty(text: str) -> str:
    return json.dumps(json.loads(text), indent=2) + "\n"


@pytest.mark.parametrize("name", sorted(_expected()))
def test_example_is_the_seed_story(name: str) -> None:
    expected = _pretty(_expected()[name])
    path = EXAMPLES / name
    if os.environ.get("SOAPBILL_WRITE_EXAMPLES") == "1":  # pragma: no cover - maintenance
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("claim.json", Claim),
        ("prescription.json", Prescription),
        ("note-1.json", SoapNote),
        ("note-2.json", SoapNote),
        ("patient.json", Patient),
        ("coverage.json", Coverage),
        ("prescriber.json", Provider),
        ("care-plan.json", CarePlan),
    ],
)
def test_example_decodes(name: str, cls: type[Any]) -> None:
    obj = from_json((EXAMPLES / name).read_text(encoding="utf-8"), cls)
    assert isinstance(obj, cls)


def _example(name: str, cls: type[Any]) -> Any:
    return from_json((EXAMPLES / name).read_text(encoding="utf-8"), cls)


def test_the_examples_tell_one_story() -> None:
    patient = _example("patient.json", Patient)
    prescriber = _example("prescriber.json", Provider)
    plan = _example("care-plan.json", CarePlan)
    notes = [_example(name, SoapNote) for name in ("note-1.json", "note-2.json")]
    # The prescriber is a physician, with an NPI that passes its check digit.
    assert prescriber.credential is Credential.MD
    assert prescriber == _example("prescription.json", Prescription).prescriber
    assert plan.patient_id == patient.id == "pt-001"
    assert all(note.patient_id == patient.id for note in notes)
    assert all(plan.covers(note.date_of_service) for note in notes)
    assert plan.certification is not None
    assert plan.certification.certified_by == prescriber
    assert _example("claim.json", Claim).coverage == _example("coverage.json", Coverage)


def test_examples_notes_are_signed() -> None:
    for name in ("note-1.json", "note-2.json"):
        note = from_json((EXAMPLES / name).read_text(encoding="utf-8"), SoapNote)
        assert note.is_signed


def test_broken_example_lists_every_problem() -> None:
    text = (EXAMPLES / "claim-broken.json").read_text(encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        from_json(text, Claim)
    found = [(detail.path, detail.code) for detail in info.value.errors]
    assert found == [
        ("patient.birth_date", "invalid_date"),
        ("coverage.plan_type", "invalid_choice"),
        ("billing_provider.npi", "bad_checksum"),
        ("attachments[0].id", "too_short"),
        # A cross-field check runs too, on the fields that are valid.
        ("lines[1].diagnosis_pointers[0]", "bad_pointer"),
    ]


def test_broken_example_differs_from_the_claim_only_where_it_is_broken() -> None:
    good = json.loads((EXAMPLES / "claim.json").read_text(encoding="utf-8"))
    bad = json.loads((EXAMPLES / "claim-broken.json").read_text(encoding="utf-8"))
    for key in ("patient", "coverage", "billing_provider", "attachments", "lines"):
        assert bad[key] != good[key]
    assert {
        k: v
        for k, v in bad.items()
        if k not in ("patient", "coverage", "billing_provider", "attachments", "lines")
    } == {
        k: v
        for k, v in good.items()
        if k not in ("patient", "coverage", "billing_provider", "attachments", "lines")
    }
