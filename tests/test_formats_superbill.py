from __future__ import annotations

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

from print_support import print_to_pdf, require
from remit_support import unique_claims, validated
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
from soapbill.formats.superbill import InsurerPayment, Payment, PaymentMethod, render_superbill
from soapbill.remittance import (
    Adjustment,
    AdjustmentGroup,
    ClaimPayment,
    ClaimStatusCode,
    Party,
    Remittance,
    post,
    read_835,
)
from soapbill.remittance import (
    PaymentMethod as RemittanceMethod,
)
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


def test_a_sole_proprietors_tax_id_is_labelled_ssn() -> None:
    claim = make_claim(lines=1)
    clinic = attrs.evolve(claim.billing_provider, tax_id=TaxId("123-45-6789"))
    text = render_superbill(attrs.evolve(claim, billing_provider=clinic))
    assert "Tax ID (SSN): 123-45-6789" in text
    assert "(EIN)" not in text


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
        pytest.param(
            {
                "insurer_payments": [
                    Payment(paid_on=DAY, amount=Decimal(1), method=PaymentMethod.CASH)
                ]
            },
            "insurer_payments[0]",
            "invalid_type",
            id="insurer-payment",
        ),
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


# --- insurer payments -----------------------------------------------------------------

D1 = Decimal("1.00")
CO, PR, OA = AdjustmentGroup.CO, AdjustmentGroup.PR, AdjustmentGroup.OA


def adj(group: AdjustmentGroup, reason: str, amount: str) -> Adjustment:
    return Adjustment(group=group, reason=reason, amount=Decimal(amount))


def insurer(
    amount: str, *adjustments: Adjustment, payer: str = "Example Health Plan"
) -> InsurerPayment:
    return InsurerPayment(
        payer=payer,
        trace_number="EFT20260401",
        paid_on=date(2026, 4, 1),
        amount=Decimal(amount),
        adjustments=adjustments,
    )


def remittance(trace: str, *claims: ClaimPayment) -> Remittance:
    return Remittance(
        control_number="0001",
        handling="I",
        amount=max(sum((c.paid for c in claims), Decimal("0.00")), Decimal("0.00")),
        method=RemittanceMethod.CHECK,
        payment_date=date(2026, 4, int(trace[-1])),
        trace_number=trace,
        trace_originator="1912345678",
        payer=Party(name="EXAMPLE HEALTH PLAN", id="EX123"),
        payee=Party(name="CLINIC", id="1245319599", id_qualifier="XX"),
        claims=claims,
    )


def record(claim_id: str, paid: str, *adjustments: Adjustment, status: str = "1") -> ClaimPayment:
    return ClaimPayment(
        claim_id=claim_id,
        status=ClaimStatusCode(status),
        charge=Decimal("195.00") if status != "22" else Decimal("-195.00"),
        paid=Decimal(paid),
        filing_indicator="12",
        payer_claim_number="ICN-1",
        adjustments=adjustments,
    )


def amount_after(label: str, text: str) -> Decimal:
    found = re.search(rf"^{re.escape(label)}\s+(-?)\$([0-9,]+\.[0-9]{{2}})$", text, re.MULTILINE)
    assert found is not None, label
    return Decimal(found.group(1) + found.group(2).replace(",", ""))


def test_insurer_payment_text_example() -> None:
    claim = make_claim(lines=2)
    paid = [Payment(paid_on=DAY, amount=Decimal("20.00"), method=PaymentMethod.CARD)]
    payment = insurer("100.00", adj(CO, "45", "25.00"), adj(PR, "1", "50.00"))
    text = render_superbill(claim, payments=paid, insurer_payments=[payment])
    assert (
        "INSURANCE PAYMENTS\n"
        "  04/01/2026  Example Health Plan  trace EFT20260401  paid $100.00\n"
        "    CO-45  $25.00  written off: the charge is above the fee schedule or contracted "
        "amount\n"
        "    PR-1   $50.00  patient owes: the deductible\n"
        "\n"
        "PAYMENTS\n"
        "  03/02/2026  Card   $20.00\n"
    ) in text
    assert (
        "Total charges        $195.00\n"
        "Paid by insurance    $100.00\n"
        "Insurance write-off  $25.00\n"
        "Paid by patient      $20.00\n"
        "Balance due          $50.00\n"
    ) in text
    page = render_superbill(claim, payments=paid, insurer_payments=[payment], kind="html")
    words = " ".join(" ".join(parse(page).text).split())
    assert "Insurance payments" in words
    assert "EFT20260401" in words
    assert "CO-45 written off: the charge is above the fee schedule" in words
    assert "$50.00" in words


def test_without_insurer_payments_the_totals_are_unchanged() -> None:
    claim = make_claim(lines=1)
    assert render_superbill(claim, insurer_payments=()) == render_superbill(claim)
    assert "INSURANCE PAYMENTS" not in render_superbill(claim)


