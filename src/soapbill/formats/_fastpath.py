r"""
The fast decoder: msgspec builds the objects, after a generated pre-check.

:func:`decode` builds a model class from parsed JSON (or from a
:func:`~soapbill.formats.json.from_dict` caller's data) through
:func:`msgspec.convert`, which builds attrs objects in C without calling
``__init__`` (it sets the fields, then calls ``__attrs_post_init__``, the
model's generated check). It returns ``None`` whenever anything is wrong, and
the caller then structures the same data with the one strict cattrs converter
(:mod:`soapbill.formats._converter`), which lists every problem. The fast path
never reports an error itself. Measured on the benchmark claim, it decodes
five times as fast as the cattrs path alone (46 us against 237 us).

The trusted decode
==================

While :func:`msgspec.convert` runs, :data:`soapbill._validators.TRUSTED` is
set and the models' generated checks skip their *type* part (every domain
check still runs: lengths, ranges, patterns, uniqueness, the money limit, the
cross-field rules). That is sound because, before the switch is set, every
such type has been settled by msgspec or by the pre-check below:

- exact types of ``str``, ``int``, ``bool``, dates, enums, tuples and nested
  objects: msgspec, strictly (no coercion; a ``bool`` is no ``int``; a date
  only from ``YYYY-MM-DD``); code values: the ``dec_hook`` below builds them
  with their own validation, which refuses anything but a string;
- what msgspec does not check for attrs classes, the pre-check generated per
  root class (:class:`_PrecheckWriter`): every object has no key beyond its
  fields (the key count, or a subset test where fields have defaults); every
  amount of money is a string matching ``[0-9]+(\.[0-9]{1,2})?``, so it is
  finite, not negative and has at most two places (the models' check skips
  those three tests under the switch and keeps the limit); a document's
  ``format_version`` is the one this release reads;
- from Python data (``from_dict``), where msgspec would also take subclasses
  and ready-made objects: the pre-check tests the exact class of every leaf,
  and refuses a string holding a surrogate (msgspec refuses one in JSON text
  itself), which the models' type check would otherwise refuse.

The switch is a ``ContextVar``, set only around the one call and reset in a
``finally``: other threads and tasks build objects with every check. A class
whose fields msgspec would build differently from ``__init__`` (converters,
``init=False`` fields, aliases), or holding a type the pre-check does not know
(``float``, a union of two classes, an enum of mixed values), gets no plan:
the cattrs path decodes it. The test suite holds the two paths to the same
answer on generated documents (tests/test_formats_json.py).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from typing import Any, Final, TypeVar

import attrs
import msgspec

from soapbill._codegen import compile_source
from soapbill._fields import Kind, Shape, fields_of, is_document
from soapbill._validators import TRUSTED, generate, has_surrogate, is_model
from soapbill.formats._format import (
    FORMAT_VERSION,
    MAX_DEPTH,
    MONEY_TEXT,
    VERSION_KEY,
    deeper_than,
    enum_value_type,
)

__all__ = ["CODE_MEMO_SIZE", "decode"]

T = TypeVar("T")

#: How many built code values the decoder keeps. A practice bills a few hundred
#: procedure and diagnosis codes and a few NPIs; the memo holds them all.
CODE_MEMO_SIZE: Final = 4096


def _build_code(tp: type, text: str) -> object:
    """
    Build code value class *tp* from *text*, or return the one built before.

    A bounded memo, like :mod:`re`'s cache of patterns, and as safe to share:
    code values are immutable and compare by value, and ``lru_cache`` is
    thread-safe. A document repeats its codes (a modifier on every line, one
    NPI in two places) and so do a practice's documents; validating a code
    (an NPI's check digit, the shape of a diagnosis) is the costliest part of
    building one. Measured on the benchmark claim (21 codes): decode 71 us
    without the memo, 47 us with it, against 49 us for the pydantic mirror.

    It is msgspec's ``dec_hook`` itself: msgspec calls it for the only types a
    plan lets through that it does not know, the code values, with whatever
    JSON value it found. A value that is not a string fails as msgspec needs:
    a list or an object is unhashable (``TypeError``), and every code module
    refuses any other non-string with a ``ValidationError``, which is a
    ``ValueError`` (the junk sweep of tests/test_codes.py); msgspec turns
    either into its own ``ValidationError``. Calling it directly, rather than
    through a Python function that first checks for a string, saves 2.5 us of
    the 47 us.
    """
    return tp(text)


# Typed as msgspec's dec_hook: lru_cache's wrapper is typed to take Hashable
# arguments only, and takes any (an unhashable one raises TypeError).
_code = typing.cast(
    "Callable[[type[Any], Any], Any]",
    functools.lru_cache(maxsize=CODE_MEMO_SIZE)(_build_code),
)


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
        python_check: The pre-check for data handed to ``from_dict``, which
            may hold any Python object: it also checks every leaf's exact type.
        recursive: Whether a class it holds contains itself, so that its
            documents may nest without bound.
    """

    __slots__ = ("json_check", "python_check", "recursive")

    def __init__(
        self,
        json_check: Callable[[object], bool],
        python_check: Callable[[object], bool],
        *,
        recursive: bool,
    ) -> None:
        self.json_check = json_check
        self.python_check = python_check
        self.recursive = recursive


_MISSING: Final = object()


def _indent(lines: list[str]) -> list[str]:
    return [f"    {line}" for line in lines]


class _PrecheckWriter:
    """
    Writes the pre-check function of a root class.

    The check returns ``False`` as soon as the data breaks a rule msgspec does
    not enforce for attrs classes; msgspec then checks the rest. The checks of
    contained classes are written inline, saving a call per object; only a
    class that contains itself gets a function of its own.
    """

    def __init__(self, *, python: bool) -> None:
        self.python = python
        self.namespace: dict[str, Any] = {
            "_money": MONEY_TEXT,
            "_M": _MISSING,
            "_surrogate": has_surrogate,
        }
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
        functions = {"_root": self.object_lines(root, "o", document=is_document(root))}
        while self.pending:
            cls = self.pending.pop()
            functions[self.names[cls]] = self.object_lines(cls, "o", document=False)
        source = "".join(
            "\n".join([f"def {name}(o):", *_indent(body), "    return True\n"])
            for name, body in functions.items()
        )
        what = "python pre-check" if self.python else "json pre-check"
        compile_source(source, what, root, self.namespace)
        check: Callable[[object], bool] = self.namespace["_root"]
        return check

    def object_lines(self, cls: type, var: str, *, document: bool) -> list[str]:
        """
        Return lines that return ``False`` unless *var* is a fitting object.
        """
        fields = fields_of(cls)
        keys = [field.name for field in fields] + ([VERSION_KEY] if document else [])
        lines = [f"if {var}.__class__ is not dict: return False"]
        if all(field.required for field in fields):
            # msgspec checks that required keys are present: the right count
            # then means no unknown key.
            lines.append(f"if len({var}) != {len(keys)}: return False")
        else:
            allowed = f"_keys{len(self.namespace)}"
            self.namespace[allowed] = frozenset(keys)
            lines.append(f"if not {allowed}.issuperset({var}): return False")
        if document:
            lines += [
                f"if {var}.get({VERSION_KEY!r}).__class__ is not int: return False",
                f"if {var}[{VERSION_KEY!r}] != {FORMAT_VERSION}: return False",
            ]
        self.inlining.append(cls)
        for field in fields:
            a = field.attribute
            if not a.init or a.converter is not None or a.alias != a.name:
                msg = "a field msgspec would build differently from __init__"
                raise _UnsupportedError(msg)
            value = self.var("v")
            body = self.value_lines(field.kind, value)
            if not body:
                continue
            if field.required:
                lines += [f"{value} = {var}.get({a.name!r})", *body]
            else:
                lines += [
                    f"{value} = {var}.get({a.name!r}, _M)",
                    f"if {value} is not _M:",
                    *_indent(body),
                ]
        self.inlining.pop()
        return lines

    def value_lines(self, kind: Kind, var: str) -> list[str]:
        """
        Return lines that return ``False`` unless *var* fits *kind*.
        """
        shape = kind.shape
        if shape is Shape.OPTIONAL:
            body = self.value_lines(kind.inner, var)
            return [f"if {var} is not None:", *_indent(body)] if body else []
        if shape is Shape.TUPLE:
            item = self.var("x")
            body = self.value_lines(kind.inner, item)
            lines = [f"if {var}.__class__ is not list: return False"]
            if body:
                lines += [f"for {item} in {var}:", *_indent(body)]
            # From JSON, msgspec refuses anything but an array by itself.
            return lines if body or self.python else []
        if shape is Shape.MONEY:
            return [f"if {var}.__class__ is not str or _money({var}) is None: return False"]
        if shape is Shape.MODEL:
            if kind.type in self.inlining:
                return [f"if not {self.function_for(kind.type)}({var}): return False"]
            return self.object_lines(kind.type, var, document=False)
        return self.leaf_lines(kind, var)

    def leaf_lines(self, kind: Kind, var: str) -> list[str]:
        """
        Return lines that return ``False`` unless *var* is a fitting JSON scalar.
        """
        # From JSON these hold only JSON types, whose exact checks msgspec makes;
        # from Python data, msgspec would also take subclasses and ready objects.
        exact = json_class(kind)
        if not self.python:
            return []
        lines = [f"if {var}.__class__ is not {exact.__name__}: return False"]
        if exact is str:
            # msgspec refuses a surrogate in JSON text, but takes one in a str
            # of Python data as a str field's value (see the module docstring).
            lines.append(f"if not {var}.isascii() and _surrogate({var}): return False")
        return lines


def json_class(kind: Kind) -> type:
    """
    Return the class of the JSON value of a leaf of *kind*.

    Raises:
        _UnsupportedError: The fast path does not handle *kind*.
    """
    if kind.shape in (Shape.STR, Shape.INT, Shape.BOOL):
        return typing.cast("type", kind.type)
    if kind.shape in (Shape.DATE, Shape.CODE):
        return str
    if kind.shape is Shape.ENUM:
        value_type = enum_value_type(kind.type)
        if value_type is not None:
            return value_type
    msg = "a type the fast path does not handle"
    raise _UnsupportedError(msg)


def _models(root: type) -> set[type]:
    """
    Return the attrs classes *root* holds at any depth, *root* included.
    """
    seen: set[type] = set()
    todo = [root]
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.add(cls)
            leaves = (field.kind.leaf for field in fields_of(cls))
            todo.extend(kind.type for kind in leaves if kind.shape is Shape.MODEL)
    return seen


def _build_plan(cls: type) -> _Plan | None:
    if not attrs.has(cls):
        return None
    try:
        # Every check a document of cls may need, generated now: later
        # documents then compile nothing, whichever classes they hold.
        for model in _models(cls):
            if is_model(model):
                generate(model)
        msgspec.inspect.type_info(cls)
        json_writer = _PrecheckWriter(python=False)
        return _Plan(
            json_check=json_writer.write(cls),
            python_check=_PrecheckWriter(python=True).write(cls),
            # A class that contains itself has a check function of its own.
            recursive=bool(json_writer.names),
        )
    except (_UnsupportedError, TypeError):
        return None


# One plan per root class, built on first use; None means the cattrs path only.
_PLANS: dict[type, _Plan | None] = {}


def plan(cls: type) -> _Plan | None:
    """
    Return the fast path's plan for root class *cls*, or ``None`` if it has none.
    """
    try:
        return _PLANS[cls]
    except KeyError:
        found = _PLANS[cls] = _build_plan(cls)
        return found


def decode(data: object, cls: type[T], *, python: bool) -> T | None:
    """
    Build *cls* from *data* through msgspec, or return ``None`` if that fails.

    Args:
        data: Parsed JSON (``python=False``) or any Python data.
        cls: The class to build.
        python: Whether *data* may hold objects JSON cannot produce.
    """
    found = plan(cls)
    if found is None:
        return None
    # The checks of a class that contains itself recurse, as deep as the data.
    if found.recursive and deeper_than(data, MAX_DEPTH):
        return None
    check = found.python_check if python else found.json_check
    if not check(data):
        return None
    token = TRUSTED.set(True)
    try:
        return msgspec.convert(data, cls, dec_hook=_code)
    except (msgspec.ValidationError, UnicodeEncodeError):
        # msgspec reads the strings of Python data (keys, enum values, dates)
        # as UTF-8, which a surrogate fails: the cattrs path explains.
        return None
    finally:
        TRUSTED.reset(token)
