"""
Speed of the claim formats against soapbill's own JSON.

Each format writes the same 6-line claim with 6 diagnoses; its time is divided
by the time of :func:`soapbill.formats.json.to_json` on that claim. The bars:
one claim of a daily 837P file at most 2x the JSON, FHIR at most 4x.
:data:`FORMATS` lists the entries (:class:`Format`); a format without a bar is
timed for information, and an entry that writes several claims is divided by
their number: ``x12_837p_batch`` is the cost of one claim in a file of
:data:`BATCH` claims of the same billing provider, the envelope and the billing
provider's loop shared, as in a practice's daily file.

Two measurements, both run by default (``--mode`` picks one):

* **warm**: in this process, a calibrated loop per format, interleaved
  repeats, the median (or the fastest, ``--stat min``);
* **fresh**: per format, ``--runs`` new interpreters that import, decode the
  claim from JSON (nothing is built by hand first), then time the format's
  first call and the next ``--calls`` calls; the median and the fastest over
  the interpreters. The bars are checked against the steady median. Each
  interpreter then writes ``--calls`` claims (or files) it has not written
  before, one per call: **new**, what a practice's process pays, where each
  claim is written once. Those claims are the benchmark's claim for other
  patients (other ids, names and birth dates) on the same day, so a memo of
  values that repeat from patient to patient (codes, charges, the date of
  service) still serves them, and one of a patient's values does not.

Pin it to one CPU for stable figures::

    taskset -c 1 python benchmarks/bench_formats.py
    taskset -c 1 python benchmarks/bench_formats.py --json --timer cpu
    taskset -c 1 python benchmarks/bench_formats.py --mode warm --stat min --repeats 60 \\
        --seconds 0.02
    python benchmarks/bench_formats.py --check   # run each format once
    python benchmarks/bench_formats.py --quick   # a smoke run of both measurements

With ``--fail`` the exit status is 1 when a format is over its bar.
"""

import argparse
import dataclasses
import json
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from _timing import CPU, STATS, WALL, Figure, Program, Step, bench, fresh
from bench_serialize import build_soapbill
from soapbill import (
    Attachment,
    AttachmentKind,
    Claim,
    Credential,
    Npi,
    PersonName,
    Provider,
)
from soapbill.formats.json import to_json
from soapbill.formats.x12 import Receiver, Submitter

SERVICE_DATE = date(2026, 3, 3)
DIAGNOSES = ("M54.50", "M62.830", "M54.2", "M79.18", "M25.511", "G44.209")


def build_claim() -> Claim:
    """
    The claim of ``bench_serialize.py``, with what the 837P also needs.

    The 837P wants a nine-digit ZIP code for the billing provider; a referring
    provider, an attachment and a prior authorisation make it write those loops.
    """
    claim = build_soapbill()
    billing = claim.billing_provider
    return attrs.evolve(
        claim,
        billing_provider=attrs.evolve(
            billing,
            address=attrs.evolve(billing.address, postal_code="981011234"),  # type: ignore[misc]
        ),
        referring_provider=Provider(
            npi=Npi("1558598797"),
            name=PersonName(family="Ortiz", given="Ana"),
            credential=Credential.MD,
        ),
        attachments=(Attachment(kind=AttachmentKind.SOAP_NOTE, id="NOTE-1"),),
        prior_authorization="AUTH-42",
    )


CLAIM = build_claim()
#: Claims in the batch entry: the claim as if for other patients (other claim,
#: patient and member ids), so each has its own subscriber level.
BATCH = 20
CLAIMS = [
    attrs.evolve(
        CLAIM,
        id=f"{CLAIM.id}-{n}",
        patient=attrs.evolve(CLAIM.patient, id=f"{CLAIM.patient.id}-{n}"),
        coverage=attrs.evolve(CLAIM.coverage, member_id=f"{CLAIM.coverage.member_id}{n}"),
    )
    for n in range(BATCH)
]


