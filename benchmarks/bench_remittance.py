"""
Speed of reading an 835 against x12sdk, in fresh processes.

The file: one 835 paying 1,000 claims of five lines each (the seed story's
claim, paid in part: bundled, contractual and deductible adjustments, a remark
code), about 400 kB, written by soapbill's test writer. Each subject runs in
``--runs`` new interpreters (the shared harness, ``_timing.fresh``) that
import it (timed), read the file's text (not timed), then time its first read
of the text and the steady cost of ``--calls`` more reads:

* ``soapbill``: :func:`soapbill.remittance.read_835`, which builds the models
  and checks the balancing rules;
* ``x12sdk``: ``x12sdk.io.X12ModelReader(text).models()``, its pydantic 835
  models (x12sdk has no 999 or 277CA models).

Both must find the 1,000 claims: each interpreter counts them after its
timed reads. The bar: soapbill at least 5 times faster than x12sdk, on the
first read and on the steady reads (medians over the interpreters). ``--fail``
exits with status 1 when a bar is missed. Last measured (3 runs, pinned to
one CPU): 6.97 times on the first read, 6.37 on the steady reads, with the
remittance models built through their full checks; the figures and how they
were taken are in ``docs/performance.md`` (Remittances).

    taskset -c 1 python benchmarks/bench_remittance.py
    python benchmarks/bench_remittance.py --runs 3 --calls 3 --fail
    python benchmarks/bench_remittance.py --quick   # a smoke run: one interpreter each
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import textwrap
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

import soapbill as sb
from _timing import Program, Step, fresh
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


#: Per subject: what it imports (timed), the helpers it defines (not timed;
#: they build nothing), how it reads the text, and how it counts the claims.
SUBJECTS = {
    "soapbill": (
        "from soapbill.remittance import read_835",
        "",
        "read_835(TEXT)",
        "len(remittances[0].claims)",
    ),
    "x12sdk": (
        "from x12sdk.io import X12ModelReader",
        """
        def x12sdk_models(text):
            with X12ModelReader(text) as reader:
                return list(reader.models())
        """,
        "x12sdk_models(TEXT)",
        "sum(len(loop.loop_2100) for loop in remittances[0].loop_2000)",
    ),
}
_FIGURES = ("import", "remittances.first", "remittances.steady")


def programs(path: Path) -> dict[str, Program]:
    """
    One fresh-process program per subject, reading the 835 at *path*.

    The text is read from the file in the untimed setup; the first step reads
    it as an 835, the second checks the count of claims once (not reported).
    """
    out = {}
    for subject, (imports, helpers, read, count) in SUBJECTS.items():
        setup = textwrap.dedent(helpers) + (
            f"TEXT = open({str(path)!r}, encoding='ascii').read()\n"
            "def expect(found):\n"
            f"    if found != {CLAIMS}:\n"
            f"        raise SystemExit('{subject} did not read {CLAIMS} claims')\n"
        )
        out[subject] = Program(
            imports,
            setup,
            (Step("remittances", read), Step("counted", f"expect({count})", calls=0)),
        )
    return out


def figures(runs: int, calls: int, timer: str) -> dict[str, Any]:
    """
    Each subject in fresh interpreters, and the ratios x12sdk / soapbill.
    """
    text = remittance_text()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "remittance.835"
        path.write_text(text, encoding="ascii")
        found = fresh(programs(path), runs, calls, timer)
    out: dict[str, Any] = {
        "python": sys.version.split()[0],
        "claims": CLAIMS,
        "bytes": len(text),
        "runs": runs,
        "calls": calls,
        "timer": timer,
        "bar": BAR,
        "ms": {
            subject: {
                key.removeprefix("remittances."): found[subject][key].scaled(1e3, 1)
                for key in _FIGURES
            }
            for subject in SUBJECTS
        },
    }
    for when in ("first", "steady"):
        key = f"remittances.{when}"
        out[f"{when}_x12sdk_vs_soapbill"] = (found["x12sdk"][key] / found["soapbill"][key]).scaled(
            1, 2
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per subject")
    parser.add_argument("--calls", type=int, default=5, help="steady reads per interpreter")
    parser.add_argument("--timer", choices=["wall", "cpu"], default="wall", help="the clock")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: one interpreter, one read"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--fail", action="store_true", help="exit 1 when a bar is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.calls = 1, 1
    results = figures(args.runs, args.calls, args.timer)
    ratios = {when: results[f"{when}_x12sdk_vs_soapbill"] for when in ("first", "steady")}
    missed = [when for when, ratio in ratios.items() if ratio["median"] < BAR]
    if args.json:
        print(json.dumps(results))
    else:
        print(
            f"835 of {CLAIMS} claims, {results['bytes']:,} bytes; fresh interpreters "
            f"({args.runs} each; first read, then {args.calls} reads; median [fastest])"
        )
        print(f"{'subject':10} {'import ms':>16} {'first ms':>16} {'steady ms':>16}")
        for subject, ms in results["ms"].items():
            cells = "".join(
                f" {ms[key]['median']:8.1f} [{ms[key]['min']:5.1f}]"
                for key in ("import", "first", "steady")
            )
            print(f"{subject:10}{cells}")
        for when, ratio in ratios.items():
            verdict = "MISSED" if when in missed else "ok"
            print(
                f"x12sdk / soapbill, {when} read: {ratio['median']:.1f}x "
                f"[{ratio['min']:.1f}x] (bar {BAR:.0f}x) {verdict}"
            )
    return 1 if args.fail and missed else 0


if __name__ == "__main__":
    sys.exit(main())
