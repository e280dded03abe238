"""
The rules engine: check a claim against a payer's policy, and explain why.

:func:`evaluate` runs the built-in rules (:mod:`soapbill.rules.builtin`) that a
:class:`PayerPolicy` switches on, then any rules of your own, and returns a
:class:`Decision`: eligible or not, with every :class:`Finding` explained.
Example policies ship in :mod:`soapbill.rules.policies`; diagnosis tables in
:mod:`soapbill.rules.diagnoses`.

>>> from soapbill.rules import policies
>>> policies.load("commercial-rx").rx_required
True

.. versionadded:: 0.1.0
"""

from soapbill.rules.builtin import BUILTIN_IDS, BUILTIN_RULES
from soapbill.rules.engine import (
    Context,
    Decision,
    Finding,
    Rule,
    RuleError,
    Severity,
    evaluate,
    rule,
)
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
    "KxThreshold",
    "ModifierRequirement",
    "PayerPolicy",
    "PriorAuthorization",
    "Rule",
    "RuleError",
    "Severity",
    "UnitLimit",
    "evaluate",
    "rule",
]
