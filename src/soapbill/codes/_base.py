"""
The shared shape of soapbill's code values.

A code value (``CptCode("97124")``, ``Npi("1234567893")``) is an immutable,
hashable, ordered wrapper around one canonical string, validated on
construction by its code module's ``validate()``.

It is a small slotted class rather than an attrs class on purpose: the strict
JSON decoder hands attrs classes JSON *objects*, while a code travels as a JSON
*string*; a plain class is built through its constructor, so validation always
runs.
"""

from __future__ import annotations

from typing import Any, Self, cast

from attrs.exceptions import FrozenInstanceError

from soapbill.errors import ErrorDetail, InvalidFormatError

__all__ = ["CodeValue", "clean", "invalid"]


class CodeValue:
    """
    Base of the code value classes: one canonical string, immutable.

    Subclasses set ``_validate`` to their module's ``validate`` function and
    ``_is_canonical`` to a test that a string is already valid and canonical.
    Two values are equal when they are of the same class and have the same
    canonical string; they sort by that string.
    """

    # A slot, not a property: reading a code's string is the formats' inner
    # loop, and a slot reads as fast as a plain attribute. __setattr__ below
    # keeps it read-only.
    __slots__ = {"value": "The canonical string."}
    value: str

    @staticmethod
    def _validate(value: str) -> str:  # noqa: ARG004  # pragma: no cover - every subclass sets it
        msg = "CodeValue is the base of the code classes, such as CptCode; use one of those"
        raise TypeError(msg)

    @staticmethod
    def _is_canonical(value: str, /) -> object:  # noqa: ARG004  # pragma: no cover - subclasses set it
        # No fast path: every value goes through _validate.
        return False

    def __init__(self, value: str | Self) -> None:
        # Most values arrive canonical (from JSON, from a database): one
        # full match of the canonical form then stands for the whole
        # validation, which costs several times as much. A value of the same
        # class is canonical already; anything else that is not a str is
        # refused by _validate.
        if type(value) is str and self._is_canonical(value):
            canonical = value
        elif value.__class__ is type(self):
            canonical = str(value)
        else:
            canonical = self._validate(cast("str", value))
        object.__setattr__(self, "value", canonical)

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self.value == str(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self.value != str(other)
        return NotImplemented

    def __lt__(self, other: Self) -> bool:
        if other.__class__ is self.__class__:
            return self.value < other.value
        return NotImplemented

    def __le__(self, other: Self) -> bool:
        if other.__class__ is self.__class__:
            return self.value <= other.value
        return NotImplemented

    def __gt__(self, other: Self) -> bool:
        if other.__class__ is self.__class__:
            return self.value > other.value
        return NotImplemented

    def __ge__(self, other: Self) -> bool:
        if other.__class__ is self.__class__:
            return self.value >= other.value
        return NotImplemented

    def __hash__(self) -> int:
        # The string's own hash, which Python caches: values of two classes
        # with the same string collide, and __eq__ tells them apart.
        return hash(self.value)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError

    def __reduce__(self) -> tuple[type[Self], tuple[str]]:
        return (type(self), (self.value,))

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self


def clean(value: object, strip: str = " -.") -> str:
    """
    Return *value* upper-cased without white space and the characters in *strip*.

    Raises:
        InvalidFormatError: *value* is not a string, or has characters other
            than ASCII ones once white space is removed.
    """
    if value.__class__ is not str:
        raise InvalidFormatError.single("", "invalid_type", "expected a string")
    text = "".join(ch for ch in str(value) if ch not in strip and not ch.isspace())
    # Upper-casing maps some non-ASCII letters onto ASCII ones (sharp s becomes
    # "SS", the long s becomes "S"): refuse them before they pass as a code.
    if not text.isascii():
        raise invalid("a code is written in ASCII letters and digits")
    return text.upper()


def invalid(message: str, code: str = "invalid_format") -> InvalidFormatError:
    """
    Build the error a code module raises for a malformed value.
    """
    return InvalidFormatError((ErrorDetail(path="", code=code, message=message),))
