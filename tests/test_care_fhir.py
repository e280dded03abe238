"""
The FHIR R4 forms of the Rx request and the progress report, validated with fhir.resources.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.servicerequest import ServiceRequest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import ValidationError
from soapbill import strategies as sbst
from soapbill.care import progress_report, progress_report_to_fhir, rx_request_to_fhir
from soapbill.formats.fhir import IdentifierSystems
from test_care import NOTES, PERIOD, PLAN, REQUEST

MODELS: dict[str, Any] = {
    "DiagnosticReport": DiagnosticReport,
    "Observation": Observation,
    "Organization": Organization,
    "Patient": FhirPatient,
    "Practitioner": Practitioner,
    "ServiceRequest": ServiceRequest,
}


_FOUND: list[str] = []


def _references(obj: dict[str, Any]) -> Any:
    if "reference" in obj:
        _FOUND.append(obj["reference"])
    return obj


def references(bundle: dict[str, Any]) -> list[str]:
    _FOUND.clear()
    json.loads(json.dumps(bundle), object_hook=_references)
    return list(_FOUND)


def _of(resources: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["resourceType"] == kind]


def test_the_request_is_a_proposal_per_code() -> None:
    bundle = rx_request_to_fhir(REQUEST)
    resources = _validate(bundle)
    requests = _of(resources, "ServiceRequest")
    assert [r["intent"] for r in requests] == ["proposal", "proposal"]
    assert [r["code"]["coding"][0]["code"] for r in requests] == ["97124", "97140"]
    assert {r["requisition"]["value"] for r in requests} == {"RQ-1"}
    assert requests[0]["reasonCode"][0]["coding"][0]["code"] == "M54.2"
    assert requests[0]["occurrenceTiming"]["repeat"]["frequency"] == 2
    assert rx_request_to_fhir(REQUEST) == bundle


def test_a_request_without_codes_asks_for_massage_therapy() -> None:
    resources = _validate(rx_request_to_fhir(attrs.evolve(REQUEST, services=())))
    [request] = _of(resources, "ServiceRequest")
    assert request["code"] == {"text": "Massage therapy"}


def test_the_progress_report_is_a_diagnostic_report_with_observations() -> None:
    report = progress_report(NOTES, care_plan=PLAN, period=PERIOD)
    bundle = progress_report_to_fhir(report)
    resources = _validate(bundle)
    [diagnostic] = _of(resources, "DiagnosticReport")
    observations = _of(resources, "Observation")
    assert len(observations) == 30
    assert len(diagnostic["result"]) == 30
    assert diagnostic["effectivePeriod"] == {"start": "2026-03-02", "end": "2026-03-30"}
    assert "Pain, neck: met" in diagnostic["conclusion"]
    pain = [o for o in observations if o["code"].get("coding")]
    assert [o["valueInteger"] for o in pain] == [7, 7, 6, 6, 5, 5, 4, 4, 3, 3]
    assert {o["code"]["coding"][0]["code"] for o in pain} == {"72514-3"}
    degrees = [o["valueQuantity"]["value"] for o in observations if "valueQuantity" in o]
    assert degrees == [45, 48, 50, 54, 57, 60, 63, 66, 68, 70]


@given(data=st.data())
def test_every_generated_report_is_valid_fhir(data: st.DataObject) -> None:
    plan = data.draw(sbst.care_plans())
    notes = data.draw(sbst.measured_notes(plan, max_visits=4))
    report = progress_report(notes, care_plan=plan, period=(plan.starts_on, plan.ends_on))
    _validate(progress_report_to_fhir(report))


def test_systems_name_the_identifiers() -> None:
    systems = IdentifierSystems.under("https://clinic.example/id")
    bundle = rx_request_to_fhir(REQUEST, systems=systems)
    [request, *_] = _of(_validate(bundle), "ServiceRequest")
    assert request["requisition"]["system"] == "https://clinic.example/id/prescription"


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: rx_request_to_fhir("Zqxleak"), id="request"),  # type: ignore[arg-type]
        pytest.param(lambda: progress_report_to_fhir("Zqxleak"), id="report"),  # type: ignore[arg-type]
        pytest.param(lambda: rx_request_to_fhir(REQUEST, systems="Zqxleak"), id="systems"),  # type: ignore[arg-type]
    ],
)
def test_refused_without_the_value(call: Any) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert "Zqxleak" not in f"{info.value} {info.value!r} {info.value.args}"


def _validate(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    Bundle.model_validate(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    for resource in resources:
        MODELS[resource["resourceType"]].model_validate(resource)
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    assert set(references(bundle)) <= set(urls)
    return resources
