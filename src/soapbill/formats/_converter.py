"""
The one strict cattrs converter of soapbill's JSON format, and its error report.

:func:`make_converter` builds it: strict structure hooks for every kind of
field (nothing is coerced), unknown keys refused, each field's model check run
as soon as the field is structured, and the writers of
:mod:`soapbill.formats._unstructure`. :func:`decode_detailed` structures data
with it and turns cattrs' error tree into one
:class:`~soapbill.formats.json.DeserializationError` listing every problem by
path, never by value. The fast decoder hands it every document it refuses.
"""

from __future__ import annotations

import enum
import functools
import typing
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, override

from soapbill._fields import Kind, Shape, describe, fields_of, is_document
from soapbill._validators import SURROGATE_CODE, SURROGATE_MESSAGE, field_checks, has_surrogate
from soapbill.errors import ErrorDetail, ValidationError
from soapbill.formats import _unstructure
from soapbill.formats._format import (
    DATE_TEXT,
    FORMAT_VERSION,
    MAX_DEPTH,
    MONEY_TEXT,
    VERSION_KEY,
    DeserializationError,
    deeper_than,
    enum_value_type,
    problem,
    too_deep,
    type_problem,
)

if typing.TYPE_CHECKING:
    from soapbill.codes._base import CodeValue

__all__ = ["decode_detailed", "default_converter", "make_converter"]

T = TypeVar("T")

# What an error shows of an unknown key, at most.
_KEY_SHOWN: Final = 40


# --- the strict hooks ------------------------------------------------------------------


def _structure_str(value: object, _tp: object) -> str:
    if type(value) is not str:
        raise type_problem("a string", value)
    if has_surrogate(value):
        raise problem(SURROGATE_CODE, SURROGATE_MESSAGE)
    return value


def _structure_int(value: object, _tp: object) -> int:
    # bool is a subclass of int, and a float is never an integer here.
    if type(value) is not int:
        raise type_problem("an integer", value)
    return value


def _structure_bool(value: object, _tp: object) -> bool:
    if type(value) is not bool:
        raise type_problem("a boolean", value)
    return value


def _structure_float(value: object, _tp: object) -> float:
    if type(value) is not float and type(value) is not int:
        raise type_problem("a number", value)
    return float(value)


def _structure_money(value: object, _tp: object) -> Decimal:
    if type(value) is not str:
        raise type_problem("an amount as a string", value)
    if MONEY_TEXT(value) is None:
        raise problem("invalid_format", 'expected an amount such as "125.00"')
    return Decimal(value)


