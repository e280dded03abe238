"""
Writing, validating and reading back 837P files in the tests.

pyx12 is the judge of a file's structure: :func:`assert_valid_837p` fails a
test with pyx12's own messages. :func:`read_back` reads a file's HL levels and
claims back so that tests can check what pyx12 does not.
"""

from __future__ import annotations

import functools
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from unittest import mock

import attrs
import pytest
import pyx12.codes
import pyx12.map_if
import pyx12.params
import pyx12.x12n_document
from hypothesis import strategies as st
from pyx12.x12file import X12Reader

from soapbill import Claim
from soapbill import strategies as sbst
from soapbill.formats.x12 import Receiver, Submitter, write_837p

__all__ = [
    "CREATED",
    "RECEIVER",
    "SUBMITTER",
    "Level",
    "assert_valid_837p",
    "batches",
    "pyx12_knows_places",
    "read_back",
    "segments",
    "unique_ids",
    "value",
    "write",
]

SUBMITTER = Submitter(
    name="Soapbill Massage Clinic", id="SUBMITTERID", contact_name="Jane Doe", phone="5555551234"
)
RECEIVER = Receiver(name="Example Payer", id="RECEIVERID")
CREATED = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)


def write(claims: list[Claim], **kwargs: Any) -> str:
    options: dict[str, Any] = {
        "submitter": SUBMITTER,
        "receiver": RECEIVER,
        "control_number": 1,
        "created": CREATED,
    }
    options.update(kwargs)
    return write_837p(claims, **options)


# --- pyx12 as the judge ---------------------------------------------------------------

_PARAMS = pyx12.params.params()
# Loading the 837P map takes most of a second; the loaded maps keep no state
# between documents (pyx12 counts loops in its walker), so load each once.
_load_map = functools.cache(pyx12.map_if.load_map_file)


