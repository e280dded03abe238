r"""
Field checks for soapbill's models, generated once per class.

Every model is a frozen, slotted attrs class whose fields are checked at
construction. Instead of one attrs validator per field (a Python call each, and
the main cost of building a claim), :func:`checked` reads each field's type
annotation plus the few constraints in its metadata (:func:`rules`) and
generates one ``__attrs_post_init__`` per class that checks every field inline.

The strict JSON decoder (``soapbill.formats.json``) enforces the exact types
itself before it builds objects. While it runs, :data:`TRUSTED` is set (a
``ContextVar``, so other threads and tasks are unaffected) and the generated
check skips only its *type* part; domain checks (lengths, ranges, the money
limit, uniqueness, cross-field rules) always run. Money is the one exception:
the decoder accepts only amounts written as digits with at most two decimal
places, so the check skips the tests that shape already settles (finite, not
negative, places) and keeps the limit. A string's type check also refuses a
surrogate code point (``"\ud800"``), which is not text and which no writer
can encode; the decoder settles that too: msgspec refuses one in JSON text (a
lone surrogate escape, or its UTF-8-like bytes), and the decoder's pre-check
tests the strings of Python data itself.

A class may define ``_check_fields(self)`` for cross-field rules; it runs after
the field checks and raises :class:`~soapbill.errors.ValidationError`.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from soapbill.errors import ValidationError

__all__ = [
    "SURROGATE_CODE",
    "SURROGATE_MESSAGE",
    "TRUSTED",
    "Checked",
    "FieldCheck",
    "checked",
    "field_checks",
    "has_surrogate",
    "install_checks",
    "is_checked",
    "redact",
    "rules",
    "type_hints",
    "validate_money",
]

T = TypeVar("T")

#: Set to ``True`` only by the trusted JSON decoder while it builds objects.
TRUSTED: ContextVar[bool] = ContextVar("soapbill_trusted_decode", default=False)

#: Money is US dollars below ten billion: enough for any claim, and far from
#: the 28-digit default precision of :mod:`decimal`.
MONEY_LIMIT: Final = Decimal(10_000_000_000)
MONEY_PLACES: Final = 2

#: The error of a string holding a surrogate code point.
SURROGATE_CODE: Final = "lone_surrogate"
SURROGATE_MESSAGE: Final = "holds a lone surrogate, which is not Unicode text"
_SURROGATE: Final = re.compile("[\ud800-\udfff]").search


class Checked:
    """
    Base of the model classes.

    Its placeholder ``__attrs_post_init__`` makes attrs call one; :func:`checked`
    replaces it with the generated check.
    """

    __slots__ = ()

    def __attrs_post_init__(self) -> None:  # pragma: no cover - always replaced
        return None

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # noqa: ANN401, ARG002, FBT001 - the protocol
        # Pretty printers (IPython's, Hypothesis's in failing-test reports)
        # print attrs classes field by field, which would bypass the
        # redaction of patient data in repr: print the repr instead.
        printer.text(repr(self))


def redact(_value: object) -> str:
    """
    Stand in for a patient-data field in ``repr``.
    """
    return "<redacted>"


def rules(
    *,
    min_len: int | None = None,
    max_len: int | None = None,
    ge: int | None = None,
    le: int | None = None,
    unique: bool = False,
    pattern: str | None = None,
) -> dict[str, object]:
    """
    Constraints for a field, to pass as ``attrs.field(metadata=rules(...))``.

    ``min_len`` and ``max_len`` apply to strings and tuples; ``ge`` and ``le``
    to integers; ``unique`` to tuples; ``pattern`` (a full match, ASCII
    classes) to strings. A ``str`` field without ``min_len`` must not be empty.
    """
    return {
        "soapbill": {
            "min_len": min_len,
            "max_len": max_len,
            "ge": ge,
            "le": le,
            "unique": unique,
            "pattern": pattern,
        }
    }


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


def _money_domain(value: Decimal, path: str) -> None:
    if not value.is_finite():
        raise ValidationError.single(path, "money_not_finite", "amount must be finite")
    if value.is_signed():
        raise ValidationError.single(path, "money_negative", "amount must not be negative")
    if value >= MONEY_LIMIT:
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


# --- the field specs --------------------------------------------------------------


class _Spec:
    """
    Emits Python source that checks a variable; see :func:`_compile`.
    """

    has_domain = False

    def emit_type(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:  # noqa: ARG002
        """
        Return source lines that raise when *var* is not of the right type.
        """
        return []  # pragma: no cover - every subclass checks a type

    def emit_domain(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:  # noqa: ARG002
        """
        Return source lines that raise when *var* breaks a domain constraint.
        """
        return []


def _name(ns: dict[str, Any], obj: object, hint: str) -> str:
    key = f"_{hint}{len(ns)}"
    ns[key] = obj
    return key


@attrs.frozen
class _Exact(_Spec):
    """
    An exact class: ``v.__class__ is C``.

    So ``bool`` is not an ``int`` and a ``datetime`` is not a ``date``.
    """

    cls: type
    what: str

    def emit_type(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:
        c = _name(ns, self.cls, "cls")
        return [
            f"if {var}.__class__ is not {c}:",
            f"    _raise({path}, 'invalid_type', {('expected ' + self.what)!r})",
        ]


@attrs.frozen
class _Instance(_Spec):
    """
    An instance of a class (models, code values, enums).
    """

    cls: type
    what: str

    def emit_type(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:
        c = _name(ns, self.cls, "cls")
        return [
            f"if not isinstance({var}, {c}):",
            f"    _raise({path}, 'invalid_type', {('expected ' + self.what)!r})",
        ]


@attrs.frozen
class _Str(_Exact):
    min_len: int = 1
    max_len: int | None = None
    pattern: str | None = None
    has_domain = True

    def emit_type(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:
        # A surrogate code point is no text: UTF-8 cannot write it, so every
        # writer would fail on the object. isascii() costs nothing on the
        # usual ASCII text. The JSON decoder never yields one (see the module
        # docstring), so this belongs with the type checks.
        return [
            *super().emit_type(var, path, ns),
            f"if not {var}.isascii() and _surrogate({var}) is not None:",
            f"    _raise({path}, {SURROGATE_CODE!r}, {SURROGATE_MESSAGE!r})",
        ]

    def emit_domain(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:
        lines = []
        if self.min_len:
            lines += [
                f"if len({var}) < {self.min_len}:",
                (
                    f"    _raise({path}, 'too_short', "
                    f"{_plural('must have at least', self.min_len, 'character')!r})"
                ),
            ]
        if self.max_len is not None:
            lines += [
                f"if len({var}) > {self.max_len}:",
                (
                    f"    _raise({path}, 'too_long', "
                    f"{_plural('must have at most', self.max_len, 'character')!r})"
                ),
            ]
        if self.pattern is not None:
            rx = _name(ns, re.compile(self.pattern, re.ASCII).fullmatch, "rx")
            lines += [
                f"if {rx}({var}) is None:",
                f"    _raise({path}, 'invalid_format', 'does not have the expected format')",
            ]
        return lines


@attrs.frozen
class _Int(_Exact):
    ge: int | None = None
    le: int | None = None

    @property
    def has_domain(self) -> bool:  # type: ignore[override]
        return self.ge is not None or self.le is not None

    def emit_domain(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:  # noqa: ARG002
        lines = []
        if self.ge is not None:
            lines += [
                f"if {var} < {self.ge}:",
                f"    _raise({path}, 'too_small', 'must be at least {self.ge}')",
            ]
        if self.le is not None:
            lines += [
                f"if {var} > {self.le}:",
                f"    _raise({path}, 'too_large', 'must be at most {self.le}')",
            ]
        return lines


@attrs.frozen
class _Money(_Exact):
    has_domain = True

    def emit_domain(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:  # noqa: ARG002
        # The trusted decoder only accepts amounts matching [0-9]+(\.[0-9]{1,2})?,
        # which are finite, non-negative and have at most two places; the limit
        # still needs checking.
        return [
            f"if not t: _money_domain({var}, {path})",
            f"elif {var} >= _MONEY_LIMIT:",
            f"    _raise({path}, 'money_too_large', 'amount is too large')",
        ]


@attrs.frozen
class _Tuple(_Spec):
    item: _Spec
    min_len: int | None = None
    max_len: int | None = None
    unique: bool = False

    @property
    def has_domain(self) -> bool:  # type: ignore[override]
        return bool(
            self.item.has_domain
            or self.min_len is not None
            or self.max_len is not None
            or self.unique
        )

    def emit_type(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:
        depth = sum(1 for k in ns if k.startswith("_depth"))
        ns[f"_depth{depth}"] = None
        i, item = f"i{depth}", f"x{depth}"
        inner = self.item.emit_type(item, _index(path, i), ns)
        return [
            f"if {var}.__class__ is not tuple:",
            f"    _raise({path}, 'invalid_type', 'expected a tuple')",
            f"for {i}, {item} in enumerate({var}):",
            *(f"    {line}" for line in inner),
        ]

    def emit_domain(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:
        lines = []
        if self.min_len is not None:
            lines += [
                f"if len({var}) < {self.min_len}:",
                (
                    f"    _raise({path}, 'too_short', "
                    f"{_plural('must have at least', self.min_len, 'item')!r})"
                ),
            ]
        if self.max_len is not None:
            lines += [
                f"if len({var}) > {self.max_len}:",
                (
                    f"    _raise({path}, 'too_long', "
                    f"{_plural('must have at most', self.max_len, 'item')!r})"
                ),
            ]
        if self.unique:
            lines += [
                f"if len(set({var})) != len({var}):",
                f"    _raise({path}, 'duplicate', 'must not repeat an item')",
            ]
        if self.item.has_domain:
            depth = sum(1 for k in ns if k.startswith("_depth"))
            ns[f"_depth{depth}"] = None
            i, item = f"i{depth}", f"x{depth}"
            inner = self.item.emit_domain(item, _index(path, i), ns)
            lines += [f"for {i}, {item} in enumerate({var}):", *(f"    {ln}" for ln in inner)]
        return lines


@attrs.frozen
class _Optional(_Spec):
    inner: _Spec

    @property
    def has_domain(self) -> bool:  # type: ignore[override]
        return self.inner.has_domain

    def emit_type(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:
        inner = self.inner.emit_type(var, path, ns)
        return [f"if {var} is not None:", *(f"    {line}" for line in inner)]

    def emit_domain(self, var: str, path: str, ns: dict[str, Any]) -> list[str]:
        inner = self.inner.emit_domain(var, path, ns)
        if not inner:
            return []
        return [f"if {var} is not None:", *(f"    {line}" for line in inner)]


def _plural(prefix: str, n: int, noun: str) -> str:
    return f"{prefix} {n} {noun}{'' if n == 1 else 's'}"


def _index(path: str, i: str) -> str:
    # path is a Python expression giving a string; this one is only evaluated
    # on an error, so plain concatenation costs nothing on the happy path.
    return f"({path} + '[' + str({i}) + ']')"


_WHAT = {
    bool: "a boolean",
    int: "an integer",
    str: "a string",
    date: "a date",
    Decimal: "a Decimal amount",
}


def _spec_for(tp: Any, meta: Mapping[str, Any]) -> _Spec:  # noqa: ANN401, C901, PLR0911 - one branch per supported type
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:  # pragma: no cover - a modelling error caught at import
            msg = f"unsupported union {tp!r}"
            raise TypeError(msg)
        return _Optional(_spec_for(args[0], meta))
    if origin is tuple:
        item_tp, ellipsis = typing.get_args(tp)
        if ellipsis is not Ellipsis:  # pragma: no cover - a modelling error
            msg = f"only homogeneous tuples are supported, not {tp!r}"
            raise TypeError(msg)
        return _Tuple(
            _spec_for(item_tp, {}),
            meta.get("min_len"),
            meta.get("max_len"),
            bool(meta.get("unique")),
        )
    if tp is str:
        min_len = meta.get("min_len")
        return _Str(
            str, _WHAT[str], 1 if min_len is None else min_len, meta.get("max_len"),
            meta.get("pattern"),
        )  # fmt: skip
    if tp is bool:
        return _Exact(bool, _WHAT[bool])
    if tp is int:
        return _Int(int, _WHAT[int], meta.get("ge"), meta.get("le"))
    if tp is Decimal:
        return _Money(Decimal, _WHAT[Decimal])
    if tp is date:
        return _Exact(date, _WHAT[date])
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _Exact(tp, f"a {tp.__name__}")
    if isinstance(tp, type):
        return _Instance(tp, f"a {tp.__name__}")
    msg = f"unsupported field type {tp!r}"  # pragma: no cover - a modelling error
    raise TypeError(msg)  # pragma: no cover


@attrs.frozen
class FieldCheck:
    """
    The check of one field, for decoders that structure field by field.

    Calling it with a value raises :class:`~soapbill.errors.ValidationError`
    with paths relative to the field, or returns ``None``.
    """

    name: str
    check: Callable[[object], None]

    def __call__(self, value: object) -> None:
        self.check(value)


_FIELD_CHECKS: dict[type, tuple[FieldCheck, ...]] = {}
_TYPE_HINTS: dict[type, Mapping[str, Any]] = {}
# The generated __attrs_post_init__ of every class made by checked(); None
# until it is generated.
_POST_INITS: dict[type, Callable[[Any], None] | None] = {}


def _base_namespace() -> dict[str, Any]:
    return {
        "_raise": _raise,
        "_money_domain": _money_domain,
        "_MONEY_LIMIT": MONEY_LIMIT,
        "_TRUSTED": TRUSTED,
        "_surrogate": _SURROGATE,
    }


def _compile(src: list[str], ns: dict[str, Any], name: str) -> Callable[..., None]:
    code = "\n".join(src)
    exec(compile(code, f"<soapbill check {name}>", "exec"), ns)  # noqa: S102
    fn: Callable[..., None] = ns[name]
    return fn


def checked(cls: type[T]) -> type[T]:
    """
    Give an attrs model class its generated field checks.

    Use it above ``@attrs.frozen``; the class must define a placeholder
    ``__attrs_post_init__`` (so that attrs' ``__init__`` calls it), which this
    replaces. The checks are generated on the class's first construction, not
    at import: soapbill defines many classes and a program uses few of them.
    :func:`install_checks` generates them ahead of time.

    The first-use placeholder may outlive its replacement: msgspec, for one,
    keeps the ``__attrs_post_init__`` it found when it first met the class. So
    the placeholder looks the generated check up in a per-class cache and
    generates it only when there is none; no object ever compiles it again.
    """

    def first_post_init(self: object) -> None:
        check = _POST_INITS.get(cls)
        if check is None:
            check = install_checks(cls)
        check(self)

    cls.__attrs_post_init__ = first_post_init  # type: ignore[attr-defined]
    _POST_INITS[cls] = None
    return cls


def install_checks(cls: type) -> Callable[[Any], None]:
    """
    Generate and install the checks of a class made by :func:`checked`, once.

    Decoders that copy a class's ``__attrs_post_init__`` (msgspec does) call
    this for every class they may build before they first look, so that they
    copy the generated check rather than the first-use placeholder.

    Returns:
        The class's generated ``__attrs_post_init__``.

    Raises:
        KeyError: *cls* is not a class made by :func:`checked`.
    """
    check = _POST_INITS[cls]
    if check is None:
        check = _POST_INITS[cls] = _install(cls)
    return check


def is_checked(cls: object) -> bool:
    """
    Whether *cls* is a class made by :func:`checked`.
    """
    return cls in _POST_INITS


def field_checks(cls: type) -> tuple[FieldCheck, ...]:
    """
    Return the per-field checks of a model class made by :func:`checked`.

    Raises:
        KeyError: *cls* is not such a class.
    """
    found = _FIELD_CHECKS.get(cls)
    if found is None:
        if not (attrs.has(cls) and issubclass(cls, Checked)):
            raise KeyError(cls)
        found = _FIELD_CHECKS[cls] = tuple(
            FieldCheck(a.name, _field_check(spec)) for a, spec in _specs(cls)
        )
    return found


def type_hints(cls: type) -> Mapping[str, Any]:
    """
    Return the resolved field types of a class, read once per class.

    Resolving string annotations compiles each of them: the checks, the
    decoder's pre-checks and its writers all read the same ones.
    """
    hints = _TYPE_HINTS.get(cls)
    if hints is None:
        hints = _TYPE_HINTS[cls] = types.MappingProxyType(typing.get_type_hints(cls))
    return hints


def _specs(cls: type) -> list[tuple[attrs.Attribute[Any], _Spec]]:
    hints = type_hints(cls)
    return [
        (a, _spec_for(hints[a.name], a.metadata.get("soapbill", {}))) for a in attrs.fields(cls)
    ]


def _field_check(spec: _Spec) -> Callable[[object], None]:
    ns = _base_namespace()
    body = ["def check(v):", "    t = False"]
    body.extend(f"    {line}" for line in spec.emit_type("v", "''", ns))
    body.extend(f"    {line}" for line in spec.emit_domain("v", "''", ns))
    return _compile(body, ns, "check")


def _install(cls: type) -> Callable[[Any], None]:
    ns = _base_namespace()
    body = ["def __attrs_post_init__(self):", "    t = _TRUSTED.get()"]
    for a, spec in _specs(cls):
        var = f"v_{a.name}"
        path = repr(a.name)
        body.append(f"    {var} = self.{a.name}")
        body.append("    if not t:")
        body.extend(f"        {line}" for line in spec.emit_type(var, path, ns))
        body.extend(f"    {line}" for line in spec.emit_domain(var, path, ns))
    if hasattr(cls, "_check_fields"):
        body.append("    self._check_fields()")
    check = _compile(body, ns, "__attrs_post_init__")
    cls.__attrs_post_init__ = check  # type: ignore[attr-defined]
    return check