def new_claims(count: int) -> list[Claim]:
    """
    *count* claims like :data:`CLAIM` for as many other patients, on the same day.
    """
    patient, coverage = CLAIM.patient, CLAIM.coverage
    return [
        attrs.evolve(
            CLAIM,
            id=f"NEW-{n}",
            patient=attrs.evolve(
                patient,
                id=f"P-NEW-{n}",
                name=attrs.evolve(patient.name, family=f"{patient.name.family}{_letters(n)}"),
                birth_date=patient.birth_date - timedelta(days=n),
            ),
            coverage=attrs.evolve(coverage, member_id=f"NEW{n:08d}"),
        )
        for n in range(count)
    ]


def _letters(n: int) -> str:
    # A name holds letters: n in base 26.
    text = ""
    while True:
        n, digit = divmod(n, 26)
        text += "abcdefghijklmnopqrstuvwxyz"[digit]
        if not n:
            return text


#: The submitter and receiver of the 837P files, as keyword arguments.
SUBMITTER_ARGS = {
    "name": "Harbor Massage Clinic",
    "id": "HARBOR01",
    "contact_name": "Jo Park",
    "phone": "2065550100",
}
RECEIVER_ARGS = {"name": "Example Clearinghouse", "id": "CLEARING01"}
CREATED = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


@dataclasses.dataclass(frozen=True)
class Format:
    """
    One format entry.

    *expr* writes ``claim`` (or the list ``claims``) with ``submitter``,
    ``receiver`` and ``created`` at hand, after *imports*; the same text is
    timed here, warm, and in fresh interpreters. *bar* is the most the time of
    one claim may be, as a multiple of the baseline's (``None``: no bar); an
    entry that writes *claims* claims is divided by their number.
    """

    name: str
    imports: str
    expr: str
    bar: float | None = None
    claims: int = 1


_X12 = "from soapbill.formats.x12 import Receiver, Submitter, write_837p"
_837P = "write_837p({}, submitter=submitter, receiver=receiver, control_number=1, created=created)"

#: The baseline every format is divided by.
BASELINE = Format("json", "from soapbill.formats.json import to_json", "to_json(claim)")
FORMATS = [
    Format("x12_837p", _X12, _837P.format("[claim]")),
    Format("x12_837p_batch", _X12, _837P.format("claims"), 2.0, BATCH),
    Format(
        "fhir_r4",
        "from soapbill.formats.fhir import to_fhir_json",
        "to_fhir_json(claim, created=created.date())",
        4.0,
    ),
    Format(
        "cms1500_pages",
        "from soapbill.formats.cms1500 import cms1500_pages",
        "cms1500_pages(claim)",
    ),
]


def warm_variants() -> dict[str, Callable[[], object]]:
    """
    Each entry's expression as a function of this process's claim.
    """
    namespace: dict[str, Any] = {
        "claim": CLAIM,
        "claims": CLAIMS,
        "submitter": Submitter(**SUBMITTER_ARGS),
        "receiver": Receiver(**RECEIVER_ARGS),
        "created": CREATED,
    }
    for entry in (BASELINE, *FORMATS):
        exec(entry.imports, namespace)  # noqa: S102 - our own import statements
    return {
        entry.name: eval(f"lambda: {entry.expr}", namespace)  # noqa: S307 - our own expressions
        for entry in (BASELINE, *FORMATS)
    }


