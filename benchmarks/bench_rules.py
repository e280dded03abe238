"""
Speed of the rules engine.

Two figures, each measured in one process with a calibrated loop, several
interleaved repeats and the median:

* **check vs decode**: checking a 4-line claim against the bundled
  ``commercial`` policy (with the shipped diagnosis table) against decoding the
  same claim from JSON. The target is a ratio of at most 1.0.
* **history scaling**: checking a claim against ``commercial-rx`` and
  ``medicare-part-b`` (which count visits and year-to-date charges over the
  patient's history) with histories of 0 to 10,000 earlier claims. History is
  indexed once per evaluation, so the work grows linearly. On small machines
  memory, not work, bends the curve: merely reading the fields of 10,000
  claims costs more than ten times reading those of 1,000, once they no
  longer fit in the CPU caches. So the script also times one bare pass over
  the history that reads the fields the rules need (the ``one_pass``
  baseline), and reports the check in units of that pass: a ratio that stays
  flat (or falls) as the history grows means linear; a quadratic scan would
  make it grow tenfold at each step. The exponent
  ``log(t(10000) / t(1000)) / log(10)`` is given for both.

Before timing, the script checks that the decisions are the expected ones.
Pin it to one CPU for stable figures::

    taskset -c 1 python benchmarks/bench_rules.py
    taskset -c 1 python benchmarks/bench_rules.py --json
"""

import argparse
import json
import math
import random
import sys
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from _timing import bench
from soapbill import (
    Address,
    Claim,
    Coverage,
    CptCode,
    Credential,
    DiagnosisCode,
    Modifier,
    Npi,
    Patient,
    Payer,
    PersonName,
    PlanType,
    Prescription,
    Provider,
    ServiceLine,
    Sex,
    TaxId,
)
from soapbill.formats.json import from_json, to_json
from soapbill.rules import PayerPolicy, evaluate, policies
from soapbill.rules.diagnoses import MASSAGE_DIAGNOSES

DOS = date(2026, 3, 2)
AS_OF = date(2026, 3, 9)
NPI = Npi("1234567893")
CLINIC = Provider(
    npi=NPI,
    organization_name="Example Massage Clinic",
    tax_id=TaxId("12-3456789"),
    address=Address(line1="1 Main St", city="Seattle", state="WA", postal_code="98101"),
)
LMT = Provider(npi=NPI, name=PersonName(family="Lee", given="Sam"), credential=Credential.LMT)
PT = Provider(npi=NPI, name=PersonName(family="Park", given="Kim"), credential=Credential.PT)
MD = Provider(npi=NPI, name=PersonName(family="Doc", given="Al"), credential=Credential.MD)
PATIENT = Patient(
    id="P-001",
    name=PersonName(family="Doe", given="Jane"),
    birth_date=date(1980, 1, 1),
    sex=Sex.FEMALE,
)
DIAGNOSES = (DiagnosisCode("M54.50"), DiagnosisCode("M62.830"))
HISTORY_SIZES = (0, 10, 100, 1_000, 10_000)


def coverage(plan_type: PlanType) -> Coverage:
    return Coverage(
        payer=Payer(id="PAYER01", name="Example Health"), member_id="M1", plan_type=plan_type
    )


def line(code: str, units: int, *modifiers: str, on: date = DOS) -> ServiceLine:
    return ServiceLine(
        code=CptCode(code),
        modifiers=tuple(Modifier(m) for m in modifiers),
        units=units,
        charge=Decimal("30.00") * units,
        date_of_service=on,
        diagnosis_pointers=(1, 2),
    )


def claim(
    *lines: ServiceLine,
    claim_id: str = "C1",
    plan_type: PlanType = PlanType.COMMERCIAL,
    rendering: Provider = LMT,
) -> Claim:
    return Claim(
        id=claim_id,
        patient=PATIENT,
        coverage=coverage(plan_type),
        billing_provider=CLINIC,
        rendering_provider=rendering,
        diagnoses=DIAGNOSES,
        lines=lines,
    )


def the_claim(plan_type: PlanType = PlanType.COMMERCIAL, rendering: Provider = LMT) -> Claim:
    return claim(
        line("97124", 2, "GP"),
        line("97140", 1, "GP"),
        line("97112", 1, "GP"),
        line("97010", 1, "GP"),
        plan_type=plan_type,
        rendering=rendering,
    )


def history(size: int, plan_type: PlanType) -> list[Claim]:
    # Earlier claims of one or two lines, on dates from 2024 to the day before
    # the claim checked: many share dates, as visits do.
    rng = random.Random(size)  # noqa: S311 - reproducible test data, not secrets
    start = date(2024, 1, 1)
    span = (DOS - start).days
    claims = []
    for i in range(size):
        day = start + timedelta(days=rng.randrange(span))
        lines = [line("97124", 2, "GP", on=day)]
        if rng.random() < 0.5:
            lines.append(line("97140", 1, "GP", on=day))
        claims.append(claim(*lines, claim_id=f"H{i}", plan_type=plan_type))
    return claims


