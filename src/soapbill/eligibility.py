"""
Ask the payer first: eligibility and benefits (X12 270/271), and what to ask by phone.

Before a first visit, a practice asks the patient's insurer whether it will
pay for massage or physical medicine, and on what terms: is the coverage
active, what are the copay, the co-insurance and the deductible, how many
visits a year are paid and how many are used, is prior authorisation or a
prescription needed? This module asks and reads the answer:

- :class:`EligibilityInquiry` is one question: a patient, their coverage, the
  provider asking, the service types asked about and the date of service (or
  a period). :func:`write_270` writes inquiries as an X12 ``005010X279A1`` 270.
- :func:`read_271` reads the payer's 271 into one :class:`EligibilityResponse`
  per patient answered: the member, whether the coverage is active and
  between which dates, the plan, the payer's rejections (``AAA``, each with
  its reason explained) and the :class:`Benefit` s (``EB``), typed.
- The response answers the questions a therapist asks, as methods:
  :meth:`~EligibilityResponse.covers`, :meth:`~EligibilityResponse.copay`,
  :meth:`~EligibilityResponse.coinsurance`,
  :meth:`~EligibilityResponse.deductible_remaining`,
  :meth:`~EligibilityResponse.visits_allowed`,
  :meth:`~EligibilityResponse.authorization_required`,
  :meth:`~EligibilityResponse.referral_required` ... Each says ``None`` (or a
  :class:`Requirement` that says so) when the 271 does not tell.
- :func:`policy_from_benefits` turns the answer into a
  :class:`~soapbill.rules.PayerPolicy` for :func:`~soapbill.rules.evaluate`,
  and :meth:`EligibilityResponse.estimate` estimates the patient's share of a
  claim from the 271's copay, co-insurance and remaining deductible.
- Without an EDI connection, :func:`render_benefits_questions` prints the
  checklist a front desk reads to the payer on the phone, and
  :class:`BenefitsAnswers` records the answers, which turn into the same
  policy.

Segments, elements and codes follow the 005010X279A1 implementation guide as
the typed models of x12sdk and the maps of pyx12 give it; the code lists are
in the private module ``soapbill._eligibility_codes``, with their sources.
Sending the 270 and receiving the 271 is the app's transport: soapbill writes
and reads text.

The codes explain themselves in soapbill's own words: each member of
:class:`ServiceType`, :class:`CoverageLevel`, :class:`InsuranceType`,
:class:`TimePeriod` and :class:`QuantityQualifier` has a short ``label``, each
member of :class:`BenefitCode` and :class:`FollowUpAction` an ``explanation``.

>>> ServiceType.MASSAGE_THERAPY.label
'massage therapy'
>>> TimePeriod.CALENDAR_YEAR.label
'per calendar year'
>>> BenefitCode("B").explanation
'co-payment: a fixed amount the patient pays'

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import contextlib
import enum
import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Final, Literal, TypeVar

import attrs

from soapbill import _eligibility_codes as codes
from soapbill._arguments import check_date, check_instance, invalid_type, tuple_of
from soapbill._enums import Choice
from soapbill._fields import redact, rules
from soapbill._model import model
from soapbill._remit_codes import CodeList
from soapbill._text import printable
from soapbill.billing.fees import Estimate, FeeSchedule, estimate
from soapbill.claims import Claim
from soapbill.codes import cpt, npi
from soapbill.codes.cpt import DEFAULT_CATALOG, CptCode
from soapbill.codes.npi import Npi
from soapbill.errors import ValidationError
from soapbill.formats import _x12
from soapbill.formats import _x12read as xr
from soapbill.parties import Coverage, Credential, Patient, Payer, PersonName, Provider, Sex
from soapbill.rules.policy import PayerPolicy, PriorAuthorization

__all__ = [
    "THERAPY_SERVICES",
    "Benefit",
    "BenefitCode",
    "BenefitsAnswers",
    "CoverageLevel",
    "EligibilityInquiry",
    "EligibilityResponse",
    "FollowUpAction",
    "Indicator",
    "InsuranceType",
    "Member",
    "Period",
    "QuantityQualifier",
    "Rejection",
    "Requirement",
    "ServiceType",
    "TimePeriod",
    "policy_from_benefits",
    "read_271",
    "render_benefits_questions",
    "write_270",
]

T = TypeVar("T")
_ZERO: Final = Decimal("0.00")
_HUNDRED: Final = Decimal(100)

# --- codes -----------------------------------------------------------------------------


class _Coded(Choice):
    """
    A code of one X12 code list, explained in soapbill's own words.

    A subclass names its list: ``class TimePeriod(_Coded, code_list=codes.TIME_PERIODS)``.
    """

    _code_list: ClassVar[CodeList]

    def __init_subclass__(cls, *, code_list: CodeList | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if code_list is not None:
            cls._code_list = code_list

    def _explain(self) -> str:
        return self._code_list.explain(str(self))


class _Labelled(_Coded):
    """
    A code whose members have a short plain-language label.
    """

    @property
    def label(self) -> str:
        """
        A short plain-language label (soapbill's own wording), such as ``"per calendar year"``.
        """
        return self._explain()


class ServiceType(_Labelled, code_list=codes.SERVICE_TYPES):
    """
    What kind of care a question or a benefit is about (``EQ01``, ``EB03``).

    The service type codes of the 005010X279A1 guide (X12 data element 1365).
    A massage or physical-medicine practice asks about
    :attr:`MASSAGE_THERAPY` (``BE``), :attr:`PHYSICAL_MEDICINE` (``AE``),
    :attr:`PHYSICAL_THERAPY` (``PT``), :attr:`CHIROPRACTIC` (``33``) or the
    plan as a whole, :attr:`HEALTH_BENEFIT_PLAN_COVERAGE` (``30``).

    .. versionadded:: 0.1.0
    """

    MEDICAL_CARE = "1"
    SURGICAL = "2"
    CONSULTATION = "3"
    DIAGNOSTIC_XRAY = "4"
    DIAGNOSTIC_LAB = "5"
    RADIATION_THERAPY = "6"
    ANESTHESIA = "7"
    SURGICAL_ASSISTANCE = "8"
    OTHER_MEDICAL = "9"
    BLOOD_CHARGES = "10"
    USED_DURABLE_MEDICAL_EQUIPMENT = "11"
    DURABLE_MEDICAL_EQUIPMENT_PURCHASE = "12"
    AMBULATORY_SERVICE_CENTER_FACILITY = "13"
    RENAL_SUPPLIES_IN_HOME = "14"
    ALTERNATE_METHOD_DIALYSIS = "15"
    CHRONIC_RENAL_DISEASE_EQUIPMENT = "16"
    PRE_ADMISSION_TESTING = "17"
    DURABLE_MEDICAL_EQUIPMENT_RENTAL = "18"
    PNEUMONIA_VACCINE = "19"
    SECOND_SURGICAL_OPINION = "20"
    THIRD_SURGICAL_OPINION = "21"
    SOCIAL_WORK = "22"
    DIAGNOSTIC_DENTAL = "23"
    PERIODONTICS = "24"
    RESTORATIVE = "25"
    ENDODONTICS = "26"
    MAXILLOFACIAL_PROSTHETICS = "27"
    ADJUNCTIVE_DENTAL_SERVICES = "28"
    HEALTH_BENEFIT_PLAN_COVERAGE = "30"
    PLAN_WAITING_PERIOD = "32"
    CHIROPRACTIC = "33"
    CHIROPRACTIC_OFFICE_VISITS = "34"
    DENTAL_CARE = "35"
    DENTAL_CROWNS = "36"
    DENTAL_ACCIDENT = "37"
    ORTHODONTICS = "38"
    PROSTHODONTICS = "39"
    ORAL_SURGERY = "40"
    ROUTINE_PREVENTIVE_DENTAL = "41"
    HOME_HEALTH_CARE = "42"
    HOME_HEALTH_PRESCRIPTIONS = "43"
    HOME_HEALTH_VISITS = "44"
    HOSPICE = "45"
    RESPITE_CARE = "46"
    HOSPITAL = "47"
    HOSPITAL_INPATIENT = "48"
    HOSPITAL_ROOM_AND_BOARD = "49"
    HOSPITAL_OUTPATIENT = "50"
    HOSPITAL_EMERGENCY_ACCIDENT = "51"
    HOSPITAL_EMERGENCY_MEDICAL = "52"
    HOSPITAL_AMBULATORY_SURGICAL = "53"
    LONG_TERM_CARE = "54"
    MAJOR_MEDICAL = "55"
    MEDICALLY_RELATED_TRANSPORTATION = "56"
    AIR_TRANSPORTATION = "57"
    CABULANCE = "58"
    LICENSED_AMBULANCE = "59"
    GENERAL_BENEFITS = "60"
    IN_VITRO_FERTILIZATION = "61"
    MRI_CAT_SCAN = "62"
    DONOR_PROCEDURES = "63"
    ACUPUNCTURE = "64"
    NEWBORN_CARE = "65"
    PATHOLOGY = "66"
    SMOKING_CESSATION = "67"
    WELL_BABY_CARE = "68"
    MATERNITY = "69"
    TRANSPLANTS = "70"
    AUDIOLOGY_EXAM = "71"
    INHALATION_THERAPY = "72"
    DIAGNOSTIC_MEDICAL = "73"
    PRIVATE_DUTY_NURSING = "74"
    PROSTHETIC_DEVICE = "75"
    DIALYSIS = "76"
    OTOLOGICAL_EXAM = "77"
    CHEMOTHERAPY = "78"
    ALLERGY_TESTING = "79"
    IMMUNIZATIONS = "80"
    ROUTINE_PHYSICAL = "81"
    FAMILY_PLANNING = "82"
    INFERTILITY = "83"
    ABORTION = "84"
    AIDS = "85"
    EMERGENCY_SERVICES = "86"
    CANCER = "87"
    PHARMACY = "88"
    FREE_STANDING_PRESCRIPTION_DRUG = "89"
    MAIL_ORDER_PRESCRIPTION_DRUG = "90"
    BRAND_NAME_PRESCRIPTION_DRUG = "91"
    GENERIC_PRESCRIPTION_DRUG = "92"
    PODIATRY = "93"
    PODIATRY_OFFICE_VISITS = "94"
    PODIATRY_NURSING_HOME_VISITS = "95"
    PROFESSIONAL_PHYSICIAN = "96"
    ANESTHESIOLOGIST = "97"
    PROFESSIONAL_PHYSICIAN_VISIT_OFFICE = "98"
    PROFESSIONAL_PHYSICIAN_VISIT_INPATIENT = "99"
    PROFESSIONAL_PHYSICIAN_VISIT_OUTPATIENT = "A0"
    PROFESSIONAL_PHYSICIAN_VISIT_NURSING_HOME = "A1"
    PROFESSIONAL_PHYSICIAN_VISIT_SKILLED_NURSING_FACILITY = "A2"
    PROFESSIONAL_PHYSICIAN_VISIT_HOME = "A3"
    PSYCHIATRIC = "A4"
    PSYCHIATRIC_ROOM_AND_BOARD = "A5"
    PSYCHOTHERAPY = "A6"
    PSYCHIATRIC_INPATIENT = "A7"
    PSYCHIATRIC_OUTPATIENT = "A8"
    REHABILITATION = "A9"
    REHABILITATION_ROOM_AND_BOARD = "AA"
    REHABILITATION_INPATIENT = "AB"
    REHABILITATION_OUTPATIENT = "AC"
    OCCUPATIONAL_THERAPY = "AD"
    PHYSICAL_MEDICINE = "AE"
    SPEECH_THERAPY = "AF"
    SKILLED_NURSING_CARE = "AG"
    SKILLED_NURSING_CARE_ROOM_AND_BOARD = "AH"
    SUBSTANCE_ABUSE = "AI"
    ALCOHOLISM = "AJ"
    DRUG_ADDICTION = "AK"
    VISION_OPTOMETRY = "AL"
    FRAMES = "AM"
    ROUTINE_VISION_EXAM = "AN"
    LENSES = "AO"
    NONMEDICALLY_NECESSARY_PHYSICAL = "AQ"
    EXPERIMENTAL_DRUG_THERAPY = "AR"
    BURN_CARE = "B1"
    BRAND_NAME_PRESCRIPTION_DRUG_FORMULARY = "B2"
    BRAND_NAME_PRESCRIPTION_DRUG_NON_FORMULARY = "B3"
    INDEPENDENT_MEDICAL_EVALUATION = "BA"
    PARTIAL_HOSPITALIZATION_PSYCHIATRIC = "BB"
    DAY_CARE_PSYCHIATRIC = "BC"
    COGNITIVE_THERAPY = "BD"
    MASSAGE_THERAPY = "BE"
    PULMONARY_REHABILITATION = "BF"
    CARDIAC_REHABILITATION = "BG"
    PEDIATRIC = "BH"
    NURSERY = "BI"
    SKIN = "BJ"
    ORTHOPEDIC = "BK"
    CARDIAC = "BL"
    LYMPHATIC = "BM"
    GASTROINTESTINAL = "BN"
    ENDOCRINE = "BP"
    NEUROLOGY = "BQ"
    EYE = "BR"
    INVASIVE_PROCEDURES = "BS"
    GYNECOLOGICAL = "BT"
    OBSTETRICAL = "BU"
    OBSTETRICAL_GYNECOLOGICAL = "BV"
    MAIL_ORDER_PRESCRIPTION_DRUG_BRAND_NAME = "BW"
    MAIL_ORDER_PRESCRIPTION_DRUG_GENERIC = "BX"
    PHYSICIAN_VISIT_OFFICE_SICK = "BY"
    PHYSICIAN_VISIT_OFFICE_WELL = "BZ"
    CORONARY_CARE = "C1"
    PRIVATE_DUTY_NURSING_INPATIENT = "CA"
    PRIVATE_DUTY_NURSING_HOME = "CB"
    SURGICAL_BENEFITS_PROFESSIONAL_PHYSICIAN = "CC"
    SURGICAL_BENEFITS_FACILITY = "CD"
    MENTAL_HEALTH_PROVIDER_INPATIENT = "CE"
    MENTAL_HEALTH_PROVIDER_OUTPATIENT = "CF"
    MENTAL_HEALTH_FACILITY_INPATIENT = "CG"
    MENTAL_HEALTH_FACILITY_OUTPATIENT = "CH"
    SUBSTANCE_ABUSE_FACILITY_INPATIENT = "CI"
    SUBSTANCE_ABUSE_FACILITY_OUTPATIENT = "CJ"
    SCREENING_XRAY = "CK"
    SCREENING_LABORATORY = "CL"
    MAMMOGRAM_HIGH_RISK_PATIENT = "CM"
    MAMMOGRAM_LOW_RISK_PATIENT = "CN"
    FLU_VACCINATION = "CO"
    EYEWEAR_AND_EYEWEAR_ACCESSORIES = "CP"
    CASE_MANAGEMENT = "CQ"
    DERMATOLOGY = "DG"
    DURABLE_MEDICAL_EQUIPMENT = "DM"
    DIABETIC_SUPPLIES = "DS"
    GENERIC_PRESCRIPTION_DRUG_FORMULARY = "GF"
    GENERIC_PRESCRIPTION_DRUG_NON_FORMULARY = "GN"
    ALLERGY = "GY"
    INTENSIVE_CARE = "IC"
    MENTAL_HEALTH = "MH"
    NEONATAL_INTENSIVE_CARE = "NI"
    ONCOLOGY = "ON"
    PHYSICAL_THERAPY = "PT"
    PULMONARY = "PU"
    RENAL = "RN"
    RESIDENTIAL_PSYCHIATRIC_TREATMENT = "RT"
    TRANSITIONAL_CARE = "TC"
    TRANSITIONAL_NURSERY_CARE = "TN"
    URGENT_CARE = "UC"


#: The service types a massage or physical-medicine practice asks about (massage
#: therapy, physical medicine and physical therapy). The default of every
#: question of :class:`EligibilityResponse`.
THERAPY_SERVICES: Final = (
    ServiceType.MASSAGE_THERAPY,
    ServiceType.PHYSICAL_MEDICINE,
    ServiceType.PHYSICAL_THERAPY,
)


class BenefitCode(_Coded, code_list=codes.BENEFIT_CODES):
    """
    What a benefit tells (``EB01``, X12 data element 1390).

    .. versionadded:: 0.1.0
    """

    ACTIVE_COVERAGE = "1"
    ACTIVE_FULL_RISK_CAPITATION = "2"
    ACTIVE_SERVICES_CAPITATED = "3"
    ACTIVE_SERVICES_CAPITATED_TO_PRIMARY_CARE = "4"
    ACTIVE_PENDING_INVESTIGATION = "5"
    INACTIVE = "6"
    INACTIVE_PENDING_ELIGIBILITY_UPDATE = "7"
    INACTIVE_PENDING_INVESTIGATION = "8"
    CO_INSURANCE = "A"
    CO_PAYMENT = "B"
    DEDUCTIBLE = "C"
    COVERAGE_BASIS = "CB"
    BENEFIT_DESCRIPTION = "D"
    EXCLUSIONS = "E"
    LIMITATIONS = "F"
    OUT_OF_POCKET = "G"
    UNLIMITED = "H"
    NON_COVERED = "I"
    COST_CONTAINMENT = "J"
    RESERVE = "K"
    PRIMARY_CARE_PROVIDER = "L"
    PRE_EXISTING_CONDITION = "M"
    MANAGED_CARE_COORDINATOR = "MC"
    SERVICES_RESTRICTED_TO_PROVIDER = "N"
    NOT_MEDICALLY_NECESSARY = "O"
    BENEFIT_DISCLAIMER = "P"
    SECOND_SURGICAL_OPINION_REQUIRED = "Q"
    OTHER_PAYER = "R"
    PRIOR_YEAR_HISTORY = "S"
    CARD_LOST_OR_STOLEN = "T"
    CONTACT_FOR_BENEFIT_INFORMATION = "U"
    CANNOT_PROCESS = "V"
    OTHER_SOURCE_OF_DATA = "W"
    HEALTH_CARE_FACILITY = "X"
    SPEND_DOWN = "Y"

    @property
    def explanation(self) -> str:
        """
        What the code means (soapbill's own wording).
        """
        return self._explain()

    @property
    def active(self) -> bool | None:
        """
        ``True`` for the active-coverage codes (1-5), ``False`` for the inactive ones (6-8).

        ``None`` for every other code, which says nothing of the coverage itself.
        """
        return _ACTIVITY.get(self.value)


_ACTIVITY: Final = {
    "1": True,
    "2": True,
    "3": True,
    "4": True,
    "5": True,
    "6": False,
    "7": False,
    "8": False,
}


class CoverageLevel(_Labelled, code_list=codes.COVERAGE_LEVELS):
    """
    Whom a benefit covers (``EB02``, X12 data element 1207).

    .. versionadded:: 0.1.0
    """

    CHILDREN_ONLY = "CHD"
    DEPENDENTS_ONLY = "DEP"
    EMPLOYEE_AND_CHILDREN = "ECH"
    EMPLOYEE_ONLY = "EMP"
    EMPLOYEE_AND_SPOUSE = "ESP"
    FAMILY = "FAM"
    INDIVIDUAL = "IND"
    SPOUSE_AND_CHILDREN = "SPC"
    SPOUSE_ONLY = "SPO"


class InsuranceType(_Labelled, code_list=codes.INSURANCE_TYPES):
    """
    The kind of plan a benefit belongs to (``EB04``, X12 data element 1336).

    .. versionadded:: 0.1.0
    """

    MEDICARE_SECONDARY_WORKING_AGED = "12"
    MEDICARE_SECONDARY_END_STAGE_RENAL_DISEASE = "13"
    MEDICARE_SECONDARY_NO_FAULT = "14"
    MEDICARE_SECONDARY_WORKERS_COMP = "15"
    MEDICARE_SECONDARY_PUBLIC_HEALTH_SERVICE = "16"
    MEDICARE_SECONDARY_BLACK_LUNG = "41"
    MEDICARE_SECONDARY_VETERANS = "42"
    MEDICARE_SECONDARY_DISABLED = "43"
    MEDICARE_SECONDARY_OTHER_LIABILITY = "47"
    AUTO_INSURANCE_POLICY = "AP"
    COMMERCIAL = "C1"
    COBRA = "CO"
    MEDICARE_CONDITIONALLY_PRIMARY = "CP"
    DISABILITY = "D"
    DISABILITY_BENEFITS = "DB"
    EXCLUSIVE_PROVIDER_ORGANIZATION = "EP"
    FAMILY_OR_FRIENDS = "FF"
    GROUP_POLICY = "GP"
    HMO = "HM"
    HMO_MEDICARE_RISK = "HN"
    SPECIAL_LOW_INCOME_MEDICARE_BENEFICIARY = "HS"
    INDEMNITY = "IN"
    INDIVIDUAL_POLICY = "IP"
    LONG_TERM_CARE = "LC"
    LONG_TERM_POLICY = "LD"
    LIFE_INSURANCE = "LI"
    LITIGATION = "LT"
    MEDICARE_PART_A = "MA"
    MEDICARE_PART_B = "MB"
    MEDICAID = "MC"
    MEDIGAP_PART_A = "MH"
    MEDIGAP_PART_B = "MI"
    MEDICARE_PRIMARY = "MP"
    OTHER = "OT"
    PROPERTY_INSURANCE_PERSONAL = "PE"
    PERSONAL = "PL"
    PERSONAL_PAYMENT = "PP"
    PREFERRED_PROVIDER_ORGANIZATION = "PR"
    POINT_OF_SERVICE = "POS"
    QUALIFIED_MEDICARE_BENEFICIARY = "QM"
    PROPERTY_INSURANCE_REAL = "RP"
    SUPPLEMENTAL_POLICY = "SP"
    TEFRA = "TF"
    WORKERS_COMPENSATION = "WC"
    WRAP_UP_POLICY = "WU"


class TimePeriod(_Labelled, code_list=codes.TIME_PERIODS):
    """
    The period a benefit's amount or quantity counts over (``EB06``, data element 615).

    .. versionadded:: 0.1.0
    """

    HOUR = "6"
    DAY = "7"
    TWENTY_FOUR_HOURS = "13"
    YEARS = "21"
    SERVICE_YEAR = "22"
    CALENDAR_YEAR = "23"
    YEAR_TO_DATE = "24"
    CONTRACT = "25"
    EPISODE = "26"
    VISIT = "27"
    OUTLIER = "28"
    REMAINING = "29"
    EXCEEDED = "30"
    NOT_EXCEEDED = "31"
    LIFETIME = "32"
    LIFETIME_REMAINING = "33"
    MONTH = "34"
    WEEK = "35"
    ADMISSION = "36"


class QuantityQualifier(_Labelled, code_list=codes.QUANTITY_QUALIFIERS):
    """
    What a benefit's quantity counts (``EB09``, data element 673).

    .. versionadded:: 0.1.0
    """

    MINIMUM = "8H"
    QUANTITY_USED = "99"
    COVERED_ACTUAL = "CA"
    COVERED_ESTIMATED = "CE"
    CO_INSURANCE_DAYS = "D3"
    DEDUCTIBLE_BLOOD_UNITS = "D8"
    DAYS = "DY"
    HOURS = "HS"
    LIFETIME_RESERVE_ACTUAL = "LA"
    LIFETIME_RESERVE_ESTIMATED = "LE"
    MAXIMUM = "M2"
    MONTHS = "MN"
    SERVICES = "P6"
    QUANTITY_APPROVED = "QA"
    AGE_HIGH = "S7"
    AGE_LOW = "S8"
    VISITS = "VS"
    YEARS = "YY"


class Indicator(Choice):
    """
    A payer's yes, no or unknown (``EB11``, ``EB12``; data element 1073).

    ``EB11`` (authorisation or certification required) takes yes, no or
    unknown; ``EB12`` (in the plan's network) also takes
    :attr:`NOT_APPLICABLE`: the benefit is the same in and out of network.

    .. versionadded:: 0.1.0
    """

    YES = "Y"
    NO = "N"
    UNKNOWN = "U"
    NOT_APPLICABLE = "W"


class FollowUpAction(_Coded, code_list=codes.FOLLOW_UP_ACTIONS):
    """
    What to do after a rejection (``AAA04``, data element 889).

    .. versionadded:: 0.1.0
    """

    CORRECT_AND_RESUBMIT = "C"
    DO_NOT_RESUBMIT = "N"
    RESUBMIT_ORIGINAL = "P"
    RESUBMISSION_ALLOWED = "R"
    DO_NOT_RESUBMIT_THIRD_PARTY = "S"
    WAIT_30_DAYS = "W"
    WAIT_10_DAYS = "X"
    DO_NOT_RESUBMIT_WILL_RESPOND = "Y"

    @property
    def explanation(self) -> str:
        """
        What to do, in plain words.
        """
        return self._explain()


def _members(cls: type[enum.StrEnum]) -> dict[str, Any]:
    return {member.value: member for member in cls}


# Each code enum's members by value: read once per code in a 271, faster than
# calling the enum.
_SERVICE_TYPES: Final[Mapping[str, ServiceType]] = _members(ServiceType)
_BENEFIT_CODES: Final[Mapping[str, BenefitCode]] = _members(BenefitCode)
_COVERAGE_LEVELS: Final[Mapping[str, CoverageLevel]] = _members(CoverageLevel)
_INSURANCE_TYPES: Final[Mapping[str, InsuranceType]] = _members(InsuranceType)
_TIME_PERIODS: Final[Mapping[str, TimePeriod]] = _members(TimePeriod)
_QUANTITY_QUALIFIERS: Final[Mapping[str, QuantityQualifier]] = _members(QuantityQualifier)
_INDICATORS: Final[Mapping[str, Indicator]] = _members(Indicator)
_FOLLOW_UPS: Final[Mapping[str, FollowUpAction]] = _members(FollowUpAction)


# --- models ----------------------------------------------------------------------------

#: Free text of a payer (``MSG01``): 1 to 264 characters.
_MESSAGE = rules(max_len=264)
#: A trace number (``TRN02``): letters, digits, ``.``, ``_`` and ``-``, which
#: no X12 separator can be.
_TRACE = rules(max_len=50, pattern=r"[A-Za-z0-9._-]+")


@model
class Period:
    """
    A range of dates, both ends included.

    Attributes:
        start: The first day.
        end: The last day, not before *start*.

    .. versionadded:: 0.1.0
    """

    start: date
    end: date

    def _check_fields(self) -> None:
        if self.end < self.start:
            raise ValidationError.single("end", "before_start", "must not be before start")


@model
class EligibilityInquiry:
    """
    One question to a payer: is this patient covered, and for what?

    The payer is the coverage's; the provider asking is the information
    receiver of the 270 (loop 2100B), identified by NPI. The patient is the
    subscriber when the coverage's relationship is ``SELF``, else a dependent
    of the coverage's subscriber. Give the date of service or a period of
    service, not both.

    Attributes:
        patient: The patient.
        coverage: The coverage asked about.
        provider: The provider asking.
        service_types: The service types asked about, one to 99, no repeats
            (one ``EQ`` each).
        service_date: The date of service.
        service_period: The period of service.
        trace_number: The practice's number of this inquiry, which the payer
            repeats in its 271 (``TRN02``): letters, digits, ``.``, ``_`` and
            ``-``, at most 50.

    .. versionadded:: 0.1.0
    """

    #: A top-level JSON document: it carries ``"format_version"``.
    __soapbill_document__: ClassVar[bool] = True

    patient: Patient
    coverage: Coverage
    provider: Provider
    service_types: tuple[ServiceType, ...] = attrs.field(
        metadata=rules(min_len=1, max_len=99, unique=True)
    )
    service_date: date | None = None
    service_period: Period | None = None
    trace_number: str = attrs.field(metadata=_TRACE)

    def _check_fields(self) -> None:
        if (self.service_date is None) == (self.service_period is None):
            raise ValidationError.single(
                "service_date",
                "date_choice",
                "give either service_date or service_period, not both or neither",
            )


@model
class Member:
    """
    The person a 271 answers for: the subscriber or a dependent.

    Every field is what the payer wrote, or ``None`` when it wrote nothing;
    names, the member id and the birth date are redacted in ``repr``.

    Attributes:
        family_name: The family name (``NM103``).
        given_name: The given name (``NM104``).
        member_id: The member id (``NM109``).
        birth_date: The date of birth (``DMG02``).
        sex: Administrative sex (``DMG03``).

    .. versionadded:: 0.1.0
    """

    family_name: str | None = attrs.field(default=None, repr=redact, metadata=rules(max_len=60))
    given_name: str | None = attrs.field(default=None, repr=redact, metadata=rules(max_len=35))
    member_id: str | None = attrs.field(default=None, repr=redact, metadata=rules(max_len=80))
    birth_date: date | None = attrs.field(default=None, repr=redact)
    sex: Sex | None = None


@model
class Rejection:
    """
    A payer's refusal to answer, or to answer fully (an ``AAA`` segment).

    Attributes:
        loop: Where the payer put it, as the guide names its loops:
            ``"2000A"``, ``"2100A"`` (the payer), ``"2100B"`` (the provider),
            ``"2100C"`` (the subscriber), ``"2110C"`` (one of the
            subscriber's benefits), ``"2100D"`` or ``"2110D"`` (the dependent).
        valid: Whether the payer found the request valid (``AAA01``).
        reason: The reject reason code (``AAA03``), such as ``"75"``.
        follow_up: What to do next (``AAA04``).

    .. versionadded:: 0.1.0
    """

    loop: str = attrs.field(metadata=rules(pattern=r"2[01][01]0[A-D]"))
    valid: bool
    reason: str = attrs.field(metadata=rules(min_len=2, max_len=2))
    follow_up: FollowUpAction

    @property
    def explanation(self) -> str:
        """
        Why the payer refused, in plain words (soapbill's own wording).
        """
        return codes.REJECT_REASONS.explain(self.reason)


@model
class Benefit:
    """
    One benefit line of a 271 (an ``EB`` segment, with its dates and messages).

    Amounts are dollars; :attr:`percent` is a percentage (``Decimal("20")``
    for 20 %), which the 271 writes as a fraction (``.2``). :attr:`quantity`
    goes with :attr:`quantity_qualifier`: 20 visits is
    ``quantity_qualifier=QuantityQualifier.VISITS, quantity=Decimal("20")``.

    Attributes:
        code: What the line tells (``EB01``).
        coverage_level: Whom it covers (``EB02``).
        service_types: The service types it is about (``EB03``); none for
            the plan as a whole.
        insurance_type: The kind of plan (``EB04``).
        plan: The payer's name of the plan (``EB05``).
        time_period: The period its amount or quantity counts over (``EB06``).
        amount: An amount of money (``EB07``).
        percent: A percentage, 0 to 100 (``EB08``).
        quantity_qualifier: What the quantity counts (``EB09``).
        quantity: The quantity (``EB10``).
        authorization: Whether authorisation or certification is required
            (``EB11``).
        in_network: Whether the line is for providers in the plan's network
            (``EB12``).
        procedure: The procedure code the line is about (``EB13``, when a
            CPT or HCPCS code: qualifier ``HC``).
        start: The first day the line applies to (``DTP`` 292, 346 or 348).
        end: The last day it applies to (``DTP`` 292, 347 or 349).
        messages: The payer's free-text lines (``MSG``), redacted in ``repr``.

    .. versionadded:: 0.1.0
    """

    code: BenefitCode
    coverage_level: CoverageLevel | None = None
    service_types: tuple[ServiceType, ...] = attrs.field(default=(), metadata=rules(max_len=99))
    insurance_type: InsuranceType | None = None
    plan: str | None = attrs.field(default=None, metadata=rules(max_len=50))
    time_period: TimePeriod | None = None
    amount: Decimal | None = None
    percent: Decimal | None = None
    quantity_qualifier: QuantityQualifier | None = None
    quantity: Decimal | None = None
    authorization: Indicator | None = None
    in_network: Indicator | None = None
    procedure: CptCode | None = None
    start: date | None = attrs.field(default=None, repr=redact)
    end: date | None = attrs.field(default=None, repr=redact)
    messages: tuple[str, ...] = attrs.field(default=(), repr=redact, metadata=rules(max_len=10))

    def _check_fields(self) -> None:
        if self.percent is not None and self.percent > _HUNDRED:
            raise ValidationError.single("percent", "too_large", "a percentage is at most 100")
        if (self.quantity is None) != (self.quantity_qualifier is None):
            raise ValidationError.single(
                "quantity", "quantity_pair", "give quantity and quantity_qualifier together"
            )
        if self.authorization is Indicator.NOT_APPLICABLE:
            raise ValidationError.single(
                "authorization", "invalid_code", "authorization is yes, no or unknown"
            )
        if self.end is not None and self.start is not None and self.end < self.start:
            raise ValidationError.single("end", "before_start", "must not be before start")
        for i, message in enumerate(self.messages):
            if len(message) > 264:  # noqa: PLR2004 - MSG01 is 1/264
                raise ValidationError.single(
                    f"messages[{i}]", "invalid_length", "a message has 1 to 264 characters"
                )

    @property
    def visits(self) -> int | None:
        """
        The quantity, when it counts visits and is a whole number.
        """
        quantity = self.quantity
        if (
            self.quantity_qualifier is not QuantityQualifier.VISITS
            or quantity is None
            or quantity != quantity.to_integral_value()
        ):
            return None
        return int(quantity)


@model
class Requirement:
    """
    A payer's answer to "is this required?", and what the answer rests on.

    Attributes:
        required: ``True`` or ``False`` as the payer said, ``None`` when it
            did not say.
        basis: What the answer rests on, in fixed words (no patient data).
        messages: The payer's messages it rests on, redacted in ``repr``.

    .. versionadded:: 0.1.0
    """

    required: bool | None
    basis: str
    messages: tuple[str, ...] = attrs.field(default=(), repr=redact)


# --- the questions a therapist asks ------------------------------------------------------

_PLAN: Final = ServiceType.HEALTH_BENEFIT_PLAN_COVERAGE
#: Periods a deductible or a visit limit is counted over as a whole (not what
#: is used, remaining, exceeded).
_PART_PERIODS: Final = frozenset(
    {
        TimePeriod.YEAR_TO_DATE,
        TimePeriod.REMAINING,
        TimePeriod.EXCEEDED,
        TimePeriod.NOT_EXCEEDED,
        TimePeriod.LIFETIME_REMAINING,
    }
)
_COPAY: Final = frozenset({BenefitCode.CO_PAYMENT})
_COINSURANCE: Final = frozenset({BenefitCode.CO_INSURANCE})
_DEDUCTIBLE: Final = frozenset({BenefitCode.DEDUCTIBLE})
_LIMITATIONS: Final = frozenset({BenefitCode.LIMITATIONS})
_EVERY_CODE: Final = frozenset(BenefitCode)

# Messages that say something is required, or that it is not. A message says
# "not required" when it holds "no <subject>", "not required" or "not needed";
# any other mention of the subject says "required".
_REFERRAL_WORDS: Final = re.compile(
    r"\b(?:REFERRALS?|PRESCRIPTIONS?|RX|SCRIPT|(?:PHYSICIAN|DOCTOR|MD)'?S? ORDERS?)\b",
    re.IGNORECASE,
)
_AUTH_WORDS: Final = re.compile(
    r"\b(?:PRIOR AUTH\w*|PRE-?AUTH\w*|PRE-?CERT\w*|AUTHORI[SZ]ATIONS?|CERTIFICATIONS?)\b",
    re.IGNORECASE,
)
_NOT_REQUIRED: Final = re.compile(
    r"\bNOT\s+(?:REQUIRED|NEEDED)\b|\bNO\s+(?:PRIOR\s+)?(?:REFERRAL|PRESCRIPTION|RX|SCRIPT|"
    r"AUTH\w*|PRE-?AUTH\w*|PRE-?CERT\w*|CERTIFICATION)S?\b",
    re.IGNORECASE,
)


def _services(services: object) -> frozenset[ServiceType]:
    return frozenset(tuple_of(services, ServiceType, "services"))


def _network(in_network: object) -> bool:
    if in_network.__class__ is not bool:
        raise invalid_type("in_network", "a boolean")
    return bool(in_network)


def _on_side(pool: list[Benefit], *, in_network: bool | None) -> list[Benefit]:
    """
    The benefits of *pool* for the network side asked, else those for either side.
    """
    if in_network is None:
        return pool
    side = Indicator.YES if in_network else Indicator.NO
    exact = [b for b in pool if b.in_network is side or b.in_network is Indicator.NOT_APPLICABLE]
    return exact or [b for b in pool if b.in_network is None or b.in_network is Indicator.UNKNOWN]


def _matching(
    benefits: Iterable[Benefit],
    services: frozenset[ServiceType],
    kinds: frozenset[BenefitCode],
    *,
    in_network: bool | None,
) -> list[Benefit]:
    """
    The benefits of *kinds* that answer for *services*, most specific first.

    Benefits naming one of the services win; without any, those of the plan as
    a whole (service type 30, or none) answer. Within each, the network side
    asked wins over benefits that do not say.
    """
    candidates = [b for b in benefits if b.code in kinds]
    specific = _on_side(
        [b for b in candidates if services.intersection(b.service_types)], in_network=in_network
    )
    if specific:
        return specific
    general = [b for b in candidates if not b.service_types or _PLAN in b.service_types]
    return _on_side(general, in_network=in_network)


def _first_amount(benefits: Iterable[Benefit], test: Callable[[Benefit], bool]) -> Decimal | None:
    for benefit in benefits:
        if benefit.amount is not None and test(benefit):
            return benefit.amount
    return None


def _level(benefits: list[Benefit], level: CoverageLevel) -> list[Benefit]:
    exact = [b for b in benefits if b.coverage_level is level]
    return exact or [b for b in benefits if b.coverage_level is None]


def _read_messages(
    messages: Iterable[str], subject: re.Pattern[str]
) -> tuple[bool | None, tuple[str, ...]]:
    """
    What *messages* say of *subject*: required, not required, or nothing.

    A message that says "required" wins over one that says "not required".
    """
    said = tuple(m for m in messages if subject.search(m))
    if not said:
        return None, ()
    return any(_NOT_REQUIRED.search(m) is None for m in said), said


def _requirement(
    benefits: list[Benefit], subject: re.Pattern[str], what: str, *, eb11: bool
) -> Requirement:
    messages = [m for b in benefits for m in b.messages]
    required, said = _read_messages(messages, subject)
    if required is not None:
        return Requirement(required=required, basis="the payer's message", messages=said)
    flags = {b.authorization for b in benefits} - {None, Indicator.UNKNOWN}
    if eb11 and flags:
        return Requirement(
            required=Indicator.YES in flags,
            basis="EB11, the authorization or certification indicator",
        )
    if not eb11 and Indicator.YES in flags:
        return Requirement(
            required=None,
            basis=(
                "the payer requires authorization or certification (EB11), "
                f"but does not say whether {what} is part of it"
            ),
        )
    return Requirement(required=None, basis=f"the 271 does not say whether {what} is required")


def _dollars(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f") + "%"


def _estimate(
    claim: object,
    allowed: object,
    figures: tuple[Decimal | None, Decimal | None, Decimal | None],
    source: str,
) -> Estimate:
    """
    :func:`~soapbill.billing.fees.estimate` with the figures a payer gave.

    Figures the payer did not give count as none, and the steps say so.
    """
    deductible, percent, copay = figures
    notes = tuple(
        f"{source} does not tell the {name}: none is counted."
        for name, figure in (
            ("remaining deductible", deductible),
            ("co-insurance", percent),
            ("copay", copay),
        )
        if figure is None
    )
    result = estimate(
        check_instance(claim, Claim, "claim"),
        allowed=None if allowed is None else check_instance(allowed, FeeSchedule, "allowed"),
        deductible_remaining=_ZERO if deductible is None else deductible,
        coinsurance=_ZERO if percent is None else percent / _HUNDRED,
        copay=_ZERO if copay is None else copay,
    )
    return attrs.evolve(result, steps=notes + result.steps) if notes else result


@attrs.frozen
class _Terms:
    """
    What a payer said that a :class:`~soapbill.rules.PayerPolicy` can hold.
    """

    visits_per_year: int | None = None
    authorization: bool | None = None
    authorization_after_visits: int = 0
    rx_required: bool | None = None
    prescriber_credentials: tuple[Credential, ...] | None = None
    covered: frozenset[CptCode] = frozenset()
    not_covered: frozenset[CptCode] = frozenset()

    def apply(self, base: PayerPolicy) -> PayerPolicy:
        changes: dict[str, Any] = {}
        if self.visits_per_year is not None and 1 <= self.visits_per_year <= 366:  # noqa: PLR2004 - the policy's range
            changes["visits_per_year"] = self.visits_per_year
        if self.authorization is True:
            known = base.prior_authorization
            changes["prior_authorization"] = PriorAuthorization(
                codes=None if known is None else known.codes,
                after_visits=self.authorization_after_visits,
            )
        elif self.authorization is False:
            changes["prior_authorization"] = None
        if self.rx_required is not None:
            changes["rx_required"] = self.rx_required
        if self.prescriber_credentials:
            changes["prescriber_credentials"] = self.prescriber_credentials
        covered = self._covered_codes(base.covered_codes)
        if covered is not None:
            changes["covered_codes"] = covered
        return attrs.evolve(base, **changes)

    def _covered_codes(self, current: tuple[CptCode, ...] | None) -> tuple[CptCode, ...] | None:
        if self.not_covered:
            # The payer names codes it does not cover: every code the policy
            # (or, when it takes any, soapbill's catalogue) holds, but those.
            start = set(DEFAULT_CATALOG) if current is None else set(current)
            found = (start | self.covered) - self.not_covered
        elif self.covered and current is not None:
            found = set(current) | self.covered
        else:
            return None
        # A policy covers at least one code: "nothing" is no list it can hold.
        return tuple(sorted(found, key=str)) if found else None


@model
class EligibilityResponse:
    """
    A payer's answer about one patient (a 271, read by :func:`read_271`).

    The answer is about :attr:`dependent` when the patient is a dependent of
    the subscriber, else about :attr:`subscriber`. A 271 that rejects the
    question before reaching a subscriber (the payer cannot answer now, the
    provider is not on file) gives a response without members, carrying the
    :attr:`rejections`.

    The questions a therapist asks are methods. Each takes the service types
    asked about (default :data:`THERAPY_SERVICES`): a benefit that names one of
    them answers; without one, a benefit of the plan as a whole (service type
    30, or none) does. Amounts can differ in and out of network: the
    questions about money answer for one side (``in_network``), using
    benefits that do not say which side when none does.

    Attributes:
        control_number: The transaction set's control number (``ST02``).
        trace_number: The inquiry's trace number the payer repeats
            (``TRN02`` of a ``TRN*2``), if any.
        payer: The information source (loop 2100A).
        provider_npi: The information receiver's NPI (loop 2100B), if given.
        subscriber: The subscriber (loop 2100C).
        dependent: The dependent (loop 2100D), when the patient is one.
        group_number: The group or policy number (``REF*6P`` or ``REF*1L``).
        plan_number: The plan number (``REF*18``).
        coverage_start: The first day of coverage, if the payer gave it.
        coverage_end: The last day of coverage, if the payer gave it.
        rejections: The payer's rejections, in the order written.
        benefits: The benefits, in the order written.

    .. versionadded:: 0.1.0
    """

    #: A top-level JSON document: it carries ``"format_version"``.
    __soapbill_document__: ClassVar[bool] = True

    control_number: str = attrs.field(metadata=rules(max_len=9))
    trace_number: str | None = attrs.field(default=None, metadata=rules(max_len=50))
    payer: Payer | None = None
    provider_npi: Npi | None = None
    subscriber: Member | None = None
    dependent: Member | None = None
    group_number: str | None = attrs.field(default=None, metadata=rules(max_len=50))
    plan_number: str | None = attrs.field(default=None, metadata=rules(max_len=50))
    coverage_start: date | None = attrs.field(default=None, repr=redact)
    coverage_end: date | None = attrs.field(default=None, repr=redact)
    rejections: tuple[Rejection, ...] = ()
    benefits: tuple[Benefit, ...] = ()

    def _check_fields(self) -> None:
        if self.dependent is not None and self.subscriber is None:
            raise ValidationError.single(
                "subscriber", "required", "a dependent is answered for with its subscriber"
            )
        start, end = self.coverage_start, self.coverage_end
        if start is not None and end is not None and end < start:
            raise ValidationError.single("coverage_end", "before_start", "must not be before start")

    # --- the coverage --------------------------------------------------------------

    @property
    def member(self) -> Member | None:
        """
        Whom the answer is about, the dependent or else the subscriber.
        """
        return self.subscriber if self.dependent is None else self.dependent

    @property
    def active(self) -> bool | None:
        """
        Whether the coverage is active, ``None`` when no benefit says.

        Any active-coverage benefit (``EB01`` 1-5) makes it active; otherwise
        an inactive one (6-8) makes it inactive.
        """
        found = {b.code.active for b in self.benefits} - {None}
        if not found:
            return None
        return True in found

    @property
    def plan(self) -> str | None:
        """
        The payer's name of the plan (``EB05``), from the first benefit that gives one.
        """
        return next((b.plan for b in self.benefits if b.plan is not None), None)

    def is_active(self, on: date) -> bool | None:
        """
        Whether the coverage is in force on *on*: ``None`` when the 271 does not say.

        Raises:
            ValidationError: *on* is not a date.
        """
        check_date(on, "on")
        if self.coverage_start is not None and on < self.coverage_start:
            return False
        if self.coverage_end is not None and on > self.coverage_end:
            return False
        return self.active

    def covers(
        self, services: Iterable[ServiceType] = THERAPY_SERVICES, *, on: date | None = None
    ) -> bool | None:
        """
        Whether the plan covers *services* (on the date *on*, if given).

        ``False`` when the coverage is inactive (or not in force on *on*), or
        a benefit of one of the services says "not covered" (``EB01`` ``I``);
        ``True`` when the coverage is active and a benefit of one of the
        services says anything else (a copay, a limit, active coverage);
        ``None`` when the 271 does not say (no benefit names the services).

        Raises:
            ValidationError: An argument is of the wrong type.
        """
        wanted = _services(services)
        active = self.active if on is None else self.is_active(on)
        if active is False:
            return False
        specific = [b for b in self.benefits if wanted.intersection(b.service_types)]
        if any(b.code is BenefitCode.NON_COVERED for b in specific):
            return False
        if active and specific:
            return True
        return None

    # --- money ---------------------------------------------------------------------

    def copay(
        self, services: Iterable[ServiceType] = THERAPY_SERVICES, *, in_network: bool = True
    ) -> Decimal | None:
        """
        The copay per visit (``EB01`` ``B``), or ``None`` when the 271 does not tell.

        Raises:
            ValidationError: An argument is of the wrong type.
        """
        found = _matching(
            self.benefits, _services(services), _COPAY, in_network=_network(in_network)
        )
        return _first_amount(found, lambda b: b.time_period in (None, TimePeriod.VISIT))

    def coinsurance(
        self, services: Iterable[ServiceType] = THERAPY_SERVICES, *, in_network: bool = True
    ) -> Decimal | None:
        """
        The patient's co-insurance, a percentage (``EB01`` ``A``), or ``None``.

        Raises:
            ValidationError: An argument is of the wrong type.
        """
        found = _matching(
            self.benefits, _services(services), _COINSURANCE, in_network=_network(in_network)
        )
        return next((b.percent for b in found if b.percent is not None), None)

    def deductible(
        self,
        services: Iterable[ServiceType] = THERAPY_SERVICES,
        *,
        in_network: bool = True,
        level: CoverageLevel = CoverageLevel.INDIVIDUAL,
    ) -> Decimal | None:
        """
        The deductible of the period (``EB01`` ``C``), or ``None`` when not told.

        Args:
            services: The service types asked about.
            in_network: The network side asked about.
            level: Whose deductible: the individual's (default) or the family's.

        Raises:
            ValidationError: An argument is of the wrong type.
        """
        found = self._deductibles(services, in_network, level)
        return _first_amount(found, lambda b: b.time_period not in _PART_PERIODS)

    def deductible_remaining(
        self,
        services: Iterable[ServiceType] = THERAPY_SERVICES,
        *,
        in_network: bool = True,
        level: CoverageLevel = CoverageLevel.INDIVIDUAL,
    ) -> Decimal | None:
        """
        What is left of the deductible, or ``None`` when not told.

        A deductible with the period "remaining" (``EB06`` 29) answers;
        without one, the deductible less what was met year to date (24).

        Raises:
            ValidationError: An argument is of the wrong type.
        """
        found = self._deductibles(services, in_network, level)
        left = _first_amount(found, lambda b: b.time_period is TimePeriod.REMAINING)
        if left is not None:
            return left
        total = _first_amount(found, lambda b: b.time_period not in _PART_PERIODS)
        met = _first_amount(found, lambda b: b.time_period is TimePeriod.YEAR_TO_DATE)
        if total is None or met is None:
            return None
        return max(total - met, _ZERO)

    def _deductibles(self, services: object, in_network: object, level: object) -> list[Benefit]:
        if level.__class__ is not CoverageLevel:
            raise invalid_type("level", "a CoverageLevel")
        found = _matching(
            self.benefits, _services(services), _DEDUCTIBLE, in_network=_network(in_network)
        )
        return _level(found, level)

    # --- visits --------------------------------------------------------------------

    def _visits(self, services: object, test: Callable[[Benefit], bool]) -> int | None:
        found = _matching(self.benefits, _services(services), _LIMITATIONS, in_network=None)
        return next((b.visits for b in found if b.visits is not None and test(b)), None)

    def _visit_period(self, services: object) -> TimePeriod | None:
        found = _matching(self.benefits, _services(services), _LIMITATIONS, in_network=None)
        return next(
            (
                b.time_period
                for b in found
                if b.visits is not None and b.time_period not in _PART_PERIODS
            ),
            None,
        )

    def visits_allowed(self, services: Iterable[ServiceType] = THERAPY_SERVICES) -> int | None:
        """
        How many visits the plan pays for in its period, or ``None``.

        A limitation (``EB01`` ``F``) counting visits (``EB09`` ``VS``) over a
        whole period (a calendar year, a service year, a contract ...).

        Raises:
            ValidationError: *services* is not an iterable of service types.
        """
        return self._visits(services, lambda b: b.time_period not in _PART_PERIODS)

    def visits_used(self, services: Iterable[ServiceType] = THERAPY_SERVICES) -> int | None:
        """
        How many visits are used, or ``None``.

        A limitation counting visits year to date (``EB06`` 24), or counting
        the quantity used (``EB09`` 99).

        Raises:
            ValidationError: *services* is not an iterable of service types.
        """
        wanted = _services(services)
        used = self._visits(wanted, lambda b: b.time_period is TimePeriod.YEAR_TO_DATE)
        if used is not None:
            return used
        found = _matching(self.benefits, wanted, _LIMITATIONS, in_network=None)
        for benefit in found:
            quantity = benefit.quantity
            if (
                benefit.quantity_qualifier is QuantityQualifier.QUANTITY_USED
                and quantity is not None
                and quantity == quantity.to_integral_value()
            ):
                return int(quantity)
        return None

    def visits_remaining(self, services: Iterable[ServiceType] = THERAPY_SERVICES) -> int | None:
        """
        How many visits are left, or ``None``.

        A limitation counting the visits remaining (``EB06`` 29); without one,
        the visits allowed less those used.

        Raises:
            ValidationError: *services* is not an iterable of service types.
        """
        wanted = _services(services)
        left = self._visits(wanted, lambda b: b.time_period is TimePeriod.REMAINING)
        if left is not None:
            return left
        allowed, used = self.visits_allowed(wanted), self.visits_used(wanted)
        if allowed is None or used is None:
            return None
        return max(allowed - used, 0)

    # --- requirements --------------------------------------------------------------

    def authorization_required(
        self, services: Iterable[ServiceType] = THERAPY_SERVICES
    ) -> Requirement:
        """
        Whether prior authorisation (or certification) is required.

        The payer's messages about authorisation answer first; then the
        authorization indicator (``EB11``) of the benefits of *services*.

        Raises:
            ValidationError: *services* is not an iterable of service types.
        """
        found = _matching(self.benefits, _services(services), _EVERY_CODE, in_network=None)
        return _requirement(found, _AUTH_WORDS, "prior authorization", eb11=True)

    def referral_required(self, services: Iterable[ServiceType] = THERAPY_SERVICES) -> Requirement:
        """
        Whether a referral or a prescription (an order) is required.

        Only the payer's messages (``MSG``) say so: a message naming a
        referral, a prescription or an order says it is required, unless it
        says "no ..." or "not required". When no message says, but the
        benefits require authorisation or certification (``EB11``), the answer
        says so and stays ``None``.

        Raises:
            ValidationError: *services* is not an iterable of service types.
        """
        found = _matching(self.benefits, _services(services), _EVERY_CODE, in_network=None)
        return _requirement(found, _REFERRAL_WORDS, "a referral or prescription", eb11=False)

    # --- using the answer -----------------------------------------------------------

    def estimate(
        self,
        claim: Claim,
        *,
        services: Iterable[ServiceType] = THERAPY_SERVICES,
        in_network: bool = True,
        allowed: FeeSchedule | None = None,
    ) -> Estimate:
        """
        Estimate the patient's and the insurer's shares of *claim*.

        :func:`soapbill.billing.fees.estimate` with the 271's remaining
        deductible, co-insurance and copay; a figure the 271 does not give
        counts as none, and the estimate's steps say so.

        Raises:
            ValidationError: An argument is of the wrong type.
            ~soapbill.billing.fees.FeeNotFoundError: *allowed* lacks a fee for a
                line's code and date.
        """
        wanted = _services(services)
        figures = (
            self.deductible_remaining(wanted, in_network=in_network),
            self.coinsurance(wanted, in_network=in_network),
            self.copay(wanted, in_network=in_network),
        )
        return _estimate(claim, allowed, figures, "The 271")

    def _terms(self, services: frozenset[ServiceType]) -> _Terms:
        allowed = None
        for benefit in _matching(self.benefits, services, _LIMITATIONS, in_network=None):
            if benefit.time_period is TimePeriod.CALENDAR_YEAR and benefit.visits is not None:
                allowed = benefit.visits
                break
        procedures = [b for b in self.benefits if b.procedure is not None]
        return _Terms(
            visits_per_year=allowed,
            authorization=self.authorization_required(services).required,
            rx_required=self.referral_required(services).required,
            covered=frozenset(
                b.procedure
                for b in procedures
                if b.procedure is not None and b.code is not BenefitCode.NON_COVERED
            ),
            not_covered=frozenset(
                b.procedure
                for b in procedures
                if b.procedure is not None and b.code is BenefitCode.NON_COVERED
            ),
        )

    def summary(self, services: Iterable[ServiceType] = THERAPY_SERVICES) -> tuple[str, ...]:
        """
        What a front desk reads: covered or not, copay, deductible left, visits, requirements.

        One line each, in plain words, with no patient data (the trace
        number ties the answer to the inquiry).

        Raises:
            ValidationError: *services* is not an iterable of service types.
        """
        wanted = tuple_of(services, ServiceType, "services")
        lines = []
        if self.trace_number is not None:
            lines.append(f"Inquiry: {self.trace_number}")
        if self.payer is not None:
            lines.append(f"Payer: {_line(self.payer.name)} ({_line(self.payer.id)})")
        lines.append(f"Coverage: {_answer(self.active, 'active', 'inactive')}")
        for service in wanted:
            answer = _answer(self.covers((service,)), "covered", "not covered")
            lines.append(f"{service.label[:1].upper()}{service.label[1:]}: {answer}")
        lines += self._cost_lines(wanted, "in network", in_network=True)
        lines += self._cost_lines(wanted, "out of network", in_network=False)
        lines += [
            f"Visits: {self._visits_text(wanted)}",
            f"Prior authorization: {_required(self.authorization_required(wanted))}",
            f"Referral or prescription: {_required(self.referral_required(wanted))}",
        ]
        lines += [
            f"Rejected ({r.loop}): {r.reason} {r.explanation}; next: {r.follow_up.explanation}"
            for r in self.rejections
        ]
        return tuple(lines)

    def _cost_lines(
        self, services: tuple[ServiceType, ...], side: str, *, in_network: bool
    ) -> list[str]:
        """
        The summary's copay, co-insurance and deductible on one side of the network.
        """
        left = self.deductible_remaining(services, in_network=in_network)
        total = self.deductible(services, in_network=in_network)
        deductible = _told(total, _dollars)
        if left is not None:
            deductible += f", {_dollars(left)} left"
        elif total is not None:
            deductible += ", remaining not told"
        copay = self.copay(services, in_network=in_network)
        share = self.coinsurance(services, in_network=in_network)
        return [
            f"Copay ({side}): {_told(copay, _dollars)}",
            f"Co-insurance ({side}): {_told(share, _percent)}",
            f"Deductible ({side}): {deductible}",
        ]

    def _visits_text(self, services: tuple[ServiceType, ...]) -> str:
        """
        The summary's visits: left of how many, over which period, and how many used.
        """
        allowed, used = self.visits_allowed(services), self.visits_used(services)
        left = self.visits_remaining(services)
        visits = "not told" if left is None else f"{left} left"
        if allowed is not None:
            period = self._visit_period(services)
            visits += f" of {allowed}" if left is not None else f"; {allowed} allowed"
            visits += "" if period is None else f" {period.label}"
        if used is not None:
            visits += f" ({used} used)"
        return visits


def _line(text: str) -> str:
    return " ".join(printable(text).split())


def _answer(value: bool | None, yes: str, no: str) -> str:  # noqa: FBT001 - the answer told
    return "not told" if value is None else yes if value else no


def _told(value: Decimal | None, show: Callable[[Decimal], str]) -> str:
    return "not told" if value is None else show(value)


def _required(requirement: Requirement) -> str:
    if requirement.required is None:
        return f"not told ({requirement.basis})"
    word = "required" if requirement.required else "not required"
    return f"{word} ({requirement.basis})"


# --- answers taken by phone --------------------------------------------------------------


@model
class BenefitsAnswers:
    """
    What the payer said on the phone, typed: the answers to :func:`render_benefits_questions`.

    Leave ``None`` what the payer did not say. :func:`policy_from_benefits`
    turns the answers into a :class:`~soapbill.rules.PayerPolicy`, as it does
    a 271; :meth:`estimate` estimates a claim's shares.

    Attributes:
        called_on: The day of the call.
        reference_number: The payer's reference number of the call.
        representative: The name of the payer's representative.
        covered_codes: The procedure codes the payer said it covers.
        not_covered_codes: The codes it said it does not cover.
        rx_required: Whether a prescription or referral is required.
        prescriber_credentials: Who may write it (MD, DO, NP ...).
        visits_per_year: The visits paid per calendar year.
        visits_used: The visits used this year.
        prior_authorization_required: Whether prior authorisation is required.
        prior_authorization_after_visits: After how many visits it is
            required (0: from the first).
        copay: The copay per visit.
        coinsurance_percent: The patient's co-insurance, a percentage.
        deductible: The deductible of the year.
        deductible_remaining: What is left of it.
        in_network: Whether the provider is in the plan's network.
        out_of_network_percent: The share of the allowed amount the plan
            reimburses out of network, a percentage.

    .. versionadded:: 0.1.0
    """

    #: A top-level JSON document: it carries ``"format_version"``.
    __soapbill_document__: ClassVar[bool] = True

    called_on: date
    reference_number: str | None = attrs.field(default=None, metadata=rules(max_len=50))
    representative: str | None = attrs.field(default=None, metadata=rules(max_len=60))
    covered_codes: tuple[CptCode, ...] = attrs.field(default=(), metadata=rules(unique=True))
    not_covered_codes: tuple[CptCode, ...] = attrs.field(default=(), metadata=rules(unique=True))
    rx_required: bool | None = None
    prescriber_credentials: tuple[Credential, ...] | None = attrs.field(
        default=None, metadata=rules(min_len=1, unique=True)
    )
    visits_per_year: int | None = attrs.field(default=None, metadata=rules(ge=0, le=366))
    visits_used: int | None = attrs.field(default=None, metadata=rules(ge=0, le=366))
    prior_authorization_required: bool | None = None
    prior_authorization_after_visits: int | None = attrs.field(
        default=None, metadata=rules(ge=0, le=1000)
    )
    copay: Decimal | None = None
    coinsurance_percent: Decimal | None = None
    deductible: Decimal | None = None
    deductible_remaining: Decimal | None = None
    in_network: bool | None = None
    out_of_network_percent: Decimal | None = None

    def _check_fields(self) -> None:
        both = set(self.covered_codes) & set(self.not_covered_codes)
        if both:
            raise ValidationError.single(
                "not_covered_codes", "conflict", "a code is either covered or not covered"
            )
        for name in ("coinsurance_percent", "out_of_network_percent"):
            value = getattr(self, name)
            if value is not None and value > _HUNDRED:
                raise ValidationError.single(name, "too_large", "a percentage is at most 100")
        if self.prior_authorization_after_visits is not None and (
            self.prior_authorization_required is not True
        ):
            raise ValidationError.single(
                "prior_authorization_after_visits",
                "not_allowed",
                "only when prior authorization is required",
            )
        if self.prescriber_credentials is not None and self.rx_required is not True:
            raise ValidationError.single(
                "prescriber_credentials", "not_allowed", "only when a prescription is required"
            )
        if (
            self.deductible is not None
            and self.deductible_remaining is not None
            and self.deductible_remaining > self.deductible
        ):
            raise ValidationError.single(
                "deductible_remaining", "too_large", "must not be more than the deductible"
            )

    @property
    def visits_remaining(self) -> int | None:
        """
        The visits left this year, when both the limit and the visits used are known.
        """
        if self.visits_per_year is None or self.visits_used is None:
            return None
        return max(self.visits_per_year - self.visits_used, 0)

    def estimate(self, claim: Claim, *, allowed: FeeSchedule | None = None) -> Estimate:
        """
        Estimate the patient's and the insurer's shares of *claim* from the answers.

        As :meth:`EligibilityResponse.estimate` does: answers not given count as none.

        Raises:
            ValidationError: An argument is of the wrong type.
            ~soapbill.billing.fees.FeeNotFoundError: *allowed* lacks a fee for a
                line's code and date.
        """
        figures = (self.deductible_remaining, self.coinsurance_percent, self.copay)
        return _estimate(claim, allowed, figures, "The call")

    def _terms(self) -> _Terms:
        return _Terms(
            visits_per_year=self.visits_per_year,
            authorization=self.prior_authorization_required,
            authorization_after_visits=self.prior_authorization_after_visits or 0,
            rx_required=self.rx_required,
            prescriber_credentials=self.prescriber_credentials,
            covered=frozenset(self.covered_codes),
            not_covered=frozenset(self.not_covered_codes),
        )


def policy_from_benefits(
    source: EligibilityResponse | BenefitsAnswers,
    *,
    base: PayerPolicy,
    services: Iterable[ServiceType] = THERAPY_SERVICES,
) -> PayerPolicy:
    """
    A copy of *base* with what the payer said, so that ``evaluate`` checks a claim against it.

    From a 271 (:class:`EligibilityResponse`, for *services*) or a call
    (:class:`BenefitsAnswers`), what the payer said replaces the policy's:

    - ``visits_per_year``: the visits paid per calendar year (a 271's
      limitation counting visits per calendar year, ``EB06`` 23; a limit
      over another period is not a calendar-year limit and is not taken);
    - ``prior_authorization``: required (from the first visit, or after the
      visits the call named), or not required;
    - ``rx_required`` and ``prescriber_credentials``: whether a prescription
      or referral is required, and from whom;
    - ``covered_codes``: codes the payer said it covers are added to the
      policy's list, codes it does not cover are removed (from soapbill's
      code catalogue when the policy covers any code).

    What the payer did not say leaves the policy's field as it was. A
    policy covers at least one code: when the payer covers none of the codes
    the policy holds, ``covered_codes`` is left as it was; ask
    :meth:`EligibilityResponse.covers` before you bill.

    Raises:
        ValidationError: An argument is of the wrong type.

    .. versionadded:: 0.1.0
    """
    check_instance(base, PayerPolicy, "base")
    if isinstance(source, EligibilityResponse):
        terms = source._terms(_services(services))  # noqa: SLF001 - this module's own
    elif isinstance(source, BenefitsAnswers):
        terms = source._terms()  # noqa: SLF001 - this module's own
    else:
        raise invalid_type("source", "an EligibilityResponse or BenefitsAnswers")
    return terms.apply(base)


# --- the phone checklist ---------------------------------------------------------------

_BOX: Final = "[ ] yes  [ ] no"
_BLANK: Final = "________"


def _questions(services: tuple[CptCode, ...]) -> list[tuple[str, list[tuple[str, str]]]]:
    """
    The checklist's sections: a title and its questions, each with its answer blank.
    """
    codes_asked = [
        (f"Is {code} ({label}) covered?", _BOX)
        for code, label in ((c, DEFAULT_CATALOG.label(c) or "procedure") for c in services)
    ]
    return [
        (
            "Coverage",
            [
                ("Is the coverage active on the date of service?", _BOX),
                ("First and last day of coverage", f"{_BLANK} to {_BLANK}"),
                *codes_asked,
                ("Is a massage therapist (or this provider type) covered?", _BOX),
            ],
        ),
        (
            "Prescription, referral and authorization",
            [
                ("Is a prescription (Rx) or a referral required?", _BOX),
                ("From whom? (MD, DO, NP, PA, DC, PT)", _BLANK),
                ("Is prior authorization required?", _BOX),
                ("From which visit on?", _BLANK),
            ],
        ),
        (
            "Visits",
            [
                ("How many visits a calendar year are paid?", _BLANK),
                ("How many are used this year?", _BLANK),
            ],
        ),
        (
            "What the patient pays",
            [
                ("Copay per visit", f"${_BLANK}"),
                ("Co-insurance", f"{_BLANK} %"),
                ("Deductible of the year", f"${_BLANK}"),
                ("Deductible remaining", f"${_BLANK}"),
            ],
        ),
        (
            "Network",
            [
                ("Is the provider in network?", _BOX),
                ("Out-of-network reimbursement (share of the allowed amount)", f"{_BLANK} %"),
            ],
        ),
        (
            "The call",
            [
                ("Date and time of the call", _BLANK),
                ("Representative's name", _BLANK),
                ("Reference number of the call", _BLANK),
            ],
        ),
    ]


def _heading(coverage: Coverage) -> list[tuple[str, str]]:
    rows = [
        ("Payer", _line(coverage.payer.name)),
        ("Payer id", _line(coverage.payer.id)),
        ("Member id", _line(coverage.member_id)),
    ]
    if coverage.group_number is not None:
        rows.append(("Group number", _line(coverage.group_number)))
    rows.append(("Plan type", coverage.plan_type.value.replace("_", " ")))
    return rows


def render_benefits_questions(
    coverage: Coverage,
    *,
    services: Sequence[CptCode],
    kind: Literal["text", "html"] = "text",
) -> str:
    """
    The checklist a front desk reads to the payer on the phone, when there is no EDI link.

    It asks what a 271 would answer: is the coverage active, are the codes
    in *services* covered (and for this provider type), is a prescription or
    a referral required and from whom, the visits per year and those used,
    prior authorisation, copay, co-insurance, deductible and what remains,
    in- and out-of-network reimbursement, and the reference number of the
    call. Record the answers in a :class:`BenefitsAnswers`.

    The HTML page prints on one US Letter page for up to 8 codes.

    Args:
        coverage: The coverage to ask about: its payer, member id and group
            number head the page.
        services: The procedure codes to ask about (one to 20), such as
            97124 and 97140.
        kind: ``"text"`` or ``"html"`` (one self-contained page).

    Raises:
        ValidationError: An argument is invalid.

    .. versionadded:: 0.1.0
    """
    check_instance(coverage, Coverage, "coverage")
    asked = tuple_of(services, CptCode, "services")
    if not 1 <= len(asked) <= 20:  # noqa: PLR2004 - what fits on a page
        raise ValidationError.single("services", "invalid_length", "ask about 1 to 20 codes")
    if len(set(asked)) != len(asked):
        raise ValidationError.single("services", "duplicate", "must not repeat a code")
    if kind not in ("text", "html"):
        raise ValidationError.single("kind", "invalid_choice", 'expected "text" or "html"')
    heading = _heading(coverage)
    sections = _questions(asked)
    if kind == "text":
        return _questions_text(heading, sections)
    return _questions_html(heading, sections)


_TITLE: Final = "Insurance benefits: questions for the payer"


def _questions_text(
    heading: list[tuple[str, str]], sections: list[tuple[str, list[tuple[str, str]]]]
) -> str:
    out = [_TITLE, "=" * len(_TITLE), ""]
    width = max(len(label) for label, _ in heading)
    out += [f"{label:<{width}}  {value}" for label, value in heading]
    number = 0
    for title, questions in sections:
        out += ["", title, "-" * len(title)]
        for question, blank in questions:
            number += 1
            out.append(f"{number:2d}. {question}  {blank}")
    out.append("")
    return "\n".join(out)


def _questions_html(
    heading: list[tuple[str, str]], sections: list[tuple[str, list[tuple[str, str]]]]
) -> str:
    e = html.escape
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in heading)
    body = []
    number = 0
    for title, questions in sections:
        items = []
        for question, blank in questions:
            number += 1
            items.append(
                f'<tr><td class="n">{number}.</td><td>{e(question)}</td>'
                f'<td class="a">{e(blank)}</td></tr>'
            )
        body.append(f'<h2>{e(title)}</h2><table class="q">{"".join(items)}</table>')
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{e(_TITLE)}</title>'
        f"<style>{_CSS}</style></head><body>"
        f"<h1>{e(_TITLE)}</h1>"
        f'<table class="kv">{rows}</table>'
        f"{''.join(body)}"
        "</body></html>\n"
    )


# One Letter page with half-inch margins, as the superbill prints.
_CSS: Final = (
    "@page{size:Letter;margin:0.5in}"
    "*{box-sizing:border-box}"
    "body{margin:0;font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"
    "font-size:9.5pt;line-height:1.25;color:#000}"
    "h1{font-size:15pt;margin:0 0 6pt}"
    "h2{font-size:10.5pt;margin:8pt 0 2pt;border-bottom:0.75pt solid #000}"
    "table{border-collapse:collapse;width:100%}"
    ".kv th{text-align:left;font-weight:normal;color:#333;width:18%;padding:0 6pt 0 0}"
    ".kv td{overflow-wrap:anywhere}"
    ".q td{padding:2.5pt 4pt;border-bottom:0.5pt solid #bbb;vertical-align:bottom}"
    ".q .n{width:4%;text-align:right}"
    ".q .a{width:30%;white-space:nowrap}"
    "tr{break-inside:avoid}"
)


# --- reading the 271 ---------------------------------------------------------------------

#: The loops of the hierarchy (``HL03``) and the level each one's parent is.
_HL_PARENTS: Final = {"20": None, "21": "20", "22": "21", "23": "22"}
#: The name loop of each level, as the guide names it (AAA of the level).
_NAME_LOOPS: Final = {"20": "2100A", "21": "2100B", "22": "2100C", "23": "2100D"}
_BENEFIT_LOOPS: Final = {"22": "2110C", "23": "2110D"}
_SEXES: Final = {"F": Sex.FEMALE, "M": Sex.MALE, "U": Sex.UNKNOWN}
_EB11: Final = frozenset({"Y", "N", "U"})
_CENT: Final = Decimal("0.01")
_LIMIT: Final = Decimal(10_000_000_000)
#: ``MSG01`` is 1 to 264 characters; a 2110 loop holds at most 10 ``MSG`` segments.
_MESSAGE_MAX: Final = 264
_MESSAGES_MAX: Final = 10
#: Coverage dates of a subscriber or dependent (``DTP01``): first day, last
#: day, or a range (RD8) of both.
_FIRST_DAYS: Final = frozenset({"346", "356"})
_LAST_DAYS: Final = frozenset({"347", "357"})
_RANGES: Final = frozenset({"291", "307"})
#: Dates of a benefit: its begin, its end, or a range (``292``).
_BENEFIT_FIRST: Final = frozenset({"348", "346"})
_BENEFIT_LAST: Final = frozenset({"349", "347"})


def _build(segment: xr.Segment, factory: Callable[..., T], **fields: Any) -> T:  # noqa: ANN401 - model fields
    """
    Build a model from values read at *segment*; a refusal names the segment only.
    """
    built: T | None = None
    # Reported after the refusal is suppressed, so that no chained error
    # repeats a value.
    with contextlib.suppress(ValidationError):
        built = factory(**fields)
    if built is None:
        xr.fail(segment.path(), "x12_value", "a value does not fit its model field")
    return built


def _code(segment: xr.Segment, n: int, members: Mapping[str, T], what: str) -> T:
    found = members.get(xr.required(segment, n))
    if found is None:
        xr.fail(segment.path(n), "x12_code", f"not a known {what} code")
    return found


def _service_types(segment: xr.Segment, n: int) -> tuple[ServiceType, ...]:
    value = xr.element(segment, n)
    if not value:
        return ()
    repetition = segment.separators.repetition
    parts = value.split(repetition) if repetition else [value]
    found = []
    for part in parts:
        service = _SERVICE_TYPES.get(part)
        if service is None:
            xr.fail(segment.path(n), "x12_code", "not a known service type code")
        found.append(service)
    return tuple(found)


def _fraction(segment: xr.Segment, n: int) -> Decimal | None:
    fraction = xr.number(segment, n)
    if fraction is None:
        return None
    if not 0 <= fraction <= 1:
        xr.fail(segment.path(n), "x12_percent", "a percent is written as a fraction from 0 to 1")
    percent = fraction.scaleb(2)
    exponent = percent.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:  # noqa: PLR2004 - hundredths of a percent
        xr.fail(segment.path(n), "x12_percent", "a percent has at most four decimal places")
    return percent.quantize(_CENT)


def _quantity(segment: xr.Segment, n: int) -> Decimal | None:
    quantity = xr.number(segment, n)
    if quantity is None:
        return None
    if quantity < 0 or quantity >= _LIMIT:
        xr.fail(segment.path(n), "x12_quantity", "a quantity is from 0 to below ten billion")
    exponent = quantity.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:  # noqa: PLR2004 - like money
        xr.fail(segment.path(n), "x12_quantity", "a quantity has at most two decimal places")
    return quantity


def _procedure(segment: xr.Segment, n: int) -> CptCode | None:
    parts = xr.components(segment, n)
    if len(parts) < 2 or parts[0] != "HC" or not parts[1]:  # noqa: PLR2004 - qualifier and code
        return None
    if not cpt.is_valid(parts[1]):
        xr.fail(segment.path(n), "x12_code", "not a CPT or HCPCS code")
    return CptCode(parts[1])


#: The codes of ``EB01``, ``EB02``, ``EB04``, ``EB06``, ``EB09``, ``EB11`` and
#: ``EB12``: the element, its members by value, and how a refusal names it.
_EB_CODES: Final = (
    (2, "coverage_level", _COVERAGE_LEVELS, "coverage level"),
    (4, "insurance_type", _INSURANCE_TYPES, "insurance type"),
    (6, "time_period", _TIME_PERIODS, "time period qualifier"),
    (9, "quantity_qualifier", _QUANTITY_QUALIFIERS, "quantity qualifier"),
    (11, "authorization", {k: v for k, v in _INDICATORS.items() if k in _EB11}, "authorization"),
    (12, "in_network", _INDICATORS, "in plan network indicator"),
)
_EB_ELEMENTS: Final = 14
_PAD: Final = [""] * _EB_ELEMENTS


def _eb(segment: xr.Segment) -> dict[str, Any]:
    """
    The fields of a :class:`Benefit` from an ``EB`` segment.
    """
    elements = segment.elements
    # Padded once, so that each element is read by index (the reader's hottest loop).
    e = elements if len(elements) >= _EB_ELEMENTS else elements + _PAD[len(elements) :]
    fields: dict[str, Any] = {
        "code": _code(segment, 1, _BENEFIT_CODES, "eligibility or benefit information"),
        "service_types": _service_types(segment, 3),
        "plan": e[5] or None,
        "amount": None,
        "percent": _fraction(segment, 8),
        "quantity": _quantity(segment, 10),
        "procedure": _procedure(segment, 13),
    }
    for n, name, members, what in _EB_CODES:
        value = e[n]
        if value:
            found = members.get(value)
            if found is None:
                xr.fail(segment.path(n), "x12_code", f"not a known {what} code")
            fields[name] = found
        else:
            fields[name] = None
    if e[7]:
        amount = xr.optional_amount(segment, 7)
        if amount is not None and amount < 0:
            xr.fail(segment.path(7), "x12_amount", "a benefit amount is not negative")
        fields["amount"] = amount
    return fields


def _dates(segment: xr.Segment) -> tuple[str, date, date | None]:
    """
    A ``DTP``: its qualifier, its date (or first day) and the last day of a range.
    """
    qualifier = xr.required(segment, 1)
    form = xr.required(segment, 2)
    if form == "D8":
        return qualifier, xr.date8(segment, 3), None
    if form != "RD8":
        xr.fail(segment.path(2), "x12_code", "a date is written D8 or RD8")
    value = xr.required(segment, 3)
    first, dash, last = value.partition("-")
    if not dash:
        xr.fail(segment.path(3), "x12_date", "expected a range as CCYYMMDD-CCYYMMDD")
    start, end = xr.date8(segment, 3, first), xr.date8(segment, 3, last)
    if end < start:
        xr.fail(segment.path(3), "x12_date", "a range ends before it starts")
    return qualifier, start, end


class _Benefit:
    """
    A benefit loop (2110C or 2110D) as it is read.
    """

    __slots__ = ("end", "fields", "messages", "segment", "start")

    def __init__(self, segment: xr.Segment) -> None:
        self.segment = segment
        self.fields = _eb(segment)
        self.messages: list[str] = []
        self.start: date | None = None
        self.end: date | None = None

    def date(self, segment: xr.Segment) -> None:
        qualifier, first, last = _dates(segment)
        if qualifier == "292":
            self.start, self.end = first, first if last is None else last
        elif qualifier in _BENEFIT_FIRST and last is None:
            self.start = first
        elif qualifier in _BENEFIT_LAST and last is None:
            self.end = first

    def read(self, segment: xr.Segment) -> None:
        """
        Read a segment of the benefit loop: ``MSG``, ``DTP``; not ``HSD``, ``REF``, ``III`` ...
        """
        if segment.id == "MSG":
            self.message(segment)
        elif segment.id == "DTP":
            self.date(segment)

    def message(self, segment: xr.Segment) -> None:
        text = xr.required(segment, 1)
        if len(text) > _MESSAGE_MAX:
            xr.fail(segment.path(1), "x12_length", "a message has at most 264 characters")
        if len(self.messages) == _MESSAGES_MAX:
            xr.fail(segment.path(), "x12_repeat", "a benefit has at most 10 messages")
        self.messages.append(text)

    def build(self) -> Benefit:
        return _build(
            self.segment,
            Benefit,
            **self.fields,
            start=self.start,
            end=self.end,
            messages=tuple(self.messages),
        )


class _Level:
    """
    One level of the hierarchy (an ``HL`` and its loops) as it is read.
    """

    __slots__ = (
        "benefits",
        "children",
        "code",
        "end",
        "group_number",
        "member",
        "name",
        "plan_number",
        "rejections",
        "segment",
        "start",
        "trace",
    )

    def __init__(self, segment: xr.Segment, code: str) -> None:
        self.segment = segment
        self.code = code
        self.children: list[_Level] = []
        self.name: xr.Segment | None = None
        self.member: dict[str, Any] = {}
        self.rejections: list[Rejection] = []
        self.benefits: list[Benefit] = []
        self.trace: str | None = None
        self.group_number: str | None = None
        self.plan_number: str | None = None
        self.start: date | None = None
        self.end: date | None = None

    def read(self, segment: xr.Segment) -> None:
        """
        Read a segment of the level's name loop; others (``N3``, ``PER`` ...) are not read.
        """
        sid = segment.id
        if sid == "NM1":
            self.named(segment)
        elif sid == "TRN":
            self.traced(segment)
        elif sid == "REF":
            self.reference(segment)
        elif sid == "DMG":
            self.demographics(segment)
        elif sid == "DTP":
            self.date(segment)

    def traced(self, segment: xr.Segment) -> None:
        # TRN01 2: the trace the inquiry sent, repeated (1 is the payer's own).
        if xr.element(segment, 1) == "2" and self.trace is None:
            self.trace = xr.required(segment, 2)

    def date(self, segment: xr.Segment) -> None:
        qualifier, first, last = _dates(segment)
        if qualifier in _RANGES:
            if last is not None:
                self.start = self.start or first
                self.end = self.end or last
        elif qualifier in _FIRST_DAYS and last is None:
            self.start = self.start or first
        elif qualifier in _LAST_DAYS and last is None:
            self.end = self.end or first

    def reference(self, segment: xr.Segment) -> None:
        qualifier = xr.element(segment, 1)
        if qualifier in ("6P", "1L"):
            self.group_number = self.group_number or xr.required(segment, 2)
        elif qualifier == "18":
            self.plan_number = self.plan_number or xr.required(segment, 2)

    def demographics(self, segment: xr.Segment) -> None:
        if xr.element(segment, 1) == "D8":
            self.member["birth_date"] = xr.date8(segment, 2)
        sex = xr.element(segment, 3)
        if sex:
            found = _SEXES.get(sex)
            if found is None:
                xr.fail(segment.path(3), "x12_code", "not a known gender code")
            self.member["sex"] = found

    def named(self, segment: xr.Segment) -> None:
        if self.name is not None:
            xr.fail(segment.path(), "x12_271", "a level has one name segment")
        self.name = segment
        if self.code in ("22", "23"):
            self.member.update(
                family_name=xr.element(segment, 3) or None,
                given_name=xr.element(segment, 4) or None,
                member_id=xr.element(segment, 9) or None,
            )

    def payer(self) -> Payer | None:
        name = self.name
        if name is None:
            return None
        return _build(name, Payer, id=xr.required(name, 9), name=xr.required(name, 3))

    def npi(self) -> Npi | None:
        name = self.name
        if name is None or xr.element(name, 8) != "XX":
            return None
        value = xr.required(name, 9)
        if not npi.is_valid(value):
            xr.fail(name.path(9), "x12_npi", "not a valid NPI")
        return Npi(value)

    def person(self) -> Member | None:
        if self.name is None and not self.member:
            return None
        return _build(self.name or self.segment, Member, **self.member)


def _rejection(segment: xr.Segment, loop: str) -> Rejection:
    valid = xr.required(segment, 1)
    if valid not in ("Y", "N"):
        xr.fail(segment.path(1), "x12_code", "not a known yes or no code")
    reason = xr.required(segment, 3)
    if len(reason) != 2:  # noqa: PLR2004 - AAA03 is two characters
        xr.fail(segment.path(3), "x12_code", "not a known reject reason code")
    return Rejection(
        loop=loop,
        valid=valid == "Y",
        reason=reason,
        follow_up=_code(segment, 4, _FOLLOW_UPS, "follow-up action"),
    )


class _Reader:
    """
    Walks the segments of one 271 transaction set; see :func:`read_271`.
    """

    def __init__(self, transaction: xr.Transaction) -> None:
        self.transaction = transaction
        self.levels: dict[str, _Level] = {}
        self.sources: list[_Level] = []
        self.level: _Level | None = None
        self.benefit: _Benefit | None = None
        # Inside LS ... LE: the benefit's related entities (loop 2120), not read.
        self.related = False

    def finish_benefit(self) -> None:
        benefit, level = self.benefit, self.level
        if benefit is not None and level is not None:
            level.benefits.append(benefit.build())
        self.benefit = None
        self.related = False

    def hierarchy(self, segment: xr.Segment) -> None:
        self.finish_benefit()
        number = xr.required(segment, 1)
        code = xr.required(segment, 3)
        if code not in _HL_PARENTS:
            xr.fail(segment.path(3), "x12_code", "not a level of the 271 hierarchy")
        if number in self.levels:
            xr.fail(segment.path(1), "x12_hierarchy", "a level's id is used twice")
        level = _Level(segment, code)
        parent_code = _HL_PARENTS[code]
        parent_number = xr.element(segment, 2)
        if parent_code is None:
            if parent_number:
                xr.fail(segment.path(2), "x12_hierarchy", "the information source has no parent")
            self.sources.append(level)
        else:
            parent = self.levels.get(parent_number)
            if parent is None or parent.code != parent_code:
                xr.fail(
                    segment.path(2), "x12_hierarchy", "the level's parent is not the level above"
                )
            parent.children.append(level)
        self.levels[number] = level
        self.level = level

    def segment(self, segment: xr.Segment) -> None:
        """
        Read one segment: a level, a benefit, a rejection, or a segment of either.
        """
        sid = segment.id
        if sid == "HL":
            self.hierarchy(segment)
            return
        level = self.level
        if level is None:
            if sid != "BHT":
                xr.fail(segment.path(), "x12_271", "a segment comes before the first level")
            return
        if sid == "EB":
            self.start_benefit(level, segment)
        elif sid in ("LS", "LE"):
            # Between LS and LE: the benefit's related entities (loop 2120), not read.
            self.related = sid == "LS"
        elif self.related:
            return
        elif sid == "AAA":
            level.rejections.append(_rejection(segment, self.rejection_loop(level)))
        elif self.benefit is not None:
            self.benefit.read(segment)
        else:
            level.read(segment)

    def start_benefit(self, level: _Level, segment: xr.Segment) -> None:
        if level.code not in _BENEFIT_LOOPS:
            xr.fail(segment.path(), "x12_271", "a benefit stands outside a subscriber or dependent")
        self.finish_benefit()
        self.benefit = _Benefit(segment)

    def rejection_loop(self, level: _Level) -> str:
        """
        The loop an ``AAA`` segment read now stands in.
        """
        if self.benefit is not None:
            return _BENEFIT_LOOPS[level.code]
        if level.code == "20" and level.name is None:
            return "2000A"
        return _NAME_LOOPS[level.code]

    def read(self) -> list[EligibilityResponse]:
        segments = self.transaction.segments
        if len(segments) < 3 or segments[1].id != "BHT":  # noqa: PLR2004 - ST, BHT, SE
            xr.fail(segments[0].path(), "x12_271", "a 271 starts with a BHT segment")
        for segment in segments[1:-1]:
            self.segment(segment)
        self.finish_benefit()
        if not self.sources:
            xr.fail(segments[0].path(), "x12_271", "the 271 has no information source")
        responses = []
        for source in self.sources:
            receivers: list[_Level | None] = [*source.children] or [None]
            for receiver in receivers:
                subscribers: list[_Level | None] = [None]
                if receiver is not None and receiver.children:
                    subscribers = [*receiver.children]
                for subscriber in subscribers:
                    responses += self.answers(source, receiver, subscriber)
        return responses

    def answers(
        self, source: _Level, receiver: _Level | None, subscriber: _Level | None
    ) -> list[EligibilityResponse]:
        if subscriber is None or not subscriber.children:
            return [self.response(source, receiver, subscriber, None)]
        answers = [self.response(source, receiver, subscriber, d) for d in subscriber.children]
        if subscriber.benefits:
            # Benefits of the subscriber themself, beside their dependents'.
            answers.insert(0, self.response(source, receiver, subscriber, None))
        return answers

    def response(
        self,
        source: _Level,
        receiver: _Level | None,
        subscriber: _Level | None,
        dependent: _Level | None,
    ) -> EligibilityResponse:
        levels = [lv for lv in (source, receiver, subscriber, dependent) if lv is not None]
        patient = levels[-1]
        member_levels = [lv for lv in (dependent, subscriber) if lv is not None]

        def first(name: str) -> Any:  # noqa: ANN401 - any level attribute
            return next((getattr(lv, name) for lv in member_levels if getattr(lv, name)), None)

        return _build(
            patient.segment,
            EligibilityResponse,
            control_number=self.transaction.control_number,
            trace_number=first("trace"),
            payer=source.payer(),
            provider_npi=None if receiver is None else receiver.npi(),
            subscriber=None if subscriber is None else subscriber.person(),
            dependent=None if dependent is None else dependent.person(),
            group_number=first("group_number"),
            plan_number=first("plan_number"),
            coverage_start=first("start"),
            coverage_end=first("end"),
            rejections=tuple(r for lv in levels for r in lv.rejections),
            benefits=tuple(patient.benefits) if patient in member_levels else (),
        )


def read_271(source: str | bytes) -> tuple[EligibilityResponse, ...]:
    """
    Read a 271 eligibility and benefit response.

    The separators are learned from ``ISA``; line breaks after segment
    terminators are ignored. Loops the questions do not need (the benefits'
    related entities, ``HSD`` deliveries, additional identifiers) are passed
    over.

    Args:
        source: X12 text holding one or more 271 transaction sets.

    Returns:
        One :class:`EligibilityResponse` per patient answered (a subscriber,
        or each dependent), in order; one without members for a source or
        receiver the payer rejected before reaching any subscriber.

    Raises:
        ValidationError: The text is not a 271: not X12, broken envelopes,
            another transaction set, a broken hierarchy, a required element
            missing, or a code, amount or date that cannot be read. The path
            names the segment by its position and the element, such as
            ``segments[14].EB03``; the message never repeats the segment's
            content.

    .. versionadded:: 0.1.0
    """
    return tuple(
        response
        for _, transaction in xr.transactions(source, "271", "a 271")
        for response in _Reader(transaction).read()
    )


# --- writing the 270 ---------------------------------------------------------------------

#: The 270 as the shared envelope writer names it.
_TRANSACTION_270: Final = _x12.Transaction(
    name="270", functional_id="HS", code="270", version="005010X279A1"
)
_DMG03: Final = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.UNKNOWN: "U"}


def _name_texts(path: str, name: PersonName, out: list[_x12.Text]) -> None:
    # NM103 (1/60), NM104 (1/35), NM105 (1/25) and NM107 (1/10); the last two
    # are situational.
    out += [
        (f"{path}.family", name.family, 1),
        (f"{path}.given", name.given, 1),
        (f"{path}.middle", name.middle, 0),
        (f"{path}.suffix", name.suffix, 0),
    ]


def _inquiry_texts(inquiry: EligibilityInquiry) -> list[_x12.Text]:
    """
    The free text of *inquiry* the 270 writes, with its path and minimum length.

    Codes, NPIs, dates and the trace number are checked by their own patterns.
    """
    coverage = inquiry.coverage
    out: list[_x12.Text] = [
        # 2100A NM103 (1/60) and NM109 (2/80); 2100C NM109 (2/80) and REF02 (1/50).
        ("coverage.payer.name", coverage.payer.name, 1),
        ("coverage.payer.id", coverage.payer.id, 2),
        ("coverage.member_id", coverage.member_id, 2),
        ("coverage.group_number", coverage.group_number, 0),
    ]
    _name_texts("patient.name", inquiry.patient.name, out)
    if coverage.subscriber is not None:
        _name_texts("coverage.subscriber.name", coverage.subscriber.name, out)
    provider = inquiry.provider
    if provider.name is None:
        out.append(("provider.organization_name", provider.organization_name, 1))
    else:
        _name_texts("provider.name", provider.name, out)
    return out


def _inquiry_dates(inquiry: EligibilityInquiry) -> list[tuple[str, date]]:
    dates = [("patient.birth_date", inquiry.patient.birth_date)]
    subscriber = inquiry.coverage.subscriber
    if subscriber is not None:
        dates.append(("coverage.subscriber.birth_date", subscriber.birth_date))
    if inquiry.service_date is not None:
        dates.append(("service_date", inquiry.service_date))
    if inquiry.service_period is not None:
        dates.append(("service_period.start", inquiry.service_period.start))
    return dates


def _prepared(
    inquiries: Sequence[EligibilityInquiry],
    submitter: _x12.Submitter,
    receiver: _x12.Receiver,
    separators: _x12.X12Separators,
) -> tuple[list[EligibilityInquiry], _x12.Submitter, _x12.Receiver]:
    """
    The inquiries and parties trimmed of the spaces at the ends of their values.

    Raises:
        ValidationError: Every problem of the envelope and of the inquiries at once.
    """
    submitter, receiver, problems = _x12.checked_envelope(
        submitter, receiver, separators, _TRANSACTION_270
    )
    asked = []
    for i, inquiry in enumerate(inquiries):
        if not isinstance(inquiry, EligibilityInquiry):
            raise invalid_type(f"inquiries[{i}]", "an EligibilityInquiry")
        trimmed, found = _x12.checked(
            inquiry, _inquiry_texts(inquiry), separators, _TRANSACTION_270
        )
        problems += [p.prefixed(f"inquiries[{i}]") for p in found]
        problems += [
            _TRANSACTION_270.early(f"inquiries[{i}].{path}")
            for path, day in _inquiry_dates(inquiry)
            if day < _x12.FIRST_DAY
        ]
        asked.append(trimmed)
    if problems:
        raise ValidationError(problems)
    return asked, submitter, receiver


class _Writer270(_x12.SegmentWriter):
    """
    Writes the hierarchy of a 270: payers, then providers, then the patients asked about.
    """

    __slots__ = ()

    def segment(self, *elements: str) -> str:
        """
        One segment, terminated; trailing empty elements are not written.
        """
        e = self.e
        return e.join(elements).rstrip(e) + self.t

    def person(self, code: str, name: PersonName, *ids: str) -> str:
        # NM103 last, NM104 first, NM105 middle, NM106 prefix (not used), NM107 suffix.
        return self.segment(
            "NM1", code, "1", name.family.upper(), name.given.upper(), (name.middle or "").upper(),
            "", (name.suffix or "").upper(), *ids,
        )  # fmt: skip

    def provider(self, provider: Provider) -> list[str]:
        npi = provider.npi.value
        if provider.name is None:
            name = (provider.organization_name or "").upper()
            out = [self.segment("NM1", "1P", "2", name, "", "", "", "", "XX", npi)]
        else:
            out = [self.person("1P", provider.name, "XX", npi)]
        if provider.taxonomy is not None:
            out.append(self.segment("PRV", "PE", "PXC", provider.taxonomy))
        return out

    def service(self, inquiry: EligibilityInquiry) -> list[str]:
        """
        The date or period of service (DTP 291) and one EQ per service type.
        """
        period = inquiry.service_period
        if period is None:
            day = inquiry.service_date
            assert day is not None  # noqa: S101 - the model gives one of the two
            dates = self.segment("DTP", "291", "D8", _x12.d8(day))
        else:
            dates = self.segment(
                "DTP", "291", "RD8", f"{_x12.d8(period.start)}-{_x12.d8(period.end)}"
            )
        return [dates, *(self.segment("EQ", s.value) for s in inquiry.service_types)]

    def patient(self, inquiry: EligibilityInquiry, subscriber_level: int, hl: int) -> list[str]:
        """
        The subscriber level, and the dependent level when the patient is not the subscriber.
        """
        coverage, patient = inquiry.coverage, inquiry.patient
        trace = self.segment("TRN", "1", inquiry.trace_number, _originator(inquiry.provider))
        group = (
            []
            if coverage.group_number is None
            else [self.segment("REF", "6P", coverage.group_number)]
        )
        subscriber = coverage.subscriber
        if subscriber is None:
            return [
                self.segment("HL", str(hl), str(subscriber_level), "22", "0"),
                trace,
                self.person("IL", patient.name, "MI", coverage.member_id),
                *group,
                self.segment("DMG", "D8", _x12.d8(patient.birth_date), _DMG03[patient.sex]),
                *self.service(inquiry),
            ]
        return [
            self.segment("HL", str(hl), str(subscriber_level), "22", "1"),
            self.person("IL", subscriber.name, "MI", coverage.member_id),
            *group,
            self.segment("DMG", "D8", _x12.d8(subscriber.birth_date), _DMG03[subscriber.sex]),
            self.segment("HL", str(hl + 1), str(hl), "23", "0"),
            trace,
            self.person("03", patient.name),
            self.segment("DMG", "D8", _x12.d8(patient.birth_date), _DMG03[patient.sex]),
            *self.service(inquiry),
        ]

    def body(
        self, inquiries: Sequence[EligibilityInquiry], reference: str, created: datetime
    ) -> list[str]:
        segment = self.segment
        out = [segment("BHT", "0022", "13", reference, _x12.d8(created), _x12.hhmm(created))]
        # Payer -> provider -> inquiries, in the order they first appear.
        tree: dict[tuple[str, str], dict[Provider, list[EligibilityInquiry]]] = {}
        for inquiry in inquiries:
            payer = inquiry.coverage.payer
            tree.setdefault((payer.id, payer.name), {}).setdefault(inquiry.provider, []).append(
                inquiry
            )
        hl = 0
        for (payer_id, payer_name), providers in tree.items():
            hl += 1
            source = hl
            out += [
                segment("HL", str(source), "", "20", "1"),
                segment("NM1", "PR", "2", payer_name.upper(), "", "", "", "", "PI", payer_id),
            ]
            for provider, asked in providers.items():
                hl += 1
                receiver = hl
                out += [
                    segment("HL", str(receiver), str(source), "21", "1"),
                    *self.provider(provider),
                ]
                for inquiry in asked:
                    hl += 1
                    out += self.patient(inquiry, receiver, hl)
                    if inquiry.coverage.subscriber is not None:
                        hl += 1
        return out


def _originator(provider: Provider) -> str:
    """
    TRN03: ``1`` and the provider's EIN, or ``9`` and nine digits of its NPI.
    """
    if provider.tax_id is not None:
        return "1" + provider.tax_id.compact
    return "9" + provider.npi.value[1:]


def write_270(
    inquiries: Sequence[EligibilityInquiry],
    *,
    submitter: _x12.Submitter,
    receiver: _x12.Receiver,
    control_number: int,
    created: datetime,
    usage: Literal["T", "P"] = "T",
    separators: _x12.X12Separators = _x12.DEFAULT_SEPARATORS,
) -> str:
    """
    Write *inquiries* as one X12 270 eligibility inquiry (``005010X279A1``).

    The interchange holds one functional group with one transaction set
    (``ST02`` ``0001``), written by the envelope writer the 837P uses.
    Inquiries are grouped under their payer (information source, loop
    2000A), then their provider (information receiver, 2000B), in the order
    they first appear. Each inquiry is a subscriber level (2000C) carrying its
    trace number (``TRN``), member id, name, birth date and sex, group number,
    date or period of service (``DTP*291``) and one ``EQ`` per service type;
    when the patient is a dependent, the subscriber level names the subscriber
    and a dependent level (2000D) carries the rest. Names are written in upper
    case; spaces at the ends of a value are not written.

    Args:
        inquiries: One or more inquiries, in a list or a tuple.
        submitter: Who sends the file (ISA06, GS02).
        receiver: Who receives it (ISA08, GS03): a clearinghouse or the payer.
        control_number: ISA13 (nine digits) and GS06: 1 to 999999999.
        created: When the file was made (ISA09/10, GS04/05, BHT04/05).
        usage: ``"T"`` for test, ``"P"`` for production (ISA15).
        separators: The delimiters.

    Returns:
        The interchange, segments ending with the segment terminator and no
        line breaks.

    Raises:
        ValidationError: An argument is invalid (the path names it), or a
            value cannot be written: a separator or a character outside the
            X12 extended character set, a value of spaces only, a date before
            1800. The error lists every problem at once, the envelope's under
            ``submitter.`` and ``receiver.``, each inquiry's under
            ``inquiries[i].``.

    .. versionadded:: 0.1.0
    """
    _x12.check_envelope(
        submitter, receiver, control_number, created, usage, separators, _TRANSACTION_270
    )
    if not isinstance(inquiries, (list, tuple)):
        raise invalid_type("inquiries", "a list or tuple of inquiries")
    if not inquiries:
        raise ValidationError.single("inquiries", "too_short", "write at least one inquiry")
    asked, submitter, receiver = _prepared(inquiries, submitter, receiver, separators)
    writer = _Writer270(separators)
    return writer.interchange(
        "".join(writer.body(asked, f"{control_number:09d}", created)),
        transaction=_TRANSACTION_270,
        submitter=submitter,
        receiver=receiver,
        control_number=control_number,
        created=created,
        usage=usage,
    )
