"""
The ``soapbill`` command.

- ``soapbill validate FILE`` checks a JSON document (a claim by default) and
  lists what is wrong with it; ``--for 837p`` also lists what keeps a claim
  out of an 837P. Exit codes: 0 valid, 1 invalid, 2 unusable input.
- ``soapbill check CLAIM --policy NAME_OR_FILE`` checks a claim against a payer
  policy and prints the decision with every finding and its fix. Exit codes:
  0 eligible, 1 not eligible, 2 bad input.
- ``soapbill export CLAIM --to 837p|fhir|cms1500|superbill`` writes a claim in
  a format insurers or patients read.
- ``soapbill schema NAME`` prints the JSON Schema of a document type.
- ``soapbill eligibility inquire INQUIRY.json ... --to 270`` writes
  eligibility inquiries as an X12 270; ``soapbill eligibility read
  RESPONSE.271 [--json]`` reads the payer's 271 and prints what a front desk
  needs. Exit codes of ``read``: 0 active and covered, 1 something needs
  attention (a rejection, an inactive coverage, a service not covered), 2 bad
  input.
- ``soapbill remit read FILE [--claims CLAIM.json ...]`` reads what comes back
  after a claim: an 835 remittance, a 999 or a 277CA acknowledgement (told
  apart by ``ST01``), and prints it explained, or, with ``--claims``, the
  posting of an 835 to those claims. Exit codes: 0 nothing needs action, 1
  something does (a rejection, a denial, a remittance that does not balance,
  a line or claim the posting cannot match), 2 bad input.
- ``soapbill rx-request NOTE.json --patient ... --prescriber ... --frequency
  NxW`` writes a request for a prescription; ``soapbill progress --note ...
  --plan PLAN.json`` writes the progress report of a plan of care (see
  :mod:`soapbill.care`). Exit codes: 0 written, 2 bad input.

Only the command line reads the clock: ``check --as-of`` and the creation
dates of exports and 270 inquiries default to today.

Every input file may be ``-``, standard input, once per run; each is read up
to 16 MiB (``MAX_INPUT_BYTES``) and must be UTF-8. Whatever the input, the command
ends with one of its exit codes, never a traceback; when the reader of its
output goes away (``soapbill ... | head -1``) it stops quietly with 141.

Error output names the path and kind of each problem, never the offending
value: documents are full of patient data. What the command does print of
its input (file names, a policy's id and version) has its control characters
replaced by spaces, so that no escape reaches the terminal.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final, NamedTuple, TextIO

import soapbill
from soapbill._text import CONTROLS, plural, printable
from soapbill.claims import Claim
from soapbill.errors import ErrorDetail, SoapbillError, ValidationError
from soapbill.prescriptions import Prescription
from soapbill.soap import SoapNote

if TYPE_CHECKING:
    from soapbill.eligibility import EligibilityResponse, ServiceType
    from soapbill.formats._x12read import Interchange
    from soapbill.formats.x12 import Receiver, Submitter
    from soapbill.parties import Payer
    from soapbill.remittance import (
        Acknowledgement,
        Adjustment,
        ClaimAcknowledgement,
        ClaimPayment,
        ClaimStatus,
        NextStep,
        Posting,
        Remittance,
        SegmentError,
        ServicePayment,
    )
    from soapbill.rules import Decision

__all__ = ["main"]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_BAD_INPUT: Final = 2
#: The reader of standard output went away (``soapbill ... | head -1``): the
#: status a shell reports for a Unix tool that SIGPIPE ended (128 + 13).
EXIT_BROKEN_PIPE: Final = 141
#: Interrupted with Ctrl-C: the status a shell reports after SIGINT (128 + 2).
EXIT_INTERRUPTED: Final = 130

#: The most soapbill reads of one input file: 16 MiB. soapbill's documents are
#: a few kilobytes; a larger input is a mistake (or /dev/zero).
MAX_INPUT_BYTES: Final = 16 * 1024 * 1024
#: After this many problems in an array of documents (``--history``), the
#: rest of the array is not checked.
_MAX_LIST_PROBLEMS: Final = 100
#: The file name that stands for standard input.
_STDIN: Final = "-"
_STDIN_NAME: Final = "<stdin>"

_DOCUMENTS: Final[dict[str, type[Claim | SoapNote | Prescription]]] = {
    "claim": Claim,
    "note": SoapNote,
    "prescription": Prescription,
}

#: The option behind each field of an X12 envelope: the ``submitter.`` and
#: ``receiver.`` paths of :class:`soapbill.formats.x12.Submitter` and
#: :class:`~soapbill.formats.x12.Receiver`, and the arguments of
#: :func:`~soapbill.formats.x12.write_837p` and :func:`~soapbill.eligibility.write_270`.
_ENVELOPE_OPTIONS: Final[dict[str, str]] = {
    "submitter.name": "--submitter-name",
    "submitter.id": "--submitter-id",
    "submitter.contact_name": "--contact-name",
    "submitter.phone": "--contact-phone",
    "submitter.email": "--contact-email",
    "receiver.name": "--receiver-name",
    "receiver.id": "--receiver-id",
    "control_number": "--control-number",
    "created": "--created",
    "usage": "--usage",
}


def _envelope_defaults(provider: str, name: str, payer: str) -> dict[str, str]:
    """
    Where the default of each envelope option comes from, by path.

    Args:
        provider: The document's provider who sends the file, as the user reads it.
        name: Where the provider's name comes from.
        payer: The document's payer, who receives it.
    """
    return {
        "submitter.name": name,
        "submitter.id": f"{provider}.npi",
        "submitter.contact_name": f"--submitter-name or {name}",
        "submitter.phone": f"{provider}.phone",
        "receiver.name": f"{payer}.name",
        "receiver.id": f"{payer}.id",
        "created": "now",
    }


class _X12Output(NamedTuple):
    """
    An X12 file the command line writes from documents (the 837P, the 270).
    """

    #: The writer's argument that takes the documents: ``claims``, ``inquiries``.
    key: str
    #: What an input file is when the writer refuses it.
    verdict: str
    #: Where each envelope option's default comes from.
    defaults: dict[str, str]


_837P: Final = _X12Output(
    "claims",
    "not ready for the 837P",
    _envelope_defaults(
        "the claim's billing_provider",
        "the claim's billing_provider.organization_name",
        "the claim's coverage.payer",
    ),
)


class _UsageError(SoapbillError):
    """
    The command line cannot run: unreadable file, bad argument.
    """


class _BadDocumentError(SoapbillError):
    """
    An input document is invalid; carries the file name and the error.
    """

    def __init__(self, path: str, error: ValidationError, verdict: str = "invalid") -> None:
        super().__init__(path)
        self.path = path
        self.error = error
        self.verdict = verdict


class _OptionError(SoapbillError):
    """
    Options of the command line are invalid: one line per problem, naming the option.

    It may carry the problems the input document has beside them.
    """

    def __init__(self, lines: Sequence[str], document: _BadDocumentError | None = None) -> None:
        super().__init__(*lines)
        self.lines = lines
        self.document = document


# --- what the command prints -------------------------------------------------------


def _name(path: str) -> str:
    """
    The file name *path* as the messages show it.
    """
    if path == _STDIN:
        return _STDIN_NAME
    # A name that is not UTF-8 arrives with surrogate escapes (PEP 383): show
    # its bytes as \xff rather than fail to print it.
    with contextlib.suppress(UnicodeError):
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def _say(stream: TextIO, line: str) -> None:
    """
    Write one line of a message: any text from the input is made safe to show.

    Control characters become spaces (an ANSI escape in a policy's version
    must not drive the terminal), and what the stream's encoding cannot
    write is written as a backslash escape.
    """
    text = printable(line)
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text = text.encode(encoding, "backslashreplace").decode(encoding, "replace")
    except LookupError:  # pragma: no cover - a stream with an unknown encoding
        text = text.encode("ascii", "backslashreplace").decode("ascii")
    stream.write(text + "\n")


#: JSON carries these characters raw inside its strings (C0 controls are
#: always escaped); an escape is the same JSON and safe on a terminal.
_JSON_ESCAPES: Final = {code: f"\\u{code:04x}" for code in CONTROLS if code >= 0x7F}  # noqa: PLR2004 - DEL


def _emit(stream: TextIO, document: str) -> None:
    """
    Write an output document (837P, FHIR, CMS-1500, superbill, decision) as it is.
    """
    try:
        stream.write(document)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None)
        msg = (
            f"the output holds characters the encoding {encoding} of the output cannot "
            "write; set PYTHONIOENCODING=utf-8"
        )
        raise _UsageError(msg) from None


def _print_errors(err: ValidationError, where: str, out: TextIO, verdict: str = "invalid") -> None:
    _say(out, f"{_name(where)}: {verdict} ({plural(len(err.errors), 'problem')})")
    for detail in err.errors:
        _say(out, f"  {detail.path or '<document>'}: {detail.message} [{detail.code}]")


# --- what the command reads --------------------------------------------------------


def _read(path: str) -> str:
    """
    The text of the file *path* (standard input for ``-``), at most :data:`MAX_INPUT_BYTES`.
    """
    name = _name(path)
    try:
        if path == _STDIN:
            data = _stdin().read(MAX_INPUT_BYTES + 1)
        else:
            with Path(path).open("rb") as file:
                data = file.read(MAX_INPUT_BYTES + 1)
    except (OSError, ValueError) as exc:
        # The OS's reason is fixed text; the path is the user's own argument.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        msg = f"cannot read {name}: {reason}"
        raise _UsageError(msg) from None
    if len(data) > MAX_INPUT_BYTES:
        msg = (
            f"{name}: larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB, "
            "the most soapbill reads of one file"
        )
        raise _UsageError(msg)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        msg = f"{name}: not UTF-8 text"
        raise _UsageError(msg) from None


def _stdin() -> BinaryIO:
    buffer: BinaryIO | None = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        msg = "cannot read standard input: it is closed"
        raise _UsageError(msg)
    return buffer


def _check_stdin(paths: Iterable[str]) -> None:
    if sum(path == _STDIN for path in paths) > 1:
        msg = "standard input (-) can be read only once: give it as one file at most"
        raise _UsageError(msg)


def _load(path: str, cls: type[Any]) -> Any:  # noqa: ANN401 - the class decides
    from soapbill.formats.json import from_json  # noqa: PLC0415 - keeps --help fast

    try:
        return from_json(_read(path), cls)
    except ValidationError as err:
        raise _BadDocumentError(path, err) from None


def _load_list(path: str, cls: type[Any], text: str | None = None) -> list[Any]:
    from soapbill.formats.json import from_dict  # noqa: PLC0415 - keeps --help fast

    try:
        data = json.loads(_read(path) if text is None else text)
    except (ValueError, RecursionError):
        # RecursionError: arrays nested thousands deep; from_dict refuses
        # far shallower nesting anyway.
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
            if len(problems) >= _MAX_LIST_PROBLEMS and i + 1 < len(data):
                # An array of a million broken claims fits in the size limit:
                # checking and listing them all would take hours.
                problems.append(
                    ErrorDetail(
                        path=f"[{i + 1}]",
                        code="not_checked",
                        message=f"this and later documents are not checked after "
                        f"{_MAX_LIST_PROBLEMS} problems",
                    )
                )
                break
    if problems:
        raise _BadDocumentError(path, ValidationError(problems))
    return items


def _policy(name_or_file: str) -> tuple[Any, str]:
    """
    The policy and where it came from: an existing file wins over a bundled name.
    """
    from soapbill.rules import PayerPolicy, policies  # noqa: PLC0415 - keeps --help fast

    if name_or_file == _STDIN or _is_file(name_or_file):
        return _load(name_or_file, PayerPolicy), f"file {_name(name_or_file)}"
    if name_or_file in policies.names():
        return policies.load(name_or_file), "bundled"
    known = ", ".join(policies.names())
    msg = f"no bundled policy or file named {_name(name_or_file)} (bundled: {known})"
    raise _UsageError(msg)


def _is_file(path: str) -> bool:
    try:
        candidate = Path(path)
        return candidate.exists() and not candidate.is_dir()
    except (OSError, ValueError):
        # A name too long for the system, or with a NUL: no file of ours.
        return False


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


# --- the commands ------------------------------------------------------------------


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    cls = _DOCUMENTS[args.type]
    if args.ready_for is not None and cls is not Claim:
        msg = f"--for {args.ready_for} checks a claim, not a {args.type}"
        raise _UsageError(msg)
    try:
        obj = _load(args.file, cls)
    except _BadDocumentError as exc:
        _print_errors(exc.error, args.file, out)
        return EXIT_FAILED
    summary = ""
    if isinstance(obj, Claim):
        summary = f" ({plural(len(obj.lines), 'line')}, total {obj.total_charge})"
    if args.ready_for is not None:
        from soapbill.formats.x12 import problems_837p  # noqa: PLC0415 - keeps --help fast

        problems = problems_837p(obj)
        if problems:
            verdict = f"valid claim{summary}, not ready for the 837P"
            _print_errors(ValidationError(problems), args.file, out, verdict)
            return EXIT_FAILED
        summary += ", ready for the 837P"
    _say(out, f"{_name(args.file)}: valid {args.type}{summary}")
    return EXIT_OK


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from soapbill.formats.json import to_json  # noqa: PLC0415 - keeps --help fast
    from soapbill.rules import evaluate  # noqa: PLC0415

    if args.batch is not None or args.claim is None:
        from soapbill import _cli_batch  # noqa: PLC0415 - it imports this module

        return _cli_batch.run(args, out)
    claim = _load(args.claim, Claim)
    policy, source = _policy(args.policy)
    prescriptions = [_load(path, Prescription) for path in args.rx]
    notes = [_load(path, SoapNote) for path in args.note]
    history = [claim for path in args.history for claim in _load_list(path, Claim)]
    care_plans = [_load(path, _care_plan()) for path in args.plan]
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
            care_plans=care_plans,
        )
    except ValidationError as err:
        raise _BadDocumentError("input", err) from None
    if args.json:
        # The decision carries the policy's id and version.
        _emit(out, to_json(decision).translate(_JSON_ESCAPES) + "\n")
    else:
        _print_decision(out, args.claim, decision, source)
    return EXIT_OK if decision.eligible else EXIT_FAILED


def _care_plan() -> type[Any]:
    from soapbill.care import CarePlan  # noqa: PLC0415 - keeps --help fast

    return CarePlan


def _print_decision(out: TextIO, claim_path: str, decision: Decision, source: str) -> None:
    verdict = "eligible" if decision.eligible else "NOT eligible"
    _say(
        out,
        f"{_name(claim_path)}: {verdict} under policy {decision.policy_id} "
        f"version {decision.policy_version} ({source}), "
        f"checked as of {decision.as_of.isoformat()}",
    )
    for finding in decision.findings:
        where = f" at {finding.path}" if finding.path else ""
        _say(out, f"  {finding.severity.value.upper()} {finding.rule}{where}: {finding.message}")
        if finding.fix:
            _say(out, f"      fix: {finding.fix}")
    if not decision.findings:
        _say(out, "  no findings")


def _export(args: argparse.Namespace, out: TextIO) -> int:
    claim = _load(args.claim, Claim)
    prescriptions = [_load(path, Prescription) for path in args.rx]
    notes = [_load(path, SoapNote) for path in args.note]
    if args.to == "837p":
        document = _render_837p(args, claim)
    else:
        try:
            document = _render(args, claim, prescriptions, notes)
        except ValidationError as err:
            raise _BadDocumentError(args.claim, err) from None
    _emit(out, document)
    return EXIT_OK


def _render_837p(args: argparse.Namespace, claim: Claim) -> str:
    from soapbill.formats.x12 import problems_837p, write_837p  # noqa: PLC0415 - keeps --help fast

    billing = claim.billing_provider
    parties = _parties(
        args,
        name=billing.organization_name or "SUBMITTER",
        npi=billing.npi.value,
        phone=billing.phone,
        payer=claim.coverage.payer,
    )
    if isinstance(parties, list):
        # The claim's own problems too, as write_837p would list them.
        own = problems_837p(claim)
        document = (
            _BadDocumentError(args.claim, ValidationError(own), _837P.verdict) if own else None
        )
        raise _option_error(args, parties, _837P.defaults, document)
    return _write_x12(
        args, _837P, write_837p, documents=[claim], files=[args.claim], parties=parties
    )


def _parties(
    args: argparse.Namespace, *, name: str, npi: str, phone: str | None, payer: Payer
) -> tuple[Submitter, Receiver] | list[ErrorDetail]:
    """
    The envelope's submitter and receiver: the options, or the document's parties.

    Both are built before either is refused: every problem at once, under
    ``submitter.`` and ``receiver.``.

    Args:
        args: The options.
        name: The provider's name.
        npi: The provider's NPI.
        phone: The provider's phone.
        payer: The payer.
    """
    from soapbill.formats.x12 import Receiver, Submitter  # noqa: PLC0415 - keeps --help fast

    problems: list[ErrorDetail] = []
    submitter = receiver = None
    try:
        submitter = Submitter(
            name=args.submitter_name or name,
            id=args.submitter_id or npi,
            contact_name=args.contact_name or args.submitter_name or name,
            phone=args.contact_phone or phone or None,
            email=args.contact_email,
        )
    except ValidationError as err:
        problems += err.prefixed("submitter").errors
    try:
        receiver = Receiver(name=args.receiver_name or payer.name, id=args.receiver_id or payer.id)
    except ValidationError as err:
        problems += err.prefixed("receiver").errors
    if submitter is None or receiver is None:
        return problems
    return submitter, receiver


def _created(args: argparse.Namespace) -> datetime:
    """
    The creation time of an interchange: ``--created`` at midnight, or now.
    """
    if args.created is None:
        return datetime.now().astimezone()
    return datetime.combine(args.created, datetime.min.time())


def _write_x12(
    args: argparse.Namespace,
    output: _X12Output,
    write: Callable[..., str],
    *,
    documents: Sequence[Any],
    files: Sequence[str],
    parties: tuple[Submitter, Receiver],
) -> str:
    """
    The *documents* (read from *files*) written by *write* in the envelope of the options.

    Raises:
        _BadDocumentError: The writer refuses the first file with problems,
            which names its own without the prefix ``key[i].``.
        _OptionError: The writer refuses an option (``submitter.<field>``,
            ``receiver.<field>`` or the argument's name), and perhaps a file.
    """
    submitter, receiver = parties
    try:
        return write(
            documents,
            submitter=submitter,
            receiver=receiver,
            control_number=args.control_number,
            created=_created(args),
            usage=args.usage,
        )
    except ValidationError as err:
        document = None
        for i, path in enumerate(files):
            prefix = f"{output.key}[{i}]"
            own = [
                ErrorDetail(
                    path=d.path.removeprefix(prefix).removeprefix("."),
                    code=d.code,
                    message=d.message,
                )
                for d in err.errors
                if d.path == prefix or d.path.startswith((f"{prefix}.", f"{prefix}["))
            ]
            if own:
                document = _BadDocumentError(path, ValidationError(own), output.verdict)
                break
        options = [d for d in err.errors if not d.path.startswith(output.key)]
        if options or document is None:
            raise _option_error(args, options, output.defaults, document) from None
        raise document from None


def _option_error(
    args: argparse.Namespace,
    details: Iterable[ErrorDetail],
    defaults: dict[str, str],
    document: _BadDocumentError | None = None,
) -> _OptionError:
    """
    The problems of an X12 envelope, each blamed on its option, with where its default came from.
    """
    lines = []
    for detail in details:
        option = _ENVELOPE_OPTIONS.get(detail.path, detail.path)
        default = defaults.get(detail.path, "")
        given = getattr(args, option.removeprefix("--").replace("-", "_"), None) is not None
        if not given and default:
            option += f" (not given; the default is {default})"
        lines.append(f"{option}: {detail.message} [{detail.code}]")
    return _OptionError(lines, document)


def _render(
    args: argparse.Namespace,
    claim: Claim,
    prescriptions: list[Prescription],
    notes: list[SoapNote],
) -> str:
    # Formats are imported on use: each command needs only one.
    if args.to == "fhir":
        from soapbill.formats.fhir import to_fhir_json  # noqa: PLC0415

        day = date.today() if args.created is None else args.created  # noqa: DTZ011 - the CLI's default
        document = to_fhir_json(
            claim, created=day, prescriptions=prescriptions, notes=notes, indent=2
        )
        return document.translate(_JSON_ESCAPES) + "\n"
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
    _emit(out, json.dumps(json_schema(classes[args.name]), indent=2) + "\n")
    return EXIT_OK


# --- remit read ----------------------------------------------------------------------

#: The rule ids of posting steps that need more than routine posting: a
#: denial, a remittance that does not balance, what the posting cannot match.
_ACTION_RULES: Final = (
    "remittance.denied.",
    "remittance.claim.denied",
    "remittance.balance",
    "remittance.line.unmatched",
    "remittance.line.missing",
    "remittance.claim.unknown",
    "remittance.claim.unpaid",
)
#: Steps that only say a claim or line is not among those given: without
#: ``--claims`` no claim is given.
_MATCHING_RULES: Final = frozenset({"remittance.claim.unknown", "remittance.line.unmatched"})
#: What each transaction set soapbill reads is called.
_REMIT_KINDS: Final = {"835": "835", "999": "999", "277": "277CA"}


def _needs_action(rule: str) -> bool:
    return rule.startswith(_ACTION_RULES)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _remit_read(args: argparse.Namespace, out: TextIO) -> int:
    from soapbill import remittance  # noqa: PLC0415 - keeps --help fast
    from soapbill.formats import _x12read  # noqa: PLC0415

    text = _read(args.file)
    try:
        kind = _transaction_kind(_x12read.read_interchanges(text))
        claims = [claim for path in args.claims for claim in _load_claims(path)]
        if kind != "835" and claims:
            msg = f"--claims posts an 835 to claims; {_name(args.file)} is a {_REMIT_KINDS[kind]}"
            raise _UsageError(msg)
        if kind == "999":
            return _print_999(args, remittance.read_999(text), out)
        if kind == "277":
            return _print_277ca(args, remittance.read_277ca(text), out)
        remittances = remittance.read_835(text)
    except ValidationError as err:
        raise _BadDocumentError(args.file, err) from None
    if args.claims:
        _check_claim_ids(claims)
        return _print_postings(args, claims, remittances, out)
    return _print_835(args, remittances, out)


def _transaction_kind(interchanges: Iterable[Interchange]) -> str:
    """
    The kind of the first transaction set: its ``ST01``, if soapbill reads it.
    """
    for interchange in interchanges:
        for group in interchange.groups:
            for transaction in group.transactions:
                if transaction.code not in _REMIT_KINDS:
                    raise ValidationError.single(
                        transaction.header.path(1),
                        "x12_transaction",
                        "expected an 835, a 999 or a 277CA transaction set",
                    )
                return str(transaction.code)
    raise ValidationError.single("segments", "x12_transaction", "the text holds no transaction set")


def _load_claims(path: str) -> list[Claim]:
    """
    The claims of a ``--claims`` file: one claim, or a JSON array of claims.
    """
    from soapbill.formats.json import from_json  # noqa: PLC0415 - keeps --help fast

    text = _read(path)
    if text.lstrip(" \t\r\n").startswith("["):
        return _load_list(path, Claim, text)
    try:
        return [from_json(text, Claim)]
    except ValidationError as err:
        raise _BadDocumentError(path, err) from None


def _check_claim_ids(claims: Sequence[Claim]) -> None:
    seen: set[str] = set()
    for claim in claims:
        if claim.id in seen:
            msg = "two claims given with --claims have the same id: give each claim once"
            raise _UsageError(msg)
        seen.add(claim.id)


def _emit_json(out: TextIO, document: dict[str, Any]) -> None:
    _emit(out, json.dumps(document, indent=2, ensure_ascii=False).translate(_JSON_ESCAPES) + "\n")


def _dicts(items: Iterable[Any]) -> list[Any]:
    from soapbill.formats.json import to_dict  # noqa: PLC0415 - keeps --help fast

    return [to_dict(item) for item in items]


def _report(
    args: argparse.Namespace,
    out: TextIO,
    document: Callable[[], dict[str, Any]],
    lines: Iterable[str],
    *,
    action: bool,
) -> int:
    """
    Print what was read: the *document* as JSON with ``--json``, else the *lines*.

    Returns:
        1 when something needs action, else 0.
    """
    if args.json:
        _emit_json(out, document())
    else:
        for line in lines:
            _say(out, line)
    return EXIT_FAILED if action else EXIT_OK


def _print_999(args: argparse.Namespace, acks: Sequence[Acknowledgement], out: TextIO) -> int:
    name = _name(args.file)
    return _report(
        args,
        out,
        lambda: {"kind": "999", "acknowledgements": _dicts(acks)},
        (line for ack in acks for line in _ack_lines(name, ack)),
        action=any(
            not ack.accepted or not all(t.accepted for t in ack.transactions) for ack in acks
        ),
    )


def _ack_lines(name: str, ack: Acknowledgement) -> Iterator[str]:
    """
    A 999's acknowledgement of one functional group, explained.
    """
    yield (
        f"{name}: 999 acknowledgement of functional group {ack.group_control_number} "
        f"({ack.functional_id}): {ack.status.explanation}; {ack.accepted_count} of "
        f"{ack.included} transaction sets accepted"
    )
    yield from (f"  group error: {explanation}" for explanation in ack.explanations)
    for transaction in ack.transactions:
        yield (
            f"  transaction set {transaction.control_number} ({transaction.transaction_set}): "
            f"{transaction.status.explanation}"
        )
        yield from (f"    error: {explanation}" for explanation in transaction.explanations)
        for error in transaction.segment_errors:
            yield from _segment_error_lines(error)


def _segment_error_lines(error: SegmentError) -> Iterator[str]:
    """
    A segment a 999 finds in error, with its elements in error.
    """
    where = f" in loop {error.loop}" if error.loop else ""
    claim = f" of claim {error.claim_id}" if error.claim_id else ""
    what = f": {error.explanation}" if error.explanation else ""
    yield f"    segment {error.segment_id} at position {error.position}{where}{claim}{what}"
    for element in error.elements:
        part = f", component {element.component}" if element.component else ""
        yield f"      element {element.position}{part}: {element.explanation}"


def _print_277ca(
    args: argparse.Namespace, acks: Sequence[ClaimAcknowledgement], out: TextIO
) -> int:
    rejected = sum(1 for ack in acks if not ack.accepted)
    return _report(
        args,
        out,
        lambda: {"kind": "277CA", "claim_acknowledgements": _dicts(acks)},
        _claim_acks_lines(_name(args.file), acks, rejected),
        action=rejected > 0,
    )


def _claim_acks_lines(
    name: str, acks: Sequence[ClaimAcknowledgement], rejected: int
) -> Iterator[str]:
    """
    A 277CA, explained: how many claims it accepts, and each claim's and line's status.
    """
    yield (
        f"{name}: 277CA acknowledgement of {plural(len(acks), 'claim')}: "
        f"{len(acks) - rejected} accepted, {rejected} rejected"
    )
    for ack in acks:
        verdict = "accepted" if ack.accepted else "REJECTED"
        number = f"; payer claim number {ack.payer_claim_number}" if ack.payer_claim_number else ""
        yield (
            f"  claim {ack.claim_id}: {verdict} by {ack.payer_name}, charge "
            f"{_money(ack.total_charge)}{number}"
        )
        yield from _status_lines(ack.statuses, "    ")
        for line in ack.lines:
            modifiers = "".join(f" {m}" for m in line.modifiers)
            day = f" on {line.date_of_service.isoformat()}" if line.date_of_service else ""
            verdict = "accepted" if line.accepted else "REJECTED"
            yield f"    line {line.code}{modifiers}{day}: {verdict}"
            yield from _status_lines(line.statuses, "      ")


def _status_lines(statuses: Iterable[ClaimStatus], indent: str) -> Iterator[str]:
    for status in statuses:
        code = ":".join([status.category, status.code, status.entity or ""]).rstrip(":")
        yield f"{indent}{code}: {status.explanation}"


def _service(line: ServicePayment) -> str:
    modifiers = "".join(f" {m}" for m in line.modifiers)
    day = f" on {line.date_of_service.isoformat()}" if line.date_of_service else ""
    return f"{line.code}{modifiers}{day}"


def _print_835(args: argparse.Namespace, remittances: Sequence[Remittance], out: TextIO) -> int:
    from soapbill.remittance import post  # noqa: PLC0415 - keeps --help fast

    # What posting says of each claim, but that no claim was given.
    steps = {
        posting.claim_id: [s for s in posting.next_steps if s.rule not in _MATCHING_RULES]
        for posting in post([], remittances)
    }
    return _report(
        args,
        out,
        lambda: {"kind": "835", "remittances": _dicts(remittances)},
        _remittances_lines(_name(args.file), remittances, steps),
        action=any(_needs_action(s.rule) for found in steps.values() for s in found),
    )


def _remittances_lines(
    name: str, remittances: Sequence[Remittance], steps: dict[str, list[NextStep]]
) -> Iterator[str]:
    """
    Each remittance explained, then the next steps of each claim that has some.
    """
    for remittance in remittances:
        yield from _remittance_lines(name, remittance)
    for claim_id, found in steps.items():
        if found:
            yield f"next steps for claim {claim_id}:"
            yield from _step_lines(found, None, "  ")


def _remittance_lines(name: str, remittance: Remittance) -> Iterator[str]:
    """
    One 835 remittance: the payment, whether it balances, each claim and provider adjustment.
    """
    method = remittance.method.name.lower().replace("_", " ")
    yield (
        f"{name}: 835 remittance {remittance.control_number} from {remittance.payer.name}: "
        f"{_money(remittance.amount)} {'paid' if remittance.credit else 'taken back'} by "
        f"{method} on {remittance.payment_date.isoformat()}, trace number "
        f"{remittance.trace_number}"
    )
    payee = f" ({remittance.payee.id})" if remittance.payee.id else ""
    yield f"  payee: {remittance.payee.name}{payee}"
    if remittance.balanced:
        yield "  the amounts balance"
    else:
        yield "  the amounts DO NOT balance: ask the payer before posting"
        for problem in remittance.balance_problems:
            yield (
                f"    {problem.rule} at {problem.path}: {problem.message} "
                f"(expected {_money(problem.expected)}, found {_money(problem.found)})"
            )
    for payment in remittance.claims:
        yield from _payment_lines(payment)
    for adjustment in remittance.provider_adjustments:
        yield (
            f"  provider adjustment {adjustment.reason} {_money(adjustment.amount)}: "
            f"{adjustment.explanation}"
        )


def _payment_lines(payment: ClaimPayment) -> Iterator[str]:
    """
    One claim of an 835: what it charged and was paid, with its lines.
    """
    yield (
        f"  claim {payment.claim_id}: {payment.status.explanation}; charge "
        f"{_money(payment.charge)}, paid {_money(payment.paid)}, patient responsibility "
        f"{_money(payment.patient_responsibility)}; payer claim number "
        f"{payment.payer_claim_number}"
    )
    yield from _adjustment_lines(payment.adjustments, "    ")
    yield from (f"    remark {remark.code}: {remark.explanation}" for remark in payment.remarks)
    for line in payment.lines:
        allowed = "" if line.allowed is None else f", allowed {_money(line.allowed)}"
        yield (
            f"    line {_service(line)}: charge {_money(line.charge)}{allowed}, "
            f"paid {_money(line.paid)}"
        )
        yield from _adjustment_lines(line.adjustments, "      ")
        yield from (f"      remark {remark.code}: {remark.explanation}" for remark in line.remarks)


def _adjustment_lines(adjustments: Iterable[Adjustment], indent: str) -> Iterator[str]:
    for adjustment in adjustments:
        yield f"{indent}{adjustment.label} {_money(adjustment.amount)}: {adjustment.explanation}"


def _step_lines(steps: Iterable[NextStep], claim: Claim | None, indent: str) -> Iterator[str]:
    for step in steps:
        where = "" if step.line is None else f"{_claim_line(claim, step.line)}: "
        yield f"{indent}{where}{step.message} [{step.rule}]"
        yield f"{indent}    fix: {step.fix}"


def _claim_line(claim: Claim | None, index: int) -> str:
    if claim is None or index >= len(claim.lines):
        return f"lines[{index}]"
    line = claim.lines[index]
    modifiers = "".join(f" {m.value}" for m in line.modifiers)
    return f"lines[{index}] {line.code.value}{modifiers} on {line.date_of_service.isoformat()}"


def _print_postings(
    args: argparse.Namespace,
    claims: Sequence[Claim],
    remittances: Sequence[Remittance],
    out: TextIO,
) -> int:
    from soapbill.remittance import post  # noqa: PLC0415 - keeps --help fast

    postings = post(claims, remittances)
    return _report(
        args,
        out,
        lambda: {"kind": "835", "remittances": _dicts(remittances), "postings": _dicts(postings)},
        _postings_lines(_name(args.file), claims, remittances, postings),
        action=any(_needs_action(s.rule) for p in postings for s in p.next_steps),
    )


def _postings_lines(
    name: str,
    claims: Sequence[Claim],
    remittances: Sequence[Remittance],
    postings: Sequence[Posting],
) -> Iterator[str]:
    """
    How many remittances were posted to how many claims, then each posting.
    """
    yield (
        f"{name}: {plural(len(remittances), '835 remittance')} posted to "
        f"{plural(len(claims), 'claim')}"
    )
    by_id = {claim.id: claim for claim in claims}
    for posting in postings:
        yield from _posting_lines(posting, by_id.get(posting.claim_id))


def _posting_lines(posting: Posting, claim: Claim | None) -> Iterator[str]:
    """
    The posting of one claim: amounts, numbers, adjustments, what is unmatched, next steps.
    """
    known = "" if posting.matched else " (not among the claims given)"
    yield (
        f"claim {posting.claim_id}{known}: charge {_money(posting.charge)}, paid "
        f"{_money(posting.paid)}, written off {_money(posting.written_off)}, patient "
        f"balance {_money(posting.patient_balance)}, open {_money(posting.open_balance)}"
    )
    if posting.payer_claim_numbers:
        yield f"  payer claim numbers: {', '.join(posting.payer_claim_numbers)}"
    if posting.trace_numbers:
        yield f"  trace numbers: {', '.join(posting.trace_numbers)}"
    if posting.adjustments:
        yield "  adjustments:"
    for adjustment in posting.adjustments:
        # No line: the claim as a whole, or a line the posting could not match.
        where = "" if adjustment.line is None else f"{_claim_line(claim, adjustment.line)}: "
        yield f"    {where}{adjustment.label} {_money(adjustment.amount)}: {adjustment.explanation}"
    for line in posting.unmatched_lines:
        yield (
            f"  unmatched remittance line {_service(line)}: charge {_money(line.charge)}, "
            f"paid {_money(line.paid)}"
        )
    if posting.next_steps:
        yield "  next steps:"
        yield from _step_lines(posting.next_steps, claim, "    ")


# --- eligibility -------------------------------------------------------------------

_270: Final = _X12Output(
    "inquiries",
    "not ready for the 270",
    _envelope_defaults(
        "the first inquiry's provider",
        "the first inquiry's provider.organization_name or provider.name",
        "the first inquiry's coverage.payer",
    ),
)


def _eligibility_inquire(args: argparse.Namespace, out: TextIO) -> int:
    from soapbill.eligibility import EligibilityInquiry, write_270  # noqa: PLC0415 - keeps --help fast

    inquiries = [_load(path, EligibilityInquiry) for path in args.inquiries]
    provider = inquiries[0].provider
    person = provider.name
    parties = _parties(
        args,
        name=provider.organization_name
        or ("SUBMITTER" if person is None else f"{person.given} {person.family}"),
        npi=provider.npi.value,
        phone=provider.phone,
        payer=inquiries[0].coverage.payer,
    )
    if isinstance(parties, list):
        raise _option_error(args, parties, _270.defaults)
    text = _write_x12(
        args, _270, write_270, documents=inquiries, files=args.inquiries, parties=parties
    )
    _emit(out, text)
    return EXIT_OK


def _service_type(text: str) -> ServiceType:
    from soapbill.eligibility import ServiceType  # noqa: PLC0415 - keeps --help fast

    try:
        return ServiceType(text)
    except ValueError:
        msg = "expected a service type code of the 271 (such as BE, AE, PT, 33, 30)"
        raise argparse.ArgumentTypeError(msg) from None


def _eligibility_read(args: argparse.Namespace, out: TextIO) -> int:
    from soapbill.eligibility import THERAPY_SERVICES, read_271  # noqa: PLC0415 - keeps --help fast

    text = _read(args.file)
    try:
        responses = read_271(text)
    except ValidationError as err:
        raise _BadDocumentError(args.file, err) from None
    services = tuple(dict.fromkeys(args.service_type)) or THERAPY_SERVICES
    return _report(
        args,
        out,
        lambda: {"kind": "271", "responses": _dicts(responses)},
        _responses_lines(_name(args.file), responses, services),
        # A rejection, an inactive coverage or a service not covered needs the front desk.
        action=any(
            r.rejections or r.active is not True or r.covers(services) is False for r in responses
        ),
    )


def _responses_lines(
    name: str, responses: Sequence[EligibilityResponse], services: Sequence[ServiceType]
) -> Iterator[str]:
    """
    A 271, summarised per patient for the front desk.
    """
    yield f"{name}: 271 eligibility response, {plural(len(responses), 'answer')}"
    for response in responses:
        yield ""
        yield from (f"  {line}" for line in response.summary(services))


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
    validate.add_argument("file", metavar="FILE", help="the JSON document (- for standard input)")
    validate.add_argument(
        "--type",
        choices=sorted(_DOCUMENTS),
        default="claim",
        help="what the document is (default: claim)",
    )
    validate.add_argument(
        "--for",
        dest="ready_for",
        choices=["837p"],
        help="also list every reason the claim cannot be written in this format",
    )
    validate.set_defaults(run=_validate)

    check = commands.add_parser(
        "check",
        help="check a claim against a payer policy and explain the decision",
        description=(
            "Check a claim against a payer policy. Exit 0 eligible, 1 not eligible, 2 bad input."
        ),
    )
    check.add_argument(
        "claim", nargs="?", metavar="CLAIM.json", help="the claim (- for standard input)"
    )
    check.add_argument(
        "--policy",
        required=True,
        metavar="NAME_OR_FILE",
        help="a policy JSON file (- for standard input) or, when no such file exists, a "
        "bundled policy name (commercial, commercial-rx, medicare-part-b, auto-pip, "
        "workers-comp)",
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
        "--plan",
        action="append",
        default=[],
        metavar="FILE",
        help="a plan of care on file, a CarePlan document (repeatable)",
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
    from soapbill import _cli_batch  # noqa: PLC0415 - it imports this module

    _cli_batch.add_arguments(check)
    check.set_defaults(run=_check)

    export = commands.add_parser(
        "export",
        help="write a claim as X12 837P, FHIR R4, CMS-1500 or a superbill",
        description="Write a claim in a format insurers or patients read, to standard output.",
    )
    export.add_argument("claim", metavar="CLAIM.json", help="the claim (- for standard input)")
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
    _add_envelope(export, "837P envelope (defaults from the claim)", "the billing provider")
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

    remit = _add_command_group(
        commands,
        "remit",
        summary="read what comes back after a claim: 835, 999 and 277CA files",
        description="Read remittances and acknowledgements, and post remittances to claims.",
    )
    read = remit.add_parser(
        "read",
        help="explain an 835, 999 or 277CA file, or post an 835 to claims",
        description=(
            "Explain an 835 remittance, a 999 or a 277CA acknowledgement (told apart by ST01), "
            "or with --claims post an 835 to claims. Exit 0 nothing needs action, 1 something "
            "does (a rejection, a denial, amounts that do not balance, a line or claim the "
            "posting cannot match), 2 bad input."
        ),
    )
    read.add_argument("file", metavar="FILE", help="the X12 file (- for standard input)")
    read.add_argument(
        "--claims",
        action="extend",
        nargs="+",
        default=[],
        metavar="CLAIM.json",
        help="post the 835 to these claims: each file a claim or a JSON array of claims",
    )
    read.add_argument("--json", action="store_true", help="print what was read as JSON")
    read.set_defaults(run=_remit_read)
    _add_eligibility(commands)
    from soapbill import _cli_care  # noqa: PLC0415 - it imports this module

    _cli_care.add_commands(commands)
    return parser


def _add_command_group(
    commands: Any,  # noqa: ANN401 - argparse's subparsers action is private
    name: str,
    *,
    summary: str,
    description: str,
) -> Any:  # noqa: ANN401 - the same
    """
    A command whose own commands follow it (``remit read``): where to add them.
    """
    group = commands.add_parser(name, help=summary, description=description)
    return group.add_subparsers(dest=f"{name}_command", metavar="COMMAND", required=True)


def _add_eligibility(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action is private
    """
    The ``eligibility`` command and its actions ``inquire`` and ``read``.
    """
    actions = _add_command_group(
        commands,
        "eligibility",
        summary="ask a payer about a patient's benefits (X12 270) and read its answer (271)",
        description="Ask a payer about benefits before the visit, and read what it answers.",
    )
    inquire = actions.add_parser(
        "inquire",
        help="write eligibility inquiries as an X12 270",
        description=(
            "Write eligibility inquiries (EligibilityInquiry JSON documents: patient, "
            "coverage, provider, service types, date of service) as one X12 270, to "
            "standard output. Exit 0 written, 2 bad input."
        ),
    )
    inquire.add_argument(
        "inquiries",
        nargs="+",
        metavar="INQUIRY.json",
        help="an inquiry (- for standard input, once)",
    )
    inquire.add_argument("--to", required=True, choices=["270"], help="the format")
    inquire.add_argument(
        "--created",
        type=_day,
        metavar="DATE",
        help="creation date of the interchange (default: now)",
    )
    _add_envelope(inquire, "270 envelope (defaults from the first inquiry)", "the provider")
    inquire.set_defaults(run=_eligibility_inquire)
    read = actions.add_parser(
        "read",
        help="read an X12 271 and print what a front desk needs",
        description=(
            "Read an X12 271 eligibility response and print, per patient: covered or not, "
            "copay, co-insurance, deductible left, visits left, whether authorization or a "
            "prescription is needed, and the payer's rejections. Exit 0 active and covered, "
            "1 something needs attention (a rejection, inactive coverage, a service not "
            "covered), 2 bad input."
        ),
    )
    read.add_argument("file", metavar="RESPONSE.271", help="the 271 (- for standard input)")
    read.add_argument(
        "--service-type",
        action="append",
        default=[],
        type=_service_type,
        metavar="CODE",
        help="a service type to ask about (repeatable; default: BE, AE and PT, massage "
        "therapy, physical medicine and physical therapy)",
    )
    read.add_argument("--json", action="store_true", help="print the responses as JSON")
    read.set_defaults(run=_eligibility_read)


def _add_envelope(parser: argparse.ArgumentParser, title: str, provider: str) -> None:
    """
    The options of an X12 envelope, whose defaults come from *provider* and the payer.
    """
    envelope = parser.add_argument_group(title)
    envelope.add_argument("--submitter-name", help=f"default: {provider}'s name")
    envelope.add_argument("--submitter-id", help=f"default: {provider}'s NPI")
    envelope.add_argument("--contact-name", help="default: the submitter's name")
    envelope.add_argument("--contact-phone", help=f"ten digits; default: {provider}'s phone")
    envelope.add_argument("--contact-email")
    envelope.add_argument("--receiver-name", help="default: the payer's name")
    envelope.add_argument("--receiver-id", help="default: the payer id")
    envelope.add_argument(
        "--control-number", type=int, default=1, help="ISA13 and GS06 (default: 1)"
    )
    envelope.add_argument("--usage", choices=["T", "P"], default="T", help="test or production")


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

    Exit codes: 0 valid or eligible (or, for ``remit read``, nothing needs
    action; for ``eligibility read``, active and covered), 1 invalid or not
    eligible (something needs action or attention), 2 bad input or usage,
    141 when the reader of the output went away (as a shell reports a Unix
    tool that SIGPIPE ended), 130 on Ctrl-C.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).
        out: Where to write (default: standard output).
    """
    stream = sys.stdout if out is None else out
    try:
        code = _run(argv, stream)
        # Flushed here, while a broken pipe can still be caught.
        stream.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return code


def _run(argv: Sequence[str] | None, stream: TextIO) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        _check_stdin(_paths(args))
        code: int = args.run(args, stream)
    except _UsageError as exc:
        _say(sys.stderr, f"soapbill: {exc}")
        return EXIT_BAD_INPUT
    except _BadDocumentError as exc:
        _print_errors(exc.error, exc.path, sys.stderr, exc.verdict)
        return EXIT_BAD_INPUT
    except _OptionError as exc:
        for line in exc.lines:
            _say(sys.stderr, f"soapbill: {line}")
        if exc.document is not None:
            _print_errors(exc.document.error, exc.document.path, sys.stderr, exc.document.verdict)
        return EXIT_BAD_INPUT
    except SoapbillError as exc:
        # A library error's message is fixed text without values.
        _say(sys.stderr, f"soapbill: {exc}")
        return EXIT_BAD_INPUT
    return code


def _paths(args: argparse.Namespace) -> list[str]:
    """
    Every file name the command reads.
    """
    names = ("file", "claim", "policy", "batch")
    paths: list[str] = [getattr(args, name, None) or "" for name in names]
    for name in ("rx", "note", "history", "plan", "claims", "inquiries"):
        paths += getattr(args, name, ())
    return paths


def _quiet_broken_pipe() -> None:
    """
    Point each standard stream whose reader went away at the null device.

    Python flushes the standard streams at exit; a broken pipe would then
    print a warning. This follows the note on SIGPIPE in the documentation of
    the ``signal`` module.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except OSError:
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)
