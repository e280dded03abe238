from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import (
    Address,
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
    Relationship,
    ServiceLine,
    Sex,
    Subscriber,
    TaxId,
)
from soapbill import strategies as sbst
from soapbill.codes.cpt import DEFAULT_CATALOG, CodeInfo
from soapbill.errors import ValidationError
from soapbill.formats.superbill import Payment, PaymentMethod, render_superbill
from text_support import benign, controls, hostile_claims, hostile_text

DAY = date(2026, 3, 2)


# --- inputs ---------------------------------------------------------------------------


@st.composite
def claims_and_payments(draw: st.DrawFn) -> tuple[Claim, list[Payment]]:
    claim = draw(sbst.claims(max_lines=8))
    # Payments up to the total charge, in cents, without filtering.
    left = int(claim.total_charge * 100)
    payments = []
    for _ in range(draw(st.integers(0, 4))):
        cents = draw(st.integers(0, left))
        left -= cents
        payment = Payment(
            paid_on=draw(st.dates()),
            amount=Decimal(cents) / 100,
            method=draw(st.sampled_from(PaymentMethod)),
        )
        payments.append(payment)
    return claim, payments


THERAPIST = Provider(
    npi=Npi("1234567893"),
    name=PersonName(family="Lee", given="Sam", middle="T"),
    credential=Credential.LMT,
    taxonomy="225700000X",
    license_number="MA60000000",
    license_state="WA",
)
CLINIC = Provider(
    npi=Npi("1245319599"),
    organization_name="Example Massage and Physical Therapy Clinic of Seattle",
    tax_id=TaxId("12-3456789"),
    address=Address(
        line1="1200 Example Avenue North", line2="Suite 300", city="Seattle", state="WA",
        postal_code="981091234",
    ),
    phone="2065550100",
    taxonomy="225700000X",
    license_number="MA60000001",
    license_state="WA",
)  # fmt: skip
DOCTOR = Provider(
    npi=Npi("1003000126"),
    name=PersonName(family="Ng", given="Ada"),
    credential=Credential.MD,
)
PATIENT = Patient(
    id="P-000123",
    name=PersonName(family="Doe-Richardson", given="Jane", middle="Quinn", suffix="Jr"),
    birth_date=date(1980, 2, 29),
    sex=Sex.FEMALE,
    address=Address(
        line1="4321 Long Residential Street Northeast", line2="Apartment 12B",
        city="Bellevue", state="WA", postal_code="98004",
    ),
    phone="4255550199",
)  # fmt: skip
COVERAGE = Coverage(
    payer=Payer(id="EX123", name="Example Health Plan of Washington"),
    member_id="XYZ123456789",
    group_number="GRP-7001",
    plan_type=PlanType.COMMERCIAL,
    relationship=Relationship.SPOUSE,
    subscriber=Subscriber(
        name=PersonName(family="Doe-Richardson", given="John"),
        birth_date=date(1978, 5, 1),
        sex=Sex.MALE,
    ),
)
CODES = ("97124", "97140", "97110", "97112", "97530", "G0283", "97010", "97035", "99999")
DIAGNOSES = tuple(
    DiagnosisCode(code)
    for code in (
        "M54.50", "M54.2", "M54.6", "M62.830", "M79.10", "M25.511", "S13.4XXA", "S16.1XXA",
        "G44.209", "M53.3", "M99.03", "G89.29",
    )
)  # fmt: skip


