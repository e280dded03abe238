"""
``soapbill remit read``: 835, 999 and 277CA files explained, and 835s posted to claims.

The files come from soapbill's remittance writer and strategies, each checked
by pyx12 first (``remit_support.validated``).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit_support import CREATED, adj, seed_835, seed_claim, unique_claims, validated
from soapbill import _remit_writer as w
from soapbill import strategies as sbst
from soapbill import to_dict
from soapbill.cli import main
from soapbill.remittance import (
    AckStatus,
    AdjustmentGroup,
    ClaimStatus,
    SegmentError,
    TransactionAcknowledgement,
    post,
    read_277ca,
    read_835,
    read_999,
)

EXAMPLES = Path(__file__).parent.parent / "examples"
CLAIM = str(EXAMPLES / "claim.json")
CO, PR = AdjustmentGroup.CO, AdjustmentGroup.PR
D = Decimal


@pytest.fixture(autouse=True)
def _quiet_pyx12() -> Iterator[None]:
    # pyx12 logs a traceback when it cannot build its own 999 for an 835.
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


#: Only routine posting: a contractual write-off and the deductible.
ROUTINE = w.ClaimDecision(
    payer_claim_number="EXHP26070001",
    lines=(
        w.LineDecision(),
        w.LineDecision(adjustments=(adj(CO, "45", "15.00"), adj(PR, "1", "75.00"))),
    ),
)


def write_999(status: AckStatus) -> str:
    errors: tuple[SegmentError, ...] = ()
    if status is AckStatus.REJECTED:
        errors = (SegmentError(segment_id="NM1", position=8, loop="2010", code="8"),)
    return validated(
        w.write_999(
            [
                TransactionAcknowledgement(
                    transaction_set="837",
                    control_number="0001",
                    convention="005010X222A1",
                    status=status,
                    errors=("5",) if errors else (),
                    segment_errors=errors,
                )
            ],
            group_control_number=1,
            sender="EXHP1",
            receiver="SUBMITTERID",
            control_number=5,
            created=CREATED,
        )
    )


def write_277ca(status: ClaimStatus) -> str:
    return validated(
        w.write_277ca(
            [seed_claim()],
            [
                w.ClaimOutcome(
                    statuses=(status,),
                    payer_claim_number="EXHP26070001" if status.action == "WQ" else None,
                )
            ],
            received=date(2026, 3, 11),
            control_number=6,
            created=CREATED,
        )
    )


ACCEPTED = ClaimStatus(category="A2", code="20", action="WQ")
REJECTED = ClaimStatus(category="A7", code="562", entity="85", action="U")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(list(argv), out=out)
    return code, out.getvalue(), err.getvalue()


def saved(tmp_path: Path, text: str, name: str = "remit.x12") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# --- the 835 ----------------------------------------------------------------------------


def test_an_835_explained(tmp_path: Path) -> None:
    path = saved(tmp_path, seed_835())
    code, out, err = run("remit", "read", path)
    # 97010 is denied as bundled: someone decides whether to write it off.
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[:4] == [
        (
            f"{path}: 835 remittance 0001 from EXAMPLE HEALTH PLAN: 140.00 paid by check on "
            "2026-04-01, trace number EFT20260401"
        ),
        "  payee: CEDAR MASSAGE THERAPY (1234567893)",
        "  the amounts balance",
        (
            "  claim clm-001: processed as primary; charge 265.00, paid 140.00, patient "
            "responsibility 100.00; payer claim number EXHP26070001"
        ),
    ]
    assert (
        "    line 97010 on 2026-03-03: charge 10.00, allowed 0.00, paid 0.00\n"
        "      CO-97 10.00: bundled: paid as part of another service already adjudicated\n"
        "      remark M15: separately billed services were bundled as parts of one procedure\n"
        "    line 97124 GP on 2026-03-03: charge 90.00, allowed 75.00, paid 0.00\n"
        "      CO-45 15.00: the charge is above the fee schedule or contracted amount\n"
        "      PR-1 75.00: the deductible\n"
    ) in out
    assert (
        "next steps for claim clm-001:\n"
        "  CO-97: bundled into another service [remittance.denied.bundled]\n"
    ) in out
    assert "      fix: bill the patient's deductible\n" in out
    # The patient's name and member id are in the file, never in the output.
    assert "PARK" not in out.upper()
    assert "XHP123456789" not in out


def test_an_835_that_needs_no_action_exits_0(tmp_path: Path) -> None:
    code, out, _ = run("remit", "read", saved(tmp_path, seed_835(ROUTINE)))
    assert code == 0
    assert "remittance.patient.deductible" in out
    assert "denied" not in out


def test_an_unbalanced_835_exits_1(tmp_path: Path) -> None:
    text = seed_835(ROUTINE).replace("SVC*HC:97010*10*10**1", "SVC*HC:97010*10*12**1")
    code, out, _ = run("remit", "read", saved(tmp_path, text))
    assert code == 1
    assert "  the amounts DO NOT balance: ask the payer before posting\n" in out
    problem = next(line for line in out.splitlines() if "remittance.balance.line" in line)
    assert problem.startswith("    remittance.balance.line at claims[0].lines[0]: ")
    assert problem.endswith(" (expected 10.00, found 12.00)")


# --- posting ----------------------------------------------------------------------------


def test_posted_to_the_claim(tmp_path: Path) -> None:
    path = saved(tmp_path, seed_835())
    code, out, err = run("remit", "read", path, "--claims", CLAIM)
    assert (code, err) == (1, "")
    assert out.startswith(
        f"{path}: 1 835 remittance posted to 1 claim\n"
        "claim clm-001: charge 265.00, paid 140.00, written off 25.00, patient balance "
        "100.00, open 0.00\n"
        "  payer claim numbers: EXHP26070001\n"
        "  trace numbers: EFT20260401\n"
        "  adjustments:\n"
        "    lines[0] 97010 on 2026-03-03: CO-97 10.00: bundled: paid as part of another "
        "service already adjudicated\n"
    )
    assert (
        "  next steps:\n"
        "    lines[0] 97010 on 2026-03-03: CO-97: bundled into another service "
        "[remittance.denied.bundled]\n"
        "        fix: write it off; if the service was separate and distinct, send a "
        "replacement claim with the right modifier (59, XS, XU)\n"
    ) in out
    assert (
        "    lines[2] 97140 GP on 2026-03-03: PR-1: the patient's deductible applies "
        "[remittance.patient.deductible]\n"
        "        fix: bill the patient's deductible\n"
    ) in out


def test_routine_posting_exits_0(tmp_path: Path) -> None:
    code, out, _ = run("remit", "read", saved(tmp_path, seed_835(ROUTINE)), "--claims", CLAIM)
    assert code == 0
    assert "patient balance 75.00, open 0.00" in out


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        pytest.param(
            "SVC*HC:97010*10*10**1",
            "SVC*HC:97010:59*10*10**1",
            "  unmatched remittance line 97010 59 on 2026-03-03: charge 10.00, paid 10.00\n",
            id="unmatched-line",
        ),
        pytest.param(
            "CLP*clm-001*",
            "CLP*clm-404*",
            "claim clm-404 (not among the claims given): charge 265.00",
            id="unknown-claim",
        ),
    ],
)
def test_what_the_posting_cannot_match_exits_1(
    tmp_path: Path, old: str, new: str, shown: str
) -> None:
    text = seed_835(ROUTINE).replace(old, new)
    code, out, _ = run("remit", "read", saved(tmp_path, text), "--claims", CLAIM)
    assert code == 1
    assert shown in out


def test_claims_as_an_array_and_on_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = json.loads(Path(CLAIM).read_text(encoding="utf-8"))
    other = {**claim, "id": "clm-002"}
    array = saved(tmp_path, json.dumps([claim, other]), "claims.json")
    path = saved(tmp_path, seed_835(ROUTINE))
    code, out, _ = run("remit", "read", path, "--claims", array)
    assert code == 1
    assert "claim clm-002: charge 265.00, paid 0.00" in out
    assert "no remittance mentions the claim [remittance.claim.unpaid]" in out
    stdin_of(monkeypatch, Path(CLAIM).read_bytes())
    assert run("remit", "read", path, "--claims", "-")[0] == 0
    stdin_of(monkeypatch, seed_835(ROUTINE).encode())
    assert run("remit", "read", "-", "--claims", CLAIM)[0] == 0
    stdin_of(monkeypatch, seed_835(ROUTINE).encode())
    code, out, _ = run("remit", "read", "-")
    assert (code, out.split(":")[0]) == (0, "<stdin>")


def test_the_same_claim_twice_exits_2(tmp_path: Path) -> None:
    path = saved(tmp_path, seed_835())
    code, out, err = run("remit", "read", path, "--claims", CLAIM, CLAIM)
    assert (code, out) == (2, "")
    assert err == (
        "soapbill: two claims given with --claims have the same id: give each claim once\n"
    )


@given(st.data())
def test_generated_remittances_post_as_the_library_does(data: st.DataObject) -> None:
    claims = data.draw(unique_claims())
    written = data.draw(sbst.remittances_835(claims))
    text = validated(written.text)
    postings = post(claims, read_835(text))
    with tempfile.TemporaryDirectory() as tmp:
        remit = saved(Path(tmp), text)
        array = saved(Path(tmp), json.dumps([to_dict(c) for c in claims]), "claims.json")
        code, out, err = run("remit", "read", remit, "--claims", array, "--json")
    assert err == ""
    document = json.loads(out)
    assert document["postings"] == [to_dict(p) for p in postings]
    assert document["remittances"] == [to_dict(r) for r in read_835(text)]
    needs_action = any(
        s.rule.startswith("remittance.denied.") or s.rule == "remittance.claim.denied"
        for p in postings
        for s in p.next_steps
    )
    assert code == (1 if needs_action else 0)


# --- the 999 and the 277CA --------------------------------------------------------------


def test_an_accepted_999_exits_0(tmp_path: Path) -> None:
    path = saved(tmp_path, write_999(AckStatus.ACCEPTED))
    assert run("remit", "read", path) == (
        0,
        (
            f"{path}: 999 acknowledgement of functional group 1 (HC): accepted; 1 of 1 "
            "transaction sets accepted\n"
            "  transaction set 0001 (837): accepted\n"
        ),
        "",
    )


def test_a_rejected_999_exits_1(tmp_path: Path) -> None:
    code, out, _ = run("remit", "read", saved(tmp_path, write_999(AckStatus.REJECTED)))
    assert code == 1
    assert out.splitlines()[1:] == [
        "  transaction set 0001 (837): rejected",
        "    error: one or more segments have errors",
        "    segment NM1 at position 8 in loop 2010: the segment has data element errors",
    ]


def test_277ca_accepted_and_rejected(tmp_path: Path) -> None:
    path = saved(tmp_path, write_277ca(ACCEPTED))
    assert run("remit", "read", path) == (
        0,
        (
            f"{path}: 277CA acknowledgement of 1 claim: 1 accepted, 0 rejected\n"
            "  claim clm-001: accepted by EXAMPLE HEALTH PLAN, charge 265.00; payer claim number "
            "EXHP26070001\n"
            "    A2:20: accepted into the adjudication system: accepted for processing\n"
        ),
        "",
    )
    code, out, _ = run("remit", "read", saved(tmp_path, write_277ca(REJECTED)))
    assert code == 1
    assert out.splitlines()[1:] == [
        "  claim clm-001: REJECTED by EXAMPLE HEALTH PLAN, charge 265.00",
        (
            "    A7:562:85: rejected for invalid information: the entity's National Provider "
            "Identifier (NPI)"
        ),
    ]


@pytest.mark.parametrize(
    ("write", "kind", "key", "read"),
    [
        pytest.param(seed_835, "835", "remittances", read_835, id="835"),
        pytest.param(
            lambda: write_999(AckStatus.REJECTED), "999", "acknowledgements", read_999, id="999"
        ),
        pytest.param(
            lambda: write_277ca(REJECTED),
            "277CA",
            "claim_acknowledgements",
            read_277ca,
            id="277ca",
        ),
    ],
)
def test_json(
    tmp_path: Path,
    write: Callable[[], str],
    kind: str,
    key: str,
    read: Callable[[str], tuple[Any, ...]],
) -> None:
    text = write()
    code, out, _ = run("remit", "read", saved(tmp_path, text), "--json")
    assert code == 1
    assert json.loads(out) == {"kind": kind, key: [to_dict(x) for x in read(text)]}


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        pytest.param(
            None,
            "not x12 at all",
            "  segments[0]: X12 text starts with an ISA segment [x12_not_isa]",
            id="not-x12",
        ),
        pytest.param(
            "ST*835*",
            "ST*837*",
            "  segments[2].ST01: expected an 835, a 999 or a 277CA transaction set "
            "[x12_transaction]",
            id="837",
        ),
        pytest.param(
            "CLP*clm-001*1*265*",
            "CLP*clm-001*1*2x5*",
            "  segments[14].CLP03: expected an amount of money [x12_amount]",
            id="bad-amount",
        ),
    ],
)
def test_bad_files_exit_2(tmp_path: Path, old: str | None, new: str, problem: str) -> None:
    path = saved(tmp_path, new if old is None else seed_835().replace(old, new))
    code, out, err = run("remit", "read", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}: invalid (1 problem)\n")
    assert problem in err


def test_claims_with_a_999_or_a_bad_claim_exit_2(tmp_path: Path) -> None:
    ack = saved(tmp_path, write_999(AckStatus.ACCEPTED))
    code, _, err = run("remit", "read", ack, "--claims", CLAIM)
    assert code == 2
    assert err == f"soapbill: --claims posts an 835 to claims; {ack} is a 999\n"
    claim = json.loads(Path(CLAIM).read_text(encoding="utf-8"))
    broken = saved(tmp_path, json.dumps({**claim, "lines": "Jordan Park"}), "broken.json")
    code, out, err = run("remit", "read", saved(tmp_path, seed_835()), "--claims", broken)
    assert (code, out) == (2, "")
    assert err.startswith(f"{broken}: invalid (1 problem)\n  lines: ")
    assert "Jordan" not in err


def test_standard_input_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin_of(monkeypatch, b"")
    code, out, err = run("remit", "read", "-", "--claims", "-")
    assert (code, out) == (2, "")
    assert "standard input (-) can be read only once" in err


def test_remit_needs_a_subcommand() -> None:
    with contextlib.redirect_stderr(io.StringIO()) as err:
        assert main(["remit"]) == 2
    assert "remit" in err.getvalue()


def test_a_claim_id_only_the_file_knows_has_no_line_text(tmp_path: Path) -> None:
    # A claim the file pays but no --claims file holds: its lines are named by index.
    claim = attrs.evolve(seed_claim(), id="clm-777")
    array = saved(tmp_path, json.dumps([to_dict(claim)]), "claims.json")
    code, out, _ = run("remit", "read", saved(tmp_path, seed_835()), "--claims", array)
    assert code == 1
    assert "claim clm-001 (not among the claims given)" in out
    assert "    CO-97 10.00: bundled: paid as part of another service already adjudicated" in out
    assert "lines[" not in out
