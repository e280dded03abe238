r"""
Field checks for soapbill's models, generated once per class.

Every model is a frozen, slotted attrs class whose fields are checked at
construction. Instead of one attrs validator per field (a Python call each, and
the main cost of building a claim), each model class gets one generated
``__attrs_post_init__`` that checks every field inline, from the description
of its fields (:mod:`soapbill._fields`: each field's type and the constraints
it declares with :func:`~soapbill._fields.rules`). The
:func:`~soapbill._model.model` decorator installs it.

While the trusted JSON decoder builds objects, :data:`TRUSTED` is set (a
``ContextVar``, so other threads and tasks are unaffected) and the check skips
only its *type* part; domain checks (lengths, ranges, the money limit,
uniqueness, cross-field rules) always run. The decoder's guarantee, what it
checks before it sets the switch, is written beside it in
:mod:`soapbill.formats._fastpath`. Money is the one exception among domain
checks: the decoder accepts only amounts written as digits with at most two
decimal places, so the check skips the tests that shape already settles
(finite, not negative, places) and keeps the limit. A string's type check also
refuses a surrogate code point (``"\ud800"``), which is not text and which no
writer can encode; the decoder settles that too.

A :class:`~decimal.Decimal` field is money: not negative, unless its rules
say ``signed`` (a remittance's reversals and adjustments may be negative),
or a ``quantity``, any finite number (a remittance's units of service).
The rules of a tuple's items (``items``) check each item.

A class may define ``_check_fields(self)`` for cross-field rules; it runs after
the field checks and raises :class:`~soapbill.errors.ValidationError`.
"""

from __future__ import annotations

import linecache
import re
import types
import typing
from collections.abc import Callable
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, Final

from soapbill._codegen import compile_source
from soapbill._fields import NO_RULES, Kind, Rules, Shape, fields_of
from soapbill.errors import ValidationError

__all__ = [
    "MONEY_LIMIT",
    "SURROGATE_CODE",
    "SURROGATE_MESSAGE",
    "TRUSTED",
    "FieldCheck",
    "field_checks",
    "generate",
    "has_surrogate",
    "install",
    "is_model",
    "new_check",
    "validate_money",
]

#: Set to ``True`` only by the trusted JSON decoder while it builds objects.
TRUSTED: ContextVar[bool] = ContextVar("soapbill_trusted_decode", default=False)

#: Money is US dollars below ten billion: enough for any claim, and far from
#: the 28-digit default precision of :mod:`decimal`.
MONEY_LIMIT: Final = Decimal(10_000_000_000)
MONEY_PLACES: Final = 2
_CENT: Final = Decimal("0.01")

#: The error of a string holding a surrogate code point.
SURROGATE_CODE: Final = "lone_surrogate"
SURROGATE_MESSAGE: Final = "holds a lone surrogate, which is not Unicode text"
_SURROGATE: Final = re.compile("[\ud800-\udfff]").search


def validate_money(value: object, path: str = "") -> Decimal:
    """
    Return *value* if it is an amount of money, else raise.

    An amount is a :class:`~decimal.Decimal` (never a ``float``), finite, not
    negative, below ten billion, with at most two decimal places.
    """
    if value.__class__ is not Decimal:
        raise ValidationError.single(path, "invalid_type", "expected a Decimal amount")
    amount: Decimal = value
    _money_domain(amount, path)
    return amount


def _money_domain(value: Decimal, path: str, *, signed: bool = False) -> None:
    """
    Raise unless *value* is money of the sign allowed, as :func:`validate_money` says.
    """
    if not value.is_finite():
        raise ValidationError.single(path, "money_not_finite", "amount must be finite")
    if value.is_signed() and not signed:
        raise ValidationError.single(path, "money_negative", "amount must not be negative")
    if abs(value) >= MONEY_LIMIT:
        raise ValidationError.single(path, "money_too_large", "amount is too large")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MONEY_PLACES:  # pragma: no branch
        raise ValidationError.single(
            path, "money_places", "amount has more than two decimal places"
        )


def has_surrogate(text: str) -> bool:
    r"""
    Whether *text* holds a surrogate code point (U+D800 to U+DFFF).

    Such a string is no Unicode text: UTF-8 cannot encode it. It arises from
    ``json.loads`` of a lone ``"\ud800"`` escape, or from bytes decoded with
    ``errors="surrogateescape"``.
    """
    return not text.isascii() and _SURROGATE(text) is not None


def _raise(path: str, code: str, message: str) -> typing.NoReturn:
    raise ValidationError.single(path, code, message)


