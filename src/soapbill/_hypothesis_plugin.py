"""
Registers the strategies of :mod:`soapbill.strategies` with Hypothesis.

Hypothesis calls :func:`_hypothesis_setup_hook` when it is imported, through
the ``hypothesis`` entry point group that soapbill's package metadata declares
(Hypothesis documents it as "Registering strategies via setuptools entry
points"). Then ``st.from_type(soapbill.Claim)`` draws claims from
:func:`soapbill.strategies.claims`, and so on for every model that has a
strategy, the models of :mod:`soapbill.eligibility` too
(``st.from_type(EligibilityInquiry)``). ``import soapbill`` registers nothing
and never imports Hypothesis; this module imports neither until Hypothesis
calls it (then the models' modules), and :mod:`soapbill.strategies` only when
a strategy is first resolved.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

#: Each model with a strategy, with the strategy that draws it: the models
#: exported by :mod:`soapbill`, then those of :mod:`soapbill.eligibility`.
_STRATEGIES: Final = (
    ("Addendum", "addenda"),
    ("Address", "addresses"),
    ("Assessment", "assessments"),
    ("Attachment", "attachments"),
    ("Claim", "claims"),
    ("Coverage", "coverages"),
    ("CptCode", "cpt_codes"),
    ("DiagnosisCode", "diagnosis_codes"),
    ("Frequency", "frequencies"),
    ("FunctionalMeasure", "functional_measures"),
    ("HomeExercise", "home_exercises"),
    ("Lifestyle", "lifestyles"),
    ("Modifier", "modifiers"),
    ("Npi", "npis"),
    ("Objective", "objectives"),
    ("PainReport", "pain_reports"),
    ("Patient", "patients"),
    ("Payer", "payers"),
    ("PersonName", "person_names"),
    ("PlaceOfService", "places_of_service"),
    ("Plan", "plans"),
    ("Prescription", "prescriptions"),
    ("Provider", "providers"),
    ("RangeOfMotion", "ranges_of_motion"),
    ("RelatedCauses", "related_causes"),
    ("ServiceLine", "service_lines"),
    ("Signature", "signatures"),
    ("SoapNote", "soap_notes"),
    ("Subjective", "subjectives"),
    ("Subscriber", "subscribers"),
    ("TaxId", "tax_ids"),
    ("TissueFinding", "tissue_findings"),
    ("Treatment", "treatments"),
    ("care.CarePlan", "care_plans"),
    ("eligibility.Benefit", "benefits"),
    ("eligibility.EligibilityInquiry", "eligibility_inquiries"),
    ("eligibility.EligibilityResponse", "eligibility_responses"),
    ("eligibility.Member", "members"),
    ("eligibility.Rejection", "rejections"),
)


class _Deferred:
    """
    Resolves a type to its strategy, importing :mod:`soapbill.strategies` then.

    The strategies module builds its strategies when imported; deferring the
    import keeps ``import hypothesis`` quick in projects that never ask for
    a soapbill type.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, _: type) -> SearchStrategy[object]:
        strategies = importlib.import_module("soapbill.strategies")
        strategy: SearchStrategy[object] = getattr(strategies, self.name)()
        return strategy

    def __repr__(self) -> str:
        return f"soapbill.strategies.{self.name}()"


def _model(name: str) -> type:
    """
    The model *name* of :data:`_STRATEGIES`: ``Claim``, ``eligibility.Benefit`` ...

    A name without a dot is :mod:`soapbill`'s; ``eligibility.`` names one of
    :mod:`soapbill.eligibility`.
    """
    module, _, attribute = name.rpartition(".")
    model: type = getattr(importlib.import_module(f"soapbill.{module}".rstrip(".")), attribute)
    return model


def _hypothesis_setup_hook() -> None:
    """
    Register a strategy for each model of :data:`_STRATEGIES`.
    """
    # Imported here: Hypothesis calls this hook while it is imported itself.
    from hypothesis import strategies as st  # noqa: PLC0415

    for type_name, strategy_name in _STRATEGIES:
        st.register_type_strategy(_model(type_name), _Deferred(strategy_name))
