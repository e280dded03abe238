"""
Billing arithmetic: units from minutes, coding edits, fees and visit-to-claim.

* :mod:`soapbill.billing.units`: minutes of treatment to billable units.
* :mod:`soapbill.billing.ncci`: NCCI procedure-to-procedure pairs and MUE limits.
* :mod:`soapbill.billing.medicare`: Medicare disciplines, plan and assistant modifiers, KX
  thresholds.
* :mod:`soapbill.billing.fees`: fee schedules, self-pay packages, patient estimates.
* :mod:`soapbill.billing.build`: signed SOAP notes to a claim.

.. versionadded:: 0.1.0
"""

from soapbill.billing.build import build_claim
from soapbill.billing.fees import (
    Estimate,
    Fee,
    FeeNotFoundError,
    FeeSchedule,
    Package,
    PackageBalance,
    PackageError,
    SessionPrice,
    estimate,
)
from soapbill.billing.medicare import (
    ASSISTANT_MODIFIERS,
    ASSISTANTS_FROM,
    KX_THRESHOLDS,
    Discipline,
    UnknownThresholdError,
    assistant_modifier,
    lines_missing_plan_modifier,
    lines_with_medicare_status,
    needs_kx,
)
from soapbill.billing.ncci import (
    ModifierIndicator,
    MueAdjudication,
    MueLimit,
    MueLimits,
    MueResult,
    MueStatus,
    PtpConflict,
    PtpEdit,
    PtpEdits,
)
from soapbill.billing.units import UnitAllocation, UnitMethod, allocate_units

__all__ = [
    "ASSISTANTS_FROM",
    "ASSISTANT_MODIFIERS",
    "KX_THRESHOLDS",
    "Discipline",
    "Estimate",
    "Fee",
    "FeeNotFoundError",
    "FeeSchedule",
    "ModifierIndicator",
    "MueAdjudication",
    "MueLimit",
    "MueLimits",
    "MueResult",
    "MueStatus",
    "Package",
    "PackageBalance",
    "PackageError",
    "PtpConflict",
    "PtpEdit",
    "PtpEdits",
    "SessionPrice",
    "UnitAllocation",
    "UnitMethod",
    "UnknownThresholdError",
    "allocate_units",
    "assistant_modifier",
    "build_claim",
    "estimate",
    "lines_missing_plan_modifier",
    "lines_with_medicare_status",
    "needs_kx",
]
