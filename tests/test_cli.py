"""
The soapbill command, run in process (and once as ``python -m soapbill``).
"""

from __future__ import annotations

import io
import json
import runpy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

import soapbill
from soapbill import Claim, cli, from_json, to_dict
from soapbill.cli import main
from soapbill.rules import Decision, PayerPolicy, policies

EXAMPLES = Path(__file__).parent.parent / "examples"
CLAIM = str(EXAMPLES / "claim.json")
BROKEN = str(EXAMPLES / "claim-broken.json")
RX = str(EXAMPLES / "prescription.json")
NOTES = [str(EXAMPLES / "note-1.json"), str(EXAMPLES / "note-2.json")]
AS_OF = "2026-03-16"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"soapbill {soapbill.__version__}\n"


def test_version_and_help_through_python_m() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "soapbill", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == f"soapbill {soapbill.__version__}"
    helped = subprocess.run(
        [sys.executable, "-m", "soapbill", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("validate", "check", "export", "schema", "remit"):
        assert command in helped.stdout


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("frobnicate")[0] == 2
    assert "invalid choice" in capsys.readouterr().err


def test_validate_a_valid_claim() -> None:
    code, out = run("validate", CLAIM)
    assert code == 0
    assert out == f"{CLAIM}: valid claim (5 lines, total 265.00)\n"


@pytest.mark.parametrize(
    ("path", "kind"), [(RX, "prescription"), (NOTES[0], "note"), (NOTES[1], "note")]
)
def test_validate_other_documents(path: str, kind: str) -> None:
    assert run("validate", path, "--type", kind) == (0, f"{path}: valid {kind}\n")


def test_validate_lists_every_problem_without_values() -> None:
    code, out = run("validate", BROKEN)
    assert code == 1
    assert out.splitlines()[0] == f"{BROKEN}: invalid (5 problems)"
    for path in ("patient.birth_date", "coverage.plan_type", "billing_provider.npi"):
        assert f"  {path}: " in out
    # The broken values stay out of the output.
    for value in ("1985-02-30", "gold", "1234567890"):
        assert value not in out


def test_validate_the_wrong_type_of_document() -> None:
    code, out = run("validate", RX)
    assert code == 1
    assert "  patient: required field missing [missing]\n" in out
    assert "  prescriber: " in out  # a prescription's own key is unknown to a claim


def test_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.json"
    assert run("validate", str(missing))[0] == 2
    assert (
        capsys.readouterr().err == f"soapbill: cannot read {missing}: No such file or directory\n"
    )
    assert run("validate", str(tmp_path))[0] == 2
    assert capsys.readouterr().err == f"soapbill: cannot read {tmp_path}: Is a directory\n"


# --- what the command reads -----------------------------------------------------------


def test_a_file_too_large_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as file:
        file.truncate(cli.MAX_INPUT_BYTES + 1)
    for argv in (
        ("validate", str(big)),
        ("check", str(big), "--policy", "commercial"),
        ("check", CLAIM, "--policy", str(big)),
        ("check", CLAIM, "--policy", "commercial", "--history", str(big)),
        ("export", CLAIM, "--to", "fhir", "--note", str(big)),
    ):
        assert run(*argv)[0] == 2
        assert capsys.readouterr().err == (
            f"soapbill: {big}: larger than 16 MiB, the most soapbill reads of one file\n"
        )


def test_the_size_limit_is_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "MAX_INPUT_BYTES", 100)
    path = tmp_path / "claim.json"
    path.write_bytes(b" " * 98 + b"{}")
    assert run("validate", str(path))[0] == 1  # read, and not a claim
    path.write_bytes(b" " * 99 + b"{}")
    assert run("validate", str(path))[0] == 2
    assert "larger than" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_exit_2(device: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("validate", device)[0] == 2
    assert "larger than 16 MiB" in capsys.readouterr().err


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe{}", b'{"id": "\xe9"}', b'{"id": "\xed\xa0\x80"}'],
    ids=["bom16", "latin1", "surrogate"],
)
def test_bytes_that_are_not_utf8_exit_2(
    data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "claim.json"
    path.write_bytes(data)
    assert run("validate", str(path))[0] == 2
    assert capsys.readouterr().err == f"soapbill: {path}: not UTF-8 text\n"


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_standard_input_as_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin_of(monkeypatch, Path(CLAIM).read_bytes())
    assert run("validate", "-") == (0, "<stdin>: valid claim (5 lines, total 265.00)\n")
    stdin_of(monkeypatch, Path(BROKEN).read_bytes())
    code, out = run("validate", "-")
    assert code == 1
    assert out.startswith("<stdin>: invalid (5 problems)\n")


@pytest.mark.parametrize(
    "argv",
    [
        ("check", "-", "--policy", "commercial-rx", "--rx", RX, "--note", NOTES[0]),
        ("check", CLAIM, "--policy", "-", "--rx", RX, "--note", NOTES[0]),
        ("check", CLAIM, "--policy", "commercial-rx", "--rx", "-", "--note", NOTES[0]),
        ("check", CLAIM, "--policy", "commercial-rx", "--rx", RX, "--note", "-"),
    ],
    ids=["claim", "policy", "rx", "note"],
)
def test_standard_input_in_check(argv: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    which = argv.index("-") - 1
    source = {1: CLAIM, 3: RX, 5: RX, 7: NOTES[0]}
    if argv[which] == "--policy":
        stdin_of(monkeypatch, policies.load("commercial-rx").to_json().encode())
    else:
        stdin_of(monkeypatch, Path(source[which + 1]).read_bytes())
    code, out = run(*argv, "--note", NOTES[1], "--as-of", AS_OF)
    assert code == 0, out
    assert out.endswith("  no findings\n")


def test_standard_input_as_history_and_in_export(monkeypatch: pytest.MonkeyPatch) -> None:
    claim = json.loads(Path(CLAIM).read_text(encoding="utf-8"))
    stdin_of(monkeypatch, json.dumps([claim]).encode())
    code, _ = check("--policy", "commercial-rx", "--history", "-", "--as-of", AS_OF)
    assert code == 0
    stdin_of(monkeypatch, Path(CLAIM).read_bytes())
    code, out = run("export", "-", "--to", "837p", "--created", "2026-03-17")
    assert code == 0
    assert out.startswith("ISA*")


@pytest.mark.parametrize(
    "argv",
    [
        ("check", "-", "--policy", "-"),
        ("check", CLAIM, "--policy", "commercial", "--rx", "-", "--note", "-"),
        ("check", CLAIM, "--policy", "commercial", "--history", "-", "--history", "-"),
        ("export", "-", "--to", "fhir", "--rx", "-"),
    ],
)
def test_standard_input_only_once(
    argv: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin_of(monkeypatch, Path(CLAIM).read_bytes())
    assert run(*argv) == (2, "")
    assert capsys.readouterr().err == (
        "soapbill: standard input (-) can be read only once: give it as one file at most\n"
    )


def test_closed_standard_input_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    assert run("validate", "-")[0] == 2
    assert capsys.readouterr().err == "soapbill: cannot read standard input: it is closed\n"


def test_names_no_file_can_have(capsys: pytest.CaptureFixture[str]) -> None:
    # A lone surrogate and a NUL: names the system cannot even look up.
    assert run("validate", "\ud800.json")[0] == 2
    assert capsys.readouterr().err == ("soapbill: cannot read \\ud800.json: UnicodeEncodeError\n")
    for name in ("commercial\x00", "x" * 5000):
        assert check("--policy", name)[0] == 2
        assert capsys.readouterr().err.startswith("soapbill: no bundled policy or file named ")


def test_a_broken_output_and_ctrl_c_end_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Gone(io.StringIO):
        def write(self, text: str) -> int:  # noqa: ARG002 - the reader is gone
            raise BrokenPipeError

    assert main(["validate", CLAIM], out=Gone()) == 141

    def interrupted(_args: object, _out: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_validate", interrupted)
    assert run("validate", CLAIM) == (130, "")
    assert capsys.readouterr() == ("", "")


# --- what the command prints of its input ---------------------------------------------


def test_file_names_are_shown_without_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "claim\x1b[2J\n.json"
    path.write_bytes(Path(CLAIM).read_bytes())
    code, out = run("validate", str(path))
    assert code == 0
    assert out == f"{tmp_path}/claim [2J .json: valid claim (5 lines, total 265.00)\n"
    missing = tmp_path / "gone\x1b]0;x\x07.json"
    assert run("validate", str(missing))[0] == 2
    assert capsys.readouterr().err.startswith(f"soapbill: cannot read {tmp_path}/gone ]0;x .json:")


def test_a_policy_version_is_shown_without_controls(tmp_path: Path) -> None:
    version = "1\x1b[2J\x9b31m\u2028"
    policy = tmp_path / "policy.json"
    policy.write_text(
        attrs.evolve(policies.load("commercial-rx"), version=version).to_json(), encoding="utf-8"
    )
    code, out = check("--policy", str(policy), "--as-of", AS_OF)
    assert code == 0
    assert out.splitlines()[0] == (
        f"{CLAIM}: eligible under policy commercial-rx version 1 [2J 31m  "
        f"(file {policy}), checked as of {AS_OF}"
    )
    # JSON holds the version as it is, every control character escaped.
    code, out = check("--policy", str(policy), "--as-of", AS_OF, "--json")
    assert code == 0
    assert "\\u009b" in out
    assert not [ch for ch in out if ch in "\x1b\x9b\u2028"]
    assert from_json(out, Decision).policy_version == version


def test_output_the_stream_cannot_encode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(Path(CLAIM).read_text(encoding="utf-8"))
    data["patient"]["name"]["family"] = "Zo\u00eb"
    path = tmp_path / "zo\u00eb.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    buffer = io.BytesIO()
    out = io.TextIOWrapper(buffer, encoding="ascii")
    # A document is written as it is, or not at all.
    assert main(["export", str(path), "--to", "cms1500"], out=out) == 2
    out.flush()
    assert buffer.getvalue() == b""
    assert capsys.readouterr().err == (
        "soapbill: the output holds characters the encoding ascii of the output cannot "
        "write; set PYTHONIOENCODING=utf-8\n"
    )
    # A message shows what the encoding cannot write as an escape.
    assert main(["validate", str(path)], out=out) == 0
    out.flush()
    assert (
        buffer.getvalue()
        == f"{tmp_path}/zo\\xeb.json: valid claim (5 lines, total 265.00)\n".encode()
    )


# --- the policy -----------------------------------------------------------------------


def capped_policy(path: Path, id_: str = "capped") -> None:
    capped = attrs.evolve(policies.load("commercial-rx"), id=id_, visits_per_year=1)
    path.write_text(capped.to_json(), encoding="utf-8")


def test_a_file_wins_over_a_bundled_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    capped_policy(tmp_path / "commercial-rx", id_="commercial-rx")
    code, out = check("--policy", "commercial-rx", "--as-of", AS_OF)
    assert code == 1
    version = policies.load("commercial-rx").version
    assert out.startswith(
        f"{CLAIM}: NOT eligible under policy commercial-rx version {version} "
        "(file commercial-rx), checked as of"
    )
    assert "visits.annual_limit" in out
    # A directory of that name is no policy file.
    (tmp_path / "commercial-rx").unlink()
    (tmp_path / "commercial-rx").mkdir()
    code, out = check("--policy", "commercial-rx", "--as-of", AS_OF)
    assert code == 0
    assert f"version {version} (bundled)" in out


def test_the_json_decision_names_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    capped_policy(path)
    code, out = check("--policy", str(path), "--as-of", AS_OF, "--json")
    decision = from_json(out, Decision)
    assert code == 1
    assert (decision.policy_id, decision.policy_version) == (
        "capped",
        from_json(path.read_text(encoding="utf-8"), PayerPolicy).version,
    )


# --- the 837P envelope ----------------------------------------------------------------


def claim_file(tmp_path: Path, change: Callable[[dict[str, Any]], object]) -> str:
    data = json.loads(Path(CLAIM).read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_envelope_problems_name_their_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_phone_short_payer(data: dict[str, Any]) -> None:
        data["billing_provider"]["phone"] = None
        data["coverage"]["payer"]["id"] = "X"

    path = claim_file(tmp_path, no_phone_short_payer)
    short_payer_id = (
        "  coverage.payer.id: the 837P needs at least 2 characters here, not counting spaces "
        "at the ends [too_short]"
    )
    assert run("export", path, "--to", "837p") == (2, "")
    assert capsys.readouterr().err.splitlines() == [
        (
            "soapbill: --contact-phone (not given; the default is the claim's "
            "billing_provider.phone): give a phone or an e-mail [required]"
        ),
        (
            "soapbill: --receiver-id (not given; the default is the claim's "
            "coverage.payer.id): must have at least 2 characters [too_short]"
        ),
        f"{path}: not ready for the 837P (1 problem)",
        short_payer_id,
    ]
    argv = ("export", path, "--to", "837p", "--contact-email", "b@example.com")
    assert run(*argv, "--receiver-id", "Y") == (2, "")
    assert capsys.readouterr().err.splitlines()[0] == (
        "soapbill: --receiver-id: must have at least 2 characters [too_short]"
    )
    # With the options right, what is left is the claim's own.
    assert run(*argv, "--receiver-id", "PAYER01") == (2, "")
    assert capsys.readouterr().err.splitlines() == [
        f"{path}: not ready for the 837P (1 problem)",
        short_payer_id,
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (("--control-number", "0"), "soapbill: --control-number: a control number is from 1"),
        (("--created", "1799-12-31"), "soapbill: --created: the 837P writes dates from 1800"),
        (("--submitter-name", "A*B"), "soapbill: --submitter-name: "),
        (("--contact-name", "A~B"), "soapbill: --contact-name: "),
        (("--receiver-name", "A:B"), "soapbill: --receiver-name: "),
    ],
    ids=["control-number", "created", "submitter-name", "contact-name", "receiver-name"],
)
def test_837p_refusals_of_options(
    options: tuple[str, ...], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("export", CLAIM, "--to", "837p", *options) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith(expected)
    assert CLAIM not in err


def test_837p_refusals_of_options_and_claim_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = claim_file(tmp_path, lambda data: data["patient"].update(address=None))
    assert run("export", path, "--to", "837p", "--receiver-name", "A*B") == (2, "")
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("soapbill: --receiver-name: ")
    assert err[1:] == [
        f"{path}: not ready for the 837P (1 problem)",
        "  patient.address: the 837P requires the patient's address [required]",
    ]


def test_a_party_refused_and_the_claim_short_of_837p_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def noaddr(data: dict[str, Any]) -> None:
        data["billing_provider"]["phone"] = None
        data["patient"]["address"] = None

    path = claim_file(tmp_path, noaddr)
    assert run("export", path, "--to", "837p") == (2, "")
    assert capsys.readouterr().err.splitlines() == [
        (
            "soapbill: --contact-phone (not given; the default is the claim's "
            "billing_provider.phone): give a phone or an e-mail [required]"
        ),
        f"{path}: not ready for the 837P (1 problem)",
        "  patient.address: the 837P requires the patient's address [required]",
    ]


# --- validate --for -------------------------------------------------------------------


def test_validate_for_837p_lists_every_problem(tmp_path: Path) -> None:
    assert run("validate", "--for", "837p", CLAIM) == (
        0,
        f"{CLAIM}: valid claim (5 lines, total 265.00), ready for the 837P\n",
    )

    def short_of_837p(data: dict[str, Any]) -> None:
        data["patient"]["address"] = None
        data["coverage"]["payer"]["id"] = "X"

    path = claim_file(tmp_path, short_of_837p)
    code, out = run("validate", path, "--for", "837p")
    assert code == 1
    assert out.splitlines() == [
        f"{path}: valid claim (5 lines, total 265.00), not ready for the 837P (2 problems)",
        "  patient.address: the 837P requires the patient's address [required]",
        (
            "  coverage.payer.id: the 837P needs at least 2 characters here, not counting spaces "
            "at the ends [too_short]"
        ),
    ]
    # Without --for the claim is valid.
    assert run("validate", path)[0] == 0
    # An invalid claim is reported as before.
    assert run("validate", BROKEN, "--for", "837p")[1].startswith(f"{BROKEN}: invalid (5 problems)")


def test_validate_for_837p_needs_a_claim(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("validate", RX, "--type", "prescription", "--for", "837p") == (2, "")
    assert capsys.readouterr().err == "soapbill: --for 837p checks a claim, not a prescription\n"


def test_not_json_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "claim.json"
    path.write_text("{not json", encoding="utf-8")
    code, out = run("validate", str(path))
    assert code == 1
    assert "[json_invalid]" in out


def check(*extra: str) -> tuple[int, str]:
    return run("check", CLAIM, "--rx", RX, "--note", NOTES[0], "--note", NOTES[1], *extra)


def test_check_eligible() -> None:
    code, out = check("--policy", "commercial-rx", "--as-of", AS_OF)
    assert code == 0
    version = policies.load("commercial-rx").version
    assert out.splitlines() == [
        (
            f"{CLAIM}: eligible under policy commercial-rx version {version} (bundled), "
            f"checked as of {AS_OF}"
        ),
        "  no findings",
    ]


def test_check_not_eligible_explains_and_exits_1() -> None:
    code, out = run("check", CLAIM, "--policy", "commercial-rx", "--as-of", AS_OF)
    assert code == 1
    assert "NOT eligible" in out
    assert "ERROR rx.required at lines[0].date_of_service" in out
    assert "      fix: " in out


def test_check_json_round_trips() -> None:
    code, out = check("--policy", "medicare-part-b", "--as-of", AS_OF, "--json")
    decision = from_json(out, Decision)
    assert code == (0 if decision.eligible else 1)
    assert decision.policy_id == "medicare-part-b"
    assert decision.findings


def test_check_with_a_policy_file_and_history(tmp_path: Path) -> None:
    # A policy of two visits a year: the example claim's two visits fit alone,
    # and not after an earlier visit in the same year.
    policy = tmp_path / "policy.json"
    capped = attrs.evolve(policies.load("commercial"), id="capped", visits_per_year=2)
    policy.write_text(capped.to_json(), encoding="utf-8")
    claim = from_json((EXAMPLES / "claim.json").read_text(encoding="utf-8"), Claim)
    earlier = to_dict(claim)
    earlier["id"] = "clm-000"
    for line in earlier["lines"]:
        line["date_of_service"] = "2026-01-05"
    history = tmp_path / "history.json"
    history.write_text(json.dumps([earlier]), encoding="utf-8")
    alone = check("--policy", str(policy), "--as-of", AS_OF)
    assert alone[0] == 0
    assert "visits.annual_limit" not in alone[1]
    code, out = check("--policy", str(policy), "--history", str(history), "--as-of", AS_OF)
    assert code == 1
    assert "under policy capped" in out
    assert "visits.annual_limit" in out


def test_check_refuses_a_bad_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"format_version": 1}]), encoding="utf-8")
    assert check("--policy", "commercial", "--history", str(history))[0] == 2
    assert "[0]." in capsys.readouterr().err
    history.write_text(json.dumps({"not": "a list"}), encoding="utf-8")
    assert check("--policy", "commercial", "--history", str(history))[0] == 2
    history.write_text("[", encoding="utf-8")
    assert check("--policy", "commercial", "--history", str(history))[0] == 2


def test_check_stops_at_100_problems_in_a_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{}] * 10_000), encoding="utf-8")
    assert check("--policy", "commercial", "--history", str(history))[0] == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == (
        "  [15]: this and later documents are not checked after 100 problems [not_checked]"
    )
    assert len(err) < 120


