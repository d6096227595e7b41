"""Pictures people would rather look at than read: sample grids, scatter plots, loss curves."""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Sequence

import imageio.v3 as iio
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ganops.evaluation.glossary import HIGHER, LOWER, describe  # noqa: E402


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Images in [-1, 1] -> uint8 in [0, 255]."""
    return np.clip(np.rint((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def image_grid(images: np.ndarray, cols: int | None = None, scale: int = 1) -> np.ndarray:
    """Tile (N, H, W, C) images in [-1, 1] into one uint8 picture, 1-pixel gutters, upscaled."""
    n, h, w, c = images.shape
    cols = cols or math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    grid = np.zeros((rows * (h + 1) + 1, cols * (w + 1) + 1, c), np.uint8)
    for i, img in enumerate(to_uint8(images)):
        r, k = divmod(i, cols)
        grid[1 + r * (h + 1) : 1 + r * (h + 1) + h, 1 + k * (w + 1) : 1 + k * (w + 1) + w] = img
    grid = np.kron(grid, np.ones((scale, scale, 1), np.uint8))
    return grid[..., 0] if c == 1 else grid


def figure_to_array(fig: Figure) -> np.ndarray:
    """Render a matplotlib figure to an RGB uint8 array and close it."""
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return rgb


def points_picture(points: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Scatter generated 2-D points (orange) over real ones (grey) as an RGB array."""
    fig, ax = plt.subplots(figsize=(4, 4), dpi=80)
    if reference is not None:
        ax.scatter(reference[:, 0], reference[:, 1], s=2, c="0.7", label="real")
        limit = 1.5 * float(np.abs(reference).max()) or 1.0  # same axes in every GIF frame
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
    ax.scatter(points[:, 0], points[:, 1], s=2, c="tab:orange", label="generated")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    return figure_to_array(fig)


def latent_scatter(points: np.ndarray, labels: np.ndarray | None, title: str) -> np.ndarray:
    """2-D latent codes as a scatter coloured by class (the book's Figure 1.8)."""
    fig, ax = plt.subplots(figsize=(5, 4.2), dpi=90)
    colours = None if labels is None else labels
    drawn = ax.scatter(points[:, 0], points[:, 1], s=4, c=colours, cmap="tab10")
    if labels is not None:
        ax.legend(*drawn.legend_elements(), title="class", fontsize=7, loc="upper right")
    ax.set(title=title, xlabel="z[0]", ylabel="z[1]")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return figure_to_array(fig)


def samples_picture(
    samples: np.ndarray, reference: np.ndarray | None = None, cols: int | None = None
) -> np.ndarray:
    """The right picture for a batch of samples: a grid for images (``cols`` wide: one row
    per class for conditional samples), a scatter for points."""
    if samples.ndim == 2:
        return points_picture(samples, reference)
    return image_grid(samples, cols, scale=max(1, 128 // samples.shape[1]))


def loss_figure(
    losses: pd.DataFrame, scores: pd.DataFrame | None = None, smooth: int = 25
) -> Figure:
    """Losses, other per-step diagnostics (D's outputs) and the metric scored during training
    against step, one panel each: raw values faint, a rolling mean on top."""
    columns = [c for c in losses.columns if c != "step"]
    panels = [
        ("loss", losses, [c for c in columns if "loss" in c], smooth),
        ("diagnostics", losses, [c for c in columns if "loss" not in c], smooth),
    ]
    if scores is not None and len(scores):
        names = [c for c in scores.columns if c != "step"]
        way = {HIGHER: " (higher is better)", LOWER: " (lower is better)"}
        panels.append((f"score{way.get(describe(names[0])[0], '')}", scores, names, 1))
    panels = [panel for panel in panels if panel[2]]
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(7, 2.6 * len(panels)), dpi=100, sharex=True, squeeze=False
    )
    for ax, (title, frame, cols, window) in zip(axes[:, 0], panels, strict=True):
        for column in cols:
            line = ax.plot(frame["step"], frame[column], alpha=0.25, lw=0.8)[0]
            rolled = frame[column].rolling(window, min_periods=1).mean()
            ax.plot(
                frame["step"],
                rolled,
                color=line.get_color(),
                lw=1.6,
                label=column,
                marker="o" if window == 1 else None,
                ms=3,
            )
        ax.set_ylabel(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[-1, 0].set_xlabel("step")
    fig.tight_layout()
    return fig


def gif_bytes(frames: Sequence[np.ndarray], seconds_per_frame: float = 0.3) -> bytes:
    """Encode frames (uint8 arrays of one shape) as a looping GIF."""
    buffer = io.BytesIO()
    iio.imwrite(
        buffer, np.stack(frames), extension=".gif", duration=seconds_per_frame * 1000, loop=0
    )
    return buffer.getvalue()


def study_figure(
    samples: dict[tuple[str, str], np.ndarray], references: dict[str, np.ndarray]
) -> Figure:
    """Generated points (orange) over real ones (grey): one row per dataset, one column per
    variant."""
    datasets = list(dict.fromkeys(d for d, _ in samples))
    variants = list(dict.fromkeys(v for _, v in samples))
    fig, axes = plt.subplots(
        len(datasets),
        len(variants),
        figsize=(2.2 * len(variants), 2.2 * len(datasets)),
        squeeze=False,
        dpi=90,
    )
    for (i, dataset), (j, variant) in itertools.product(enumerate(datasets), enumerate(variants)):
        ax, real = axes[i][j], references[dataset]
        ax.scatter(real[:, 0], real[:, 1], s=1, c="0.75")
        if (dataset, variant) in samples:
            points = samples[dataset, variant]
            ax.scatter(points[:, 0], points[:, 1], s=1, c="tab:orange")
        limit = 1.5 * float(np.abs(real).max())
        ax.set(xlim=(-limit, limit), ylim=(-limit, limit), xticks=[], yticks=[], aspect="equal")
        ax.set_title(f"{variant} · {dataset}", fontsize=8)
    fig.tight_layout()
    return fig


def summary_figure(
    table: pd.DataFrame,
    x: str,
    lines: dict[str, str],
    ylabel: str,
    xlabel: str | None = None,
    log_x: bool = True,
) -> Figure:
    """A study's summary as lines with error bars: each metric of ``lines`` (summary column
    prefix -> label) as mean ± standard error against column ``x``."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=100)
    for metric, label in lines.items():
        ax.errorbar(
            table[x],
            table[f"{metric}_mean"],
            yerr=table[f"{metric}_se"].fillna(0.0),
            marker="o",
            capsize=3,
            label=label,
        )
    if log_x:
        ax.set_xscale("log")
    ax.set_xticks(table[x].unique(), [str(v) for v in table[x].unique()])
    ax.minorticks_off()
    ax.set(xlabel=xlabel or x, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
