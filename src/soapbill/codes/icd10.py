"""
ICD-10-CM diagnosis codes (syntax only).

A code is three to seven characters: a letter, a digit, then digits or
letters, with a dot after the third character when there are more than three
(NCI SEER, "ICD-10-CM Code Structure"; ICD-10-CM Official Guidelines I.A.5).
Letters are upper-cased
and the placeholder ``x`` becomes ``X``. The canonical form has the dot;
claims carry the compact form without it (CMS-1500 box 21, 837P ``HI``).

A syntactically valid code is not necessarily *billable*: billability (a
leaf, not a category header, in force on the date of service) needs a code
table; see :mod:`soapbill.rules`.

>>> validate("m5450")
'M54.50'
>>> DiagnosisCode("M54.50").compact
'M5450'
>>> is_valid("M5")
False

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from typing import Final

from soapbill.codes._base import CodeValue, clean, invalid
from soapbill.errors import ValidationError

__all__ = ["DiagnosisCode", "compact", "format", "is_valid", "validate"]

# NCI SEER's code structure: [A-Z][0-9][0-9A-Z] then up to four more letters or digits.
_SHAPE: Final = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}").fullmatch
_CANONICAL: Final = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?").fullmatch


def compact(value: str) -> str:
    """
    Strip white space and the dot, and upper-case.
    """
    return clean(value, strip=".")


def validate(value: str) -> str:
    """
    Return the canonical dotted form, or raise.
    """
    if value.__class__ is str and value.count(".") > 1:
        raise invalid("an ICD-10-CM code has at most one dot")
    if value.__class__ is str and "." in value:
        text = value.strip()
        if text.index(".") != 3 or text.endswith("."):  # noqa: PLR2004
            raise invalid(
                "the dot of an ICD-10-CM code stands between the third and fourth characters"
            )
    code = compact(value)
    if _SHAPE(code) is None:
        raise invalid("an ICD-10-CM code is a letter, a digit and one to five letters or digits")
    return code if len(code) == 3 else f"{code[:3]}.{code[3:]}"  # noqa: PLR2004


def is_valid(value: object) -> bool:
    """
    Tell whether *value* is a syntactically valid ICD-10-CM code; never raises.
    """
    try:
        validate(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return True


def format(value: str) -> str:
    """
    Return the display form, with the dot.
    """
    return validate(value)


class DiagnosisCode(CodeValue):
    """
    An ICD-10-CM diagnosis code.

    .. versionadded:: 0.1.0
    """

    __slots__ = ()
    _validate = staticmethod(validate)
    _is_canonical = staticmethod(_CANONICAL)

    @property
    def compact(self) -> str:
        """
        The code without the dot, as claims carry it.
        """
        return self.value.replace(".", "")

    @property
    def category(self) -> str:
        """
        The three-character category, such as ``"M54"``.
        """
        return self.value[:3]
