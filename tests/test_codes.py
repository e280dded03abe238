"""
What every code module and code value shares: the function family, junk
handling, canonical forms, immutability, hashing, ordering and pickling.

Each code system's published vectors are in ``test_codes_<system>.py``.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from types import ModuleType

import pytest
from attrs.exceptions import FrozenInstanceError
from hypothesis import given
from hypothesis import strategies as st

from soapbill import (
    CptCode,
    DiagnosisCode,
    InvalidFormatError,
    Modifier,
    Npi,
    PlaceOfService,
    TaxId,
    ValidationError,
)
from soapbill import strategies as sbst
from soapbill.codes import cpt, icd10, modifiers, npi, pos, taxid
from soapbill.codes._base import CodeValue

# One row per code system: its module, its value class and a strategy of valid values.
SYSTEMS: list[tuple[ModuleType, type[CodeValue], st.SearchStrategy[CodeValue]]] = [
    (cpt, CptCode, sbst.cpt_codes()),
    (icd10, DiagnosisCode, sbst.diagnosis_codes()),
    (modifiers, Modifier, sbst.modifiers()),
    (npi, Npi, sbst.npis()),
    (pos, PlaceOfService, sbst.places_of_service()),
    (taxid, TaxId, sbst.tax_ids()),
]
SYSTEM_IDS = [module.__name__.rsplit(".", 1)[1] for module, _, _ in SYSTEMS]
MODULES = [module for module, _, _ in SYSTEMS]

parametrize_systems = pytest.mark.parametrize(("module", "cls", "values"), SYSTEMS, ids=SYSTEM_IDS)
parametrize_modules = pytest.mark.parametrize("module", MODULES, ids=SYSTEM_IDS)
parametrize_module_values = pytest.mark.parametrize(
    ("module", "values"), [(m, v) for m, _, v in SYSTEMS], ids=SYSTEM_IDS
)
parametrize_class_values = pytest.mark.parametrize(
    ("cls", "values"), [(c, v) for _, c, v in SYSTEMS], ids=SYSTEM_IDS
)


class _Opaque:
    def __str__(self) -> str:
        return "97124"


JUNK: list[object] = [
    # Not strings at all, some of which print like valid codes.
    None,
    0,
    97124,
    1234567893,
    -1,
    1.5,
    float("nan"),
    float("inf"),
    True,
    Decimal(97124),
    date(2024, 1, 15),
    b"97124",
    bytearray(b"11"),
    ["97124"],
    ("11",),
    {"code": "97124"},
    {"GP"},
    _Opaque(),
    object,
    # Strings that are not codes of any system.
    "",
    " ",
    "\t\n",
    "*",
    "~",
    "x" * 10_000,
    "9" * 10_000,
    "\x00",
    "\ud800",
    # Digits and letters outside ASCII: Arabic-Indic and full-width digits,
    # sharp s and long s (whose upper case is ASCII), the Kelvin sign.
    "١٢٣",
    "١١",  # noqa: RUF001 - Arabic-Indic "11" on purpose
    "１１",  # noqa: RUF001 - full-width "11" on purpose
    "９７１２４",  # noqa: RUF001 - full-width "97124" on purpose
    "１２３４５６７８９３",  # noqa: RUF001 - full-width NPI on purpose
    "\u00df",
    "\u017f13.4XXA",
    "\u212a\u212a",
    "M54.5０",  # noqa: RUF001 - a full-width zero on purpose
]


# --- the function family ----------------------------------------------------------


@parametrize_modules
def test_module_has_the_function_family(module: ModuleType) -> None:
    for name in ("compact", "validate", "is_valid", "format"):
        assert name in module.__all__
        assert callable(getattr(module, name))


@parametrize_modules
@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_is_valid_refuses_junk(module: ModuleType, junk: object) -> None:
    assert module.is_valid(junk) is False


@parametrize_modules
@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_validate_raises_invalid_format_for_junk(module: ModuleType, junk: object) -> None:
    with pytest.raises(InvalidFormatError) as info:
        module.validate(junk)
    assert info.value.errors[0].path == ""


@parametrize_modules
@pytest.mark.parametrize("junk", [None, 11, b"11", ["11"]], ids=repr)
def test_compact_refuses_non_strings(module: ModuleType, junk: object) -> None:
    with pytest.raises(InvalidFormatError) as info:
        module.compact(junk)
    assert info.value.errors[0].code == "invalid_type"


@parametrize_modules
@given(junk=st.none() | st.integers() | st.floats() | st.binary() | st.text() | st.lists(st.text()))
def test_is_valid_never_raises(module: ModuleType, junk: object) -> None:
    assert module.is_valid(junk) in (True, False)


@parametrize_modules
@given(text=st.text())
def test_whatever_validates_is_canonical_ascii(module: ModuleType, text: str) -> None:
    if module.is_valid(text):
        canonical = module.validate(text)
        assert canonical.isascii()
        assert module.validate(canonical) == canonical


# --- properties of valid values ----------------------------------------------------


def _noisy(text: str, lower: bool, before: str, after: str) -> str:
    return before + (text.lower() if lower else text) + after


noise = st.sampled_from(["", " ", "\t", "  \n"])


@parametrize_module_values
@given(data=st.data())
def test_validate_is_idempotent_and_tolerates_case_and_spaces(
    module: ModuleType,
    values: st.SearchStrategy[CodeValue],
    data: st.DataObject,
) -> None:
    canonical = str(data.draw(values))
    assert module.validate(canonical) == canonical
    messy = _noisy(canonical, data.draw(st.booleans()), data.draw(noise), data.draw(noise))
    assert module.validate(messy) == canonical
    assert module.is_valid(messy) is True


@parametrize_module_values
@given(data=st.data())
def test_format_of_validate_round_trips(
    module: ModuleType,
    values: st.SearchStrategy[CodeValue],
    data: st.DataObject,
) -> None:
    canonical = str(data.draw(values))
    assert module.format(module.validate(canonical)) == canonical
    assert module.validate(module.format(canonical)) == canonical


@parametrize_systems
@given(data=st.data())
def test_value_class_holds_the_canonical_string(
    module: ModuleType,
    cls: type[CodeValue],
    values: st.SearchStrategy[CodeValue],
    data: st.DataObject,
) -> None:
    code = data.draw(values)
    raw = str(code).lower()
    assert str(cls(raw)) == module.validate(raw)
    assert cls(raw).value == str(code)
    assert cls(str(code)) == code
    assert cls(code) == code
    if isinstance(code, TaxId) and code.kind == "ssn":
        # An SSN identifies a person: its repr is redacted.
        assert repr(code) == "TaxId(<redacted>)"
    else:
        assert repr(code) == f"{cls.__name__}({str(code)!r})"


@parametrize_module_values
@given(data=st.data())
def test_compact_then_validate_agrees_with_validate(
    module: ModuleType,
    values: st.SearchStrategy[CodeValue],
    data: st.DataObject,
) -> None:
    code = data.draw(values)
    canonical = str(code)
    if isinstance(code, TaxId) and code.kind == "ssn":
        # Its hyphens make an SSN: nine bare digits read as an EIN of the same digits.
        assert module.compact(module.validate(module.compact(canonical))) == code.compact
    else:
        assert module.validate(module.compact(canonical)) == canonical


# --- value semantics ---------------------------------------------------------------


@parametrize_class_values
@given(data=st.data())
def test_code_values_are_immutable(
    cls: type[CodeValue],
    values: st.SearchStrategy[CodeValue],
    data: st.DataObject,
) -> None:
    code = data.draw(values)
    with pytest.raises(FrozenInstanceError):
        code.value = "X"
    with pytest.raises(FrozenInstanceError):
        code.anything = "X"
    with pytest.raises(FrozenInstanceError):
        del code.value
    assert not vars(cls)["__slots__"]  # subclasses add no slot
    assert not hasattr(code, "__dict__")


@parametrize_class_values
@given(data=st.data())
def test_code_values_hash_and_compare_by_canonical_string(
    cls: type[CodeValue],
    values: st.SearchStrategy[CodeValue],
    data: st.DataObject,
) -> None:
    a, b = data.draw(values), data.draw(values)
    twin = cls(str(a).lower())
    assert a == twin
    assert not a != twin  # noqa: SIM202 - __ne__ is implemented on its own
    assert hash(a) == hash(twin)
    assert len({a, twin}) == 1
    assert (a == b) is (str(a) == str(b))
    assert (a != b) is (str(a) != str(b))
    assert (a < b) is (str(a) < str(b))
    assert (a <= b) is (str(a) <= str(b))
    assert (a > b) is (str(a) > str(b))
    assert (a >= b) is (str(a) >= str(b))
    assert sorted([a, b]) == sorted([a, b], key=str)


@parametrize_class_values
@given(data=st.data())
def test_code_values_pickle_and_copy(
    cls: type[CodeValue],
    values: st.SearchStrategy[CodeValue],
    data: st.DataObject,
) -> None:
    code = data.draw(values)
    clone = pickle.loads(pickle.dumps(code))  # noqa: S301 - our own data
    assert clone == code
    assert type(clone) is cls
    assert copy.copy(code) is code
    assert copy.deepcopy(code) is code


def test_values_of_different_systems_are_never_equal() -> None:
    place, modifier = PlaceOfService("11"), Modifier("11")
    assert place != modifier
    assert not place == modifier  # noqa: SIM201 - __eq__ is what is tested
    assert place != "11"
    assert len({place, modifier}) == 2


@pytest.mark.parametrize(
    "compare",
    [
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
    ids=["lt", "le", "gt", "ge"],
)
def test_values_of_different_systems_do_not_order(
    compare: Callable[[object, object], bool],
) -> None:
    with pytest.raises(TypeError):
        compare(PlaceOfService("11"), Modifier("11"))
    with pytest.raises(TypeError):
        compare(CptCode("97124"), "97124")


@pytest.mark.parametrize(
    ("cls", "other"),
    [
        (Npi, CptCode("97124")),
        (CptCode, Npi("1234567893")),
        (Modifier, PlaceOfService("11")),
    ],
    ids=["npi-from-cpt", "cpt-from-npi", "modifier-from-pos"],
)
def test_a_value_of_another_system_is_refused(cls: type[CodeValue], other: CodeValue) -> None:
    with pytest.raises(InvalidFormatError) as info:
        cls(other)
    assert info.value.errors[0].code == "invalid_type"


@pytest.mark.parametrize("cls", [c for _, c, _ in SYSTEMS], ids=SYSTEM_IDS)
def test_invalid_value_raises_a_validation_error_with_an_empty_path(cls: type[CodeValue]) -> None:
    with pytest.raises(ValidationError) as info:
        cls("ZZSENTINELZZ")
    assert isinstance(info.value, ValueError)
    assert [detail.path for detail in info.value.errors] == [""]
    assert "ZZSENTINELZZ" not in str(info.value)
    assert "ZZSENTINELZZ" not in repr(info.value)
    assert "ZZSENTINELZZ" not in repr(info.value.args)


# The constructors' fast path takes a canonical string as it is: it must never
# accept what validate() refuses or would change.
@pytest.mark.parametrize(("module", "cls", "codes"), SYSTEMS, ids=SYSTEM_IDS)
@given(data=st.data())
def test_the_canonical_fast_path_agrees_with_validate(
    module: ModuleType,
    cls: type[CodeValue],
    codes: st.SearchStrategy[CodeValue],
    data: st.DataObject,
) -> None:
    text = data.draw(
        st.one_of(
            codes.map(str),
            st.tuples(codes.map(str), st.sampled_from("0123456789AZaz.- ")).map(
                lambda pair: pair[0][:-1] + pair[1]
            ),
            st.text(alphabet="0123456789ABFMTUXZ.- ", max_size=11),
        )
    )
    if cls._is_canonical(text):
        assert module.validate(text) == text
        assert str(cls(text)) == text
