"""
Checking many claims: JSON Lines in, decisions out, in order, on one core or many.

A billing service checks every claim of a day against a payer policy. Each
line of a JSON Lines input is one *case*::

    {"claim": {...}, "prescriptions": [...], "notes": [...], "history": [...], "care_plans": [...]}

a claim document and, optionally, the prescriptions and SOAP notes on file,
the patient's earlier claims and the plans of care on file
(:class:`~soapbill.care.CarePlan`, for the rules of
:mod:`soapbill.rules.care`), each in soapbill's JSON format
(:mod:`soapbill.formats.json`). :func:`check_many` reads the lines as they
come (never the whole input), checks each case with
:func:`soapbill.rules.evaluate` and yields one :class:`Outcome` per line, in
the order of the input, whatever the number of processes:

>>> from datetime import date
>>> from soapbill.rules import policies
>>> lines = ['{"claim": 5}', "", '{"claim": [], "notes": 7}']
>>> for outcome in check_many(lines, policies.load("commercial"), as_of=date(2026, 3, 10)):
...     print(outcome.line, [detail.path for detail in outcome.error.errors])
1 ['claim']
3 ['claim', 'notes']

(docs/guide/scale.md checks the seed story's claim this way.)

A line that is not a valid case becomes an outcome with its
:class:`~soapbill.errors.ValidationError` (paths such as
``claim.lines[0].units``, ``notes[1].signature`` or
``care_plans[0].ends_on``, never the line's text) and the batch goes on;
blank lines are passed over. A line longer than *max_line_bytes* (16 MiB,
as the command line reads one file) is refused without being read into
memory when the input is a binary stream.

Each outcome renders as one output line (:meth:`Outcome.to_json`): the line
number, the claim id and the decision, the decision's JSON exactly as
``soapbill check --json`` prints it, so a batch's decisions are the same
bytes whether one process, a pool of processes (``jobs``) or a Dask cluster
(:func:`check_bag`, the ``soapbill[dask]`` extra) checked them.

With ``jobs`` above 1 a process pool checks the cases, chunk by chunk, a
bounded number of chunks at a time: the policy (with its code tables) and
the other settings go to each process once, when it starts, and the
outcomes come back in input order. Whatever is passed then must pickle.
Each worker process keeps those settings in a module variable for its life:
the only state of this module, and only in the pool's processes.

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0 A case may hold ``care_plans``.
"""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import json
import os
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, BinaryIO, Final, cast

import attrs
import msgspec

from soapbill._text import CONTROLS
from soapbill.billing.fees import FeeSchedule
from soapbill.care import CarePlan
from soapbill.claims import Claim
from soapbill.codes.cpt import Catalog
from soapbill.errors import ErrorDetail, SoapbillError, ValidationError
from soapbill.prescriptions import Prescription
from soapbill.rules.diagnoses import DiagnosisTable
from soapbill.rules.findings import Decision
from soapbill.rules.policy import PayerPolicy
from soapbill.soap import SoapNote

__all__ = [
    "MAX_LINE_BYTES",
    "Case",
    "Outcome",
    "check_bag",
    "check_many",
    "decode_case",
]

#: The longest line read, 16 MiB, the most the command line reads of one file.
MAX_LINE_BYTES: Final = 16 * 1024 * 1024
#: The keys of a case; only ``claim`` is required.
_CASE_KEYS: Final = ("claim", "prescriptions", "notes", "history", "care_plans")
_LISTS: Final[dict[str, type[Prescription | SoapNote | Claim | CarePlan]]] = {
    "prescriptions": Prescription,
    "notes": SoapNote,
    "history": Claim,
    "care_plans": CarePlan,
}
#: After this many problems in one case, the rest of it is not checked.
_MAX_PROBLEMS: Final = 100
#: Lines sent to a worker process at a time, and chunks in flight per process.
_CHUNK_LINES: Final = 64
_CHUNKS_PER_JOB: Final = 4
#: JSON carries these characters raw inside its strings (C0 controls are
#: always escaped); an escape is the same JSON and safe on a terminal.
#: The same table as the command line's, so decisions are the same bytes.
_JSON_ESCAPES: Final = {code: f"\\u{code:04x}" for code in CONTROLS if code >= 0x7F}  # noqa: PLR2004 - DEL
_DECODE: Final = msgspec.json.Decoder()


