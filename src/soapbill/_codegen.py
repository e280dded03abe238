"""
Compile the functions soapbill generates, with their source in ``linecache``.

The model checks (:mod:`soapbill._validators`), the JSON writers and the JSON
decoder's pre-checks are generated per class, as attrs generates ``__init__``.
Like attrs (``_make.py``: ``_generate_unique_filename`` and
``_linecache_and_compile``), each source is registered in :mod:`linecache`
under a file name of its own, such as ``<soapbill check
soapbill.claims.Claim>``, so that tracebacks, ``pdb`` and ``inspect`` show the
generated lines.
"""

from __future__ import annotations

import linecache
from typing import Any

__all__ = ["compile_source"]


def compile_source(source: str, what: str, cls: type, namespace: dict[str, Any]) -> None:
    """
    Execute *source* in *namespace*, registered in ``linecache``.

    Args:
        source: Python source defining one or more functions.
        what: What the source is, for its file name (``"check"``).
        cls: The class it was generated for, also for its file name.
        namespace: The globals of the generated functions; they land in it.
    """
    base = f"<soapbill {what} {cls.__module__}.{cls.__qualname__}"
    lines = source.splitlines(keepends=True)
    filename = f"{base}>"
    count = 1
    # A class defined twice (in a test, a notebook) gets a second file name
    # rather than showing the first one's source.
    while True:
        entry = (len(source), None, lines, filename)
        if linecache.cache.setdefault(filename, entry) == entry:
            break
        filename = f"{base}-{count}>"
        count += 1
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own generated source
