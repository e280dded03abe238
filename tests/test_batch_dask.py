"""
soapbill.batch.check_bag on a distributed LocalCluster of two worker processes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from soapbill.batch import check_bag, check_many
from soapbill.billing.ncci import PtpEdits
from test_batch import AS_OF, POLICY, _cases

dask_bag = pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    with cluster, distributed.Client(cluster) as connected:
        yield connected


def _files(tmp_path: Path) -> list[Path]:
    lines = _cases(300)
    paths = []
    for k in range(3):
        path = tmp_path / f"part-{k}.jsonl"
        path.write_text("\n".join(lines[k * 100 : (k + 1) * 100]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_a_cluster_gives_the_bytes_of_one_process(client: Any, tmp_path: Path) -> None:
    policy = POLICY.with_edits(PtpEdits.sample())
    paths = _files(tmp_path)
    bag = dask_bag.read_text(str(tmp_path / "part-*.jsonl"), blocksize=None)
    assert bag.npartitions == len(paths)
    checked = check_bag(bag, policy, as_of=AS_OF, client=client)
    # The settings went to both workers once, scattered, before any task.
    held = client.has_what()
    assert len(held) == 2
    for keys in held.values():
        assert sum("_Settings" in str(key) for key in keys) == 1
    found = checked.compute()
    expected = []
    for path in paths:
        with path.open("rb") as stream:
            expected += [o.to_json() for o in check_many(stream, policy, as_of=AS_OF)]
    assert found == expected
    assert len(found) == 240


def test_without_a_client_the_settings_ride_in_the_graph(tmp_path: Path) -> None:
    _files(tmp_path)
    bag = dask_bag.read_text(str(tmp_path / "part-0.jsonl"), blocksize=None)
    found = check_bag(bag, POLICY, as_of=AS_OF).compute(scheduler="sync")
    with (tmp_path / "part-0.jsonl").open("rb") as stream:
        assert found == [o.to_json() for o in check_many(stream, POLICY, as_of=AS_OF)]