def check_vs_decode(repeats: int, seconds: float) -> dict[str, float]:
    subject = the_claim()
    text = to_json(subject).encode()
    commercial = policies.load("commercial")
    decision = evaluate(subject, commercial, as_of=AS_OF, diagnosis_table=MASSAGE_DIAGNOSES)
    assert decision.eligible, decision.findings
    assert decision.findings == ()
    assert from_json(text, Claim) == subject
    times = bench(
        {
            "decode": lambda: from_json(text, Claim),
            "check": lambda: evaluate(
                subject, commercial, as_of=AS_OF, diagnosis_table=MASSAGE_DIAGNOSES
            ),
        },
        repeats,
        seconds,
    )
    return {
        "claim_json_bytes": len(text),
        "decode_us": times["decode"] * 1e6,
        "check_us": times["check"] * 1e6,
        "ratio": times["check"] / times["decode"],
    }


def one_pass(earlier: list[Claim]) -> int:
    """
    Read what the rules read of each earlier claim, once: the floor of any check.
    """
    count = 0
    for old in earlier:
        if old.patient.id == PATIENT.id and old.coverage.payer.id and old.frequency:
            for each in old.lines:
                count += each.date_of_service.year + len(each.modifiers) + int(each.charge)
    return count


def _exponent(small: float, large: float, ratio: float) -> float:
    return math.log(large / small) / math.log(ratio)


def scaling(
    policy: PayerPolicy, plan_type: PlanType, repeats: int, seconds: float
) -> dict[str, Any]:
    rendering = PT if plan_type is PlanType.MEDICARE_PART_B else LMT
    subject = the_claim(plan_type, rendering)
    rx = Prescription(
        id="RX1",
        patient_id=PATIENT.id,
        prescriber=MD,
        written_on=date(2020, 1, 1),
        valid_until=date(2030, 12, 31),
        diagnoses=DIAGNOSES,
    )
    variants: dict[str, Callable[[], object]] = {}
    for size in HISTORY_SIZES:
        earlier = history(size, plan_type)
        decision = evaluate(subject, policy, prescriptions=[rx], history=earlier, as_of=AS_OF)
        if size >= 1_000:
            # Long histories pass the yearly visit limit or the KX threshold:
            # the history really is read.
            assert decision.rules_found & {"visits.annual_limit", "kx.required"}, decision

        def check(earlier: list[Claim] = earlier) -> object:
            return evaluate(subject, policy, prescriptions=[rx], history=earlier, as_of=AS_OF)

        def floor(earlier: list[Claim] = earlier) -> object:
            return one_pass(earlier)

        variants[f"check {size}"] = check
        variants[f"pass {size}"] = floor
    times = bench(variants, repeats, seconds)
    big, biggest = HISTORY_SIZES[-2], HISTORY_SIZES[-1]
    step = biggest / big
    check_us = {size: times[f"check {size}"] * 1e6 for size in HISTORY_SIZES}
    pass_us = {size: times[f"pass {size}"] * 1e6 for size in HISTORY_SIZES}
    return {
        "policy": policy.id,
        "check_us": check_us,
        "one_pass_us": pass_us,
        "check_over_one_pass": {
            size: check_us[size] / pass_us[size] for size in HISTORY_SIZES if size
        },
        "exponent_check": _exponent(check_us[big], check_us[biggest], step),
        "exponent_one_pass": _exponent(pass_us[big], pass_us[biggest], step),
        "us_per_history_claim": (check_us[biggest] - check_us[0]) / biggest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.25, help="time per timed loop")
    args = parser.parse_args()
    figures: dict[str, Any] = {
        "python": sys.version.split()[0],
        "check_vs_decode": check_vs_decode(args.repeats, args.seconds),
        "history_scaling": [
            scaling(
                policies.load("commercial-rx"), PlanType.COMMERCIAL, args.repeats, args.seconds
            ),
            scaling(
                policies.load("medicare-part-b"),
                PlanType.MEDICARE_PART_B,
                args.repeats,
                args.seconds,
            ),
        ],
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    cvd = figures["check_vs_decode"]
    print(f"Python {figures['python']}")
    print(
        f"check {cvd['check_us']:.1f} us vs decode {cvd['decode_us']:.1f} us "
        f"({cvd['claim_json_bytes']} bytes of JSON): ratio {cvd['ratio']:.2f} (target <= 1.0)"
    )
    for result in figures["history_scaling"]:
        print(f"{result['policy']}, by number of earlier claims:")
        for size, us in result["check_us"].items():
            over = result["check_over_one_pass"].get(size)
            versus = "" if over is None else f" = {over:.1f} x one pass over the history"
            print(f"  {size:>6}: {us:>10,.0f} us{versus}")
        print(
            f"  exponent {result['exponent_check']:.2f} (one bare pass: "
            f"{result['exponent_one_pass']:.2f}); "
            f"{result['us_per_history_claim']:.2f} us per earlier claim"
        )


if __name__ == "__main__":
    main()
