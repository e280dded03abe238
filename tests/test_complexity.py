"""
No function in ``src/`` is more complex than a reader can hold in mind.

A function whose cyclomatic complexity (as radon counts it) exceeds
:data:`LIMIT` must say why in its docstring, in a sentence that names its
complexity; a ``noqa`` comment is not a reason.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

radon_complexity = pytest.importorskip("radon.complexity")

#: The most branches a function may have without explaining itself.
LIMIT = 15

SOURCE = Path(__file__).parent.parent / "src" / "soapbill"


def _docstrings(tree: ast.Module) -> dict[int, str]:
    return {
        node.lineno: ast.get_docstring(node) or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _functions(block: Any) -> list[Any]:
    """
    A radon block's functions: a class's methods and inner classes, or a
    function with its closures.
    """
    if hasattr(block, "methods"):
        inner = [*block.methods, *block.inner_classes]
        return [function for part in inner for function in _functions(part)]
    return [block, *(function for closure in block.closures for function in _functions(closure))]


def _too_complex() -> list[str]:
    # radon lists a method both on its own and under its class.
    found = set()
    for path in sorted(SOURCE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        docstrings = _docstrings(ast.parse(text))
        for block in radon_complexity.cc_visit(text):
            for function in _functions(block):
                if function.complexity <= LIMIT:
                    continue
                if "complexity" in docstrings.get(function.lineno, "").lower():
                    continue
                name = path.relative_to(SOURCE).as_posix()
                found.add(f"{name}:{function.lineno} {function.name} ({function.complexity})")
    return sorted(found)


def test_no_function_is_too_complex_without_saying_why() -> None:
    assert _too_complex() == []
