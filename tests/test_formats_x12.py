from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import Phase, event, find, given, settings
from hypothesis import strategies as st

from soapbill import (
    Address,
    Attachment,
    AttachmentKind,
    Claim,
    ClaimFrequency,
    Coverage,
    CptCode,
    DiagnosisCode,
    Modifier,
    Npi,
    Patient,
    Payer,
    PersonName,
    PlaceOfService,
    PlanType,
    Provider,
    RelatedCauses,
    Relationship,
    ServiceLine,
    Sex,
    Subscriber,
    TaxId,
    Transmission,
    ValidationError,
)
from soapbill import strategies as sbst
from soapbill.codes import npi as npi_codes
from soapbill.errors import ErrorDetail
from soapbill.formats import _x12, x12
from soapbill.formats.x12 import (
    CLAIM_FILING_CODES,
    REPORT_TYPE_CODES,
    SEPARATOR_CHOICES,
    Receiver,
    Submitter,
    X12Separators,
    problems_837p,
)
from x12_support import (
    CREATED,
    RECEIVER,
    SUBMITTER,
    Level,
    assert_valid_837p,
    batches,
    pyx12_knows_places,
    read_back,
    segments,
    unique_ids,
    value,
    write,
)

# --- an illustrative file, built by hand --------------------------------------------------

CLINIC = Provider(
    npi=Npi("1234567893"),
    organization_name="Soapbill Massage Clinic",
    tax_id=TaxId("123456789"),
    address=Address(line1="123 Main St", city="Seattle", state="WA", postal_code="981010000"),
)
THERAPIST = Provider(
    npi=Npi("1528060837"), name=PersonName(family="Lee", given="Sam"), taxonomy="225700000X"
)
DOCTOR = Provider(npi=Npi("1558598797"), name=PersonName(family="Smith", given="Alice"))
JOHN = Patient(
    id="P1",
    name=PersonName(family="Doe", given="John"),
    birth_date=date(1980, 1, 1),
    sex=Sex.MALE,
    address=Address(line1="456 Oak Ave", city="Seattle", state="WA", postal_code="981020000"),
)
PAYER = Payer(id="PAYER01", name="Example Payer")
SELF_COVERAGE = Coverage(
    payer=PAYER, member_id="MEMBER123", group_number="GRP001", plan_type=PlanType.COMMERCIAL
)
DAY = date(2024, 1, 15)
EXAMPLE = Claim(
    id="PCN0001",
    patient=JOHN,
    coverage=SELF_COVERAGE,
    billing_provider=CLINIC,
    rendering_provider=THERAPIST,
    referring_provider=DOCTOR,
    diagnoses=(DiagnosisCode("M54.50"), DiagnosisCode("M62.830")),
    lines=(
        ServiceLine(
            code=CptCode("97124"),
            modifiers=(Modifier("GP"),),
            units=2,
            charge=Decimal("120.00"),
            date_of_service=DAY,
            diagnosis_pointers=(1, 2),
        ),
        ServiceLine(
            code=CptCode("97010"),
            units=1,
            charge=Decimal("25.00"),
            date_of_service=DAY,
            diagnosis_pointers=(1,),
        ),
    ),
)

# An 837P built by hand, its structure per the pyx12 map of the 837P guide
# (pyx12/map/837.5010.X222.A1.xml); pyx12 accepts it. Two of its segments say
# what soapbill's models do not hold: BHT03 (soapbill writes the control
# number as the batch id) and REF*9F (a referral number); so SE01 counts one
# segment fewer.
ILLUSTRATIVE = (
    "ISA*00*          *00*          *ZZ*SUBMITTERID    *ZZ*RECEIVERID     "
    "*240115*1200*^*00501*000000001*0*T*:~\n"
    """\
GS*HC*SUBMITTERID*RECEIVERID*20240115*1200*1*X*005010X222A1~
ST*837*0001*005010X222A1~
BHT*0019*00*BATCH0001*20240115*1200*CH~
NM1*41*2*SOAPBILL MASSAGE CLINIC*****46*SUBMITTERID~
PER*IC*JANE DOE*TE*5555551234~
NM1*40*2*EXAMPLE PAYER*****46*RECEIVERID~
HL*1**20*1~
NM1*85*2*SOAPBILL MASSAGE CLINIC*****XX*1234567893~
N3*123 MAIN ST~
N4*SEATTLE*WA*981010000~
REF*EI*123456789~
HL*2*1*22*0~
SBR*P*18*GRP001******CI~
NM1*IL*1*DOE*JOHN****MI*MEMBER123~
N3*456 OAK AVE~
N4*SEATTLE*WA*981020000~
DMG*D8*19800101*M~
NM1*PR*2*EXAMPLE PAYER*****PI*PAYER01~
CLM*PCN0001*145***11:B:1*Y*A*Y*Y~
REF*9F*RX12345~
HI*ABK:M5450*ABF:M62830~
NM1*DN*1*SMITH*ALICE****XX*1558598797~
NM1*82*1*LEE*SAM****XX*1528060837~
PRV*PE*PXC*225700000X~
LX*1~
SV1*HC:97124:GP*120*UN*2***1:2~
DTP*472*D8*20240115~
LX*2~
SV1*HC:97010*25*UN*1***1~
DTP*472*D8*20240115~
SE*30*0001~
GE*1*1~
IEA*1*000000001~
"""
)


def test_the_illustrative_file_segments() -> None:
    expected = [s for s in ILLUSTRATIVE.replace("\n", "").split("~") if s]
    expected.remove("REF*9F*RX12345")
    expected[expected.index("BHT*0019*00*BATCH0001*20240115*1200*CH")] = (
        "BHT*0019*00*000000001*20240115*1200*CH"
    )
    expected[expected.index("SE*30*0001")] = "SE*29*0001"
    text = write([EXAMPLE])
    assert text.split("~")[:-1] == expected
    assert text.endswith("~")
    assert_valid_837p(text)


def test_the_illustrative_file_is_valid_as_built() -> None:
    assert_valid_837p(ILLUSTRATIVE.replace("\n", ""))


# --- the judge can fail -------------------------------------------------------------------


def _drop(text: str, prefix: str) -> str:
    kept = [s for s in text.split("~") if not s.startswith(prefix)]
    return "~".join(kept)


BROKEN: list[tuple[str, Callable[[str], str]]] = [
    # Envelope counts and control numbers.
    ("wrong SE count", lambda t: t.replace("SE*29*", "SE*28*")),
    ("SE02 differs from ST02", lambda t: t.replace("SE*29*0001", "SE*29*0002")),
    ("wrong GE count", lambda t: t.replace("GE*1*1", "GE*2*1")),
    ("GE02 differs from GS06", lambda t: t.replace("GE*1*1", "GE*1*2")),
    ("IEA02 differs from ISA13", lambda t: t.replace("IEA*1*000000001", "IEA*1*000000002")),
    # Missing required segments.
    ("no billing provider N4", lambda t: _drop(t, "N4*SEATTLE*WA*981010000")),
    ("no HI", lambda t: _drop(t, "HI*")),
    ("no DTP*472", lambda t: t.replace("DTP*472*D8*20240115~LX*2", "LX*2")),
    # Codes and formats.
    ("bad facility qualifier", lambda t: t.replace("11:B:1", "11:X:1")),
    ("bad diagnosis qualifier", lambda t: t.replace("HI*ABK", "HI*XYZ")),
    ("bad relationship", lambda t: t.replace("SBR*P*18", "SBR*P*19")),
    ("bad date", lambda t: t.replace("DTP*472*D8*20240115", "DTP*472*D8*20241315", 1)),
    ("amount with letters", lambda t: t.replace("SV1*HC:97124:GP*120*", "SV1*HC:97124:GP*12O*")),
]


@pytest.mark.parametrize(("name", "breaks"), BROKEN, ids=[name for name, _ in BROKEN])
def test_the_validator_fails_on_a_broken_file(name: str, breaks: Callable[[str], str]) -> None:
    good = write([EXAMPLE])
    bad = breaks(good)
    assert bad != good, name
    with pytest.raises(pytest.fail.Exception):
        assert_valid_837p(bad)


# --- properties ------------------------------------------------------------------------------


def _luhn_ok(npi: str) -> bool:
    return npi_codes.is_valid(npi)


def _check_claim(claim: Claim, read: dict[str, Any]) -> None:
    """
    What pyx12 does not check: codes, pointers, totals, NPIs, REF*F8.
    """
    assert read["id"] == claim.id
    # CLM02 is the sum of the SV102s and the claim's total.
    assert read["total"] == sum(line["charge"] for line in read["lines"]) == claim.total_charge
    assert read["pos"] == claim.place_of_service.value
    assert read["qualifier"] == "B"
    assert read["frequency"] == claim.frequency.code
    _check_flags_and_causes(claim, read)
    _check_references(claim, read)
    _check_providers(claim, read)
    _check_lines(claim, read)


