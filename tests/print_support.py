"""
Printing the HTML pages soapbill writes, as a browser prints them.

Headless Chromium prints a page to PDF (:func:`print_to_pdf`); poppler-utils
read the PDF back. :func:`require` skips a test when a tool is missing, and
fails it on CI, where the tools must be installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

__all__ = ["CHROMIUM", "print_to_pdf", "require"]

#: Chromium's executable, or ``None`` when it is not installed.
CHROMIUM = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None
)


def require(tools: Mapping[str, str | None]) -> None:
    """
    Skip the test unless every one of *tools* (name to path) is installed; on CI, fail it.
    """
    missing = sorted(name for name, path in {"chromium": CHROMIUM, **tools}.items() if not path)
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI needs {', '.join(missing)} for this test")
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")


def print_to_pdf(page: str, folder: Path, name: str = "page") -> Path:
    """
    Print the HTML *page* to ``name.pdf`` in *folder* with headless Chromium; return its path.
    """
    source = folder / f"{name}.html"
    pdf = folder / f"{name}.pdf"
    source.write_text(page, encoding="utf-8")
    subprocess.run(  # noqa: S603 - fixed arguments, a file we wrote
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            source.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf
