"""
US federal tax ids on claims: an Employer Identification Number or a Social Security Number.

A practice bills under its Employer Identification Number (EIN), written
``NN-NNNNNNN``; a sole proprietor without one bills under their Social
Security Number (SSN), written ``NNN-NN-NNNN``. Claims carry either without
the hyphens and say which it is: the 837P writes ``REF*EI`` for an EIN and
``REF*SY`` for an SSN (ASC X12 005010X222A1, loop 2010AA, REF01; pyx12 map),
the CMS-1500 checks the EIN or the SSN box of item 25 (NUCC 1500 Claim Form
Reference Instruction Manual, item 25).

The hyphens tell the two apart: ``NNN-NN-NNNN`` is an SSN, any other way of
writing nine digits (``NN-NNNNNNN``, nine bare digits) an EIN, as before SSNs
were accepted. :meth:`TaxId.ssn` and :meth:`TaxId.ein` build either from nine
digits. An SSN follows the Social Security Administration's assignment rules
("Social Security Number Randomization", 2011): no area number ``000``,
``666`` or ``900``-``999``, no group ``00``, no serial ``0000``.

An SSN identifies a person: :class:`TaxId` shows it as ``TaxId(<redacted>)``
in its ``repr``, and no error message holds it.

>>> validate("12-3456789")
'12-3456789'
>>> compact("12-3456789")
'123456789'
>>> TaxId("123456789")
TaxId('12-3456789')
>>> TaxId("123-45-6789").kind
'ssn'
>>> TaxId.ssn("123456789")
TaxId(<redacted>)

.. versionadded:: 0.1.0
.. versionchanged:: 0.1.0
   The SSN form.
"""

from __future__ import annotations

import re
from typing import Final, Literal, Self

from soapbill.codes._base import CodeValue, clean, invalid
from soapbill.errors import ValidationError

__all__ = ["TaxId", "compact", "format", "is_valid", "validate"]

_SHAPE: Final = re.compile(r"[0-9]{9}").fullmatch
_EIN: Final = re.compile(r"[0-9]{2}-[0-9]{7}").fullmatch
_SSN_SHAPE: Final = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}").fullmatch
# An SSN the Social Security Administration assigns: area not 000, 666 or
# 9xx; group not 00; serial not 0000.
_SSN: Final = re.compile(r"(?!000|666|9)[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}").fullmatch


def _canonical(value: str, /) -> bool:
    return _EIN(value) is not None or _SSN(value) is not None


def compact(value: str) -> str:
    """
    Strip white space and separators.
    """
    return clean(value)


def _ssn(digits: str) -> str:
    ssn = f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    if _SSN(ssn) is None:
        raise invalid("not a Social Security Number the SSA assigns", "invalid_ssn")
    return ssn


def validate(value: str) -> str:
    """
    Return the canonical form, ``NNN-NN-NNNN`` for an SSN and ``NN-NNNNNNN`` for an EIN, or raise.

    Nine digits written ``NNN-NN-NNNN`` are an SSN; written any other way, an EIN.
    """
    digits = compact(value)
    if _SHAPE(digits) is None:
        raise invalid("a tax id is nine digits")
    if _SSN_SHAPE(value.strip()) is not None:
        return _ssn(digits)
    return f"{digits[:2]}-{digits[2:]}"


def is_valid(value: object) -> bool:
    """
    Tell whether *value* is a valid EIN or SSN; never raises.
    """
    try:
        validate(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return True


def format(value: str) -> str:
    """
    Return the display form, ``NN-NNNNNNN`` or ``NNN-NN-NNNN``.
    """
    return validate(value)


class TaxId(CodeValue):
    """
    A federal tax id: an Employer Identification Number or a Social Security Number.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
       The SSN form, shown redacted in ``repr``.
    """

    __slots__ = ()
    _validate = staticmethod(validate)
    _is_canonical = staticmethod(_canonical)

    @classmethod
    def ein(cls, digits: str) -> Self:
        """
        The EIN of nine *digits* (separators allowed).

        Raises:
            InvalidFormatError: *digits* are not nine digits.
        """
        text = compact(digits)
        if _SHAPE(text) is None:
            raise invalid("a tax id is nine digits")
        return cls(f"{text[:2]}-{text[2:]}")

    @classmethod
    def ssn(cls, digits: str) -> Self:
        """
        The SSN of nine *digits* (separators allowed).

        Raises:
            InvalidFormatError: *digits* are not nine digits, or not an SSN
                the Social Security Administration assigns.
        """
        text = compact(digits)
        if _SHAPE(text) is None:
            raise invalid("a tax id is nine digits")
        return cls(_ssn(text))

    @property
    def kind(self) -> Literal["ein", "ssn"]:
        """
        ``"ssn"`` for a Social Security Number, ``"ein"`` for an Employer Identification Number.
        """
        return "ssn" if len(self.value) == 11 else "ein"  # noqa: PLR2004 - NNN-NN-NNNN

    @property
    def compact(self) -> str:
        """
        The nine digits without the hyphens.
        """
        return self.value.replace("-", "")

    def __repr__(self) -> str:
        if self.kind == "ssn":
            return "TaxId(<redacted>)"
        return super().__repr__()