def _check_flags_and_causes(claim: Claim, read: dict[str, Any]) -> None:
    # CLM06-CLM09, CLM11 and the 2300 dates: CLM07 is the provider's
    # acceptance of assignment, CLM08 the insured's assignment of benefits.
    assert read["flags"] == (
        "Y" if claim.provider_signature_on_file else "N",
        "A" if claim.accepts_assignment else "C",
        "Y" if claim.assignment_of_benefits else "N",
        "Y" if claim.release_of_information else "I",
    )
    dates = {}
    if claim.initial_treatment_date is not None:
        dates["454"] = claim.initial_treatment_date.strftime("%Y%m%d")
    if claim.first_contact_date is not None:
        dates["444"] = claim.first_contact_date.strftime("%Y%m%d")
    causes = claim.related_causes
    if causes is None:
        assert read["causes"] == ["", "", ""]
    else:
        expected = [
            c
            for c, on in (
                ("EM", causes.employment),
                ("AA", causes.auto_accident),
                ("OA", causes.other_accident),
            )
            if on
        ]
        assert [c for c in read["causes"] if c] == expected
        assert read["accident_state"] == (causes.accident_state or "")
        accident = causes.auto_accident or causes.other_accident
        # A submittable accident has its date.
        assert causes.accident_date is not None or not accident
        if causes.accident_date is not None:
            qualifier = "439" if accident else "431"
            dates[qualifier] = causes.accident_date.strftime("%Y%m%d")
    assert read["dates"] == dates


def _check_references(claim: Claim, read: dict[str, Any]) -> None:
    # REF*F8 exactly for replacements and voids, with the payer's claim number.
    if claim.frequency is ClaimFrequency.ORIGINAL:
        assert "F8" not in read["refs"]
    else:
        assert read["frequency"] in ("7", "8")
        assert read["refs"]["F8"] == claim.original_claim_number
    assert read["refs"].get("G1") == claim.prior_authorization
    # HI: ABK first, ABF after, the codes without the dot.
    qualifiers = [q for q, _ in read["diagnoses"]]
    assert qualifiers == ["ABK"] + ["ABF"] * (len(claim.diagnoses) - 1)
    codes = [code for _, code in read["diagnoses"]]
    assert codes == [d.value.replace(".", "") for d in claim.diagnoses]
    assert all("." not in code for code in codes)
    # PWK per attachment, with its control number unless it is available on
    # request (AA).
    assert read["pwk"] == [
        (REPORT_TYPE_CODES[a.kind], a.transmission.code, *(("AC", a.id) if a.is_sent else ("", "")))
        for a in claim.attachments
    ]


def _check_providers(claim: Claim, read: dict[str, Any]) -> None:
    # Providers: NPIs pass the Luhn check, the referring one is NM1*DN.
    referring = claim.referring_provider
    assert read["providers"].get("DN") == (None if referring is None else referring.npi.value)
    rendering = claim.rendering_provider
    if rendering is None or rendering.npi == claim.billing_provider.npi:
        assert "82" not in read["providers"]
    else:
        assert read["providers"]["82"] == rendering.npi.value
        assert read["providers"].get("taxonomy") == rendering.taxonomy
    assert all(_luhn_ok(npi) for key, npi in read["providers"].items() if key != "taxonomy")


def _check_lines(claim: Claim, read: dict[str, Any]) -> None:
    """
    The 2400 loops, numbered from 1.

    A straight list of checks: its complexity (16) counts each assert as a branch.
    """
    assert [line["number"] for line in read["lines"]] == list(range(1, len(claim.lines) + 1))
    for line, got in zip(claim.lines, read["lines"], strict=True):
        assert got["qualifier"] == "HC"
        assert got["code"] == line.code.value
        assert got["modifiers"] == [m.value for m in line.modifiers]
        assert got["charge"] == line.charge
        assert got["basis"] == "UN"
        assert got["units"] == line.units
        assert got["pointers"] == list(line.diagnosis_pointers)
        assert all(1 <= p <= len(claim.diagnoses) for p in got["pointers"])
        expected_pos = line.place_of_service
        if expected_pos is None or expected_pos == claim.place_of_service:
            assert got["pos"] == ""
        else:
            assert got["pos"] == expected_pos.value
        assert got["date"] == ("472", "D8", line.date_of_service.strftime("%Y%m%d"))


_PAT01 = {Relationship.SPOUSE: "01", Relationship.CHILD: "19", Relationship.OTHER: "G8"}


def _check_grouping(claim: Claim, level: Level, levels: dict[str, Level]) -> None:
    """
    The claim hangs under its own billing provider, subscriber and patient.
    """
    coverage = claim.coverage
    subscriber = _check_insured(claim, level, levels)
    assert subscriber.find("NM1", "NM109", "IL") == coverage.member_id
    assert subscriber.find("NM1", "NM109", "PR") == coverage.payer.id
    assert subscriber.find("SBR", "SBR09") == CLAIM_FILING_CODES[coverage.plan_type]
    billing = levels[subscriber.parent]
    assert billing.code == "20"
    assert billing.find("NM1", "NM109", "85") == claim.billing_provider.npi.value
    tax_id = claim.billing_provider.tax_id
    assert tax_id is not None
    qualifier = "SY" if tax_id.kind == "ssn" else "EI"
    assert billing.find("REF", "REF02", qualifier) == tax_id.compact
    # 2010AB: the pay-to address, when it is not the billing address.
    pay_to = claim.pay_to_address
    if pay_to is None or pay_to == claim.billing_provider.address:
        assert billing.find("NM1", "NM102", "87") == ""
    else:
        person = claim.billing_provider.is_person
        assert billing.find("NM1", "NM102", "87") == ("1" if person else "2")
        n3 = [seg for seg in billing.segments if seg.get_seg_id() == "N3"]
        assert value(n3[-1], "N301") == pay_to.line1.upper()


def _check_insured(claim: Claim, level: Level, levels: dict[str, Level]) -> Level:
    """
    The claim's subscriber level (2000B), after its patient level (2000C) if any.

    A straight list of checks: its complexity (17) counts each assert as a branch.
    """
    coverage = claim.coverage
    patient = claim.patient
    pc_number = claim.property_casualty_claim_number or ""
    if coverage.relationship is Relationship.SELF:
        assert level.code == "22"
        assert level.find("SBR", "SBR02") == "18"
        assert level.find("NM1", "NM103", "IL") == patient.name.family.upper()
        assert level.find("DMG", "DMG02") == patient.birth_date.strftime("%Y%m%d")
        assert level.find("REF", "REF02", "Y4") == pc_number
        return level
    assert level.code == "23"
    assert level.find("PAT", "PAT01") == _PAT01[coverage.relationship]
    assert level.find("NM1", "NM103", "QC") == patient.name.family.upper()
    assert level.find("DMG", "DMG02") == patient.birth_date.strftime("%Y%m%d")
    assert level.find("REF", "REF02", "Y4") == pc_number
    subscriber = levels[level.parent]
    assert subscriber.code == "22"
    assert subscriber.find("SBR", "SBR02") == ""
    assert coverage.subscriber is not None
    assert subscriber.find("NM1", "NM103", "IL") == coverage.subscriber.name.family.upper()
    return subscriber


def _check_envelope(text: str, control_number: int) -> None:
    segs = segments(text)
    ids = [seg.get_seg_id() for seg in segs]
    assert ids[:3] == ["ISA", "GS", "ST"]
    assert ids[-3:] == ["SE", "GE", "IEA"]
    isa, gs, st_, se, ge, iea = segs[0], segs[1], segs[2], segs[-3], segs[-2], segs[-1]
    # ISA is fixed width: 106 characters with its terminator.
    assert text[105] == text[-1]
    assert value(isa, "ISA13") == f"{control_number:09d}" == value(iea, "IEA02")
    assert value(gs, "GS06") == str(control_number) == value(ge, "GE02")
    assert value(ge, "GE01") == "1"
    assert value(iea, "IEA01") == "1"
    assert value(st_, "ST02") == value(se, "SE02") == "0001"
    assert int(value(se, "SE01")) == len(segs) - 4  # ST through SE


