"""
The one decorator of soapbill's models.

>>> from soapbill._fields import rules
>>> @model
... class Visit:
...     minutes: int = attrs.field(metadata=rules(ge=1))
>>> Visit(minutes=30)
Visit(minutes=30)
>>> Visit(minutes=0)
Traceback (most recent call last):
...
soapbill.errors.ValidationError: minutes: must be at least 1 [too_small]

``@model`` makes a frozen, slotted, keyword-only attrs class
(``attrs.frozen(kw_only=True)``) whose ``__attrs_post_init__`` checks every
field as its description says (:mod:`soapbill._fields`,
:mod:`soapbill._validators`), then calls ``_check_fields`` if the class has
one. Pretty printers (IPython's, Hypothesis's in a failing test's report)
print a model by its ``repr``, which redacts patient data; their own
field-by-field printing of attrs classes would not.

The checks are generated on the first construction of each class, not at
import: a program uses few of soapbill's classes, and generating the checks
when the class is decorated costs about 0.6 ms a class (measured in fresh
processes: ``from soapbill import Claim`` takes 55 ms instead of 49 ms, and
with :mod:`soapbill.soap` and :mod:`soapbill.prescriptions` 78 ms instead of
65 ms). The function that attrs' ``__init__`` calls is the same one from the
class's creation on (see :mod:`soapbill._validators`), so a decoder that keeps
it (msgspec does) keeps the real checks.

Type checkers see attrs' own ``attrs.frozen`` here, so ``attrs.fields`` and
``attrs.evolve`` type-check on models; the project's mypy plugin
(``tests/mypy_plugin.py``) adds what only the spelling ``@model`` says, that
the arguments are keyword-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from soapbill import _validators

__all__ = ["model"]

T = TypeVar("T")


def _repr_pretty_(self: object, printer: Any, cycle: bool) -> None:  # noqa: ANN401, ARG001, FBT001 - IPython's protocol
    printer.text(repr(self))


def _model(cls: type[T]) -> type[T]:
    """
    Make *cls* a soapbill model: see the module's docstring.

    Raises:
        TypeError: *cls* defines ``__attrs_post_init__``; cross-field rules go
            in ``_check_fields``.
    """
    if "__attrs_post_init__" in vars(cls):
        msg = "a model puts its cross-field rules in _check_fields, not __attrs_post_init__"
        raise TypeError(msg)
    check = _validators.new_check()
    # Set before attrs builds the class: its __init__ then calls the check.
    body: Any = cls
    body.__attrs_post_init__ = check
    if "_repr_pretty_" not in vars(cls):
        body._repr_pretty_ = _repr_pretty_
    built = attrs.frozen(kw_only=True)(cls)
    _validators.install(built, check)
    return built


if TYPE_CHECKING:
    from attrs import frozen as model
else:
    model = _model
