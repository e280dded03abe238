"""
Hypothesis strategies for every soapbill model.

Apps that embed soapbill can property-test their own code with the same
generators soapbill's tests use. This module needs Hypothesis, which the
``soapbill[testing]`` extra installs; ``import soapbill`` never imports it.

Every strategy generates only *valid* objects: each value passes the checks
its model runs on construction. Each docstring says what the strategy shrinks
to, so a failing test reports the simplest example.

Generated text is plain ASCII on purpose. Names (of people, organisations,
payers, cities) are ASCII letters in words separated by single spaces, with no
leading or trailing space; identifiers are upper-case ASCII letters and digits;
free text adds digits and ``.,-``. None of them contains an X12 separator
(``* ~ : ^``). Every generated object can be written as JSON, and every claim
as FHIR, a CMS-1500 and a superbill. The X12 837P requires more of a claim
than the models do (a billing address with a nine-digit ZIP code, the
patient's address, ids of two characters or more, ...): draw
``claims(submittable=True)`` for claims it writes. A format test that wants a
separator inside a name (to see it refused) sets that field itself with
:func:`attrs.evolve`.

Claims can share parties, so a test can build several claims of one billing
provider or one subscriber:

.. code-block:: python

    from hypothesis import given, strategies as st
    from soapbill import strategies as sbst


    @given(st.data())
    def test_batch(data):
        clinic = data.draw(sbst.providers(billing=True))
        batch = data.draw(st.lists(sbst.claims(billing_provider=clinic, max_lines=3)))
        ...

Submittable claims share parties taken from a submittable claim, which meet
what the 837P requires:

.. code-block:: python

    @given(st.data())
    def test_daily_file(data):
        first = data.draw(sbst.claims(submittable=True))
        batch = data.draw(
            st.lists(
                sbst.claims(billing_provider=first.billing_provider, submittable=True),
                max_size=5,
            )
        )
        ...

With soapbill installed, :func:`hypothesis.strategies.from_type` draws every
model that has a strategy here (``st.from_type(soapbill.Claim)`` draws from
:func:`claims`): Hypothesis registers them when it is imported, through its
plugin entry point (``HYPOTHESIS_NO_PLUGINS=1`` turns Hypothesis' plugins
off). ``import soapbill`` registers nothing.

Eligibility has strategies too: :func:`eligibility_inquiries` draws
inquiries that :func:`soapbill.eligibility.write_270` writes, and
:func:`benefits`, :func:`members`, :func:`rejections` and
:func:`eligibility_responses` the parts of a 271 and whole responses
(``st.from_type`` draws each of these models). :func:`responses_271` draws a
271's text with the responses it was written from (a :class:`Written271`),
which :func:`soapbill.eligibility.read_271` reads back equal; like the
remittance strategies (:func:`remittances_835` ...), it draws X12 text, not
a model, and is not registered for ``st.from_type``.

Plans of care and their notes have strategies too: :func:`care_plans` draws
plans with measurable goals, :func:`measured_notes` the notes of a plan's
visits with measures that move as treatment does (pain, cervical rotation, a
functional score), and :func:`functional_measures` functional scores; see
:mod:`soapbill.care`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import itertools
import string
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Final, TypeVar

import attrs

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as error:  # pragma: no cover - exercised only without the extra
    msg = "soapbill.strategies needs Hypothesis: pip install 'soapbill[testing]'"
    raise ImportError(msg) from error

from soapbill._care_strategies import care_plans, functional_measures, measured_notes
from soapbill._eligibility_strategies import (
    Written271,
    benefits,
    eligibility_inquiries,
    eligibility_responses,
    members,
    rejections,
    responses_271,
)
from soapbill._remit_strategies import (
    Written277CA,
    Written835,
    Written999,
    acknowledgements_999,
    adjustments,
    claim_acknowledgements_277ca,
    claim_decisions,
    line_decisions,
    provider_adjustments,
    remittances_835,
)
from soapbill._validators import MONEY_LIMIT
from soapbill.claims import (
    MAX_DIAGNOSES,
    MAX_DIAGNOSIS_POINTERS,
    MAX_LINES,
    Attachment,
    AttachmentKind,
    Claim,
    ClaimFrequency,
    RelatedCauses,
    ServiceLine,
    Transmission,
)
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.modifiers import MEANINGS, Modifier
from soapbill.codes.npi import Npi, calc_check_digit
from soapbill.codes.pos import NAMES, PlaceOfService
from soapbill.codes.taxid import TaxId
from soapbill.parties import (
    Address,
    Coverage,
    Credential,
    Patient,
    Payer,
    PersonName,
    PlanType,
    Provider,
    Relationship,
    Sex,
    Subscriber,
)
from soapbill.prescriptions import Prescription
from soapbill.soap import (
    Addendum,
    Assessment,
    BodyRegion,
    Frequency,
    HomeExercise,
    Level,
    Lifestyle,
    Objective,
    PainReport,
    Plan,
    RangeOfMotion,
    Side,
    Signature,
    SoapNote,
    Subjective,
    TissueFinding,
    Treatment,
)

__all__ = [
    "Written271",
    "Written277CA",
    "Written835",
    "Written999",
    "acknowledgements_999",
    "addenda",
    "addresses",
    "adjustments",
    "assessments",
    "attachments",
    "benefits",
    "care_plans",
    "claim_acknowledgements_277ca",
    "claim_decisions",
    "claims",
    "coverages",
    "cpt_codes",
    "diagnosis_codes",
    "eligibility_inquiries",
    "eligibility_responses",
    "frequencies",
    "functional_measures",
    "home_exercises",
    "lifestyles",
    "line_decisions",
    "measured_notes",
    "members",
    "modifiers",
    "money",
    "npis",
    "objectives",
    "pain_reports",
    "patients",
    "payers",
    "person_names",
    "places_of_service",
    "plans",
    "prescriptions",
    "provider_adjustments",
    "providers",
    "ranges_of_motion",
    "rejections",
    "related_causes",
    "remittances_835",
    "responses_271",
    "service_lines",
    "signatures",
    "soap_notes",
    "subjectives",
    "subscribers",
    "tax_ids",
    "tissue_findings",
    "treatments",
]

T = TypeVar("T")

_DIGITS: Final = string.digits
_UPPER: Final = string.ascii_uppercase
_LETTERS: Final = string.ascii_uppercase + string.ascii_lowercase
_ID_CHARS: Final = _UPPER + _DIGITS
_FREE_TEXT: Final = _LETTERS + _DIGITS + ".,-"
#: Spaces are this many times likelier than one letter, so text has words.
_SPACE_WEIGHT: Final = 6

#: Dates of service when a test gives none.
_SERVICE_DATES: Final = st.dates(date(2020, 1, 1), date(2030, 12, 31))
_BIRTH_DATES: Final = st.dates(date(1900, 1, 1), date(2019, 12, 31))
_OPTIONAL_COVERAGE_STARTS: Final = st.none() | st.dates(date(2000, 1, 1), date(2030, 12, 31))

#: USPS codes of the states and the District of Columbia.
_STATES: Final = (
    "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA",
    "ID", "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS",
    "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA",
    "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY",
)  # fmt: skip

#: Billable ICD-10-CM codes a massage or physical-medicine practice often uses
#: (leaves of the CDC's April 2026 ICD-10-CM tabular).
_COMMON_DIAGNOSES: Final = tuple(
    DiagnosisCode(code)
    for code in (
        "M54.50", "M54.2", "M54.6", "M54.9", "M54.16", "M54.41", "M54.42", "M54.51",
        "M54.59", "M62.830", "M62.838", "M62.81", "M79.10", "M79.12", "M79.18",
        "M79.7", "M25.511", "M25.512", "M25.551", "M25.561", "S13.4XXA", "S13.4XXD",
        "S16.1XXA", "S39.012A", "S33.5XXA", "S23.3XXA", "G44.209", "G44.221",
        "R51.9", "M53.3", "M99.03", "G89.29",
    )
)  # fmt: skip

#: The NUCC Health Care Provider Taxonomy code of a massage therapist.
_MASSAGE_THERAPIST: Final = "225700000X"
_PRESCRIBERS: Final = (Credential.MD, Credential.DO, Credential.NP, Credential.PA, Credential.DC)


# --- building blocks ------------------------------------------------------------------
#
# Hypothesis validates a strategy object the first time it draws from it, so
# strategies are built once (at import, or once per call of a public function)
# and composite strategies only draw; dates that depend on an earlier draw are
# drawn as day offsets.


class _Parts:
    """
    Strategies a composite strategy draws from, built once per public call.

    Their repr is short: a strategy's repr shows its arguments, and these hold
    dozens of strategies. Hypothesis prints attrs classes field by field
    unless they have ``_repr_pretty_``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(...)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # noqa: ANN401, ARG002, FBT001 - IPython's protocol
        printer.text(repr(self))


