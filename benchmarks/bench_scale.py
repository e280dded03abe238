"""
soapbill at the size of the work: full CMS tables, batches of claims, a cluster.

Everything runs in fresh interpreters (the shared harness, ``_timing``), on
data this script generates in a temporary directory (the real CMS files are
not reachable from CI):

* **tables**: a synthetic practitioner PTP table of ``--rows`` rows (2,000,000)
  in the CMS file layout (two title rows, the four-row header, tab-separated,
  sorted by pair) and an MUE table of 20,000 codes. Each is read by Python's
  :mod:`csv` module alone (the floor) and loaded by ``PtpEdits.load`` /
  ``MueLimits.load``; the bar is 3 x the csv time. The memory of the loaded
  table (``tracemalloc``: what stays allocated, and the peak while loading)
  per edit has the bar 150 bytes. Then the pickle of a policy with the full
  table attached (``policy.with_edits``): its size and the time to dump and
  load it.
* **batch**: ``--claims`` (100,000) cases, the seed story's claim with its own
  id, checked against the ``commercial`` policy with the full PTP table:
  ``check_many`` with 1, 2 and all cores (``jobs``; the figure excludes the
  table's load, which each run reports apart), against a plain Python loop of
  ``from_json`` + ``evaluate`` + ``to_json`` over the same lines (the bar:
  ``jobs=1`` within 1.5 x of the loop). Then the command line, ``soapbill
  check --batch --ptp ... --jobs N``, its whole wall time. The peak memory
  (``ru_maxrss`` of the process and of its pool) with a tenth of the claims
  and with all of them: it must not grow with the number of claims.
* **dask**: the same claims, in 8 files, on a ``distributed.LocalCluster`` of
  2 worker processes (``check_bag``, written back with ``to_textfiles``),
  against ``jobs=2``; the cluster's start is timed apart.

    python benchmarks/bench_scale.py              # the figures of docs/performance.md
    python benchmarks/bench_scale.py --fail       # exit 1 when a bar is missed
    python benchmarks/bench_scale.py --quick      # a smoke run: small data, one run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _timing import run_child

ROOT = Path(__file__).resolve().parent.parent
CLAIM = ROOT / "examples" / "claim.json"
ROWS = 2_000_000
CLAIMS = 100_000
MUE_CODES = 20_000
LOAD_BAR = 3.0
MEMORY_BAR = 150.0
LOOP_BAR = 1.5
AS_OF = "2026-03-16"
RATIONALES = (
    "Misuse of column two code with column one code",
    "Standards of medical / surgical practice",
    "Mutually exclusive procedures",
    "CPT Manual or CMS manual coding instruction",
    "More extensive procedure",
)
MAIS = ("1 Line Edit", "2 Date of Service Edit: Policy", "3 Date of Service Edit: Clinical")


# --- the data -------------------------------------------------------------------------------


def write_ptp(path: Path, rows: int, seed: int = 15) -> None:
    """
    A PTP table of *rows* rows in the CMS layout, sorted by pair.
    """
    rnd = random.Random(seed)  # noqa: S311 - synthetic data
    column1s = sorted({*rnd.sample(range(10000, 99999), max(1, rows // 1000)), 97140})
    per = -(-rows // len(column1s))
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "CPT only copyright 2025 American Medical Association.  All rights reserved."
            "\t\t\t\t\t\t\r\n"
            "Column1/Column2 Edits\t\t\t\t\t\t\r\n"
            "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\t"
            "PTP Edit Rationale\r\n"
            "\t\tprior to 1996\tDate\tDate\t0=not allowed\t\r\n"
            "\t\t\t\t*=no data\t1=allowed\t\r\n"
            "\t\t\t\t\t9=not applicable\t\r\n"
        )
        for column1 in column1s:
            column2s = set(rnd.sample(range(10000, 99999), per))
            if column1 == 97140:
                column2s |= {97124, 97530}
            for column2 in sorted(column2s):
                if written == rows:
                    return
                effective = rnd.choice(("19960101", "20100101", "20150101", "20200101"))
                deleted = "*" if rnd.random() < 0.8 else rnd.choice(("20121231", "20221231"))
                prior = "*" if effective == "19960101" else ""
                modifier = rnd.choice("0119")
                rationale = rnd.choice(RATIONALES)
                out.write(
                    f"{column1}\t{column2}\t{prior}\t{effective}\t{deleted}\t{modifier}\t"
                    f"{rationale}\r\n"
                )
                written += 1


def write_mue(path: Path, codes: int, seed: int = 15) -> None:
    rnd = random.Random(seed)  # noqa: S311 - synthetic data
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Medically Unlikely Edits, Practitioner Services, a synthetic table,,,\r\n")
        out.write(
            "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,"
            "MUE Rationale\r\n"
        )
        for code in sorted(rnd.sample(range(10000, 99999), codes)):
            mai = rnd.choice(
                (
                    "1 Line Edit",
                    "2 Date of Service Edit: Policy",
                    "3 Date of Service Edit: Clinical",
                )
            )
            out.write(f"{code},{rnd.randint(1, 12)},{mai},Clinical: Data\r\n")


def write_cases(path: Path, claims: int) -> None:
    """
    *claims* cases, one a line: the seed story's claim, each with its own id.
    """
    claim = json.dumps(json.loads(CLAIM.read_text(encoding="utf-8")), separators=(",", ":"))
    head, tail = claim.split('"clm-001"', 1)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for i in range(claims):
            out.write(f'{{"claim": {head}"clm-{i:07d}"{tail}}}\n')


# --- the fresh interpreters -------------------------------------------------------------

_TABLES = """\
import csv, pickle, time, tracemalloc
from soapbill.billing.ncci import MueLimits, PtpEdits
from soapbill.rules import policies

