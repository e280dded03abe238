from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def _quick(script: str) -> dict[str, Any]:
    # A smoke run: tiny warm loops and one fresh interpreter per program.
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(BENCHMARK.with_name(script)), "--quick", "--json"],
        capture_output=True,
        check=False,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def _is_figure(value: object) -> bool:
    # A fresh-process figure: the median and the fastest over the interpreters.
    return (
        isinstance(value, dict)
        and value.keys() == {"median", "min"}
        and all(isinstance(v, float) and v >= 0 for v in value.values())
    )


def test_the_serialize_benchmark_runs_warm_and_in_fresh_interpreters() -> None:
    figures = _quick("bench_serialize.py")
    for op in ("decode", "encode", "construct"):
        assert figures["warm"][f"{op}_vs_pydantic"] > 0
        for library in ("soapbill", "pydantic", "msgspec"):
            for when in ("first", "steady"):
                assert _is_figure(figures["fresh"][op][library][f"{when}_us"])
        for when in ("first", "steady"):
            assert _is_figure(figures["fresh"][f"{op}_{when}_vs_pydantic"])
    assert _is_figure(figures["fresh"]["import_vs_attrs_cattrs"])


def test_the_rules_benchmark_runs_warm_and_in_fresh_interpreters() -> None:
    figures = _quick("bench_rules.py")
    assert figures["check_vs_decode"]["ratio"] > 0
    assert len(figures["history_scaling"]) == 2
    fresh = figures["fresh"]
    for key in ("claim.first", "claim.steady", "check.first", "check.steady"):
        assert _is_figure(fresh["us"]["check"][key])
    for name in ("auto-pip", "commercial", "commercial-rx", "medicare-part-b", "workers-comp"):
        assert _is_figure(fresh["us"][f"load_{name}"]["policy.first"])
    assert fresh["ptp_edits"] >= 1000
    for key in ("policy.first", "check.first", "check.steady"):
        assert _is_figure(fresh["us"]["ptp"][key])
    assert _is_figure(fresh["check_vs_decode_steady"])


def test_the_formats_benchmark_runs_warm_and_in_fresh_interpreters() -> None:
    figures = _quick("bench_formats.py")
    names = ("x12_837p", "x12_837p_batch", "fhir_r4", "cms1500_pages")
    for name in names:
        assert figures["warm"][f"{name}_vs_json"] > 0
        for when in ("first", "steady"):
            assert _is_figure(figures["fresh"][name][f"{when}_vs_json"])
    assert _is_figure(figures["fresh"]["json"]["steady_us"])
    assert figures["fresh"]["x12_837p_batch"]["bar"] == 2.0


def test_the_remittance_benchmark_runs_in_fresh_interpreters() -> None:
    figures = _quick("bench_remittance.py")
    assert (figures["claims"], figures["bar"]) == (1000, 5.0)
    for subject in ("soapbill", "x12sdk"):
        for key in ("import", "first", "steady"):
            assert _is_figure(figures["ms"][subject][key])
    for when in ("first", "steady"):
        assert _is_figure(figures[f"{when}_x12sdk_vs_soapbill"])


def test_the_scale_benchmark_runs_tables_batches_and_a_cluster() -> None:
    figures = _quick("bench_scale.py")
    assert figures["tables"]["edits"] == figures["rows"] == 20_000
    for key in ("ptp_load_vs_csv", "held_bytes_per_edit", "pickle_bytes"):
        assert figures["tables"][key] > 0
    batch = figures["batch"]
    for name in ("loop", "jobs_1", "jobs_2", "jobs_all"):
        assert batch[name]["checked"] == figures["claims"]
    assert batch["jobs_1_vs_loop"] > 0
    assert figures["dask"]["checked"] == figures["claims"]