def _strategy(
    value: T | st.SearchStrategy[T] | None, default: st.SearchStrategy[T]
) -> st.SearchStrategy[T]:
    """
    Turn an argument that is a value, a strategy or ``None`` into a strategy.
    """
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


def _given(value: T | st.SearchStrategy[T] | None) -> st.SearchStrategy[T] | None:
    """
    Like :func:`_strategy`, but ``None`` stays ``None`` (the caller decides).
    """
    return None if value is None else _strategy(value, st.nothing())


def _join_words(max_len: int, first: str, rest: str) -> str:
    return " ".join((first + rest).split())[:max_len].rstrip()


def _words(max_len: int, alphabet: str = _LETTERS, *, min_len: int = 1) -> st.SearchStrategy[str]:
    """
    Words of *alphabet* separated by single spaces, *min_len* to *max_len* long.

    The first *min_len* characters are letters. Shrinks to ``"A"`` (``"AA"``
    with *min_len* 2).
    """
    rest = st.text(st.sampled_from(alphabet + " " * _SPACE_WEIGHT), max_size=max_len - min_len)
    first = st.text(st.sampled_from(_LETTERS), min_size=min_len, max_size=min_len)
    return st.builds(partial(_join_words, max_len), first, rest)


def _free_text(max_len: int) -> st.SearchStrategy[str]:
    return _words(max_len, _FREE_TEXT)


def _ids(max_len: int, *, min_len: int = 1) -> st.SearchStrategy[str]:
    """
    Identifiers: upper-case letters and digits. Shrinks to ``"0"`` (``"00"``).
    """
    return st.text(_ID_CHARS, min_size=min_len, max_size=min(20, max_len))


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(_DIGITS, min_size=n, max_size=n)


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    # none() first, so that optional fields shrink away.
    return st.none() | strategy


def _tuples(
    strategy: st.SearchStrategy[T], *, min_size: int = 0, max_size: int = 3, unique: bool = False
) -> st.SearchStrategy[tuple[T, ...]]:
    return st.lists(strategy, min_size=min_size, max_size=max_size, unique=unique).map(tuple)


def _add_days(day: date, days: int) -> date:
    """
    Return *day* moved by *days*, stopping at the ends of the calendar.
    """
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


_IDS: Final = _ids(50)
_OFFSET_MONTH: Final = st.integers(0, 30)
_OFFSET_YEAR: Final = st.integers(0, 366)
_OFFSET_YEARS: Final = st.integers(0, 3 * 366)
_OFFSET_CENTURY: Final = st.integers(0, 100 * 366)
_BOOLEANS: Final = st.booleans()


# --- code values ----------------------------------------------------------------------


def _npi(base: str) -> Npi:
    return Npi(base + calc_check_digit(base))


def npis() -> st.SearchStrategy[Npi]:
    """
    NPIs: nine random digits starting with 1 or 2, plus their Luhn check digit.

    Shrinks to ``Npi("1000000004")``.

    .. versionadded:: 0.1.0
    """
    return st.builds(str.__add__, st.sampled_from("12"), _digits(8)).map(_npi)


def tax_ids() -> st.SearchStrategy[TaxId]:
    """
    Tax ids: Employer Identification Numbers (any nine digits) and Social Security Numbers.

    SSNs follow the Social Security Administration's assignment rules (area
    001-899 but not 666, group 01-99, serial 0001-9999).

    Shrinks to ``TaxId("00-0000000")``.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.1.0
       Social Security Numbers too.
    """
    return _digits(9).map(TaxId) | _SSNS


def _ssn(area: int, group: int, serial: int) -> TaxId:
    return TaxId(f"{area:03d}-{group:02d}-{serial:04d}")


_SSNS: Final = st.builds(
    _ssn,
    st.integers(1, 899).filter(lambda area: area != 666),  # noqa: PLR2004 - never assigned
    st.integers(1, 99),
    st.integers(1, 9999),
)


def cpt_codes(
    *, catalog: Catalog | None = None, catalogued: bool = False
) -> st.SearchStrategy[CptCode]:
    """
    Procedure codes: codes of a catalogue, and any valid CPT or HCPCS shape.

    Args:
        catalog: The catalogue to draw known codes from (default: the built-in one).
        catalogued: Draw only codes of *catalog*, as billing code needs.

    Shrinks to the catalogue's lowest code (``CptCode("97010")`` with the
    built-in catalogue).

    .. versionadded:: 0.1.0
    """
    known = st.sampled_from(sorted(DEFAULT_CATALOG if catalog is None else catalog))
    if catalogued:
        return known
    shapes = st.one_of(
        _digits(5),
        st.builds(str.__add__, _digits(4), st.sampled_from("AFMTU")),
        st.builds(str.__add__, st.sampled_from(_UPPER), _digits(4)),
    )
    return known | shapes.map(CptCode)


def modifiers(*, known: bool = False) -> st.SearchStrategy[Modifier]:
    """
    Modifiers: the ones soapbill knows, and any two letters or digits.

    Args:
        known: Draw only modifiers with a meaning in
            :data:`soapbill.codes.modifiers.MEANINGS`.

    Shrinks to ``Modifier("25")``.

    .. versionadded:: 0.1.0
    """
    listed = st.sampled_from(sorted(MEANINGS)).map(Modifier)
    if known:
        return listed
    return listed | st.text(_ID_CHARS, min_size=2, max_size=2).map(Modifier)


def _diagnosis(letter: str, digit: str, rest: str) -> DiagnosisCode:
    return DiagnosisCode(letter + digit + rest)


