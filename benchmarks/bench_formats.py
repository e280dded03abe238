"""
Speed of the claim formats against soapbill's own JSON.

Each format writes the same 6-line claim with 6 diagnoses; its time is divided
by the time of :func:`soapbill.formats.json.to_json` on that claim. The bars:
the X12 837P at most 2x the JSON, FHIR at most 3x, each for a file of that one
claim. :data:`FORMATS` lists the entries, ``(name, function, bar, claims)``; a
format without a bar is timed for information, and an entry that writes
several claims is divided by their number: ``x12_837p_batch`` is the cost of
one claim in a file of :data:`BATCH` claims of the same billing provider, the
envelope and the billing provider's loop shared, as in a practice's daily
file. Method as in ``bench_serialize.py``: one process, a calibrated loop per
format, interleaved repeats, the median. Pin it to one CPU for stable figures::

    taskset -c 1 python benchmarks/bench_formats.py
    taskset -c 1 python benchmarks/bench_formats.py --json --timer cpu
    taskset -c 1 python benchmarks/bench_formats.py --stat min --repeats 60 --seconds 0.02
    python benchmarks/bench_formats.py --check   # run each format once

With ``--fail`` the exit status is 1 when a format is over its bar.
"""

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime

import attrs

from _timing import CPU, STATS, WALL, bench
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
from soapbill.formats.cms1500 import cms1500_pages
from soapbill.formats.fhir import to_fhir_json
from soapbill.formats.json import to_json
from soapbill.formats.x12 import Receiver, Submitter, write_837p

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
SUBMITTER = Submitter(
    name="Harbor Massage Clinic", id="HARBOR01", contact_name="Jo Park", phone="2065550100"
)
RECEIVER = Receiver(name="Example Clearinghouse", id="CLEARING01")
CREATED = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)

#: The baseline every format is divided by.
BASELINE: tuple[str, Callable[[], object]] = ("json", lambda: to_json(CLAIM))

#: ``(name, function, bar, claims)``: each function writes CLAIM (or *claims*
#: claims); bar is the most the time of one claim may be, as a multiple of the
#: baseline's (``None``: no bar).
FORMATS: list[tuple[str, Callable[[], object], float | None, int]] = [
    (
        "x12_837p",
        lambda: write_837p(
            [CLAIM], submitter=SUBMITTER, receiver=RECEIVER, control_number=1, created=CREATED
        ),
        2.0,
        1,
    ),
    (
        "x12_837p_batch",
        lambda: write_837p(
            CLAIMS, submitter=SUBMITTER, receiver=RECEIVER, control_number=1, created=CREATED
        ),
        None,
        BATCH,
    ),
    ("fhir_r4", lambda: to_fhir_json(CLAIM, created=CREATED.date()), 3.0, 1),
    ("cms1500_pages", lambda: cms1500_pages(CLAIM), None, 1),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check", action="store_true", help="only run each format once")
    parser.add_argument("--fail", action="store_true", help="exit 1 when a format is over its bar")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repeats")
    parser.add_argument("--seconds", type=float, default=0.25, help="length of one timed loop")
    parser.add_argument("--timer", choices=["wall", "cpu"], default="wall", help="the clock")
    parser.add_argument(
        "--stat", choices=sorted(STATS), default="median", help="the figure of the repeats"
    )
    args = parser.parse_args()
    clock = WALL if args.timer == "wall" else CPU

    variants = {BASELINE[0]: BASELINE[1]} | {name: fn for name, fn, _, _ in FORMATS}
    sizes = {name: len(str(fn())) for name, fn in variants.items()}
    if args.check:
        print(", ".join(f"{name} {size} chars" for name, size in sizes.items()))
        return 0

    medians = bench(variants, args.repeats, args.seconds, clock, args.stat)
    base = medians[BASELINE[0]]
    results: dict[str, object] = {
        "timer": args.timer,
        "stat": args.stat,
        "lines": len(CLAIM.lines),
    }
    over = []
    for name, seconds in medians.items():
        results[f"{name}_us"] = round(seconds * 1e6, 2)
        results[f"{name}_chars"] = sizes[name]
    for name, _, bar, claims in FORMATS:
        ratio = medians[name] / claims / base
        results[f"{name}_vs_json"] = round(ratio, 3)
        if bar is not None:
            results[f"{name}_bar"] = bar
            if ratio > bar:
                over.append(name)
    results["over_bar"] = over

    if args.json:
        print(json.dumps(results))
    else:
        print(f"{BASELINE[0]:<14} {results[f'{BASELINE[0]}_us']:9.2f} us")
        for name, _, bar, claims in FORMATS:
            limit = "" if bar is None else f"  (bar {bar:.1f}x)"
            each = "" if claims == 1 else f"  (one of {claims} claims)"
            print(
                f"{name:<14} {results[f'{name}_us']:9.2f} us"
                f"  {results[f'{name}_vs_json']:6.2f}x json{limit}{each}"
            )
    return 1 if args.fail and over else 0


if __name__ == "__main__":
    sys.exit(main())
