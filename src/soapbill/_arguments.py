"""
Checks of the arguments of public functions.

A public function refuses an argument of the wrong type with a
:class:`~soapbill.ValidationError` whose path names the argument (``"notes"``)
or the item of it (``"notes[1]"``), never with the ``TypeError`` or
``AttributeError`` that would surface further down. Messages are fixed text:
they name the expected type, never the value given.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final, TypeVar, cast

from soapbill.errors import ValidationError

T = TypeVar("T")

#: Text is iterable, but a string of notes is a mistake, not a collection.
_TEXT: Final = (str, bytes, bytearray, memoryview)


def invalid_type(name: str, expected: str) -> ValidationError:
    """
    Build the error of argument *name* not being *expected* (``"a Claim"``).
    """
    return ValidationError.single(name, "invalid_type", f"expected {expected}")


def check_date(value: object, name: str) -> date:
    """
    Return *value* if it is a :class:`~datetime.date` (not a ``datetime``).
    """
    if value.__class__ is not date:
        raise invalid_type(name, "a date")
    return value


def check_int(value: object, name: str) -> int:
    """
    Return *value* if it is an ``int`` (not a ``bool``).
    """
    if value.__class__ is not int:
        raise invalid_type(name, "an integer")
    return value


def check_instance(value: object, cls: type[T], name: str) -> T:
    """
    Return *value* if it is an instance of *cls*.
    """
    if not isinstance(value, cls):
        raise invalid_type(name, f"a {cls.__name__}")
    return value


def as_tuple(values: object, name: str, what: str) -> tuple[object, ...]:
    """
    Return the items of the iterable *values* (not text) as a tuple.

    *what* names the items in the message (``"Claim values"``).
    """
    if values.__class__ is tuple:
        return cast("tuple[object, ...]", values)
    if isinstance(values, _TEXT) or not isinstance(values, Iterable):
        raise invalid_type(name, f"an iterable of {what}")
    return tuple(values)


def tuple_of(values: object, cls: type[T], name: str) -> tuple[T, ...]:
    """
    Return the items of the iterable *values* as a tuple, each a *cls*.

    The error of an item names it: ``prescriptions[1]``.
    """
    items = as_tuple(values, name, f"{cls.__name__} values")
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            raise invalid_type(f"{name}[{i}]", f"a {cls.__name__}")
    return cast("tuple[T, ...]", items)
