"""
evaluate() decides as it did, unless a decision changed on purpose.

``data/evaluate-cases.jsonl.gz`` holds generated cases, one JSON object a
line: a claim, a policy (a bundled one with random changes: PTP and MUE
tables, limits, modifier requirements, KX thresholds, ...), prescriptions,
notes, history, ``as_of``, whether the shipped diagnosis table is passed and,
in some, the payer's allowed amounts or plans of care. Each case records its
policy as it was: the drawn ``medicare-part-b`` cases predate its rules of
plans of care, which are off in them. 200 were drawn with the strategies of
``test_rules_properties.py``; the cases of :data:`ADDED`, built by hand, reach
the rule ids those never reach. With each case is the decision the engine
made when it was recorded (first before the rules were regrouped, when the
seven ``rx.*`` rules shared a memo). Findings, their order and every field
must stay the same.

When a decision changes on purpose, run ``python tests/test_rules_differential.py``
from the repository root: it re-decides every recorded case with today's
engine, adds the cases of :data:`ADDED` not yet recorded, rewrites the file,
and prints which rule ids gained or lost findings. Say why in the commit.
"""

from __future__ import annotations

import gzip
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import builders
from soapbill import CarePlan, Claim, Credential, PlanType, Prescription, SoapNote
from soapbill.billing.fees import FeeSchedule
from soapbill.billing.units import UnitMethod
from soapbill.care import Certification
from soapbill.formats.json import from_dict, to_dict
from soapbill.rules import BUILTIN_IDS, KxThreshold, PayerPolicy, evaluate, policies
from soapbill.rules.care import CARE_IDS
from soapbill.rules.diagnoses import MASSAGE_DIAGNOSES

CASES = Path(__file__).parent / "data" / "evaluate-cases.jsonl.gz"


