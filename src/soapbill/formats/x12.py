"""
X12 837P (005010X222A1) professional claims.

:func:`write_837p` writes one interchange (``ISA`` / ``GS`` / ``ST`` ...
``SE`` / ``GE`` / ``IEA``) holding every claim given. Claims are grouped the
way the implementation guide nests them: one billing-provider level (2000A)
per billing provider, one subscriber level (2000B) per subscriber and payer
under it, and a patient level (2000C) when the patient is not the subscriber.
The billing level carries the pay-to address (2010AB) when the claim names
one apart from the billing address; a billing provider is told apart by
value, so equal providers built apart share one level.
Segments, element codes, lengths and repeat limits follow the 837P
implementation guide (ASC X12 005010X222A1) as the open-source pyx12 map of
it states them, ``pyx12/map/837.5010.X222.A1.xml``.

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

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Final, Literal

from soapbill.claims import AttachmentKind, Claim, RelatedCauses
from soapbill.errors import ErrorDetail, ValidationError
from soapbill.formats import _tables, _x12
from soapbill.formats._x12 import (
    DEFAULT_SEPARATORS,
    FIRST_DAY,
    Receiver,
    SegmentWriter,
    Submitter,
    Text,
    Transaction,
    X12Separators,
    amount,
    check_envelope,
    checked,
    checked_envelope,
    d8,
    hhmm,
)
from soapbill.parties import (
    Address,
    Patient,
    PersonName,
    PlanType,
    Provider,
    Relationship,
    Sex,
    Subscriber,
)

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

#: The characters a separator may be, the punctuation of the X12 extended
#: character set except the ``.``, ``-`` and ``_`` that soapbill itself writes
#: inside values (amounts, attachment ids).
SEPARATOR_CHOICES: Final = _x12.SEPARATOR_CHOICES

# --- code tables -----------------------------------------------------------------

#: The claim filing indicator (SBR09) written for each plan type. Code meanings
#: from the X12 code list as published by clearinghouses (CI commercial
#: insurance, MB Medicare Part B, 16 HMO Medicare Risk, MC Medicaid, AM
#: automobile medical, WC workers' compensation, ZZ mutually defined); a
#: Medicare Advantage plan is commonly billed as 16. Payers differ: pass your
#: own mapping to :func:`write_837p` to change it.
CLAIM_FILING_CODES: Final[Mapping[PlanType, str]] = _tables.CLAIM_FILING_CODES

#: The attachment report type (PWK01) written for each kind of attachment:
#: ``09`` progress report for a SOAP note, ``B2`` prescription, ``08`` plan of
#: treatment (NUCC 5010A1 report type codes). A physical-therapy practice may
#: prefer ``PN`` (physical therapy notes) for its notes: pass your own mapping
#: to :func:`write_837p`.
REPORT_TYPE_CODES: Final[Mapping[AttachmentKind, str]] = _tables.REPORT_TYPE_CODES

#: 2000C PAT01 individual relationship codes (pyx12 map: 01 spouse, 19 child,
#: G8 other relationship); a subscriber who is the patient is SBR02 ``18``.
_PAT01: Final = {
    Relationship.SPOUSE: "01",
    Relationship.CHILD: "19",
    Relationship.OTHER: "G8",
}
#: DMG03 gender codes (pyx12 map: F, M, U).
_DMG03: Final = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.UNKNOWN: "U"}
#: 2300 loops per subscriber or patient level (pyx12 map: 2300 repeat 100).
_CLAIMS_PER_LEVEL: Final = 100

#: The 837P in the envelope: GS01 HC (health care claim), ST01 837.
_837P: Final = Transaction(name="837P", functional_id="HC", code="837", version="005010X222A1")


# --- the free text of a claim ----------------------------------------------------


def _paths(prefix: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{prefix}.{name}" for name in names)


# The paths of the names and addresses the 837P writes, spelled once.
_NAME: Final = ("family", "given", "middle", "suffix")
_ADDRESS: Final = ("line1", "line2", "city")
_PATIENT_NAME: Final = _paths("patient.name", *_NAME)
_PATIENT_ADDRESS: Final = _paths("patient.address", *_ADDRESS)
_SUBSCRIBER_NAME: Final = _paths("coverage.subscriber.name", *_NAME)
_SUBSCRIBER_ADDRESS: Final = _paths("coverage.subscriber.address", *_ADDRESS)
_BILLING_ADDRESS: Final = _paths("billing_provider.address", *_ADDRESS)
_PAY_TO_ADDRESS: Final = _paths("pay_to_address", *_ADDRESS)
#: A provider's organisation name, then the parts of a person's name.
_BILLING: Final = _paths("billing_provider", "organization_name", *_paths("name", *_NAME))
_RENDERING: Final = _paths("rendering_provider", "organization_name", *_paths("name", *_NAME))
_REFERRING: Final = _paths("referring_provider", "organization_name", *_paths("name", *_NAME))


def _name_texts(paths: tuple[str, ...], name: PersonName) -> list[Text]:
    # NM103 (1/60), NM104 (1/35), NM105 (1/25), NM107 (1/10); NM105 and
    # NM107 are situational.
    family, given, middle, suffix = paths
    return [
        (family, name.family, 1),
        (given, name.given, 1),
        (middle, name.middle, 0),
        (suffix, name.suffix, 0),
    ]


def _address_texts(paths: tuple[str, ...], address: Address | None) -> list[Text]:
    # N301 (1/55), N302 (1/55, situational), N401 (2/30).
    if address is None:
        return []
    line1, line2, city = paths
    return [(line1, address.line1, 1), (line2, address.line2, 0), (city, address.city, 2)]


def _provider_texts(paths: tuple[str, ...], provider: Provider | None) -> list[Text]:
    # The 837P writes a provider's name; only the billing provider's address.
    if provider is None:
        return []
    if provider.name is None:
        return [(paths[0], provider.organization_name, 1)]
    return _name_texts(paths[1:], provider.name)


def _claim_texts(claim: Claim) -> list[Text]:
    """
    Every free-text value of *claim* the 837P writes, with its path and minimum length.

    The one list of them: :func:`write_837p` checks it, trims it and writes
    the trimmed claim; :func:`problems_837p` explains it. Other values
    (codes, NPIs, dates, states, ZIP codes, phone numbers, attachment ids)
    are checked by their own patterns and cannot hold a space or a separator.
    """
    coverage = claim.coverage
    subscriber = coverage.subscriber
    billing = claim.billing_provider
    return [
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
        *_name_texts(_PATIENT_NAME, claim.patient.name),
        *_address_texts(_PATIENT_ADDRESS, claim.patient.address),
        *([] if subscriber is None else _name_texts(_SUBSCRIBER_NAME, subscriber.name)),
        *_address_texts(_SUBSCRIBER_ADDRESS, None if subscriber is None else subscriber.address),
        *_address_texts(_BILLING_ADDRESS, billing.address),
        *_address_texts(_PAY_TO_ADDRESS, _pay_to(claim)),
        *_provider_texts(_BILLING, billing),
        *_provider_texts(_RENDERING, _rendering(claim)),
        *_provider_texts(_REFERRING, claim.referring_provider),
    ]


def _pay_to(claim: Claim) -> Address | None:
    """
    The pay-to address the 837P writes (2010AB): none when it is the billing address.
    """
    pay_to, billing = claim.pay_to_address, claim.billing_provider.address
    # Compared as written, without the spaces at the ends of the lines, so
    # that the claim and its trimmed copy agree.
    if pay_to is None or (billing is not None and _written(pay_to) == _written(billing)):
        return None
    return pay_to


def _written(address: Address) -> tuple[str | None, ...]:
    return tuple(
        None if text is None else text.strip(" ").upper()
        for text in (address.line1, address.line2, address.city, address.state, address.postal_code)
    )


def _rendering(claim: Claim) -> Provider | None:
    """
    The rendering provider the 837P writes (2310B): none when it is the billing provider.
    """
    rendering = claim.rendering_provider
    if rendering is None or rendering.npi.value == claim.billing_provider.npi.value:
        return None
    return rendering


# --- what a correct 837P needs beyond the models -----------------------------------


def _required(path: str, message: str) -> ErrorDetail:
    """
    The problem of a value the 837P requires and the claim leaves out.
    """
    return ErrorDetail(path=path, code="required", message=message)


def _requirement_problems(claim: Claim) -> list[ErrorDetail]:
    """
    What the 837P requires and the models leave optional, beyond free text.
    """
    problems = []
    billing = claim.billing_provider
    # 2010AA: N3, N4 and REF*EI/SY are required (pyx12 map usage R).
    if billing.address is None:
        problems.append(
            _required("billing_provider.address", "the 837P requires the billing address")
        )
    else:
        problems += _billing_address_problems(billing.address)
    if billing.tax_id is None:
        problems.append(
            _required("billing_provider.tax_id", "the 837P requires the billing tax id")
        )
    # 2010CA N3/N4 are required, and 2010BA N3/N4 are required when the
    # subscriber is the patient: either way the patient's address is written.
    if claim.patient.address is None:
        problems.append(_required("patient.address", "the 837P requires the patient's address"))
    # PWK06 is AN 2/80 (pyx12 map); attachment ids hold no spaces. An
    # attachment available on request has no PWK06.
    for k, attachment in enumerate(claim.attachments):
        if attachment.is_sent and len(attachment.id) < 2:  # noqa: PLR2004
            problems.append(_837P.short(f"attachments[{k}].id", 2))
    # 2310A NM102 is 1 (person) only (pyx12 map).
    referring = claim.referring_provider
    if referring is not None and referring.name is None:
        problems.append(
            _required(
                "referring_provider.name", "the 837P referring provider is a person: give a name"
            )
        )
    # CLM11 holds two related-causes codes (CLM11-01, CLM11-02; CLM11-03 is
    # not used in the pyx12 map).
    return problems + _cause_problems(claim)


def _billing_address_problems(address: Address) -> list[ErrorDetail]:
    problems = []
    # The billing provider's address is a street address: a PO Box or a lock
    # box goes in the pay-to address, loop 2010AB (X12 RFI 1451,
    # "Restriction on PO Box use").
    if address.is_po_box:
        problems.append(
            ErrorDetail(
                path="billing_provider.address.line1",
                code="po_box",
                message="the 837P billing address is a street address: put a PO Box "
                "in pay_to_address",
            )
        )
    # 5010 requires the nine-digit ZIP code of the billing provider (TR3
    # loop 2010AA, N403; NUCC 1500 instructions, item 33).
    if len(address.postal_code) != 9:  # noqa: PLR2004 - ZIP+4
        problems.append(
            ErrorDetail(
                path="billing_provider.address.postal_code",
                code="zip_plus_4",
                message="the 837P requires the nine-digit ZIP code of the billing provider",
            )
        )
    return problems


def _cause_problems(claim: Claim) -> list[ErrorDetail]:
    """
    What the 837P needs with the related causes and the property and casualty dates.
    """
    problems = []
    causes = claim.related_causes
    if causes is not None:
        # CLM11 holds two related-causes codes (CLM11-01, CLM11-02;
        # CLM11-03 is not used in the pyx12 map).
        if causes.employment and causes.auto_accident and causes.other_accident:
            problems.append(
                ErrorDetail(
                    path="related_causes",
                    code="too_many",
                    message="the 837P holds at most two related causes",
                )
            )
        # An accident (CLM11 AA or OA) goes with its date, DTP*439.
        if (causes.auto_accident or causes.other_accident) and causes.accident_date is None:
            problems.append(
                _required(
                    "related_causes.accident_date", "the 837P requires the date of an accident"
                )
            )
    # The first contact date of a property and casualty claim goes with the
    # claim number (REF*Y4) that the insurer assigned.
    if claim.first_contact_date is not None and claim.property_casualty_claim_number is None:
        problems.append(
            _required(
                "property_casualty_claim_number",
                "the 837P requires the property and casualty claim number "
                "with the first contact date",
            )
        )
    return problems


def _date_problems(claim: Claim) -> list[ErrorDetail]:
    """
    The dates the 837P writes (DMG02, DTP*472, 431, 454, 439, 444) that X12 cannot carry.
    """
    problems = []
    if claim.patient.birth_date < FIRST_DAY:
        problems.append(_837P.early("patient.birth_date"))
    for k, line in enumerate(claim.lines):
        if line.date_of_service < FIRST_DAY:
            problems.append(_837P.early(f"lines[{k}].date_of_service"))
    causes = claim.related_causes
    dates = (
        ("related_causes.accident_date", None if causes is None else causes.accident_date),
        ("initial_treatment_date", claim.initial_treatment_date),
        ("first_contact_date", claim.first_contact_date),
    )
    problems += [_837P.early(path) for path, day in dates if day is not None and day < FIRST_DAY]
    return problems


def _checked_claim(claim: Claim, separators: X12Separators) -> tuple[Claim, list[ErrorDetail]]:
    """
    *claim* with its free text trimmed, and every reason the 837P refuses it.
    """
    trimmed_claim, problems = checked(claim, _claim_texts(claim), separators, _837P)
    return trimmed_claim, _requirement_problems(claim) + problems + _date_problems(claim)


def problems_837p(claim: Claim) -> tuple[ErrorDetail, ...]:
    """
    Every reason :func:`write_837p` would refuse *claim*, all at once.

    The models leave optional what the 837P requires (a billing street
    address, not a PO Box, with a nine-digit ZIP code, a billing tax id, the
    patient's address, the date of an accident, the property and casualty
    claim number with a first contact date, ids of at least two characters,
    ...), and X12 cannot carry every value a model
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
    return tuple(_checked_claim(claim, DEFAULT_SEPARATORS)[1])


