"""
``soapbill eligibility inquire`` and ``soapbill eligibility read``.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import attrs
import pytest

import eligibility_fixtures as fx
from eligibility_support import x12sdk_models
from soapbill import from_json, to_json
from soapbill.cli import main
from soapbill.eligibility import EligibilityInquiry, read_271, write_270
from soapbill.formats.x12 import Receiver, Submitter
from soapbill.parties import PersonName

EXAMPLES = Path(__file__).parent.parent / "examples"
INQUIRY = str(EXAMPLES / "eligibility-inquiry.json")
RESPONSE = str(EXAMPLES / "eligibility-271.x12")
SENTINEL = "ZQXJSENTINEL"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_inquire_writes_a_270() -> None:
    code, text = run("eligibility", "inquire", INQUIRY, "--to", "270", "--created", "2026-03-02")
    assert code == 0
    x12sdk_models(text)
    inquiry = from_json(Path(INQUIRY).read_text(encoding="utf-8"), EligibilityInquiry)
    assert text == write_270(
        [inquiry],
        submitter=Submitter(
            name="Cedar Massage Therapy",
            id="1234567893",
            contact_name="Cedar Massage Therapy",
            phone="2065550100",
        ),
        receiver=Receiver(name="Example Health Plan", id="EXHP1"),
        control_number=1,
        created=datetime(2026, 3, 2),  # noqa: DTZ001 - the command's date, at midnight
    )


def test_inquire_names_the_option_at_fault(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run("eligibility", "inquire", INQUIRY, "--to", "270", "--submitter-id", "X")
    assert (code, text) == (2, "")
    assert capsys.readouterr().err == (
        "soapbill: --submitter-id: must have at least 2 characters [too_short]\n"
    )


def test_inquire_names_the_file_and_path_never_the_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inquiry = from_json(Path(INQUIRY).read_text(encoding="utf-8"), EligibilityInquiry)
    bad = attrs.evolve(
        inquiry,
        patient=attrs.evolve(inquiry.patient, name=PersonName(family=f"{SENTINEL}*", given="J")),
    )
    path = tmp_path / "bad.json"
    path.write_text(to_json(bad), encoding="utf-8")
    code, text = run("eligibility", "inquire", INQUIRY, str(path), "--to", "270")
    assert (code, text) == (2, "")
    err = capsys.readouterr().err
    assert err.splitlines()[1:] == [
        (
            "  patient.name.family: contains an X12 separator character, which X12 cannot escape"
            " [x12_separator]"
        )
    ]
    assert "bad.json: not ready for the 270 (1 problem)" in err
    assert SENTINEL not in err


def test_read_prints_what_a_front_desk_needs() -> None:
    code, text = run("eligibility", "read", RESPONSE)
    assert code == 0
    assert text.splitlines()[:4] == [
        f"{RESPONSE}: 271 eligibility response, 1 answer",
        "",
        "  Inquiry: elig-0001",
        "  Payer: EXAMPLE HEALTH PLAN (EXHP1)",
    ]
    assert "  Visits: 8 left of 20 per calendar year (12 used)" in text.splitlines()
    assert "PARK" not in text


def test_read_exits_1_when_something_needs_attention(tmp_path: Path) -> None:
    path = tmp_path / "rejected.271"
    path.write_text(fx.interchange(fx.REJECTED_MEMBERS, fx.MASSAGE_NOT_COVERED), encoding="ascii")
    code, text = run("eligibility", "read", str(path))
    assert code == 1
    assert "  Rejected (2100C): 75 the payer cannot find the subscriber (unknown member); " in text
    assert "  Massage therapy: not covered" in text
    # Asked about physical medicine only, the covered patient needs nothing; the rejections do.
    assert run("eligibility", "read", str(path), "--service-type", "AE")[0] == 1
    path.write_text(fx.interchange(fx.MASSAGE_NOT_COVERED), encoding="ascii")
    assert run("eligibility", "read", str(path), "--service-type", "AE")[0] == 0
    assert run("eligibility", "read", str(path), "--service-type", "BE")[0] == 1


def test_read_json() -> None:
    code, text = run("eligibility", "read", RESPONSE, "--json")
    assert code == 0
    document = json.loads(text)
    assert document["kind"] == "271"
    (response,) = document["responses"]
    assert response["trace_number"] == "elig-0001"
    assert response["benefits"][10]["quantity"] == "20.00"
    assert read_271(Path(RESPONSE).read_text(encoding="ascii"))[0].trace_number == "elig-0001"


def test_read_refuses_what_is_not_a_271(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.271"
    path.write_text(
        fx.interchange(fx.ACTIVE).replace("EB*1*IND*AE^PT^BE", f"EB*{SENTINEL}"), encoding="ascii"
    )
    assert run("eligibility", "read", str(path)) == (2, "")
    err = capsys.readouterr().err
    assert "segments[" in err
    assert "[x12_code]" in err
    assert SENTINEL not in err


def test_read_refuses_an_unknown_service_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("eligibility", "read", RESPONSE, "--service-type", "ZZ")[0] == 2
    assert "expected a service type code" in capsys.readouterr().err


def test_read_from_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = Path(RESPONSE).read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, text = run("eligibility", "read", "-")
    assert code == 0
    assert text.startswith("<stdin>: 271 eligibility response, 1 answer\n")


def test_inquire_names_the_default_of_an_option_not_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inquiry = from_json(Path(INQUIRY).read_text(encoding="utf-8"), EligibilityInquiry)
    payer = attrs.evolve(inquiry.coverage.payer, id="X")
    path = tmp_path / "inquiry.json"
    path.write_text(
        to_json(attrs.evolve(inquiry, coverage=attrs.evolve(inquiry.coverage, payer=payer))),
        encoding="utf-8",
    )
    assert run("eligibility", "inquire", str(path), "--to", "270") == (2, "")
    assert capsys.readouterr().err == (
        "soapbill: --receiver-id (not given; the default is the first inquiry's "
        "coverage.payer.id): must have at least 2 characters [too_short]\n"
    )
    # With the option given, the payer id is the inquiry's own problem (loop 2100A).
    argv = ("eligibility", "inquire", str(path), "--to", "270", "--receiver-id", "EXHP1")
    assert run(*argv) == (2, "")
    assert capsys.readouterr().err.splitlines() == [
        f"{path}: not ready for the 270 (1 problem)",
        (
            "  coverage.payer.id: the 270 needs at least 2 characters here, not counting spaces "
            "at the ends [too_short]"
        ),
    ]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--control-number", "0"), "soapbill: --control-number: a control number is from 1"),
        (("--created", "1799-12-31"), "soapbill: --created: the 270 writes dates from 1800"),
        (("--contact-name", "A~B"), "soapbill: --contact-name: "),
    ],
    ids=["control-number", "created", "contact-name"],
)
def test_inquire_blames_the_envelope_options(
    option: tuple[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("eligibility", "inquire", INQUIRY, "--to", "270", *option) == (2, "")
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(message)


def test_inquire_reads_standard_input_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = Path(INQUIRY).read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert run("eligibility", "inquire", "-", "-", "--to", "270") == (2, "")
    assert "standard input (-) can be read only once" in capsys.readouterr().err
    code, text = run("eligibility", "inquire", "-", "--to", "270", "--created", "2026-03-02")
    assert code == 0
    assert (
        text == run("eligibility", "inquire", INQUIRY, "--to", "270", "--created", "2026-03-02")[1]
    )
