"""
How :mod:`soapbill.care` writes its documents: text, HTML, and charts as inline SVG.

The charts are drawn here, with no plotting library: a polyline of a
measure's values over the visits, a dot per visit, the goal's target as a
dashed line, the first and last dates and the value axis labelled. Every
value a page shows is escaped.
"""

from __future__ import annotations

import html
import textwrap
from datetime import date
from typing import TYPE_CHECKING, Final

from soapbill._text import full_name, one_line, provider_name, us_date
from soapbill.care import MeasureKind

if TYPE_CHECKING:
    from soapbill.care import Goal, MeasureTrend, ProgressReport, RxRequest
    from soapbill.parties import PersonName, Provider

__all__ = ["chart", "progress", "rx_request"]

_WIDTH: Final = 600
_HEIGHT: Final = 150
_LEFT: Final = 44
_RIGHT: Final = 16
_TOP: Final = 12
_BOTTOM: Final = 28

_STYLE: Final = (
    "@page{size:letter;margin:0.6in}"
    "body{font:10pt 'Liberation Sans',Arial,sans-serif;margin:0;color:#000}"
    "h1{font-size:14pt;margin:0 0 6pt}h2{font-size:11pt;margin:10pt 0 4pt}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{border:0.5pt solid #888;padding:2pt 4pt;text-align:left;vertical-align:top}"
    ".parties{display:flex;gap:24pt}.parties div{flex:1}"
    "svg{display:block;margin:2pt 0 6pt}"
    ".sign td{height:28pt}"
)


def _escape(value: object) -> str:
    return html.escape(one_line(str(value)), quote=True)


def _day(value: date) -> str:
    return us_date(value)


def _person(name: PersonName) -> str:
    return full_name(name)


def _provider(provider: Provider) -> str:
    return one_line(f"{provider_name(provider)} (NPI {provider.npi.value})")


def _frequency(per_week: int, weeks: int) -> str:
    times = "time" if per_week == 1 else "times"
    span = "week" if weeks == 1 else "weeks"
    return f"{per_week} {times} a week for {weeks} {span}"


# --- the Rx request ----------------------------------------------------------------------

_ITEMS: Final = {
    "diagnosis": "Diagnosis (ICD-10-CM codes)",
    "codes": 'Procedure codes, or the words "massage therapy"',
    "frequency": "Frequency (visits a week)",
    "duration": "Duration (weeks)",
    "signature": "Your signature",
    "npi": "Your NPI",
    "date": "The date you sign",
}


def _rx_lines(request: RxRequest) -> list[tuple[str, str]]:
    patient = request.patient
    rows = [
        ("Date", _day(request.requested_on)),
        ("To", _provider(request.prescriber)),
        ("From", _provider(request.therapist)),
        ("Patient", f"{_person(patient.name)}, born {_day(patient.birth_date)}"),
    ]
    if request.coverage is not None:
        cover = request.coverage
        rows.append(("Insurance", f"{cover.payer.name}, member ID {cover.member_id}"))
    rows.append(("Diagnoses", ", ".join(d.value for d in request.diagnoses)))
    rows.extend(("Finding", finding) for finding in request.findings)
    services = ", ".join(c.value for c in request.services) or "massage therapy"
    rows.append(("Services proposed", services))
    freq = request.frequency
    rows.append(("Frequency and duration", _frequency(freq.per_week, freq.weeks)))
    return [(label, one_line(value)) for label, value in rows]


_ASK: Final = (
    "I ask you to prescribe the treatment below. The patient's insurer pays for it "
    'only on a prescription that shows each item listed under "Please include". '
    "Please sign and return this page, or write a prescription of your own."
)


