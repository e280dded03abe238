"""
The bundled examples are the seed story, written by soapbill itself.

Set SOAPBILL_WRITE_EXAMPLES=1 to rewrite them after a deliberate change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from seed_story import seed_story
from soapbill import Claim, Prescription, SoapNote, ValidationError, from_json, to_json

EXAMPLES = Path(__file__).parent.parent / "examples"


def _expected() -> dict[str, str]:
    _patient, _coverage, prescription, notes, claim, _fees = seed_story()
    return {
        "claim.json": to_json(claim),
        "prescription.json": to_json(prescription),
        "note-1.json": to_json(notes[0]),
        "note-2.json": to_json(notes[1]),
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
    ],
)
def test_example_decodes(name: str, cls: type[Claim | Prescription | SoapNote]) -> None:
    obj = from_json((EXAMPLES / name).read_text(encoding="utf-8"), cls)
    assert isinstance(obj, cls)


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
