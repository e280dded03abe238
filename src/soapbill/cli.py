"""
The ``soapbill`` command.

- ``soapbill validate FILE`` checks a JSON document (a claim by default) and
  lists what is wrong with it. Exit codes: 0 valid, 1 invalid, 2 unusable input.
- ``soapbill check CLAIM --policy NAME_OR_FILE`` checks a claim against a payer
  policy and prints the decision with every finding and its fix. Exit codes:
  0 eligible, 1 not eligible, 2 bad input.
- ``soapbill export CLAIM --to 837p|fhir|cms1500|superbill`` writes a claim in
  a format insurers or patients read.
- ``soapbill schema NAME`` prints the JSON Schema of a document type.

Only the command line reads the clock: ``check --as-of`` and the creation
dates of exports default to today.

Error output names the path and kind of each problem, never the offending
value: documents are full of patient data.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, TextIO

import soapbill
from soapbill.claims import Claim
from soapbill.errors import ErrorDetail, SoapbillError, ValidationError
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
    cls = _DOCUMENTS[args.type]
    try:
        obj = _load(args.file, cls)
    except _BadDocumentError as exc:
        err = exc.error
        _print_errors(err, args.file, out)
        return EXIT_FAILED
    summary = ""
    if isinstance(obj, Claim):
        count = len(obj.lines)
        summary = f" ({count} line{'' if count == 1 else 's'}, total {obj.total_charge})"
    out.write(f"{args.file}: valid {args.type}{summary}\n")
    return EXIT_OK


def _load(path: str, cls: type[Any]) -> Any:  # noqa: ANN401 - the class decides
    from soapbill.formats.json import from_json  # noqa: PLC0415 - keeps --help fast

    try:
        return from_json(_read(path), cls)
    except ValidationError as err:
        raise _BadDocumentError(path, err) from None


def _load_list(path: str, cls: type[Any]) -> list[Any]:
    from soapbill.formats.json import from_dict  # noqa: PLC0415 - keeps --help fast

    try:
        data = json.loads(_read(path))
    except ValueError:
        raise _BadDocumentError(
            path, ValidationError.single("", "json_invalid", "not valid JSON")
        ) from None
    if not isinstance(data, list):
        raise _BadDocumentError(
            path, ValidationError.single("", "invalid_type", "expected a JSON array of documents")
        )
    items = []
    problems: list[ErrorDetail] = []
    for i, item in enumerate(data):
        try:
            items.append(from_dict(item, cls))
        except ValidationError as err:
            problems.extend(d.prefixed(f"[{i}]") for d in err.errors)
    if problems:
        raise _BadDocumentError(path, ValidationError(problems))
    return items


class _BadDocumentError(SoapbillError):
    """
    An input document is invalid; carries the file name and the error.
    """

    def __init__(self, path: str, error: ValidationError) -> None:
        super().__init__(path)
        self.path = path
        self.error = error


def _policy(name_or_file: str) -> Any:  # noqa: ANN401 - a PayerPolicy
    from soapbill.rules import PayerPolicy, policies  # noqa: PLC0415 - keeps --help fast

    if name_or_file in policies.names():
        return policies.load(name_or_file)
    if not Path(name_or_file).exists():
        known = ", ".join(policies.names())
        msg = f"no bundled policy or file named {name_or_file} (bundled: {known})"
        raise _UsageError(msg)
    return _load(name_or_file, PayerPolicy)


def _day(text: str) -> date:
    # date.fromisoformat alone also takes 20260302 and week dates.
    msg = "expected a date as YYYY-MM-DD"
    if len(text) != 10 or text[4] != "-" or text[7] != "-":  # noqa: PLR2004 - YYYY-MM-DD
        raise argparse.ArgumentTypeError(msg)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(msg) from None


def _diagnosis_table(choice: str) -> Any:  # noqa: ANN401 - a DiagnosisTable or None
    # Imported on use: the full table is an optional extra and slow to load.
    from soapbill.rules.diagnoses import MASSAGE_DIAGNOSES, layered  # noqa: PLC0415
    from soapbill.rules.icd10cm import Icd10CmTable, MissingExtraError  # noqa: PLC0415

    if choice == "none":
        return None
    if choice == "massage":
        return MASSAGE_DIAGNOSES
    try:
        return layered(MASSAGE_DIAGNOSES, Icd10CmTable())
    except MissingExtraError:
        if choice == "full":
            raise
        return MASSAGE_DIAGNOSES


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from soapbill.formats.json import to_json  # noqa: PLC0415 - keeps --help fast
    from soapbill.rules import evaluate  # noqa: PLC0415

    claim = _load(args.claim, Claim)
    policy = _policy(args.policy)
    prescriptions = [_load(path, Prescription) for path in args.rx]
    notes = [_load(path, SoapNote) for path in args.note]
    history = [claim for path in args.history for claim in _load_list(path, Claim)]
    as_of = date.today() if args.as_of is None else args.as_of  # noqa: DTZ011 - the CLI's default
    try:
        decision = evaluate(
            claim,
            policy,
            prescriptions=prescriptions,
            notes=notes,
            history=history,
            as_of=as_of,
            diagnosis_table=_diagnosis_table(args.diagnoses),
        )
    except ValidationError as err:
        raise _BadDocumentError("input", err) from None
    if args.json:
        out.write(to_json(decision) + "\n")
    else:
        verdict = "eligible" if decision.eligible else "NOT eligible"
        out.write(
            f"{args.claim}: {verdict} under policy {decision.policy_id} "
            f"version {decision.policy_version}, checked as of {decision.as_of.isoformat()}\n"
        )
        for finding in decision.findings:
            where = f" at {finding.path}" if finding.path else ""
            out.write(
                f"  {finding.severity.value.upper()} {finding.rule}{where}: {finding.message}\n"
            )
            if finding.fix:
                out.write(f"      fix: {finding.fix}\n")
        if not decision.findings:
            out.write("  no findings\n")
    return EXIT_OK if decision.eligible else EXIT_FAILED


def _export(args: argparse.Namespace, out: TextIO) -> int:
    claim = _load(args.claim, Claim)
    prescriptions = [_load(path, Prescription) for path in args.rx]
    notes = [_load(path, SoapNote) for path in args.note]
    try:
        out.write(_render(args, claim, prescriptions, notes))
    except ValidationError as err:
        raise _BadDocumentError(args.claim, err) from None
    return EXIT_OK


def _render(
    args: argparse.Namespace,
    claim: Claim,
    prescriptions: list[Prescription],
    notes: list[SoapNote],
) -> str:
    # Formats are imported on use: each command needs only one.
    created = datetime.now().astimezone() if args.created is None else args.created
    if args.to == "837p":
        from soapbill.formats.x12 import Receiver, Submitter, write_837p  # noqa: PLC0415

        billing = claim.billing_provider
        name = billing.organization_name or "SUBMITTER"
        submitter = Submitter(
            name=args.submitter_name or name,
            id=args.submitter_id or str(billing.npi),
            contact_name=args.contact_name or args.submitter_name or name,
            phone=args.contact_phone or billing.phone or None,
            email=args.contact_email,
        )
        receiver = Receiver(
            name=args.receiver_name or claim.coverage.payer.name,
            id=args.receiver_id or claim.coverage.payer.id,
        )
        return write_837p(
            [claim],
            submitter=submitter,
            receiver=receiver,
            control_number=args.control_number,
            created=created
            if isinstance(created, datetime)
            else datetime.combine(created, datetime.min.time()),
            usage=args.usage,
        )
    if args.to == "fhir":
        from soapbill.formats.fhir import to_fhir_json  # noqa: PLC0415

        day = created.date() if isinstance(created, datetime) else created
        return (
            to_fhir_json(claim, created=day, prescriptions=prescriptions, notes=notes, indent=2)
            + "\n"
        )
    if args.to == "cms1500":
        from soapbill.formats.cms1500 import render_cms1500_text  # noqa: PLC0415

        text: str = render_cms1500_text(claim)
        return text
    from soapbill.formats.superbill import render_superbill  # noqa: PLC0415

    return render_superbill(claim, kind=args.kind)


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    from soapbill.formats.schema import json_schema  # noqa: PLC0415 - keeps --help fast
    from soapbill.rules import Decision, PayerPolicy  # noqa: PLC0415

    classes: dict[str, type] = {
        "Claim": Claim,
        "SoapNote": SoapNote,
        "Prescription": Prescription,
        "PayerPolicy": PayerPolicy,
        "Decision": Decision,
    }
    out.write(json.dumps(json_schema(classes[args.name]), indent=2) + "\n")
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

    check = commands.add_parser(
        "check",
        help="check a claim against a payer policy and explain the decision",
        description=(
            "Check a claim against a payer policy. Exit 0 eligible, 1 not eligible, 2 bad input."
        ),
    )
    check.add_argument("claim", metavar="CLAIM.json", help="the claim")
    check.add_argument(
        "--policy",
        required=True,
        metavar="NAME_OR_FILE",
        help="a bundled policy name (commercial, commercial-rx, medicare-part-b, auto-pip, "
        "workers-comp) or a policy JSON file",
    )
    _add_documents(check)
    check.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="FILE",
        help="the patient's earlier claims, a JSON array of claim documents (repeatable)",
    )
    check.add_argument(
        "--as-of", type=_day, metavar="DATE", help="the day of the check (default: today)"
    )
    check.add_argument(
        "--diagnoses",
        choices=["auto", "full", "massage", "none"],
        default="auto",
        help="the diagnosis table: the bundled massage table layered over the full ICD-10-CM "
        "table of soapbill[icd10] (full), the massage table alone (massage), none, or full "
        "when the extra is installed and massage otherwise (auto, the default)",
    )
    check.add_argument("--json", action="store_true", help="print the decision as JSON")
    check.set_defaults(run=_check)

    export = commands.add_parser(
        "export",
        help="write a claim as X12 837P, FHIR R4, CMS-1500 or a superbill",
        description="Write a claim in a format insurers or patients read, to standard output.",
    )
    export.add_argument("claim", metavar="CLAIM.json", help="the claim")
    export.add_argument(
        "--to", required=True, choices=["837p", "fhir", "cms1500", "superbill"], help="the format"
    )
    _add_documents(export)
    export.add_argument(
        "--created",
        type=_day,
        metavar="DATE",
        help="creation date of the 837P interchange or the FHIR Claim (default: now)",
    )
    x12 = export.add_argument_group("837P envelope (defaults from the claim)")
    x12.add_argument("--submitter-name", help="default: the billing provider's name")
    x12.add_argument("--submitter-id", help="default: the billing provider's NPI")
    x12.add_argument("--contact-name", help="default: the submitter's name")
    x12.add_argument("--contact-phone", help="ten digits; default: the billing provider's phone")
    x12.add_argument("--contact-email")
    x12.add_argument("--receiver-name", help="default: the payer's name")
    x12.add_argument("--receiver-id", help="default: the payer id")
    x12.add_argument("--control-number", type=int, default=1, help="ISA13 and GS06 (default: 1)")
    x12.add_argument("--usage", choices=["T", "P"], default="T", help="test or production")
    export.add_argument(
        "--kind", choices=["text", "html"], default="text", help="superbill as text or HTML"
    )
    export.set_defaults(run=_export)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of a document type",
        description="Print the JSON Schema (draft 2020-12) of a soapbill JSON document type.",
    )
    schema.add_argument(
        "name", choices=["Claim", "Decision", "PayerPolicy", "Prescription", "SoapNote"]
    )
    schema.set_defaults(run=_schema)
    return parser


def _add_documents(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rx",
        action="append",
        default=[],
        metavar="FILE",
        help="a prescription on file (repeatable)",
    )
    parser.add_argument(
        "--note",
        action="append",
        default=[],
        metavar="FILE",
        help="a SOAP note on file (repeatable)",
    )


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
    except _BadDocumentError as exc:
        _print_errors(exc.error, exc.path, sys.stderr)
        return EXIT_BAD_INPUT
    except SoapbillError as exc:
        # A library error's message is fixed text without values.
        sys.stderr.write(f"soapbill: {exc}\n")
        return EXIT_BAD_INPUT
    return code
