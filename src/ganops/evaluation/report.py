"""A self-contained HTML report per trained variant, and a leaderboard across runs."""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image

from ganops.evaluation.evaluate import DIRECTIONS

PICTURES = [
    (
        "Samples (fixed latent vectors; conditional variants: one row per class or code; "
        "translation: rows of held-out sources, outputs and targets)",
        "samples.png",
    ),
    ("Training progress", "progress.gif"),
    ("Losses, discriminator outputs and the score during training", "loss_curve.png"),
]
PER_CLASS = re.compile(r"_\d+$")  # metric names of one class or code
STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:960px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;
text-align:left}th{background:#f4f4f4}figure{margin:1.5em 0}img{max-width:100%;
image-rendering:pixelated;border:1px solid #eee}figcaption{color:#555;font-size:.9em}
"""


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def png_bytes(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def table(rows: dict[str, Any]) -> str:
    """A two-column HTML table; floats shown with 4 significant digits."""
    cells = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{v:.4g}</td></tr>"
        if isinstance(v, float)
        else f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows.items()
    )
    return f"<table>{cells}</table>"


def figure(caption: str, uri: str) -> str:
    return (
        f'<figure><img src="{uri}" alt="{html.escape(caption)}"><figcaption>'
        f"{html.escape(caption)}</figcaption></figure>"
    )


def html_report(
    metrics: dict[str, Any], summary: dict[str, Any], folder: Path, nearest: Image.Image
) -> str:
    """One page with every number and picture of a run; images embedded, no external files.

    Args:
        metrics: the content of ``metrics.json``.
        summary: the content of ``train_summary.json``.
        folder: the variant's report folder (samples, GIF, loss curves).
        nearest: the evaluation picture (nearest neighbours, or samples over real points).
    """
    title = f"{metrics['variant']} on {metrics['dataset']}"
    about = {
        "primary metric": f"{metrics['primary']['name']} = {metrics['primary']['value']:.4g} "
        f"({metrics['primary']['better']} is better)",
        "samples": metrics["samples"],
        "reference samples": metrics["reference_samples"],
        "feature extractor": metrics["feature_extractor"],
        "steps trained": summary.get("steps"),
        "best step": summary.get("best_step"),
        "images/s": summary.get("images_per_second"),
        "stopped early": summary.get("stopped_early") or "no",
    }
    if "classifier_test_accuracy" in summary:  # semi-supervised variants
        per_class = ", ".join(f"{k}: {v}" for k, v in summary["labelled_per_class"].items())
        about["classifier test accuracy"] = summary["classifier_test_accuracy"]
        about["labelled examples (per class)"] = f"{summary['labelled']} ({per_class})"
    failures = summary.get("failures") or {}
    warning = (
        "<h2>Failure modes seen in training</h2>"
        + table({kind: f"step {f['step']}: {f['message']}" for kind, f in failures.items()})
        if failures
        else "<p>No failure mode detected during training.</p>"
    )
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        table(about),
        warning,
        "<h2>Metrics</h2>",
        table(metrics["metrics"]),
        "<h2>Pictures</h2>",
    ]
    captions = folder / "pictures" / "captions.json"  # a variant's own pictures, if any
    own = json.loads(captions.read_text()) if captions.is_file() else {}
    for caption, name in [*PICTURES, *((c, f"pictures/{n}") for n, c in own.items())]:
        path = folder / name
        if path.is_file():
            mime = "image/gif" if name.endswith(".gif") else "image/png"
            parts.append(figure(caption, data_uri(path.read_bytes(), mime)))
    parts.append(
        figure(
            "Evaluation: each sample beside its nearest training image (images), samples "
            "over real points (2-D data), or rows of held-out sources, outputs, the trivial "
            "baseline's outputs and targets (translation)",
            data_uri(png_bytes(nearest), "image/png"),
        )
    )
    body = "\n".join(parts)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def leaderboard(runs: pd.DataFrame) -> pd.DataFrame:
    """The latest evaluated run per (variant, dataset), best primary metric first.

    ``runs`` has one row per MLflow run: ``run_name``, ``start_time``, ``primary_metric``
    (the run's), the ``variant`` and ``dataset`` it evaluated (else read from a run name
    ``<variant>-<dataset>``; runs that say neither are left out) and ``eval_*`` metrics
    (per-class details, such as ``eval_intra_fid_class_3``, stay in the runs). Within a
    dataset rows are ordered by their primary metric's value, best first in its direction
    (``evaluate.DIRECTIONS``).
    """
    runs = runs.assign(primary_metric=runs.get("primary_metric", "fid")).fillna(
        {"primary_metric": "fid"}
    )
    value = runs.apply(lambda row: row.get(f"eval_{row['primary_metric']}", np.nan), axis=1)
    named = runs["run_name"].str.extract(r"^(?P<variant>[^-]+)-(?P<dataset>.+)$")
    tagged = {c: runs[c].fillna(named[c]) if c in runs else named[c] for c in named}
    evaluated = runs.assign(primary_value=value, **tagged).dropna(
        subset=["primary_value", "variant", "dataset"]
    )
    latest = evaluated.sort_values("start_time").groupby(["variant", "dataset"]).tail(1)
    sign = [-1.0 if DIRECTIONS.get(m) == "higher" else 1.0 for m in latest["primary_metric"]]
    latest = latest.assign(rank=latest["primary_value"] * np.asarray(sign, float))
    columns = [
        "dataset",
        "variant",
        "primary_metric",
        "primary_value",
        *sorted(c for c in latest if c.startswith("eval_") and not PER_CLASS.search(c)),
        "run_id",
        "start_time",
    ]
    board = latest.sort_values(["dataset", "rank"])[columns]
    return board.rename(columns=lambda c: c.removeprefix("eval_")).reset_index(drop=True)
