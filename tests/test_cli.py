"""
The soapbill command, run in process (and once as ``python -m soapbill``).
"""

from __future__ import annotations

import io
import json
import runpy
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

import soapbill
from soapbill import Claim, from_json, to_dict
from soapbill.cli import main
from soapbill.rules import Decision, policies

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
    for command in ("validate", "check", "export", "schema"):
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
    assert "cannot read" in capsys.readouterr().err


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
        f"{CLAIM}: eligible under policy commercial-rx version {version}, checked as of {AS_OF}",
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
