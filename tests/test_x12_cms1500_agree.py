"""
The 837P and the CMS-1500 of a claim say the same thing.

Each generated claim is written both ways; the 837P is read back with pyx12's
reader and compared, element by box, with the form's pages (the crosswalk of
docs/guide/x12.md).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from hypothesis import given

from soapbill import Claim
from soapbill import strategies as sbst
from soapbill.formats.cms1500 import LINES_PER_PAGE, cms1500_pages
from x12_support import segments, value, write

_LETTERS = "ABCDEFGHIJKL"


def _mmddyy(d8: str) -> str:
    return datetime.strptime(d8, "%Y%m%d").strftime("%m %d %y")  # noqa: DTZ007 - a date


def _read(text: str) -> dict[str, Any]:  # noqa: C901 - one branch per segment
    """
    The one claim of *text*, as the crosswalk compares it.
    """
    read: dict[str, Any] = {"refs": {}, "lines": [], "pwk": [], "names": {}, "dates": {}}
    line: dict[str, str] | None = None
    for seg in segments(text):
        sid, first = seg.get_seg_id(), value(seg, seg.get_seg_id() + "01")
        if sid == "NM1":
            read["names"][first] = value(seg, "NM109")
        elif sid == "REF" and line is None:
            read["refs"][first] = value(seg, "REF02")
        elif sid == "SBR":
            read["group"] = value(seg, "SBR03")
            read["filing"] = value(seg, "SBR09")
        elif sid == "CLM":
            read["clm"] = {n: value(seg, f"CLM{n}") for n in ("01", "02", "06", "07", "08", "09")}
            read["clm"].update(
                pos=value(seg, "CLM05-01"),
                frequency=value(seg, "CLM05-03"),
                causes={value(seg, f"CLM11-{n:02d}") for n in (1, 2)} - {""},
                state=value(seg, "CLM11-04"),
            )
        elif sid == "DTP" and line is None:
            read["dates"][first] = value(seg, "DTP03")
        elif sid == "PWK":
            read["pwk"].append(f"PWK{first}{value(seg, 'PWK02')}{value(seg, 'PWK06')}")
        elif sid == "HI":
            read["diagnoses"] = [
                value(seg, f"HI{n:02d}-02") for n in range(1, 13) if value(seg, f"HI{n:02d}-02")
            ]
        elif sid == "PRV" and first == "PE":
            read["rendering_taxonomy"] = value(seg, "PRV03")
        elif sid == "LX":
            line = {}
            read["lines"].append(line)
        elif sid == "SV1" and line is not None:
            line.update(
                code=value(seg, "SV101-02"),
                modifiers=" ".join(
                    value(seg, f"SV101-{n:02d}")
                    for n in range(3, 7)
                    if value(seg, f"SV101-{n:02d}")
                ),
                charge=value(seg, "SV102"),
                units=value(seg, "SV104"),
                pos=value(seg, "SV105") or read["clm"]["pos"],
                pointers="".join(
                    _LETTERS[int(value(seg, f"SV107-{n:02d}")) - 1]
                    for n in range(1, 5)
                    if value(seg, f"SV107-{n:02d}")
                ),
            )
        elif sid == "DTP" and line is not None:
            line["date"] = _mmddyy(value(seg, "DTP03"))
    return read


def _lines(pages: list[dict[str, str]]) -> list[dict[str, str]]:
    lines = []
    for page in pages:
        for n in range(1, LINES_PER_PAGE + 1):
            if page[f"24A.{n}"]:
                modifiers = (page[f"24D.{n}.modifier{m}"] for m in range(1, 5))
                lines.append(
                    {
                        "date": page[f"24A.{n}"],
                        "to": page[f"24A.{n}.to"],
                        "pos": page[f"24B.{n}"],
                        "code": page[f"24D.{n}"],
                        "modifiers": " ".join(m for m in modifiers if m),
                        "pointers": page[f"24E.{n}"],
                        "charge": page[f"24F.{n}"],
                        "units": page[f"24G.{n}"],
                        "npi": page[f"24J.{n}"],
                        "taxonomy": page[f"24J.{n}.other"],
                    }
                )
    return lines


def _agree(claim: Claim) -> None:
    read = _read(write([claim]))
    pages = cms1500_pages(claim)
    page = pages[0]
    clm = read["clm"]
    # Box 26 / CLM01; box 28 (per page) / CLM02.
    assert page["26"] == clm["01"]
    assert sum(Decimal(p["28"]) for p in pages) == Decimal(clm["02"])
    # Box 1a / 2010BA NM109; box 11 / SBR03; box 11b / REF*Y4. With Medicare
    # primary (SBR09 MB), box 11 says NONE and 11b stays blank (Pub. 100-04,
    # Ch. 26, item 11).
    assert page["1a"] == read["names"]["IL"]
    if read["filing"] == "MB":
        assert (page["11"], page["11b"], page["4"], page["7"]) == ("NONE", "", "", "")
    else:
        assert page["11"] == read["group"]
        assert page["11b"] == read["refs"].get("Y4", "")
    # Boxes 25, 33a / 2010AA REF*EI or REF*SY, NM109; 17b / 2310A; 24J / 2310B.
    [(tax_qualifier, tax_id)] = [(q, read["refs"][q]) for q in ("EI", "SY") if q in read["refs"]]
    assert page["25"] == tax_id
    assert page["25.ein" if tax_qualifier == "EI" else "25.ssn"] == "X"
    assert page["33a"] == read["names"]["85"]
    assert page["17b"] == read["names"].get("DN", "")
    # Boxes 12, 13, 27, 31 / CLM09, CLM08, CLM07, CLM06.
    assert (page["12"] != "") == (clm["09"] == "Y")
    assert (page["13"] != "") == (clm["08"] == "Y")
    assert page["27"] == {"A": "YES", "C": "NO"}[clm["07"]]
    assert clm["07"] == ("A" if claim.accepts_assignment else "C")
    assert clm["08"] == ("Y" if claim.assignment_of_benefits else "N")
    assert (page["31"] != "") == (clm["06"] == "Y")
    # Box 10 / CLM11; box 14 / DTP*431; box 15 / DTP*439, 454 or 444, the
    # first of them in that order (NUCC 1500 instructions, items 14 and 15).
    assert (page["10a"], page["10b"], page["10c"]) == tuple(
        "YES" if code in clm["causes"] else "NO" for code in ("EM", "AA", "OA")
    )
    assert page["10b.state"] == clm["state"]
    onset = read["dates"].get("431")
    assert (page["14"], page["14.qualifier"]) == (
        ("", "") if onset is None else (_mmddyy(onset), "431")
    )
    others = [(q, _mmddyy(read["dates"][q])) for q in ("439", "454", "444") if q in read["dates"]]
    assert (page["15.qualifier"], page["15"]) == (others[0] if others else ("", ""))
    # Box 19 / PWK; box 21 / HI; box 22 / CLM05-3 and REF*F8; box 23 / REF*G1.
    assert page["19"] == "   ".join(read["pwk"])
    assert page["21.ICD"] == "0"
    assert [page[f"21.{letter}"] for letter in _LETTERS[: len(read["diagnoses"])]] == (
        read["diagnoses"]
    )
    assert page["22"] == ("" if clm["frequency"] == "1" else clm["frequency"])
    assert page["22.original"] == read["refs"].get("F8", "")
    assert page["23"] == read["refs"].get("G1", "")
    # Box 24, line by line / LX, SV1, DTP*472, 2310B.
    lines = _lines(pages)
    assert len(lines) == len(read["lines"]) == len(claim.lines)
    for got, sent in zip(lines, read["lines"], strict=True):
        assert got["date"] == got["to"] == sent["date"]
        assert got["pos"] == sent["pos"]
        assert got["code"] == sent["code"]
        assert got["modifiers"] == sent["modifiers"]
        assert got["pointers"] == sent["pointers"]
        assert Decimal(got["charge"]) == Decimal(sent["charge"])
        assert got["units"] == sent["units"]
        assert got["npi"] == read["names"].get("82", "")
        assert got["taxonomy"] == (read.get("rendering_taxonomy", "") if got["npi"] else "")


@given(sbst.claims(max_lines=13, submittable=True))
def test_the_837p_and_the_cms1500_agree(claim: Claim) -> None:
    _agree(claim)