# --- segments ----------------------------------------------------------------------

#: The loops of one claim, as text: billing provider (2000A), subscriber
#: (2000B), patient (2000C, or None when the subscriber is the patient), claim
#: (2300). Claims share a level when its text is the same.
_Loops = tuple[str, str, str | None, str]


@functools.lru_cache(maxsize=256)
def _sv107(pointers: tuple[int, ...], component: str) -> str:
    """
    SV107: one to four diagnosis pointers, as numbers.

    Lines point at their diagnoses in a few ways: each way is written once
    and kept (a bounded memo). Measured on a file of 20 six-line claims read
    from JSON: 1.6 us less a claim, against joining the numbers for each line;
    on new tuples (claims written once), 85 ns a line instead of 348 ns.
    """
    return component.join(map(str, pointers))


class _Writer(SegmentWriter):
    """
    Writes the 837P's loops of checked and trimmed claims as text.

    One f-string per segment or group of segments, each segment terminated;
    ``e``, ``c`` and ``t`` are the element and component separators and the
    segment terminator.
    """

    __slots__ = ("filing", "report_types")

    def __init__(
        self,
        separators: X12Separators,
        filing: Mapping[PlanType, str],
        report_types: Mapping[AttachmentKind, str],
    ) -> None:
        super().__init__(separators)
        self.filing = filing
        self.report_types = report_types

    def loops(self, claim: Claim) -> _Loops:
        """
        The loops of *claim*, from its billing provider's down to its own.
        """
        patient = None
        if claim.coverage.relationship is not Relationship.SELF:
            patient = self.patient(claim)
        return (
            self.billing(claim),
            self.subscriber(claim),
            patient,
            self.claim(claim),
        )

    def person(self, name: PersonName) -> str:
        """
        NM103 last, NM104 first, NM105 middle, NM106 prefix (not used), NM107 suffix.
        """
        e = self.e
        # Separators are punctuation: one upper() serves the whole name.
        return (
            f"{name.family}{e}{name.given}{e}{name.middle or ''}{e}{e}{name.suffix or ''}".upper()
        )

    def address(self, address: Address | None) -> str:
        """
        N3 and N4; the state and ZIP code are upper case and digits already.
        """
        if address is None:
            return ""
        e, t = self.e, self.t
        line2 = "" if address.line2 is None else f"{e}{address.line2}"
        return (
            f"N3{e}{address.line1}{line2}{t}"
            f"N4{e}{address.city}{e}{address.state}{e}{address.postal_code}{t}"
        ).upper()

    def demographics(self, person: Patient) -> str:
        """
        DMG: the birth date and sex.
        """
        e = self.e
        return f"DMG{e}D8{e}{d8(person.birth_date)}{e}{_DMG03[person.sex]}{self.t}"

    def provider(self, code: str, provider: Provider) -> str:
        """
        The NM1 of a provider: entity *code*, person or organisation, NPI.
        """
        e = self.e
        name = provider.name
        if name is None:
            entity = f"2{e}{(provider.organization_name or '').upper()}{e}{e}{e}{e}"
        else:
            entity = f"1{e}{self.person(name)}"
        return f"NM1{e}{code}{e}{entity}{e}XX{e}{provider.npi.value}{self.t}"

    def property_casualty(self, claim: Claim) -> str:
        """
        REF*Y4, the property and casualty claim number, in 2010BA or 2010CA.
        """
        number = claim.property_casualty_claim_number
        return "" if number is None else f"REF{self.e}Y4{self.e}{number}{self.t}"

    def billing(self, claim: Claim) -> str:
        """
        2000A PRV and loops 2010AA and 2010AB, without the HL.
        """
        e, t = self.e, self.t
        provider = claim.billing_provider
        taxonomy = provider.taxonomy
        prv = "" if taxonomy is None else f"PRV{e}BI{e}PXC{e}{taxonomy}{t}"
        # A tax id and an address are required: checked before writing.
        # REF*EI for an EIN, REF*SY for a sole proprietor's SSN.
        tax_id = provider.tax_id
        assert tax_id is not None  # noqa: S101
        ref = f"REF{e}{'SY' if tax_id.kind == 'ssn' else 'EI'}{e}{tax_id.compact}{t}"
        name, address = self.provider("85", provider), self.address(provider.address)
        pay_to = _pay_to(claim)
        if pay_to is not None:
            # 2010AB NM1*87: the entity type only, then N3 and N4.
            ref += f"NM1{e}87{e}{'1' if provider.is_person else '2'}{t}{self.address(pay_to)}"
        return f"{prv}{name}{address}{ref}"

    def subscriber(self, claim: Claim) -> str:
        """
        2000B SBR and loops 2010BA and 2010BB, without the HL.
        """
        e, t = self.e, self.t
        coverage = claim.coverage
        payer = coverage.payer
        # SBR01 P (primary: soapbill bills one coverage); SBR02 18 only for
        # self; SBR03 the group number; SBR09 the claim filing indicator.
        is_patient = coverage.relationship is Relationship.SELF
        filing = self.filing[coverage.plan_type]
        group = coverage.group_number or ""
        sbr = f"SBR{e}P{e}{'18' if is_patient else ''}{e}{group}{e}{e}{e}{e}{e}{e}{filing}{t}"
        if is_patient:
            insured: Patient | Subscriber = claim.patient
            # 2010BA of a subscriber who is the patient: DMG, REF*Y4.
            more = self.demographics(claim.patient) + self.property_casualty(claim)
        else:
            # Coverage requires a subscriber who is not the patient.
            assert coverage.subscriber is not None  # noqa: S101
            insured, more = coverage.subscriber, ""
        nm1_il = f"NM1{e}IL{e}1{e}{self.person(insured.name)}{e}MI{e}{coverage.member_id}{t}"
        # 2010BB NM1*PR: the payer.
        nm1_pr = f"NM1{e}PR{e}2{e}{payer.name.upper()}{e}{e}{e}{e}{e}PI{e}{payer.id}{t}"
        return f"{sbr}{nm1_il}{self.address(insured.address)}{more}{nm1_pr}"

    def patient(self, claim: Claim) -> str:
        """
        2000C PAT and loop 2010CA, without the HL.
        """
        e, t = self.e, self.t
        patient = claim.patient
        # NM1*QC ends with the last name element given: no trailing separators.
        nm1 = f"NM1{e}QC{e}1{e}{self.person(patient.name)}".rstrip(e)
        return (
            f"PAT{e}{_PAT01[claim.coverage.relationship]}{t}{nm1}{t}"
            f"{self.address(patient.address)}{self.demographics(patient)}"
            f"{self.property_casualty(claim)}"
        )

    def claim(self, claim: Claim) -> str:
        """
        Loop 2300 with its 2310A, 2310B and 2400 loops.
        """
        e, c, t = self.e, self.c, self.t
        # The 2400 loops first: they give the total (CLM02 is the sum of SV102).
        lines, total = self.lines(claim)
        text = self.clm(claim, total)
        # The 2300 dates in the guide's order: onset 431, initial treatment
        # 454, accident 439, property and casualty first contact 444.
        for qualifier, day in _tables.claim_dates(claim):
            text += f"DTP{e}{qualifier}{e}D8{e}{d8(day)}{t}"
        report_types = self.report_types
        for a in claim.attachments:
            text += f"PWK{e}{report_types[a.kind]}{e}{a.transmission.code}"
            # PWK05 AC and PWK06 name a document sent on its own way; with
            # AA (available on request) there is none to name.
            text += f"{e}{e}{e}AC{e}{a.id}{t}" if a.is_sent else t
        if claim.prior_authorization is not None:
            text += f"REF{e}G1{e}{claim.prior_authorization}{t}"
        if claim.original_claim_number is not None:
            # A replacement or a void names the original claim (REF*F8).
            text += f"REF{e}F8{e}{claim.original_claim_number}{t}"
        # HI: ABK for the principal ICD-10-CM diagnosis, ABF for the others,
        # codes without the dot (TR3 loop 2300, HI01-HI12).
        codes = f"{e}ABF{c}".join([code.value for code in claim.diagnoses]).replace(".", "")
        return f"{text}HI{e}ABK{c}{codes}{t}{self.claim_providers(claim)}{lines}"

    def clm(self, claim: Claim, total: Decimal) -> str:
        """
        CLM, the claim's own segment.
        """
        e, c = self.e, self.c
        # CLM07 A (assigned) or C (not assigned): the provider accepts
        # assignment, CMS-1500 item 27; CLM08 Y or N: the insured assigns
        # benefits, item 13; CLM09 Y is a signed release, I informed consent
        # without one; CLM11 the related causes.
        causes = claim.related_causes
        return (
            f"CLM{e}{claim.id}{e}{amount(total)}{e}{e}"
            f"{e}{claim.place_of_service.value}{c}B{c}{claim.frequency.code}"
            f"{e}{'Y' if claim.provider_signature_on_file else 'N'}"
            f"{e}{'A' if claim.accepts_assignment else 'C'}"
            f"{e}{'Y' if claim.assignment_of_benefits else 'N'}"
            f"{e}{'Y' if claim.release_of_information else 'I'}"
            f"{'' if causes is None else f'{e}{e}{self.causes(causes)}'}{self.t}"
        )

    def claim_providers(self, claim: Claim) -> str:
        """
        Loops 2310A (the referring provider) and 2310B (the rendering provider).
        """
        text = ""
        if claim.referring_provider is not None:
            text += self.provider("DN", claim.referring_provider)
        rendering = _rendering(claim)
        if rendering is not None:
            text += self.provider("82", rendering)
            if rendering.taxonomy is not None:
                e = self.e
                text += f"PRV{e}PE{e}PXC{e}{rendering.taxonomy}{self.t}"
        return text

    def lines(self, claim: Claim) -> tuple[str, Decimal]:
        """
        The 2400 loops (LX, SV1 and DTP*472 for each line), and the total charge.
        """
        e, c, t = self.e, self.c, self.t
        place = claim.place_of_service
        loops = []
        total = Decimal(0)
        for n, line in enumerate(claim.lines, 1):
            total += line.charge
            procedure = line.code.value
            for modifier in line.modifiers:
                procedure += c + modifier.value
            # SV105 only when it differs from CLM05-1.
            line_place = line.place_of_service
            sv105 = "" if line_place is None or line_place == place else line_place.value
            pointers = _sv107(line.diagnosis_pointers, c)
            loops.append(
                f"LX{e}{n}{t}"
                f"SV1{e}HC{c}{procedure}{e}{amount(line.charge)}{e}UN{e}{line.units}"
                f"{e}{sv105}{e}{e}{pointers}{t}"
                f"DTP{e}472{e}D8{e}{d8(line.date_of_service)}{t}"
            )
        return "".join(loops), total

    def causes(self, causes: RelatedCauses) -> str:
        """
        CLM11: up to two related-causes codes and, in CLM11-4, the auto accident's state.
        """
        flags = (
            ("EM", causes.employment),
            ("AA", causes.auto_accident),
            ("OA", causes.other_accident),
        )
        codes = [code for code, flag in flags if flag]
        if causes.accident_state is not None:
            codes += [""] * (3 - len(codes)) + [causes.accident_state]
        return self.c.join(codes)

    def levels(self, loops: list[_Loops]) -> str:
        """
        The HL levels of the claims, each followed by its loops.

        Claims are grouped under their billing provider, then their
        subscriber, then their patient (or directly under the subscriber when
        the subscriber is the patient), in the order they first appear; at
        most 100 claims go under one subscriber or patient level.
        """
        e, t = self.e, self.t
        tree: dict[str, dict[str, dict[str | None, list[str]]]] = {}
        for billing, subscriber, patient, claim_loop in loops:
            patients = tree.setdefault(billing, {}).setdefault(subscriber, {})
            patients.setdefault(patient, []).append(claim_loop)
        body = []
        hl = 0
        for billing, subscribers in tree.items():
            hl += 1
            parent_a = hl
            body.append(f"HL{e}{parent_a}{e}{e}20{e}1{t}{billing}")
            for subscriber, patients in subscribers.items():
                if None in patients:
                    # The subscriber is the patient (SBR02 18): claims hang
                    # under the subscriber level.
                    claim_loops = patients[None]
                    for start in range(0, len(claim_loops), _CLAIMS_PER_LEVEL):
                        hl += 1
                        body.append(f"HL{e}{hl}{e}{parent_a}{e}22{e}0{t}{subscriber}")
                        body += claim_loops[start : start + _CLAIMS_PER_LEVEL]
                    continue
                hl += 1
                parent_b = hl
                body.append(f"HL{e}{parent_b}{e}{parent_a}{e}22{e}1{t}{subscriber}")
                for patient, claim_loops in patients.items():
                    for start in range(0, len(claim_loops), _CLAIMS_PER_LEVEL):
                        hl += 1
                        body.append(f"HL{e}{hl}{e}{parent_b}{e}23{e}0{t}{patient}")
                        body += claim_loops[start : start + _CLAIMS_PER_LEVEL]
        return "".join(body)

    def transaction(
        self,
        claims: Sequence[Claim],
        submitter: Submitter,
        receiver: Receiver,
        control_number: int,
        created: datetime,
    ) -> str:
        """
        The segments of the transaction set between ST and SE: BHT, 1000A, 1000B, the levels.
        """
        e, t = self.e, self.t
        # 1000A PER: a phone (TE), an e-mail (EM) or both.
        phone, email = submitter.phone, submitter.email
        contact = (
            f"TE{e}{phone}" if email is None
            else f"EM{e}{email}" if phone is None
            else f"TE{e}{phone}{e}EM{e}{email}"
        )  # fmt: skip
        return (
            # BHT: hierarchy 0019, 00 original, the control number as the
            # batch id, the creation date and time, CH chargeable (pyx12 map).
            f"BHT{e}0019{e}00{e}{control_number:09d}{e}{d8(created)}{e}{hhmm(created)}{e}CH{t}"
            f"NM1{e}41{e}2{e}{submitter.name.upper()}{e}{e}{e}{e}{e}46{e}{submitter.id}{t}"
            f"PER{e}IC{e}{submitter.contact_name.upper()}{e}{contact}{t}"
            f"NM1{e}40{e}2{e}{receiver.name.upper()}{e}{e}{e}{e}{e}46{e}{receiver.id}{t}"
            f"{self.levels([self.loops(claim) for claim in claims])}"
        )