def _at(items: tuple[object, ...], item: object) -> str:
    """
    The path of *item* in *items*: ``"[i]"``. By identity: equal items may differ.
    """
    return f"[{next(i for i, x in enumerate(items) if x is item)}]"


# --- writing the checks -------------------------------------------------------------

_WHAT: Final = {
    Shape.STR: "a string",
    Shape.INT: "an integer",
    Shape.BOOL: "a boolean",
    Shape.MONEY: "a Decimal amount",
    Shape.DATE: "a date",
}


def _plural(prefix: str, n: int, noun: str) -> str:
    return f"{prefix} {n} {noun}{'' if n == 1 else 's'}"


def _indent(lines: list[str]) -> list[str]:
    return [f"    {line}" for line in lines]


def _raising(path: str, code: str, message: str) -> list[str]:
    return [f"    _raise({path}, {code!r}, {message!r})"]


def _what(kind: Kind, rules: Rules) -> str:
    """
    What a value of *kind* is, for the message of a wrong type: ``"a date"``.
    """
    if kind.shape is Shape.MONEY and rules.quantity:
        return "a Decimal"
    known = _WHAT.get(kind.shape)
    if known is not None:
        return known
    name: str = kind.type.__name__
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name}"


def _decimal_lines(rules: Rules, var: str, path: str) -> list[str]:
    """
    The domain checks of a :class:`~decimal.Decimal`: money, signed money or a quantity.

    Under the trusted switch ``t``, the JSON decoder has read every amount
    from digits with at most two decimal places (see
    :mod:`soapbill.formats._fastpath`): finite, not negative. The limit still
    needs checking. Otherwise an amount with exactly two places (finite,
    then) within the limit passes at once: three method calls instead of the
    full check's ``as_tuple()``, 0.15 us instead of 0.5 us. A quantity is
    only checked to be finite.
    """
    if rules.quantity:
        return [
            f"if not {var}.is_finite():",
            *_raising(path, "not_finite", "must be finite"),
        ]
    if rules.signed:
        within = f"_MONEY_FLOOR < {var} < _MONEY_LIMIT"
        full = f"_money_domain({var}, {path}, signed=True)"
        quick = f"{var}.same_quantum(_CENT) and {within}"
    else:
        within = f"{var} < _MONEY_LIMIT"
        full = f"_money_domain({var}, {path})"
        quick = f"{var}.same_quantum(_CENT) and not {var}.is_signed() and {within}"
    return [
        "if t:",
        f"    if not {within}:",
        *_indent(_raising(path, "money_too_large", "amount is too large")),
        f"elif not ({quick}):",
        f"    {full}",
    ]


