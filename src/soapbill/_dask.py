"""
The Dask side of :func:`soapbill.batch.check_bag` (the ``soapbill[dask]`` extra).

Each partition of a bag of JSON Lines goes through the same function as a
batch on one machine (:func:`soapbill.batch._check_partition`), so the output
lines are the same bytes. With a ``distributed.Client`` the settings (the
policy and its code tables) are scattered to every worker once and the tasks
refer to them, so a table of two million edits crosses the network once per
worker, not once per partition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from soapbill.rules.icd10cm import MissingExtraError

if TYPE_CHECKING:
    from soapbill.batch import _Settings

__all__ = ["check_bag"]


def check_bag(bag: Any, settings: _Settings, client: Any) -> Any:  # noqa: ANN401 - dask objects
    """
    The bag of output lines of *bag*, its settings scattered with *client*.

    Raises:
        MissingExtraError: Dask is not installed.
    """
    try:
        import dask.bag  # noqa: PLC0415 - an optional extra
    except ImportError:
        missing = True
    else:
        missing = False
    if missing:
        # Raised outside the handler: the ImportError is no concern of the caller's.
        msg = "check_bag needs Dask: pip install 'soapbill[dask]'"
        raise MissingExtraError(msg)
    from soapbill import batch  # noqa: PLC0415 - batch imports this module on use

    if not isinstance(bag, dask.bag.Bag):
        from soapbill._arguments import invalid_type  # noqa: PLC0415

        raise invalid_type("bag", "a dask.bag.Bag")
    lines: Any = bag
    shared: Any = settings
    if client is not None:
        # Once per worker; each task then names the scattered data.
        shared = client.scatter(settings, broadcast=True, hash=False)
    return lines.map_partitions(batch._check_partition, shared)  # noqa: SLF001
