"""
The built-in rules of plans of care and progress reports.

They read the patient's plans of care (:class:`~soapbill.care.CarePlan`, passed
as ``evaluate(..., care_plans=...)``) and run after the rules of
:mod:`soapbill.rules.builtin`, each doing nothing unless the policy switches
it on. The ids are public API:

==========================  ========  ======================================
id                          severity  switched on by
==========================  ========  ======================================
``care.plan_missing``       error     ``care_plan_required``
``care.plan_ended``         error     ``care_plan_required``
``care.visits_exceeded``    error     ``care_plan_required``
``care.not_certified``      error     ``care_plan_certification_days``
``progress.report_due``     error     ``progress_report_every``
==========================  ========  ======================================

The plan of a date of service is the plan covering it (from its first to its
last day) that started last; plans that start the same day are taken in the
order of their ids. Sources: Medicare Part B pays outpatient therapy under a
plan of care that the physician or non-physician practitioner certifies,
"dated in the 30 days following the first day of treatment (including
evaluation)", for at most 90 calendar days (Pub 100-02, Medicare Benefit
Policy Manual, Ch. 15 §220.1.3); the therapist writes a progress report "at
least once every 10 treatment days", the first reporting period beginning on
the first day of the episode of treatment (Ch. 15 §220.3 D).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from soapbill._text import line_numbers, plural
from soapbill.rules.base import FindingFactory, GroupFindingFactory, rule, rule_group
from soapbill.rules.findings import Finding, Severity

if TYPE_CHECKING:
    from soapbill.care import CarePlan
    from soapbill.rules.base import Rule, RuleGroup
    from soapbill.rules.context import Context

__all__ = [
    "CARE_IDS",
    "CARE_RULES",
    "NOT_CERTIFIED",
    "PLAN_ENDED",
    "PLAN_MISSING",
    "PROGRESS_REPORT_DUE",
    "VISITS_EXCEEDED",
    "care_plan_group",
    "not_certified",
    "progress_report_due",
]

PLAN_MISSING: Final = "care.plan_missing"
PLAN_ENDED: Final = "care.plan_ended"
VISITS_EXCEEDED: Final = "care.visits_exceeded"
NOT_CERTIFIED: Final = "care.not_certified"
PROGRESS_REPORT_DUE: Final = "progress.report_due"

_ERROR: Final = Severity.ERROR


def plan_on(plans: tuple[CarePlan, ...], day: date) -> CarePlan | None:
    """
    The plan of *day*: of the plans covering it, the one that started last.
    """
    covering = [p for p in plans if p.starts_on <= day <= p.ends_on]
    if not covering:
        return None
    return max(covering, key=lambda p: (p.starts_on, p.id))


@rule_group({PLAN_MISSING: _ERROR, PLAN_ENDED: _ERROR, VISITS_EXCEEDED: _ERROR})
def care_plan_group(context: Context, found: GroupFindingFactory) -> Iterator[Finding]:
    """
    A date of service has no plan of care, comes after its plan ended, or past its visits.

    Which plan covers a date is one analysis: ``care.plan_missing`` (no plan
    on file covers the date, and none ended before it), ``care.plan_ended``
    (the patient's plan ended before the date: a new or recertified plan is
    needed) and ``care.visits_exceeded`` (the visit is past the visits the
    plan allows, counted from the plan's first day on the claim and the
    active history). Source: Pub 100-02 Ch. 15 §220.1.
    """
    if not context.policy.care_plan_required:
        return
    plans = context.care_plans
    for day, indices in context.lines_by_date.items():
        where = f"lines[{indices[0]}].date_of_service"
        plan = plan_on(plans, day)
        if plan is None:
            if any(p.ends_on < day for p in plans):
                yield found(
                    PLAN_ENDED,
                    f"{line_numbers(indices)}: the plan of care ended before the date of service",
                    path=where,
                    fix="send the prescriber an updated plan of care to certify",
                )
            else:
                yield found(
                    PLAN_MISSING,
                    f"{line_numbers(indices)}: no plan of care covers the date of service",
                    path=where,
                    fix="write a plan of care and pass it as care_plans",
                )
            continue
        number = context.count_visits(plan.starts_on, day)
        if number > plan.visits:
            yield found(
                VISITS_EXCEEDED,
                f"{line_numbers(indices)}: visit {number} of a plan of care that allows "
                f"{plural(plan.visits, 'visit')}",
                path=where,
                fix="send the prescriber an updated plan of care with more visits",
            )


@rule(NOT_CERTIFIED, _ERROR)
def not_certified(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    The plan of a date of service was not certified within the payer's window.

    The window is ``care_plan_certification_days`` from the plan's first day
    (Medicare: 30 days, Pub 100-02 Ch. 15 §220.1.3). A plan certified late,
    or not certified by ``as_of`` when the window has closed, is reported; a
    plan still within its window is not.
    """
    days = context.policy.care_plan_certification_days
    if days is None:
        return
    for day, indices in context.lines_by_date.items():
        plan = plan_on(context.care_plans, day)
        if plan is None:
            continue
        last = plan.starts_on + timedelta(days=days)
        certification = plan.certification
        if certification is None and context.as_of <= last:
            continue
        if certification is not None and certification.certified_on <= last:
            continue
        yield found(
            f"{line_numbers(indices)}: the plan of care was not certified within "
            f"{plural(days, 'day')} of its first day",
            path=f"lines[{indices[0]}].date_of_service",
            fix="have the prescriber sign and date the plan, with the reason for the delay",
        )


@rule(PROGRESS_REPORT_DUE, _ERROR)
def progress_report_due(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    A date of service is past the treatment days a progress report must come within.

    Treatment days are counted as visits (distinct dates of service on the
    claim and the active history) from the start of the reporting period: the
    plan's first day, or the day after the last progress report
    (:attr:`CarePlan.progress_reports <soapbill.care.CarePlan.progress_reports>`)
    before the date. A date that is treatment day ``progress_report_every + 1``
    or later of its period is reported: the report was due by the last of
    those days (Medicare: 10, Pub 100-02 Ch. 15 §220.3).
    """
    every = context.policy.progress_report_every
    if every is None:
        return
    for day, indices in context.lines_by_date.items():
        plan = plan_on(context.care_plans, day)
        if plan is None:
            continue
        reports = [r for r in plan.progress_reports if r < day]
        start = max(reports) + timedelta(days=1) if reports else plan.starts_on
        number = context.count_visits(start, day)
        if number > every:
            yield found(
                f"{line_numbers(indices)}: treatment day {number} since the last progress report; "
                f"the policy wants one at least every {plural(every, 'treatment day')}",
                path=f"lines[{indices[0]}].date_of_service",
                fix="write the progress report and add its date to the plan's progress_reports",
            )


#: The rules of plans of care, in the order they run (after the built-in rules).
CARE_RULES: Final[tuple[Rule | RuleGroup, ...]] = (
    care_plan_group,
    not_certified,
    progress_report_due,
)

#: Their ids, in the order their findings sort.
CARE_IDS: Final[tuple[str, ...]] = (
    PLAN_MISSING,
    PLAN_ENDED,
    VISITS_EXCEEDED,
    NOT_CERTIFIED,
    PROGRESS_REPORT_DUE,
)