class _RawCase(msgspec.Struct, forbid_unknown_fields=True):
    """
    A well-formed case, its documents left as JSON text for the JSON format.
    """

    claim: msgspec.Raw
    prescriptions: list[msgspec.Raw] = []
    notes: list[msgspec.Raw] = []
    history: list[msgspec.Raw] = []
    care_plans: list[msgspec.Raw] = []


_DECODE_RAW: Final = msgspec.json.Decoder(_RawCase)


@attrs.frozen(kw_only=True)
class Case:
    """
    One input line: a claim and what it is checked with.

    Attributes:
        claim: The claim.
        prescriptions: The prescriptions on file.
        notes: The SOAP notes on file.
        history: The patient's earlier claims.
        care_plans: The plans of care on file.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``care_plans``.
    """

    claim: Claim
    prescriptions: tuple[Prescription, ...] = ()
    notes: tuple[SoapNote, ...] = ()
    history: tuple[Claim, ...] = ()
    care_plans: tuple[CarePlan, ...] = ()


@attrs.frozen(kw_only=True)
class Outcome:
    """
    What one input line gave: a decision, or the reason the line is not a case.

    Attributes:
        line: The 1-based line number in the input.
        claim_id: The claim's id; ``None`` for a line that is not a case.
        eligible: Whether the claim is eligible; ``None`` for a line that is
            not a case.
        decision_json: The decision as ``soapbill check --json`` prints it
            (without the newline); ``None`` for a line that is not a case.
        error: Why the line is not a case; ``None`` when it is one.

    .. versionadded:: 0.1.0
    """

    line: int
    claim_id: str | None = None
    eligible: bool | None = None
    decision_json: str | None = attrs.field(default=None, repr=False)
    error: ValidationError | None = None

    @property
    def decision(self) -> Decision | None:
        """
        The decision, decoded from :attr:`decision_json`; ``None`` for a bad line.
        """
        if self.decision_json is None:
            return None
        from soapbill.formats.json import from_json  # noqa: PLC0415 - formats load on use

        return from_json(self.decision_json, Decision)

    def to_json(self) -> str:
        """
        The output line of this outcome (JSON, without the newline).

        ``{"line": 3, "claim_id": "clm-001", "decision": {...}}`` for a case,
        ``{"line": 4, "errors": [{"path": ..., "code": ..., "message": ...}]}``
        for a line that is not one: paths, codes and fixed messages, never a
        value of the line.
        """
        if self.error is not None:
            errors = [
                {"path": d.path, "code": d.code, "message": d.message} for d in self.error.errors
            ]
            text = json.dumps({"line": self.line, "errors": errors}, separators=(",", ":"))
            return text.translate(_JSON_ESCAPES)
        claim_id = json.dumps(self.claim_id).translate(_JSON_ESCAPES)
        return f'{{"line":{self.line},"claim_id":{claim_id},"decision":{self.decision_json}}}'


def decode_case(line: str | bytes) -> Case:
    """
    Decode one JSON Lines case.

    Args:
        line: The line, a JSON object with the key ``claim`` and optionally
            ``prescriptions``, ``notes``, ``history`` and ``care_plans`` (arrays).

    Raises:
        ValidationError: The line is not a valid case; every problem (up to
            a hundred) is listed with its path.

    .. versionadded:: 0.1.0
    """
    if not isinstance(line, str | bytes):
        raise ValidationError.single("", "invalid_type", "expected a line of text")
    try:
        raw = _DECODE_RAW.decode(line)
    except msgspec.DecodeError:
        raw = None
    if raw is not None:
        return _from_raw(raw)
    # Not a well-formed case: read it again, to name every problem.
    try:
        data = _DECODE.decode(line)
    except (msgspec.DecodeError, RecursionError):
        data = _NOT_JSON
    if data is _NOT_JSON:
        raise ValidationError.single("", "json_invalid", "not valid JSON")
    if not isinstance(data, dict):
        raise ValidationError.single("", "invalid_type", "expected a JSON object: a case")
    problems: list[ErrorDetail] = [
        ErrorDetail(path=key, code="unknown_field", message="unknown field")
        for key in data
        if key not in _CASE_KEYS
    ]
    claims = _documents(data, "claim", Claim, problems)
    lists = {key: _documents(data, key, cls, problems) for key, cls in _LISTS.items()}
    if problems:
        raise ValidationError(problems[:_MAX_PROBLEMS])
    return Case(
        claim=claims[0],
        prescriptions=tuple(lists["prescriptions"]),
        notes=tuple(lists["notes"]),
        history=tuple(lists["history"]),
        care_plans=tuple(lists["care_plans"]),
    )


