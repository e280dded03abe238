"""
271 responses of realistic shapes, written by hand for the seed story's payer.

Each fixture is the body of one or more 271 transaction sets (the segments
between ``ST`` and ``SE``, without terminators); :func:`interchange` wraps
them with counted envelopes and a line break after every terminator, as many
payers send them. The tests hand every fixture to x12sdk before the reader
sees it. Every person, number and id is made up.

- :data:`ACTIVE`: active coverage; physical therapy limited to 20 visits a
  calendar year, 12 used, authorisation required; copays and co-insurance in
  and out of network; a deductible with what remains; a prescription
  required by message; a utilization management company as a related entity.
- :data:`INACTIVE`: the coverage ended.
- :data:`REJECTED_MEMBERS`: two subscribers the payer rejects: an unknown
  member (``AAA03`` 75) and an invalid birth date (58).
- :data:`DEPENDENT`: the patient is the subscriber's child.
- :data:`MASSAGE_NOT_COVERED`: several benefits per service type; massage
  therapy and 97124 not covered, physical medicine covered, with messages.
- :data:`SOURCE_REJECTED`: the payer cannot answer now (loop 2000A).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

__all__ = [
    "ACTIVE",
    "DEPENDENT",
    "INACTIVE",
    "MASSAGE_NOT_COVERED",
    "REJECTED_MEMBERS",
    "SOURCE_REJECTED",
    "interchange",
]

_HEAD: Final = [
    "BHT*0022*11*ELIG0001*20260302*0930",
    "HL*1**20*1",
    "NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*EXHP1",
    "HL*2*1*21*1",
    "NM1*1P*2*CEDAR MASSAGE THERAPY*****XX*1234567893",
]

ACTIVE: Final = [
    *_HEAD,
    "HL*3*2*22*0",
    "TRN*2*elig-0001*9234567893",
    "TRN*1*EXHP20260302001*9EXHP00001",
    "NM1*IL*1*PARK*JORDAN****MI*XHP123456789",
    "REF*6P*GRP4400",
    "DMG*D8*19850412*F",
    "DTP*346*D8*20260101",
    "DTP*347*D8*20261231",
    "EB*1*IND*30*PR*EXAMPLE PPO GOLD",
    "EB*1*IND*AE^PT^BE",
    "MSG*PRESCRIPTION FROM AN MD, DO OR NP REQUIRED FOR MASSAGE THERAPY",
    "EB*B*IND*AE^PT^BE***27*25*****Y",
    "EB*B*IND*AE^PT^BE***27*50*****N",
    "EB*A*IND*AE^PT^BE*****.2****Y",
    "EB*A*IND*AE^PT^BE*****.4****N",
    "EB*C*IND*30***23*500*****Y",
    "EB*C*IND*30***29*150*****Y",
    "EB*C*FAM*30***23*1000*****Y",
    "EB*C*IND*30***23*1500*****N",
    "EB*F*IND*PT***23***VS*20*Y",
    "MSG*VISIT LIMIT SHARED BY PHYSICAL THERAPY AND MASSAGE",
    "LS*2120",
    "NM1*X3*2*EXAMPLE UTILIZATION MANAGEMENT*****PI*UM001",
    "PER*IC**TE*8005550100",
    "LE*2120",
    "EB*F*IND*PT***24***VS*12",
]

INACTIVE: Final = [
    *_HEAD,
    "HL*3*2*22*0",
    "TRN*2*elig-0003*9234567893",
    "NM1*IL*1*PARK*JORDAN****MI*XHP123456789",
    "DMG*D8*19850412*F",
    "DTP*356*D8*20250101",
    "DTP*357*D8*20251231",
    "EB*6*IND*30",
    "MSG*COVERAGE TERMINATED",
]

REJECTED_MEMBERS: Final = [
    *_HEAD,
    "HL*3*2*22*0",
    "TRN*2*elig-0004*9234567893",
    "NM1*IL*1*PARK*JORDAN****MI*XHP000000000",
    "AAA*Y**75*C",
    "DMG*D8*19850412*F",
    "HL*4*2*22*0",
    "TRN*2*elig-0005*9234567893",
    "NM1*IL*1*PARK*JORDAN****MI*XHP123456789",
    "AAA*Y**58*C",
    "DMG*D8*19580412*F",
]

DEPENDENT: Final = [
    *_HEAD,
    "HL*3*2*22*1",
    "NM1*IL*1*PARK*ALEX****MI*XHP123456789",
    "REF*6P*GRP4400",
    "HL*4*3*23*0",
    "TRN*2*elig-0006*9234567893",
    "NM1*03*1*PARK*RILEY",
    "DMG*D8*20150607*M",
    "DTP*346*D8*20260101",
    "EB*1*DEP*30**EXAMPLE PPO GOLD",
    "EB*B*DEP*BE***27*20*****Y",
    "MSG*NO REFERRAL REQUIRED",
    "EB*F*DEP*BE***23***VS*12",
]

MASSAGE_NOT_COVERED: Final = [
    *_HEAD,
    "HL*3*2*22*0",
    "TRN*2*elig-0007*9234567893",
    "NM1*IL*1*PARK*JORDAN****MI*XHP123456789",
    "DMG*D8*19850412*F",
    "EB*1*IND*30*HM*EXAMPLE HMO SILVER",
    "EB*I*IND*BE",
    "MSG*MASSAGE THERAPY IS NOT A COVERED BENEFIT",
    "EB*I*IND***********HC:97124",
    "EB*1*IND*AE^PT",
    "MSG*REFERRAL FROM PRIMARY CARE PHYSICIAN REQUIRED",
    "EB*B*IND*AE***27*30",
    "EB*B*IND*PT***27*40",
    "EB*F*IND*AE***23***VS*30",
    "EB*F*IND*AE***29***VS*30",
    "EB*1*IND***********HC:97140",
]

SOURCE_REJECTED: Final = [
    "BHT*0022*11*ELIG0009*20260302*0930",
    "HL*1**20*1",
    "AAA*Y**42*R",
    "NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*EXHP1",
]


def interchange(*bodies: Sequence[str], control: int = 1) -> str:
    """
    One interchange of one 271 functional group with one transaction set per body.

    Segment counts and control numbers are computed; each terminator is
    followed by a line break.
    """
    sets = []
    for n, body in enumerate(bodies, start=1):
        number = f"{n:04d}"
        sets += [f"ST*271*{number}*005010X279A1", *body, f"SE*{len(body) + 2}*{number}"]
    segments = [
        (
            "ISA*00*          *00*          *ZZ*EXHP1          *ZZ*CEDAR01        *260302*0930*^"
            f"*00501*{control:09d}*0*P*:"
        ),
        f"GS*HB*EXHP1*CEDAR01*20260302*0930*{control}*X*005010X279A1",
        *sets,
        f"GE*{len(bodies)}*{control}",
        f"IEA*1*{control:09d}",
    ]
    return "~\n".join(segments) + "~\n"
