"""
CPT and HCPCS Level II shapes, and the code catalogue (see docs/sources.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given

from soapbill import CptCode, InvalidFormatError, SoapbillError, ValidationError
from soapbill import strategies as sbst
from soapbill.codes import cpt
from soapbill.codes.cpt import DEFAULT_CATALOG, Catalog, CodeInfo, MedicareStatus, UnknownCodeError


@pytest.mark.parametrize(
    ("raw", "canonical", "hcpcs"),
    [
        # CPT Category I: five digits.
        pytest.param("97124", "97124", False, id="cat-I"),
        pytest.param(" 97 124 ", "97124", False, id="cat-I-spaces"),
        pytest.param("97-124", "97124", False, id="cat-I-hyphen"),
        # Category II (four digits and F) and III (four digits and T).
        pytest.param("0001F", "0001F", False, id="cat-II"),
        pytest.param("0001f", "0001F", False, id="cat-II-lower"),
        pytest.param("0042T", "0042T", False, id="cat-III"),
        pytest.param("0001A", "0001A", False, id="vaccine-administration"),
        pytest.param("0001M", "0001M", False, id="multianalyte-assay"),
        pytest.param("0001U", "0001U", False, id="proprietary-lab-analysis"),
        # HCPCS Level II: a letter and four digits.
        pytest.param("G0283", "G0283", True, id="hcpcs"),
        pytest.param("g0283", "G0283", True, id="hcpcs-lower"),
    ],
)
def test_valid_shapes(raw: str, canonical: str, hcpcs: bool) -> None:
    assert cpt.validate(raw) == canonical
    assert cpt.format(raw) == canonical
    assert cpt.is_valid(raw)
    assert CptCode(raw).is_hcpcs_level2 is hcpcs


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("9712", id="four-digits"),
        pytest.param("971245", id="six-digits"),
        pytest.param("0001X", id="cat-II-wrong-letter"),
        pytest.param("00A1F", id="letter-inside"),
        pytest.param("97124F", id="five-digits-and-F"),
        pytest.param("G028", id="hcpcs-three-digits"),
        pytest.param("GG283", id="hcpcs-two-letters"),
        pytest.param("ABCDE", id="letters"),
        pytest.param("97124/", id="slash"),
        pytest.param("", id="empty"),
    ],
)
def test_invalid_shapes(raw: str) -> None:
    with pytest.raises(InvalidFormatError):
        cpt.validate(raw)
    assert not cpt.is_valid(raw)


# --- the catalogue ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "timed", "status"),
    [
        # Timed, each 15 minutes of direct one-on-one time (the codes' descriptors).
        pytest.param("97124", True, MedicareStatus.ACTIVE, id="97124-massage"),
        pytest.param("97140", True, MedicareStatus.ACTIVE, id="97140-manual"),
        pytest.param("97112", True, MedicareStatus.ACTIVE, id="97112-neuromuscular"),
        pytest.param("97110", True, MedicareStatus.ACTIVE, id="97110-exercise"),
        pytest.param("97530", True, MedicareStatus.ACTIVE, id="97530-activities"),
        pytest.param("97035", True, MedicareStatus.ACTIVE, id="97035-ultrasound"),
        # Untimed: supervised modalities and evaluations.
        pytest.param("97010", False, MedicareStatus.BUNDLED, id="97010-status-B"),
        pytest.param("97014", False, MedicareStatus.INVALID, id="97014-not-Medicare"),
        pytest.param("G0283", False, MedicareStatus.ACTIVE, id="G0283"),
        pytest.param("97018", False, MedicareStatus.ACTIVE, id="97018-paraffin"),
        pytest.param("97161", False, MedicareStatus.ACTIVE, id="97161-eval"),
        pytest.param("97164", False, MedicareStatus.ACTIVE, id="97164-re-eval"),
    ],
)
def test_catalogue_entries(code: str, timed: bool, status: MedicareStatus) -> None:
    info = cpt.lookup(code)
    assert info.code == CptCode(code)
    assert info.timed is timed
    assert info.minutes_per_unit == (15 if timed else None)
    assert info.medicare_status is status
    assert info.label
    assert cpt.lookup(CptCode(code)) is info


def test_unknown_code() -> None:
    with pytest.raises(UnknownCodeError) as info:
        cpt.lookup("99999")
    assert isinstance(info.value, SoapbillError)
    assert isinstance(info.value, LookupError)
    # No KeyError holding the code is chained to it, even hidden.
    assert info.value.__context__ is None


_INFO = CodeInfo(code=CptCode("97124"), label="massage", timed=True)


def junk(value: object) -> Any:
    return value


@pytest.mark.parametrize(
    ("call", "path", "code"),
    [
        pytest.param(lambda: cpt.lookup("97124", junk(5)), "catalog", "invalid_type", id="lookup"),
        pytest.param(
            lambda: DEFAULT_CATALOG.label(junk("97124")), "code", "invalid_type", id="label"
        ),
        pytest.param(lambda: DEFAULT_CATALOG.label(junk(None)), "code", "invalid_type", id="None"),
        pytest.param(lambda: Catalog.of(junk(None)), "infos", "invalid_type", id="of-None"),
        pytest.param(lambda: Catalog.of(junk("97124")), "infos", "invalid_type", id="of-str"),
        pytest.param(
            lambda: Catalog.of(junk([_INFO, 5])), "infos[1]", "invalid_type", id="of-item"
        ),
        pytest.param(
            lambda: DEFAULT_CATALOG.extend(junk(5)), "infos[0]", "invalid_type", id="extend"
        ),
        pytest.param(lambda: Catalog(junk(5)), "entries", "invalid_type", id="new-int"),
        pytest.param(lambda: Catalog(junk({"97124": _INFO})), "entries", "invalid_type", id="key"),
        pytest.param(
            lambda: Catalog(junk({CptCode("97124"): "x"})),
            "entries[97124]",
            "invalid_type",
            id="new-info",
        ),
        pytest.param(
            lambda: Catalog({CptCode("97140"): _INFO}),
            "entries[97140]",
            "code_mismatch",
            id="new-mismatch",
        ),
    ],
)
def test_catalogue_arguments_of_the_wrong_type_are_refused_by_name(
    call: Callable[[], object], path: str, code: str
) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert [(d.path, d.code) for d in info.value.errors] == [(path, code)]


def test_lookup_of_a_malformed_code_is_a_format_error() -> None:
    with pytest.raises(InvalidFormatError):
        cpt.lookup("9712")


def test_catalogue_is_an_immutable_mapping() -> None:
    assert len(DEFAULT_CATALOG) == len(list(DEFAULT_CATALOG))
    assert DEFAULT_CATALOG[CptCode("97124")].timed
    assert CptCode("97124") in DEFAULT_CATALOG
    assert CptCode("99999") not in DEFAULT_CATALOG
    assert repr(DEFAULT_CATALOG) == f"Catalog(<{len(DEFAULT_CATALOG)} codes>)"
    with pytest.raises(TypeError):
        DEFAULT_CATALOG[CptCode("99999")] = DEFAULT_CATALOG[CptCode("97124")]  # type: ignore[index]


def test_extend_returns_a_new_catalogue() -> None:
    custom = CodeInfo(code=CptCode("97039"), label="Other modality", timed=True)
    replaced = CodeInfo(code=CptCode("97010"), label="Hot packs", timed=False)
    extended = DEFAULT_CATALOG.extend(custom, replaced)
    assert cpt.lookup("97039", extended) is custom
    assert extended.lookup("97010") is replaced
    assert len(extended) == len(DEFAULT_CATALOG) + 1
    with pytest.raises(UnknownCodeError):
        cpt.lookup("97039")
    assert cpt.lookup("97010").label != "Hot packs"


def test_of_keeps_the_later_of_two_infos() -> None:
    first = CodeInfo(code=CptCode("97124"), label="first", timed=True)
    second = CodeInfo(code=CptCode("97124"), label="second", timed=False)
    catalog = Catalog.of([first, second])
    assert len(catalog) == 1
    assert catalog.lookup("97124") is second


def test_catalogue_does_not_share_its_source() -> None:
    info = CodeInfo(code=CptCode("97124"), label="massage", timed=True)
    source = {info.code: info}
    catalog = Catalog(source)
    source.clear()
    assert catalog.lookup("97124") is info


@given(code=sbst.cpt_codes(catalogued=True))
def test_every_catalogued_code_is_found(code: CptCode) -> None:
    assert cpt.lookup(code).code == code


@given(sbst.cpt_codes())
def test_label_is_the_lookup_label_or_none(code: CptCode) -> None:
    expected = DEFAULT_CATALOG[code].label if code in DEFAULT_CATALOG else None
    assert DEFAULT_CATALOG.label(code) == expected


def test_label_follows_an_extended_catalogue() -> None:
    info = CodeInfo(code=CptCode("97140"), label="Hands-on work", timed=True)
    extended = DEFAULT_CATALOG.extend(info)
    assert extended.label(CptCode("97140")) == "Hands-on work"
    assert DEFAULT_CATALOG.label(CptCode("97140")) != "Hands-on work"
    assert Catalog.of([]).label(CptCode("97140")) is None
    # The label index is no part of equality or the repr.
    assert Catalog.of([info]) == Catalog.of([info])
    assert "Hands-on" not in repr(extended)