def fresh_program(entry: Format, paths: dict[str, Path], calls: int) -> Program:
    """
    A fresh interpreter that decodes the claim (and the batch) and writes *entry*.

    The claims come from JSON, so that the format meets them as a user's
    process would: nothing is built by hand first but the submitter and
    receiver, and those only for the 837P. Then it decodes *calls* + 1 new
    claims (or files of new claims), untimed, and writes one per call.
    """
    setup = f"""
        from datetime import datetime
        with open({str(paths["claim"])!r}, "rb") as f:
            TEXT = f.read()
        with open({str(paths["batch"])!r}, "rb") as f:
            BATCH = f.read().splitlines()
        with open({str(paths["new"])!r}, "rb") as f:
            NEW = f.read().splitlines()
        created = datetime.fromisoformat({CREATED.isoformat()!r})
    """
    steps = [Step("claim", "from_json(TEXT, Claim)", calls=0)]
    if "claims" in entry.expr:
        steps.append(Step("claims", "[from_json(line, Claim) for line in BATCH]", calls=0))
    if "submitter" in entry.expr:
        steps.append(Step("submitter", f"Submitter(**{SUBMITTER_ARGS!r})", calls=0))
        steps.append(Step("receiver", f"Receiver(**{RECEIVER_ARGS!r})", calls=0))
    steps.append(Step("written", entry.expr))
    # The new claims, decoded untimed; each call takes the next one.
    size = entry.claims
    steps.append(
        Step(
            "news",
            f"iter([[from_json(line, Claim) for line in NEW[k : k + {size}]]"
            f" for k in range(0, {(calls + 1) * size}, {size})])",
            calls=0,
        )
    )
    new_expr = entry.expr.replace("claims", "next(news)").replace("(claim", "(next(news)[0]")
    steps.append(Step("new", new_expr.replace("[claim]", "next(news)")))
    imports = (
        f"from soapbill import Claim\nfrom soapbill.formats.json import from_json\n{entry.imports}"
    )
    return Program(imports, setup, tuple(steps))


def fresh_figures(runs: int, calls: int, timer: str) -> dict[str, Any]:
    """
    Each entry in fresh interpreters: the first call after decoding, and steady.
    """
    with tempfile.TemporaryDirectory() as folder:
        paths = {name: Path(folder) / f"{name}.jsonl" for name in ("claim", "batch", "new")}
        paths["claim"].write_text(to_json(CLAIM), encoding="utf-8")
        paths["batch"].write_text("\n".join(to_json(each) for each in CLAIMS), encoding="utf-8")
        count = (calls + 1) * max(entry.claims for entry in FORMATS)
        paths["new"].write_text("\n".join(map(to_json, new_claims(count))), encoding="utf-8")
        programs = {
            entry.name: fresh_program(entry, paths, calls) for entry in (BASELINE, *FORMATS)
        }
        figures = fresh(programs, runs, calls, timer)
    results: dict[str, Any] = {"runs": runs, "calls": calls}
    over = []
    for entry in (BASELINE, *FORMATS):
        times = figures[entry.name]
        results[entry.name] = {
            f"{when}_us": times[f"written.{when}"].scaled(1e6) for when in ("first", "steady")
        }
        results[entry.name]["new_us"] = times["new.steady"].scaled(1e6)
        results[entry.name]["import_ms"] = times["import"].scaled(1e3, 1)
        if entry is BASELINE:
            continue
        for when, step in (("first", "written.first"), ("steady", "written.steady"),
                           ("new", "new.steady")):  # fmt: skip
            ratio = times[step] / figures[BASELINE.name][step]
            results[entry.name][f"{when}_vs_json"] = Figure(
                ratio.median / entry.claims, ratio.min / entry.claims
            ).scaled(1, 3)
        if entry.bar is not None:
            results[entry.name]["bar"] = entry.bar
            if results[entry.name]["steady_vs_json"]["median"] > entry.bar:
                over.append(entry.name)
    results["over_bar"] = over
    return results


def warm_figures(args: argparse.Namespace) -> dict[str, Any]:
    """
    Each entry in this process, warm: µs per call and the ratio to the JSON.
    """
    clock = WALL if args.timer == "wall" else CPU
    medians = bench(warm_variants(), args.repeats, args.seconds, clock, args.stat)
    base = medians[BASELINE.name]
    results: dict[str, Any] = {"stat": args.stat}
    over = []
    for name, seconds in medians.items():
        results[f"{name}_us"] = round(seconds * 1e6, 2)
    for entry in FORMATS:
        ratio = medians[entry.name] / entry.claims / base
        results[f"{entry.name}_vs_json"] = round(ratio, 3)
        if entry.bar is not None:
            results[f"{entry.name}_bar"] = entry.bar
            if ratio > entry.bar:
                over.append(entry.name)
    results["over_bar"] = over
    return results


