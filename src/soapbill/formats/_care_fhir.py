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

import contextlib
import json
import uuid
from typing import TYPE_CHECKING, Any, Final

from soapbill.care import MeasureKind, MeasurePoint, MeasureTrend, ProgressReport, RxRequest
from soapbill.errors import ValidationError
from soapbill.formats.fhir import (
    ANY_PROCEDURE_TEXT,
    CPT_SYSTEM,
    HCPCS_SYSTEM,
    ICD10CM_SYSTEM,
    LOINC_SYSTEM,
    NPI_SYSTEM,
    IdentifierSystems,
    _human_name,
    _region,
)
from soapbill.formats.json import from_dict
from soapbill.prescriptions import Prescription
from soapbill.soap import BodyRegion

if TYPE_CHECKING:
    from soapbill.codes.cpt import CptCode
    from soapbill.parties import Patient, Provider

__all__ = ["prescription_from_bundle", "progress_report_bundle", "rx_request_bundle"]

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


def _patient(patient: Patient, systems: IdentifierSystems) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": _id("Patient", systems.patient, patient.id),
        "identifier": [{"system": systems.patient, "value": patient.id}],
        "name": [_human_name(patient.name)],
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
        "name": [_human_name(provider.name)],
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


# --- reading back the ServiceRequests of a prescription -----------------------------

_ICD: Final = (ICD10CM_SYSTEM,)
# A sole proprietor's SSN or an EIN, as formats.fhir writes a provider's tax id.
_EIN: Final = "urn:oid:2.16.840.1.113883.4.4"
_SSN: Final = "http://hl7.org/fhir/sid/us-ssn"
#: A body site's text, as formats.fhir writes it, to the region.
_REGIONS: Final = {_region(region): region.value for region in BodyRegion}
_ANY_TEXTS: Final = (ANY_PROCEDURE_TEXT, MASSAGE_THERAPY)
#: The statuses of a ServiceRequest that no longer, or not yet, orders anything.
_NOT_ORDERED: Final = frozenset({"draft", "revoked", "entered-in-error"})


def _fail(path: str, code: str, message: str) -> ValidationError:
    return ValidationError.single(path, code, message)


def _get(resource: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...]) -> Any:  # noqa: ANN401 - JSON
    value = resource.get(key)
    if not isinstance(value, kind):
        raise _fail(f"{path}.{key}", "invalid_type", "is missing or of the wrong type")
    return value


def _resources(source: object) -> list[tuple[str, str | None, dict[str, Any]]]:
    # (path, fullUrl, resource) of every resource of a Bundle or a list.
    if isinstance(source, (str, bytes)):
        text = source
        source = None
        with contextlib.suppress(ValueError):
            source = json.loads(text)
        if source is None:
            # Raised outside the handler, so that it chains nothing.
            raise _fail("", "invalid_json", "is not JSON")
    if isinstance(source, dict) and source.get("resourceType") == "Bundle":
        entries = source.get("entry")
        if not isinstance(entries, list):
            raise _fail("entry", "invalid_type", "expected a list of entries")
        found = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
                raise _fail(f"entry[{i}].resource", "invalid_type", "expected a resource")
            url = entry.get("fullUrl")
            found.append(
                (f"entry[{i}].resource", url if isinstance(url, str) else None, entry["resource"])
            )
        return found
    if isinstance(source, (list, tuple)):
        found = []
        for i, resource in enumerate(source):
            if not isinstance(resource, dict):
                raise _fail(f"[{i}]", "invalid_type", "expected a resource")
            found.append((f"[{i}]", None, resource))
        return found
    raise _fail("", "invalid_type", "expected a Bundle, or a list of resources, as JSON")


def _resolve(
    resources: list[tuple[str, str | None, dict[str, Any]]], reference: object, path: str
) -> tuple[str, dict[str, Any]]:
    ref = reference.get("reference") if isinstance(reference, dict) else None
    if isinstance(ref, str):
        for where, url, resource in resources:
            rid = resource.get("id")
            names = {url, f"urn:uuid:{rid}", f"{resource.get('resourceType')}/{rid}"}
            if ref in names:
                return where, resource
    raise _fail(f"{path}.reference", "not_found", "names no resource of the input")