def _check_levels(levels: dict[str, Level]) -> None:
    """
    HL numbers count up from 1, parents come first, and siblings differ.
    """
    assert list(levels) == [str(n) for n in range(1, len(levels) + 1)]
    seen: dict[tuple[str, str], set[tuple[str, ...]]] = {}
    for level in levels.values():
        expected_parent = {"20": None, "22": "20", "23": "22"}[level.code]
        if expected_parent is None:
            assert level.parent == ""
        else:
            assert int(level.parent) < int(level.id)
            assert levels[level.parent].code == expected_parent
        children = [c for c in levels.values() if c.parent == level.id]
        hl04 = "1" if children else "0"
        # Claims hang under a subscriber or a patient level, at most 100.
        assert len(level.claims) <= 100
        assert bool(level.claims) == (level.code != "20" and not children)
        # Grouping is maximal: siblings that are not full differ.
        if len(level.claims) < 100:
            siblings = seen.setdefault((level.parent, level.code), set())
            assert level.key() not in siblings
            siblings.add(level.key())
        del hl04


@given(batches().map(unique_ids), st.integers(1, 999_999_999))
def test_every_generated_file_validates(claims: list[Claim], control_number: int) -> None:
    text = write(claims, control_number=control_number)
    assert_valid_837p(text)
    _check_envelope(text, control_number)
    levels = read_back(text)
    _check_levels(levels)
    by_id = {claim.id: claim for claim in claims}
    found = 0
    for level in levels.values():
        for read in level.claims:
            claim = by_id[read["id"]]
            _check_claim(claim, read)
            _check_grouping(claim, level, levels)
            found += 1
    assert found == len(claims)


# --- the strategies reach every shape ------------------------------------------------------


def _levels_of(claims: list[Claim]) -> dict[str, Level]:
    return read_back(write(claims))


def _children(claims: list[Claim], parent: str, child: str) -> int:
    """
    The most levels of code *child* under one level of code *parent*.
    """
    levels = _levels_of(claims)
    counts = [
        sum(1 for c in levels.values() if c.code == child and c.parent == p.id)
        for p in levels.values()
        if p.code == parent
    ]
    return max(counts, default=0)


SHAPES: list[tuple[str, Callable[[list[Claim]], bool]]] = [
    ("patient not the subscriber (2000C)", lambda cs: any(c.coverage.subscriber for c in cs)),
    ("replacement (REF*F8)", lambda cs: any(c.frequency is ClaimFrequency.REPLACEMENT for c in cs)),
    ("void (REF*F8)", lambda cs: any(c.frequency is ClaimFrequency.VOID for c in cs)),
    ("attachments (PWK)", lambda cs: any(c.attachments for c in cs)),
    (
        "attachment available on request (PWK*AA)",
        lambda cs: any(not a.is_sent for c in cs for a in c.attachments),
    ),
    (
        "attachment sent (PWK05 AC)",
        lambda cs: any(a.is_sent for c in cs for a in c.attachments),
    ),
    ("pay-to address (2010AB)", lambda cs: any(c.pay_to_address for c in cs)),
    (
        "sole proprietor's SSN (REF*SY)",
        lambda cs: any(
            c.billing_provider.tax_id and c.billing_provider.tax_id.kind == "ssn" for c in cs
        ),
    ),
    ("initial treatment (DTP*454)", lambda cs: any(c.initial_treatment_date for c in cs)),
    ("first contact (DTP*444)", lambda cs: any(c.first_contact_date for c in cs)),
    (
        "assignment accepted apart from benefits assigned (CLM07, CLM08)",
        lambda cs: any(c.accepts_assignment != c.assignment_of_benefits for c in cs),
    ),
    ("referring provider (NM1*DN)", lambda cs: any(c.referring_provider for c in cs)),
    ("rendering provider (NM1*82)", lambda cs: any(c.rendering_provider for c in cs)),
    ("prior authorisation (REF*G1)", lambda cs: any(c.prior_authorization for c in cs)),
    (
        "two related causes",
        lambda cs: any(
            c.related_causes and c.related_causes.employment and c.related_causes.auto_accident
            for c in cs
        ),
    ),
    (
        "line place of service (SV105)",
        lambda cs: any(line.place_of_service for c in cs for line in c.lines),
    ),
    ("several billing providers (2000A)", lambda cs: len({c.billing_provider for c in cs}) > 1),
    (
        "several subscribers under one billing provider (2000B)",
        lambda cs: _children(cs, "20", "22") > 1,
    ),
    ("several patients under one subscriber (2000C)", lambda cs: _children(cs, "22", "23") > 1),
]


def test_the_batches_reach_every_shape() -> None:
    missing = {name for name, _ in SHAPES}

    def every_shape_seen(claims: list[Claim]) -> bool:
        missing.difference_update(name for name, shape in SHAPES if shape(claims))
        return not missing

    # Finding is enough; shrinking what was found would only cost time.
    quick = settings(max_examples=1000, database=None, phases=[Phase.generate])
    find(batches(max_lines=1), every_shape_seen, settings=quick)
    assert not missing


# --- separators ----------------------------------------------------------------------------


@given(
    batches(max_claims=2, max_lines=2).map(unique_ids),
    st.permutations(SEPARATOR_CHOICES).map(lambda chars: chars[:4]),
)
def test_any_separators_validate_and_read_back(claims: list[Claim], chars: list[str]) -> None:
    element, component, repetition, segment = chars
    separators = X12Separators(
        element=element, component=component, repetition=repetition, segment=segment
    )
    # Generated names and ids hold letters, digits and spaces only.
    text = write(claims, separators=separators)
    assert_valid_837p(text)
    assert text[3] == element
    assert text[104] == component
    assert text[105] == segment
    assert text.split(element)[11] == repetition
    levels = read_back(text)
    by_id = {claim.id: claim for claim in claims}
    for level in levels.values():
        for read in level.claims:
            _check_claim(by_id[read["id"]], read)


def test_default_separators_are_the_conventional_ones() -> None:
    assert X12Separators() == X12Separators(element="*", component=":", repetition="^", segment="~")
    text = write([EXAMPLE])
    assert text.startswith("ISA*00*")
    assert text[104:106] == ":~"


@pytest.mark.parametrize(
    ("kwargs", "path", "code"),
    [
        ({"element": "**"}, "element", "invalid_separator"),
        ({"element": ""}, "element", "invalid_separator"),
        ({"component": "A"}, "component", "invalid_separator"),
        ({"repetition": "1"}, "repetition", "invalid_separator"),
        ({"segment": " "}, "segment", "invalid_separator"),
        # Soapbill writes these inside values (amounts, attachment ids).
        ({"segment": "."}, "segment", "invalid_separator"),
        ({"segment": "-"}, "segment", "invalid_separator"),
        ({"segment": "_"}, "segment", "invalid_separator"),
        ({"segment": "\n"}, "segment", "invalid_separator"),
        ({"segment": "é"}, "segment", "invalid_separator"),
        ({"element": 42}, "element", "invalid_type"),
        ({"element": ":"}, "element", "duplicate"),
        ({"segment": "*"}, "element", "duplicate"),
    ],
)
def test_bad_separators_are_refused(kwargs: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        X12Separators(**kwargs)
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]


# --- values X12 cannot carry ---------------------------------------------------------------

#: Every free-text field a claim writes into the 837P.
TEXT_PATHS = [
    "id",
    "original_claim_number",
    "prior_authorization",
    "property_casualty_claim_number",
    "coverage.member_id",
    "coverage.group_number",
    "coverage.payer.id",
    "coverage.payer.name",
    *(
        f"{who}.name.{part}"
        for who in ("patient", "coverage.subscriber")
        for part in ("family", "given", "middle", "suffix")
    ),
    *(
        f"{who}.address.{part}"
        for who in ("patient", "coverage.subscriber")
        for part in ("line1", "line2", "city")
    ),
    *(
        f"{who}.name.{part}"
        for who in ("billing_provider", "rendering_provider", "referring_provider")
        for part in ("family", "given", "middle", "suffix")
    ),
    *(f"{who}.organization_name" for who in ("billing_provider", "rendering_provider")),
    *(
        f"{where}.{part}"
        for where in ("billing_provider.address", "pay_to_address")
        for part in ("line1", "line2", "city")
    ),
]


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def _set(obj: Claim, path: str, new: object) -> Claim:
    changed: Claim = _evolve(obj, path, new)
    return changed


def _evolve(obj: Any, path: str, new: object) -> Any:
    head, _, rest = path.partition(".")
    if not rest:
        return attrs.evolve(obj, **{head: new})
    return attrs.evolve(obj, **{head: _evolve(getattr(obj, head), rest, new)})


SEPARATOR_CHARS = ["*", ":", "^", "~"]
FOREIGN_CHARS = ["é", "ß", "\n", "\t", "\x00", "\x1d", "€", "\u2019"]


