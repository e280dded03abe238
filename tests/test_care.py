"""
soapbill.care: plans of care, Rx requests and progress reports.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import builders
import print_support
from soapbill import (
    Assessment,
    BodyRegion,
    CptCode,
    DiagnosisCode,
    Frequency,
    FunctionalMeasure,
    Joint,
    Movement,
    Objective,
    PainReport,
    RangeOfMotion,
    Side,
    SoapNote,
    Subjective,
    Treatment,
    ValidationError,
    from_json,
    to_json,
)
from soapbill import strategies as sbst
from soapbill.care import (
    CarePlan,
    Certification,
    Goal,
    GoalStatus,
    Measure,
    MeasureKind,
    ProgressReport,
    RxRequest,
    ScriptItem,
    Trend,
    progress_report,
    render_progress_report,
    render_rx_request,
)

SENTINEL = "ZZSENTINELZZ"
START = date(2026, 3, 2)

PAIN = Measure(kind=MeasureKind.PAIN, region=BodyRegion.NECK)
ROTATION = Measure(
    kind=MeasureKind.RANGE_OF_MOTION,
    joint=Joint.CERVICAL_SPINE,
    movement=Movement.ROTATION,
    side=Side.LEFT,
)
NDI = Measure(kind=MeasureKind.FUNCTION, name="Neck Disability Index")

PLAN = CarePlan(
    id="POC-1",
    patient_id=builders.PATIENT_ID,
    therapist=builders.therapist(),
    prescriber=builders.physician(),
    diagnoses=(DiagnosisCode("M54.2"),),
    procedures=(CptCode("97124"), CptCode("97140")),
    goals=(
        Goal(measure=PAIN, baseline=7, target=3),
        Goal(measure=ROTATION, baseline=45, target=70),
        Goal(measure=NDI, baseline=30, target=10),
    ),
    frequency=Frequency(per_week=2, weeks=6),
    starts_on=START,
    ends_on=START + timedelta(weeks=6, days=-1),
    certification=Certification(certified_by=builders.physician(), certified_on=START),
)

#: Ten visits: pain 7 -> 3, rotation 45 -> 70, NDI 30 -> 16.
PAIN_BY_VISIT = [7, 7, 6, 6, 5, 5, 4, 4, 3, 3]
ROTATION_BY_VISIT = [45, 48, 50, 54, 57, 60, 63, 66, 68, 70]
NDI_BY_VISIT = [30, 29, 27, 26, 24, 22, 20, 19, 17, 16]
VISIT_DAYS = [START + timedelta(days=3 * k + (k % 2)) for k in range(10)]


def story_note(k: int) -> SoapNote:
    return SoapNote(
        id=f"N{k + 1:02d}",
        patient_id=builders.PATIENT_ID,
        provider=builders.therapist(),
        date_of_service=VISIT_DAYS[k],
        diagnoses=(DiagnosisCode("M54.2"),),
        subjective=Subjective(
            chief_complaint="Neck pain",
            pain=(PainReport(region=BodyRegion.NECK, intensity=PAIN_BY_VISIT[k]),),
        ),
        objective=Objective(
            functional=(
                FunctionalMeasure(
                    name="Neck Disability Index", score=NDI_BY_VISIT[k], worst=50, best=0
                ),
            )
        ),
        assessment=Assessment(
            range_of_motion=(
                RangeOfMotion(
                    joint="neck",
                    full=False,
                    degrees=ROTATION_BY_VISIT[k],
                    joint_code=Joint.CERVICAL_SPINE,
                    movement_code=Movement.ROTATION,
                    side=Side.LEFT,
                ),
            ),
            progress=f"Visit {k + 1}: tolerating treatment well",
        ),
        treatments=(
            Treatment(code=CptCode("97124"), minutes=38),
            Treatment(code=CptCode("97140"), minutes=15),
        ),
    )


NOTES = [story_note(k) for k in range(10)]
PERIOD = (START, VISIT_DAYS[-1])


def test_the_story_report() -> None:
    report = progress_report(NOTES, care_plan=PLAN, period=PERIOD)
    assert report.visits == 10
    # 53 timed minutes a visit: 4 units under the CMS 8-minute rule.
    assert report.units == 40
    assert [t.measure for t in report.measures] == [PAIN, ROTATION, NDI]
    assert [t.trend for t in report.measures] == [Trend.IMPROVING] * 3
    assert [[p.value for p in t.points] for t in report.measures] == [
        PAIN_BY_VISIT,
        ROTATION_BY_VISIT,
        NDI_BY_VISIT,
    ]
    assert [(g.latest, g.status) for g in report.goals] == [
        (3, GoalStatus.MET),
        (70, GoalStatus.MET),
        (16, GoalStatus.PROGRESSING),
    ]
    assert report.assessment == "Visit 10: tolerating treatment well"
    assert "tolerating" not in repr(report)


def test_the_period_leaves_other_notes_out() -> None:
    report = progress_report(NOTES, care_plan=PLAN, period=(VISIT_DAYS[2], VISIT_DAYS[4]))
    assert report.visit_dates == tuple(VISIT_DAYS[2:5])
    assert [p.value for p in report.measures[0].points] == PAIN_BY_VISIT[2:5]
    assert report.goals[0].status is GoalStatus.PROGRESSING


def test_a_goal_not_measured_and_a_measure_without_goal() -> None:
    plan = attrs.evolve(
        PLAN, goals=(Goal(measure=Measure(kind=MeasureKind.PAIN), baseline=7, target=3),)
    )
    notes = [attrs.evolve(n, objective=Objective()) for n in NOTES[:1]]
    report = progress_report(notes, care_plan=plan, period=PERIOD)
    # Pain of any region is the worst pain: the neck's 7.
    assert report.goals[0].latest == 7
    assert report.goals[0].status is GoalStatus.NOT_PROGRESSING
    assert [t.trend for t in report.measures] == [Trend.INSUFFICIENT] * 3
    other = attrs.evolve(PLAN, goals=(Goal(measure=NDI, baseline=30, target=10),))
    report = progress_report(notes, care_plan=other, period=PERIOD)
    assert report.goals[0].status is GoalStatus.NOT_MEASURED


# --- properties ----------------------------------------------------------------------------


@given(data=st.data())
def test_a_report_does_not_depend_on_the_order_of_notes(data: st.DataObject) -> None:
    plan = data.draw(sbst.care_plans())
    notes = data.draw(sbst.measured_notes(plan))
    shuffled = data.draw(st.permutations(notes))
    period = (plan.starts_on, plan.ends_on)
    assert progress_report(shuffled, care_plan=plan, period=period) == progress_report(
        notes, care_plan=plan, period=period
    )


@given(data=st.data())
def test_trends_and_goals_agree_with_the_data(data: st.DataObject) -> None:
    plan = data.draw(sbst.care_plans())
    notes = data.draw(sbst.measured_notes(plan))
    report = progress_report(notes, care_plan=plan, period=(plan.starts_on, plan.ends_on))
    for trend in report.measures:
        values = [v for v in (trend.measure.read(n) for n in notes) if v is not None]
        assert [p.value for p in trend.points] == values
        assert [p.day for p in trend.points] == sorted(p.day for p in trend.points)
        if len(values) < 2:
            assert trend.trend is Trend.INSUFFICIENT
            continue
        better = values[-1] > values[0] if trend.higher_is_better else values[-1] < values[0]
        worse = values[-1] < values[0] if trend.higher_is_better else values[-1] > values[0]
        assert (trend.trend is Trend.IMPROVING) == better
        assert (trend.trend is Trend.WORSENING) == worse
    for progress_of in report.goals:
        values = [v for v in (progress_of.goal.measure.read(n) for n in notes) if v is not None]
        assert progress_of.latest == (values[-1] if values else None)
        assert progress_of.status is progress_of.goal.status(progress_of.latest)
    assert report.visit_dates == tuple(n.date_of_service for n in notes)


@given(plan=sbst.care_plans(), measure=sbst.functional_measures())
def test_generated_plans_and_measures_round_trip(
    plan: CarePlan, measure: FunctionalMeasure
) -> None:
    assert from_json(to_json(plan), CarePlan) == plan
    assert from_json(to_json(measure), FunctionalMeasure) == measure


# --- refused input, without patient data --------------------------------------------------


def _request() -> RxRequest:
    return REQUEST


def _other_patient() -> list[SoapNote]:
    return [*NOTES[:2], attrs.evolve(NOTES[2], patient_id=SENTINEL)]


def test_every_note_about_another_patient_is_named_at_once() -> None:
    notes = [*NOTES[:2], *(attrs.evolve(n, patient_id=SENTINEL) for n in NOTES[2:4])]
    with pytest.raises(ValidationError) as caught:
        progress_report(notes, care_plan=PLAN, period=PERIOD)
    assert [(d.path, d.code) for d in caught.value.errors] == [
        ("notes[2].patient_id", "other_patient"),
        ("notes[3].patient_id", "other_patient"),
    ]


@pytest.mark.parametrize(
    ("call", "path", "code"),
    [
        pytest.param(
            lambda: progress_report(_other_patient(), care_plan=PLAN, period=PERIOD),
            "notes[2].patient_id",
            "other_patient",
            id="other-patient",
        ),
        pytest.param(
            lambda: progress_report([SENTINEL], care_plan=PLAN, period=PERIOD),  # type: ignore[list-item]
            "notes[0]",
            "invalid_type",
            id="not-a-note",
        ),
        pytest.param(
            lambda: progress_report(NOTES, care_plan=PLAN, period=(PERIOD[1], PERIOD[0])),
            "period[1]",
            "before_start",
            id="backwards",
        ),
        pytest.param(
            lambda: progress_report(NOTES, care_plan=PLAN, period=SENTINEL),  # type: ignore[arg-type]
            "period",
            "invalid_type",
            id="period",
        ),
        pytest.param(
            lambda: render_progress_report(SENTINEL),  # type: ignore[arg-type]
            "report",
            "invalid_type",
            id="render",
        ),
        pytest.param(
            lambda: render_rx_request(_request(), kind=SENTINEL),
            "kind",
            "invalid_choice",
            id="kind",
        ),
        pytest.param(
            lambda: Measure(kind=MeasureKind.PAIN, name=SENTINEL),
            "name",
            "not_allowed",
            id="measure-part",
        ),
        pytest.param(
            lambda: Measure(kind=MeasureKind.RANGE_OF_MOTION, joint=Joint.KNEE),
            "movement",
            "missing",
            id="measure-missing",
        ),
        pytest.param(
            lambda: Goal(measure=PAIN, baseline=3, target=3), "target", "not_allowed", id="goal"
        ),
        pytest.param(
            lambda: attrs.evolve(PLAN, ends_on=START - timedelta(days=1)),
            "ends_on",
            "before_start",
            id="plan-dates",
        ),
        pytest.param(
            lambda: RxRequest.from_note(
                attrs.evolve(NOTES[0], patient_id=SENTINEL),
                id="RQ-1",
                patient=builders.patient(),
                prescriber=builders.physician(),
                frequency=PLAN.frequency,
                requested_on=START,
            ),
            "note.patient_id",
            "other_patient",
            id="request-patient",
        ),
    ],
)
def test_refused_without_patient_data(call: Any, path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]
    error = info.value
    assert SENTINEL not in f"{error} {error!r} {error.args}"
    assert error.__context__ is None or SENTINEL not in repr(error.__context__)


# --- the Rx request ------------------------------------------------------------------------

REQUEST = RxRequest.from_note(
    NOTES[0],
    id="RQ-1",
    patient=builders.patient(),
    coverage=builders.coverage(),
    prescriber=builders.physician(),
    frequency=Frequency(per_week=2, weeks=6),
    requested_on=START,
    services=(CptCode("97124"), CptCode("97140")),
)


def test_the_request_carries_the_intake_note() -> None:
    assert REQUEST.diagnoses == NOTES[0].diagnoses
    assert REQUEST.therapist == NOTES[0].provider
    assert REQUEST.findings == (
        "Pain, neck: 7/10",
        "Cervical spine rotation, left: 45 deg",
        "Neck Disability Index: 30",
    )
    assert "Pain" not in repr(REQUEST)
    assert from_json(to_json(REQUEST), RxRequest) == REQUEST


@pytest.mark.parametrize("kind", ["text", "html"])
def test_the_letter_lists_what_the_insurer_needs(kind: str) -> None:
    letter = render_rx_request(REQUEST, kind=kind)
    for needed in ("M54.2", "97124", "97140", "2 times a week for 6 weeks", "signature", "NPI"):
        assert needed in letter
    assert "03/02/2026" in letter
    massage = render_rx_request(attrs.evolve(REQUEST, services=()), kind=kind)
    assert "massage therapy" in massage


def test_the_letter_asks_only_for_what_the_payer_requires() -> None:
    letter = render_rx_request(
        attrs.evolve(REQUEST, requirements=(ScriptItem.DIAGNOSIS, ScriptItem.SIGNATURE)),
        kind="text",
    )
    assert "[ ] Diagnosis" in letter
    assert "[ ] Your signature" in letter
    assert "[ ] Duration" not in letter


# --- the progress report rendered ------------------------------------------------------------


REPORT = progress_report(NOTES, care_plan=PLAN, period=PERIOD)


def test_the_text_report() -> None:
    text = render_progress_report(REPORT)
    assert "Visits        10 of 12 planned" in text
    assert "Pain, neck: from 7/10 to 3/10; now 3/10 (met)" in text
    assert "Neck Disability Index: from 30 to 10; now 16 (progressing)" in text
    assert "Cervical spine rotation, left (improving): 03/02/2026: 45 deg" in text


def test_the_html_report_escapes_and_draws_charts() -> None:
    hostile = attrs.evolve(REPORT, assessment='<script>alert("x")</script>')
    page = render_progress_report(hostile, kind="html")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    # Two charts: pain and range of motion (functional scores are in the table).
    assert page.count("<svg ") == 2
    assert page.count("stroke-dasharray") == 2
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize("kind", ["text", "html"])
def test_a_report_without_measures_says_so(kind: str) -> None:
    bare = attrs.evolve(REPORT, measures=())
    page = render_progress_report(bare, kind=kind)
    assert "None recorded in the period's notes." in page
    assert "<th>Values by visit</th>" not in page


POPPLER = {name: shutil.which(name) for name in ("pdftotext", "pdfinfo", "pdftocairo")}


@pytest.fixture
def pdf(tmp_path: Path) -> Any:
    print_support.require(POPPLER)
    return lambda page: print_support.print_to_pdf(page, tmp_path)


def _poppler(name: str, *args: str) -> str:
    return subprocess.run(  # noqa: S603 - fixed arguments, a file we wrote
        [str(POPPLER[name]), *args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def test_the_report_prints_on_letter_with_vector_charts(pdf: Any, tmp_path: Path) -> None:
    printed = pdf(render_progress_report(REPORT, kind="html"))
    info = _poppler("pdfinfo", str(printed))
    assert re.search(r"^Page size:\s+612 x 792 pts", info, re.MULTILINE)
    text = _poppler("pdftotext", "-layout", str(printed), "-")
    for shown in ("Pain, neck", "Cervical spine rotation, left", "Neck Disability Index"):
        assert shown in text
    for shown in ("7/10", "3/10", "70 deg", "goal 3/10", "03/02/2026", "met", "progressing"):
        assert shown in text
    # The goal line's label; pdftotext may lose the narrow space before the unit.
    assert re.search(r"goal 70 ?deg", text)
    assert _day(VISIT_DAYS[-1]) in text
    svg = tmp_path / "page.svg"
    _poppler("pdftocairo", "-svg", "-f", "1", "-l", "1", str(printed), str(svg))
    drawing = svg.read_text(encoding="utf-8")
    # The charts are vector paths, not pictures.
    assert len(re.findall(r"<path [^>]*d=\"M", drawing)) >= 10
    assert "<image" not in drawing


def test_the_request_prints_on_one_letter_page(pdf: Any) -> None:
    printed = pdf(render_rx_request(REQUEST, kind="html"))
    info = _poppler("pdfinfo", str(printed))
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    text = _poppler("pdftotext", "-layout", str(printed), "-")
    for shown in ("M54.2", "97124", "Your NPI", "Prescriber's signature", "03/02/2026"):
        assert shown in text


def _day(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def test_report_repr_keeps_dates_out() -> None:
    assert "2026" not in repr(REPORT)
    assert isinstance(REPORT, ProgressReport)


def test_shuffled_notes_of_the_story() -> None:
    shuffled = NOTES[:]
    random.Random(7).shuffle(shuffled)  # noqa: S311 - a fixed order, not a secret
    assert progress_report(shuffled, care_plan=PLAN, period=PERIOD) == REPORT