def _structure_date(value: object, _tp: object) -> date:
    if type(value) is not str:
        raise type_problem("a date as a string", value)
    if DATE_TEXT(value) is None:
        raise problem("invalid_format", "expected a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise problem("invalid_date", "not a calendar date") from None


def _structure_enum(value: object, tp: type[enum.Enum]) -> enum.Enum:
    # By value, and of the value's exact class: True is not 1.
    if type(value) is str or type(value) is int:
        member = tp._value2member_map_.get(value)
        if member is not None and type(member.value) is type(value):
            return member
    kind = enum_value_type(tp)
    if kind is not None and type(value) is not kind:
        raise type_problem("a string" if kind is str else "an integer", value)
    raise problem("invalid_choice", "not one of the allowed values")


def _structure_code(value: object, tp: type[CodeValue]) -> CodeValue:
    if type(value) is not str:
        raise type_problem("a string", value)
    return tp(value)


def _is_tuple(tp: Any) -> bool:  # noqa: ANN401 - any type
    return describe(tp).shape is Shape.TUPLE


#: The failing items of one array that an error lists; the rest of the array is
#: not read. Without a bound, a 16 MiB array of ``{}`` builds millions of problems
#: (a 20,000-item one took 2.6 s and 100,000 details).
MAX_FAILED_ITEMS: Final = 20


def _tuple_structure_factory(
    tp: Any,  # noqa: ANN401 - a tuple type
    converter: cattrs.Converter,
) -> Callable[[object, object], tuple[Any, ...]]:
    item_tp = describe(tp).inner.type

    def structure_tuple(value: object, _tp: object) -> tuple[Any, ...]:
        # cattrs' own hooks iterate anything: a string would become characters.
        if type(value) is not list:
            raise type_problem("an array", value)
        hook = converter.get_structure_hook(item_tp)
        items = []
        errors: list[Exception] = []
        for i, item in enumerate(value):
            try:
                items.append(hook(item, item_tp))
            except Exception as exc:  # noqa: BLE001 - collected and explained
                exc.add_note(IterableValidationNote(f"index {i}", i, item_tp))
                errors.append(exc)
                if len(errors) == MAX_FAILED_ITEMS:
                    break
        if errors:
            msg = "While structuring a tuple"
            raise IterableValidationError(msg, errors, tp)
        return tuple(items)

    return structure_tuple


def _checked_field_hook(
    converter: cattrs.Converter,
    kind: Kind,
    check: Callable[[object], None],
) -> Callable[[object, object], object]:
    """
    Structure a field, then run the model's check of that field at once.

    cattrs calls ``__init__`` only once every field has structured, so without
    this a field's domain error (13 diagnoses) would stay hidden whenever
    another field also fails.
    """
    tp = kind.type

    def structure_field(value: object, _tp: object) -> object:
        result = converter.get_structure_hook(tp)(value, tp)
        check(result)
        return result

    return structure_field


def _attrs_structure_factory(
    cls: type[T], converter: cattrs.Converter
) -> Callable[[object, object], T]:
    kinds = {field.name: field.kind for field in fields_of(cls)}
    try:
        checks = field_checks(cls)
    except KeyError:  # a plain attrs class: no checks of its own
        checks = ()
    overrides = {
        check.name: override(
            struct_hook=_checked_field_hook(converter, kinds[check.name], check.check)
        )
        for check in checks
    }
    structure = make_dict_structure_fn(
        cls,
        converter,
        _cattrs_forbid_extra_keys=True,
        _cattrs_detailed_validation=True,
        **typing.cast("dict[str, Any]", overrides),
    )

    def structure_object(value: object, _tp: object) -> T:
        # cattrs would index a list or a string and fail with a confusing error.
        if type(value) is not dict:
            raise type_problem("an object", value)
        try:
            return structure(value, cls)
        except ClassValidationError as exc:
            found = _cross_field_problem(cls, value, exc, converter)
            if found is None:
                raise
            raise exc.derive([*exc.exceptions, found]) from None

    return structure_object


def _cross_field_problem(
    cls: type,
    data: dict[str, Any],
    exc: ClassValidationError,
    converter: cattrs.Converter,
) -> ValidationError | None:
    """
    Run the cross-field checks of an object some of whose fields failed.

    cattrs calls ``__init__`` (and so ``_check_fields``) only when every field
    is valid. To report every problem at once, the check runs here on an
    object holding only the valid fields; a check that reads a failed field
    finds it unset and is skipped.
    """
    with_notes, others = exc.group_exceptions()
    if not with_notes and not any(isinstance(e, ForbiddenExtraKeysError) for e in others):
        return None  # __init__ itself failed: its error is in exc already
    check = getattr(cls, "_check_fields", None)
    if check is None:
        return None
    failed = {note.name for _, note in with_notes}
    partial: Any = object.__new__(cls)
    for field in fields_of(cls):
        default = field.attribute.default
        # A missing required key failed too; a key left out has its default.
        if field.name in failed or (
            field.name not in data and isinstance(default, attrs.Factory)  # type: ignore[arg-type]
        ):
            continue
        if field.name in data:
            tp = field.kind.type
            value = converter.get_structure_hook(tp)(data[field.name], tp)
        else:
            value = default
        object.__setattr__(partial, field.name, value)
    try:
        check(partial)
    except ValidationError as found:
        return found
    except Exception:  # noqa: BLE001 - a check that needs a field that failed
        return None
    return None


def make_converter() -> cattrs.Converter:
    """
    Build the converter: see :func:`soapbill.formats.json.make_converter`.
    """
    # Imported here: soapbill.codes loads every code module and its tables,
    # which `import soapbill.formats.json` need not pay.
    from soapbill.codes._base import CodeValue  # noqa: PLC0415 - see above

    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    # By class, which overrides cattrs' own (lax) hooks of str, int and enums.
    structure_hooks: list[tuple[type, Callable[[Any, Any], Any]]] = [
        (str, _structure_str),
        (int, _structure_int),
        (bool, _structure_bool),
        (float, _structure_float),
        (Decimal, _structure_money),
        (date, _structure_date),
        (CodeValue, _structure_code),
        # A StrEnum is also a str, and an IntEnum an int: name them all.
        (enum.Enum, _structure_enum),
        (enum.StrEnum, _structure_enum),
        (enum.IntEnum, _structure_enum),
    ]
    for tp, structure in structure_hooks:
        converter.register_structure_hook(tp, structure)
    converter.register_structure_hook_factory(_is_tuple, _tuple_structure_factory)
    converter.register_structure_hook_factory(attrs.has, _attrs_structure_factory)
    _unstructure.register(converter, CodeValue)
    return converter


@functools.cache
def default_converter() -> cattrs.Converter:
    """
    The converter of calls that pass none, built on first use.

    Building a cattrs converter takes milliseconds, which ``import soapbill``
    need not pay.
    """
    return make_converter()


# --- explaining errors -----------------------------------------------------------------


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _details(exc: BaseException, path: str) -> Iterator[ErrorDetail]:
    """
    Turn a cattrs error tree into details with paths, never with values.
    """
    if isinstance(exc, ClassValidationError):
        yield from _class_details(exc, path)
    elif isinstance(exc, IterableValidationError):
        yield from _item_details(exc, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(map(_key_text, exc.extra_fields)):
            yield ErrorDetail(path=_join(path, key), code="unknown_field", message="unknown field")
    elif isinstance(exc, ValidationError):
        for detail in exc.errors:
            yield detail.prefixed(path)
    else:
        # An application's hook or validator: its message may hold the value.
        yield ErrorDetail(path=path, code="invalid_value", message="invalid value")


def _key_text(key: object) -> str:
    """
    Show an unknown key in a path: its first 40 characters, escaped.

    Keys are not patient data, but a huge key must not make a huge error, and
    a control character or a surrogate must not reach a log as it is.
    """
    if not isinstance(key, str):
        # Only from_dict sees these; their str() could be anything.
        return f"<{type(key).__name__} key>"
    text = str.__str__(key)
    shown = text[:_KEY_SHOWN]
    if not shown.isprintable():
        shown = "".join(
            c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in shown
        )
    return f"{shown}\N{HORIZONTAL ELLIPSIS}" if len(text) > _KEY_SHOWN else shown


def _item_details(exc: IterableValidationError, path: str) -> Iterator[ErrorDetail]:
    with_index, others = exc.group_exceptions()
    for sub, note in with_index:
        yield from _details(sub, f"{path}[{note.index}]")
    for sub in others:  # pragma: no cover - our tuple hook notes every item
        yield from _details(sub, path)


def _class_details(exc: ClassValidationError, path: str) -> Iterator[ErrorDetail]:
    with_notes, others = exc.group_exceptions()
    for sub, note in with_notes:
        sub_path = _join(path, note.name)
        # cattrs reads o["name"] before calling the field's hook.
        if type(sub) is KeyError and sub.args == (note.name,):
            yield ErrorDetail(path=sub_path, code="missing", message="required field missing")
        else:
            yield from _details(sub, sub_path)
    # A failing __init__ (a cross-field check), or unknown keys.
    for sub in others:
        yield from _details(sub, path)


def _split_version(data: object) -> tuple[object, list[ErrorDetail]]:
    """
    Take ``format_version`` out of a document's data and check it.
    """
    if type(data) is not dict:
        return data, []
    rest = {key: value for key, value in data.items() if key != VERSION_KEY}
    if VERSION_KEY not in data:
        return rest, [
            ErrorDetail(path=VERSION_KEY, code="missing", message="required field missing")
        ]
    version = data[VERSION_KEY]
    if type(version) is not int:
        found = type_problem("an integer", version).errors[0]
        return rest, [found.prefixed(VERSION_KEY)]
    if version != FORMAT_VERSION:
        return rest, [
            ErrorDetail(
                path=VERSION_KEY,
                code="unsupported_version",
                message=f"unsupported format version; this release reads version {FORMAT_VERSION}",
            )
        ]
    return rest, []


def decode_detailed(data: object, cls: type[T], converter: cattrs.Converter) -> T:
    """
    Structure *data* with cattrs alone.

    Raises:
        DeserializationError: With every problem found.
    """
    if deeper_than(data, MAX_DEPTH):
        raise too_deep()
    errors: list[ErrorDetail] = []
    if is_document(cls):
        data, errors = _split_version(data)
    try:
        result: T = converter.structure(data, cls)
    except (BaseValidationError, ValueError) as exc:
        errors.extend(_details(exc, ""))
    if errors:
        raise DeserializationError(errors) from None
    return result
