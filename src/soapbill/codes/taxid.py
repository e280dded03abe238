"""
US Employer Identification Numbers (EIN), the tax id on claims.

Nine digits, written ``NN-NNNNNNN``; claims carry them without the hyphen
(837P ``REF*EI``, CMS-1500 box 25).

>>> validate("12-3456789")
'12-3456789'
>>> compact("12-3456789")
'123456789'
>>> TaxId("123456789")
TaxId('12-3456789')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from typing import Final

from soapbill.codes._base import CodeValue, clean, invalid
from soapbill.errors import ValidationError

__all__ = ["TaxId", "compact", "format", "is_valid", "validate"]

_SHAPE: Final = re.compile(r"[0-9]{9}").fullmatch
_CANONICAL: Final = re.compile(r"[0-9]{2}-[0-9]{7}").fullmatch


def compact(value: str) -> str:
    """
    Strip white space and separators.
    """
    return clean(value)


def validate(value: str) -> str:
    """
    Return the canonical ``NN-NNNNNNN`` form, or raise.
    """
    digits = compact(value)
    if _SHAPE(digits) is None:
        raise invalid("an EIN is nine digits")
    return f"{digits[:2]}-{digits[2:]}"


def is_valid(value: object) -> bool:
    """
    Tell whether *value* is a valid EIN; never raises.
    """
    try:
        validate(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return True


def format(value: str) -> str:
    """
    Return the display form, ``NN-NNNNNNN``.
    """
    return validate(value)


class TaxId(CodeValue):
    """
    An Employer Identification Number.

    .. versionadded:: 0.1.0
    """

    __slots__ = ()
    _validate = staticmethod(validate)
    _is_canonical = staticmethod(_CANONICAL)

    @property
    def compact(self) -> str:
        """
        The nine digits without the hyphen.
        """
        return self.value.replace("-", "")
