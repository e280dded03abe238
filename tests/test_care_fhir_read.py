"""
Reading back the ServiceRequests of a prescription: soapbill.care.prescription_from_fhir.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from soapbill import Prescription, ValidationError
from soapbill import strategies as sbst
from soapbill.care import prescription_from_fhir, rx_request_to_fhir
from soapbill.claims import Claim
from soapbill.formats.fhir import to_fhir_bundle, to_fhir_json
from test_care import REQUEST

CREATED = date(2026, 3, 2)


@st.composite
def claims_and_prescriptions(draw: st.DrawFn) -> tuple[Claim, Prescription]:
    claim = draw(sbst.claims(max_lines=1, submittable=True))
    # A name no error message could contain by chance.
    name = attrs.evolve(claim.patient.name, family="Zyxwvutsrq")
    claim = attrs.evolve(claim, patient=attrs.evolve(claim.patient, name=name))
    rx = draw(sbst.prescriptions(patient_id=claim.patient.id))
    return claim, rx


def _expected(rx: Prescription) -> Prescription:
    # FHIR carries the end of the period of validity, not the number of days.
    # Nor the prescriber's taxonomy (a claim's care team carries it).
    prescriber = attrs.evolve(rx.prescriber, taxonomy=None)
    if prescriber.name is None or (prescriber.credential, prescriber.license_number) == (
        None,
        None,
    ):
        # Nor a licence's state without a credential or number to qualify.
        prescriber = attrs.evolve(prescriber, license_state=None)
    return attrs.evolve(rx, prescriber=prescriber, valid_until=rx.expires_on(), valid_days=None)


def _requests(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ServiceRequest"
    ]


def _returned() -> dict[str, Any]:
    bundle = copy.deepcopy(rx_request_to_fhir(REQUEST))
    prescriber = next(
        e["fullUrl"]
        for e in bundle["entry"]
        if REQUEST.prescriber.npi.value in json.dumps(e["resource"].get("identifier"))
    )
    for request in _requests(bundle):
        request["intent"] = "order"
        request["requester"] = {"reference": prescriber}
    return bundle


@given(claims_and_prescriptions())
def test_a_prescription_reads_back(case: tuple[Claim, Prescription]) -> None:
    claim, rx = case
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=[rx])
    assert prescription_from_fhir(bundle) == _expected(rx)
    text = to_fhir_json(claim, created=CREATED, prescriptions=[rx])
    assert prescription_from_fhir(text) == _expected(rx)


@given(claims_and_prescriptions(), claims_and_prescriptions())
def test_one_of_several_is_chosen_by_its_requisition(
    first: tuple[Claim, Prescription], second: tuple[Claim, Prescription]
) -> None:
    claim, rx = first
    other = attrs.evolve(second[1], id=rx.id + "-2", patient_id=rx.patient_id)
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=[rx, other])
    assert prescription_from_fhir(bundle, requisition=rx.id) == _expected(rx)
    assert prescription_from_fhir(bundle, requisition=other.id) == _expected(other)
    with pytest.raises(ValidationError) as error:
        prescription_from_fhir(bundle)
    assert error.value.errors[0].path == "requisition"


def test_a_proposal_is_refused_naming_its_path() -> None:
    bundle = rx_request_to_fhir(REQUEST)
    with pytest.raises(ValidationError) as error:
        prescription_from_fhir(bundle)
    detail = error.value.errors[0]
    assert detail.code == "not_an_order"
    assert detail.path.startswith("entry[")
    assert detail.path.endswith("].resource.intent")


def test_a_proposal_returned_as_an_order_is_a_prescription() -> None:
    bundle = _returned()
    rx = prescription_from_fhir(bundle)
    assert rx.id == REQUEST.id
    assert rx.patient_id == REQUEST.patient.id
    assert rx.prescriber.npi == REQUEST.prescriber.npi
    assert rx.diagnoses == REQUEST.diagnoses
    assert rx.procedures == REQUEST.services
    assert rx.frequency == REQUEST.frequency
    assert rx.written_on == REQUEST.requested_on


@given(claims_and_prescriptions(), st.sampled_from(["diagnoses", "intent", "json", "reference"]))
def test_errors_never_contain_patient_data(case: tuple[Claim, Prescription], how: str) -> None:
    claim, rx = case
    bundle = to_fhir_bundle(claim, created=CREATED, prescriptions=[rx])
    request = _requests(bundle)[0]
    source: object = bundle
    if how == "diagnoses":
        request["reasonCode"] = [{"text": claim.patient.name.family}]
    elif how == "intent":
        request["intent"] = claim.patient.name.family
    elif how == "reference":
        request["subject"] = {"reference": claim.patient.name.family}
    else:
        text = to_fhir_json(claim, created=CREATED, prescriptions=[rx])
        source = text[:-1] + claim.patient.name.family
    with pytest.raises(ValidationError) as error:
        prescription_from_fhir(source)
    shown = f"{error.value} {error.value.args!r} {error.value!r}"
    assert claim.patient.name.family not in shown
    assert error.value.__context__ is None
    assert error.value.__cause__ is None


def test_requests_of_one_requisition_must_agree() -> None:
    bundle = _returned()
    assert len(_requests(bundle)) > 1
    _requests(bundle)[1]["authoredOn"] = "2020-01-01"
    with pytest.raises(ValidationError) as error:
        prescription_from_fhir(bundle)
    assert error.value.errors[0].code == "disagrees"


def test_not_a_bundle_is_refused() -> None:
    for source in (3, {"resourceType": "Patient"}, b"{", [1]):
        with pytest.raises(ValidationError):
            prescription_from_fhir(source)
