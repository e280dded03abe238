"""
Hypothesis strategies for plans of care and notes with realistic measure sequences.

Re-exported by :mod:`soapbill.strategies`; see there.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from hypothesis import strategies as st

from soapbill.care import CarePlan, Goal, Measure, MeasureKind
from soapbill.codes.cpt import CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.npi import Npi
from soapbill.parties import Credential, PersonName, Provider
from soapbill.soap import (
    Assessment,
    BodyRegion,
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
)

__all__ = ["care_plans", "functional_measures", "measured_notes"]

#: The three measures of the story: neck pain, left cervical rotation, the
#: Neck Disability Index (0 best, 50 worst).
PAIN: Final = Measure(kind=MeasureKind.PAIN, region=BodyRegion.NECK)
ROTATION: Final = Measure(
    kind=MeasureKind.RANGE_OF_MOTION,
    joint=Joint.CERVICAL_SPINE,
    movement=Movement.ROTATION,
    side=Side.LEFT,
)
NDI: Final = Measure(kind=MeasureKind.FUNCTION, name="Neck Disability Index")

_THERAPIST: Final = Provider(
    npi=Npi("1234567893"),
    name=PersonName(family="Lee", given="Sam"),
    credential=Credential.LMT,
)
_PRESCRIBER: Final = Provider(
    npi=Npi("1245319599"),
    name=PersonName(family="Ortiz", given="Ana"),
    credential=Credential.MD,
)


def functional_measures() -> st.SearchStrategy[FunctionalMeasure]:
    """
    Functional scores on scales of either direction.

    Shrinks toward a score of 0 on a scale from 0 (worst) to 1.
    """

    @st.composite
    def draw(draw: st.DrawFn) -> FunctionalMeasure:
        worst = draw(st.integers(-100, 100))
        width = draw(st.integers(1, 100))
        best = worst + width if draw(st.booleans()) else worst - width
        score = draw(st.integers(min(worst, best), max(worst, best)))
        name = draw(st.sampled_from(["Neck Disability Index", "PSFS", "Oswestry"]))
        return FunctionalMeasure(name=name, score=score, worst=worst, best=best)

    return draw()


def care_plans(*, patient_id: str = "P1") -> st.SearchStrategy[CarePlan]:
    """
    Plans of care for *patient_id* with goals on neck pain, cervical rotation and the NDI.

    Shrinks toward a plan starting on 2 March 2026, twice a week for one
    week, with the neck-pain goal alone.
    """

    @st.composite
    def draw(draw: st.DrawFn) -> CarePlan:
        start = date(2026, 3, 2) + timedelta(days=draw(st.integers(0, 300)))
        frequency = Frequency(per_week=draw(st.integers(2, 3)), weeks=draw(st.integers(1, 8)))
        pain_from = draw(st.integers(4, 10))
        goals = [Goal(measure=PAIN, baseline=pain_from, target=draw(st.integers(0, pain_from - 1)))]
        if draw(st.booleans()):
            degrees = draw(st.integers(20, 60))
            goals.append(Goal(measure=ROTATION, baseline=degrees, target=degrees + 20))
        if draw(st.booleans()):
            goals.append(Goal(measure=NDI, baseline=30, target=10))
        return CarePlan(
            id="POC-1",
            patient_id=patient_id,
            therapist=_THERAPIST,
            prescriber=_PRESCRIBER,
            diagnoses=(DiagnosisCode("M54.2"),),
            procedures=(CptCode("97124"),),
            goals=tuple(goals),
            frequency=frequency,
            starts_on=start,
            ends_on=start + timedelta(weeks=frequency.weeks, days=-1),
        )

    return draw()


def _walk(start: int, steps: list[int], low: int, high: int) -> list[int]:
    values = [start]
    for step in steps:
        values.append(min(high, max(low, values[-1] + step)))
    return values


def measured_notes(plan: CarePlan, *, max_visits: int = 12) -> st.SearchStrategy[list[SoapNote]]:
    """
    Notes of *plan*'s visits, in date order, with measures that move as treatment does.

    Pain starts at the pain goal's baseline (or 7) and moves by -2 to +1 a
    visit; left cervical rotation starts at its goal's baseline (or 45) and
    moves by -5 to +10 degrees; the NDI starts at 30 and moves by -4 to +2.
    A visit may leave a measure out. Every note is on a distinct date within
    the plan.

    Shrinks toward one visit on the plan's first day.
    """

    @st.composite
    def draw(draw: st.DrawFn) -> list[SoapNote]:
        span = (plan.ends_on - plan.starts_on).days
        offsets = draw(st.lists(st.integers(0, span), min_size=1, max_size=max_visits, unique=True))
        days = [plan.starts_on + timedelta(days=d) for d in sorted(offsets)]
        steps = len(days) - 1
        baseline = {g.measure: g.baseline for g in plan.goals}
        pain = _walk(
            baseline.get(PAIN, 7),
            draw(st.lists(st.integers(-2, 1), min_size=steps, max_size=steps)),
            0,
            10,
        )
        rotation = _walk(
            baseline.get(ROTATION, 45),
            draw(st.lists(st.integers(-5, 10), min_size=steps, max_size=steps)),
            0,
            90,
        )
        ndi = _walk(30, draw(st.lists(st.integers(-4, 2), min_size=steps, max_size=steps)), 0, 50)
        notes = []
        for i, day in enumerate(days):
            measured = draw(st.sets(st.sampled_from(["pain", "rom", "ndi"])))
            rom = RangeOfMotion(
                joint="neck",
                full=False,
                degrees=rotation[i],
                joint_code=Joint.CERVICAL_SPINE,
                movement_code=Movement.ROTATION,
                side=Side.LEFT,
            )
            score = FunctionalMeasure(name="Neck Disability Index", score=ndi[i], worst=50, best=0)
            notes.append(
                SoapNote(
                    id=f"N{i + 1:03d}",
                    patient_id=plan.patient_id,
                    provider=plan.therapist,
                    date_of_service=day,
                    diagnoses=plan.diagnoses,
                    subjective=Subjective(
                        chief_complaint="Neck pain",
                        pain=(
                            (PainReport(region=BodyRegion.NECK, intensity=pain[i]),)
                            if "pain" in measured
                            else ()
                        ),
                    ),
                    objective=Objective(functional=(score,) if "ndi" in measured else ()),
                    assessment=Assessment(range_of_motion=(rom,) if "rom" in measured else ()),
                    treatments=(
                        Treatment(code=CptCode("97124"), minutes=draw(st.integers(8, 60))),
                    ),
                )
            )
        return notes

    return draw()