def rx_request(request: RxRequest, kind: str) -> str:
    """
    The Rx request letter as text or HTML.
    """
    rows = _rx_lines(request)
    needs = [_ITEMS[item.value] for item in request.requirements]
    if kind == "text":
        width = max(len(label) for label, _ in rows)
        lines = ["REQUEST FOR A PRESCRIPTION", ""]
        lines.extend(f"{label:<{width}}  {value}" for label, value in rows)
        lines.extend(["", *textwrap.wrap(_ASK, 78), "", "Please include:"])
        lines.extend(f"  [ ] {need}" for need in needs)
        lines.extend(
            [
                "",
                "Prescriber's signature: ______________________",
                "NPI: __________  Date: __________",
            ]
        )
        return "\n".join(lines) + "\n"
    body = "".join(f"<tr><th>{_escape(k)}</th><td>{_escape(v)}</td></tr>" for k, v in rows)
    items = "".join(f"<li>{_escape(need)}</li>" for need in needs)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Request for a prescription</title><style>{_STYLE}</style></head><body>"
        f"<h1>Request for a prescription</h1><table>{body}</table>"
        f"<p>{_escape(_ASK)}</p><h2>Please include</h2><ul>{items}</ul>"
        '<table class="sign"><tr><th>Prescriber\'s signature</th><td></td></tr>'
        "<tr><th>NPI</th><td></td></tr><tr><th>Date</th><td></td></tr></table>"
        "</body></html>"
    )


# --- the progress report -----------------------------------------------------------------


def _value(trend: MeasureTrend, value: int | None) -> str:
    return "-" if value is None else f"{value}{trend.measure.unit}"


def _goal_of(report: ProgressReport, trend: MeasureTrend) -> Goal | None:
    for progress_of in report.goals:
        if progress_of.goal.measure == trend.measure:
            return progress_of.goal
    return None


def _summary(report: ProgressReport) -> list[tuple[str, str]]:
    plan = report.plan
    rows = [
        ("Patient", plan.patient_id),
        ("Plan of care", f"{plan.id}, {_day(plan.starts_on)} to {_day(plan.ends_on)}"),
        ("Therapist", _provider(plan.therapist)),
        ("Prescriber", _provider(plan.prescriber)),
        ("Period", f"{_day(report.period_start)} to {_day(report.period_end)}"),
        ("Visits", f"{report.visits} of {plan.visits} planned"),
        ("Units", str(report.units)),
        ("Diagnoses", ", ".join(d.value for d in plan.diagnoses)),
    ]
    if plan.certification is not None:
        cert = plan.certification
        rows.append(("Certified", f"{_provider(cert.certified_by)} on {_day(cert.certified_on)}"))
    return [(label, one_line(value)) for label, value in rows]


def _goal_rows(report: ProgressReport) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for item in report.goals:
        goal = item.goal
        unit = goal.measure.unit
        latest = "-" if item.latest is None else f"{item.latest}{unit}"
        rows.append(
            (
                goal.measure.label,
                f"{goal.baseline}{unit}",
                f"{goal.target}{unit}" + ("" if goal.by is None else f" by {_day(goal.by)}"),
                latest,
                item.status.value.replace("_", " "),
            )
        )
    return rows


def _measure_rows(report: ProgressReport) -> list[tuple[str, str, str]]:
    return [
        (
            trend.measure.label,
            ", ".join(f"{_day(p.day)}: {_value(trend, p.value)}" for p in trend.points),
            trend.trend.value,
        )
        for trend in report.measures
    ]


def progress(report: ProgressReport, kind: str) -> str:
    """
    The progress report as text or HTML.
    """
    return _progress_text(report) if kind == "text" else _progress_html(report)


#: What a report says when no note of its period records a measure.
_NO_MEASURES: Final = "None recorded in the period's notes."


def _progress_text(report: ProgressReport) -> str:
    summary = _summary(report)
    width = max(len(label) for label, _ in summary)
    lines = ["PROGRESS REPORT", ""]
    lines.extend(f"{label:<{width}}  {value}" for label, value in summary)
    lines.extend(["", "Goals"])
    for measure, baseline, target, latest, status in _goal_rows(report):
        lines.append(f"  {measure}: from {baseline} to {target}; now {latest} ({status})")
    lines.extend(["", "Measures"])
    rows = _measure_rows(report)
    for measure, values, trend in rows:
        lines.append(f"  {measure} ({trend}): {values}")
    if not rows:
        lines.append(f"  {_NO_MEASURES}")
    if report.assessment is not None:
        lines.extend(["", "Assessment", f"  {one_line(report.assessment)}"])
    return "\n".join(lines) + "\n"