def csv_read(path, delimiter):
    start = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as stream:
        for row in csv.reader(stream, delimiter=delimiter):
            pass
    return time.perf_counter() - start

out = {{}}
out["ptp_csv_s"] = csv_read({ptp!r}, "\\t")
start = time.perf_counter()
table = PtpEdits.load({ptp!r}, quarter="2026Q1")
out["ptp_load_s"] = time.perf_counter() - start
out["edits"] = len(table)
out["mue_csv_s"] = csv_read({mue!r}, ",")
start = time.perf_counter()
limits = MueLimits.load({mue!r}, quarter="2026Q1")
out["mue_load_s"] = time.perf_counter() - start
out["mue_codes"] = len(limits)
del table
tracemalloc.start()
table = PtpEdits.load({ptp!r}, quarter="2026Q1")
held, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
out["held_bytes_per_edit"] = held / len(table)
out["peak_bytes_per_edit"] = peak / len(table)
policy = policies.load("commercial").with_edits(table, limits)
start = time.perf_counter()
data = pickle.dumps(policy, protocol=pickle.HIGHEST_PROTOCOL)
out["pickle_dump_s"] = time.perf_counter() - start
out["pickle_bytes"] = len(data)
start = time.perf_counter()
again = pickle.loads(data)
out["pickle_load_s"] = time.perf_counter() - start
assert len(again.ptp_table) == len(table)
print(json.dumps(out))
"""

_RUN = """\
import resource, time
from datetime import date
from soapbill.batch import check_many
from soapbill.billing.ncci import PtpEdits
from soapbill.formats.json import from_json, to_json
from soapbill.claims import Claim
from soapbill.rules import evaluate, policies

out = {{}}
start = time.perf_counter()
policy = policies.load("commercial").with_edits(PtpEdits.load({ptp!r}))
out["table_s"] = time.perf_counter() - start
as_of = date.fromisoformat({as_of!r})
checked = 0
start = time.perf_counter()
with open({cases!r}, "rb") as cases, open(os.devnull, "w", encoding="utf-8") as sink:
    if {jobs!r} is None:
        # The plain loop: the claim is the line less '{{"claim": ' and '}}'.
        for line in cases:
            decision = evaluate(from_json(line[10:-2], Claim), policy, as_of=as_of)
            sink.write(to_json(decision) + "\\n")
            checked += 1
    else:
        for outcome in check_many(cases, policy, as_of=as_of, jobs={jobs!r}):
            sink.write(outcome.to_json() + "\\n")
            checked += outcome.error is None
out["run_s"] = time.perf_counter() - start
out["checked"] = checked
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
pool = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
out["peak_rss_mb"] = max(own, pool) / 1024
print(json.dumps(out))
"""

_DASK = """\
import glob, logging, time
from datetime import date
import dask.bag
import distributed
from soapbill.batch import check_bag
from soapbill.billing.ncci import PtpEdits
from soapbill.rules import policies


def main():
    out = {{}}
    policy = policies.load("commercial").with_edits(PtpEdits.load({ptp!r}))
    start = time.perf_counter()
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    client = distributed.Client(cluster)
    out["cluster_start_s"] = time.perf_counter() - start
    start = time.perf_counter()
    lines = dask.bag.read_text({parts!r}, blocksize=None)
    checked = check_bag(lines, policy, as_of=date.fromisoformat({as_of!r}), client=client)
    checked.to_textfiles({results!r})
    out["run_s"] = time.perf_counter() - start
    out["checked"] = sum(1 for name in glob.glob({results!r}) for _ in open(name))
    client.close()
    cluster.close()
    print(json.dumps(out))


