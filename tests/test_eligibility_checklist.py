"""
The checklist a front desk reads to the payer on the phone, printed on one Letter page.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seed_story import seed_story
from soapbill import ValidationError
from soapbill import strategies as sbst
from soapbill.codes.cpt import CptCode
from soapbill.eligibility import render_benefits_questions
from soapbill.parties import Coverage
from test_formats_superbill import printer  # noqa: F401 - the Chromium and pdftotext fixture

SERVICES = (CptCode("97124"), CptCode("97140"))


def coverage() -> Coverage:
    return attrs.evolve(seed_story()[1], group_number="GRP4400")


def test_text_checklist() -> None:
    text = render_benefits_questions(coverage(), services=SERVICES)
    lines = text.splitlines()
    assert lines[:8] == [
        "Insurance benefits: questions for the payer",
        "===========================================",
        "",
        "Payer         Example Health Plan",
        "Payer id      EXHP1",
        "Member id     XHP123456789",
        "Group number  GRP4400",
        "Plan type     commercial",
    ]
    for asked in (
        "Is 97124 (Massage therapy) covered?  [ ] yes  [ ] no",
        "Is 97140 (Manual therapy) covered?  [ ] yes  [ ] no",
        "Is a prescription (Rx) or a referral required?  [ ] yes  [ ] no",
        "From whom? (MD, DO, NP, PA, DC, PT)  ________",
        "How many visits a calendar year are paid?  ________",
        "How many are used this year?  ________",
        "Is prior authorization required?  [ ] yes  [ ] no",
        "Copay per visit  $________",
        "Co-insurance  ________ %",
        "Deductible remaining  $________",
        "Out-of-network reimbursement (share of the allowed amount)  ________ %",
        "Reference number of the call  ________",
    ):
        assert any(line.endswith(asked) for line in lines), asked
    numbers = [int(line.split(".")[0]) for line in lines if line[:2].strip().isdigit()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_unknown_codes_are_asked_about_too() -> None:
    text = render_benefits_questions(coverage(), services=(CptCode("99213"),))
    assert "Is 99213 (procedure) covered?" in text


def test_html_escapes_what_it_shows() -> None:
    payer = attrs.evolve(coverage().payer, name="<b>Example</b> & Co")
    page = render_benefits_questions(
        attrs.evolve(coverage(), payer=payer), services=SERVICES, kind="html"
    )
    assert "<b>Example" not in page
    assert "&lt;b&gt;Example&lt;/b&gt; &amp; Co" in page
    assert page.startswith("<!DOCTYPE html>")
    assert "@page{size:Letter" in page


@given(sbst.coverages(), st.lists(sbst.cpt_codes(), min_size=1, max_size=8, unique=True))
def test_free_text_cannot_add_lines(found: Coverage, services: list[CptCode]) -> None:
    payer = attrs.evolve(found.payer, name="A\nPayer  TOTAL\x1b[2J")
    text = render_benefits_questions(attrs.evolve(found, payer=payer), services=services)
    plain = render_benefits_questions(
        attrs.evolve(found, payer=attrs.evolve(payer, name="A Payer  TOTAL [2J")),
        services=services,
    )
    assert len(text.splitlines()) == len(plain.splitlines())
    assert "\x1b" not in text


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"coverage": "EXHP1"}, "coverage"),
        ({"services": "97124"}, "services"),
        ({"services": ()}, "services"),
        ({"services": (CptCode("97124"), "97140")}, "services[1]"),
        ({"services": (CptCode("97124"), CptCode("97124"))}, "services"),
        ({"services": tuple(CptCode(f"970{n:02d}") for n in range(21))}, "services"),
        ({"kind": "pdf"}, "kind"),
    ],
)
def test_arguments_are_checked(arguments: dict[str, Any], path: str) -> None:
    given_arguments: dict[str, Any] = {"coverage": coverage(), "services": SERVICES, **arguments}
    with pytest.raises(ValidationError) as info:
        render_benefits_questions(**given_arguments)
    assert info.value.errors[0].path == path


def test_prints_on_one_letter_page(printer: Any) -> None:  # noqa: F811 - the imported fixture
    # The documented limit: 8 codes on one page.
    services = tuple(
        CptCode(code)
        for code in ("97124", "97140", "97110", "97112", "97530", "97010", "97035", "97014")
    )
    pages, size, text = printer(
        render_benefits_questions(coverage(), services=services, kind="html")
    )
    assert pages == 1
    assert size.startswith("612 x 792 pts")
    for code in services:
        assert code.value in text
    for asked in ("XHP123456789", "prior authorization", "Reference number of the call"):
        assert asked in text
