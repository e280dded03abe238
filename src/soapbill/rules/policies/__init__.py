"""
Example payer policies that ship with soapbill.

They are **examples** built from public sources, listed in docs/sources.md
(prescription validity, visit limits, unit methods, timely-filing
limits, Medicare's modifiers, thresholds, bundled codes and plans of care),
not any payer's contract: copy one and change it to your payer's terms.
docs/guide/policies.md describes each.

* ``commercial-rx``: a commercial plan that pays massage therapy with a
  prescription.
* ``commercial``: a commercial plan that needs no prescription.
* ``medicare-part-b``: Medicare Part B outpatient therapy, under a plan of
  care certified within 30 days, with a progress report at least every 10
  treatment days (the rules of :mod:`soapbill.rules.care`).
* ``auto-pip``: auto insurance personal injury protection.
* ``workers-comp``: workers' compensation.

>>> names()
('auto-pip', 'commercial', 'commercial-rx', 'medicare-part-b', 'workers-comp')
>>> load("medicare-part-b").timely_filing_months
12
>>> load("medicare-part-b").care_plan_certification_days
30

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0 ``medicare-part-b`` switches on the rules of plans
   of care and progress reports.
"""

from __future__ import annotations

from importlib import resources
from typing import Final

from soapbill.errors import SoapbillError
from soapbill.rules.policy import PayerPolicy

__all__ = ["UnknownPolicyError", "load", "names"]

_NAMES: Final = ("auto-pip", "commercial", "commercial-rx", "medicare-part-b", "workers-comp")


class UnknownPolicyError(SoapbillError, LookupError):
    """
    No bundled policy has the name asked for.

    .. versionadded:: 0.1.0
    """


def names() -> tuple[str, ...]:
    """
    The names of the bundled example policies, sorted.

    .. versionadded:: 0.1.0
    """
    return _NAMES


def load(name: str) -> PayerPolicy:
    """
    Load the bundled example policy *name*.

    Each call reads and decodes the policy's JSON file: keep the result
    rather than loading it per claim.

    Raises:
        UnknownPolicyError: No bundled policy has that name.

    .. versionadded:: 0.1.0
    """
    if name not in _NAMES:
        raise UnknownPolicyError("no bundled policy has that name; see names()")
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return PayerPolicy.from_json(text)
