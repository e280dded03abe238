"""
The structured measures of a SOAP note: coded range of motion, functional scores, adherence.

They were added with defaults, so notes of the earlier format stay readable and
their signatures still verify.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest

import builders
from soapbill import (
    Adherence,
    Assessment,
    BodyRegion,
    CptCode,
    DiagnosisCode,
    FunctionalMeasure,
    HomeExercise,
    Joint,
    Movement,
    Objective,
    PainReport,
    Plan,
    RangeOfMotion,
    Side,
    SoapNote,
    Subjective,
    Treatment,
    ValidationError,
    from_dict,
    to_dict,
)

SENTINEL = "ZZSENTINELZZ"

NOTE = SoapNote(
    id="N7",
    patient_id="P1",
    provider=builders.therapist(),
    date_of_service=date(2026, 3, 2),
    diagnoses=(DiagnosisCode("M54.2"),),
    subjective=Subjective(
        chief_complaint="Neck pain",
        pain=(PainReport(region=BodyRegion.NECK, intensity=7),),
    ),
    objective=Objective(posture=("forward head",)),
    assessment=Assessment(
        range_of_motion=(RangeOfMotion(joint="neck", movement="rotation", full=False, degrees=45),)
    ),
    plan=Plan(home_exercises=(HomeExercise(name="chin tucks", dosage="10 x 3"),)),
    treatments=(Treatment(code=CptCode("97124"), minutes=30),),
)
#: NOTE's digest as soapbill 0.1.0 computed it, before the measures existed.
#: A note signed then must still verify.
NOTE_DIGEST = "eb5f26074bf11c8ae5fdf0aabd812dfb75efdbfaa7873f149124df9c8a0cd0cd"

#: The keys the measures added to the JSON of a note.
ADDED = {
    ("subjective",): ("exercise_adherence",),
    ("objective",): ("functional",),
    ("assessment", "range_of_motion", 0): ("joint_code", "movement_code", "side"),
}


def _earlier_format(document: dict[str, Any]) -> dict[str, Any]:
    """
    Remove the added keys: the document as soapbill 0.1.0 wrote it.
    """
    for where, keys in ADDED.items():
        part: Any = document
        for step in where:
            part = part[step]
        for key in keys:
            del part[key]
    return document


def test_the_digest_of_a_note_without_measures_is_unchanged() -> None:
    assert NOTE.content_digest == NOTE_DIGEST


def test_a_note_of_the_earlier_format_reads_and_its_signature_verifies() -> None:
    signed = NOTE.sign(builders.therapist(), date(2026, 3, 2))
    document = _earlier_format(to_dict(signed))
    read = from_dict(document, SoapNote)
    assert read == signed
    assert read.is_signed
    assert read.signature is not None
    assert read.signature.digest == NOTE_DIGEST


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(
            {"subjective": attrs.evolve(NOTE.subjective, exercise_adherence=Adherence.FULL)},
            id="adherence",
        ),
        pytest.param(
            {
                "objective": Objective(
                    functional=(
                        FunctionalMeasure(name="Neck Disability Index", score=20, worst=50, best=0),
                    )
                )
            },
            id="functional",
        ),
        pytest.param(
            {
                "assessment": Assessment(
                    range_of_motion=(
                        RangeOfMotion(
                            joint="neck",
                            full=False,
                            degrees=45,
                            joint_code=Joint.CERVICAL_SPINE,
                            movement_code=Movement.ROTATION,
                            side=Side.LEFT,
                        ),
                    )
                )
            },
            id="coded-rom",
        ),
    ],
)
def test_a_measure_changes_the_digest_and_survives_json(changes: dict[str, Any]) -> None:
    changed = attrs.evolve(NOTE, **changes)
    assert changed.content_digest != NOTE_DIGEST
    signed = changed.sign(builders.therapist(), date(2026, 3, 3))
    assert from_dict(to_dict(signed), SoapNote) == signed
    assert from_dict(to_dict(signed), SoapNote).is_signed


@pytest.mark.parametrize(
    ("fields", "path", "code"),
    [
        pytest.param({"score": 51, "worst": 50, "best": 0}, "score", "out_of_range", id="above"),
        pytest.param({"score": -1, "worst": 0, "best": 10}, "score", "out_of_range", id="below"),
        pytest.param({"score": 3, "worst": 3, "best": 3}, "best", "not_allowed", id="one-end"),
        pytest.param({"score": 1, "worst": 0, "best": 9, "name": ""}, "name", "too_short", id="nm"),
    ],
)
def test_a_functional_score_lies_on_its_scale(fields: dict[str, Any], path: str, code: str) -> None:
    arguments = {"name": SENTINEL, **fields}
    with pytest.raises(ValidationError) as info:
        FunctionalMeasure(**arguments)
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]
    assert SENTINEL not in f"{info.value} {info.value!r} {info.value.args}"


def test_the_coded_fields_are_read_by_value() -> None:
    document = to_dict(
        RangeOfMotion(
            joint="neck",
            full=False,
            joint_code=Joint.CERVICAL_SPINE,
            movement_code=Movement.ROTATION,
            side=Side.RIGHT,
        )
    )
    assert document["joint_code"] == "cervical_spine"
    assert document["movement_code"] == "rotation"
    document["side"] = "up"
    with pytest.raises(ValidationError) as info:
        from_dict(document, RangeOfMotion)
    assert [d.path for d in info.value.errors] == ["side"]
