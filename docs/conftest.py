"""
The documentation's examples run as doctests from the root of the repository.

That is where a reader runs them: the tutorial and the seed story open the
bundled ``examples/`` documents by their relative paths.
"""

# docs/ is no package: pytest imports this file by its path.
# ruff: noqa: INP001

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _run_from_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
