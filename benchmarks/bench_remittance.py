"""
Speed of reading an 835 against x12sdk, in fresh processes.

The file: one 835 paying 1,000 claims of five lines each (the seed story's
claim, paid in part: bundled, contractual and deductible adjustments, a remark
code), about 400 kB, written by soapbill's test writer. Each subject runs in
``--runs`` new interpreters that import it, read the file's text, then time
its first read of the text and the median of ``--calls`` more reads:

* ``soapbill``: :func:`soapbill.remittance.read_835`, which builds the models
  and checks the balancing rules;
* ``x12sdk``: ``x12sdk.io.X12ModelReader(text).models()``, its pydantic 835
  models (x12sdk has no 999 or 277CA models).

Both must find the 1,000 claims. The bar: soapbill at least 5 times faster
than x12sdk, on the first read and on the steady reads (medians over the
interpreters). ``--fail`` exits with status 1 when a bar is missed.

    taskset -c 1 python benchmarks/bench_remittance.py
    python benchmarks/bench_remittance.py --runs 3 --calls 3 --fail
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import attrs

import soapbill as sb
from soapbill import _remit_writer as w
from soapbill.remittance import Adjustment, AdjustmentGroup

CLAIMS = 1000
BAR = 5.0


def _claim() -> sb.Claim:
    def line(code: str, units: int, charge: str, day: date, *modifiers: str) -> sb.ServiceLine:
        return sb.ServiceLine(
            code=sb.CptCode(code),
            modifiers=tuple(sb.Modifier(m) for m in modifiers),
            units=units,
            charge=Decimal(charge),
            date_of_service=day,
            diagnosis_pointers=(1,),
        )

    first, second = date(2026, 3, 3), date(2026, 3, 10)
    return sb.Claim(
        id="clm-00000",
        patient=sb.Patient(
            id="pt-001",
            name=sb.PersonName(family="Park", given="Jordan"),
            birth_date=date(1985, 4, 12),
            sex=sb.Sex.FEMALE,
        ),
        coverage=sb.Coverage(
            payer=sb.Payer(id="EXHP1", name="Example Health Plan"),
            member_id="XHP123456789",
            plan_type=sb.PlanType.COMMERCIAL,
        ),
        billing_provider=sb.Provider(
            npi=sb.Npi("1234567893"), organization_name="Cedar Massage Therapy"
        ),
        diagnoses=(sb.DiagnosisCode("M54.50"),),
        lines=(
            line("97010", 1, "10.00", first),
            line("97124", 3, "90.00", first, "GP"),
            line("97140", 1, "35.00", first, "GP"),
            line("97124", 2, "60.00", second, "GP"),
            line("97140", 2, "70.00", second, "GP"),
        ),
    )


def remittance_text(claims: int = CLAIMS) -> str:
    """
    The benchmark's 835: *claims* claims, each paid in part.
    """
    co, pr = AdjustmentGroup.CO, AdjustmentGroup.PR
    decision = w.ClaimDecision(
        payer_claim_number="EXHP26070001",
        lines=(
            w.LineDecision(
                adjustments=(Adjustment(group=co, reason="97", amount=Decimal("10.00")),),
                remarks=("M15",),
            ),
            w.LineDecision(
                adjustments=(
                    Adjustment(group=co, reason="45", amount=Decimal("15.00")),
                    Adjustment(group=pr, reason="1", amount=Decimal("75.00")),
                )
            ),
            w.LineDecision(
                adjustments=(Adjustment(group=pr, reason="1", amount=Decimal("25.00")),)
            ),
        ),
    )
    claim = _claim()
    return w.write_835(
        [attrs.evolve(claim, id=f"clm-{i:05d}") for i in range(claims)],
        [decision] * claims,
        trace_number="EFT20260401",
        payment_date=date(2026, 4, 1),
        control_number=7,
        created=datetime(2026, 3, 30, 9, 0),  # noqa: DTZ001 - written as given
    )


_PROGRAM = """
import json, statistics, sys, time
start = time.perf_counter()
{imports}
imported = time.perf_counter() - start
text = open(sys.argv[1], encoding="ascii").read()
def read():
{read}
start = time.perf_counter()
claims = read()
first = time.perf_counter() - start
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    read()
    times.append(time.perf_counter() - start)
print(json.dumps({{"import": imported, "first": first, "steady": statistics.median(times),
                  "claims": claims}}))
"""

SUBJECTS = {
    "soapbill": (
        "from soapbill.remittance import read_835",
        "    (remittance,) = read_835(text)\n    return len(remittance.claims)",
    ),
    "x12sdk": (
        "from x12sdk.io import X12ModelReader",
        (
            "    with X12ModelReader(text) as reader:\n"
            "        (model,) = list(reader.models())\n"
            "    return sum(len(loop.loop_2100) for loop in model.loop_2000)"
        ),
    ),
}


def run(path: Path, subject: str, runs: int, calls: int) -> dict[str, float]:
    imports, read = SUBJECTS[subject]
    program = _PROGRAM.format(imports=imports, read=textwrap.indent(read, ""))
    results = []
    for _ in range(runs):
        out = subprocess.run(  # noqa: S603 - our own interpreter and program
            [sys.executable, "-c", program, str(path), str(calls)],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout))
    if any(r["claims"] != CLAIMS for r in results):
        msg = f"{subject} did not read {CLAIMS} claims"
        raise SystemExit(msg)
    return {
        key: statistics.median(r[key] for r in results) for key in ("import", "first", "steady")
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per subject")
    parser.add_argument("--calls", type=int, default=5, help="steady reads per interpreter")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--fail", action="store_true", help="exit 1 when a bar is missed")
    args = parser.parse_args(argv)
    text = remittance_text()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "remittance.835"
        path.write_text(text, encoding="ascii")
        figures = {s: run(path, s, args.runs, args.calls) for s in SUBJECTS}
    ratios = {key: figures["x12sdk"][key] / figures["soapbill"][key] for key in ("first", "steady")}
    if args.json:
        print(json.dumps({"bytes": len(text), "figures": figures, "ratios": ratios}, indent=2))
    else:
        print(f"835 of {CLAIMS} claims, {len(text):,} bytes; medians of {args.runs} processes")
        print(f"{'subject':10} {'import ms':>10} {'first ms':>10} {'steady ms':>10}")
        for subject, f in figures.items():
            print(
                f"{subject:10} {f['import'] * 1e3:10.1f} {f['first'] * 1e3:10.1f}"
                f" {f['steady'] * 1e3:10.1f}"
            )
        for key, ratio in ratios.items():
            verdict = "ok" if ratio >= BAR else "MISSED"
            print(f"x12sdk / soapbill, {key} read: {ratio:.1f}x (bar {BAR:.0f}x) {verdict}")
    return 1 if args.fail and min(ratios.values()) < BAR else 0


if __name__ == "__main__":
    sys.exit(main())
