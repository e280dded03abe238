"""
The soapbill command holds its contract for any input.

Any bytes as any input file of any command end in exit code 0, 1 or 2, never in
an exception, and nothing of the input's text shows in what the command
prints. In a real process, a reader that goes away (``| head -1``) and a
terminal that cannot show a file's name end quietly too.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit_support import accepting_277ca, recount
from seed_story import seed_story
from soapbill import Claim, Frequency, Patient, Provider, SoapNote, from_json, to_json
from soapbill import _remit_writer as remit_writer
from soapbill.care import RxRequest
from soapbill.cli import main
from soapbill.remittance import (
    AckStatus,
    Adjustment,
    AdjustmentGroup,
    TransactionAcknowledgement,
)
from soapbill.rules import policies
from text_support import controls

EXAMPLES: Final = Path(__file__).parent.parent / "examples"
CLAIM: Final = str(EXAMPLES / "claim.json")
RX: Final = str(EXAMPLES / "prescription.json")
NOTE: Final = str(EXAMPLES / "note-1.json")
INQUIRY: Final = str(EXAMPLES / "eligibility-inquiry.json")
PATIENT: Final = str(EXAMPLES / "patient.json")
PRESCRIBER: Final = str(EXAMPLES / "prescriber.json")
PLAN: Final = str(EXAMPLES / "care-plan.json")
SENTINEL: Final = "Qz7SentinelXq"


def _json(path: str) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _rx_request() -> Any:
    """
    The Rx request of the seed story's first note, as plain data.
    """
    request = RxRequest.from_note(
        from_json(Path(NOTE).read_text(encoding="utf-8"), SoapNote),
        id="rq-001",
        patient=from_json(Path(PATIENT).read_text(encoding="utf-8"), Patient),
        prescriber=from_json(Path(PRESCRIBER).read_text(encoding="utf-8"), Provider),
        coverage=from_json(Path(CLAIM).read_text(encoding="utf-8"), Claim).coverage,
        frequency=Frequency(per_week=2, weeks=4),
        requested_on=date(2026, 3, 3),
    )
    return json.loads(to_json(request))


_CLAIM_DATA: Final = json.loads(Path(CLAIM).read_text(encoding="utf-8"))
#: A valid document of each kind the command reads, as plain data.
_DOCUMENTS: Final[dict[str, Any]] = {
    "claim": _CLAIM_DATA,
    "prescription": json.loads(Path(RX).read_text(encoding="utf-8")),
    "note": json.loads(Path(NOTE).read_text(encoding="utf-8")),
    "policy": json.loads(policies.load("commercial-rx").to_json()),
    "history": [_CLAIM_DATA],
    "inquiry": json.loads(Path(INQUIRY).read_text(encoding="utf-8")),
    "notes": [_json(NOTE), _json(str(EXAMPLES / "note-2.json"))],
    "patient": _json(PATIENT),
    "provider": _json(PRESCRIBER),
    "coverage": _CLAIM_DATA["coverage"],
    "care_plan": _json(PLAN),
    "rx_request": _rx_request(),
}


def _x12_files() -> dict[str, str]:
    """
    A valid 835, 999 and 277CA of the seed story, as payers send them, and
    the bundled example 271 (without its line breaks).
    """
    claim = seed_story()[4]
    created = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    co = AdjustmentGroup.CO
    bundled = remit_writer.LineDecision(
        adjustments=(Adjustment(group=co, reason="97", amount=Decimal("10.00")),)
    )
    remit = remit_writer.write_835(
        [claim],
        [remit_writer.ClaimDecision(payer_claim_number="EXHP1", lines=(bundled,))],
        trace_number="EFT1",
        payment_date=date(2026, 4, 1),
        control_number=7,
        created=created,
    )
    ack = remit_writer.write_999(
        [
            TransactionAcknowledgement(
                transaction_set="837", control_number="0001", status=AckStatus.REJECTED
            )
        ],
        group_control_number=1,
        sender="EXHP1",
        receiver="SUBMITTERID",
        control_number=5,
        created=created,
    )
    # A 999 may copy the bad value (IK404): patient data soapbill never shows.
    ack = recount(ack.replace("~IK5*", "~IK3*NM1*8*2010*8~IK4*3**6*PARK~IK5*"))
    claim_ack = accepting_277ca()
    response = (EXAMPLES / "eligibility-271.x12").read_text(encoding="ascii").replace("~\n", "~")
    return {"835": remit, "999": ack, "277ca": claim_ack, "271": response}


_X12: Final = _x12_files()
#: Where the X12 files hold patient data: the patient's or subscriber's name
#: and member id (NM1*QC, NM1*IL), the bad value a 999 copies (IK404) and
#: the member's birth date (DMG02).
_PRIVATE: Final = {"NM1*QC": (3, 4, 9), "NM1*IL": (3, 4, 9), "IK4": (4,), "DMG": (2,)}


@st.composite
def _x12_documents(draw: st.DrawFn, kind: str) -> bytes:
    """
    A valid X12 file of *kind* with the sentinel in one of its patient data
    elements, junk (escapes, line breaks) in another element, then perhaps
    one stretch of its bytes replaced by junk.
    """
    segments = [segment.split("*") for segment in _X12[kind].split("~")]
    private = [
        (i, n)
        for i, elements in enumerate(segments)
        for key, positions in _PRIVATE.items()
        if "*".join(elements).startswith(key + "*")
        for n in positions
        if n < len(elements)
    ]
    i, n = draw(st.sampled_from(private))
    segments[i][n] = SENTINEL
    junk = draw(st.sampled_from(["", "\x1b[2J", "\n", "\u2028", "\x00", "<b>", "\x9b31m"]))
    i = draw(st.integers(1, len(segments) - 2))
    n = draw(st.integers(1, max(1, len(segments[i]) - 1)))
    if n < len(segments[i]):
        segments[i][n] += junk
    raw = "~".join("*".join(elements) for elements in segments).encode()
    if draw(st.booleans()):
        start = draw(st.integers(0, len(raw)))
        end = draw(st.integers(start, min(len(raw), start + 20)))
        raw = raw[:start] + draw(st.binary(max_size=20)) + raw[end:]
    return raw


#: A request from the seed story's first note; the files the fuzz replaces, by position.
_REQUEST: Final = (
    NOTE,
    "--patient",
    PATIENT,
    "--prescriber",
    PRESCRIBER,
    "--frequency",
    "2x4",
    "--on",
    "2026-03-03",
)
_REQUESTED: Final = ((0, "note"), (2, "patient"), (4, "provider"))
_CARE_FORMATS: Final = ("text", "html", "fhir", "json")

#: Each way a file reaches a command: the arguments around it ({} is the file,
#: {835} the seed story's 835) and the kind of document it should hold.
_USES: Final = [
    *((("validate", "{}", "--type", kind), kind) for kind in ("claim", "note", "prescription")),
    (("validate", "{}", "--for", "837p"), "claim"),
    (("check", "{}", "--policy", "commercial-rx"), "claim"),
    (("check", CLAIM, "--policy", "{}"), "policy"),
    (("check", CLAIM, "--policy", "commercial-rx", "--rx", "{}"), "prescription"),
    (("check", CLAIM, "--policy", "commercial-rx", "--note", "{}"), "note"),
    (("check", CLAIM, "--policy", "commercial-rx", "--history", "{}"), "history"),
    (("check", "{}", "--policy", "commercial-rx", "--json"), "claim"),
    *((("export", "{}", "--to", fmt), "claim") for fmt in ("837p", "fhir", "cms1500", "superbill")),
    (("export", "{}", "--to", "superbill", "--kind", "html"), "claim"),
    (("export", CLAIM, "--to", "fhir", "--rx", "{}"), "prescription"),
    (("export", CLAIM, "--to", "fhir", "--note", "{}"), "note"),
    (("schema", "{}"), "claim"),
    *((("remit", "read", "{}"), kind) for kind in ("835", "999", "277ca")),
    *((("remit", "read", "{}", "--json"), kind) for kind in ("835", "999", "277ca")),
    (("remit", "read", "{}", "--claims", CLAIM), "835"),
    (("remit", "read", "{835}", "--claims", "{}"), "claim"),
    (("remit", "read", "{835}", "--claims", CLAIM, "{}", "--json"), "history"),
    (("eligibility", "inquire", "{}", "--to", "270"), "inquiry"),
    (
        ("eligibility", "inquire", INQUIRY, "{}", "--to", "270", "--created", "2026-03-02"),
        "inquiry",
    ),
    (("eligibility", "read", "{}"), "271"),
    (("eligibility", "read", "{}", "--service-type", "33", "--json"), "271"),
    (("check", CLAIM, "--policy", "commercial-rx", "--plan", "{}"), "care_plan"),
    *((("rx-request", *_REQUEST[:i], "{}", *_REQUEST[i + 1 :]), kind) for i, kind in _REQUESTED),
    (("rx-request", *_REQUEST, "--coverage", "{}", "--to", "html"), "coverage"),
    *((("rx-request", "--request", "{}", "--to", to), "rx_request") for to in _CARE_FORMATS),
    *((("progress", "--note", "{}", "--plan", PLAN, "--to", to), "notes") for to in _CARE_FORMATS),
    (("progress", "--note", NOTE, "--note", "{}", "--plan", PLAN), "note"),
    (("progress", "--note", NOTE, "--plan", "{}", "--to", "html"), "care_plan"),
]


def _strings(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """
    The paths of every string value in *data* (keys are not values).
    """
    if isinstance(data, str):
        return [path]
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _strings(value, (*path, key))]
    if isinstance(data, list):
        return [p for i, value in enumerate(data) for p in _strings(value, (*path, i))]
    return []


def _replaced(data: Any, path: tuple[Any, ...], value: str) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replaced(data[path[0]], path[1:], value)
    return copy


@st.composite
def _documents(draw: st.DrawFn, kind: str) -> bytes:
    """
    A valid document of *kind* with the sentinel in one of its string values,
    then perhaps one stretch of its bytes replaced by junk.
    """
    data = _DOCUMENTS[kind]
    path = draw(st.sampled_from(_strings(data)))
    junk = draw(st.sampled_from(["", "\x1b[2J", "\n", "\u2028", "\x00", "<b>"]))
    text = json.dumps(_replaced(data, path, f"{SENTINEL}{junk}"), ensure_ascii=draw(st.booleans()))
    raw = text.encode()
    if draw(st.booleans()):
        start = draw(st.integers(0, len(raw)))
        end = draw(st.integers(start, min(len(raw), start + 20)))
        raw = raw[:start] + draw(st.binary(max_size=20)) + raw[end:]
    return raw


_JUNK: Final = st.one_of(
    st.binary(),
    st.text().map(str.encode),
    st.sampled_from([b"", b"null", b"[]", b"{}", b'"x"', b"1e999999", b"\xef\xbb\xbf{}"]),
    # Arrays nested up to thousands deep, valid JSON all the same.
    st.integers(0, 5000).map(lambda n: b"[" * n + b"]" * n),
)


def _use_id(use: tuple[tuple[str, ...], str]) -> str:
    argv, _ = use
    files = {CLAIM, INQUIRY, NOTE, PATIENT, PRESCRIBER, PLAN}
    return "-".join(arg for arg in argv if arg not in files).replace("{}", "FILE")


@pytest.mark.parametrize(("argv", "kind"), _USES, ids=[_use_id(use) for use in _USES])
@given(data=st.data())
def test_any_bytes_as_any_input(argv: tuple[str, ...], kind: str, data: st.DataObject) -> None:
    documents = _x12_documents(kind) if kind in _X12 else _documents(kind)
    content = data.draw(documents | _JUNK, label="content")
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.json"
        path.write_bytes(content)
        remit = Path(tmp) / "remit.x12"
        remit.write_text(_X12["835"], encoding="utf-8")
        files = {"{}": str(path), "{835}": str(remit)}
        args = [files.get(arg, arg) for arg in argv]
        if args[0] == "check":
            # The bundled diagnosis table: the full one is slow to load.
            args += ["--as-of", "2026-03-16", "--diagnoses", "massage"]
        with contextlib.redirect_stderr(err):
            code = main(args, out=out)
    assert code in {0, 1, 2}
    assert "Traceback" not in err.getvalue()
    # No escape or line of the input reaches the terminal.
    assert controls(err.getvalue()) <= {"\n"}
    assert controls(out.getvalue()) <= {"\n"}
    assert SENTINEL not in err.getvalue()
    # What a command writes of its input on purpose: an exported claim or
    # 270, the id and version of the policy a check used, the ids of the
    # claims a remittance is posted to, and the 271 read as JSON.
    on_purpose = (
        (args[0] == "export" and code == 0)
        or kind == "policy"
        or (args[0] == "remit" and code in {0, 1} and _in_claim_id(content))
        or (args[:2] == ["eligibility", "inquire"] and code == 0)
        or ("--json" in args and kind == "271" and code in {0, 1})
        # A letter to the prescriber, a progress report: about the patient.
        or (args[0] in {"rx-request", "progress"} and code == 0)
    )
    if not on_purpose:
        assert SENTINEL not in out.getvalue()


def _in_claim_id(content: bytes) -> bool:
    try:
        data = json.loads(content)
    except ValueError:
        return False
    claims = data if isinstance(data, list) else [data]
    return any(isinstance(c, dict) and SENTINEL in str(c.get("id")) for c in claims)


# --- in a real process ------------------------------------------------------------------


def _soapbill(*args: str | bytes) -> list[str | bytes]:
    return [sys.executable, "-m", "soapbill", *args]


#: The environment of a user's shell: standard output buffered, as Python
#: has it by default (PYTHONUNBUFFERED makes one large write that a closing
#: reader cuts short without an error).
_ENV: Final = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}


@pytest.fixture
def many_lines(tmp_path: Path) -> Path:
    # A claim of 50 lines: nine CMS-1500 pages, far more than one read of head.
    data = json.loads(Path(CLAIM).read_text(encoding="utf-8"))
    data["lines"] = (data["lines"] * 10)[:50]
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.skipif(shutil.which("head") is None, reason="no head")
@pytest.mark.skipif(not hasattr(os, "pipe"), reason="no pipes")
def test_head_reads_one_line_and_soapbill_ends_quietly(many_lines: Path) -> None:
    read_end, write_end = os.pipe()
    # A one-page pipe (Linux): soapbill cannot write everything before head
    # has read its line and gone.
    with contextlib.suppress(AttributeError, OSError):
        import fcntl  # noqa: PLC0415 - Unix only

        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    with (
        subprocess.Popen(  # noqa: S603 - our own interpreter
            _soapbill("export", str(many_lines), "--to", "cms1500"),
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=_ENV,
        ) as soapbill,
        subprocess.Popen(  # noqa: S603
            [shutil.which("head") or "head", "-1"], stdin=read_end, stdout=subprocess.PIPE
        ) as head,
    ):
        os.close(read_end)
        os.close(write_end)
        first, _ = head.communicate(timeout=60)
        errors = soapbill.stderr.read() if soapbill.stderr else b""
        soapbill.wait(timeout=60)
    assert first == b"=" * 100 + b"\n"
    assert errors == b""
    assert soapbill.returncode == 141


@pytest.mark.parametrize(
    "args", [("validate", CLAIM), ("export", CLAIM, "--to", "cms1500"), ("--help",)]
)
def test_a_closed_output_ends_quietly(args: tuple[str, ...]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter
            _soapbill(*args),
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=_ENV,
            check=False,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.stderr == b""
    assert done.returncode == 141


@pytest.mark.parametrize("encoding", ["ascii:strict", "utf-8:strict"])
def test_a_file_name_that_is_not_utf8(tmp_path: Path, encoding: str) -> None:
    name = b"\xff\x1b[2J.json"
    (tmp_path / os.fsdecode(name)).write_bytes(Path(CLAIM).read_bytes())
    env = {**_ENV, "PYTHONIOENCODING": encoding}
    done = subprocess.run(  # noqa: S603 - our own interpreter
        _soapbill("validate", name), cwd=tmp_path, env=env, capture_output=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == b"\\xff [2J.json: valid claim (5 lines, total 265.00)\n"
    missing = b"\xfe.json"
    done = subprocess.run(  # noqa: S603
        _soapbill("check", CLAIM, "--policy", missing),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(b"soapbill: no bundled policy or file named \\xfe.json ")
