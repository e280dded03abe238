"""
Working with the prescriber: the Rx request, the plan of care and the progress report.

Many payers pay for massage or physical medicine only on a prescription, and
keep paying only while the prescriber stays informed. This module models the
three documents of that conversation:

- An :class:`RxRequest` asks a prescriber (MD, DO, NP, PA, PT or DC) for a
  prescription: the diagnoses and findings of the intake note, the services
  proposed with their codes, how often and for how long, and what the payer
  requires on the script (:class:`ScriptItem`).
  :func:`~soapbill.care.render_rx_request` writes it as the one-page letter the
  prescriber signs and returns.
- A :class:`CarePlan` (named after FHIR's resource; distinct from a SOAP
  note's :class:`~soapbill.soap.Plan`) holds the measurable :class:`Goal` s
  (pain from 7/10 to 3/10, cervical rotation to 70 degrees), the frequency and
  duration, and the prescriber's :class:`Certification`. Medicare certifies a
  therapy plan of care: the physician or non-physician practitioner signs it,
  within 30 days of the initial treatment, for at most 90 calendar days (Pub
  100-02, Medicare Benefit Policy Manual, Ch. 15 §220.1.3). The rules of
  :mod:`soapbill.rules.care` check visits against it.
- A :class:`ProgressReport`, made by :func:`progress_report` from the notes
  of a period, gives the trend of every measure the notes record (pain by
  region, coded range of motion, functional scores), the status of every goal
  (:class:`GoalStatus`), the visits and units of the period, and the
  therapist's assessment. Medicare wants one at least once every 10 treatment
  days (Pub 100-02 Ch. 15 §220.3). :func:`~soapbill.care.render_progress_report`
  writes it as text or as one self-contained HTML page with charts (inline
  SVG) of pain and range of motion over the visits, goal lines marked.

A report depends only on the notes given, never on their order.

>>> from datetime import date
>>> neck = Measure(kind=MeasureKind.PAIN, region=BodyRegion.NECK)
>>> goal = Goal(measure=neck, baseline=7, target=3)
>>> [goal.status(value).value for value in (5, 3, 8, None)]
['progressing', 'met', 'not_progressing', 'not_measured']

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs

from soapbill._arguments import check_date, check_instance, tuple_of
from soapbill._enums import Choice
from soapbill._fields import redact, rules
from soapbill._model import model
from soapbill.billing.units import UnitMethod, allocate_units
from soapbill.codes.cpt import Catalog, CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.errors import ErrorDetail, ValidationError
from soapbill.parties import Coverage, Patient, Provider
from soapbill.soap import BodyRegion, Frequency, Joint, Movement, Side, SoapNote, minutes_by_code

if TYPE_CHECKING:
    from soapbill.formats.fhir import IdentifierSystems
    from soapbill.prescriptions import Prescription

__all__ = [
    "CarePlan",
    "Certification",
    "Goal",
    "GoalProgress",
    "GoalStatus",
    "Measure",
    "MeasureKind",
    "MeasurePoint",
    "MeasureTrend",
    "ProgressReport",
    "RxRequest",
    "ScriptItem",
    "Trend",
    "prescription_from_fhir",
    "progress_report",
    "progress_report_to_fhir",
    "render_progress_report",
    "render_rx_request",
    "rx_request_to_fhir",
]

_ID = rules(max_len=50)
_DIAGNOSES = rules(min_len=1, max_len=12, unique=True)


class MeasureKind(Choice):
    """
    What a :class:`Measure` measures.

    .. versionadded:: 0.2.0
    """

    #: Pain, 0 to 10 (:class:`~soapbill.soap.PainReport`): lower is better.
    PAIN = "pain"
    #: Range of motion in degrees (:class:`~soapbill.soap.RangeOfMotion`,
    #: coded): higher is better.
    RANGE_OF_MOTION = "range_of_motion"
    #: A functional score (:class:`~soapbill.soap.FunctionalMeasure`): better
    #: toward its scale's ``best`` end.
    FUNCTION = "function"


_KIND_ORDER: Final = {kind: i for i, kind in enumerate(MeasureKind)}


@model
class Measure:
    """
    One measure that visits can compare: which pain, which motion, which score.

    Pain names a region (``None``: the worst pain of any region); range of
    motion a joint, a movement and, where it matters, a side; a functional
    measure its name.

    Attributes:
        kind: What is measured.
        region: For pain: the region.
        joint: For range of motion: the joint.
        movement: For range of motion: the movement.
        side: For range of motion: the side.
        name: For a functional measure: its name.

    .. versionadded:: 0.2.0
    """

    kind: MeasureKind
    region: BodyRegion | None = None
    joint: Joint | None = None
    movement: Movement | None = None
    side: Side | None = None
    name: str | None = attrs.field(default=None, metadata=rules(max_len=100))

    def _check_fields(self) -> None:
        given = {
            "region": self.region,
            "joint": self.joint,
            "movement": self.movement,
            "side": self.side,
            "name": self.name,
        }
        allowed = {
            MeasureKind.PAIN: {"region"},
            MeasureKind.RANGE_OF_MOTION: {"joint", "movement", "side"},
            MeasureKind.FUNCTION: {"name"},
        }[self.kind]
        for field, value in given.items():
            if value is not None and field not in allowed:
                raise ValidationError.single(field, "not_allowed", "not a part of this kind")
        needed = {
            MeasureKind.RANGE_OF_MOTION: ("joint", "movement"),
            MeasureKind.FUNCTION: ("name",),
        }.get(self.kind, ())
        for field in needed:
            if given[field] is None:
                raise ValidationError.single(field, "missing", "this kind of measure needs it")

    @property
    def label(self) -> str:
        """
        The measure's name for people, such as "Pain, neck" or "Cervical spine rotation, left".
        """
        if self.kind is MeasureKind.PAIN:
            where = "any region" if self.region is None else self.region.value
            return f"Pain, {where.replace('_', ' ')}"
        if self.kind is MeasureKind.FUNCTION:
            return str(self.name)
        text = f"{self.joint} {self.movement}".replace("_", " ").capitalize()
        return text if self.side is None else f"{text}, {self.side.value}"

    @property
    def unit(self) -> str:
        """
        The unit its values are written in (``"/10"``, ``" deg"`` or ``""``).
        """
        return {MeasureKind.PAIN: "/10", MeasureKind.RANGE_OF_MOTION: " deg"}.get(self.kind, "")

    def read(self, note: SoapNote) -> int | None:
        """
        This measure's value in *note*, or ``None`` when the note does not record it.

        Pain in several reports of one note counts its worst; a motion
        measured twice counts its first measure.

        Raises:
            ValidationError: *note* is not a SoapNote.
        """
        check_instance(note, SoapNote, "note")
        if self.kind is MeasureKind.PAIN:
            found = [
                p.intensity
                for p in note.subjective.pain
                if self.region is None or p.region is self.region
            ]
            return max(found) if found else None
        if self.kind is MeasureKind.FUNCTION:
            scores = [f.score for f in note.objective.functional if f.name == self.name]
            return scores[0] if scores else None
        degrees = [
            r.degrees
            for r in note.assessment.range_of_motion
            if (r.joint_code, r.movement_code, r.side) == (self.joint, self.movement, self.side)
            and r.degrees is not None
        ]
        return degrees[0] if degrees else None

    def higher_is_better(self, notes: Iterable[SoapNote] = ()) -> bool:
        """
        Whether a higher value is better.

        Never for pain, always for range of motion, and for a functional
        measure as its scale says in *notes* (higher, when no note records it).
        """
        if self.kind is MeasureKind.PAIN:
            return False
        if self.kind is MeasureKind.RANGE_OF_MOTION:
            return True
        scales = {
            f.best > f.worst for n in notes for f in n.objective.functional if f.name == self.name
        }
        return scales != {False}

    def sort_key(self) -> tuple[object, ...]:
        """
        The order of measures in a report: by kind, then by label.
        """
        return (_KIND_ORDER[self.kind], self.label)


def measures_in(note: SoapNote) -> tuple[Measure, ...]:
    """
    Every measure *note* records.

    That is: pain by region, coded range of motion with degrees, functional scores.

    Raises:
        ValidationError: *note* is not a SoapNote.
    """
    check_instance(note, SoapNote, "note")
    found = [Measure(kind=MeasureKind.PAIN, region=p.region) for p in note.subjective.pain]
    found.extend(
        Measure(
            kind=MeasureKind.RANGE_OF_MOTION,
            joint=r.joint_code,
            movement=r.movement_code,
            side=r.side,
        )
        for r in note.assessment.range_of_motion
        if r.joint_code is not None and r.movement_code is not None and r.degrees is not None
    )
    found.extend(Measure(kind=MeasureKind.FUNCTION, name=f.name) for f in note.objective.functional)
    return tuple(dict.fromkeys(found))


class GoalStatus(Choice):
    """
    Where a goal stands at the end of a report's period.

    .. versionadded:: 0.2.0
    """

    #: The latest value reached the target.
    MET = "met"
    #: The latest value is better than the baseline, short of the target.
    PROGRESSING = "progressing"
    #: The latest value is no better than the baseline.
    NOT_PROGRESSING = "not_progressing"
    #: No note of the period records the measure.
    NOT_MEASURED = "not_measured"


@model
class Goal:
    """
    A measurable goal: a measure, from a baseline to a target.

    The direction of the goal is from the baseline toward the target: pain
    from 7 to 3 goes down, rotation from 45 to 70 goes up.

    Attributes:
        measure: What is measured.
        baseline: The value at the start of the plan.
        target: The value the plan aims at.
        by: The date the goal should be met by, if it says.

    .. versionadded:: 0.2.0
    """

    measure: Measure
    baseline: int = attrs.field(metadata=rules(ge=-1000, le=1000))
    target: int = attrs.field(metadata=rules(ge=-1000, le=1000))
    by: date | None = attrs.field(default=None, repr=redact)

    def _check_fields(self) -> None:
        if self.baseline == self.target:
            raise ValidationError.single(
                "target", "not_allowed", "a goal differs from its baseline"
            )

    def status(self, latest: int | None) -> GoalStatus:
        """
        The goal's status when the latest value is *latest* (``None``: not measured).
        """
        if latest is None:
            return GoalStatus.NOT_MEASURED
        up = self.target > self.baseline
        if (latest >= self.target) if up else (latest <= self.target):
            return GoalStatus.MET
        if (latest > self.baseline) if up else (latest < self.baseline):
            return GoalStatus.PROGRESSING
        return GoalStatus.NOT_PROGRESSING


@model
class Certification:
    """
    The prescriber's certification of a plan of care.

    Attributes:
        certified_by: The physician or practitioner who signed the plan.
        certified_on: The date of the signature.

    .. versionadded:: 0.2.0
    """

    certified_by: Provider
    certified_on: date = attrs.field(repr=redact)


@model
class CarePlan:
    """
    A plan of care: goals, frequency and duration, certified by the prescriber.

    Its dates are an individual's dates: redacted in ``repr``.

    Attributes:
        id: The practice's identifier of the plan.
        patient_id: The patient it is for.
        therapist: The therapist who wrote it.
        prescriber: The prescriber it is sent to.
        diagnoses: ICD-10-CM codes (1-12); the first is the principal one.
        procedures: The codes of the services planned; empty means any.
        goals: The measurable goals.
        frequency: Visits per week for a number of weeks.
        starts_on: The first day of the plan (the initial evaluation).
        ends_on: The last day of the plan.
        visits_planned: How many visits; ``None``: as many as ``frequency`` says.
        certification: The prescriber's signature, once the plan is certified.
        progress_reports: The last days of the periods of the progress
            reports written under the plan.

    .. versionadded:: 0.2.0
    """

    #: A top-level JSON document: it carries ``"format_version"``.
    __soapbill_document__: ClassVar[bool] = True

    id: str = attrs.field(metadata=_ID)
    patient_id: str = attrs.field(metadata=_ID)
    therapist: Provider
    prescriber: Provider
    diagnoses: tuple[DiagnosisCode, ...] = attrs.field(metadata=_DIAGNOSES)
    procedures: tuple[CptCode, ...] = attrs.field(default=(), metadata=rules(unique=True))
    goals: tuple[Goal, ...] = attrs.field(default=(), metadata=rules(max_len=20))
    frequency: Frequency
    starts_on: date = attrs.field(repr=redact)
    ends_on: date = attrs.field(repr=redact)
    visits_planned: int | None = attrs.field(default=None, metadata=rules(ge=1, le=1000))
    certification: Certification | None = None
    progress_reports: tuple[date, ...] = attrs.field(
        default=(), repr=redact, metadata=rules(max_len=100, unique=True)
    )

    def _check_fields(self) -> None:
        if self.ends_on < self.starts_on:
            raise ValidationError.single("ends_on", "before_start", "must not be before starts_on")

    @property
    def visits(self) -> int:
        """
        The number of visits the plan allows.
        """
        return self.frequency.visits if self.visits_planned is None else self.visits_planned

    def covers(self, day: date) -> bool:
        """
        Whether *day* falls within the plan (both ends inclusive).

        Raises:
            ValidationError: *day* is not a date.
        """
        check_date(day, "day")
        return self.starts_on <= day <= self.ends_on


class ScriptItem(Choice):
    """
    What a payer requires on a prescription.

    .. versionadded:: 0.2.0
    """

    DIAGNOSIS = "diagnosis"
    #: The procedure codes, or the words "massage therapy".
    CODES = "codes"
    FREQUENCY = "frequency"
    DURATION = "duration"
    SIGNATURE = "signature"
    NPI = "npi"
    DATE = "date"


@model
class RxRequest:
    """
    A request to a prescriber for a prescription.

    Build one from the intake note with :meth:`from_note`.

    Attributes:
        id: The practice's identifier of the request.
        patient: The patient.
        coverage: The patient's insurance, if any.
        therapist: Who asks.
        prescriber: Who is asked.
        requested_on: The date of the request.
        diagnoses: ICD-10-CM codes (1-12) from the intake note.
        findings: The findings of the intake note, in words (patient data:
            redacted in ``repr``).
        services: The procedure codes proposed; empty means "massage therapy".
        frequency: Visits per week for a number of weeks (the duration).
        requirements: What the payer requires on the script.

    .. versionadded:: 0.2.0
    """

    #: A top-level JSON document: it carries ``"format_version"``.
    __soapbill_document__: ClassVar[bool] = True

    id: str = attrs.field(metadata=_ID)
    patient: Patient
    coverage: Coverage | None = None
    therapist: Provider
    prescriber: Provider
    requested_on: date = attrs.field(repr=redact)
    diagnoses: tuple[DiagnosisCode, ...] = attrs.field(metadata=_DIAGNOSES)
    findings: tuple[str, ...] = attrs.field(
        default=(), repr=redact, metadata=rules(max_len=20, items=rules(max_len=200))
    )
    services: tuple[CptCode, ...] = attrs.field(default=(), metadata=rules(unique=True))
    frequency: Frequency
    requirements: tuple[ScriptItem, ...] = attrs.field(
        default=tuple(ScriptItem), metadata=rules(unique=True)
    )

    @classmethod
    def from_note(
        cls,
        note: SoapNote,
        *,
        id: str,
        patient: Patient,
        prescriber: Provider,
        frequency: Frequency,
        requested_on: date,
        coverage: Coverage | None = None,
        services: Iterable[CptCode] = (),
        requirements: Iterable[ScriptItem] = tuple(ScriptItem),
    ) -> RxRequest:
        """
        A request from the intake *note*: its diagnoses, therapist and measured findings.

        Raises:
            ValidationError: An argument is not valid, the note has no
                diagnosis, or it is about another patient.
        """
        check_instance(note, SoapNote, "note")
        check_instance(patient, Patient, "patient")
        if note.patient_id != patient.id:
            raise ValidationError.single(
                "note.patient_id", "other_patient", "is about another patient"
            )
        findings = [
            f"{m.label}: {m.read(note)}{m.unit}"
            for m in sorted(measures_in(note), key=Measure.sort_key)
        ]
        return cls(
            id=id,
            patient=patient,
            coverage=coverage,
            therapist=note.provider,
            prescriber=prescriber,
            requested_on=requested_on,
            diagnoses=note.diagnoses,
            findings=tuple(findings[:20]),
            services=tuple_of(services, CptCode, "services"),
            frequency=frequency,
            requirements=tuple_of(requirements, ScriptItem, "requirements"),
        )


class Trend(Choice):
    """
    How a measure moved over a period: its last value against its first.

    .. versionadded:: 0.2.0
    """

    IMPROVING = "improving"
    STABLE = "stable"
    WORSENING = "worsening"
    #: Fewer than two visits record it.
    INSUFFICIENT = "insufficient"


@model
class MeasurePoint:
    """
    A measure's value on one date of service.

    .. versionadded:: 0.2.0
    """

    day: date = attrs.field(repr=redact)
    value: int = attrs.field(metadata=rules(ge=-1000, le=1000))


@model
class MeasureTrend:
    """
    A measure's values over a period, and its trend.

    Attributes:
        measure: The measure.
        points: Its values by date of service, in date order.
        trend: The last value against the first.
        higher_is_better: Which way is better.

    .. versionadded:: 0.2.0
    """

    measure: Measure
    points: tuple[MeasurePoint, ...] = attrs.field(metadata=rules(min_len=1))
    trend: Trend
    higher_is_better: bool

    @property
    def change(self) -> int:
        """
        The last value less the first.
        """
        return self.points[-1].value - self.points[0].value


@model
class GoalProgress:
    """
    One goal of the plan, and where it stands at the end of the period.

    Attributes:
        goal: The goal.
        latest: The measure's latest value in the period, if any.
        status: Where the goal stands.

    .. versionadded:: 0.2.0
    """

    goal: Goal
    latest: int | None = attrs.field(default=None, metadata=rules(ge=-1000, le=1000))
    status: GoalStatus


@model
class ProgressReport:
    """
    A progress report to the prescriber: what the notes of a period show.

    Attributes:
        plan: The plan of care reported on.
        period_start: The first day of the period.
        period_end: The last day of the period.
        visit_dates: The dates of service of the period, in order.
        units: The billable units of the period's treatments.
        measures: Every measure the period's notes record, with its trend:
            the goals' measures first, in the order of the goals.
        goals: Every goal of the plan, with its status.
        assessment: The therapist's latest words on progress (patient data:
            redacted in ``repr``).

    .. versionadded:: 0.2.0
    """

    plan: CarePlan
    period_start: date = attrs.field(repr=redact)
    period_end: date = attrs.field(repr=redact)
    visit_dates: tuple[date, ...] = attrs.field(repr=redact)
    units: int = attrs.field(metadata=rules(ge=0, le=1_000_000))
    measures: tuple[MeasureTrend, ...] = ()
    goals: tuple[GoalProgress, ...] = ()
    assessment: str | None = attrs.field(default=None, repr=redact, metadata=rules(max_len=10_000))

    def _check_fields(self) -> None:
        if self.period_end < self.period_start:
            raise ValidationError.single(
                "period_end", "before_start", "must not be before period_start"
            )

    @property
    def visits(self) -> int:
        """
        The number of visits in the period.
        """
        return len(self.visit_dates)


def _trend(values: list[int], higher_is_better: bool) -> Trend:  # noqa: FBT001 - internal
    if len(values) < 2:  # noqa: PLR2004 - a trend needs two values
        return Trend.INSUFFICIENT
    change = values[-1] - values[0]
    if change == 0:
        return Trend.STABLE
    return Trend.IMPROVING if (change > 0) == higher_is_better else Trend.WORSENING


def _period(period: object) -> tuple[date, date]:
    if not isinstance(period, tuple) or len(period) != 2:  # noqa: PLR2004 - two dates
        raise ValidationError.single("period", "invalid_type", "expected two dates: (first, last)")
    first = check_date(period[0], "period[0]")
    last = check_date(period[1], "period[1]")
    if last < first:
        raise ValidationError.single("period[1]", "before_start", "must not be before period[0]")
    return first, last


def progress_report(
    notes: Iterable[SoapNote],
    *,
    care_plan: CarePlan,
    period: tuple[date, date],
    unit_method: UnitMethod = UnitMethod.CMS,
    catalog: Catalog | None = None,
) -> ProgressReport:
    """
    Compute the progress report of *care_plan* over *period* from *notes*.

    The notes of the period (by date of service, both ends inclusive) count;
    the others are left out. Notes of one date are taken in the order of their
    ids, so the report never depends on the order of *notes*. A measure's
    value on a date is its value in the first note of that date that records
    it.

    Args:
        notes: The patient's SOAP notes, in any order.
        care_plan: The plan of care reported on.
        period: The first and last day of the period.
        unit_method: How minutes become units, per date of service.
        catalog: Which codes are timed; default the built-in catalogue.

    Raises:
        ValidationError: An argument is not valid, or notes are about another
            patient than the plan; the paths name each (``notes[2].patient_id``).
    """
    plan = check_instance(care_plan, CarePlan, "care_plan")
    first, last = _period(period)
    chosen = _notes_of(notes, plan, first, last)
    days = tuple(sorted({n.date_of_service for n in chosen}))
    units = _units(chosen, days, unit_method, catalog)
    measures = list(dict.fromkeys(g.measure for g in plan.goals))
    others = {m for note in chosen for m in measures_in(note)} - set(measures)
    measures.extend(sorted(others, key=Measure.sort_key))
    trends = [t for t in (_measure_trend(m, chosen) for m in measures) if t is not None]
    latest = {t.measure: t.points[-1].value for t in trends}
    goals = tuple(
        GoalProgress(goal=g, latest=latest.get(g.measure), status=g.status(latest.get(g.measure)))
        for g in plan.goals
    )
    said = [n.assessment.progress or n.assessment.text for n in chosen]
    spoken = [s for s in said if s]
    return ProgressReport(
        plan=plan,
        period_start=first,
        period_end=last,
        visit_dates=days,
        units=units,
        measures=tuple(trends),
        goals=goals,
        assessment=spoken[-1] if spoken else None,
    )


def _notes_of(notes: object, plan: CarePlan, first: date, last: date) -> list[SoapNote]:
    """
    The notes of the period, about the plan's patient, by date, id and digest.
    """
    all_notes = tuple_of(notes, SoapNote, "notes")
    others = [
        ErrorDetail(
            path=f"notes[{i}].patient_id",
            code="other_patient",
            message="is about another patient than the plan",
        )
        for i, note in enumerate(all_notes)
        if note.patient_id != plan.patient_id
    ]
    if others:
        raise ValidationError(others)
    return sorted(
        (n for n in all_notes if first <= n.date_of_service <= last),
        key=lambda n: (n.date_of_service, n.id, n.content_digest),
    )


def _units(
    notes: list[SoapNote],
    days: tuple[date, ...],
    unit_method: UnitMethod,
    catalog: Catalog | None,
) -> int:
    """
    The units of *notes*, counted per date of service as a claim counts them.
    """
    units = 0
    for day in days:
        minutes = minutes_by_code(n for n in notes if n.date_of_service == day)
        units += allocate_units(minutes, method=unit_method, catalog=catalog).total_units
    return units


def _measure_trend(measure: Measure, notes: list[SoapNote]) -> MeasureTrend | None:
    values: dict[date, int] = {}
    for note in notes:
        value = measure.read(note)
        if value is not None and note.date_of_service not in values:
            values[note.date_of_service] = value
    if not values:
        return None
    better = measure.higher_is_better(notes)
    points = tuple(MeasurePoint(day=d, value=v) for d, v in sorted(values.items()))
    return MeasureTrend(
        measure=measure,
        points=points,
        trend=_trend([p.value for p in points], better),
        higher_is_better=better,
    )


def render_rx_request(request: RxRequest, kind: str = "text") -> str:
    """
    Write *request* as the one-page letter the prescriber signs and returns.

    Args:
        request: The request.
        kind: ``"text"``, or ``"html"`` for one self-contained page made to
            print on US Letter paper.

    Raises:
        ValidationError: *request* is not an RxRequest, or *kind* is not
            ``"text"`` or ``"html"``.
    """
    from soapbill._care_render import rx_request  # noqa: PLC0415 - loaded when rendering

    return rx_request(check_instance(request, RxRequest, "request"), _kind(kind))


def render_progress_report(report: ProgressReport, kind: str = "text") -> str:
    """
    Write *report* as text, or as one self-contained HTML page with charts.

    The HTML page draws, as inline SVG, every pain and range-of-motion
    measure over the visits, with the goal's target as a dashed line.

    Args:
        report: The report.
        kind: ``"text"`` or ``"html"``.

    Raises:
        ValidationError: *report* is not a ProgressReport, or *kind* is not
            ``"text"`` or ``"html"``.
    """
    from soapbill._care_render import progress  # noqa: PLC0415 - loaded when rendering

    return progress(check_instance(report, ProgressReport, "report"), _kind(kind))


def rx_request_to_fhir(
    request: RxRequest, *, systems: IdentifierSystems | None = None
) -> dict[str, Any]:
    """
    Write *request* as a FHIR R4 ``collection`` Bundle of ServiceRequests with intent ``proposal``.

    One ServiceRequest per proposed code (one saying "massage therapy" when
    the request proposes none), grouped by the request's id as their
    ``requisition``, with the Patient, the therapist (who proposes: the
    ``requester``) and the prescriber. See :mod:`soapbill.formats.fhir` for
    the identifier systems; the default is its
    :data:`~soapbill.formats.fhir.DEFAULT_SYSTEMS`.

    Raises:
        ValidationError: *request* is not an RxRequest, or *systems* is not
            an IdentifierSystems.
    """
    from soapbill.formats._care_fhir import rx_request_bundle  # noqa: PLC0415 - on use

    checked = check_instance(request, RxRequest, "request")
    return rx_request_bundle(checked, _systems(systems))


def progress_report_to_fhir(
    report: ProgressReport, *, systems: IdentifierSystems | None = None
) -> dict[str, Any]:
    """
    Write *report* as a FHIR R4 ``collection`` Bundle: a DiagnosticReport and its Observations.

    The DiagnosticReport (LOINC 11506-3, "Progress note") covers the report's
    period, lists one Observation per measure and date of service as its
    results (pain as LOINC 72514-3, range of motion in degrees, functional
    scores by name), and says in its conclusion where each goal stands.

    Raises:
        ValidationError: *report* is not a ProgressReport, or *systems* is not
            an IdentifierSystems.
    """
    from soapbill.formats._care_fhir import progress_report_bundle  # noqa: PLC0415 - on use

    checked = check_instance(report, ProgressReport, "report")
    return progress_report_bundle(checked, _systems(systems))


def prescription_from_fhir(source: object, *, requisition: str | None = None) -> Prescription:
    """
    Read back the :class:`~soapbill.prescriptions.Prescription` that FHIR ServiceRequests order.

    *source* is a FHIR R4 Bundle (a dict, or its JSON as ``str`` or ``bytes``)
    or a list of resources, as :func:`soapbill.formats.fhir.to_fhir_bundle`
    writes a prescription: one ServiceRequest per ordered code, grouped by the
    prescription's id as their ``requisition``, each referring to the Patient
    (``subject``) and to the prescriber (``requester``), both in *source*.
    The ServiceRequests must have ``intent`` ``order``: the ``proposal`` of
    :func:`rx_request_to_fhir` becomes a prescription when the prescriber
    returns it as an order, naming themself as the ``requester``.

    The end of the period of validity becomes ``valid_until``; what the
    ServiceRequests do not carry (``valid_days``, which the writer turns into
    an end date, and the prescriber's ``taxonomy``) is left at its default.

    Args:
        source: The Bundle or the resources.
        requisition: Which prescription, when *source* holds several.

    Raises:
        ValidationError: *source* is not such a Bundle, a ServiceRequest is
            not an order (``entry[2].resource.intent``), the requests of one
            requisition disagree, or the prescription they make is not valid
            (``prescription.diagnoses``). Messages never quote the input.
    """
    from soapbill.formats._care_fhir import prescription_from_bundle  # noqa: PLC0415 - on use

    if requisition is not None and not isinstance(requisition, str):
        raise ValidationError.single("requisition", "invalid_type", "expected a string")
    return prescription_from_bundle(source, requisition)


def _systems(systems: object) -> IdentifierSystems:
    from soapbill.formats.fhir import DEFAULT_SYSTEMS, IdentifierSystems  # noqa: PLC0415

    if systems is None:
        return DEFAULT_SYSTEMS
    return check_instance(systems, IdentifierSystems, "systems")


def _kind(kind: object) -> str:
    if kind not in ("text", "html"):
        raise ValidationError.single("kind", "invalid_choice", 'expected "text" or "html"')
    return str(kind)
