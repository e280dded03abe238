"""
Decoding in a fresh process compiles its checks once, never per decoded object.

The models generate their checks on first use, and msgspec remembers the
``__attrs_post_init__`` it saw when it first met a class. Each test runs in a
new interpreter, so that the decoder, not a hand-built object, is the first to
use the classes, and counts the calls of the builtin ``compile`` made by the
decodes after the first: there must be none.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"

# Decodes the document on stdin once, then counts compile() calls over three more
# decodes and prints the count.
_COUNT_COMPILES = textwrap.dedent(
    """
    import builtins
    import sys

    import soapbill
    from soapbill.formats.json import from_dict, from_json

    cls = getattr(soapbill, sys.argv[1])
    decode = from_json if sys.argv[2] == "json" else from_dict
    text = sys.stdin.buffer.read()
    document = text if decode is from_json else __import__("json").loads(text)
    decode(document, cls)

    calls = 0
    real_compile = builtins.compile


    def counting_compile(*args, **kwargs):
        global calls
        calls += 1
        return real_compile(*args, **kwargs)


    builtins.compile = counting_compile
    for _ in range(3):
        decode(document, cls)
    builtins.compile = real_compile
    print(calls)
    """
)

_COUNT_POLICY_COMPILES = textwrap.dedent(
    """
    import builtins

    from soapbill.rules import policies

    policies.load("medicare-part-b")
    calls = 0
    real_compile = builtins.compile


    def counting_compile(*args, **kwargs):
        global calls
        calls += 1
        return real_compile(*args, **kwargs)


    builtins.compile = counting_compile
    policies.load("medicare-part-b")
    policies.load("commercial-rx")
    builtins.compile = real_compile
    print(calls)
    """
)


def _run(script: str, *args: str, stdin: bytes = b"") -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, *args],
        input=stdin,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode().strip()


@pytest.mark.parametrize("decode", ["json", "dict"])
@pytest.mark.parametrize(
    ("cls", "example"),
    [
        ("Claim", "claim.json"),
        ("SoapNote", "note-1.json"),
        ("Prescription", "prescription.json"),
    ],
)
def test_decoding_again_compiles_nothing(cls: str, example: str, decode: str) -> None:
    document = (EXAMPLES / example).read_bytes()
    assert _run(_COUNT_COMPILES, cls, decode, stdin=document) == "0"


def test_loading_a_policy_again_compiles_nothing() -> None:
    assert _run(_COUNT_POLICY_COMPILES) == "0"
