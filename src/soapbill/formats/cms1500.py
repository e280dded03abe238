"""
The CMS-1500 (02/12) paper claim form, box by box.

:func:`cms1500_pages` maps a claim to the boxes of the form, keyed by the
number printed on the form (``"1a"``, ``"17b"``, ``"24F.3"``): one dict per
page of six service lines, each with every key of :data:`BOX_KEYS` (an empty
string where the box stays blank), so an app can fill a PDF form field by
field. Check boxes hold ``"X"`` or ``""``. :func:`render_cms1500_text` lays
the same pages out as fixed-width text for people to read.

What goes where follows the NUCC 1500 Health Insurance Claim Form Reference
Instruction Manual (version 02/12) as billing guides quote it: diagnoses
without the dot and ICD indicator ``0`` (box 21), resubmission code ``7`` or
``8`` with the payer's original claim number (box 22), at most four pointer
letters per line (box 24E), the total of the page's lines in box 28 on every
page (Noridian, "Claim Line Maximums to Prevent Claim Line Splitting"), and
the billing provider's NPI and taxonomy (33a, 33b with the ``ZZ``
qualifier), the onset date in box 14 and one other dated fact in box 15 with
the qualifiers the 837P writes (NUCC items 14 and 15). For Medicare Part B
the form follows CMS Pub. 100-04, Chapter 26: ``NONE`` in item 11, items 4, 6,
7 and 11a-11c blank, and item 32 filled for services given elsewhere than the
home. The contents of boxes no public source we read spells out
follow the common reading of the form; the guide flags them.

>>> from soapbill.formats.cms1500 import BOX_KEYS
>>> BOX_KEYS[:4]
('carrier', '1', '1.medicare', '1.medicaid')
>>> "24J.6" in BOX_KEYS
True

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from soapbill._arguments import check_date
from soapbill._text import DIAGNOSIS_LETTERS, diagnosis_letter, printable
from soapbill.claims import AttachmentKind, Claim, ClaimFrequency, ServiceLine
from soapbill.errors import ValidationError
from soapbill.formats._tables import (
    ACCIDENT,
    FIRST_CONTACT,
    INITIAL_TREATMENT,
    ONSET,
    REPORT_TYPE_CODES,
    check_report_types,
    claim_dates,
)
from soapbill.parties import Address, PersonName, PlanType, Provider, Relationship, Sex

__all__ = [
    "BOX_KEYS",
    "LINES_PER_PAGE",
    "PROGRAMS",
    "cms1500_pages",
    "render_cms1500_text",
]

#: Service lines on one paper form (NUCC 1500 manual, item 24; Noridian,
#: "Claim Line Maximums to Prevent Claim Line Splitting").
LINES_PER_PAGE: Final = 6

#: The box 1 check box for each plan type. Which box a Medicare Advantage,
#: auto or workers' compensation plan checks is not in soapbill's sources:
#: these are the common choices; pass your own mapping to change them.
PROGRAMS: Final[Mapping[PlanType, str]] = MappingProxyType(
    {
        PlanType.COMMERCIAL: "group_health_plan",
        PlanType.MEDICARE_PART_B: "medicare",
        PlanType.MEDICARE_ADVANTAGE: "other",
        PlanType.MEDICAID: "medicaid",
        PlanType.AUTO_PIP: "other",
        PlanType.WORKERS_COMP: "other",
        PlanType.OTHER: "other",
    }
)

#: The box 1 check boxes, in the form's order, with the words printed above them.
_PROGRAM_LABELS: Final = {
    "medicare": "MEDICARE",
    "medicaid": "MEDICAID",
    "tricare": "TRICARE",
    "champva": "CHAMPVA",
    "group_health_plan": "GROUP HEALTH PLAN",
    "feca_blk_lung": "FECA BLK LUNG",
    "other": "OTHER",
}
_RELATIONSHIPS: Final = {
    Relationship.SELF: "self",
    Relationship.SPOUSE: "spouse",
    Relationship.CHILD: "child",
    Relationship.OTHER: "other",
}
_SIGNATURE_ON_FILE: Final = "SIGNATURE ON FILE"
#: What Medicare writes in item 11 when no insurance is primary to it (CMS
#: Pub. 100-04, Medicare Claims Processing Manual, Ch. 26, item 11).
_NONE: Final = "NONE"
#: Place of service 12, home: the one place Medicare needs no item 32 for
#: (Pub. 100-04, Ch. 26, item 32).
_HOME: Final = "12"
#: Which 837P date item 15 shows when the claim has several (the form has
#: room for one): the accident, then the initial treatment, then the first
#: contact.
_ITEM_15_ORDER: Final = (ACCIDENT, INITIAL_TREATMENT, FIRST_CONTACT)
#: Box 11b qualifier for a property and casualty claim number (837P REF*Y4).
_PROPERTY_CASUALTY: Final = "Y4"
#: Box 17 qualifier DN: referring provider (NUCC 1500 manual, item 17; First
#: Coast Service Options, Medicare FAQ 157108).
_REFERRING: Final = "DN"
#: Box 24I and 33b qualifier for a taxonomy code on paper: ZZ, where the 837P
#: writes PXC (Speedy Soft USA, "Field 24I ID Qualifier Lines 1-6").
_TAXONOMY: Final = "ZZ"


def _line_keys(n: int) -> tuple[str, ...]:
    return (
        f"24A.{n}",
        f"24A.{n}.to",
        f"24B.{n}",
        f"24C.{n}",
        f"24D.{n}",
        *(f"24D.{n}.modifier{m}" for m in range(1, 5)),
        f"24E.{n}",
        f"24F.{n}",
        f"24G.{n}",
        f"24H.{n}",
        f"24I.{n}",
        f"24J.{n}",
        f"24J.{n}.other",
    )


#: Every key of a page, in the form's order.
BOX_KEYS: Final[tuple[str, ...]] = (
    "carrier",
    "1",
    *(f"1.{program}" for program in _PROGRAM_LABELS),
    "1a",
    "2",
    "3",
    "3.male",
    "3.female",
    "4",
    "5",
    "5.city",
    "5.state",
    "5.zip",
    "5.phone",
    "6",
    "6.self",
    "6.spouse",
    "6.child",
    "6.other",
    "7",
    "7.city",
    "7.state",
    "7.zip",
    "7.phone",
    "8",
    "9",
    "9a",
    "9b",
    "9c",
    "9d",
    "10a",
    "10a.yes",
    "10a.no",
    "10b",
    "10b.yes",
    "10b.no",
    "10b.state",
    "10c",
    "10c.yes",
    "10c.no",
    "10d",
    "11",
    "11a",
    "11a.male",
    "11a.female",
    "11b.qualifier",
    "11b",
    "11c",
    "11d",
    "11d.yes",
    "11d.no",
    "12",
    "12.date",
    "13",
    "14",
    "14.qualifier",
    "15",
    "15.qualifier",
    "16",
    "16.to",
    "17.qualifier",
    "17",
    "17a.qualifier",
    "17a",
    "17b",
    "18",
    "18.to",
    "19",
    "20",
    "20.yes",
    "20.no",
    "20.charges",
    "21.ICD",
    *(f"21.{letter}" for letter in DIAGNOSIS_LETTERS),
    "22",
    "22.original",
    "23",
    *(key for n in range(1, LINES_PER_PAGE + 1) for key in _line_keys(n)),
    "25",
    "25.ssn",
    "25.ein",
    "26",
    "27",
    "27.yes",
    "27.no",
    "28",
    "29",
    "30",
    "31",
    "31.date",
    "32",
    "32.street",
    "32.city_state_zip",
    "32a",
    "32b",
    "33",
    "33.street",
    "33.city_state_zip",
    "33.phone",
    "33a",
    "33b",
)


# --- value formatting --------------------------------------------------------------


def _check(flag: bool) -> str:  # noqa: FBT001 - a plain mapping of a flag
    return "X" if flag else ""


def _yes_no(prefix: str, flag: bool) -> dict[str, str]:  # noqa: FBT001
    return {
        prefix: "YES" if flag else "NO",
        f"{prefix}.yes": _check(flag),
        f"{prefix}.no": _check(not flag),
    }


def _date8(day: date) -> str:
    # Birth dates: eight digits, MM DD YYYY (NUCC items 3 and 11a).
    return f"{day.month:02d} {day.day:02d} {day.year:04d}"


def _date6(day: date) -> str:
    # Other dates: MM DD YY (NUCC item 24A).
    return f"{day.month:02d} {day.day:02d} {day.year % 100:02d}"


def _money(amount: Decimal) -> str:
    # Dollars and cents.
    return f"{amount:.2f}"


def _last_first(name: PersonName) -> str:
    # NUCC item 2: last name (then suffix), first name, middle initial, with commas.
    last = name.family if name.suffix is None else f"{name.family} {name.suffix}"
    parts = [last, name.given]
    if name.middle:
        parts.append(name.middle[0])
    return ", ".join(parts).upper()


def _first_last(name: PersonName) -> str:
    # NUCC items 17 and 31: first name, middle initial, last name.
    parts = [name.given, name.middle[0] if name.middle else "", name.family, name.suffix or ""]
    return " ".join(part for part in parts if part).upper()


def _provider_name(provider: Provider) -> str:
    if provider.name is None:
        return (provider.organization_name or "").upper()
    name = _first_last(provider.name)
    if provider.credential is not None:
        name += f" {provider.credential.value.upper()}"
    return name


def _sex(prefix: str, sex: Sex) -> dict[str, str]:
    return {
        f"{prefix}.male": _check(sex is Sex.MALE),
        f"{prefix}.female": _check(sex is Sex.FEMALE),
    }


def _address(prefix: str, address: Address | None, phone: str | None) -> dict[str, str]:
    if address is None:
        return {
            prefix: "",
            f"{prefix}.city": "",
            f"{prefix}.state": "",
            f"{prefix}.zip": "",
            f"{prefix}.phone": phone or "",
        }
    return {
        prefix: _street(address),
        f"{prefix}.city": address.city.upper(),
        f"{prefix}.state": address.state,
        f"{prefix}.zip": address.postal_code,
        f"{prefix}.phone": phone or "",
    }


def _street(address: Address) -> str:
    street = address.line1 if address.line2 is None else f"{address.line1} {address.line2}"
    return street.upper()


def _city_state_zip(address: Address) -> str:
    # NUCC item 33: a space between town and state, no comma.
    return f"{address.city.upper()} {address.state} {address.postal_code}"


# --- the boxes ---------------------------------------------------------------------


def _people(claim: Claim, programs: Mapping[PlanType, str], boxes: dict[str, str]) -> None:
    """
    Boxes 1 to 7 and 11 to 11c: the payer, the patient and the insured.
    """
    coverage = claim.coverage
    patient = claim.patient
    boxes["carrier"] = coverage.payer.name.upper()
    program = programs[coverage.plan_type]
    boxes["1"] = _PROGRAM_LABELS[program]
    boxes[f"1.{program}"] = "X"
    boxes["1a"] = coverage.member_id
    boxes["2"] = _last_first(patient.name)
    boxes["3"] = _date8(patient.birth_date)
    boxes.update(_sex("3", patient.sex))
    boxes.update(_address("5", patient.address, patient.phone))
    if coverage.plan_type is PlanType.MEDICARE_PART_B:
        # soapbill bills one coverage, as primary: for Medicare, item 11
        # says NONE (no insurance primary to Medicare), and items 4, 6, 7
        # and 11a to 11c, which describe insurance primary to Medicare, stay
        # blank (CMS Pub. 100-04, Medicare Claims Processing Manual, Ch. 26,
        # items 4, 6, 7 and 11).
        boxes["11"] = _NONE
        return
    relationship = _RELATIONSHIPS[coverage.relationship]
    boxes["6"] = relationship.upper()
    boxes[f"6.{relationship}"] = "X"
    # Boxes 4, 7 and 11a describe the insured: the patient when self.
    subscriber = coverage.subscriber
    if subscriber is None:
        boxes["4"] = boxes["2"]
        boxes.update(_address("7", patient.address, patient.phone))
        boxes["11a"] = boxes["3"]
        boxes.update(_sex("11a", patient.sex))
    else:
        boxes["4"] = _last_first(subscriber.name)
        boxes.update(_address("7", subscriber.address, None))
        boxes["11a"] = _date8(subscriber.birth_date)
        boxes.update(_sex("11a", subscriber.sex))
    boxes["11"] = coverage.group_number or ""
    if claim.property_casualty_claim_number is not None:
        boxes["11b.qualifier"] = _PROPERTY_CASUALTY
        boxes["11b"] = claim.property_casualty_claim_number
    boxes["11c"] = coverage.payer.name.upper()


def _dates(claim: Claim, boxes: dict[str, str]) -> None:
    """
    Boxes 14 and 15: the 837P's 2300 dates.

    The onset (431) goes in item 14; item 15 takes one other date, the first
    there is of the accident (439), the initial treatment (454) and the first
    contact (444) (NUCC 1500 instructions: item 14 takes 431 or 484, item 15
    the other qualifiers).
    """
    others = []
    for qualifier, day in claim_dates(claim):
        if qualifier == ONSET:
            boxes["14"], boxes["14.qualifier"] = _date6(day), qualifier
        else:
            others.append((_ITEM_15_ORDER.index(qualifier), qualifier, day))
    if others:
        _, qualifier, day = min(others)
        boxes["15"], boxes["15.qualifier"] = _date6(day), qualifier


def _condition(
    claim: Claim, report_types: Mapping[AttachmentKind, str], boxes: dict[str, str]
) -> None:
    """
    Boxes 10 and 12 to 23: the condition, signatures, referral, diagnoses.
    """
    causes = claim.related_causes
    boxes.update(_yes_no("10a", causes is not None and causes.employment))
    boxes.update(_yes_no("10b", causes is not None and causes.auto_accident))
    boxes.update(_yes_no("10c", causes is not None and causes.other_accident))
    if causes is not None:
        boxes["10b.state"] = causes.accident_state or ""
    _dates(claim, boxes)
    boxes["12"] = _SIGNATURE_ON_FILE if claim.release_of_information else ""
    boxes["13"] = _SIGNATURE_ON_FILE if claim.assignment_of_benefits else ""
    referring = claim.referring_provider
    if referring is not None:
        boxes["17.qualifier"] = _REFERRING
        boxes["17"] = _provider_name(referring)
        boxes["17b"] = referring.npi.value
    # Box 19: PWK, the report type, the transmission code and the attachment
    # control number, three spaces between attachments (NUCC, as findacode
    # publishes it); as in the 837P, no control number for a document
    # available on request.
    boxes["19"] = "   ".join(
        f"PWK{report_types[a.kind]}{a.transmission.code}{a.id if a.is_sent else ''}"
        for a in claim.attachments
    )
    boxes["21.ICD"] = "0"
    for letter, code in zip(DIAGNOSIS_LETTERS, claim.diagnoses, strict=False):
        boxes[f"21.{letter}"] = code.compact
    if claim.frequency is not ClaimFrequency.ORIGINAL:
        boxes["22"] = claim.frequency.code
        boxes["22.original"] = claim.original_claim_number or ""
    boxes["23"] = claim.prior_authorization or ""


def _billing(claim: Claim, signed_on: date, boxes: dict[str, str]) -> None:
    """
    Boxes 25 to 33: the billing provider and the claim's account.
    """
    billing = claim.billing_provider
    if billing.tax_id is not None:
        boxes["25"] = billing.tax_id.compact
        boxes[f"25.{billing.tax_id.kind}"] = "X"
    boxes["26"] = claim.id
    # Box 27: the provider accepts assignment (837P CLM07).
    boxes.update(_yes_no("27", claim.accepts_assignment))
    if claim.provider_signature_on_file:
        # Box 31: "SIGNATURE ON FILE" and the date the form is signed (NUCC
        # 1500 instructions, item 31).
        boxes["31"] = _SIGNATURE_ON_FILE
        boxes["31.date"] = _date6(signed_on)
    if claim.coverage.plan_type is PlanType.MEDICARE_PART_B and _away_from_home(claim):
        _service_facility(billing, boxes)
    boxes["33"] = _provider_name(billing)
    if billing.address is not None:
        boxes["33.street"] = _street(billing.address)
        boxes["33.city_state_zip"] = _city_state_zip(billing.address)
    boxes["33.phone"] = billing.phone or ""
    boxes["33a"] = billing.npi.value
    if billing.taxonomy is not None:
        boxes["33b"] = f"{_TAXONOMY}{billing.taxonomy}"


def _away_from_home(claim: Claim) -> bool:
    places = {claim.place_of_service, *(line.place_of_service for line in claim.lines)}
    return any(place is not None and place.value != _HOME for place in places)


def _service_facility(billing: Provider, boxes: dict[str, str]) -> None:
    """
    Box 32 for Medicare: where the services were given, for every place but the home.

    Medicare wants the name, address and ZIP code of the service location
    for all services but those given in the patient's home, place of service
    12 (CMS Pub. 100-04, Ch. 26, item 32). soapbill models no service facility
    apart from the billing provider: the services were given at its address.
    """
    boxes["32"] = _provider_name(billing)
    if billing.address is not None:
        boxes["32.street"] = _street(billing.address)
        boxes["32.city_state_zip"] = _city_state_zip(billing.address)


def _line(n: int, line: ServiceLine, claim: Claim) -> dict[str, str]:
    day = _date6(line.date_of_service)
    place = line.place_of_service or claim.place_of_service
    boxes = {
        f"24A.{n}": day,
        f"24A.{n}.to": day,
        f"24B.{n}": place.value,
        f"24D.{n}": line.code.value,
        f"24E.{n}": "".join(diagnosis_letter(p) for p in line.diagnosis_pointers),
        f"24F.{n}": _money(line.charge),
        f"24G.{n}": str(line.units),
    }
    for m, modifier in enumerate(line.modifiers, 1):
        boxes[f"24D.{n}.modifier{m}"] = modifier.value
    # 24J only when the rendering provider is not the billing provider
    # (33a); its taxonomy goes in the shaded part with qualifier ZZ.
    rendering = claim.rendering_provider
    if rendering is not None and rendering.npi != claim.billing_provider.npi:
        boxes[f"24J.{n}"] = rendering.npi.value
        if rendering.taxonomy is not None:
            boxes[f"24I.{n}"] = _TAXONOMY
            boxes[f"24J.{n}.other"] = rendering.taxonomy
    return boxes


def cms1500_pages(
    claim: Claim,
    *,
    programs: Mapping[PlanType, str] = PROGRAMS,
    report_type_codes: Mapping[AttachmentKind, str] = REPORT_TYPE_CODES,
    signed_on: date | None = None,
) -> list[dict[str, str]]:
    """
    Map *claim* to the boxes of the CMS-1500 (02/12) form.

    Args:
        claim: The claim.
        programs: The box 1 check box for each plan type (see :data:`PROGRAMS`).
        report_type_codes: The report type code of each kind of attachment in
            box 19, as in the 837P (see
            :data:`soapbill.formats.x12.REPORT_TYPE_CODES`).
        signed_on: The date the provider signs the form, box 31 (default:
            the last date of service, the earliest day the form can be
            signed).

    Returns:
        One dict per page of up to six service lines, in line order. Every
        page has every key of :data:`BOX_KEYS`, an empty string where the box
        is blank; the boxes other than 24 and 28 are the same on every page,
        and box 28 holds the total of the page's own lines. A box holds one
        line: each control character of the claim's text (Unicode categories
        Cc, Zl and Zp: line breaks, NUL, ANSI escapes) becomes a space.

    Raises:
        ValidationError: *claim* is not a :class:`~soapbill.Claim`, or
            a code table holds a code the form does not know.

    .. versionadded:: 0.1.0
    """
    if not isinstance(claim, Claim):
        raise ValidationError.single("claim", "invalid_type", "expected a Claim")
    if programs.get(claim.coverage.plan_type) not in _PROGRAM_LABELS:
        raise ValidationError.single(
            f"programs[{claim.coverage.plan_type.value}]",
            "invalid_code",
            "not a box 1 check box",
        )
    check_report_types(report_type_codes)
    if signed_on is None:
        signed_on = claim.dates_of_service[-1]
    else:
        check_date(signed_on, "signed_on")
    header = dict.fromkeys(BOX_KEYS, "")
    _people(claim, programs, header)
    _condition(claim, report_type_codes, header)
    _billing(claim, signed_on, header)
    # A box holds one line: a line break or an escape in the claim's text
    # must not add a line to the form or drive a terminal.
    header = {key: printable(value) for key, value in header.items()}
    pages = []
    for start in range(0, len(claim.lines), LINES_PER_PAGE):
        lines = claim.lines[start : start + LINES_PER_PAGE]
        page = dict(header)
        for n, line in enumerate(lines, 1):
            page.update({key: printable(value) for key, value in _line(n, line, claim).items()})
        page["28"] = _money(sum((line.charge for line in lines), Decimal("0.00")))
        pages.append(page)
    return pages


# --- text --------------------------------------------------------------------------

_WIDTH: Final = 100


def _row(box: str, label: str, value: str) -> str:
    return f"{box:<6}{label:<36}{value}".rstrip()


def _checked(page: Mapping[str, str], prefix: str, choices: Mapping[str, str]) -> str:
    return " ".join(text for key, text in choices.items() if page[f"{prefix}.{key}"])


#: The service-line table: its headings and their columns' width and alignment.
_TABLE_HEADINGS: Final = (
    "24", "A FROM", "A TO", "B", "C", "D CODE", "MODIFIERS", "E PTR", "F CHARGES", "G UNITS",
    "H", "I", "J NPI",
)  # fmt: skip
_COLUMNS: Final = (">2", "<9", "<9", "<2", "<2", "<6", "<12", "<5", ">10", ">7", "<1", "<2", "")


def _cells(cells: tuple[str, ...]) -> str:
    return " ".join(f"{cell:{spec}}" for cell, spec in zip(cells, _COLUMNS, strict=True)).rstrip()


def _joined(*parts: str) -> str:
    return "  ".join(part for part in parts if part)


def _render_page(page: Mapping[str, str], number: int, count: int) -> list[str]:
    sex = {"male": "M", "female": "F"}
    title = "HEALTH INSURANCE CLAIM FORM  CMS-1500 (02/12)"
    out = [
        "=" * _WIDTH,
        f"{title}{f'PAGE {number} OF {count}':>{_WIDTH - len(title)}}",
        "=" * _WIDTH,
        _row("", "CARRIER", page["carrier"]),
        _row("1", "INSURANCE PROGRAM", page["1"]),
        _row("1a", "INSURED'S ID NUMBER", page["1a"]),
        _row("2", "PATIENT'S NAME", page["2"]),
        _row("3", "PATIENT'S BIRTH DATE, SEX", _joined(page["3"], _checked(page, "3", sex))),
        _row("4", "INSURED'S NAME", page["4"]),
        _row(
            "5",
            "PATIENT'S ADDRESS",
            _joined(page["5"], page["5.city"], page["5.state"], page["5.zip"]),
        ),
        _row("", "  TELEPHONE", page["5.phone"]),
        _row("6", "PATIENT RELATIONSHIP TO INSURED", page["6"]),
        _row(
            "7",
            "INSURED'S ADDRESS",
            _joined(page["7"], page["7.city"], page["7.state"], page["7.zip"]),
        ),
        _row("", "  TELEPHONE", page["7.phone"]),
        _row("9", "OTHER INSURED'S NAME", page["9"]),
        _row("10a", "CONDITION RELATED TO EMPLOYMENT", page["10a"]),
        _row("10b", "AUTO ACCIDENT, PLACE (STATE)", _joined(page["10b"], page["10b.state"])),
        _row("10c", "OTHER ACCIDENT", page["10c"]),
        _row("11", "INSURED'S POLICY GROUP", page["11"]),
        _row("11a", "INSURED'S BIRTH DATE, SEX", _joined(page["11a"], _checked(page, "11a", sex))),
        _row("11b", "OTHER CLAIM ID", _joined(page["11b.qualifier"], page["11b"])),
        _row("11c", "INSURANCE PLAN NAME", page["11c"]),
        _row("11d", "ANOTHER HEALTH BENEFIT PLAN", page["11d"]),
        _row("12", "PATIENT'S SIGNATURE", _joined(page["12"], page["12.date"])),
        _row("13", "INSURED'S SIGNATURE", page["13"]),
        _row(
            "14",
            "DATE OF CURRENT ILLNESS",
            _joined(page["14"], page["14.qualifier"] and f"QUAL {page['14.qualifier']}"),
        ),
        _row(
            "15",
            "OTHER DATE",
            _joined(page["15"], page["15.qualifier"] and f"QUAL {page['15.qualifier']}"),
        ),
        _row("17", "REFERRING PROVIDER", _joined(page["17.qualifier"], page["17"])),
        _row("17b", "  NPI", page["17b"]),
        _row("19", "ADDITIONAL CLAIM INFORMATION", page["19"]),
        _row("21", "DIAGNOSES", f"ICD IND {page['21.ICD']}"),
    ]
    diagnoses = [
        f"{letter}. {page[f'21.{letter}']}" for letter in DIAGNOSIS_LETTERS if page[f"21.{letter}"]
    ]
    out += [
        _row("", "", "   ".join(f"{d:<14}" for d in diagnoses[start : start + 4]))
        for start in range(0, len(diagnoses), 4)
    ]
    out += [
        _row("22", "RESUBMISSION CODE, ORIGINAL REF", _joined(page["22"], page["22.original"])),
        _row("23", "PRIOR AUTHORIZATION NUMBER", page["23"]),
        "-" * _WIDTH,
        _cells(_TABLE_HEADINGS),
    ]
    for n in range(1, LINES_PER_PAGE + 1):
        if not page[f"24A.{n}"]:
            continue
        modifiers = " ".join(page[f"24D.{n}.modifier{m}"] for m in range(1, 5)).strip()
        keys = ("24A.{}", "24A.{}.to", "24B.{}", "24C.{}", "24D.{}")
        cells = (str(n), *(page[key.format(n)] for key in keys), modifiers)
        cells += tuple(page[f"{box}.{n}"] for box in ("24E", "24F", "24G", "24H", "24I"))
        out.append(_cells((*cells, _joined(page[f"24J.{n}"], page[f"24J.{n}.other"]))))
    out += [
        "-" * _WIDTH,
        _row(
            "25",
            "FEDERAL TAX I.D. NUMBER",
            _joined(page["25"], _checked(page, "25", {"ssn": "SSN", "ein": "EIN"})),
        ),
        _row("26", "PATIENT'S ACCOUNT NO.", page["26"]),
        _row("27", "ACCEPT ASSIGNMENT?", page["27"]),
        _row("28", "TOTAL CHARGE", page["28"]),
        _row("29", "AMOUNT PAID", page["29"]),
        _row("31", "SIGNATURE OF PHYSICIAN OR SUPPLIER", _joined(page["31"], page["31.date"])),
        _row(
            "32",
            "SERVICE FACILITY LOCATION",
            _joined(page["32"], page["32.street"], page["32.city_state_zip"]),
        ),
        _row("32a", "  NPI", page["32a"]),
        _row("33", "BILLING PROVIDER", page["33"]),
        _row("", "", page["33.street"]),
        _row("", "", page["33.city_state_zip"]),
        _row("", "  TELEPHONE", page["33.phone"]),
        _row("33a", "  NPI", page["33a"]),
        _row("33b", "  OTHER ID", page["33b"]),
    ]
    return out


def render_cms1500_text(
    claim: Claim,
    *,
    programs: Mapping[PlanType, str] = PROGRAMS,
    report_type_codes: Mapping[AttachmentKind, str] = REPORT_TYPE_CODES,
    signed_on: date | None = None,
) -> str:
    """
    Lay *claim* out as CMS-1500 pages in fixed-width text, for people to read.

    Each page starts with a ``=`` rule and its page number and shows the
    filled boxes by number, then the page's service lines as a table, then
    the page total. The text is plain ASCII when the claim's names are, and
    its only control characters are the line breaks that end its lines: the
    claim's text never adds a line (see :func:`cms1500_pages`).

    Args:
        claim: The claim.
        programs: As :func:`cms1500_pages`.
        report_type_codes: As :func:`cms1500_pages`.
        signed_on: As :func:`cms1500_pages`.

    Returns:
        The pages, one after another, ending with a line break.

    Raises:
        ValidationError: As :func:`cms1500_pages`.

    .. versionadded:: 0.1.0
    """
    pages = cms1500_pages(
        claim, programs=programs, report_type_codes=report_type_codes, signed_on=signed_on
    )
    lines: list[str] = []
    for number, page in enumerate(pages, 1):
        lines += _render_page(page, number, len(pages))
    return "\n".join(lines) + "\n"
