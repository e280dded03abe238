"""
X12 837P (005010X222A1) professional claims.

:func:`write_837p` writes one interchange (``ISA`` / ``GS`` / ``ST`` ...
``SE`` / ``GE`` / ``IEA``) holding every claim given. Claims are grouped the
way the implementation guide nests them: one billing-provider level (2000A)
per billing provider, one subscriber level (2000B) per subscriber and payer
under it, and a patient level (2000C) when the patient is not the subscriber.
Segments, element codes, lengths and repeat limits follow the open-source
pyx12 map of the guide, ``pyx12/map/837.5010.X222.A1.xml`` (DOMAIN.md 5).

X12 has no escape character: a name or an id that contains a separator, or a
character outside the X12 extended character set, is refused with a
:class:`~soapbill.errors.ValidationError` naming the field; so is a date
before 1800, and a value the 837P requires that holds only spaces. Spaces at
the ends of a value are not written. Nothing is ever written broken: every
file passes the pyx12 validator (whose places of service are the CMS code set
of its release; soapbill takes any two-digit code, as CMS adds codes).
:func:`problems_837p` lists everything the 837P would refuse in a claim, all
at once, before you export it. Names, addresses and cities are written in
upper case (the customary form; the extended character set also allows lower
case); identifiers are written exactly as given.

>>> separators = X12Separators(element="|", component=">")
>>> separators.segment
'~'
>>> Receiver(name="Example Clearinghouse", id="CLEARING01")
Receiver(name='Example Clearinghouse', id='CLEARING01')

.. versionadded:: 0.1.0
"""

from __future__ import annotations
import __future__

import ast
import enum
import functools
import inspect
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, Literal, TypeVar

import attrs

from soapbill._fields import rules
from soapbill._model import model
from soapbill.claims import AttachmentKind, Claim, ClaimFrequency, RelatedCauses
from soapbill.errors import ErrorDetail, ValidationError
from soapbill.parties import Address, PersonName, PlanType, Provider, Relationship, Sex

__all__ = [
    "CLAIM_FILING_CODES",
    "REPORT_TYPE_CODES",
    "SEPARATOR_CHOICES",
    "Receiver",
    "Submitter",
    "X12Separators",
    "problems_837p",
    "write_837p",
]

_T = TypeVar("_T")

# --- code tables -----------------------------------------------------------------


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: SBR09 claim filing indicator codes the pyx12 map allows (2000B SBR09).
_SBR09_CODES: Final = _codes("11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ")
#: PWK01 attachment report type codes the pyx12 map allows (2300 PWK01).
_PWK01_CODES: Final = _codes(
    "03 04 05 06 07 08 09 10 11 13 15 21 A3 A4 AM AS B2 B3 B4 BR BS BT CB CK CT D2 DA DB DG DJ "
    "DS EB HC HR I5 IR LA M1 MT NN OB OC OD OE OX OZ P4 P5 PE PN PO PQ PY PZ RB RR RT RX SG V5"
)

#: The claim filing indicator (SBR09) written for each plan type. Code meanings
#: from the X12 code list as published by clearinghouses (CI commercial
#: insurance, MB Medicare Part B, 16 HMO Medicare Risk, MC Medicaid, AM
#: automobile medical, WC workers' compensation, ZZ mutually defined); a
#: Medicare Advantage plan is commonly billed as 16. Payers differ: pass your
#: own mapping to :func:`write_837p` to change it.
CLAIM_FILING_CODES: Final[Mapping[PlanType, str]] = MappingProxyType(
    {
        PlanType.COMMERCIAL: "CI",
        PlanType.MEDICARE_PART_B: "MB",
        PlanType.MEDICARE_ADVANTAGE: "16",
        PlanType.MEDICAID: "MC",
        PlanType.AUTO_PIP: "AM",
        PlanType.WORKERS_COMP: "WC",
        PlanType.OTHER: "ZZ",
    }
)

#: The attachment report type (PWK01) written for each kind of attachment:
#: ``09`` progress report for a SOAP note, ``B2`` prescription, ``08`` plan of
#: treatment (NUCC 5010A1 report type codes). A physical-therapy practice may
#: prefer ``PN`` (physical therapy notes) for its notes: pass your own mapping
#: to :func:`write_837p`.
REPORT_TYPE_CODES: Final[Mapping[AttachmentKind, str]] = MappingProxyType(
    {
        AttachmentKind.SOAP_NOTE: "09",
        AttachmentKind.PRESCRIPTION: "B2",
        AttachmentKind.PLAN_OF_CARE: "08",
    }
)

#: 2000C PAT01 individual relationship codes (pyx12 map: 01 spouse, 19 child,
#: G8 other relationship); a subscriber who is the patient is SBR02 ``18``.
_PAT01: Final = {
    Relationship.SPOUSE: "01",
    Relationship.CHILD: "19",
    Relationship.OTHER: "G8",
}
#: DMG03 gender codes (pyx12 map: F, M, U).
_DMG03: Final = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.UNKNOWN: "U"}

#: ISA13 is N0 9/9 and GS06 N0 1/9 (pyx12 control map).
_MAX_CONTROL: Final = 999_999_999
#: SV107 diagnosis pointers 1-12 as text.
_POINTERS: Final = tuple(str(n) for n in range(13))
#: 2300 loops per subscriber or patient level (pyx12 map: 2300 repeat 100).
_CLAIMS_PER_LEVEL: Final = 100

# --- characters --------------------------------------------------------------------

#: The X12 5010 extended character set, as pyx12 checks it (validation.py,
#: ``rec_ID_E5``), without the space, which is added below.
_EXTENDED: Final = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    "!\"&'()*+,-./:;?=%~@[]_{}\\|<>^`#$"
)
#: Characters a separator may be: the punctuation of the extended set, except
#: the ``.``, ``-`` and ``_`` that soapbill itself writes inside values
#: (amounts, attachment ids).
SEPARATOR_CHOICES: Final = "!\"&'()*+,/:;?=%~@[]{}\\|<>^`#$"


