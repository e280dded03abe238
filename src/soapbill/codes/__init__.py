"""
Code systems, one module each.

Every module offers ``compact``, ``validate``, ``is_valid`` and ``format``, and
a value class.

.. versionadded:: 0.1.0
"""

from soapbill.codes.cpt import CptCode
from soapbill.codes.icd10 import DiagnosisCode
from soapbill.codes.modifiers import Modifier
from soapbill.codes.npi import Npi
from soapbill.codes.pos import PlaceOfService
from soapbill.codes.taxid import TaxId

__all__ = ["CptCode", "DiagnosisCode", "Modifier", "Npi", "PlaceOfService", "TaxId"]
