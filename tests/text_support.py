"""
Claims whose free text is hostile, for the writers of text meant for people.

:func:`hostile_claims` draws a claim and writes hostile text (line breaks, NUL,
ANSI escapes, U+2028, a fake ``28 TOTAL CHARGE`` row) into every free-text
field the text outputs show, and gives it beside the same claim with each
control character of that text replaced by ``x``: the two must render with the
same layout.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from typing import Final

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from soapbill import Address, Claim, PersonName, Provider, ValidationError
from soapbill import strategies as sbst

#: The categories a text output shows none of, but for its own line breaks.
CONTROL_CATEGORIES: Final = frozenset({"Cc", "Zl", "Zp"})

#: The explicit bidi embeddings, overrides and isolates (UAX #9, section 2),
#: written out here rather than taken from soapbill, as an independent list.
BIDI: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_control(ch: str) -> bool:
    """
    Whether a text output must show *ch* as a space.
    """
    return unicodedata.category(ch) in CONTROL_CATEGORIES or ch in BIDI


_FRAGMENTS: Final = (
    "\n28    TOTAL CHARGE                        0.00\n",
    "\r\n",
    "\x1b[2J",
    "\x1b]0;title\x07",
    "\x00",
    "\u2028",
    "\u2029",
    "\u202e0.00 $",
    "\u2067",
    "\x85",
    "\x9b31m",
    "\t",
    "\x7f",
    "<b>&amp;",
)

#: Hostile text: fragments and single characters, control characters often.
hostile_text: Final = st.lists(
    st.sampled_from(_FRAGMENTS)
    | st.characters(categories=["Cc", "Zl", "Zp"])
    | st.sampled_from(sorted(BIDI))
    | st.characters(codec="utf-8"),
    min_size=1,
    max_size=6,
).map(lambda parts: ("A" + "".join(parts))[:25])


def controls(text: str) -> set[str]:
    """
    The characters of *text* of the categories Cc, Zl and Zp, and its bidi controls.
    """
    return {ch for ch in text if is_control(ch)}


def benign(text: str) -> str:
    """
    *text* with each control character replaced by ``x``.
    """
    return "".join("x" if is_control(ch) else ch for ch in text)


def _name(name: PersonName, text: Callable[[], str]) -> PersonName:
    return attrs.evolve(name, family=text(), given=text())


def _address(address: Address | None, text: Callable[[], str]) -> Address | None:
    if address is None:
        return None
    return attrs.evolve(address, line1=text(), line2=text(), city=text())


def _provider(provider: Provider, text: Callable[[], str]) -> Provider:
    if provider.name is None:
        provider = attrs.evolve(provider, organization_name=text())
    else:
        provider = attrs.evolve(provider, name=_name(provider.name, text))
    return attrs.evolve(provider, license_number=text(), address=_address(provider.address, text))


def rewritten(claim: Claim, texts: list[str]) -> Claim:
    """
    *claim* with its free-text fields taken from *texts*, in a fixed order.

    Raises:
        ValidationError: A text does not fit its field.
    """
    supply: Iterator[str] = iter(texts)

    def text() -> str:
        return next(supply)

    patient = claim.patient
    patient = attrs.evolve(
        patient,
        id=text(),
        name=_name(patient.name, text),
        address=_address(patient.address, text),
    )
    coverage = claim.coverage
    subscriber = coverage.subscriber
    if subscriber is not None:
        subscriber = attrs.evolve(
            subscriber,
            name=_name(subscriber.name, text),
            address=_address(subscriber.address, text),
        )
    coverage = attrs.evolve(
        coverage,
        payer=attrs.evolve(coverage.payer, id=text(), name=text()),
        member_id=text(),
        group_number=text(),
        subscriber=subscriber,
    )
    return attrs.evolve(
        claim,
        id=text(),
        patient=patient,
        coverage=coverage,
        billing_provider=_provider(claim.billing_provider, text),
        rendering_provider=claim.rendering_provider and _provider(claim.rendering_provider, text),
        referring_provider=claim.referring_provider and _provider(claim.referring_provider, text),
        prior_authorization=text(),
        property_casualty_claim_number=text(),
    )


#: Enough texts for every free-text field of any claim.
_TEXTS: Final = 60


@st.composite
def hostile_claims(draw: st.DrawFn, *, max_lines: int = 8) -> tuple[Claim, Claim]:
    """
    A claim with hostile free text, and the same claim with that text made benign.
    """
    claim = draw(sbst.claims(max_lines=max_lines))
    texts = draw(st.lists(hostile_text, min_size=_TEXTS, max_size=_TEXTS))
    try:
        hostile = rewritten(claim, texts)
        harmless = rewritten(claim, [benign(t) for t in texts])
    except ValidationError:
        # A text the field refuses (too long).
        reject()
    return hostile, harmless
