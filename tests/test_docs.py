"""
Every public module has an API page, and every page is about a real module.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

import soapbill

API = Path(__file__).parent.parent / "docs" / "api"


def _public_modules() -> set[str]:
    names = {"soapbill"}
    for info in pkgutil.walk_packages(soapbill.__path__, "soapbill."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.add(info.name)
    return names


def test_every_public_module_has_an_api_page() -> None:
    pages = {path.stem for path in API.glob("*.md")}
    assert _public_modules() - pages == set()


def test_every_api_page_documents_a_public_module() -> None:
    pages = {path.stem for path in API.glob("*.md")}
    assert pages - _public_modules() == set()
    for path in API.glob("*.md"):
        assert f"automodule:: {path.stem}\n" in path.read_text(encoding="utf-8")
