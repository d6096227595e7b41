"""Ingestion: one named dataset from its source into canonical arrays."""

from __future__ import annotations

from typing import Any

from ganops.data.sources import ingest, select_dataset


def ingest_dataset(dataset: str, datasets: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Read dataset ``dataset`` as configured in ``datasets``.

    Args:
        dataset: the name to ingest (a key of ``datasets``).
        datasets: source configuration per dataset name (``format`` plus its options).

    Returns:
        The raw dataset: ``x``, optional ``y``/``is_test``, and ``meta``.
    """
    return ingest(dataset, select_dataset(dataset, datasets))