# The cluster's worker processes import this file again: only here does it run.
if __name__ == "__main__":
    main()
"""


def _child(template: str, **values: object) -> dict[str, float]:
    source = "import json, os\n" + template.format(**values)
    return run_child(source)


def _script(folder: Path, template: str, **values: object) -> dict[str, float]:
    """
    Run *template* as a script file: the cluster's processes import it again.
    """
    script = folder / "dask_child.py"
    script.write_text("import json, os\n" + template.format(**values), encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(script)], capture_output=True, check=False, text=True
    )
    if result.returncode != 0:
        msg = f"the Dask run failed:\n{result.stderr}"
        raise RuntimeError(msg)
    figures: dict[str, float] = json.loads(result.stdout.splitlines()[-1])
    return figures


def _cli(cases: Path, ptp: Path, jobs: int) -> float:
    start = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own interpreter and command
        [
            sys.executable,
            "-m",
            "soapbill",
            "check",
            "--batch",
            str(cases),
            "--policy",
            "commercial",
            "--ptp",
            str(ptp),
            "--jobs",
            str(jobs),
            "--as-of",
            AS_OF,
            "--diagnoses",
            "none",
            "--out",
            os.devnull,
        ],
        capture_output=True,
        check=False,
        text=True,
    )
    elapsed = time.perf_counter() - start
    # 0 or 1: every case read; 1 when some claim is not eligible.
    if result.returncode not in {0, 1}:
        msg = f"soapbill check --batch failed:\n{result.stderr}"
        raise RuntimeError(msg)
    return elapsed


def _split(cases: Path, parts: int, folder: Path) -> None:
    lines = cases.read_text(encoding="utf-8").splitlines(keepends=True)
    size = -(-len(lines) // parts)
    for k in range(parts):
        (folder / f"part-{k}.jsonl").write_text("".join(lines[k * size : (k + 1) * size]))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def measure(rows: int, claims: int, runs: int, *, dask: bool) -> dict[str, Any]:
    cores = os.cpu_count() or 1
    figures: dict[str, Any] = {"rows": rows, "claims": claims, "cores": cores}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ptp, mue, cases, small = (
            folder / n for n in ("ptp.txt", "mue.csv", "cases.jsonl", "small.jsonl")
        )
        write_ptp(ptp, rows)
        write_mue(mue, min(MUE_CODES, rows))
        write_cases(cases, claims)
        write_cases(small, max(1, claims // 10))

        tables = [_child(_TABLES, ptp=str(ptp), mue=str(mue)) for _ in range(runs)]
        table = {key: _median([t[key] for t in tables]) for key in tables[0]}
        table["ptp_load_vs_csv"] = table["ptp_load_s"] / table["ptp_csv_s"]
        table["mue_load_vs_csv"] = table["mue_load_s"] / table["mue_csv_s"]
        figures["tables"] = table

        batch: dict[str, Any] = {}
        for name, jobs in (("loop", None), ("jobs_1", 1), ("jobs_2", 2), ("jobs_all", 0)):
            results = [
                _child(_RUN, ptp=str(ptp), cases=str(cases), jobs=jobs, as_of=AS_OF)
                for _ in range(runs)
            ]
            run = {key: _median([r[key] for r in results]) for key in results[0]}
            run["claims_per_s"] = claims / run["run_s"]
            batch[name] = run
        for name in ("jobs_1", "jobs_2", "jobs_all"):
            workers = {"jobs_1": 1, "jobs_2": 2, "jobs_all": cores}[name]
            batch[name]["claims_per_s_per_core"] = batch[name]["claims_per_s"] / workers
            batch[name]["speed_up"] = batch["jobs_1"]["run_s"] / batch[name]["run_s"]
        batch["jobs_1_vs_loop"] = batch["jobs_1"]["run_s"] / batch["loop"]["run_s"]
        tenth = _child(_RUN, ptp=str(ptp), cases=str(small), jobs=2, as_of=AS_OF)
        batch["peak_rss_mb_tenth_jobs_2"] = tenth["peak_rss_mb"]
        batch["peak_rss_mb_all_jobs_2"] = batch["jobs_2"]["peak_rss_mb"]
        batch["cli_s"] = {
            f"jobs_{jobs}": _median([_cli(cases, ptp, jobs) for _ in range(runs)])
            for jobs in (1, 2)
        }
        figures["batch"] = batch

        if dask:
            parts = folder / "parts"
            parts.mkdir()
            _split(cases, 8, parts)
            results_folder = folder / "results"
            runs_dask = [
                _script(
                    folder,
                    _DASK,
                    ptp=str(ptp),
                    parts=str(parts / "part-*.jsonl"),
                    results=str(results_folder / "*.jsonl"),
                    as_of=AS_OF,
                )
                for _ in range(runs)
            ]
            run = {key: _median([r[key] for r in runs_dask]) for key in runs_dask[0]}
            run["claims_per_s"] = claims / run["run_s"]
            run["vs_jobs_2"] = run["run_s"] / batch["jobs_2"]["run_s"]
            figures["dask"] = run
    return figures


def _report(figures: dict[str, Any]) -> None:
    t, b = figures["tables"], figures["batch"]
    print(f"machine: {figures['cores']} cores")
    print(
        f"PTP table, {t['edits']:,.0f} edits: csv read {t['ptp_csv_s']:.2f} s, load "
        f"{t['ptp_load_s']:.2f} s = {t['ptp_load_vs_csv']:.2f} x csv (bar {LOAD_BAR})"
    )
    print(
        f"  memory {t['held_bytes_per_edit']:.1f} bytes/edit held, peak "
        f"{t['peak_bytes_per_edit']:.1f} while loading (bar {MEMORY_BAR})"
    )
    print(
        f"MUE table, {t['mue_codes']:,.0f} codes: csv {t['mue_csv_s'] * 1000:.0f} ms, load "
        f"{t['mue_load_s'] * 1000:.0f} ms = {t['mue_load_vs_csv']:.2f} x csv"
    )
    print(
        f"policy with both tables: pickle {t['pickle_bytes'] / 1e6:.1f} MB, dump "
        f"{t['pickle_dump_s'] * 1000:.0f} ms, load {t['pickle_load_s'] * 1000:.0f} ms"
    )
    print(f"batch of {figures['claims']:,} claims (the table's load apart):")
    for name in ("loop", "jobs_1", "jobs_2", "jobs_all"):
        run = b[name]
        extra = ""
        if name != "loop":
            extra = (
                f", {run['claims_per_s_per_core']:,.0f}/s per core, speed-up {run['speed_up']:.2f}"
            )
        print(
            f"  {name}: {run['run_s']:.2f} s, {run['claims_per_s']:,.0f} claims/s{extra}, "
            f"peak RSS {run['peak_rss_mb']:.0f} MB (table {run['table_s']:.2f} s)"
        )
    print(f"  jobs=1 / plain loop = {b['jobs_1_vs_loop']:.2f} (bar {LOOP_BAR})")
    print(
        f"  peak RSS, jobs=2: {b['peak_rss_mb_tenth_jobs_2']:.0f} MB with a tenth of the claims, "
        f"{b['peak_rss_mb_all_jobs_2']:.0f} MB with all"
    )
    print(
        f"  soapbill check --batch (whole command): jobs 1 {b['cli_s']['jobs_1']:.2f} s, "
        f"jobs 2 {b['cli_s']['jobs_2']:.2f} s"
    )
    if "dask" in figures:
        d = figures["dask"]
        print(
            f"dask LocalCluster (2 workers): {d['run_s']:.2f} s, {d['claims_per_s']:,.0f} "
            f"claims/s = {d['vs_jobs_2']:.2f} x jobs=2's time (cluster start "
            f"{d['cluster_start_s']:.2f} s apart)"
        )


def _missed(figures: dict[str, Any]) -> list[str]:
    t, b = figures["tables"], figures["batch"]
    missed = []
    if t["ptp_load_vs_csv"] > LOAD_BAR:
        missed.append("PTP load over 3 x csv")
    if t["peak_bytes_per_edit"] > MEMORY_BAR:
        missed.append("PTP memory over 150 bytes an edit")
    if b["jobs_1_vs_loop"] > LOOP_BAR:
        missed.append("check_many jobs=1 over 1.5 x the plain loop")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--claims", type=int, default=CLAIMS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-dask", action="store_true", help="skip the cluster")
    parser.add_argument("--quick", action="store_true", help="a smoke run: small data, one run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--fail", action="store_true", help="exit 1 when a bar is missed")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.claims, args.runs = 20_000, 300, 1
    figures = measure(args.rows, args.claims, args.runs, dask=not args.no_dask)
    if args.json:
        print(json.dumps(figures))
    else:
        _report(figures)
    missed = _missed(figures)
    if missed and args.fail:
        print("missed: " + "; ".join(missed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
