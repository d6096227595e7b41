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
from ganops.evaluation.glossary import describe

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
#: The report embeds the progress GIF this small (the full one sits beside it)...
GIF_WIDTH, GIF_FRAMES, GIF_COLOURS = 256, 6, 32
PLOTS = {"loss_curve.png"}  # ...and its plots in 64 colours: a page of a few hundred kB
STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:960px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;
text-align:left}th{background:#f4f4f4}td.meaning{color:#555;font-size:.9em}
figure{margin:1.5em 0}img{max-width:100%;image-rendering:pixelated;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
"""


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def png_bytes(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def number(value: Any) -> str:
    """A cell's text: floats with 4 significant digits."""
    return f"{value:.4g}" if isinstance(value, float) else html.escape(str(value))


def table(rows: dict[str, Any]) -> str:
    """A two-column HTML table."""
    cells = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{number(v)}</td></tr>" for k, v in rows.items()
    )
    return f"<table>{cells}</table>"


def confusion_table(direction: str, counts: list[list[int]]) -> str:
    """One direction's confusion matrix: a row per class read in the sources, a column per
    class read in their translations (the identity is diagonal)."""
    head = "".join(f"<th>{j}</th>" for j in range(len(counts)))
    rows = "".join(
        f"<tr><th>{i}</th>" + "".join(f"<td>{n}</td>" for n in row) + "</tr>"
        for i, row in enumerate(counts)
    )
    caption = f"{direction}: source read as (rows) → translation read as (columns)"
    return f"<table><caption>{caption}</caption><tr><th></th>{head}</tr>{rows}</table>"


def metrics_table(values: dict[str, Any], champion: tuple[str, dict[str, float]] | None) -> str:
    """Each metric with its value, which way is better, the champion's value (when there is
    a champion) and what it measures (``glossary``)."""
    head = ["metric", "value", "better"]
    head += [f"champion v{champion[0]}"] if champion else []
    rows = []
    for name, value in values.items():
        direction, meaning = describe(name)
        cells = [f"<th>{html.escape(name)}</th>", f"<td>{number(value)}</td>"]
        cells.append(f"<td>{direction}</td>")
        if champion:
            theirs = champion[1].get(name)
            cells.append(f"<td>{'' if theirs is None else number(theirs)}</td>")
        cells.append(f'<td class="meaning">{html.escape(meaning)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in [*head, "meaning"])
    return f"<table><tr>{header}</tr>{''.join(rows)}</table>"


def small_gif(path: Path) -> bytes:
    """The GIF at ``path`` at most ``GIF_WIDTH`` pixels wide, on ``GIF_FRAMES`` evenly spaced
    frames (the first and last kept) of ``GIF_COLOURS`` colours."""
    with Image.open(path) as gif:
        picks = np.unique(np.linspace(0, gif.n_frames - 1, GIF_FRAMES).round().astype(int))
        images = []
        for index in picks:
            gif.seek(int(index))
            frame = Image.fromarray(np.asarray(gif.convert("RGB")))  # no GIF info carried
            scale = min(1.0, GIF_WIDTH / frame.width)
            size = (max(1, round(frame.width * scale)), max(1, round(frame.height * scale)))
            images.append(frame.resize(size, Image.Resampling.BOX).quantize(GIF_COLOURS))
    buffer = io.BytesIO()
    images[0].save(
        buffer, format="GIF", save_all=True, append_images=images[1:], duration=500, loop=0
    )
    return buffer.getvalue()


def picture_uri(path: Path) -> str:
    """A picture file as a data URI, small: the GIF shrunk, plots in 64 colours."""
    if path.suffix == ".gif":
        return data_uri(small_gif(path), "image/gif")
    if path.name in PLOTS:
        with Image.open(path) as plot:
            return data_uri(png_bytes(plot.convert("RGB").quantize(64)), "image/png")
    return data_uri(path.read_bytes(), "image/png")


def figure(caption: str, uri: str) -> str:
    return (
        f'<figure><img src="{uri}" alt="{html.escape(caption)}"><figcaption>'
        f"{html.escape(caption)}</figcaption></figure>"
    )


def html_report(
    metrics: dict[str, Any],
    summary: dict[str, Any],
    folder: Path,
    nearest: Image.Image,
    champion: tuple[str, dict[str, float]] | None = None,
) -> str:
    """One page with every number and picture of a run; images embedded, no external files.

    Args:
        metrics: the content of ``metrics.json``.
        summary: the content of ``train_summary.json``.
        folder: the variant's report folder (samples, GIF, loss curves).
        nearest: the evaluation picture (nearest neighbours, or samples over real points).
        champion: the registered champion's version and metrics, shown beside the run's.
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
        metrics_table(metrics["metrics"], champion),
    ]
    if "confusion" in metrics:  # unpaired translation between domains that share labels
        parts.append("<h2>Classes kept by the translations</h2>")
        parts += [confusion_table(d, counts) for d, counts in metrics["confusion"].items()]
    parts.append("<h2>Pictures</h2>")
    captions = folder / "pictures" / "captions.json"  # a variant's own pictures, if any
    own = json.loads(captions.read_text()) if captions.is_file() else {}
    for caption, name in [*PICTURES, *((c, f"pictures/{n}") for n, c in own.items())]:
        path = folder / name
        if path.is_file():
            parts.append(figure(caption, picture_uri(path)))
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
