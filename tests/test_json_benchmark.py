from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).parent.parent / "benchmarks" / "bench_serialize.py"


def test_the_benchmark_mirrors_agree_with_soapbill() -> None:
    # The speed figures mean something only while the pydantic and msgspec
    # mirrors write the same JSON and refuse the same documents as soapbill.
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(BENCHMARK), "--check"],
        capture_output=True,
        check=False,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    found = re.fullmatch(
        r"agree: \d+ bytes, (\d+) valid and (\d+) broken documents\n", result.stdout
    )
    assert found is not None, result.stdout
    assert int(found[1]) >= 5
    assert int(found[2]) >= 70


def test_the_formats_benchmark_writes_every_format() -> None:
    # bench_formats.py builds its claim from bench_serialize.py's: it must stay
    # a claim every format accepts.
    script = BENCHMARK.with_name("bench_formats.py")
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(script), "--check"],
        capture_output=True,
        check=False,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for name in ("json", "x12_837p", "x12_837p_batch", "fhir_r4", "cms1500_pages"):
        assert re.search(rf"\b{name} [1-9][0-9]* chars\b", result.stdout), result.stdout
