"""
Billing arithmetic: units from minutes, coding edits, fees and visit-to-claim.

* :mod:`soapbill.billing.units`: minutes of treatment to billable units.
* :mod:`soapbill.billing.edits`: NCCI pairs, MUE limits and Medicare specifics.

.. versionadded:: 0.1.0
"""

from soapbill.billing.edits import (
    KX_THRESHOLDS,
    Discipline,
    ModifierIndicator,
    MueAdjudication,
    MueLimit,
    MueLimits,
    MueResult,
    MueStatus,
    PtpConflict,
    PtpEdit,
    PtpEdits,
    UnknownThresholdError,
    lines_missing_plan_modifier,
    lines_with_medicare_status,
    needs_kx,
)
from soapbill.billing.units import UnitAllocation, UnitMethod, allocate_units

__all__ = [
    "KX_THRESHOLDS",
    "Discipline",
    "ModifierIndicator",
    "MueAdjudication",
    "MueLimit",
    "MueLimits",
    "MueResult",
    "MueStatus",
    "PtpConflict",
    "PtpEdit",
    "PtpEdits",
    "UnitAllocation",
    "UnitMethod",
    "UnknownThresholdError",
    "allocate_units",
    "lines_missing_plan_modifier",
    "lines_with_medicare_status",
    "needs_kx",
]
