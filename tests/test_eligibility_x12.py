"""
Writing 270 inquiries and reading 271 responses as X12 text.

Every 270 written and every 271 generated is read by x12sdk into its
005010X279A1 models first (see ``eligibility_support``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import eligibility_fixtures as fx
from eligibility_support import x12sdk_models
from seed_story import seed_story
from soapbill import ValidationError, from_json
from soapbill import _eligibility_strategies as est
from soapbill._eligibility_writer import Envelope, write_271
from soapbill.eligibility import (
    THERAPY_SERVICES,
    EligibilityInquiry,
    EligibilityResponse,
    FollowUpAction,
    Period,
    Rejection,
    ServiceType,
    read_271,
    write_270,
)
from soapbill.formats._x12 import Receiver, Submitter, X12Separators
from soapbill.parties import PersonName, Relationship, Sex, Subscriber

SENTINEL = "ZQXJSENTINEL"


def _rejection(loop: str) -> Rejection:
    return Rejection(
        loop=loop, valid=True, reason="15", follow_up=FollowUpAction.CORRECT_AND_RESUBMIT
    )


CREATED = datetime(2026, 3, 2, 9, 30)  # noqa: DTZ001 - written as given
SUBMITTER = Submitter(
    name="Cedar Massage Therapy", id="CEDAR01", contact_name="Front desk", phone="2065550100"
)
RECEIVER = Receiver(name="Example Health Plan", id="EXHP1")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def seed_inquiry(**changes: Any) -> EligibilityInquiry:
    patient, coverage, _, _, claim, _ = seed_story()
    inquiry = EligibilityInquiry(
        patient=patient,
        coverage=coverage,
        provider=claim.billing_provider,
        service_types=THERAPY_SERVICES,
        service_date=date(2026, 3, 3),
        trace_number="elig-0001",
    )
    return attrs.evolve(inquiry, **changes)


def write(inquiries: list[EligibilityInquiry], **changes: Any) -> str:
    arguments: dict[str, Any] = {
        "submitter": SUBMITTER,
        "receiver": RECEIVER,
        "control_number": 7,
        "created": CREATED,
    }
    return write_270(inquiries, **{**arguments, **changes})


# --- the 270 -------------------------------------------------------------------------------


def test_seed_story_270() -> None:
    assert write([seed_inquiry()]).split("~") == [
        (
            "ISA*00*          *00*          *ZZ*CEDAR01        *ZZ*EXHP1          *260302*0930*^"
            "*00501*000000007*0*T*:"
        ),
        "GS*HS*CEDAR01*EXHP1*20260302*0930*7*X*005010X279A1",
        "ST*270*0001*005010X279A1",
        "BHT*0022*13*000000007*20260302*0930",
        "HL*1**20*1",
        "NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*EXHP1",
        "HL*2*1*21*1",
        "NM1*1P*2*CEDAR MASSAGE THERAPY*****XX*1234567893",
        "HL*3*2*22*0",
        "TRN*1*elig-0001*1123456789",
        "NM1*IL*1*PARK*JORDAN****MI*XHP123456789",
        "DMG*D8*19850412*F",
        "DTP*291*D8*20260303",
        "EQ*BE",
        "EQ*AE",
        "EQ*PT",
        "SE*15*0001",
        "GE*1*7",
        "IEA*1*000000007",
        "",
    ]


def test_bundled_inquiry_is_the_seed_story_s() -> None:
    text = (EXAMPLES / "eligibility-inquiry.json").read_text(encoding="utf-8")
    assert from_json(text, EligibilityInquiry) == seed_inquiry()


def test_dependent_and_period() -> None:
    parent = Subscriber(
        name=PersonName(family="Park", given="Alex"), birth_date=date(1983, 9, 1), sex=Sex.UNKNOWN
    )
    coverage = attrs.evolve(
        seed_story()[1], relationship=Relationship.CHILD, subscriber=parent, group_number="GRP4400"
    )
    child = attrs.evolve(
        seed_story()[0], name=PersonName(family="Park", given="Riley"), birth_date=date(2015, 6, 7)
    )
    inquiry = seed_inquiry(
        patient=child,
        coverage=coverage,
        service_date=None,
        service_period=Period(start=date(2026, 3, 1), end=date(2026, 3, 31)),
        service_types=(ServiceType.MASSAGE_THERAPY,),
    )
    text = write([inquiry])
    x12sdk_models(text)
    assert text.split("~")[8:19] == [
        "HL*3*2*22*1",
        "NM1*IL*1*PARK*ALEX****MI*XHP123456789",
        "REF*6P*GRP4400",
        "DMG*D8*19830901*U",
        "HL*4*3*23*0",
        "TRN*1*elig-0001*1123456789",
        "NM1*03*1*PARK*RILEY",
        "DMG*D8*20150607*F",
        "DTP*291*RD8*20260301-20260331",
        "EQ*BE",
        "SE*17*0001",
    ]


def _levels(model: Any) -> list[tuple[Any, ...]]:
    """
    What x12sdk read of each patient asked about, in file order.
    """
    found = []
    for source in model.loop_2000a:
        payer = source.loop_2100a.nm1_segment
        for receiver in source.loop_2000b:
            npi = receiver.loop_2100b.nm1_segment.identification_code
            for subscriber in receiver.loop_2000c:
                name = subscriber.loop_2100c
                patient_level = subscriber
                patient = name
                if subscriber.loop_2000d:
                    (patient_level,) = subscriber.loop_2000d
                    patient = patient_level.loop_2100d
                    eligibility = patient.loop_2110d
                else:
                    eligibility = patient.loop_2110c
                (trace,) = patient_level.trn_segment
                person = patient.nm1_segment
                found.append(
                    (
                        payer.identification_code,
                        payer.name_last_or_organization_name,
                        npi,
                        name.nm1_segment.identification_code,
                        trace.reference_identification_1,
                        person.name_last_or_organization_name,
                        person.name_first,
                        patient.dmg_segment.date_time_period,
                        patient.dmg_segment.gender_code,
                        str(patient.dtp_segment.date_time_period),
                        tuple(e.eq_segment.service_type_code[0] for e in eligibility),
                    )
                )
    return found


def _expected(inquiries: list[EligibilityInquiry]) -> list[tuple[Any, ...]]:
    # The writer groups by payer, then provider, in the order they first appear.
    payers: dict[Any, dict[Any, list[EligibilityInquiry]]] = {}
    for q in inquiries:
        payers.setdefault((q.coverage.payer.id, q.coverage.payer.name), {}).setdefault(
            q.provider, []
        ).append(q)
    found = []
    for providers in payers.values():
        for asked in providers.values():
            for q in asked:
                period = q.service_period
                dates = (
                    str(q.service_date)
                    if period is None
                    else f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
                )
                found.append(
                    (
                        q.coverage.payer.id,
                        q.coverage.payer.name.upper(),
                        q.provider.npi.value,
                        q.coverage.member_id,
                        q.trace_number,
                        q.patient.name.family.upper(),
                        q.patient.name.given.upper(),
                        q.patient.birth_date,
                        {Sex.FEMALE: "F", Sex.MALE: "M", Sex.UNKNOWN: "U"}[q.patient.sex],
                        dates,
                        tuple(s.value for s in q.service_types),
                    )
                )
    return found


@given(st.lists(est.eligibility_inquiries(), min_size=1, max_size=3))
def test_every_270_passes_x12sdk_and_reads_back(inquiries: list[EligibilityInquiry]) -> None:
    (model,) = x12sdk_models(write(inquiries))
    assert _levels(model) == _expected(inquiries)


@given(est.eligibility_inquiries(dependent=True))
def test_every_dependent_270_passes_x12sdk(inquiry: EligibilityInquiry) -> None:
    (model,) = x12sdk_models(write([inquiry]))
    assert _levels(model) == _expected([inquiry])


def test_inquiries_share_their_payer_and_provider_levels() -> None:
    first = seed_inquiry()
    second = seed_inquiry(trace_number="elig-0002")
    text = write([first, second])
    x12sdk_models(text)
    assert text.count("HL*") == 4
    assert "HL*4*2*22*0~TRN*1*elig-0002*" in text


def test_spaces_at_the_ends_are_not_written() -> None:
    patient = seed_story()[0]
    spaced = seed_inquiry(
        patient=attrs.evolve(patient, name=PersonName(family=" Park ", given="Jordan "))
    )
    assert write([spaced]) == write([seed_inquiry()])


def test_every_problem_of_the_inquiries_at_once() -> None:
    patient, coverage, *_ = seed_story()
    bad = seed_inquiry(
        patient=attrs.evolve(
            patient,
            name=PersonName(family=f"Park*{SENTINEL}", given="Jo~"),
            birth_date=date(1799, 12, 31),
        ),
        coverage=attrs.evolve(
            coverage, member_id=" X ", payer=attrs.evolve(coverage.payer, name="   ")
        ),
    )
    with pytest.raises(ValidationError) as info:
        write([seed_inquiry(), bad], submitter=attrs.evolve(SUBMITTER, name="Cedar é"))
    found = {(d.path, d.code) for d in info.value.errors}
    assert found == {
        ("submitter.name", "x12_charset"),
        ("inquiries[1].coverage.payer.name", "too_short"),
        ("inquiries[1].coverage.member_id", "too_short"),
        ("inquiries[1].patient.name.family", "x12_separator"),
        ("inquiries[1].patient.name.given", "x12_separator"),
        ("inquiries[1].patient.birth_date", "out_of_range"),
    }
    for shown in (str(info.value), repr(info.value), repr(info.value.args)):
        assert SENTINEL not in shown
    assert info.value.__context__ is None


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"inquiries": "elig"}, "inquiries"),
        ({"inquiries": []}, "inquiries"),
        ({"inquiries": [seed_story()[0]]}, "inquiries[0]"),
        ({"submitter": "CEDAR01"}, "submitter"),
        ({"receiver": None}, "receiver"),
        ({"control_number": 0}, "control_number"),
        ({"control_number": "7"}, "control_number"),
        ({"created": date(2026, 3, 2)}, "created"),
        ({"usage": "X"}, "usage"),
        ({"separators": "*"}, "separators"),
    ],
)
def test_270_arguments_are_checked(arguments: dict[str, Any], path: str) -> None:
    inquiries = arguments.pop("inquiries", [seed_inquiry()])
    with pytest.raises(ValidationError) as info:
        write(inquiries, **arguments)
    assert info.value.errors[0].path == path


def test_other_separators() -> None:
    separators = X12Separators(element="|", component=">", repetition="!", segment="'")
    text = write([seed_inquiry()], separators=separators)
    x12sdk_models(text)
    assert "NM1|IL|1|PARK|JORDAN||||MI|XHP123456789'" in text


# --- the 271: properties -------------------------------------------------------------------


@given(est.responses_271())
def test_reading_what_the_generator_writes_gives_the_same_responses(
    written: est.Written271,
) -> None:
    x12sdk_models(written.text)
    assert read_271(written.text) == written.responses


_SEPARATORS = st.sampled_from(
    [
        X12Separators(),
        X12Separators(element="|", component=">", repetition="!", segment="'"),
        X12Separators(element="^", component="\\", repetition="{", segment="~"),
    ]
)


@given(
    st.lists(est.eligibility_responses(), min_size=1, max_size=2),
    _SEPARATORS,
    st.sampled_from(["", "\n", "\r\n"]),
)
def test_any_separators_and_line_breaks(
    responses: list[EligibilityResponse], separators: X12Separators, newline: str
) -> None:
    text = write_271(responses, Envelope(control_number=3, separators=separators)).replace(
        separators.segment, separators.segment + newline
    )
    assert read_271(text) == tuple(responses)


_JUNK = st.sampled_from(
    ["", "X", "-1", "1.5", ".00001", "2", "99999999999999999999999999999999999", "20261399",
     "20260301-20250301", "RD8", "ZZ", "A^B", "HC:9", "HC", "VS", SENTINEL, "00", "Y", "\r\n", "*"]
)  # fmt: skip


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    written = draw(est.responses_271())
    text = written.text.replace("A", SENTINEL, 1)
    segments = text.split("~")
    i = draw(st.integers(0, len(segments) - 1))
    operation = draw(st.sampled_from(["delete", "duplicate", "element", "truncate", "swap"]))
    if operation == "delete":
        del segments[i]
    elif operation == "duplicate":
        segments.insert(i, segments[i])
    elif operation == "swap":
        j = draw(st.integers(0, len(segments) - 1))
        segments[i], segments[j] = segments[j], segments[i]
    elif operation == "element":
        elements = segments[i].split("*")
        k = draw(st.integers(0, len(elements)))
        value = draw(_JUNK | st.text(max_size=5))
        if k < len(elements):
            elements[k] = value
        else:
            elements.append(value)
        segments[i] = "*".join(elements)
    else:
        return text[: draw(st.integers(0, len(text)))]
    return "~".join(segments)


def _clean_error(error: ValidationError) -> None:
    shown = [str(error), repr(error), repr(error.args)]
    cause: BaseException | None = error.__cause__ or error.__context__
    while cause is not None:
        shown.append(repr(cause))
        cause = cause.__cause__ or cause.__context__
    for text in shown:
        assert SENTINEL not in text
    for detail in error.errors:
        assert detail.path.startswith(("segments", ""))


@given(_mutated())
def test_read_271_raises_only_validation_errors_without_the_input(text: str) -> None:
    try:
        read_271(text)
    except ValidationError as error:
        _clean_error(error)


@given(st.text() | st.binary())
def test_junk_raises_only_validation_errors(junk: str | bytes) -> None:
    try:
        read_271(junk)
    except ValidationError as error:
        _clean_error(error)


@given(st.text(max_size=40))
def test_junk_after_an_isa(junk: str) -> None:
    text = fx.interchange(fx.ACTIVE)
    head = text[: text.index("GS*")]
    try:
        read_271(head + junk)
    except ValidationError as error:
        _clean_error(error)


# --- the 271: what is refused, and where -----------------------------------------------------


def _with(old: str, new: str, body: list[str] | None = None) -> str:
    segments = [new if s == old else s for s in (fx.ACTIVE if body is None else body)]
    assert segments != (fx.ACTIVE if body is None else body)
    return fx.interchange(segments)


#: The position of a segment of the ACTIVE fixture in the interchange (ISA is 0).
def _at(segment: str) -> int:
    return fx.ACTIVE.index(segment) + 3


REFUSALS: list[tuple[str, Callable[[], str], str, str]] = [
    (
        "unknown EB01",
        lambda: _with("EB*1*IND*AE^PT^BE", "EB*QQ*IND*AE^PT^BE"),
        f"segments[{_at('EB*1*IND*AE^PT^BE')}].EB01",
        "x12_code",
    ),
    (
        "unknown EB03",
        lambda: _with("EB*1*IND*AE^PT^BE", "EB*1*IND*AE^ZZ"),
        f"segments[{_at('EB*1*IND*AE^PT^BE')}].EB03",
        "x12_code",
    ),
    (
        "percent above one",
        lambda: _with("EB*A*IND*AE^PT^BE*****.2****Y", "EB*A*IND*AE^PT^BE*****1.2****Y"),
        f"segments[{_at('EB*A*IND*AE^PT^BE*****.2****Y')}].EB08",
        "x12_percent",
    ),
    (
        "percent too fine",
        lambda: _with("EB*A*IND*AE^PT^BE*****.2****Y", "EB*A*IND*AE^PT^BE*****.12345****Y"),
        f"segments[{_at('EB*A*IND*AE^PT^BE*****.2****Y')}].EB08",
        "x12_percent",
    ),
    (
        "negative amount",
        lambda: _with("EB*C*IND*30***23*500*****Y", "EB*C*IND*30***23*-500*****Y"),
        f"segments[{_at('EB*C*IND*30***23*500*****Y')}].EB07",
        "x12_amount",
    ),
    (
        "negative quantity",
        lambda: _with("EB*F*IND*PT***24***VS*12", "EB*F*IND*PT***24***VS*-12"),
        f"segments[{_at('EB*F*IND*PT***24***VS*12')}].EB10",
        "x12_quantity",
    ),
    (
        "quantity alone",
        lambda: _with("EB*F*IND*PT***24***VS*12", "EB*F*IND*PT***24****12"),
        f"segments[{_at('EB*F*IND*PT***24***VS*12')}]",
        "x12_value",
    ),
    (
        "EB11 W",
        lambda: _with("EB*F*IND*PT***23***VS*20*Y", "EB*F*IND*PT***23***VS*20*W"),
        f"segments[{_at('EB*F*IND*PT***23***VS*20*Y')}].EB11",
        "x12_code",
    ),
    (
        "not a CPT code",
        lambda: _with("EB*1*IND*AE^PT^BE", "EB*1*IND*AE^PT^BE**********HC:9712"),
        f"segments[{_at('EB*1*IND*AE^PT^BE')}].EB13",
        "x12_code",
    ),
    (
        "bad date",
        lambda: _with("DTP*346*D8*20260101", "DTP*346*D8*20260230"),
        f"segments[{_at('DTP*346*D8*20260101')}].DTP03",
        "x12_date",
    ),
    (
        "reversed range",
        lambda: _with("DTP*346*D8*20260101", "DTP*307*RD8*20260301-20260101"),
        f"segments[{_at('DTP*346*D8*20260101')}].DTP03",
        "x12_date",
    ),
    (
        "date format",
        lambda: _with("DTP*346*D8*20260101", "DTP*346*D6*260101"),
        f"segments[{_at('DTP*346*D8*20260101')}].DTP02",
        "x12_code",
    ),
    (
        "gender",
        lambda: _with("DMG*D8*19850412*F", "DMG*D8*19850412*X"),
        f"segments[{_at('DMG*D8*19850412*F')}].DMG03",
        "x12_code",
    ),
    (
        "bad NPI",
        lambda: _with(
            "NM1*1P*2*CEDAR MASSAGE THERAPY*****XX*1234567893",
            "NM1*1P*2*CEDAR MASSAGE THERAPY*****XX*1234567890",
        ),
        "segments[7].NM109",
        "x12_npi",
    ),
    (
        "parent",
        lambda: _with("HL*3*2*22*0", "HL*3*1*22*0"),
        f"segments[{_at('HL*3*2*22*0')}].HL02",
        "x12_hierarchy",
    ),
    (
        "level",
        lambda: _with("HL*3*2*22*0", "HL*3*2*24*0"),
        f"segments[{_at('HL*3*2*22*0')}].HL03",
        "x12_code",
    ),
    (
        "twice",
        lambda: _with("HL*3*2*22*0", "HL*2*2*22*0"),
        f"segments[{_at('HL*3*2*22*0')}].HL01",
        "x12_hierarchy",
    ),
    (
        "follow-up",
        lambda: _with("AAA*Y**75*C", "AAA*Y**75*Q", fx.REJECTED_MEMBERS),
        "segments[11].AAA04",
        "x12_code",
    ),
    (
        "long message",
        lambda: _with("MSG*COVERAGE TERMINATED", "MSG*" + "X" * 265, fx.INACTIVE),
        "segments[15].MSG01",
        "x12_length",
    ),
    (
        "benefit of a receiver",
        lambda: fx.interchange([*fx.ACTIVE[:5], "EB*1"]),
        "segments[8]",
        "x12_271",
    ),
    ("no BHT", lambda: fx.interchange(fx.ACTIVE[1:]), "segments[2]", "x12_271"),
    ("no source", lambda: fx.interchange(fx.ACTIVE[:1]), "segments[2]", "x12_271"),
    ("two names", lambda: fx.interchange([*fx.ACTIVE[:3], fx.ACTIVE[2]]), "segments[6]", "x12_271"),
    (
        "an 835",
        lambda: (
            fx.interchange(fx.ACTIVE)
            .replace("ST*271", "ST*835")
            .replace("005010X279A1", "005010X221A1")
        ),
        "segments[2].ST01",
        "x12_transaction",
    ),
    ("truncated", lambda: fx.interchange(fx.ACTIVE)[:-30], "segments[34]", "x12_truncated"),
    (
        "range without a dash",
        lambda: _with("DTP*346*D8*20260101", "DTP*307*RD8*20260101"),
        f"segments[{_at('DTP*346*D8*20260101')}].DTP03",
        "x12_date",
    ),
    (
        "quantity too fine",
        lambda: _with("EB*F*IND*PT***24***VS*12", "EB*F*IND*PT***24***VS*1.255"),
        f"segments[{_at('EB*F*IND*PT***24***VS*12')}].EB10",
        "x12_quantity",
    ),
    (
        "AAA01",
        lambda: _with("AAA*Y**75*C", "AAA*X**75*C", fx.REJECTED_MEMBERS),
        "segments[11].AAA01",
        "x12_code",
    ),
    (
        "AAA03",
        lambda: _with("AAA*Y**75*C", "AAA*Y**7*C", fx.REJECTED_MEMBERS),
        "segments[11].AAA03",
        "x12_code",
    ),
    (
        "source with a parent",
        lambda: _with("HL*1**20*1", "HL*1*9*20*1"),
        "segments[4].HL02",
        "x12_hierarchy",
    ),
    (
        "before the first level",
        lambda: fx.interchange([fx.ACTIVE[0], "REF*6P*GRP4400", *fx.ACTIVE[1:]]),
        "segments[4]",
        "x12_271",
    ),
    (
        "eleven messages",
        lambda: fx.interchange([*fx.INACTIVE, *["MSG*AGAIN"] * 10]),
        "segments[25]",
        "x12_repeat",
    ),
]


@pytest.mark.parametrize(
    ("make", "path", "code"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_what_is_not_a_271_is_refused_by_position(
    make: Callable[[], str], path: str, code: str
) -> None:
    text = make()
    with pytest.raises(ValidationError) as info:
        read_271(text)
    ((detail,),) = [info.value.errors]
    assert (detail.path, detail.code) == (path, code)
    assert info.value.__context__ is None


def test_sentinel_in_a_refused_segment_never_shows() -> None:
    text = _with("DMG*D8*19850412*F", f"DMG*D8*{SENTINEL}*F")
    with pytest.raises(ValidationError) as info:
        read_271(text)
    _clean_error(info.value)
    text = _with(
        "NM1*1P*2*CEDAR MASSAGE THERAPY*****XX*1234567893", f"NM1*1P*2*CEDAR*****XX*{SENTINEL}"
    )
    with pytest.raises(ValidationError) as info:
        read_271(text)
    _clean_error(info.value)


def test_segments_the_questions_do_not_need_are_passed_over() -> None:
    extra = [
        *fx.ACTIVE[:-1],
        "HSD*VS*12***22",
        "REF*G1*AUTH12345",
        "III*ZZ*11",
        fx.ACTIVE[-1],
        "DTP*292*RD8*20260101-20261231",
    ]
    (response,) = read_271(fx.interchange(extra))
    last = response.benefits[-1]
    assert (last.start, last.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert response.benefits[:-1] == read_271(fx.interchange(fx.ACTIVE))[0].benefits[:-1]


def test_written_271_refuses_what_it_cannot_write() -> None:
    response = read_271(fx.interchange(fx.ACTIVE))[0]
    assert response.payer is not None
    bad = attrs.evolve(response, payer=attrs.evolve(response.payer, name="EXAMPLE*PLAN"))
    with pytest.raises(ValidationError) as info:
        write_271([bad])
    assert info.value.errors[0].path == "responses[0].payer.name"
    no_payer = attrs.evolve(response, payer=None)
    with pytest.raises(ValidationError) as info:
        write_271([no_payer])
    assert info.value.errors[0].path == "responses[0].payer"


def test_coverage_with_dates_reads_them_from_either_form() -> None:
    ranged = _with("DTP*346*D8*20260101", "DTP*307*RD8*20260101-20260630")
    (response,) = read_271(ranged)
    # The first date of each end wins: the range's start, then 347's end is not taken.
    assert (response.coverage_start, response.coverage_end) == (date(2026, 1, 1), date(2026, 6, 30))


def test_the_benchmark_text_is_read_by_both_subjects() -> None:
    # The benchmark's figures mean something only while soapbill and x12sdk
    # both read its 271 whole.
    script = Path(__file__).parent.parent / "benchmarks" / "bench_eligibility.py"
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(script), "--check"],
        capture_output=True,
        check=False,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"agree: \d+ bytes, 50 benefits\n", result.stdout), result.stdout


def test_levels_without_names_and_other_identifiers() -> None:
    body = [
        "BHT*0022*11*ELIG0001*20260302*0930",
        "HL*1**20*1",
        "HL*2*1*21*1",
        "NM1*1P*2*CEDAR MASSAGE THERAPY*****SV*CEDAR01",
        "HL*3*2*22*0",
        "EB*1*IND*30",
        "EB*1*IND**************AD:D0120",
    ]
    (response,) = read_271(fx.interchange(body))
    assert (response.payer, response.provider_npi, response.subscriber) == (None, None, None)
    assert [b.procedure for b in response.benefits] == [None, None]


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        ({"rejections": (_rejection("2100C"), _rejection("2000A"))}, "rejections", "order"),
        ({"rejections": (_rejection("2110D"),)}, "rejections", "loop"),
        ({"rejections": (_rejection("2110C"),), "benefits": ()}, "rejections", "loop"),
        ({"subscriber": None, "rejections": (_rejection("2100C"),)}, "rejections", "loop"),
        ({"rejections": (_rejection("2100D"),)}, "rejections", "loop"),
        (
            {"provider_npi": None, "subscriber": None, "rejections": (_rejection("2100B"),)},
            "rejections",
            "loop",
        ),
        ({"payer": None}, "payer", "required"),
        ({"provider_npi": None}, "provider_npi", "required"),
    ],
)
def test_written_271_refuses_what_the_reader_would_not_give_back(
    changes: dict[str, Any], path: str, code: str
) -> None:
    response = attrs.evolve(read_271(fx.interchange(fx.ACTIVE))[0], **changes)
    with pytest.raises(ValidationError) as info:
        write_271([response])
    assert (info.value.errors[0].path, info.value.errors[0].code) == (f"responses[0].{path}", code)


def test_written_271_arguments() -> None:
    wrong: list[Any] = [[], "271", [fx.ACTIVE]]
    for responses in wrong:
        with pytest.raises(ValidationError) as info:
            write_271(responses)
        assert info.value.errors[0].path.startswith("responses")
    with pytest.raises(ValueError, match="not a loop"):
        est.rejections("2300")
