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

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import functools
import json as stdlib_json
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any, Final, TypeVar

import attrs
import cattrs
import msgspec
from cattrs.errors import (
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, override

from soapbill._validators import (
    SURROGATE_CODE,
    SURROGATE_MESSAGE,
    TRUSTED,
    field_checks,
    has_surrogate,
    install_checks,
    is_checked,
    type_hints,
)
from soapbill.codes._base import CodeValue
from soapbill.errors import ErrorDetail, ValidationError

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
FORMAT_VERSION: Final = 1
_VERSION_KEY: Final = "format_version"

#: How deep arrays and objects may nest in a document; a deeper one is refused
#: with the code ``too_deep``. soapbill's own documents nest less than ten
#: levels, so only hostile or broken input comes near it, and the limit keeps
#: every part of decoding (parsing, checks, the error report) far from
#: Python's recursion limit.
MAX_DEPTH: Final = 64
# What an error shows of an unknown key, at most.
_KEY_SHOWN: Final = 40

# [0-9], never \d (any Unicode digit), and fullmatch, never $ (which also
# matches before a final newline).
_MONEY: Final = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?").fullmatch
# date.fromisoformat alone also takes "19800229" and week dates ("1980-W09-5").
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch
_CENT: Final = Decimal("0.01")
# An explicit context, so an application's decimal context cannot change the
# output; valid amounts have at most two places, so nothing is ever rounded.
_MONEY_CONTEXT: Final = Context(prec=28, rounding=ROUND_HALF_UP)

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


def _is_document(cls: type) -> bool:
    return bool(getattr(cls, "__soapbill_document__", False))


def _json_type(value: object) -> str:
    name = _JSON_TYPES.get(value.__class__)
    return name if name is not None else f"Python {type(value).__name__}"


def _problem(code: str, message: str) -> DeserializationError:
    return DeserializationError((ErrorDetail(path="", code=code, message=message),))


def _type_problem(expected: str, value: object) -> DeserializationError:
    return _problem("invalid_type", f"expected {expected}, got {_json_type(value)}")


# --- types -----------------------------------------------------------------------


def _optional_arg(tp: Any) -> Any:  # noqa: ANN401 - any type
    """
    Return ``X`` for ``X | None``, else ``None``.
    """
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:  # noqa: PLR2004 - X and None
            return args[0]
    return None


def _tuple_item(tp: Any) -> Any:  # noqa: ANN401 - any type
    """
    Return ``X`` for ``tuple[X, ...]``, else ``None``.
    """
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:  # noqa: PLR2004 - X and ...
            return args[0]
    return None


def _is_tuple(tp: Any) -> bool:  # noqa: ANN401 - any type
    return _tuple_item(tp) is not None


def _is_subclass(tp: Any, base: type) -> bool:  # noqa: ANN401 - any type
    return isinstance(tp, type) and issubclass(tp, base)


def _enum_value_type(cls: type[enum.Enum]) -> type | None:
    """
    Return ``str`` or ``int`` when every member's value is of that class.
    """
    kinds: set[type] = {member.value.__class__ for member in cls}
    kind = kinds.pop() if len(kinds) == 1 else None
    return kind if kind in (str, int) else None


# --- the strict cattrs hooks ---------------------------------------------------------


def _structure_str(value: object, _tp: object) -> str:
    if type(value) is not str:
        raise _type_problem("a string", value)
    if has_surrogate(value):
        raise _problem(SURROGATE_CODE, SURROGATE_MESSAGE)
    return value


def _structure_int(value: object, _tp: object) -> int:
    # bool is a subclass of int, and a float is never an integer here.
    if type(value) is not int:
        raise _type_problem("an integer", value)
    return value


def _structure_bool(value: object, _tp: object) -> bool:
    if type(value) is not bool:
        raise _type_problem("a boolean", value)
    return value


def _structure_float(value: object, _tp: object) -> float:
    if type(value) is not float and type(value) is not int:
        raise _type_problem("a number", value)
    return float(value)


def _structure_money(value: object, _tp: object) -> Decimal:
    if type(value) is not str:
        raise _type_problem("an amount as a string", value)
    if _MONEY(value) is None:
        raise _problem("invalid_format", 'expected an amount such as "125.00"')
    return Decimal(value)


def _structure_date(value: object, _tp: object) -> date:
    if type(value) is not str:
        raise _type_problem("a date as a string", value)
    if _DATE(value) is None:
        raise _problem("invalid_format", "expected a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _problem("invalid_date", "not a calendar date") from None


def _structure_enum(value: object, tp: type[enum.Enum]) -> enum.Enum:
    # By value, and of the value's exact class: True is not 1.
    if type(value) is str or type(value) is int:
        member = tp._value2member_map_.get(value)
        if member is not None and type(member.value) is type(value):
            return member
    kind = _enum_value_type(tp)
    if kind is not None and type(value) is not kind:
        raise _type_problem("a string" if kind is str else "an integer", value)
    raise _problem("invalid_choice", "not one of the allowed values")


def _structure_code(value: object, tp: type[CodeValue]) -> CodeValue:
    if type(value) is not str:
        raise _type_problem("a string", value)
    return tp(value)


def _tuple_structure_factory(
    tp: Any,  # noqa: ANN401 - a tuple type
    converter: cattrs.Converter,
) -> Callable[[object, object], tuple[Any, ...]]:
    item_tp = _tuple_item(tp)

    def structure_tuple(value: object, _tp: object) -> tuple[Any, ...]:
        # cattrs' own hooks iterate anything: a string would become characters.
        if type(value) is not list:
            raise _type_problem("an array", value)
        hook = converter.get_structure_hook(item_tp)
        items = []
        errors: list[Exception] = []
        for i, item in enumerate(value):
            try:
                items.append(hook(item, item_tp))
            except Exception as exc:  # noqa: BLE001 - collected and explained
                exc.add_note(IterableValidationNote(f"index {i}", i, item_tp))
                errors.append(exc)
        if errors:
            msg = "While structuring a tuple"
            raise IterableValidationError(msg, errors, tp)
        return tuple(items)

    return structure_tuple


def _checked_field_hook(
    converter: cattrs.Converter,
    tp: Any,  # noqa: ANN401 - a field type
    check: Callable[[object], None],
) -> Callable[[object, object], object]:
    """
    Structure a field, then run the model's check of that field at once.

    cattrs calls ``__init__`` only once every field has structured, so without
    this a field's domain error (13 diagnoses) would stay hidden whenever
    another field also fails.
    """

    def structure_field(value: object, _tp: object) -> object:
        result = converter.get_structure_hook(tp)(value, tp)
        check(result)
        return result

    return structure_field


def _attrs_structure_factory(
    cls: type[T], converter: cattrs.Converter
) -> Callable[[object, object], T]:
    hints = type_hints(cls)
    try:
        checks = {c.name: c for c in field_checks(cls)}
    except KeyError:
        checks = {}
    overrides = {
        name: override(struct_hook=_checked_field_hook(converter, hints[name], check))
        for name, check in checks.items()
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
            raise _type_problem("an object", value)
        try:
            return structure(value, cls)
        except ClassValidationError as exc:
            problem = _cross_field_problem(cls, value, exc, converter, hints)
            if problem is None:
                raise
            raise exc.derive([*exc.exceptions, problem]) from None

    return structure_object


def _cross_field_problem(
    cls: type,
    data: dict[str, Any],
    exc: ClassValidationError,
    converter: cattrs.Converter,
    hints: Mapping[str, Any],
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
    for field in attrs.fields(cls):
        # A missing required key failed too; a key left out has its default.
        if field.name in failed or (
            field.name not in data and isinstance(field.default, attrs.Factory)  # type: ignore[arg-type]
        ):
            continue
        if field.name in data:
            tp = hints[field.name]
            value = converter.get_structure_hook(tp)(data[field.name], tp)
        else:
            value = field.default
        object.__setattr__(partial, field.name, value)
    try:
        check(partial)
    except ValidationError as problem:
        return problem
    except Exception:  # noqa: BLE001 - a check that needs a field that failed
        return None
    return None


def _unstructure_money(value: Decimal) -> str:
    return str(value.quantize(_CENT, context=_MONEY_CONTEXT))


def _unstructure_date(value: date) -> str:
    return value.isoformat()


def _unstructure_enum(value: enum.Enum) -> object:
    return value.value


def _unstructure_code(value: CodeValue) -> str:
    return value.value


#: How the generated unstructure functions write what our hooks do.
_PLAIN_INLINE: Final[dict[Callable[..., Any], str]] = {
    identity: "{}",
    _unstructure_date: "{}.isoformat()",
    _unstructure_enum: "{}._value_",
    # The canonical string itself: the value property costs a call.
    _unstructure_code: "{}.value",
    # A decimal with two places prints as such; quantize only the others.
    _unstructure_money: '(_s if (_s := str({0}))[-3:-2] == "." else _money({0}))',
}
_JSON_INLINE: Final[dict[Callable[..., Any], str]] = {
    **_PLAIN_INLINE,
    _unstructure_date: "{}",
    _unstructure_enum: "{}",
}


def _tuple_unstructure_factory(
    tp: Any,  # noqa: ANN401 - a tuple type
    converter: cattrs.Converter,
) -> Callable[[tuple[Any, ...]], list[Any]]:
    hook = converter.get_unstructure_hook(_tuple_item(tp))
    if hook is identity:
        return list
    return lambda value: [hook(item) for item in value]


class _Unstructurer:
    """
    Generates the unstructure functions of an attrs class.

    A function builds the dict in one expression, in field order. Values whose
    hook is one of ours are converted inline (``v.isoformat()``), and so are
    the dicts of contained classes whose hook is one we generated; any other
    hook, such as one an application registered, is called.

    Two more functions hang on the hook, for a root object: ``soapbill_document``
    (a document class only: the same with ``format_version`` first) for
    :func:`to_dict`, and ``soapbill_json`` for :func:`to_json`, which leaves
    dates, enums, tuples and two-place decimals to msgspec's encoder (in C).
    """

    def __init__(self, converter: cattrs.Converter) -> None:
        self.converter = converter
        self.building: set[type] = set()
        self.generated: set[Callable[[Any], Any]] = set()

    def __call__(self, cls: type) -> Callable[[Any], dict[str, Any]]:
        ns: dict[str, Any] = {"_money": _unstructure_money}
        document = _is_document(cls)
        variants = {
            "unstructure": self.display(cls, "o", ns),
            "soapbill_json": self.display(cls, "o", ns, document=document, json=True),
        }
        if document:
            variants["soapbill_document"] = self.display(cls, "o", ns, document=True)
        src = "".join(f"def {name}(o):\n    return {body}\n" for name, body in variants.items())
        exec(compile(src, f"<soapbill unstructure {cls.__qualname__}>", "exec"), ns)  # noqa: S102
        fn: Callable[[Any], dict[str, Any]] = ns["unstructure"]
        for name in variants:
            if name != "unstructure":
                fn.__dict__[name] = ns[name]
        self.generated.add(fn)
        return fn

    def display(
        self, cls: type, obj: str, ns: dict[str, Any], *, document: bool = False, json: bool = False
    ) -> str:
        """
        Return a dict display of the object *obj* (an expression) of *cls*.
        """
        self.building.add(cls)
        try:
            hints = type_hints(cls)
            items = [f"{_VERSION_KEY!r}: {FORMAT_VERSION}"] if document else []
            var = obj if obj.isidentifier() else self.var(ns)
            for i, a in enumerate(attrs.fields(cls)):
                # The first field binds the object; the others read it.
                ref = f"({var} := {obj}).{a.name}" if i == 0 and var != obj else f"{var}.{a.name}"
                items.append(f"{a.name!r}: {self.expr(hints[a.name], ref, ns, json=json)}")
        finally:
            self.building.discard(cls)
        return "{" + ", ".join(items) + "}"

    @staticmethod
    def var(ns: dict[str, Any]) -> str:
        name = f"_v{len(ns)}"
        ns[name] = None
        return name

    def expr(self, tp: Any, expr: str, ns: dict[str, Any], *, json: bool) -> str:  # noqa: ANN401 - any type
        """
        Return an expression giving the plain data of *expr*, of type *tp*.

        With *json*, the data may also hold what msgspec's encoder writes as
        we would: dates, enums, tuples and decimals with two places.
        """
        inner = _optional_arg(tp)
        if inner is not None:
            var = self.var(ns)
            value = self.expr(inner, var, ns, json=json)
            return expr if value == var else f"(None if ({var} := {expr}) is None else {value})"
        item = _tuple_item(tp)
        if item is not None:
            var = self.var(ns)
            value = self.expr(item, var, ns, json=json)
            if value == var:
                return expr if json else f"list({expr})"
            # An empty tuple skips the comprehension's call; binding the tuple
            # first also keeps any walrus in *expr* out of the iterable.
            items = self.var(ns)
            empty = items if json else "[]"
            return f"([{value} for {var} in {items}] if ({items} := {expr}) else {empty})"
        if tp in self.building:
            # A class that contains itself: look its hook up when called.
            converter = self.converter
            hook: Callable[[Any], Any] = lambda v: converter.unstructure(v, unstructure_as=tp)  # noqa: E731
        else:
            hook = self.converter.get_unstructure_hook(tp)
        if hook in self.generated:
            return self.display(tp, expr, ns, json=json)
        inline = (_JSON_INLINE if json else _PLAIN_INLINE).get(hook)
        if inline is not None:
            return inline.format(expr)
        name = f"_h{len(ns)}"
        ns[name] = hook
        return f"{name}({expr})"


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
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
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

    unstructure_hooks: list[tuple[type, Callable[[Any], Any]]] = [
        (Decimal, _unstructure_money),
        (date, _unstructure_date),
        (CodeValue, _unstructure_code),
        (enum.Enum, _unstructure_enum),
        (enum.StrEnum, _unstructure_enum),
        (enum.IntEnum, _unstructure_enum),
    ]
    for tp, unstructure in unstructure_hooks:
        converter.register_unstructure_hook(tp, unstructure)
    converter.register_unstructure_hook_factory(_is_tuple, _tuple_unstructure_factory)
    converter.register_unstructure_hook_factory(attrs.has, _Unstructurer(converter))
    return converter


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


def _deeper_than(data: object, limit: int) -> bool:
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
    rest = {key: value for key, value in data.items() if key != _VERSION_KEY}
    if _VERSION_KEY not in data:
        return rest, [
            ErrorDetail(path=_VERSION_KEY, code="missing", message="required field missing")
        ]
    version = data[_VERSION_KEY]
    if type(version) is not int:
        problem = _type_problem("an integer", version).errors[0]
        return rest, [problem.prefixed(_VERSION_KEY)]
    if version != FORMAT_VERSION:
        return rest, [
            ErrorDetail(
                path=_VERSION_KEY,
                code="unsupported_version",
                message=f"unsupported format version; this release reads version {FORMAT_VERSION}",
            )
        ]
    return rest, []


def _too_deep() -> DeserializationError:
    return _problem("too_deep", f"arrays and objects nest more than {MAX_DEPTH} levels deep")


def _decode_detailed(data: object, cls: type[T], converter: cattrs.Converter) -> T:
    """
    Structure *data* with cattrs alone; raise with every problem found.
    """
    if _deeper_than(data, MAX_DEPTH):
        raise _too_deep()
    errors: list[ErrorDetail] = []
    if _is_document(cls):
        data, errors = _split_version(data)
    try:
        result: T = converter.structure(data, cls)
    except (BaseValidationError, ValueError) as exc:
        errors.extend(_details(exc, ""))
    if errors:
        raise DeserializationError(errors) from None
    return result


# --- the fast path -----------------------------------------------------------------------


class _UnsupportedError(Exception):
    """
    A type the fast path does not handle; its class takes the cattrs path.
    """


class _Plan:
    """
    What the fast path needs for one root class.

    (A plain class: an attrs class would cost ``import soapbill`` a compile.)

    Attributes:
        json_check: The pre-check for data parsed from JSON text.
        python_check: The pre-check for data handed to :func:`from_dict`, which
            may hold any Python object: it also checks every leaf's exact type.
        codes: The code value classes the class holds, at any depth.
        recursive: Whether a class it holds contains itself, so that its
            documents may nest without bound.
    """

    __slots__ = ("codes", "json_check", "python_check", "recursive")

    def __init__(
        self,
        json_check: Callable[[object], bool],
        python_check: Callable[[object], bool],
        codes: frozenset[type],
        *,
        recursive: bool,
    ) -> None:
        self.json_check = json_check
        self.python_check = python_check
        self.codes = codes
        self.recursive = recursive


_MISSING: Final = object()
# One plan per class, built on first use; None means the cattrs path only.
_PLANS: dict[type, _Plan | None] = {}


class _CheckWriter:
    """
    Writes the pre-check function of a class.

    The check returns ``False`` as soon as the data breaks a rule msgspec does
    not enforce for attrs classes; msgspec then checks the rest. The checks of
    contained classes are written inline, saving a call per object; only a
    class that contains itself gets a function of its own.
    """

    def __init__(self, *, python: bool) -> None:
        self.python = python
        self.ns: dict[str, Any] = {"_money": _MONEY, "_M": _MISSING, "_surrogate": has_surrogate}
        self.names: dict[type, str] = {}
        self.pending: list[type] = []
        self.inlining: list[type] = []
        self.vars = 0

    def var(self, prefix: str) -> str:
        self.vars += 1
        return f"{prefix}{self.vars}"

    def function_for(self, cls: type) -> str:
        name = self.names.get(cls)
        if name is None:
            name = self.names[cls] = f"_check{len(self.names)}"
            self.pending.append(cls)
        return name

    def write(self, root: type) -> Callable[[object], bool]:
        functions = {"_root": self.object_lines(root, "o", document=_is_document(root))}
        while self.pending:
            cls = self.pending.pop()
            functions[self.names[cls]] = self.object_lines(cls, "o", document=False)
        src = "".join(
            "\n".join([f"def {name}(o):", *_indent(body, 4), "    return True\n"])
            for name, body in functions.items()
        )
        exec(compile(src, f"<soapbill pre-check {root.__qualname__}>", "exec"), self.ns)  # noqa: S102
        check: Callable[[object], bool] = self.ns["_root"]
        return check

    def object_lines(self, cls: type, var: str, *, document: bool) -> list[str]:
        """
        Return lines that return ``False`` unless *var* is a fitting object.
        """
        fields = attrs.fields(cls)
        hints = type_hints(cls)
        keys = [a.name for a in fields] + ([_VERSION_KEY] if document else [])
        lines = [f"if {var}.__class__ is not dict: return False"]
        if any(a.default is not attrs.NOTHING for a in fields):
            allowed = f"_keys{len(self.ns)}"
            self.ns[allowed] = frozenset(keys)
            lines.append(f"if not {allowed}.issuperset({var}): return False")
        else:
            # msgspec checks that required keys are present: the right count
            # then means no unknown key.
            lines.append(f"if len({var}) != {len(keys)}: return False")
        if document:
            lines += [
                f"if {var}.get({_VERSION_KEY!r}).__class__ is not int: return False",
                f"if {var}[{_VERSION_KEY!r}] != {FORMAT_VERSION}: return False",
            ]
        self.inlining.append(cls)
        for a in fields:
            if not a.init or a.converter is not None or a.alias != a.name:
                msg = "a field msgspec would build differently from __init__"
                raise _UnsupportedError(msg)
            value = self.var("v")
            body = self.value_lines(hints[a.name], value)
            if not body:
                continue
            if a.default is attrs.NOTHING:
                lines += [f"{value} = {var}.get({a.name!r})", *body]
            else:
                lines += [
                    f"{value} = {var}.get({a.name!r}, _M)",
                    f"if {value} is not _M:",
                    *_indent(body, 4),
                ]
        self.inlining.pop()
        return lines

    def value_lines(self, tp: Any, var: str) -> list[str]:  # noqa: ANN401 - any type
        inner = _optional_arg(tp)
        if inner is not None:
            body = self.value_lines(inner, var)
            return [f"if {var} is not None:", *_indent(body, 4)] if body else []
        item = _tuple_item(tp)
        if item is not None:
            item_var = self.var("x")
            body = self.value_lines(item, item_var)
            lines = [f"if {var}.__class__ is not list: return False"]
            if body:
                lines += [f"for {item_var} in {var}:", *_indent(body, 4)]
            # From JSON, msgspec refuses anything but an array by itself.
            return lines if body or self.python else []
        if tp is Decimal:
            return [f"if {var}.__class__ is not str or _money({var}) is None: return False"]
        if attrs.has(tp):
            if tp in self.inlining:
                return [f"if not {self.function_for(tp)}({var}): return False"]
            return self.object_lines(tp, var, document=False)
        return self.leaf_lines(tp, var)

    def leaf_lines(self, tp: Any, var: str) -> list[str]:  # noqa: ANN401 - any type
        """
        Return lines that return ``False`` unless *var* is a fitting JSON scalar.
        """
        # From JSON these hold only JSON types, whose exact checks msgspec makes;
        # from Python data, msgspec would also take subclasses and ready objects.
        exact = self.exact_class(tp)
        if not self.python:
            return []
        lines = [f"if {var}.__class__ is not {exact.__name__}: return False"]
        if tp is str:
            # msgspec refuses a surrogate in JSON text, but takes one in a str
            # of Python data as a str field's value (see _validators).
            lines.append(f"if not {var}.isascii() and _surrogate({var}): return False")
        return lines

    @staticmethod
    def exact_class(tp: Any) -> type:  # noqa: ANN401 - any type
        if tp in (str, int, bool):
            return typing.cast("type", tp)
        if tp is date or _is_subclass(tp, CodeValue):
            return str
        if _is_subclass(tp, enum.Enum):
            kind = _enum_value_type(tp)
            if kind is not None:
                return kind
        msg = "a type the fast path does not handle"
        raise _UnsupportedError(msg)


def _indent(lines: list[str], width: int) -> list[str]:
    return [" " * width + line for line in lines]


def _reachable_classes(root: type) -> tuple[frozenset[type], frozenset[type]]:
    """
    Return the code value classes and the attrs classes *root* holds, at any depth.

    The attrs classes include *root* itself.
    """
    codes: set[type] = set()
    seen: set[type] = set()
    todo = [root]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for hint in type_hints(cls).values():
            tp = hint
            while (inner := _optional_arg(tp) or _tuple_item(tp)) is not None:
                tp = inner
            if _is_subclass(tp, CodeValue):
                codes.add(tp)
            elif attrs.has(tp):
                todo.append(tp)
    return frozenset(codes), frozenset(seen)


def _code_hook(codes: frozenset[type]) -> Callable[[type, object], object]:
    """
    Return a ``dec_hook`` building the code values of one document.

    A document repeats its codes (a modifier on every line, one NPI in two
    places): each distinct one is built once per document.
    """
    built: dict[tuple[type, str], object] = {}

    def dec_hook(tp: type, value: object) -> object:
        if value.__class__ is str and tp in codes:
            key = (tp, value)
            code = built.get(key)
            if code is None:
                code = built[key] = tp(value)
            return code
        # msgspec turns this into a ValidationError: the cattrs path explains.
        msg = "not a code value"
        raise TypeError(msg)

    return dec_hook


def _build_plan(cls: type) -> _Plan | None:
    if not attrs.has(cls):
        return None
    try:
        codes, models = _reachable_classes(cls)
        # msgspec keeps the __attrs_post_init__ it finds when it first meets a
        # class: give it the generated checks, not their first-use placeholder.
        for model in models:
            if is_checked(model):
                install_checks(model)
        msgspec.inspect.type_info(cls)
        json_writer = _CheckWriter(python=False)
        return _Plan(
            json_check=json_writer.write(cls),
            python_check=_CheckWriter(python=True).write(cls),
            codes=codes,
            # A class that contains itself has a check function of its own.
            recursive=bool(json_writer.names),
        )
    except (_UnsupportedError, TypeError):
        return None


def _plan(cls: type) -> _Plan | None:
    try:
        return _PLANS[cls]
    except KeyError:
        plan = _PLANS[cls] = _build_plan(cls)
        return plan


def _decode_fast(data: object, cls: type[T], *, python: bool) -> T | None:
    """
    Build *cls* from *data* through msgspec, or return ``None`` if that fails.

    Args:
        data: Parsed JSON (``python=False``) or any Python data.
        cls: The class to build.
        python: Whether *data* may hold objects JSON cannot produce.
    """
    plan = _plan(cls)
    if plan is None:
        return None
    # The checks of a class that contains itself recurse, as deep as the data.
    if plan.recursive and _deeper_than(data, MAX_DEPTH):
        return None
    check = plan.python_check if python else plan.json_check
    if not check(data):
        return None
    # The models then skip only the type checks msgspec and the pre-check
    # have made; their domain checks run as always.
    token = TRUSTED.set(True)
    try:
        return msgspec.convert(data, cls, dec_hook=_code_hook(plan.codes))
    except (msgspec.ValidationError, UnicodeEncodeError):
        # msgspec reads the strings of Python data (keys, enum values, dates)
        # as UTF-8, which a surrogate fails: the cattrs path explains.
        return None
    finally:
        TRUSTED.reset(token)


@functools.cache
def _default_converter() -> cattrs.Converter:
    # Built on first use: a cattrs converter takes milliseconds to set up,
    # which ``import soapbill`` need not pay.
    return make_converter()


_Writer = Callable[[Any], dict[str, Any]]
# The writers of the default converter, one per root class.
_DICT_WRITERS: dict[type, _Writer] = {}
_JSON_WRITERS: dict[type, _Writer] = {}


def _dict_writer(cls: type, converter: cattrs.Converter) -> _Writer:
    """
    Return the function giving the plain data of a root object of *cls*.
    """
    if not attrs.has(cls):
        msg = "to_dict and to_json take a soapbill model"
        raise TypeError(msg)
    hook: _Writer = converter.get_unstructure_hook(cls)
    if not _is_document(cls):
        return hook
    document: _Writer | None = getattr(hook, "soapbill_document", None)
    if document is not None:
        return document
    return lambda obj: {_VERSION_KEY: FORMAT_VERSION, **hook(obj)}


def _json_writer(cls: type, converter: cattrs.Converter) -> _Writer:
    """
    Return the function giving data of a root object that msgspec encodes.
    """
    writer = _dict_writer(cls, converter)
    encodable: _Writer | None = getattr(converter.get_unstructure_hook(cls), "soapbill_json", None)
    return writer if encodable is None else encodable


# --- the public functions ---------------------------------------------------------------


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


def _explain_not_json(
    text: str | bytes, cls: type, converter: cattrs.Converter | None
) -> DeserializationError:
    r"""
    Return the error of a text msgspec refused.

    msgspec refuses a lone surrogate (a ``"\ud800"`` escape without its
    pair) as it refuses invalid JSON. Python's own parser takes one, so when
    it reads the text and finds one, the cattrs path names its path.
    """
    invalid = _problem("json_invalid", "not a valid JSON document")
    try:
        source = text if isinstance(text, str) else bytes(text).decode("utf-8")
        data = stdlib_json.loads(source, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        # Not JSON for Python either (UnicodeDecodeError is a ValueError).
        return invalid
    if not any(map(has_surrogate, _strings(data))):
        return invalid
    try:
        _decode_detailed(data, cls, converter or _default_converter())
    except DeserializationError as exc:
        return exc
    # An application's hook took the surrogate; the text is still not JSON.
    return invalid


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
        result = _decode_fast(data, cls, python=True)
        if result is not None:
            return result
        converter = _default_converter()
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
        raise _too_deep()
    if data is _NOT_JSON:
        raise _explain_not_json(text, cls, converter)
    if converter is None:
        result = _decode_fast(data, cls, python=False)
        if result is not None:
            return result
        converter = _default_converter()
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
    if converter is not None:
        return _dict_writer(type(obj), converter)(obj)
    writer = _DICT_WRITERS.get(type(obj))
    if writer is None:
        writer = _DICT_WRITERS[type(obj)] = _dict_writer(type(obj), _default_converter())
    return writer(obj)


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
        data = _json_writer(type(obj), converter)(obj)
    else:
        writer = _JSON_WRITERS.get(type(obj))
        if writer is None:
            writer = _JSON_WRITERS[type(obj)] = _json_writer(type(obj), _default_converter())
        data = writer(obj)
    try:
        encoded = msgspec.json.encode(data)
    except UnicodeEncodeError:
        # The models refuse a surrogate; a plain attrs class may hold one.
        encoded = None
    if encoded is None:
        raise ValidationError.single("", SURROGATE_CODE, SURROGATE_MESSAGE)
    return encoded.decode()
