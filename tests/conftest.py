"""
Hypothesis profiles for the test suite.

``HYPOTHESIS_PROFILE`` picks one: ``ci`` (the default) keeps the suite fast and
free of timing flakes; ``dev`` tries more examples when hunting a bug.
"""

from __future__ import annotations

import os

from hypothesis import settings

# Generating a whole claim takes tens of milliseconds on a slow runner, which is
# no bug: no deadline.
settings.register_profile("ci", deadline=None, max_examples=50, print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
