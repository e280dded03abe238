"""
What soapbill's JSON format is: its version, its depth limit and its error.

Shared by the public functions (:mod:`soapbill.formats.json`), the cattrs
converter (:mod:`soapbill.formats._converter`), the writers
(:mod:`soapbill.formats._unstructure`) and the fast decoder
(:mod:`soapbill.formats._fastpath`).
"""

from __future__ import annotations

import enum
import re
import typing
from typing import Any, Final

from soapbill.errors import ErrorDetail, ValidationError

__all__ = [
    "DATE_TEXT",
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "MONEY_TEXT",
    "VERSION_KEY",
    "DeserializationError",
    "deeper_than",
    "enum_value_type",
    "problem",
    "too_deep",
    "type_problem",
]

FORMAT_VERSION: Final = 1
VERSION_KEY: Final = "format_version"
MAX_DEPTH: Final = 64

#: Money is written as digits with at most two places: a full match of this.
#: [0-9], never \d (any Unicode digit), and fullmatch, never $ (which also
#: matches before a final newline).
MONEY_TEXT: Final = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?").fullmatch
#: A date is written YYYY-MM-DD; date.fromisoformat alone also takes
#: "19800229" and week dates ("1980-W09-5").
DATE_TEXT: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch

_JSON_TYPES: Final[dict[type, str]] = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


class DeserializationError(ValidationError):
    """
    A JSON document (or its plain data) does not match soapbill's format.

    Its :attr:`~soapbill.ValidationError.errors` list every problem of the
    document, each with its path, such as ``"lines[2].units"`` (``""`` is the
    document itself), a stable code and a fixed message without the value.

    .. versionadded:: 0.1.0
    """

    # Its public home, which tracebacks, pickles and the documentation name.
    __module__ = "soapbill.formats.json"


def problem(code: str, message: str) -> DeserializationError:
    """
    The error of one problem at the path of the value at hand (``""``).
    """
    return DeserializationError((ErrorDetail(path="", code=code, message=message),))


def type_problem(expected: str, value: object) -> DeserializationError:
    """
    The error of a value of the wrong JSON type; it names the type, not the value.
    """
    name = _JSON_TYPES.get(value.__class__)
    got = name if name is not None else f"Python {type(value).__name__}"
    return problem("invalid_type", f"expected {expected}, got {got}")


def too_deep() -> DeserializationError:
    """
    The error of a document nested more than :data:`MAX_DEPTH` levels deep.
    """
    return problem("too_deep", f"arrays and objects nest more than {MAX_DEPTH} levels deep")


def enum_value_type(cls: type[enum.Enum]) -> type | None:
    """
    Return ``str`` or ``int`` when every member's value is of that class.

    An enum travels as its value; an enum of mixed values has no one JSON type.
    """
    kinds: set[type] = {member.value.__class__ for member in cls}
    kind = kinds.pop() if len(kinds) == 1 else None
    return kind if kind in (str, int) else None


def deeper_than(data: object, limit: int) -> bool:
    """
    Whether the lists and dicts of *data* nest more than *limit* levels deep.

    It walks without recursion, so deep data cannot exhaust the stack here.
    A container met again is walked again only when met deeper, so shared and
    cyclic data (from_dict may get either) cost at most *limit* walks of it.
    """
    seen: dict[int, int] = {}
    todo: list[tuple[object, int]] = [(data, 1)]
    while todo:
        node, depth = todo.pop()
        if node.__class__ is dict:
            children: Any = typing.cast("dict[object, object]", node).values()
        elif node.__class__ is list:
            children = node
        else:
            continue
        if depth > limit:
            return True
        if seen.get(id(node), 0) >= depth:
            continue
        seen[id(node)] = depth
        todo.extend((child, depth + 1) for child in children)
    return False
