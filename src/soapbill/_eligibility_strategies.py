"""
Hypothesis strategies for eligibility inquiries and responses, and 271 text.

Test aids for apps that ask payers about benefits. Needs Hypothesis (the
``soapbill[testing]`` extra).

- :func:`eligibility_inquiries` draws inquiries that
  :func:`~soapbill.eligibility.write_270` writes: text without X12
  separators, member and payer ids of two characters or more.
- :func:`benefits`, :func:`rejections` and :func:`eligibility_responses` draw
  the parts of a 271 and whole responses that
  :func:`soapbill._eligibility_writer.write_271` writes;
- :func:`responses_271` draws a 271 and the responses it was written from,
  which :func:`~soapbill.eligibility.read_271` reads back equal.
"""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal
from typing import Final, TypeVar

import attrs
from hypothesis import strategies as st

from soapbill._eligibility_writer import Envelope, write_271
from soapbill.codes.npi import Npi
from soapbill.eligibility import (
    Benefit,
    BenefitCode,
    CoverageLevel,
    EligibilityInquiry,
    EligibilityResponse,
    FollowUpAction,
    Indicator,
    InsuranceType,
    Member,
    Period,
    QuantityQualifier,
    Rejection,
    ServiceType,
    TimePeriod,
)
from soapbill.parties import Payer, Relationship, Sex

__all__ = [
    "Written271",
    "benefits",
    "eligibility_inquiries",
    "eligibility_responses",
    "members",
    "rejections",
    "responses_271",
]

T = TypeVar("T")
_LETTERS: Final = string.ascii_uppercase
_ID_CHARS: Final = string.ascii_uppercase + string.digits
_TEXT: Final = string.ascii_uppercase + string.digits + " .,-/"
_DATES: Final = st.dates(date(2020, 1, 1), date(2030, 12, 31))
_BIRTH_DATES: Final = st.dates(date(1900, 1, 1), date(2019, 12, 31))
_SERVICE_TYPES: Final = st.sampled_from(list(ServiceType))


def _words(max_len: int, alphabet: str = _LETTERS) -> st.SearchStrategy[str]:
    """
    Text of *alphabet* starting with a letter, single spaces, no space at the ends.

    Shrinks to ``"A"``.
    """
    return st.builds(
        lambda first, rest: " ".join((first + rest).split())[:max_len].rstrip(),
        st.sampled_from(_LETTERS),
        st.text(st.sampled_from(alphabet), max_size=max_len - 1),
    )


def _ids(min_len: int, max_len: int) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(_ID_CHARS), min_size=min_len, max_size=max_len)


_DEPENDENTS: Final = st.sampled_from([r for r in Relationship if r is not Relationship.SELF])
_TRACES: Final = st.text(st.sampled_from(_ID_CHARS + ".-_"), min_size=1, max_size=50)


# --- inquiries --------------------------------------------------------------------------


@st.composite
def _inquiry(draw: st.DrawFn, *, dependent: bool | None) -> EligibilityInquiry:
    from soapbill import strategies as sbst  # noqa: PLC0415 - it re-exports this module

    relationship = None
    if dependent is not None:
        relationship = draw(_DEPENDENTS) if dependent else Relationship.SELF
    coverage = draw(sbst.coverages(relationship=relationship))
    coverage = attrs.evolve(
        coverage,
        member_id=draw(_ids(2, 30)),
        payer=Payer(id=draw(_ids(2, 20)), name=draw(_words(60))),
    )
    period = None
    day: date | None = draw(_DATES)
    if draw(st.booleans()):
        start = day
        assert start is not None  # noqa: S101 - drawn just above
        end = draw(st.dates(start, date(2031, 12, 31)))
        period, day = Period(start=start, end=end), None
    return EligibilityInquiry(
        patient=draw(sbst.patients()),
        coverage=coverage,
        provider=draw(sbst.providers()),
        service_types=tuple(draw(st.lists(_SERVICE_TYPES, min_size=1, max_size=5, unique=True))),
        service_date=day,
        service_period=period,
        trace_number=draw(_TRACES),
    )


