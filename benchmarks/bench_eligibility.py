"""
Speed of reading a 271 against x12sdk, in fresh processes.

The file: one 271 answering for the seed story's patient with 50 benefit
segments (``EB``): active coverage, copays, co-insurance and deductibles in and
out of network, visit limits, some with messages, written by soapbill's test
writer. Each subject runs in ``--runs`` new interpreters (``_timing.fresh``)
that import it, read the file's text, then time the first read and the median
of ``--calls`` more:

* ``soapbill``: :func:`soapbill.eligibility.read_271`, which builds the typed
  responses and their benefits;
* ``x12sdk``: ``x12sdk.io.X12ModelReader(text).models()``, its pydantic
  005010X279A1 models. x12sdk 2.2.0 refuses parts of the guide (``EB09``
  typed as a number, among others: ``tests/eligibility_support.py``); its
  fields are widened as the tests widen them, before the timing.

Both must find the 50 benefits. The bar: soapbill at least 5 times faster than
x12sdk, on the first read and on the steady reads (medians over the
interpreters). ``--fail`` exits with status 1 when a bar is missed.

    taskset -c 1 python benchmarks/bench_eligibility.py
    python benchmarks/bench_eligibility.py --runs 3 --calls 5 --fail
    python benchmarks/bench_eligibility.py --check   # both read the 50 benefits
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from _timing import Figure, Program, Step, fresh
from soapbill import Npi, Payer, Sex
from soapbill._eligibility_writer import Envelope, write_271
from soapbill.eligibility import (
    Benefit,
    BenefitCode,
    CoverageLevel,
    EligibilityResponse,
    Indicator,
    Member,
    QuantityQualifier,
    ServiceType,
    TimePeriod,
)
from soapbill.formats.x12 import Receiver, Submitter

BENEFITS = 50
BAR = 5.0
TESTS = Path(__file__).resolve().parent.parent / "tests"

_SERVICES = (
    (ServiceType.MASSAGE_THERAPY,),
    (ServiceType.PHYSICAL_MEDICINE, ServiceType.PHYSICAL_THERAPY),
    (ServiceType.CHIROPRACTIC,),
    (ServiceType.HEALTH_BENEFIT_PLAN_COVERAGE,),
    (ServiceType.PROFESSIONAL_PHYSICIAN_VISIT_OFFICE,),
)


def _benefit(i: int) -> Benefit:
    services = _SERVICES[i % len(_SERVICES)]
    network = Indicator.YES if i % 2 else Indicator.NO
    kind = i % 5
    if kind == 0:
        return Benefit(
            code=BenefitCode.CO_PAYMENT,
            coverage_level=CoverageLevel.INDIVIDUAL,
            service_types=services,
            time_period=TimePeriod.VISIT,
            amount=Decimal(20 + i),
            in_network=network,
        )
    if kind == 1:
        return Benefit(
            code=BenefitCode.CO_INSURANCE,
            coverage_level=CoverageLevel.INDIVIDUAL,
            service_types=services,
            percent=Decimal(20 if network is Indicator.YES else 40),
            in_network=network,
        )
    if kind == 2:
        return Benefit(
            code=BenefitCode.DEDUCTIBLE,
            coverage_level=CoverageLevel.FAMILY if i % 3 else CoverageLevel.INDIVIDUAL,
            service_types=services,
            time_period=TimePeriod.REMAINING if i % 4 else TimePeriod.CALENDAR_YEAR,
            amount=Decimal("150.00") + i,
            in_network=network,
        )
    if kind == 3:
        return Benefit(
            code=BenefitCode.LIMITATIONS,
            coverage_level=CoverageLevel.INDIVIDUAL,
            service_types=services,
            time_period=TimePeriod.CALENDAR_YEAR if i % 2 else TimePeriod.YEAR_TO_DATE,
            quantity_qualifier=QuantityQualifier.VISITS,
            quantity=Decimal(20 if i % 2 else 12),
            authorization=Indicator.YES,
            messages=("VISIT LIMIT SHARED BY PHYSICAL THERAPY AND MASSAGE",),
        )
    return Benefit(
        code=BenefitCode.ACTIVE_COVERAGE,
        coverage_level=CoverageLevel.INDIVIDUAL,
        service_types=services,
        plan="EXAMPLE PPO GOLD",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
    )


def response_text(benefits: int = BENEFITS) -> str:
    """
    The benchmark's 271: one patient and *benefits* benefit segments.
    """
    response = EligibilityResponse(
        control_number="0001",
        trace_number="elig-0001",
        payer=Payer(id="EXHP1", name="EXAMPLE HEALTH PLAN"),
        provider_npi=Npi("1234567893"),
        subscriber=Member(
            family_name="PARK",
            given_name="JORDAN",
            member_id="XHP123456789",
            birth_date=date(1985, 4, 12),
            sex=Sex.FEMALE,
        ),
        group_number="GRP4400",
        coverage_start=date(2026, 1, 1),
        benefits=tuple(_benefit(i) for i in range(benefits)),
    )
    envelope = Envelope(
        submitter=Submitter(
            name="Example Health Plan", id="EXHP1", contact_name="EDI", phone="8005550100"
        ),
        receiver=Receiver(name="Cedar Massage Therapy", id="CEDAR01"),
    )
    return write_271([response], envelope)


def programs(path: Path) -> dict[str, Program]:
    """
    The fresh-process program of each subject, reading the text at *path*.
    """
    setup = f"text = open({str(path)!r}, encoding='ascii').read()"
    return {
        "soapbill": Program(
            imports="from soapbill.eligibility import read_271",
            setup=setup,
            steps=(Step("read", "len(read_271(text)[0].benefits)"),),
        ),
        "x12sdk": Program(
            imports="from x12sdk.io import X12ModelReader",
            setup=(
                f"{setup}\n"
                f"_sys.path.insert(0, {str(TESTS)!r})\n"
                "from eligibility_support import fix_x12sdk\n"
                "fix_x12sdk()\n"
                "def parse():\n"
                "    with X12ModelReader(text) as reader:\n"
                "        (model,) = reader.models()\n"
                "    subscriber = model.loop_2000a[0].loop_2000b[0].loop_2000c[0]\n"
                "    return len(subscriber.loop_2100c.loop_2110c)\n"
            ),
            steps=(Step("read", "parse()"),),
        ),
    }


def _check(path: Path) -> None:
    # Both subjects find every benefit, in this process, before any timing.
    namespace: dict[str, object] = {"_sys": sys}
    for program in programs(path).values():
        exec(program.imports + "\n" + program.setup, namespace)  # noqa: S102 - our own programs
        (step,) = program.steps
        found = eval(step.expr, namespace)  # noqa: S307 - our own expression
        if found != BENEFITS:
            msg = f"{step.expr} found {found} benefits, not {BENEFITS}"
            raise SystemExit(msg)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per subject")
    parser.add_argument("--calls", type=int, default=20, help="steady reads per interpreter")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--fail", action="store_true", help="exit 1 when a bar is missed")
    parser.add_argument(
        "--check", action="store_true", help="only check that both subjects read every benefit"
    )
    args = parser.parse_args(argv)
    text = response_text()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "response.271"
        path.write_text(text, encoding="ascii")
        _check(path)
        if args.check:
            print(f"agree: {len(text)} bytes, {BENEFITS} benefits")
            return 0
        figures = fresh(programs(path), args.runs, args.calls)
    ratios: dict[str, Figure] = {
        when: figures["x12sdk"][f"read.{when}"] / figures["soapbill"][f"read.{when}"]
        for when in ("first", "steady")
    }
    if args.json:
        print(
            json.dumps(
                {
                    "bytes": len(text),
                    "benefits": BENEFITS,
                    "figures": {
                        subject: {key: figure.scaled(1e3, 3) for key, figure in found.items()}
                        for subject, found in figures.items()
                    },
                    "ratios": {when: ratio.scaled(1, 1) for when, ratio in ratios.items()},
                },
                indent=2,
            )
        )
    else:
        print(f"271 of {BENEFITS} benefits, {len(text):,} bytes; medians of {args.runs} processes")
        print(f"{'subject':10} {'import ms':>10} {'first ms':>10} {'steady ms':>10}")
        for subject, found in figures.items():
            first, steady = found["read.first"].median, found["read.steady"].median
            print(
                f"{subject:10} {found['import'].median * 1e3:10.1f}"
                f" {first * 1e3:10.2f} {steady * 1e3:10.2f}"
            )
        for when, ratio in ratios.items():
            verdict = "ok" if ratio.median >= BAR else "MISSED"
            print(f"x12sdk / soapbill, {when} read: {ratio.median:.1f}x (bar {BAR:.0f}x) {verdict}")
    return 1 if args.fail and min(r.median for r in ratios.values()) < BAR else 0


if __name__ == "__main__":
    sys.exit(main())