def diagnosis_codes(*, common: bool = False) -> st.SearchStrategy[DiagnosisCode]:
    """
    ICD-10-CM codes: common billable ones, and any syntactically valid code.

    A syntactically valid code need not exist in ICD-10-CM; pass
    ``common=True`` for codes that are billable (leaves of the April 2026
    tabular) and typical of a massage or physical-medicine practice.

    Args:
        common: Draw only the common billable codes.

    Shrinks to ``DiagnosisCode("M54.50")``.

    .. versionadded:: 0.1.0
    """
    listed = st.sampled_from(_COMMON_DIAGNOSES)
    if common:
        return listed
    shapes = st.builds(
        _diagnosis,
        st.sampled_from(_UPPER),
        st.sampled_from(_DIGITS),
        st.text(_ID_CHARS, min_size=1, max_size=5),
    )
    return listed | shapes


def _place(number: int) -> PlaceOfService:
    return PlaceOfService(f"{number:02d}")


def places_of_service() -> st.SearchStrategy[PlaceOfService]:
    """
    Places of service: the named ones, and any code from ``01`` to ``99``.

    Shrinks to ``PlaceOfService("11")`` (office).

    .. versionadded:: 0.1.0
    """
    return _NAMED_PLACES | st.integers(1, 99).map(_place)


#: The places of service soapbill names (codes of the CMS code set), office first.
_NAMED_PLACES: Final = st.sampled_from(
    [PlaceOfService(code) for code in ["11", *sorted(set(NAMES) - {"11"})]]
)


def money(
    *, min_value: Decimal = Decimal("0.00"), max_value: Decimal = MONEY_LIMIT - Decimal("0.01")
) -> st.SearchStrategy[Decimal]:
    """
    Amounts of money: decimals with two places, never NaN or infinite.

    Args:
        min_value: The smallest amount (at least zero).
        max_value: The largest amount (below ten billion).

    Shrinks to *min_value* (``Decimal("0.00")`` by default).

    Raises:
        InvalidArgument: The bounds are out of order or outside 0 to
            9999999999.99.

    .. versionadded:: 0.1.0
    """
    if min_value < 0 or max_value >= MONEY_LIMIT or min_value > max_value:
        msg = "money needs 0 <= min_value <= max_value < 10_000_000_000"
        raise InvalidArgument(msg)
    return st.decimals(
        min_value=min_value, max_value=max_value, places=2, allow_nan=False, allow_infinity=False
    )


_NPIS: Final = npis()
_TAX_IDS: Final = tax_ids()
_CATALOGUED: Final = cpt_codes(catalogued=True)
_CPT_CODES: Final = cpt_codes()
_MODIFIERS: Final = modifiers()
_DIAGNOSES: Final = diagnosis_codes()
_PLACES: Final = places_of_service()
_STATE_CODES: Final = st.sampled_from(_STATES)
_PHONES: Final = _digits(10)


# --- parties --------------------------------------------------------------------------


def addresses() -> st.SearchStrategy[Address]:
    """
    US postal addresses with an optional second line and a 5- or 9-digit ZIP code.

    Shrinks to ``Address(line1="A", city="A", state="AK", postal_code="00000")``.

    .. versionadded:: 0.1.0
    """
    return _addresses(cities=_words(30), postal_codes=_digits(5) | _digits(9))


def _addresses(
    *, cities: st.SearchStrategy[str], postal_codes: st.SearchStrategy[str]
) -> st.SearchStrategy[Address]:
    return st.builds(
        Address,
        line1=_words(55, _LETTERS + _DIGITS),
        line2=_optional(_words(55, _LETTERS + _DIGITS)),
        city=cities,
        state=_STATE_CODES,
        postal_code=postal_codes,
    )


