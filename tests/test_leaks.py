"""
No patient data leaves soapbill through an error, a repr or a log record.

A sentinel patient (names, birth date, member id, address, phone, note text,
prescription notes, authorisation and claim numbers) is fed, in inputs that
fail, to every public function and class constructor of every public
module's ``__all__``, to their named constructors, and to the command line.
The sentinel must never show in an error's ``str``, ``repr`` or ``args``,
nor in any exception chained to it (``__cause__``, ``__context__``), nor in
the ``repr`` of a model that holds it, nor in a log record. Every failure is
a :class:`soapbill.SoapbillError`.

:func:`test_every_entry_point_is_swept` fails when a public entry point has no
case here: add one when you add a public function or class.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import io
import json
import logging
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, cast

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import builders
import soapbill
from soapbill import (
    Address,
    Attachment,
    AttachmentKind,
    Claim,
    CptCode,
    Credential,
    DiagnosisCode,
    ErrorDetail,
    Lifestyle,
    Modifier,
    Npi,
    Objective,
    PersonName,
    PlaceOfService,
    Plan,
    PlanType,
    Prescription,
    RelatedCauses,
    Relationship,
    Sex,
    SoapbillError,
    SoapNote,
    Subjective,
    Subscriber,
    TaxId,
    Treatment,
    ValidationError,
    batch,
    from_dict,
    from_json,
    to_dict,
    to_json,
)
from soapbill import strategies as sbst
from soapbill.billing import (
    Discipline,
    FeeSchedule,
    MueAdjudication,
    MueLimit,
    MueLimits,
    PtpEdits,
    UnitMethod,
    allocate_units,
    assistant_modifier,
    build_claim,
    estimate,
    lines_missing_plan_modifier,
    lines_with_medicare_status,
    needs_kx,
)
from soapbill.care import (
    RxRequest,
    prescription_from_fhir,
    progress_report,
    progress_report_to_fhir,
    render_progress_report,
    render_rx_request,
    rx_request_to_fhir,
)
from soapbill.cli import main
from soapbill.codes import cpt, icd10, modifiers, npi, pos, taxid
from soapbill.formats.cms1500 import cms1500_pages, render_cms1500_text
from soapbill.formats.fhir import IdentifierSystems, to_fhir_bundle, to_fhir_json
from soapbill.formats.json import make_converter
from soapbill.formats.schema import json_schema
from soapbill.formats.superbill import InsurerPayment, render_superbill
from soapbill.formats.x12 import Receiver, Submitter, problems_837p, write_837p
from soapbill.remittance import post, read_277ca, read_835, read_999
from soapbill.rules import (
    BUILTIN_IDS,
    BUILTIN_RULES,
    Context,
    Decision,
    Finding,
    FindingFactory,
    KxThreshold,
    ModifierRequirement,
    PayerPolicy,
    PriorAuthorization,
    RuleError,
    Severity,
    UnitLimit,
    declared,
    evaluate,
    policies,
    rule,
    rule_group,
)
from soapbill.rules.care import CARE_RULES
from soapbill.rules.diagnoses import MASSAGE_DIAGNOSES, DatedTable, layered
from soapbill.soap import minutes_by_code

EXAMPLES = Path(__file__).parent.parent / "examples"

# --- the sentinel patient ------------------------------------------------------------------

#: Text that appears in no message, label or code of soapbill.
SENTINEL = "Zqxleak"
#: A birth date, and a phone number, found nowhere else.
BIRTH = date(1911, 11, 11)
PHONE = "9099099099"
#: What must never show, compared without regard to case (the 837P writes upper
#: case): the sentinel, the phone, and the birth date as each format writes it.
SECRETS = (SENTINEL, PHONE, "1911-11-11", "19111111", "11/11/1911", "11 11 1911")

NAME = PersonName(family=SENTINEL, given=SENTINEL, middle=SENTINEL, suffix=SENTINEL)
ADDRESS = Address(
    line1=f"1 {SENTINEL} St", line2=SENTINEL, city=SENTINEL, state="WA", postal_code="98101"
)
PATIENT = builders.patient(name=NAME, birth_date=BIRTH, address=ADDRESS, phone=PHONE)
COVERAGE = builders.coverage(
    member_id=SENTINEL,
    relationship=Relationship.CHILD,
    subscriber=Subscriber(name=NAME, birth_date=BIRTH, sex=Sex.FEMALE, address=ADDRESS),
)
DOCTOR = builders.physician(name=NAME)
CLAIM = builders.claim(
    builders.line("97124", 2, "GP"),
    builders.line("97140", 1, "GP"),
    patient=PATIENT,
    coverage=COVERAGE,
    rendering_provider=builders.therapist(name=NAME),
    referring_provider=DOCTOR,
    prior_authorization=SENTINEL,
    property_casualty_claim_number=SENTINEL,
    related_causes=RelatedCauses(auto_accident=True, accident_state="WA", accident_date=BIRTH),
)
NOTE = builders.note(
    ("97124", 30),
    ("97140", 15),
    subjective=Subjective(
        chief_complaint=SENTINEL, limitations=(SENTINEL,), goals=(SENTINEL,), text=SENTINEL
    ),
    objective=Objective(
        posture=(SENTINEL,),
        gait=(SENTINEL,),
        lifestyle=Lifestyle(diet=SENTINEL, sleep=SENTINEL),
        text=SENTINEL,
    ),
    plan=Plan(muscle_groups=(SENTINEL,), text=SENTINEL),
)
RX = builders.prescription(prescriber=DOCTOR, notes=SENTINEL, procedures=("97124", "97140"))


def found_secrets(text: str) -> list[str]:
    """
    Return the secrets *text* shows.
    """
    folded = text.casefold()
    return [secret for secret in SECRETS if secret.casefold() in folded]


def chain(error: BaseException) -> Iterator[BaseException]:
    """
    Yield *error* and every exception chained to it, each once.

    One link is not followed: the ``__cause__`` of a RuleError, which is the
    exception the caller's own rule raised (the caller's code and data, kept
    for them to debug with; see :func:`soapbill.rules.engine.evaluate`).
    """
    todo: list[BaseException | None] = [error]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        cause = None if isinstance(current, RuleError) else current.__cause__
        todo += (cause, current.__context__)


def assert_no_leak(error: BaseException) -> None:
    """
    Check that no part of *error* or of its chain shows a secret.
    """
    for each in chain(error):
        for text in (str(each), repr(each), repr(each.args)):
            assert found_secrets(text) == [], f"{type(each).__name__}: {text[:200]}"
        if isinstance(each, ValidationError):
            assert found_secrets(repr(each.errors)) == []


def failure_of(call: Callable[[], object]) -> BaseException | None:
    """
    Call *call*; return what it raised, if anything.
    """
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the caller checks the type
        return error
    return None


def assert_clean_failure(error: BaseException | None) -> None:
    """
    Check that *error*, if any, is a SoapbillError that shows no secret.
    """
    if error is not None:
        assert_no_leak(error)
        assert isinstance(error, SoapbillError), repr(error)


def assert_refused(call: Callable[[], object]) -> SoapbillError:
    """
    Call *call*, which must fail with a SoapbillError that shows no secret.
    """
    with pytest.raises(Exception) as info:  # noqa: PT011 - any type is checked below
        call()
    assert_no_leak(info.value)
    assert isinstance(info.value, SoapbillError), repr(info.value)
    return info.value


@pytest.fixture(autouse=True)
def _no_secret_is_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    with caplog.at_level(logging.DEBUG):
        yield
    for record in caplog.records:
        assert found_secrets(record.getMessage()) == []


def test_the_sentinel_patient_is_valid_and_its_reprs_are_clean() -> None:
    for model in (PATIENT, COVERAGE, CLAIM, NOTE, RX, DOCTOR):
        assert found_secrets(repr(model)) == [], type(model).__name__
    assert found_secrets(to_json(CLAIM)) == [SENTINEL, PHONE, "1911-11-11"]


# --- the public entry points ---------------------------------------------------------------


def _public_modules() -> list[str]:
    names = [info.name for info in pkgutil.walk_packages(soapbill.__path__, "soapbill.")]
    return ["soapbill", *(n for n in names if not any(p.startswith("_") for p in n.split(".")))]


def _entry_points() -> dict[int, tuple[str, Any]]:
    """
    Every callable in a public module's ``__all__``, by identity, once.
    """
    found: dict[int, tuple[str, Any]] = {}
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if callable(obj) and id(obj) not in found:
                found[id(obj)] = (f"{module_name}.{name}", obj)
    return found


ENTRY_POINTS = _entry_points()


def _classes(kind: Callable[[type], bool]) -> list[Any]:
    return [obj for _, obj in ENTRY_POINTS.values() if isinstance(obj, type) and kind(obj)]


def _is_enum(cls: type) -> bool:
    return issubclass(cls, enum.Enum)


def _is_model(cls: type) -> bool:
    return attrs.has(cls) and not _is_enum(cls) and cls is not ErrorDetail


def _is_code_value(cls: type) -> bool:
    return cls in {CptCode, DiagnosisCode, Modifier, Npi, PlaceOfService, TaxId}


def _ids(classes: list[type]) -> list[str]:
    return [cls.__qualname__ for cls in classes]


MODELS = _classes(_is_model)
ENUMS = _classes(_is_enum)

#: Entry points that take nothing a caller could fill with patient data.
NO_PATIENT_DATA: dict[object, str] = {
    make_converter: "takes no argument",
    policies.names: "takes no argument",
    ErrorDetail: "carries the fixed message its raiser writes, as exceptions do",
}
#: Protocols name the shape of what callers pass; they build nothing.
PROTOCOLS = {"Rule", "RuleGroup", "DiagnosisTable"}


# --- models: every field refused without repeating it ---------------------------------------

#: Wrong for every field: too long for any text, or of the wrong type. (The
#: format names an unknown key in its path, by design: keys are the format's
#: vocabulary, values are the patient's. So the sentinel is only ever a value.)
BAD_VALUES: list[object] = [
    SENTINEL * 2_000,
    (SENTINEL * 2_000,),
    (SENTINEL,) * 60,
    {"key": SENTINEL},
    [SENTINEL],
    f"{BIRTH.isoformat()}{SENTINEL}",
]


def _init_arguments(cls: type, value: object) -> dict[str, object]:
    """
    *value* for every named argument of *cls*'s constructor.
    """
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    parameters = inspect.signature(cls).parameters.values()
    return {p.name: value for p in parameters if p.kind in named}


#: Models that the JSON format refuses with another error.
DOCUMENT_GAPS: dict[str, str] = {}


def _model_params(gaps: dict[str, str]) -> list[Any]:
    params = []
    for cls in MODELS:
        reason = gaps.get(cls.__qualname__)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(cls, id=cls.__qualname__, marks=marks))
    return params


@pytest.mark.parametrize("cls", _model_params(DOCUMENT_GAPS))
def test_models_refuse_documents_without_repeating_them(cls: type) -> None:
    for value in BAD_VALUES:
        document = {field.name: value for field in attrs.fields(cls)}
        assert_clean_failure(failure_of(partial(from_dict, document, cls)))
        text = json.dumps(document)
        assert_clean_failure(failure_of(partial(from_json, text, cls)))


#: Models whose constructor refuses some wrong arguments with another error.
ARGUMENT_GAPS = {"UnitAllocation": "raises ValueError, not a SoapbillError, for junk mappings"}


@pytest.mark.parametrize("cls", _model_params(ARGUMENT_GAPS))
def test_models_refuse_arguments_without_repeating_them(cls: type) -> None:
    for value in BAD_VALUES:
        assert_clean_failure(failure_of(partial(cls, **_init_arguments(cls, value))))


def _models_in(root: object) -> Iterator[object]:
    """
    Yield every model instance reachable from *root*.
    """
    todo = [root]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if attrs.has(type(current)):
            yield current
            fields = attrs.fields(cast("Any", type(current)))
            todo.extend(getattr(current, field.name) for field in fields)
        elif isinstance(current, tuple | list | frozenset | set):
            todo.extend(current)
        elif isinstance(current, dict):
            todo.extend(current.values())


def _samples() -> dict[type, Any]:
    """
    One valid instance of each model class the sentinel patient's world holds.
    """
    decision = evaluate(CLAIM, policies.load("commercial-rx"), notes=[NOTE], as_of=date(2026, 3, 9))
    roots: list[object] = [CLAIM, NOTE, RX, decision, COVERAGE]
    roots += [policies.load(name) for name in policies.names()]
    samples: dict[type, Any] = {}
    for root in roots:
        for model in _models_in(root):
            samples.setdefault(type(model), model)
    return samples


SAMPLES = _samples()
SWEPT = [cls for cls in MODELS if cls in SAMPLES]


@pytest.mark.parametrize("cls", SWEPT, ids=_ids(SWEPT))
def test_every_field_is_refused_without_repeating_it(cls: type) -> None:
    sample = SAMPLES[cls]
    assert found_secrets(repr(sample)) == []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        for value in BAD_VALUES:
            changes = {field.alias: value}
            error = failure_of(partial(attrs.evolve, sample, **changes))
            assert_clean_failure(error)
            # A field that took the value shows it in the repr only if it is
            # not patient data (an id, a policy's name).
            if error is None and field.repr is not True:
                assert found_secrets(repr(attrs.evolve(sample, **changes))) == [], field.name


@pytest.mark.parametrize("cls", ENUMS, ids=_ids(ENUMS))
def test_enums_refuse_unknown_values_without_repeating_them(cls: type[enum.Enum]) -> None:
    for value in (SENTINEL, [SENTINEL], None):
        error = assert_refused(lambda: cls(value))  # noqa: B023 - called at once
        assert isinstance(error, ValidationError), cls


# --- code values and the code modules' functions --------------------------------------------

CODE_MODULES = [cpt, icd10, modifiers, npi, pos, taxid]
CODE_VALUES = _classes(_is_code_value)
JUNK: list[Any] = [SENTINEL, f"9{SENTINEL}1", SENTINEL * 500, [SENTINEL], {SENTINEL: 1}, None]


@pytest.mark.parametrize("cls", CODE_VALUES, ids=_ids(CODE_VALUES))
def test_code_values_refuse_junk_without_repeating_it(cls: type) -> None:
    for value in JUNK:
        assert_refused(partial(cls, value))


@pytest.mark.parametrize("module", CODE_MODULES, ids=lambda m: m.__name__)
def test_code_functions_refuse_junk_without_repeating_it(module: Any) -> None:
    for value in JUNK:
        assert module.is_valid(value) is False
        for name in ("validate", "format"):
            assert_refused(partial(getattr(module, name), value))
        # compact() only strips separators: a string is no failure.
        if not isinstance(value, str):
            assert_refused(partial(module.compact, value))


def test_code_lookups_refuse_junk_without_repeating_it() -> None:
    for value in JUNK:
        assert_refused(partial(cpt.lookup, value))
        assert_refused(partial(npi.calc_check_digit, value))
        assert_clean_failure(failure_of(partial(pos.describe, value)))


# --- functions and named constructors, with failing inputs -----------------------------------


def _broken_document(document: Claim | SoapNote | Prescription, path: tuple[str | int, ...]) -> str:
    """
    The JSON of *document* with the value at *path* replaced by a wrong one.
    """
    data = to_dict(document)
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = f"{SENTINEL}-not-valid"
    return json.dumps(data)


BROKEN_CLAIM = _broken_document(CLAIM, ("billing_provider", "npi"))
BROKEN_NOTE = _broken_document(NOTE, ("date_of_service",))
BROKEN_RX = _broken_document(RX, ("written_on",))
SUBMITTER = Submitter(
    name="Example Clinic", id="CLINIC01", contact_name="Front Desk", phone="2065550100"
)
RECEIVER = Receiver(name="Example Clearinghouse", id="CH01")
WHEN = datetime(2026, 3, 9, 9, 0)  # noqa: DTZ001 - the 837P writes local time as given
NOT_837P_READY = attrs.evolve(CLAIM, billing_provider=builders.clinic())  # no address, no tax id
POLICY = policies.load("commercial-rx")
MARCH = date(2026, 3, 9)
X12_JUNK = f"ISA*00*{SENTINEL}*00*~GS*{SENTINEL}~ST*835*{SENTINEL}~NM1*QC*1*{SENTINEL}~"


def _note_of_another_patient() -> SoapNote:
    return attrs.evolve(NOTE, patient_id="P2", signature=None)


@rule("clinic.leaky", Severity.ERROR)
def _leaky_rule(context: Context, found: FindingFactory) -> list[Finding]:  # noqa: ARG001
    """
    An extra rule that fails, quoting the patient.

    Its error is the RuleError's ``__cause__`` (the caller's own data); the
    RuleError itself must not quote it.
    """
    raise RuntimeError(context.claim.patient.name.family)


class _SentinelRule:
    """
    Something that looks like a rule, whose id is the sentinel.
    """

    id = SENTINEL
    severity = Severity.ERROR


_sentinel_rule = _SentinelRule()


@attrs.frozen
class Gap:
    """
    A call soapbill does not refuse as it should yet: its case is expected to fail.
    """

    reason: str
    call: Callable[[], object]


Case = Callable[[], object] | Gap

#: For each function or named constructor: calls that must fail.
FAILING: dict[Callable[..., Any], list[Case]] = {
    from_dict: [
        lambda: from_dict(json.loads(BROKEN_CLAIM), Claim),
        lambda: from_dict(json.loads(BROKEN_NOTE), SoapNote),
        lambda: from_dict({**to_dict(CLAIM), "extra": SENTINEL}, Claim),
    ],
    from_json: [
        lambda: from_json(BROKEN_CLAIM, Claim),
        lambda: from_json(BROKEN_RX, Prescription),
        lambda: from_json(BROKEN_CLAIM[:-9], Claim),
        lambda: from_json(f'["{SENTINEL}"]', Claim),
    ],
    to_dict: [
        Gap("raises TypeError, not a SoapbillError", lambda: to_dict(SENTINEL)),
        Gap("raises TypeError, not a SoapbillError", lambda: to_dict({"claim": CLAIM})),
    ],
    to_json: [
        Gap("raises TypeError, not a SoapbillError", lambda: to_json(SENTINEL)),
        Gap("raises TypeError, not a SoapbillError", lambda: to_json([CLAIM, SENTINEL])),
    ],
    json_schema: [lambda: json_schema(str), lambda: json_schema(SENTINEL)],  # type: ignore[arg-type]
    allocate_units: [
        lambda: allocate_units({SENTINEL: 30}),  # type: ignore[dict-item]
        lambda: allocate_units({CptCode("97124"): SENTINEL}),  # type: ignore[dict-item]
    ],
    build_claim: [
        lambda: build_claim(
            [NOTE, _note_of_another_patient()],
            claim_id="C1",
            patient=PATIENT,
            coverage=COVERAGE,
            billing_provider=builders.clinic(),
            fee_schedule=FeeSchedule.of(
                {"97124": Decimal("30.00")}, effective_from=date(2026, 1, 1)
            ),
            unit_method=UnitMethod.CMS,
        ),
        lambda: build_claim(
            [NOTE],
            claim_id=SENTINEL * 10,
            patient=PATIENT,
            coverage=COVERAGE,
            billing_provider=builders.clinic(),
            fee_schedule=FeeSchedule(),
            unit_method=UnitMethod.CMS,
        ),
    ],
    estimate: [
        lambda: estimate(
            CLAIM,
            deductible_remaining=Decimal("-1.00"),
            coinsurance=Decimal("0.20"),
            copay=Decimal("0.00"),
        ),
        partial(
            estimate,
            CLAIM,
            deductible_remaining=cast("Any", SENTINEL),
            coinsurance=cast("Any", SENTINEL),
            copay=cast("Any", SENTINEL),
        ),
    ],
    lines_missing_plan_modifier: [
        lambda: lines_missing_plan_modifier(SENTINEL, Discipline.PT),  # type: ignore[arg-type]
        lambda: lines_missing_plan_modifier(CLAIM.lines, SENTINEL),  # type: ignore[arg-type]
    ],
    lines_with_medicare_status: [
        lambda: lines_with_medicare_status(SENTINEL, cpt.MedicareStatus.BUNDLED),  # type: ignore[arg-type]
        lambda: lines_with_medicare_status(CLAIM.lines, SENTINEL),  # type: ignore[arg-type]
    ],
    assistant_modifier: [lambda: assistant_modifier(SENTINEL)],  # type: ignore[arg-type]
    needs_kx: [
        lambda: needs_kx(SENTINEL, 2026, Discipline.PT),  # type: ignore[arg-type]
        lambda: needs_kx(Decimal("1.00"), 1911, Discipline.PT),
    ],
    PtpEdits: [
        lambda: PtpEdits([SENTINEL]),  # type: ignore[list-item]
        lambda: PtpEdits(quarter=SENTINEL),
    ],
    MueLimits: [
        lambda: MueLimits([SENTINEL]),  # type: ignore[list-item]
        lambda: MueLimits(quarter=SENTINEL),
    ],
    batch.check_many: [
        lambda: batch.check_many(SENTINEL, POLICY, as_of=MARCH),
        lambda: batch.check_many([SENTINEL], SENTINEL, as_of=MARCH),  # type: ignore[arg-type]
        lambda: _first_error(batch.check_many([SENTINEL, BROKEN_CLAIM], POLICY, as_of=MARCH)),
    ],
    batch.decode_case: [
        lambda: batch.decode_case(SENTINEL),
        lambda: batch.decode_case(f'{{"claim": {BROKEN_CLAIM}, "notes": [{BROKEN_NOTE}]}}'),
    ],
    batch.check_bag: [lambda: batch.check_bag(SENTINEL, POLICY, as_of=MARCH)],
    FeeSchedule.of: [
        lambda: FeeSchedule.of({SENTINEL: Decimal("1.00")}, effective_from=date(2026, 1, 1)),
        lambda: FeeSchedule.of({"97124": SENTINEL}, effective_from=date(2026, 1, 1)),  # type: ignore[dict-item]
    ],
    MueLimits.load: [
        lambda: MueLimits.load(io.StringIO(f"HCPCS\t{SENTINEL}\n97124\t{SENTINEL}\n"))
    ],
    PtpEdits.load: [lambda: PtpEdits.load(io.StringIO(f"{SENTINEL}\t{SENTINEL}\n"))],
    cpt.Catalog.of: [lambda: cpt.Catalog.of([SENTINEL])],  # type: ignore[list-item]
    Decision.of: [
        lambda: Decision.of(POLICY, date(2026, 3, 9), [SENTINEL]),  # type: ignore[list-item]
        lambda: Decision.of(SENTINEL, date(2026, 3, 9), []),  # type: ignore[arg-type]
    ],
    Decision.from_json: [lambda: Decision.from_json(BROKEN_CLAIM)],
    PayerPolicy.from_json: [
        lambda: PayerPolicy.from_json(BROKEN_CLAIM),
        lambda: PayerPolicy.from_json(json.dumps({"id": SENTINEL, "version": SENTINEL})),
    ],
    DatedTable.of: [
        lambda: DatedTable.of([SENTINEL]),  # type: ignore[list-item]
    ],
    Prescription.last_valid_day: [
        lambda: Prescription.last_valid_day(SENTINEL, None, None),  # type: ignore[arg-type]
    ],
    layered: [
        lambda: layered(SENTINEL),  # type: ignore[arg-type]
        lambda: layered(MASSAGE_DIAGNOSES, SENTINEL),  # type: ignore[arg-type]
    ],
    evaluate: [
        lambda: evaluate(CLAIM, SENTINEL, as_of=date(2026, 3, 9)),  # type: ignore[arg-type]
        lambda: evaluate(CLAIM, POLICY, notes=[_note_of_another_patient()], as_of=date(2026, 3, 9)),
        lambda: evaluate(
            CLAIM, POLICY, prescriptions=[attrs.evolve(RX, patient_id="P2")], as_of=date(2026, 3, 9)
        ),
        lambda: evaluate(
            CLAIM,
            POLICY,
            history=[attrs.evolve(CLAIM, patient=builders.patient(id="P2"))],
            as_of=date(2026, 3, 9),
        ),
        lambda: evaluate(CLAIM, POLICY, as_of=date(2026, 3, 9), extra_rules=[_leaky_rule]),
    ],
    rule: [
        lambda: rule(SENTINEL, Severity.ERROR),
        lambda: rule(f"a.{SENTINEL}!", Severity.ERROR),
        lambda: rule("clinic.check", SENTINEL),  # type: ignore[arg-type]
    ],
    rule_group: [
        lambda: rule_group({SENTINEL: Severity.ERROR}),
        lambda: rule_group({"clinic.check": SENTINEL}),  # type: ignore[dict-item]
        lambda: rule_group(SENTINEL),  # type: ignore[arg-type]
    ],
    declared: [lambda: declared(SENTINEL), lambda: declared(_sentinel_rule)],  # type: ignore[arg-type]
    policies.load: [lambda: policies.load(SENTINEL), lambda: policies.load(f"../{SENTINEL}")],
    problems_837p: [lambda: problems_837p(SENTINEL)],  # type: ignore[arg-type]
    write_837p: [
        lambda: write_837p(
            [NOT_837P_READY],
            submitter=SUBMITTER,
            receiver=RECEIVER,
            control_number=1,
            created=WHEN,
        ),
        lambda: write_837p(
            [CLAIM, SENTINEL],  # type: ignore[list-item]
            submitter=SUBMITTER,
            receiver=RECEIVER,
            control_number=1,
            created=WHEN,
        ),
    ],
    cms1500_pages: [
        lambda: cms1500_pages(CLAIM, programs={}),
        lambda: cms1500_pages(SENTINEL),  # type: ignore[arg-type]
    ],
    render_cms1500_text: [
        lambda: render_cms1500_text(CLAIM, programs={}),
        lambda: render_cms1500_text(SENTINEL),  # type: ignore[arg-type]
    ],
    to_fhir_bundle: [
        lambda: to_fhir_bundle(CLAIM, created=SENTINEL),  # type: ignore[arg-type]
        lambda: to_fhir_bundle(CLAIM, created=date(2026, 3, 9), notes=[_note_of_another_patient()]),
        lambda: to_fhir_bundle(CLAIM, created=date(2026, 3, 9), prescriptions=[SENTINEL]),  # type: ignore[list-item]
    ],
    to_fhir_json: [
        lambda: to_fhir_json(CLAIM, created=SENTINEL),  # type: ignore[arg-type]
        lambda: to_fhir_json(CLAIM, created=date(2026, 3, 9), notes=[_note_of_another_patient()]),
    ],
    InsurerPayment.from_remittances: [
        lambda: InsurerPayment.from_remittances([SENTINEL], "C1"),  # type: ignore[list-item]
        lambda: InsurerPayment.from_remittances(SENTINEL, "C1"),  # type: ignore[arg-type]
    ],
    Context.of: [
        lambda: Context.of(CLAIM, SENTINEL, as_of=MARCH),  # type: ignore[arg-type]
        lambda: Context.of(CLAIM, POLICY, notes=[_note_of_another_patient()], as_of=MARCH),
        lambda: Context.of(CLAIM, POLICY, history=[SENTINEL], as_of=MARCH),  # type: ignore[list-item]
    ],
    render_superbill: [
        lambda: render_superbill(CLAIM, payments=[SENTINEL]),  # type: ignore[list-item]
        lambda: render_superbill(CLAIM, kind=SENTINEL),  # type: ignore[arg-type]
    ],
    read_835: [lambda: read_835(X12_JUNK), lambda: read_835(SENTINEL.encode())],
    read_999: [lambda: read_999(X12_JUNK.replace("835", "999"))],
    read_277ca: [lambda: read_277ca(X12_JUNK.replace("835", "277"))],
    post: [lambda: post([CLAIM, CLAIM], []), lambda: post(SENTINEL, [])],  # type: ignore[arg-type]
}


def _optional_entry_points() -> dict[Callable[..., Any], list[Case]]:
    """
    Cases for modules that not every checkout has yet.
    """
    cases: dict[Callable[..., Any], list[Case]] = {}
    try:
        eligibility = importlib.import_module("soapbill.eligibility")
    except ImportError:  # pragma: no cover - an older checkout
        return cases
    cases[eligibility.read_271] = [lambda: eligibility.read_271(X12_JUNK.replace("835", "271"))]
    cases[eligibility.render_benefits_questions] = [
        lambda: eligibility.render_benefits_questions(COVERAGE, services=[SENTINEL]),
        lambda: eligibility.render_benefits_questions(SENTINEL, services=[]),
    ]
    inquiry = eligibility.EligibilityInquiry(
        patient=PATIENT,
        coverage=COVERAGE,
        provider=builders.clinic(),
        service_types=(eligibility.ServiceType.MASSAGE_THERAPY,),
        service_date=MARCH,
        trace_number="T1",
    )
    cases[eligibility.write_270] = [
        lambda: eligibility.write_270(
            [inquiry], submitter=SUBMITTER, receiver=RECEIVER, control_number=0, created=WHEN
        ),
        lambda: eligibility.write_270(
            [inquiry, SENTINEL],
            submitter=SUBMITTER,
            receiver=RECEIVER,
            control_number=1,
            created=WHEN,
        ),
    ]
    cases[eligibility.policy_from_benefits] = [
        lambda: eligibility.policy_from_benefits(SENTINEL, base=POLICY),
    ]
    return cases


FAILING.update(_optional_entry_points())
# A tax id's named constructors: junk, and an SSN the SSA never assigns.
FAILING[TaxId.ein] = [lambda: TaxId.ein(SENTINEL), lambda: TaxId.ein("12345678")]
FAILING[IdentifierSystems.under] = [
    lambda: IdentifierSystems.under(SENTINEL),
    lambda: IdentifierSystems.under(f"https://clinic.example/{SENTINEL}/"),
    lambda: IdentifierSystems.under(f"https://clinic.example/{SENTINEL * 400}"),
]
FAILING[TaxId.ssn] = [lambda: TaxId.ssn(SENTINEL), lambda: TaxId.ssn("666012345")]
# Plans of care (tests/test_care.py sweeps their refusals in detail).
FAILING[progress_report] = [
    lambda: progress_report([NOTE], care_plan=SENTINEL, period=(builders.DOS, builders.DOS)),  # type: ignore[arg-type]
    lambda: progress_report([SENTINEL], care_plan=SENTINEL, period=SENTINEL),  # type: ignore[arg-type, list-item]
]
FAILING[render_progress_report] = [lambda: render_progress_report(SENTINEL)]  # type: ignore[arg-type]
FAILING[minutes_by_code] = [
    lambda: minutes_by_code(SENTINEL),  # type: ignore[arg-type]
    lambda: minutes_by_code([NOTE, SENTINEL]),  # type: ignore[list-item]
]
FAILING[render_rx_request] = [lambda: render_rx_request(SENTINEL)]  # type: ignore[arg-type]
FAILING[rx_request_to_fhir] = [lambda: rx_request_to_fhir(SENTINEL)]  # type: ignore[arg-type]
_REQUEST = {
    "resourceType": "ServiceRequest",
    "status": "active",
    "intent": "proposal",
    "requisition": {"value": SENTINEL},
    "subject": {"reference": f"Patient/{SENTINEL}"},
    "note": [{"text": SENTINEL}],
}
FAILING[prescription_from_fhir] = [
    lambda: prescription_from_fhir(SENTINEL),
    lambda: prescription_from_fhir(f'{{"resourceType": "Bundle", "{SENTINEL}": ['),
    lambda: prescription_from_fhir([_REQUEST]),
    lambda: prescription_from_fhir([{**_REQUEST, "intent": "order"}]),
    lambda: prescription_from_fhir({"resourceType": "Bundle", "entry": [{"resource": _REQUEST}]}),
]
FAILING[progress_report_to_fhir] = [lambda: progress_report_to_fhir(SENTINEL)]  # type: ignore[arg-type]
FAILING[RxRequest.from_note] = [
    lambda: RxRequest.from_note(
        SENTINEL,  # type: ignore[arg-type]
        id=SENTINEL,
        patient=SENTINEL,  # type: ignore[arg-type]
        prescriber=SENTINEL,  # type: ignore[arg-type]
        frequency=SENTINEL,  # type: ignore[arg-type]
        requested_on=SENTINEL,  # type: ignore[arg-type]
    )
]


def _first_error(outcomes: Iterable[batch.Outcome]) -> None:
    """
    Raise the error of the first bad line of a batch.
    """
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error


def _param(function: Callable[..., Any], i: int, case: Case) -> Any:
    name = f"{getattr(function, '__qualname__', function)}-{i}"
    if isinstance(case, Gap):
        return pytest.param(
            case.call, id=name, marks=pytest.mark.xfail(strict=True, reason=case.reason)
        )
    return pytest.param(case, id=name)


FAILING_CASES = [
    _param(function, i, case) for function, cases in FAILING.items() for i, case in enumerate(cases)
]


@pytest.mark.parametrize("call", FAILING_CASES)
def test_failing_calls_never_repeat_patient_data(call: Callable[[], object]) -> None:
    assert_refused(call)


# --- rules: findings about the sentinel patient ------------------------------------------------

#: The sentinel claim with more lines, a header diagnosis, no prior authorisation.
RULES_CLAIM = attrs.evolve(
    CLAIM,
    lines=(*CLAIM.lines, builders.line("97530", 2), builders.line("97112", 1)),
    diagnoses=(DiagnosisCode("M54.5"),),
    prior_authorization=None,
    attachments=(Attachment(kind=AttachmentKind.SOAP_NOTE, id="N1"),),
)
#: A policy that switches every built-in rule on, and that the claim breaks.
STRICT = PayerPolicy(
    id="strict",
    version="1",
    payer_id="OTHER",
    plan_types=(PlanType.MEDICARE_PART_B,),
    rx_required=True,
    prescriber_credentials=(Credential.DO,),
    covered_codes=(CptCode("97124"), CptCode("97530"), CptCode("97112")),
    covered_credentials=(Credential.PT,),
    modifier_requirements=(ModifierRequirement(any_of=(Modifier("GO"),)),),
    signed_note_required=True,
    visits_per_year=1,
    units_per_day=(UnitLimit(code=CptCode("97124"), units=1),),
    timely_filing_days=1,
    prior_authorization=PriorAuthorization(),
    ptp_edits=PtpEdits.sample().edits,
    mue_limits=(
        MueLimit(
            code=CptCode("97124"),
            max_units=1,
            adjudication=MueAdjudication.DATE_OF_SERVICE_CLINICAL,
        ),
    ),
    bundled_codes=(CptCode("97124"),),
    kx_thresholds=(KxThreshold(year=2026, amount=Decimal("10.00")),),
)
EARLIER = attrs.evolve(
    CLAIM,
    id="H1",
    lines=(builders.line("97124", 4, "GP", on=date(2026, 2, 2), charge="500.00"),),
)
OLD_RX = attrs.evolve(
    RX,
    id="RX2",
    written_on=date(2025, 1, 1),
    valid_days=30,
    diagnoses=(DiagnosisCode("M54.2"),),
    procedures=(CptCode("97010"),),
)
LATER_RX = attrs.evolve(RX, id="RX3", written_on=date(2026, 4, 1))
DRAFT = attrs.evolve(NOTE, signature=None, treatments=NOTE.treatments[:1])


#: The payer's allowed amounts, by code.
ALLOWED = FeeSchedule.of(
    {code: Decimal("20.00") for code in ("97112", "97124", "97140", "97530")},
    effective_from=date(2026, 1, 1),
)
#: 47 minutes: 3 units under the CMS rule, 4 per code (CMS example 1's minutes).
PER_CODE_MINUTES = (
    Treatment(code=CptCode("97124"), minutes=24),
    Treatment(code=CptCode("97140"), minutes=23),
)


def _decisions() -> list[Decision]:
    """
    Decisions on the sentinel claim in which every built-in rule finds something.
    """
    cases: list[tuple[Claim, PayerPolicy, dict[str, Any]]] = [
        (
            RULES_CLAIM,
            STRICT,
            {
                "prescriptions": [RX, OLD_RX, LATER_RX],
                "notes": [DRAFT],
                "history": [EARLIER],
                "as_of": date(2027, 6, 1),
                "diagnosis_table": MASSAGE_DIAGNOSES,
            },
        ),
        (
            attrs.evolve(RULES_CLAIM, coverage=attrs.evolve(COVERAGE, end=date(2026, 1, 1))),
            STRICT,
            {"as_of": MARCH},
        ),
        (
            RULES_CLAIM,
            attrs.evolve(STRICT, kx_thresholds=(KxThreshold(year=2025, amount=Decimal("1.00")),)),
            {"notes": [DRAFT], "history": [EARLIER], "as_of": MARCH},
        ),
        (
            RULES_CLAIM,
            attrs.evolve(STRICT, prescriber_credentials=None),
            {"prescriptions": [OLD_RX], "history": [EARLIER], "as_of": MARCH},
        ),
        (RULES_CLAIM, STRICT, {"prescriptions": [LATER_RX], "as_of": MARCH}),
        # An auto PIP claim with no accident, date or claim number.
        (
            attrs.evolve(
                RULES_CLAIM,
                coverage=attrs.evolve(COVERAGE, plan_type=PlanType.AUTO_PIP),
                related_causes=None,
                property_casualty_claim_number=None,
            ),
            PayerPolicy(id="pip", version="1"),
            {"as_of": MARCH},
        ),
        # KX from allowed amounts.
        (
            RULES_CLAIM,
            STRICT,
            {"history": [EARLIER], "as_of": MARCH, "allowed_amounts": ALLOWED},
        ),
        # Billed per code under the CMS rule; a PTA renders, without CQ.
        (
            attrs.evolve(
                CLAIM,
                lines=(builders.line("97124", 2, "GP"), builders.line("97140", 2, "GP")),
                rendering_provider=builders.therapist(name=NAME, credential=Credential.PTA),
            ),
            PayerPolicy(id="units", version="1", assistant_modifiers=True),
            {"notes": [attrs.evolve(NOTE, treatments=PER_CODE_MINUTES)], "as_of": MARCH},
        ),
        (
            RULES_CLAIM,
            STRICT,
            {
                "prescriptions": [attrs.evolve(RX, visits_authorized=1)],
                "history": [EARLIER],
                "as_of": MARCH,
            },
        ),
    ]
    return [evaluate(claim, policy, **arguments) for claim, policy, arguments in cases]


def test_findings_never_carry_patient_data() -> None:
    found: set[str] = set()
    for decision in _decisions():
        found |= set(decision.rules_found)
        assert found_secrets(repr(decision)) == []
        assert found_secrets(to_json(decision)) == []
        for finding in decision.findings:
            assert found_secrets(f"{finding.message} {finding.fix} {finding.path}") == []
    # Every built-in rule spoke about the sentinel patient.
    assert found == set(BUILTIN_IDS)


# --- strategies: drawn around the sentinel patient ---------------------------------------------


@given(
    claim=sbst.claims(patient=PATIENT, coverage=COVERAGE, max_lines=2),
    note=sbst.soap_notes(patient_id=PATIENT.id),
    rx=sbst.prescriptions(patient_id=PATIENT.id, prescriber=DOCTOR),
)
def test_drawn_models_hide_the_patient(claim: Claim, note: SoapNote, rx: Prescription) -> None:
    for model in (claim, note, rx):
        assert found_secrets(repr(model)) == []


@given(st.data())
def test_drawn_models_hide_patient_data(data: st.DataObject) -> None:
    patient = data.draw(sbst.patients(complete=True))
    secrets = [patient.name.family, patient.name.given, patient.birth_date.isoformat()]
    text = repr(data.draw(sbst.claims(patient=patient, max_lines=1)))
    assert not any(secret in text for secret in secrets if len(secret) > 3)


# --- the command line ---------------------------------------------------------------------------


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    out = io.StringIO()
    code = main(argv, out=out)
    assert code != 0, argv
    return out.getvalue() + capsys.readouterr().err


def test_the_command_line_never_prints_patient_data_of_failing_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "claim.json"
    broken.write_text(BROKEN_CLAIM, encoding="utf-8")
    unready = tmp_path / "unready.json"
    unready.write_text(to_json(NOT_837P_READY), encoding="utf-8")
    claim = tmp_path / "good.json"
    claim.write_text(to_json(CLAIM), encoding="utf-8")
    note = tmp_path / "note.json"
    note.write_text(BROKEN_NOTE, encoding="utf-8")
    rx = tmp_path / "rx.json"
    rx.write_text(BROKEN_RX, encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text(to_json(_note_of_another_patient()), encoding="utf-8")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"id": SENTINEL, "version": 1, "name": SENTINEL}), "utf-8")
    runs = [
        ["validate", str(broken)],
        ["validate", "--for", "837p", str(unready)],
        ["validate", "--type", "note", str(note)],
        ["validate", "--type", "prescription", str(rx)],
        ["check", str(broken), "--policy", "commercial-rx"],
        ["check", str(claim), "--policy", str(policy)],
        ["check", str(claim), "--policy", "commercial-rx", "--note", str(note)],
        ["check", str(claim), "--policy", "commercial-rx", "--note", str(other)],
        ["check", str(claim), "--policy", "commercial-rx", "--rx", str(rx)],
        ["export", str(broken), "--to", "837p"],
        ["export", str(unready), "--to", "837p"],
        ["export", str(broken), "--to", "superbill"],
        ["export", str(claim), "--to", "fhir", "--note", str(other)],
    ]
    for argv in runs:
        assert found_secrets(_run(argv, capsys)) == [], argv


# --- nothing is left out ------------------------------------------------------------------------


def test_every_entry_point_is_swept() -> None:
    covered = {id(function) for function in FAILING}
    covered |= {id(cls) for cls in MODELS + ENUMS + CODE_VALUES}
    # The care rules' findings about the sentinel: tests/test_care_rules.py.
    covered |= {id(function) for function in (*BUILTIN_RULES, *CARE_RULES)}
    covered |= {id(obj) for obj in NO_PATIENT_DATA}
    covered.add(id(main))  # The command-line test.
    missing = []
    for name, obj in ENTRY_POINTS.values():
        if id(obj) in covered:
            continue
        if isinstance(obj, type) and issubclass(obj, BaseException):
            continue  # Exceptions carry the message their raiser writes.
        if name.rsplit(".", 1)[-1] in PROTOCOLS:
            continue
        if name.startswith("soapbill.strategies."):
            continue  # Swept by the strategy tests above and their own tests.
        if getattr(obj, "__module__", "") in {m.__name__ for m in CODE_MODULES}:
            continue  # Swept by the code-function tests above.
        missing.append(name)
    assert missing == []


def test_every_named_constructor_is_swept() -> None:
    missing = []
    for name, obj in ENTRY_POINTS.values():
        if not isinstance(obj, type) or issubclass(obj, enum.Enum | BaseException):
            continue
        for attribute, value in vars(obj).items():
            if attribute.startswith("_") or not isinstance(value, classmethod | staticmethod):
                continue
            method = getattr(obj, attribute)
            if method not in FAILING and not _takes_nothing(method):
                missing.append(f"{name}.{attribute}")
    assert missing == []


def _takes_nothing(function: Callable[..., Any]) -> bool:
    return not inspect.signature(function).parameters


def test_every_model_is_swept_field_by_field_or_said_why() -> None:
    # Models no sample of the sentinel patient's world holds are swept by the
    # document and argument tests only.
    unsampled = {cls.__qualname__ for cls in MODELS if cls not in SAMPLES}
    core = {"Claim", "SoapNote", "Prescription", "Patient", "Coverage", "PayerPolicy", "Decision"}
    assert not core & unsampled