def _from_raw(raw: _RawCase) -> Case:
    """
    The case whose documents msgspec set apart, each decoded as a JSON document.
    """
    from soapbill.formats.json import from_json  # noqa: PLC0415 - formats load on use

    problems: list[ErrorDetail] = []
    documents: dict[str, list[Any]] = {}
    parts: list[tuple[str, str, type[Any], list[msgspec.Raw]]] = [
        ("claim", "claim", Claim, [raw.claim]),
        *((key, f"{key}[{{}}]", cls, getattr(raw, key)) for key, cls in _LISTS.items()),
    ]
    for key, path, cls, items in parts:
        documents[key] = []
        for i, item in enumerate(items):
            if len(problems) >= _MAX_PROBLEMS:
                break
            try:
                documents[key].append(from_json(bytes(item), cls))
            except ValidationError as err:
                problems += err.prefixed(path.format(i)).errors
    if problems:
        raise ValidationError(problems[:_MAX_PROBLEMS])
    return Case(
        claim=documents["claim"][0],
        prescriptions=tuple(documents["prescriptions"]),
        notes=tuple(documents["notes"]),
        history=tuple(documents["history"]),
        care_plans=tuple(documents["care_plans"]),
    )


def _documents(
    data: dict[str, Any], key: str, cls: type[Any], problems: list[ErrorDetail]
) -> list[Any]:
    """
    The documents under *key*: the claim, or an array's items; adds what is wrong to *problems*.
    """
    from soapbill.formats.json import from_dict  # noqa: PLC0415 - formats load on use

    if key == "claim":
        if key not in data:
            problems.append(ErrorDetail(path=key, code="missing", message="a case has a claim"))
            return []
        items, paths = [data[key]], [key]
    else:
        items = data.get(key, [])
        if not isinstance(items, list):
            problems.append(ErrorDetail(path=key, code="invalid_type", message="expected an array"))
            return []
        paths = [f"{key}[{i}]" for i in range(len(items))]
    documents = []
    for item, path in zip(items, paths, strict=True):
        if len(problems) >= _MAX_PROBLEMS:
            break
        try:
            documents.append(from_dict(item, cls))
        except ValidationError as err:
            problems += err.prefixed(path).errors
    return documents


#: What a line that JSON cannot parse decodes to.
_NOT_JSON: Final = object()


class _TooLong:
    """
    A line longer than the limit, in place of its text.
    """

    __slots__ = ()


_TOO_LONG: Final = _TooLong()


@attrs.frozen
class _BadItem:
    """
    An item of the input that is not text, in place of it.
    """

    error: ValidationError


#: What one input line is to the checker.
_Item = str | bytes | _TooLong | _BadItem


@attrs.frozen(kw_only=True)
class _Settings:
    """
    What every case of a batch is checked with; sent to each process once.
    """

    policy: PayerPolicy
    as_of: date
    diagnosis_table: DiagnosisTable | None
    catalog: Catalog | None
    allowed_amounts: FeeSchedule | None
    max_line_bytes: int


