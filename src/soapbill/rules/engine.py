"""
The rules engine: findings, decisions, rules and :func:`evaluate`.

:func:`evaluate` checks one claim against one :class:`~soapbill.rules.PayerPolicy`
and returns a :class:`Decision`: the list of :class:`Finding` s, each saying
which rule found what, where (the path of the field in the claim), how bad it
is (:class:`Severity`) and, where one exists, how to fix it. A claim is
*eligible* when no finding is an :attr:`Severity.ERROR`.

A *rule* is a small pure function of a :class:`Context` that returns findings,
with a stable dotted id (:class:`Rule`, :func:`rule`). The built-in rules
(:mod:`soapbill.rules.builtin`) always run, in their documented order; each
does nothing unless the policy switches it on. Your own rules run after them,
through ``extra_rules``. There is no registry and no global state.

Evaluation is pure: no clock, no I/O. ``as_of`` is the day the claim is checked
(the day it would be filed).

Findings come in a stable order: by rule (the built-in rules in their order,
then ``extra_rules`` in the order given), then by path (``lines[2]`` before
``lines[10]``), then by message. Messages count lines from 1, as the claim form
does ("line 2" is ``lines[1]``), and never contain patient data; they name
codes, modifiers and line numbers.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, ClassVar, Final, Protocol, TypeVar, cast

import attrs

from soapbill._arguments import as_tuple, check_date, check_instance, invalid_type, tuple_of
from soapbill._fields import rules
from soapbill._model import model
from soapbill.claims import Claim, ClaimFrequency
from soapbill.errors import SoapbillError, ValidationError
from soapbill.prescriptions import Prescription
from soapbill.rules.diagnoses import DiagnosisTable
from soapbill.rules.policy import POLICY_ID_PATTERN, PayerPolicy
from soapbill.soap import SoapNote

__all__ = [
    "RULE_ID_PATTERN",
    "Context",
    "Decision",
    "Finding",
    "Rule",
    "RuleError",
    "Severity",
    "evaluate",
    "rule",
]

#: A rule id: lower-case words joined by dots, at least two (``"rx.expired"``).
RULE_ID_PATTERN: Final = r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+"
_RULE_ID: Final = re.compile(RULE_ID_PATTERN, re.ASCII).fullmatch

T = TypeVar("T")


class RuleError(SoapbillError):
    """
    A rule is malformed or misbehaves.

    Its id is bad or repeated, it is not callable, it returned something that
    is not an iterable of :class:`Finding` s of its own id, or it raised (when
    called, or while its generator ran). The message names the rule id; the
    error the rule raised is the ``__cause__``.

    .. versionadded:: 0.1.0
    """


class Severity(enum.StrEnum):
    """
    How bad a finding is.

    .. versionadded:: 0.1.0
    """

    #: The payer will deny the claim or a line: the claim is not eligible.
    ERROR = "error"
    #: Likely to cause a denial or a reduced payment; the claim may still go.
    WARNING = "warning"
    #: Worth knowing, such as a check that could not be made.
    INFO = "info"


@model
class Finding:
    """
    One thing a rule found.

    Attributes:
        rule: The id of the rule that found it, such as ``"rx.expired"``.
        severity: How bad it is.
        message: What is wrong, in plain words, without patient data.
        path: Where: the path of the offending field of the claim, such as
            ``"lines[1].modifiers"``; ``""`` means the claim as a whole.
        fix: How to fix it, where a fix is known ("add modifier 59 to line 2").

    .. versionadded:: 0.1.0
    """

    rule: str = attrs.field(metadata=rules(max_len=100, pattern=RULE_ID_PATTERN))
    severity: Severity
    message: str = attrs.field(metadata=rules(max_len=1_000))
    path: str = attrs.field(default="", metadata=rules(min_len=0, max_len=200))
    fix: str | None = attrs.field(default=None, metadata=rules(max_len=1_000))


@model
class Decision:
    """
    The outcome of checking a claim against a payer policy.

    ``eligible`` is stored, so that it travels in JSON, and must agree with the
    findings: a claim is eligible exactly when no finding is an error.
    :meth:`of` computes it.

    Attributes:
        policy_id: The id of the policy applied.
        policy_version: Its version.
        as_of: The day the claim was checked.
        eligible: Whether no finding is an error.
        findings: What the rules found, in a stable order.

    .. versionadded:: 0.1.0
    """

    #: A top-level JSON document: it carries ``"format_version"``.
    __soapbill_document__: ClassVar[bool] = True

    policy_id: str = attrs.field(metadata=rules(max_len=64, pattern=POLICY_ID_PATTERN))
    policy_version: str = attrs.field(metadata=rules(max_len=32))
    as_of: date
    eligible: bool
    findings: tuple[Finding, ...] = ()

    def _check_fields(self) -> None:
        has_error = any(f.severity is Severity.ERROR for f in self.findings)
        if self.eligible == has_error:
            raise ValidationError.single(
                "eligible", "inconsistent", "must be true exactly when no finding is an error"
            )

    @classmethod
    def of(cls, policy: PayerPolicy, as_of: date, findings: Iterable[Finding]) -> Decision:
        """
        Build the decision of *findings* under *policy*, deriving ``eligible``.

        Raises:
            ValidationError: An argument has the wrong type; the path names it.
        """
        check_instance(policy, PayerPolicy, "policy")
        found = tuple_of(findings, Finding, "findings")
        return cls(
            policy_id=policy.id,
            policy_version=policy.version,
            as_of=as_of,
            eligible=not any(f.severity is Severity.ERROR for f in found),
            findings=found,
        )

    @property
    def errors(self) -> tuple[Finding, ...]:
        """
        The findings of severity ERROR.
        """
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """
        The findings of severity WARNING.
        """
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def rules_found(self) -> frozenset[str]:
        """
        The ids of the rules that found something.
        """
        return frozenset(f.rule for f in self.findings)

    def to_json(self) -> str:
        """
        Encode this decision as a JSON document (see :mod:`soapbill.formats.json`).
        """
        from soapbill.formats.json import to_json  # noqa: PLC0415 - no import cycle

        return to_json(self)

    @classmethod
    def from_json(cls, text: str | bytes) -> Decision:
        """
        Decode a decision from JSON.

        Raises:
            ValidationError: The document is not a valid decision.
        """
        from soapbill.formats.json import from_json  # noqa: PLC0415 - no import cycle

        return from_json(text, cls)


class Rule(Protocol):
    """
    A rule: a callable with a stable dotted ``id``.

    It takes the :class:`Context` of one evaluation and returns (or yields) the
    :class:`Finding` s it makes, each carrying the rule's own id. It must be
    pure: the same context gives the same findings, whatever the order of the
    prescriptions, notes and history. Make one with :func:`rule`, or write a
    class with an ``id`` attribute and a ``__call__`` method (for a rule with
    parameters). To run rules in a process pool, define them at module level
    so that they pickle.

    .. versionadded:: 0.1.0
    """

    @property
    def id(self) -> str:
        """
        The rule's stable dotted id.
        """
        ...  # pragma: no cover - a protocol

    def __call__(self, context: Context, /) -> Iterable[Finding]:
        """
        Return the findings of this rule in *context*.
        """
        ...  # pragma: no cover - a protocol


Check = Callable[["Context"], Iterable[Finding]]


def rule(id: str) -> Callable[[Check], Rule]:
    """
    Make a function of a :class:`Context` a :class:`Rule` with the id *id*.

    The function is returned as it is, with an ``id`` attribute added, so a
    module-level rule pickles by name.

    >>> from soapbill.rules import Finding, Severity, rule
    >>> @rule("clinic.no_sunday")
    ... def no_sunday(context):
    ...     for i, line in enumerate(context.claim.lines):
    ...         if line.date_of_service.isoweekday() == 7:
    ...             yield Finding(
    ...                 rule="clinic.no_sunday",
    ...                 severity=Severity.WARNING,
    ...                 message=f"line {i + 1} is on a Sunday",
    ...                 path=f"lines[{i}].date_of_service",
    ...             )
    >>> no_sunday.id
    'clinic.no_sunday'

    Raises:
        RuleError: *id* is not lower-case words joined by dots.

    .. versionadded:: 0.1.0
    """
    _check_id(id, "id")

    def decorate(function: Check) -> Rule:
        function.id = id  # type: ignore[attr-defined]
        return cast("Rule", function)

    return decorate


def _check_id(value: object, where: str) -> str:
    if not isinstance(value, str) or _RULE_ID(value) is None:
        msg = f"{where}: a rule id is lower-case words joined by dots, such as 'rx.expired'"
        raise RuleError(msg)
    return value


def _other_patient(path: str) -> ValidationError:
    return ValidationError.single(path, "other_patient", "is about another patient than the claim")


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


def _count(dates: tuple[date, ...], first: date, last: date) -> int:
    if last < first:
        return 0
    return bisect.bisect_right(dates, last) - bisect.bisect_left(dates, first)


def _checked_inputs(
    claim: object,
    policy: object,
    *,
    prescriptions: object,
    notes: object,
    history: object,
    as_of: object,
    diagnosis_table: object,
) -> tuple[
    tuple[Prescription, ...], tuple[SoapNote, ...], dict[date, list[SoapNote]], tuple[Claim, ...]
]:
    claim = check_instance(claim, Claim, "claim")
    check_instance(policy, PayerPolicy, "policy")
    check_date(as_of, "as_of")
    # A table is anything with a check method (DiagnosisTable is a protocol).
    if diagnosis_table is not None and not callable(getattr(diagnosis_table, "check", None)):
        raise invalid_type("diagnosis_table", "a DiagnosisTable (an object with a check method)")
    patient = claim.patient.id
    rxs = tuple_of(prescriptions, Prescription, "prescriptions")
    for i, rx in enumerate(rxs):
        if rx.patient_id != patient:
            raise _other_patient(f"prescriptions[{i}].patient_id")
    note_list = tuple_of(notes, SoapNote, "notes")
    by_date: dict[date, list[SoapNote]] = {}
    for i, note in enumerate(note_list):
        if note.patient_id != patient:
            raise _other_patient(f"notes[{i}].patient_id")
        by_date.setdefault(note.date_of_service, []).append(note)
    earlier = tuple_of(history, Claim, "history")
    for i, old in enumerate(earlier):
        if old.patient.id != patient:
            raise _other_patient(f"history[{i}].patient.id")
    return rxs, note_list, by_date, earlier


@attrs.frozen(init=False, repr=False, eq=False)
class Context:
    """
    Everything one evaluation knows, indexed once.

    :func:`evaluate` makes one per call and hands it to every rule; make one
    yourself to test a rule. The inputs are checked: every prescription, note
    and earlier claim must be about the claim's patient (same patient id).

    History is indexed once: a *visit* is a distinct date of service on the
    claim or on an active earlier claim. An earlier claim is active unless it
    is voided or replaced. Claims sharing an ``id`` are versions of one claim:
    the claim under evaluation supersedes earlier claims with its id, a void
    cancels every claim with its id, and a replacement supersedes the originals
    with its id.

    Attributes:
        claim: The claim checked.
        policy: The payer policy applied.
        prescriptions: The patient's prescriptions on file.
        notes: The patient's SOAP notes on file.
        history: The patient's earlier claims, as given.
        as_of: The day the claim is checked.
        diagnosis_table: The diagnosis table, if any.

    Raises:
        ValidationError: An input is of the wrong type or about another patient.

    .. versionadded:: 0.1.0
    """

    claim: Claim
    policy: PayerPolicy
    prescriptions: tuple[Prescription, ...]
    notes: tuple[SoapNote, ...]
    history: tuple[Claim, ...]
    as_of: date
    diagnosis_table: DiagnosisTable | None
    _active: tuple[Claim, ...]
    _visits: tuple[date, ...]
    _payer_visits: tuple[date, ...]
    _notes_by_date: Mapping[date, tuple[SoapNote, ...]]
    _memo: dict[str, Any]

    def __init__(
        self,
        claim: Claim,
        policy: PayerPolicy,
        *,
        prescriptions: Iterable[Prescription] = (),
        notes: Iterable[SoapNote] = (),
        history: Iterable[Claim] = (),
        as_of: date,
        diagnosis_table: DiagnosisTable | None = None,
    ) -> None:
        rxs, note_list, by_date, earlier = _checked_inputs(
            claim,
            policy,
            prescriptions=prescriptions,
            notes=notes,
            history=history,
            as_of=as_of,
            diagnosis_table=diagnosis_table,
        )
        active = _active_history(claim, earlier)
        payer = claim.coverage.payer.id
        same_payer = [c for c in active if c.coverage.payer.id == payer]
        setattr_ = object.__setattr__
        setattr_(self, "claim", claim)
        setattr_(self, "policy", policy)
        setattr_(self, "prescriptions", rxs)
        setattr_(self, "notes", note_list)
        setattr_(self, "history", earlier)
        setattr_(self, "as_of", as_of)
        setattr_(self, "diagnosis_table", diagnosis_table)
        setattr_(self, "_active", active)
        visits = _visit_dates((claim, *active))
        setattr_(self, "_visits", visits)
        if len(same_payer) != len(active):
            visits = _visit_dates((claim, *same_payer))
        setattr_(self, "_payer_visits", visits)
        setattr_(self, "_notes_by_date", {day: tuple(ns) for day, ns in by_date.items()})
        setattr_(self, "_memo", {})

    @property
    def active_history(self) -> tuple[Claim, ...]:
        """
        The earlier claims that still count: not voided, replaced or superseded.
        """
        return self._active

    @property
    def visit_dates(self) -> tuple[date, ...]:
        """
        Every visit (distinct date of service) on the claim and active history, sorted.
        """
        return self._visits

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
        return _count(self._payer_visits if same_payer else self._visits, first, last)

    def notes_on(self, day: date) -> tuple[SoapNote, ...]:
        """
        The SOAP notes of the date of service *day*.

        Raises:
            ValidationError: *day* is not a date.
        """
        check_date(day, "day")
        return self._notes_by_date.get(day, ())

    def memo(self, key: str, compute: Callable[[Context], T]) -> T:
        """
        Compute ``compute(self)`` once per evaluation and remember it under *key*.

        Rules that share an analysis (the prescription rules share the choice
        of a covering prescription) compute it once. The memo lives and dies
        with this context.

        Raises:
            ValidationError: *key* is not a string, or *compute* is not callable.
        """
        if key.__class__ is not str:
            raise invalid_type("key", "a string")
        memo = self._memo
        if key in memo:
            return cast("T", memo[key])
        if not callable(compute):
            raise invalid_type("compute", "a function of a Context")
        value = memo[key] = compute(self)
        return value

    def __repr__(self) -> str:
        return f"Context(policy={self.policy.id!r}, as_of={self.as_of!r})"


_PATH_PART: Final = re.compile(r"(\d+)")


def _path_key(path: str) -> tuple[object, ...]:
    # "lines[10]" sorts after "lines[2]": numbers compare as numbers.
    return tuple(int(p) if i % 2 else p for i, p in enumerate(_PATH_PART.split(path)))


def _rules(extra_rules: object) -> tuple[tuple[str, ...], tuple[Rule, ...]]:
    """
    Return the ids and the rules to run: the built-in ones, then *extra_rules*.

    Raises:
        ValidationError: *extra_rules* is not an iterable.
        RuleError: An extra rule has a bad or repeated id, or is not callable.
    """
    from soapbill.rules.builtin import BUILTIN_IDS, BUILTIN_RULES  # noqa: PLC0415 - builtin imports this module

    extra = as_tuple(extra_rules, "extra_rules", "rules")
    if not extra:
        return BUILTIN_IDS, BUILTIN_RULES
    ids = list(BUILTIN_IDS)
    seen = set(ids)
    for i, extra_rule in enumerate(extra):
        rule_id = _check_id(getattr(extra_rule, "id", None), f"extra_rules[{i}]")
        if rule_id in seen:
            msg = f"extra_rules[{i}]: the rule id is already used"
            raise RuleError(msg)
        if not callable(extra_rule):
            msg = f"rule {rule_id} (extra_rules[{i}]): is not callable"
            raise RuleError(msg)
        seen.add(rule_id)
        ids.append(rule_id)
    return tuple(ids), (*BUILTIN_RULES, *cast("tuple[Rule, ...]", extra))


def _failed(rule_id: str, error: Exception) -> RuleError:
    # The type of the error, never its message: that may quote the claim.
    return RuleError(f"rule {rule_id}: raised {type(error).__name__}")


def _findings(rule_id: str, each: Rule, context: Context) -> Iterable[object]:
    """
    Call the rule *each* and return what it found, read to the end.

    Raises:
        RuleError: The rule raised, or returned something that is not an
            iterable; the error the rule raised is the ``__cause__``.
    """
    try:
        result: object = each(context)
    except Exception as error:
        raise _failed(rule_id, error) from error
    # Most rules return a list (the built-in ones do): read it as it is.
    if result.__class__ is list or result.__class__ is tuple:
        return cast("Iterable[object]", result)
    if isinstance(result, Iterable) and not isinstance(result, str | bytes):
        try:
            return tuple(result)
        except Exception as error:
            # A generator that raised on the way.
            raise _failed(rule_id, error) from error
    msg = f"rule {rule_id}: returned {type(result).__name__}, not an iterable of findings"
    raise RuleError(msg)


def _run(context: Context, ids: tuple[str, ...], rules: tuple[Rule, ...]) -> tuple[Finding, ...]:
    """
    Run *rules* in *context* and return their findings in the stable order.

    Raises:
        RuleError: A rule raised, or returned something that is not an
            iterable of findings of its id.
    """
    keyed: list[tuple[int, tuple[object, ...], str, Finding]] = []
    for position, (rule_id, each) in enumerate(zip(ids, rules, strict=True)):
        for found in _findings(rule_id, each, context):
            if found.__class__ is not Finding or found.rule != rule_id:
                msg = f"rule {rule_id}: returned something that is not a Finding of its id"
                raise RuleError(msg)
            keyed.append((position, _path_key(found.path), found.message, found))
    if len(keyed) > 1:
        keyed.sort(key=lambda k: k[:3])
    return tuple(k[3] for k in keyed)


def evaluate(
    claim: Claim,
    policy: PayerPolicy,
    *,
    prescriptions: Iterable[Prescription] = (),
    notes: Iterable[SoapNote] = (),
    history: Iterable[Claim] = (),
    as_of: date,
    extra_rules: Iterable[Rule] = (),
    diagnosis_table: DiagnosisTable | None = None,
) -> Decision:
    """
    Check *claim* against *policy* and explain the decision.

    Runs every built-in rule (each does nothing unless *policy* switches it on),
    then *extra_rules* in the order given.

    Args:
        claim: The claim to check.
        policy: The payer's policy.
        prescriptions: The patient's prescriptions on file. A line is covered
            by any prescription valid on its date of service.
        notes: The patient's SOAP notes on file.
        history: The patient's earlier claims, in any order; see
            :class:`Context` for what counts as a visit.
        as_of: The day the claim is checked (for the filing limit).
        extra_rules: Your own rules, run after the built-in ones.
        diagnosis_table: Says whether a diagnosis is billable on a date;
            without one, diagnoses are reported as not checked.

    Returns:
        The decision, with its findings in a stable order.

    Raises:
        ValidationError: An argument is of the wrong type (the path names it,
            such as ``prescriptions[1]``), or about another patient.
        RuleError: A rule has a bad or repeated id, is not callable, returns
            something other than findings of its id, or raises; the message
            names the rule id and the error raised is the ``__cause__``.

    .. versionadded:: 0.1.0
    """
    ids, all_rules = _rules(extra_rules)
    context = Context(
        claim,
        policy,
        prescriptions=prescriptions,
        notes=notes,
        history=history,
        as_of=as_of,
        diagnosis_table=diagnosis_table,
    )
    return Decision.of(policy, as_of, _run(context, ids, all_rules))
