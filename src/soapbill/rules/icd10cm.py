"""
The full ICD-10-CM tabular as a diagnosis table (the ``soapbill[icd10]`` extra).

:class:`Icd10CmTable` adapts the `simple-icd-10-cm
<https://pypi.org/project/simple-icd-10-cm/>`_ package, which bundles one
release of the CDC tabular (version 1.5.0: the April 1 2026 release). A code in
it is billable when it is a leaf; a category or subcategory is a header, with
its children as the codes to use instead; a code missing from it is invalid.

The package holds one release only, so this table answers the same for every
date of service. Layer the dated :data:`~soapbill.rules.diagnoses.MASSAGE_DIAGNOSES`
above it, so that codes which changed (M54.5 before 2021-10-01, ...) are
judged by their date:

.. code-block:: python

    from soapbill.rules.diagnoses import MASSAGE_DIAGNOSES, layered
    from soapbill.rules.icd10cm import Icd10CmTable

    table = layered(MASSAGE_DIAGNOSES, Icd10CmTable())

The package is imported when the first table is made, not before: it takes
seconds to load its data.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import importlib
import sys
import warnings
from datetime import date
from types import ModuleType

import attrs

from soapbill.codes.icd10 import DiagnosisCode
from soapbill.errors import SoapbillError
from soapbill.rules.diagnoses import DiagnosisStatus, DiagnosisVerdict

__all__ = ["Icd10CmTable", "MissingExtraError"]

_MODULE = "simple_icd_10_cm"


class MissingExtraError(SoapbillError, ImportError):
    """
    An optional dependency is not installed.

    .. versionadded:: 0.1.0
    """


def _module() -> ModuleType:
    loaded = sys.modules.get(_MODULE)
    if loaded is not None:
        return loaded
    try:
        with warnings.catch_warnings():
            # simple-icd-10-cm 1.5 reads its data with the deprecated
            # importlib.resources.read_text when it is first imported.
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module(_MODULE)
    except ImportError:
        msg = "the ICD-10-CM table needs the simple-icd-10-cm package: pip install soapbill[icd10]"
        raise MissingExtraError(msg) from None


@attrs.frozen
class Icd10CmTable:
    """
    The simple-icd-10-cm tabular as a :class:`~soapbill.rules.diagnoses.DiagnosisTable`.

    Raises:
        MissingExtraError: simple-icd-10-cm is not installed.

    .. versionadded:: 0.1.0
    """

    def __attrs_post_init__(self) -> None:
        _module()

    def check(self, code: DiagnosisCode, on: date, /) -> DiagnosisVerdict:  # noqa: ARG002 - one release for every date
        """
        Say whether *code* is a leaf of the tabular (for any date).
        """
        icd = _module()
        value = code.value
        if not icd.is_valid_item(value):
            return DiagnosisVerdict(status=DiagnosisStatus.INVALID)
        if icd.is_leaf(value):
            return DiagnosisVerdict(status=DiagnosisStatus.BILLABLE)
        children = tuple(DiagnosisCode(child) for child in icd.get_children(value))
        return DiagnosisVerdict(status=DiagnosisStatus.HEADER, use_instead=children)
