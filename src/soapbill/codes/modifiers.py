"""
CPT and HCPCS modifiers.

A modifier is two letters or digits. :data:`MEANINGS` explains the ones a
physical-medicine claim uses (CMS MLN1783722 for 59 and
the X{EPSU} subsets; Medicare's therapy plan-of-care modifiers GP, GO, GN;
CQ / CO for assistants; KX for the therapy threshold).

>>> Modifier("gp")
Modifier('GP')
>>> Modifier("59").meaning
'Distinct procedural service'
>>> is_valid("5")
False

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

from soapbill.codes._base import CodeValue, clean, invalid
from soapbill.errors import ValidationError

__all__ = [
    "DISTINCT_SERVICE",
    "MEANINGS",
    "THERAPY_PLAN",
    "Modifier",
    "compact",
    "format",
    "is_valid",
    "validate",
]

_SHAPE: Final = re.compile(r"[A-Z0-9]{2}").fullmatch

#: Our plain-language meanings of the modifiers soapbill knows.
MEANINGS: Final = MappingProxyType(
    {
        "25": "Significant, separately identifiable evaluation and management service",
        "59": "Distinct procedural service",
        "76": "Repeat procedure by the same practitioner",
        "77": "Repeat procedure by another practitioner",
        "CO": "Furnished in whole or in part by an occupational therapy assistant",
        "CQ": "Furnished in whole or in part by a physical therapist assistant",
        "GA": "Waiver of liability statement on file",
        "GN": "Under an outpatient speech-language pathology plan of care",
        "GO": "Under an outpatient occupational therapy plan of care",
        "GP": "Under an outpatient physical therapy plan of care",
        "GY": "Statutorily excluded or not a benefit",
        "KX": "Requirements in the medical policy met (therapy threshold exceeded)",
        "XE": "Separate encounter",
        "XP": "Separate practitioner",
        "XS": "Separate structure or organ",
        "XU": "Unusual non-overlapping service",
    }
)

#: The modifiers that may bypass an NCCI edit with modifier indicator 1 (MLN1783722).
DISTINCT_SERVICE: Final = frozenset({"59", "XE", "XP", "XS", "XU"})
#: The therapy plan-of-care modifiers (CMS Pub 100-04 Ch. 5 §20.1).
THERAPY_PLAN: Final = frozenset({"GN", "GO", "GP"})


def compact(value: str) -> str:
    """
    Strip white space and a leading hyphen, and upper-case.
    """
    return clean(value, strip="-")


def validate(value: str) -> str:
    """
    Return the canonical modifier, or raise.
    """
    code = compact(value)
    if _SHAPE(code) is None:
        raise invalid("a modifier is two letters or digits")
    return code


def is_valid(value: object) -> bool:
    """
    Tell whether *value* is a valid modifier; never raises.
    """
    try:
        validate(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return True


def format(value: str) -> str:
    """
    Return the display form.
    """
    return validate(value)


class Modifier(CodeValue):
    """
    A CPT or HCPCS modifier.

    .. versionadded:: 0.1.0
    """

    __slots__ = ()
    _validate = staticmethod(validate)
    _is_canonical = staticmethod(_SHAPE)

    @property
    def meaning(self) -> str | None:
        """
        Our plain-language meaning, or ``None`` for a modifier we do not know.
        """
        return MEANINGS.get(self.value)
