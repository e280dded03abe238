"""
``soapbill check --batch``: the command line's side of :mod:`soapbill.batch`.

``soapbill check --batch CASES.jsonl --policy NAME_OR_FILE [--jobs N]
[--out DECISIONS.jsonl] [--ptp FILE ...] [--mue FILE ...] [--ncci-quarter Q]``
reads one case a line (``-``: standard input), writes one output line per
case (``-`` or no ``--out``: standard output), reports each bad line on
standard error by its line number and paths, shows a progress bar there when
it is a terminal and the ``soapbill[progress]`` extra (tqdm) is installed,
and ends with the counts. Exit codes: 0 every claim eligible, 1 some claim
not eligible, 2 a bad line or bad input (the batch still runs to the end
when only lines are bad).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any, BinaryIO, Final, TextIO

from soapbill.cli import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    _diagnosis_table,
    _name,
    _policy,
    _say,
    _stdin,
    _UsageError,
)
from soapbill.errors import ValidationError

__all__ = ["add_arguments", "run"]

_STDIN: Final = "-"
#: Bad lines reported one by one on standard error; the rest are counted.
_MAX_REPORTED: Final = 100


def add_arguments(check: argparse.ArgumentParser) -> None:
    """
    Add the batch options to the ``check`` command.
    """
    batch = check.add_argument_group("batches (JSON Lines, one case a line)")
    batch.add_argument(
        "--batch",
        metavar="CASES.jsonl",
        help='check every line, a case {"claim": ..., "prescriptions": [...], "notes": [...], '
        '"history": [...], "care_plans": [...]} (- for standard input), instead of CLAIM.json',
    )
    batch.add_argument(
        "--out",
        default=_STDIN,
        metavar="DECISIONS.jsonl",
        help="where the decisions go, one line per case (default: standard output)",
    )
    batch.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="check with N processes (0: one per CPU; default: 1)",
    )
    batch.add_argument(
        "--ptp",
        action="append",
        default=[],
        metavar="FILE",
        help="a CMS practitioner PTP file to check with (repeatable)",
    )
    batch.add_argument(
        "--mue",
        action="append",
        default=[],
        metavar="FILE",
        help="a CMS practitioner MUE file to check with (repeatable)",
    )
    batch.add_argument(
        "--ncci-quarter",
        metavar="YYYYQn",
        help="the NCCI quarter of the --ptp and --mue files (a policy that names its quarter "
        "needs it)",
    )


def _jobs(text: str) -> int:
    msg = "expected a whole number, 0 or more"
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(msg) from None
    if jobs < 0:
        raise argparse.ArgumentTypeError(msg)
    return jobs


def run(args: argparse.Namespace, out: TextIO) -> int:
    """
    Run ``check --batch``; return the exit code.
    """
    from soapbill.batch import check_many  # noqa: PLC0415 - keeps --help fast

    _check_options(args)
    policy = _with_tables(args, _policy(args.policy)[0])
    as_of = date.today() if args.as_of is None else args.as_of  # noqa: DTZ011 - the CLI's default
    name = _name(args.batch)
    counts = {"eligible": 0, "not eligible": 0, "bad": 0}
    with _input(args.batch) as cases, _output(args.out, out) as sink, _progress() as progress:
        outcomes = check_many(
            cases,
            policy,
            as_of=as_of,
            jobs=args.jobs,
            diagnosis_table=_diagnosis_table(args.diagnoses),
        )
        for outcome in outcomes:
            _write(sink, args.out, outcome.to_json() + "\n")
            progress()
            if outcome.error is not None:
                counts["bad"] += 1
                if counts["bad"] <= _MAX_REPORTED:
                    _report(name, outcome.line, outcome.error)
            elif outcome.eligible:
                counts["eligible"] += 1
            else:
                counts["not eligible"] += 1
    total = sum(counts.values())
    if counts["bad"] > _MAX_REPORTED:
        _say(sys.stderr, f"{name}: {counts['bad'] - _MAX_REPORTED} more bad lines, in the output")
    _say(
        sys.stderr,
        f"{name}: {total} case{'' if total == 1 else 's'}: {counts['eligible']} eligible, "
        f"{counts['not eligible']} not eligible, {counts['bad']} bad "
        f"line{'' if counts['bad'] == 1 else 's'}",
    )
    if counts["bad"]:
        return EXIT_BAD_INPUT
    return EXIT_FAILED if counts["not eligible"] else EXIT_OK


def _check_options(args: argparse.Namespace) -> None:
    if (args.claim is None) == (args.batch is None):
        msg = "give CLAIM.json or --batch, not both" if args.claim else "give CLAIM.json or --batch"
        raise _UsageError(msg)
    singles = [name for name in ("rx", "note", "history", "plan") if getattr(args, name)]
    if singles:
        options = ", ".join(f"--{name}" for name in singles)
        msg = f"{options}: a batch takes them from each case, not from options"
        raise _UsageError(msg)
    if args.json:
        msg = "--json: a batch always writes JSON Lines"
        raise _UsageError(msg)


def _with_tables(args: argparse.Namespace, policy: Any) -> Any:  # noqa: ANN401 - a PayerPolicy
    from soapbill.billing.ncci import MueLimits, PtpEdits  # noqa: PLC0415 - keeps --help fast

    if not (args.ptp or args.mue):
        if args.ncci_quarter is not None:
            msg = "--ncci-quarter names the quarter of --ptp or --mue files: give them"
            raise _UsageError(msg)
        return policy
    tables: dict[str, Any] = {}
    for option, cls, paths in (("--ptp", PtpEdits, args.ptp), ("--mue", MueLimits, args.mue)):
        if not paths:
            continue
        if _STDIN in paths:
            msg = f"{option}: give a file, not standard input"
            raise _UsageError(msg)
        try:
            tables[option] = cls.load(*paths, quarter=args.ncci_quarter)
        except ValidationError as err:
            _print_table_errors(option, err)
            msg = f"{option}: not a CMS file soapbill can read"
            raise _UsageError(msg) from None
    try:
        return policy.with_edits(tables.get("--ptp"), tables.get("--mue"))
    except ValidationError as err:
        details = "; ".join(f"{d.path}: {d.message}" for d in err.errors)
        msg = f"the policy does not take these tables: {details}"
        raise _UsageError(msg) from None


def _print_table_errors(option: str, err: ValidationError) -> None:
    for detail in err.errors:
        _say(sys.stderr, f"soapbill: {option} {detail.path}: {detail.message} [{detail.code}]")


def _report(name: str, line: int, error: ValidationError) -> None:
    count = len(error.errors)
    _say(sys.stderr, f"{name}: line {line}: invalid ({count} problem{'' if count == 1 else 's'})")
    for detail in error.errors:
        _say(sys.stderr, f"  {detail.path or '<case>'}: {detail.message} [{detail.code}]")


@contextlib.contextmanager
def _input(path: str) -> Iterator[BinaryIO]:
    if path == _STDIN:
        yield _stdin()
        return
    try:
        stream = Path(path).open("rb")  # noqa: SIM115 - closed below
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        msg = f"cannot read {_name(path)}: {reason}"
        raise _UsageError(msg) from None
    with stream:
        yield stream


@contextlib.contextmanager
def _output(path: str, out: TextIO) -> Iterator[IO[str]]:
    if path == _STDIN:
        yield out
        return
    try:
        stream = Path(path).open("w", encoding="utf-8", newline="\n")  # noqa: SIM115
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        msg = f"cannot write {_name(path)}: {reason}"
        raise _UsageError(msg) from None
    failed: str | None = None
    try:
        yield stream
    finally:
        # Closing writes what is buffered: a full disk shows here.
        try:
            stream.close()
        except OSError as exc:
            failed = exc.strerror or type(exc).__name__
    if failed is not None:
        msg = f"cannot write {_name(path)}: {failed}"
        raise _UsageError(msg)


def _write(sink: IO[str], path: str, text: str) -> None:
    try:
        sink.write(text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        msg = f"cannot write {_name(path)}: {reason}"
        raise _UsageError(msg) from None


@contextlib.contextmanager
def _progress() -> Iterator[Any]:
    """
    A function to call once per case: a tqdm bar on a terminal, else nothing.
    """
    bar: Any = None
    if sys.stderr.isatty():
        with contextlib.suppress(ImportError):
            # The soapbill[progress] extra; the command runs the same without it.
            tqdm = importlib.import_module("tqdm").tqdm
            bar = tqdm(unit=" cases", file=sys.stderr, leave=False, mininterval=0.5)
    if bar is None:
        yield _nothing
        return
    with bar:
        yield bar.update


def _nothing() -> None:
    pass