def test_check_unknown_policy_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert check("--policy", "no-such-policy")[0] == 2
    assert "commercial-rx" in capsys.readouterr().err


def test_check_bad_claim_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", BROKEN, "--policy", "commercial")[0] == 2
    assert "billing_provider.npi" in capsys.readouterr().err


def test_check_note_of_another_patient_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(Path(NOTES[0]).read_text(encoding="utf-8"))
    data["patient_id"] = "pt-999"
    other = tmp_path / "note.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    code, _ = run("check", CLAIM, "--policy", "commercial", "--note", str(other))
    assert code == 2
    assert "pt-999" not in capsys.readouterr().err


@pytest.mark.parametrize("day", ["2026-3-16", "20260316", "2026-02-30", "2026-W11-1"])
def test_check_refuses_a_malformed_as_of(day: str) -> None:
    assert check("--policy", "commercial", "--as-of", day)[0] == 2


@pytest.mark.parametrize("table", ["auto", "full", "massage", "none"])
def test_check_diagnosis_tables(table: str) -> None:
    code, out = check("--policy", "commercial-rx", "--as-of", AS_OF, "--diagnoses", table)
    assert code == 0
    assert ("diagnosis.not_checked" in out) is (table == "none")


def test_export_837p() -> None:
    code, out = run("export", CLAIM, "--to", "837p", "--created", "2026-03-17")
    assert code == 0
    assert out.startswith("ISA*")
    assert "*260317*" in out
    assert "CLM*clm-001*265***11:B:1" in out


