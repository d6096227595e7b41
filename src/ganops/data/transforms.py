"""Deterministic conversion of a raw dataset into model input (pure functions).

Paired datasets (``meta["pairs"]``, see ``ganops.data.pairs``) also get ``source_train`` and
``source_test``: the inputs aligned with ``x_train``/``x_test``, at ``pairs.size``. Unpaired
datasets (``meta["domains"]``, see ``ganops.data.unpaired``) get ``domain_train`` and
``domain_test``: each image's domain (0: A, 1: B). A dataset's own ``meta["image_size"]``
beats ``preprocess.image_size``; ``pairs.size`` beats both.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Literal

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError

from ganops.data.pairs import LUMA, PairsConfig, derive_source
from ganops.data.unpaired import check_domain
from ganops.errors import DataError

log = logging.getLogger(__name__)


class PreprocessConfig(BaseModel):
    """How raw data becomes model input. Images are scaled to [-1, 1] (tanh outputs)."""

    model_config = ConfigDict(extra="forbid")

    image_size: PositiveInt | None = Field(16, description="square side in pixels; null keeps")
    channels: Literal[1, 3] | None = Field(None, description="force gray (1) or RGB (3)")
    test_fraction: float = Field(0.1, ge=0.0, lt=1.0, description="used when no official split")
    seed: int = 0


def check_finite(x: np.ndarray, name: str) -> None:
    """Refuse NaN or infinite values, naming the array."""
    if np.issubdtype(x.dtype, np.floating) and not np.isfinite(x).all():
        bad = int((~np.isfinite(x)).sum())
        raise DataError(f"{name}: {bad} NaN or infinite values")


def scale_to_unit(x: np.ndarray, value_range: tuple[float, float]) -> np.ndarray:
    """Map ``value_range`` linearly onto [-1, 1] as float32."""
    lo, hi = value_range
    if hi <= lo:
        raise DataError(f"value_range {value_range}: upper bound must exceed lower bound")
    return ((x.astype(np.float32) - lo) / (hi - lo) * 2.0 - 1.0).astype(np.float32)


def resize_images(x: np.ndarray, size: int) -> np.ndarray:
    """Resize float images (N, H, W, C) to (N, size, size, C) with bicubic interpolation."""
    if x.shape[1:3] == (size, size):
        return x
    out = np.empty((len(x), size, size, x.shape[-1]), np.float32)
    for i, img in enumerate(x):
        for c in range(x.shape[-1]):
            plane = Image.fromarray(img[..., c], mode="F")
            out[i, ..., c] = np.asarray(plane.resize((size, size), Image.Resampling.BICUBIC))
    return np.clip(out, -1.0, 1.0)


def set_channels(x: np.ndarray, channels: int | None) -> np.ndarray:
    """Convert (N, H, W, C) images to ``channels`` (gray <-> RGB); None keeps them."""
    have = x.shape[-1]
    if channels is None or channels == have:
        return x
    if channels == 3 and have == 1:
        return np.repeat(x, 3, axis=-1)
    if channels == 1 and have == 3:
        return (x @ LUMA)[..., None]
    raise DataError(f"cannot convert images with {have} channels to {channels}")


def split_indices(
    n: int, test_fraction: float, seed: int, is_test: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Train/test indices: the source's official split if any, else a seeded permutation."""
    if is_test is not None and is_test.any():
        return np.flatnonzero(~is_test), np.flatnonzero(is_test)
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def labelled_subset(y: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Indices of ``count`` examples balanced over the classes (the first classes get one more
    when ``count`` does not divide evenly), drawn with ``seed``: semi-supervised training's
    labelled examples."""
    classes = np.unique(y)
    share, extra = divmod(count, len(classes))
    rng = np.random.default_rng(seed)
    picked = []
    for i, label in enumerate(classes):
        members, wanted = np.flatnonzero(y == label), share + (i < extra)
        if wanted > len(members):
            raise DataError(
                f"{count} labelled examples need {wanted} of class {label}, which has only "
                f"{len(members)} training examples"
            )
        picked.append(rng.choice(members, wanted, replace=False))
    return np.sort(np.concatenate(picked))


def hide_labels(y: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``y`` with every label but those at ``keep`` replaced by -1 (unlabelled)."""
    hidden = np.full_like(y, -1)
    hidden[keep] = y[keep]
    return hidden


def fingerprint(*arrays: np.ndarray) -> str:
    """A short content hash of arrays (shape, dtype and bytes)."""
    h = hashlib.sha256()
    for a in arrays:
        h.update(f"{a.shape}{a.dtype}".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


def prepare_x(raw: dict[str, Any], config: PreprocessConfig, key: str = "x") -> np.ndarray:
    """Validated, scaled, resized and channel-converted features (or ``key``) of a raw dataset."""
    name = raw["meta"].get("dataset", "dataset")
    what = name if key == "x" else f"{name}: {key}"
    x = raw[key]
    check_finite(x, f"{name}: {key}")
    if raw["meta"]["kind"] == "points":
        if x.ndim != 2 or x.shape[1] != 2:
            raise DataError(f"{what}: points must have shape (N, 2), got {x.shape}")
        return x.astype(np.float32)
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise DataError(f"{what}: images must have shape (N, H, W, 1|3), got {x.shape}")
    x = scale_to_unit(x, tuple(raw["meta"].get("value_range", (0, 255))))
    x = set_channels(x, config.channels)
    return x if config.image_size is None else resize_images(x, config.image_size)


def pairs_config(raw: dict[str, Any]) -> PairsConfig | None:
    """The validated ``meta["pairs"]`` of a raw dataset, None when it is not paired."""
    meta = raw["meta"]
    name = meta.get("dataset", "dataset")
    if "pairs" not in meta:
        if "source" in raw:
            raise DataError(f"{name}: has 'source' images but no meta['pairs']")
        return None
    try:
        config = PairsConfig.model_validate(meta["pairs"])
    except ValidationError as exc:
        raise DataError(f"{name}: invalid meta['pairs'] ({exc.errors()[0]['msg']})") from exc
    if meta["kind"] != "images":
        raise DataError(f"{name}: pairs need images, got {meta['kind']}")
    if (config.task == "given") != ("source" in raw):
        wanted = "needs" if config.task == "given" else "must not have"
        raise DataError(f"{name}: pairs.task {config.task!r} {wanted} 'source' images")
    return config


def domain_of(raw: dict[str, Any]) -> np.ndarray | None:
    """The validated ``domain`` array of an unpaired raw dataset, None when it is not one."""
    meta = raw["meta"]
    name = meta.get("dataset", "dataset")
    if "domains" not in meta:
        if "domain" in raw:
            raise DataError(f"{name}: has a 'domain' array but no meta['domains']")
        return None
    if not isinstance(meta["domains"], list) or len(meta["domains"]) != 2:
        raise DataError(f"{name}: meta['domains'] must name two domains, got {meta['domains']!r}")
    if "pairs" in meta:
        raise DataError(f"{name}: has both meta['domains'] (unpaired) and meta['pairs']")
    if "domain" not in raw:
        raise DataError(f"{name}: unpaired (meta['domains']) but has no 'domain' array")
    return check_domain(raw["domain"], len(raw["x"]), name)


def domain_counts(
    domain: np.ndarray, train: np.ndarray, test: np.ndarray, names: list[str], dataset: str
) -> dict[str, int]:
    """``n_train_a``, ``n_train_b``, ``n_test_a``, ``n_test_b``; a domain without a training
    image raises DataError naming it."""
    counts = {
        f"n_{split}_{side}": int((domain[index] == d).sum())
        for split, index in (("train", train), ("test", test))
        for d, side in enumerate("ab")
    }
    for d, side in enumerate("ab"):
        if not counts[f"n_train_{side}"]:
            raise DataError(
                f"{dataset}: domain {side.upper()} ({names[d]!r}) has no training images "
                f"({counts[f'n_test_{side}']} in the test split)"
            )
    return counts


def prepare_pairs(
    raw: dict[str, Any], config: PreprocessConfig, pairs: PairsConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Targets and inputs at ``pairs.size``: given inputs get the targets' treatment, derived
    ones are computed from the prepared targets."""
    name = raw["meta"].get("dataset", "dataset")
    config = config.model_copy(update={"image_size": pairs.size})
    if pairs.task != "given":
        x = prepare_x(raw, config)
        return x, derive_source(x, pairs, name)
    if len(raw["source"]) != len(raw["x"]):
        raise DataError(f"{name}: {len(raw['source'])} source images for {len(raw['x'])} targets")
    return prepare_x(raw, config), prepare_x(raw, config, key="source")


def check_classes(labels: np.ndarray, name: str) -> None:
    """Labels are classes 0..K-1, each with images: a class with none (a label far outside the
    others, or a gap) would be asked for by every conditional variant and never seen."""
    if not labels.size:
        return
    classes, top = np.unique(labels), int(labels.max())
    missing = top + 1 - classes.size
    if missing:  # the first five gaps lie below classes.size + 5, whatever the largest label
        first = np.setdiff1d(np.arange(min(top + 1, classes.size + 5)), classes)[:5]
        shown = ", ".join(map(str, first)) + (", ..." if missing > 5 else "")
        raise DataError(
            f"{name}: labels run from 0 to {top} but {missing} of those classes "
            f"have no images ({shown}): number the classes 0 to K-1, or drop the labels"
        )


#: Why a dataset's images were resized: the setting that gave the size.
RESIZED_BY = {
    "own": "its own image_size in parameters_ingest.yml",
    "pairs": "its pairs.size in parameters_ingest.yml",
    "preprocess": "preprocess.image_size; an image_size in its parameters_ingest.yml entry "
    "keeps another",
}


def resize_note(name: str, raw: dict[str, Any], size: int | None, by: str) -> dict | None:
    """``{"from": [h, w], "to": [size, size], "by": why}`` when a dataset's images are
    resized (also logged), else None; ``by`` is a key of ``RESIZED_BY``."""
    if raw["meta"]["kind"] != "images" or size is None or raw["x"].ndim != 4:
        return None
    height, width = raw["x"].shape[1:3]
    if (height, width) == (size, size):
        return None
    note = {"from": [int(height), int(width)], "to": [size, size], "by": RESIZED_BY[by]}
    log.info(
        "%s: images resized from %dx%d to %dx%d (%s)", name, height, width, size, size, note["by"]
    )
    return note


def to_model_input(raw: dict[str, Any], config: PreprocessConfig) -> dict[str, Any]:
    """Raw dataset -> ``x_train, y_train, x_test, y_test`` (+ ``source_train, source_test``
    when paired, ``domain_train, domain_test`` when unpaired) + meta (shape, classes, hash)."""
    name = raw["meta"].get("dataset", "dataset")
    own_size = raw["meta"].get("image_size") is not None
    if own_size:
        config = config.model_copy(update={"image_size": raw["meta"]["image_size"]})
    pairs, domain = pairs_config(raw), domain_of(raw)
    if pairs is None:
        resized = resize_note(name, raw, config.image_size, "own" if own_size else "preprocess")
        x, source = prepare_x(raw, config), None
    else:
        resized = resize_note(name, raw, pairs.size, "pairs")
        x, source = prepare_pairs(raw, config, pairs)
        config = config.model_copy(update={"image_size": pairs.size})
    if len(x) == 0:
        raise DataError(f"{name}: no samples")
    y = raw.get("y")
    y = np.full(len(x), -1, np.int64) if y is None else np.asarray(y, np.int64)
    train, test = split_indices(len(x), config.test_fraction, config.seed, raw.get("is_test"))
    if not len(train):
        raise DataError(
            f"{name}: all {len(x)} samples are held out for testing, none left to train on "
            f"(preprocess.test_fraction {config.test_fraction}, or the source's own test split)"
        )
    labelled = y[y >= 0]
    check_classes(labelled, name)
    meta = {
        **raw["meta"],
        "sample_shape": list(x.shape[1:]),
        "num_classes": int(labelled.max()) + 1 if labelled.size else 0,
        "n_train": int(len(train)),
        "n_test": int(len(test)),
        "preprocess": config.model_dump(),
    }
    if resized:
        meta["resized"] = resized
    out = {"x_train": x[train], "y_train": y[train], "x_test": x[test], "y_test": y[test]}
    if domain is not None:
        meta |= domain_counts(domain, train, test, raw["meta"]["domains"], name)
        meta["data_hash"] = fingerprint(x[train], y[train], domain[train])
        out |= {"domain_train": domain[train], "domain_test": domain[test]}
    elif source is None:
        meta["data_hash"] = fingerprint(x[train], y[train])
    else:
        meta["pairs"] = {**pairs.settings(), "source_shape": list(source.shape[1:])}
        meta["data_hash"] = fingerprint(x[train], y[train], source[train])
        out |= {"source_train": source[train], "source_test": source[test]}
    return {**out, "meta": meta}