def _cases() -> list[dict[str, Any]]:
    with gzip.open(CASES, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _decide(case: dict[str, Any]) -> dict[str, Any]:
    allowed = case.get("allowed_amounts")
    decision = evaluate(
        from_dict(case["claim"], Claim),
        from_dict(case["policy"], PayerPolicy),
        prescriptions=[from_dict(rx, Prescription) for rx in case["prescriptions"]],
        notes=[from_dict(note, SoapNote) for note in case["notes"]],
        history=[from_dict(old, Claim) for old in case["history"]],
        as_of=date.fromisoformat(case["as_of"]),
        diagnosis_table=MASSAGE_DIAGNOSES if case["diagnosis_table"] else None,
        allowed_amounts=None if allowed is None else from_dict(allowed, FeeSchedule),
        care_plans=[from_dict(plan, CarePlan) for plan in case.get("care_plans", [])],
    )
    return to_dict(decision)


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    return _cases()


def test_the_recorded_cases_reach_every_builtin_rule(cases: list[dict[str, Any]]) -> None:
    found = {f["rule"] for case in cases for f in case["decision"]["findings"]}
    assert found == {*BUILTIN_IDS, *CARE_IDS}


def test_every_decision_is_the_one_recorded(cases: list[dict[str, Any]]) -> None:
    differ = [k for k, case in enumerate(cases) if _decide(case) != case["decision"]]
    if differ:
        first = cases[differ[0]]
        assert (differ, _decide(first)) == (differ, first["decision"])


# --- recording -------------------------------------------------------------------------


def _added() -> dict[str, dict[str, Any]]:
    """
    The hand-built cases, by name: each reaches rule ids the drawn cases do not.
    """
    day = builders.DOS
    pta = builders.therapist(credential=Credential.PTA)
    kx = PayerPolicy(
        id="kx", version="1", kx_thresholds=(KxThreshold(year=2026, amount=Decimal("2480.00")),)
    )
    spent = builders.claim(builders.line("97110", 80, on=date(2026, 1, 10)), id="H1")
    allowed = FeeSchedule.of(
        {"97110": Decimal("30.00"), "97124": Decimal("25.00")}, effective_from=date(2026, 1, 1)
    )
    # Medicare therapy by a PT, under the bundled policy and its rules of plans of care.
    medicare = policies.load("medicare-part-b")
    pt = builders.therapist(credential=Credential.PT)

    def therapy(on: date, claim_id: str = "C1") -> Claim:
        return builders.claim(
            builders.line("97110", 2, "GP", on=on),
            id=claim_id,
            coverage=builders.coverage(plan_type=PlanType.MEDICARE_PART_B),
            rendering_provider=pt,
        )

    start = day - timedelta(days=40)
    late_plan = builders.certified_plan(
        therapy(start),
        visits_planned=10,
        certification=Certification(
            certified_by=builders.physician(), certified_on=start + timedelta(days=35)
        ),
    )
    ten_visits = [therapy(start + timedelta(days=2 * k), f"H{k + 1}") for k in range(10)]
    cases: dict[str, tuple[Claim, PayerPolicy, dict[str, Any]]] = {
        # An auto PIP claim without the accident, its date or the claim number.
        "auto pip, nothing said": (
            builders.claim(coverage=builders.coverage(plan_type=PlanType.AUTO_PIP)),
            PayerPolicy(id="pip", version="1"),
            {},
        ),
        # KX past the threshold in allowed amounts.
        "kx from allowed amounts": (
            builders.claim(builders.line("97124", 4)),
            kx,
            {"history": [spent], "allowed_amounts": allowed},
        ),
        # Billed by the CMS rule under a per-code policy, rendered by a PTA without CQ.
        "per code billed as cms, by a pta": (
            builders.claim(
                builders.line("97112", 2, "GP"),
                builders.line("97110", 1, "GP"),
                rendering_provider=pta,
            ),
            PayerPolicy(
                id="units", version="1", unit_method=UnitMethod.PER_CODE, assistant_modifiers=True
            ),
            {"notes": [builders.note(("97112", 24), ("97110", 23))]},
        ),
        # Medicare therapy without a plan of care.
        "medicare, no plan of care": (therapy(day), medicare, {}),
        # Medicare therapy after the plan of care ended.
        "medicare, plan of care ended": (
            therapy(day),
            medicare,
            {
                "care_plans": [attrs.evolve(late_plan, ends_on=day - timedelta(days=1))],
                "history": ten_visits[:1],
            },
        ),
        # The 11th visit of a plan of 10, certified on its 36th day, with no progress report.
        "medicare, eleventh visit of a late plan of care": (
            therapy(day),
            medicare,
            {
                "care_plans": [attrs.evolve(late_plan, ends_on=day)],
                "history": ten_visits,
            },
        ),
    }
    return {
        name: {
            "name": name,
            "as_of": day.isoformat(),
            "claim": to_dict(subject),
            "policy": to_dict(policy),
            "prescriptions": [],
            "notes": [to_dict(n) for n in inputs.get("notes", [])],
            "history": [to_dict(h) for h in inputs.get("history", [])],
            "diagnosis_table": False,
            "allowed_amounts": (
                None if "allowed_amounts" not in inputs else to_dict(inputs["allowed_amounts"])
            ),
            "care_plans": [to_dict(p) for p in inputs.get("care_plans", [])],
        }
        for name, (subject, policy, inputs) in cases.items()
    }


#: The names of the hand-built cases (see :func:`_added`).
ADDED = tuple(sorted(_added()))


def _record() -> None:
    """
    Re-decide every recorded case, add the hand-built ones, rewrite the file.
    """
    cases = _cases()
    known = {case.get("name") for case in cases}
    cases += [case for name, case in _added().items() if name not in known]
    gained: dict[str, int] = {}
    for case in cases:
        before = {(f["rule"], f["path"]) for f in case.get("decision", {}).get("findings", [])}
        case["decision"] = _decide(case)
        after = {(f["rule"], f["path"]) for f in case["decision"]["findings"]}
        for rule_id, _ in after - before:
            gained[rule_id] = gained.get(rule_id, 0) + 1
        for rule_id, _ in before - after:
            gained[rule_id] = gained.get(rule_id, 0) - 1
    with gzip.open(CASES, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(case, sort_keys=True) + "\n" for case in cases)
    for rule_id, change in sorted(gained.items()):
        print(f"{rule_id}: {change:+d} findings")  # noqa: T201 - a maintainer's script


if __name__ == "__main__":
    _record()
