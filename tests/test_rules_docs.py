"""
The rules and policies guides run as tests.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide"


@pytest.mark.parametrize("page", ["rules.md", "policies.md"])
def test_guide_page_runs(page: str) -> None:
    path = GUIDE / page
    parser = doctest.DocTestParser()
    test = parser.get_doctest(path.read_text("utf-8"), {}, page, str(path), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0