def _identifier(resource: dict[str, Any], path: str, system: str | None) -> str:
    for identifier in resource.get("identifier") or ():
        if (
            isinstance(identifier, dict)
            and isinstance(identifier.get("value"), str)
            and (system is None or identifier.get("system") == system)
        ):
            return str(identifier["value"])
    raise _fail(f"{path}.identifier", "missing", "has no identifier soapbill can read")


def _codes(concept: object, systems: tuple[str, ...]) -> list[str]:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return [
        c["code"]
        for c in codings or ()
        if isinstance(c, dict) and c.get("system") in systems and isinstance(c.get("code"), str)
    ]


def _person_name(human: dict[str, Any]) -> dict[str, Any]:
    given = human.get("given") or []
    suffix = human.get("suffix") or []
    return {
        "family": human.get("family"),
        "given": given[0] if given else None,
        "middle": given[1] if len(given) > 1 else None,
        "suffix": suffix[0] if suffix else None,
    }


def _prescriber(resource: dict[str, Any], path: str) -> dict[str, Any]:
    """
    The fields of a Provider that formats.fhir writes, read back.
    """
    provider: dict[str, Any] = {"npi": _identifier(resource, path, NPI_SYSTEM)}
    provider.update(_tax_id(resource))
    names = resource.get("name")
    if resource.get("resourceType") == "Organization":
        provider["organization_name"] = names
    elif isinstance(names, list) and names and isinstance(names[0], dict):
        provider["name"] = _person_name(names[0])
    else:
        raise _fail(f"{path}.name", "missing", "expected a name")
    provider.update(_qualification(resource))
    for telecom in resource.get("telecom") or ():
        if isinstance(telecom, dict) and telecom.get("system") == "phone":
            provider["phone"] = telecom.get("value")
    addresses = resource.get("address")
    if isinstance(addresses, list) and addresses and isinstance(addresses[0], dict):
        provider["address"] = _address(addresses[0])
    return provider


