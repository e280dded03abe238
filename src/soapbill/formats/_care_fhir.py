"""
The FHIR R4 forms of :mod:`soapbill.care`: the Rx request and the progress report.

An :class:`~soapbill.care.RxRequest` is a ``collection`` Bundle of the
Patient, the therapist and the prescriber as Practitioners, and one
ServiceRequest per proposed code with ``intent`` ``proposal`` (FHIR R4
ServiceRequest: "a suggestion made by someone/something that does not have
an intention to ensure it occurs"), grouped by the request's id as their
``requisition``, as :mod:`soapbill.formats.fhir` groups the requests of a
prescription. A request that proposes no code is one ServiceRequest whose code
says "massage therapy". The prescriber who agrees turns it into an ``order``.

A :class:`~soapbill.care.ProgressReport` is a ``collection`` Bundle of the
Patient, the therapist, a DiagnosticReport (LOINC 11506-3, "Progress note";
its effective period is the report's period, its conclusion the status of
each goal and the therapist's assessment) and one Observation per measure and
date of service, which the DiagnosticReport lists as its results. Pain is
LOINC 72514-3 (pain severity, 0-10 numeric rating, reported) in
``valueInteger``; range of motion is a Quantity in degrees (UCUM ``deg``)
with the joint, movement and side as text; a functional score is an integer
named by the measure.

Resource ids are UUIDs (version 5) of what identifies each resource, so the
same input always gives the same Bundle.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Final

from soapbill.care import MeasureKind, MeasurePoint, MeasureTrend, ProgressReport, RxRequest
from soapbill.formats.fhir import (
    CPT_SYSTEM,
    HCPCS_SYSTEM,
    ICD10CM_SYSTEM,
    LOINC_SYSTEM,
    NPI_SYSTEM,
    IdentifierSystems,
)

if TYPE_CHECKING:
    from soapbill.codes.cpt import CptCode
    from soapbill.parties import Patient, PersonName, Provider

__all__ = ["progress_report_bundle", "rx_request_bundle"]

#: The namespace of soapbill's resource ids here (a UUID5 of soapbill's docs URL).
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://soapbill.readthedocs.io/fhir/care")
#: The text of the code of a request that proposes no procedure code.
MASSAGE_THERAPY: Final = "Massage therapy"
#: LOINC 72514-3: "Pain severity - 0-10 verbal numeric rating [Score] - Reported".
PAIN_CODE: Final = "72514-3"
#: LOINC 11506-3: "Progress note".
PROGRESS_NOTE_CODE: Final = "11506-3"
_UCUM: Final = "http://unitsofmeasure.org"
_OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def _url(rid: str) -> str:
    return f"urn:uuid:{rid}"


def _ref(rid: str) -> dict[str, str]:
    return {"reference": _url(rid)}


def _name(name: PersonName) -> dict[str, Any]:
    given = [name.given] if name.middle is None else [name.given, name.middle]
    human: dict[str, Any] = {"family": name.family, "given": given}
    if name.suffix is not None:
        human["suffix"] = [name.suffix]
    return human


def _patient(patient: Patient, systems: IdentifierSystems) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": _id("Patient", systems.patient, patient.id),
        "identifier": [{"system": systems.patient, "value": patient.id}],
        "name": [_name(patient.name)],
        "gender": patient.sex.value,
        "birthDate": patient.birth_date.isoformat(),
    }


def _patient_by_id(patient_id: str, systems: IdentifierSystems) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": _id("Patient", systems.patient, patient_id),
        "identifier": [{"system": systems.patient, "value": patient_id}],
    }


def _provider(provider: Provider) -> dict[str, Any]:
    rid = _id("Provider", provider.npi.value)
    identifier = [{"system": NPI_SYSTEM, "value": provider.npi.value}]
    if provider.name is None:
        return {
            "resourceType": "Organization",
            "id": rid,
            "identifier": identifier,
            "name": provider.organization_name,
        }
    resource: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": rid,
        "identifier": identifier,
        "name": [_name(provider.name)],
    }
    if provider.credential is not None:
        resource["qualification"] = [{"code": {"text": provider.credential.value.upper()}}]
    return resource


def _bundle(rid: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    unique = {r["id"]: r for r in resources}
    return {
        "resourceType": "Bundle",
        "id": rid,
        "type": "collection",
        "entry": [{"fullUrl": _url(r["id"]), "resource": r} for r in unique.values()],
    }


def _procedure(code: CptCode) -> dict[str, Any]:
    # HCPCS Level II codes start with a letter; CPT codes are five digits.
    system = HCPCS_SYSTEM if code.value[0].isalpha() else CPT_SYSTEM
    return {"coding": [{"system": system, "code": code.value}]}


def rx_request_bundle(request: RxRequest, systems: IdentifierSystems) -> dict[str, Any]:
    """
    The Bundle of an Rx request: its ServiceRequests with intent ``proposal``.
    """
    patient = _patient(request.patient, systems)
    therapist = _provider(request.therapist)
    prescriber = _provider(request.prescriber)
    freq = request.frequency
    codes: list[CptCode | None] = list(request.services) or [None]
    requests = []
    for code in codes:
        value = "" if code is None else code.value
        resource: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "id": _id("ServiceRequest", systems.prescription, request.id, value),
            "requisition": {"system": systems.prescription, "value": request.id},
            "status": "active",
            "intent": "proposal",
            "code": {"text": MASSAGE_THERAPY} if code is None else _procedure(code),
            "quantityQuantity": {"value": freq.visits, "unit": "visits"},
            "subject": _ref(patient["id"]),
            "occurrenceTiming": {
                "repeat": {
                    "count": freq.visits,
                    "frequency": freq.per_week,
                    "period": 1,
                    "periodUnit": "wk",
                }
            },
            "authoredOn": request.requested_on.isoformat(),
            # The therapist proposes; the prescriber is asked to order.
            "requester": _ref(therapist["id"]),
            "performer": [_ref(therapist["id"])],
            "reasonCode": [
                {"coding": [{"system": ICD10CM_SYSTEM, "code": d.value}]} for d in request.diagnoses
            ],
        }
        if request.findings:
            resource["note"] = [{"text": "; ".join(request.findings)}]
        requests.append(resource)
    return _bundle(
        _id("Bundle", systems.prescription, request.id),
        [*requests, patient, therapist, prescriber],
    )


def _observation_code(trend: MeasureTrend) -> dict[str, Any]:
    measure = trend.measure
    if measure.kind is MeasureKind.PAIN:
        coding = {"system": LOINC_SYSTEM, "code": PAIN_CODE}
        return {"coding": [coding], "text": measure.label}
    return {"text": measure.label}


def _value(trend: MeasureTrend, point: MeasurePoint) -> dict[str, Any]:
    if trend.measure.kind is MeasureKind.RANGE_OF_MOTION:
        return {
            "valueQuantity": {
                "value": point.value,
                "unit": "degrees",
                "system": _UCUM,
                "code": "deg",
            }
        }
    return {"valueInteger": point.value}


def _observations(
    report: ProgressReport, patient: str, performer: str, systems: IdentifierSystems
) -> list[dict[str, Any]]:
    plan = report.plan
    found = []
    for trend in report.measures:
        for point in trend.points:
            resource: dict[str, Any] = {
                "resourceType": "Observation",
                "id": _id(
                    "Observation",
                    systems.note,
                    plan.patient_id,
                    trend.measure.label,
                    point.day.isoformat(),
                ),
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": _OBSERVATION_CATEGORY,
                                "code": "survey"
                                if trend.measure.kind is not MeasureKind.RANGE_OF_MOTION
                                else "exam",
                            }
                        ]
                    }
                ],
                "code": _observation_code(trend),
                "subject": _ref(patient),
                "effectiveDateTime": point.day.isoformat(),
                "performer": [_ref(performer)],
                **_value(trend, point),
            }
            found.append(resource)
    return found


def _conclusion(report: ProgressReport) -> str:
    parts = []
    for item in report.goals:
        goal = item.goal
        unit = goal.measure.unit
        latest = "not measured" if item.latest is None else f"{item.latest}{unit}"
        status = item.status.value.replace("_", " ")
        parts.append(
            f"{goal.measure.label}: {status} (from {goal.baseline}{unit} to "
            f"{goal.target}{unit}; latest {latest})."
        )
    parts.append(f"Visits: {report.visits}; units: {report.units}.")
    if report.assessment is not None:
        parts.append(report.assessment)
    return " ".join(parts)


def progress_report_bundle(report: ProgressReport, systems: IdentifierSystems) -> dict[str, Any]:
    """
    The Bundle of a progress report: a DiagnosticReport with its Observations.
    """
    plan = report.plan
    patient = _patient_by_id(plan.patient_id, systems)
    therapist = _provider(plan.therapist)
    observations = _observations(report, patient["id"], therapist["id"], systems)
    period = {"start": report.period_start.isoformat(), "end": report.period_end.isoformat()}
    key = (plan.id, report.period_start.isoformat(), report.period_end.isoformat())
    diagnostic: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": _id("DiagnosticReport", systems.note, plan.patient_id, *key),
        "status": "final",
        "code": {
            "coding": [
                {"system": LOINC_SYSTEM, "code": PROGRESS_NOTE_CODE, "display": "Progress note"}
            ],
            "text": "Progress report",
        },
        "subject": _ref(patient["id"]),
        "effectivePeriod": period,
        "performer": [_ref(therapist["id"])],
        "result": [_ref(o["id"]) for o in observations],
        "conclusion": _conclusion(report),
        "conclusionCode": [
            {"coding": [{"system": ICD10CM_SYSTEM, "code": d.value}]} for d in plan.diagnoses
        ],
    }
    return _bundle(
        _id("Bundle", systems.note, plan.patient_id, *key),
        [diagnostic, *observations, patient, therapist],
    )
