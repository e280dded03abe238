"""
JSON Schema (draft 2020-12) of soapbill's JSON format.

:func:`json_schema` derives the schema of any model class from what the class
already declares: its attrs fields in order, their type annotations and the
constraints in their metadata (lengths, ranges, uniqueness, patterns). Every
nested model, enum and code value gets an entry in ``$defs``; objects forbid
unknown keys; a field is required exactly when it has no default. A top-level
document class (``Claim``, ``SoapNote``, ``Prescription``, ...) also requires
``"format_version": 1`` at its root.

The schema describes what soapbill **writes**, and soapbill reads everything the
schema accepts, with the exceptions listed below. The decoder is a little more
lenient than the schema: it also reads codes in their compact or lower-case
forms (``"m5450"`` for ``"M54.50"``) and writes them back canonical. The schema
accepts only the canonical forms, so a document that passes it is one soapbill
could have written.

What a JSON Schema cannot express, and only the decoder checks:

- an NPI's check digit;
- the cross-field rules of a model (a diagnosis pointer within the claim's
  diagnoses, a replacement's original claim number, an end not before a start);
- the JSON type of whole numbers: JSON Schema counts ``1.0`` as an integer,
  soapbill does not;
- that a date such as ``2026-02-30`` exists, unless the validator asserts
  ``format: date`` (draft 2020-12 makes ``format`` an annotation by default).

>>> from soapbill import Claim
>>> schema = json_schema(Claim)
>>> schema["$schema"]
'https://json-schema.org/draft/2020-12/schema'
>>> schema["properties"]["format_version"]
{'const': 1}
>>> schema["required"][:3]
['format_version', 'id', 'patient']

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import inspect
import re
import typing
from datetime import date
from decimal import Decimal
from typing import Any, Final

import attrs
import cattrs

from soapbill._fields import NO_RULES, Kind, Rules, Shape, fields_of
from soapbill._validators import MONEY_LIMIT
from soapbill.codes._base import CodeValue
from soapbill.codes.cpt import CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.modifiers import Modifier
from soapbill.codes.npi import Npi
from soapbill.codes.pos import PlaceOfService
from soapbill.codes.taxid import TaxId
from soapbill.errors import SoapbillError
from soapbill.formats.json import FORMAT_VERSION, make_converter

__all__ = ["DIALECT", "UnsupportedTypeError", "json_schema"]

#: The JSON Schema dialect of every schema :func:`json_schema` returns.
DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

# Money is a decimal string with at most two places (STYLE.md 3; the decoder's
# pattern ^[0-9]+(\.[0-9]{1,2})?$), below the models' limit of ten billion
# dollars: at most ten digits before the point.
_MONEY_DIGITS: Final = len(str(MONEY_LIMIT)) - 1
_MONEY: Final = {
    "type": "string",
    "pattern": rf"^[0-9]{{1,{_MONEY_DIGITS}}}(\.[0-9]{{1,2}})?$",
    "description": "An amount in US dollars: a decimal string with at most two places.",
}
_DATE: Final = {
    "type": "string",
    "format": "date",
    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "description": "A calendar date, YYYY-MM-DD.",
}

# The canonical forms that the code modules' validate() return, which is what
# soapbill writes: CPT/HCPCS (codes/cpt.py), ICD-10-CM with its dot after the
# third character (codes/icd10.py; the NCI SEER training module "ICD-10-CM code
# structure"), modifiers, NPI (codes/npi.py;
# the check digit is not expressible here), place of service 01-99, tax id: EIN
# NN-NNNNNNN or SSN NNN-NN-NNNN (codes/taxid.py; the SSA's assignment rules are
# not expressed here).
_CODE_PATTERNS: Final[dict[type[CodeValue], str]] = {
    CptCode: r"^([0-9]{4}[0-9AFMTU]|[A-Z][0-9]{4})$",
    DiagnosisCode: r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$",
    Modifier: r"^[A-Z0-9]{2}$",
    Npi: r"^[12][0-9]{9}$",
    PlaceOfService: r"^(0[1-9]|[1-9][0-9])$",
    TaxId: r"^([0-9]{2}-[0-9]{7}|[0-9]{3}-[0-9]{2}-[0-9]{4})$",
}

_ROLE: Final = re.compile(r":[a-z:]+:`([^`]+)`")
_LITERAL: Final = re.compile(r"``([^`]+)``")
_ATTRIBUTE: Final = re.compile(r"(\w+): (.*)")


class UnsupportedTypeError(SoapbillError, TypeError):
    """
    The class is not a model, or a field has a type the schema cannot describe.

    .. versionadded:: 0.1.0
    """


def json_schema(cls: type) -> dict[str, Any]:
    """
    Return the JSON Schema (draft 2020-12) of the JSON form of model class *cls*.

    The result is plain JSON data (dicts, lists, strings, numbers, booleans),
    built in a fixed order: ``json.dumps(json_schema(cls))`` gives the same
    text every time.

    Args:
        cls: A soapbill model class, such as :class:`~soapbill.Claim`.

    Returns:
        The schema, with the root class described at the top level and every
        other named type under ``$defs``.

    Raises:
        UnsupportedTypeError: *cls* is not an attrs model class, or one of
            the types it reaches cannot be described.

    .. versionadded:: 0.1.0
    """
    if not _is_model(cls):
        raise UnsupportedTypeError("expected an attrs model class")
    builder = _Builder()
    root = builder.object_schema(cls)
    if getattr(cls, "__soapbill_document__", False):
        root["properties"] = {"format_version": {"const": FORMAT_VERSION}, **root["properties"]}
        root["required"] = ["format_version", *root["required"]]
    schema: dict[str, Any] = {"$schema": DIALECT, **root}
    if builder.defs:
        schema["$defs"] = {name: builder.defs[name] for name in sorted(builder.defs)}
    return schema


class _Builder:
    """
    Collects the ``$defs`` while it walks the types reachable from one class.
    """

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}
        self.converter = make_converter()
        self._names: dict[object, str] = {}

    def ref(
        self, key: object, name: str, build: typing.Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """
        Return a ``$ref`` to the definition of *key*, building it on first use.
        """
        if key not in self._names:
            taken = set(self._names.values())
            unique = name
            if unique in taken:
                module = getattr(key, "__module__", "")
                unique = f"{module}.{name}"
            self._names[key] = unique
            self.defs[unique] = {}  # reserved first, so recursion terminates
            self.defs[unique] = build()
        return {"$ref": f"#/$defs/{self._names[key]}"}

    def object_schema(self, cls: type) -> dict[str, Any]:
        """
        Return the schema of the JSON object of attrs class *cls*.
        """
        try:
            fields = fields_of(cls)
        except NameError:  # pragma: no cover - a model whose annotations do not resolve
            raise UnsupportedTypeError("the annotations of a model do not resolve") from None
        notes = _attribute_notes(cls)
        properties: dict[str, Any] = {}
        required = []
        for field in fields:
            try:
                prop = self.type_schema(field.kind, field.rules)
            except UnsupportedTypeError:
                raise UnsupportedTypeError(
                    f"field {cls.__name__}.{field.name} has a type JSON Schema cannot describe"
                ) from None
            if field.name in notes:
                prop = {**prop, "description": notes[field.name]}
            if field.required:
                required.append(field.name)
            else:
                default = _default(field.attribute.default, field.kind.type, self.converter)
                prop = {**prop, "default": default}
            properties[field.name] = prop
        schema: dict[str, Any] = {"type": "object"}
        summary = _summary(cls)
        if summary:
            schema["description"] = summary
        schema["properties"] = properties
        schema["required"] = required
        schema["additionalProperties"] = False
        return schema

    def type_schema(self, kind: Kind, rules: Rules) -> dict[str, Any]:  # noqa: PLR0911 - one return per shape
        """
        Return the schema of a value of *kind* with the constraints *rules*.
        """
        tp = kind.type
        shape = kind.shape
        if shape is Shape.OPTIONAL:
            return {"anyOf": [self.type_schema(kind.inner, rules), {"type": "null"}]}
        if shape is Shape.TUPLE:
            return self._array(kind.inner, rules)
        if shape in _SCALARS:
            return _SCALARS[shape](rules)
        if shape is Shape.MONEY:
            return self.ref(Decimal, "Money", lambda: dict(_MONEY))
        if shape is Shape.DATE:
            return self.ref(date, "Date", lambda: dict(_DATE))
        if shape is Shape.ENUM:
            return self.ref(tp, tp.__name__, lambda: _enum(tp))
        if shape is Shape.CODE:
            return self.ref(tp, tp.__name__, lambda: _code(tp))
        if shape is Shape.MODEL:
            return self.ref(tp, tp.__name__, lambda: self.object_schema(tp))
        if typing.get_origin(tp) is typing.Literal:
            return {"enum": list(typing.get_args(tp))}
        raise UnsupportedTypeError("unsupported field type")

    def _array(self, item: Kind, rules: Rules) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.type_schema(item, NO_RULES)}
        if rules.min_len is not None:
            schema["minItems"] = rules.min_len
        if rules.max_len is not None:
            schema["maxItems"] = rules.max_len
        if rules.unique:
            schema["uniqueItems"] = True
        return schema


def _string(rules: Rules) -> dict[str, Any]:
    # A str field without min_len must not be empty (soapbill._fields.rules).
    schema: dict[str, Any] = {"type": "string"}
    if rules.min_len is None or rules.min_len > 0:
        schema["minLength"] = 1 if rules.min_len is None else rules.min_len
    if rules.max_len is not None:
        schema["maxLength"] = rules.max_len
    if rules.pattern is not None:
        # The models match the whole string (re.fullmatch); JSON Schema searches.
        schema["pattern"] = f"^(?:{rules.pattern})$"
    return schema


def _integer(rules: Rules) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    if rules.ge is not None:
        schema["minimum"] = rules.ge
    if rules.le is not None:
        schema["maximum"] = rules.le
    return schema


def _boolean(_rules: Rules) -> dict[str, Any]:
    return {"type": "boolean"}


_SCALARS: Final = {Shape.STR: _string, Shape.INT: _integer, Shape.BOOL: _boolean}


def _enum(cls: type[enum.Enum]) -> dict[str, Any]:
    values = [member.value for member in cls]
    schema: dict[str, Any] = {}
    if all(isinstance(v, str) for v in values):
        schema["type"] = "string"
    summary = _summary(cls)
    if summary:
        schema["description"] = summary
    schema["enum"] = values
    return schema


def _code(cls: type[CodeValue]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    summary = _summary(cls)
    if summary:
        schema["description"] = summary
    pattern = _CODE_PATTERNS.get(cls)
    if pattern is None:
        schema["minLength"] = 1
    else:
        schema["pattern"] = pattern
    return schema


def _is_model(cls: object) -> bool:
    return isinstance(cls, type) and attrs.has(cls)


def _default(default: object, tp: object, converter: cattrs.Converter) -> object:
    """
    The JSON form of a field's default value, as the JSON format writes it.
    """
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        factory: Any = default
        if factory.takes_self:
            raise UnsupportedTypeError("a default that depends on the object")
        default = factory.factory()
    return converter.unstructure(default, unstructure_as=tp)


def _plain(text: str) -> str:
    """
    Strip reStructuredText markup from a docstring fragment.
    """
    return _LITERAL.sub(r"\1", _ROLE.sub(_role_title, text))


def _role_title(match: re.Match[str]) -> str:
    # :attr:`Title <target>` shows Title, :class:`~a.b.C` shows C, :attr:`a.b` shows a.b.
    target = match.group(1)
    if target.endswith(">") and " <" in target:
        return target.split(" <", 1)[0]
    if target.startswith("~"):
        return target.rsplit(".", 1)[-1]
    return target


def _own_doc(cls: type) -> str:
    """
    The docstring a class declares itself, not one it inherits.
    """
    doc = vars(cls).get("__doc__")
    if not doc or any(doc == getattr(base, "__doc__", None) for base in cls.__mro__[1:]):
        return ""
    return inspect.cleandoc(doc)


def _summary(cls: type) -> str:
    """
    The first paragraph of the class docstring, as one line.
    """
    doc = _own_doc(cls)
    if not doc:
        return ""
    first = doc.split("\n\n", 1)[0]
    return _plain(" ".join(first.split()))


def _attribute_notes(cls: type) -> dict[str, str]:
    """
    The descriptions of the ``Attributes:`` section of a Google-style docstring.
    """
    lines = _own_doc(cls).splitlines()
    notes: dict[str, list[str]] = {}
    try:
        start = lines.index("Attributes:") + 1
    except ValueError:
        return {}
    current: list[str] | None = None
    for line in lines[start:]:
        indent = len(line) - len(line.lstrip())
        match = _ATTRIBUTE.fullmatch(line.strip())
        if indent == 4 and match:  # noqa: PLR2004 - one Google-style indent
            current = notes.setdefault(match.group(1), [])
            current.append(match.group(2))
        elif indent > 4 and current is not None and line.strip():  # noqa: PLR2004
            current.append(line.strip())
        else:
            break
    return {name: _plain(" ".join(parts)) for name, parts in notes.items()}
