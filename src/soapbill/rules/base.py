"""
What a rule is, and how to write one.

A *rule* is a small pure function of the evaluation :class:`~soapbill.rules.context.Context` with a
stable dotted id and a severity (:class:`Rule`, made with :func:`rule`). It
receives a ``found`` factory bound to its id and severity, and yields
``found(message, path=..., fix=...)`` for each thing it finds:

>>> from soapbill.rules import Severity, rule
>>> @rule("clinic.no_sunday", Severity.WARNING)
... def no_sunday(context, found):
...     for day, indices in context.lines_by_date.items():
...         if day.isoweekday() == 7:
...             yield found(f"line {indices[0] + 1} is on a Sunday", path=f"lines[{indices[0]}]")
>>> no_sunday.id, no_sunday.severity
('clinic.no_sunday', <Severity.WARNING: 'warning'>)

Several findings that come from one analysis (which prescription covers a
line, which year-to-date amount passes the KX threshold) are a *rule group*
(:class:`RuleGroup`, made with :func:`rule_group`): one function declaring
every id it may report, with the severity of each. Its ``found`` takes the id
first: ``found("rx.expired", message, path=...)``. The engine refuses a
finding of an id the rule or group did not declare.

A rule or group with parameters is a class with the same attributes and a
``__call__(context, found)`` method. To run rules in a process pool, define
them at module level so that they pickle.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Final, Protocol, cast

import attrs

from soapbill.errors import SoapbillError
from soapbill.rules.context import Context
from soapbill.rules.findings import RULE_ID_PATTERN, Finding, Severity

__all__ = [
    "FindingFactory",
    "GroupFindingFactory",
    "Rule",
    "RuleError",
    "RuleGroup",
    "declared",
    "rule",
    "rule_group",
]

_RULE_ID: Final = re.compile(RULE_ID_PATTERN, re.ASCII).fullmatch


class RuleError(SoapbillError):
    """
    A rule is malformed or misbehaves.

    Its id is bad or repeated, its severity is not a
    :class:`~soapbill.rules.findings.Severity`, it is not callable, it returned
    something that is not an iterable of
    :class:`~soapbill.rules.findings.Finding` s of the ids it declares, or it
    raised (when called, or while its generator ran). The message names the
    rule id (a group by its first id) and the type of the error the rule
    raised, never that error's text, which may quote the claim. When a rule
    the caller passed in ``extra_rules`` raised, its exception is the
    RuleError's ``__cause__``: the caller's own code and data, kept to debug
    with. A built-in rule's error chains nothing, and ``__context__`` is
    always ``None``.

    .. versionadded:: 0.1.0
    """


@attrs.frozen
class FindingFactory:
    """
    The ``found`` of a rule: makes its findings, with its id and severity.

    >>> found = FindingFactory("clinic.no_sunday", Severity.WARNING)
    >>> found("line 1 is on a Sunday", path="lines[0]").severity
    <Severity.WARNING: 'warning'>

    Attributes:
        rule: The rule's id.
        severity: The severity of its findings.

    .. versionadded:: 0.1.0
    """

    rule: str
    severity: Severity

    def __call__(self, message: str, *, path: str = "", fix: str | None = None) -> Finding:
        """
        A finding of this rule.

        Raises:
            ValidationError: A field of the finding is not valid.
        """
        return Finding(rule=self.rule, severity=self.severity, message=message, path=path, fix=fix)


@attrs.frozen
class GroupFindingFactory:
    """
    The ``found`` of a rule group: makes the findings of any id it declares.

    Attributes:
        severities: The ids of the group, each with its severity.

    .. versionadded:: 0.1.0
    """

    severities: Mapping[str, Severity]

    def __call__(
        self, rule: str, message: str, *, path: str = "", fix: str | None = None
    ) -> Finding:
        """
        A finding of the rule *rule*, which the group declares.

        Raises:
            RuleError: The group does not declare *rule*.
            ValidationError: A field of the finding is not valid.
        """
        given: object = rule
        severity = self.severities.get(rule) if isinstance(given, str) else None
        if severity is None:
            msg = "a rule group made a finding of an id it does not declare"
            raise RuleError(msg)
        return Finding(rule=rule, severity=severity, message=message, path=path, fix=fix)


class Rule(Protocol):
    """
    A rule: a callable with a stable dotted ``id`` and a ``severity``.

    It is called with the :class:`~soapbill.rules.context.Context` of one evaluation and a
    :class:`FindingFactory` bound to its id and severity, and returns (or
    yields) the findings it makes. It must be pure: the same context gives the
    same findings, whatever the order of the prescriptions, notes and history.
    Make one with :func:`rule`, or write a class with ``id`` and ``severity``
    attributes and a ``__call__`` method (for a rule with parameters).

    .. versionadded:: 0.1.0
    """

    @property
    def id(self) -> str:
        """
        The rule's stable dotted id.
        """
        ...  # pragma: no cover - a protocol

    @property
    def severity(self) -> Severity:
        """
        The severity of its findings.
        """
        ...  # pragma: no cover - a protocol

    def __call__(self, context: Context, found: FindingFactory, /) -> Iterable[Finding]:
        """
        Return the findings of this rule in *context*.
        """
        ...  # pragma: no cover - a protocol


class RuleGroup(Protocol):
    """
    Rules that share one analysis: a callable declaring the ids it may report.

    It is called with the :class:`~soapbill.rules.context.Context` and a
    :class:`GroupFindingFactory` of its ids, and returns the findings of any of them. Make one with
    :func:`rule_group`, or write a class with a ``severities`` attribute and a
    ``__call__`` method.

    .. versionadded:: 0.1.0
    """

    @property
    def severities(self) -> Mapping[str, Severity]:
        """
        The ids the group may report, in order, each with its severity.
        """
        ...  # pragma: no cover - a protocol

    def __call__(self, context: Context, found: GroupFindingFactory, /) -> Iterable[Finding]:
        """
        Return the findings of this group in *context*.
        """
        ...  # pragma: no cover - a protocol


RuleFunction = Callable[[Context, FindingFactory], Iterable[Finding]]
GroupFunction = Callable[[Context, GroupFindingFactory], Iterable[Finding]]


def rule(id: str, severity: Severity) -> Callable[[RuleFunction], Rule]:
    """
    Make a function of the context and a ``found`` factory a :class:`Rule`.

    The function is returned as it is, with ``id`` and ``severity`` attributes
    added, so a module-level rule pickles by name.

    Raises:
        RuleError: *id* is not lower-case words joined by dots, or *severity*
            is not a :class:`~soapbill.rules.findings.Severity`.

    .. versionadded:: 0.1.0
    """
    _check_id(id, "id")
    _check_severity(severity, "severity")

    def decorate(function: RuleFunction) -> Rule:
        function.id = id  # type: ignore[attr-defined]
        function.severity = severity  # type: ignore[attr-defined]
        return cast("Rule", function)

    return decorate


def rule_group(severities: Mapping[str, Severity]) -> Callable[[GroupFunction], RuleGroup]:
    """
    Make a function of the context and a ``found`` factory a :class:`RuleGroup`.

    *severities* declares the ids the group may report, in the order their
    findings sort, each with its severity. The function is returned as it is,
    with a read-only ``severities`` attribute added.

    >>> from soapbill.rules import Severity, rule_group
    >>> @rule_group({"clinic.weekend": Severity.WARNING, "clinic.night": Severity.INFO})
    ... def opening_hours(context, found):
    ...     for day, indices in context.lines_by_date.items():
    ...         if day.isoweekday() >= 6:
    ...             yield found(
    ...                 "clinic.weekend", "a visit on a weekend", path=f"lines[{indices[0]}]"
    ...             )
    >>> list(opening_hours.severities)
    ['clinic.weekend', 'clinic.night']

    Raises:
        RuleError: *severities* is empty or not a mapping of rule ids to
            :class:`~soapbill.rules.findings.Severity` values.

    .. versionadded:: 0.1.0
    """
    frozen = _check_severities(severities, "severities")

    def decorate(function: GroupFunction) -> RuleGroup:
        function.severities = frozen  # type: ignore[attr-defined]
        return cast("RuleGroup", function)

    return decorate


def declared(check: Rule | RuleGroup) -> Mapping[str, Severity]:
    """
    The ids a rule or rule group may report, in order, each with its severity.

    A rule declares its ``id`` and ``severity``, a rule group its
    ``severities``. :func:`~soapbill.rules.engine.evaluate` asks this of every rule
    it runs.

    >>> from soapbill.rules.builtin import code_bundled
    >>> declared(code_bundled)
    mappingproxy({'code.bundled': <Severity.WARNING: 'warning'>})

    Raises:
        RuleError: *check* declares no valid id, or a severity that is not a
            :class:`~soapbill.rules.findings.Severity`.

    .. versionadded:: 0.1.0
    """
    severities: object = getattr(check, "severities", None)
    if severities is not None:
        return _check_severities(severities, "severities")
    rule_id = _check_id(getattr(check, "id", None), "id")
    return MappingProxyType(
        {rule_id: _check_severity(getattr(check, "severity", None), "severity")}
    )


def _check_id(value: object, where: str) -> str:
    if not isinstance(value, str) or _RULE_ID(value) is None:
        msg = f"{where}: a rule id is lower-case words joined by dots, such as 'rx.expired'"
        raise RuleError(msg)
    return value


def _check_severity(value: object, where: str) -> Severity:
    if not isinstance(value, Severity):
        msg = f"{where}: expected a Severity"
        raise RuleError(msg)
    return value


def _check_severities(value: object, where: str) -> Mapping[str, Severity]:
    if not isinstance(value, Mapping) or not value:
        msg = f"{where}: expected a mapping of rule ids to severities"
        raise RuleError(msg)
    return MappingProxyType(
        {
            _check_id(rule_id, f"{where}[{i}]"): _check_severity(severity, f"{where}[{i}]")
            for i, (rule_id, severity) in enumerate(value.items())
        }
    )
