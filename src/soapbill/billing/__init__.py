"""
Billing arithmetic: units from minutes, coding edits, fees and visit-to-claim.

* :mod:`soapbill.billing.units`: minutes of treatment to billable units.

.. versionadded:: 0.1.0
"""

from soapbill.billing.units import UnitAllocation, UnitMethod, allocate_units

__all__ = ["UnitAllocation", "UnitMethod", "allocate_units"]
