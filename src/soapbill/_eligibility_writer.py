"""
Write 271 eligibility responses from soapbill's models: a test aid.

An app that reads what payers answer can make the 271 a payer would send and
check its own handling against it: :func:`write_271` writes
:class:`~soapbill.eligibility.EligibilityResponse` s as one 271
(``005010X279A1``) that :func:`~soapbill.eligibility.read_271` reads back
equal. What the models do not hold is written as fixed synthetic data: the
provider's name, the trace's originating company. soapbill's tests check every
file written with the x12sdk models of the guide.

Each response becomes its own information source level (loop 2000A), with an
information receiver level (2000B) when it names the provider's NPI, a
subscriber level (2000C) when it has a subscriber, and a dependent level
(2000D) when it has a dependent. A rejection goes where its
:attr:`~soapbill.eligibility.Rejection.loop` says; those of a benefit loop
(2110C, 2110D) go after the first benefit, so a response holding such a
rejection needs a benefit, and its rejections come in the order the levels
do (source, receiver, subscriber, dependent; a level's name loop before its
benefits), as the reader gives them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Final, Literal

import attrs

from soapbill.eligibility import Benefit, EligibilityResponse, Member, Rejection
from soapbill.errors import ValidationError
from soapbill.formats import _x12
from soapbill.parties import Sex

__all__ = ["TRANSACTION_271", "Envelope", "write_271"]

#: The 271 as the shared envelope writer names it.
TRANSACTION_271: Final = _x12.Transaction(
    name="271", functional_id="HB", code="271", version="005010X279A1"
)
_SEXES: Final = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.UNKNOWN: "U"}
_HUNDRED: Final = Decimal(100)
#: TRN03 of the payer's trace: ``9`` and a user-assigned number (10 characters).
_ORIGINATOR: Final = "9000000001"
#: The rank of each loop in the order the reader gives rejections.
_LOOP_RANK: Final = {
    "2000A": 0,
    "2100A": 1,
    "2100B": 2,
    "2100C": 3,
    "2110C": 4,
    "2100D": 5,
    "2110D": 6,
}


def _check(response: EligibilityResponse, path: str) -> None:
    ranks = [_LOOP_RANK.get(r.loop) for r in response.rejections]
    if None in ranks or ranks != sorted(ranks):  # type: ignore[type-var]
        raise ValidationError.single(
            f"{path}.rejections", "order", "rejections come in the order of their loops"
        )
    misplaced = _misplaced(response)
    if misplaced is not None:
        raise ValidationError.single(f"{path}.rejections", "loop", misplaced)
    if response.payer is None:
        raise ValidationError.single(f"{path}.payer", "required", "a 271 names its payer")
    if response.subscriber is not None and response.provider_npi is None:
        raise ValidationError.single(
            f"{path}.provider_npi", "required", "a subscriber is answered to a provider"
        )


def _misplaced(response: EligibilityResponse) -> str | None:
    """
    Why a rejection of *response* cannot stand in its loop, or ``None``.

    Each loop needs its level, and a benefit loop a benefit of the patient.
    """
    loops = {r.loop for r in response.rejections}
    patient_loop = "2110C" if response.dependent is None else "2110D"
    wrong = {"2110C", "2110D"} - {patient_loop}
    if loops & wrong or (patient_loop in loops and not response.benefits):
        return "a benefit's rejection needs a benefit of the patient"
    member_loops = {"2100C", "2110C", "2100D", "2110D"}
    if response.subscriber is None and loops & member_loops:
        return "a member's rejection needs a subscriber"
    if response.dependent is None and loops & {"2100D", "2110D"}:
        return "a dependent's rejection needs a dependent"
    if response.provider_npi is None and (loops & ({"2100B"} | member_loops)):
        return "a provider's rejection needs its NPI"
    return None


class _Writer(_x12.SegmentWriter):
    __slots__ = ("hl", "out")

    def __init__(self, separators: _x12.X12Separators) -> None:
        super().__init__(separators)
        self.out: list[str] = []
        self.hl = 0

    def segment(self, *elements: str) -> str:
        """
        One segment, terminated; trailing empty elements are not written.
        """
        e = self.e
        return e.join(elements).rstrip(e) + self.t

    def level(self, parent: int | None, code: str, *, children: bool) -> int:
        self.hl += 1
        self.out.append(
            self.segment(
                "HL",
                str(self.hl),
                "" if parent is None else str(parent),
                code,
                "1" if children else "0",
            )
        )
        return self.hl

    def rejections(self, rejections: Sequence[Rejection], loop: str) -> None:
        self.out += [
            self.segment("AAA", "Y" if r.valid else "N", "", r.reason, r.follow_up.value)
            for r in rejections
            if r.loop == loop
        ]

    def member(
        self, code: str, member: Member, response: EligibilityResponse, *, patient: bool
    ) -> None:
        """
        A member's name loop (2100C or 2100D); the patient's carries the response's numbers.
        """
        out = self.out
        if patient and response.trace_number is not None:
            out.append(self.segment("TRN", "2", response.trace_number, _ORIGINATOR))
        out.append(self.name(code, member))
        if patient:
            out += self.numbers(response)
        self.rejections(response.rejections, "2100C" if code == "IL" else "2100D")
        if member.birth_date is not None or member.sex is not None:
            out.append(self.demographics(member))
        if patient:
            out += self.coverage_dates(response)

    def name(self, code: str, member: Member) -> str:
        member_id = member.member_id
        return self.segment(
            "NM1", code, "1", member.family_name or "", member.given_name or "", "", "", "",
            "" if member_id is None else "MI", member_id or "",
        )  # fmt: skip

    def numbers(self, response: EligibilityResponse) -> list[str]:
        numbers = (("6P", response.group_number), ("18", response.plan_number))
        return [self.segment("REF", kind, n) for kind, n in numbers if n is not None]

    def coverage_dates(self, response: EligibilityResponse) -> list[str]:
        dates = (("346", response.coverage_start), ("347", response.coverage_end))
        return [self.segment("DTP", kind, "D8", _x12.d8(d)) for kind, d in dates if d is not None]

    def demographics(self, member: Member) -> str:
        birth, sex = member.birth_date, member.sex
        return self.segment(
            "DMG",
            "" if birth is None else "D8",
            "" if birth is None else _x12.d8(birth),
            "" if sex is None else _SEXES[sex],
        )

    def benefit(self, benefit: Benefit, rejections: Sequence[Rejection], loop: str) -> None:
        separators = self.separators
        out, segment = self.out, self.segment
        percent = benefit.percent
        procedure = benefit.procedure
        out.append(
            segment(
                "EB",
                benefit.code.value,
                _value(benefit.coverage_level),
                separators.repetition.join(s.value for s in benefit.service_types),
                _value(benefit.insurance_type),
                benefit.plan or "",
                _value(benefit.time_period),
                "" if benefit.amount is None else _x12.amount(benefit.amount),
                "" if percent is None else _x12.amount(percent / _HUNDRED),
                _value(benefit.quantity_qualifier),
                "" if benefit.quantity is None else _x12.amount(benefit.quantity),
                _value(benefit.authorization),
                _value(benefit.in_network),
                "" if procedure is None else f"HC{separators.component}{procedure.value}",
            )
        )
        start, end = benefit.start, benefit.end
        if start is not None and end is not None:
            out.append(segment("DTP", "292", "RD8", f"{_x12.d8(start)}-{_x12.d8(end)}"))
        elif start is not None:
            out.append(segment("DTP", "348", "D8", _x12.d8(start)))
        elif end is not None:
            out.append(segment("DTP", "349", "D8", _x12.d8(end)))
        self.rejections(rejections, loop)
        out += [segment("MSG", message) for message in benefit.messages]

    def response(self, response: EligibilityResponse) -> None:
        out, segment = self.out, self.segment
        payer, npi = response.payer, response.provider_npi
        rejections = response.rejections
        # The guide fixes HL04 of the information source at 1, with or without a receiver.
        source = self.level(None, "20", children=True)
        self.rejections(rejections, "2000A")
        if payer is None:
            raise AssertionError  # pragma: no cover - _check refuses a response without one
        out.append(segment("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.id))
        self.rejections(rejections, "2100A")
        if npi is None:
            return
        receiver = self.level(source, "21", children=response.subscriber is not None)
        out.append(segment("NM1", "1P", "2", "PROVIDER", "", "", "", "", "XX", npi.value))
        self.rejections(rejections, "2100B")
        subscriber, dependent = response.subscriber, response.dependent
        if subscriber is None:
            return
        parent = self.level(receiver, "22", children=dependent is not None)
        self.member("IL", subscriber, response, patient=dependent is None)
        loop = "2110C"
        if dependent is not None:
            self.level(parent, "23", children=False)
            self.member("03", dependent, response, patient=True)
            loop = "2110D"
        for i, benefit in enumerate(response.benefits):
            self.benefit(benefit, rejections if i == 0 else (), loop)


def _member_texts(path: str, member: Member | None) -> list[_x12.Text]:
    if member is None:
        return []
    return [
        (f"{path}.family_name", member.family_name, 0),
        (f"{path}.given_name", member.given_name, 0),
        (f"{path}.member_id", member.member_id, 2),
    ]


def _texts(response: EligibilityResponse) -> list[_x12.Text]:
    """
    The free text of *response* that the 271 writes, with its path and minimum length.
    """
    payer = response.payer
    texts: list[_x12.Text] = [
        ("trace_number", response.trace_number, 1),
        ("group_number", response.group_number, 1),
        ("plan_number", response.plan_number, 1),
        *_member_texts("subscriber", response.subscriber),
        *_member_texts("dependent", response.dependent),
    ]
    if payer is not None:
        texts += [("payer.name", payer.name, 1), ("payer.id", payer.id, 2)]
    for i, benefit in enumerate(response.benefits):
        texts.append((f"benefits[{i}].plan", benefit.plan, 1))
        texts += [
            (f"benefits[{i}].messages[{j}]", message, 1)
            for j, message in enumerate(benefit.messages)
        ]
    return texts


def _value(code: object) -> str:
    return "" if code is None else str(code)


#: The payer that answers in a written 271, unless told otherwise.
_PAYER: Final = _x12.Submitter(
    name="EXAMPLE PAYER", id="PAYER01", contact_name="EDI", phone="2065550100"
)
#: The practice it answers.
_CLINIC: Final = _x12.Receiver(name="EXAMPLE CLINIC", id="CLINIC01")


@attrs.frozen(kw_only=True)
class Envelope:
    """
    The interchange a 271 is written in: by default, a test payer's answer to a test clinic.

    Attributes:
        submitter: The payer's side of the interchange (ISA06).
        receiver: The practice's side (ISA08).
        control_number: ISA13 and GS06.
        created: When the file was made (ISA09/10, GS04/05, BHT04/05).
        usage: ``"T"`` or ``"P"``.
        separators: The delimiters.
    """

    submitter: _x12.Submitter = _PAYER
    receiver: _x12.Receiver = _CLINIC
    control_number: int = 1
    created: datetime = datetime(2026, 3, 2, 9, 30)  # noqa: DTZ001 - written as given
    usage: Literal["T", "P"] = "T"
    separators: _x12.X12Separators = _x12.DEFAULT_SEPARATORS


def write_271(responses: Sequence[EligibilityResponse], envelope: Envelope | None = None) -> str:
    """
    Write *responses* as one 271 transaction set in one interchange.

    The transaction set's control number is ``0001``: the responses read back
    with that :attr:`~soapbill.eligibility.EligibilityResponse.control_number`.
    Text values must not hold a separator (a test aid refuses, never escapes).

    Args:
        responses: One or more responses, each with a payer.
        envelope: The interchange (default: :class:`Envelope` as it comes).

    Raises:
        ValidationError: An argument is invalid, or a response cannot be
            written (see the module's docstring).
    """
    env = Envelope() if envelope is None else envelope
    separators = env.separators
    _x12.check_envelope(
        env.submitter,
        env.receiver,
        env.control_number,
        env.created,
        env.usage,
        separators,
        TRANSACTION_271,
    )
    if not isinstance(responses, (list, tuple)) or not responses:
        raise ValidationError.single("responses", "invalid_type", "expected responses")
    writer = _Writer(separators)
    writer.out.append(
        writer.segment(
            "BHT",
            "0022",
            "11",
            f"{env.control_number:09d}",
            _x12.d8(env.created),
            _x12.hhmm(env.created),
        )
    )
    for i, response in enumerate(responses):
        if not isinstance(response, EligibilityResponse):
            raise ValidationError.single(f"responses[{i}]", "invalid_type", "expected a response")
        _check(response, f"responses[{i}]")
        response, problems = _x12.checked(  # noqa: PLW2901 - the same response, trimmed
            response, _texts(response), separators, TRANSACTION_271
        )
        if problems:
            raise ValidationError(p.prefixed(f"responses[{i}]") for p in problems)
        writer.response(response)
    return writer.interchange(
        "".join(writer.out),
        transaction=TRANSACTION_271,
        submitter=env.submitter,
        receiver=env.receiver,
        control_number=env.control_number,
        created=env.created,
        usage=env.usage,
    )