class _Writer:
    """
    Writes the source lines checking one variable against a field's description.

    Paths are Python expressions giving a string; an item's path is built only
    when its check fails, so it costs nothing on the happy path. The checks of
    money read ``t``, the trusted switch of the generated function.
    """

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.loops = 0

    def name(self, obj: object, hint: str) -> str:
        """
        Put *obj* into the namespace of the generated code; return its name.
        """
        key = f"_{hint}{len(self.namespace)}"
        self.namespace[key] = obj
        return key

    def loop(self, var: str, path: str) -> tuple[str, str, str]:
        """
        Return the header of a loop over tuple *var*, its item and the item's path.
        """
        # The item's index is looked up only when its check fails: a loop
        # without enumerate() costs half as much (65 ns less per tuple).
        self.loops += 1
        item = f"x{self.loops}"
        return f"for {item} in {var}:", item, f"({path} + _at({var}, {item}))"

    def type_lines(self, kind: Kind, var: str, path: str, rules: Rules = NO_RULES) -> list[str]:
        """
        Return lines that raise unless *var* has the type *kind* describes.
        """
        shape = kind.shape
        if shape is Shape.OPTIONAL:
            inner = self.type_lines(kind.inner, var, path, rules)
            return [f"if {var} is not None:", *_indent(inner)]
        if shape is Shape.TUPLE:
            header, item, item_path = self.loop(var, path)
            return [
                f"if {var}.__class__ is not tuple:",
                *_raising(path, "invalid_type", "expected a tuple"),
                header,
                *_indent(self.type_lines(kind.inner, item, item_path, rules.items)),
            ]
        if shape is Shape.OTHER:
            msg = f"unsupported field type {kind.type!r}"
            raise TypeError(msg)
        cls = self.name(kind.type, "cls")
        expected = f"expected {_what(kind, rules)}"
        # Exact classes for values (a bool is no int, a datetime no date);
        # models and code values may be subclassed.
        test = (
            f"not isinstance({var}, {cls})"
            if shape in (Shape.MODEL, Shape.CODE)
            else f"{var}.__class__ is not {cls}"
        )
        lines = [f"if {test}:", *_raising(path, "invalid_type", expected)]
        if shape is Shape.STR:
            # A surrogate code point is no text: UTF-8 cannot write it, so every
            # writer would fail on the object. isascii() costs nothing on the
            # usual ASCII text.
            lines += [
                f"if not {var}.isascii() and _surrogate({var}) is not None:",
                *_raising(path, SURROGATE_CODE, SURROGATE_MESSAGE),
            ]
        return lines

    def domain_lines(self, kind: Kind, rules: Rules, var: str, path: str) -> list[str]:
        """
        Return lines that raise when *var* breaks the constraints of its field.
        """
        shape = kind.shape
        if shape is Shape.OPTIONAL:
            inner = self.domain_lines(kind.inner, rules, var, path)
            return [f"if {var} is not None:", *_indent(inner)] if inner else []
        if shape is Shape.STR:
            min_len = 1 if rules.min_len is None else rules.min_len
            return self.length_lines(var, path, min_len, rules.max_len, "character") + (
                self.pattern_lines(var, path, rules.pattern)
            )
        if shape is Shape.INT:
            return self.range_lines(var, path, rules)
        if shape is Shape.MONEY:
            return _decimal_lines(rules, var, path)
        if shape is Shape.TUPLE:
            return self.tuple_lines(kind, rules, var, path)
        return []

    def length_lines(
        self, var: str, path: str, min_len: int | None, max_len: int | None, noun: str
    ) -> list[str]:
        lines = []
        if min_len:
            lines += [
                f"if len({var}) < {min_len}:",
                *_raising(path, "too_short", _plural("must have at least", min_len, noun)),
            ]
        if max_len is not None:
            lines += [
                f"if len({var}) > {max_len}:",
                *_raising(path, "too_long", _plural("must have at most", max_len, noun)),
            ]
        return lines

    def pattern_lines(self, var: str, path: str, pattern: str | None) -> list[str]:
        if pattern is None:
            return []
        match = self.name(re.compile(pattern, re.ASCII).fullmatch, "rx")
        return [
            f"if {match}({var}) is None:",
            *_raising(path, "invalid_format", "does not have the expected format"),
        ]

    @staticmethod
    def range_lines(var: str, path: str, rules: Rules) -> list[str]:
        lines = []
        if rules.ge is not None:
            lines += [
                f"if {var} < {rules.ge}:",
                *_raising(path, "too_small", f"must be at least {rules.ge}"),
            ]
        if rules.le is not None:
            lines += [
                f"if {var} > {rules.le}:",
                *_raising(path, "too_large", f"must be at most {rules.le}"),
            ]
        return lines

    def tuple_lines(self, kind: Kind, rules: Rules, var: str, path: str) -> list[str]:
        lines = self.length_lines(var, path, rules.min_len, rules.max_len, "item")
        if rules.unique:
            # No set for fewer than two items (most modifiers): 0.16 us less.
            lines += [
                f"if len({var}) > 1 and len(set({var})) != len({var}):",
                *_raising(path, "duplicate", "must not repeat an item"),
            ]
        header, item, item_path = self.loop(var, path)
        inner = self.domain_lines(kind.inner, rules.items, item, item_path)
        if inner:
            lines += [header, *_indent(inner)]
        return lines


def _namespace() -> dict[str, Any]:
    return {
        "_raise": _raise,
        "_money_domain": _money_domain,
        "_MONEY_LIMIT": MONEY_LIMIT,
        "_MONEY_FLOOR": -MONEY_LIMIT,
        "_CENT": _CENT,
        "_at": _at,
        "_TRUSTED": TRUSTED,
        "_surrogate": _SURROGATE,
    }


def _check_source(cls: type, namespace: dict[str, Any]) -> str:
    """
    The source of the ``__attrs_post_init__`` checking a model of *cls*.
    """
    writer = _Writer(namespace)
    body = ["def __attrs_post_init__(self):", "    t = _TRUSTED.get()"]
    for field in fields_of(cls):
        var, path = f"v_{field.name}", repr(field.name)
        body.append(f"    {var} = self.{field.name}")
        body.append("    if not t:")
        body += _indent(_indent(writer.type_lines(field.kind, var, path, field.rules)))
        body += _indent(writer.domain_lines(field.kind, field.rules, var, path))
    if hasattr(cls, "_check_fields"):
        body.append("    self._check_fields()")
    return "\n".join(body) + "\n"


# --- installing the checks ------------------------------------------------------------

