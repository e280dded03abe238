"""
The rules engine: findings, decisions, rules, contexts and evaluate().
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from typing import cast

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import builders
from soapbill import (
    Claim,
    ClaimFrequency,
    CptCode,
    DiagnosisCode,
    Patient,
    ServiceLine,
    Subjective,
    ValidationError,
)
from soapbill.codes.cpt import DEFAULT_CATALOG, CodeInfo
from soapbill.rules import (
    BUILTIN_IDS,
    Context,
    Decision,
    Finding,
    FindingFactory,
    GroupFindingFactory,
    PayerPolicy,
    RuleError,
    Severity,
    declared,
    evaluate,
    policies,
    rule,
    rule_group,
)
from soapbill.rules.diagnoses import DiagnosisStatus, DiagnosisVerdict
from soapbill.rules.findings import RULE_ID_PATTERN

DOS = builders.DOS
POLICY = PayerPolicy(id="test", version="1")


def line(code: str = "97124", *, on: date = DOS) -> ServiceLine:
    return builders.line(code, 1, on=on, charge="30.00")


def claim(*lines: ServiceLine, id: str = "C1", patient: Patient | None = None) -> Claim:
    return builders.claim(*lines, id=id, patient=patient or builders.patient())


def finding(rule_id: str = "clinic.check", severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule=rule_id, severity=severity, message="something", path="lines[0]")


# --- findings and decisions ------------------------------------------------------------


def test_severity_travels_as_lower_case_words() -> None:
    assert [s.value for s in Severity] == ["error", "warning", "info"]


@pytest.mark.parametrize(
    "bad", ["rx", "Rx.expired", "rx.", ".rx", "rx..expired", "rx.expired!", "1rx.expired", ""]
)
def test_finding_rule_ids_are_lower_case_dotted(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        Finding(rule=bad, severity=Severity.INFO, message="m")
    assert info.value.errors[0].path == "rule"


def test_finding_defaults() -> None:
    plain = Finding(rule="a.b", severity=Severity.INFO, message="m")
    assert (plain.path, plain.fix) == ("", None)


def test_decision_eligible_must_agree_with_the_findings() -> None:
    with pytest.raises(ValidationError) as info:
        Decision(policy_id="p", policy_version="1", as_of=DOS, eligible=True, findings=(finding(),))
    assert info.value.errors[0].path == "eligible"
    with pytest.raises(ValidationError):
        Decision(policy_id="p", policy_version="1", as_of=DOS, eligible=False)
    warned = Decision.of(POLICY, DOS, [finding(severity=Severity.WARNING)])
    assert warned.eligible
    assert warned.warnings == warned.findings
    assert warned.errors == ()
    denied = Decision.of(POLICY, DOS, [finding(), finding("clinic.other", Severity.INFO)])
    assert not denied.eligible
    assert denied.errors == (finding(),)
    assert denied.rules_found == frozenset({"clinic.check", "clinic.other"})


def test_decision_json_wire_format() -> None:
    decision = Decision.of(POLICY, DOS, [finding()])
    assert decision.to_json() == (
        '{"format_version":1,"policy_id":"test","policy_version":"1","as_of":"2026-03-02",'
        '"eligible":false,"findings":[{"rule":"clinic.check","severity":"error",'
        '"message":"something","path":"lines[0]","fix":null}]}'
    )
    assert Decision.from_json(decision.to_json()) == decision


def test_decision_from_json_refuses_an_inconsistent_document() -> None:
    text = (
        Decision.of(POLICY, DOS, [finding()])
        .to_json()
        .replace('"eligible":false', '"eligible":true')
    )
    with pytest.raises(ValidationError) as info:
        Decision.from_json(text)
    assert "eligible" in str(info.value)


_RULE_IDS = st.from_regex(RULE_ID_PATTERN, fullmatch=True).filter(lambda s: len(s) <= 100)
_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)
findings = st.builds(
    Finding,
    rule=_RULE_IDS,
    severity=st.sampled_from(Severity),
    message=_TEXT,
    path=st.text(max_size=20),
    fix=st.none() | _TEXT,
)


@st.composite
def decisions(draw: st.DrawFn) -> Decision:
    found = draw(st.lists(findings, max_size=5))
    policy = PayerPolicy(
        id=draw(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}", fullmatch=True)), version="1"
    )
    return Decision.of(policy, draw(st.dates()), found)


@given(decisions())
def test_any_decision_round_trips_through_json_and_pickle(decision: Decision) -> None:
    assert Decision.from_json(decision.to_json()) == decision
    assert pickle.loads(pickle.dumps(decision)) == decision  # noqa: S301 - our own data


# --- rules -----------------------------------------------------------------------------


@rule("clinic.no_sunday", Severity.WARNING)
def no_sunday(context: Context, found: FindingFactory) -> Iterator[Finding]:
    for i, each in enumerate(context.claim.lines):
        if each.date_of_service.isoweekday() == 7:
            yield found(f"line {i + 1} is on a Sunday", path=f"lines[{i}].date_of_service")


@attrs.frozen
class MaxLines:
    """
    A rule with a parameter: at most *limit* lines.
    """

    limit: int
    id: str = "clinic.max_lines"
    severity: Severity = Severity.ERROR

    def __call__(self, context: Context, found: FindingFactory) -> list[Finding]:
        if len(context.claim.lines) <= self.limit:
            return []
        return [found("too many lines")]


def test_rule_adds_an_id_and_a_severity_and_returns_the_function() -> None:
    assert no_sunday.id == "clinic.no_sunday"
    assert no_sunday.severity is Severity.WARNING
    assert no_sunday.__name__ == "no_sunday"  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", ["sunday", "Clinic.x", "clinic x", ""])
def test_rule_refuses_bad_ids(bad: str) -> None:
    with pytest.raises(RuleError):
        rule(bad, Severity.ERROR)


@pytest.mark.parametrize("bad", ["error", None, 1])
def test_rule_refuses_what_is_not_a_severity(bad: object) -> None:
    with pytest.raises(RuleError, match="severity"):
        rule("clinic.x", bad)  # type: ignore[arg-type]


def test_a_rule_writes_its_findings_without_repeating_its_id_and_severity() -> None:
    found = FindingFactory("clinic.x", Severity.INFO)
    assert found("m", path="lines[0]", fix="f") == Finding(
        rule="clinic.x", severity=Severity.INFO, message="m", path="lines[0]", fix="f"
    )
    assert declared(no_sunday) == {"clinic.no_sunday": Severity.WARNING}
    assert declared(MaxLines(1)) == {"clinic.max_lines": Severity.ERROR}


def test_extra_rules_run_after_the_builtin_ones() -> None:
    sunday = date(2026, 3, 1)
    policy = attrs.evolve(POLICY, covered_codes=(CptCode("97140"),))
    decision = evaluate(
        claim(line(on=sunday), line(on=sunday)),
        policy,
        as_of=DOS,
        extra_rules=[MaxLines(1), no_sunday],
    )
    assert [f.rule for f in decision.findings] == [
        "code.not_covered",
        "code.not_covered",
        "diagnosis.not_checked",
        "clinic.max_lines",
        "clinic.no_sunday",
        "clinic.no_sunday",
    ]
    assert not decision.eligible


def test_findings_sort_by_rule_then_path_numbers_as_numbers() -> None:
    policy = attrs.evolve(POLICY, covered_codes=(CptCode("97140"),))
    subject = claim(*(line() for _ in range(12)))
    paths = [
        f.path
        for f in evaluate(subject, policy, as_of=DOS).findings
        if f.rule == "code.not_covered"
    ]
    assert paths == [f"lines[{i}].code" for i in range(12)]


@rule("clinic.backwards", Severity.INFO)
def backwards(_context: Context, found: FindingFactory) -> list[Finding]:
    return [
        found(m, path=p)
        for p, m in [("lines[10]", "b"), ("lines[2]", "z"), ("lines[2]", "a"), ("", "x")]
    ]


def test_findings_of_one_rule_are_sorted_too() -> None:
    decision = evaluate(claim(), POLICY, as_of=DOS, extra_rules=[backwards])
    assert [(f.path, f.message) for f in decision.findings if f.rule == "clinic.backwards"] == [
        ("", "x"),
        ("lines[2]", "a"),
        ("lines[2]", "z"),
        ("lines[10]", "b"),
    ]


@rule("clinic.liar", Severity.INFO)
def liar(_context: Context, _found: FindingFactory) -> list[Finding]:
    return [Finding(rule="clinic.other", severity=Severity.INFO, message="m")]


@rule("clinic.junk", Severity.INFO)
def junk(_context: Context, _found: FindingFactory) -> list[Finding]:
    return [cast("Finding", "not a finding")]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param([liar], "rule clinic.liar", id="a finding of another id"),
        pytest.param([junk], "rule clinic.junk", id="not a finding"),
        pytest.param([no_sunday, no_sunday], "extra_rules[1]", id="a repeated id"),
        pytest.param(
            [attrs.evolve(MaxLines(1), id="rx.expired")], "extra_rules[0]", id="a builtin id"
        ),
        pytest.param([lambda _context: []], "extra_rules[0]", id="no id"),
        pytest.param([MaxLines(1, id="Bad")], "extra_rules[0]", id="a bad id"),
    ],
)
def test_misbehaving_rules_raise_rule_error(extra: list[object], message: str) -> None:
    with pytest.raises(RuleError, match=message.replace("[", r"\[")):
        evaluate(claim(), POLICY, as_of=DOS, extra_rules=extra)  # type: ignore[arg-type]


@rule("clinic.none", Severity.INFO)
def returns_none(_context: Context, _found: FindingFactory) -> list[Finding]:
    return cast("list[Finding]", None)


@rule("clinic.five", Severity.INFO)
def returns_five(_context: Context, _found: FindingFactory) -> list[Finding]:
    return cast("list[Finding]", 5)


@rule("clinic.raises", Severity.INFO)
def raises(_context: Context, _found: FindingFactory) -> list[Finding]:
    raise ZeroDivisionError(SENTINEL)


@rule("clinic.midway", Severity.ERROR)
def raises_midway(_context: Context, found: FindingFactory) -> Iterator[Finding]:
    yield found("something", path="lines[0]")
    raise KeyError(SENTINEL)


@attrs.frozen
class NotCallable:
    """
    Has an id and a severity, but cannot be called.
    """

    id: str = "clinic.not_callable"
    severity: Severity = Severity.INFO


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(NotCallable(), "rule clinic.not_callable", id="not callable"),
        pytest.param(returns_none, "rule clinic.none: returned NoneType", id="None"),
        pytest.param(returns_five, "rule clinic.five: returned int", id="5"),
    ],
)
def test_a_rule_that_misbehaves_raises_rule_error_naming_it(extra: object, message: str) -> None:
    with pytest.raises(RuleError, match=message) as info:
        evaluate(claim(), POLICY, as_of=DOS, extra_rules=[no_sunday, extra])  # type: ignore[list-item]
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


@pytest.mark.parametrize(
    ("extra", "message", "kind"),
    [
        pytest.param(
            raises, "rule clinic.raises: raised ZeroDivisionError", ZeroDivisionError, id="raises"
        ),
        pytest.param(
            raises_midway, "rule clinic.midway: raised KeyError", KeyError, id="raises midway"
        ),
    ],
)
def test_a_callers_rule_that_raises_chains_its_error_as_the_cause(
    extra: object, message: str, kind: type[Exception]
) -> None:
    with pytest.raises(RuleError, match=message) as info:
        evaluate(claim(), POLICY, as_of=DOS, extra_rules=[no_sunday, extra])  # type: ignore[list-item]
    # The caller's own rule's error is the caller's data: it is the cause, to
    # debug with. The RuleError's own message and arguments never quote it.
    cause = info.value.__cause__
    assert isinstance(cause, kind)
    assert cause.args == (SENTINEL,)
    assert SENTINEL not in f"{info.value} {info.value!r} {info.value.args!r}"
    assert info.value.__context__ is None


class BrokenTable:
    """
    A diagnosis table that fails: a built-in rule calls it.
    """

    def check(self, _code: DiagnosisCode, _on: date, /) -> DiagnosisVerdict:
        raise ConnectionError(SENTINEL)


def test_a_builtin_rule_that_fails_on_a_callers_table_raises_rule_error() -> None:
    with pytest.raises(
        RuleError, match=r"rule diagnosis\.not_billable: raised ConnectionError"
    ) as info:
        evaluate(claim(), POLICY, as_of=DOS, diagnosis_table=BrokenTable())
    assert SENTINEL not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


# --- rule groups -----------------------------------------------------------------------


@rule_group({"clinic.hours.weekend": Severity.WARNING, "clinic.hours.many": Severity.INFO})
def opening_hours(context: Context, found: GroupFindingFactory) -> Iterator[Finding]:
    # One analysis, two ids: the many-lines finding comes first, the sort puts it last.
    if len(context.claim.lines) > 1:
        yield found("clinic.hours.many", "many lines")
    for day, indices in context.lines_by_date.items():
        if day.isoweekday() >= 6:
            yield found("clinic.hours.weekend", "a weekend", path=f"lines[{indices[0]}]")


@rule_group({"clinic.group.a": Severity.INFO})
def overreaching(_context: Context, _found: GroupFindingFactory) -> list[Finding]:
    return [Finding(rule="clinic.group.b", severity=Severity.INFO, message="m")]


@rule_group({"clinic.group.c": Severity.INFO})
def asks_another_id(_context: Context, found: GroupFindingFactory) -> list[Finding]:
    return [found("clinic.group.d", "m")]


def test_a_rule_group_reports_the_ids_it_declares_in_their_order() -> None:
    saturday = date(2026, 3, 7)
    decision = evaluate(
        claim(line(on=saturday), line()),
        POLICY,
        as_of=DOS,
        extra_rules=[opening_hours, no_sunday],
        diagnosis_table=_Known(),
    )
    assert [(f.rule, f.severity) for f in decision.findings] == [
        ("clinic.hours.weekend", Severity.WARNING),
        ("clinic.hours.many", Severity.INFO),
    ]
    assert declared(opening_hours) == opening_hours.severities
    assert list(opening_hours.severities) == ["clinic.hours.weekend", "clinic.hours.many"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param([overreaching], r"rule clinic\.group\.a: returned", id="an undeclared id"),
        pytest.param([asks_another_id], r"rule clinic\.group\.c: raised RuleError", id="found"),
        pytest.param([opening_hours, opening_hours], r"extra_rules\[1\]", id="repeated"),
    ],
)
def test_a_rule_group_reports_only_the_ids_it_declares(extra: list[object], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        evaluate(claim(), POLICY, as_of=DOS, extra_rules=extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "severities",
    [
        pytest.param({}, id="no id"),
        pytest.param({"rx": Severity.INFO}, id="a bad id"),
        pytest.param({"clinic.a": "info"}, id="a bad severity"),
        pytest.param([("clinic.a", Severity.INFO)], id="not a mapping"),
    ],
)
def test_rule_group_refuses_bad_declarations(severities: object) -> None:
    with pytest.raises(RuleError, match="severities"):
        rule_group(severities)  # type: ignore[arg-type]


def test_a_group_declaring_a_builtin_id_is_refused() -> None:
    @rule_group({"clinic.mine": Severity.INFO, "rx.expired": Severity.ERROR})
    def thief(_context: Context, _found: GroupFindingFactory) -> list[Finding]:
        return []

    with pytest.raises(RuleError, match=r"extra_rules\[0\]: the rule id is already used"):
        evaluate(claim(), POLICY, as_of=DOS, extra_rules=[thief])


class _Known:
    """
    A diagnosis table that finds every code billable.
    """

    def check(self, _code: DiagnosisCode, _on: date, /) -> DiagnosisVerdict:
        return DiagnosisVerdict(status=DiagnosisStatus.BILLABLE)


# --- the argument contract -------------------------------------------------------------

SENTINEL = "ZZSENTINELZZ"
_RX = builders.prescription(written_on=DOS)
_ARGUMENTS: dict[str, object] = {
    "claim": None,
    "policy": POLICY,
    "prescriptions": (),
    "notes": (),
    "history": (),
    "as_of": DOS,
    "extra_rules": (),
    "diagnosis_table": None,
    "catalog": None,
}


@pytest.mark.parametrize(
    ("name", "value", "path"),
    [
        pytest.param("claim", None, "claim", id="claim-None"),
        pytest.param("policy", None, "policy", id="policy-None"),
        pytest.param("prescriptions", None, "prescriptions", id="prescriptions-None"),
        pytest.param("prescriptions", 5, "prescriptions", id="prescriptions-5"),
        pytest.param("prescriptions", [_RX, SENTINEL], "prescriptions[1]", id="prescriptions-item"),
        pytest.param("notes", 5, "notes", id="notes-5"),
        pytest.param("notes", SENTINEL, "notes", id="notes-text"),
        pytest.param("history", "x", "history", id="history-text"),
        pytest.param("history", b"x", "history", id="history-bytes"),
        pytest.param("history", [None], "history[0]", id="history-item"),
        pytest.param("as_of", "2026-01-01", "as_of", id="as_of-text"),
        pytest.param("as_of", None, "as_of", id="as_of-None"),
        pytest.param("extra_rules", 5, "extra_rules", id="extra_rules-5"),
        pytest.param("extra_rules", None, "extra_rules", id="extra_rules-None"),
        pytest.param("diagnosis_table", 5, "diagnosis_table", id="diagnosis_table-5"),
        pytest.param("diagnosis_table", SENTINEL, "diagnosis_table", id="diagnosis_table-text"),
        pytest.param("catalog", {}, "catalog", id="catalog-dict"),
    ],
)
def test_an_argument_of_the_wrong_type_is_a_validation_error(
    name: str, value: object, path: str
) -> None:
    arguments = {**_ARGUMENTS, "claim": claim(), name: value}
    with pytest.raises(ValidationError) as info:
        evaluate(**arguments)  # type: ignore[arg-type]
    assert [(d.path, d.code) for d in info.value.errors] == [(path, "invalid_type")]
    assert SENTINEL not in repr(info.value)


_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.dates(),
    st.datetimes(),
    st.builds(object),
    st.lists(st.none() | st.integers() | st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _soapbill_error(call: Callable[[], object]) -> ValidationError | RuleError | None:
    """
    Call *call*; return its ValidationError or RuleError, let anything else through.
    """
    try:
        call()
    except (ValidationError, RuleError) as error:
        return error
    return None


@given(name=st.sampled_from(sorted(_ARGUMENTS)), value=_JUNK)
def test_any_junk_argument_gives_only_soapbill_errors(name: str, value: object) -> None:
    arguments = {**_ARGUMENTS, "claim": claim(), name: value}
    error = _soapbill_error(lambda: evaluate(**arguments))  # type: ignore[arg-type]
    if isinstance(error, ValidationError):
        assert error.errors[0].path.startswith(name)
    elif isinstance(error, RuleError):
        assert name == "extra_rules"
        assert "extra_rules[" in str(error)


@given(value=_JUNK | st.lists(_JUNK, max_size=3).map(iter))
def test_any_junk_a_rule_returns_gives_a_rule_error(value: object) -> None:
    @rule("clinic.junk_result", Severity.INFO)
    def junk_result(_context: Context, _found: FindingFactory) -> list[Finding]:
        return cast("list[Finding]", value)

    error = _soapbill_error(lambda: evaluate(claim(), POLICY, as_of=DOS, extra_rules=[junk_result]))
    assert error is None or isinstance(error, RuleError)
    assert error is None or "rule clinic.junk_result" in str(error)


def test_decision_of_names_its_wrong_arguments() -> None:
    cases: list[tuple[tuple[object, object, object], str]] = [
        ((None, DOS, ()), "policy"),
        ((POLICY, "2026-01-01", ()), "as_of"),
        ((POLICY, DOS, None), "findings"),
        ((POLICY, DOS, "x"), "findings"),
        ((POLICY, DOS, [finding(), 5]), "findings[1]"),
    ]
    for arguments, path in cases:
        with pytest.raises(ValidationError) as info:
            Decision.of(*arguments)  # type: ignore[arg-type]
        assert info.value.errors[0].path == path


# --- contexts --------------------------------------------------------------------------


def test_context_refuses_inputs_of_the_wrong_type_or_patient() -> None:
    other = builders.patient(id="P2")
    rx = builders.prescription(patient_id="P2", written_on=DOS)
    note = builders.note(
        id="N1",
        patient_id="P2",
        provider=builders.physician(),
        subjective=Subjective(chief_complaint="Pain"),
        treatments=(),
        signed=False,
    )
    cases: list[tuple[dict[str, object], str]] = [
        ({"prescriptions": [rx]}, "prescriptions[0].patient_id"),
        ({"notes": [note]}, "notes[0].patient_id"),
        ({"history": [claim(), claim(patient=other)]}, "history[1].patient.id"),
        ({"history": [rx]}, "history[0]"),
        ({"as_of": datetime(2026, 3, 2, 12, 0)}, "as_of"),  # noqa: DTZ001 - a datetime is refused
    ]
    for kwargs, path in cases:
        arguments: dict[str, object] = {"as_of": DOS, **kwargs}
        with pytest.raises(ValidationError) as info:
            evaluate(claim(), POLICY, **arguments)  # type: ignore[arg-type]
        assert info.value.errors[0].path == path
        assert "P2" not in str(info.value)
    with pytest.raises(ValidationError, match="claim"):
        Context.of("claim", POLICY, as_of=DOS)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="policy"):
        Context.of(claim(), "policy", as_of=DOS)  # type: ignore[arg-type]


def test_context_indexes_visits_once() -> None:
    history = [
        claim(line(on=date(2026, 1, 5)), id="H1"),
        claim(line(on=date(2026, 1, 5)), line(on=date(2026, 2, 2)), id="H2"),
        attrs.evolve(
            claim(line(on=date(2026, 2, 9)), id="H3"),
            frequency=ClaimFrequency.VOID,
            original_claim_number="ICN3",
        ),
    ]
    context = Context.of(claim(), POLICY, history=iter(history), as_of=DOS)
    assert context.visit_dates == (date(2026, 1, 5), date(2026, 2, 2), DOS)
    assert [c.id for c in context.active_history] == ["H1", "H2"]
    assert context.count_visits(date(2026, 1, 5), date(2026, 2, 2)) == 2
    assert context.count_visits(date(2026, 2, 3), date(2026, 2, 1)) == 0
    assert context.count_visits(date.min, date.max, same_payer=True) == 3
    assert context.history == tuple(history)
    assert context.notes_on(DOS) == ()
    assert context.lines_by_date == {DOS: (0,)}
    assert context.catalog is DEFAULT_CATALOG
    assert repr(context) == "Context(policy='test', as_of=datetime.date(2026, 3, 2))"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        context.as_of = DOS  # type: ignore[misc]


def test_a_context_is_built_by_its_named_constructor_on_a_plain_init() -> None:
    built = Context.of(claim(), POLICY, as_of=DOS)
    fields = {f.name: getattr(built, f.name) for f in attrs.fields(Context)}
    again = Context(**fields)
    assert {f.name: getattr(again, f.name) for f in attrs.fields(Context)} == fields
    assert set(fields) >= {"active_history", "visit_dates", "lines_by_date", "catalog"}


def test_the_catalog_travels_in_the_context() -> None:
    extended = DEFAULT_CATALOG.extend(
        CodeInfo(code=CptCode("97799"), label="Unlisted therapy", timed=True)
    )
    assert Context.of(claim(), POLICY, as_of=DOS, catalog=extended).catalog is extended
    with pytest.raises(ValidationError) as info:
        Context.of(claim(), POLICY, as_of=DOS, catalog=dict(extended))  # type: ignore[arg-type]
    assert info.value.errors[0].path == "catalog"


def test_context_methods_name_their_wrong_arguments() -> None:
    context = Context.of(claim(), POLICY, as_of=DOS)
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: context.count_visits(None, DOS), "first"),  # type: ignore[arg-type]
        (lambda: context.count_visits(DOS, "2026-01-01"), "last"),  # type: ignore[arg-type]
        (lambda: context.notes_on([]), "day"),  # type: ignore[arg-type]
    ]
    for call, path in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.errors[0].path == path


def test_evaluate_takes_any_iterables() -> None:
    decision = evaluate(claim(), POLICY, prescriptions=iter(()), notes=(), history=[], as_of=DOS)
    assert decision.policy_id == "test"
    assert decision.policy_version == "1"
    assert decision.as_of == DOS


# --- batches ---------------------------------------------------------------------------


def test_policies_claims_rules_and_decisions_pickle() -> None:
    policy = policies.load("medicare-part-b")
    subject = claim()
    for value in (policy, subject, no_sunday, MaxLines(2)):
        assert pickle.loads(pickle.dumps(value)) == value  # noqa: S301 - our own data
    from soapbill.rules import BUILTIN_RULES  # noqa: PLC0415 - kept next to its use

    assert pickle.loads(pickle.dumps(BUILTIN_RULES)) == BUILTIN_RULES  # noqa: S301
    decision = evaluate(subject, policy, as_of=DOS)
    assert pickle.loads(pickle.dumps(decision)) == decision  # noqa: S301
    # An unpickled policy rebuilds its lookups and decides the same.
    copy = pickle.loads(pickle.dumps(policy))  # noqa: S301
    assert evaluate(subject, copy, as_of=DOS) == decision


def test_a_batch_runs_in_a_process_pool() -> None:
    policy = policies.load("commercial")
    batch = [claim(line(on=date(2026, 3, day)), id=f"C{day}") for day in range(1, 9)]
    check = functools.partial(evaluate, policy=policy, as_of=date(2026, 4, 1))
    with ProcessPoolExecutor(max_workers=2) as pool:
        decisions = list(pool.map(check, batch, chunksize=4))
    assert decisions == [check(c) for c in batch]
    assert all(d.policy_id == "commercial" for d in decisions)


def test_builtin_ids_are_valid_rule_ids() -> None:
    for rule_id in BUILTIN_IDS:
        assert Finding(rule=rule_id, severity=Severity.INFO, message="m").rule == rule_id
