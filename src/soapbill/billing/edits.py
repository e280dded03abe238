"""
The former home of the NCCI edits and the Medicare specifics: a deprecated alias.

.. deprecated:: 0.1.0
   Import from :mod:`soapbill.billing.ncci` (PTP pairs and MUE limits) and
   :mod:`soapbill.billing.medicare` (disciplines, plan modifiers, KX
   thresholds, fee-schedule status) instead. This module re-exports their
   names, the same objects, for one release, and will then be removed.

>>> from soapbill.billing import edits, medicare, ncci
>>> edits.PtpEdits is ncci.PtpEdits and edits.needs_kx is medicare.needs_kx
True
"""

from __future__ import annotations

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
    Source,
)

__all__ = [
    "ASSISTANTS_FROM",
    "ASSISTANT_MODIFIERS",
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
    "Source",
    "UnknownThresholdError",
    "assistant_modifier",
    "lines_missing_plan_modifier",
    "lines_with_medicare_status",
    "needs_kx",
]