def _pyx12_messages(errors_json: str) -> list[str]:
    messages: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "err_str" in node:
                messages.append(f"{node.get('err_cde')}: {node['err_str']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(errors_json) if errors_json else {})
    return messages


def assert_valid_837p(text: str) -> None:
    """
    Fail with pyx12's messages unless pyx12 accepts *text* as a valid 837P.

    pyx12's validator returns ``False`` on any error; its 999 must accept the
    group (``AK9*A``); an exception from it propagates and fails the test.
    """
    ack, errors = io.StringIO(), io.StringIO()
    with mock.patch.object(pyx12.map_if, "load_map_file", _load_map):
        ok = pyx12.x12n_document.x12n_document(_PARAMS, io.StringIO(text), ack, None, None, errors)
    messages = _pyx12_messages(errors.getvalue())
    if not ok or messages or "AK9*A*" not in ack.getvalue():
        pytest.fail("pyx12 rejects the 837P:\n" + "\n".join(messages) + "\n" + ack.getvalue())


def segments(text: str) -> list[Any]:
    """
    The file's segments as pyx12 reads them (it learns the separators from ISA).
    """
    with X12Reader(io.StringIO(text)) as reader:
        return list(reader)


def value(segment: Any, ref: str) -> str:
    found = segment.get_value(ref)
    return "" if found is None else str(found)


# --- claims the 837P accepts --------------------------------------------------------

# pyx12 checks places of service against its copy of the CMS code set; the
# models accept any two-digit code (CMS adds codes), and so does the writer.
_KNOWN_POS = frozenset(pyx12.codes.ExternalCodes().codes["pos"]["codes"])


def pyx12_knows_places(claim: Claim) -> bool:
    """
    Whether pyx12's copy of the CMS code set holds every place of service of *claim*.
    """
    places = {claim.place_of_service, *(line.place_of_service for line in claim.lines)}
    return all(place is None or place.value in _KNOWN_POS for place in places)


@st.composite
def batches(draw: st.DrawFn, *, max_claims: int = 4, max_lines: int = 3) -> list[Claim]:
    """
    One to *max_claims* submittable claims that share billing providers, patients and coverages.

    The parties come from submittable claims drawn first, and the claims are
    drawn with them, so several claims share a billing provider, a subscriber
    or a patient. The first claims take the parties in turn, so that a batch
    of several claims soon has several billing providers, subscribers and
    patients.
    """
    sources = draw(st.lists(sbst.claims(submittable=True, max_lines=1), min_size=1, max_size=3))
    billers = [claim.billing_provider for claim in sources[:2]]
    people = [claim.patient for claim in sources]
    policies = [claim.coverage for claim in sources[:2]]
    count = draw(st.integers(1, max_claims))

    def pick(parties: list[Any], i: int) -> Any:
        return parties[i] if i < len(parties) else draw(st.sampled_from(parties))

    # Indices of (billing provider, patient, coverage) for the first claims:
    # claim 1 has another billing provider, claim 2 another coverage under
    # the first billing provider, claim 3 another patient on the first
    # coverage. Indices past the drawn parties and later claims draw.
    turns = [(0, 0, 0), (1, 1, 1), (0, 2, 1), (0, 1, 0)]
    claims = []
    for i in range(count):
        b, p, c = turns[i] if i < len(turns) else (len(billers), len(people), len(policies))
        claims.append(
            draw(
                sbst.claims(
                    billing_provider=pick(billers, b),
                    patient=pick(people, p),
                    coverage=pick(policies, c),
                    max_lines=max_lines,
                    submittable=True,
                )
            )
        )
    return claims


@attrs.define
class Level:
    """
    One HL level as read back: its segments and the claims under it.
    """

    id: str
    parent: str
    code: str
    segments: list[Any] = attrs.Factory(list)
    claims: list[dict[str, Any]] = attrs.Factory(list)

    def find(self, sid: str, ref: str, qualifier: str = "") -> str:
        for seg in self.segments:
            if seg.get_seg_id() == sid and (not qualifier or value(seg, sid + "01") == qualifier):
                return value(seg, ref)
        return ""

    def key(self) -> tuple[str, ...]:
        return tuple(seg.format() for seg in self.segments)


def read_back(text: str) -> dict[str, Level]:
    """
    The HL levels of *text*, each with its own segments and its 2300/2400 loops.
    """
    levels: dict[str, Level] = {}
    level: Level | None = None
    claim: dict[str, Any] | None = None
    line: dict[str, Any] | None = None
    for seg in segments(text):
        sid = seg.get_seg_id()
        if sid == "HL":
            level = Level(value(seg, "HL01"), value(seg, "HL02"), value(seg, "HL03"))
            levels[level.id] = level
            claim = line = None
        elif sid in ("SE", "GE", "IEA"):
            level = None
        elif level is None:
            continue
        elif sid == "CLM":
            claim = {
                "id": value(seg, "CLM01"),
                "total": Decimal(value(seg, "CLM02")),
                "pos": value(seg, "CLM05-01"),
                "qualifier": value(seg, "CLM05-02"),
                "frequency": value(seg, "CLM05-03"),
                "flags": tuple(value(seg, f"CLM{n:02d}") for n in (6, 7, 8, 9)),
                "causes": [value(seg, f"CLM11-{n:02d}") for n in (1, 2, 3)],
                "accident_state": value(seg, "CLM11-04"),
                "refs": {},
                "pwk": [],
                "lines": [],
                "diagnoses": [],
                "providers": {},
                "dates": {},
            }
            level.claims.append(claim)
            line = None
        elif claim is None:
            level.segments.append(seg)
        elif sid == "LX":
            line = {"number": int(value(seg, "LX01"))}
            claim["lines"].append(line)
        elif line is not None:
            _read_line(seg, line)
        else:
            _read_claim(seg, claim)
    return levels


def _read_claim(seg: Any, claim: dict[str, Any]) -> None:
    sid = seg.get_seg_id()
    if sid == "REF":
        claim["refs"][value(seg, "REF01")] = value(seg, "REF02")
    elif sid == "PWK":
        claim["pwk"].append(tuple(value(seg, f"PWK{n:02d}") for n in (1, 2, 5, 6)))
    elif sid == "HI":
        for n in range(1, 13):
            if value(seg, f"HI{n:02d}-01"):
                claim["diagnoses"].append(
                    (value(seg, f"HI{n:02d}-01"), value(seg, f"HI{n:02d}-02"))
                )
    elif sid == "NM1":
        claim["providers"][value(seg, "NM101")] = value(seg, "NM109")
    elif sid == "PRV":
        claim["providers"]["taxonomy"] = value(seg, "PRV03")
    elif sid == "DTP":
        claim["dates"][value(seg, "DTP01")] = value(seg, "DTP03")


def _read_line(seg: Any, line: dict[str, Any]) -> None:
    sid = seg.get_seg_id()
    if sid == "SV1":
        line.update(
            qualifier=value(seg, "SV101-01"),
            code=value(seg, "SV101-02"),
            modifiers=[
                value(seg, f"SV101-{n:02d}") for n in range(3, 7) if value(seg, f"SV101-{n:02d}")
            ],
            charge=Decimal(value(seg, "SV102")),
            basis=value(seg, "SV103"),
            units=int(value(seg, "SV104")),
            pos=value(seg, "SV105"),
            pointers=[
                int(value(seg, f"SV107-{n:02d}"))
                for n in range(1, 5)
                if value(seg, f"SV107-{n:02d}")
            ],
        )
    elif sid == "DTP":
        line["date"] = (value(seg, "DTP01"), value(seg, "DTP02"), value(seg, "DTP03"))


def unique_ids(claims: list[Claim]) -> list[Claim]:
    return [attrs.evolve(c, id=f"{i}-{c.id}"[:38]) for i, c in enumerate(claims)]
