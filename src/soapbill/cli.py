"""
The ``soapbill`` command.

``soapbill validate FILE`` checks a JSON document (a claim by default) and says
what is wrong with it. Exit codes: 0 valid, 1 invalid, 2 unusable input (a file
that cannot be read, a usage error).

Error output names the path and kind of each problem, never the offending
value: documents are full of patient data.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final, TextIO

import soapbill
from soapbill.claims import Claim
from soapbill.errors import SoapbillError, ValidationError
from soapbill.prescriptions import Prescription
from soapbill.soap import SoapNote

__all__ = ["main"]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_BAD_INPUT: Final = 2

_DOCUMENTS: Final[dict[str, type[Claim | SoapNote | Prescription]]] = {
    "claim": Claim,
    "note": SoapNote,
    "prescription": Prescription,
}


class _UsageError(SoapbillError):
    """
    The command line cannot run: unreadable file, bad argument.
    """


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        # The path is the user's own argument, not patient data.
        msg = f"cannot read {path}: {type(exc).__name__}"
        raise _UsageError(msg) from None


def _print_errors(err: ValidationError, where: str, out: TextIO) -> None:
    count = len(err.errors)
    out.write(f"{where}: invalid ({count} problem{'' if count == 1 else 's'})\n")
    out.writelines(
        f"  {detail.path or '<document>'}: {detail.message} [{detail.code}]\n"
        for detail in err.errors
    )


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    from soapbill.formats.json import from_json  # noqa: PLC0415 - keeps --help fast

    cls = _DOCUMENTS[args.type]
    try:
        obj = from_json(_read(args.file), cls)
    except ValidationError as err:
        _print_errors(err, args.file, out)
        return EXIT_FAILED
    summary = ""
    if isinstance(obj, Claim):
        count = len(obj.lines)
        summary = f" ({count} line{'' if count == 1 else 's'}, total {obj.total_charge})"
    out.write(f"{args.file}: valid {args.type}{summary}\n")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="soapbill",
        description="Turn massage and physical-medicine visits into insurance claims.",
    )
    parser.add_argument("--version", action="version", version=f"soapbill {soapbill.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser(
        "validate",
        help="check a JSON document and list every problem",
        description="Check a soapbill JSON document. Exit 0 valid, 1 invalid, 2 unusable input.",
    )
    validate.add_argument("file", metavar="FILE", help="the JSON document")
    validate.add_argument(
        "--type",
        choices=sorted(_DOCUMENTS),
        default="claim",
        help="what the document is (default: claim)",
    )
    validate.set_defaults(run=_validate)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """
    Run the ``soapbill`` command and return its exit code.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).
        out: Where to write (default: standard output).
    """
    stream = sys.stdout if out is None else out
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        code: int = args.run(args, stream)
    except _UsageError as exc:
        sys.stderr.write(f"soapbill: {exc}\n")
        return EXIT_BAD_INPUT
    return code
