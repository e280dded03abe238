"""
soapbill check --batch: JSON Lines through the command line.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from soapbill import to_json
from soapbill.batch import check_many
from soapbill.billing.ncci import PtpEdits
from soapbill.cli import main
from test_batch import ALONE, AS_OF, CASE, POLICY, SENTINEL, _cases

PTP_SAMPLE = (
    Path(__file__).parent.parent / "src" / "soapbill" / "billing" / "data" / "ptp-sample.txt"
)


def run(*argv: str, stdin: bytes | None = None) -> tuple[int, str]:
    out = io.StringIO()
    if stdin is None:
        return main(list(argv), out=out), out.getvalue()
    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        return main(list(argv), out=out), out.getvalue()
    finally:
        sys.stdin = old


def _write(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _expected(lines: list[str], policy: Any = POLICY) -> str:
    return "".join(o.to_json() + "\n" for o in check_many(lines, policy, as_of=AS_OF))


BATCH = (
    "check",
    "--policy",
    "commercial-rx",
    "--as-of",
    AS_OF.isoformat(),
    "--diagnoses",
    "none",
    "--batch",
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_batch_writes_one_line_per_case_in_order(
    tmp_path: Path, jobs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _cases(40)
    code, out = run(*BATCH, _write(tmp_path, lines), "--jobs", jobs)
    assert out == _expected(lines)
    assert code == 2  # Bad lines among the cases.
    err = capsys.readouterr().err
    assert "cases.jsonl: line 4: invalid (" in err
    assert "\n  claim.format_version: " in err
    outcomes = list(check_many(lines, POLICY, as_of=AS_OF))
    eligible = sum(o.eligible is True for o in outcomes)
    refused = sum(o.eligible is False for o in outcomes)
    assert (eligible, refused) == (16, 8)
    assert err.splitlines()[-1].endswith(
        "cases.jsonl: 32 cases: 16 eligible, 8 not eligible, 8 bad lines"
    )


def test_the_exit_code_says_eligible_or_not(tmp_path: Path) -> None:
    assert run(*BATCH, _write(tmp_path, [CASE, CASE]))[0] == 0
    assert run(*BATCH, _write(tmp_path, [CASE, ALONE]))[0] == 1


def test_decisions_are_those_of_check_json(tmp_path: Path) -> None:
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps(json.loads(ALONE)["claim"]))
    code, single = run("check", str(claim), *BATCH[1:-1], "--json")
    assert code == 1
    _, batch = run(*BATCH, _write(tmp_path, [ALONE]))
    assert json.loads(batch)["claim_id"] == "clm-001"
    assert batch.endswith(single.rstrip("\n") + "}\n")


def test_standard_input_and_an_output_file(tmp_path: Path) -> None:
    out = tmp_path / "decisions.jsonl"
    code, printed = run(*BATCH, "-", "--out", str(out), stdin=f"{CASE}\n\n{CASE}\n".encode())
    assert (code, printed) == (0, "")
    assert out.read_text(encoding="utf-8") == _expected([CASE, "", CASE])


def test_ptp_files_attach_to_the_policy(tmp_path: Path) -> None:
    case = CASE.replace('"97124"', '"97530"', 1)
    with_table = POLICY.with_edits(PtpEdits.load(PTP_SAMPLE))
    code, out = run(*BATCH, _write(tmp_path, [case]), "--ptp", str(PTP_SAMPLE))
    assert out == _expected([case], with_table)
    assert code in {0, 1}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--rx", "x.json"], "--rx: a batch takes them from each case"),
        (["--json"], "--json: a batch always writes JSON Lines"),
        (["--ncci-quarter", "2026Q1"], "--ncci-quarter names the quarter"),
        (["--ptp", "-"], "--ptp: give a file, not standard input"),
    ],
)
def test_options_that_do_not_go_with_a_batch(
    tmp_path: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*BATCH, _write(tmp_path, [CASE]), *extra)[0] == 2
    assert message in capsys.readouterr().err


def test_a_claim_and_a_batch_are_one_too_many(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("check", "claim.json", *BATCH[1:], _write(tmp_path, [CASE]))[0] == 2
    assert "give CLAIM.json or --batch, not both" in capsys.readouterr().err
    assert run("check", "--policy", "commercial")[0] == 2
    assert "give CLAIM.json or --batch" in capsys.readouterr().err


def test_unreadable_files_and_bad_tables_stop_before_any_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*BATCH, str(tmp_path / "missing.jsonl")) == (2, "")
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "ptp.txt"
    bad.write_text(f"Column 1\tColumn 2\n{SENTINEL}\t97140\t\t20200101\t*\t1\n")
    assert run(*BATCH, _write(tmp_path, [CASE]), "--ptp", str(bad)) == (2, "")
    err = capsys.readouterr().err
    assert "--ptp line[2].column_1" in err
    assert SENTINEL not in err
    assert run(*BATCH, _write(tmp_path, [CASE]), "--jobs", "-1")[0] == 2


def test_bad_lines_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [f"{SENTINEL}", f'{{"claim": "{SENTINEL}"}}', ALONE.replace("Jordan", SENTINEL)]
    code, out = run(*BATCH, _write(tmp_path, lines))
    assert code == 2
    err = capsys.readouterr().err
    assert SENTINEL not in err
    assert SENTINEL not in out


def test_more_bad_lines_than_are_reported_are_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(*BATCH, _write(tmp_path, ["{}"] * 103))
    assert code == 2
    assert len(out.splitlines()) == 103
    err = capsys.readouterr().err
    assert err.count(": invalid (") == 100
    assert "3 more bad lines, in the output" in err


def test_a_policy_that_names_its_quarter_needs_the_tables_quarter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(to_json(attrs.evolve(POLICY, ncci_quarter="2026Q1")), encoding="utf-8")
    cases = _write(tmp_path, [CASE])
    argv = [*BATCH[:2], str(policy), *BATCH[3:], cases, "--ptp", str(PTP_SAMPLE)]
    assert run(*argv) == (2, "")
    assert "the policy does not take these tables: ptp.quarter" in capsys.readouterr().err
    code, out = run(*argv, "--ncci-quarter", "2026Q1")
    assert code in {0, 1}
    assert json.loads(out)["line"] == 1


def test_an_output_that_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*BATCH, _write(tmp_path, [CASE]), "--out", str(tmp_path)) == (2, "")
    assert "cannot write" in capsys.readouterr().err
    full = Path("/dev/full")
    if full.exists():
        assert run(*BATCH, _write(tmp_path, [CASE] * 3), "--out", str(full))[0] == 2
        assert "cannot write /dev/full" in capsys.readouterr().err


def test_jobs_is_a_whole_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(*BATCH, "cases.jsonl", "--jobs", "two")[0] == 2
    assert "--jobs: expected a whole number" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_on_a_terminal_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _write(tmp_path, [CASE, ALONE])
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code, out = run(*BATCH, cases)
    assert out == _expected([CASE, ALONE])
    assert "cases" in terminal.getvalue().split("\n")[0]  # the bar, before the counts
    # Without the extra, no bar and the same output.
    monkeypatch.setitem(sys.modules, "tqdm", None)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert run(*BATCH, cases) == (code, out)
    assert terminal.getvalue().startswith(tmp_path.as_posix())