# Every model's __attrs_post_init__ starts as a function with this code, run in
# a namespace of its own; its first call generates the class's checks into the
# namespace and makes their code its own. So the function object, which attrs'
# __init__ calls and msgspec keeps from when it first meets the class, is the
# one and only check of the class from the start, and needs no lookup or extra
# call per object. Measured on the benchmark claim (16 models), a wrapper calling
# the generated check would cost 0.7 us more of a 60 us construction and 2 us
# more of a 45 us decode. Two threads making the first two objects at once both
# generate the same checks; either code wins.
_FIRST_CALL_SOURCE: Final = """\
def __attrs_post_init__(self):
    _install(__attrs_post_init__)  # gives this function the code of the checks
    __attrs_post_init__(self)
"""
_FIRST_CALL_FILE: Final = "<soapbill check, first call>"
_FIRST_CALL: Final = compile(_FIRST_CALL_SOURCE, _FIRST_CALL_FILE, "exec")
linecache.cache[_FIRST_CALL_FILE] = (
    len(_FIRST_CALL_SOURCE),
    None,
    _FIRST_CALL_SOURCE.splitlines(keepends=True),
    _FIRST_CALL_FILE,
)

_FIRST_CALL_CODE: Final = next(c for c in _FIRST_CALL.co_consts if isinstance(c, types.CodeType))

# The models and their __attrs_post_init__, one entry per class made by model().
_MODELS: dict[type, types.FunctionType] = {}


def new_check() -> types.FunctionType:
    """
    Return a new ``__attrs_post_init__`` that generates its checks on first call.

    Give it to :func:`install` with the class once attrs has built it.
    """
    namespace = _namespace()
    namespace["_install"] = _generate
    exec(_FIRST_CALL, namespace)  # noqa: S102 - our own code, compiled above
    check: types.FunctionType = namespace["__attrs_post_init__"]
    return check


def install(cls: type, check: types.FunctionType) -> None:
    """
    Make *check*, from :func:`new_check`, the checks of model class *cls*.
    """
    check.__globals__["_cls"] = cls
    _MODELS[cls] = check


def _generate(check: types.FunctionType) -> None:
    namespace = check.__globals__
    cls: type = namespace["_cls"]
    compile_source(_check_source(cls, namespace), "check", cls, namespace)
    check.__code__ = namespace["__attrs_post_init__"].__code__


def generate(cls: type) -> None:
    """
    Generate the checks of model class *cls* now, unless they are already.

    A decoder calls it for every class a document may hold, so that later
    documents compile nothing, whichever classes they hold.

    Raises:
        KeyError: *cls* is not a class made by :func:`~soapbill._model.model`.
    """
    check = _MODELS[cls]
    if check.__code__ is _FIRST_CALL_CODE:
        _generate(check)


def is_model(cls: object) -> bool:
    """
    Whether *cls* is a class made by :func:`~soapbill._model.model`.
    """
    return cls in _MODELS


# --- checks of one field, for decoders ----------------------------------------------------


class FieldCheck:
    """
    The check of one field, for decoders that structure field by field.

    Calling it with a value raises :class:`~soapbill.errors.ValidationError`
    with paths relative to the field, or returns ``None``. Unlike the check of
    a whole object, it ignores :data:`TRUSTED`.
    """

    __slots__ = ("check", "name")

    def __init__(self, name: str, check: Callable[[object], None]) -> None:
        self.name = name
        self.check = check

    def __call__(self, value: object) -> None:
        self.check(value)


# The field checks of each model class, generated on first use.
_FIELD_CHECKS: dict[type, tuple[FieldCheck, ...]] = {}


def field_checks(cls: type) -> tuple[FieldCheck, ...]:
    """
    Return the per-field checks of a model class made by :func:`~soapbill._model.model`.

    Raises:
        KeyError: *cls* is not such a class.
    """
    found = _FIELD_CHECKS.get(cls)
    if found is None:
        if not is_model(cls):
            raise KeyError(cls)
        found = _FIELD_CHECKS[cls] = _field_checks(cls)
    return found


def _field_checks(cls: type) -> tuple[FieldCheck, ...]:
    namespace = _namespace()
    writer = _Writer(namespace)
    source = []
    for i, field in enumerate(fields_of(cls)):
        source += [f"def check{i}(v):", "    t = False"]
        source += _indent(writer.type_lines(field.kind, "v", "''", field.rules))
        source += _indent(writer.domain_lines(field.kind, field.rules, "v", "''"))
        source.append("    return None")
    compile_source("\n".join(source) + "\n", "field checks", cls, namespace)
    return tuple(
        FieldCheck(field.name, namespace[f"check{i}"]) for i, field in enumerate(fields_of(cls))
    )
