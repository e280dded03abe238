"""
The public face: every ``__all__`` is sorted and importable, and importing
soapbill does not import Hypothesis.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import soapbill


def _public_modules() -> list[str]:
    walked = pkgutil.walk_packages(soapbill.__path__, "soapbill.")
    names = [info.name for info in walked]
    public = [name for name in names if not any(p.startswith("_") for p in name.split("."))]
    return sorted(["soapbill", *public])


def _isort_key(name: str) -> tuple[int, list[int | str]]:
    """
    Ruff's "isort-style" order of ``__all__`` (rule RUF022): constants, then
    classes, then the rest, each in natural order.
    """
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


PUBLIC_MODULES = _public_modules()


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(["DEFAULT_CATALOG", "Catalog", "CodeInfo", "compact", "validate"], id="kinds"),
        pytest.param(["SoapNote", "SoapbillError", "__version__"], id="case"),
        pytest.param(["X2", "X10"], id="natural"),
    ],
)
def test_isort_key(names: list[str]) -> None:
    rotated = names[1:] + names[:1]
    assert sorted(rotated, key=_isort_key) == names


def test_the_walk_finds_the_modules() -> None:
    for name in ("soapbill.codes.npi", "soapbill.claims", "soapbill.strategies"):
        assert name in PUBLIC_MODULES
    assert "soapbill._validators" not in PUBLIC_MODULES
    assert "soapbill.codes._base" not in PUBLIC_MODULES


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_and_importable(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    exported = module.__all__
    assert isinstance(exported, list)
    assert exported == sorted(exported, key=_isort_key)
    assert len(set(exported)) == len(exported)
    for attribute in exported:
        assert hasattr(module, attribute), attribute
        assert not attribute.startswith("_") or attribute == "__version__"


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_modules_have_docstrings(name: str) -> None:
    assert importlib.import_module(name).__doc__


def test_version() -> None:
    assert isinstance(soapbill.__version__, str)
    assert soapbill.__version__


def _modules_loaded_by(code: str) -> set[str]:
    # A fresh interpreter: this one has imported Hypothesis long ago.
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(result.stdout.split())


def test_importing_soapbill_does_not_import_hypothesis() -> None:
    loaded = _modules_loaded_by("import soapbill")
    assert "soapbill" in loaded
    assert "hypothesis" not in loaded
    assert "soapbill.strategies" not in loaded


def test_only_the_strategies_import_hypothesis() -> None:
    others = [name for name in PUBLIC_MODULES if name != "soapbill.strategies"]
    loaded = _modules_loaded_by("\n".join(f"import {name}" for name in others))
    assert "hypothesis" not in loaded


def test_the_api_page_of_the_package_lists_every_export() -> None:
    page = (Path(__file__).parents[1] / "docs" / "api" / "soapbill.md").read_text()
    for name in soapbill.__all__:
        obj = getattr(soapbill, name)
        if name != "__version__":
            assert f"`~{obj.__module__}.{name}`" in page, name


def test_every_export_resolves_and_is_listed() -> None:
    # In a fresh interpreter: the names load on first use.
    code = (
        "import soapbill\n"
        "missing = [n for n in soapbill.__all__ if getattr(soapbill, n, None) is None]\n"
        "unlisted = sorted(set(soapbill.__all__) - set(dir(soapbill)))\n"
        "print(missing, unlisted)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["[]", "[]"]
    assert set(soapbill.__all__) <= set(dir(soapbill))


def test_importing_soapbill_loads_no_submodule() -> None:
    loaded = _modules_loaded_by("import soapbill")
    assert sorted(name for name in loaded if name.startswith("soapbill")) == ["soapbill"]
    claim = _modules_loaded_by("from soapbill import Claim")
    assert "soapbill.claims" in claim
    assert "soapbill.formats.json" not in claim


def test_the_former_submodule_attributes_remain() -> None:
    code = "import soapbill\nprint(soapbill.claims.__name__, soapbill.formats.__name__)"
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["soapbill.claims", "soapbill.formats"]
    assert soapbill.__getattr__("soap") is importlib.import_module("soapbill.soap")
    with pytest.raises(AttributeError):
        _ = soapbill.no_such_name


def test_type_checkers_see_every_export_from_its_home() -> None:
    # The imports under TYPE_CHECKING name each export where it lives.
    tree = ast.parse(Path(soapbill.__file__).read_text())
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    seen = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert set(seen) == set(soapbill.__all__) - {"__version__"}
    for name, module in seen.items():
        assert getattr(importlib.import_module(str(module)), name) is getattr(soapbill, name)


def test_the_json_format_loads_cattrs_and_the_models_on_first_use() -> None:
    loaded = _modules_loaded_by("import soapbill.formats.json")
    assert "cattrs" not in loaded
    assert "soapbill.codes" not in loaded
    assert "soapbill.claims" not in loaded
    used = _modules_loaded_by(
        "from soapbill.formats.json import from_json\n"
        "from soapbill import Payer\n"
        'from_json(\'{"id": "P", "name": "N"}\', Payer)'
    )
    assert "cattrs" not in used


@pytest.mark.parametrize("name", ["CarePlan", "Certification", "Goal", "RxRequest", "ScriptItem"])
def test_the_care_documents_are_exported(name: str) -> None:
    assert name in soapbill.__all__
    assert getattr(soapbill, name) is getattr(importlib.import_module("soapbill.care"), name)