def person_names() -> st.SearchStrategy[PersonName]:
    """
    Names of people, with an optional middle name and suffix.

    Shrinks to ``PersonName(family="A", given="A")``.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        PersonName,
        family=_words(60),
        given=_words(35),
        middle=_optional(_words(25)),
        suffix=_optional(_words(10)),
    )


_ADDRESSES: Final = addresses()
_PERSON_NAMES: Final = person_names()
#: What the 837P needs of an address (N401 is 2 to 30 characters) and of a
#: billing provider's (a nine-digit ZIP code).
_TWO_LETTER_CITIES: Final = _words(30, min_len=2)
_READY_ADDRESSES: Final = _addresses(
    cities=_TWO_LETTER_CITIES, postal_codes=_digits(5) | _digits(9)
)
#: The billing address is a street address, never a PO Box (837P loop 2010AA).
_READY_BILLING_ADDRESSES: Final = _addresses(
    cities=_TWO_LETTER_CITIES, postal_codes=_digits(9)
).filter(lambda address: not address.is_po_box)


def patients(
    *, birth_dates: st.SearchStrategy[date] | None = None, complete: bool = False
) -> st.SearchStrategy[Patient]:
    """
    Patients.

    Args:
        birth_dates: Where birth dates come from (default: 1900 to 2019).
        complete: Give every optional field (address, phone) a value.

    Shrinks to a patient with id ``"0"``, the shrunk name, born 2000-01-01,
    :attr:`~soapbill.Sex.FEMALE`, without address or phone.

    .. versionadded:: 0.1.0
    """
    return _patients(
        birth_dates=_BIRTH_DATES if birth_dates is None else birth_dates,
        addresses=_ADDRESSES if complete else _optional(_ADDRESSES),
        phones=_PHONES if complete else _optional(_PHONES),
    )


def _patients(
    *,
    birth_dates: st.SearchStrategy[date],
    addresses: st.SearchStrategy[Address | None],
    phones: st.SearchStrategy[str | None],
) -> st.SearchStrategy[Patient]:
    return st.builds(
        Patient,
        id=_ids(50),
        name=_PERSON_NAMES,
        birth_date=birth_dates,
        sex=st.sampled_from(Sex),
        address=addresses,
        phone=phones,
    )


def _taxonomy(head: str, body: str) -> str:
    return f"{head}{body}X"


def providers(
    *,
    person: bool | None = None,
    complete: bool = False,
    billing: bool = False,
    credentials: tuple[Credential, ...] = tuple(Credential),
) -> st.SearchStrategy[Provider]:
    """
    Providers: people with credentials, and organisations.

    Args:
        person: ``True`` for people only, ``False`` for organisations only,
            ``None`` for both.
        complete: Give every optional field a value (a person always gets a
            credential).
        billing: Always give an address and a tax id, which a billing
            provider needs on a claim (837P loop 2010AA, CMS-1500 boxes 25
            and 33). The 837P also wants a nine-digit ZIP code and a city of
            two characters or more: the billing providers of
            ``claims(submittable=True)`` have them.
        credentials: The credentials a person may have.

    Shrinks to an organisation named ``"A"`` with NPI ``1000000004`` and no
    optional field (with ``billing=True``: the shrunk address and tax id).
    With ``person=True``, to a person with the shrunk name.

    Raises:
        InvalidArgument: *credentials* is empty.

    .. versionadded:: 0.1.0
    """
    if not credentials:
        msg = "credentials must not be empty"
        raise InvalidArgument(msg)
    return _providers(
        person=person,
        complete=complete,
        billing=billing,
        credentials=credentials,
        addresses=_ADDRESSES,
    )


def _providers(
    *,
    person: bool | None,
    complete: bool,
    billing: bool,
    credentials: tuple[Credential, ...],
    addresses: st.SearchStrategy[Address],
) -> st.SearchStrategy[Provider]:
    def field(
        strategy: st.SearchStrategy[T], *, required: bool = False
    ) -> st.SearchStrategy[T | None]:
        return strategy if complete or required else _optional(strategy)

    # Taxonomy codes are three digits, six letters or digits, then X.
    taxonomies = st.just(_MASSAGE_THERAPIST) | st.builds(
        _taxonomy, _digits(3), st.text(_ID_CHARS, min_size=6, max_size=6)
    )
    common: dict[str, st.SearchStrategy[object]] = {
        "npi": _NPIS,
        "taxonomy": field(taxonomies),
        "tax_id": field(_TAX_IDS, required=billing),
        "address": field(addresses, required=billing),
        "license_number": field(_ids(50)),
        "license_state": field(_STATE_CODES),
        "phone": field(_PHONES),
    }
    people = st.builds(
        Provider, name=_PERSON_NAMES, credential=field(st.sampled_from(credentials)), **common
    )
    organisations = st.builds(Provider, organization_name=_words(60), **common)
    if person is None:
        return organisations | people
    return people if person else organisations


def payers() -> st.SearchStrategy[Payer]:
    """
    Payers.

    Shrinks to ``Payer(id="0", name="A")``.

    .. versionadded:: 0.1.0
    """
    return _payers(ids=_ids(80))


def _payers(*, ids: st.SearchStrategy[str]) -> st.SearchStrategy[Payer]:
    return st.builds(Payer, id=ids, name=_words(60))


def subscribers(*, complete: bool = False) -> st.SearchStrategy[Subscriber]:
    """
    Subscribers (insured people other than the patient).

    Args:
        complete: Always give an address.

    Shrinks to the shrunk name, born 2000-01-01, :attr:`~soapbill.Sex.FEMALE`,
    without address.

    .. versionadded:: 0.1.0
    """
    return _subscribers(addresses=_ADDRESSES if complete else _optional(_ADDRESSES))


def _subscribers(*, addresses: st.SearchStrategy[Address | None]) -> st.SearchStrategy[Subscriber]:
    return st.builds(
        Subscriber,
        name=_PERSON_NAMES,
        birth_date=_BIRTH_DATES,
        sex=st.sampled_from(Sex),
        address=addresses,
    )


@attrs.frozen(repr=False)
class _CoverageParts(_Parts):
    payer: st.SearchStrategy[Payer]
    member_id: st.SearchStrategy[str]
    relationship: st.SearchStrategy[Relationship]
    subscriber: st.SearchStrategy[Subscriber]
    plan_type: st.SearchStrategy[PlanType]


def _draw_coverage(
    draw: st.DrawFn, parts: _CoverageParts, active_between: tuple[date, date] | None
) -> Coverage:
    relationship = draw(parts.relationship)
    start: date | None
    end: date | None
    if active_between is None:
        start = draw(_OPTIONAL_COVERAGE_STARTS)
        base = draw(_SERVICE_DATES) if start is None else start
        end = _add_days(base, draw(_OFFSET_YEARS)) if draw(_BOOLEANS) else None
    else:
        first, last = active_between
        start = _add_days(first, -draw(_OFFSET_YEAR)) if draw(_BOOLEANS) else None
        end = _add_days(last, draw(_OFFSET_YEAR)) if draw(_BOOLEANS) else None
    return Coverage(
        payer=draw(parts.payer),
        member_id=draw(parts.member_id),
        group_number=draw(_GROUP_NUMBERS),
        plan_type=draw(parts.plan_type),
        relationship=relationship,
        subscriber=None if relationship is Relationship.SELF else draw(parts.subscriber),
        start=start,
        end=end,
    )


_GROUP_NUMBERS: Final = _optional(_ids(50))


@st.composite
def _coverages(
    draw: st.DrawFn, *, parts: _CoverageParts, active_between: tuple[date, date] | None
) -> Coverage:
    return _draw_coverage(draw, parts, active_between)


def coverages(
    *,
    payer: Payer | st.SearchStrategy[Payer] | None = None,
    member_id: str | None = None,
    relationship: Relationship | None = None,
    subscriber: Subscriber | st.SearchStrategy[Subscriber] | None = None,
    plan_type: PlanType | None = None,
    active_between: tuple[date, date] | None = None,
) -> st.SearchStrategy[Coverage]:
    """
    Coverages, with a subscriber exactly when the patient is not the subscriber.

    Pass the same *payer*, *member_id* and *subscriber* to build the coverages
    of several family members on one policy.

    Args:
        payer: The payer, or a strategy of payers.
        member_id: The member id (default: drawn).
        relationship: The patient's relationship to the subscriber (default:
            drawn; never :attr:`~soapbill.Relationship.SELF` when *subscriber*
            is given).
        subscriber: The subscriber (or a strategy) used when the patient is
            not the subscriber.
        plan_type: The plan type (default: drawn).
        active_between: A ``(first, last)`` pair of dates the coverage must be
            in force on (both inclusive).

    Shrinks to a commercial coverage of the subscriber themself with member id
    ``"0"``, no group number and open dates.

    Raises:
        InvalidArgument: *subscriber* given with ``Relationship.SELF``, or
            *active_between* out of order.

    .. versionadded:: 0.1.0
    """
    if subscriber is not None and relationship is Relationship.SELF:
        msg = "a subscriber is only for a patient who is not the subscriber"
        raise InvalidArgument(msg)
    if active_between is not None and active_between[1] < active_between[0]:
        msg = "active_between must be a (first, last) pair in order"
        raise InvalidArgument(msg)
    if relationship is not None:
        relationships: st.SearchStrategy[Relationship] = st.just(relationship)
    elif subscriber is not None:
        relationships = st.sampled_from([r for r in Relationship if r is not Relationship.SELF])
    else:
        relationships = st.sampled_from(Relationship)
    parts = _CoverageParts(
        payer=_strategy(payer, _PAYERS),
        member_id=_strategy(member_id, _ids(80)),
        relationship=relationships,
        subscriber=_strategy(subscriber, _SUBSCRIBERS),
        plan_type=_strategy(plan_type, st.sampled_from(PlanType)),
    )
    return _coverages(parts=parts, active_between=active_between)


_PEOPLE: Final = providers(person=True)
_PAYERS: Final = payers()
_SUBSCRIBERS: Final = subscribers()
_PATIENTS: Final = patients()
_DEFAULT_COVERAGE: Final = _CoverageParts(
    payer=_PAYERS,
    member_id=_ids(80),
    relationship=st.sampled_from(Relationship),
    subscriber=_SUBSCRIBERS,
    plan_type=st.sampled_from(PlanType),
)

# What a submittable claim draws when it is given no parties: the 837P wants
# the patient's address, two-character cities, member and payer ids
# (NM109 is 2 to 80 characters), and a billing address with a nine-digit ZIP.
_READY_PATIENTS: Final = _patients(
    birth_dates=_BIRTH_DATES, addresses=_READY_ADDRESSES, phones=_optional(_PHONES)
)
_READY_COVERAGE: Final = _CoverageParts(
    payer=_payers(ids=_ids(80, min_len=2)),
    member_id=_ids(80, min_len=2),
    relationship=st.sampled_from(Relationship),
    subscriber=_subscribers(addresses=_optional(_READY_ADDRESSES)),
    plan_type=st.sampled_from(PlanType),
)
_READY_BILLING_PROVIDERS: Final = _providers(
    person=None,
    complete=False,
    billing=True,
    credentials=tuple(Credential),
    addresses=_READY_BILLING_ADDRESSES,
)


# --- SOAP notes -----------------------------------------------------------------------


def frequencies() -> st.SearchStrategy[Frequency]:
    """
    Visit frequencies: 1-7 visits a week for 1-104 weeks.

    Shrinks to ``Frequency(per_week=1, weeks=1)``.

    .. versionadded:: 0.1.0
    """
    return st.builds(Frequency, per_week=st.integers(1, 7), weeks=st.integers(1, 104))


def pain_reports() -> st.SearchStrategy[PainReport]:
    """
    Pain reports: a region and an intensity from 0 to 10.

    Shrinks to ``PainReport(region=BodyRegion.HEAD, intensity=0)``.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        PainReport,
        region=st.sampled_from(BodyRegion),
        intensity=st.integers(0, 10),
        description=_optional(_free_text(200)),
    )