def _forbidden(separators: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    allowed = "".join(ch for ch in _EXTENDED if ch not in separators) + " "
    return re.compile(f"[^{re.escape(allowed)}]").search


def _allowed(separators: tuple[str, ...]) -> bytes:
    return ("".join(ch for ch in _EXTENDED if ch not in separators) + " ").encode()


@attrs.frozen(kw_only=True)
class X12Separators:
    """
    The delimiters of an interchange.

    Each is one character from :data:`SEPARATOR_CHOICES`, all four distinct.
    The defaults are the conventional ones (DOMAIN.md 5.1). The element
    separator is ISA's fourth character, the repetition separator ISA11, the
    component separator ISA16, and the segment terminator follows ISA16.

    Attributes:
        element: Between elements.
        component: Between the components of a composite element.
        repetition: Between repeats of an element.
        segment: After each segment.

    .. versionadded:: 0.1.0
    """

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"
    _search: Callable[[str], re.Match[str] | None] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    _allowed: bytes = attrs.field(init=False, repr=False, eq=False, hash=False)
    # The writer compiled for these separators (see _literal_writer), on first use.
    _writer: type[_Writer] | None = attrs.field(
        init=False, default=None, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        chars = (self.element, self.component, self.repetition, self.segment)
        for name, ch in zip(("element", "component", "repetition", "segment"), chars, strict=True):
            if ch.__class__ is not str:
                raise ValidationError.single(name, "invalid_type", "expected a string")
            if len(ch) != 1 or ch not in SEPARATOR_CHOICES:
                raise ValidationError.single(
                    name, "invalid_separator", "a separator is one punctuation character"
                )
        if len(set(chars)) != len(chars):
            raise ValidationError.single("element", "duplicate", "the four separators must differ")
        object.__setattr__(self, "_search", _forbidden(chars))
        object.__setattr__(self, "_allowed", _allowed(chars))

    def _carries(self, text: str) -> bool:
        """
        Whether X12 can carry *text*: no separator, nothing outside the extended set.
        """
        # Deleting the allowed bytes leaves nothing: several times faster than
        # searching with the regular expression, which explains a refusal.
        return text.isascii() and not text.encode().translate(None, self._allowed)


_DEFAULT_SEPARATORS: Final = X12Separators()


# --- the envelope parties ----------------------------------------------------------


@model
class Submitter:
    """
    Who sends the interchange (loop 1000A, ISA06, GS02).

    Attributes:
        name: The submitter's organisation name (NM103).
        id: The submitter id the receiver assigned (ETIN): ISA06, GS02 and
            the 1000A NM109, so 2 to 15 characters.
        contact_name: Who to call about the file (PER02).
        phone: Ten-digit phone number (PER ``TE``).
        email: E-mail address (PER ``EM``); give a phone, an e-mail or both.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(metadata=rules(max_len=60))
    id: str = attrs.field(metadata=rules(min_len=2, max_len=15))
    contact_name: str = attrs.field(metadata=rules(max_len=60))
    phone: str | None = attrs.field(default=None, metadata=rules(pattern=r"[0-9]{10}"))
    email: str | None = attrs.field(default=None, metadata=rules(max_len=256))

    def _check_fields(self) -> None:
        if self.phone is None and self.email is None:
            raise ValidationError.single("phone", "required", "give a phone or an e-mail")


@model
class Receiver:
    """
    Who receives the interchange (loop 1000B, ISA08, GS03): a clearinghouse or payer.

    Attributes:
        name: The receiver's name (NM103).
        id: Its id: ISA08, GS03 and the 1000B NM109, so 2 to 15 characters.

    .. versionadded:: 0.1.0
    """

    name: str = attrs.field(metadata=rules(max_len=60))
    id: str = attrs.field(metadata=rules(min_len=2, max_len=15))


# --- value formatting --------------------------------------------------------------


def _amount(value: Decimal) -> str:
    # X12 R type: no trailing zeros after the decimal point, no point for a
    # whole amount ("120", "120.5"); the format "f" spells out 1E+2.
    text = str(value)
    if text[-3:] == ".00":
        return text[:-3]
    if "E" in text:
        text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _d8(day: date) -> str:
    # CCYYMMDD. Arithmetic and one str() cost a fraction of a format string;
    # the year has four digits (dates before 1800 are refused, see _FIRST_DAY).
    return str(day.year * 10000 + day.month * 100 + day.day)


# --- what X12 can carry ------------------------------------------------------------

#: The earliest date soapbill writes. An 837P date is ``CCYYMMDD`` (data
#: element type DT, qualifier ``D8``), which could spell any year from 0001,
#: but the pyx12 validator refuses every date before 1800-01-01 as not a real
#: date (``pyx12/validation.py``, ``is_valid_date``), and no claim has reason
#: to hold one: earlier dates are refused, not written for a clearinghouse to
#: reject.
_FIRST_DAY: Final = date(1800, 1, 1)

#: A free-text value the 837P writes: its path, its value, and the fewest
#: characters its element takes once the spaces at its ends are removed
#: (0 for an optional element, which a value of spaces only leaves out).
#: X12.6 section 3.5.1.4 (string type AN, as X12 RFIs 46 and 2144 quote it):
#: a string holds at least one non-space character, and trailing spaces
#: should be suppressed; pyx12 refuses them. Leading spaces would count as
#: data: in a name or an id they are a slip, so they are removed too.
_Field = tuple[str, str | None, int]
_Fields = list[_Field]

#: The message of a value shorter than its element's minimum, by minimum.
_SHORT: Final = {
    1: "the 837P needs a value here, not only spaces",
    2: "the 837P needs at least 2 characters here, not counting spaces at the ends",
}


def _short(path: str, minimum: int) -> ErrorDetail:
    return ErrorDetail(path=path, code="too_short", message=_SHORT[minimum])


def _name_fields(path: str, name: PersonName, out: _Fields) -> None:
    # NM103 (1/60), NM104 (1/35), NM105 (1/25), NM107 (1/10); NM105 and
    # NM107 are situational.
    out += [
        (f"{path}.family", name.family, 1),
        (f"{path}.given", name.given, 1),
        (f"{path}.middle", name.middle, 0),
        (f"{path}.suffix", name.suffix, 0),
    ]


def _address_fields(path: str, address: Address | None, out: _Fields) -> None:
    # N301 (1/55), N302 (1/55, situational), N401 (2/30).
    if address is not None:
        out += [
            (f"{path}.line1", address.line1, 1),
            (f"{path}.line2", address.line2, 0),
            (f"{path}.city", address.city, 2),
        ]


def _provider_fields(path: str, provider: Provider | None, out: _Fields) -> None:
    # The 837P writes a provider's name; only the billing provider's address.
    if provider is not None:
        if provider.name is None:
            out.append((f"{path}.organization_name", provider.organization_name, 1))
        else:
            _name_fields(f"{path}.name", provider.name, out)


def _claim_fields(claim: Claim) -> _Fields:
    """
    Every free-text value of *claim* the 837P writes, with its path and minimum length.

    Other values (codes, NPIs, dates, states, ZIP codes, phone numbers,
    attachment ids) are checked by their own patterns and cannot hold a
    space or a separator.
    """
    coverage = claim.coverage
    out: _Fields = [
        # CLM01 (1/38); REF02 of REF*F8, REF*G1 and REF*Y4 (1/50).
        ("id", claim.id, 1),
        ("original_claim_number", claim.original_claim_number, 1),
        ("prior_authorization", claim.prior_authorization, 0),
        ("property_casualty_claim_number", claim.property_casualty_claim_number, 0),
        # 2010BA NM109 (2/80), SBR03 (1/50), 2010BB NM109 (2/80) and NM103.
        ("coverage.member_id", coverage.member_id, 2),
        ("coverage.group_number", coverage.group_number, 0),
        ("coverage.payer.id", coverage.payer.id, 2),
        ("coverage.payer.name", coverage.payer.name, 1),
    ]
    _name_fields("patient.name", claim.patient.name, out)
    _address_fields("patient.address", claim.patient.address, out)
    subscriber = coverage.subscriber
    if subscriber is not None:
        _name_fields("coverage.subscriber.name", subscriber.name, out)
        _address_fields("coverage.subscriber.address", subscriber.address, out)
    billing = claim.billing_provider
    _address_fields("billing_provider.address", billing.address, out)
    _provider_fields("billing_provider", billing, out)
    rendering = claim.rendering_provider
    if rendering is not None and rendering.npi.value != billing.npi.value:
        _provider_fields("rendering_provider", rendering, out)
    _provider_fields("referring_provider", claim.referring_provider, out)
    return out


def _claim_values(claim: Claim) -> list[str | None]:
    """
    The values of :func:`_claim_fields`, in its order, without their paths.
    """
    coverage = claim.coverage
    payer = coverage.payer
    patient = claim.patient
    name = patient.name
    values = [
        claim.id,
        claim.original_claim_number,
        claim.prior_authorization,
        claim.property_casualty_claim_number,
        coverage.member_id,
        coverage.group_number,
        payer.id,
        payer.name,
        name.family,
        name.given,
        name.middle,
        name.suffix,
    ]
    address = patient.address
    if address is not None:
        values += (address.line1, address.line2, address.city)
    subscriber = coverage.subscriber
    if subscriber is not None:
        name = subscriber.name
        values += (name.family, name.given, name.middle, name.suffix)
        address = subscriber.address
        if address is not None:
            values += (address.line1, address.line2, address.city)
    billing = claim.billing_provider
    address = billing.address
    if address is not None:
        values += (address.line1, address.line2, address.city)
    rendering = claim.rendering_provider
    if rendering is not None and rendering.npi.value == billing.npi.value:
        rendering = None
    for provider in (billing, rendering, claim.referring_provider):
        if provider is not None:
            person = provider.name
            if person is None:
                values.append(provider.organization_name)
            else:
                values += (person.family, person.given, person.middle, person.suffix)
    return values


def _submitter_fields(submitter: Submitter) -> _Fields:
    # 1000A NM103 (1/60), ISA06, GS02 and NM109 (2/15), PER02 (1/60), PER04
    # (1/256): an e-mail is optional beside a phone.
    return [
        ("name", submitter.name, 1),
        ("id", submitter.id, 2),
        ("contact_name", submitter.contact_name, 1),
        ("email", submitter.email, 1 if submitter.phone is None else 0),
    ]


def _receiver_fields(receiver: Receiver) -> _Fields:
    # 1000B NM103 (1/60), ISA08, GS03 and NM109 (2/15).
    return [("name", receiver.name, 1), ("id", receiver.id, 2)]


def _clean(values: list[str | None], separators: X12Separators) -> bool:
    """
    Whether X12 carries *values* as they are.

    That is: no space at either end, no separator, nothing outside the
    extended character set.
    """
    for value in values:
        # strip() returns the very string when there is nothing to strip.
        if value is not None and value.strip(" ") is not value:
            return False
    return separators._carries("".join(filter(None, values)))  # noqa: SLF001 - our own class


def _text_problems(fields: _Fields, separators: X12Separators) -> list[ErrorDetail]:
    """
    What X12 cannot carry in *fields*: too short once trimmed, a separator, a foreign character.
    """
    search = separators._search  # noqa: SLF001 - our own class
    marks = {
        separators.element,
        separators.component,
        separators.repetition,
        separators.segment,
    }
    problems = []
    for path, value, minimum in fields:
        if value is None:
            continue
        if len(value.strip(" ")) < minimum:
            problems.append(_short(path, minimum))
        found = search(value)
        if found is None:
            continue
        if found.group() in marks:
            problems.append(
                ErrorDetail(
                    path=path,
                    code="x12_separator",
                    message="contains an X12 separator character, which X12 cannot escape",
                )
            )
        else:
            problems.append(
                ErrorDetail(
                    path=path,
                    code="x12_charset",
                    message="contains a character outside the X12 extended character set",
                )
            )
    return problems


def _trimmed(value: _T, fields: _Fields) -> _T:
    """
    *value* with the spaces at the ends of its *fields* removed.

    An optional value of spaces only becomes ``None``; a required one has
    been refused by :func:`_text_problems` before.
    """
    for path, text, _ in fields:
        if text is not None:
            trimmed = text.strip(" ")
            # As in _clean: strip() returns the very string when there is nothing to strip.
            if trimmed is not text:
                value = _replace(value, path, trimmed or None)
    return value


def _replace(value: Any, path: str, new: object) -> Any:  # noqa: ANN401 - any model
    head, _, rest = path.partition(".")
    return attrs.evolve(value, **{head: _replace(getattr(value, head), rest, new) if rest else new})


# --- what a correct 837P needs beyond the models -----------------------------------


def _fits(claim: Claim) -> bool:
    """
    Whether *claim* has what the 837P requires, as far as its values go.

    The quick form of :func:`_claim_problems`: the lengths are those of the
    values as given (:func:`_clean` sends values with spaces at their ends to
    the explanation), and the dates of service are checked once the lines are
    written.
    """
    billing = claim.billing_provider
    address = billing.address
    patient = claim.patient
    coverage = claim.coverage
    if (
        address is None
        or len(address.postal_code) != 9  # noqa: PLR2004 - ZIP+4
        or len(address.city) < 2  # noqa: PLR2004 - N401 is 2/30
        or billing.tax_id is None
        or patient.address is None
        or len(patient.address.city) < 2  # noqa: PLR2004
        or len(coverage.member_id) < 2  # noqa: PLR2004 - NM109 is 2/80
        or len(coverage.payer.id) < 2  # noqa: PLR2004
        or patient.birth_date < _FIRST_DAY
    ):
        return False
    subscriber = coverage.subscriber
    address = None if subscriber is None else subscriber.address
    if address is not None and len(address.city) < 2:  # noqa: PLR2004
        return False
    for attachment in claim.attachments:
        if len(attachment.id) < 2:  # noqa: PLR2004 - PWK06 is 2/80
            return False
    referring = claim.referring_provider
    if referring is not None and referring.name is None:
        return False
    causes = claim.related_causes
    return causes is None or (
        not (causes.employment and causes.auto_accident and causes.other_accident)
        and (causes.accident_date is None or causes.accident_date >= _FIRST_DAY)
    )


def _requirement_problems(claim: Claim) -> list[ErrorDetail]:
    """
    What the 837P requires and the models leave optional, beyond free text.
    """
    problems = []
    billing = claim.billing_provider
    # 2010AA: N3, N4 and REF*EI/SY are required (pyx12 map usage R).
    if billing.address is None:
        problems.append(
            ErrorDetail(
                path="billing_provider.address",
                code="required",
                message="the 837P requires the billing address",
            )
        )
    # 5010 requires the nine-digit ZIP code of the billing provider (Stedi
    # claim edit "Incomplete ZIP Code"; NUCC item 33 instructions).
    elif len(billing.address.postal_code) != 9:  # noqa: PLR2004 - ZIP+4
        problems.append(
            ErrorDetail(
                path="billing_provider.address.postal_code",
                code="zip_plus_4",
                message="the 837P requires the nine-digit ZIP code of the billing provider",
            )
        )
    if billing.tax_id is None:
        problems.append(
            ErrorDetail(
                path="billing_provider.tax_id",
                code="required",
                message="the 837P requires the billing tax id",
            )
        )
    # 2010CA N3/N4 are required, and 2010BA N3/N4 are required when the
    # subscriber is the patient: either way the patient's address is written.
    if claim.patient.address is None:
        problems.append(
            ErrorDetail(
                path="patient.address",
                code="required",
                message="the 837P requires the patient's address",
            )
        )
    # PWK06 is AN 2/80 (pyx12 map); attachment ids hold no spaces.
    problems += [
        _short(f"attachments[{k}].id", 2)
        for k, attachment in enumerate(claim.attachments)
        if len(attachment.id) < 2  # noqa: PLR2004
    ]
    # 2310A NM102 is 1 (person) only (pyx12 map).
    referring = claim.referring_provider
    if referring is not None and referring.name is None:
        problems.append(
            ErrorDetail(
                path="referring_provider.name",
                code="required",
                message="the 837P referring provider is a person: give a name",
            )
        )
    # CLM11 holds two related-causes codes (CLM11-01, CLM11-02; CLM11-03 is
    # not used in the pyx12 map).
    causes = claim.related_causes
    if causes is not None and causes.employment and causes.auto_accident and causes.other_accident:
        problems.append(
            ErrorDetail(
                path="related_causes",
                code="too_many",
                message="the 837P holds at most two related causes",
            )
        )
    return problems


def _early(path: str) -> ErrorDetail:
    return ErrorDetail(
        path=path, code="out_of_range", message="the 837P writes dates from 1800-01-01 on"
    )


def _date_problems(claim: Claim) -> list[ErrorDetail]:
    """
    The dates the 837P writes (DMG02, DTP*472, DTP*431 or 439) that X12 cannot carry.
    """
    problems = []
    if claim.patient.birth_date < _FIRST_DAY:
        problems.append(_early("patient.birth_date"))
    problems += [
        _early(f"lines[{k}].date_of_service")
        for k, line in enumerate(claim.lines)
        if line.date_of_service < _FIRST_DAY
    ]
    causes = claim.related_causes
    accident = None if causes is None else causes.accident_date
    if accident is not None and accident < _FIRST_DAY:
        problems.append(_early("related_causes.accident_date"))
    return problems


def _claim_problems(claim: Claim, separators: X12Separators) -> list[ErrorDetail]:
    return (
        _requirement_problems(claim)
        + _text_problems(_claim_fields(claim), separators)
        + _date_problems(claim)
    )


def problems_837p(claim: Claim) -> tuple[ErrorDetail, ...]:
    """
    Every reason :func:`write_837p` would refuse *claim*, all at once.

    The models leave optional what the 837P requires (a billing address with
    a nine-digit ZIP code, a billing tax id, the patient's address, ids of at
    least two characters, ...), and X12 cannot carry every value a model
    holds (a separator, a character outside the X12 extended character set,
    a value of spaces only, a date before 1800). A claim that the rules find
    valid can still fall short of the 837P: ask this before exporting.

    Characters are checked against the default separators
    (:class:`X12Separators`); :func:`write_837p` checks against the
    separators it is given. Spaces at the ends of a value are no problem:
    :func:`write_837p` removes them.

    Args:
        claim: The claim.

    Returns:
        The problems, each with a path relative to the claim (such as
        ``billing_provider.address.postal_code``), a stable code and a fixed
        message that holds no value of the claim; ``()`` when
        :func:`write_837p` writes the claim. When it does not, it raises one
        :class:`~soapbill.errors.ValidationError` listing exactly these
        problems, each path prefixed with ``claims[i].``.

    Raises:
        ValidationError: *claim* is not a :class:`~soapbill.Claim`.

    .. versionadded:: 0.1.0
    """
    if not isinstance(claim, Claim):
        raise ValidationError.single("claim", "invalid_type", "expected a Claim")
    return tuple(_claim_problems(claim, _DEFAULT_SEPARATORS))


# --- segments ----------------------------------------------------------------------


class _Writer:
    """
    Writes the loops of one interchange as text, each segment terminated.

    Values never hold a separator (:func:`write_837p` checks them first), so the
    segments of a text can be counted by counting its terminators. This is the
    formats' hottest code: plain loops, local names and one f-string per
    segment group, measured by ``benchmarks/bench_formats.py``.
    """

    __slots__ = ("c", "dates", "e", "filing", "report_types", "t")

    def __init__(
        self,
        separators: X12Separators,
        filing: Mapping[PlanType, str],
        report_types: Mapping[AttachmentKind, str],
    ) -> None:
        self.e = separators.element
        self.c = separators.component
        self.t = separators.segment
        self.filing = filing
        self.report_types = report_types
        # Claims of one file share a few dates of service: format each once.
        self.dates: dict[date, str] = {}

    def d8(self, day: date) -> str:
        text = self.dates.get(day)
        if text is None:
            text = self.dates[day] = _d8(day)
        return text

    def person(self, name: PersonName) -> str:
        # NM103 last, NM104 first, NM105 middle, NM106 prefix (not used), NM107
        # suffix. Separators are punctuation: one upper() serves the whole name.
        e = self.e
        return (
            f"{name.family}{e}{name.given}{e}{name.middle or ''}{e}{e}{name.suffix or ''}"
        ).upper()

    def address(self, address: Address) -> str:
        # N3 and N4; the state and ZIP code are upper case and digits already.
        e, t = self.e, self.t
        line2 = address.line2
        return (
            f"N3{e}{address.line1}{'' if line2 is None else e + line2}{t}"
            f"N4{e}{address.city}{e}{address.state}{e}{address.postal_code}{t}"
        ).upper()

    def provider(self, code: str, provider: Provider) -> str:
        """
        The NM1 of a provider: entity *code*, person or organisation, NPI.
        """
        e, t = self.e, self.t
        name = provider.name
        if name is None:
            entity = f"2{e}{(provider.organization_name or '').upper()}{e}{e}{e}{e}"
        else:
            entity = f"1{e}{self.person(name)}"
        return f"NM1{e}{code}{e}{entity}{e}XX{e}{provider.npi.value}{t}"

    def billing(self, provider: Provider) -> str:
        """
        2000A PRV and loop 2010AA, without the HL.
        """
        e, t = self.e, self.t
        taxonomy = provider.taxonomy
        prv = "" if taxonomy is None else f"PRV{e}BI{e}PXC{e}{taxonomy}{t}"
        address = self.address(provider.address)  # type: ignore[arg-type] # checked by _fits
        ein = provider.tax_id.compact  # type: ignore[union-attr] # checked by _fits
        return f"{prv}{self.provider('85', provider)}{address}REF{e}EI{e}{ein}{t}"

    def subscriber(self, claim: Claim) -> str:
        """
        2000B SBR and loops 2010BA and 2010BB, without the HL.
        """
        e, t = self.e, self.t
        coverage = claim.coverage
        payer = coverage.payer
        # SBR01 P (primary: soapbill bills one coverage); SBR02 18 only for self.
        # 2010BB NM1*PR: the payer.
        filing = self.filing[coverage.plan_type]
        sbr = f"{e}{coverage.group_number or ''}{e}{e}{e}{e}{e}{e}{filing}{t}"
        nm1_pr = f"NM1{e}PR{e}2{e}{payer.name.upper()}{e}{e}{e}{e}{e}PI{e}{payer.id}{t}"
        if coverage.relationship is Relationship.SELF:
            patient = claim.patient
            pc_number = claim.property_casualty_claim_number
            ref = "" if pc_number is None else f"REF{e}Y4{e}{pc_number}{t}"
            return (
                f"SBR{e}P{e}18{sbr}"
                f"NM1{e}IL{e}1{e}{self.person(patient.name)}{e}MI{e}{coverage.member_id}{t}"
                f"{self.address(patient.address)}"  # type: ignore[arg-type] # checked by _fits
                f"DMG{e}D8{e}{_d8(patient.birth_date)}{e}{_DMG03[patient.sex]}{t}{ref}{nm1_pr}"
            )
        subscriber = coverage.subscriber
        assert subscriber is not None  # noqa: S101 - Coverage guarantees it
        address = subscriber.address
        return (
            f"SBR{e}P{e}{sbr}"
            f"NM1{e}IL{e}1{e}{self.person(subscriber.name)}{e}MI{e}{coverage.member_id}{t}"
            f"{'' if address is None else self.address(address)}{nm1_pr}"
        )

    def patient(self, claim: Claim) -> str:
        """
        2000C PAT and loop 2010CA, without the HL.
        """
        e, t = self.e, self.t
        patient = claim.patient
        # NM1*QC ends with the last name element given: no trailing separators.
        nm1 = f"NM1{e}QC{e}1{e}{self.person(patient.name)}".rstrip(e)
        pc_number = claim.property_casualty_claim_number
        ref = "" if pc_number is None else f"REF{e}Y4{e}{pc_number}{t}"
        return (
            f"PAT{e}{_PAT01[claim.coverage.relationship]}{t}{nm1}{t}"
            f"{self.address(patient.address)}"  # type: ignore[arg-type] # checked by _fits
            f"DMG{e}D8{e}{_d8(patient.birth_date)}{e}{_DMG03[patient.sex]}{t}{ref}"
        )

    def claim(self, claim: Claim) -> str:  # noqa: C901, PLR0912 - one plain loop
        """
        Loop 2300 with its 2310A, 2310B and 2400 loops.
        """
        e, c, t = self.e, self.c, self.t
        # The 2400 loops first: they give the total (CLM02 is the sum of SV102).
        place = claim.place_of_service
        dates = self.dates
        total = Decimal(0)
        lines = ""
        for n, line in enumerate(claim.lines, 1):
            charge = line.charge
            total += charge
            procedure = line.code.value
            for modifier in line.modifiers:
                procedure += c + modifier.value
            # SV105 only when it differs from CLM05-1.
            line_pos = line.place_of_service
            sv105 = "" if line_pos is None or line_pos == place else line_pos.value
            # SV107: one to four pointers, most often one.
            pointers = line.diagnosis_pointers
            if len(pointers) == 1:
                sv107 = _POINTERS[pointers[0]]
            else:
                sv107 = c.join([_POINTERS[p] for p in pointers])
            day = line.date_of_service
            d8 = dates.get(day)
            if d8 is None:
                d8 = dates[day] = _d8(day)
            # _amount, with its most common case inline.
            amount = str(charge)
            if amount[-3:] == ".00":
                amount = amount[:-3]
            elif "." in amount or "E" in amount:
                amount = _amount(charge)
            lines += (
                f"LX{e}{n}{t}SV1{e}HC{c}{procedure}{e}{amount}{e}UN{e}{line.units}{e}{sv105}"
                f"{e}{e}{sv107}{t}DTP{e}472{e}D8{e}{d8}{t}"
            )
        # CLM07 A (assigned) or C (not assigned) follows the insured's
        # assignment of benefits, like CMS-1500 box 27; CLM09 Y is a signed
        # release, I informed consent without one.
        assigned = claim.assignment_of_benefits
        causes = claim.related_causes
        text = (
            f"CLM{e}{claim.id}{e}{_amount(total)}{e}{e}{e}{place.value}{c}B{c}"
            f"{claim.frequency.code}{e}{'Y' if claim.provider_signature_on_file else 'N'}"
            f"{e}{'A' if assigned else 'C'}{e}{'Y' if assigned else 'N'}"
            f"{e}{'Y' if claim.release_of_information else 'I'}"
            f"{'' if causes is None else f'{e}{e}{self.causes(causes)}'}{t}"
        )
        if causes is not None and causes.accident_date is not None:
            # DTP*439 accident date goes with an accident (AA, OA); a work
            # injury alone reports its date as the onset, DTP*431.
            qualifier = "439" if causes.auto_accident or causes.other_accident else "431"
            text += f"DTP{e}{qualifier}{e}D8{e}{self.d8(causes.accident_date)}{t}"
        report_types = self.report_types
        for a in claim.attachments:
            text += f"PWK{e}{report_types[a.kind]}{e}{a.transmission.code}{e}{e}{e}AC{e}{a.id}{t}"
        if claim.prior_authorization is not None:
            text += f"REF{e}G1{e}{claim.prior_authorization}{t}"
        if claim.frequency is not ClaimFrequency.ORIGINAL:
            text += f"REF{e}F8{e}{claim.original_claim_number}{t}"
        # HI: ABK for the principal ICD-10-CM diagnosis, ABF for the others,
        # codes without the dot (DOMAIN.md 4 and 5.2).
        codes = f"{e}ABF{c}".join([code.value for code in claim.diagnoses]).replace(".", "")
        text += f"HI{e}ABK{c}{codes}{t}"
        referring = claim.referring_provider
        if referring is not None:
            text += self.provider("DN", referring)
        rendering = claim.rendering_provider
        # 2310B only when the rendering provider is not the billing provider.
        if rendering is not None and rendering.npi.value != claim.billing_provider.npi.value:
            text += self.provider("82", rendering)
            if rendering.taxonomy is not None:
                text += f"PRV{e}PE{e}PXC{e}{rendering.taxonomy}{t}"
        return text + lines

    def levels(self, loops: list[_Loops]) -> str:
        """
        The HL levels of the claims, each followed by its loops.
        """
        e, t = self.e, self.t
        if len(loops) == 1:
            # One claim: the levels of _tree_levels, without building the tree.
            billing, subscriber, patient, claim_loop = loops[0]
            if patient is None:
                return (
                    f"HL{e}1{e}{e}20{e}1{t}{billing}HL{e}2{e}1{e}22{e}0{t}{subscriber}{claim_loop}"
                )
            return (
                f"HL{e}1{e}{e}20{e}1{t}{billing}HL{e}2{e}1{e}22{e}1{t}{subscriber}"
                f"HL{e}3{e}2{e}23{e}0{t}{patient}{claim_loop}"
            )
        return _tree_levels(loops, e, t)

    def interchange(  # noqa: PLR0917 - private, called once
        self,
        levels: str,
        submitter: Submitter,
        receiver: Receiver,
        control_number: int,
        created: datetime,
        usage: str,
        separators: X12Separators,
    ) -> str:
        """
        The envelope around the HL levels: ISA, GS, ST, BHT, 1000A, 1000B ... SE, GE, IEA.
        """
        e, c, t = self.e, self.c, self.t
        day = _d8(created)
        # HHMM and the nine-digit control number: arithmetic, then drop the lead digit.
        time = str(10000 + created.hour * 100 + created.minute)[1:]
        control = str(1_000_000_000 + control_number)[1:]
        # 1000A PER: a phone (TE), an e-mail (EM) or both.
        phone, email = submitter.phone, submitter.email
        per = (
            f"TE{e}{phone}" if email is None
            else f"EM{e}{email}" if phone is None
            else f"TE{e}{phone}{e}EM{e}{email}"
        )  # fmt: skip
        # SE01 counts the segments from ST to SE, both included: the levels' and
        # the six of ST, BHT, NM1*41, PER, NM1*40 and SE.
        return (
            f"ISA{e}00{e}{' ' * 10}{e}00{e}{' ' * 10}{e}ZZ{e}{submitter.id.ljust(15)}{e}ZZ"
            f"{e}{receiver.id.ljust(15)}{e}{day[2:]}{e}{time}{e}{separators.repetition}"
            f"{e}00501{e}{control}{e}0{e}{usage}{e}{c}{t}"
            f"GS{e}HC{e}{submitter.id}{e}{receiver.id}{e}{day}{e}{time}"
            f"{e}{control_number}{e}X{e}005010X222A1{t}"
            f"ST{e}837{e}0001{e}005010X222A1{t}"
            # BHT: hierarchy 0019, 00 original, our control number as the batch
            # id, the creation date and time, CH chargeable (pyx12 map).
            f"BHT{e}0019{e}00{e}{control}{e}{day}{e}{time}{e}CH{t}"
            f"NM1{e}41{e}2{e}{submitter.name.upper()}{e}{e}{e}{e}{e}46{e}{submitter.id}{t}"
            f"PER{e}IC{e}{submitter.contact_name.upper()}{e}{per}{t}"
            f"NM1{e}40{e}2{e}{receiver.name.upper()}{e}{e}{e}{e}{e}46{e}{receiver.id}{t}"
            f"{levels}SE{e}{levels.count(t) + 6}{e}0001{t}"
            f"GE{e}1{e}{control_number}{t}IEA{e}1{e}{control}{t}"
        )

    def causes(self, causes: RelatedCauses) -> str:
        """
        CLM11: up to two related-causes codes and the auto accident's state.
        """
        c = self.c
        codes = [
            code
            for code, flag in (
                ("EM", causes.employment),
                ("AA", causes.auto_accident),
                ("OA", causes.other_accident),
            )
            if flag
        ]
        composite = c.join(codes)
        if causes.accident_state is not None:
            composite += c * (4 - len(codes)) + causes.accident_state
        return composite


class _LiteralSeparators(ast.NodeTransformer):
    """
    Writes the separators into the f-strings of :class:`_Writer` as literal text.

    In the writer, ``e``, ``c`` and ``t`` are always the element and component
    separators and the segment terminator. An f-string piece that is one of
    them becomes constant text, joined with its neighbours: a piece costs about
    as much as the characters it writes (docs/performance.md).
    """

    def __init__(self, separators: Mapping[str, str]) -> None:
        self.separators = separators

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.JoinedStr:
        self.generic_visit(node)
        values: list[ast.expr] = []
        for value in node.values:
            piece = value
            if (
                isinstance(value, ast.FormattedValue)
                and isinstance(value.value, ast.Name)
                and value.value.id in self.separators
                and value.conversion == -1
                and value.format_spec is None
            ):
                piece = ast.copy_location(ast.Constant(self.separators[value.value.id]), value)
            last = values[-1] if values else None
            if (
                isinstance(piece, ast.Constant)
                and isinstance(last, ast.Constant)
                and isinstance(piece.value, str)
                and isinstance(last.value, str)
            ):
                values[-1] = ast.copy_location(ast.Constant(last.value + piece.value), last)
            else:
                values.append(piece)
        node.values = values
        return node


def _writer_class(separators: X12Separators) -> type[_Writer]:
    """
    The writer class compiled for *separators*, kept on them after first use.
    """
    writer = separators._writer  # noqa: SLF001 - our own class
    if writer is None:
        writer = _literal_writer(separators.element, separators.component, separators.segment)
        object.__setattr__(separators, "_writer", writer)
    return writer


@functools.lru_cache(maxsize=8)
def _literal_writer(element: str, component: str, segment: str) -> type[_Writer]:
    """
    :class:`_Writer` compiled with these separators as literal text, once per set.

    The compiled class keeps the source's file and line numbers, so tracebacks
    and coverage point at :class:`_Writer` itself. Without the source (a
    distribution without ``.py`` files), the writer is used as it is.
    """
    try:
        lines, first = inspect.getsourcelines(_Writer)
    except (OSError, TypeError):
        return _Writer
    tree = ast.parse(textwrap.dedent("".join(lines)))
    ast.increment_lineno(tree, first - 1)
    tree = _LiteralSeparators({"e": element, "c": component, "t": segment}).visit(tree)
    code = compile(
        tree,
        inspect.getfile(_Writer),
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )
    # The module's names, copied: the compiled class must not replace _Writer.
    namespace = dict(globals())
    exec(code, namespace)  # noqa: S102 - our own source, transformed above
    writer: type[_Writer] = namespace["_Writer"]
    return writer


# --- the writer --------------------------------------------------------------------


#: The loops of one claim: billing provider, subscriber, patient (or None), claim.
_Loops = tuple[str, str, str | None, str]


def _check_mapping(
    mapping: Mapping[Any, object],
    keys: type[enum.Enum],
    codes: frozenset[str],
    path: str,
) -> None:
    for key in keys:
        code = mapping.get(key)
        if code not in codes:
            raise ValidationError.single(
                f"{path}[{key.value}]", "invalid_code", "not a code the 837P allows here"
            )


def _check_arguments(  # noqa: PLR0917 - private, called once
    submitter: object,
    receiver: object,
    control_number: object,
    created: object,
    usage: object,
    separators: object,
) -> None:
    if not isinstance(submitter, Submitter):
        raise ValidationError.single("submitter", "invalid_type", "expected a Submitter")
    if not isinstance(receiver, Receiver):
        raise ValidationError.single("receiver", "invalid_type", "expected a Receiver")
    if control_number.__class__ is not int:
        raise ValidationError.single("control_number", "invalid_type", "expected an integer")
    if not 1 <= control_number <= _MAX_CONTROL:
        raise ValidationError.single(
            "control_number", "out_of_range", "a control number is from 1 to 999999999"
        )
    if not isinstance(created, datetime):
        raise ValidationError.single("created", "invalid_type", "expected a datetime")
    if created.year < _FIRST_DAY.year:
        # GS04 and BHT04 are CCYYMMDD dates, as the claim's (see _FIRST_DAY).
        raise ValidationError.single(
            "created", "out_of_range", "the 837P writes dates from 1800-01-01 on"
        )
    if usage not in ("T", "P"):
        raise ValidationError.single("usage", "invalid_code", "usage is T (test) or P (production)")
    if not isinstance(separators, X12Separators):
        raise ValidationError.single("separators", "invalid_type", "expected X12Separators")


def _envelope_values(submitter: Submitter, receiver: Receiver) -> list[str | None]:
    """
    The values of :func:`_submitter_fields` and :func:`_receiver_fields`, in order.
    """
    return [
        submitter.name,
        submitter.id,
        submitter.contact_name,
        submitter.email,
        receiver.name,
        receiver.id,
    ]


def _prepared(
    claims: Sequence[Claim],
    submitter: Submitter,
    receiver: Receiver,
    separators: X12Separators,
) -> tuple[list[Claim], Submitter, Receiver]:
    """
    The claims and parties trimmed of the spaces at the ends of their values.

    Raises:
        ValidationError: Every problem of the envelope and of the claims at once.
    """
    problems = [
        *(
            p.prefixed("submitter")
            for p in _text_problems(_submitter_fields(submitter), separators)
        ),
        *(p.prefixed("receiver") for p in _text_problems(_receiver_fields(receiver), separators)),
    ]
    for i, claim in enumerate(claims):
        if not isinstance(claim, Claim):
            raise ValidationError.single(f"claims[{i}]", "invalid_type", "expected a Claim")
        problems += [p.prefixed(f"claims[{i}]") for p in _claim_problems(claim, separators)]
    if problems:
        raise ValidationError(problems)
    return (
        [_trimmed(claim, _claim_fields(claim)) for claim in claims],
        _trimmed(submitter, _submitter_fields(submitter)),
        _trimmed(receiver, _receiver_fields(receiver)),
    )


def write_837p(
    claims: Sequence[Claim],
    *,
    submitter: Submitter,
    receiver: Receiver,
    control_number: int,
    created: datetime,
    usage: Literal["T", "P"] = "T",
    separators: X12Separators = _DEFAULT_SEPARATORS,
    claim_filing_codes: Mapping[PlanType, str] = CLAIM_FILING_CODES,
    report_type_codes: Mapping[AttachmentKind, str] = REPORT_TYPE_CODES,
) -> str:
    """
    Write *claims* as one X12 837P interchange.

    The interchange holds one functional group with one transaction set
    (``ST02`` ``0001``). Claims are grouped under their billing provider, then
    their subscriber and payer, then (when the patient is not the subscriber)
    their patient, in the order they first appear; at most 100 claims go
    under one subscriber or patient level, as the guide allows. The same
    input always gives the same text. Spaces at the ends of a free-text
    value are not written (X12 suppresses trailing spaces); an optional
    value of spaces only is left out.

    Args:
        claims: One or more claims, in a list or a tuple.
        submitter: Who sends the file.
        receiver: Who receives it.
        control_number: The interchange control number ISA13 (written with
            nine digits) and group control number GS06: 1 to 999999999, unique
            per file you send.
        created: When the file was created (ISA09/10, GS04/05, BHT04/05),
            written as given, without time zone conversion; from 1800 on.
        usage: ``"T"`` for test, ``"P"`` for production (ISA15).
        separators: The delimiters.
        claim_filing_codes: The SBR09 code for each plan type.
        report_type_codes: The PWK01 code for each kind of attachment.

    Returns:
        The interchange, segments ending with the segment terminator and no
        line breaks.

    Raises:
        ValidationError: An argument is invalid (the path names it); or the
            claims or the envelope fall short of the 837P: then the error
            lists every problem at once, the envelope's under ``submitter.``
            and ``receiver.``, each claim's as :func:`problems_837p` gives
            them under ``claims[i].``, such as
            ``claims[2].patient.name.family``.

    .. versionadded:: 0.1.0
    """
    _check_arguments(submitter, receiver, control_number, created, usage, separators)
    if claim_filing_codes is not CLAIM_FILING_CODES:
        _check_mapping(claim_filing_codes, PlanType, _SBR09_CODES, "claim_filing_codes")
    if report_type_codes is not REPORT_TYPE_CODES:
        _check_mapping(report_type_codes, AttachmentKind, _PWK01_CODES, "report_type_codes")
    if not isinstance(claims, (list, tuple)):
        raise ValidationError.single("claims", "invalid_type", "expected a sequence of claims")
    if not claims:
        raise ValidationError.single("claims", "too_short", "write at least one claim")
    options = (control_number, created, usage, separators, claim_filing_codes, report_type_codes)
    text = _write(claims, submitter, receiver, options)
    if text is None:
        # Something to explain or to trim: the slow path, once.
        text = _write(*_prepared(claims, submitter, receiver, separators), options)
        if text is None:
            raise AssertionError  # pragma: no cover - _prepared explains every refusal
    return text


#: The arguments of write_837p besides the claims and the parties, in order.
_Options = tuple[
    int, datetime, str, X12Separators, Mapping[PlanType, str], Mapping[AttachmentKind, str]
]


def _write(
    claims: Sequence[Claim], submitter: Submitter, receiver: Receiver, options: _Options
) -> str | None:
    """
    The interchange, or ``None`` when a value must be explained or trimmed first.
    """
    control_number, created, usage, separators, filing, report_types = options
    writer = _writer_class(separators)(separators, filing, report_types)
    # The loops of each claim: billing provider, subscriber, patient (or None), claim.
    loops: list[_Loops] = []
    # Claims often share their billing provider: write its loop once.
    billing_loops: dict[int, str] = {}
    # Every free-text value: checked at once when the claims are written
    # (nothing written from a bad value is returned).
    values = _envelope_values(submitter, receiver)
    for i, claim in enumerate(claims):
        if claim.__class__ is not Claim and not isinstance(claim, Claim):
            raise ValidationError.single(f"claims[{i}]", "invalid_type", "expected a Claim")
        if not _fits(claim):
            return None
        values += _claim_values(claim)
        billing = billing_loops.get(id(claim.billing_provider))
        if billing is None:
            billing = billing_loops[id(claim.billing_provider)] = writer.billing(
                claim.billing_provider
            )
        patient = (
            None if claim.coverage.relationship is Relationship.SELF else writer.patient(claim)
        )
        loops.append((billing, writer.subscriber(claim), patient, writer.claim(claim)))
    # The writer keeps every date of service and accident date it wrote.
    if min(writer.dates) < _FIRST_DAY or not _clean(values, separators):
        return None
    return writer.interchange(
        writer.levels(loops), submitter, receiver, control_number, created, usage, separators
    )


def _tree_levels(loops: list[_Loops], e: str, t: str) -> str:
    """
    The HL levels of any number of claims.

    Claims are grouped under their billing provider, then their subscriber,
    then their patient (or directly under the subscriber when the subscriber
    is the patient), in the order they first appear; at most 100 claims go
    under one subscriber or patient level.
    """
    # Billing provider loop -> subscriber loop -> patient loop (or None) -> claim loops.
    tree: dict[str, dict[str, dict[str | None, list[str]]]] = {}
    for billing, subscriber, patient, claim_loop in loops:
        tree.setdefault(billing, {}).setdefault(subscriber, {}).setdefault(patient, []).append(
            claim_loop
        )
    body = []
    hl = 0
    for billing, subscribers in tree.items():
        hl += 1
        parent_a = hl
        body.append(f"HL{e}{parent_a}{e}{e}20{e}1{t}{billing}")
        for subscriber, patients in subscribers.items():
            if None in patients:
                # The subscriber is the patient (SBR02 18): claims hang
                # under the subscriber level, at most 100 to a level.
                claim_loops = patients[None]
                for start in range(0, len(claim_loops), _CLAIMS_PER_LEVEL):
                    hl += 1
                    body += [
                        f"HL{e}{hl}{e}{parent_a}{e}22{e}0{t}{subscriber}",
                        *claim_loops[start : start + _CLAIMS_PER_LEVEL],
                    ]
                continue
            hl += 1
            parent_b = hl
            body.append(f"HL{e}{parent_b}{e}{parent_a}{e}22{e}1{t}{subscriber}")
            for patient, claim_loops in patients.items():
                for start in range(0, len(claim_loops), _CLAIMS_PER_LEVEL):
                    hl += 1
                    body += [
                        f"HL{e}{hl}{e}{parent_b}{e}23{e}0{t}{patient}",
                        *claim_loops[start : start + _CLAIMS_PER_LEVEL],
                    ]
    return "".join(body)
