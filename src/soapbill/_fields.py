"""
What soapbill knows about the fields of its models, read once per class.

Every part of soapbill that works field by field reads the same description:
the generated model checks (:mod:`soapbill._validators`), the JSON converter,
its generated writers and its fast decoder (:mod:`soapbill.formats.json` and
its private modules) and the JSON Schema builder
(:mod:`soapbill.formats.schema`). :func:`fields_of` gives the fields of an
attrs class in order, each a :class:`Field`: its name, the :class:`Kind` of
its type (scalar, optional, tuple, model, enum, code value, money or date),
the constraints it declares with :func:`rules`, and whether its ``repr`` is
redacted with :func:`redact`.

The type annotations of a class are resolved, and its description built, on
the first call for that class; later calls return the same tuple (a per-class
cache: models are defined once, at import).

>>> from soapbill import ServiceLine
>>> units = fields_of(ServiceLine)[2]
>>> units.name, units.kind.shape, units.rules.ge
('units', <Shape.INT: 'int'>, 1)
>>> fields_of(ServiceLine)[1].kind
Kind(TUPLE, Kind(CODE, Modifier))
"""

from __future__ import annotations

import enum
import types
import typing
from datetime import date
from decimal import Decimal
from typing import Any, Final, NoReturn

import attrs

__all__ = [
    "Field",
    "Kind",
    "Rules",
    "Shape",
    "describe",
    "fields_of",
    "is_document",
    "redact",
    "rules",
]

#: The key of soapbill's constraints in an attrs field's metadata.
METADATA_KEY: Final = "soapbill"


class Shape(enum.Enum):
    """
    The shapes a field's type can have.
    """

    STR = "str"
    INT = "int"
    BOOL = "bool"
    #: :class:`~decimal.Decimal`: an amount of money.
    MONEY = "money"
    DATE = "date"
    ENUM = "enum"
    #: A code value class (:class:`~soapbill.codes._base.CodeValue`).
    CODE = "code"
    #: An attrs class.
    MODEL = "model"
    #: ``X | None``; the kind's ``item`` describes ``X``.
    OPTIONAL = "optional"
    #: ``tuple[X, ...]``; the kind's ``item`` describes ``X``.
    TUPLE = "tuple"
    #: Anything else (``float``, ``tuple[int, int]``, a union of two
    #: classes): the JSON converter's hooks handle it, nothing else does.
    OTHER = "other"


_SCALARS: Final[dict[object, Shape]] = {
    str: Shape.STR,
    int: Shape.INT,
    bool: Shape.BOOL,
    Decimal: Shape.MONEY,
    date: Shape.DATE,
}


class _Frozen:
    """
    A slotted value whose attributes are set once, in ``__init__``.
    """

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(name)

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(name)


class Kind(_Frozen):
    """
    The shape of one type, as :func:`describe` reads it.

    Attributes:
        shape: What the type is.
        type: The type itself (the class for every shape but ``OPTIONAL``,
            ``TUPLE`` and ``OTHER``).
        item: For ``OPTIONAL`` and ``TUPLE``, the kind of ``X``; else ``None``.
    """

    __slots__ = ("item", "shape", "type")
    shape: Shape
    type: Any
    item: Kind | None

    def __init__(self, shape: Shape, tp: object, item: Kind | None = None) -> None:
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "type", tp)
        object.__setattr__(self, "item", item)

    @property
    def inner(self) -> Kind:
        """
        The kind of ``X`` in ``X | None`` and ``tuple[X, ...]``.

        Raises:
            TypeError: The kind has no item.
        """
        if self.item is None:
            msg = f"{self!r} has no item"
            raise TypeError(msg)
        return self.item

    @property
    def leaf(self) -> Kind:
        """
        The kind inside every ``X | None`` and ``tuple[X, ...]``.
        """
        kind = self
        while kind.item is not None:
            kind = kind.item
        return kind

    def __repr__(self) -> str:
        if self.item is not None:
            return f"Kind({self.shape.name}, {self.item!r})"
        name = self.type.__name__ if isinstance(self.type, type) else repr(self.type)
        return f"Kind({self.shape.name}, {name})"


def describe(tp: object) -> Kind:
    """
    Return the :class:`Kind` of type *tp*, a resolved annotation.
    """
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return _union(tp)
    if origin is tuple:
        return _tuple(tp)
    if isinstance(tp, type):
        return _class(tp)
    return Kind(Shape.OTHER, tp)


def _union(tp: object) -> Kind:
    args = typing.get_args(tp)
    if len(args) == 2 and type(None) in args:  # noqa: PLR2004 - X and None
        other = args[0] if args[1] is type(None) else args[1]
        return Kind(Shape.OPTIONAL, tp, describe(other))
    return Kind(Shape.OTHER, tp)


def _tuple(tp: object) -> Kind:
    args = typing.get_args(tp)
    if len(args) == 2 and args[1] is Ellipsis:  # noqa: PLR2004 - X and ...
        return Kind(Shape.TUPLE, tp, describe(args[0]))
    return Kind(Shape.OTHER, tp)


def _class(tp: type) -> Kind:
    # By exact class: a bool is no int, a datetime no date.
    shape = _SCALARS.get(tp)
    if shape is None:
        if issubclass(tp, enum.Enum):
            shape = Shape.ENUM
        elif issubclass(tp, _code_value()):
            shape = Shape.CODE
        elif attrs.has(tp):
            shape = Shape.MODEL
        else:
            shape = Shape.OTHER
    return Kind(shape, tp)


