"""
What the rules engine returns: findings, their severity, and the decision.

A :class:`Finding` says which rule found what, where (the path of the field
in the claim), how bad it is (:class:`Severity`) and, where one exists, how to
fix it. A :class:`Decision` holds the findings of one evaluation under one
policy; a claim is *eligible* when no finding is an :attr:`Severity.ERROR`.

Messages count lines from 1, as the claim form does ("line 2" is
``lines[1]``), and never contain patient data; they name codes, modifiers and
line numbers.

>>> finding = Finding(rule="clinic.no_sunday", severity=Severity.WARNING, message="m")
>>> finding.path, finding.fix
('', None)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import ClassVar, Final

import attrs

from soapbill._arguments import check_instance, tuple_of
from soapbill._enums import Choice
from soapbill._fields import rules
from soapbill._model import model
from soapbill.errors import ValidationError
from soapbill.rules.policy import POLICY_ID_PATTERN, PayerPolicy

__all__ = ["RULE_ID_PATTERN", "Decision", "Finding", "Severity"]

#: The shape of a rule id, lower-case words joined by dots, at least two (``"rx.expired"``).
RULE_ID_PATTERN: Final = r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+"


class Severity(Choice):
    """
    How bad a finding is.

    .. versionadded:: 0.1.0
    """

    #: The payer will deny the claim or a line, so the claim is not eligible.
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

    #: A top-level JSON document, which carries ``"format_version"``.
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
        Encode this decision as a JSON document.

        A thin alias of ``soapbill.formats.json.to_json(decision)``, kept for
        convenience; the JSON format is the formats' business, which is
        imported on the first call, not when this module loads.
        """
        from soapbill.formats.json import to_json  # noqa: PLC0415 - models load no formats

        return to_json(self)

    @classmethod
    def from_json(cls, text: str | bytes) -> Decision:
        """
        Decode a decision from JSON.

        A thin alias of ``soapbill.formats.json.from_json(text, Decision)``,
        kept for convenience, as :meth:`to_json` is.

        Raises:
            ValidationError: The document is not a valid decision.
        """
        from soapbill.formats.json import from_json  # noqa: PLC0415 - models load no formats

        return from_json(text, cls)