def test_export_837p_envelope_options() -> None:
    code, out = run(
        "export",
        CLAIM,
        "--to",
        "837p",
        "--submitter-id",
        "SUBMIT01",
        "--receiver-id",
        "CLEARING01",
        "--contact-email",
        "billing@example.com",
        "--control-number",
        "42",
        "--usage",
        "P",
    )
    assert code == 0
    assert "*ZZ*SUBMIT01       *ZZ*CLEARING01     *" in out
    assert "*000000042*0*P*" in out


def test_export_fhir() -> None:
    code, out = run(
        "export", CLAIM, "--to", "fhir", "--rx", RX, "--note", NOTES[0], "--created", AS_OF
    )
    assert code == 0
    bundle = json.loads(out)
    types = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert {"Claim", "Patient", "Coverage", "ServiceRequest", "Composition"} <= set(types)


def test_export_cms1500_and_superbill() -> None:
    code, out = run("export", CLAIM, "--to", "cms1500")
    assert code == 0
    assert "1234567893" in out
    code, out = run("export", CLAIM, "--to", "superbill", "--kind", "html")
    assert code == 0
    assert out.lstrip().lower().startswith("<!doctype html>")


def test_export_refusal_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(Path(CLAIM).read_text(encoding="utf-8"))
    data["patient"]["address"] = None
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert run("export", str(path), "--to", "837p")[0] == 2
    assert "patient.address" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["Claim", "Decision", "PayerPolicy", "Prescription", "SoapNote"])
def test_schema(name: str) -> None:
    code, out = run("schema", name)
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_check_without_the_icd10_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from soapbill.rules import icd10cm  # noqa: PLC0415 - patched for this test only

    def missing() -> None:
        msg = "the ICD-10-CM table needs the simple-icd-10-cm package"
        raise icd10cm.MissingExtraError(msg)

    monkeypatch.setattr(icd10cm.Icd10CmTable, "__attrs_post_init__", lambda _self: missing())
    # auto falls back to the bundled massage table; full says what is missing.
    assert check("--policy", "commercial-rx", "--as-of", AS_OF)[0] == 0
    assert check("--policy", "commercial-rx", "--as-of", AS_OF, "--diagnoses", "full")[0] == 2
    assert "simple-icd-10-cm" in capsys.readouterr().err


def test_python_m_soapbill_runs_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["soapbill", "validate", CLAIM])
    with pytest.raises(SystemExit) as info:
        runpy.run_module("soapbill", run_name="__main__")
    assert info.value.code == 0
    assert "valid claim" in capsys.readouterr().out
