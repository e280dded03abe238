"""
Speed of the rules engine.

Two figures measured in one process with a calibrated loop, several
interleaved repeats and the median:

* **check vs decode**: checking a 4-line claim against the bundled
  ``commercial`` policy (with the shipped diagnosis table) against decoding the
  same claim from JSON. The target is a ratio of at most 1.0.
* **history scaling**: checking a claim against ``commercial-rx`` and
  ``medicare-part-b`` (which count visits and year-to-date charges over the
  patient's history; the claim is the first visit of a certified plan of
  care, so Medicare's rules of plans of care find nothing) with histories of
  0 to 10,000 earlier claims. History is
  indexed once per evaluation, so the work grows linearly. On small machines
  memory, not work, bends the curve: merely reading the fields of 10,000
  claims costs more than ten times reading those of 1,000, once they no
  longer fit in the CPU caches. So the script also times one bare pass over
  the history that reads the fields the rules need (the ``one_pass``
  baseline), and reports the check in units of that pass: a ratio that stays
  flat (or falls) as the history grows means linear; a quadratic scan would
  make it grow tenfold at each step. The exponent
  ``log(t(10000) / t(1000)) / log(10)`` is given for both.

Those two are measured warm, in this process. By default (``--mode`` picks
one) the script also runs, in ``--runs`` new interpreters each, with nothing
built by hand first:

* **check**: decode ``examples/claim.json``, load the ``commercial`` policy,
  check the claim; the first call of each, then the next ``--calls`` calls;
* **policy loads**: each bundled policy loaded first thing after the imports;
* **a large policy**: a generated policy of 100,000 NCCI
  procedure-to-procedure edits (synthetic pairs, 14 MB of JSON) decoded, then
  the example claim checked against it (its first check indexes the edits).

Before timing, the script checks that the decisions are the expected ones.
Pin it to one CPU for stable figures::

    taskset -c 1 python benchmarks/bench_rules.py
    taskset -c 1 python benchmarks/bench_rules.py --json
    python benchmarks/bench_rules.py --quick   # a smoke run of both measurements
"""

