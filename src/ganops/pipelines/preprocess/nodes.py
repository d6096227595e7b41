"""Preprocessing: validated, seeded model input, and a dataset card people can look at."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from ganops.config import validate
from ganops.data.transforms import PreprocessConfig, to_model_input
from ganops.evaluation.plots import samples_picture


def preprocess(raw_data: dict[str, Any], preprocess: dict[str, Any]) -> dict[str, Any]:
    """Scale, resize, convert channels and split.

    Args:
        raw_data: the ingested dataset.
        preprocess: the ``preprocess`` parameters (see ``PreprocessConfig``).

    Returns:
        ``x_train``, ``y_train``, ``x_test``, ``y_test`` and ``meta``.
    """
    return to_model_input(raw_data, validate(PreprocessConfig, preprocess, "preprocess"))


def domain_picture(
    x: np.ndarray, domain: np.ndarray, per_domain: int = 32, cols: int = 8
) -> np.ndarray:
    """Up to ``per_domain`` images of each domain, evenly spaced through it, ``cols`` a row,
    A's rows above B's (a domain's last row is padded with black)."""
    blocks = []
    for d in (0, 1):
        index = np.flatnonzero(domain == d)
        mine = x[index[np.linspace(0, len(index) - 1, min(per_domain, len(index))).astype(int)]]
        blank = np.full((-len(mine) % cols, *x.shape[1:]), -1.0, x.dtype)
        blocks += [mine, blank]
    return samples_picture(np.concatenate(blocks), cols=cols)


def dataset_card(model_input: dict[str, Any]) -> tuple[dict[str, Any], Image.Image]:
    """Counts, shapes, class histogram and a picture of 64 training samples (unpaired: up to
    32 of each domain, A's rows above B's).

    Args:
        model_input: the preprocessed dataset.

    Returns:
        The card as a dict, and the sample picture.
    """
    meta, y = model_input["meta"], model_input["y_train"]
    labels, counts = np.unique(y[y >= 0], return_counts=True)
    names = meta.get("class_names") or [str(i) for i in range(meta["num_classes"])]
    card = {
        "dataset": meta.get("dataset"),
        "source": meta.get("source"),
        "kind": meta["kind"],
        "sample_shape": meta["sample_shape"],
        "n_train": meta["n_train"],
        "n_test": meta["n_test"],
        "num_classes": meta["num_classes"],
        "class_histogram": {names[int(k)]: int(c) for k, c in zip(labels, counts, strict=True)},
        "value_range_after_preprocessing": [
            float(model_input["x_train"].min()),
            float(model_input["x_train"].max()),
        ],
        "data_hash": meta["data_hash"],
    }
    if "resized" in meta:  # from which size, and the setting that asked for it
        card["resized"] = meta["resized"]
    if "classifier" in meta:  # how its domain classifier differs from evaluation.classifier
        card["classifier"] = meta["classifier"]
    if "test_photos" in meta:  # split by photo: which photos each split's patches come from
        card["photos"] = {"train": meta["class_names"], "test": meta["test_photos"]}
    x = model_input["x_train"]
    if "domain_train" in model_input:
        card["domains"] = {
            name: {"n_train": meta[f"n_train_{side}"], "n_test": meta[f"n_test_{side}"]}
            for name, side in zip(meta["domains"], "ab", strict=True)
        }
        return card, Image.fromarray(domain_picture(x, model_input["domain_train"]))
    shown = x[:2000] if meta["kind"] == "points" else x[:64]
    return card, Image.fromarray(samples_picture(shown))