# --- the writer --------------------------------------------------------------------


def _checked_claims(claims: object) -> Sequence[Claim]:
    if not isinstance(claims, (list, tuple)):
        raise ValidationError.single("claims", "invalid_type", "expected a sequence of claims")
    if not claims:
        raise ValidationError.single("claims", "too_short", "write at least one claim")
    for i, claim in enumerate(claims):
        if not isinstance(claim, Claim):
            raise ValidationError.single(f"claims[{i}]", "invalid_type", "expected a Claim")
    return claims


def write_837p(
    claims: Sequence[Claim],
    *,
    submitter: Submitter,
    receiver: Receiver,
    control_number: int,
    created: datetime,
    usage: Literal["T", "P"] = "T",
    separators: X12Separators = DEFAULT_SEPARATORS,
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
    check_envelope(submitter, receiver, control_number, created, usage, separators, _837P)
    _tables.check_filing_codes(claim_filing_codes)
    _tables.check_report_types(report_type_codes)
    submitter, receiver, problems = checked_envelope(submitter, receiver, separators, _837P)
    ready = []
    for i, claim in enumerate(_checked_claims(claims)):
        trimmed_claim, found = _checked_claim(claim, separators)
        if found:
            problems += [problem.prefixed(f"claims[{i}]") for problem in found]
        ready.append(trimmed_claim)
    if problems:
        raise ValidationError(problems)
    writer = _Writer(separators, claim_filing_codes, report_type_codes)
    return writer.interchange(
        writer.transaction(ready, submitter, receiver, control_number, created),
        transaction=_837P,
        submitter=submitter,
        receiver=receiver,
        control_number=control_number,
        created=created,
        usage=usage,
    )
