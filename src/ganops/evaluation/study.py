"""Studies over seeds: per-run measurements -> mean ± standard error per group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

MIXTURE_METRICS = {  # column -> how the table names it
    "mixture_fit": "mixture fit",
    "modes_covered": "modes covered",
    "high_quality": "high-quality share",
    "kl_from_uniform": "reverse KL",
    "seconds": "training seconds",
}


def training_seconds(summary: dict[str, Any], batch_size: int) -> float:
    """The training loop's seconds (its scorings in, the first call's compilation out), from
    its throughput, which checkpoints keep: a resumed finished run reports its first time."""
    return summary["steps"] * batch_size / summary["images_per_second"]


def summarize(
    runs: pd.DataFrame,
    by: Sequence[str] = ("dataset", "variant"),
    metrics: Sequence[str] = tuple(MIXTURE_METRICS),
) -> pd.DataFrame:
    """``<metric>_mean`` and ``<metric>_se`` (standard error over runs; NaN for one run) per
    group, and the number of runs, in the groups' first-seen order."""
    groups = runs.groupby(list(by), sort=False)[list(metrics)]
    table = groups.mean().add_suffix("_mean").join(groups.sem().add_suffix("_se"))
    table["runs"] = groups.size()
    ordered = [f"{m}_{s}" for m in metrics for s in ("mean", "se")] + ["runs"]
    return table[ordered].reset_index()


def markdown(
    table: pd.DataFrame,
    names: dict[str, str] = MIXTURE_METRICS,
    by: Sequence[str] = ("dataset", "variant"),
) -> str:
    """The summary as a Markdown table: the ``by`` columns, then each metric "mean ± se"."""
    header = [*by, *names.values(), "seeds"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for _, row in table.iterrows():
        cells = [
            *(str(row[column]) for column in by),
            *(f"{row[f'{m}_mean']:.3g} ± {row[f'{m}_se']:.2g}" for m in names),
            str(row["runs"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