def make_claim(lines: int = 2, **changes: Any) -> Claim:
    service_lines = tuple(
        ServiceLine(
            code=CptCode(CODES[i % len(CODES)]),
            modifiers=(Modifier("GP"), Modifier("59")) if i % 3 == 0 else (),
            units=1 + i % 4,
            charge=Decimal("65.00") * (1 + i % 4),
            date_of_service=DAY + timedelta(days=7 * (i // 3)),
            diagnosis_pointers=tuple(1 + (i + k) % 12 for k in range(1 + i % 4)),
            place_of_service=PlaceOfService("12") if i == 1 else None,
        )
        for i in range(lines)
    )
    claim = Claim(
        id="CLM-0001",
        patient=PATIENT,
        coverage=COVERAGE,
        billing_provider=CLINIC,
        rendering_provider=THERAPIST,
        referring_provider=DOCTOR,
        diagnoses=DIAGNOSES,
        lines=service_lines,
        prior_authorization="PA-555",
    )
    return attrs.evolve(claim, **changes)


def payments_of(claim: Claim, count: int) -> list[Payment]:
    share = (claim.total_charge / 2 / count).quantize(Decimal("0.01"))
    methods = list(PaymentMethod)
    return [
        Payment(paid_on=DAY + timedelta(days=i), amount=share, method=methods[i % len(methods)])
        for i in range(count)
    ]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def dollars(amount: Decimal) -> str:
    return f"${amount:,.2f}"


# --- properties -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["text", "html"])
@given(data=claims_and_payments())
def test_carries_what_a_payer_needs(kind: str, data: tuple[Claim, list[Payment]]) -> None:
    claim, payments = data
    page = render_superbill(claim, payments=payments, kind=kind)  # type: ignore[arg-type]
    text = " ".join(parse(page).text) if kind == "html" else page
    assert claim.billing_provider.npi.value in text
    for line in claim.lines:
        assert line.code.value in text
        assert all(m.value in text for m in line.modifiers)
        assert f"{line.charge:,.2f}" in text
    for code in claim.diagnoses:
        assert code.value in text
    assert dollars(claim.total_charge) in text
    paid = sum((p.amount for p in payments), Decimal(0))
    assert dollars(paid) in text
    balance = claim.total_charge - paid
    # The balance row itself: generated names may hold the words "Paid in full".
    assert bool(re.search(r"Balance due\s+Paid in full", text)) == (balance == 0)
    if balance:
        assert re.search(rf"Balance due\s+{re.escape(dollars(balance))}", text)
    assert render_superbill(claim, payments=payments, kind=kind) == page  # type: ignore[arg-type]


@given(data=claims_and_payments())
def test_html_is_one_self_contained_page(data: tuple[Claim, list[Payment]]) -> None:
    claim, payments = data
    page = render_superbill(claim, payments=payments, kind="html")
    assert page.startswith("<!DOCTYPE html>\n<html")
    tags = parse(page).tags
    assert tags.count("html") == tags.count("body") == tags.count("style") == 1
    assert not {"script", "link", "img", "iframe", "object"} & set(tags)
    assert not re.search(r"https?:|url\(|src=", page, re.IGNORECASE)
    assert "@page{size:Letter;" in page


@given(data=claims_and_payments())
def test_text_rows_line_up(data: tuple[Claim, list[Payment]]) -> None:
    claim, payments = data
    text = render_superbill(claim, payments=payments)
    start = text.index("SERVICES\n") + len("SERVICES\n")
    rows = text[start:].split("\n\n", 1)[0].splitlines()
    assert len(rows) == 1 + len(claim.lines)
    # The charge column ends at the same place on every row.
    ends = {row.index("Charge") + len("Charge") for row in rows[:1]}
    for row, line in zip(rows[1:], claim.lines, strict=True):
        charge = f"{line.charge:,.2f}"
        ends.add(row.index(charge, row.index(line.code.value)) + len(charge))
    assert len(ends) == 1


# --- examples -------------------------------------------------------------------------


def test_text_example() -> None:
    claim = make_claim(lines=2)
    payments = [Payment(paid_on=DAY, amount=Decimal("100.00"), method=PaymentMethod.CARD)]
    text = render_superbill(claim, payments=payments)
    assert "Name: Example Massage and Physical Therapy Clinic of Seattle" in text
    assert "NPI: 1245319599" in text
    assert "Tax ID (EIN): 12-3456789" in text
    assert "License: WA MA60000001" in text
    assert "Address: 1200 Example Avenue North, Suite 300, Seattle, WA 98109-1234" in text
    assert "Phone: (206) 555-0100" in text
    assert "Rendering provider: Sam T Lee, LMT" in text
    assert "Rendering NPI: 1234567893" in text
    assert "Rendering license: WA MA60000000" in text
    assert "Referred by: Ada Ng, MD" in text
    assert "Name: Jane Quinn Doe-Richardson, Jr" in text
    assert "Date of birth: 02/29/1980" in text
    assert "Member ID: XYZ123456789" in text
    assert "Subscriber: John Doe-Richardson" in text
    assert "Relationship: spouse" in text
    assert "Prior authorization: PA-555" in text
    assert "Place of service: 11 Office" in text
    assert "  A. M54.50" in text
    assert "  L. G89.29" in text
    assert (
        "  Date        POS  Code   Modifiers  Dx   Units  Charge  Description\n"
        "  03/02/2026  11   97124  GP 59      A        1   65.00  Massage therapy\n"
        "  03/02/2026  12   97140             B,C      2  130.00  Manual therapy\n"
    ) in text
    assert "  03/02/2026  Card   $100.00" in text
    assert "Total charges  $195.00" in text
    assert "Amount paid    $100.00" in text
    assert "Balance due    $95.00" in text
    assert "Signature on file" in text


def test_paid_in_full_and_no_payments() -> None:
    claim = make_claim(lines=1)
    paid = [Payment(paid_on=DAY, amount=claim.total_charge, method=PaymentMethod.CASH)]
    assert "Balance due    Paid in full" in render_superbill(claim, payments=paid)
    unpaid = render_superbill(claim)
    assert "PAYMENTS" not in unpaid
    assert "Amount paid    $0.00" in unpaid
    assert "Balance due    $65.00" in unpaid


def test_unknown_code_shows_without_a_label() -> None:
    claim = make_claim(lines=9)
    text = render_superbill(claim)
    row = next(line for line in text.splitlines() if "99999" in line)
    assert row.endswith("65.00")
    catalog = DEFAULT_CATALOG.extend(
        CodeInfo(code=CptCode("99999"), label="Our own label", timed=False)
    )
    row = next(
        line for line in render_superbill(claim, catalog=catalog).splitlines() if "99999" in line
    )
    assert row.endswith("Our own label")


@pytest.mark.parametrize(
    ("frequency", "heading"),
    [
        pytest.param(ClaimFrequency.REPLACEMENT, "Replaces claim: ICN-1", id="replacement"),
        pytest.param(ClaimFrequency.VOID, "Voids claim: ICN-1", id="void"),
    ],
)
def test_replacement_and_void(frequency: ClaimFrequency, heading: str) -> None:
    claim = make_claim(frequency=frequency, original_claim_number="ICN-1")
    assert heading in render_superbill(claim)


def test_minimal_claim() -> None:
    clinic = Provider(npi=Npi("1245319599"), organization_name="Clinic")
    patient = attrs.evolve(PATIENT, address=None, phone=None)
    coverage = Coverage(payer=Payer(id="P", name="Payer"), member_id="M", plan_type=PlanType.OTHER)
    claim = make_claim(
        lines=1,
        billing_provider=clinic,
        rendering_provider=None,
        referring_provider=None,
        patient=patient,
        coverage=coverage,
        prior_authorization=None,
        place_of_service=PlaceOfService("99"),
        provider_signature_on_file=False,
    )
    text = render_superbill(claim)
    for absent in ("Rendering", "Referred", "Subscriber", "Group", "Prior", "Tax ID", "Phone"):
        assert absent not in text
    assert "Place of service: 99\n" in text
    assert "Dates of service: 03/02/2026\n" in text
    assert "Provider signature: ____" in text


def test_dates_of_service_span() -> None:
    text = render_superbill(make_claim(lines=7))
    assert "Dates of service: 03/02/2026 to 03/16/2026" in text


HOSTILE = "<script>alert('x')</script> & \"q\""


def test_every_value_is_escaped_in_html() -> None:
    name = PersonName(family=HOSTILE, given="A\x00B\nC")
    claim = make_claim(
        patient=attrs.evolve(PATIENT, name=name, id="<b>"),
        coverage=attrs.evolve(COVERAGE, member_id="&amp;"),
    )
    page = render_superbill(claim, kind="html")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;" in page
    assert "&lt;b&gt;" in page
    assert "&amp;amp;" in page
    assert "script" not in parse(page).tags
    # Control characters and line breaks become single spaces.
    assert "A B C" in page
    text = render_superbill(claim)
    assert f"Name: A B C {HOSTILE}" in text


def test_a_catalogue_label_adds_no_line_and_no_escape() -> None:
    claim = make_claim(lines=1)
    label = "Massage\n28 TOTAL CHARGE 0.00\x1b[2J\u2028"
    catalog = DEFAULT_CATALOG.extend(CodeInfo(code=CptCode("97124"), label=label, timed=True))
    text = render_superbill(claim, catalog=catalog)
    assert controls(text) == {"\n"}
    assert text.count("\n") == render_superbill(claim).count("\n")
    row = next(line for line in text.splitlines() if "97124" in line)
    assert row.endswith("65.00  Massage 28 TOTAL CHARGE 0.00 [2J")
    page = render_superbill(claim, catalog=catalog, kind="html")
    assert controls(page) == {"\n"}
    assert "<td>Massage 28 TOTAL CHARGE 0.00 [2J</td>" in page


@given(claims=hostile_claims(), label=hostile_text)
def test_hostile_text_keeps_the_layout(claims: tuple[Claim, Claim], label: str) -> None:
    hostile, harmless = claims
    # The claim's free text, and the labels of a catalogue an app extended.
    catalog = DEFAULT_CATALOG.extend(
        *(CodeInfo(code=line.code, label=label, timed=True) for line in hostile.lines)
    )
    harmless_catalog = DEFAULT_CATALOG.extend(
        *(CodeInfo(code=line.code, label=benign(label), timed=True) for line in hostile.lines)
    )
    text = render_superbill(hostile, catalog=catalog)
    expected = render_superbill(harmless, catalog=harmless_catalog)
    assert controls(text) == {"\n"}
    # Line for line, the same labels and table rows as without the controls.
    assert _layout(text) == _layout(expected)
    page = render_superbill(hostile, catalog=catalog, kind="html")
    assert controls(page) == {"\n"}
    assert page.count("\n") == render_superbill(harmless, kind="html").count("\n")


def _layout(text: str) -> list[str]:
    # Each line's label, up to its colon; a service row up to its description.
    lines = text.split("\n")
    heading = next(line for line in lines if line.startswith("  Date  "))
    description = heading.index("Description")
    return [line.split(": ")[0] if ": " in line else line[:description] for line in lines]


# --- refused input --------------------------------------------------------------------


def test_overpayment_is_refused() -> None:
    claim = make_claim(lines=1)
    paid = [Payment(paid_on=DAY, amount=Decimal("65.01"), method=PaymentMethod.CHECK)]
    with pytest.raises(ValidationError) as info:
        render_superbill(claim, payments=paid)
    ((detail),) = info.value.errors
    assert (detail.path, detail.code) == ("payments", "overpaid")
    assert "65" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "path", "code"),
    [
        pytest.param({"claim": "claim"}, "claim", "invalid_type", id="claim"),
        pytest.param({"kind": "pdf"}, "kind", "invalid_choice", id="kind"),
        pytest.param({"payments": [Decimal(1)]}, "payments[0]", "invalid_type", id="payment"),
    ],
)
def test_refused_arguments(kwargs: dict[str, Any], path: str, code: str) -> None:
    arguments: dict[str, Any] = {"claim": make_claim(), **kwargs}
    claim = arguments.pop("claim")
    with pytest.raises(ValidationError) as info:
        render_superbill(claim, **arguments)
    ((detail),) = info.value.errors
    assert (detail.path, detail.code) == (path, code)


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        pytest.param({"amount": 65.0}, "amount", "invalid_type", id="float"),
        pytest.param({"amount": Decimal("-1.00")}, "amount", "money_negative", id="negative"),
        pytest.param({"amount": Decimal("1.001")}, "amount", "money_places", id="places"),
        pytest.param({"method": "card"}, "method", "invalid_type", id="method-str"),
        pytest.param({"paid_on": "2026-03-02"}, "paid_on", "invalid_type", id="date-str"),
    ],
)
def test_payment_checks(changes: dict[str, Any], path: str, code: str) -> None:
    fields: dict[str, Any] = {
        "paid_on": DAY,
        "amount": Decimal("1.00"),
        "method": PaymentMethod.CASH,
        **changes,
    }
    with pytest.raises(ValidationError) as info:
        Payment(**fields)
    ((detail),) = info.value.errors
    assert (detail.path, detail.code) == (path, code)


