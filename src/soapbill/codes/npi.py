"""
NPI, the US National Provider Identifier.

An NPI is ten digits: nine that identify the provider, starting with 1 or 2,
and a Luhn check digit computed as if the card-issuer prefix ``80840`` stood in
front (CMS, "Requirements for NPI Check Digit"; without the prefix the same
digit comes from adding 24 to the Luhn sum).

>>> validate("1234567893")
'1234567893'
>>> is_valid("1234567890")
False
>>> calc_check_digit("123456789")
'3'
>>> format(" 123-456-7893 ")
'1234567893'
>>> Npi("1234567893")
Npi('1234567893')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from typing import Final

from soapbill.codes._base import CodeValue, clean, invalid
from soapbill.errors import InvalidChecksumError, ValidationError

__all__ = ["Npi", "calc_check_digit", "compact", "format", "is_valid", "validate"]

_SHAPE: Final = re.compile(r"[12][0-9]{9}").fullmatch
_BASE: Final = re.compile(r"[0-9]{9}").fullmatch
#: The Luhn sum contribution of the 80840 prefix (CMS: "adding the constant 24").
_PREFIX_SUM: Final = 24


def compact(value: str) -> str:
    """
    Strip white space and separators (``-``, ``.``).
    """
    return clean(value)


def calc_check_digit(base: str) -> str:
    """
    Return the check digit of a nine-digit NPI base.

    Raises:
        InvalidFormatError: *base* is not a string of nine digits.
    """
    if base.__class__ is not str or not _BASE(base):
        raise invalid("an NPI base is nine digits")
    total = _PREFIX_SUM
    # Double every other digit starting from the rightmost digit of the base.
    for position, char in enumerate(reversed(base)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit  # noqa: PLR2004
        total += digit
    # The final modulo turns 10 into 0: CMS's step 3 subtracts from the next
    # multiple of 10, which is the sum itself when it ends in 0.
    return str((10 - total % 10) % 10)


# The digit sum of each digit doubled: 5 doubles to 10, whose digits sum to 1.
_DOUBLED: Final = str.maketrans("0123456789", "0246813579")


def _is_canonical(value: str) -> bool:
    # The same check as validate() for a string without separators, with the
    # Luhn sum taken without a Python loop (the hot path of decoding).
    if _SHAPE(value) is None:
        return False
    doubled = value[8::-2].translate(_DOUBLED)  # base digits 9, 7, 5, 3, 1
    total = _PREFIX_SUM + sum(map(int, doubled)) + sum(map(int, value[7::-2]))
    return (10 - total % 10) % 10 == int(value[9])


def validate(value: str) -> str:
    """
    Return the canonical NPI, or raise.

    Raises:
        InvalidFormatError: Not ten digits starting with 1 or 2.
        InvalidChecksumError: The check digit does not match.
    """
    npi = compact(value)
    if _SHAPE(npi) is None:
        raise invalid("an NPI is ten digits starting with 1 or 2")
    if calc_check_digit(npi[:9]) != npi[9]:
        raise InvalidChecksumError.single("", "bad_checksum", "the NPI check digit does not match")
    return npi


def is_valid(value: object) -> bool:
    """
    Tell whether *value* is a valid NPI; never raises.
    """
    try:
        validate(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return True


def format(value: str) -> str:
    """
    Return the display form (the ten digits).
    """
    return validate(value)


class Npi(CodeValue):
    """
    A National Provider Identifier.

    .. versionadded:: 0.1.0
    """

    __slots__ = ()
    _validate = staticmethod(validate)
    _is_canonical = staticmethod(_is_canonical)