def print_figures(results: dict[str, Any]) -> None:
    if "warm" in results:
        warm = results["warm"]
        print(f"warm, in this process ({warm['stat']} of the repeats):")
        print(f"  {BASELINE.name:<14} {warm[f'{BASELINE.name}_us']:9.2f} us")
        for entry in FORMATS:
            limit = "" if entry.bar is None else f"  (bar {entry.bar:.1f}x)"
            each = "" if entry.claims == 1 else f"  (one of {entry.claims} claims)"
            print(
                f"  {entry.name:<14} {warm[f'{entry.name}_us']:9.2f} us"
                f"  {warm[f'{entry.name}_vs_json']:6.2f}x json{limit}{each}"
            )
    if "fresh" in results:
        cold = results["fresh"]
        print(
            f"fresh interpreters ({cold['runs']} each; decode, first call, then"
            f" {cold['calls']} calls, then {cold['calls']} new claims; median [fastest]):"
        )
        for entry in (BASELINE, *FORMATS):
            figures = cold[entry.name]
            first, steady, new = figures["first_us"], figures["steady_us"], figures["new_us"]
            line = (
                f"  {entry.name:<14} first {first['median']:9.1f} us [{first['min']:.1f}]"
                f"  steady {steady['median']:8.2f} us [{steady['min']:.2f}]"
            )
            if entry is not BASELINE:
                ratio = figures["steady_vs_json"]
                limit = "" if entry.bar is None else f" (bar {entry.bar:.1f}x)"
                line += f"  {ratio['median']:5.2f}x json [{ratio['min']:.2f}]{limit}"
            line += f"\n  {'':<14} new   {new['median']:9.2f} us [{new['min']:.2f}]"
            if entry is not BASELINE:
                ratio = figures["new_vs_json"]
                line += f"  {ratio['median']:5.2f}x json's new [{ratio['min']:.2f}]"
            print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check", action="store_true", help="only run each format once")
    parser.add_argument("--fail", action="store_true", help="exit 1 when a format is over its bar")
    parser.add_argument(
        "--mode", choices=["both", "warm", "fresh"], default="both", help="what to measure"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny loops, one run")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved warm repeats")
    parser.add_argument("--seconds", type=float, default=0.25, help="length of one warm loop")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per format")
    parser.add_argument("--calls", type=int, default=300, help="steady calls after the first")
    parser.add_argument("--timer", choices=["wall", "cpu"], default="wall", help="the clock")
    parser.add_argument(
        "--stat", choices=sorted(STATS), default="median", help="the figure of the warm repeats"
    )
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.seconds, args.runs, args.calls = 1, 0.002, 1, 3

    variants = warm_variants()
    sizes = {name: len(str(fn())) for name, fn in variants.items()}
    if args.check:
        print(", ".join(f"{name} {size} chars" for name, size in sizes.items()))
        return 0

    results: dict[str, Any] = {
        "python": sys.version.split()[0],
        "timer": args.timer,
        "lines": len(CLAIM.lines),
        "chars": sizes,
    }
    if args.mode != "fresh":
        results["warm"] = warm_figures(args)
    if args.mode != "warm":
        results["fresh"] = fresh_figures(args.runs, args.calls, args.timer)
    over = results.get("warm", {}).get("over_bar", []) + results.get("fresh", {}).get(
        "over_bar", []
    )
    if args.json:
        print(json.dumps(results))
    else:
        print_figures(results)
    return 1 if args.fail and over else 0


if __name__ == "__main__":
    sys.exit(main())