def subjectives() -> st.SearchStrategy[Subjective]:
    """
    Subjective sections.

    Shrinks to ``Subjective(chief_complaint="A")``.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        Subjective,
        chief_complaint=_free_text(1_000),
        pain=_tuples(pain_reports()),
        limitations=_tuples(_free_text(200)),
        goals=_tuples(_free_text(200)),
        text=_optional(_free_text(10_000)),
    )


def lifestyles() -> st.SearchStrategy[Lifestyle]:
    """
    Lifestyle factors.

    Shrinks to ``Lifestyle()``.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        Lifestyle,
        diet=_optional(_free_text(200)),
        stress=_optional(st.sampled_from(Level)),
        sleep=_optional(_free_text(200)),
    )


def objectives() -> st.SearchStrategy[Objective]:
    """
    Objective sections.

    Shrinks to ``Objective()``.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        Objective,
        posture=_tuples(_free_text(200)),
        gait=_tuples(_free_text(200)),
        raised_shoulder=_optional(st.sampled_from(Side)),
        lifestyle=_optional(lifestyles()),
        text=_optional(_free_text(10_000)),
    )


def tissue_findings() -> st.SearchStrategy[TissueFinding]:
    """
    Tissue findings of one region.

    Shrinks to ``TissueFinding(region=BodyRegion.HEAD)``.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        TissueFinding,
        region=st.sampled_from(BodyRegion),
        tension=st.sampled_from(Level),
        inflammation=st.booleans(),
        trigger_points=st.integers(0, 100),
    )


def ranges_of_motion() -> st.SearchStrategy[RangeOfMotion]:
    """
    Range-of-motion findings.

    Shrinks to ``RangeOfMotion(joint="A", full=False)``.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        RangeOfMotion,
        joint=_words(60),
        movement=_optional(_words(60)),
        full=st.booleans(),
        degrees=_optional(st.integers(0, 360)),
    )


def assessments() -> st.SearchStrategy[Assessment]:
    """
    Assessment sections.

    Shrinks to ``Assessment()``.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        Assessment,
        tissue=_tuples(tissue_findings()),
        range_of_motion=_tuples(ranges_of_motion()),
        breathing=_optional(_free_text(200)),
        asymmetries=_tuples(_free_text(200)),
        progress=_optional(_free_text(1_000)),
        text=_optional(_free_text(10_000)),
    )


def home_exercises() -> st.SearchStrategy[HomeExercise]:
    """
    Home exercises with their dosage.

    Shrinks to ``HomeExercise(name="A", dosage="A")``.

    .. versionadded:: 0.1.0
    """
    return st.builds(HomeExercise, name=_free_text(100), dosage=_free_text(100))


def plans(*, after: date | None = None) -> st.SearchStrategy[Plan]:
    """
    Plan sections.

    Args:
        after: The date of service; the next visit, if any, is 1 to 60 days
            later (default: any date from 2020 to 2030).

    Shrinks to ``Plan()``.

    .. versionadded:: 0.1.0
    """
    next_visits = (
        _SERVICE_DATES if after is None else st.integers(1, 60).map(partial(_add_days, after))
    )
    return st.builds(
        Plan,
        focus=_tuples(st.sampled_from(BodyRegion), unique=True),
        muscle_groups=_tuples(_words(60)),
        home_exercises=_tuples(home_exercises()),
        frequency=_optional(frequencies()),
        next_visit=_optional(next_visits),
        text=_optional(_free_text(10_000)),
    )


def treatments(
    *, codes: st.SearchStrategy[CptCode] | None = None, max_minutes: int = 120
) -> st.SearchStrategy[Treatment]:
    """
    Treatments: a procedure code, minutes of direct time and regions.

    Args:
        codes: Where codes come from (default: the built-in catalogue's codes,
            so billing can compute units).
        max_minutes: The most minutes of one treatment (1 to 1440).

    Shrinks to ``Treatment(code=CptCode("97010"), minutes=1)``.

    Raises:
        InvalidArgument: *max_minutes* is not from 1 to 1440.

    .. versionadded:: 0.1.0
    """
    if not 1 <= max_minutes <= 24 * 60:
        msg = "max_minutes must be from 1 to 1440"
        raise InvalidArgument(msg)
    return st.builds(
        Treatment,
        code=_CATALOGUED if codes is None else codes,
        minutes=st.integers(1, max_minutes),
        regions=_tuples(st.sampled_from(BodyRegion), unique=True),
    )


_NOTE_TEXT: Final = _free_text(10_000)
_OPTIONAL_NOTE_TEXT: Final = _optional(_NOTE_TEXT)
_ADDENDA_COUNT: Final = st.integers(0, 2)


def signatures() -> st.SearchStrategy[Signature]:
    """
    Signatures on their own (their digest matches no particular note).

    For a note whose signature matches, use :func:`soap_notes`.

    Shrinks to a signature by the shrunk person on 2020-01-01 with a digest of
    zeros.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        Signature,
        signer=_PEOPLE,
        signed_on=_SERVICE_DATES,
        digest=st.text("0123456789abcdef", min_size=64, max_size=64),
    )


def addenda(
    *,
    author: Provider | st.SearchStrategy[Provider] | None = None,
    written_on: st.SearchStrategy[date] | None = None,
) -> st.SearchStrategy[Addendum]:
    """
    Addenda to signed notes.

    Args:
        author: The author, or a strategy of authors (default: people).
        written_on: Where the dates come from (default: 2020 to 2030).

    Shrinks to an addendum by the shrunk person on 2020-01-01 saying ``"A"``.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        Addendum,
        author=_strategy(author, _PEOPLE),
        written_on=_SERVICE_DATES if written_on is None else written_on,
        text=_NOTE_TEXT,
    )


@attrs.frozen(repr=False)
class _NoteParts(_Parts):
    patient_id: st.SearchStrategy[str]
    provider: st.SearchStrategy[Provider]
    dates: st.SearchStrategy[date]
    signed: st.SearchStrategy[bool]
    diagnoses: st.SearchStrategy[tuple[DiagnosisCode, ...]]
    treatments: st.SearchStrategy[tuple[Treatment, ...]]


@st.composite
def _soap_notes(draw: st.DrawFn, *, parts: _NoteParts) -> SoapNote:
    therapist = draw(parts.provider)
    day = draw(parts.dates)
    plan = draw(_PLANS)
    if plan.next_visit is not None:
        plan = attrs.evolve(plan, next_visit=_add_days(day, 1 + draw(_OFFSET_MONTH)))
    note = SoapNote(
        id=draw(_IDS),
        patient_id=draw(parts.patient_id),
        provider=therapist,
        date_of_service=day,
        diagnoses=draw(parts.diagnoses),
        subjective=draw(_SUBJECTIVES),
        objective=draw(_OBJECTIVES),
        assessment=draw(_ASSESSMENTS),
        plan=plan,
        treatments=draw(parts.treatments),
    )
    if not draw(parts.signed):
        return note
    signed_on = _add_days(day, draw(_OFFSET_MONTH))
    note = note.sign(therapist, signed_on)
    for _ in range(draw(_ADDENDA_COUNT)):
        written_on = _add_days(signed_on, draw(_OFFSET_MONTH))
        note = note.amend(Addendum(author=therapist, written_on=written_on, text=draw(_NOTE_TEXT)))
    return note


