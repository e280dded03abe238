"""
soapbill.batch: JSON Lines batches, in order, on one process or a pool.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from soapbill import Claim, from_json, to_json
from soapbill.batch import MAX_LINE_BYTES, Case, Outcome, check_bag, check_many, decode_case
from soapbill.billing.fees import FeeSchedule
from soapbill.care import CarePlan
from soapbill.errors import SoapbillError, ValidationError
from soapbill.prescriptions import Prescription
from soapbill.rules import Decision, evaluate, policies
from soapbill.rules.icd10cm import MissingExtraError
from soapbill.soap import SoapNote

EXAMPLES = Path(__file__).parent.parent / "examples"
AS_OF = date(2026, 3, 16)
POLICY = policies.load("commercial-rx")
SENTINEL = "Zyxwquark"


def _document(name: str) -> str:
    return json.dumps(json.loads((EXAMPLES / name).read_text(encoding="utf-8")))


CLAIM = _document("claim.json")
RX = _document("prescription.json")
NOTES = [_document("note-1.json"), _document("note-2.json")]
CASE = f'{{"claim": {CLAIM}, "prescriptions": [{RX}], "notes": [{", ".join(NOTES)}]}}'
ALONE = f'{{"claim": {CLAIM}}}'


def _claim(claim_id: str) -> str:
    return CLAIM.replace('"clm-001"', json.dumps(claim_id), 1)


def _cases(count: int) -> list[str]:
    """
    Cases of several kinds: with and without documents, and bad lines.
    """
    lines = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            lines.append(f'{{"claim": {_claim(f"c-{i}")}, "prescriptions": [{RX}]}}')
        elif kind == 1:
            lines.append(f'{{"claim": {_claim(f"c-{i}")}}}')
        elif kind == 2:
            lines.append(CASE.replace('"clm-001"', f'"c-{i}"', 1))
        elif kind == 3:
            lines.append('{"claim": {"id": 5}}')
        else:
            lines.append("")
    return lines


def _single(line: str) -> str:
    """
    The decision of one case as soapbill check --json prints it.
    """
    case = decode_case(line)
    decision = evaluate(
        case.claim,
        POLICY,
        prescriptions=case.prescriptions,
        notes=case.notes,
        history=case.history,
        as_of=AS_OF,
    )
    return to_json(decision)


# --- one case ---------------------------------------------------------------------------


def test_decode_case_reads_every_document() -> None:
    case = decode_case(CASE)
    assert case.claim.id == "clm-001"
    assert [type(rx) for rx in case.prescriptions] == [Prescription]
    assert [type(note) for note in case.notes] == [SoapNote, SoapNote]
    assert case.history == ()
    assert decode_case(ALONE.encode()) == Case(claim=case.claim)


@pytest.mark.parametrize(
    ("line", "paths"),
    [
        pytest.param("{", [""], id="not-json"),
        pytest.param(b'{"claim": "\xff"}', ["claim"], id="not-utf8"),
        pytest.param("[1]", [""], id="not-an-object"),
        pytest.param("{}", ["claim"], id="no-claim"),
        pytest.param(f'{{"claim": {CLAIM}, "x": 1}}', ["x"], id="unknown-key"),
        pytest.param(f'{{"claim": {CLAIM}, "notes": {{}}}}', ["notes"], id="notes-not-array"),
        pytest.param(
            f'{{"claim": {CLAIM}, "history": [{CLAIM}, 5]}}', ["history[1]"], id="bad-history"
        ),
        pytest.param(
            CLAIM.join(['{"claim": ', "}"]).replace('"units": 1', '"units": 0', 1),
            ["claim.lines[0].units"],
            id="bad-claim",
        ),
        pytest.param(5, [""], id="not-text"),
        pytest.param(f'{{"claim": {CLAIM}, "care_plans": [5]}}', ["care_plans[0]"], id="bad-plan"),
        pytest.param(
            f'{{"claim": {CLAIM}, "x": 1, "care_plans": [5]}}',
            ["x", "care_plans[0]"],
            id="bad-plan-and-unknown-key",
        ),
    ],
)
def test_decode_case_names_every_problem_by_path(line: str | bytes, paths: list[str]) -> None:
    with pytest.raises(ValidationError) as info:
        decode_case(line)
    assert [detail.path for detail in info.value.errors] == paths
    assert info.value.__context__ is None


def test_a_bad_case_never_repeats_its_text() -> None:
    lines = [
        f'{{"claim": {_claim(SENTINEL * 10)}}}',
        f'{{"claim": {CLAIM.replace("Jordan", SENTINEL)}, "notes": ["{SENTINEL}"]}}',
        f"not json {SENTINEL}",
        f'{{"claim": "{SENTINEL}"}}',
    ]
    outcomes = list(check_many(lines, POLICY, as_of=AS_OF))
    assert [o.line for o in outcomes] == [1, 2, 3, 4]
    for outcome in outcomes:
        assert outcome.error is not None
        for shown in (str(outcome.error), repr(outcome), outcome.to_json()):
            assert SENTINEL not in shown
        assert SENTINEL not in repr(outcome.error.args)


def test_a_case_carries_plans_of_care_to_the_rules() -> None:
    plan = _document("care-plan.json")
    policy = attrs.evolve(
        policies.load("commercial"), care_plan_required=True, care_plan_certification_days=30
    )
    with_plan = f'{{"claim": {CLAIM}, "care_plans": [{plan}]}}'
    case = decode_case(with_plan)
    assert case.care_plans == (from_json(plan, CarePlan),)
    assert decode_case(with_plan.replace('"claim"', '"history": [], "claim"')) == case
    first, second = check_many([with_plan, ALONE], policy, as_of=AS_OF)
    assert (first.eligible, second.eligible) == (True, False)
    assert first.decision == evaluate(case.claim, policy, care_plans=case.care_plans, as_of=AS_OF)
    assert second.decision is not None
    rules = [f.rule for f in second.decision.findings if f.rule.startswith("care.")]
    assert rules == ["care.plan_missing"] * 2


# --- a batch ------------------------------------------------------------------------------


def test_outcomes_come_in_input_order_with_line_numbers() -> None:
    lines = _cases(10)
    outcomes = list(check_many(lines, POLICY, as_of=AS_OF))
    assert [o.line for o in outcomes] == [n for n, line in enumerate(lines, 1) if line]
    for outcome in outcomes:
        line = lines[outcome.line - 1]
        if outcome.error is None:
            assert outcome.decision_json == _single(line)
            assert outcome.claim_id == decode_case(line).claim.id
            assert outcome.decision == from_json(_single(line), Decision)
            assert outcome.eligible is outcome.decision.eligible
        else:
            assert outcome.decision is None
            assert outcome.claim_id is None
            assert outcome.eligible is None


def test_output_lines_carry_the_decision_as_check_json_prints_it() -> None:
    (outcome,) = check_many([CASE], POLICY, as_of=AS_OF)
    record = json.loads(outcome.to_json())
    assert record == {"line": 1, "claim_id": "clm-001", "decision": json.loads(_single(CASE))}
    assert outcome.to_json().endswith(_single(CASE) + "}")
    (bad,) = check_many(['{"claim": 5}'], POLICY, as_of=AS_OF)
    assert json.loads(bad.to_json()) == {
        "line": 1,
        "errors": [
            {"path": "claim", "code": "invalid_type", "message": bad.error.errors[0].message}  # type: ignore[union-attr]
        ],
    }


def test_a_pool_gives_the_same_bytes_in_the_same_order() -> None:
    lines = _cases(300)
    alone = [o.to_json() for o in check_many(lines, POLICY, as_of=AS_OF)]
    pooled = [o.to_json() for o in check_many(lines, POLICY, as_of=AS_OF, jobs=2)]
    assert pooled == alone
    assert len(alone) == 240


def test_a_binary_stream_is_read_line_by_line() -> None:
    lines = _cases(20)
    stream = io.BytesIO("\n".join(lines).encode())
    expected = [o.to_json() for o in check_many(lines, POLICY, as_of=AS_OF)]
    assert [o.to_json() for o in check_many(stream, POLICY, as_of=AS_OF)] == expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_line_over_the_limit_is_a_bad_line_and_the_batch_goes_on(jobs: int) -> None:
    limit = len(ALONE) + 10
    stream = io.BytesIO(f"{ALONE}\n{ALONE}{' ' * 5000}x\n{ALONE}\n".encode())
    outcomes = list(check_many(stream, POLICY, as_of=AS_OF, max_line_bytes=limit, jobs=jobs))
    assert [(o.line, o.error is None) for o in outcomes] == [(1, True), (2, False), (3, True)]
    assert outcomes[1].error is not None
    assert outcomes[1].error.errors[0].code == "too_large"
    # The same limit for lines given as strings.
    (long,) = check_many([ALONE + " " * 20], POLICY, as_of=AS_OF, max_line_bytes=limit)
    assert long.error is not None
    assert MAX_LINE_BYTES == 16 * 1024 * 1024


def test_items_that_are_not_text_are_bad_lines() -> None:
    outcomes = list(check_many([ALONE, None, 5, ALONE], POLICY, as_of=AS_OF))  # type: ignore[list-item]
    assert [(o.line, o.error is None) for o in outcomes] == [
        (1, True),
        (2, False),
        (3, False),
        (4, True),
    ]


def _endless(read: list[int]) -> Iterator[str]:
    for i in itertools.count(1):
        read.append(i)
        yield ALONE


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_batch_streams(jobs: int) -> None:
    read: list[int] = []
    outcomes = check_many(_endless(read), POLICY, as_of=AS_OF, jobs=jobs)
    first = list(itertools.islice(outcomes, 3))
    assert [o.line for o in first] == [1, 2, 3]
    # A bounded read-ahead: chunks of 64 lines, 4 chunks per process.
    assert len(read) <= 64 * 4 * 2 + 64
    outcomes.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"lines": CASE}, "lines"),
        ({"lines": 5}, "lines"),
        ({"policy": "commercial"}, "policy"),
        ({"as_of": "2026-03-16"}, "as_of"),
        ({"jobs": -1}, "jobs"),
        ({"jobs": 1.5}, "jobs"),
        ({"max_line_bytes": 0}, "max_line_bytes"),
    ],
)
def test_arguments_of_the_wrong_kind_are_refused_at_once(
    arguments: dict[str, object], path: str
) -> None:
    given: dict[str, object] = {"lines": [CASE], "policy": POLICY, "as_of": AS_OF}
    given.update(arguments)
    with pytest.raises(ValidationError) as info:
        check_many(**given)  # type: ignore[arg-type]
    assert info.value.errors[0].path == path


def test_outcomes_and_cases_are_values() -> None:
    (outcome,) = check_many([ALONE], POLICY, as_of=AS_OF)
    assert attrs.evolve(outcome) == outcome
    assert Outcome(line=1) != outcome
    assert isinstance(decode_case(ALONE).claim, Claim)


def test_check_bag_needs_a_bag() -> None:
    pytest.importorskip("dask.bag")
    with pytest.raises(ValidationError) as info:
        check_bag([ALONE], POLICY, as_of=AS_OF)
    assert info.value.errors[0].path == "bag"


class _DyingTable:
    """
    A diagnosis table that ends the process asking it: a worker that dies.
    """

    def check(self, _code: object, _on: date, /) -> Any:
        os._exit(3)


def test_a_worker_that_dies_stops_the_batch_with_a_soapbill_error() -> None:
    outcomes = check_many(
        [ALONE] * 3,
        POLICY,
        as_of=AS_OF,
        jobs=2,
        diagnosis_table=_DyingTable(),
    )
    with pytest.raises(SoapbillError) as info:
        list(outcomes)
    assert str(info.value) == "a worker process ended unexpectedly"
    assert info.value.__context__ is None


def test_a_case_with_too_many_problems_lists_the_first_hundred() -> None:
    history = ", ".join(["5"] * 150)
    with pytest.raises(ValidationError) as info:
        decode_case(f'{{"claim": {CLAIM}, "history": [{history}]}}')
    assert len(info.value.errors) == 100
    assert info.value.errors[-1].path == "history[99]"
    with pytest.raises(ValidationError) as info:
        decode_case(f'{{"claim": {CLAIM}, "history": [{history}], "x": 1}}')
    assert len(info.value.errors) == 100
    assert info.value.errors[0].path == "x"


def test_allowed_amounts_reach_evaluate() -> None:
    amounts = FeeSchedule.of({"97124": Decimal("20.00")}, effective_from=date(2026, 1, 1))
    policy = policies.load("medicare-part-b")
    (outcome,) = check_many([CASE], policy, as_of=AS_OF, allowed_amounts=amounts)
    case = decode_case(CASE)
    decision = evaluate(
        case.claim,
        policy,
        prescriptions=case.prescriptions,
        notes=case.notes,
        as_of=AS_OF,
        allowed_amounts=amounts,
    )
    assert outcome.decision_json == to_json(decision)


def test_check_bag_needs_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask.bag", None)
    with pytest.raises(MissingExtraError) as info:
        check_bag([ALONE], POLICY, as_of=AS_OF)
    assert info.value.__context__ is None