def test_a_negative_adjustment_adds_to_the_payment() -> None:
    claim = make_claim(lines=1)
    payment = insurer("70.00", adj(CO, "45", "-5.00"))
    text = render_superbill(claim, insurer_payments=[payment])
    assert "    CO-45  -$5.00  written off:" in text
    assert amount_after("Insurance write-off", text) == Decimal("-5.00")
    assert "Balance due          Paid in full" in text


@pytest.mark.parametrize(
    ("payments", "insured", "code"),
    [
        pytest.param([], [insurer("60.00", adj(CO, "45", "5.01"))], "overpaid", id="insurer"),
        pytest.param(["0.01"], [insurer("60.00", adj(CO, "45", "5.00"))], "overpaid", id="both"),
        pytest.param([], [insurer("0.00", adj(CO, "45", "-0.01"))], "negative", id="negative"),
    ],
)
def test_insurer_overpayment_is_refused(
    payments: list[str], insured: list[InsurerPayment], code: str
) -> None:
    claim = make_claim(lines=1)
    paid = [Payment(paid_on=DAY, amount=Decimal(a), method=PaymentMethod.CASH) for a in payments]
    with pytest.raises(ValidationError) as info:
        render_superbill(claim, payments=paid, insurer_payments=insured)
    ((detail),) = info.value.errors
    assert (detail.path, detail.code) == ("insurer_payments", code)
    assert "60" not in str(info.value)


def test_insurer_payment_values_are_escaped_and_on_one_line() -> None:
    claim = make_claim(lines=1)
    payment = insurer("10.00", adj(PR, "1", "5.00"), payer=HOSTILE + "\n\x1b[2J")
    text = render_superbill(claim, insurer_payments=[payment])
    assert controls(text) == {"\n"}
    assert f"  04/01/2026  {HOSTILE} [2J  trace EFT20260401  paid $10.00" in text
    page = render_superbill(claim, insurer_payments=[payment], kind="html")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert controls(page) == {"\n"}


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        pytest.param({"amount": 65.0}, "amount", "invalid_type", id="float"),
        pytest.param({"amount": Decimal("-1.00")}, "amount", "money_negative", id="negative"),
        pytest.param({"payer": ""}, "payer", "too_short", id="payer-empty"),
        pytest.param({"trace_number": 7}, "trace_number", "invalid_type", id="trace-int"),
        pytest.param({"paid_on": "2026-04-01"}, "paid_on", "invalid_type", id="date-str"),
        pytest.param(
            {"adjustments": [adj(CO, "45", "1")]}, "adjustments", "invalid_type", id="list"
        ),
        pytest.param({"adjustments": ("CO-45",)}, "adjustments[0]", "invalid_type", id="item"),
    ],
)
def test_insurer_payment_checks(changes: dict[str, Any], path: str, code: str) -> None:
    fields: dict[str, Any] = {
        "payer": "Payer",
        "trace_number": "T1",
        "paid_on": DAY,
        "amount": D1,
        **changes,
    }
    with pytest.raises(ValidationError) as info:
        InsurerPayment(**fields)
    ((detail),) = info.value.errors
    assert (detail.path, detail.code) == (path, code)


def test_from_remittances_adds_up_each_remittance() -> None:
    first = remittance(
        "EFT1",
        record("CLM-0001", "100.00", adj(CO, "45", "10.00"), adj(PR, "1", "40.00")),
        record("CLM-0002", "195.00"),
        record("CLM-0001", "20.00", adj(CO, "45", "5.00"), adj(PR, "1", "20.00")),
    )
    other = remittance("EFT2", record("CLM-0002", "1.00"))
    (payment,) = InsurerPayment.from_remittances([first, other], "CLM-0001")
    assert (payment.payer, payment.trace_number, payment.paid_on, payment.amount) == (
        "EXAMPLE HEALTH PLAN",
        "EFT1",
        date(2026, 4, 1),
        Decimal("120.00"),
    )
    assert payment.adjustments == (adj(CO, "45", "15.00"), adj(PR, "1", "60.00"))
    assert (payment.written_off, payment.patient_share) == (Decimal("15.00"), Decimal("60.00"))
    assert InsurerPayment.from_remittances([other], "CLM-0001") == ()