def soap_notes(
    *,
    patient_id: str | None = None,
    provider: Provider | st.SearchStrategy[Provider] | None = None,
    dates: st.SearchStrategy[date] | None = None,
    signed: bool | None = None,
    diagnoses: st.SearchStrategy[DiagnosisCode] | None = None,
    treatment: st.SearchStrategy[Treatment] | None = None,
) -> st.SearchStrategy[SoapNote]:
    """
    SOAP notes: drafts, and notes signed by their provider, some with addenda.

    Notes are signed with :meth:`SoapNote.sign <soapbill.SoapNote.sign>`, so
    a signed note's signature matches its content
    (:attr:`~soapbill.SoapNote.is_signed`). The signature, the addenda and
    the next visit come on or after the date of service.

    Args:
        patient_id: The patient id (default: drawn).
        provider: The treating provider, or a strategy of them (default: people).
        dates: Where dates of service come from (default: 2020 to 2030).
        signed: ``True`` for signed notes only, ``False`` for drafts only,
            ``None`` for both.
        diagnoses: Where each of the 0-12 diagnoses comes from (default:
            :func:`diagnosis_codes`).
        treatment: Where each of the 0-6 treatments comes from (default:
            :func:`treatments`).

    Shrinks to a draft with id ``"0"`` for patient ``"0"`` dated 2020-01-01,
    without diagnoses or treatments, whose sections are the shrunk ones.

    .. versionadded:: 0.1.0
    """
    parts = _NoteParts(
        patient_id=_strategy(patient_id, _ids(50)),
        provider=_strategy(provider, _PEOPLE),
        dates=_SERVICE_DATES if dates is None else dates,
        signed=_BOOLEANS if signed is None else st.just(signed),
        diagnoses=_tuples(
            _DIAGNOSES if diagnoses is None else diagnoses, max_size=MAX_DIAGNOSES, unique=True
        ),
        treatments=_tuples(_TREATMENTS if treatment is None else treatment, max_size=6),
    )
    return _soap_notes(parts=parts)


_SUBJECTIVES: Final = subjectives()
_OBJECTIVES: Final = objectives()
_ASSESSMENTS: Final = assessments()
_PLANS: Final = plans()
_TREATMENTS: Final = treatments()


# --- prescriptions --------------------------------------------------------------------


@attrs.frozen(repr=False)
class _PrescriptionParts(_Parts):
    patient_id: st.SearchStrategy[str]
    prescriber: st.SearchStrategy[Provider]
    written_on: st.SearchStrategy[date]
    diagnoses: st.SearchStrategy[tuple[DiagnosisCode, ...]]


_VALIDITY: Final = st.sampled_from(("open", "until", "days"))
_VALID_DAYS: Final = st.integers(1, 3660)
_PROCEDURES: Final = _tuples(_CATALOGUED, max_size=4, unique=True)
_VISITS: Final = _optional(st.integers(1, 1000))
_REGIONS: Final = _tuples(st.sampled_from(BodyRegion), max_size=4, unique=True)


@st.composite
def _prescriptions(draw: st.DrawFn, *, parts: _PrescriptionParts) -> Prescription:
    written = draw(parts.written_on)
    validity = draw(_VALIDITY)
    return Prescription(
        id=draw(_IDS),
        patient_id=draw(parts.patient_id),
        prescriber=draw(parts.prescriber),
        written_on=written,
        valid_until=_add_days(written, draw(_OFFSET_YEAR)) if validity == "until" else None,
        valid_days=draw(_VALID_DAYS) if validity == "days" else None,
        diagnoses=draw(parts.diagnoses),
        procedures=draw(_PROCEDURES),
        visits_authorized=draw(_VISITS),
        frequency=draw(_OPTIONAL_FREQUENCIES),
        regions=draw(_REGIONS),
        notes=draw(_OPTIONAL_NOTE_TEXT),
    )


def prescriptions(
    *,
    patient_id: str | None = None,
    prescriber: Provider | st.SearchStrategy[Provider] | None = None,
    written_on: st.SearchStrategy[date] | None = None,
    diagnoses: st.SearchStrategy[DiagnosisCode] | None = None,
) -> st.SearchStrategy[Prescription]:
    """
    Prescriptions: open-ended, valid until a date, or valid for a number of days.

    A ``valid_until`` falls within a year of ``written_on``; ``valid_days``
    takes any allowed value (1 to 3660).

    Args:
        patient_id: The patient id (default: drawn).
        prescriber: The prescriber, or a strategy of them (default: people
            credentialed MD, DO, NP, PA or DC).
        written_on: Where the dates written come from (default: 2020 to 2030).
        diagnoses: Where each of the 1-12 diagnoses comes from (default:
            :func:`diagnosis_codes`).

    Shrinks to an open-ended prescription with id ``"0"`` for patient ``"0"``
    written 2020-01-01 for ``M54.50``, for any procedure and unlimited visits.

    .. versionadded:: 0.1.0
    """
    parts = _PrescriptionParts(
        patient_id=_strategy(patient_id, _ids(50)),
        prescriber=_strategy(prescriber, providers(person=True, credentials=_PRESCRIBERS)),
        written_on=_SERVICE_DATES if written_on is None else written_on,
        diagnoses=_tuples(
            _DIAGNOSES if diagnoses is None else diagnoses,
            min_size=1,
            max_size=MAX_DIAGNOSES,
            unique=True,
        ),
    )
    return _prescriptions(parts=parts)


_OPTIONAL_FREQUENCIES: Final = _optional(frequencies())


# --- claims ---------------------------------------------------------------------------


def attachments() -> st.SearchStrategy[Attachment]:
    """
    Claim attachments.

    Shrinks to a SOAP-note attachment with id ``"0"``, available on request.

    .. versionadded:: 0.1.0
    """
    return _attachments(min_id_len=1)


#: Available on request (the default) first, so that attachments shrink to it.
_TRANSMISSIONS: Final = [
    Transmission.AVAILABLE_ON_REQUEST,
    *(t for t in Transmission if t is not Transmission.AVAILABLE_ON_REQUEST),
]


def _attachments(*, min_id_len: int) -> st.SearchStrategy[Attachment]:
    return st.builds(
        Attachment,
        kind=st.sampled_from(AttachmentKind),
        id=st.text(_DIGITS + string.ascii_letters + "._-", min_size=min_id_len, max_size=50),
        transmission=st.sampled_from(_TRANSMISSIONS),
    )


_CAUSES: Final = st.tuples(_BOOLEANS, _BOOLEANS, _BOOLEANS).filter(any)
#: The 837P holds at most two related causes (CLM11-01 and CLM11-02). The list
#: starts with another accident alone, the shrink target of _CAUSES too.
_TWO_CAUSES: Final[st.SearchStrategy[tuple[bool, bool, bool]]] = st.sampled_from(
    [
        (employment, auto, other)
        for employment, auto, other in itertools.product((False, True), repeat=3)
        if (employment or auto or other) and not (employment and auto and other)
    ]
)


