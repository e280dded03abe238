"""
The x12sdk oracle for 270 and 271 files: every file is read into its models before a test trusts it.

:func:`x12sdk_models` reads X12 text with x12sdk 2.2.0's ``X12ModelReader``
into its ``005010X279A1`` models (its pydantic validators run) and returns
them, or fails the test with x12sdk's complaint. x12sdk 2.2.0 has faults
against the guide; :func:`fix_x12sdk` works around them, before the first
read, by widening the fields they wrongly narrow (and nothing else):

- ``EB09``, the quantity qualifier (``VS`` visits, ``99`` quantity used), is
  typed as a decimal; it is the code list x12sdk itself defines beside it
  (``EbSegment.QuantityQualifier``).
- An empty ``EB03`` before later elements (``EB*C*IND****23*500``) is split
  into one empty service type, which no code list holds: empty repeats are
  dropped before the check.
- ``DMG03`` lists only ``F`` and ``M``; the guide also allows ``U`` (unknown).
- ``EB03``'s list lacks five service types of x12sdk's own ``EQ01`` list
  (``95``, ``A0``, ``A8``, ``CI``, ``CJ``): both elements take data element
  1365, so ``EB03`` gets the ``EQ01`` list.
- ``EB09`` and ``EB10`` go together, and its check takes a quantity of 0 (a
  ``Decimal`` zero is false) for no quantity: "0 visits remaining" is refused.
  The check is replaced by one that tests for absence.
- The ``AAA03`` reject reasons of the subscriber and dependent name loops
  (2100C, 2100D) are the receiver's list (2100B); the guide's list (``15``,
  ``42``-``78`` ..., as pyx12's map of the 4010 guide also has it) holds the
  reasons a payer gives for a member, such as ``72`` (invalid member id),
  ``58`` (invalid birth date) and ``75`` (unknown member).

The benchmark applies the same fixes to time x12sdk on the same text.
"""

from __future__ import annotations

import dataclasses
import functools
from enum import Enum
from typing import Any, Literal, Optional

import pytest
from pydantic import BeforeValidator

__all__ = ["MEMBER_REJECT_REASONS", "fix_x12sdk", "x12sdk_models"]

#: The reject reasons of loops 2100C and 2100D: pyx12's 4010 map of the guide
#: (``271.4010.X092.A1.xml``), which 005010X279A1 keeps.
MEMBER_REJECT_REASONS = (
    "15", "42", "43", "45", "47", "48", "49", "51", "52", "56", "57", "58", "60", "61", "62",
    "63", "64", "65", "66", "67", "68", "71", "72", "73", "74", "75", "76", "77", "78",
)  # fmt: skip


@functools.cache
def fix_x12sdk() -> None:
    """
    Widen the x12sdk 2.2.0 fields that refuse what the guide allows; see the module's docstring.
    """
    from x12sdk.v5010 import segments  # noqa: PLC0415 - test dependency, loaded on use
    from x12sdk.v5010.x12_270_005010X279A1 import loops as inquiry_loops  # noqa: PLC0415
    from x12sdk.v5010.x12_270_005010X279A1 import transaction_set as inquiry  # noqa: PLC0415
    from x12sdk.v5010.x12_271_005010X279A1 import loops as response_loops  # noqa: PLC0415
    from x12sdk.v5010.x12_271_005010X279A1 import segments as response  # noqa: PLC0415
    from x12sdk.v5010.x12_271_005010X279A1 import transaction_set as answer  # noqa: PLC0415

    eb, dmg = segments.EbSegment, segments.DmgSegment
    validators = eb.__pydantic_decorators__.model_validators
    validators["validate_quantity"] = _calling(validators["validate_quantity"], _quantity_pair)
    service_types = list(response.Loop2110EqSegment.ServiceTypeCode)
    _widen(eb, "quantity_qualifier", Optional[eb.QuantityQualifier])  # noqa: UP045 - pydantic field
    _widen(eb, "service_type_code", Optional[list[Literal[tuple(s.value for s in service_types)]]])  # type: ignore[misc]  # noqa: UP045
    eb.model_fields["service_type_code"].metadata.append(BeforeValidator(_no_empty_repeats))
    eb.model_rebuild(force=True)
    _widen(dmg, "gender_code", Optional[Literal["F", "M", "U"]])  # noqa: UP045
    reasons = Enum(  # type: ignore[misc]
        "RejectReasonCode", {f"R{code}": code for code in MEMBER_REJECT_REASONS}, type=str
    )
    member_aaa = type(
        "MemberAaaSegment",
        (response.Loop2100BAaaSegment,),
        {"__annotations__": {"reject_reason_code": reasons}},
    )
    for loop in (response_loops.Loop2100C, response_loops.Loop2100D):
        _widen(loop, "aaa_segment", Optional[list[member_aaa]])  # type: ignore[valid-type]  # noqa: UP045
    # Rebuild every model that holds the widened ones, innermost first.
    for module in (response_loops, inquiry_loops):
        for name in (
            "Loop2110C", "Loop2110D", "Loop2100C", "Loop2100D", "Loop2000D", "Loop2000C",
            "Loop2000B", "Loop2000A",
        ):  # fmt: skip
            getattr(module, name).model_rebuild(force=True)
    answer.EligibilityBenefit.model_rebuild(force=True)
    inquiry.EligibilityInquiry.model_rebuild(force=True)


def _calling(decorator: Any, func: Any) -> Any:
    """
    A copy of pydantic's record of a validator, calling *func* instead.
    """
    return dataclasses.replace(decorator, func=func)


def _quantity_pair(self: Any) -> Any:
    # EB09 and EB10 go together; a quantity of 0 is a quantity.
    if (self.quantity_qualifier is None) != (self.quantity is None):
        msg = "Quantity requires the quantity identifier and value."
        raise ValueError(msg)
    return self


def _no_empty_repeats(value: object) -> object:
    if isinstance(value, list):
        return [item for item in value if item] or None
    return value


def _widen(model: Any, field: str, annotation: object) -> None:
    model.model_fields[field].annotation = annotation
    model.model_rebuild(force=True)


def x12sdk_models(text: str) -> list[Any]:
    """
    The x12sdk models of every transaction set of *text*; fail the test when x12sdk refuses it.
    """
    from x12sdk.io import X12ModelReader  # noqa: PLC0415 - test dependency, loaded on use

    fix_x12sdk()
    try:
        with X12ModelReader(text) as reader:
            models = list(reader.models())
    except Exception as error:  # noqa: BLE001 - any refusal fails the test, with its reason
        pytest.fail(f"x12sdk refuses the file: {error}")
    if not models:
        pytest.fail("x12sdk read no transaction set")
    return models
