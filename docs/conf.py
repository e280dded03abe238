"""Sphinx configuration for soapbill's documentation."""

from __future__ import annotations

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
napoleon_google_docstring = True
napoleon_numpy_docstring = False
nitpicky = False
html_theme = "furo"
html_title = "soapbill"
exclude_patterns = ["_build"]
suppress_warnings = ["myst.header"]