def eligibility_inquiries(
    *, dependent: bool | None = None
) -> st.SearchStrategy[EligibilityInquiry]:
    """
    Inquiries a 270 can carry.

    Args:
        dependent: ``True`` for patients who are dependents of the subscriber,
            ``False`` for subscribers, ``None`` for both.

    Shrinks to a subscriber asking about service type ``1`` on 2020-01-01.

    .. versionadded:: 0.1.0
    """
    return _inquiry(dependent=dependent)


# --- responses --------------------------------------------------------------------------

_PERCENTS: Final = st.decimals(
    min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False
)
_QUANTITIES: Final = st.decimals(
    min_value=0, max_value=9999, places=2, allow_nan=False, allow_infinity=False
) | st.integers(0, 60).map(Decimal)
_AMOUNTS: Final = st.decimals(
    min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False
)


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    # none() first, so that optional fields shrink away.
    return st.none() | strategy


@st.composite
def _spans(draw: st.DrawFn) -> tuple[date | None, date | None]:
    """
    A first and a last day, either or both unknown, the first never after the last.
    """
    start = draw(_optional(_DATES))
    end = draw(_optional(_DATES))
    if start is not None and end is not None and end < start:
        return end, start
    return start, end


@st.composite
def _benefit(draw: st.DrawFn) -> Benefit:
    from soapbill import strategies as sbst  # noqa: PLC0415 - it re-exports this module

    qualifier = draw(_optional(st.sampled_from(list(QuantityQualifier))))
    start, end = draw(_spans())
    return Benefit(
        code=draw(st.sampled_from(list(BenefitCode))),
        coverage_level=draw(_optional(st.sampled_from(list(CoverageLevel)))),
        service_types=tuple(draw(st.lists(_SERVICE_TYPES, max_size=4))),
        insurance_type=draw(_optional(st.sampled_from(list(InsuranceType)))),
        plan=draw(_optional(_words(50, _TEXT))),
        time_period=draw(_optional(st.sampled_from(list(TimePeriod)))),
        amount=draw(_optional(_AMOUNTS)),
        percent=draw(_optional(_PERCENTS)),
        quantity_qualifier=qualifier,
        quantity=None if qualifier is None else draw(_QUANTITIES),
        authorization=draw(
            _optional(st.sampled_from([Indicator.YES, Indicator.NO, Indicator.UNKNOWN]))
        ),
        in_network=draw(_optional(st.sampled_from(list(Indicator)))),
        procedure=draw(_optional(sbst.cpt_codes())),
        start=start,
        end=end,
        messages=tuple(draw(st.lists(_words(264, _TEXT), max_size=3))),
    )


def benefits() -> st.SearchStrategy[Benefit]:
    """
    Benefits a 271 can carry, every field drawn.

    Shrinks to active coverage (``EB01`` 1) with nothing else.

    .. versionadded:: 0.1.0
    """
    return _benefit()


