from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given

from soapbill import (
    Address,
    Attachment,
    AttachmentKind,
    Claim,
    ClaimFrequency,
    Coverage,
    CptCode,
    Credential,
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
from soapbill.formats.cms1500 import (
    BOX_KEYS,
    LINES_PER_PAGE,
    PROGRAMS,
    cms1500_pages,
    render_cms1500_text,
)
from text_support import controls, hostile_claims

CLINIC = Provider(
    npi=Npi("1234567893"),
    organization_name="Soapbill Massage Clinic",
    tax_id=TaxId("123456789"),
    taxonomy="225700000X",
    phone="5555550100",
    address=Address(line1="123 Main St", city="Seattle", state="WA", postal_code="981010000"),
)
THERAPIST = Provider(
    npi=Npi("1528060837"),
    name=PersonName(family="Lee", given="Sam"),
    credential=Credential.LMT,
    taxonomy="225700000X",
)
DOCTOR = Provider(
    npi=Npi("1558598797"),
    name=PersonName(family="Smith", given="Alice", middle="Beth"),
    credential=Credential.MD,
)
JOHN = Patient(
    id="P1",
    name=PersonName(family="Doe", given="John", middle="Quincy", suffix="Jr"),
    birth_date=date(1980, 1, 2),
    sex=Sex.MALE,
    address=Address(
        line1="456 Oak Ave", line2="Apt 3", city="Seattle", state="WA", postal_code="98102"
    ),
    phone="5555551234",
)
DAY = date(2024, 1, 15)
EXAMPLE = Claim(
    id="PCN0001",
    patient=JOHN,
    coverage=Coverage(
        payer=Payer(id="PAYER01", name="Example Payer"),
        member_id="MEMBER123",
        group_number="GRP001",
        plan_type=PlanType.COMMERCIAL,
    ),
    billing_provider=CLINIC,
    rendering_provider=THERAPIST,
    referring_provider=DOCTOR,
    diagnoses=(DiagnosisCode("M54.50"), DiagnosisCode("M62.830")),
    lines=(
        ServiceLine(
            code=CptCode("97124"),
            modifiers=(Modifier("GP"), Modifier("59")),
            units=2,
            charge=Decimal("120.00"),
            date_of_service=DAY,
            diagnosis_pointers=(2, 1),
        ),
        ServiceLine(
            code=CptCode("97010"),
            units=1,
            charge=Decimal("25.5"),
            date_of_service=date(2024, 1, 16),
            diagnosis_pointers=(1,),
            place_of_service=PlaceOfService("12"),
        ),
    ),
    attachments=(
        Attachment(kind=AttachmentKind.SOAP_NOTE, id="NOTE1"),
        Attachment(kind=AttachmentKind.PRESCRIPTION, id="RX1", transmission=Transmission.FAX),
    ),
    prior_authorization="AUTH9",
)


# --- the boxes of one claim, by the NUCC instructions ------------------------------------

EXPECTED = {
    "carrier": "EXAMPLE PAYER",
    # Box 1: program check box; 1a the insured's id as on the card.
    "1": "GROUP HEALTH PLAN",
    "1.group_health_plan": "X",
    "1.medicare": "",
    "1a": "MEMBER123",
    # Box 2: last (suffix), first, middle initial; box 3 eight-digit birth date.
    "2": "DOE JR, JOHN, Q",
    "3": "01 02 1980",
    "3.male": "X",
    "3.female": "",
    "4": "DOE JR, JOHN, Q",
    "5": "456 OAK AVE APT 3",
    "5.city": "SEATTLE",
    "5.state": "WA",
    "5.zip": "98102",
    "5.phone": "5555551234",
    "6": "SELF",
    "6.self": "X",
    "6.spouse": "",
    "7": "456 OAK AVE APT 3",
    "9": "",
    "10a": "NO",
    "10a.yes": "",
    "10a.no": "X",
    "10b.no": "X",
    "10c.no": "X",
    "11": "GRP001",
    "11a": "01 02 1980",
    "11a.male": "X",
    "11b": "",
    "11c": "EXAMPLE PAYER",
    "12": "SIGNATURE ON FILE",
    "13": "SIGNATURE ON FILE",
    "14": "",
    # Box 17: qualifier DN, first name, middle initial, last name, credential.
    "17.qualifier": "DN",
    "17": "ALICE B SMITH MD",
    "17a": "",
    "17b": "1558598797",
    # Box 19: PWK, report type, transmission, control number (none for a
    # document available on request, the default transmission AA).
    "19": "PWK09AA   PWKB2FXRX1",
    # Box 21: ICD-10 indicator 0, codes without the dot.
    "21.ICD": "0",
    "21.A": "M5450",
    "21.B": "M62830",
    "21.C": "",
    "22": "",
    "22.original": "",
    "23": "AUTH9",
    # Box 24: dates MM DD YY, letters for pointers, dollars and cents.
    "24A.1": "01 15 24",
    "24A.1.to": "01 15 24",
    "24B.1": "11",
    "24D.1": "97124",
    "24D.1.modifier1": "GP",
    "24D.1.modifier2": "59",
    "24D.1.modifier3": "",
    "24E.1": "BA",
    "24F.1": "120.00",
    "24G.1": "2",
    "24I.1": "ZZ",
    "24J.1": "1528060837",
    "24J.1.other": "225700000X",
    "24A.2": "01 16 24",
    "24B.2": "12",
    "24E.2": "A",
    "24F.2": "25.50",
    "24A.3": "",
    "24J.3": "",
    "25": "123456789",
    "25.ein": "X",
    "25.ssn": "",
    "26": "PCN0001",
    "27": "YES",
    "27.yes": "X",
    "28": "145.50",
    "29": "",
    "31": "SIGNATURE ON FILE",
    # Box 31: the date the form is signed, by default the last date of service.
    "31.date": "01 16 24",
    "32": "",
    "33": "SOAPBILL MASSAGE CLINIC",
    "33.street": "123 MAIN ST",
    "33.city_state_zip": "SEATTLE WA 981010000",
    "33.phone": "5555550100",
    "33a": "1234567893",
    "33b": "ZZ225700000X",
}


@pytest.mark.parametrize(("key", "expected"), EXPECTED.items(), ids=list(EXPECTED))
def test_the_boxes_of_a_claim(key: str, expected: str) -> None:
    [page] = cms1500_pages(EXAMPLE)
    assert page[key] == expected


def _dependant(claim: Claim, relationship: Relationship) -> Claim:
    subscriber = Subscriber(
        name=PersonName(family="Doe", given="Jane"),
        birth_date=date(1978, 5, 6),
        sex=Sex.FEMALE,
        address=Address(line1="1 Elm St", city="Olympia", state="WA", postal_code="98501"),
    )
    coverage = attrs.evolve(claim.coverage, relationship=relationship, subscriber=subscriber)
    return attrs.evolve(claim, coverage=coverage)


@pytest.mark.parametrize(
    ("relationship", "box"),
    [(Relationship.SPOUSE, "6.spouse"), (Relationship.CHILD, "6.child"),
     (Relationship.OTHER, "6.other")],
)  # fmt: skip
def test_the_insured_when_not_the_patient(relationship: Relationship, box: str) -> None:
    [page] = cms1500_pages(_dependant(EXAMPLE, relationship))
    assert page[box] == "X"
    assert page["6.self"] == ""
    assert page["4"] == "DOE, JANE"
    assert (page["7"], page["7.city"], page["7.zip"], page["7.phone"]) == (
        "1 ELM ST", "OLYMPIA", "98501", "",
    )  # fmt: skip
    assert (page["11a"], page["11a.female"], page["11a.male"]) == ("05 06 1978", "X", "")
    assert page["2"] == "DOE JR, JOHN, Q"


def test_replacement_void_and_related_causes() -> None:
    claim = attrs.evolve(
        EXAMPLE,
        frequency=ClaimFrequency.VOID,
        original_claim_number="ICN77",
        related_causes=RelatedCauses(
            employment=True, auto_accident=True, accident_state="OR", accident_date=date(2024, 1, 2)
        ),
        property_casualty_claim_number="PC1",
        provider_signature_on_file=False,
        accepts_assignment=False,
        assignment_of_benefits=False,
        release_of_information=False,
        rendering_provider=CLINIC,
        billing_provider=attrs.evolve(CLINIC, tax_id=None, taxonomy=None, address=None),
    )
    [page] = cms1500_pages(claim)
    assert (page["22"], page["22.original"]) == ("8", "ICN77")
    assert (page["10a"], page["10a.yes"], page["10b.yes"], page["10b.state"]) == (
        "YES", "X", "X", "OR",
    )  # fmt: skip
    assert (page["10c"], page["10c.no"]) == ("NO", "X")
    # An auto accident's date is the accident date, item 15 qualifier 439.
    assert (page["14"], page["14.qualifier"]) == ("", "")
    assert (page["15"], page["15.qualifier"]) == ("01 02 24", "439")
    assert (page["11b.qualifier"], page["11b"]) == ("Y4", "PC1")
    assert page["12"] == page["13"] == page["31"] == page["31.date"] == ""
    assert (page["27"], page["27.no"], page["27.yes"]) == ("NO", "X", "")
    # The rendering provider is the billing provider: 24J stays blank.
    assert page["24J.1"] == page["24I.1"] == page["24J.1.other"] == ""
    assert page["25"] == page["25.ein"] == page["33.street"] == page["33b"] == ""
    replacement = attrs.evolve(
        EXAMPLE, frequency=ClaimFrequency.REPLACEMENT, original_claim_number="ICN78"
    )
    assert cms1500_pages(replacement)[0]["22"] == "7"


# --- assignment, signature date, tax id kind ------------------------------------------------


@pytest.mark.parametrize(
    ("accepts", "assigns", "box_27", "box_13"),
    [
        pytest.param(True, True, "YES", "SIGNATURE ON FILE", id="both"),
        pytest.param(True, False, "YES", "", id="accepts-but-not-assigned"),
        pytest.param(False, True, "NO", "SIGNATURE ON FILE", id="assigned-but-not-accepted"),
        pytest.param(False, False, "NO", "", id="neither"),
    ],
)
def test_box_27_is_the_providers_acceptance_and_box_13_the_insureds_assignment(
    accepts: bool,
    assigns: bool,
    box_27: str,
    box_13: str,
) -> None:
    claim = attrs.evolve(EXAMPLE, accepts_assignment=accepts, assignment_of_benefits=assigns)
    [page] = cms1500_pages(claim)
    assert (page["27"], page["27.yes"], page["27.no"]) == (box_27, *_yes_no_boxes(box_27))
    assert page["13"] == box_13


def _yes_no_boxes(answer: str) -> tuple[str, str]:
    return ("X", "") if answer == "YES" else ("", "X")


def test_box_31_is_dated() -> None:
    # By default the last date of service, the earliest day the form can be signed.
    [page] = cms1500_pages(EXAMPLE)
    assert (page["31"], page["31.date"]) == ("SIGNATURE ON FILE", "01 16 24")
    [page] = cms1500_pages(EXAMPLE, signed_on=date(2024, 2, 3))
    assert page["31.date"] == "02 03 24"
    assert "SIGNATURE ON FILE  02 03 24" in render_cms1500_text(EXAMPLE, signed_on=date(2024, 2, 3))
    with pytest.raises(ValidationError) as info:
        cms1500_pages(EXAMPLE, signed_on="2024-02-03")  # type: ignore[arg-type]
    assert info.value.errors[0].path == "signed_on"


def test_box_25_checks_ssn_for_a_social_security_number() -> None:
    clinic = attrs.evolve(CLINIC, tax_id=TaxId("123-45-6789"))
    [page] = cms1500_pages(attrs.evolve(EXAMPLE, billing_provider=clinic))
    assert (page["25"], page["25.ssn"], page["25.ein"]) == ("123456789", "X", "")


# --- items 14 and 15: the 837P's dates, by the NUCC qualifiers -------------------------------


@pytest.mark.parametrize(
    ("changes", "box_14", "box_15"),
    [
        # A work injury alone: its date is the onset (837P DTP*431), item 14.
        pytest.param(
            {"related_causes": RelatedCauses(employment=True, accident_date=date(2024, 1, 2))},
            ("01 02 24", "431"),
            ("", ""),
            id="work-injury-onset",
        ),
        # An accident: the accident date (DTP*439), item 15.
        pytest.param(
            {"related_causes": RelatedCauses(other_accident=True, accident_date=date(2024, 1, 2))},
            ("", ""),
            ("01 02 24", "439"),
            id="accident",
        ),
        pytest.param(
            {"initial_treatment_date": date(2023, 12, 1)},
            ("", ""),
            ("12 01 23", "454"),
            id="initial-treatment",
        ),
        pytest.param(
            {"first_contact_date": date(2023, 12, 5), "property_casualty_claim_number": "PC1"},
            ("", ""),
            ("12 05 23", "444"),
            id="first-contact",
        ),
        # Item 15 holds one date: the accident, then the initial treatment.
        pytest.param(
            {
                "related_causes": RelatedCauses(
                    auto_accident=True, accident_state="WA", accident_date=date(2024, 1, 2)
                ),
                "initial_treatment_date": date(2023, 12, 1),
                "first_contact_date": date(2023, 12, 5),
            },
            ("", ""),
            ("01 02 24", "439"),
            id="accident-first",
        ),
        pytest.param(
            {"initial_treatment_date": date(2023, 12, 1), "first_contact_date": date(2023, 12, 5)},
            ("", ""),
            ("12 01 23", "454"),
            id="initial-treatment-before-first-contact",
        ),
        pytest.param(
            {
                "related_causes": RelatedCauses(employment=True, accident_date=date(2024, 1, 2)),
                "initial_treatment_date": date(2023, 12, 1),
            },
            ("01 02 24", "431"),
            ("12 01 23", "454"),
            id="onset-and-initial-treatment",
        ),
    ],
)
def test_items_14_and_15(
    changes: dict[str, Any], box_14: tuple[str, str], box_15: tuple[str, str]
) -> None:
    [page] = cms1500_pages(attrs.evolve(EXAMPLE, **changes))
    assert (page["14"], page["14.qualifier"]) == box_14
    assert (page["15"], page["15.qualifier"]) == box_15


# --- Medicare's paper rules (CMS Pub. 100-04, Ch. 26) ------------------------------------------

MEDICARE = attrs.evolve(
    EXAMPLE,
    coverage=attrs.evolve(EXAMPLE.coverage, plan_type=PlanType.MEDICARE_PART_B),
    property_casualty_claim_number="PC1",
)


def test_medicare_primary_says_none_in_item_11_and_leaves_the_insured_blank() -> None:
    [page] = cms1500_pages(MEDICARE)
    assert page["11"] == "NONE"
    blank = ["4", "6", "7", "7.city", "7.state", "7.zip", "7.phone", "11a", "11b", "11c"]
    blank += ["6.self", "6.spouse", "6.child", "6.other", "11a.male", "11a.female"]
    blank += ["11b.qualifier"]
    assert {box: page[box] for box in blank} == dict.fromkeys(blank, "")
    # The patient's own boxes are filled as for any payer.
    assert (page["1a"], page["2"], page["5"]) == (
        "MEMBER123",
        "DOE JR, JOHN, Q",
        "456 OAK AVE APT 3",
    )
    # Other payers fill the insured's boxes.
    [page] = cms1500_pages(EXAMPLE)
    assert (page["11"], page["4"], page["6"]) == ("GRP001", "DOE JR, JOHN, Q", "SELF")


def test_medicare_wants_item_32_except_at_home() -> None:
    # EXAMPLE's lines are at the office (11) and at home (12).
    [page] = cms1500_pages(MEDICARE)
    assert (page["32"], page["32.street"], page["32.city_state_zip"]) == (
        "SOAPBILL MASSAGE CLINIC",
        "123 MAIN ST",
        "SEATTLE WA 981010000",
    )
    home = attrs.evolve(
        MEDICARE,
        place_of_service=PlaceOfService("12"),
        lines=tuple(attrs.evolve(line, place_of_service=None) for line in MEDICARE.lines),
    )
    [page] = cms1500_pages(home)
    assert page["32"] == page["32.street"] == page["32.city_state_zip"] == ""
    # Other payers: item 32 stays blank (the services were given at the billing address).
    [page] = cms1500_pages(EXAMPLE)
    assert page["32"] == ""


def test_people_and_addresses_may_be_missing() -> None:
    claim = attrs.evolve(
        _dependant(EXAMPLE, Relationship.CHILD),
        patient=attrs.evolve(JOHN, address=None, phone=None, sex=Sex.UNKNOWN),
        referring_provider=None,
        rendering_provider=attrs.evolve(THERAPIST, taxonomy=None),
        billing_provider=attrs.evolve(
            CLINIC,
            organization_name=None,
            name=PersonName(family="Lee", given="Sam"),
            credential=Credential.LMT,
        ),
    )
    claim = attrs.evolve(
        claim,
        coverage=attrs.evolve(
            claim.coverage,
            subscriber=attrs.evolve(claim.coverage.subscriber, address=None),  # type: ignore[misc]
        ),
    )
    [page] = cms1500_pages(claim)
    assert page["5"] == page["5.city"] == page["5.phone"] == page["7"] == ""
    assert page["3.male"] == page["3.female"] == ""
    assert page["17"] == page["17.qualifier"] == page["17b"] == ""
    assert (page["24J.1"], page["24I.1"], page["24J.1.other"]) == ("1528060837", "", "")
    assert page["33"] == "SAM LEE LMT"


@pytest.mark.parametrize(("plan", "box"), PROGRAMS.items(), ids=[p.value for p in PROGRAMS])
def test_box_1_follows_the_plan_type(plan: PlanType, box: str) -> None:
    claim = attrs.evolve(EXAMPLE, coverage=attrs.evolve(EXAMPLE.coverage, plan_type=plan))
    [page] = cms1500_pages(claim)
    checked = [key for key in BOX_KEYS if key.startswith("1.") and page[key]]
    assert checked == [f"1.{box}"]


def test_code_tables_can_be_replaced() -> None:
    [page] = cms1500_pages(
        EXAMPLE,
        programs={**PROGRAMS, PlanType.COMMERCIAL: "champva"},
        report_type_codes={
            AttachmentKind.SOAP_NOTE: "PN",
            AttachmentKind.PRESCRIPTION: "B2",
            AttachmentKind.PLAN_OF_CARE: "08",
        },
    )
    assert (page["1"], page["1.champva"]) == ("CHAMPVA", "X")
    assert page["19"].startswith("PWKPNAA   ")


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"programs": {**PROGRAMS, PlanType.COMMERCIAL: "bogus"}}, "programs[commercial]"),
        ({"programs": {}}, "programs[commercial]"),
        ({"report_type_codes": {}}, "report_type_codes[soap_note]"),
    ],
)
def test_bad_code_tables_are_refused(kwargs: dict[str, object], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        cms1500_pages(EXAMPLE, **kwargs)  # type: ignore[arg-type]
    assert [d.path for d in info.value.errors] == [path]
    with pytest.raises(ValidationError):
        render_cms1500_text(EXAMPLE, **kwargs)  # type: ignore[arg-type]


def test_only_claims_are_rendered() -> None:
    with pytest.raises(ValidationError) as info:
        cms1500_pages(JOHN)  # type: ignore[arg-type]
    assert info.value.errors[0].path == "claim"


# --- properties of every claim -----------------------------------------------------------

_DATE6 = re.compile(r"[0-9]{2} [0-9]{2} [0-9]{2}").fullmatch
_DATE8 = re.compile(r"[0-9]{2} [0-9]{2} [0-9]{4}").fullmatch
_MONEY = re.compile(r"[0-9]+\.[0-9]{2}").fullmatch
_CHECK_BOX = re.compile(r"(1|3|6|10[abc]|11a|11d|20|25|27)\.(?!state|charges|date).+").fullmatch
_CHECK_BOXES = [key for key in BOX_KEYS if _CHECK_BOX(key)]


@given(sbst.claims(max_lines=13))
def test_every_page_has_every_box(claim: Claim) -> None:
    pages = cms1500_pages(claim)
    assert len(pages) == -(-len(claim.lines) // LINES_PER_PAGE)
    for page in pages:
        assert tuple(page) == BOX_KEYS
        assert all(isinstance(value, str) for value in page.values())
        assert all(page[key] in ("X", "") for key in _CHECK_BOXES)
        # Everything but boxes 24 and 28 is the same on every page.
        same = {k: v for k, v in page.items() if not k.startswith(("24", "28"))}
        assert same == {k: v for k, v in pages[0].items() if not k.startswith(("24", "28"))}


@given(sbst.claims(max_lines=13))
def test_lines_pages_and_totals(claim: Claim) -> None:
    pages = cms1500_pages(claim)
    total = Decimal(0)
    read = []
    for page in pages:
        on_page = [n for n in range(1, LINES_PER_PAGE + 1) if page[f"24A.{n}"]]
        # Lines fill a page from the top; every page but the last is full.
        assert on_page == list(range(1, len(on_page) + 1))
        assert on_page
        assert _MONEY(page["28"])
        assert Decimal(page["28"]) == sum(Decimal(page[f"24F.{n}"]) for n in on_page)
        total += Decimal(page["28"])
        for n in on_page:
            assert _DATE6(page[f"24A.{n}"])
            assert page[f"24A.{n}"] == page[f"24A.{n}.to"]
            assert _MONEY(page[f"24F.{n}"])
            letters = page[f"24E.{n}"]
            assert 1 <= len(letters) <= 4
            assert all(page[f"21.{letter}"] for letter in letters)
            read.append(
                (
                    page[f"24D.{n}"],
                    tuple(m for k in range(1, 5) if (m := page[f"24D.{n}.modifier{k}"])),
                    int(page[f"24G.{n}"]),
                    Decimal(page[f"24F.{n}"]),
                    tuple("ABCDEFGHIJKL".index(letter) + 1 for letter in letters),
                    page[f"24B.{n}"],
                )
            )
    assert total == claim.total_charge
    assert read == [
        (
            line.code.value,
            tuple(m.value for m in line.modifiers),
            line.units,
            line.charge,
            line.diagnosis_pointers,
            (line.place_of_service or claim.place_of_service).value,
        )
        for line in claim.lines
    ]


@given(sbst.claims(max_lines=2))
def test_diagnoses_dates_and_resubmission(claim: Claim) -> None:
    [page, *_] = cms1500_pages(claim)
    letters = "ABCDEFGHIJKL"
    assert page["21.ICD"] == "0"
    codes = [page[f"21.{letter}"] for letter in letters]
    assert codes == [d.compact for d in claim.diagnoses] + [""] * (12 - len(claim.diagnoses))
    assert not any("." in code for code in codes)
    assert _DATE8(page["3"])
    medicare = claim.coverage.plan_type is PlanType.MEDICARE_PART_B
    # With Medicare primary, the insured's boxes stay blank (Pub. 100-04, Ch. 26).
    assert bool(_DATE8(page["11a"])) is not medicare
    if claim.frequency is ClaimFrequency.ORIGINAL:
        assert page["22"] == page["22.original"] == ""
    else:
        assert page["22"] in ("7", "8")
        assert page["22.original"] == claim.original_claim_number
    for box in ("6", "10a", "10b", "10c", "27"):
        options = [key for key in BOX_KEYS if key.startswith(f"{box}.") and key in _CHECK_BOXES]
        assert sum(1 for key in options if page[key]) == (0 if medicare and box == "6" else 1), box
    assert sum(1 for key in BOX_KEYS if key.startswith("1.") and page[key]) == 1


@given(sbst.claims(max_lines=13))
def test_the_text_shows_every_filled_box(claim: Claim) -> None:
    text = render_cms1500_text(claim)
    pages = cms1500_pages(claim)
    chunks = text.split("=" * 100 + "\nHEALTH INSURANCE CLAIM FORM")[1:]
    assert len(chunks) == len(pages)
    assert text.endswith("\n")
    for number, (page, chunk) in enumerate(zip(pages, chunks, strict=True), 1):
        assert f"PAGE {number} OF {len(pages)}" in chunk
        for key, value in page.items():
            if value and value != "X":
                assert value in chunk, key


def test_the_text_layout() -> None:
    text = render_cms1500_text(attrs.evolve(EXAMPLE, lines=EXAMPLE.lines * 4))
    lines = text.splitlines()
    assert lines[1].startswith("HEALTH INSURANCE CLAIM FORM")
    assert lines[1].endswith("PAGE 1 OF 2")
    assert len(lines[1]) == 100
    assert "2     PATIENT'S NAME                      DOE JR, JOHN, Q" in lines
    heading = next(line for line in lines if line.startswith("24 "))
    first = lines[lines.index(heading) + 1]
    # The line's cells sit under their headings.
    assert first.index("97124") == heading.index("D CODE")
    assert first.index("BA") == heading.index("E PTR")
    assert first.index("120.00") + len("120.00") == heading.index("F CHARGES") + len("F CHARGES")
    assert first.index("1528060837") == heading.index("J NPI")
    assert text.count("PAGE 2 OF 2") == 1


# --- hostile text ----------------------------------------------------------------------

FAKE_TOTAL = "DOE\n28    TOTAL CHARGE                        0.00\x1b[2J\u2028\x00"


def test_a_name_adds_no_line_and_no_escape() -> None:
    claim = attrs.evolve(
        EXAMPLE, patient=attrs.evolve(JOHN, name=PersonName(family=FAKE_TOTAL, given="John"))
    )
    text = render_cms1500_text(claim)
    assert controls(text) == {"\n"}
    assert text.count("\n") == render_cms1500_text(EXAMPLE).count("\n")
    assert [line for line in text.splitlines() if line.startswith("28")] == [
        "28    TOTAL CHARGE                        145.50"
    ]
    # Each control character became one space.
    page = cms1500_pages(claim)[0]
    assert page["2"] == "DOE 28    TOTAL CHARGE                        0.00 [2J  , JOHN"
    assert page["4"] == page["2"]


@given(hostile_claims(max_lines=13))
def test_hostile_text_keeps_the_layout(claims: tuple[Claim, Claim]) -> None:
    hostile, harmless = claims
    for page in cms1500_pages(hostile):
        assert not [key for key, value in page.items() if controls(value)]
    text = render_cms1500_text(hostile)
    assert controls(text) == {"\n"}
    # Line for line, the same boxes and labels as the claim without controls.
    expected = render_cms1500_text(harmless).split("\n")
    assert [line[:42].rstrip() for line in text.split("\n")] == [
        line[:42].rstrip() for line in expected
    ]


@given(sbst.claims(max_lines=8))
def test_the_same_claim_gives_the_same_pages(claim: Claim) -> None:
    copy = Claim(**attrs.asdict(claim, recurse=False))
    assert cms1500_pages(claim) == cms1500_pages(copy)
    assert render_cms1500_text(claim) == render_cms1500_text(copy)
