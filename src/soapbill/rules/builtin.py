"""
The built-in rules and rule groups, each a small pure function with stable ids.

:data:`BUILTIN_RULES` lists them in the order :func:`~soapbill.rules.engine.evaluate`
runs them; :data:`BUILTIN_IDS` lists their ids in the order their findings
sort. Each does nothing unless the policy switches it on; the rules guide
(docs/guide/rules.md) documents each id with its source and an example. Ids
that share one analysis come from one rule group: the seven ``rx.*`` ids
(:func:`rx_group`: which prescription covers a line), the two ``diagnosis.*``
ids (:func:`diagnosis_group`), ``units.exceed_limit`` with ``mue.not_checked``
(:func:`units_group`: the payer's limits and the MUE values), the three
``accident.*`` ids (:func:`accident_group`: what a property and casualty
claim must carry) and the three ``kx.*`` ids (:func:`kx_group`: the
year-to-date amounts). The ids are public API:

=================================  ========  ===============================================
id                                 severity  switched on by
=================================  ========  ===============================================
``coverage.inactive``              error     always
``coverage.wrong_payer``           error     ``payer_id``, ``plan_types``
``accident.cause_missing``         error     the claim's plan type (auto PIP, workers' comp)
``accident.date_missing``          error     the claim's plan type (auto PIP)
``accident.claim_number_missing``  error     the claim's plan type (auto PIP, workers' comp)
``rx.required``                    error     ``rx_required``
``rx.expired``                     error     ``rx_required``
``rx.not_yet_valid``               error     ``rx_required``
``rx.visits_exhausted``            error     ``rx_required``
``rx.prescriber_not_accepted``     error     ``rx_required`` + ``prescriber_credentials``
``rx.diagnosis_mismatch``          error     ``rx_required``
``rx.code_not_ordered``            error     ``rx_required``
``provider.not_covered``           error     ``covered_credentials``
``code.not_covered``               error     ``covered_codes``
``code.bundled``                   warning   ``bundled_codes``
``diagnosis.not_billable``         error     always (with a diagnosis table)
``diagnosis.not_checked``          info      always
``units.exceed_limit``             error     ``units_per_day``, ``mue_limits``
``mue.not_checked``                info      ``mue_limits``
``units.unsupported_by_note``      error     a note for the date of service
``units.method_mismatch``          warning   a note for the date of service
``ncci.conflict``                  error     ``ptp_edits``
``modifier.missing``               error     ``modifier_requirements``
``modifier.assistant_missing``     error     ``assistant_modifiers``
``note.missing``                   error     ``signed_note_required``
``note.unsigned``                  error     ``signed_note_required``
``visits.annual_limit``            error     ``visits_per_year``
``filing.late``                    error     ``timely_filing_days`` / ``_months``
``auth.missing``                   error     ``prior_authorization``
``kx.required``                    error     ``kx_thresholds`` (with allowed amounts)
``kx.estimated``                   warning   ``kx_thresholds`` (billed charges)
``kx.not_checked``                 info      ``kx_thresholds``
=================================  ========  ===============================================

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

from soapbill._text import line_numbers as _lines
from soapbill._text import plural
from soapbill._validators import MONEY_LIMIT
from soapbill.billing.fees import FeeSchedule
from soapbill.billing.medicare import ASSISTANTS_FROM, Discipline, assistant_modifier, needs_kx
from soapbill.billing.ncci import ModifierIndicator, MueStatus
from soapbill.billing.units import UNIT_MINUTES, UnitAllocation, UnitMethod, allocate_units
from soapbill.claims import AttachmentKind, Claim, ServiceLine
from soapbill.codes.cpt import Catalog, CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.modifiers import Modifier
from soapbill.parties import PlanType
from soapbill.prescriptions import Prescription
from soapbill.rules.base import (
    FindingFactory,
    GroupFindingFactory,
    Rule,
    RuleGroup,
    declared,
    rule,
    rule_group,
)
from soapbill.rules.context import Context
from soapbill.rules.diagnoses import DiagnosisStatus, DiagnosisVerdict
from soapbill.rules.findings import Finding, Severity
from soapbill.soap import SoapNote, minutes_by_code

__all__ = [
    "ACCIDENT_CAUSE_MISSING",
    "ACCIDENT_CLAIM_NUMBER_MISSING",
    "ACCIDENT_DATE_MISSING",
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
    "KX_ESTIMATED",
    "KX_NOT_CHECKED",
    "KX_REQUIRED",
    "MODIFIER_ASSISTANT_MISSING",
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
    "UNITS_METHOD_MISMATCH",
    "UNITS_UNSUPPORTED_BY_NOTE",
    "VISITS_ANNUAL_LIMIT",
    "accident_group",
    "auth_missing",
    "code_bundled",
    "code_not_covered",
    "coverage_inactive",
    "coverage_wrong_payer",
    "diagnosis_group",
    "filing_late",
    "kx_group",
    "modifier_assistant_missing",
    "modifier_missing",
    "ncci_conflict",
    "note_missing",
    "note_unsigned",
    "provider_not_covered",
    "rx_group",
    "units_group",
    "units_method_mismatch",
    "units_unsupported_by_note",
    "visits_annual_limit",
]

COVERAGE_INACTIVE: Final = "coverage.inactive"
COVERAGE_WRONG_PAYER: Final = "coverage.wrong_payer"
ACCIDENT_CAUSE_MISSING: Final = "accident.cause_missing"
ACCIDENT_DATE_MISSING: Final = "accident.date_missing"
ACCIDENT_CLAIM_NUMBER_MISSING: Final = "accident.claim_number_missing"
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
UNITS_METHOD_MISMATCH: Final = "units.method_mismatch"
NCCI_CONFLICT: Final = "ncci.conflict"
MODIFIER_MISSING: Final = "modifier.missing"
MODIFIER_ASSISTANT_MISSING: Final = "modifier.assistant_missing"
NOTE_MISSING: Final = "note.missing"
NOTE_UNSIGNED: Final = "note.unsigned"
VISITS_ANNUAL_LIMIT: Final = "visits.annual_limit"
FILING_LATE: Final = "filing.late"
AUTH_MISSING: Final = "auth.missing"
KX_REQUIRED: Final = "kx.required"
KX_ESTIMATED: Final = "kx.estimated"
KX_NOT_CHECKED: Final = "kx.not_checked"

_ERROR: Final = Severity.ERROR
_WARNING: Final = Severity.WARNING
_INFO: Final = Severity.INFO


# --- wording ---------------------------------------------------------------------------


def _join(words: Sequence[str], conjunction: str = "and") -> str:
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _their(indices: Sequence[int]) -> str:
    return "its" if len(indices) == 1 else "their"


def _words(values: Iterable[object]) -> str:
    return _join([str(v) for v in values])


# --- coverage --------------------------------------------------------------------------


@rule(COVERAGE_INACTIVE, _ERROR)
def coverage_inactive(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    The coverage is not in force on a date of service.

    Source: the coverage's own start and end dates (``Coverage.is_active``).
    """
    coverage = context.claim.coverage
    if coverage.start is None and coverage.end is None:
        return
    for day, indices in context.lines_by_date.items():
        if not coverage.is_active(day):
            yield found(
                f"{_lines(indices)}: the coverage is not in force on "
                f"{_their(indices)} date of service",
                path=f"lines[{indices[0]}].date_of_service",
                fix="bill the coverage in force on that date, or the patient",
            )