def members(*, given_name: bool = False) -> st.SearchStrategy[Member]:
    """
    Members as a 271 names them.

    Args:
        given_name: Always give a given name (a 271 does for a subscriber
            who is the patient).

    Shrinks to a member named ``"A"`` with no other field.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        Member,
        family_name=_words(60),
        given_name=_words(35) if given_name else _optional(_words(35)),
        member_id=_optional(_ids(2, 30)),
        birth_date=_optional(_BIRTH_DATES),
        sex=_optional(st.sampled_from(list(Sex))),
    )


#: The reject reasons and follow-up actions each loop takes (005010X279A1, as
#: x12sdk's models and pyx12's map give them; see ``soapbill._eligibility_codes``).
_LOOP_CODES: Final = {
    "2000A": ("04 41 42 79", "CNPRSY"),
    "2100A": ("04 41 42 79 80 T4", "CNPRSWXY"),
    "2100B": ("15 41 43 44 45 46 47 48 50 51 79 97 T4", "CNRSWXY"),
    "2100C": (
        "15 42 43 45 47 48 49 51 52 56 57 58 60 61 62 63 64 65 66 67 68 71 72 73 74 75 76 77 78",
        "CNRSWXY",
    ),
    "2110C": ("15 33 52 53 54 55 56 57 60 61 62 63 69 70 98 AA AE AF AG AO CI E8 IA MA", "CNRWXY"),
}
_LOOP_CODES["2100D"] = _LOOP_CODES["2100C"]
_LOOP_CODES["2110D"] = _LOOP_CODES["2110C"]
_LOOP_ORDER: Final = ("2000A", "2100A", "2100B", "2100C", "2110C", "2100D", "2110D")


@st.composite
def _rejection(draw: st.DrawFn, loop: str) -> Rejection:
    reasons, follow_ups = _LOOP_CODES[loop]
    return Rejection(
        loop=loop,
        valid=draw(st.booleans()),
        reason=draw(st.sampled_from(reasons.split())),
        follow_up=FollowUpAction(draw(st.sampled_from(follow_ups))),
    )


def rejections(loop: str = "2100C") -> st.SearchStrategy[Rejection]:
    """
    Rejections of *loop* with the reasons and follow-up actions the guide allows there.

    .. versionadded:: 0.1.0
    """
    if loop not in _LOOP_CODES:
        msg = f"not a loop of the 271: {loop!r}"
        raise ValueError(msg)
    return _rejection(loop)


@st.composite
def _response(draw: st.DrawFn) -> EligibilityResponse:
    from soapbill import strategies as sbst  # noqa: PLC0415 - it re-exports this module

    depth = draw(st.sampled_from(("source", "receiver", "subscriber", "dependent")))
    npi: Npi | None = None if depth == "source" else draw(sbst.npis())
    subscriber = dependent = None
    if depth in ("subscriber", "dependent"):
        subscriber = draw(members(given_name=depth == "subscriber"))
    if depth == "dependent":
        dependent = draw(members())
    found = tuple(draw(st.lists(benefits(), max_size=5))) if subscriber is not None else ()
    loops = _rejection_loops(npi, subscriber, dependent, benefits=bool(found))
    chosen = draw(st.lists(st.sampled_from(loops), max_size=3))
    start, end = draw(_spans())
    patient = subscriber is not None
    return EligibilityResponse(
        control_number="0001",
        trace_number=draw(_optional(_TRACES)) if patient else None,
        payer=Payer(id=draw(_ids(2, 20)), name=draw(_words(60))),
        provider_npi=npi,
        subscriber=subscriber,
        dependent=dependent,
        group_number=draw(_optional(_ids(1, 30))) if patient else None,
        plan_number=draw(_optional(_ids(1, 30))) if patient else None,
        coverage_start=start if patient else None,
        coverage_end=end if patient else None,
        rejections=tuple(draw(rejections(loop)) for loop in sorted(chosen, key=_LOOP_ORDER.index)),
        benefits=found,
    )


def _rejection_loops(
    npi: Npi | None, subscriber: Member | None, dependent: Member | None, *, benefits: bool
) -> list[str]:
    """
    The loops a response's rejections can stand in: its levels' and its benefits'.
    """
    levels = (("2100B", npi), ("2100C", subscriber), ("2100D", dependent))
    loops = ["2000A", "2100A", *(loop for loop, level in levels if level is not None)]
    if benefits:
        loops.append("2110C" if dependent is None else "2110D")
    return loops


def eligibility_responses() -> st.SearchStrategy[EligibilityResponse]:
    """
    Responses a 271 can carry: about a subscriber, a dependent, or rejected before either.

    Shrinks to a response of a payer named ``"A"`` with id ``"00"`` that
    reaches no provider.

    .. versionadded:: 0.1.0
    """
    return _response()


@attrs.frozen
class Written271:
    """
    A 271 and the responses it was written from.
    """

    responses: tuple[EligibilityResponse, ...]
    text: str


@st.composite
def _written(draw: st.DrawFn, max_responses: int) -> Written271:
    found = tuple(draw(st.lists(eligibility_responses(), min_size=1, max_size=max_responses)))
    text = write_271(found, Envelope(control_number=draw(st.integers(1, 999_999_999))))
    return Written271(responses=found, text=text)


def responses_271(*, max_responses: int = 3) -> st.SearchStrategy[Written271]:
    """
    A 271 of one to *max_responses* responses, with the responses it was written from.

    Shrinks to one response rejected at its source.

    .. versionadded:: 0.1.0
    """
    return _written(max_responses)