@given(
    batches(max_claims=2, max_lines=1),
    st.data(),
    st.sampled_from(SEPARATOR_CHARS + FOREIGN_CHARS),
)
def test_a_value_x12_cannot_carry_is_refused(
    claims: list[Claim], data: st.DataObject, bad: str
) -> None:
    k = data.draw(st.integers(0, len(claims) - 1))
    paths = [path for path, text, _ in x12._claim_texts(claims[k]) if text is not None]
    path = data.draw(st.sampled_from(paths))
    old: str = _get(claims[k], path)
    sentinel = f"{old[:-1]}{bad}" if len(old) > 1 else bad
    claims[k] = _set(claims[k], path, sentinel)
    with pytest.raises(ValidationError) as info:
        write(claims)
    [detail] = info.value.errors
    assert detail.path == f"claims[{k}].{path}"
    assert detail.code == ("x12_separator" if bad in SEPARATOR_CHARS else "x12_charset")
    for shown in (str(info.value), repr(info.value), repr(info.value.args)):
        assert sentinel not in shown or len(sentinel) == 1


@given(st.one_of(st.sampled_from([chr(n) for n in range(256)]), st.characters()))
def test_x12_carries_the_extended_character_set_and_the_space(ch: str) -> None:
    # The writers test printable ASCII for the extended set (X12.6): both must agree.
    separators = X12Separators(element="|", component=">", repetition="!", segment="'")
    for chosen in (X12Separators(), separators):
        marks = (chosen.element, chosen.component, chosen.repetition, chosen.segment)
        carried = ch in _x12._EXTENDED + " " and ch not in marks
        assert chosen._carries(f"AB{ch}CD") is carried
        assert chosen._foreign(f"AB{ch}CD") == (None if carried else ch)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("name", "Soapbill*Massage"),
        ("id", "SUB~1"),
        ("contact_name", "Jane:Doe"),
        ("email", "jane^doe@example.com"),
        ("name", "Clínica"),
    ],
)
def test_the_envelope_refuses_what_x12_cannot_carry(field: str, text: str) -> None:
    submitter = attrs.evolve(SUBMITTER, **{field: text})
    with pytest.raises(ValidationError) as info:
        write([EXAMPLE], submitter=submitter)
    assert info.value.errors[0].path == f"submitter.{field}"
    assert text not in str(info.value)
    receiver = Receiver(name="Payer~One", id="RECEIVERID")
    with pytest.raises(ValidationError) as info:
        write([EXAMPLE], receiver=receiver)
    assert info.value.errors[0].path == "receiver.name"


def test_other_separators_let_the_default_ones_through() -> None:
    claim = _set(EXAMPLE, "patient.name.family", "O*NEIL:SMITH~")
    separators = X12Separators(element="|", component=">", repetition="!", segment="'")
    text = write([claim], separators=separators)
    assert_valid_837p(text)
    assert "NM1|IL|1|O*NEIL:SMITH~|JOHN" in text
    with pytest.raises(ValidationError) as info:
        write([_set(EXAMPLE, "patient.name.family", "O|NEIL")], separators=separators)
    assert info.value.errors[0].path == "claims[0].patient.name.family"


# --- what the 837P requires beyond the models -----------------------------------------------


def _no_zip4(claim: Claim) -> Claim:
    return _set(claim, "billing_provider.address.postal_code", "98101")


REQUIREMENTS: list[tuple[str, Claim, str, str]] = [
    # 2010AA N3/N4 and REF*EI are required; the ZIP code has nine digits.
    ("billing address", _set(EXAMPLE, "billing_provider.address", None),
     "billing_provider.address", "required"),
    ("billing ZIP+4", _no_zip4(EXAMPLE), "billing_provider.address.postal_code", "zip_plus_4"),
    ("billing tax id", _set(EXAMPLE, "billing_provider.tax_id", None),
     "billing_provider.tax_id", "required"),
    # 2010BA (self) and 2010CA (dependant) N3/N4.
    ("patient address", _set(EXAMPLE, "patient.address", None), "patient.address", "required"),
    # N401 is 2/30, NM109 and PWK06 2/80.
    ("short billing city", _set(EXAMPLE, "billing_provider.address.city", "X"),
     "billing_provider.address.city", "too_short"),
    ("short patient city", _set(EXAMPLE, "patient.address.city", "X"),
     "patient.address.city", "too_short"),
    ("short member id", _set(EXAMPLE, "coverage.member_id", "1"), "coverage.member_id",
     "too_short"),
    ("short payer id", _set(EXAMPLE, "coverage.payer.id", "1"), "coverage.payer.id",
     "too_short"),
    ("short attachment id",
     attrs.evolve(EXAMPLE, attachments=(
         Attachment(kind=AttachmentKind.SOAP_NOTE, id="N"),
         Attachment(kind=AttachmentKind.PRESCRIPTION, id="R", transmission=Transmission.FAX),
     )),
     "attachments[1].id", "too_short"),
    # 2310A is a person.
    ("referring organisation",
     attrs.evolve(EXAMPLE, referring_provider=CLINIC), "referring_provider.name", "required"),
    # CLM11 holds two related causes.
    ("three related causes",
     attrs.evolve(EXAMPLE, related_causes=RelatedCauses(
         employment=True, auto_accident=True, accident_state="WA", other_accident=True,
         accident_date=DAY,
     )),
     "related_causes", "too_many"),
    # An accident (CLM11 AA or OA) goes with its date, DTP*439.
    ("auto accident without a date",
     attrs.evolve(EXAMPLE, related_causes=RelatedCauses(auto_accident=True, accident_state="WA")),
     "related_causes.accident_date", "required"),
    ("other accident without a date",
     attrs.evolve(EXAMPLE, related_causes=RelatedCauses(other_accident=True, employment=True)),
     "related_causes.accident_date", "required"),
    # The billing address is a street address (X12 RFI 1451); a PO Box goes
    # in the pay-to address, 2010AB.
    ("billing PO Box", _set(EXAMPLE, "billing_provider.address.line1", "PO Box 12"),
     "billing_provider.address.line1", "po_box"),
    ("billing lock box on line 2", _set(EXAMPLE, "billing_provider.address.line2", "Lockbox 7"),
     "billing_provider.address.line1", "po_box"),
    # A property and casualty first contact date goes with the claim number.
    ("first contact without a claim number",
     attrs.evolve(EXAMPLE, first_contact_date=DAY), "property_casualty_claim_number",
     "required"),
    # Pay-to address: N401 is 2/30 as every city.
    ("short pay-to city",
     attrs.evolve(EXAMPLE, pay_to_address=Address(
         line1="PO Box 12", city="X", state="WA", postal_code="981010000")),
     "pay_to_address.city", "too_short"),
    # Dates X12 cannot carry.
    ("initial treatment before 1800",
     attrs.evolve(EXAMPLE, initial_treatment_date=date(1799, 12, 31)),
     "initial_treatment_date", "out_of_range"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "claim", "path", "code"), REQUIREMENTS, ids=[r[0] for r in REQUIREMENTS]
)
def test_a_claim_missing_what_the_837p_needs_is_refused(
    name: str, claim: Claim, path: str, code: str
) -> None:
    with pytest.raises(ValidationError) as info:
        write([EXAMPLE, claim])
    assert [(d.path, d.code) for d in info.value.errors] == [(f"claims[1].{path}", code)], name


def _dependant(claim: Claim) -> Claim:
    subscriber = Subscriber(
        name=PersonName(family="Doe", given="Jane"),
        birth_date=date(1978, 5, 6),
        sex=Sex.FEMALE,
        address=Address(line1="1 Elm St", city="X", state="WA", postal_code="98101"),
    )
    coverage = attrs.evolve(claim.coverage, relationship=Relationship.SPOUSE, subscriber=subscriber)
    return attrs.evolve(claim, coverage=coverage)


def test_a_subscriber_city_too_short_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        write([_dependant(EXAMPLE)])
    assert info.value.errors[0].path == "claims[0].coverage.subscriber.address.city"


def _attempt(claims: list[Claim], **kwargs: Any) -> tuple[str | None, tuple[ErrorDetail, ...]]:
    """
    The file written, or the problems of the refusal.
    """
    try:
        return write(claims, **kwargs), ()
    except ValidationError as error:
        return None, error.errors


@given(st.lists(sbst.claims(max_lines=2), min_size=1, max_size=2))
def test_claims_are_written_exactly_when_they_have_no_problems(claims: list[Claim]) -> None:
    # problems_837p tells beforehand what write_837p refuses, all of it.
    expected = [
        detail.prefixed(f"claims[{i}]")
        for i, claim in enumerate(claims)
        for detail in problems_837p(claim)
    ]
    text, errors = _attempt(claims)
    assert list(errors) == expected
    if text is not None and all(pyx12_knows_places(claim) for claim in claims):
        assert_valid_837p(text)


# --- arguments ------------------------------------------------------------------------------

ARGUMENTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("no claims", {"claims": []}, "claims", "too_short"),
    ("claims as a string", {"claims": "claims"}, "claims", "invalid_type"),
    ("not a claim", {"claims": [EXAMPLE, JOHN]}, "claims[1]", "invalid_type"),
    ("not a claim after a refused one", {"claims": [_no_zip4(EXAMPLE), JOHN]}, "claims[1]",
     "invalid_type"),
    ("control number zero", {"control_number": 0}, "control_number", "out_of_range"),
    ("control number ten digits", {"control_number": 10**9}, "control_number", "out_of_range"),
    ("control number bool", {"control_number": True}, "control_number", "invalid_type"),
    ("control number str", {"control_number": "1"}, "control_number", "invalid_type"),
    ("created a date", {"created": date(2024, 1, 15)}, "created", "invalid_type"),
    # GS04 and BHT04 are CCYYMMDD dates, which soapbill writes from 1800 on.
    ("created before 1800", {"created": datetime(1799, 12, 31, 23, 59, tzinfo=UTC)}, "created",
     "out_of_range"),
    ("usage", {"usage": "X"}, "usage", "invalid_code"),
    ("separators", {"separators": "*:^~"}, "separators", "invalid_type"),
    ("submitter", {"submitter": RECEIVER}, "submitter", "invalid_type"),
    ("receiver", {"receiver": SUBMITTER}, "receiver", "invalid_type"),
    ("filing code", {"claim_filing_codes": {**CLAIM_FILING_CODES, PlanType.OTHER: "XX"}},
     "claim_filing_codes[other]", "invalid_code"),
    ("filing code missing", {"claim_filing_codes": {PlanType.COMMERCIAL: "CI"}},
     "claim_filing_codes[medicare_part_b]", "invalid_code"),
    ("report type", {"report_type_codes": {**REPORT_TYPE_CODES, AttachmentKind.SOAP_NOTE: "ZZ"}},
     "report_type_codes[soap_note]", "invalid_code"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "kwargs", "path", "code"), ARGUMENTS, ids=[a[0] for a in ARGUMENTS]
)
def test_bad_arguments_are_refused(name: str, kwargs: dict[str, Any], path: str, code: str) -> None:
    options = dict(kwargs)
    claims = options.pop("claims", [EXAMPLE])
    with pytest.raises(ValidationError) as info:
        write(claims, **options)
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)], name


def test_custom_code_tables_are_used() -> None:
    claim = attrs.evolve(
        EXAMPLE, attachments=(Attachment(kind=AttachmentKind.SOAP_NOTE, id="NOTE1"),)
    )
    text = write(
        [claim],
        claim_filing_codes={**CLAIM_FILING_CODES, PlanType.COMMERCIAL: "12"},
        report_type_codes={**REPORT_TYPE_CODES, AttachmentKind.SOAP_NOTE: "PN"},
    )
    assert "SBR*P*18*GRP001******12~" in text
    assert "PWK*PN*AA~" in text
    assert_valid_837p(text)


@pytest.mark.parametrize(
    ("phone", "email", "per"),
    [
        ("5555551234", None, "PER*IC*JANE DOE*TE*5555551234"),
        (None, "jane@example.com", "PER*IC*JANE DOE*EM*jane@example.com"),
        ("5555551234", "jane@example.com", "PER*IC*JANE DOE*TE*5555551234*EM*jane@example.com"),
    ],
)
def test_the_submitter_contact(phone: str | None, email: str | None, per: str) -> None:
    submitter = Submitter(
        name="Soapbill Massage Clinic", id="SUBMITTERID", contact_name="Jane Doe",
        phone=phone, email=email,
    )  # fmt: skip
    text = write([EXAMPLE], submitter=submitter)
    assert f"~{per}~" in text
    assert_valid_837p(text)


@pytest.mark.parametrize(
    ("kwargs", "path", "code"),
    [
        ({"phone": None}, "phone", "required"),
        ({"id": "S"}, "id", "too_short"),
        ({"id": "S" * 16}, "id", "too_long"),
        ({"phone": "555-555-1234"}, "phone", "invalid_format"),
    ],
)
def test_a_bad_submitter_is_refused(kwargs: dict[str, Any], path: str, code: str) -> None:
    options = {"name": "Clinic", "id": "SUB", "contact_name": "Jane", "phone": "5555551234"}
    options.update(kwargs)
    with pytest.raises(ValidationError) as info:
        Submitter(**options)
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]


def test_a_receiver_id_fits_isa08() -> None:
    with pytest.raises(ValidationError) as info:
        Receiver(name="Payer", id="R" * 16)
    assert info.value.errors[0].path == "id"


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        # X12 R type: no trailing zeros, no point for a whole amount.
        ("120.00", "120"),
        ("120.50", "120.5"),
        ("120.05", "120.05"),
        ("0.00", "0"),
        ("0", "0"),
        ("0.10", "0.1"),
        ("1E+2", "100"),
        ("99999.99", "99999.99"),
        ("1000", "1000"),
    ],
)
def test_amounts_follow_the_r_type(amount: str, text: str) -> None:
    assert _x12.amount(Decimal(amount)) == text
    # A line's charge (SV102) and the claim's total (CLM02) are written so.
    line = attrs.evolve(EXAMPLE.lines[0], charge=Decimal(amount))
    written = write([attrs.evolve(EXAMPLE, lines=(line,))])
    assert f"SV1*HC:97124:GP*{text}*UN*" in written
    assert f"CLM*PCN0001*{text}*" in written


def test_a_claim_with_every_situational_segment() -> None:
    dependant = _set(_dependant(EXAMPLE), "coverage.subscriber.address", None)
    claim = attrs.evolve(
        _set(dependant, "coverage.relationship", Relationship.CHILD),
        frequency=ClaimFrequency.REPLACEMENT,
        original_claim_number="ICN123",
        prior_authorization="AUTH9",
        attachments=(
            Attachment(kind=AttachmentKind.SOAP_NOTE, id="NOTE1"),
            Attachment(kind=AttachmentKind.PRESCRIPTION, id="RX-1", transmission=Transmission.FAX),
            Attachment(
                kind=AttachmentKind.PLAN_OF_CARE, id="POC.1", transmission=Transmission.MAIL
            ),
        ),
        related_causes=RelatedCauses(
            auto_accident=True, accident_state="OR", accident_date=date(2024, 1, 2)
        ),
        property_casualty_claim_number="PC77",
        place_of_service=PlaceOfService("12"),
    )
    text = write([claim])
    assert_valid_837p(text)
    body = text.split("~")
    assert "SBR*P**GRP001******CI" in body
    assert "PAT*19" in body
    assert "REF*Y4*PC77" in body
    assert "CLM*PCN0001*145***12:B:7*Y*A*Y*Y**AA:::OR" in body
    assert "DTP*439*D8*20240102" in body
    # Available on request (the default): no PWK05 and PWK06.
    assert body.index("PWK*09*AA") < body.index("REF*G1*AUTH9")
    assert "PWK*B2*FX***AC*RX-1" in body
    assert "PWK*08*BM***AC*POC.1" in body
    assert (
        body.index("REF*G1*AUTH9")
        < body.index("REF*F8*ICN123")
        < body.index("HI*ABK:M5450*ABF:M62830")
    )


@pytest.mark.parametrize(
    ("causes", "clm11", "dtp"),
    [
        (RelatedCauses(employment=True), "EM", None),
        (RelatedCauses(employment=True, accident_date=date(2024, 1, 2)), "EM", "431"),
        (RelatedCauses(other_accident=True, accident_date=date(2024, 1, 2)), "OA", "439"),
        (
            RelatedCauses(
                employment=True,
                auto_accident=True,
                accident_state="WA",
                accident_date=date(2024, 1, 2),
            ),
            "EM:AA::WA",
            "439",
        ),
        (
            RelatedCauses(employment=True, other_accident=True, accident_date=date(2024, 1, 2)),
            "EM:OA",
            "439",
        ),
    ],
)
def test_related_causes(causes: RelatedCauses, clm11: str, dtp: str | None) -> None:
    text = write([attrs.evolve(EXAMPLE, related_causes=causes)])
    assert_valid_837p(text)
    assert f"*Y*A*Y*Y**{clm11}~" in text
    if dtp is None:
        assert "~DTP*431" not in text
        assert "~DTP*439" not in text
    else:
        assert f"~DTP*{dtp}*D8*20240102~" in text


