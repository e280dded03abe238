"""
The exceptions soapbill raises.

Every exception soapbill raises on purpose is a :class:`SoapbillError`. Invalid
input raises a :class:`ValidationError`, which is also a :class:`ValueError`
and lists every problem it found as an :class:`ErrorDetail`: the path of the
field, a stable machine-readable code and a fixed message.

Messages never contain the offending value. A claim is full of patient data
(names, birth dates, member ids, note text) and error messages end up in logs,
so an error says *where* and *what kind of* problem, never *what* was there.

>>> from soapbill import CptCode
>>> try:
...     CptCode("9712")
... except ValidationError as e:
...     print(e.errors[0].code)
invalid_format

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "ErrorDetail",
    "InvalidChecksumError",
    "InvalidFormatError",
    "SoapbillError",
    "ValidationError",
]


class SoapbillError(Exception):
    """
    The base of every exception soapbill raises on purpose.

    .. versionadded:: 0.1.0
    """


@attrs.frozen(kw_only=True)
class ErrorDetail:
    """
    One problem with one value.

    Attributes:
        path: Where the problem is, as a dotted path with list indices, such as
            ``"lines[2].units"``; ``""`` means the value itself.
        code: A stable code a program can branch on, such as ``"invalid_type"``
            or ``"bad_checksum"``.
        message: A fixed, human-readable sentence without the offending value.

    .. versionadded:: 0.1.0
    """

    path: str
    code: str
    message: str

    def prefixed(self, prefix: str) -> ErrorDetail:
        """
        Return this detail with *prefix* put in front of its path.

        A prefix that starts with ``[`` (a list index) is joined without a dot.
        """
        if not prefix:
            return self
        if not self.path:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        return ErrorDetail(path=path, code=self.code, message=self.message)

    def __str__(self) -> str:
        return f"{self.path or '<value>'}: {self.message} [{self.code}]"


class ValidationError(SoapbillError, ValueError):
    """
    One or more invalid values.

    Constructing a model in Python raises at the first invalid field; decoding a
    whole document (:func:`soapbill.from_dict`, :func:`soapbill.from_json`)
    reports every problem of the document at once.

    Attributes:
        errors: Every problem found, in document order.

    Raises:
        ValidationError: *errors* is not a non-empty iterable of
            :class:`ErrorDetail` (raised by the constructor).

    .. versionadded:: 0.1.0
    """

    errors: tuple[ErrorDetail, ...]

    def __init__(self, errors: Iterable[ErrorDetail]) -> None:
        given: object = errors
        if isinstance(given, str | bytes) or not isinstance(given, Iterable):
            raise ValidationError.single(
                "errors", "invalid_type", "expected an iterable of ErrorDetail"
            )
        self.errors = tuple(given)
        if not self.errors:
            raise ValidationError.single(
                "errors", "too_short", "a ValidationError needs at least one ErrorDetail"
            )
        for i, detail in enumerate(self.errors):
            if not isinstance(detail, ErrorDetail):
                raise ValidationError.single(
                    f"errors[{i}]", "invalid_type", "expected an ErrorDetail"
                )
        super().__init__(self._summary())

    def _summary(self) -> str:
        if len(self.errors) == 1:
            return str(self.errors[0])
        lines = [f"{len(self.errors)} validation errors:"]
        lines.extend(f"  {detail}" for detail in self.errors)
        return "\n".join(lines)

    @classmethod
    def single(cls, path: str, code: str, message: str) -> ValidationError:
        """
        Build an error with one :class:`ErrorDetail`.
        """
        return cls((ErrorDetail(path=path, code=code, message=message),))

    def prefixed(self, prefix: str) -> ValidationError:
        """
        Return an error of the same class whose paths start with *prefix*.
        """
        return type(self)(detail.prefixed(prefix) for detail in self.errors)

    def __reduce__(self) -> tuple[type[ValidationError], tuple[tuple[ErrorDetail, ...]]]:
        # Exceptions pickle through their args; ours are built from details.
        return (type(self), (self.errors,))


class InvalidFormatError(ValidationError):
    """
    A code value does not have the shape its code system prescribes.

    .. versionadded:: 0.1.0
    """


class InvalidChecksumError(ValidationError):
    """
    A code value's check digit does not match (an NPI, for example).

    .. versionadded:: 0.1.0
    """