def test_a_reversal_is_netted_against_the_payment_it_takes_back() -> None:
    paid = remittance(
        "EFT1", record("CLM-0001", "140.00", adj(CO, "45", "15.00"), adj(PR, "1", "40.00"))
    )
    reversed_ = remittance(
        "EFT2",
        record("CLM-0001", "-140.00", adj(CO, "45", "-15.00"), adj(PR, "1", "-40.00"), status="22"),
    )
    corrected = remittance("EFT3", record("CLM-0001", "150.00", adj(CO, "45", "45.00")))
    payments = InsurerPayment.from_remittances([paid, reversed_, corrected], "CLM-0001")
    # The reversed payment and its reversal leave nothing: only the correction.
    assert payments == (
        InsurerPayment(
            payer="EXAMPLE HEALTH PLAN",
            trace_number="EFT3",
            paid_on=date(2026, 4, 3),
            amount=Decimal("150.00"),
            adjustments=(adj(CO, "45", "45.00"),),
        ),
    )
    # A reversal and its correction in one file net to one payment.
    both = remittance(
        "EFT2",
        record("CLM-0001", "-140.00", adj(CO, "45", "-15.00"), adj(PR, "1", "-40.00"), status="22"),
        record("CLM-0001", "150.00", adj(CO, "45", "45.00")),
    )
    (first, second) = InsurerPayment.from_remittances([paid, both], "CLM-0001")
    assert first.amount == Decimal("140.00")
    assert (second.amount, second.adjustments) == (
        Decimal("10.00"),
        (adj(CO, "45", "30.00"), adj(PR, "1", "-40.00")),
    )


def test_a_reversal_of_nothing_is_refused() -> None:
    reversed_ = remittance("EFT2", record("CLM-0001", "-140.00", status="22"))
    with pytest.raises(ValidationError) as info:
        InsurerPayment.from_remittances([reversed_], "CLM-0001")
    ((detail),) = info.value.errors
    assert (detail.path, detail.code) == ("remittances[0]", "reversed")
    assert "140" not in str(info.value)


@pytest.mark.parametrize(
    ("args", "path"),
    [
        pytest.param(([], 7), "claim_id", id="claim-id"),
        pytest.param((["x"], "CLM-0001"), "remittances[0]", id="remittance"),
    ],
)
def test_from_remittances_refuses_bad_arguments(args: tuple[Any, Any], path: str) -> None:
    untyped: Any = InsurerPayment.from_remittances
    with pytest.raises(ValidationError) as info:
        untyped(*args)
    ((detail),) = info.value.errors
    assert (detail.path, detail.code) == (path, "invalid_type")


@given(st.data())
def test_a_posting_and_the_superbill_agree(data: st.DataObject) -> None:
    (claim,) = data.draw(unique_claims(max_claims=1))
    written = data.draw(sbst.remittances_835([claim]))
    remittances = read_835(validated(written.text))
    (posting,) = post([claim], remittances)
    insured = InsurerPayment.from_remittances(remittances, claim.id)
    # The patient pays part of what the insurer left to them.
    cents = data.draw(st.integers(0, int(posting.patient_balance * 100)))
    paid = [Payment(paid_on=DAY, amount=Decimal(cents) / 100, method=PaymentMethod.CARD)]
    text = render_superbill(claim, payments=paid, insurer_payments=insured)
    assert amount_after("Paid by insurance", text) == posting.paid
    assert amount_after("Insurance write-off", text) == posting.written_off
    balance = posting.charge - posting.paid - posting.written_off - paid[0].amount
    assert balance == posting.patient_balance - paid[0].amount
    if balance:
        assert amount_after("Balance due", text) == balance
    else:
        assert "Balance due          Paid in full" in text
    shares = sum((p.patient_share for p in insured), Decimal("0.00"))
    assert shares == posting.patient_balance


# --- printed on Letter paper ------------------------------------------------------------

PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")


@pytest.fixture
def printer(tmp_path: Path) -> Any:
    require({"pdftotext": PDFTOTEXT, "pdfinfo": PDFINFO})

    def print_pdf(page: str) -> tuple[int, str, str]:
        pdf = print_to_pdf(page, tmp_path, "superbill")
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


@pytest.mark.parametrize(
    ("lines", "insurers"),
    [pytest.param(16, 1, id="one-insurer-payment"), pytest.param(12, 2, id="two")],
)
def test_prints_insurer_payments_on_one_letter_page(
    printer: Any, lines: int, insurers: int
) -> None:
    # The documented limit: an insurer payment and each of its adjustments
    # take the room of a service line; 12 diagnoses and 5 payments beside.
    claim = make_claim(lines=lines)
    payments = payments_of(claim, 5)
    insured = [
        insurer("10.00", adj(CO, "97", "10.00"), adj(CO, "45", "15.00"), adj(PR, "1", "25.00"))
    ] * insurers
    page = render_superbill(claim, payments=payments, insurer_payments=insured, kind="html")
    pages, size, text = printer(page)
    assert pages == 1
    assert size.startswith("612 x 792 pts")
    assert text.count("EFT20260401") == insurers
    assert "bundled: paid as part of another service" in text
    balance = (
        claim.total_charge
        - sum((p.amount for p in payments), Decimal(0))
        - insurers * Decimal("35.00")
    )
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