def _draw_related_causes(
    draw: st.DrawFn,
    accident_date: date | None,
    causes: st.SearchStrategy[tuple[bool, bool, bool]] = _CAUSES,
) -> RelatedCauses:
    employment, auto, other = draw(causes)
    return RelatedCauses(
        employment=employment,
        auto_accident=auto,
        accident_state=draw(_STATE_CODES) if auto else None,
        other_accident=other,
        accident_date=accident_date,
    )


@st.composite
def _related_causes(
    draw: st.DrawFn, *, accident_dates: st.SearchStrategy[date | None]
) -> RelatedCauses:
    return _draw_related_causes(draw, draw(accident_dates))


def related_causes(
    *, accident_dates: st.SearchStrategy[date] | None = None
) -> st.SearchStrategy[RelatedCauses]:
    """
    Related causes: employment, an auto accident (with its state), another accident.

    Args:
        accident_dates: Where accident dates come from (default: 2020 to 2030).

    Shrinks to ``RelatedCauses(other_accident=True)``.

    .. versionadded:: 0.1.0
    """
    return _related_causes(
        accident_dates=_optional(_SERVICE_DATES if accident_dates is None else accident_dates)
    )


# A line without its date: code, modifiers, units, charge, pointers, place of service.
_LineParts = tuple[
    CptCode, tuple[Modifier, ...], int, Decimal, tuple[int, ...], PlaceOfService | None
]


def _line(parts: _LineParts, day: date) -> ServiceLine:
    code, line_modifiers, units, charge, pointers, place = parts
    return ServiceLine(
        code=code,
        modifiers=line_modifiers,
        units=units,
        charge=charge,
        date_of_service=day,
        diagnosis_pointers=pointers,
        place_of_service=place,
    )


_LINE_MODIFIERS: Final = _tuples(_MODIFIERS, max_size=4, unique=True)
_UNITS: Final = st.integers(1, 9999)
_LINE_CHARGES: Final = money(max_value=Decimal("99999.99"))
_OPTIONAL_PLACES: Final = _optional(_PLACES)
#: Diagnosis pointers for a claim of 1, 2, ... 12 diagnoses.
_POINTERS: Final = tuple(
    _tuples(
        st.integers(1, count), min_size=1, max_size=min(MAX_DIAGNOSIS_POINTERS, count), unique=True
    )
    for count in range(1, MAX_DIAGNOSES + 1)
)


def _line_parts(
    codes: st.SearchStrategy[CptCode],
    max_pointer: int,
    places: st.SearchStrategy[PlaceOfService | None] = _OPTIONAL_PLACES,
) -> st.SearchStrategy[_LineParts]:
    return st.tuples(
        codes, _LINE_MODIFIERS, _UNITS, _LINE_CHARGES, _POINTERS[max_pointer - 1], places
    )


def service_lines(
    *,
    max_pointer: int = MAX_DIAGNOSES,
    dates: st.SearchStrategy[date] | None = None,
    codes: st.SearchStrategy[CptCode] | None = None,
) -> st.SearchStrategy[ServiceLine]:
    """
    Service lines with 0-4 modifiers and 1-4 distinct diagnosis pointers.

    Args:
        max_pointer: The highest diagnosis pointer (1 to 12): the number of
            diagnoses of the claim the lines go on.
        dates: Where dates of service come from (default: 2020 to 2030).
        codes: Where procedure codes come from (default: :func:`cpt_codes`).

    Shrinks to one unit of ``97010`` on 2020-01-01 charged ``0.00``, without
    modifiers or place of service, pointing at diagnosis 1.

    Raises:
        InvalidArgument: *max_pointer* is not from 1 to 12.

    .. versionadded:: 0.1.0
    """
    if not 1 <= max_pointer <= MAX_DIAGNOSES:
        msg = f"max_pointer must be from 1 to {MAX_DIAGNOSES}"
        raise InvalidArgument(msg)
    return st.builds(
        _line,
        _line_parts(_CPT_CODES if codes is None else codes, max_pointer),
        _SERVICE_DATES if dates is None else dates,
    )


@attrs.frozen(repr=False)
class _ClaimParts(_Parts):
    patient: st.SearchStrategy[Patient] | None
    coverage: st.SearchStrategy[Coverage] | None
    billing_provider: st.SearchStrategy[Provider]
    dates: st.SearchStrategy[date] | None
    diagnoses: st.SearchStrategy[tuple[DiagnosisCode, ...]]
    lines: tuple[st.SearchStrategy[list[_LineParts]], ...]
    frequency: st.SearchStrategy[ClaimFrequency]
    # What submittable claims draw differently.
    patients: st.SearchStrategy[Patient]
    coverages: _CoverageParts
    places: st.SearchStrategy[PlaceOfService]
    attachments: st.SearchStrategy[tuple[Attachment, ...]]
    causes: st.SearchStrategy[tuple[bool, bool, bool]]
    #: The earliest date a drawn birth or accident date may take.
    earliest: date
    #: Only claims the 837P writes: an accident has its date, a first
    #: contact date its claim number.
    submittable: bool
    pay_to_addresses: st.SearchStrategy[Address]


_OFFSET_FOUR_WEEKS: Final = st.integers(0, 27)
_ATTACHMENTS: Final = _tuples(attachments(), max_size=10)
_READY_ATTACHMENTS: Final = _tuples(_attachments(min_id_len=2), max_size=10)
_OPTIONAL_PEOPLE: Final = _optional(_PEOPLE)
_CLAIM_IDS: Final = _ids(38)
_OPTIONAL_IDS: Final = _optional(_ids(50))
#: The first day an 837P date may take (the pyx12 validator's limit).
_X12_FIRST_DAY: Final = date(1800, 1, 1)


def _before(first: date, days: int, earliest: date) -> date:
    """
    *days* before *first*, but not before *earliest* unless *first* is.
    """
    return max(_add_days(first, -days), min(first, earliest))


def _draw_earlier(draw: st.DrawFn, parts: _ClaimParts, first: date) -> date:
    """
    A day within the year before *first*, the first date of service.
    """
    return _before(first, draw(_OFFSET_YEAR), parts.earliest)


def _draw_claim_causes(draw: st.DrawFn, parts: _ClaimParts, first: date) -> RelatedCauses | None:
    """
    A claim's related causes, or none; a submittable accident has its date.
    """
    if not draw(_BOOLEANS):
        return None
    employment, auto, other = draw(parts.causes)
    dated = draw(_BOOLEANS) or (parts.submittable and (auto or other))
    return RelatedCauses(
        employment=employment,
        auto_accident=auto,
        accident_state=draw(_STATE_CODES) if auto else None,
        other_accident=other,
        accident_date=_draw_earlier(draw, parts, first) if dated else None,
    )


