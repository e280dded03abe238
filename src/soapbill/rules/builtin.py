"""
The built-in rules, one small pure function each, with a stable id.

:data:`BUILTIN_RULES` lists them in the order :func:`~soapbill.rules.evaluate`
runs them (and sorts their findings). Each does nothing unless the policy
switches it on; docs/guide/rules.md documents each with its source and an
example. The ids are public API:

==============================  ========  =============================================
id                              severity  switched on by
==============================  ========  =============================================
``coverage.inactive``           error     always
``coverage.wrong_payer``        error     ``payer_id``, ``plan_types``
``rx.required``                 error     ``rx_required``
``rx.expired``                  error     ``rx_required``
``rx.not_yet_valid``            error     ``rx_required``
``rx.visits_exhausted``         error     ``rx_required``
``rx.prescriber_not_accepted``  error     ``rx_required`` + ``prescriber_credentials``
``rx.diagnosis_mismatch``       error     ``rx_required``
``rx.code_not_ordered``         error     ``rx_required``
``provider.not_covered``        error     ``covered_credentials``
``code.not_covered``            error     ``covered_codes``
``code.bundled``                warning   ``bundled_codes``
``diagnosis.not_billable``      error     always (with a diagnosis table)
``diagnosis.not_checked``       info      always
``units.exceed_limit``          error     ``units_per_day``, ``mue_limits``
``mue.not_checked``             info      ``mue_limits``
``units.unsupported_by_note``   error     a note for the date of service
``ncci.conflict``               error     ``ptp_edits``
``modifier.missing``            error     ``modifier_requirements``
``note.missing``                error     ``signed_note_required``
``note.unsigned``               error     ``signed_note_required``
``visits.annual_limit``         error     ``visits_per_year``
``filing.late``                 error     ``timely_filing_days`` / ``_months``
``auth.missing``                error     ``prior_authorization``
``kx.required``                 error     ``kx_thresholds``
``kx.not_checked``              info      ``kx_thresholds``
==============================  ========  =============================================

The ``*.not_checked`` rules say that a check could not be made for want of
data (no diagnosis table, no MUE value for a code, no KX threshold for a
year): a check not made is never reported as passed.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Final

from soapbill.billing.edits import Discipline, ModifierIndicator, MueStatus, needs_kx
from soapbill.billing.units import UNIT_MINUTES, UnitMethod, allocate_units
from soapbill.claims import AttachmentKind, Claim
from soapbill.codes.cpt import DEFAULT_CATALOG, CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.modifiers import Modifier
from soapbill.prescriptions import Prescription
from soapbill.rules.diagnoses import DiagnosisStatus, DiagnosisVerdict
from soapbill.rules.engine import Context, Finding, Rule, Severity, rule
from soapbill.soap import SoapNote

__all__ = [
    "AUTH_MISSING",
    "BUILTIN_IDS",
    "BUILTIN_RULES",
    "CODE_BUNDLED",
    "CODE_NOT_COVERED",
    "COVERAGE_INACTIVE",
    "COVERAGE_WRONG_PAYER",
    "DIAGNOSIS_NOT_BILLABLE",
    "DIAGNOSIS_NOT_CHECKED",
    "FILING_LATE",
    "KX_NOT_CHECKED",
    "KX_REQUIRED",
    "MODIFIER_MISSING",
    "MUE_NOT_CHECKED",
    "NCCI_CONFLICT",
    "NOTE_MISSING",
    "NOTE_UNSIGNED",
    "PROVIDER_NOT_COVERED",
    "RX_CODE_NOT_ORDERED",
    "RX_DIAGNOSIS_MISMATCH",
    "RX_EXPIRED",
    "RX_NOT_YET_VALID",
    "RX_PRESCRIBER_NOT_ACCEPTED",
    "RX_REQUIRED",
    "RX_VISITS_EXHAUSTED",
    "UNITS_EXCEED_LIMIT",
    "UNITS_UNSUPPORTED_BY_NOTE",
    "VISITS_ANNUAL_LIMIT",
    "auth_missing",
    "code_bundled",
    "code_not_covered",
    "coverage_inactive",
    "coverage_wrong_payer",
    "diagnosis_not_billable",
    "diagnosis_not_checked",
    "filing_late",
    "kx_not_checked",
    "kx_required",
    "modifier_missing",
    "mue_not_checked",
    "ncci_conflict",
    "note_missing",
    "note_unsigned",
    "provider_not_covered",
    "rx_code_not_ordered",
    "rx_diagnosis_mismatch",
    "rx_expired",
    "rx_not_yet_valid",
    "rx_prescriber_not_accepted",
    "rx_required",
    "rx_visits_exhausted",
    "units_exceed_limit",
    "units_unsupported_by_note",
    "visits_annual_limit",
]

COVERAGE_INACTIVE: Final = "coverage.inactive"
COVERAGE_WRONG_PAYER: Final = "coverage.wrong_payer"
RX_REQUIRED: Final = "rx.required"
RX_EXPIRED: Final = "rx.expired"
RX_NOT_YET_VALID: Final = "rx.not_yet_valid"
RX_VISITS_EXHAUSTED: Final = "rx.visits_exhausted"
RX_PRESCRIBER_NOT_ACCEPTED: Final = "rx.prescriber_not_accepted"
RX_DIAGNOSIS_MISMATCH: Final = "rx.diagnosis_mismatch"
RX_CODE_NOT_ORDERED: Final = "rx.code_not_ordered"
PROVIDER_NOT_COVERED: Final = "provider.not_covered"
CODE_NOT_COVERED: Final = "code.not_covered"
CODE_BUNDLED: Final = "code.bundled"
DIAGNOSIS_NOT_BILLABLE: Final = "diagnosis.not_billable"
DIAGNOSIS_NOT_CHECKED: Final = "diagnosis.not_checked"
UNITS_EXCEED_LIMIT: Final = "units.exceed_limit"
MUE_NOT_CHECKED: Final = "mue.not_checked"
UNITS_UNSUPPORTED_BY_NOTE: Final = "units.unsupported_by_note"
NCCI_CONFLICT: Final = "ncci.conflict"
MODIFIER_MISSING: Final = "modifier.missing"
NOTE_MISSING: Final = "note.missing"
NOTE_UNSIGNED: Final = "note.unsigned"
VISITS_ANNUAL_LIMIT: Final = "visits.annual_limit"
FILING_LATE: Final = "filing.late"
AUTH_MISSING: Final = "auth.missing"
KX_REQUIRED: Final = "kx.required"
KX_NOT_CHECKED: Final = "kx.not_checked"

_ERROR: Final = Severity.ERROR
_WARNING: Final = Severity.WARNING
_INFO: Final = Severity.INFO


# --- wording ---------------------------------------------------------------------------


def _join(words: Sequence[str], conjunction: str = "and") -> str:
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _lines(indices: Sequence[int]) -> str:
    # Messages count lines from 1, as the claim form does; paths index from 0.
    numbers = [str(i + 1) for i in indices]
    return f"line {numbers[0]}" if len(numbers) == 1 else f"lines {_join(numbers)}"


def _their(indices: Sequence[int]) -> str:
    return "its" if len(indices) == 1 else "their"


def _words(values: Iterable[object]) -> str:
    return _join([str(v) for v in values])


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _by_date(context: Context) -> Mapping[date, tuple[int, ...]]:
    """
    The claim's line indices grouped by date of service, in date order.
    """

    def compute(ctx: Context) -> Mapping[date, tuple[int, ...]]:
        groups: dict[date, list[int]] = {}
        for i, line in enumerate(ctx.claim.lines):
            groups.setdefault(line.date_of_service, []).append(i)
        return {day: tuple(groups[day]) for day in sorted(groups)}

    return context.memo("lines_by_date", compute)


# --- coverage --------------------------------------------------------------------------


@rule(COVERAGE_INACTIVE)
def coverage_inactive(context: Context) -> Iterator[Finding]:
    """
    The coverage is not in force on a date of service.

    Source: the coverage's own start and end dates (``Coverage.is_active``).
    """
    coverage = context.claim.coverage
    if coverage.start is None and coverage.end is None:
        return
    for day, indices in _by_date(context).items():
        if not coverage.is_active(day):
            yield Finding(
                rule=COVERAGE_INACTIVE,
                severity=_ERROR,
                message=f"{_lines(indices)}: the coverage is not in force on "
                f"{_their(indices)} date of service",
                path=f"lines[{indices[0]}].date_of_service",
                fix="bill the coverage in force on that date, or the patient",
            )


@rule(COVERAGE_WRONG_PAYER)
def coverage_wrong_payer(context: Context) -> Iterator[Finding]:
    """
    The policy is not the claim's payer's, or not for its plan type.

    Source: the payer id of 837P loop 2010BB (DOMAIN.md 5.2), as the
    claim's ``coverage.payer.id``.
    """
    policy, coverage = context.policy, context.claim.coverage
    if policy.payer_id is not None and coverage.payer.id != policy.payer_id:
        yield Finding(
            rule=COVERAGE_WRONG_PAYER,
            severity=_ERROR,
            message=f"the policy applies to payer id {policy.payer_id}, not to the claim's payer",
            path="coverage.payer.id",
            fix="check the claim against its own payer's policy",
        )
    plan_types = policy._index.plan_types  # noqa: SLF001 - the policy's own lookups
    if plan_types is not None and coverage.plan_type not in plan_types:
        allowed = _words(sorted(str(t) for t in plan_types))
        yield Finding(
            rule=COVERAGE_WRONG_PAYER,
            severity=_ERROR,
            message=f"the policy applies to plan type {allowed}, not {coverage.plan_type}",
            path="coverage.plan_type",
            fix="check the claim against the policy of its plan type",
        )


# --- prescriptions ---------------------------------------------------------------------

_RX_ORDER: Final = (
    RX_VISITS_EXHAUSTED,
    RX_PRESCRIBER_NOT_ACCEPTED,
    RX_DIAGNOSIS_MISMATCH,
    RX_CODE_NOT_ORDERED,
)


def _rx_failures(ctx: Context, rx: Prescription, i: int) -> list[Finding]:
    """
    What keeps *rx* (valid on the line's date) from covering line *i*.
    """
    claim, policy = ctx.claim, ctx.policy
    line = claim.lines[i]
    day = line.date_of_service
    failures = []
    if rx.visits_authorized is not None:
        # Every visit from the day the prescription was written through this
        # date counts against it (a visit is a date of service, Context).
        used = ctx.count_visits(rx.written_on, day)
        if used > rx.visits_authorized:
            failures.append(
                Finding(
                    rule=RX_VISITS_EXHAUSTED,
                    severity=_ERROR,
                    message=f"line {i + 1}: the prescription allows "
                    f"{_plural(rx.visits_authorized, 'visit')}; this is visit {used}",
                    path=f"lines[{i}].date_of_service",
                    fix="get a new prescription, or more visits on this one",
                )
            )
    accepted = policy._index.prescriber_credentials  # noqa: SLF001 - the policy's own lookups
    if accepted is not None and rx.prescriber.credential not in accepted:
        credential = rx.prescriber.credential or "no credential"
        failures.append(
            Finding(
                rule=RX_PRESCRIBER_NOT_ACCEPTED,
                severity=_ERROR,
                message=f"line {i + 1}: the prescriber ({credential}) is not accepted; "
                f"the policy accepts {_words(sorted(str(c) for c in accepted))}",
                path=f"lines[{i}]",
                fix="get the prescription from an accepted prescriber",
            )
        )
    line_diagnoses = claim.line_diagnoses(i)
    if not set(line_diagnoses).intersection(rx.diagnoses):
        failures.append(
            Finding(
                rule=RX_DIAGNOSIS_MISMATCH,
                severity=_ERROR,
                message=f"line {i + 1}: the prescription names none of its diagnoses "
                f"({_words(line_diagnoses)})",
                path=f"lines[{i}].diagnosis_pointers",
                fix=f"point line {i + 1} at a diagnosis the prescription names, "
                "or get a prescription for this diagnosis",
            )
        )
    if not rx.covers(line.code):
        failures.append(
            Finding(
                rule=RX_CODE_NOT_ORDERED,
                severity=_ERROR,
                message=f"line {i + 1}: the prescription does not order {line.code}",
                path=f"lines[{i}].code",
                fix=f"get a prescription that orders {line.code}",
            )
        )
    return failures


def _rx_key(failures: list[Finding]) -> tuple[int, tuple[tuple[int, str], ...]]:
    # Fewest failures first; among equals, the findings themselves decide, so
    # the choice never depends on the order of the prescriptions.
    return len(failures), tuple((_RX_ORDER.index(f.rule), f.message) for f in failures)


def _rx_findings(ctx: Context) -> Mapping[str, list[Finding]]:
    """
    Every prescription finding, by rule id, computed once per evaluation.

    A line is covered by any prescription valid on its date of service. When
    none is valid, the date gets ``rx.required`` (none on file),
    ``rx.expired`` (one expired before it) or ``rx.not_yet_valid`` (one was
    written after it). Otherwise each line is judged against the valid
    prescription that serves it best (fewest problems): it is covered when
    one has no problem at all.
    """
    found: dict[str, list[Finding]] = {}
    if not ctx.policy.rx_required:
        return found
    default_days = ctx.policy.rx_default_valid_days
    rxs = ctx.prescriptions
    for day, indices in _by_date(ctx).items():
        valid = [rx for rx in rxs if rx.is_valid_on(day, default_days)]
        if not valid:
            missing = _no_rx_finding(rxs, day, indices)
            found.setdefault(missing.rule, []).append(missing)
            continue
        for i in indices:
            best = min((_rx_failures(ctx, rx, i) for rx in valid), key=_rx_key)
            for failure in best:
                found.setdefault(failure.rule, []).append(failure)
    return found


def _no_rx_finding(rxs: tuple[Prescription, ...], day: date, indices: tuple[int, ...]) -> Finding:
    path = f"lines[{indices[0]}].date_of_service"
    where = _lines(indices)
    if any(rx.written_on <= day for rx in rxs):
        # Written on or before the date and not valid on it: expired.
        return Finding(
            rule=RX_EXPIRED,
            severity=_ERROR,
            message=f"{where}: the prescription on file expired before "
            f"{_their(indices)} date of service",
            path=path,
            fix="get a new prescription",
        )
    if rxs:
        return Finding(
            rule=RX_NOT_YET_VALID,
            severity=_ERROR,
            message=f"{where}: the prescription on file was written after "
            f"{_their(indices)} date of service",
            path=path,
            fix="check the date of service, or get a prescription that covers it",
        )
    return Finding(
        rule=RX_REQUIRED,
        severity=_ERROR,
        message=f"{where}: the policy requires a prescription and none is on file",
        path=path,
        fix="add the prescription to the prescriptions on file",
    )


# Sources of the prescription rules: payers that pay massage only with a
# prescription naming diagnosis, sessions and duration (Regence via
# massageseattle, DOMAIN.md 7.2; PIP payers, 7.3); WA L&I's written orders of
# the attending doctor, PA or NP (WAC 296-23-250, 7.2); Medicare's plan of
# care, certified for at most 90 days and never by a chiropractor (3.4).
def _rx_rule(rule_id: str, doc: str) -> Rule:
    def check(context: Context) -> list[Finding]:
        return context.memo("rx", _rx_findings).get(rule_id, [])

    check.__name__ = check.__qualname__ = rule_id.replace(".", "_")
    check.__doc__ = doc
    return rule(rule_id)(check)


rx_required = _rx_rule(RX_REQUIRED, "No prescription is on file for a date of service.")
rx_expired = _rx_rule(RX_EXPIRED, "The prescription expired before a date of service.")
rx_not_yet_valid = _rx_rule(
    RX_NOT_YET_VALID, "The prescription was written after a date of service."
)
rx_visits_exhausted = _rx_rule(
    RX_VISITS_EXHAUSTED, "The visits a prescription authorises are used up."
)
rx_prescriber_not_accepted = _rx_rule(
    RX_PRESCRIBER_NOT_ACCEPTED, "The prescriber's credential is not accepted by the policy."
)
rx_diagnosis_mismatch = _rx_rule(
    RX_DIAGNOSIS_MISMATCH, "The prescription names none of a line's diagnoses."
)
rx_code_not_ordered = _rx_rule(
    RX_CODE_NOT_ORDERED, "The prescription does not order a line's procedure code."
)


# --- provider and codes ----------------------------------------------------------------


@rule(PROVIDER_NOT_COVERED)
def provider_not_covered(context: Context) -> Iterator[Finding]:
    """
    The rendering provider's credential is not covered (is an LMT covered?).

    Sources: WA's "Every Category" law covers licensed massage therapists
    (DOMAIN.md 7.2); that Original Medicare does not enroll them is an
    unsourced recollection there (7.1), kept as policy data.
    """
    covered = context.policy._index.covered_credentials  # noqa: SLF001 - the policy's own lookups
    if covered is None:
        return
    claim = context.claim
    provider = claim.treating_provider
    which = "rendering_provider" if claim.rendering_provider is not None else "billing_provider"
    allowed = _words(sorted(str(c) for c in covered))
    if provider.credential is None:
        yield Finding(
            rule=PROVIDER_NOT_COVERED,
            severity=_ERROR,
            message=f"the rendering provider has no credential; the policy covers {allowed}",
            path=f"{which}.credential",
            fix="name the rendering provider, with their credential",
        )
    elif provider.credential not in covered:
        yield Finding(
            rule=PROVIDER_NOT_COVERED,
            severity=_ERROR,
            message=f"the rendering provider's credential ({provider.credential}) is not "
            f"covered; the policy covers {allowed}",
            path=f"{which}.credential",
            fix="have a covered provider render the service, or bill the patient",
        )


@rule(CODE_NOT_COVERED)
def code_not_covered(context: Context) -> Iterator[Finding]:
    """
    A line's procedure code is not among the policy's covered codes.

    Sources: payer policy decides what a massage therapist bills (DOMAIN.md
    7.1); Medicare does not recognise 97014 (DOMAIN.md 2).
    """
    covered = context.policy._index.covered_codes  # noqa: SLF001 - the policy's own lookups
    if covered is None:
        return
    for i, line in enumerate(context.claim.lines):
        if line.code not in covered:
            yield Finding(
                rule=CODE_NOT_COVERED,
                severity=_ERROR,
                message=f"line {i + 1}: the policy does not cover {line.code}",
                path=f"lines[{i}].code",
                fix=f"remove line {i + 1}, or bill the patient for it",
            )


@rule(CODE_BUNDLED)
def code_bundled(context: Context) -> Iterator[Finding]:
    """
    A line's code is never paid separately (Medicare status B: 97010).

    Source: MPFS status indicator B, "always included in payment for other
    services" (Palmetto GBA; Pub 100-04 Ch. 23 §30.2.2; DOMAIN.md 2). A
    warning: the claim goes, the line is not paid.
    """
    bundled = context.policy._index.bundled_codes  # noqa: SLF001 - the policy's own lookups
    if not bundled:
        return
    for i, line in enumerate(context.claim.lines):
        if line.code in bundled:
            yield Finding(
                rule=CODE_BUNDLED,
                severity=_WARNING,
                message=f"line {i + 1}: {line.code} is never paid separately; its payment "
                "is included in the other services of the date",
                path=f"lines[{i}].code",
                fix=f"remove line {i + 1}",
            )


# --- diagnoses -------------------------------------------------------------------------

_WHY_NOT: Final = {
    DiagnosisStatus.HEADER: "is a category, not a billable code",
    DiagnosisStatus.NOT_YET_VALID: "is not yet in force on the date of service",
    DiagnosisStatus.DELETED: "is no longer in force on the date of service",
    DiagnosisStatus.INVALID: "is not an ICD-10-CM code",
}


def _diagnosis_findings(ctx: Context) -> Mapping[str, list[Finding]]:
    """
    The diagnosis findings, by rule id, computed once per evaluation.

    Each diagnosis is checked on the dates of service of the lines that point
    at it (on the claim's first date when none does).
    """
    claim, table = ctx.claim, ctx.diagnosis_table
    if table is None:
        return {
            DIAGNOSIS_NOT_CHECKED: [
                Finding(
                    rule=DIAGNOSIS_NOT_CHECKED,
                    severity=_INFO,
                    message="diagnoses not checked: no diagnosis table was given",
                    path="diagnoses",
                    fix="pass a diagnosis table, such as "
                    "soapbill.rules.diagnoses.MASSAGE_DIAGNOSES",
                )
            ]
        }
    days: dict[int, set[date]] = {}
    for line in claim.lines:
        for pointer in line.diagnosis_pointers:
            days.setdefault(pointer - 1, set()).add(line.date_of_service)
    first_day = min(line.date_of_service for line in claim.lines)
    found: dict[str, list[Finding]] = {}
    for j, code in enumerate(claim.diagnoses):
        verdicts = [table.check(code, day) for day in sorted(days.get(j, {first_day}))]
        bad = next((v for v in verdicts if v.status not in _KNOWN_GOOD), None)
        if bad is not None:
            finding = _not_billable(j, code, bad)
        elif any(v.status is DiagnosisStatus.UNKNOWN for v in verdicts):
            finding = Finding(
                rule=DIAGNOSIS_NOT_CHECKED,
                severity=_INFO,
                message=f"diagnosis {j + 1} ({code}) not checked: "
                "the diagnosis table does not know it",
                path=f"diagnoses[{j}]",
            )
        else:
            continue
        found.setdefault(finding.rule, []).append(finding)
    return found


_KNOWN_GOOD: Final = frozenset({DiagnosisStatus.BILLABLE, DiagnosisStatus.UNKNOWN})


def _not_billable(j: int, code: DiagnosisCode, verdict: DiagnosisVerdict) -> Finding:
    fix = "use a code billable on the date of service"
    if verdict.use_instead:
        fix = f"use a more specific code: {_join([str(c) for c in verdict.use_instead], 'or')}"
    return Finding(
        rule=DIAGNOSIS_NOT_BILLABLE,
        severity=_ERROR,
        message=f"diagnosis {j + 1} ({code}) {_WHY_NOT[verdict.status]}",
        path=f"diagnoses[{j}]",
        fix=fix,
    )


@rule(DIAGNOSIS_NOT_BILLABLE)
def diagnosis_not_billable(context: Context) -> list[Finding]:
    """
    A diagnosis is not billable on the date of service, per the diagnosis table.

    Not billable: a header, not yet valid, deleted or invalid. Source:
    ICD-10-CM validity is date-dependent (DOMAIN.md 6.1); the dated changes
    are in :mod:`soapbill.rules.diagnoses` (DOMAIN.md 6.2).
    """
    return context.memo("diagnoses", _diagnosis_findings).get(DIAGNOSIS_NOT_BILLABLE, [])


@rule(DIAGNOSIS_NOT_CHECKED)
def diagnosis_not_checked(context: Context) -> list[Finding]:
    """
    A diagnosis could not be checked: no table, or the table does not know it.

    A check not made is never reported as passed.
    """
    return context.memo("diagnoses", _diagnosis_findings).get(DIAGNOSIS_NOT_CHECKED, [])


# --- units -----------------------------------------------------------------------------


def _units_by_code(claim: Claim, indices: Iterable[int]) -> dict[CptCode, list[int]]:
    groups: dict[CptCode, list[int]] = {}
    for i in indices:
        groups.setdefault(claim.lines[i].code, []).append(i)
    return groups


def _mue_results(ctx: Context) -> tuple[list[Finding], list[Finding]]:
    """
    The MUE findings: (over the limit, not checked), computed once.
    """
    limits = ctx.policy._index.mue_limits  # noqa: SLF001 - the policy's own lookups
    over: list[Finding] = []
    unchecked: list[Finding] = []
    if limits is None:
        return over, unchecked
    for result in limits.check(ctx.claim.lines):
        indices = result.line_indices
        path = f"lines[{indices[0]}].units"
        if result.status is MueStatus.OVER_LIMIT and result.limit is not None:
            most = result.limit.max_units
            over.append(
                Finding(
                    rule=UNITS_EXCEED_LIMIT,
                    severity=_ERROR,
                    message=f"{_lines(indices)}: {_plural(result.units, 'unit')} of "
                    f"{result.code}; its MUE allows {most}",
                    path=path,
                    fix=f"bill at most {_plural(most, 'unit')} of {result.code}",
                )
            )
        elif result.status is MueStatus.NOT_CHECKED:
            unchecked.append(
                Finding(
                    rule=MUE_NOT_CHECKED,
                    severity=_INFO,
                    message=f"{_lines(indices)}: MUE not checked: "
                    f"the policy has no MUE value for {result.code}",
                    path=path,
                )
            )
    return over, unchecked


@rule(UNITS_EXCEED_LIMIT)
def units_exceed_limit(context: Context) -> Iterator[Finding]:
    """
    More units of a code on a date than the policy's limit or the code's MUE.

    Source: Medically Unlikely Edits, per date of service for MAI 2 and 3,
    per line for MAI 1 (DOMAIN.md 3.3); payer limits such as 97124 beyond
    one unit a day being "highly scrutinized" (7.1).
    """
    limits = context.policy._index.units_per_day  # noqa: SLF001 - the policy's own lookups
    if limits:
        claim = context.claim
        for indices in _by_date(context).values():
            for code, same in _units_by_code(claim, indices).items():
                most = limits.get(code)
                units = sum(claim.lines[i].units for i in same)
                if most is not None and units > most:
                    yield Finding(
                        rule=UNITS_EXCEED_LIMIT,
                        severity=_ERROR,
                        message=f"{_lines(same)}: {_plural(units, 'unit')} of {code} on one "
                        f"date; the policy pays at most {most}",
                        path=f"lines[{same[0]}].units",
                        fix=f"bill at most {_plural(most, 'unit')} of {code} a date",
                    )
    yield from context.memo("mue", _mue_results)[0]


@rule(MUE_NOT_CHECKED)
def mue_not_checked(context: Context) -> list[Finding]:
    """
    The policy applies MUE values but has none for a billed code.

    CMS keeps some MUE values confidential (DOMAIN.md 3.3): a code without
    one is not checked, never "within the limit".
    """
    return context.memo("mue", _mue_results)[1]


_METHOD_WORDS: Final = {
    UnitMethod.CMS: "the CMS 8-minute rule",
    UnitMethod.PER_CODE: "the per-code rule",
}


def _supported(
    minutes: Mapping[CptCode, int], units: Mapping[CptCode, int], method: UnitMethod
) -> tuple[dict[CptCode, int], dict[int, tuple[int, list[CptCode]]]]:
    """
    The most units of each code that *minutes* support, and the tie classes.

    Under the CMS rule, units left after the full 15-minute blocks go to the
    largest leftovers, and a tie between equal leftovers "is legitimately
    either" (DOMAIN.md 1.4 step 5): billing.units breaks ties one way, a
    claim may break them the other. So each code whose leftover ties with a
    code that got an extra unit may also take one, as long as each tie class
    takes no more extra units than it got: the second value maps a leftover
    to (the extra units its class got, its codes).
    """
    most = dict(units)
    classes: dict[int, tuple[int, list[CptCode]]] = {}
    if method is not UnitMethod.CMS:
        return most, classes
    for code, count in units.items():
        if not DEFAULT_CATALOG[code].timed:
            continue
        left = minutes[code] % UNIT_MINUTES
        if left:
            extra, codes = classes.get(left, (0, []))
            classes[left] = (extra + count - minutes[code] // UNIT_MINUTES, [*codes, code])
    for extra, codes in classes.values():
        if extra:
            for code in codes:
                most[code] = minutes[code] // UNIT_MINUTES + 1
    return most, classes


@rule(UNITS_UNSUPPORTED_BY_NOTE)
def units_unsupported_by_note(context: Context) -> Iterator[Finding]:
    """
    More units billed than the note's minutes support under the unit method.

    Runs on every date of service with a note on file; the minutes of all
    notes of the date are added up by code. Codes the catalogue does not know
    are not checked. Source: the CMS 8-minute rule (Pub 100-04 Ch. 5 §20.2)
    and the AMA per-code rule (DOMAIN.md 1.1-1.4), computed by
    :func:`soapbill.billing.units.allocate_units`.
    """
    for day, indices in _by_date(context).items():
        notes = context.notes_on(day)
        if notes:
            yield from _note_units(context, notes, indices)


def _note_minutes(notes: tuple[SoapNote, ...]) -> dict[CptCode, int]:
    minutes: dict[CptCode, int] = {}
    for note in notes:
        for treatment in note.treatments:
            if treatment.code in DEFAULT_CATALOG:
                minutes[treatment.code] = minutes.get(treatment.code, 0) + treatment.minutes
    return minutes


def _note_units(
    context: Context, notes: tuple[SoapNote, ...], indices: tuple[int, ...]
) -> Iterator[Finding]:
    claim, method = context.claim, context.policy.unit_method
    minutes = _note_minutes(notes)
    allocation = allocate_units(minutes, method=method)
    most, classes = _supported(minutes, allocation.units, method)
    billed = _units_by_code(claim, indices)
    extra_billed: dict[int, list[CptCode]] = {}
    for code, same in billed.items():
        if code not in DEFAULT_CATALOG:
            continue
        units = sum(claim.lines[i].units for i in same)
        allowed = most.get(code, 0)
        if units > allowed:
            yield _unsupported(same, code, units, allowed=allowed, minutes=minutes, method=method)
        elif (
            code in minutes
            and minutes[code] % UNIT_MINUTES in classes
            and units > minutes[code] // UNIT_MINUTES
        ):
            # A code of a tie class billed above its full blocks takes one of
            # the class's extra units.
            extra_billed.setdefault(minutes[code] % UNIT_MINUTES, []).append(code)
    for left, codes in sorted(extra_billed.items()):
        extra, _ = classes[left]
        if len(codes) > extra:
            same = sorted(i for code in codes for i in billed[code])
            yield Finding(
                rule=UNITS_UNSUPPORTED_BY_NOTE,
                severity=_ERROR,
                message=f"{_lines(same)}: {_words(sorted(codes))} each take an extra unit "
                f"for {_plural(left, 'leftover minute')}; under {_METHOD_WORDS[method]} "
                f"the note's minutes support {_plural(extra, 'extra unit')} among them",
                path=f"lines[{same[0]}].units",
                fix=f"bill {_plural(extra, 'extra unit')} among {_words(sorted(codes))}",
            )


def _unsupported(
    same: list[int],
    code: CptCode,
    units: int,
    *,
    allowed: int,
    minutes: Mapping[CptCode, int],
    method: UnitMethod,
) -> Finding:
    if code not in minutes:
        why = f"the note records no {code}"
    else:
        why = (
            f"the note's {_plural(minutes[code], 'minute')} support "
            f"{_plural(allowed, 'unit')} under {_METHOD_WORDS[method]}"
        )
    fix = f"remove {_lines(same)}" if allowed == 0 else f"bill {_plural(allowed, 'unit')} of {code}"
    return Finding(
        rule=UNITS_UNSUPPORTED_BY_NOTE,
        severity=_ERROR,
        message=f"{_lines(same)}: {_plural(units, 'unit')} of {code} billed; {why}",
        path=f"lines[{same[0]}].units",
        fix=fix,
    )


# --- edits and modifiers ---------------------------------------------------------------


@rule(NCCI_CONFLICT)
def ncci_conflict(context: Context) -> Iterator[Finding]:
    """
    Two lines of one date form an NCCI pair, and nothing bypasses the edit.

    The column-2 line is denied unless the edit allows a modifier and the line
    carries 59, XE, XS, XP or XU. Source: CMS MLN1783722 and the pairs of
    DOMAIN.md 3.1-3.2, checked by :class:`soapbill.billing.edits.PtpEdits`.
    """
    edits = context.policy._index.ptp_edits  # noqa: SLF001 - the policy's own lookups
    if edits is None:
        return
    for conflict in edits.check(context.claim.lines):
        if conflict.bypassed:
            continue
        n, m = conflict.line_index + 1, conflict.column1_index + 1
        if conflict.indicator is ModifierIndicator.ALLOWED:
            # MLN1783722 via DOMAIN.md 3.1: 59 or X{EPSU} on the column-2 code,
            # for timed codes only when done in distinct 15-minute blocks.
            fix = (
                f"if the services were distinct (a separate region, encounter or time block), "
                f"add modifier 59 (or XE, XS, XP, XU) to line {n}"
            )
        else:
            fix = f"remove line {n}: no modifier bypasses this edit"
        yield Finding(
            rule=NCCI_CONFLICT,
            severity=_ERROR,
            message=f"line {n} ({conflict.column2}) is paired with line {m} "
            f"({conflict.column1}) by an NCCI edit: {conflict.column2} is denied",
            path=f"lines[{conflict.line_index}].modifiers",
            fix=fix,
        )


@rule(MODIFIER_MISSING)
def modifier_missing(context: Context) -> Iterator[Finding]:
    """
    A line lacks a modifier the policy requires for its code (GP, ...).

    Source: GP, GO or GN on every line of an "always therapy" code for
    Medicare, and GP asked by commercial payers on 97124 and 97140
    (DOMAIN.md 3.4).
    """
    requirements = context.policy._index.modifier_requirements  # noqa: SLF001
    if not requirements:
        return
    for i, line in enumerate(context.claim.lines):
        for codes, requirement in requirements:
            if codes is not None and line.code not in codes:
                continue
            wanted = requirement.any_of
            if any(m in line.modifiers for m in wanted):
                continue
            if len(wanted) == 1:
                need, fix = f"modifier {wanted[0]}", f"add modifier {wanted[0]} to line {i + 1}"
            else:
                need = f"one of the modifiers {_join([str(m) for m in wanted], 'or')}"
                fix = f"add one of {_join([str(m) for m in wanted], 'or')} to line {i + 1}"
            yield Finding(
                rule=MODIFIER_MISSING,
                severity=_ERROR,
                message=f"line {i + 1} ({line.code}) needs {need}",
                path=f"lines[{i}].modifiers",
                fix=fix,
            )


# --- notes -----------------------------------------------------------------------------


@rule(NOTE_MISSING)
def note_missing(context: Context) -> Iterator[Finding]:
    """
    A signed SOAP note is required, and one is missing.

    Source: PIP payers want chart notes attached (DOMAIN.md 7.3). Either a
    date of service has no note on file, or the claim carries no
    SOAP-note attachment.
    """
    if not context.policy.signed_note_required:
        return
    claim = context.claim
    if not any(a.kind is AttachmentKind.SOAP_NOTE for a in claim.attachments):
        yield Finding(
            rule=NOTE_MISSING,
            severity=_ERROR,
            message="the policy wants the signed SOAP note attached, and the claim has "
            "no SOAP-note attachment",
            path="attachments",
            fix="attach the signed SOAP note (an attachment of kind soap_note)",
        )
    for day, indices in _by_date(context).items():
        if not context.notes_on(day):
            yield Finding(
                rule=NOTE_MISSING,
                severity=_ERROR,
                message=f"{_lines(indices)}: no SOAP note is on file for "
                f"{_their(indices)} date of service",
                path=f"lines[{indices[0]}].date_of_service",
                fix="write and sign the SOAP note of the visit",
            )


@rule(NOTE_UNSIGNED)
def note_unsigned(context: Context) -> Iterator[Finding]:
    """
    A SOAP note of a date of service is not signed, or was changed after signing.

    A note changed after signing no longer matches its signature's digest.
    Source: as ``note.missing`` (DOMAIN.md 7.3).
    """
    if not context.policy.signed_note_required:
        return
    for day, indices in _by_date(context).items():
        notes = context.notes_on(day)
        if notes and not all(note.is_signed for note in notes):
            yield Finding(
                rule=NOTE_UNSIGNED,
                severity=_ERROR,
                message=f"{_lines(indices)}: a SOAP note of {_their(indices)} date of service "
                "is not signed, or was changed after it was signed",
                path=f"lines[{indices[0]}].date_of_service",
                fix="sign the note; change a signed note only with an addendum",
            )


# --- visits, filing, authorisation -----------------------------------------------------


@rule(VISITS_ANNUAL_LIMIT)
def visits_annual_limit(context: Context) -> Iterator[Finding]:
    """
    A date of service is a visit past the policy's visits per calendar year.

    Source: UMP's 16 massage visits a calendar year (DOMAIN.md 7.2).
    Visits are counted on the claim and the active history billed to the same
    payer (by payer id), from 1 January through the date.
    """
    limit = context.policy.visits_per_year
    if limit is None:
        return
    for day, indices in _by_date(context).items():
        number = context.count_visits(date(day.year, 1, 1), day, same_payer=True)
        if number > limit:
            yield Finding(
                rule=VISITS_ANNUAL_LIMIT,
                severity=_ERROR,
                message=f"{_lines(indices)}: visit {number} of the calendar year; "
                f"the policy pays {_plural(limit, 'visit')} a year",
                path=f"lines[{indices[0]}].date_of_service",
                fix="bill the patient, or ask the payer for more visits",
            )


@rule(FILING_LATE)
def filing_late(context: Context) -> Iterator[Finding]:
    """
    The timely-filing limit after a date of service passed before ``as_of``.

    Source: Medicare's 12 months, or one calendar year, after the date of
    service (42 CFR 424.44), and commercial limits of 90 to 180 days
    (DOMAIN.md 7.5). The last day itself is in time; see
    :meth:`~soapbill.rules.PayerPolicy.filing_deadline`. A deadline on a
    weekend or holiday is not moved: soapbill cannot know the payer's
    holidays.
    """
    policy = context.policy
    if policy.timely_filing_days is not None:
        limit = _plural(policy.timely_filing_days, "day")
    elif policy.timely_filing_months is not None:
        limit = _plural(policy.timely_filing_months, "month")
    else:
        return
    for day, indices in _by_date(context).items():
        deadline = policy.filing_deadline(day)
        if deadline is not None and context.as_of > deadline:
            yield Finding(
                rule=FILING_LATE,
                severity=_ERROR,
                message=f"{_lines(indices)}: filed after the {limit} the policy allows "
                f"after {_their(indices)} date of service",
                path=f"lines[{indices[0]}].date_of_service",
            )


@rule(AUTH_MISSING)
def auth_missing(context: Context) -> Iterator[Finding]:
    """
    Lines need prior authorisation and the claim has no authorisation number.

    Source: eviCore authorisation for Regence and Premera, UMP's rule for
    97112, WA L&I past 6 visits (DOMAIN.md 7.2).
    """
    requirement = context.policy.prior_authorization
    claim = context.claim
    if requirement is None or claim.prior_authorization is not None:
        return
    codes = None if requirement.codes is None else frozenset(requirement.codes)
    needing: list[int] = []
    for day, indices in _by_date(context).items():
        visit = context.count_visits(date.min, day, same_payer=True)
        if visit <= requirement.after_visits:
            continue
        needing.extend(i for i in indices if codes is None or claim.lines[i].code in codes)
    if needing:
        needing.sort()
        when = (
            f" after the first {_plural(requirement.after_visits, 'visit')}"
            if requirement.after_visits
            else ""
        )
        yield Finding(
            rule=AUTH_MISSING,
            severity=_ERROR,
            message=f"{_lines(needing)}: the policy requires prior authorisation{when}, "
            "and the claim has no authorisation number",
            path="prior_authorization",
            fix="get the payer's authorisation and add its number to the claim",
        )


# --- KX --------------------------------------------------------------------------------

_KX: Final = Modifier("KX")
# Keyed by the modifier's string, which hashes faster than the value class.
_DISCIPLINES: Final = {"GO": Discipline.OT, "GN": Discipline.SLP}


def _discipline(modifiers: tuple[Modifier, ...]) -> Discipline:
    # A line's discipline comes from its plan-of-care modifier; lines with GP
    # or none count as PT (a massage or PT practice's therapy).
    for modifier in modifiers:
        discipline = _DISCIPLINES.get(modifier.value)
        if discipline is not None:
            return discipline
    return Discipline.PT


def _pool(discipline: Discipline) -> Discipline:
    # One discipline stands for its KX pool: PT for PT and SLP, OT for OT.
    return Discipline.OT if discipline is Discipline.OT else Discipline.PT


_Pool = tuple[Discipline, int]
#: Just below soapbill's money limit: a year's charges beyond it are over any threshold.
_MOST_MONEY: Final = Decimal("9999999999.99")


def _kx_history(ctx: Context, days: list[date]) -> dict[_Pool, list[Decimal]]:
    """
    The history's charges through each of *days*, by KX pool and year.

    *days* are the claim's dates of service, sorted. Each history line is
    added to the first of them on or after its own date, then the amounts are
    accumulated: one pass over the history, no sort of it.
    """
    payer = ctx.claim.coverage.payer.id
    buckets: dict[_Pool, list[Decimal]] = {}
    for old in ctx.active_history:
        if old.coverage.payer.id != payer:
            continue
        for line in old.lines:
            day = line.date_of_service
            k = bisect.bisect_left(days, day)
            if k < len(days):
                key = (_pool(_discipline(line.modifiers)), day.year)
                bucket = buckets.get(key)
                if bucket is None:
                    bucket = buckets[key] = [Decimal(0)] * len(days)
                bucket[k] += line.charge
    return {key: list(itertools.accumulate(bucket)) for key, bucket in buckets.items()}


def _kx_findings(ctx: Context) -> tuple[list[Finding], list[Finding]]:
    """
    The KX findings (required, not checked), computed once per evaluation.

    The year-to-date amount of a line is the sum of the charges of the lines
    of its KX pool (PT with SLP, or OT) in its calendar year: on the active
    history billed to the same payer through its date, plus the lines of this
    claim before it (by date, then line order) and itself. Charges stand in
    for incurred expenses, which a claim does not know.
    """
    thresholds = ctx.policy._index.kx_thresholds  # noqa: SLF001 - the policy's own lookups
    required: list[Finding] = []
    unchecked: list[Finding] = []
    if not thresholds:
        return required, unchecked
    claim = ctx.claim
    days = sorted({line.date_of_service for line in claim.lines})
    history = _kx_history(ctx, days)
    running: dict[_Pool, Decimal] = {}
    missing_years: dict[int, list[int]] = {}
    for i in sorted(range(len(claim.lines)), key=lambda k: claim.lines[k].date_of_service):
        line = claim.lines[i]
        day = line.date_of_service
        if day.year not in thresholds:
            missing_years.setdefault(day.year, []).append(i)
            continue
        discipline = _discipline(line.modifiers)
        key = (_pool(discipline), day.year)
        running[key] = running.get(key, Decimal(0)) + line.charge
        earlier = history.get(key)
        amount = running[key]
        if earlier is not None:
            amount += earlier[bisect.bisect_left(days, day)]
        amount = min(amount, _MOST_MONEY)
        # KX per DOMAIN.md 3.4 (Noridian, NGS): once the year's expenses
        # exceed the threshold, every therapy line needs KX.
        if _KX not in line.modifiers and needs_kx(
            amount, day.year, discipline, thresholds=thresholds
        ):
            required.append(
                Finding(
                    rule=KX_REQUIRED,
                    severity=_ERROR,
                    message=f"line {i + 1} ({line.code}) needs modifier KX: the year's therapy "
                    f"charges pass the ${thresholds[day.year]} threshold",
                    path=f"lines[{i}].modifiers",
                    fix=f"add modifier KX to line {i + 1}, with documentation of medical necessity",
                )
            )
    for year, indices in sorted(missing_years.items()):
        unchecked.append(
            Finding(
                rule=KX_NOT_CHECKED,
                severity=_INFO,
                message=f"{_lines(indices)}: KX not checked: the policy has no threshold "
                f"for {year}",
                path=f"lines[{indices[0]}].date_of_service",
            )
        )
    return required, unchecked


@rule(KX_REQUIRED)
def kx_required(context: Context) -> list[Finding]:
    """
    A therapy line past the year's KX threshold lacks the KX modifier.

    Source: Medicare Part B therapy thresholds (Noridian, NGS; DOMAIN.md 3.4).
    """
    return context.memo("kx", _kx_findings)[0]


@rule(KX_NOT_CHECKED)
def kx_not_checked(context: Context) -> list[Finding]:
    """
    The policy has KX thresholds, but none for a line's year.
    """
    return context.memo("kx", _kx_findings)[1]


#: Every built-in rule, in the order they run and their findings are sorted.
BUILTIN_RULES: Final[tuple[Rule, ...]] = (
    coverage_inactive,
    coverage_wrong_payer,
    rx_required,
    rx_expired,
    rx_not_yet_valid,
    rx_visits_exhausted,
    rx_prescriber_not_accepted,
    rx_diagnosis_mismatch,
    rx_code_not_ordered,
    provider_not_covered,
    code_not_covered,
    code_bundled,
    diagnosis_not_billable,
    diagnosis_not_checked,
    units_exceed_limit,
    mue_not_checked,
    units_unsupported_by_note,
    ncci_conflict,
    modifier_missing,
    note_missing,
    note_unsigned,
    visits_annual_limit,
    filing_late,
    auth_missing,
    kx_required,
    kx_not_checked,
)

#: The ids of the built-in rules, in order.
BUILTIN_IDS: Final[tuple[str, ...]] = tuple(r.id for r in BUILTIN_RULES)