def _tax_id(resource: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for identifier in resource.get("identifier") or ():
        if isinstance(identifier, dict) and identifier.get("system") in (_EIN, _SSN):
            value = str(identifier.get("value"))
            # The writer compacts the number; the dashes say which kind it is.
            ssn = identifier.get("system") == _SSN
            found["tax_id"] = (
                f"{value[:3]}-{value[3:5]}-{value[5:]}" if ssn else f"{value[:2]}-{value[2:]}"
            )
    return found


def _qualification(resource: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for qualification in (resource.get("qualification") or ())[:1]:
        if not isinstance(qualification, dict):
            continue
        text = (qualification.get("code") or {}).get("text")
        if isinstance(text, str) and text != "License":
            found["credential"] = text.lower()
        for identifier in (qualification.get("identifier") or ())[:1]:
            found["license_number"] = identifier.get("value")
        issuer = (qualification.get("issuer") or {}).get("display")
        if issuer is not None:
            found["license_state"] = issuer
    return found


def _address(address: dict[str, Any]) -> dict[str, Any]:
    lines = address.get("line") or []
    return {
        "line1": lines[0] if lines else None,
        "line2": lines[1] if len(lines) > 1 else None,
        "city": address.get("city"),
        "state": address.get("state"),
        "postal_code": address.get("postalCode"),
    }


def _timing(request: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    # (the period of validity, the frequency)
    timing = request.get("occurrenceTiming")
    if isinstance(timing, dict):
        repeat = timing.get("repeat") or {}
        per_week = repeat.get("frequency")
        count = repeat.get("count")
        frequency = None
        if isinstance(per_week, int) and isinstance(count, int) and per_week > 0:
            frequency = {"per_week": per_week, "weeks": count // per_week}
        return repeat.get("boundsPeriod") or {}, frequency
    period = request.get("occurrencePeriod")
    return (period if isinstance(period, dict) else {}), None


def _one_prescription(
    resources: list[tuple[str, str | None, dict[str, Any]]],
    requests: list[tuple[str, dict[str, Any]]],
    requisition: str,
) -> dict[str, Any]:
    """
    The prescription of one requisition, as the plain data of a Prescription.

    Every request of the requisition is an order and agrees with the first on
    everything but its procedure code.
    """
    first: dict[str, Any] | None = None
    procedures: list[str] = []
    for path, request in requests:
        fields = _order_fields(resources, path, request, requisition)
        if first is None:
            first = fields
        elif fields != first:
            raise _fail(path, "disagrees", "disagrees with the other requests of its requisition")
        procedures.extend(_ordered_code(path, request))
    assert first is not None  # noqa: S101 - the caller passes one request at least
    return {**first, "procedures": procedures}


def _order_fields(
    resources: list[tuple[str, str | None, dict[str, Any]]],
    path: str,
    request: dict[str, Any],
    requisition: str,
) -> dict[str, Any]:
    """
    The fields of a Prescription that one ServiceRequest, an active order, says.
    """
    if request.get("intent") != "order":
        raise _fail(
            f"{path}.intent",
            "not_an_order",
            "expected an order: a proposal becomes a prescription when the prescriber "
            "returns it as an order",
        )
    if request.get("status") in _NOT_ORDERED:
        raise _fail(f"{path}.status", "not_active", "does not order anything")
    _, patient = _resolve(resources, request.get("subject"), f"{path}.subject")
    where, requester = _resolve(resources, request.get("requester"), f"{path}.requester")
    period, frequency = _timing(request)
    authored = _get(request, "authoredOn", path, str)
    quantity = request.get("quantityQuantity")
    notes = request.get("note")
    return {
        "id": requisition,
        "patient_id": _identifier(patient, f"{path}.subject", None),
        "prescriber": _prescriber(requester, where),
        "written_on": authored[:10],
        "valid_until": period.get("end"),
        "diagnoses": [
            c for concept in request.get("reasonCode") or () for c in _codes(concept, _ICD)
        ],
        "visits_authorized": quantity.get("value") if isinstance(quantity, dict) else None,
        "frequency": frequency,
        "regions": [
            _REGIONS.get(str(site.get("text")), site.get("text"))
            for site in request.get("bodySite") or ()
            if isinstance(site, dict)
        ],
        "notes": notes[0].get("text") if isinstance(notes, list) and notes else None,
    }


def _ordered_code(path: str, request: dict[str, Any]) -> list[str]:
    """
    The request's CPT or HCPCS code; none when it orders "massage therapy" or any procedure.
    """
    code = request.get("code")
    found = _codes(code, (CPT_SYSTEM, HCPCS_SYSTEM))
    if found:
        return found[:1]
    if isinstance(code, dict) and code.get("text") in (ANY_PROCEDURE_TEXT, MASSAGE_THERAPY):
        return []
    raise _fail(f"{path}.code", "invalid_code", "names no CPT or HCPCS code")


def prescription_from_bundle(source: object, requisition: str | None) -> Prescription:
    """
    The Prescription that the ServiceRequests of one requisition in *source* order.
    """
    resources = _resources(source)
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for path, _, resource in resources:
        if resource.get("resourceType") != "ServiceRequest":
            continue
        group = _get(resource, "requisition", path, dict).get("value")
        if not isinstance(group, str):
            raise _fail(f"{path}.requisition.value", "invalid_type", "expected a string")
        groups.setdefault(group, []).append((path, resource))
    if requisition is not None:
        if requisition not in groups:
            raise _fail("requisition", "not_found", "no ServiceRequest of the input has it")
        chosen = groups[requisition]
    elif len(groups) == 1:
        requisition, chosen = next(iter(groups.items()))
    elif not groups:
        raise _fail("entry", "missing", "holds no ServiceRequest")
    else:
        raise _fail("requisition", "ambiguous", "the input holds several; name one")
    fields = _one_prescription(resources, chosen, requisition)
    data = {"format_version": 1, **{k: v for k, v in fields.items() if v is not None}}
    failed: ValidationError | None = None
    try:
        return from_dict(data, Prescription)
    except ValidationError as error:
        failed = error.prefixed("prescription")
    # Raised here, outside the handler, so that it chains nothing.
    raise failed
