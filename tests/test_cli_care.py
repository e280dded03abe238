"""
``soapbill rx-request``, ``soapbill progress`` and the plans of care of ``soapbill check``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

import attrs
import pytest
from fhir.resources.R4B.bundle import Bundle

import builders
from soapbill import CptCode, Frequency, PersonName, SoapNote, from_json, to_json
from soapbill.care import (
    CarePlan,
    ProgressReport,
    RxRequest,
    ScriptItem,
    progress_report,
    progress_report_to_fhir,
    render_progress_report,
    render_rx_request,
    rx_request_to_fhir,
)
from soapbill.rules import policies
from test_batch_cli import run
from test_care import NOTES, PLAN, VISIT_DAYS
from test_care_fhir import MODELS

EXAMPLES: Final = Path(__file__).parent.parent / "examples"
SENTINEL: Final = "ZQCARESENTINELQZ"
ON: Final = date(2026, 3, 2)

#: The patient, the insurance and the intake note, with the sentinel in the
#: name, the member id and the note's text: none of it may reach an error.
PATIENT: Final = builders.patient(name=PersonName(family=SENTINEL, given="Jane"))
COVERAGE: Final = builders.coverage(member_id=SENTINEL)
PRESCRIBER: Final = builders.physician()
STORY: Final = [
    attrs.evolve(n, subjective=attrs.evolve(n.subjective, chief_complaint=SENTINEL)) for n in NOTES
]
INTAKE: Final = STORY[0]


def _fhir_resources(text: str) -> list[dict[str, Any]]:
    """
    The resources of a FHIR Bundle, each validated with fhir.resources.
    """
    bundle = json.loads(text)
    Bundle.model_validate(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    for resource in resources:
        MODELS[resource["resourceType"]].model_validate(resource)
    return resources


@dataclass(frozen=True)
class Files:
    """
    The input files of a run, as the command line takes them.
    """

    note: str
    notes: str
    patient: str
    prescriber: str
    coverage: str
    plan: str
    tmp: Path

    def write(self, name: str, text: str) -> str:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return str(path)


@pytest.fixture
def files(tmp_path: Path) -> Files:
    def write(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return Files(
        note=write("note.json", to_json(INTAKE)),
        notes=write("notes.json", "[" + ",".join(to_json(n) for n in STORY) + "]"),
        patient=write("patient.json", to_json(PATIENT)),
        prescriber=write("prescriber.json", to_json(PRESCRIBER)),
        coverage=write("coverage.json", to_json(COVERAGE)),
        plan=write("plan.json", to_json(PLAN)),
        tmp=tmp_path,
    )


def _request_args(files: Files, *more: str) -> list[str]:
    return [
        "rx-request",
        files.note,
        "--patient",
        files.patient,
        "--prescriber",
        files.prescriber,
        "--frequency",
        "2x6",
        "--on",
        ON.isoformat(),
        *more,
    ]


def _request(**changes: Any) -> RxRequest:
    arguments: dict[str, Any] = {
        "id": f"rx-request-{INTAKE.id}",
        "patient": PATIENT,
        "prescriber": PRESCRIBER,
        "frequency": Frequency(per_week=2, weeks=6),
        "requested_on": ON,
    }
    return RxRequest.from_note(INTAKE, **(arguments | changes))


# --- rx-request ----------------------------------------------------------------------------


def test_rx_request_writes_the_letter(files: Files) -> None:
    code, text = run(*_request_args(files))
    assert code == 0
    assert text == render_rx_request(_request())
    assert SENTINEL in text  # the patient's name: the letter is for the prescriber


def test_rx_request_as_html(files: Files) -> None:
    code, text = run(*_request_args(files, "--to", "html"))
    assert code == 0
    assert text == render_rx_request(_request(), kind="html") + "\n"
    assert text.startswith("<!DOCTYPE html>")


def test_rx_request_as_fhir_is_a_proposal(files: Files) -> None:
    code, text = run(*_request_args(files, "--to", "fhir", "--service", "97124"))
    assert code == 0
    assert json.loads(text) == rx_request_to_fhir(_request(services=(CptCode("97124"),)))
    requests = [r for r in _fhir_resources(text) if r["resourceType"] == "ServiceRequest"]
    assert [r["intent"] for r in requests] == ["proposal"]


def test_rx_request_takes_every_option(files: Files) -> None:
    code, text = run(
        *_request_args(
            files,
            "--to",
            "json",
            "--coverage",
            files.coverage,
            "--service",
            "97124",
            "--service",
            "97140",
            "--service",
            "97124",
            "--id",
            "RQ-7",
            "--require",
            "npi",
            "--require",
            "diagnosis",
            "--require",
            "npi",
        )
    )
    assert code == 0
    expected = _request(
        id="RQ-7",
        coverage=COVERAGE,
        services=(CptCode("97124"), CptCode("97140")),
        requirements=(ScriptItem.NPI, ScriptItem.DIAGNOSIS),
    )
    assert from_json(text, RxRequest) == expected
    assert to_json(expected) == json.dumps(json.loads(text), separators=(",", ":"))


def test_rx_request_defaults(files: Files) -> None:
    args = _request_args(files, "--to", "json")
    del args[args.index("--on") : args.index("--on") + 2]
    before = date.today()  # noqa: DTZ011 - the command's default
    code, text = run(*args)
    after = date.today()  # noqa: DTZ011
    assert code == 0
    request = from_json(text, RxRequest)
    assert request.id == "rx-request-N01"
    assert request.requested_on in {before, after}
    assert request.requirements == tuple(ScriptItem)
    assert request.services == ()
    assert request.coverage is None


def test_a_request_read_back_writes_the_same_letter(files: Files) -> None:
    code, written = run(*_request_args(files, "--to", "json", "--coverage", files.coverage))
    assert code == 0
    path = files.write("request.json", written)
    for to in ("text", "html", "fhir", "json"):
        from_note = run(*_request_args(files, "--to", to, "--coverage", files.coverage))
        assert run("rx-request", "--request", path, "--to", to) == from_note


def test_rx_request_reads_standard_input(files: Files) -> None:
    args = _request_args(files)
    args[1] = "-"
    code, text = run(*args, stdin=Path(files.note).read_bytes())
    assert (code, text) == (0, render_rx_request(_request()))
    code, text = run("rx-request", "--request", "-", stdin=to_json(_request()).encode())
    assert (code, text) == (0, render_rx_request(_request()))


def test_rx_request_to_a_file(files: Files) -> None:
    target = files.tmp / "letter.html"
    code, text = run(*_request_args(files, "--to", "html", "--out", str(target)))
    assert (code, text) == (0, "")
    assert target.read_text(encoding="utf-8") == render_rx_request(_request(), kind="html") + "\n"
    assert run(*_request_args(files, "--out", "-")) == (0, render_rx_request(_request()))


def test_the_readme_rx_request() -> None:
    code, text = run(
        "rx-request",
        str(EXAMPLES / "note-1.json"),
        "--patient",
        str(EXAMPLES / "patient.json"),
        "--prescriber",
        str(EXAMPLES / "prescriber.json"),
        "--frequency",
        "2x4",
        "--on",
        "2026-03-03",
    )
    assert code == 0
    assert "Ana Ortiz, MD (NPI 1987654328)" in text
    assert "2 times a week for 4 weeks" in text


# --- progress ------------------------------------------------------------------------------


def _report(notes: list[SoapNote] = STORY, plan: CarePlan = PLAN, **changes: Any) -> ProgressReport:
    period = changes.pop("period", (plan.starts_on, VISIT_DAYS[-1]))
    return progress_report(notes, care_plan=plan, period=period)


def test_progress_writes_the_report(files: Files) -> None:
    code, text = run("progress", "--note", files.notes, "--plan", files.plan)
    assert code == 0
    assert text == render_progress_report(_report())
    assert "Pain, neck: from 7/10 to 3/10; now 3/10 (met)" in text


def test_progress_as_html_draws_the_charts(files: Files) -> None:
    code, text = run("progress", "--note", files.notes, "--plan", files.plan, "--to", "html")
    assert code == 0
    assert text == render_progress_report(_report(), kind="html") + "\n"
    assert text.count("<svg") == 2  # pain and range of motion


def test_progress_as_fhir_validates(files: Files) -> None:
    code, text = run("progress", "--note", files.notes, "--plan", files.plan, "--to", "fhir")
    assert code == 0
    assert json.loads(text) == progress_report_to_fhir(_report())
    kinds = [r["resourceType"] for r in _fhir_resources(text)]
    assert kinds.count("DiagnosticReport") == 1
    assert kinds.count("Observation") == 30  # three measures, ten visits


def test_progress_as_json(files: Files) -> None:
    code, text = run("progress", "--note", files.notes, "--plan", files.plan, "--to", "json")
    assert code == 0
    assert from_json(text, ProgressReport) == _report()


def test_progress_takes_notes_one_file_each_in_any_order(files: Files) -> None:
    paths = [files.write(f"n{i}.json", to_json(note)) for i, note in enumerate(STORY)]
    args = [arg for path in reversed(paths) for arg in ("--note", path)]
    code, text = run("progress", *args, "--plan", files.plan)
    assert (code, text) == (0, render_progress_report(_report()))
    # Standard input as one of them, an array as another.
    code, text = run(
        "progress",
        "--note",
        "-",
        "--note",
        files.write("rest.json", "[" + ",".join(to_json(n) for n in STORY[1:]) + "]"),
        "--plan",
        files.plan,
        stdin=to_json(STORY[0]).encode(),
    )
    assert (code, text) == (0, render_progress_report(_report()))


def test_progress_period_options(files: Files) -> None:
    first, last = VISIT_DAYS[2], VISIT_DAYS[5]
    args = ("--from", first.isoformat(), "--until", last.isoformat())
    code, text = run("progress", "--note", files.notes, "--plan", files.plan, *args)
    assert (code, text) == (0, render_progress_report(_report(period=(first, last))))
    # Without --until: the last note within the plan, from --from on.
    late = attrs.evolve(STORY[-1], id="N99", date_of_service=PLAN.ends_on + timedelta(days=1))
    notes = files.write("late.json", "[" + ",".join(to_json(n) for n in [*STORY, late]) + "]")
    code, text = run("progress", "--note", notes, "--plan", files.plan, "--from", args[1])
    expected = _report([*STORY, late], period=(first, VISIT_DAYS[-1]))
    assert (code, text) == (0, render_progress_report(expected))


def test_progress_without_notes_in_the_plan_reports_to_its_end(files: Files) -> None:
    plan = attrs.evolve(PLAN, starts_on=VISIT_DAYS[-1] + timedelta(days=1))
    plan = attrs.evolve(plan, ends_on=plan.starts_on + timedelta(days=30))
    path = files.write("later.json", to_json(plan))
    code, text = run("progress", "--note", files.notes, "--plan", path, "--to", "json")
    assert code == 0
    report = from_json(text, ProgressReport)
    assert (report.period_start, report.period_end) == (plan.starts_on, plan.ends_on)
    assert report.visits == 0


def test_progress_to_a_file(files: Files) -> None:
    target = files.tmp / "report.html"
    argv = ("progress", "--note", files.notes, "--plan", files.plan, "--to", "html")
    code, text = run(*argv, "--out", str(target))
    assert (code, text) == (0, "")
    assert "<svg" in target.read_text(encoding="utf-8")


def test_the_readme_progress_report() -> None:
    notes = [str(EXAMPLES / name) for name in ("note-1.json", "note-2.json")]
    plan = str(EXAMPLES / "care-plan.json")
    code, text = run(
        "progress", "--note", notes[0], "--note", notes[1], "--plan", plan, "--to", "html"
    )
    assert code == 0
    assert text.startswith("<!DOCTYPE html>")
    code, text = run("progress", "--note", notes[0], "--note", notes[1], "--plan", plan)
    assert code == 0
    assert "Period        03/03/2026 to 03/10/2026" in text
    assert "Visits        2 of 8 planned" in text


# --- bad input -----------------------------------------------------------------------------


def _bad_patient(files: Files) -> list[str]:
    data = json.loads(Path(files.patient).read_text(encoding="utf-8"))
    data["birth_date"] = "1980-02-31"
    return [*_request_args(files), "--patient", files.write("bad.json", json.dumps(data))]


def _other_patient(files: Files) -> list[str]:
    other = builders.patient(id="P2", name=PersonName(family=SENTINEL, given="Jo"))
    return [*_request_args(files), "--patient", files.write("other.json", to_json(other))]


def _bad_coverage(files: Files) -> list[str]:
    data = json.loads(Path(files.coverage).read_text(encoding="utf-8"))
    data["plan_type"] = SENTINEL
    return _request_args(files, "--coverage", files.write("bad.json", json.dumps(data)))


def _every_bad_file(files: Files) -> list[str]:
    note = json.loads(Path(files.note).read_text(encoding="utf-8"))
    note["date_of_service"] = SENTINEL
    broken = files.write("broken.json", f'{{"name": "{SENTINEL}",')
    return [
        "rx-request",
        files.write("bad-note.json", json.dumps(note)),
        "--patient",
        broken,
        "--prescriber",
        files.patient,
        "--frequency",
        "2x4",
    ]


def _long_default_id(files: Files) -> list[str]:
    note = files.write("long.json", to_json(attrs.evolve(INTAKE, id="N" * 45)))
    args = _request_args(files)
    args[1] = note
    return args


def _progress_other_patient(files: Files) -> list[str]:
    others = [attrs.evolve(n, patient_id="P2") for n in STORY[2:4]]
    path = files.write(
        "mixed.json", "[" + ",".join(to_json(n) for n in [*STORY[:2], *others]) + "]"
    )
    single = files.write("single.json", to_json(others[0]))
    return ["progress", "--note", path, "--note", single, "--plan", files.plan]


def _progress_bad_note(files: Files) -> list[str]:
    data = [json.loads(to_json(n)) for n in STORY[:3]]
    data[2]["treatments"][0]["minutes"] = -1
    data[1]["subjective"]["pain"] = SENTINEL
    path = files.write("bad-notes.json", json.dumps(data))
    return ["progress", "--note", path, "--plan", files.plan]


def _progress_bad_plan(files: Files) -> list[str]:
    data = json.loads(Path(files.plan).read_text(encoding="utf-8"))
    data["ends_on"] = "2026-01-01"
    data["patient_id"] = SENTINEL * 4
    return [
        "progress",
        "--note",
        files.notes,
        "--plan",
        files.write("plan2.json", json.dumps(data)),
    ]


#: Each bad input, and what standard error says of it ({name} is a file name).
BAD_INPUTS: Final = [
    pytest.param(
        lambda f: ["rx-request", "--patient", f.patient],
        ["soapbill: give NOTE.json or --request"],
        id="no-source",
    ),
    pytest.param(
        lambda f: ["rx-request", f.note, "--request", f.note],
        ["soapbill: give NOTE.json or --request, not both"],
        id="both-sources",
    ),
    pytest.param(
        lambda f: ["rx-request", "--request", f.note, "--patient", f.patient, "--on", "2026-03-02"],
        ["soapbill: --patient, --on: --request reads a whole request; these build one from a note"],
        id="request-and-note-options",
    ),
    pytest.param(
        lambda f: ["rx-request", f.note, "--prescriber", f.prescriber],
        ["soapbill: --patient, --frequency: a request from NOTE.json needs them"],
        id="missing-options",
    ),
    pytest.param(
        lambda f: ["rx-request", f.note, "--patient", f.patient, "--prescriber", f.prescriber],
        ["soapbill: --frequency: a request from NOTE.json needs it"],
        id="missing-frequency",
    ),
    pytest.param(
        lambda f: ["rx-request", "--request", f.note],
        ["{note}: invalid (15 problems)"],
        id="a-note-as-request",
    ),
    pytest.param(
        _bad_patient,
        ["{bad}: invalid (1 problem)", "  birth_date: not a calendar date [invalid_date]"],
        id="bad-patient",
    ),
    pytest.param(
        _other_patient,
        ["soapbill: {note}: patient_id: is about another patient [other_patient]"],
        id="other-patient",
    ),
    pytest.param(
        _bad_coverage,
        [
            "{bad}: invalid (1 problem)",
            "  plan_type: not one of the allowed values [invalid_choice]",
        ],
        id="bad-coverage",
    ),
    pytest.param(
        _every_bad_file,
        [
            "{bad-note}: invalid (1 problem)",
            "  date_of_service: expected a date as YYYY-MM-DD [invalid_format]",
            "{broken}: invalid (1 problem)",
            "  <document>: not a valid JSON document [json_invalid]",
            "{patient}: invalid (4 problems)",
            "  npi: required field missing [missing]",
        ],
        id="every-bad-file",
    ),
    pytest.param(
        lambda f: _request_args(f, "--id", "R" * 51),
        ["soapbill: --id: must have at most 50 characters [too_long]"],
        id="long-id",
    ),
    pytest.param(
        _long_default_id,
        [
            (
                "soapbill: --id (not given; the default is rx-request- and the note's id): "
                "must have at most 50 characters [too_long]"
            )
        ],
        id="long-default-id",
    ),
    pytest.param(
        lambda f: _request_args(f, "--out", str(f.tmp)),
        ["soapbill: cannot write {tmp}: Is a directory"],
        id="out-is-a-directory",
    ),
    pytest.param(
        lambda f: _request_args(f, "--coverage", "-", "--prescriber", "-"),
        ["soapbill: standard input (-) can be read only once: give it as one file at most"],
        id="stdin-twice",
    ),
    pytest.param(
        lambda f: _request_args(f, "--patient", str(f.tmp / "missing.json")),
        ["soapbill: cannot read {tmp}/missing.json: No such file or directory"],
        id="missing-file",
    ),
    pytest.param(
        _progress_other_patient,
        [
            (
                "soapbill: {mixed}: [2].patient_id: is about another patient than the plan "
                "[other_patient]"
            ),
            (
                "soapbill: {mixed}: [3].patient_id: is about another patient than the plan "
                "[other_patient]"
            ),
            (
                "soapbill: {single}: patient_id: is about another patient than the plan "
                "[other_patient]"
            ),
        ],
        id="progress-other-patient",
    ),
    pytest.param(
        _progress_bad_note,
        [
            "{bad-notes}: invalid (2 problems)",
            "  [1].subjective.pain: expected an array, got string [invalid_type]",
            "  [2].treatments[0].minutes: must be at least 1 [too_small]",
        ],
        id="progress-bad-note",
    ),
    pytest.param(
        _progress_bad_plan,
        [
            "{plan2}: invalid (2 problems)",
            "  patient_id: must have at most 50 characters [too_long]",
            "  ends_on: must not be before starts_on [before_start]",
        ],
        id="progress-bad-plan",
    ),
    pytest.param(
        lambda f: [
            "progress",
            "--note",
            f.notes,
            "--plan",
            f.plan,
            "--from",
            "2026-03-10",
            "--until",
            "2026-03-09",
        ],
        ["soapbill: --until: must not be before --from [before_start]"],
        id="until-before-from",
    ),
    pytest.param(
        lambda f: ["progress", "--note", f.notes, "--plan", f.plan, "--from", "2027-01-01"],
        [
            (
                "soapbill: --until (not given; the default is the date of the last note within the "
                "plan, or the plan's last day): must not be before --from [before_start]"
            )
        ],
        id="from-after-the-plan",
    ),
    pytest.param(
        lambda f: ["progress", "--note", f.notes, "--plan", f.plan, "--until", "2026-03-01"],
        [
            (
                "soapbill: --until: must not be before the plan's first day (--from not given) "
                "[before_start]"
            )
        ],
        id="until-before-the-plan",
    ),
    pytest.param(
        lambda _f: ["progress", "--note", "-", "--plan", "-"],
        ["soapbill: standard input (-) can be read only once: give it as one file at most"],
        id="progress-stdin-twice",
    ),
]


@pytest.mark.parametrize(("argv", "expected"), BAD_INPUTS)
def test_bad_input_names_paths_never_values(
    files: Files, argv: Any, expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = argv(files)
    code, text = run(*args)
    err = capsys.readouterr().err
    assert (code, text) == (2, "")
    names = {Path(arg).stem: arg for arg in args if arg.startswith(str(files.tmp))}
    names["tmp"] = str(files.tmp)
    lines = [line.format(**names) for line in expected]
    assert err.splitlines()[: len(lines)] == lines
    assert SENTINEL not in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("option", "value"),
    [
        *(
            ("--frequency", value)
            for value in (
                "0x4",
                "8x1",
                "2x105",
                "2",
                "x",
                "2x",
                "ax4",
                "\u0662x4",
                "1234x1",
                "2x4x1",
            )
        ),
        ("--service", "9712"),
        ("--service", SENTINEL),
        ("--on", "2026-3-2"),
    ],
)
def test_bad_option_values(
    files: Files, option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run(*_request_args(files, option, value))
    assert (code, text) == (2, "")
    messages = {
        "--frequency": "expected N visits a week for W weeks as NxW, such as 2x4 (N 1-7, W 1-104)",
        "--service": "expected a CPT or HCPCS Level II code, such as 97124",
        "--on": "expected a date as YYYY-MM-DD",
    }
    # The message is fixed: it never repeats the value.
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == f"soapbill rx-request: error: argument {option}: {messages[option]}"


@pytest.mark.parametrize(
    "argv",
    [
        ("rx-request", "--request", "x", "--require", "nope"),
        ("rx-request", "--request", "x", "--to", "pdf"),
        ("progress", "--note", "x"),
        ("progress", "--plan", "x"),
    ],
)
def test_usage_errors(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(*argv) == (2, "")
    assert f"soapbill {argv[0]}: error: " in capsys.readouterr().err


def test_the_script_items_the_parser_lists_are_the_models() -> None:
    from soapbill import _cli_care  # noqa: PLC0415 - the parser's copy

    assert tuple(item.value for item in ScriptItem) == _cli_care._SCRIPT_ITEMS


# --- in a real process ---------------------------------------------------------------------

_ENV: Final = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}


@pytest.mark.skipif(not hasattr(os, "pipe"), reason="no pipes")
@pytest.mark.parametrize("to", ["text", "html", "fhir", "json"])
def test_a_closed_output_ends_quietly(files: Files, to: str) -> None:
    for args in (
        _request_args(files, "--to", to),
        ["progress", "--note", files.notes, "--plan", files.plan, "--to", to],
    ):
        read_end, write_end = os.pipe()
        os.close(read_end)  # nobody will ever read
        try:
            done = subprocess.run(  # noqa: S603 - our own interpreter
                [sys.executable, "-m", "soapbill", *args],
                stdout=write_end,
                stderr=subprocess.PIPE,
                env=_ENV,
                check=False,
                timeout=60,
            )
        finally:
            os.close(write_end)
        assert (done.returncode, done.stderr) == (141, b"")


# --- check --plan and batch care_plans -----------------------------------------------------

CLAIM: Final = str(EXAMPLES / "claim.json")
CARE_PLAN: Final = str(EXAMPLES / "care-plan.json")


@pytest.fixture
def policy(tmp_path: Path) -> str:
    """
    A policy of our own that wants a plan of care, certified within 30 days.
    """
    data = json.loads(policies.load("commercial").to_json())
    data.update(id="care-test", care_plan_required=True, care_plan_certification_days=30)
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _check(policy: str, *more: str, as_of: str = "2026-03-16") -> tuple[int, str]:
    return run(
        "check",
        CLAIM,
        "--policy",
        policy,
        "--as-of",
        as_of,
        "--diagnoses",
        "none",
        "--json",
        *more,
    )


def _rules(text: str) -> set[str]:
    return {finding["rule"] for finding in json.loads(text)["findings"]}


def test_check_without_a_plan_of_care(policy: str) -> None:
    code, text = _check(policy)
    assert code == 1
    assert "care.plan_missing" in _rules(text)


def test_check_with_a_plan_of_care(policy: str) -> None:
    code, text = _check(policy, "--plan", CARE_PLAN)
    assert code == 0
    assert not {rule for rule in _rules(text) if rule.startswith("care.")}


def test_check_with_an_uncertified_plan(policy: str, tmp_path: Path) -> None:
    plan = from_json(Path(CARE_PLAN).read_text(encoding="utf-8"), CarePlan)
    path = tmp_path / "uncertified.json"
    path.write_text(to_json(attrs.evolve(plan, certification=None)), encoding="utf-8")
    # Within its 30 days, a plan may wait for its certification; after them, not.
    assert _check(policy, "--plan", str(path))[0] == 0
    code, text = _check(policy, "--plan", str(path), as_of="2026-04-15")
    assert code == 1
    assert "care.not_certified" in _rules(text)


def test_check_refuses_a_plan_of_another_patient(
    policy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = from_json(Path(CARE_PLAN).read_text(encoding="utf-8"), CarePlan)
    path = tmp_path / "other.json"
    path.write_text(to_json(attrs.evolve(plan, patient_id=SENTINEL)), encoding="utf-8")
    assert _check(policy, "--plan", str(path)) == (2, "")
    err = capsys.readouterr().err
    assert "care_plans[0].patient_id" in err
    assert SENTINEL not in err


def test_check_batch_takes_plans_from_the_cases(
    policy: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("check", "--batch", "-", "--policy", policy, "--plan", CARE_PLAN)
    assert run(*argv) == (2, "")
    assert "--plan: a batch takes them from each case" in capsys.readouterr().err


def test_check_batch_cases_carry_their_plans(policy: str) -> None:
    claim = Path(CLAIM).read_text(encoding="utf-8")
    plan = Path(CARE_PLAN).read_text(encoding="utf-8")
    lines = [
        json.dumps({"claim": json.loads(claim), "care_plans": [json.loads(plan)]}),
        json.dumps({"claim": json.loads(claim)}),
    ]
    argv = ("check", "--batch", "-", "--policy", policy, "--as-of", "2026-03-16")
    code, text = run(*argv, "--diagnoses", "none", stdin="\n".join(lines).encode())
    assert code == 1
    first, second = (json.loads(line) for line in text.splitlines())
    assert first["decision"]["eligible"] is True
    assert "care.plan_missing" in _rules(json.dumps(second["decision"]))
