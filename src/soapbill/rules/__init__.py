"""
The rules engine: check a claim against a payer's policy, and explain why.

:func:`~soapbill.rules.engine.evaluate` runs the built-in rules
(:mod:`soapbill.rules.builtin`) that a :class:`~soapbill.rules.policy.PayerPolicy`
switches on, then any rules of your own, and returns a
:class:`~soapbill.rules.findings.Decision`: eligible or not, with every
:class:`~soapbill.rules.findings.Finding` explained. Write rules of your own
with :func:`~soapbill.rules.base.rule` and :func:`~soapbill.rules.base.rule_group`.
Example policies ship in :mod:`soapbill.rules.policies`; diagnosis tables in
:mod:`soapbill.rules.diagnoses`.

>>> from soapbill.rules import policies
>>> policies.load("commercial-rx").rx_required
True

.. versionadded:: 0.1.0
"""

from soapbill.rules.base import (
    FindingFactory,
    GroupFindingFactory,
    Rule,
    RuleError,
    RuleGroup,
    declared,
    rule,
    rule_group,
)
from soapbill.rules.builtin import BUILTIN_IDS, BUILTIN_RULES
from soapbill.rules.context import Context
from soapbill.rules.engine import evaluate
from soapbill.rules.findings import Decision, Finding, Severity
from soapbill.rules.policy import (
    KxThreshold,
    ModifierRequirement,
    PayerPolicy,
    PriorAuthorization,
    UnitLimit,
)

__all__ = [
    "BUILTIN_IDS",
    "BUILTIN_RULES",
    "Context",
    "Decision",
    "Finding",
    "FindingFactory",
    "GroupFindingFactory",
    "KxThreshold",
    "ModifierRequirement",
    "PayerPolicy",
    "PriorAuthorization",
    "Rule",
    "RuleError",
    "RuleGroup",
    "Severity",
    "UnitLimit",
    "declared",
    "evaluate",
    "rule",
    "rule_group",
]