# --- printed on Letter paper ------------------------------------------------------------

CHROMIUM = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None
)
PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")


@pytest.fixture
def printer(tmp_path: Path) -> Any:
    missing = not (CHROMIUM and PDFTOTEXT and PDFINFO)
    if missing and os.environ.get("CI"):
        pytest.fail("CI needs chromium and poppler-utils (pdftotext, pdfinfo) for this test")
    if missing:
        pytest.skip("chromium or poppler-utils is not installed")

    def print_pdf(page: str) -> tuple[int, str, str]:
        source = tmp_path / "superbill.html"
        pdf = tmp_path / "superbill.pdf"
        source.write_text(page, encoding="utf-8")
        subprocess.run(  # noqa: S603 - fixed arguments, a file we wrote
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        info = subprocess.run(  # noqa: S603
            [str(PDFINFO), str(pdf)], check=True, capture_output=True, text=True, timeout=60
        ).stdout
        text = subprocess.run(  # noqa: S603
            [str(PDFTOTEXT), "-layout", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
        size = re.search(r"^Page size:\s+(.*)$", info, re.MULTILINE).group(1)  # type: ignore[union-attr]
        return pages, size, text

    return print_pdf


def test_prints_on_one_letter_page(printer: Any) -> None:
    # The documented limit: 20 lines, 12 diagnoses and 5 payments on one page.
    claim = make_claim(lines=20)
    payments = payments_of(claim, 5)
    pages, size, text = printer(render_superbill(claim, payments=payments, kind="html"))
    assert pages == 1
    assert size.startswith("612 x 792 pts")
    assert "1245319599" in text
    for code in {line.code.value for line in claim.lines} | {d.value for d in claim.diagnoses}:
        assert code in text
    balance = claim.total_charge - sum((p.amount for p in payments), Decimal(0))
    assert dollars(balance) in text


def test_longer_superbills_continue_on_more_pages(printer: Any) -> None:
    claim = make_claim(lines=50)
    pages, size, text = printer(render_superbill(claim, kind="html"))
    assert pages > 1
    assert size.startswith("612 x 792 pts")
    # The column headings repeat on every page; nothing is lost.
    assert text.count("Modifiers") == pages
    assert text.count("/2026") >= 50
    assert dollars(claim.total_charge) in text
