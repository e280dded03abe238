"""
soapbill's strict JSON format.

Every soapbill model turns into JSON and back with four functions:
:func:`to_dict` / :func:`from_dict` for plain data (what :func:`json.loads`
returns) and :func:`to_json` / :func:`from_json` for JSON text.

- Money is a string with two decimal places (``"125.00"``), dates are
  ``"YYYY-MM-DD"``, enums travel by their value and code values by their
  canonical string; tuples are arrays, ``None`` is ``null``.
- Decoding is strict: nothing is coerced, unknown keys and missing keys are
  refused, and every problem of a document is reported at once as one
  :class:`DeserializationError` whose details name the path of each problem
  (``"lines[2].units"``) but never the offending value.
- A top-level document (a claim, a SOAP note, a prescription) carries
  ``"format_version": 1`` as its first key.

>>> from soapbill import Payer
>>> to_json(Payer(id="EX123", name="Example Health"))
'{"id":"EX123","name":"Example Health"}'
>>> from_json('{"id": "EX123", "name": "Example Health"}', Payer)
Payer(id='EX123', name='Example Health')
>>> from_json('{"id": "EX123", "name": 7, "plan": "gold"}', Payer)
Traceback (most recent call last):
...
soapbill.formats.json.DeserializationError: 2 validation errors:
  name: expected a string, got number [invalid_type]
  plan: unknown field [unknown_field]

How it is fast: :mod:`msgspec` parses the text, a small check generated once
per class covers what msgspec does not enforce for attrs classes (unknown keys,
the shape of money), and :func:`msgspec.convert` builds the objects. Only when
that fails does the one strict cattrs converter (:func:`make_converter`)
structure the same data again, to list every problem with its path. A
converter you pass in always takes the cattrs path, so your own hooks apply.
Writing goes through a function generated once per class. (Private modules
beside this one hold each part: ``_format``, ``_fastpath``, ``_converter`` and
``_unstructure``.)

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any, Final, TypeVar

import msgspec

from soapbill._validators import SURROGATE_CODE, SURROGATE_MESSAGE, has_surrogate
from soapbill.errors import ValidationError
from soapbill.formats import _fastpath, _format
from soapbill.formats._format import DeserializationError, problem, too_deep

if typing.TYPE_CHECKING:
    import cattrs

    from soapbill.formats._unstructure import Writer

__all__ = [
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "DeserializationError",
    "from_dict",
    "from_json",
    "make_converter",
    "to_dict",
    "to_json",
]

T = TypeVar("T")

#: The version of the JSON format this release writes and reads.
FORMAT_VERSION: Final = _format.FORMAT_VERSION

#: How deep arrays and objects may nest in a document; a deeper one is refused
#: with the code ``too_deep``. soapbill's own documents nest less than ten
#: levels, so only hostile or broken input comes near it, and the limit keeps
#: every part of decoding (parsing, checks, the error report) far from
#: Python's recursion limit.
MAX_DEPTH: Final = _format.MAX_DEPTH

_NOT_JSON: Final = object()
_TOO_DEEP: Final = object()


def _parse(text: str | bytes) -> object:
    """
    Parse JSON text, or return ``_NOT_JSON`` or ``_TOO_DEEP``.
    """
    try:
        return msgspec.json.decode(text)
    except (msgspec.DecodeError, UnicodeEncodeError):
        # UnicodeEncodeError: a str holding a surrogate, which is not UTF-8.
        return _NOT_JSON
    except RecursionError:
        return _TOO_DEEP


def _no_constant(_name: str) -> object:
    msg = "NaN and Infinity are not JSON"
    raise ValueError(msg)


def _strings(data: object) -> Iterator[str]:
    """
    Yield the strings of parsed JSON, keys and values, without recursion.
    """
    todo = [data]
    while todo:
        node = todo.pop()
        if node.__class__ is str:
            yield node
        elif node.__class__ is list:
            todo.extend(typing.cast("list[object]", node))
        elif node.__class__ is dict:
            for key, value in typing.cast("dict[object, object]", node).items():
                todo += (key, value)


def _explain_not_json(
    text: str | bytes, cls: type, converter: cattrs.Converter | None
) -> DeserializationError:
    r"""
    Return the error of a text msgspec refused.

    msgspec refuses a lone surrogate (a ``"\ud800"`` escape without its
    pair) as it refuses invalid JSON. Python's own parser takes one, so when
    it reads the text and finds one, the cattrs path names its path.
    """
    # Python's parser, only for text msgspec refused: `import soapbill.formats.json`
    # need not load it (about 1 ms).
    import json as stdlib_json  # noqa: PLC0415 - see above

    invalid = problem("json_invalid", "not a valid JSON document")
    try:
        source = text if isinstance(text, str) else bytes(text).decode("utf-8")
        data = stdlib_json.loads(source, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        # Not JSON for Python either (UnicodeDecodeError is a ValueError).
        return invalid
    if not any(map(has_surrogate, _strings(data))):
        return invalid
    try:
        _decode_detailed(data, cls, converter)
    except DeserializationError as exc:
        return exc
    # An application's hook took the surrogate; the text is still not JSON.
    return invalid


# The cattrs side of the format (the converter, the error report, the writers)
# is imported on first use, not with this module: the fast path needs none of
# it, and `import soapbill.formats.json` then costs about 0.95 x `import attrs,
# cattrs` instead of 1.25 x.


def _decode_detailed(data: object, cls: type[T], converter: cattrs.Converter | None) -> T:
    from soapbill.formats import _converter  # noqa: PLC0415 - see above

    return _converter.decode_detailed(data, cls, converter or _converter.default_converter())


def _writer(cls: type, converter: cattrs.Converter, *, json: bool) -> Writer:
    from soapbill.formats import _unstructure  # noqa: PLC0415 - see above

    return (_unstructure.json_writer if json else _unstructure.dict_writer)(cls, converter)


# The writers of to_dict and to_json for each class, by default. A per-class
# cache: looking them up in the converter on every call costs about 1.5 us,
# 13 % of to_json of the benchmark claim.
_WRITERS: dict[type, tuple[Writer, Writer]] = {}


def _writers(cls: type) -> tuple[Writer, Writer]:
    found = _WRITERS.get(cls)
    if found is None:
        from soapbill.formats._converter import default_converter  # noqa: PLC0415 - see above

        converter = default_converter()
        found = _WRITERS[cls] = (
            _writer(cls, converter, json=False),
            _writer(cls, converter, json=True),
        )
    return found


def make_converter() -> cattrs.Converter:
    """
    Build the strict cattrs converter of soapbill's JSON format.

    Nothing is coerced: a string is only a JSON string, an integer only a JSON
    integer (not ``true``, not ``1.0``), money only a string such as
    ``"125.00"``, a date only ``"YYYY-MM-DD"``, a tuple only a JSON array.
    Unknown keys are refused. Each field's model check runs as soon as the
    field is structured, so every problem is found in one pass.

    Register your own hooks on the converter this returns and pass it as
    ``converter=`` to :func:`from_dict`, :func:`from_json`, :func:`to_dict` and
    :func:`to_json`; those calls then use cattrs alone. Hooks for a type must
    be registered before the converter first handles a class that uses it,
    since cattrs generates each class's functions once.

    Returns:
        A new :class:`cattrs.Converter`; cattrs' global converter is never used.

    .. versionadded:: 0.1.0
    """
    from soapbill.formats import _converter  # noqa: PLC0415 - see above

    return _converter.make_converter()


def from_dict(data: object, cls: type[T], *, converter: cattrs.Converter | None = None) -> T:
    r"""
    Build a *cls* from plain data, strictly.

    *data* is what :func:`json.loads` gives for a document: dicts, lists,
    strings, integers, booleans and ``None``. Anything else (a ``Decimal``, a
    ``date``, a tuple, a ``str`` subclass) is refused like a wrong JSON type.
    It accepts the same documents as :func:`from_json`: a string holding a
    lone surrogate (which :func:`json.loads` makes of a ``"\ud800"``
    escape) is refused at its path, and lists and dicts nested more than
    :data:`MAX_DEPTH` levels deep (or in a cycle) are refused with the code
    ``too_deep``.

    Args:
        data: The plain data.
        cls: The model class to build.
        converter: A converter from :func:`make_converter` with your own
            hooks; by default soapbill's own.

    Returns:
        The object, checked like one built by ``cls(...)``.

    Raises:
        DeserializationError: With every problem of the data.

    .. versionadded:: 0.1.0
    """
    if converter is None:
        result = _fastpath.decode(data, cls, python=True)
        if result is not None:
            return result
    return _decode_detailed(data, cls, converter)


def from_json(text: str | bytes, cls: type[T], *, converter: cattrs.Converter | None = None) -> T:
    r"""
    Build a *cls* from JSON text, strictly.

    Args:
        text: The JSON document, as text or UTF-8 bytes.
        cls: The model class to build.
        converter: A converter from :func:`make_converter` with your own
            hooks; by default soapbill's own.

    Returns:
        The object, checked like one built by ``cls(...)``.

    Raises:
        DeserializationError: With every problem of the document. Invalid
            JSON gives the one code ``json_invalid`` at path ``""``, and so
            does JSON that is not UTF-8, except that a lone surrogate (a
            ``"\ud800"`` escape, or such a character in a ``str``) is
            reported at its path with the code ``lone_surrogate``. Arrays and
            objects nested more than :data:`MAX_DEPTH` levels deep give the
            one code ``too_deep`` at path ``""``.

    .. versionadded:: 0.1.0
    """
    data = _parse(text)
    # Raised here, not in an except clause: a parser's error may quote the
    # text, and would ride along as __context__.
    if data is _TOO_DEEP:
        raise too_deep()
    if data is _NOT_JSON:
        raise _explain_not_json(text, cls, converter)
    if converter is None:
        result = _fastpath.decode(data, cls, python=False)
        if result is not None:
            return result
    return _decode_detailed(data, cls, converter)


def to_dict(obj: object, *, converter: cattrs.Converter | None = None) -> dict[str, Any]:
    """
    Turn a model into plain data, ready for :func:`json.dumps`.

    Keys come in field order; a top-level document starts with
    ``"format_version"``.

    Args:
        obj: A soapbill model (any attrs class).
        converter: A converter from :func:`make_converter` with your own
            hooks; by default soapbill's own.

    Returns:
        A dict of JSON types only.

    Raises:
        TypeError: *obj* is not an attrs class instance.

    .. versionadded:: 0.1.0
    """
    writer = (
        _writers(type(obj))[0] if converter is None else _writer(type(obj), converter, json=False)
    )
    data: dict[str, Any] = writer(obj)
    return data


def to_json(obj: object, *, converter: cattrs.Converter | None = None) -> str:
    """
    Turn a model into compact JSON text.

    Identical objects give identical text: keys in field order, no spaces,
    money with two decimal places, ``None`` as ``null``.

    Args:
        obj: A soapbill model (any attrs class).
        converter: A converter from :func:`make_converter` with your own
            hooks; by default soapbill's own.

    Returns:
        The JSON document.

    Raises:
        TypeError: *obj* is not an attrs class instance.
        ValidationError: A string holds a lone surrogate, which no JSON
            text can carry (code ``lone_surrogate``); soapbill's models refuse
            one, so only a plain attrs class can hold it.

    .. versionadded:: 0.1.0
    """
    if converter is not None:
        data = _writer(type(obj), converter, json=True)(obj)
    else:
        data = _writers(type(obj))[1](obj)
    try:
        encoded = msgspec.json.encode(data)
    except UnicodeEncodeError:
        # The models refuse a surrogate; a plain attrs class may hold one.
        encoded = None
    if encoded is None:
        raise ValidationError.single("", SURROGATE_CODE, SURROGATE_MESSAGE)
    return encoded.decode()
