"""
evaluate() decides as it did before its rules became rule groups.

``data/evaluate-cases.jsonl.gz`` holds 200 generated cases, one JSON object a
line: a claim, a policy (a bundled one with random changes: PTP and MUE
tables, limits, modifier requirements, KX thresholds, ...), prescriptions,
notes, history, ``as_of`` and whether the shipped diagnosis table is passed,
drawn with the strategies of ``test_rules_properties.py`` so that every
built-in rule id finds something in some case. With each case is the
decision the engine made before the rules were regrouped (before
``soapbill.rules.base`` existed, when the seven ``rx.*`` rules shared a memo).
Findings, their order and every field must stay the same.
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from soapbill import Claim, Prescription, SoapNote
from soapbill.formats.json import from_dict, to_dict
from soapbill.rules import BUILTIN_IDS, PayerPolicy, evaluate
from soapbill.rules.diagnoses import MASSAGE_DIAGNOSES

CASES = Path(__file__).parent / "data" / "evaluate-cases.jsonl.gz"


def _cases() -> list[dict[str, Any]]:
    with gzip.open(CASES, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _decide(case: dict[str, Any]) -> dict[str, Any]:
    decision = evaluate(
        from_dict(case["claim"], Claim),
        from_dict(case["policy"], PayerPolicy),
        prescriptions=[from_dict(rx, Prescription) for rx in case["prescriptions"]],
        notes=[from_dict(note, SoapNote) for note in case["notes"]],
        history=[from_dict(old, Claim) for old in case["history"]],
        as_of=date.fromisoformat(case["as_of"]),
        diagnosis_table=MASSAGE_DIAGNOSES if case["diagnosis_table"] else None,
    )
    return to_dict(decision)


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    return _cases()


def test_the_recorded_cases_reach_every_builtin_rule(cases: list[dict[str, Any]]) -> None:
    found = {f["rule"] for case in cases for f in case["decision"]["findings"]}
    assert found == set(BUILTIN_IDS)


def test_every_decision_is_the_one_recorded(cases: list[dict[str, Any]]) -> None:
    differ = [k for k, case in enumerate(cases) if _decide(case) != case["decision"]]
    if differ:
        first = cases[differ[0]]
        assert (differ, _decide(first)) == (differ, first["decision"])
