"""
Superbills: what a patient submits to their insurer for reimbursement.

A patient who pays a practice that is out of their insurer's network asks the
insurer to pay them back, with a *superbill*: the provider with NPI, tax id and
licence, the patient and their insurance, the exact dates of service, the
procedure codes with modifiers and units, the diagnoses, the charges, what was
paid and what is still owed (the fields superbill guides list, such as
Superbilled's "Required fields on a superbill").

:func:`render_superbill` writes one as plain text or as one self-contained HTML
page made to print on US Letter paper. Procedure codes carry our own labels
from the code catalogue (a code the catalogue does not hold shows without
one); diagnoses are lettered A-L and each line points at them, as on a
CMS-1500. Dates are written MM/DD/YYYY, as US payers read them.

The balance is the total charge less the payments, never negative: payments
that add up to more than the total charge are refused (a credit belongs on the
practice's ledger, not on a request for reimbursement).

When the patient's insurer has paid part of the claim, each of its payments
is an :class:`InsurerPayment` (payer, trace number, date, amount and the
payer's adjustments, as an 835 remittance gives them:
:meth:`InsurerPayment.from_remittances`), and the balance is the patient's
after insurance: the total charge less what the insurer paid, less the
adjustments the patient does not owe (every group but ``PR``), less the
patient's payments.

Up to 20 service lines, 12 diagnoses and 5 payments fit on one printed page;
an insurer payment and each of its adjustments take the room of one service
line. A longer superbill continues on further pages, with the column headings
of the service lines repeated on each.

>>> from datetime import date
>>> from decimal import Decimal
>>> payment = Payment(paid_on=date(2026, 3, 2), amount=Decimal("65.00"), method=PaymentMethod.CARD)
>>> payment.method
<PaymentMethod.CARD: 'card'>

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Final, Literal

import attrs

from soapbill._enums import Choice
from soapbill._fields import rules
from soapbill._model import model
from soapbill._text import (
    diagnosis_letter,
    dollars,
    full_name,
    one_line,
    provider_name,
    us_date,
)
from soapbill.claims import Claim, ClaimFrequency
from soapbill.codes.cpt import Catalog, UnknownCodeError, lookup
from soapbill.errors import ValidationError
from soapbill.parties import Address, Provider
from soapbill.remittance import Adjustment, AdjustmentGroup, Remittance

__all__ = ["InsurerPayment", "Payment", "PaymentMethod", "render_superbill"]

_ZERO: Final = Decimal("0.00")


class PaymentMethod(Choice):
    """
    How a patient paid.

    .. versionadded:: 0.1.0
    """

    CASH = "cash"
    CARD = "card"
    CHECK = "check"
    OTHER = "other"


@model
class Payment:
    """
    A payment the patient made toward a claim's charges.

    Attributes:
        paid_on: The date of the payment.
        amount: The amount paid.
        method: How it was paid.

    .. versionadded:: 0.1.0
    """

    paid_on: date
    amount: Decimal
    method: PaymentMethod


@model
class InsurerPayment:
    """
    A payment the patient's insurer made toward a claim: what one remittance paid.

    Attributes:
        payer: The payer's name.
        trace_number: The check or EFT trace number (the 835's ``TRN02``).
        paid_on: The date of the payment.
        amount: The amount paid.
        adjustments: The payer's adjustments, each a group, a reason code and
            an amount: the patient owes those of group ``PR`` (patient
            responsibility) and none of the others.

    >>> from soapbill.remittance import Adjustment, AdjustmentGroup
    >>> payment = InsurerPayment(
    ...     payer="Example Health Plan",
    ...     trace_number="EFT20260401",
    ...     paid_on=date(2026, 4, 1),
    ...     amount=Decimal("140.00"),
    ...     adjustments=(
    ...         Adjustment(group=AdjustmentGroup.CO, reason="45", amount=Decimal("15.00")),
    ...         Adjustment(group=AdjustmentGroup.PR, reason="1", amount=Decimal("100.00")),
    ...     ),
    ... )
    >>> payment.written_off, payment.patient_share
    (Decimal('15.00'), Decimal('100.00'))

    .. versionadded:: 0.1.0
    """

    payer: str = attrs.field(metadata=rules(max_len=60))
    trace_number: str = attrs.field(metadata=rules(max_len=80))
    paid_on: date
    amount: Decimal
    adjustments: tuple[Adjustment, ...] = ()

    @property
    def written_off(self) -> Decimal:
        """
        The adjustments the patient does not owe, every group but ``PR``.
        """
        return sum((a.amount for a in self.adjustments if a.group is not _PR), _ZERO)

    @property
    def patient_share(self) -> Decimal:
        """
        The adjustments the payer says the patient owes (group ``PR``).
        """
        return sum((a.amount for a in self.adjustments if a.group is _PR), _ZERO)

    @classmethod
    def from_remittances(
        cls, remittances: Iterable[Remittance], claim_id: str
    ) -> tuple[InsurerPayment, ...]:
        """
        The payments of the claim *claim_id* in *remittances*, one per remittance.

        Each remittance that mentions the claim gives one payment: its payer,
        trace number and payment date, what it paid for the claim and the
        claim's adjustments, claim-level and line-level, added up by group and
        reason. They add up to what :func:`soapbill.remittance.post` posts:
        the same amount paid, the same adjustments.

        A remittance that takes back more than it pays for the claim (a
        reversal whose corrected payment comes in a later file) is netted
        against the payments before it, latest first; adjustments that net to
        zero, and a payment that its reversal leaves with nothing, are dropped.

        Args:
            remittances: The remittances, as
                :func:`soapbill.remittance.read_835` returns them, in the
                order they came.
            claim_id: The claim's id.

        Returns:
            The payments, in the order of the remittances.

        Raises:
            ValidationError: An argument has the wrong type, or the
                remittances take back more for the claim than they paid.

        .. versionadded:: 0.1.0
        """
        if not isinstance(claim_id, str):
            raise ValidationError.single("claim_id", "invalid_type", "expected a string")
        found: list[_Paid] = []
        for i, remittance in enumerate(remittances):
            if not isinstance(remittance, Remittance):
                raise ValidationError.single(
                    f"remittances[{i}]", "invalid_type", "expected a Remittance"
                )
            records = [c for c in remittance.claims if c.claim_id == claim_id]
            if not records:
                continue
            paid = _Paid(remittance)
            for record in records:
                paid.add(record.paid, record.all_adjustments)
            found.append(paid)
            # A reversal takes back what an earlier payment paid.
            while found[-1].amount < 0 and len(found) > 1:
                last = found.pop()
                found[-1].add(last.amount, last.adjustments())
                found[-1].netted = True
            if found[-1].amount < 0:
                raise ValidationError.single(
                    f"remittances[{i}]",
                    "reversed",
                    "the remittances take back more for the claim than they paid",
                )
        return tuple(p.build() for p in found if not p.netted or p.amount or p.adjustments())


_PR: Final = AdjustmentGroup.PR


class _Paid:
    """
    One remittance's payment of a claim, as it is added up.
    """

    def __init__(self, remittance: Remittance) -> None:
        self.remittance = remittance
        self.amount = _ZERO
        self.by_reason: dict[tuple[AdjustmentGroup, str], Decimal] = {}
        #: Whether a later reversal was netted against it.
        self.netted = False

    def add(self, amount: Decimal, adjustments: Iterable[Adjustment]) -> None:
        self.amount += amount
        for a in adjustments:
            key = (a.group, a.reason)
            self.by_reason[key] = self.by_reason.get(key, _ZERO) + a.amount

    def adjustments(self) -> tuple[Adjustment, ...]:
        return tuple(
            Adjustment(group=group, reason=reason, amount=amount)
            for (group, reason), amount in self.by_reason.items()
            if amount
        )

    def build(self) -> InsurerPayment:
        remittance = self.remittance
        return InsurerPayment(
            payer=remittance.payer.name,
            trace_number=remittance.trace_number,
            paid_on=remittance.payment_date,
            amount=self.amount,
            adjustments=self.adjustments(),
        )


def render_superbill(
    claim: Claim,
    *,
    payments: Iterable[Payment] = (),
    insurer_payments: Iterable[InsurerPayment] = (),
    kind: Literal["text", "html"] = "text",
    catalog: Catalog | None = None,
) -> str:
    """
    Render *claim* as a superbill.

    Args:
        claim: The claim whose services the superbill lists.
        payments: What the patient has paid toward it.
        insurer_payments: What the patient's insurer has paid toward it, with
            its adjustments; the balance is then the patient's after insurance.
        kind: ``"text"`` for plain text, ``"html"`` for one self-contained
            HTML page that prints on US Letter paper.
        catalog: The code catalogue whose labels describe the procedures
            (default: the built-in one).

    Returns:
        The superbill, each value written on one line (its line breaks,
        runs of white space and other control characters, of Unicode
        categories Cc, Zl and Zp such as NUL or an ANSI escape, become one
        space), so the only control characters of the text or HTML are the
        layout's own line breaks. In HTML every value is escaped.

    Raises:
        ValidationError: An argument has the wrong type or *kind* is unknown;
            the payments add up to more than the total charge (with insurer
            payments: the insurer's payments and the adjustments the patient
            does not owe, with the patient's payments).

    .. versionadded:: 0.1.0
    """
    if not isinstance(claim, Claim):
        raise ValidationError.single("claim", "invalid_type", "expected a Claim")
    if kind not in ("text", "html"):
        raise ValidationError.single("kind", "invalid_choice", 'expected "text" or "html"')
    paid = tuple(payments)
    for i, payment in enumerate(paid):
        if not isinstance(payment, Payment):
            raise ValidationError.single(f"payments[{i}]", "invalid_type", "expected a Payment")
    insured = tuple(insurer_payments)
    for i, insurer_payment in enumerate(insured):
        if not isinstance(insurer_payment, InsurerPayment):
            raise ValidationError.single(
                f"insurer_payments[{i}]", "invalid_type", "expected an InsurerPayment"
            )
    bill = _Superbill.of(claim, paid, insured, catalog)
    return bill.text() if kind == "text" else bill.html()


@attrs.frozen(kw_only=True)
class _Line:
    day: str
    place: str
    code: str
    label: str
    modifiers: str
    pointers: str
    units: str
    charge: str


@attrs.frozen(kw_only=True)
class _Insured:
    """
    One insurer payment, as display strings.
    """

    day: str
    payer: str
    trace: str
    amount: str
    #: Label (``CO-45``), amount, and who bears it with the reason in words.
    adjustments: tuple[tuple[str, str, str], ...]

    @classmethod
    def of(cls, payment: InsurerPayment) -> _Insured:
        return cls(
            day=us_date(payment.paid_on),
            payer=one_line(payment.payer),
            trace=one_line(payment.trace_number),
            amount=dollars(payment.amount),
            adjustments=tuple(
                (
                    one_line(f"{a.group.value}-{a.reason}"),
                    dollars(a.amount),
                    one_line(
                        f"{'patient owes' if a.group is _PR else 'written off'}: {a.explanation}"
                    ),
                )
                for a in payment.adjustments
            ),
        )


@attrs.frozen(kw_only=True)
class _Superbill:
    """
    The content of a superbill, as display strings, before it is laid out.
    """

    heading: tuple[tuple[str, str], ...]
    parties: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    diagnoses: tuple[tuple[str, str], ...]
    lines: tuple[_Line, ...]
    insured: tuple[_Insured, ...]
    payments: tuple[tuple[str, str, str], ...]
    totals: tuple[tuple[str, str], ...]
    signature: str

    @classmethod
    def of(
        cls,
        claim: Claim,
        payments: tuple[Payment, ...],
        insured: tuple[InsurerPayment, ...],
        catalog: Catalog | None,
    ) -> _Superbill:
        total = claim.total_charge
        paid = sum((p.amount for p in payments), _ZERO)
        insurer_paid = sum((p.amount for p in insured), _ZERO)
        written_off = sum((p.written_off for p in insured), _ZERO)
        if insurer_paid + written_off < 0:
            raise ValidationError.single(
                "insurer_payments",
                "negative",
                "the insurer's payments and write-offs add up to less than zero",
            )
        if paid + insurer_paid + written_off > total:
            if insured:
                message = (
                    "the insurer's payments and write-offs and the patient's payments add "
                    "up to more than the total charge"
                )
                raise ValidationError.single("insurer_payments", "overpaid", message)
            raise ValidationError.single(
                "payments", "overpaid", "the payments add up to more than the total charge"
            )
        balance = total - insurer_paid - written_off - paid
        totals = [("Total charges", dollars(total))]
        if insured:
            totals += [
                ("Paid by insurance", dollars(insurer_paid)),
                ("Insurance write-off", dollars(written_off)),
                ("Paid by patient", dollars(paid)),
            ]
        else:
            totals.append(("Amount paid", dollars(paid)))
        totals.append(("Balance due", "Paid in full" if balance == 0 else dollars(balance)))
        signature = (
            "Signature on file"
            if claim.provider_signature_on_file
            else "Provider signature: ______________________________  Date: ____________"
        )
        return cls(
            heading=tuple(_heading(claim)),
            parties=tuple(_parties(claim)),
            diagnoses=tuple(
                (diagnosis_letter(n), code.value) for n, code in enumerate(claim.diagnoses, 1)
            ),
            lines=tuple(_lines(claim, catalog)),
            insured=tuple(_Insured.of(p) for p in insured),
            payments=tuple(
                (us_date(p.paid_on), p.method.value.capitalize(), dollars(p.amount))
                for p in payments
            ),
            totals=tuple(totals),
            signature=signature,
        )

    def text(self) -> str:
        """
        Lay the superbill out as plain text.
        """
        out = ["SUPERBILL", "Statement of services for insurance reimbursement", ""]
        out += [f"{label}: {value}" for label, value in self.heading]
        for title, facts in self.parties:
            out += ["", title.upper()]
            out += [f"  {label}: {value}" for label, value in facts]
        out += ["", "DIAGNOSES (ICD-10-CM)"]
        out += [f"  {letter}. {code}" for letter, code in self.diagnoses]
        out += ["", "SERVICES", *self.services_text(), *self.insured_text()]
        if self.payments:
            out += ["", "PAYMENTS"]
            width = max(len(amount) for _, _, amount in self.payments)
            out += [
                f"  {day}  {method:<5}  {amount:>{width}}" for day, method, amount in self.payments
            ]
        out.append("")
        width = max(len(label) for label, _ in self.totals)
        out += [f"{label:<{width}}  {value}" for label, value in self.totals]
        out += ["", self.signature, ""]
        return "\n".join(out)

    def services_text(self) -> list[str]:
        """
        The service lines as a text table, its columns as wide as their widest cell.
        """
        header = ("Date", "POS", "Code", "Modifiers", "Dx", "Units", "Charge", "Description")
        rows = [
            (x.day, x.place, x.code, x.modifiers, x.pointers, x.units, x.charge, x.label)
            for x in self.lines
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        right = {5, 6}
        out = []
        for row in [header, *rows]:
            cells = [
                cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                for i, cell in enumerate(row[:-1])
            ]
            out.append(("  " + "  ".join(cells) + "  " + row[-1]).rstrip())
        return out

    def insured_text(self) -> list[str]:
        """
        The insurer's payments and their adjustments as text, if any.
        """
        if not self.insured:
            return []
        out = ["", "INSURANCE PAYMENTS"]
        adjustments = [a for x in self.insured for a in x.adjustments]
        label = max((len(a[0]) for a in adjustments), default=0)
        width = max((len(a[1]) for a in adjustments), default=0)
        for x in self.insured:
            out.append(f"  {x.day}  {x.payer}  trace {x.trace}  paid {x.amount}")
            out += [
                f"    {name:<{label}}  {amount:>{width}}  {why}"
                for name, amount, why in x.adjustments
            ]
        return out

    def html(self) -> str:
        """
        Lay the superbill out as one self-contained HTML page.
        """
        e = _escape
        heading = "".join(
            f"<div><b>{e(label)}:</b> {e(value)}</div>" for label, value in self.heading
        )
        parties = "".join(
            f'<td><h2>{e(title)}</h2><table class="kv">'
            + "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
            + "</table></td>"
            for title, rows in self.parties
        )
        diagnoses = " ".join(
            f'<span class="dx"><b>{e(letter)}.</b> {e(code)}</span>'
            for letter, code in self.diagnoses
        )
        lines = "".join(
            f"<tr><td>{e(x.day)}</td><td>{e(x.place)}</td><td>{e(x.code)}</td>"
            f"<td>{e(x.label)}</td><td>{e(x.modifiers)}</td><td>{e(x.pointers)}</td>"
            f'<td class="num">{e(x.units)}</td><td class="num">{e(x.charge)}</td></tr>'
            for x in self.lines
        )
        insured = ""
        if self.insured:
            insured = (
                '<h2>Insurance payments</h2><table class="ins"><thead><tr><th>Date</th>'
                '<th>Payer</th><th>Trace number</th><th class="num">Amount</th></tr></thead>'
                "<tbody>"
                + "".join(
                    f"<tr><td>{e(x.day)}</td><td>{e(x.payer)}</td><td>{e(x.trace)}</td>"
                    f'<td class="num">{e(x.amount)}</td></tr>'
                    + "".join(
                        f'<tr class="adj"><td></td><td colspan="2"><b>{e(name)}</b> {e(why)}</td>'
                        f'<td class="num">{e(amount)}</td></tr>'
                        for name, amount, why in x.adjustments
                    )
                    for x in self.insured
                )
                + "</tbody></table>"
            )
        payments = ""
        if self.payments:
            payments = (
                '<table class="pay"><caption>Payments</caption>'
                '<tr><th>Date</th><th>Method</th><th class="num">Amount</th></tr>'
                + "".join(
                    f"<tr><td>{e(day)}</td><td>{e(method)}</td>"
                    f'<td class="num">{e(amount)}</td></tr>'
                    for day, method, amount in self.payments
                )
                + "</table>"
            )
        totals = "".join(
            f'<tr><th>{e(label)}</th><td class="num">{e(value)}</td></tr>'
            for label, value in self.totals
        )
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8"><title>Superbill</title>'
            f"<style>{_CSS}</style></head><body>"
            "<h1>Superbill</h1>"
            '<p class="sub">Statement of services for insurance reimbursement</p>'
            f'<div class="heading">{heading}</div>'
            f'<table class="parties"><tr>{parties}</tr></table>'
            f'<h2>Diagnoses (ICD-10-CM)</h2><p class="dxs">{diagnoses}</p>'
            '<h2>Services</h2><table class="lines"><thead><tr><th>Date</th><th>POS</th>'
            "<th>Code</th><th>Description</th><th>Modifiers</th><th>Dx</th>"
            '<th class="num">Units</th><th class="num">Charge</th></tr></thead>'
            f"<tbody>{lines}</tbody></table>{insured}"
            f'<div class="end">{payments}<table class="totals">{totals}</table></div>'
            f'<p class="sig">{e(self.signature)}</p>'
            "</body></html>\n"
        )


# One Letter page with half-inch margins; print-safe system fonts; the table
# heading repeats on every printed page (display: table-header-group).
_CSS: Final = (
    "@page{size:Letter;margin:0.5in}"
    "*{box-sizing:border-box}"
    "body{margin:0;font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"
    "font-size:8.5pt;line-height:1.2;color:#000}"
    "h1{font-size:16pt;margin:0}"
    "h2{font-size:10pt;margin:8pt 0 3pt;border-bottom:0.75pt solid #000}"
    ".sub{margin:0 0 6pt;color:#333}"
    ".heading{display:flex;flex-wrap:wrap;gap:2pt 16pt}"
    "table{border-collapse:collapse}"
    ".parties{width:100%;table-layout:fixed}"
    ".parties>tbody>tr>td{vertical-align:top;padding-right:8pt;width:30%}"
    ".parties>tbody>tr>td:first-child{width:40%}"
    ".kv th{text-align:left;font-weight:normal;color:#333;padding:0 6pt 0 0;"
    "vertical-align:top;white-space:nowrap}"
    ".kv td{padding:0;overflow-wrap:anywhere}"
    ".dxs{margin:0}.dx{display:inline-block;margin-right:12pt}"
    ".lines{width:100%}"
    ".lines thead{display:table-header-group}"
    ".lines tr{break-inside:avoid}"
    ".lines th,.lines td{border-bottom:0.5pt solid #999;padding:1pt 4pt;text-align:left}"
    ".num{text-align:right!important;white-space:nowrap}"
    ".ins{width:100%}"
    ".ins tr{break-inside:avoid}"
    ".ins th,.ins td{padding:1pt 4pt;text-align:left}"
    ".ins thead th{border-bottom:0.5pt solid #999}"
    ".ins .adj td{padding-left:12pt;color:#333}"
    ".end{display:flex;justify-content:space-between;align-items:flex-start;"
    "margin-top:8pt;break-inside:avoid}"
    ".pay caption{text-align:left;font-weight:bold}"
    ".pay th,.pay td{padding:1pt 8pt 1pt 0;text-align:left}"
    ".totals{margin-left:auto}"
    ".totals th{text-align:left;padding:1.5pt 12pt 1.5pt 0}"
    ".totals tr:last-child{font-weight:bold;border-top:0.75pt solid #000}"
    ".sig{margin-top:12pt}"
)


def _escape(value: str) -> str:
    return html.escape(value, quote=True)


def _address(address: Address) -> str:
    street = address.line1 if address.line2 is None else f"{address.line1}, {address.line2}"
    zip_code = address.postal_code
    if len(zip_code) == 9:  # noqa: PLR2004 - ZIP+4
        zip_code = f"{zip_code[:5]}-{zip_code[5:]}"
    return one_line(f"{street}, {address.city}, {address.state} {zip_code}")


def _phone(phone: str) -> str:
    return f"({phone[:3]}) {phone[3:6]}-{phone[6:]}"


def _license(provider: Provider) -> str | None:
    parts = [part for part in (provider.license_state, provider.license_number) if part]
    return one_line(" ".join(parts)) if parts else None


def _provider_rows(provider: Provider) -> list[tuple[str, str]]:
    rows = [("Name", one_line(provider_name(provider))), ("NPI", provider.npi.value)]
    if provider.tax_id is not None:
        # A sole proprietor may bill under their Social Security Number.
        kind = provider.tax_id.kind.upper()
        rows.append((f"Tax ID ({kind})", provider.tax_id.value))
    license_ = _license(provider)
    if license_ is not None:
        rows.append(("License", license_))
    if provider.taxonomy is not None:
        rows.append(("Taxonomy", provider.taxonomy))
    if provider.address is not None:
        rows.append(("Address", _address(provider.address)))
    if provider.phone is not None:
        rows.append(("Phone", _phone(provider.phone)))
    return rows


def _heading(claim: Claim) -> list[tuple[str, str]]:
    dates = claim.dates_of_service
    span = us_date(dates[0]) if len(dates) == 1 else f"{us_date(dates[0])} to {us_date(dates[-1])}"
    rows = [("Claim", one_line(claim.id)), ("Dates of service", span)]
    place = claim.place_of_service
    where = place.value if place.description is None else f"{place.value} {place.description}"
    rows.append(("Place of service", where))
    if claim.frequency is not ClaimFrequency.ORIGINAL and claim.original_claim_number:
        verb = "Replaces claim" if claim.frequency is ClaimFrequency.REPLACEMENT else "Voids claim"
        rows.append((verb, one_line(claim.original_claim_number)))
    if claim.prior_authorization is not None:
        rows.append(("Prior authorization", one_line(claim.prior_authorization)))
    return rows


def _parties(claim: Claim) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    patient = claim.patient
    patient_rows = [
        ("Name", one_line(full_name(patient.name))),
        ("Date of birth", us_date(patient.birth_date)),
        ("Account", one_line(patient.id)),
    ]
    if patient.address is not None:
        patient_rows.append(("Address", _address(patient.address)))
    if patient.phone is not None:
        patient_rows.append(("Phone", _phone(patient.phone)))

    coverage = claim.coverage
    insurance_rows = [
        ("Payer", one_line(coverage.payer.name)),
        ("Payer ID", one_line(coverage.payer.id)),
        ("Member ID", one_line(coverage.member_id)),
    ]
    if coverage.group_number is not None:
        insurance_rows.append(("Group", one_line(coverage.group_number)))
    if coverage.subscriber is not None:
        insurance_rows.append(("Subscriber", one_line(full_name(coverage.subscriber.name))))
        insurance_rows.append(("Relationship", coverage.relationship.value))

    provider_rows = _provider_rows(claim.billing_provider)
    rendering = claim.rendering_provider
    if rendering is not None:
        provider_rows += [
            ("Rendering provider", one_line(provider_name(rendering))),
            ("Rendering NPI", rendering.npi.value),
        ]
        license_ = _license(rendering)
        if license_ is not None:
            provider_rows.append(("Rendering license", license_))
    if claim.referring_provider is not None:
        referring = claim.referring_provider
        provider_rows += [
            ("Referred by", one_line(provider_name(referring))),
            ("Referring NPI", referring.npi.value),
        ]
    return [
        ("Provider", tuple(provider_rows)),
        ("Patient", tuple(patient_rows)),
        ("Insurance", tuple(insurance_rows)),
    ]


def _lines(claim: Claim, catalog: Catalog | None) -> list[_Line]:
    lines = []
    for line in claim.lines:
        try:
            # A catalogue an application extended holds its own text.
            label = one_line(lookup(line.code, catalog).label)
        except UnknownCodeError:
            label = ""
        place = line.place_of_service or claim.place_of_service
        lines.append(
            _Line(
                day=us_date(line.date_of_service),
                place=place.value,
                code=line.code.value,
                label=label,
                modifiers=" ".join(m.value for m in line.modifiers),
                pointers=",".join(diagnosis_letter(p) for p in line.diagnosis_pointers),
                units=str(line.units),
                charge=f"{line.charge:,.2f}",
            )
        )
    return lines
