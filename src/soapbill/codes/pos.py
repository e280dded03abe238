"""
Place of service codes (CMS-1500 box 24B, 837P CLM05-1 and SV105).

Two digits, ``01`` to ``99``. :data:`NAMES` holds the ones a massage or
physical-medicine practice uses (from the CMS Place of Service Code Set);
other two-digit codes are accepted, since CMS adds codes over time.

>>> validate("11")
'11'
>>> describe("11")
'Office'
>>> is_valid("1")
False

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

from soapbill.codes._base import CodeValue, clean, invalid
from soapbill.errors import ValidationError

__all__ = ["NAMES", "PlaceOfService", "compact", "describe", "format", "is_valid", "validate"]

_SHAPE: Final = re.compile(r"(?!00)[0-9]{2}").fullmatch

#: Our short names of common places of service (CMS place of service code set).
NAMES: Final = MappingProxyType(
    {
        "02": "Telehealth provided other than in patient's home",
        "10": "Telehealth provided in patient's home",
        "11": "Office",
        "12": "Home",
        "19": "Off campus outpatient hospital",
        "20": "Urgent care facility",
        "22": "On campus outpatient hospital",
    }
)


def compact(value: str) -> str:
    """
    Strip white space.
    """
    return clean(value, strip="")


def validate(value: str) -> str:
    """
    Return the canonical two-digit code, or raise.
    """
    code = compact(value)
    if _SHAPE(code) is None:
        raise invalid("a place of service is two digits from 01 to 99")
    return code


def is_valid(value: object) -> bool:
    """
    Tell whether *value* is a valid place of service code; never raises.
    """
    try:
        validate(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return True


def format(value: str) -> str:
    """
    Return the display form (the two digits).
    """
    return validate(value)


def describe(value: str) -> str | None:
    """
    Return our short name of a place of service, or ``None`` if we have none.
    """
    return NAMES.get(validate(value))


class PlaceOfService(CodeValue):
    """
    A place of service code.

    .. versionadded:: 0.1.0
    """

    __slots__ = ()
    _validate = staticmethod(validate)
    _is_canonical = staticmethod(_SHAPE)

    @property
    def description(self) -> str | None:
        """
        Our short name of this place of service, if we have one.
        """
        return NAMES.get(self.value)
