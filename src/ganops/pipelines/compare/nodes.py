"""Compare: one leaderboard of every variant and dataset evaluated so far (from MLflow)."""

from __future__ import annotations

import pandas as pd

from ganops.evaluation.report import STYLE, leaderboard
from ganops.tracking.runs import evaluated_runs


def compare() -> tuple[pd.DataFrame, str]:
    """The latest evaluation of each (variant, dataset), best first by each run's primary
    metric (FD unless its variant says otherwise).

    Returns:
        The leaderboard as a table, and as a self-contained HTML page.
    """
    board = leaderboard(evaluated_runs())
    page = board.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0)
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>ganops leaderboard"
        f"</title><style>{STYLE}</style></head><body><h1>Leaderboard</h1>"
        f"<p>Latest evaluation per variant and dataset, best first by its primary metric; "
        f"lower fid, kid and l1, higher psnr and ssim are better."
        f"</p>{page}</body></html>"
    )
    return board, html
