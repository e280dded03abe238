"""
Remittance fixtures for the tests, each judged by pyx12 before a reader sees it.

:func:`validated` runs pyx12 on an 835, a 999 or a 277CA the way
``x12_support`` runs it on 837P files (same parameters, maps loaded once) and
returns the text, or fails the test with pyx12's messages.
"""

from __future__ import annotations

import io
import logging
from unittest import mock

import pytest
import pyx12.map_if
import pyx12.x12n_document
from hypothesis import strategies as st

import x12_support
from soapbill import Claim

__all__ = ["pyx12_problems", "unique_claims", "validated"]


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
