from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seed_story import seed_story
from soapbill import (
    Claim,
    CptCode,
    Credential,
    DiagnosisCode,
    Modifier,
    Npi,
    PersonName,
    PlaceOfService,
    Provider,
    SoapNote,
    Subjective,
    Treatment,
    ValidationError,
)
from soapbill.billing.build import build_claim
from soapbill.billing.fees import FeeSchedule
from soapbill.billing.units import UnitMethod, allocate_units
from soapbill.codes.cpt import DEFAULT_CATALOG, CodeInfo, UnknownCodeError
from soapbill.rules import PayerPolicy, evaluate

C = CptCode
DX = DiagnosisCode
DAY = date(2026, 3, 3)


SEED = seed_story()


# --- the seed story ----------------------------------------------------------------------


def test_seed_story_claim() -> None:
    patient, coverage, prescription, notes, claim, fees = SEED
    # Worked by hand in docs/guide/seed-story.md.
    assert [
        (str(line.date_of_service), str(line.code), line.units, str(line.charge))
        for line in claim.lines
    ] == [
        ("2026-03-03", "97010", 1, "10.00"),
        ("2026-03-03", "97124", 3, "90.00"),
        ("2026-03-03", "97140", 1, "35.00"),
        ("2026-03-10", "97124", 2, "60.00"),
        ("2026-03-10", "97140", 2, "70.00"),
    ]
    assert claim.total_charge == Decimal("265.00")
    assert [line.modifiers for line in claim.lines] == [(), *[(Modifier("GP"),)] * 4]
    assert [line.diagnosis_pointers for line in claim.lines] == [(1, 2)] * 3 + [(1, 2, 3)] * 2
    assert claim.diagnoses == (DX("M54.50"), DX("M62.830"), DX("M54.6"))
    assert claim.patient == patient
    assert claim.coverage == coverage
    assert claim.referring_provider == prescription.prescriber
    assert claim.rendering_provider == notes[0].provider
    assert claim.place_of_service == PlaceOfService("11")
    assert [a.id for a in claim.attachments] == ["rx-001", "note-001", "note-002"]
    assert fees.fee(C("97124"), DAY) == Decimal("30.00")


# --- helpers -----------------------------------------------------------------------------

PATIENT = SEED[0]
COVERAGE = SEED[1]
RX = SEED[2]
THERAPIST = SEED[3][0].provider
CLINIC = SEED[4].billing_provider
FEES = FeeSchedule.of(
    {
        "97010": Decimal("10.00"),
        "97110": Decimal("32.00"),
        "97112": Decimal("33.00"),
        "97124": Decimal("30.00"),
        "97140": Decimal("35.00"),
    },
    effective_from=date(2026, 1, 1),
)
OTHER_THERAPIST = Provider(
    npi=Npi("1122334455"), name=PersonName(family="Kim", given="Lou"), credential=Credential.PT
)


def note(
    *treatments: tuple[str, int],
    note_id: str = "n-1",
    on: date = DAY,
    diagnoses: Sequence[str] = ("M54.50",),
    provider: Provider = THERAPIST,
    patient_id: str = "pt-001",
    sign: bool = True,
) -> SoapNote:
    draft = SoapNote(
        id=note_id,
        patient_id=patient_id,
        provider=provider,
        date_of_service=on,
        diagnoses=tuple(DX(d) for d in diagnoses),
        subjective=Subjective(chief_complaint="Back pain"),
        treatments=tuple(Treatment(code=C(code), minutes=m) for code, m in treatments),
    )
    return draft.sign(provider, on) if sign else draft


def build(notes: Sequence[SoapNote], **kwargs: Any) -> Claim:
    args: dict[str, Any] = {
        "claim_id": "c-1",
        "patient": PATIENT,
        "coverage": COVERAGE,
        "billing_provider": CLINIC,
        "fee_schedule": FEES,
        "unit_method": UnitMethod.CMS,
        **kwargs,
    }
    return build_claim(notes, **args)


def error_of(notes: Sequence[SoapNote], **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ValidationError) as info:
        build(notes, **kwargs)
    (detail,) = info.value.errors
    return detail.path, detail.code


# --- lines and units -----------------------------------------------------------------------

CMS_POLICY = PayerPolicy(id="cms", version="1", unit_method=UnitMethod.CMS)
PER_CODE_POLICY = PayerPolicy(id="per-code", version="1", unit_method=UnitMethod.PER_CODE)


