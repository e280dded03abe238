"""
SOAP notes: sections, treatments, signing and amending.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import builders
from soapbill import (
    Addendum,
    Assessment,
    BodyRegion,
    CptCode,
    DiagnosisCode,
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
    SoapbillError,
    SoapNote,
    Subjective,
    TissueFinding,
    Treatment,
    ValidationError,
)
from soapbill import strategies as sbst
from soapbill.soap import minutes_by_code

SENTINEL = "ZZSENTINELZZ"

THERAPIST = builders.therapist()
DAY = date(2026, 3, 2)
DRAFT = SoapNote(
    id="N1",
    patient_id="P1",
    provider=THERAPIST,
    date_of_service=DAY,
    diagnoses=(DiagnosisCode("M54.50"), DiagnosisCode("M62.830")),
    subjective=Subjective(
        chief_complaint="Low back pain after lifting",
        pain=(PainReport(region=BodyRegion.LOWER_BACK, intensity=6),),
    ),
    treatments=(
        Treatment(code=CptCode("97124"), minutes=30, regions=(BodyRegion.LOWER_BACK,)),
        Treatment(code=CptCode("97010"), minutes=10),
    ),
)
#: The digest of DRAFT. A signature stored today must still verify after an
#: upgrade, so the digest of the same content must never change.
DRAFT_DIGEST = "98301a470e1d8f872845e50d74daa9a036e6a6edd530b396a39a99885274137d"


def _errors(info: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(d.path, d.code) for d in info.value.errors]


SECTIONS: dict[str, st.SearchStrategy[Any]] = {
    "Frequency": sbst.frequencies(),
    "PainReport": sbst.pain_reports(),
    "Subjective": sbst.subjectives(),
    "Lifestyle": sbst.lifestyles(),
    "Objective": sbst.objectives(),
    "TissueFinding": sbst.tissue_findings(),
    "RangeOfMotion": sbst.ranges_of_motion(),
    "Assessment": sbst.assessments(),
    "HomeExercise": sbst.home_exercises(),
    "Plan": sbst.plans(),
    "Treatment": sbst.treatments(),
    "Signature": sbst.signatures(),
    "Addendum": sbst.addenda(),
    "SoapNote": sbst.soap_notes(),
}


@pytest.mark.parametrize("models", SECTIONS.values(), ids=SECTIONS.keys())
@given(data=st.data())
def test_generated_note_parts_are_valid_values(
    models: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    value = data.draw(models)
    assert attrs.evolve(value) == value
    assert pickle.loads(pickle.dumps(value)) == value  # noqa: S301 - our own data
    assert hash(pickle.loads(pickle.dumps(value))) == hash(value)  # noqa: S301 - our own data


# --- signing ------------------------------------------------------------------------------


def test_sign() -> None:
    assert not DRAFT.is_signed
    signed = DRAFT.sign(THERAPIST, date(2026, 3, 3))
    assert signed.is_signed
    assert signed.signature == Signature(
        signer=THERAPIST, signed_on=date(2026, 3, 3), digest=DRAFT.content_digest
    )
    assert signed.content_digest == DRAFT.content_digest
    assert not DRAFT.is_signed


def test_the_digest_of_the_same_content_never_changes() -> None:
    assert DRAFT.content_digest == DRAFT_DIGEST


def test_a_signed_note_is_not_signed_again() -> None:
    signed = DRAFT.sign(THERAPIST, DAY)
    with pytest.raises(NoteStateError) as info:
        signed.sign(THERAPIST, DAY)
    assert isinstance(info.value, SoapbillError)


def test_evolve_breaks_the_signature() -> None:
    signed = DRAFT.sign(THERAPIST, DAY)
    changed = attrs.evolve(signed, treatments=(Treatment(code=CptCode("97124"), minutes=45),))
    assert changed.signature == signed.signature
    assert not changed.is_signed
    # A note whose signature no longer matches is neither re-signed nor amended.
    with pytest.raises(NoteStateError):
        changed.sign(THERAPIST, DAY)
    with pytest.raises(NoteStateError):
        changed.amend(Addendum(author=THERAPIST, written_on=DAY, text="late entry"))


def test_amend_keeps_the_signed_content() -> None:
    signed = DRAFT.sign(THERAPIST, DAY)
    first = Addendum(author=THERAPIST, written_on=date(2026, 3, 4), text="Patient called")
    second = Addendum(author=THERAPIST, written_on=date(2026, 3, 5), text="Follow-up booked")
    amended = signed.amend(first).amend(second)
    assert amended.addenda == (first, second)
    assert amended.is_signed
    assert amended.signature == signed.signature
    assert amended.content_digest == signed.content_digest


def test_a_draft_is_not_amended() -> None:
    with pytest.raises(NoteStateError):
        DRAFT.amend(Addendum(author=THERAPIST, written_on=DAY, text="late entry"))


def test_a_draft_has_no_addenda() -> None:
    addendum = Addendum(author=THERAPIST, written_on=DAY, text="late entry")
    with pytest.raises(ValidationError) as info:
        attrs.evolve(DRAFT, addenda=(addendum,))
    assert _errors(info) == [("addenda", "not_allowed")]


@given(note=sbst.soap_notes(signed=True))
def test_generated_signed_notes_verify(note: SoapNote) -> None:
    assert note.is_signed
    assert note.signature is not None
    assert note.signature.signed_on >= note.date_of_service
    assert all(a.written_on >= note.signature.signed_on for a in note.addenda)


@given(note=sbst.soap_notes(signed=False))
def test_generated_drafts_sign(note: SoapNote) -> None:
    assert note.signature is None
    assert not note.addenda
    assert note.sign(THERAPIST, note.date_of_service).is_signed


@given(note=sbst.soap_notes(), complaint=st.text(min_size=1, max_size=50))
def test_any_content_change_changes_the_digest(note: SoapNote, complaint: str) -> None:
    changed = attrs.evolve(
        note, subjective=attrs.evolve(note.subjective, chief_complaint=complaint)
    )
    same = complaint == note.subjective.chief_complaint
    assert (changed.content_digest == note.content_digest) is same


@given(note=sbst.soap_notes(signed=True))
def test_the_digest_ignores_signature_and_addenda(note: SoapNote) -> None:
    bare = attrs.evolve(note, signature=None, addenda=())
    assert bare.content_digest == note.content_digest


# --- the sections ---------------------------------------------------------------------------


def test_treatment_minutes_sums_every_treatment() -> None:
    assert DRAFT.treatment_minutes == 40
    assert attrs.evolve(DRAFT, treatments=()).treatment_minutes == 0


@pytest.mark.parametrize(
    ("region", "side"),
    [
        pytest.param(BodyRegion.SHOULDER_LEFT, Side.LEFT, id="left"),
        pytest.param(BodyRegion.KNEE_RIGHT, Side.RIGHT, id="right"),
        pytest.param(BodyRegion.LOWER_BACK, None, id="midline"),
        pytest.param(BodyRegion.HEAD, None, id="head"),
    ],
)
def test_region_side(region: BodyRegion, side: Side | None) -> None:
    assert region.side is side


def test_every_lateral_region_has_a_twin() -> None:
    for region in BodyRegion:
        if region.side is Side.LEFT:
            assert BodyRegion(region.value.replace("_left", "_right")).side is Side.RIGHT


@pytest.mark.parametrize(
    ("per_week", "weeks", "visits"),
    [(1, 1, 1), (2, 6, 12), (7, 104, 728)],
    ids=["least", "typical", "most"],
)
def test_frequency_visits(per_week: int, weeks: int, visits: int) -> None:
    assert Frequency(per_week=per_week, weeks=weeks).visits == visits


PAIN = PainReport(region=BodyRegion.NECK, intensity=5)
FINDING = TissueFinding(region=BodyRegion.NECK)
MOTION = RangeOfMotion(joint="cervical spine", full=True)
TREATMENT = Treatment(code=CptCode("97140"), minutes=15)
FREQUENCY = Frequency(per_week=2, weeks=4)
SIGNATURE = Signature(signer=THERAPIST, signed_on=DAY, digest="0" * 64)


@pytest.mark.parametrize(
    ("value", "changes", "path", "code"),
    [
        # Frequencies: 1-7 a week, 1-104 weeks.
        pytest.param(FREQUENCY, {"per_week": 0}, "per_week", "too_small", id="per-week-0"),
        pytest.param(FREQUENCY, {"per_week": 8}, "per_week", "too_large", id="per-week-8"),
        pytest.param(FREQUENCY, {"weeks": 105}, "weeks", "too_large", id="weeks-105"),
        # Pain 0-10.
        pytest.param(PAIN, {"intensity": -1}, "intensity", "too_small", id="pain-negative"),
        pytest.param(PAIN, {"intensity": 11}, "intensity", "too_large", id="pain-11"),
        pytest.param(PAIN, {"intensity": 5.0}, "intensity", "invalid_type", id="pain-float"),
        pytest.param(PAIN, {"region": "neck"}, "region", "invalid_type", id="region-str"),
        pytest.param(PAIN, {"description": "x" * 201}, "description", "too_long", id="pain-text"),
        pytest.param(FINDING, {"trigger_points": 101}, "trigger_points", "too_large", id="tp"),
        pytest.param(FINDING, {"tension": "mild"}, "tension", "invalid_type", id="tension-str"),
        pytest.param(FINDING, {"inflammation": 0}, "inflammation", "invalid_type", id="bool"),
        pytest.param(MOTION, {"degrees": 361}, "degrees", "too_large", id="degrees"),
        pytest.param(MOTION, {"joint": "x" * 61}, "joint", "too_long", id="joint"),
        # Treatments: 1 to 1440 minutes, distinct regions.
        pytest.param(TREATMENT, {"minutes": 0}, "minutes", "too_small", id="minutes-0"),
        pytest.param(TREATMENT, {"minutes": 1441}, "minutes", "too_large", id="minutes-1441"),
        pytest.param(TREATMENT, {"minutes": True}, "minutes", "invalid_type", id="minutes-bool"),
        pytest.param(TREATMENT, {"code": "97140"}, "code", "invalid_type", id="code-str"),
        pytest.param(
            TREATMENT,
            {"regions": (BodyRegion.NECK, BodyRegion.NECK)},
            "regions",
            "duplicate",
            id="regions-duplicate",
        ),
        pytest.param(TREATMENT, {"regions": ["neck"]}, "regions", "invalid_type", id="list"),
        pytest.param(
            Plan(), {"focus": (BodyRegion.NECK,) * 2}, "focus", "duplicate", id="plan-focus"
        ),
        pytest.param(Plan(), {"muscle_groups": ("",)}, "muscle_groups[0]", "too_short", id="mg"),
        pytest.param(Plan(), {"next_visit": "2026-03-09"}, "next_visit", "invalid_type", id="nv"),
        # Signatures hold a SHA-256 digest in lower-case hex.
        pytest.param(SIGNATURE, {"digest": "0" * 63}, "digest", "invalid_format", id="digest-63"),
        pytest.param(SIGNATURE, {"digest": "A" * 64}, "digest", "invalid_format", id="digest-AF"),
        pytest.param(
            SIGNATURE, {"signed_on": "2026-03-02"}, "signed_on", "invalid_type", id="signed-on"
        ),
    ],
)
def test_part_errors(value: Any, changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(value, **changes)
    assert _errors(info) == [(path, code)]


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        pytest.param({"id": "x" * 51}, "id", "too_long", id="id"),
        pytest.param({"patient_id": ""}, "patient_id", "too_short", id="patient-id"),
        pytest.param(
            {"diagnoses": tuple(DiagnosisCode(f"M54.{n}") for n in range(13))},
            "diagnoses",
            "too_long",
            id="13-diagnoses",
        ),
        pytest.param(
            {"diagnoses": (DiagnosisCode("M54.50"), DiagnosisCode("M5450"))},
            "diagnoses",
            "duplicate",
            id="duplicate-diagnosis",
        ),
        pytest.param({"diagnoses": ("M54.50",)}, "diagnoses[0]", "invalid_type", id="dx-str"),
        pytest.param(
            {"treatments": (TREATMENT, "97124")}, "treatments[1]", "invalid_type", id="tx-str"
        ),
        pytest.param({"subjective": None}, "subjective", "invalid_type", id="subjective"),
        pytest.param({"date_of_service": None}, "date_of_service", "invalid_type", id="dos"),
    ],
)
def test_note_errors(changes: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        attrs.evolve(DRAFT, **changes)
    assert _errors(info) == [(path, code)]


def test_twelve_diagnoses_are_allowed() -> None:
    codes = tuple(DiagnosisCode(f"M54.{n}") for n in range(12))
    assert len(attrs.evolve(DRAFT, diagnoses=codes).diagnoses) == 12


# --- redaction ------------------------------------------------------------------------------


def test_note_text_never_reaches_a_repr() -> None:
    text = (SENTINEL,)
    note = attrs.evolve(
        DRAFT,
        subjective=Subjective(
            chief_complaint=SENTINEL,
            pain=(PainReport(region=BodyRegion.NECK, intensity=3, description=SENTINEL),),
            limitations=text,
            goals=text,
            text=SENTINEL,
        ),
        objective=Objective(
            posture=text,
            gait=text,
            lifestyle=Lifestyle(diet=SENTINEL, stress=Level.MILD, sleep=SENTINEL),
            text=SENTINEL,
        ),
        assessment=Assessment(
            range_of_motion=(RangeOfMotion(joint=SENTINEL, movement=SENTINEL, full=False),),
            breathing=SENTINEL,
            asymmetries=text,
            progress=SENTINEL,
            text=SENTINEL,
        ),
        plan=Plan(
            muscle_groups=text,
            home_exercises=(HomeExercise(name=SENTINEL, dosage=SENTINEL),),
            text=SENTINEL,
        ),
    )
    amended = note.sign(THERAPIST, DAY).amend(
        Addendum(author=THERAPIST, written_on=DAY, text=SENTINEL)
    )
    assert SENTINEL not in repr(amended)
    for part in (amended.subjective, amended.objective, amended.assessment, amended.plan):
        assert SENTINEL not in repr(part)
    assert SENTINEL not in repr(amended.addenda)


def test_a_note_is_not_signed_before_its_date_of_service() -> None:
    day_before = DRAFT.date_of_service - timedelta(days=1)
    with pytest.raises(ValidationError) as info:
        DRAFT.sign(DRAFT.provider, day_before)
    assert [(d.path, d.code) for d in info.value.errors] == [("at", "before_service")]
    assert DRAFT.sign(DRAFT.provider, DRAFT.date_of_service).is_signed


def test_an_addendum_is_not_dated_before_the_signature() -> None:
    signed = DRAFT.sign(DRAFT.provider, DRAFT.date_of_service + timedelta(days=1))
    early = Addendum(author=DRAFT.provider, written_on=DRAFT.date_of_service, text="late entry")
    with pytest.raises(ValidationError) as info:
        signed.amend(early)
    assert [(d.path, d.code) for d in info.value.errors] == [
        ("addendum.written_on", "before_signature")
    ]
    same_day = attrs.evolve(early, written_on=signed.signature.signed_on)  # type: ignore[union-attr]
    assert signed.amend(same_day).is_signed


@pytest.mark.parametrize(
    ("call", "path"),
    [
        pytest.param(lambda: DRAFT.sign(junk(None), DAY), "signer", id="signer"),
        pytest.param(lambda: DRAFT.sign(THERAPIST, junk(None)), "at", id="at-None"),
        pytest.param(lambda: DRAFT.sign(THERAPIST, junk("2026-03-02")), "at", id="at-str"),
        pytest.param(lambda: DRAFT.sign(THERAPIST, DAY).amend(junk(None)), "addendum", id="amend"),
        pytest.param(lambda: DRAFT.amend(junk("late entry")), "addendum", id="amend-draft"),
    ],
)
def test_sign_and_amend_refuse_arguments_of_the_wrong_type_by_name(
    call: Callable[[], object], path: str
) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.errors[0].path == path


def junk(value: object) -> Any:
    return value


@given(notes=st.lists(sbst.soap_notes(), max_size=4))
def test_minutes_by_code_sums_each_code_over_the_notes(notes: list[SoapNote]) -> None:
    minutes = minutes_by_code(notes)
    treatments = [t for note in notes for t in note.treatments]
    assert set(minutes) == {t.code for t in treatments}
    for code, total in minutes.items():
        assert total == sum(t.minutes for t in treatments if t.code == code)
    assert minutes_by_code(reversed(notes)) == minutes


def test_minutes_by_code_combines_two_notes_of_a_date() -> None:
    first = builders.note(("97124", 10))
    second = builders.note(("97124", 5), ("97140", 8), id="note-2")
    assert minutes_by_code([first, second]) == {CptCode("97124"): 15, CptCode("97140"): 8}
