"""
``soapbill rx-request`` and ``soapbill progress``: the command line's side of :mod:`soapbill.care`.

- ``soapbill rx-request NOTE.json --patient PATIENT.json --prescriber
  PROVIDER.json --frequency NxW [--coverage COVERAGE.json] [--service CODE ...]
  [--on DATE] [--id ID] [--require ITEM ...]`` builds an
  :class:`~soapbill.care.RxRequest` from the intake note
  (:meth:`~soapbill.care.RxRequest.from_note`); ``soapbill rx-request
  --request REQUEST.json`` reads one written before (``--to json``). It
  writes the one-page letter for the prescriber (``--to text``, the default,
  or ``html``), the FHIR Bundle of ServiceRequests with intent ``proposal``
  (``fhir``, :func:`~soapbill.care.rx_request_to_fhir`) or the request as a
  JSON document (``json``).
- ``soapbill progress --note NOTES.json ... --plan PLAN.json [--from DATE]
  [--until DATE]`` computes the :func:`~soapbill.care.progress_report` of a
  plan of care from the notes (each file a note or a JSON array of notes) and
  writes it as text, as one HTML page with its charts, as a FHIR Bundle
  (:func:`~soapbill.care.progress_report_to_fhir`) or as JSON.

Both write to standard output, or to the file ``--out`` names. Exit codes: 0
written, 2 bad input (each problem named by its file, option and path, never
by its value).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from soapbill.cli import (
    _JSON_ESCAPES,
    EXIT_OK,
    _BadDocumentError,
    _check_stdin,
    _day,
    _emit,
    _load,
    _load_list,
    _name,
    _OptionError,
    _print_errors,
    _read,
    _UsageError,
)
from soapbill.errors import ValidationError

if TYPE_CHECKING:
    from soapbill.care import CarePlan, ProgressReport, RxRequest
    from soapbill.codes.cpt import CptCode
    from soapbill.soap import Frequency, SoapNote

__all__ = ["add_commands"]

_STDIN: Final = "-"
_FORMATS: Final = ("text", "html", "fhir", "json")
#: The options that build a request from a note, by their ``argparse`` names.
_NOTE_OPTIONS: Final = {
    "patient": "--patient",
    "prescriber": "--prescriber",
    "frequency": "--frequency",
    "coverage": "--coverage",
    "service": "--service",
    "on": "--on",
    "id": "--id",
    "require": "--require",
}
_REQUIRED: Final = ("patient", "prescriber", "frequency")
#: Who answers for each field of a request built from a note: an option, or
#: the note (``None``).
_REQUEST_FIELDS: Final[dict[str, str | None]] = {
    "id": "--id",
    "requested_on": "--on",
    "frequency": "--frequency",
    "services": "--service",
    "requirements": "--require",
    "patient": "--patient",
    "prescriber": "--prescriber",
    "coverage": "--coverage",
}
#: The values of :class:`soapbill.care.ScriptItem`, which the parser lists
#: without importing the care module.
_SCRIPT_ITEMS: Final = ("diagnosis", "codes", "frequency", "duration", "signature", "npi", "date")
_DEFAULT_ID: Final = "rx-request- and the note's id"
_DEFAULT_UNTIL: Final = "the date of the last note within the plan, or the plan's last day"


def add_commands(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action is private
    """
    Add the ``rx-request`` and ``progress`` commands.
    """
    _add_rx_request(commands)
    _add_progress(commands)


def _add_rx_request(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action is private
    parser = commands.add_parser(
        "rx-request",
        help="ask a prescriber for a prescription: a letter, FHIR or JSON",
        description=(
            "Write a request for a prescription, built from the intake SOAP note or read from "
            "an RxRequest JSON document: the one-page letter the prescriber signs and returns "
            "(text or HTML), a FHIR R4 Bundle of ServiceRequests with intent proposal, or the "
            "request as JSON. Exit 0 written, 2 bad input."
        ),
    )
    parser.add_argument(
        "note_file",
        nargs="?",
        metavar="NOTE.json",
        help="the intake SOAP note (- for standard input)",
    )
    parser.add_argument(
        "--request",
        metavar="REQUEST.json",
        help="an RxRequest JSON document (as --to json writes it), instead of NOTE.json",
    )
    note = parser.add_argument_group("a request from NOTE.json")
    note.add_argument("--patient", metavar="PATIENT.json", help="the patient (required)")
    note.add_argument(
        "--prescriber", metavar="PROVIDER.json", help="the prescriber asked (required)"
    )
    note.add_argument(
        "--frequency",
        type=_frequency,
        metavar="NxW",
        help="N visits a week for W weeks, such as 2x4 (required)",
    )
    note.add_argument("--coverage", metavar="COVERAGE.json", help="the patient's insurance")
    note.add_argument(
        "--service",
        action="append",
        default=[],
        type=_service,
        metavar="CODE",
        help='a CPT or HCPCS code proposed (repeatable; default: none, "massage therapy")',
    )
    note.add_argument("--on", type=_day, metavar="DATE", help="the request's date (default: today)")
    note.add_argument(
        "--id", metavar="ID", help="the request's id (default: rx-request-<the note's id>)"
    )
    note.add_argument(
        "--require",
        action="append",
        default=[],
        choices=_SCRIPT_ITEMS,
        metavar="ITEM",
        help=f"what the payer requires on the script: {', '.join(_SCRIPT_ITEMS)} "
        "(repeatable; default: all of them)",
    )
    _add_output(parser)
    parser.set_defaults(run=_rx_request)


def _add_progress(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action is private
    parser = commands.add_parser(
        "progress",
        help="write the progress report of a plan of care from the notes",
        description=(
            "Compute the progress report of a plan of care from SOAP notes (trend of each "
            "measure, status of each goal, visits and units) and write it as text, as one "
            "HTML page with charts, as a FHIR R4 Bundle or as JSON. Exit 0 written, 2 bad input."
        ),
    )
    parser.add_argument(
        "--note",
        action="append",
        required=True,
        metavar="NOTES.json",
        help="a SOAP note or a JSON array of notes (repeatable; - for standard input, once)",
    )
    parser.add_argument(
        "--plan",
        dest="care_plan",
        required=True,
        metavar="PLAN.json",
        help="the plan of care, a CarePlan JSON document (- for standard input)",
    )
    parser.add_argument(
        "--from",
        dest="start",
        type=_day,
        metavar="DATE",
        help="the first day of the period (default: the plan's first day)",
    )
    parser.add_argument(
        "--until",
        type=_day,
        metavar="DATE",
        help=f"the last day of the period (default: {_DEFAULT_UNTIL})",
    )
    _add_output(parser)
    parser.set_defaults(run=_progress)


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", choices=_FORMATS, default="text", help="the format (default: text)")
    parser.add_argument(
        "--out", metavar="FILE", help="where to write it (default: standard output)"
    )


def _frequency(text: str) -> Frequency:
    """
    ``NxW``: N visits a week (1 to 7) for W weeks (1 to 104).
    """
    from soapbill.soap import Frequency  # noqa: PLC0415 - keeps --help fast

    msg = "expected N visits a week for W weeks as NxW, such as 2x4 (N 1-7, W 1-104)"
    per_week, sign, weeks = text.lower().partition("x")
    numbers = (per_week, weeks)
    # Three digits at most: int() of thousands of digits is slow, or refused.
    if not sign or not all(n.isascii() and n.isdigit() and len(n) <= 3 for n in numbers):  # noqa: PLR2004
        raise argparse.ArgumentTypeError(msg)
    try:
        return Frequency(per_week=int(per_week), weeks=int(weeks))
    except ValidationError:
        raise argparse.ArgumentTypeError(msg) from None


def _service(text: str) -> CptCode:
    from soapbill.codes.cpt import CptCode  # noqa: PLC0415 - keeps --help fast

    try:
        return CptCode(text)
    except ValidationError:
        msg = "expected a CPT or HCPCS Level II code, such as 97124"
        raise argparse.ArgumentTypeError(msg) from None


# --- what the commands write -------------------------------------------------------------


def _json_text(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False).translate(_JSON_ESCAPES) + "\n"


def _deliver(path: str | None, out: TextIO, document: str) -> None:
    """
    Write *document* to the file *path*, or to *out* when it is ``None`` or ``-``.
    """
    if not document.endswith("\n"):
        document += "\n"
    if path is None or path == _STDIN:
        _emit(out, document)
        return
    try:
        with Path(path).open("w", encoding="utf-8", newline="") as file:
            file.write(document)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        msg = f"cannot write {_name(path)}: {reason}"
        raise _UsageError(msg) from None


def _load_all(loaders: Iterable[Callable[[], Any]]) -> list[Any]:
    """
    Every document the *loaders* read; each bad one is listed, the last one raised.
    """
    loaded: list[Any] = []
    bad: list[_BadDocumentError] = []
    for load in loaders:
        try:
            loaded.append(load())
        except _BadDocumentError as exc:
            bad.append(exc)
    for earlier in bad[:-1]:
        _print_errors(earlier.error, earlier.path, sys.stderr, earlier.verdict)
    if bad:
        raise bad[-1]
    return loaded


def _loader(path: str, cls: type[Any]) -> Callable[[], Any]:
    return lambda: _load(path, cls)


# --- soapbill rx-request -----------------------------------------------------------------


def _rx_request(args: argparse.Namespace, out: TextIO) -> int:
    from soapbill.care import RxRequest, render_rx_request, rx_request_to_fhir  # noqa: PLC0415

    _check_source(args)
    files = (args.note_file, args.request, args.patient, args.prescriber, args.coverage)
    _check_stdin(path for path in files if path is not None)
    request = _from_note(args) if args.request is None else _load(args.request, RxRequest)
    _deliver(args.out, out, _document(request, args.to, render_rx_request, rx_request_to_fhir))
    return EXIT_OK


def _check_source(args: argparse.Namespace) -> None:
    """
    Refuse options that do not go together: a request is read, or built from a note.
    """
    if (args.note_file is None) == (args.request is None):
        msg = (
            "give NOTE.json or --request, not both"
            if args.request
            else "give NOTE.json or --request"
        )
        raise _UsageError(msg)
    if args.request is not None:
        given = [option for dest, option in _NOTE_OPTIONS.items() if getattr(args, dest)]
        if given:
            msg = (
                f"{', '.join(given)}: --request reads a whole request; these build one from a note"
            )
            raise _UsageError(msg)
        return
    missing = [_NOTE_OPTIONS[dest] for dest in _REQUIRED if getattr(args, dest) is None]
    if missing:
        them = "them" if len(missing) > 1 else "it"
        msg = f"{', '.join(missing)}: a request from NOTE.json needs {them}"
        raise _UsageError(msg)


def _from_note(args: argparse.Namespace) -> RxRequest:
    from soapbill.care import RxRequest, ScriptItem  # noqa: PLC0415 - keeps --help fast
    from soapbill.parties import Coverage, Patient, Provider  # noqa: PLC0415
    from soapbill.soap import SoapNote  # noqa: PLC0415

    files = [(args.note_file, SoapNote), (args.patient, Patient), (args.prescriber, Provider)]
    if args.coverage is not None:
        files.append((args.coverage, Coverage))
    note, patient, prescriber, *coverage = _load_all(_loader(path, cls) for path, cls in files)
    options: dict[str, Any] = {}
    if args.require:
        options["requirements"] = tuple(ScriptItem(item) for item in dict.fromkeys(args.require))
    try:
        return RxRequest.from_note(
            note,
            id=f"rx-request-{note.id}" if args.id is None else args.id,
            patient=patient,
            prescriber=prescriber,
            frequency=args.frequency,
            requested_on=date.today() if args.on is None else args.on,  # noqa: DTZ011 - the CLI's default
            coverage=coverage[0] if coverage else None,
            services=tuple(dict.fromkeys(args.service)),
            **options,
        )
    except ValidationError as err:
        raise _request_error(args, err) from None


def _request_error(args: argparse.Namespace, err: ValidationError) -> _OptionError:
    """
    What is wrong with a request built from a note, each problem blamed on its option or file.
    """
    lines = []
    for detail in err.errors:
        head = detail.path.partition(".")[0].partition("[")[0]
        option = _REQUEST_FIELDS.get(head)
        if option is None:
            # The note's own parts: diagnoses, findings, the therapist.
            where = f"{_name(args.note_file)}: {detail.path.removeprefix('note.')}"
        elif head == "id" and args.id is None:
            where = f"--id (not given; the default is {_DEFAULT_ID})"
        else:
            where = option
        lines.append(f"{where}: {detail.message} [{detail.code}]")
    return _OptionError(lines)


def _document(
    subject: RxRequest | ProgressReport,
    to: str,
    render: Callable[[Any, str], str],
    fhir: Callable[[Any], dict[str, Any]],
) -> str:
    """
    *subject* as the letter or page *render* writes (text, html), FHIR or JSON.
    """
    from soapbill.formats.json import to_dict  # noqa: PLC0415 - on use

    if to in {"text", "html"}:
        return render(subject, to)
    if to == "fhir":
        return _json_text(fhir(subject))
    return _json_text(to_dict(subject))


# --- soapbill progress -------------------------------------------------------------------


def _progress(args: argparse.Namespace, out: TextIO) -> int:
    from soapbill.care import (  # noqa: PLC0415 - keeps --help fast
        progress_report,
        progress_report_to_fhir,
        render_progress_report,
    )

    _check_stdin([*args.note, args.care_plan])
    plan, notes, origins = _progress_inputs(args)
    try:
        report = progress_report(notes, care_plan=plan, period=_period(args, plan, notes))
    except ValidationError as err:
        raise _notes_error(err, origins) from None
    _deliver(
        args.out, out, _document(report, args.to, render_progress_report, progress_report_to_fhir)
    )
    return EXIT_OK


def _progress_inputs(
    args: argparse.Namespace,
) -> tuple[CarePlan, list[SoapNote], list[tuple[str, str]]]:
    """
    The plan, the notes, and where each note comes from: its file and its index there.
    """
    from soapbill.care import CarePlan  # noqa: PLC0415 - keeps --help fast

    loaders = [_loader(args.care_plan, CarePlan), *(_notes_loader(path) for path in args.note)]
    plan, *files = _load_all(loaders)
    notes: list[SoapNote] = []
    origins: list[tuple[str, str]] = []
    for path, (listed, found) in zip(args.note, files, strict=True):
        notes.extend(found)
        origins.extend((path, f"[{i}]." if listed else "") for i in range(len(found)))
    return plan, notes, origins


def _notes_loader(path: str) -> Callable[[], tuple[bool, list[SoapNote]]]:
    return lambda: _load_notes(path)


def _load_notes(path: str) -> tuple[bool, list[SoapNote]]:
    """
    The notes of a ``--note`` file, and whether it is an array: one note, or a JSON array of notes.
    """
    from soapbill.formats.json import from_json  # noqa: PLC0415 - keeps --help fast
    from soapbill.soap import SoapNote  # noqa: PLC0415

    text = _read(path)
    if text.lstrip(" \t\r\n").startswith("["):
        return True, _load_list(path, SoapNote, text)
    try:
        return False, [from_json(text, SoapNote)]
    except ValidationError as err:
        raise _BadDocumentError(path, err) from None


def _notes_error(err: ValidationError, origins: Sequence[tuple[str, str]]) -> _OptionError:
    """
    The report's refusal, each note's problem named by its file and index there.

    The options and the plan are checked before; what is left is about the
    notes (``notes[2].patient_id``: a note about another patient).
    """
    lines = []
    for detail in err.errors:
        index, _, rest = detail.path.removeprefix("notes[").partition("].")
        if not (index.isdigit() and rest):
            lines.append(f"{detail.path}: {detail.message} [{detail.code}]")
            continue
        path, prefix = origins[int(index)]
        lines.append(f"{_name(path)}: {prefix}{rest}: {detail.message} [{detail.code}]")
    return _OptionError(lines)


def _period(
    args: argparse.Namespace, plan: CarePlan, notes: Sequence[SoapNote]
) -> tuple[date, date]:
    """
    The report's period: the options, or the plan's first day to its last note's date.
    """
    first: date = plan.starts_on if args.start is None else args.start
    if args.until is not None:
        last: date = args.until
        option = "--until"
    else:
        days = [n.date_of_service for n in notes if first <= n.date_of_service <= plan.ends_on]
        last = max(days, default=plan.ends_on)
        option = f"--until (not given; the default is {_DEFAULT_UNTIL})"
    if last < first:
        since = "--from" if args.start is not None else "the plan's first day (--from not given)"
        raise _OptionError([f"{option}: must not be before {since} [before_start]"])
    return first, last