@st.composite
def _claims(draw: st.DrawFn, *, parts: _ClaimParts) -> Claim:
    diagnoses = draw(parts.diagnoses)
    place = draw(parts.places)
    lines = []
    base = draw(_SERVICE_DATES)
    for line_parts in draw(parts.lines[len(diagnoses) - 1]):
        if parts.dates is None:
            day = _add_days(base, draw(_OFFSET_FOUR_WEEKS))
        else:
            day = draw(parts.dates)
        # A line names its place of service only when it differs from the claim's.
        if line_parts[-1] == place:
            line_parts = (*line_parts[:-1], None)  # noqa: PLW2901 - the same line, adjusted
        lines.append(_line(line_parts, day))
    first = min(line.date_of_service for line in lines)
    last = max(line.date_of_service for line in lines)

    if parts.patient is None:
        patient = draw(parts.patients)
        if patient.birth_date > first:
            born = _before(first, draw(_OFFSET_CENTURY), parts.earliest)
            patient = attrs.evolve(patient, birth_date=born)
    else:
        patient = draw(parts.patient)
    if parts.coverage is None:
        coverage = _draw_coverage(draw, parts.coverages, (first, last))
    else:
        coverage = draw(parts.coverage)
    frequency = draw(parts.frequency)
    causes = _draw_claim_causes(draw, parts, first)
    casualty_number = draw(_OPTIONAL_IDS)
    # A submittable first contact date comes with its claim number.
    contact = casualty_number is not None or not parts.submittable
    first_contact = _draw_earlier(draw, parts, first) if draw(_BOOLEANS) and contact else None
    initial_treatment = _draw_earlier(draw, parts, first) if draw(_BOOLEANS) else None
    return Claim(
        id=draw(_CLAIM_IDS),
        frequency=frequency,
        original_claim_number=(None if frequency is ClaimFrequency.ORIGINAL else draw(_IDS)),
        patient=patient,
        coverage=coverage,
        billing_provider=draw(parts.billing_provider),
        pay_to_address=draw(_optional(parts.pay_to_addresses)),
        rendering_provider=draw(_OPTIONAL_PEOPLE),
        referring_provider=draw(_OPTIONAL_PEOPLE),
        diagnoses=diagnoses,
        lines=tuple(lines),
        attachments=draw(parts.attachments),
        prior_authorization=draw(_OPTIONAL_IDS),
        place_of_service=place,
        provider_signature_on_file=draw(_BOOLEANS),
        accepts_assignment=draw(_BOOLEANS),
        assignment_of_benefits=draw(_BOOLEANS),
        release_of_information=draw(_BOOLEANS),
        related_causes=causes,
        property_casualty_claim_number=casualty_number,
        initial_treatment_date=initial_treatment,
        first_contact_date=first_contact,
    )


def claims(
    *,
    patient: Patient | st.SearchStrategy[Patient] | None = None,
    coverage: Coverage | st.SearchStrategy[Coverage] | None = None,
    billing_provider: Provider | st.SearchStrategy[Provider] | None = None,
    dates: st.SearchStrategy[date] | None = None,
    min_lines: int = 1,
    max_lines: int = 12,
    diagnoses: st.SearchStrategy[DiagnosisCode] | None = None,
    codes: st.SearchStrategy[CptCode] | None = None,
    frequency: ClaimFrequency | None = None,
    submittable: bool = False,
) -> st.SearchStrategy[Claim]:
    """
    Claims of every shape the formats need.

    Drawn claims cover: a patient who is or is not the subscriber; original,
    replacement and void claims (the last two with an original claim number);
    0-10 attachments; a rendering and a referring provider (people), each
    present or absent; a prior authorisation; related causes (employment, an
    auto accident with its state, another accident); a property-and-casualty
    claim number; a pay-to address; initial treatment and first contact
    dates; 1-12 diagnoses with valid pointers; *min_lines* to
    *max_lines* lines with modifiers, and a line-level place of service that
    differs from the claim's.

    Unless given, the billing provider has an address and a tax id; the
    patient was born on or before the first date of service; the coverage
    is in force on every date of service; an accident, the initial
    treatment and the first contact happened within the year before the
    first date of service.

    Every claim can be written as JSON, FHIR, a CMS-1500 and a superbill.
    The X12 837P requires more than the models do (see
    :func:`soapbill.formats.x12.problems_837p`): with *submittable*, the
    strategy draws only claims it writes, and that a clearinghouse accepts:
    the patient has an address; cities, member ids, payer ids and attachment
    ids have at least two characters; the billing address has a nine-digit
    ZIP code and is no PO Box; at most two related causes; an auto or other
    accident has its date; a first contact date comes with a property and
    casualty claim number; places of service are the named
    ones of :data:`soapbill.codes.pos.NAMES`, which are in the CMS code set;
    birth and accident dates are from 1800 on. A party or a date strategy
    you give is used as it is: draw parties from submittable claims (their
    ``billing_provider``, ``patient`` and ``coverage``) to share them.

    Args:
        patient: The patient, or a strategy of patients.
        coverage: The coverage, or a strategy of coverages.
        billing_provider: The billing provider, or a strategy of them
            (default: ``providers(billing=True)``).
        dates: Where each line's date of service comes from (default: a day
            from 2020 to 2030 and the four weeks after it).
        min_lines: The fewest service lines, from 1 to *max_lines* (set both
            to 50 to test the 837P limit).
        max_lines: The most service lines, from *min_lines* to 50.
        diagnoses: Where each diagnosis comes from (default: :func:`diagnosis_codes`).
        codes: Where each line's procedure code comes from (default: :func:`cpt_codes`).
        frequency: Only original, replacement or void claims (default: all).
        submittable: Only claims the X12 837P writes (see above).

    Shrinks to an original claim with id ``"0"``: the shrunk patient,
    self-coverage and billing organisation, one diagnosis ``M54.50``, one
    shrunk service line, place of service 11, no optional party or field, and
    the four yes/no flags ``False``. With *submittable*, the patient has the
    shrunk address, cities are ``"AA"``, the member and payer ids ``"00"``
    and the billing ZIP code ``"000000000"``.

    Raises:
        InvalidArgument: Not ``1 <= min_lines <= max_lines <= 50``.

    .. versionadded:: 0.1.0
    """
    if not 1 <= min_lines <= max_lines <= MAX_LINES:
        msg = f"claims need 1 <= min_lines <= max_lines <= {MAX_LINES}"
        raise InvalidArgument(msg)
    line_codes = _CPT_CODES if codes is None else codes
    line_places = _optional(_NAMED_PLACES) if submittable else _OPTIONAL_PLACES
    parts = _ClaimParts(
        patient=_given(patient),
        coverage=_given(coverage),
        billing_provider=_strategy(
            billing_provider, _READY_BILLING_PROVIDERS if submittable else _BILLING_PROVIDERS
        ),
        dates=dates,
        diagnoses=_tuples(
            _DIAGNOSES if diagnoses is None else diagnoses,
            min_size=1,
            max_size=MAX_DIAGNOSES,
            unique=True,
        ),
        lines=tuple(
            st.lists(
                _line_parts(line_codes, count, line_places),
                min_size=min_lines,
                max_size=max_lines,
            )
            for count in range(1, MAX_DIAGNOSES + 1)
        ),
        frequency=st.sampled_from(ClaimFrequency) if frequency is None else st.just(frequency),
        patients=_READY_PATIENTS if submittable else _PATIENTS,
        coverages=_READY_COVERAGE if submittable else _DEFAULT_COVERAGE,
        places=_NAMED_PLACES if submittable else _PLACES,
        attachments=_READY_ATTACHMENTS if submittable else _ATTACHMENTS,
        causes=_TWO_CAUSES if submittable else _CAUSES,
        earliest=_X12_FIRST_DAY if submittable else date.min,
        submittable=submittable,
        pay_to_addresses=_READY_ADDRESSES if submittable else _ADDRESSES,
    )
    return _claims(parts=parts)


_BILLING_PROVIDERS: Final = providers(billing=True)