def _progress_html(report: ProgressReport) -> str:
    summary = "".join(
        f"<tr><th>{_escape(k)}</th><td>{_escape(v)}</td></tr>" for k, v in _summary(report)
    )
    goals = "".join(
        "<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in row) + "</tr>"
        for row in _goal_rows(report)
    )
    rows = "".join(
        "<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in row) + "</tr>"
        for row in _measure_rows(report)
    )
    measures = (
        f"<table><tr><th>Measure</th><th>Values by visit</th><th>Trend</th></tr>{rows}</table>"
        if rows
        else f"<p>{_NO_MEASURES}</p>"
    )
    charts = "".join(
        f"<h2>{_escape(trend.measure.label)}</h2>{chart(trend, _goal_of(report, trend))}"
        for trend in report.measures
        if trend.measure.kind is not MeasureKind.FUNCTION
    )
    assessment = (
        ""
        if report.assessment is None
        else f"<h2>Assessment</h2><p>{_escape(report.assessment)}</p>"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Progress report</title><style>{_STYLE}</style></head><body>"
        f"<h1>Progress report</h1><table>{summary}</table>"
        "<h2>Goals</h2><table><tr><th>Measure</th><th>Baseline</th><th>Target</th>"
        f"<th>Latest</th><th>Status</th></tr>{goals}</table>"
        f"<h2>Measures</h2>{measures}{charts}{assessment}</body></html>"
    )


def chart(trend: MeasureTrend, goal: Goal | None) -> str:
    """
    One measure over the visits as an SVG chart, with the goal's target as a dashed line.
    """
    values = [p.value for p in trend.points]
    if goal is not None:
        values.extend((goal.target, goal.baseline))
    low, high = min(values), max(values)
    if trend.measure.kind is MeasureKind.PAIN:
        low, high = 0, 10
    if high == low:
        high = low + 1
    days = [p.day for p in trend.points]
    first, span = days[0], max((days[-1] - days[0]).days, 1)
    inner_w = _WIDTH - _LEFT - _RIGHT
    inner_h = _HEIGHT - _TOP - _BOTTOM

    def x(day: date) -> float:
        if len(days) == 1:
            return _LEFT + inner_w / 2
        return _LEFT + inner_w * (day - first).days / span

    def y(value: int) -> float:
        return _TOP + inner_h * (high - value) / (high - low)

    points = " ".join(f"{x(p.day):.1f},{y(p.value):.1f}" for p in trend.points)
    dots = "".join(
        f'<circle cx="{x(p.day):.1f}" cy="{y(p.value):.1f}" r="3" fill="#1f4e9c"/>'
        for p in trend.points
    )
    bottom = _TOP + inner_h
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
            f'viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
            f'aria-label="{_escape(trend.measure.label)} over the visits">'
        ),
        f'<path d="M{_LEFT},{_TOP} V{bottom} H{_WIDTH - _RIGHT}" stroke="#000" fill="none"/>',
        f'<text x="{_LEFT - 4}" y="{_TOP + 4}" text-anchor="end" font-size="9">{high}</text>',
        f'<text x="{_LEFT - 4}" y="{bottom}" text-anchor="end" font-size="9">{low}</text>',
        f'<text x="{_LEFT}" y="{_HEIGHT - 8}" font-size="9">{_day(days[0])}</text>',
        (
            f'<text x="{_WIDTH - _RIGHT}" y="{_HEIGHT - 8}" text-anchor="end" font-size="9">'
            f"{_day(days[-1])}</text>"
        ),
    ]
    if goal is not None:
        gy = y(goal.target)
        parts.append(
            f'<path d="M{_LEFT},{gy:.1f} H{_WIDTH - _RIGHT}" stroke="#2a8a2a" '
            'stroke-dasharray="6 4" fill="none"/>'
            f'<text x="{_WIDTH - _RIGHT}" y="{gy - 3:.1f}" text-anchor="end" font-size="9" '
            f'fill="#2a8a2a">goal {goal.target}{_escape(trend.measure.unit)}</text>'
        )
    parts.append(
        f'<polyline points="{points}" stroke="#1f4e9c" stroke-width="2" fill="none"/>{dots}</svg>'
    )
    return "".join(parts)