def _outcome(number: int, text: str | bytes | _TooLong, settings: _Settings) -> Outcome:
    from soapbill.formats.json import to_json  # noqa: PLC0415 - formats load on use
    from soapbill.rules.engine import evaluate  # noqa: PLC0415

    if isinstance(text, _TooLong) or len(text) > settings.max_line_bytes:
        message = f"the line is longer than {settings.max_line_bytes} bytes"
        return Outcome(line=number, error=ValidationError.single("", "too_large", message))
    # Passed only when given: evaluate takes no more than it needs.
    options: dict[str, Any] = {}
    if settings.allowed_amounts is not None:
        options["allowed_amounts"] = settings.allowed_amounts
    try:
        case = decode_case(text)
        decision = evaluate(
            case.claim,
            settings.policy,
            prescriptions=case.prescriptions,
            notes=case.notes,
            history=case.history,
            care_plans=case.care_plans,
            as_of=settings.as_of,
            diagnosis_table=settings.diagnosis_table,
            catalog=settings.catalog,
            **options,
        )
    except ValidationError as err:
        return Outcome(line=number, error=err)
    return Outcome(
        line=number,
        claim_id=case.claim.id,
        eligible=decision.eligible,
        decision_json=to_json(decision).translate(_JSON_ESCAPES),
    )


def _is_blank(text: str | bytes | _TooLong) -> bool:
    return not isinstance(text, _TooLong) and not text.strip()


def _stream_lines(stream: BinaryIO, limit: int) -> Iterator[bytes | _TooLong]:
    """
    The lines of a binary stream, each read up to *limit* bytes.
    """
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            # Read the rest of the line in pieces, keeping none of it.
            while line and not line.endswith(b"\n"):
                line = stream.readline(limit + 1)
            yield _TOO_LONG
        else:
            yield line


def _numbered(lines: Iterable[str | bytes] | BinaryIO, limit: int) -> Iterator[tuple[int, _Item]]:
    source: Iterable[object] = (
        _stream_lines(cast("BinaryIO", lines), limit) if hasattr(lines, "readline") else lines
    )
    for number, text in enumerate(source, start=1):
        if not isinstance(text, str | bytes | _TooLong):
            message = "expected a line of text"
            yield number, _BadItem(ValidationError.single("", "invalid_type", message))
            continue
        if not _is_blank(text):
            yield number, text


