"""Sphinx configuration for soapbill's documentation."""

from __future__ import annotations

import enum
import importlib
import inspect
from typing import Any

import soapbill

project = "soapbill"
author = "The soapbill developers"
copyright = "2026, The soapbill developers"  # noqa: A001
release = soapbill.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
# Show a default as the source writes it (CLAIM_FILING_CODES), not its repr.
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
html_theme = "furo"
html_title = "soapbill"
exclude_patterns = ["_build"]
suppress_warnings = ["myst.header"]

# Every reference to a soapbill name must resolve (build with -n -W).
nitpicky = True
# The build needs no network, and no installed package ships the inventories
# of Python, attrs, cattrs, msgspec or Hypothesis: their names stay plain text.
# soapbill's private names (a base class, a test aid's type) are not
# documented, on purpose.
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(datetime|decimal|collections|enum|typing|types|os|io|json|re|pathlib"
        r"|attrs?|cattrs?|msgspec|hypothesis)(\..*)?",
    ),
    (r"py:.*", r"(Decimal|InvalidArgument|TextIO|T)"),
    (r"py:.*", r"soapbill(\.\w+)*\._\w+(\.\w+)*"),
]


_MISSING = object()


def _canonical(target: str) -> tuple[str, str | None] | None:
    """
    The documented name of *target*, a soapbill name as a program spells it.

    ``soapbill.Claim`` is documented as ``soapbill.claims.Claim``, and
    ``soapbill.rules.evaluate`` as ``soapbill.rules.engine.evaluate``: the
    package and its subpackages re-export names from the modules that define
    them. Attributes (``soapbill.Sex.FEMALE``) follow their class. An enum
    member, which autodoc does not list, stands for its enum: the second item
    is then the role (``"class"``) to resolve it as.
    """
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        break
    else:
        return None
    owner: Any = None
    for i, name in enumerate(parts[cut:], start=cut):
        owner, obj = obj, getattr(obj, name, _MISSING)
        if obj is _MISSING:
            # An annotated attribute with no class value, such as an
            # exception's ``errors``: named after its class.
            if isinstance(owner, type) and i == len(parts) - 1:
                return f"{owner.__module__}.{owner.__qualname__}.{name}", None
            return None
    if isinstance(owner, type) and issubclass(owner, enum.Enum) and isinstance(obj, owner):
        return f"{owner.__module__}.{owner.__qualname__}", "class"
    if isinstance(obj, type) or inspect.isfunction(obj):
        return f"{obj.__module__}.{obj.__qualname__}", None
    if isinstance(owner, type):
        return f"{owner.__module__}.{owner.__qualname__}.{parts[-1]}", None
    return None


def _candidates(node: Any) -> list[str]:  # noqa: ANN401
    """
    The full names a reference may mean: as written, or inside its context.
    """
    target: str = node.get("reftarget", "").lstrip(".~")
    if target.startswith("soapbill."):
        return [target]
    module = node.get("py:module") or ""
    cls = node.get("py:class") or ""
    names = []
    if module.startswith("soapbill"):
        if cls:
            names.append(f"{module}.{cls}.{target}")
        names.append(f"{module}.{target}")
    return names


def _resolve_reexport(app: Any, env: Any, node: Any, contnode: Any) -> Any:  # noqa: ANN401
    """
    Resolve a reference to a re-exported soapbill name at its definition.
    """
    if node.get("refdomain") != "py":
        return None
    domain = env.get_domain("py")
    for candidate in _candidates(node):
        found = _canonical(candidate)
        if found is None:
            continue
        name, role = found
        resolved = domain.resolve_xref(
            env, node["refdoc"], app.builder, role or node["reftype"], name, node, contnode
        )
        if resolved is not None:
            return resolved
    return None


def setup(app: Any) -> None:  # noqa: ANN401
    """
    Resolve references to re-exported names.
    """
    app.connect("missing-reference", _resolve_reexport)
