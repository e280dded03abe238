"""
What every soapbill model promises as a value, asserted in one place.
"""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest

__all__ = ["assert_model_value"]


def assert_model_value(value: Any) -> None:
    """
    Assert that *value*, an instance of a model class, behaves as a value.

    Rebuilding it runs every check again and gives an equal value with the same
    hash; it pickles to an equal value with the same hash; it is frozen.
    """
    rebuilt = attrs.evolve(value)
    assert rebuilt == value
    assert hash(rebuilt) == hash(value)
    clone = pickle.loads(pickle.dumps(value))  # noqa: S301 - our own data
    assert clone == value
    assert hash(clone) == hash(value)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        value.anything = 1
