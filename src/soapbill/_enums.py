"""
The base of soapbill's enumerations.

Python's enumeration lookup, ``Sex("x")``, refuses a value that is no
member's with a ``ValueError`` whose message repeats the value, and a value
may be patient data. soapbill's enumerations derive from :class:`Choice`,
whose lookup refuses it with a :class:`~soapbill.errors.ValidationError`
that names the enumeration only.
"""

from __future__ import annotations

import enum
from typing import NoReturn

from soapbill.errors import ValidationError

__all__ = ["Choice"]


class Choice(enum.StrEnum):
    """
    A string enumeration whose lookup does not repeat a value it refuses.

    >>> class Colour(Choice):
    ...     RED = "red"
    >>> Colour("red") is Colour.RED
    True
    >>> Colour("blue")
    Traceback (most recent call last):
    ...
    soapbill.errors.ValidationError: <value>: not one of the Colour values [invalid_choice]
    """

    @classmethod
    def _missing_(cls, value: object) -> NoReturn:  # noqa: ARG003 - Enum calls it so
        # The lookup calls this for a value that is no member's, and raises
        # what it raises when that is a ValueError, in place of its own
        # error (the Python documentation, enum, "Supported _sunder_ names").
        raise ValidationError.single(
            "", "invalid_choice", f"not one of the {cls.__qualname__} values"
        )