@pytest.mark.parametrize(
    ("given", "units"),
    [
        # CMS example 1 (Pub 100-04 Ch. 5 §20.2): 97112 24 + 97110 23 minutes.
        pytest.param({"policy": CMS_POLICY}, {"97110": 1, "97112": 2}, id="CMS policy"),
        pytest.param({"policy": PER_CODE_POLICY}, {"97110": 2, "97112": 2}, id="per-code policy"),
        pytest.param(
            {"policy": PER_CODE_POLICY, "unit_method": UnitMethod.PER_CODE},
            {"97110": 2, "97112": 2},
            id="both, agreeing",
        ),
        pytest.param({"unit_method": UnitMethod.PER_CODE}, {"97110": 2, "97112": 2}, id="method"),
    ],
)
def test_the_units_follow_the_policys_method(given: dict[str, Any], units: dict[str, int]) -> None:
    notes = [note(("97112", 24), ("97110", 23))]
    claim = build(notes, **({"unit_method": None} | given))
    assert {str(line.code): line.units for line in claim.lines} == units


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param({}, ("unit_method", "required"), id="neither"),
        pytest.param(
            {"policy": CMS_POLICY, "unit_method": UnitMethod.PER_CODE},
            ("unit_method", "conflict"),
            id="both, differing",
        ),
        pytest.param({"policy": "cms"}, ("policy", "invalid_type"), id="not a policy"),
        pytest.param({"unit_method": "cms"}, ("unit_method", "invalid_type"), id="not a method"),
    ],
)
def test_a_policy_or_a_unit_method_is_required_and_they_agree(
    given: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert error_of([note(("97124", 30))], **({"unit_method": None} | given)) == expected


def test_the_seed_story_built_under_its_policy_passes_units_method_mismatch() -> None:
    # The seed's plan counts with the CMS rule; built from the policy, the claim
    # is the seed story's, and the rules find no unit to question.
    _, coverage, prescription, notes, claim, _ = SEED
    built = build(
        list(notes),
        claim_id=claim.id,
        coverage=coverage,
        prescription=prescription,
        policy=CMS_POLICY,
        unit_method=None,
        line_modifiers={C("97124"): (Modifier("GP"),), C("97140"): (Modifier("GP"),)},
    )
    assert built == claim
    decision = evaluate(built, CMS_POLICY, notes=notes, as_of=date(2026, 3, 17))
    assert not {"units.method_mismatch", "units.unsupported_by_note"} & set(decision.rules_found)


def test_notes_of_one_date_are_combined_per_code() -> None:
    a = note(("97124", 10), note_id="n-1")
    b = note(("97124", 10), ("97140", 5), note_id="n-2")
    claim = build([a, b])
    # 20 + 5 = 25 timed minutes: 2 units; 97124's 20 minutes = 1 block + 5,
    # 97140 5 left over; the tie at 5 goes to 97124 (more minutes).
    assert [(str(line.code), line.units) for line in claim.lines] == [("97124", 2)]
    assert [att.id for att in claim.attachments] == ["n-1", "n-2"]


def test_unit_method_is_the_payers() -> None:
    notes = [note(("97110", 10), ("97112", 10))]
    assert [line.units for line in build(notes).lines] == [1]
    per_code = build(notes, unit_method=UnitMethod.PER_CODE)
    assert [(str(line.code), line.units) for line in per_code.lines] == [
        ("97110", 1),
        ("97112", 1),
    ]


def test_codes_with_no_units_get_no_line() -> None:
    claim = build([note(("97124", 45), ("97140", 7))])
    assert [(str(line.code), line.units) for line in claim.lines] == [("97124", 3)]


def test_nothing_billable_is_refused() -> None:
    assert error_of([note(("97124", 5))]) == ("notes", "nothing_billable")


def test_custom_catalog() -> None:
    code = C("97799")
    fees = FeeSchedule(
        fees=(*FEES.fees, *FeeSchedule.of({code: Decimal("5.00")}, effective_from=DAY).fees)
    )
    notes = [note(("97799", 40))]
    with pytest.raises(UnknownCodeError):
        build(notes, fee_schedule=fees)
    catalog = DEFAULT_CATALOG.extend(CodeInfo(code=code, label="Unlisted", timed=False))
    assert build(notes, fee_schedule=fees, catalog=catalog).lines[0].units == 1


# --- diagnoses and pointers --------------------------------------------------------------


def test_diagnoses_without_prescription_come_from_the_notes() -> None:
    claim = build(
        [
            note(("97124", 30), note_id="b", on=DAY, diagnoses=("M62.830", "M54.50")),
            note(("97124", 30), note_id="a", on=DAY, diagnoses=("M54.6",)),
        ]
    )
    # Notes by date, then id: "a" before "b".
    assert claim.diagnoses == (DX("M54.6"), DX("M62.830"), DX("M54.50"))
    assert claim.referring_provider is None
    assert claim.lines[0].diagnosis_pointers == (1, 2, 3)


def test_lines_point_at_the_diagnoses_of_their_date() -> None:
    later = DAY + timedelta(days=7)
    claim = build(
        [
            note(("97124", 30), note_id="a", diagnoses=("M54.50",)),
            note(("97124", 30), note_id="b", on=later, diagnoses=("M54.6",)),
        ]
    )
    assert [line.diagnosis_pointers for line in claim.lines] == [(1,), (2,)]


def test_a_date_without_diagnoses_points_at_the_first_four() -> None:
    six = ("M54.50", "M54.6", "M62.830", "M54.2", "M62.831", "M54.9")
    claim = build(
        [
            note(("97124", 30), note_id="a", diagnoses=six),
            note(("97124", 30), note_id="b", on=DAY + timedelta(days=7), diagnoses=()),
        ]
    )
    assert [line.diagnosis_pointers for line in claim.lines] == [(1, 2, 3, 4), (1, 2, 3, 4)]


def test_at_most_twelve_diagnoses() -> None:
    codes = [f"M54.{n}" for n in (2, 6, 9)] + [f"M62.8{n}" for n in (1, 30, 31, 38)]
    codes += ["M54.50", "M54.51", "M54.59", "M54.16", "M54.41", "M54.42"]
    assert len(codes) == 13
    notes = [note(("97124", 30), note_id="a", diagnoses=codes[:12])]
    assert len(build(notes).diagnoses) == 12
    assert len(build(notes, prescription=RX).diagnoses) == 12  # RX adds no new code
    notes.append(note(("97124", 30), note_id="b", diagnoses=codes[12:]))
    assert error_of(notes) == ("diagnoses", "too_long")


def test_a_claim_needs_a_diagnosis() -> None:
    assert error_of([note(("97124", 30), diagnoses=())]) == ("diagnoses", "required")


# --- providers, modifiers, place, attachments -------------------------------------------


def test_rendering_provider() -> None:
    notes = [
        note(("97124", 30), note_id="a"),
        note(("97140", 30), note_id="b", provider=OTHER_THERAPIST),
    ]
    assert error_of(notes) == ("rendering_provider", "required")
    assert build(notes, rendering_provider=OTHER_THERAPIST).rendering_provider == OTHER_THERAPIST
    # The billing provider itself treating: no separate rendering provider.
    solo = build([note(("97124", 30))], billing_provider=THERAPIST)
    assert solo.rendering_provider is None
    assert solo.treating_provider == THERAPIST


def test_line_modifiers_per_code() -> None:
    mods = {C("97124"): [Modifier("GP")], C("97140"): (Modifier("GP"), Modifier("59"))}
    claim = build([note(("97124", 30), ("97140", 30), ("97010", 10))], line_modifiers=mods)
    assert [(str(line.code), line.modifiers) for line in claim.lines] == [
        ("97010", ()),
        ("97124", (Modifier("GP"),)),
        ("97140", (Modifier("GP"), Modifier("59"))),
    ]


@pytest.mark.parametrize(
    ("mods", "path", "code"),
    [
        ([(C("97124"), (Modifier("GP"),))], "line_modifiers", "invalid_type"),
        ({"97124": (Modifier("GP"),)}, "line_modifiers", "invalid_type"),
        ({C("97124"): Modifier("GP")}, "line_modifiers[97124]", "invalid_type"),
        ({C("97124"): ("GP",)}, "line_modifiers[97124][0]", "invalid_type"),
        ({C("97124"): (Modifier("GP"), Modifier("GP"))}, "line_modifiers[97124]", "duplicate"),
        (
            {C("97124"): tuple(Modifier(m) for m in ("GP", "59", "KX", "XS", "XU"))},
            "line_modifiers[97124]",
            "too_long",
        ),
    ],
)
def test_bad_line_modifiers(mods: object, path: str, code: str) -> None:
    assert error_of([note(("97124", 30))], line_modifiers=mods) == (path, code)


def test_place_of_service() -> None:
    notes = [note(("97124", 30))]
    assert build(notes, place_of_service=PlaceOfService("12")).place_of_service == PlaceOfService(
        "12"
    )
    assert build(notes, place_of_service="02").place_of_service == PlaceOfService("02")
    assert error_of(notes, place_of_service="1")[0] == "place_of_service"


def test_attachment_ids_must_be_control_numbers() -> None:
    assert error_of([note(("97124", 30), note_id="note 1")]) == ("notes[0].id", "invalid_format")
    rx = attrs.evolve(RX, id="rx 1")
    assert error_of([note(("97124", 30))], prescription=rx) == ("prescription.id", "invalid_format")


# --- refusals --------------------------------------------------------------------------


def test_unsigned_note_is_refused() -> None:
    notes = [note(("97124", 30), note_id="a"), note(("97124", 30), note_id="b", sign=False)]
    assert error_of(notes) == ("notes[1].signature", "not_signed")
    changed = attrs.evolve(notes[0], date_of_service=DAY + timedelta(days=1))
    assert error_of([changed]) == ("notes[0].signature", "not_signed")


def test_note_of_another_patient_is_refused() -> None:
    notes = [note(("97124", 30), note_id="a"), note(("97124", 30), note_id="b", patient_id="pt-9")]
    assert error_of(notes) == ("notes[1].patient_id", "wrong_patient")


def test_prescription_of_another_patient_is_refused() -> None:
    rx = attrs.evolve(RX, patient_id="pt-9")
    assert error_of([note(("97124", 30))], prescription=rx) == (
        "prescription.patient_id",
        "wrong_patient",
    )


def test_code_without_fee_is_refused() -> None:
    notes = [note(("97124", 30), note_id="a"), note(("97124", 8), ("97530", 5), note_id="b")]
    assert error_of(notes) == ("notes[1].treatments[1].code", "no_fee")
    early = [note(("97124", 30), on=date(2025, 12, 31))]
    assert error_of(early) == ("notes[0].treatments[0].code", "no_fee")


def test_same_note_twice_is_refused() -> None:
    one = note(("97124", 30))
    assert error_of([one, one]) == ("notes[1].id", "duplicate")


@pytest.mark.parametrize(
    ("notes", "kwargs", "path"),
    [
        ([], {}, "notes"),
        ("notes", {}, "notes"),
        (None, {}, "notes"),
        ((), {}, "notes"),
        (["n"], {}, "notes[0]"),
        (..., {"patient": "pt-001"}, "patient"),
        (..., {"fee_schedule": {}}, "fee_schedule"),
        (..., {"unit_method": "cms"}, "unit_method"),
        (..., {"prescription": "rx-001"}, "prescription"),
        (..., {"claim_id": None}, "claim_id"),
        (..., {"claim_id": "x" * 39}, "claim_id"),
        (..., {"catalog": 5}, "catalog"),
        (..., {"catalog": {}}, "catalog"),
    ],
)
def test_bad_arguments(notes: object, kwargs: dict[str, Any], path: str) -> None:
    given = [note(("97124", 30))] if notes is ... else notes
    assert error_of(given, **kwargs)[0] == path  # type: ignore[arg-type]


def test_errors_leak_no_patient_data() -> None:
    sentinel = "Zyxwvut"
    patient = attrs.evolve(PATIENT, name=PersonName(family=sentinel, given=sentinel))
    with pytest.raises(ValidationError) as info:
        build([note(("97124", 30), patient_id="other")], patient=patient)
    assert sentinel not in str(info.value)
    assert sentinel not in repr(info.value.args)


# --- properties ----------------------------------------------------------------------------

CODES = ["97010", "97110", "97112", "97124", "97140"]
DATES = [DAY, DAY + timedelta(days=2), DAY + timedelta(days=7)]


@st.composite
def note_sets(draw: st.DrawFn) -> list[SoapNote]:
    count = draw(st.integers(min_value=1, max_value=4))
    notes = []
    for i in range(count):
        treatments = draw(
            st.lists(
                st.tuples(st.sampled_from(CODES), st.integers(min_value=1, max_value=70)),
                min_size=1,
                max_size=3,
                unique_by=lambda t: t[0],
            )
        )
        notes.append(note(*treatments, note_id=f"n-{i}", on=draw(st.sampled_from(DATES))))
    return notes


@given(note_sets(), st.randoms(use_true_random=False), st.sampled_from(list(UnitMethod)))
def test_build_property(notes: list[SoapNote], rnd: Any, method: UnitMethod) -> None:
    expected: dict[date, dict[CptCode, int]] = {}
    for day in DATES:
        minutes: dict[CptCode, int] = {}
        for n in notes:
            if n.date_of_service == day:
                for t in n.treatments:
                    minutes[t.code] = minutes.get(t.code, 0) + t.minutes
        units = allocate_units(minutes, method=method).units
        expected[day] = {code: u for code, u in units.items() if u}
    if not any(expected.values()):
        assert error_of(notes, prescription=RX, unit_method=method)[1] == "nothing_billable"
        return
    claim = build(notes, prescription=RX, unit_method=method)
    # One line per code per date, sorted; units and charges as the unit rule says.
    keys = [(line.date_of_service, line.code) for line in claim.lines]
    assert keys == sorted(set(keys))
    for day in DATES:
        got = {line.code: line for line in claim.lines if line.date_of_service == day}
        assert {c: line.units for c, line in got.items()} == expected[day]
        for code, line in got.items():
            assert line.charge == FEES.fee(code, day) * line.units
            assert 1 <= len(line.diagnosis_pointers) <= 4
    assert claim.diagnoses[:2] == RX.diagnoses
    # The order of the notes given does not matter.
    shuffled = list(notes)
    rnd.shuffle(shuffled)
    assert build(shuffled, prescription=RX, unit_method=method) == claim
