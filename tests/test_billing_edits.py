"""
soapbill.billing.edits: the deprecated alias of the ncci and medicare modules.
"""

from __future__ import annotations

from soapbill.billing import edits, medicare, ncci


def test_the_alias_re_exports_the_same_objects() -> None:
    homes = {name: getattr(ncci, name, None) or getattr(medicare, name) for name in edits.__all__}
    assert {name: getattr(edits, name) for name in edits.__all__} == homes
    assert set(edits.__all__) == set(ncci.__all__) | set(medicare.__all__)
    assert edits.__doc__
    assert "deprecated" in edits.__doc__
