"""
The code lists a remittance and its acknowledgements are read with.

Each :class:`CodeList` is dated data: the codes soapbill explains, each with a
short explanation, the list's source and the day the entries were last
checked. A code that is not in a list still reads; its explanation says that
soapbill does not know it and where to look it up.

Sources and licence:

- Claim adjustment reason codes (CARC, X12 external code list 139), remittance
  advice remark codes (RARC, list 411), claim status category codes (507) and
  claim status codes (508) are maintained by X12 and published at
  https://x12.org/codes. X12 holds the copyright of the lists' descriptions,
  so soapbill ships no official description: every explanation here is
  soapbill's own short wording of what the code means, written to say what a
  practice should know. Read the official text at x12.org before you rely on
  a fine distinction. The code values of the RARC, 507 and 508 lists that the
  test fixtures use are also in pyx12's code lists (``pyx12/map/codes.xml``,
  BSD licence).
- The 999 codes (data elements 620, 621, 715, 716, 717 and 718, used in
  ``IK304``, ``IK403``, ``AK901``, ``AK905``-``AK909``, ``IK501`` and
  ``IK502``-``IK506``) and the 835 claim status (1029, ``CLP02``), adjustment
  group (1033, ``CAS01``) and provider adjustment reason (426, ``PLB03-1``)
  codes are code lists of the X12 standard itself; their values are those of
  the pyx12 maps of the 005010X231A1 and 005010X221A1 guides, their meanings
  as the X12 element dictionaries publish them, worded here in short.

Codes that X12 has deactivated are left out: a remittance for services after
their stop date should not carry them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Final

import attrs

__all__ = [
    "ACK_CODES",
    "ADJUSTMENT_GROUPS",
    "CARC",
    "CLAIM_STATUS",
    "ELEMENT_ERRORS",
    "GROUP_ERRORS",
    "PROVIDER_ADJUSTMENTS",
    "RARC",
    "SEGMENT_ERRORS",
    "STATUS_CATEGORIES",
    "STATUS_CODES",
    "TRANSACTION_ERRORS",
    "CodeList",
]

#: The day the entries below were last compared with their sources.
CHECKED: Final = date(2026, 12, 5)


@attrs.frozen
class CodeList:
    """
    A dated list of codes and their explanations.

    Attributes:
        name: What the list is, as a message names it.
        source: Where the codes are published.
        checked: The day the entries were last compared with the source.
        codes: Each code and its explanation.
    """

    name: str
    source: str
    checked: date
    codes: Mapping[str, str]

    def explain(self, code: str) -> str:
        """
        The explanation of *code*, or a fixed sentence saying it is unknown.
        """
        found = self.codes.get(code)
        if found is None:
            return f"a code soapbill's {self.name} list does not hold; look it up at {self.source}"
        return found

    def __contains__(self, code: object) -> bool:
        return code in self.codes


def _list(name: str, source: str, codes: dict[str, str]) -> CodeList:
    return CodeList(name=name, source=source, checked=CHECKED, codes=MappingProxyType(codes))


_X12_CODES: Final = "https://x12.org/codes"

#: Claim adjustment reason codes (CARC): why a charge was not paid in full.
CARC: Final = _list(
    "claim adjustment reason code",
    _X12_CODES,
    {
        "1": "the deductible",
        "2": "coinsurance",
        "3": "the copay",
        "4": "a modifier is wrong for the procedure code, or a required modifier is missing",
        "5": "the procedure code does not fit the place of service",
        "6": "the procedure does not fit the patient's age",
        "7": "the procedure does not fit the patient's sex",
        "8": "the procedure does not fit the provider's type or specialty (taxonomy)",
        "9": "the diagnosis does not fit the patient's age",
        "10": "the diagnosis does not fit the patient's sex",
        "11": "the diagnosis does not support the procedure",
        "12": "the diagnosis does not fit the provider's type",
        "13": "the date of death is before the date of service",
        "14": "the date of birth is after the date of service",
        "15": "the authorization number is missing, invalid, or not for these services",
        "16": "the claim lacks information or has a billing error (see the remark codes)",
        "18": "an exact duplicate of a claim or service already received",
        "19": "a work-related injury: bill the workers' compensation carrier",
        "20": "the injury is covered by a liability carrier",
        "21": "the injury is covered by a no-fault carrier",
        "22": "another payer may cover this first (coordination of benefits)",
        "23": "what a prior payer paid or adjusted",
        "24": "covered under a capitation or managed-care agreement",
        "26": "the services were before the coverage began",
        "27": "the services were after the coverage ended",
        "29": "the time limit for filing has passed",
        "31": "the payer cannot identify the patient as its member",
        "32": "the patient is not an eligible dependent",
        "33": "the insured has no dependent coverage",
        "35": "the lifetime benefit maximum has been reached",
        "39": "authorization was denied when it was requested",
        "40": "the charges do not meet the criteria for emergency or urgent care",
        "45": "the charge is above the fee schedule or contracted amount",
        "49": "a routine or preventive service the plan does not cover",
        "50": "not medically necessary in the payer's judgement",
        "53": "services by an immediate relative or household member are not covered",
        "54": "multiple providers or assistants are not covered here",
        "55": "the payer considers the treatment experimental or investigational",
        "56": "the payer does not consider the treatment proven effective",
        "58": "the place of service is not appropriate for the treatment",
        "59": "reduced under multiple or concurrent procedure rules",
        "94": "processed for more than the charge",
        "96": "a charge the plan does not cover",
        "97": "bundled: paid as part of another service already adjudicated",
        "100": "paid to the patient or insured, not to the provider",
        "107": "the related or qualifying claim or service is not on this claim",
        "109": "not covered by this payer: send the claim to the right payer",
        "110": "the billing date is before the date of service",
        "111": "not covered unless the provider accepts assignment",
        "112": "the service was not given to the patient directly, or is not documented",
        "115": "the procedure was postponed, canceled or delayed",
        "119": "the benefit maximum for the period or occurrence has been reached",
        "125": "a submission or billing error",
        "129": "the information about prior processing appears wrong",
        "130": "a claim submission fee",
        "131": "a discount negotiated for this claim",
        "133": "the line is pending further review",
        "140": "the patient's member id and name do not match",
        "146": "the diagnosis was not valid on the date of service",
        "149": "the lifetime maximum for this benefit category has been reached",
        "150": "the information does not support this level of service",
        "151": "the information does not support this many services or this frequency",
        "152": "the information does not support this length of service",
        "155": "the patient refused the service",
        "163": "the attachment the claim refers to was not received",
        "164": "the attachment the claim refers to was not received in time",
        "167": "the diagnosis is not covered",
        "170": "not paid when performed or billed by this type of provider",
        "171": "not paid when this type of provider performs it in this type of facility",
        "181": "the procedure code was not valid on the date of service",
        "182": "the modifier was not valid on the date of service",
        "183": "the referring provider may not refer this service",
        "184": "the prescribing or ordering provider may not order this service",
        "185": "the rendering provider may not perform this service",
        "187": "paid from a consumer spending account (FSA, HSA, HRA)",
        "189": "an unlisted code was billed where a specific code exists",
        "193": "the original decision stands: the claim was processed correctly",
        "197": "precertification, authorization or notification was missing",
        "198": "the authorized number of services was exceeded",
        "204": "not covered under the patient's current benefit plan",
        "206": "the NPI is missing",
        "207": "the NPI is not in a valid format",
        "208": "the NPI does not match the payer's records",
        "226": "the provider did not send the information the payer asked for, or late",
        "227": "the patient did not send the information the payer asked for",
        "234": "this procedure is not paid separately",
        "236": (
            "this procedure or modifier combination is not allowed with another "
            "on the same day (NCCI or a state fee schedule)"
        ),
        "237": "a penalty set by law or regulation",
        "242": "the provider is not in the payer's network",
        "243": "the services were not authorized by the network or primary care provider",
        "252": "an attachment or other documentation is needed to decide",
        "253": "sequestration: the mandatory reduction of federal payments",
        "272": "the coverage or program guidelines were not met",
        "273": "the coverage or program guidelines were exceeded",
        "275": "this plan does not cover the prior payer's patient responsibility",
        "276": "services the prior payer denied are not covered by this payer either",
        "A1": "the claim or service is denied",
        "B7": "the provider was not certified or eligible for this service on this date",
        "B12": "the services are not documented in the patient's medical record",
        "B13": "already paid: see a previous payment",
        "B15": "needs a qualifying service that was not received or not covered",
        "B16": "the new-patient criteria were not met",
        "B22": "adjusted because of the diagnosis",
    },
)

#: Remittance advice remark codes (RARC): more detail about an adjustment.
RARC: Final = _list(
    "remittance advice remark code",
    _X12_CODES,
    {
        "M15": "separately billed services were bundled as parts of one procedure",
        "M20": "the HCPCS code is missing, incomplete or invalid",
        "M51": "a procedure code is missing, incomplete or invalid",
        "M62": "the treatment authorization code is missing, incomplete or invalid",
        "M76": "a diagnosis is missing, incomplete or invalid",
        "M80": "not covered on the same day as a service already processed",
        "M86": "already paid for the same or a similar service within the time limit",
        "M127": "the patient's medical record for this service is missing",
        "MA01": "you may appeal this decision if you disagree",
        "MA04": "a secondary payment needs the primary payer's information",
        "MA07": "the claim was also forwarded to Medicaid",
        "MA18": "the claim was also forwarded to the patient's supplemental insurer",
        "MA63": "the principal diagnosis is missing, incomplete or invalid",
        "MA130": "the claim is unprocessable: correct it and send a new claim (no appeal)",
        "N4": "the prior payer's explanation of benefits is missing or invalid",
        "N10": "adjusted after a review or consultant's finding",
        "N19": "the procedure is incidental to the primary procedure",
        "N20": "not paid with another service given on the same day",
        "N30": "the patient is not eligible for this service",
        "N54": "the claim does not match the services authorized",
        "N56": "the procedure code is not valid for the service or date billed",
        "N95": "this provider type or specialty may not bill this service",
        "N115": "decided under a Local Coverage Determination (LCD)",
        "N122": "an add-on code cannot be billed alone",
        "N130": "see the plan's benefit documents for this service's limits",
        "N179": "the payer asked the member for information; it will reconsider then",
        "N211": "this decision cannot be appealed",
        "N290": "the rendering provider's identifier is missing or invalid",
        "N350": "the description of an unlisted service is missing or invalid",
        "N362": "the days or units exceed the payer's maximum",
        "N386": "decided under a National Coverage Determination (NCD)",
        "N431": "not covered with this procedure",
        "N522": "a duplicate of a claim processed (or to be processed) as a crossover",
        "N640": "more services than allowed in the period",
        "N657": "bill this with the code that fits these services",
    },
)

#: Claim adjustment group codes (835 CAS01): who bears an adjustment.
ADJUSTMENT_GROUPS: Final = _list(
    "claim adjustment group code",
    "the 835 guide 005010X221A1, CAS01",
    {
        "CO": "contractual obligation: the provider writes it off; the patient owes none of it",
        "PR": "patient responsibility: the patient owes it",
        "OA": "other adjustment: neither contractual nor the patient's",
        "PI": "payer-initiated reduction: the payer's decision, not billable to the patient",
        "CR": "correction or reversal of a prior claim (4010 files only)",
    },
)

#: Claim status codes of the 835 (CLP02).
CLAIM_STATUS: Final = _list(
    "claim status",
    "the 835 guide 005010X221A1, CLP02",
    {
        "1": "processed as primary",
        "2": "processed as secondary",
        "3": "processed as tertiary",
        "4": "denied",
        "19": "processed as primary and forwarded to another payer",
        "20": "processed as secondary and forwarded to another payer",
        "21": "processed as tertiary and forwarded to another payer",
        "22": "a reversal of a previous payment",
        "23": "not this payer's claim; forwarded to another payer",
        "25": "priced as a predetermination only; no payment",
    },
)

#: Provider adjustment reason codes of the 835 (PLB03-1).
PROVIDER_ADJUSTMENTS: Final = _list(
    "provider adjustment reason",
    "the 835 guide 005010X221A1, PLB03-1",
    {
        "50": "a late filing penalty",
        "51": "an interest penalty",
        "72": "a refund the provider sent back",
        "90": "an early payment allowance",
        "AH": "a transmission fee",
        "AM": "applied to the provider's loan account",
        "AP": "an accelerated payment or its recovery",
        "B2": "a rebate",
        "B3": "a recovery allowance",
        "BD": "a bad debt adjustment",
        "BN": "a bonus",
        "C5": "a temporary allowance",
        "CR": "capitation interest",
        "CS": "an adjustment (see the reference)",
        "CT": "a capitation payment",
        "CV": "a capital pass-through",
        "CW": "a nurse anesthetist pass-through",
        "DM": "a direct medical education pass-through",
        "E3": "a withholding",
        "FB": "a balance carried forward",
        "FC": "a fund allocation",
        "GO": "a graduate medical education pass-through",
        "HM": "a hemophilia clotting factor supplement",
        "IP": "an incentive premium payment",
        "IR": "an IRS withholding",
        "IS": "an interim settlement",
        "J1": "not reimbursable",
        "L3": "a penalty",
        "L6": "interest owed to the provider",
        "LE": "a levy",
        "LS": "a lump sum",
        "OA": "an organ acquisition pass-through",
        "OB": "an offset for affiliated providers",
        "PI": "a periodic interim payment",
        "PL": "a final payment",
        "RA": "a retroactive adjustment",
        "RE": "a return on equity",
        "SL": "a student loan repayment",
        "TL": "third-party liability",
        "WO": "the recovery of an overpayment",
        "WU": "an unspecified recovery",
    },
)

#: Health care claim status category codes (507), used in the 277CA STC01-1.
STATUS_CATEGORIES: Final = _list(
    "claim status category code",
    _X12_CODES,
    {
        "A0": "forwarded to another entity",
        "A1": "received, but not yet accepted for adjudication",
        "A2": "accepted into the adjudication system",
        "A3": "returned as unprocessable: rejected, not entered for adjudication",
        "A4": "not found in the adjudication system",
        "A5": "split into several claims on acceptance",
        "A6": "rejected for missing information",
        "A7": "rejected for invalid information",
        "A8": "rejected: related fields do not agree",
        "D0": "a data reporting acknowledgement",
        "E0": "no answer possible: the request had an error",
        "E1": "no answer possible: the payer's system is unavailable",
        "E2": "the payer is not responding; try again later",
        "E3": "a correction is needed: related fields do not agree",
        "E4": "a trading partner agreement requirement was not met: correct the data",
        "F0": "finalized",
        "F1": "finalized: paid",
        "F2": "finalized: denied",
        "F3": "finalized: revised",
        "F3F": "finalized: forwarded",
        "F3N": "finalized: not forwarded",
        "F4": "finalized: adjudicated, no payment will follow",
        "P0": "pending adjudication",
        "P1": "pending: in process",
        "P2": "pending: under the payer's review",
        "P3": "pending: waiting for information the provider was asked for",
        "P4": "pending: waiting for information the patient was asked for",
        "P5": "pending: the payer's administrative or system hold",
        "R0": "the payer asks for more information",
        "R1": "the payer asks for more information about an entity",
        "R3": "the payer asks for more information about the claim or a line",
        "R4": "the payer asks for documentation",
    },
)

#: Health care claim status codes (508), used in the 277CA STC01-2.
STATUS_CODES: Final = _list(
    "claim status code",
    _X12_CODES,
    {
        "0": "no further status can be given electronically",
        "1": "see the remittance advice for details",
        "2": "details follow in a letter",
        "3": "adjudicated; waiting for the payment cycle",
        "6": "the subscriber owes a balance",
        "12": "submitted procedure codes were combined",
        "15": "a submitted procedure code was changed",
        "16": "forwarded to another entity",
        "19": "the entity acknowledges receipt",
        "20": "accepted for processing",
        "21": "information is missing or invalid",
        "23": "returned to the entity",
        "24": "the entity is not approved as an electronic submitter",
        "25": "the entity is not approved",
        "26": "the entity was not found",
        "27": "the policy is canceled",
        "29": "the subscriber and the policy number do not match",
        "30": "the subscriber and the subscriber id do not match",
        "31": "the subscriber and the policyholder name do not match",
        "32": "the subscriber and the policy number were not found",
        "33": "the subscriber and the subscriber id were not found",
        "35": "the claim was not found",
        "116": "the claim was sent to the wrong payer",
        "164": "the entity's contract or member number",
        "187": "the dates of service",
        "454": "the procedure code of the services",
        "562": "the entity's National Provider Identifier (NPI)",
    },
)

#: 999 acknowledgement codes (IK501, AK901): what became of a transaction set or group.
ACK_CODES: Final = _list(
    "acknowledgement code",
    "the 999 guide 005010X231A1, IK501 and AK901",
    {
        "A": "accepted",
        "E": "accepted, with errors noted",
        "P": "partially accepted: at least one transaction set was rejected",
        "R": "rejected",
        "M": "rejected: the message authentication code failed",
        "W": "rejected: failed the assurance checks",
        "X": "rejected: could not be read after decryption",
    },
)

#: 999 segment syntax error codes (IK304).
SEGMENT_ERRORS: Final = _list(
    "segment syntax error code",
    "the 999 guide 005010X231A1, IK304",
    {
        "1": "the segment id is not recognised",
        "2": "the segment is not expected here",
        "3": "a required segment is missing",
        "4": "a loop occurs more often than allowed",
        "5": "the segment occurs more often than allowed",
        "6": "the segment is not in this transaction set",
        "7": "the segment is out of order",
        "8": "the segment has data element errors",
        "I4": "a segment the guide marks not used is present",
        "I6": "a segment the guide requires in this situation is missing",
        "I7": "a loop occurs fewer times than the guide requires",
        "I8": "a segment occurs fewer times than the guide requires",
        "I9": "a segment the guide marks not used in this situation is present",
    },
)

#: 999 element syntax error codes (IK403).
ELEMENT_ERRORS: Final = _list(
    "element syntax error code",
    "the 999 guide 005010X231A1, IK403",
    {
        "1": "a required element is missing",
        "2": "a conditionally required element is missing",
        "3": "too many elements",
        "4": "the element is too short",
        "5": "the element is too long",
        "6": "the element has an invalid character",
        "7": "the code value is not valid",
        "8": "the date is not valid",
        "9": "the time is not valid",
        "10": "an exclusion condition is violated",
        "12": "too many repetitions",
        "13": "too many components",
        "I6": "the code value is not used by the guide",
        "I9": "an element the guide requires in this situation is missing",
        "I10": "an element the guide marks not used is present",
        "I11": "too few repetitions for the guide",
        "I12": "the value does not match the guide's pattern",
        "I13": "an element the guide marks not used in this situation is present",
    },
)

#: 999 transaction set syntax error codes (IK502-IK506).
TRANSACTION_ERRORS: Final = _list(
    "transaction set syntax error code",
    "the 999 guide 005010X231A1, IK502",
    {
        "1": "the transaction set is not supported",
        "2": "the transaction set trailer is missing",
        "3": "the control numbers of the header and the trailer differ",
        "4": "the segment count does not match",
        "5": "one or more segments have errors",
        "6": "the transaction set identifier is missing or invalid",
        "7": "the transaction set control number is missing or invalid",
        "8": "the authentication key name is unknown",
        "9": "the encryption key name is unknown",
        "10": "the requested security service is not available",
        "11": "the security recipient is unknown",
        "12": "the message length is incorrect (encryption only)",
        "13": "the message authentication code failed",
        "15": "the security originator is unknown",
        "16": "the decrypted text has a syntax error",
        "17": "security is not supported",
        "18": "the transaction set is not in a functional group",
        "19": "the implementation convention reference is invalid",
        "23": "the control number is not unique within the group",
        "24": "a security end segment S3E is missing",
        "25": "a security start segment S3S is missing",
        "26": "a security end segment S4E is missing",
        "27": "a security start segment S4S is missing",
        "I5": "one or more segments break the guide",
        "I6": "the implementation convention is not supported",
    },
)

#: 999 functional group syntax error codes (AK905-AK909).
GROUP_ERRORS: Final = _list(
    "functional group syntax error code",
    "the 999 guide 005010X231A1, AK905",
    {
        "1": "the functional group is not supported",
        "2": "the functional group version is not supported",
        "3": "the functional group trailer is missing",
        "4": "the group control numbers of the header and the trailer differ",
        "5": "the transaction set count does not match",
        "6": "the group control number breaks the syntax",
        "10": "the authentication key name is unknown",
        "11": "the encryption key name is unknown",
        "12": "the requested security service is not available",
        "13": "the security recipient is unknown",
        "14": "the security originator is unknown",
        "15": "the decrypted text has a syntax error",
        "16": "security is not supported",
        "17": "the message length is incorrect (encryption only)",
        "18": "the message authentication code failed",
        "19": "the group control number is not unique within the interchange",
        "23": "a security end segment S3E is missing",
        "24": "a security start segment S3S is missing",
        "25": "a security end segment S4E is missing",
        "26": "a security start segment S4S is missing",
    },
)
