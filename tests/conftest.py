"""
Hypothesis profiles for the test suite.

``HYPOTHESIS_PROFILE`` picks one: ``ci`` (the default) keeps the suite fast and
free of timing flakes; ``dev`` tries more examples when hunting a bug.

Example counts come from here. A test states its own ``max_examples`` only when
each example runs a slow external oracle (pyx12, fhir.resources, a process
pool), and says so in a comment next to it.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The suite never asserts speed by timing: no deadline, and no too_slow health
# check (it times data generation, and drawing a whole claim takes tens of
# milliseconds on a slow shared runner, which is no bug).
_UNTIMED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

settings.register_profile("ci", _UNTIMED, max_examples=50, print_blob=True)
settings.register_profile("dev", _UNTIMED, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