@rule(COVERAGE_WRONG_PAYER, _ERROR)
def coverage_wrong_payer(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    The policy is not the claim's payer's, or not for its plan type.

    Source: the payer id of the 837P (005010X222A1 loop 2010BB, NM109), as the
    claim's ``coverage.payer.id``.
    """
    policy, coverage = context.policy, context.claim.coverage
    if policy.payer_id is not None and coverage.payer.id != policy.payer_id:
        yield found(
            f"the policy applies to payer id {policy.payer_id}, not to the claim's payer",
            path="coverage.payer.id",
            fix="check the claim against its own payer's policy",
        )
    if policy.plan_types is not None and not policy.covers_plan_type(coverage.plan_type):
        allowed = _words(sorted(str(t) for t in policy.plan_types))
        yield found(
            f"the policy applies to plan type {allowed}, not {coverage.plan_type}",
            path="coverage.plan_type",
            fix="check the claim against the policy of its plan type",
        )


# --- property and casualty -------------------------------------------------------------

#: What a property and casualty claim must say its condition is related to, by
#: plan type: the field of RelatedCauses, and how a message names it.
_PC_CAUSES: Final = {
    PlanType.AUTO_PIP: ("auto_accident", "an auto accident", "an auto PIP"),
    PlanType.WORKERS_COMP: ("employment", "employment", "a workers' compensation"),
}


@rule_group(
    {
        ACCIDENT_CAUSE_MISSING: _ERROR,
        ACCIDENT_DATE_MISSING: _ERROR,
        ACCIDENT_CLAIM_NUMBER_MISSING: _ERROR,
    }
)
def accident_group(context: Context, found: GroupFindingFactory) -> Iterator[Finding]:
    """
    An auto PIP or workers' compensation claim lacks what its payer reads first.

    On by the claim's plan type. ``accident.cause_missing``: an auto PIP
    claim does not say the condition is related to an auto accident (with
    its state), or a workers' compensation claim that it is related to
    employment (CMS-1500 item 10a-b; 837P CLM11, codes AA with the state and
    EM). ``accident.date_missing``: an auto PIP claim has no accident date
    (837P DTP*439; PIP payers ask for the date of the accident).
    ``accident.claim_number_missing``: either has no property and casualty
    claim number, which the payer assigns and the claim must carry
    (CMS-1500 item 11b; 837P loop 2010BA REF*Y4, "required on property and
    casualty claims", X12 RFI 974). Sources: the pyx12 map of 005010X222A1
    for CLM11's codes; X12 request for interpretation 974 for the claim
    number; PIP payers' requirements as massage clinics publish them
    (Bellingham Massage Clinic, Massage Practice Builder).
    """
    claim = context.claim
    plan = claim.coverage.plan_type
    cause = _PC_CAUSES.get(plan)
    if cause is None:
        return
    field, what, words = cause
    causes = claim.related_causes
    if causes is None or not getattr(causes, field):
        yield found(
            ACCIDENT_CAUSE_MISSING,
            f"{words} claim must say the condition is related to {what}",
            path="related_causes",
            fix=f"set related_causes.{field}"
            + (" with the accident_state" if plan is PlanType.AUTO_PIP else ""),
        )
    if plan is PlanType.AUTO_PIP and (causes is None or causes.accident_date is None):
        yield found(
            ACCIDENT_DATE_MISSING,
            f"{words} claim needs the date of the accident",
            path="related_causes.accident_date",
            fix="add the accident date to related_causes",
        )
    if claim.property_casualty_claim_number is None:
        yield found(
            ACCIDENT_CLAIM_NUMBER_MISSING,
            f"{words} claim needs the claim number the insurer assigned",
            path="property_casualty_claim_number",
            fix="ask the insurer for its claim number and add it to the claim",
        )


# --- prescriptions ---------------------------------------------------------------------

_RX_ORDER: Final = (
    RX_VISITS_EXHAUSTED,
    RX_PRESCRIBER_NOT_ACCEPTED,
    RX_DIAGNOSIS_MISMATCH,
    RX_CODE_NOT_ORDERED,
)


@rule_group(
    {
        RX_REQUIRED: _ERROR,
        RX_EXPIRED: _ERROR,
        RX_NOT_YET_VALID: _ERROR,
        RX_VISITS_EXHAUSTED: _ERROR,
        RX_PRESCRIBER_NOT_ACCEPTED: _ERROR,
        RX_DIAGNOSIS_MISMATCH: _ERROR,
        RX_CODE_NOT_ORDERED: _ERROR,
    }
)
def rx_group(context: Context, found: GroupFindingFactory) -> Iterator[Finding]:
    """
    Each line needs a prescription valid on its date that covers it.

    A line is covered by any prescription valid on its date of service. When
    none is valid, the date gets ``rx.required`` (none on file),
    ``rx.expired`` (one expired before it) or ``rx.not_yet_valid`` (one was
    written after it). Otherwise each line is judged against the valid
    prescription that serves it best (fewest problems), and is covered when
    one has no problem at all; the problems are ``rx.visits_exhausted`` (the
    visits it authorises are used up), ``rx.prescriber_not_accepted`` (the
    prescriber's credential is not among the policy's), ``rx.diagnosis_mismatch``
    (it names none of the line's diagnoses) and ``rx.code_not_ordered`` (it
    does not order the line's code).

    Sources: payers that pay massage only with a prescription naming the
    diagnosis, sessions and duration (Regence, as massageseattle.net states
    it; PIP payers); Washington workers' compensation pays massage on the
    written orders of the attending doctor, PA or NP (WAC 296-23-250);
    Medicare's plan of care is certified for at most 90 days, and never by a
    chiropractor (Medicare Benefit Policy Manual, Pub 100-02, Ch. 15,
    §220.1.3).
    """
    if not context.policy.rx_required:
        return
    default_days = context.policy.rx_default_valid_days
    rxs = context.prescriptions
    for day, indices in context.lines_by_date.items():
        valid = [rx for rx in rxs if rx.is_valid_on(day, default_days)]
        if not valid:
            yield _no_rx(found, rxs, day, indices)
            continue
        for i in indices:
            yield from min((_rx_failures(context, found, rx, i) for rx in valid), key=_rx_key)


def _no_rx(
    found: GroupFindingFactory, rxs: tuple[Prescription, ...], day: date, indices: tuple[int, ...]
) -> Finding:
    path = f"lines[{indices[0]}].date_of_service"
    where = _lines(indices)
    if any(rx.written_on <= day for rx in rxs):
        # Written on or before the date and not valid on it: expired.
        return found(
            RX_EXPIRED,
            f"{where}: the prescription on file expired before {_their(indices)} date of service",
            path=path,
            fix="get a new prescription",
        )
    if rxs:
        return found(
            RX_NOT_YET_VALID,
            f"{where}: the prescription on file was written after "
            f"{_their(indices)} date of service",
            path=path,
            fix="check the date of service, or get a prescription that covers it",
        )
    return found(
        RX_REQUIRED,
        f"{where}: the policy requires a prescription and none is on file",
        path=path,
        fix="add the prescription to the prescriptions on file",
    )


def _rx_failures(
    context: Context, found: GroupFindingFactory, rx: Prescription, i: int
) -> list[Finding]:
    """
    What keeps *rx* (valid on the line's date) from covering line *i*.
    """
    claim, policy = context.claim, context.policy
    line = claim.lines[i]
    failures = []
    if rx.visits_authorized is not None:
        # Every visit from the day the prescription was written through this
        # date counts against it (a visit is a date of service, Context).
        used = context.count_visits(rx.written_on, line.date_of_service)
        if used > rx.visits_authorized:
            failures.append(
                found(
                    RX_VISITS_EXHAUSTED,
                    f"line {i + 1}: the prescription allows "
                    f"{plural(rx.visits_authorized, 'visit')}; this is visit {used}",
                    path=f"lines[{i}].date_of_service",
                    fix="get a new prescription, or more visits on this one",
                )
            )
    accepted = policy.prescriber_credentials
    if accepted is not None and not policy.accepts_prescriber(rx.prescriber.credential):
        credential = rx.prescriber.credential or "no credential"
        failures.append(
            found(
                RX_PRESCRIBER_NOT_ACCEPTED,
                f"line {i + 1}: the prescriber ({credential}) is not accepted; "
                f"the policy accepts {_words(sorted(str(c) for c in accepted))}",
                path=f"lines[{i}]",
                fix="get the prescription from an accepted prescriber",
            )
        )
    line_diagnoses = claim.line_diagnoses(i)
    if not set(line_diagnoses).intersection(rx.diagnoses):
        failures.append(
            found(
                RX_DIAGNOSIS_MISMATCH,
                f"line {i + 1}: the prescription names none of its diagnoses "
                f"({_words(line_diagnoses)})",
                path=f"lines[{i}].diagnosis_pointers",
                fix=f"point line {i + 1} at a diagnosis the prescription names, "
                "or get a prescription for this diagnosis",
            )
        )
    if not rx.covers(line.code):
        failures.append(
            found(
                RX_CODE_NOT_ORDERED,
                f"line {i + 1}: the prescription does not order {line.code}",
                path=f"lines[{i}].code",
                fix=f"get a prescription that orders {line.code}",
            )
        )
    return failures


def _rx_key(failures: list[Finding]) -> tuple[int, tuple[tuple[int, str], ...]]:
    # Fewest failures first; among equals, the findings themselves decide, so
    # the choice never depends on the order of the prescriptions.
    return len(failures), tuple((_RX_ORDER.index(f.rule), f.message) for f in failures)


# --- provider and codes ----------------------------------------------------------------


@rule(PROVIDER_NOT_COVERED, _ERROR)
def provider_not_covered(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    The rendering provider's credential is not covered (is an LMT covered?).

    Sources: Washington's "Every Category" law has health plans cover every
    category of licensed provider, licensed massage therapists included (RCW
    48.43.045; WA Office of the Insurance Commissioner); whether a payer
    enrolls massage therapists at all (Original Medicare does not, by the
    list of provider types it enrolls) is policy data.
    """
    covered = context.policy.covered_credentials
    claim = context.claim
    provider = claim.treating_provider
    if covered is None or context.policy.covers_credential(provider.credential):
        return
    which = "rendering_provider" if claim.rendering_provider is not None else "billing_provider"
    allowed = _words(sorted(str(c) for c in covered))
    if provider.credential is None:
        yield found(
            f"the rendering provider has no credential; the policy covers {allowed}",
            path=f"{which}.credential",
            fix="name the rendering provider, with their credential",
        )
    else:
        yield found(
            f"the rendering provider's credential ({provider.credential}) is not "
            f"covered; the policy covers {allowed}",
            path=f"{which}.credential",
            fix="have a covered provider render the service, or bill the patient",
        )


@rule(CODE_NOT_COVERED, _ERROR)
def code_not_covered(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    A line's procedure code is not among the policy's covered codes.

    Sources: scope of practice and payer policy decide what a massage
    therapist bills, not the CPT code set; Medicare does not recognise 97014
    (status I in the Medicare Physician Fee Schedule; G0283 replaces it).
    """
    policy = context.policy
    if policy.covered_codes is None:
        return
    for i, line in enumerate(context.claim.lines):
        if not policy.covers_code(line.code):
            yield found(
                f"line {i + 1}: the policy does not cover {line.code}",
                path=f"lines[{i}].code",
                fix=f"remove line {i + 1}, or bill the patient for it",
            )


@rule(CODE_BUNDLED, _WARNING)
def code_bundled(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    A line's code is never paid separately (Medicare status B: 97010).

    Source: MPFS status indicator B, "always included in payment for other
    services" (Pub 100-04 Ch. 23 §30.2.2; Palmetto GBA on PT status-B codes).
    A warning: the claim goes, the line is not paid.
    """
    policy = context.policy
    if not policy.bundled_codes:
        return
    for i, line in enumerate(context.claim.lines):
        if policy.is_bundled(line.code):
            yield found(
                f"line {i + 1}: {line.code} is never paid separately; its payment "
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
_KNOWN_GOOD: Final = frozenset({DiagnosisStatus.BILLABLE, DiagnosisStatus.UNKNOWN})


@rule_group({DIAGNOSIS_NOT_BILLABLE: _ERROR, DIAGNOSIS_NOT_CHECKED: _INFO})
def diagnosis_group(context: Context, found: GroupFindingFactory) -> Iterator[Finding]:
    """
    Each diagnosis must be billable on the dates of service of its lines.

    ``diagnosis.not_billable``: the diagnosis table says a code is a header,
    not yet valid, deleted or invalid on a date of a line that points at it
    (on the claim's first date when none does). ``diagnosis.not_checked``: no
    table was given, or the table does not know the code; a check not made is
    never reported as passed. Source: an ICD-10-CM code is reported to its
    highest level of detail, a leaf of the tabular in force on the date of
    service (ICD-10-CM Official Guidelines for Coding and Reporting, Section
    I.B.2); the dated changes are in :mod:`soapbill.rules.diagnoses`.
    """
    claim, table = context.claim, context.diagnosis_table
    if table is None:
        yield found(
            DIAGNOSIS_NOT_CHECKED,
            "diagnoses not checked: no diagnosis table was given",
            path="diagnoses",
            fix="pass a diagnosis table, such as soapbill.rules.diagnoses.MASSAGE_DIAGNOSES",
        )
        return
    days: dict[int, set[date]] = {}
    for line in claim.lines:
        for pointer in line.diagnosis_pointers:
            days.setdefault(pointer - 1, set()).add(line.date_of_service)
    first_day = min(line.date_of_service for line in claim.lines)
    for j, code in enumerate(claim.diagnoses):
        verdicts = [table.check(code, day) for day in sorted(days.get(j, {first_day}))]
        bad = next((v for v in verdicts if v.status not in _KNOWN_GOOD), None)
        if bad is not None:
            yield _not_billable(found, j, code, bad)
        elif any(v.status is DiagnosisStatus.UNKNOWN for v in verdicts):
            yield found(
                DIAGNOSIS_NOT_CHECKED,
                f"diagnosis {j + 1} ({code}) not checked: the diagnosis table does not know it",
                path=f"diagnoses[{j}]",
            )


def _not_billable(
    found: GroupFindingFactory, j: int, code: DiagnosisCode, verdict: DiagnosisVerdict
) -> Finding:
    fix = "use a code billable on the date of service"
    if verdict.use_instead:
        fix = f"use a more specific code: {_join([str(c) for c in verdict.use_instead], 'or')}"
    return found(
        DIAGNOSIS_NOT_BILLABLE,
        f"diagnosis {j + 1} ({code}) {_WHY_NOT[verdict.status]}",
        path=f"diagnoses[{j}]",
        fix=fix,
    )


# --- units -----------------------------------------------------------------------------


def _units_by_code(claim: Claim, indices: Iterable[int]) -> dict[CptCode, list[int]]:
    groups: dict[CptCode, list[int]] = {}
    for i in indices:
        groups.setdefault(claim.lines[i].code, []).append(i)
    return groups


@rule_group({UNITS_EXCEED_LIMIT: _ERROR, MUE_NOT_CHECKED: _INFO})
def units_group(context: Context, found: GroupFindingFactory) -> Iterator[Finding]:
    """
    No more units of a code on a date than the policy's limit or the code's MUE.

    ``units.exceed_limit``: more units of a code on one date than the policy
    pays (``units_per_day``), or than its Medically Unlikely Edit allows (per
    date of service for adjudication indicators 2 and 3, per line for 1).
    ``mue.not_checked``: the policy applies MUE values but has none for a
    billed code; CMS keeps some MUE values confidential, so a code without
    one is not checked, never "within the limit". Sources: CMS, "Medicare
    NCCI Medically Unlikely Edits (MUEs)"; payers that scrutinise 97124
    beyond one unit a day (Health Network Solutions on massage therapy).
    """
    claim, policy = context.claim, context.policy
    if policy.units_per_day:
        for indices in context.lines_by_date.values():
            for code, same in _units_by_code(claim, indices).items():
                most = policy.unit_limit(code)
                units = sum(claim.lines[i].units for i in same)
                if most is not None and units > most:
                    yield found(
                        UNITS_EXCEED_LIMIT,
                        f"{_lines(same)}: {plural(units, 'unit')} of {code} on one "
                        f"date; the policy pays at most {most}",
                        path=f"lines[{same[0]}].units",
                        fix=f"bill at most {plural(most, 'unit')} of {code} a date",
                    )
    limits = policy.mue_table
    if limits is None:
        return
    for result in limits.check(claim.lines):
        indices = result.line_indices
        path = f"lines[{indices[0]}].units"
        if result.status is MueStatus.OVER_LIMIT and result.limit is not None:
            most = result.limit.max_units
            yield found(
                UNITS_EXCEED_LIMIT,
                f"{_lines(indices)}: {plural(result.units, 'unit')} of "
                f"{result.code}; its MUE allows {most}",
                path=path,
                fix=f"bill at most {plural(most, 'unit')} of {result.code}",
            )
        elif result.status is MueStatus.NOT_CHECKED:
            yield found(
                MUE_NOT_CHECKED,
                f"{_lines(indices)}: MUE not checked: "
                f"the policy has no MUE value for {result.code}",
                path=path,
            )


_METHOD_WORDS: Final = {
    UnitMethod.CMS: "the CMS 8-minute rule",
    UnitMethod.PER_CODE: "the per-code rule",
}


def _supported(
    minutes: Mapping[CptCode, int],
    units: Mapping[CptCode, int],
    method: UnitMethod,
    catalog: Catalog,
) -> tuple[dict[CptCode, int], dict[int, tuple[int, list[CptCode]]]]:
    """
    The most units of each code that *minutes* support, and the tie classes.

    Under the CMS rule, units left after the full 15-minute blocks go to the
    largest leftovers, and a tie between equal leftovers may go either way
    (the CMS manual's own example of 20 minutes each of 97112 and 97110):
    billing.units breaks ties one way, a claim may break them the other. So
    each code whose leftover ties with a code that got an extra unit may also
    take one, as long as each tie class takes no more extra units than it
    got: the second value maps a leftover to (the extra units its class got,
    its codes).
    """
    most = dict(units)
    classes: dict[int, tuple[int, list[CptCode]]] = {}
    if method is not UnitMethod.CMS:
        return most, classes
    for code, count in units.items():
        if not catalog[code].timed:
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


@rule(UNITS_UNSUPPORTED_BY_NOTE, _ERROR)
def units_unsupported_by_note(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    More units billed than the note's minutes support under the unit method.

    Runs on every date of service with a note on file; the minutes of all
    notes of the date are added up by code. Codes the catalogue in the
    context does not know are not checked. Source: the CMS 8-minute rule
    (Medicare Claims Processing Manual, Pub 100-04, Ch. 5, §20.2) and the
    CPT time rule, a unit once the midpoint is passed, applied per code (the
    AMA "rule of eights"), computed by
    :func:`soapbill.billing.units.allocate_units`.
    """
    for day, indices in context.lines_by_date.items():
        notes = context.notes_on(day)
        if notes:
            yield from _note_units(context, found, notes, indices)


def _note_minutes(notes: tuple[SoapNote, ...], catalog: Catalog) -> dict[CptCode, int]:
    return {code: m for code, m in minutes_by_code(notes).items() if code in catalog}


def _note_units(
    context: Context, found: FindingFactory, notes: tuple[SoapNote, ...], indices: tuple[int, ...]
) -> Iterator[Finding]:
    claim, method, catalog = context.claim, context.policy.unit_method, context.catalog
    minutes = _note_minutes(notes, catalog)
    allocation = allocate_units(minutes, method=method, catalog=catalog)
    most, classes = _supported(minutes, allocation.units, method, catalog)
    billed = _units_by_code(claim, indices)
    extra_billed: dict[int, list[CptCode]] = {}
    for code, same in billed.items():
        if code not in catalog:
            continue
        units = sum(claim.lines[i].units for i in same)
        allowed = most.get(code, 0)
        if units > allowed:
            yield _unsupported(
                found, same, code, units, allowed=allowed, minutes=minutes, method=method
            )
        elif (
            code in allocation.timed
            and minutes[code] % UNIT_MINUTES in classes
            and units > minutes[code] // UNIT_MINUTES
        ):
            # A timed code of a tie class billed above its full blocks takes
            # one of the class's extra units. An untimed code is one unit
            # whatever its minutes, and never joins a tie class, even when its
            # minutes equal a timed code's leftover.
            extra_billed.setdefault(minutes[code] % UNIT_MINUTES, []).append(code)
    for left, codes in sorted(extra_billed.items()):
        extra, _ = classes[left]
        if len(codes) > extra:
            same = sorted(i for code in codes for i in billed[code])
            yield found(
                f"{_lines(same)}: {_words(sorted(codes))} each take an extra unit "
                f"for {plural(left, 'leftover minute')}; under {_METHOD_WORDS[method]} "
                f"the note's minutes support {plural(extra, 'extra unit')} among them",
                path=f"lines[{same[0]}].units",
                fix=f"bill {plural(extra, 'extra unit')} among {_words(sorted(codes))}",
            )


def _unsupported(
    found: FindingFactory,
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
            f"the note's {plural(minutes[code], 'minute')} support "
            f"{plural(allowed, 'unit')} under {_METHOD_WORDS[method]}"
        )
    fix = f"remove {_lines(same)}" if allowed == 0 else f"bill {plural(allowed, 'unit')} of {code}"
    return found(
        f"{_lines(same)}: {plural(units, 'unit')} of {code} billed; {why}",
        path=f"lines[{same[0]}].units",
        fix=fix,
    )


_OTHER_METHOD: Final = {UnitMethod.CMS: UnitMethod.PER_CODE, UnitMethod.PER_CODE: UnitMethod.CMS}


@rule(UNITS_METHOD_MISMATCH, _WARNING)
def units_method_mismatch(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    A date's timed units follow the other unit method, not the policy's.

    Runs on every date of service with a note on file, on the note's timed
    codes the catalogue knows. The timed units billed are exactly what the
    other method (:class:`~soapbill.billing.units.UnitMethod`) makes of the
    note's minutes, and not a result of the policy's own method (under the
    CMS rule, any tie broken either way is one). A warning, as billing fewer
    units than the minutes support is no error to the payer, only money
    lost; billing more is also ``units.unsupported_by_note``. Sources: the
    CMS 8-minute rule (Pub 100-04 Ch. 5 §20.2) and the AMA rule of eights
    (CPT's time rule); the payer contract decides which applies (WebPT, "The
    8-Minute Rule Showdown").
    """
    for day, indices in context.lines_by_date.items():
        notes = context.notes_on(day)
        if notes:
            yield from _method_mismatch(context, found, notes, indices)


def _method_mismatch(
    context: Context, found: FindingFactory, notes: tuple[SoapNote, ...], indices: tuple[int, ...]
) -> Iterator[Finding]:
    """
    The finding of one date, when its timed units follow the other method.
    """
    method, catalog, claim = context.policy.unit_method, context.catalog, context.claim
    other = _OTHER_METHOD[method]
    minutes = _note_minutes(notes, catalog)
    ours = allocate_units(minutes, method=method, catalog=catalog)
    theirs = allocate_units(minutes, method=other, catalog=catalog)
    timed = sorted(ours.timed)
    billed_lines = {
        code: same for code, same in _units_by_code(claim, indices).items() if code in ours.timed
    }
    billed = {code: sum(claim.lines[i].units for i in billed_lines.get(code, ())) for code in timed}
    if (
        not billed_lines
        or billed != {code: theirs.units[code] for code in timed}
        or _is_allocation(billed, ours)
    ):
        return
    same = sorted(i for group in billed_lines.values() for i in group)
    should = _join([f"{plural(ours.units[c], 'unit')} of {c}" for c in timed if ours.units[c]])
    yield found(
        f"{_lines(same)}: the timed units of the date ({sum(billed.values())}) follow "
        f"{_METHOD_WORDS[other]}; the policy counts under {_METHOD_WORDS[method]}, "
        f"which makes {plural(ours.timed_units, 'unit')} of the note's minutes",
        path=f"lines[{same[0]}].units",
        fix=f"bill {should}" if should else f"remove {_lines(same)}",
    )


def _is_allocation(billed: Mapping[CptCode, int], allocation: UnitAllocation) -> bool:
    """
    Whether *billed* (units of each timed code) is a result of *allocation*'s method.

    Under the per-code rule there is one result. Under the CMS rule the total
    is fixed, each code gets its full 15-minute blocks and at most one unit
    more, and a code with a smaller leftover never gets the unit of one with
    a larger (ties may go either way, Pub 100-04 Ch. 5 §20.2).
    """
    timed = allocation.timed
    if allocation.method is UnitMethod.PER_CODE:
        return all(billed[code] == allocation.units[code] for code in timed)
    minutes = allocation.minutes
    extra = {code: billed[code] - minutes[code] // UNIT_MINUTES for code in timed}
    if sum(billed.values()) != allocation.timed_units or any(
        e not in {0, 1} for e in extra.values()
    ):
        return False
    given = [minutes[code] % UNIT_MINUTES for code in timed if extra[code]]
    passed = [minutes[code] % UNIT_MINUTES for code in timed if not extra[code]]
    return not given or not passed or min(given) >= max(passed)


# --- edits and modifiers ---------------------------------------------------------------


@rule(NCCI_CONFLICT, _ERROR)
def ncci_conflict(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    Two lines of one date form an NCCI pair, and nothing bypasses the edit.

    The column-2 line is denied unless the edit allows a modifier and the line
    carries 59, XE, XS, XP or XU. Source: CMS MLN1783722, "Proper Use of
    Modifiers 59, XE, XP, XS & XU", and the CMS PTP tables, checked by
    :class:`soapbill.billing.ncci.PtpEdits`.
    """
    edits = context.policy.ptp_table
    if edits is None:
        return
    for conflict in edits.check(context.claim.lines):
        if conflict.bypassed:
            continue
        n, m = conflict.line_index + 1, conflict.column1_index + 1
        if conflict.indicator is ModifierIndicator.ALLOWED:
            # MLN1783722: 59 or X{EPSU} on the column-2 code; for timed codes
            # only when done in distinct 15-minute blocks.
            fix = (
                f"if the services were distinct (a separate region, encounter or time block), "
                f"add modifier 59 (or XE, XS, XP, XU) to line {n}"
            )
        else:
            fix = f"remove line {n}: no modifier bypasses this edit"
        yield found(
            f"line {n} ({conflict.column2}) is paired with line {m} "
            f"({conflict.column1}) by an NCCI edit: {conflict.column2} is denied",
            path=f"lines[{conflict.line_index}].modifiers",
            fix=fix,
        )


@rule(MODIFIER_MISSING, _ERROR)
def modifier_missing(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    A line lacks a modifier the policy requires for its code (GP, ...).

    Source: GP, GO or GN on every line of an "always therapy" code for
    Medicare (Pub 100-04 Ch. 5 §20.1), and GP asked by commercial payers on
    97124 and 97140.
    """
    policy = context.policy
    if not policy.modifier_requirements:
        return
    for i, line in enumerate(context.claim.lines):
        for requirement in policy.modifier_requirements_of(line.code):
            wanted = requirement.any_of
            if any(m in line.modifiers for m in wanted):
                continue
            if len(wanted) == 1:
                need, fix = f"modifier {wanted[0]}", f"add modifier {wanted[0]} to line {i + 1}"
            else:
                need = f"one of the modifiers {_join([str(m) for m in wanted], 'or')}"
                fix = f"add one of {_join([str(m) for m in wanted], 'or')} to line {i + 1}"
            yield found(
                f"line {i + 1} ({line.code}) needs {need}",
                path=f"lines[{i}].modifiers",
                fix=fix,
            )


@rule(MODIFIER_ASSISTANT_MISSING, _ERROR)
def modifier_assistant_missing(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    A service an assistant furnished lacks the assistant's modifier (CQ or CO).

    On with ``assistant_modifiers``. A physical therapist assistant furnished
    the services of a date when the rendering provider is one, or wrote a
    note of the date; each line of that date under the physical therapy plan
    of care (:meth:`~soapbill.billing.medicare.Discipline.of_line`) then needs
    CQ, and likewise a line under an occupational therapy plan CO when an
    occupational therapy assistant furnished them, from 1 January 2020
    (:data:`~soapbill.billing.medicare.ASSISTANTS_FROM`).
    A part of 10% or less of a service is de minimis and needs no modifier, so
    the fix says so. Sources: Pub 100-04 Ch. 5 §20.1; CMS, "Billing Examples
    Using CQ/CO Modifiers for Services Furnished In Whole or In Part by PTAs
    and OTAs"; Social Security Act §1834(v).
    """
    if not context.policy.assistant_modifiers:
        return
    claim = context.claim
    for day, indices in context.lines_by_date.items():
        if day < ASSISTANTS_FROM:
            continue
        providers = [claim.treating_provider, *(note.provider for note in context.notes_on(day))]
        wanted: dict[Discipline, tuple[Modifier, str]] = {}
        for provider in providers:
            modifier = assistant_modifier(provider.credential)
            if modifier is not None:
                wanted[modifier[0]] = (modifier[1], str(provider.credential))
        for i in indices if wanted else ():
            line = claim.lines[i]
            need = wanted.get(Discipline.of_line(line))
            if need is not None and need[0] not in line.modifiers:
                yield found(
                    f"line {i + 1} ({line.code}) needs modifier {need[0]}: an assistant "
                    f"({need[1]}) furnished services on its date of service",
                    path=f"lines[{i}].modifiers",
                    fix=f"add modifier {need[0]} to line {i + 1}, unless the assistant's "
                    "part was 10% of the service or less",
                )


# --- notes -----------------------------------------------------------------------------


@rule(NOTE_MISSING, _ERROR)
def note_missing(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    A signed SOAP note is required, and one is missing.

    Source: PIP payers want the chart notes attached to the claim. Either a
    date of service has no note on file, or the claim carries no SOAP-note
    attachment.
    """
    if not context.policy.signed_note_required:
        return
    if not any(a.kind is AttachmentKind.SOAP_NOTE for a in context.claim.attachments):
        yield found(
            "the policy wants the signed SOAP note attached, and the claim has "
            "no SOAP-note attachment",
            path="attachments",
            fix="attach the signed SOAP note (an attachment of kind soap_note)",
        )
    for day, indices in context.lines_by_date.items():
        if not context.notes_on(day):
            yield found(
                f"{_lines(indices)}: no SOAP note is on file for {_their(indices)} date of service",
                path=f"lines[{indices[0]}].date_of_service",
                fix="write and sign the SOAP note of the visit",
            )


@rule(NOTE_UNSIGNED, _ERROR)
def note_unsigned(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    A SOAP note of a date of service is not signed, or was changed after signing.

    A note changed after signing no longer matches its signature's digest.
    Source: as ``note.missing``.
    """
    if not context.policy.signed_note_required:
        return
    for day, indices in context.lines_by_date.items():
        notes = context.notes_on(day)
        if notes and not all(note.is_signed for note in notes):
            yield found(
                f"{_lines(indices)}: a SOAP note of {_their(indices)} date of service "
                "is not signed, or was changed after it was signed",
                path=f"lines[{indices[0]}].date_of_service",
                fix="sign the note; change a signed note only with an addendum",
            )


# --- visits, filing, authorisation -----------------------------------------------------


@rule(VISITS_ANNUAL_LIMIT, _ERROR)
def visits_annual_limit(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    A date of service is a visit past the policy's visits per calendar year.

    Source: the Uniform Medical Plan's 16 massage visits a calendar year
    (WSMTA, "Clinical practices"). Visits are counted on the claim and the
    active history billed to the same payer (by payer id), from 1 January
    through the date.
    """
    limit = context.policy.visits_per_year
    if limit is None:
        return
    for day, indices in context.lines_by_date.items():
        number = context.count_visits(date(day.year, 1, 1), day, same_payer=True)
        if number > limit:
            yield found(
                f"{_lines(indices)}: visit {number} of the calendar year; "
                f"the policy pays {plural(limit, 'visit')} a year",
                path=f"lines[{indices[0]}].date_of_service",
                fix="bill the patient, or ask the payer for more visits",
            )


@rule(FILING_LATE, _ERROR)
def filing_late(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    The timely-filing limit after a date of service passed before ``as_of``.

    Source: Medicare's 12 months, or one calendar year, after the date of
    service (42 CFR 424.44), and commercial limits of 90 to 180 days in
    payers' provider manuals. The last day itself is in time; see
    :meth:`~soapbill.rules.policy.PayerPolicy.filing_deadline`. A deadline on a
    weekend or holiday is not moved: soapbill cannot know the payer's
    holidays.
    """
    policy = context.policy
    if policy.timely_filing_days is not None:
        limit = plural(policy.timely_filing_days, "day")
    elif policy.timely_filing_months is not None:
        limit = plural(policy.timely_filing_months, "month")
    else:
        return
    for day, indices in context.lines_by_date.items():
        deadline = policy.filing_deadline(day)
        if deadline is not None and context.as_of > deadline:
            yield found(
                f"{_lines(indices)}: filed after the {limit} the policy allows "
                f"after {_their(indices)} date of service",
                path=f"lines[{indices[0]}].date_of_service",
            )


@rule(AUTH_MISSING, _ERROR)
def auth_missing(context: Context, found: FindingFactory) -> Iterator[Finding]:
    """
    Lines need prior authorisation and the claim has no authorisation number.

    Sources: eviCore's authorisation of massage for Regence and Premera; the
    Uniform Medical Plan's rule for 97112 (WSMTA, "Clinical practices");
    Washington L&I past the first 6 visits (L&I, "Physical, occupational and
    massage therapy").
    """
    requirement = context.policy.prior_authorization
    claim = context.claim
    if requirement is None or claim.prior_authorization is not None:
        return
    codes = None if requirement.codes is None else frozenset(requirement.codes)
    needing: list[int] = []
    for day, indices in context.lines_by_date.items():
        visit = context.count_visits(date.min, day, same_payer=True)
        if visit <= requirement.after_visits:
            continue
        needing.extend(i for i in indices if codes is None or claim.lines[i].code in codes)
    if needing:
        needing.sort()
        when = (
            f" after the first {plural(requirement.after_visits, 'visit')}"
            if requirement.after_visits
            else ""
        )
        yield found(
            f"{_lines(needing)}: the policy requires prior authorisation{when}, "
            "and the claim has no authorisation number",
            path="prior_authorization",
            fix="get the payer's authorisation and add its number to the claim",
        )


# --- KX --------------------------------------------------------------------------------

_KX: Final = Modifier("KX")
_Pool = tuple[frozenset[Discipline], int]
#: The largest amount of money; a year's charges beyond it are over any threshold.
_MOST_MONEY: Final = MONEY_LIMIT - Decimal("0.01")


#: A year-to-date amount, and how many of the lines in it were counted at their
#: billed charge for want of an allowed amount.
_Amount = tuple[Decimal, int]


def _kx_value(line: ServiceLine, allowed: FeeSchedule | None) -> _Amount:
    """
    What *line* adds to the year's amount: its allowed amount, or its charge.
    """
    fee = None if allowed is None else allowed.find(line.code, line.date_of_service)
    if fee is None:
        return line.charge, 1
    return fee.amount * line.units, 0


def _kx_history(context: Context, days: list[date]) -> dict[_Pool, list[_Amount]]:
    """
    The history's amounts through each of *days*, by KX pool and year.

    *days* are the claim's dates of service, sorted. Each history line is
    added to the first of them on or after its own date, then the amounts are
    accumulated: one pass over the history, no sort of it.
    """
    payer = context.claim.coverage.payer.id
    allowed = context.allowed_amounts
    buckets: dict[_Pool, list[_Amount]] = {}
    # Looked up once: the loop runs once per line of the patient's history.
    discipline_of = Discipline.of_line
    for old in context.active_history:
        if old.coverage.payer.id != payer:
            continue
        for line in old.lines:
            day = line.date_of_service
            k = bisect.bisect_left(days, day)
            if k < len(days):
                key = (discipline_of(line).kx_pool, day.year)
                bucket = buckets.get(key)
                if bucket is None:
                    bucket = buckets[key] = [(Decimal(0), 0)] * len(days)
                amount, charged = _kx_value(line, allowed)
                bucket[k] = (bucket[k][0] + amount, bucket[k][1] + charged)
    return {
        key: list(itertools.accumulate(bucket, lambda a, b: (a[0] + b[0], a[1] + b[1])))
        for key, bucket in buckets.items()
    }


@rule_group({KX_REQUIRED: _ERROR, KX_ESTIMATED: _WARNING, KX_NOT_CHECKED: _INFO})
def kx_group(context: Context, found: GroupFindingFactory) -> Iterator[Finding]:
    """
    A therapy line past the year's KX threshold lacks the KX modifier.

    The year-to-date amount of a line is the sum of the amounts of the lines
    of its KX pool (PT with SLP, or OT) in its calendar year: on the active
    history billed to the same payer through its date, plus the lines of this
    claim before it (by date, then line order) and itself. Medicare measures
    the threshold in allowed amounts (incurred expenses), so a line counts
    its allowed amount from the ``allowed_amounts`` passed to
    :func:`~soapbill.rules.engine.evaluate` (the fee times the units), and its
    billed charge where none is known. ``kx.required``: the amount, all of it
    allowed amounts, passes the policy's threshold of the line's year, and the
    line has no KX. ``kx.estimated``: the same, but billed charges stood in for
    some of the amount, so the threshold may not be passed yet; the message
    says so. ``kx.not_checked``: the policy has KX thresholds, but none for a
    line's year. Source: Medicare Part B therapy thresholds (Pub 100-04 Ch. 5
    §10.3; Noridian, "Per-Beneficiary KX Modifier Thresholds"; NGS).
    """
    thresholds = context.policy.kx_threshold_by_year
    if not thresholds:
        return
    claim, allowed = context.claim, context.allowed_amounts
    days = sorted(context.lines_by_date)
    history = _kx_history(context, days)
    running: dict[_Pool, _Amount] = {}
    missing_years: dict[int, list[int]] = {}
    for i in sorted(range(len(claim.lines)), key=lambda k: claim.lines[k].date_of_service):
        line = claim.lines[i]
        day = line.date_of_service
        if day.year not in thresholds:
            missing_years.setdefault(day.year, []).append(i)
            continue
        discipline = Discipline.of_line(line)
        key = (discipline.kx_pool, day.year)
        value, charged = _kx_value(line, allowed)
        before = running.get(key, (Decimal(0), 0))
        running[key] = (before[0] + value, before[1] + charged)
        amount, charged = running[key]
        earlier = history.get(key)
        if earlier is not None:
            old = earlier[bisect.bisect_left(days, day)]
            amount, charged = amount + old[0], charged + old[1]
        # Once the year's expenses exceed the threshold, every therapy line
        # needs KX (Pub 100-04 Ch. 5 §10.3).
        if _KX not in line.modifiers and needs_kx(
            min(amount, _MOST_MONEY), day.year, discipline, thresholds=thresholds
        ):
            yield _kx_finding(
                found, i, line, thresholds[day.year], charged=charged, allowed=allowed
            )
    for year, indices in sorted(missing_years.items()):
        yield found(
            KX_NOT_CHECKED,
            f"{_lines(indices)}: KX not checked: the policy has no threshold for {year}",
            path=f"lines[{indices[0]}].date_of_service",
        )


def _kx_finding(
    found: GroupFindingFactory,
    i: int,
    line: ServiceLine,
    threshold: Decimal,
    *,
    charged: int,
    allowed: FeeSchedule | None,
) -> Finding:
    fix = f"add modifier KX to line {i + 1}, with documentation of medical necessity"
    if not charged:
        return found(
            KX_REQUIRED,
            f"line {i + 1} ({line.code}) needs modifier KX: the year's allowed amounts "
            f"for therapy pass the ${threshold} threshold",
            path=f"lines[{i}].modifiers",
            fix=fix,
        )
    if allowed is None:
        basis = "billed charges, as no allowed amounts were given"
    else:
        basis = f"billed charges for {plural(charged, 'line')} the allowed amounts do not price"
    return found(
        KX_ESTIMATED,
        f"line {i + 1} ({line.code}) may need modifier KX: the year's therapy amounts pass "
        f"the ${threshold} threshold, counted with {basis}; Medicare counts allowed amounts",
        path=f"lines[{i}].modifiers",
        fix=f"pass the payer's allowed amounts to check, or {fix}",
    )


#: Every built-in rule and rule group, in the order they run.
BUILTIN_RULES: Final[tuple[Rule | RuleGroup, ...]] = (
    coverage_inactive,
    coverage_wrong_payer,
    accident_group,
    rx_group,
    provider_not_covered,
    code_not_covered,
    code_bundled,
    diagnosis_group,
    units_group,
    units_unsupported_by_note,
    units_method_mismatch,
    ncci_conflict,
    modifier_missing,
    modifier_assistant_missing,
    note_missing,
    note_unsigned,
    visits_annual_limit,
    filing_late,
    auth_missing,
    kx_group,
)

#: The ids of the built-in rules, in the order their findings sort.
BUILTIN_IDS: Final[tuple[str, ...]] = tuple(i for r in BUILTIN_RULES for i in declared(r))