@pytest.mark.parametrize(
    ("accepts", "assigns", "clm07_08"),
    [
        pytest.param(True, True, "A*Y", id="both"),
        pytest.param(True, False, "A*N", id="accepts-but-not-assigned"),
        pytest.param(False, True, "C*Y", id="assigned-but-not-accepted"),
        pytest.param(False, False, "C*N", id="neither"),
    ],
)
def test_clm07_is_the_providers_acceptance_and_clm08_the_insureds_assignment(
    accepts: bool,
    assigns: bool,
    clm07_08: str,
) -> None:
    claim = attrs.evolve(EXAMPLE, accepts_assignment=accepts, assignment_of_benefits=assigns)
    text = write([claim])
    assert_valid_837p(text)
    assert "CLM*PCN0001*145***11:B:1*Y*" + clm07_08 + "*Y~" in text


def test_an_attachment_available_on_request_names_no_control_number() -> None:
    # AA promises nothing sent: no PWK05 AC and PWK06; every other code names
    # the document it sends (PWK05 AC, PWK06 the control number).
    claim = attrs.evolve(
        EXAMPLE,
        attachments=(
            Attachment(kind=AttachmentKind.SOAP_NOTE, id="N"),
            *(
                Attachment(kind=AttachmentKind.PRESCRIPTION, id=f"RX-{t.code}", transmission=t)
                for t in Transmission
                if t is not Transmission.AVAILABLE_ON_REQUEST
            ),
        ),
    )
    assert problems_837p(claim) == ()
    text = write([claim])
    assert_valid_837p(text)
    body = text.split("~")
    assert "PWK*09*AA" in body
    for code in ("BM", "EL", "EM", "FT", "FX"):
        assert f"PWK*B2*{code}***AC*RX-{code}" in body


def test_pwk01_takes_xp() -> None:
    codes = {**REPORT_TYPE_CODES, AttachmentKind.SOAP_NOTE: "XP"}
    claim = attrs.evolve(
        EXAMPLE, attachments=(Attachment(kind=AttachmentKind.SOAP_NOTE, id="NOTE1"),)
    )
    text = write([claim], report_type_codes=codes)
    assert_valid_837p(text)
    assert "~PWK*XP*AA~" in text


def test_a_sole_proprietors_ssn_is_ref_sy() -> None:
    clinic = attrs.evolve(CLINIC, tax_id=TaxId("123-45-6789"))
    text = write([attrs.evolve(EXAMPLE, billing_provider=clinic)])
    assert_valid_837p(text)
    assert "~REF*SY*123456789~" in text
    assert "REF*EI" not in text
    assert "~REF*EI*123456789~" in write([EXAMPLE])


def test_the_pay_to_address_is_loop_2010ab() -> None:
    box = Address(line1="PO Box 12", city="Seattle", state="WA", postal_code="981110012")
    text = write([attrs.evolve(EXAMPLE, pay_to_address=box)])
    assert_valid_837p(text)
    assert (
        "~N4*SEATTLE*WA*981010000~REF*EI*123456789~NM1*87*2~N3*PO BOX 12~N4*SEATTLE*WA*981110012~"
        "HL*2*1*22*0~"
    ) in text
    # A person who bills is NM102 1.
    person = attrs.evolve(CLINIC, organization_name=None, name=PersonName(family="Lee", given="S"))
    text = write([attrs.evolve(EXAMPLE, billing_provider=person, pay_to_address=box)])
    assert_valid_837p(text)
    assert "~NM1*87*1~N3*PO BOX 12~" in text
    # A pay-to address that is the billing address (as written) is left out.
    assert CLINIC.address is not None
    same = attrs.evolve(CLINIC.address, line1=" 123 main st ")
    assert write([attrs.evolve(EXAMPLE, pay_to_address=same)]) == write([EXAMPLE])
    # Claims of one billing provider with different pay-to addresses go under
    # different billing levels.
    levels = read_back(write([EXAMPLE, attrs.evolve(EXAMPLE, id="PCN0002", pay_to_address=box)]))
    assert [level.code for level in levels.values()].count("20") == 2


def test_the_2300_dates_in_the_guides_order() -> None:
    claim = attrs.evolve(
        EXAMPLE,
        related_causes=RelatedCauses(
            auto_accident=True, accident_state="WA", accident_date=date(2024, 1, 2)
        ),
        initial_treatment_date=date(2024, 1, 3),
        first_contact_date=date(2024, 1, 4),
        property_casualty_claim_number="PC77",
    )
    text = write([claim])
    assert_valid_837p(text)
    assert "~DTP*454*D8*20240103~DTP*439*D8*20240102~DTP*444*D8*20240104~" in text
    work = attrs.evolve(
        claim, related_causes=RelatedCauses(employment=True, accident_date=date(2024, 1, 2))
    )
    text = write([work])
    assert_valid_837p(text)
    assert "~DTP*431*D8*20240102~DTP*454*D8*20240103~DTP*444*D8*20240104~" in text


def test_equal_billing_providers_share_one_level() -> None:
    # Grouped by value: an equal provider built apart is the same billing provider.
    twin = Provider(
        npi=Npi("1234567893"),
        organization_name="Soapbill Massage Clinic",
        tax_id=TaxId("123456789"),
        address=Address(line1="123 Main St", city="Seattle", state="WA", postal_code="981010000"),
    )
    assert twin == CLINIC
    assert twin is not CLINIC
    levels = read_back(write([EXAMPLE, attrs.evolve(EXAMPLE, id="PCN0002", billing_provider=twin)]))
    assert [level.code for level in levels.values()] == ["20", "22"]


def test_flags_and_organisations() -> None:
    claim = attrs.evolve(
        EXAMPLE,
        provider_signature_on_file=False,
        accepts_assignment=False,
        assignment_of_benefits=False,
        release_of_information=False,
        rendering_provider=attrs.evolve(CLINIC, npi=Npi("1558598797"), taxonomy=None),
        billing_provider=attrs.evolve(
            CLINIC,
            organization_name=None,
            name=PersonName(family="Lee", given="Sam", middle="Q", suffix="Jr"),
            taxonomy="225700000X",
        ),
        lines=(attrs.evolve(EXAMPLE.lines[0], place_of_service=PlaceOfService("12")),),
    )
    text = write([claim])
    assert_valid_837p(text)
    body = text.split("~")
    assert "CLM*PCN0001*120***11:B:1*N*C*N*I" in body
    assert "PRV*BI*PXC*225700000X" in body
    assert "NM1*85*1*LEE*SAM*Q**JR*XX*1234567893" in body
    assert "NM1*82*2*SOAPBILL MASSAGE CLINIC*****XX*1558598797" in body
    assert not any(s.startswith("PRV*PE") for s in body)
    assert "SV1*HC:97124:GP*120*UN*2*12**1:2" in body


def test_a_rendering_provider_who_is_the_billing_provider_is_not_repeated() -> None:
    text = write([attrs.evolve(EXAMPLE, rendering_provider=CLINIC)])
    assert "~NM1*82*" not in text


# --- determinism and limits -------------------------------------------------------------------


@given(batches(max_lines=2))
def test_the_same_input_gives_the_same_output(claims: list[Claim]) -> None:
    copies = [Claim(**attrs.asdict(c, recurse=False)) for c in claims]
    assert write(claims) == write(copies) == write(list(claims))


def test_at_most_100_claims_under_one_level() -> None:
    claims = [attrs.evolve(EXAMPLE, id=f"C{i}") for i in range(101)]
    dependants = [attrs.evolve(_ready_dependant(), id=f"D{i}") for i in range(101)]
    text = write(claims + dependants)
    assert_valid_837p(text)
    levels = read_back(text)
    counts = [(level.code, level.parent, len(level.claims)) for level in levels.values()]
    assert counts == [
        ("20", "", 0),
        ("22", "1", 100),
        ("22", "1", 1),
        ("22", "1", 0),
        ("23", "4", 100),
        ("23", "4", 1),
    ]


def _ready_dependant() -> Claim:
    return _set(_dependant(EXAMPLE), "coverage.subscriber.address.city", "Olympia")


@given(batches(max_claims=1, max_lines=1))
def test_the_texts_are_what_the_837p_writes(claims: list[Claim]) -> None:
    # Only what the 837P writes: not the rendering or referring provider's
    # address, nor a rendering provider who is the billing provider.
    [claim] = claims
    texts = x12._claim_texts(claim)
    assert {path for path, text, _ in texts if text is not None} <= set(TEXT_PATHS)
    assert not any(
        ".address" in path
        for path, _, _ in texts
        if "ing_provider" in path and not path.startswith("billing")
    )
    same = attrs.evolve(claim, rendering_provider=claim.billing_provider)
    assert not any(path.startswith("rendering") for path, _, _ in x12._claim_texts(same))
    # Without the addresses the 837P requires, the texts still list the rest.
    bare = attrs.evolve(
        claim,
        patient=attrs.evolve(claim.patient, address=None),
        billing_provider=attrs.evolve(claim.billing_provider, address=None),
    )
    # (The pay-to address is written when it is not the billing address.)
    dropped = ("patient.address.", "billing_provider.address.", "pay_to_address.")
    assert [t for t in x12._claim_texts(bare) if not t[0].startswith(dropped)] == [
        t for t in texts if not t[0].startswith(dropped)
    ]