import argparse
import json
import math
import random
import sys
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from _timing import Program, Step, bench, fresh
from soapbill import (
    Address,
    CarePlan,
    Certification,
    Claim,
    Coverage,
    CptCode,
    Credential,
    DiagnosisCode,
    Frequency,
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
    policy: PayerPolicy,
    plan_type: PlanType,
    repeats: int,
    seconds: float,
    sizes: tuple[int, ...] = HISTORY_SIZES,
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
    # The claim is the first visit of the plan, its evaluation day.
    plan = CarePlan(
        id="POC1",
        patient_id=PATIENT.id,
        therapist=rendering,
        prescriber=MD,
        diagnoses=DIAGNOSES,
        frequency=Frequency(per_week=2, weeks=6),
        starts_on=DOS,
        ends_on=DOS + timedelta(weeks=6, days=-1),
        certification=Certification(certified_by=MD, certified_on=DOS),
    )
    variants: dict[str, Callable[[], object]] = {}
    for size in sizes:
        earlier = history(size, plan_type)
        decision = evaluate(
            subject, policy, prescriptions=[rx], history=earlier, as_of=AS_OF, care_plans=[plan]
        )
        assert not any(f.rule.startswith(("care.", "progress.")) for f in decision.findings)
        if size >= 1_000:
            # Long histories pass the yearly visit limit or the KX threshold
            # (estimated in charges, as no allowed amounts are given): the
            # history really is read.
            passed = {"visits.annual_limit", "kx.required", "kx.estimated"}
            assert decision.rules_found & passed, decision

        def check(earlier: list[Claim] = earlier) -> object:
            return evaluate(
                subject, policy, prescriptions=[rx], history=earlier, as_of=AS_OF, care_plans=[plan]
            )

        def floor(earlier: list[Claim] = earlier) -> object:
            return one_pass(earlier)

        variants[f"check {size}"] = check
        variants[f"pass {size}"] = floor
    times = bench(variants, repeats, seconds)
    big, biggest = sizes[-2], sizes[-1]
    step = biggest / big
    check_us = {size: times[f"check {size}"] * 1e6 for size in sizes}
    pass_us = {size: times[f"pass {size}"] * 1e6 for size in sizes}
    return {
        "policy": policy.id,
        "check_us": check_us,
        "one_pass_us": pass_us,
        "check_over_one_pass": {size: check_us[size] / pass_us[size] for size in sizes if size},
        "exponent_check": _exponent(check_us[big], check_us[biggest], step),
        "exponent_one_pass": _exponent(pass_us[big], pass_us[biggest], step),
        "us_per_history_claim": (check_us[biggest] - check_us[0]) / biggest,
    }


# --- fresh processes ---------------------------------------------------------------------

EXAMPLE_CLAIM = Path(__file__).resolve().parent.parent / "examples" / "claim.json"
#: The example claim's services are on 2026-03-03.
EXAMPLE_AS_OF = date(2026, 3, 9)
#: Procedure-to-procedure edits in the large generated policy.
PTP_EDITS = 100_000
#: Pairs of the example claim's codes, first in the generated policy, so that
#: the check finds something in it (synthetic edits, not CMS's tables).
CLAIM_PAIRS = (("97140", "97124"), ("97124", "97010"))


def ptp_policy_json(edits: int) -> bytes:
    """
    The JSON of a policy holding *edits* procedure-to-procedure edits.

    The edits are written as JSON directly (no model is built): synthetic
    pairs of distinct codes, some deleted, half of them bypassable by a
    modifier, as in the CMS tables a policy would load.
    """
    rows = list(CLAIM_PAIRS)
    rows += [(f"{10000 + i // 250}", f"{20000 + i % 250}") for i in range(edits - len(rows))]
    document = {
        "format_version": 1,
        "id": "ptp-large",
        "version": "1",
        "ptp_edits": [
            {
                "column1": first,
                "column2": second,
                "effective": "2020-01-01",
                "deleted": "2025-12-31" if i % 7 == 6 else None,
                "indicator": "1" if i % 2 == 0 else "0",
                "prior_1996": False,
                "rationale": None,
            }
            for i, (first, second) in enumerate(rows)
        ],
    }
    return json.dumps(document, separators=(",", ":")).encode()


FRESH_IMPORTS = """
from soapbill import Claim
from soapbill.formats.json import from_json
from soapbill.rules import PayerPolicy, evaluate, policies
from soapbill.rules.diagnoses import MASSAGE_DIAGNOSES
"""


def fresh_programs(ptp_path: Path, ptp_calls: int = 2) -> dict[str, Program]:
    """
    The fresh-process programs.

    * ``check``: decode the example claim, load the ``commercial`` policy, check.
    * ``load_<name>``: load one bundled policy, the first thing after the imports.
    * ``ptp``: decode the large generated policy, then the example claim, then
      check the claim against it (the first check indexes the edits).
    """
    as_of = f"AS_OF = __import__('datetime').date.fromisoformat({EXAMPLE_AS_OF.isoformat()!r})"
    read = f"with open({str(EXAMPLE_CLAIM)!r}, 'rb') as f:\n    TEXT = f.read()"
    programs = {
        "check": Program(
            FRESH_IMPORTS,
            f"{read}\n{as_of}",
            (
                Step("claim", "from_json(TEXT, Claim)"),
                Step("policy", "policies.load('commercial')"),
                Step(
                    "check",
                    "evaluate(claim, policy, as_of=AS_OF, diagnosis_table=MASSAGE_DIAGNOSES)",
                ),
            ),
        ),
    }
    for name in policies.names():
        programs[f"load_{name}"] = Program(
            FRESH_IMPORTS, steps=(Step("policy", f"policies.load({name!r})"),)
        )
    read_ptp = f"with open({str(ptp_path)!r}, 'rb') as f:\n    PTP = f.read()"
    programs["ptp"] = Program(
        FRESH_IMPORTS,
        f"{read}\n{read_ptp}\n{as_of}",
        (
            Step("policy", "PayerPolicy.from_json(PTP)", calls=ptp_calls),
            Step("claim", "from_json(TEXT, Claim)", calls=0),
            Step("check", "evaluate(claim, policy, as_of=AS_OF)"),
        ),
    )
    return programs


def fresh_figures(runs: int, calls: int, edits: int, ptp_calls: int, timer: str) -> dict[str, Any]:
    """
    The rules' subjects in fresh interpreters: first calls and steady costs, in µs.
    """
    claim = from_json(EXAMPLE_CLAIM.read_bytes(), Claim)
    decision = evaluate(
        claim, policies.load("commercial"), as_of=EXAMPLE_AS_OF, diagnosis_table=MASSAGE_DIAGNOSES
    )
    assert decision.eligible, decision.findings
    # The generator's first edits, decoded here: the large policy is the same
    # document, longer.
    decision = evaluate(claim, PayerPolicy.from_json(ptp_policy_json(100)), as_of=EXAMPLE_AS_OF)
    assert "ncci.conflict" in decision.rules_found, decision
    ptp = ptp_policy_json(edits)
    with tempfile.TemporaryDirectory() as folder:
        ptp_path = Path(folder) / "ptp.json"
        ptp_path.write_bytes(ptp)
        figures = fresh(fresh_programs(ptp_path, ptp_calls), runs, calls, timer)
    us = {
        program: {key: figure.scaled(1e6, 1) for key, figure in values.items()}
        for program, values in figures.items()
    }
    check = figures["check"]
    return {
        "runs": runs,
        "calls": calls,
        "claim_json_bytes": len(EXAMPLE_CLAIM.read_bytes()),
        "ptp_edits": edits,
        "ptp_json_bytes": len(ptp),
        "us": us,
        "check_vs_decode_first": (check["check.first"] / check["claim.first"]).scaled(1, 3),
        "check_vs_decode_steady": (check["check.steady"] / check["claim.steady"]).scaled(1, 3),
    }


def print_fresh(cold: dict[str, Any]) -> None:
    us = cold["us"]
    print(
        f"fresh interpreters ({cold['runs']} each; first call, then {cold['calls']} calls;"
        " median [fastest], us):"
    )

    def cell(program: str, key: str) -> str:
        figure = us[program].get(key)
        if figure is None:
            return "(not timed)"
        return f"{figure['median']:>11,.1f} [{figure['min']:,.1f}]"

    print(f"  decode the example claim   first {cell('check', 'claim.first')}")
    print(f"                             steady {cell('check', 'claim.steady')}")
    print(f"  check it (commercial)      first {cell('check', 'check.first')}")
    print(f"                             steady {cell('check', 'check.steady')}")
    for when in ("first", "steady"):
        ratio = cold[f"check_vs_decode_{when}"]
        print(f"  check / decode, {when:<6}     {ratio['median']:.2f} [{ratio['min']:.2f}]")
    for program in us:
        if program.startswith("load_"):
            print(
                f"  policies.load({program[5:]!r}):"
                f" first {cell(program, 'policy.first')}, again {cell(program, 'policy.steady')}"
            )
    print(
        f"  policy of {cold['ptp_edits']:,} PTP edits ({cold['ptp_json_bytes']:,} bytes):"
        f" decode first {cell('ptp', 'policy.first')}, again {cell('ptp', 'policy.steady')}"
    )
    print(
        f"  check against it: first {cell('ptp', 'check.first')},"
        f" steady {cell('ptp', 'check.steady')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--mode", choices=["both", "warm", "fresh"], default="both", help="what to measure"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny loops, one run")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved warm repeats")
    parser.add_argument("--seconds", type=float, default=0.25, help="time per warm loop")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per program")
    parser.add_argument("--calls", type=int, default=300, help="steady calls after the first")
    parser.add_argument("--timer", choices=["wall", "cpu"], default="wall", help="fresh clock")
    parser.add_argument(
        "--ptp-edits", type=int, default=PTP_EDITS, help="edits in the large generated policy"
    )
    parser.add_argument(
        "--ptp-calls", type=int, default=2, help="steady decodes of the large policy"
    )
    args = parser.parse_args()
    sizes: tuple[int, ...] = HISTORY_SIZES
    edits = args.ptp_edits
    if args.quick:
        args.repeats, args.seconds, args.runs, args.calls = 1, 0.002, 1, 3
        sizes, edits = HISTORY_SIZES[:3], 1_000
    figures: dict[str, Any] = {"python": sys.version.split()[0]}
    if args.mode != "fresh":
        figures["check_vs_decode"] = check_vs_decode(args.repeats, args.seconds)
        figures["history_scaling"] = [
            scaling(
                policies.load("commercial-rx"),
                PlanType.COMMERCIAL,
                args.repeats,
                args.seconds,
                sizes,
            ),
            scaling(
                policies.load("medicare-part-b"),
                PlanType.MEDICARE_PART_B,
                args.repeats,
                args.seconds,
                sizes,
            ),
        ]
    if args.mode != "warm":
        figures["fresh"] = fresh_figures(args.runs, args.calls, edits, args.ptp_calls, args.timer)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"Python {figures['python']}")
    if "check_vs_decode" in figures:
        print_warm(figures)
    if "fresh" in figures:
        print_fresh(figures["fresh"])


def print_warm(figures: dict[str, Any]) -> None:
    cvd = figures["check_vs_decode"]
    print(
        f"warm: check {cvd['check_us']:.1f} us vs decode {cvd['decode_us']:.1f} us "
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