def check_many(
    lines: Iterable[str | bytes] | BinaryIO,
    policy: PayerPolicy,
    *,
    as_of: date,
    jobs: int = 1,
    diagnosis_table: DiagnosisTable | None = None,
    catalog: Catalog | None = None,
    allowed_amounts: FeeSchedule | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Iterator[Outcome]:
    """
    Check every case of a JSON Lines input; yield the outcomes in input order.

    Args:
        lines: The lines (``str`` or ``bytes``), or a binary stream to read
            them from (its lines are read one at a time, each up to
            *max_line_bytes*).
        policy: The payer's policy, with its code tables attached
            (:meth:`~soapbill.rules.policy.PayerPolicy.with_edits`).
        as_of: The day the claims are checked.
        jobs: How many processes check the cases; ``1`` checks them in this
            process, ``0`` uses one process per CPU.
        diagnosis_table: As for :func:`soapbill.rules.evaluate`.
        catalog: As for :func:`soapbill.rules.evaluate`.
        allowed_amounts: As for :func:`soapbill.rules.evaluate`.
        max_line_bytes: The longest line checked; a longer one is a bad line.

    Yields:
        One :class:`Outcome` per line that is not blank, in input order.

    Raises:
        ValidationError: An argument is of the wrong type (before the first
            outcome).

    .. versionadded:: 0.1.0
    """
    if isinstance(lines, str | bytes) or not isinstance(lines, Iterable):
        message = "expected an iterable of lines or a binary stream"
        raise ValidationError.single("lines", "invalid_type", message)
    settings = _settings(
        policy,
        as_of=as_of,
        diagnosis_table=diagnosis_table,
        catalog=catalog,
        allowed_amounts=allowed_amounts,
        max_line_bytes=max_line_bytes,
        jobs=jobs,
    )
    workers = (os.cpu_count() or 1) if jobs == 0 else jobs
    numbered = _numbered(lines, max_line_bytes)
    if workers == 1:
        return (_checked(number, text, settings) for number, text in numbered)
    return _pooled(numbered, settings, workers)


def _settings(
    policy: PayerPolicy,
    *,
    as_of: date,
    diagnosis_table: DiagnosisTable | None,
    catalog: Catalog | None,
    allowed_amounts: FeeSchedule | None,
    max_line_bytes: int,
    jobs: int,
) -> _Settings:
    from soapbill._arguments import check_date, check_instance, check_int  # noqa: PLC0415

    check_instance(policy, PayerPolicy, "policy")
    check_date(as_of, "as_of")
    if check_int(jobs, "jobs") < 0:
        raise ValidationError.single("jobs", "too_small", "must be at least 0")
    if check_int(max_line_bytes, "max_line_bytes") < 1:
        raise ValidationError.single("max_line_bytes", "too_small", "must be at least 1")
    return _Settings(
        policy=policy,
        as_of=as_of,
        diagnosis_table=diagnosis_table,
        catalog=catalog,
        allowed_amounts=allowed_amounts,
        max_line_bytes=max_line_bytes,
    )


def _checked(number: int, text: _Item, settings: _Settings) -> Outcome:
    if isinstance(text, _BadItem):
        return Outcome(line=number, error=text.error)
    return _outcome(number, text, settings)


# --- the process pool ------------------------------------------------------------------

#: A worker process's settings, set once when it starts.
_WORKER: list[_Settings] = []


def _start_worker(settings: _Settings) -> None:
    _WORKER[:] = [settings]


def _check_chunk(chunk: list[tuple[int, _Item]]) -> list[Outcome]:
    settings = _WORKER[0]
    return [_checked(number, text, settings) for number, text in chunk]


def _pooled(
    numbered: Iterator[tuple[int, _Item]],
    settings: _Settings,
    workers: int,
) -> Iterator[Outcome]:
    chunks = iter(lambda: list(itertools.islice(numbered, _CHUNK_LINES)), [])
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(settings,)
    )
    pending: collections.deque[concurrent.futures.Future[list[Outcome]]] = collections.deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(_check_chunk, chunk))
            # Bounded: the input is read only as fast as the workers check it.
            if len(pending) >= workers * _CHUNKS_PER_JOB:
                yield from _result(pending.popleft())
        while pending:
            yield from _result(pending.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _result(future: concurrent.futures.Future[list[Outcome]]) -> list[Outcome]:
    try:
        return future.result()
    except concurrent.futures.process.BrokenProcessPool:
        error = _WorkerError("a worker process ended unexpectedly")
    raise error


class _WorkerError(SoapbillError):
    """
    A worker process of the pool ended without an answer.
    """


# --- Dask --------------------------------------------------------------------------------


def check_bag(
    bag: Any,  # noqa: ANN401 - a dask.bag.Bag; dask is an optional extra
    policy: PayerPolicy,
    *,
    as_of: date,
    client: Any = None,  # noqa: ANN401 - a distributed.Client
    diagnosis_table: DiagnosisTable | None = None,
    catalog: Catalog | None = None,
    allowed_amounts: FeeSchedule | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Any:  # noqa: ANN401 - a dask.bag.Bag
    """
    Check a Dask bag of JSON Lines cases; a lazy bag of output lines.

    Needs the ``soapbill[dask]`` extra. Each partition of *bag* is a run of
    lines (``dask.bag.read_text(urlpath, blocksize=None)`` makes one
    partition per file, of any fsspec URL); each becomes, in order, the
    output lines :meth:`Outcome.to_json` writes, numbered from 1 within its
    partition, blank lines counted and passed over. With a
    ``distributed.Client``, the policy and settings are scattered to every
    worker once (``broadcast=True``), not sent with each task.

    For example, one output file per input file::

        lines = dask.bag.read_text("s3://claims/2026-03-10/*.jsonl", blocksize=None)
        check_bag(lines, policy, as_of=day, client=client).to_textfiles("out/*.jsonl")

    Raises:
        MissingExtraError: Dask is not installed.
        ValidationError: An argument is of the wrong type.

    .. versionadded:: 0.1.0
    """
    from soapbill import _dask  # noqa: PLC0415 - an optional extra

    settings = _settings(
        policy,
        as_of=as_of,
        diagnosis_table=diagnosis_table,
        catalog=catalog,
        allowed_amounts=allowed_amounts,
        max_line_bytes=max_line_bytes,
        jobs=1,
    )
    return _dask.check_bag(bag, settings, client)


def _check_partition(lines: Iterable[str], settings: _Settings) -> list[str]:
    """
    The output lines of one partition of a bag.
    """
    return [
        _checked(number, text, settings).to_json()
        for number, text in _numbered(lines, settings.max_line_bytes)
    ]