def test_what_the_837p_does_not_write_is_not_checked() -> None:
    address = Address(line1="1 Main*St~", city="Sea:ttle", state="WA", postal_code="98101")
    claim = attrs.evolve(
        EXAMPLE,
        rendering_provider=attrs.evolve(THERAPIST, address=address),
        referring_provider=attrs.evolve(DOCTOR, address=address),
        patient=attrs.evolve(JOHN, id="P*1", phone="5555551234"),
    )
    assert_valid_837p(write([claim]))
    # A rendering provider who is the billing provider is not written either.
    unwritten = PersonName(family="Lee*", given="Sam~")
    same = attrs.evolve(
        EXAMPLE, rendering_provider=attrs.evolve(THERAPIST, npi=CLINIC.npi, name=unwritten)
    )
    assert problems_837p(same) == ()
    assert_valid_837p(write([same]))


# --- spaces at the ends of values -------------------------------------------------------------

_FULL_NAME = PersonName(family="Doe", given="Jane", middle="Q", suffix="Jr")
_SPACED_ADDRESS = Address(
    line1="1 Elm St", line2="Apt 2", city="Olympia", state="WA", postal_code="98501"
)


def _full(*, person_billing: bool) -> Claim:
    """
    A dependant's claim with every free-text value the 837P writes.

    With *person_billing*, the billing provider is a person and the rendering
    provider an organisation; else the other way round.
    """
    claim = _set(_ready_dependant(), "coverage.subscriber.name", _FULL_NAME)
    claim = _set(claim, "coverage.subscriber.address", _SPACED_ADDRESS)
    suite = Address(
        line1="123 Main St", line2="Suite 5", city="Seattle", state="WA", postal_code="981010000"
    )
    billing = attrs.evolve(CLINIC, address=suite, taxonomy="225700000X")
    rendering = attrs.evolve(THERAPIST, name=_FULL_NAME)
    if person_billing:
        billing = attrs.evolve(billing, organization_name=None, name=_FULL_NAME)
        rendering = attrs.evolve(CLINIC, npi=THERAPIST.npi)
    return attrs.evolve(
        claim,
        frequency=ClaimFrequency.REPLACEMENT,
        original_claim_number="ICN123",
        prior_authorization="AUTH9",
        property_casualty_claim_number="PC77",
        patient=attrs.evolve(JOHN, name=_FULL_NAME, address=_SPACED_ADDRESS),
        billing_provider=billing,
        pay_to_address=Address(
            line1="PO Box 12", line2="Dept 4", city="Tacoma", state="WA", postal_code="98401"
        ),
        rendering_provider=rendering,
        referring_provider=attrs.evolve(DOCTOR, name=_FULL_NAME),
    )


FULL = {"organisation": _full(person_billing=False), "person": _full(person_billing=True)}
#: Every free-text value of the full claims, with its minimum length once trimmed.
FULL_FIELDS = [
    pytest.param(name, path, minimum, id=f"{name}-{path}")
    for name, claim in FULL.items()
    for path, text, minimum in x12._claim_texts(claim)
    if text is not None
]


def test_the_full_claims_hold_every_text_path() -> None:
    paths = {path for _, path, _ in (p.values for p in FULL_FIELDS)}
    assert paths == set(TEXT_PATHS)
    for claim in FULL.values():
        assert problems_837p(claim) == ()
        assert_valid_837p(write([claim]))


@pytest.mark.parametrize(("name", "path", "minimum"), FULL_FIELDS)
def test_spaces_at_the_ends_of_a_value_are_not_written(name: str, path: str, minimum: int) -> None:
    # X12 suppresses trailing spaces (pyx12 refuses them, 999 AK9*R); soapbill
    # trims leading ones too. The file is the one of the trimmed claim.
    claim = FULL[name]
    text: str = _get(claim, path)
    spaced = _set(claim, path, f"  {text}   ")
    assert problems_837p(spaced) == ()
    assert write([EXAMPLE, spaced]) == write([EXAMPLE, claim])
    del minimum


@pytest.mark.parametrize(("name", "path", "minimum"), FULL_FIELDS)
def test_a_value_of_spaces_only(name: str, path: str, minimum: int) -> None:
    # An optional value of spaces only is left out; a required one is refused.
    claim = FULL[name]
    blank = _set(claim, path, "   ")
    if minimum == 0:
        assert problems_837p(blank) == ()
        assert write([blank]) == write([_set(claim, path, None)])
        return
    with pytest.raises(ValidationError) as info:
        write([EXAMPLE, blank])
    assert [(d.path, d.code) for d in info.value.errors] == [(f"claims[1].{path}", "too_short")]
    assert [(d.path, d.code) for d in problems_837p(blank)] == [(path, "too_short")]


@pytest.mark.parametrize(
    "path", ["patient.address.city", "coverage.member_id", "coverage.payer.id"]
)
def test_two_character_values_count_without_their_spaces(path: str) -> None:
    # N401 and NM109 are 2 characters at least: " X " has one.
    with pytest.raises(ValidationError) as info:
        write([_set(EXAMPLE, path, " X ")])
    assert [(d.path, d.code) for d in info.value.errors] == [(f"claims[0].{path}", "too_short")]
    assert_valid_837p(write([_set(EXAMPLE, path, " XY ")]))


def test_runs_of_spaces_inside_a_value_are_written() -> None:
    claim = _set(EXAMPLE, "patient.name.family", "Van  der   Berg")
    text = write([claim])
    assert "*VAN  DER   BERG*" in text
    assert_valid_837p(text)


ENVELOPE_FIELDS = [
    ("submitter", "name"),
    ("submitter", "id"),
    ("submitter", "contact_name"),
    ("submitter", "email"),
    ("receiver", "name"),
    ("receiver", "id"),
]
_PARTIES: dict[str, Any] = {
    "submitter": attrs.evolve(SUBMITTER, email="jane@example.com"),
    "receiver": RECEIVER,
}


@pytest.mark.parametrize(("party", "field"), ENVELOPE_FIELDS)
def test_spaces_around_the_envelope_values_are_not_written(party: str, field: str) -> None:
    value: str = getattr(_PARTIES[party], field)
    spaced = {party: attrs.evolve(_PARTIES[party], **{field: f" {value}  "})}
    text = write([EXAMPLE], **{**_PARTIES, **spaced})
    assert text == write([EXAMPLE], **_PARTIES)
    assert_valid_837p(text)