def _code_value() -> type:
    # Imported on first use: soapbill.codes loads every code module and its
    # tables (about 7 ms), which `import soapbill.formats.json` need not pay.
    from soapbill.codes._base import CodeValue  # noqa: PLC0415 - see above

    return CodeValue


class Rules(_Frozen):
    """
    The constraints of a field, from its :func:`rules` metadata.

    Attributes:
        min_len: Fewest characters of a string or items of a tuple; a string
            without it must not be empty.
        max_len: Most characters or items.
        ge: Smallest integer.
        le: Largest integer.
        unique: A tuple repeats no item.
        pattern: A string fully matches this regular expression (ASCII classes).
        signed: A :class:`~decimal.Decimal` is an amount that may be negative
            (a reversal, an adjustment that adds to a payment): finite, at
            most two decimal places, below the limit either way.
        quantity: A :class:`~decimal.Decimal` is a quantity, not money (units
            of service): any finite number.
    """

    __slots__ = (
        "_items",
        "ge",
        "le",
        "max_len",
        "min_len",
        "pattern",
        "quantity",
        "signed",
        "unique",
    )
    min_len: int | None
    max_len: int | None
    ge: int | None
    le: int | None
    unique: bool
    pattern: str | None
    signed: bool
    quantity: bool
    _items: Rules | None

    def __init__(self, metadata: typing.Mapping[str, Any]) -> None:
        for name in ("min_len", "max_len", "ge", "le", "pattern"):
            object.__setattr__(self, name, metadata.get(name))
        for name in ("unique", "signed", "quantity"):
            object.__setattr__(self, name, bool(metadata.get(name)))
        items = metadata.get("items")
        object.__setattr__(self, "_items", None if items is None else Rules(items))

    @property
    def items(self) -> Rules:
        """
        The constraints of each item of a tuple (:data:`NO_RULES` unless given).
        """
        return NO_RULES if self._items is None else self._items


#: The rules of a field without :func:`rules`, and of the items of a tuple
#: without ``items``.
NO_RULES: Final = Rules({})


def rules(
    *,
    min_len: int | None = None,
    max_len: int | None = None,
    ge: int | None = None,
    le: int | None = None,
    unique: bool = False,
    pattern: str | None = None,
    signed: bool = False,
    quantity: bool = False,
    items: typing.Mapping[str, object] | None = None,
) -> dict[str, object]:
    """
    Constraints for a field, to pass as ``attrs.field(metadata=rules(...))``.

    ``min_len`` and ``max_len`` apply to strings and tuples; ``ge`` and ``le``
    to integers; ``unique`` to tuples; ``pattern`` (a full match, ASCII
    classes) to strings. A ``str`` field without ``min_len`` must not be empty.
    A :class:`~decimal.Decimal` field is money that is not negative, unless
    ``signed`` (money of either sign) or ``quantity`` (any finite number).
    ``items`` is another call's result: the constraints of each item of a
    tuple, such as ``rules(max_len=4, items=rules(max_len=2))`` for at most
    four codes of two characters.
    """
    return {
        METADATA_KEY: {
            "min_len": min_len,
            "max_len": max_len,
            "ge": ge,
            "le": le,
            "unique": unique,
            "pattern": pattern,
            "signed": signed,
            "quantity": quantity,
            "items": None if items is None else items[METADATA_KEY],
        }
    }


def redact(_value: object) -> str:
    """
    Stand in for a patient-data field in ``repr``: ``attrs.field(repr=redact)``.
    """
    return "<redacted>"


class Field(_Frozen):
    """
    One field of an attrs class, as soapbill reads it.

    Attributes:
        name: The field's name, which is also its JSON key.
        kind: The kind of its type.
        rules: Its constraints.
        redacted: Whether ``repr`` hides its value (``repr=redact`` or
            ``repr=False``).
        attribute: The attrs attribute itself, for what the description does
            not cover (defaults, ``init``, converters).
    """

    __slots__ = ("attribute", "kind", "name", "redacted", "rules")
    name: str
    kind: Kind
    rules: Rules
    redacted: bool
    attribute: attrs.Attribute[Any]

    def __init__(self, attribute: attrs.Attribute[Any], kind: Kind) -> None:
        metadata = attribute.metadata.get(METADATA_KEY)
        object.__setattr__(self, "name", attribute.name)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "rules", NO_RULES if metadata is None else Rules(metadata))
        object.__setattr__(self, "redacted", attribute.repr is redact or attribute.repr is False)
        object.__setattr__(self, "attribute", attribute)

    @property
    def required(self) -> bool:
        """
        Whether the field has no default.
        """
        return self.attribute.default is attrs.NOTHING

    def __repr__(self) -> str:
        return f"Field({self.name!r}, {self.kind!r})"


# The description of every class asked about, built on first use.
_FIELDS: dict[type, tuple[Field, ...]] = {}


def fields_of(cls: type) -> tuple[Field, ...]:
    """
    Return the fields of attrs class *cls*, in order.

    Raises:
        attrs.exceptions.NotAnAttrsClassError: *cls* is not an attrs class.
        NameError: An annotation names something its module does not define.
    """
    found = _FIELDS.get(cls)
    if found is None:
        attributes = attrs.fields(cls)
        hints = typing.get_type_hints(cls)
        found = _FIELDS[cls] = tuple(Field(a, describe(hints[a.name])) for a in attributes)
    return found


def is_document(cls: type) -> bool:
    """
    Whether *cls* is a top-level JSON document, which carries ``format_version``.
    """
    return bool(getattr(cls, "__soapbill_document__", False))
