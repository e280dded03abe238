"""
Remittance fixtures for the tests, each judged by pyx12 before a reader sees it.

:func:`validated` runs pyx12 on an 835, a 999 or a 277CA the way
``x12_support`` runs it on 837P files (same parameters, maps loaded once) and
returns the text, or fails the test with pyx12's messages. :func:`seed_835`
pays the seed story's claim as :data:`SEED_DECISION` says.
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
import pyx12.map_if
import pyx12.x12n_document
from hypothesis import strategies as st

import x12_support
from seed_story import seed_story
from soapbill import Claim
from soapbill import _remit_writer as w
from soapbill.remittance import Adjustment, AdjustmentGroup, ClaimStatus

__all__ = [
    "CREATED",
    "SEED_DECISION",
    "accepting_277ca",
    "adj",
    "pyx12_problems",
    "recount",
    "seed_835",
    "seed_claim",
    "unique_claims",
    "validated",
]

#: When the test remittances are written.
CREATED = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def pyx12_problems(text: str) -> list[str]:
    """
    pyx12's complaints about *text*; empty when it accepts it.

    pyx12 answers an 835 or a 999 with an acknowledgement it cannot always
    build (its 999 writer needs an ST03, which the 835 does not carry); the
    validation itself is its return value and its error messages.
    """
    ack, errors = io.StringIO(), io.StringIO()
    # pyx12 logs a traceback when it cannot build its own 999 for an 835.
    disabled = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with mock.patch.object(pyx12.map_if, "load_map_file", x12_support._load_map):
            ok = pyx12.x12n_document.x12n_document(
                x12_support._PARAMS, io.StringIO(text), ack, None, None, errors
            )
    finally:
        logging.disable(disabled)
    problems = x12_support._pyx12_messages(errors.getvalue())
    if not ok and not problems:
        problems = ["pyx12 refused the file without a message"]
    if "AK9*" in ack.getvalue() and "AK9*A*" not in ack.getvalue():
        problems.append("pyx12's acknowledgement rejects the file: " + ack.getvalue())
    return problems


def validated(text: str) -> str:
    """
    *text*, once pyx12 has accepted it; fail the test otherwise.
    """
    problems = pyx12_problems(text)
    if problems:
        pytest.fail("pyx12 rejects the file:\n" + "\n".join(problems))
    return text


def unique_claims(*, max_claims: int = 3, max_lines: int = 3) -> st.SearchStrategy[list[Claim]]:
    """
    Claims an 837P (and so an 835) can carry, with unique ids.
    """
    return x12_support.batches(max_claims=max_claims, max_lines=max_lines).map(
        x12_support.unique_ids
    )


def adj(group: AdjustmentGroup, reason: str, amount: str) -> Adjustment:
    """
    An adjustment of *amount* (dollars as text) in *group* for *reason*.
    """
    return Adjustment(group=group, reason=reason, amount=Decimal(amount))


def seed_claim() -> Claim:
    """
    The seed story's claim, the one its remittances pay.
    """
    return seed_story()[4]


#: The seed story's claim paid in part: 97010 bundled into the massage (CO-97),
#: the contracted rate below the charge (CO-45), $100 of deductible (PR-1).
SEED_DECISION = w.ClaimDecision(
    payer_claim_number="EXHP26070001",
    lines=(
        w.LineDecision(adjustments=(adj(AdjustmentGroup.CO, "97", "10.00"),), remarks=("M15",)),
        w.LineDecision(
            adjustments=(
                adj(AdjustmentGroup.CO, "45", "15.00"),
                adj(AdjustmentGroup.PR, "1", "75.00"),
            )
        ),
        w.LineDecision(adjustments=(adj(AdjustmentGroup.PR, "1", "25.00"),)),
    ),
)


def seed_835(decision: w.ClaimDecision = SEED_DECISION, **kwargs: object) -> str:
    """
    An 835 paying the seed story's claim as *decision* says, judged by pyx12;
    *kwargs* change the writer's other arguments.
    """
    options: dict[str, Any] = {
        "trace_number": "EFT20260401",
        "payment_date": date(2026, 4, 1),
        "control_number": 7,
        "created": CREATED,
    }
    options.update(kwargs)
    return validated(w.write_835([seed_claim()], [decision], **options))


def accepting_277ca() -> str:
    """
    A 277CA accepting the seed story's claim (status A2:20).
    """
    return w.write_277ca(
        [seed_claim()],
        [w.ClaimOutcome(statuses=(ClaimStatus(category="A2", code="20"),))],
        received=date(2026, 3, 11),
        control_number=3,
        created=CREATED,
    )


def recount(text: str) -> str:
    """
    *text* with SE01 counting its transaction set's segments again.
    """
    segments = text.split("~")
    start = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    end = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    segments[end] = f"SE*{end - start + 1}*{segments[end].split('*')[2]}"
    return "~".join(segments)