@pytest.mark.parametrize(
    ("party", "changes", "expected"),
    [
        ("submitter", {"name": "  "}, [("submitter.name", "too_short")]),
        ("submitter", {"id": " S "}, [("submitter.id", "too_short")]),
        ("submitter", {"contact_name": " "}, [("submitter.contact_name", "too_short")]),
        # An e-mail of spaces is left out beside a phone; alone, it is refused.
        ("submitter", {"email": "  ", "phone": None}, [("submitter.email", "too_short")]),
        ("receiver", {"name": "  "}, [("receiver.name", "too_short")]),
        ("receiver", {"id": "  R"}, [("receiver.id", "too_short")]),
    ],
)
def test_envelope_values_of_spaces_only_are_refused(
    party: str, changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    options = {party: attrs.evolve(_PARTIES[party], **changes)}
    with pytest.raises(ValidationError) as info:
        write([EXAMPLE], **options)
    assert [(d.path, d.code) for d in info.value.errors] == expected


def test_an_email_of_spaces_beside_a_phone_is_left_out() -> None:
    submitter = attrs.evolve(SUBMITTER, email="   ")
    assert write([EXAMPLE], submitter=submitter) == write([EXAMPLE])


# --- dates --------------------------------------------------------------------------------------

#: Where the 837P writes a date of the claim: DMG02, DTP03 of DTP*472 and DTP*439.
DATE_PATHS = ["patient.birth_date", "lines[1].date_of_service", "related_causes.accident_date"]


def _dated(path: str, day: date) -> Claim:
    if path == "lines[1].date_of_service":
        line = attrs.evolve(EXAMPLE.lines[1], date_of_service=day)
        return attrs.evolve(EXAMPLE, lines=(EXAMPLE.lines[0], line))
    if path == "related_causes.accident_date":
        return attrs.evolve(
            EXAMPLE, related_causes=RelatedCauses(other_accident=True, accident_date=day)
        )
    return _set(EXAMPLE, path, day)


@pytest.mark.parametrize("path", DATE_PATHS)
@pytest.mark.parametrize("day", [date.min, date(1000, 6, 1), date(1799, 12, 31)], ids=str)
def test_a_date_before_1800_is_refused(path: str, day: date) -> None:
    # pyx12 refuses a date before 1800-01-01 (00010101 is no real CCYYMMDD date).
    claim = _dated(path, day)
    with pytest.raises(ValidationError) as info:
        write([claim])
    assert [(d.path, d.code) for d in info.value.errors] == [(f"claims[0].{path}", "out_of_range")]
    assert [(d.path, d.code) for d in problems_837p(claim)] == [(path, "out_of_range")]


@pytest.mark.parametrize("path", DATE_PATHS)
@pytest.mark.parametrize("day", [date(1800, 1, 1), date(9999, 12, 31)], ids=str)
def test_dates_from_1800_to_9999_are_written(path: str, day: date) -> None:
    claim = _dated(path, day)
    assert problems_837p(claim) == ()
    text = write([claim])
    assert f"*D8*{day:%Y%m%d}" in text
    assert_valid_837p(text)


@pytest.mark.parametrize(
    "created",
    [
        datetime(1800, 1, 1, tzinfo=UTC),
        datetime(2099, 12, 31, 23, 59, tzinfo=UTC),
        datetime(9999, 12, 31, tzinfo=UTC),
    ],
)
def test_creation_dates_from_1800_on_are_written(created: datetime) -> None:
    text = write([EXAMPLE], created=created)
    assert f"*{created:%Y%m%d}*{created:%H%M}*" in text
    assert_valid_837p(text)


# --- every problem at once ---------------------------------------------------------------------

_SENTINEL = "Zq*Secret"


def _broken() -> Claim:
    lines = (attrs.evolve(EXAMPLE.lines[0], date_of_service=date(1, 1, 1)), EXAMPLE.lines[1])
    return attrs.evolve(
        EXAMPLE,
        billing_provider=attrs.evolve(CLINIC, address=None, tax_id=None),
        patient=attrs.evolve(
            JOHN, address=None, name=PersonName(family=_SENTINEL, given="  ", middle=" ")
        ),
        coverage=attrs.evolve(SELF_COVERAGE, member_id=" 1 "),
        related_causes=RelatedCauses(
            employment=True, auto_accident=True, accident_state="WA", other_accident=True
        ),
        lines=lines,
    )


def test_problems_837p_lists_every_problem_of_a_claim() -> None:
    assert [(d.path, d.code) for d in problems_837p(_broken())] == [
        ("billing_provider.address", "required"),
        ("billing_provider.tax_id", "required"),
        ("patient.address", "required"),
        ("related_causes", "too_many"),
        ("related_causes.accident_date", "required"),
        ("coverage.member_id", "too_short"),
        ("patient.name.family", "x12_separator"),
        ("patient.name.given", "too_short"),
        ("lines[0].date_of_service", "out_of_range"),
    ]
    assert problems_837p(EXAMPLE) == ()


def test_write_837p_reports_every_problem_at_once() -> None:
    broken = _broken()
    submitter = attrs.evolve(SUBMITTER, contact_name="Jane~Doe")
    receiver = Receiver(name="  ", id="RECEIVERID")
    with pytest.raises(ValidationError) as info:
        write([EXAMPLE, broken, EXAMPLE, broken], submitter=submitter, receiver=receiver)
    errors = info.value.errors
    assert [(d.path, d.code) for d in errors[:2]] == [
        ("submitter.contact_name", "x12_separator"),
        ("receiver.name", "too_short"),
    ]
    problems = problems_837p(broken)
    assert errors[2:] == tuple(
        detail.prefixed(f"claims[{i}]") for i in (1, 3) for detail in problems
    )
    for shown in (str(info.value), repr(info.value), repr(info.value.args)):
        assert _SENTINEL not in shown
        assert "Jane~Doe" not in shown


def test_problems_837p_wants_a_claim() -> None:
    with pytest.raises(ValidationError) as info:
        problems_837p(JOHN)  # type: ignore[arg-type]
    assert [(d.path, d.code) for d in info.value.errors] == [("claim", "invalid_type")]


def test_problems_837p_checks_the_default_separators() -> None:
    # With other separators, write_837p checks against those.
    claim = _set(EXAMPLE, "patient.name.family", "O|NEIL")
    assert problems_837p(claim) == ()
    bars = X12Separators(element="|", component=">", repetition="!", segment="'")
    with pytest.raises(ValidationError) as info:
        write([claim], separators=bars)
    assert [(d.path, d.code) for d in info.value.errors] == [
        ("claims[0].patient.name.family", "x12_separator")
    ]


# --- hostile values -----------------------------------------------------------------------------

#: Letters, digits, the space and every punctuation of the extended character
#: set that is not a default separator; spaces weigh more, so that runs of them
#: and values of spaces only come up.
_HOSTILE_CHARS = "".join(ch for ch in _x12._EXTENDED if ch not in "*:^~") + " " * 10
#: Edge dates: what X12 cannot carry as a real date, and its first and last days.
_EDGE_DATES = st.sampled_from(
    [date.min, date(1799, 12, 31), date(1800, 1, 1), date(2000, 2, 29), date(9999, 12, 31)]
)


def _max_len(obj: Any, path: str) -> int:
    *parents, last = path.split(".")
    for part in parents:
        obj = getattr(obj, part)
    limit: int = attrs.fields_dict(type(obj))[last].metadata["soapbill"]["max_len"]
    return limit


def _hostile(max_len: int, min_len: int = 1) -> st.SearchStrategy[str]:
    body = st.text(st.sampled_from(_HOSTILE_CHARS), min_size=min_len, max_size=max_len)
    padded = st.builds(
        lambda before, text, after: (" " * before + text + " " * after)[:max_len],
        st.integers(0, 3),
        body,
        st.integers(0, 3),
    )
    return st.one_of(
        padded,
        st.sampled_from([" " * max_len, "!" * max_len, _HOSTILE_CHARS[:max_len]]),
    )


def _hostile_claim(data: st.DataObject, claim: Claim) -> Claim:
    # Every value the 837P writes, and the optional ones not given (an
    # original claim replaces no claim number).
    paths = [
        path
        for path, text, _ in x12._claim_texts(claim)
        if text is not None or path != "original_claim_number"
    ]
    for path in data.draw(st.lists(st.sampled_from(paths), unique=True, max_size=len(paths))):
        claim = _set(claim, path, data.draw(_hostile(_max_len(claim, path))))
    if data.draw(st.booleans()):
        claim = _set(claim, "patient.birth_date", data.draw(_EDGE_DATES))
    if data.draw(st.booleans()):
        k = data.draw(st.integers(0, len(claim.lines) - 1))
        line = attrs.evolve(claim.lines[k], date_of_service=data.draw(_EDGE_DATES))
        claim = attrs.evolve(claim, lines=(*claim.lines[:k], line, *claim.lines[k + 1 :]))
    if claim.related_causes is not None and data.draw(st.booleans()):
        claim = _set(claim, "related_causes.accident_date", data.draw(_EDGE_DATES))
    return claim


def _hostile_party(data: st.DataObject, party: Any) -> Any:
    for field in attrs.fields(type(party)):
        rules = field.metadata.get("soapbill", {})
        limit = rules.get("max_len")
        if (
            limit is not None
            and getattr(party, field.name) is not None
            and data.draw(st.booleans())
        ):
            hostile = _hostile(limit, rules.get("min_len") or 1)
            party = attrs.evolve(party, **{field.name: data.draw(hostile)})
    return party


@given(sbst.claims(submittable=True, max_lines=3), st.data())
def test_hostile_values_are_written_well_formed_or_refused(
    claim: Claim, data: st.DataObject
) -> None:
    # Spaces at the ends, runs of spaces, every allowed punctuation, the
    # shortest and longest values, dates of years 0001 and 9999: whatever
    # write_837p returns, pyx12 accepts; whatever it refuses, problems_837p
    # and the envelope's paths name.
    claim = _hostile_claim(data, claim)
    submitter = _hostile_party(data, attrs.evolve(SUBMITTER, email="jane@example.com"))
    receiver = _hostile_party(data, RECEIVER)
    created = data.draw(
        st.sampled_from(
            [datetime(1800, 1, 1, tzinfo=UTC), CREATED, datetime(9999, 12, 31, tzinfo=UTC)]
        )
    )
    problems = [detail.prefixed("claims[0]") for detail in problems_837p(claim)]
    text, errors = _attempt([claim], submitter=submitter, receiver=receiver, created=created)
    envelope = [d for d in errors if not d.path.startswith("claims[")]
    assert [d for d in errors if d not in envelope] == problems
    assert all(d.path.startswith(("submitter.", "receiver.")) for d in envelope)
    assert (text is None) == bool(errors)
    event("refused" if text is None else "written")
    if text is not None:
        assert_valid_837p(text)
