"""
The evaluation context: everything one evaluation knows, checked and indexed once.

:func:`soapbill.rules.engine.evaluate` builds one :class:`Context` per call with
:meth:`Context.of` and hands it to every rule. Build one yourself the same
way to test a rule of your own.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Final

import attrs

from soapbill._arguments import check_date, check_instance, invalid_type, tuple_of
from soapbill.billing.fees import FeeSchedule
from soapbill.care import CarePlan
from soapbill.claims import Claim, ClaimFrequency
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog
from soapbill.errors import ValidationError
from soapbill.prescriptions import Prescription
from soapbill.rules.diagnoses import DiagnosisTable
from soapbill.rules.policy import PayerPolicy
from soapbill.soap import SoapNote

__all__ = ["Context"]

#: A table is anything with a check method (DiagnosisTable is a protocol).
_A_TABLE: Final = "a DiagnosisTable (an object with a check method)"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Context:
    """
    Everything one evaluation knows, indexed once.

    Build it with :meth:`of`, which checks the inputs and indexes them; the
    plain ``__init__`` takes every field as it is, index included.

    A *visit* is a distinct date of service on the claim or on an active
    earlier claim. An earlier claim is active unless it is voided or replaced.
    Claims sharing an ``id`` are versions of one claim: the claim under
    evaluation supersedes earlier claims with its id, a void cancels every
    claim with its id, and a replacement supersedes the originals with its id.

    Attributes:
        claim: The claim checked.
        policy: The payer policy applied.
        prescriptions: The patient's prescriptions on file.
        notes: The patient's SOAP notes on file.
        history: The patient's earlier claims, as given.
        as_of: The day the claim is checked.
        diagnosis_table: The diagnosis table, if any.
        catalog: The code catalogue: which codes are known, which are timed.
        allowed_amounts: The payer's allowed amounts by code and date, if
            given (the KX threshold is measured in them).
        active_history: The earlier claims that still count: not voided,
            replaced or superseded.
        visit_dates: Every visit on the claim and the active history, sorted.
        payer_visit_dates: The visits billed to the claim's payer (by payer
            id), sorted.
        lines_by_date: The claim's line indices by date of service, in date
            order.
        notes_by_date: The notes by date of service.
        care_plans: The patient's plans of care on file.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``care_plans``.
    """

    claim: Claim
    policy: PayerPolicy
    prescriptions: tuple[Prescription, ...]
    notes: tuple[SoapNote, ...]
    history: tuple[Claim, ...]
    as_of: date
    diagnosis_table: DiagnosisTable | None
    catalog: Catalog
    allowed_amounts: FeeSchedule | None
    active_history: tuple[Claim, ...]
    visit_dates: tuple[date, ...]
    payer_visit_dates: tuple[date, ...]
    lines_by_date: Mapping[date, tuple[int, ...]]
    notes_by_date: Mapping[date, tuple[SoapNote, ...]]
    care_plans: tuple[CarePlan, ...] = ()

    @classmethod
    def of(
        cls,
        claim: Claim,
        policy: PayerPolicy,
        *,
        prescriptions: Iterable[Prescription] = (),
        notes: Iterable[SoapNote] = (),
        history: Iterable[Claim] = (),
        as_of: date,
        diagnosis_table: DiagnosisTable | None = None,
        catalog: Catalog | None = None,
        allowed_amounts: FeeSchedule | None = None,
        care_plans: Iterable[CarePlan] = (),
    ) -> Context:
        """
        Check the inputs of one evaluation and index them.

        Every prescription, note, plan of care and earlier claim must be about the claim's
        patient (the same patient id). ``catalog`` defaults to
        :data:`~soapbill.codes.cpt.DEFAULT_CATALOG`; ``allowed_amounts``, the
        payer's allowed amounts as a
        :class:`~soapbill.billing.fees.FeeSchedule`, to none.

        Raises:
            ValidationError: An input is of the wrong type or about another
                patient; the path names it, such as ``history[3].patient.id``.

        .. versionadded:: 0.1.0
        """
        claim = check_instance(claim, Claim, "claim")
        check_instance(policy, PayerPolicy, "policy")
        check_date(as_of, "as_of")
        book = _checked_tables(diagnosis_table, catalog, allowed_amounts)
        patient = claim.patient.id
        rxs = tuple_of(prescriptions, Prescription, "prescriptions")
        _same_patient((rx.patient_id for rx in rxs), "prescriptions", "patient_id", patient)
        note_list = tuple_of(notes, SoapNote, "notes")
        _same_patient((note.patient_id for note in note_list), "notes", "patient_id", patient)
        plans = tuple_of(care_plans, CarePlan, "care_plans")
        _same_patient((plan.patient_id for plan in plans), "care_plans", "patient_id", patient)
        earlier = tuple_of(history, Claim, "history")
        _same_patient((old.patient.id for old in earlier), "history", "patient.id", patient)
        active = _active_history(claim, earlier)
        payer = claim.coverage.payer.id
        same_payer = [c for c in active if c.coverage.payer.id == payer]
        visits = _visit_dates((claim, *active))
        by_note_date: dict[date, list[SoapNote]] = {}
        for note in note_list:
            by_note_date.setdefault(note.date_of_service, []).append(note)
        by_line_date: dict[date, list[int]] = {}
        for i, line in enumerate(claim.lines):
            by_line_date.setdefault(line.date_of_service, []).append(i)
        return cls(
            claim=claim,
            policy=policy,
            prescriptions=rxs,
            notes=note_list,
            history=earlier,
            as_of=as_of,
            diagnosis_table=diagnosis_table,
            catalog=book,
            allowed_amounts=allowed_amounts,
            active_history=active,
            visit_dates=visits,
            payer_visit_dates=(
                visits if len(same_payer) == len(active) else _visit_dates((claim, *same_payer))
            ),
            lines_by_date=MappingProxyType(
                {day: tuple(by_line_date[day]) for day in sorted(by_line_date)}
            ),
            notes_by_date=MappingProxyType({day: tuple(ns) for day, ns in by_note_date.items()}),
            care_plans=plans,
        )

    def count_visits(self, first: date, last: date, *, same_payer: bool = False) -> int:
        """
        Count the visits from *first* through *last* (inclusive).

        Args:
            first: The first day counted.
            last: The last day counted.
            same_payer: Count only claims to the claim's payer (by payer id).

        Raises:
            ValidationError: *first* or *last* is not a date.
        """
        check_date(first, "first")
        check_date(last, "last")
        if last < first:
            return 0
        dates = self.payer_visit_dates if same_payer else self.visit_dates
        return bisect.bisect_right(dates, last) - bisect.bisect_left(dates, first)

    def notes_on(self, day: date) -> tuple[SoapNote, ...]:
        """
        The SOAP notes of the date of service *day*.

        Raises:
            ValidationError: *day* is not a date.
        """
        check_date(day, "day")
        return self.notes_by_date.get(day, ())

    def __repr__(self) -> str:
        return f"Context(policy={self.policy.id!r}, as_of={self.as_of!r})"


def _same_patient(owners: Iterable[str], name: str, where: str, patient: str) -> None:
    """
    Refuse the first of *owners* (the patient ids of the items of *name*) that is not *patient*.
    """
    for i, owner in enumerate(owners):
        if owner != patient:
            raise ValidationError.single(
                f"{name}[{i}].{where}", "other_patient", "is about another patient than the claim"
            )


def _active_history(claim: Claim, history: tuple[Claim, ...]) -> tuple[Claim, ...]:
    # Claims sharing an id are versions of one claim (a replacement or a void
    # carries the patient control number of the claim it replaces). The claim
    # under evaluation is the newest version of its id; a void cancels its id;
    # a replacement supersedes the originals of its id. History has no order,
    # so several replacements of one id all count.
    groups: dict[str, list[Claim]] = {}
    for earlier in history:
        if earlier.id != claim.id:
            groups.setdefault(earlier.id, []).append(earlier)
    active: list[Claim] = []
    for versions in groups.values():
        if len(versions) == 1:
            if versions[0].frequency is not ClaimFrequency.VOID:
                active.append(versions[0])
            continue
        if any(c.frequency is ClaimFrequency.VOID for c in versions):
            continue
        replacements = [c for c in versions if c.frequency is ClaimFrequency.REPLACEMENT]
        active.extend(replacements or versions)
    return tuple(active)


def _visit_dates(claims: Iterable[Claim]) -> tuple[date, ...]:
    return tuple(sorted({line.date_of_service for c in claims for line in c.lines}))


def _checked_tables(diagnosis_table: object, catalog: object, allowed_amounts: object) -> Catalog:
    """
    Check :meth:`Context.of`'s optional tables; return the catalogue to use.
    """
    if diagnosis_table is not None and not callable(getattr(diagnosis_table, "check", None)):
        raise invalid_type("diagnosis_table", "a DiagnosisTable (an object with a check method)")
    if allowed_amounts is not None:
        check_instance(allowed_amounts, FeeSchedule, "allowed_amounts")
    return DEFAULT_CATALOG if catalog is None else check_instance(catalog, Catalog, "catalog")
