"""
CPT and HCPCS Level II procedure codes, and soapbill's code catalogue.

Accepted shapes: CPT Category I ``NNNNN`` (``97124``), Category II ``NNNNF``,
Category III ``NNNNT``, the Category I codes the AMA numbers with a letter
(``NNNNA`` vaccine administration, ``NNNNM`` multianalyte assays, ``NNNNU``
proprietary laboratory analyses, all found in the CMS NCCI files), and HCPCS
Level II ``ANNNN`` (``G0283``).

The catalogue says, for the codes a massage or physical-medicine practice
bills, whether a code is *timed* (billed in 15-minute units, CMS Pub 100-04
Ch. 5 §20.2) and
its Medicare fee-schedule status. Its labels are our own plain words: CPT
descriptors are AMA copyright and are not shipped. The catalogue is a value:
:meth:`Catalog.extend` returns a new one with your codes added.

>>> validate("97124")
'97124'
>>> lookup("97124").timed
True
>>> lookup("97010").timed
False
>>> CptCode("g0283")
CptCode('G0283')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from soapbill._enums import Choice
from soapbill.codes._base import CodeValue, clean, invalid
from soapbill.errors import SoapbillError, ValidationError

__all__ = [
    "DEFAULT_CATALOG",
    "Catalog",
    "CodeInfo",
    "CptCode",
    "MedicareStatus",
    "UnknownCodeError",
    "compact",
    "format",
    "is_valid",
    "lookup",
    "validate",
]

_SHAPE: Final = re.compile(r"[0-9]{4}[0-9AFMTU]|[A-Z][0-9]{4}").fullmatch


def compact(value: str) -> str:
    """
    Strip white space and separators, and upper-case.
    """
    return clean(value)


def validate(value: str) -> str:
    """
    Return the canonical code, or raise.
    """
    code = compact(value)
    if _SHAPE(code) is None:
        raise invalid(
            "a procedure code is five digits, four digits and A, F, M, T or U,"
            " or a letter and four digits"
        )
    return code


def is_valid(value: object) -> bool:
    """
    Tell whether *value* is a valid CPT or HCPCS Level II code; never raises.
    """
    try:
        validate(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return True


def format(value: str) -> str:
    """
    Return the display form.
    """
    return validate(value)


class CptCode(CodeValue):
    """
    A CPT (Category I, II or III) or HCPCS Level II procedure code.

    .. versionadded:: 0.1.0
    """

    __slots__ = ()
    _validate = staticmethod(validate)
    _is_canonical = staticmethod(_SHAPE)

    @property
    def is_hcpcs_level2(self) -> bool:
        """
        Whether this is a HCPCS Level II code (a letter and four digits).
        """
        return self.value[0].isalpha()


class MedicareStatus(Choice):
    """
    The Medicare Physician Fee Schedule status of a code (Pub 100-04 Ch. 23 §30.2.2).

    .. versionadded:: 0.1.0
    """

    ACTIVE = "a"
    #: Bundled, always included in payment for other services on the same date.
    BUNDLED = "b"
    #: Not valid for Medicare purposes.
    INVALID = "i"


class UnknownCodeError(SoapbillError, LookupError):
    """
    A code is not in the catalogue in use.

    .. versionadded:: 0.1.0
    """


@attrs.frozen(kw_only=True)
class CodeInfo:
    """
    What soapbill knows of a procedure code.

    Attributes:
        code: The code.
        label: Our own short plain-language label.
        timed: Whether the code is billed in 15-minute units of direct time.
        medicare_status: The Medicare fee schedule status.
        always_therapy: Whether Medicare requires a therapy plan-of-care
            modifier (GP, GO, GN) on every line of this code.

    .. versionadded:: 0.1.0
    """

    code: CptCode
    label: str
    timed: bool
    medicare_status: MedicareStatus = MedicareStatus.ACTIVE
    always_therapy: bool = True

    @property
    def minutes_per_unit(self) -> int | None:
        """
        Minutes in one unit, 15 for timed codes and ``None`` for untimed ones.
        """
        return 15 if self.timed else None


def _freeze(entries: Mapping[CptCode, CodeInfo]) -> Mapping[CptCode, CodeInfo]:
    # The type says what a caller should pass; the checks are for what one did.
    given: object = entries
    if not isinstance(given, Mapping):
        raise ValidationError.single(
            "entries", "invalid_type", "expected a mapping of codes to code infos"
        )
    for code, info in given.items():
        if not isinstance(code, CptCode):
            raise ValidationError.single("entries", "invalid_type", "keys must be CptCode values")
        if not isinstance(info, CodeInfo):
            raise ValidationError.single(f"entries[{code}]", "invalid_type", "expected a CodeInfo")
        if info.code != code:
            raise ValidationError.single(
                f"entries[{code}]", "code_mismatch", "the info is of another code"
            )
    return MappingProxyType(dict(entries))


def _infos(infos: Iterable[object], name: str) -> dict[CptCode, CodeInfo]:
    if isinstance(infos, str | bytes) or not isinstance(infos, Iterable):
        raise ValidationError.single(name, "invalid_type", "expected an iterable of CodeInfo")
    found: dict[CptCode, CodeInfo] = {}
    for i, info in enumerate(infos):
        if not isinstance(info, CodeInfo):
            raise ValidationError.single(f"{name}[{i}]", "invalid_type", "expected a CodeInfo")
        found[info.code] = info
    return found


@attrs.frozen
class Catalog(Mapping[CptCode, CodeInfo]):
    """
    An immutable mapping of codes to :class:`CodeInfo`.

    .. versionadded:: 0.1.0
    """

    _entries: Mapping[CptCode, CodeInfo] = attrs.field(converter=_freeze)
    # The labels by code string: a str key hashes and compares in C, a
    # CptCode key in Python (see label).
    _labels: Mapping[str, str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        labels = {code.value: info.label for code, info in self._entries.items()}
        object.__setattr__(self, "_labels", labels)

    @classmethod
    def of(cls, infos: Iterable[CodeInfo]) -> Catalog:
        """
        Build a catalogue from code infos; a later info replaces an earlier one.

        Raises:
            ValidationError: *infos* is not an iterable of :class:`CodeInfo`.
        """
        return cls(_infos(infos, "infos"))

    def extend(self, *infos: CodeInfo) -> Catalog:
        """
        Return a new catalogue with *infos* added (replacing the same codes).

        Raises:
            ValidationError: An info is not a :class:`CodeInfo`.
        """
        return Catalog({**self._entries, **_infos(infos, "infos")})

    def lookup(self, code: CptCode | str) -> CodeInfo:
        """
        Return the info of *code*.

        Raises:
            UnknownCodeError: The code is not in this catalogue.
        """
        key = code if isinstance(code, CptCode) else CptCode(code)
        # Looked up without a KeyError: it would hold the code, and stay the
        # refusal's __context__ even raised "from None".
        info = self._entries.get(key)
        if info is None:
            raise UnknownCodeError("the procedure code is not in the catalogue")
        return info

    def label(self, code: CptCode) -> str | None:
        """
        Return the label of *code*, or ``None`` when the catalogue does not hold it.

        Raises:
            ValidationError: *code* is not a :class:`CptCode`.

        .. versionadded:: 0.1.0
        """
        if code.__class__ is not CptCode:
            raise ValidationError.single("code", "invalid_type", "expected a CptCode")
        return self._labels.get(code.value)

    def __getitem__(self, code: CptCode) -> CodeInfo:
        return self._entries[code]

    def __iter__(self) -> Iterator[CptCode]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Catalog(<{len(self._entries)} codes>)"


def _info(
    code: str,
    label: str,
    *,
    timed: bool,
    status: MedicareStatus = MedicareStatus.ACTIVE,
) -> CodeInfo:
    return CodeInfo(code=CptCode(code), label=label, timed=timed, medicare_status=status)


# Timing per the code's descriptor (timed = "each 15 minutes", direct one-on-one;
# supervised modalities, evaluations and CMT are untimed, as Clinicient's list of
# service-based codes has it). Medicare status per Pub 100-04 Ch. 23 §30.2.2:
# 97010 is status B (Palmetto GBA, MPFS status indicators) and 97014 is not
# recognised by Medicare (G0283 replaces it). 97018's untimed status is an
# unsourced recollection consistent with the supervised modalities 97010-97028.
#: The built-in catalogue.
DEFAULT_CATALOG: Final = Catalog.of(
    [
        _info("97010", "Hot or cold packs", timed=False, status=MedicareStatus.BUNDLED),
        _info("97012", "Mechanical traction", timed=False),
        _info(
            "97014",
            "Electrical stimulation, unattended",
            timed=False,
            status=MedicareStatus.INVALID,
        ),
        _info("97018", "Paraffin bath", timed=False),
        _info("97032", "Electrical stimulation, attended", timed=True),
        _info("97035", "Ultrasound", timed=True),
        _info("97110", "Therapeutic exercise", timed=True),
        _info("97112", "Neuromuscular re-education", timed=True),
        _info("97116", "Gait training", timed=True),
        _info("97124", "Massage therapy", timed=True),
        _info("97140", "Manual therapy", timed=True),
        _info("97150", "Group therapeutic procedures", timed=False),
        _info("97161", "Physical therapy evaluation, low complexity", timed=False),
        _info("97162", "Physical therapy evaluation, moderate complexity", timed=False),
        _info("97163", "Physical therapy evaluation, high complexity", timed=False),
        _info("97164", "Physical therapy re-evaluation", timed=False),
        _info("97530", "Therapeutic activities", timed=True),
        _info("G0283", "Electrical stimulation, unattended, not for wounds", timed=False),
    ]
)


def lookup(code: CptCode | str, catalog: Catalog | None = None) -> CodeInfo:
    """
    Return what *catalog* (default: the built-in one) knows of *code*.

    Raises:
        UnknownCodeError: The code is not in the catalogue.
        InvalidFormatError: *code* is a malformed string.
        ValidationError: *catalog* is not a :class:`Catalog`.
    """
    if catalog is None:
        return DEFAULT_CATALOG.lookup(code)
    if not isinstance(catalog, Catalog):
        raise ValidationError.single("catalog", "invalid_type", "expected a Catalog")
    return catalog.lookup(code)
