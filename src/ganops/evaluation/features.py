"""Feature extractors for the metrics.

No ImageNet weights can be downloaded, so Fréchet distance and KID are computed on features
of a *domain classifier* trained by the pipeline on the dataset's real training split (its
penultimate layer; its softmax gives the classifier score), or on Inception-v3's pool features
when the user gives a local weights file. 2-D points are their own features.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from pathlib import Path
from typing import Any, Literal

import keras
import numpy as np
from keras import layers
from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from ganops.errors import ConfigError, DataError
from ganops.storage import atomic_write, save_model

log = logging.getLogger(__name__)
FEATURE_LAYER = "features"
INCEPTION_SIZE = 299  # the input side Inception-v3's published FIDs use


class ClassifierConfig(BaseModel):
    """Training of the domain classifier (small, CPU-sized)."""

    model_config = ConfigDict(extra="forbid")

    epochs: PositiveInt = 40  # digits: ~97% held-out accuracy in ~20 s on 2 cores
    batch_size: PositiveInt = 64
    learning_rate: float = Field(1e-3, gt=0)
    feature_dim: PositiveInt = 128
    seed: int = 0
    head: Literal["average", "flatten"] = Field(
        "average",
        description="average: the last conv map averaged over positions; flatten: pooled "
        "once more and kept whole, so where a stroke is counts (digits on photo crops: "
        "digits-M is read 0.91 instead of 0.81)",
    )


def for_dataset(config: ClassifierConfig, meta: dict[str, Any]) -> ClassifierConfig:
    """``config`` with the dataset's own classifier settings (its source's ``classifier``)."""
    own = meta.get("classifier")
    return ClassifierConfig.model_validate(config.model_dump() | own) if own else config


def build_classifier(
    sample_shape: tuple[int, ...], num_classes: int, feature_dim: int, head: str = "average"
) -> keras.Model:
    """Two conv blocks, a ``head`` (see ``ClassifierConfig``), a dense feature layer
    (``features``) and a softmax over classes."""
    pooled = (
        [layers.GlobalAveragePooling2D()]
        if head == "average"
        else [layers.MaxPooling2D(), layers.Flatten()]
    )
    return keras.Sequential(
        [
            keras.Input(sample_shape),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            *pooled,
            layers.Dense(feature_dim, activation="relu", name=FEATURE_LAYER),
            layers.Dropout(0.3),
            layers.Dense(num_classes, activation="softmax", name="classes"),
        ],
        name="domain_classifier",
    )


def extractor_version(data_hash: str, config: ClassifierConfig) -> str:
    """Identity of a trained extractor: the data it saw and how it was trained."""
    # the head came later: the average head's extractors keep the versions they had
    settings = config.model_dump(exclude={"head"} if config.head == "average" else set())
    identity = json.dumps({"data": data_hash, "config": settings}, sort_keys=True)
    return "domain-classifier-" + hashlib.sha256(identity.encode()).hexdigest()[:12]


def train_classifier(
    model_input: dict[str, Any], config: ClassifierConfig
) -> tuple[keras.Model, dict[str, Any]]:
    """Fit the domain classifier on the training split; report its held-out accuracy."""
    meta = model_input["meta"]
    if meta["kind"] != "images":
        raise DataError(f"{meta.get('dataset')}: a domain classifier needs images")
    if meta.get("num_classes", 0) < 2:
        raise DataError(
            f"{meta.get('dataset')}: a domain classifier needs labels of at least "
            "two classes (or give evaluation.inception_weights)"
        )
    keras.utils.set_random_seed(config.seed)
    model = build_classifier(
        tuple(meta["sample_shape"]), meta["num_classes"], config.feature_dim, config.head
    )
    model.compile(
        keras.optimizers.Adam(config.learning_rate),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(
        model_input["x_train"],
        model_input["y_train"],
        batch_size=config.batch_size,
        epochs=config.epochs,
        verbose=0,
    )
    labelled = model_input["y_test"] >= 0  # held-out photos are classes training never saw
    accuracy = (
        float(
            model.evaluate(
                model_input["x_test"][labelled], model_input["y_test"][labelled], verbose=0
            )[1]
        )
        if labelled.any()
        else float("nan")
    )
    info = {
        "version": extractor_version(meta["data_hash"], config),
        "test_accuracy": accuracy,
        "feature_dim": config.feature_dim,
        "num_classes": meta["num_classes"],
    }
    return model, info


def identity_extractor(sample_shape: tuple[int, ...]) -> keras.Model:
    """The extractor of 2-D points: the points themselves."""
    return keras.Sequential(
        [keras.Input(sample_shape), layers.Identity()], name="identity_features"
    )


def inception_version(weights: Path) -> str:
    """Identity of an Inception extractor: the content of its weights file."""
    digest = hashlib.sha256()
    with open(weights, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return "inception-v3-" + digest.hexdigest()[:12]


def inception_base(weights: Path) -> keras.Model:
    """Inception-v3 with the user's weights, with or without the ImageNet top."""
    if not weights.is_file():
        raise ConfigError(f"evaluation.inception_weights: {weights} is not a file")
    errors = []
    for include_top in (True, False):
        try:
            with warnings.catch_warnings():  # a top-less file warns of the missing top
                warnings.filterwarnings("ignore", "Skipping nested container")
                return keras.applications.InceptionV3(
                    include_top=include_top,
                    weights=str(weights),
                    input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3),
                    pooling=None if include_top else "avg",
                )
        except Exception as error:  # noqa: BLE001 - Keras raises several kinds on a bad file
            errors.append(str(error).splitlines()[0])
    raise ConfigError(
        f"evaluation.inception_weights: {weights} holds no Inception-v3 weights "
        f"(with top: {errors[0]}; without: {errors[1]})"
    )


def inception_extractor(
    sample_shape: tuple[int, ...], weights: Path
) -> tuple[keras.Model, dict[str, Any]]:
    """Images in [-1, 1] (Inception's own input range), gray made RGB, resized to 299, through
    Inception-v3: its 2048 pool features, and its ImageNet softmax when the file has the top
    (then the classifier score is the Inception Score)."""
    base = inception_base(weights)
    info = {"version": inception_version(weights), "feature_dim": 2048}
    inputs = keras.Input(sample_shape)
    rgb = inputs if sample_shape[-1] == 3 else layers.Concatenate()([inputs] * 3)
    x = layers.Resizing(INCEPTION_SIZE, INCEPTION_SIZE)(rgb)
    if "predictions" not in {layer.name for layer in base.layers}:  # no top: pooled features
        return keras.Model(inputs, base(x), name="inception_v3_features"), info
    head = keras.Model(base.input, [base.get_layer("avg_pool").output, base.output])
    pooled, probabilities = head(x)
    features = layers.Identity(name=FEATURE_LAYER)(pooled)
    return keras.Model(inputs, [probabilities, features], name="inception_v3"), info


def fit_extractor(
    model_input: dict[str, Any], config: ClassifierConfig, inception_weights: Path | None = None
) -> tuple[keras.Model, dict[str, Any]]:
    """The right extractor for the data: the identity for points, Inception-v3 when its
    weights are given, else a trained domain classifier."""
    meta = model_input["meta"]
    if meta["kind"] == "points":
        info = {"version": "identity", "feature_dim": meta["sample_shape"][0]}
        return identity_extractor(tuple(meta["sample_shape"])), info
    if inception_weights is not None:
        return inception_extractor(tuple(meta["sample_shape"]), Path(inception_weights))
    return train_classifier(model_input, config)


def in_batches(model: keras.Model, x: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Call ``model`` in inference mode batch by batch; its outputs as float64 arrays.

    Direct calls, not ``predict``: a fresh head per call would be re-traced by ``predict``.
    """
    parts = [model(x[i : i + batch_size], training=False) for i in range(0, len(x), batch_size)]
    outputs = zip(*(p if isinstance(p, (list, tuple)) else [p] for p in parts), strict=True)
    return [
        np.concatenate([keras.ops.convert_to_numpy(o) for o in out]).astype(np.float64)
        for out in outputs
    ]


def features_and_probabilities(
    extractor: keras.Model, x: np.ndarray, batch_size: int = 512
) -> tuple[np.ndarray, np.ndarray | None]:
    """Features of ``x`` and, for a classifier, its class probabilities (else None)."""
    if FEATURE_LAYER not in {layer.name for layer in extractor.layers}:
        return in_batches(extractor, x, batch_size)[0], None
    head = keras.Model(
        extractor.inputs[0], [extractor.get_layer(FEATURE_LAYER).output, extractor.outputs[0]]
    )
    features, probabilities = in_batches(head, x, batch_size)
    return features, probabilities


def planned_version(
    meta: dict[str, Any], config: ClassifierConfig, inception_weights: Path | None
) -> str | None:
    """The version ``fit_extractor`` will produce, known before fitting (None: identity)."""
    if meta["kind"] == "points":
        return None
    if inception_weights is None:
        return extractor_version(meta["data_hash"], config)
    weights = Path(inception_weights)
    return inception_version(weights) if weights.is_file() else None  # None: fit names it


def cached_extractor(
    model_input: dict[str, Any],
    config: ClassifierConfig,
    inception_weights: Path | None,
    cache: Path,
) -> tuple[keras.Model, dict[str, Any]]:
    """``fit_extractor`` with the dataset's own classifier settings (``for_dataset``),
    reusing the extractor of the same version from ``cache`` when there (an unchanged
    retrain does not refit the classifier)."""
    config = for_dataset(config, model_input["meta"])
    version = planned_version(model_input["meta"], config, inception_weights)
    if version is None:
        return fit_extractor(model_input, config, inception_weights)
    model_path, info_path = cache / f"{version}.keras", cache / f"{version}.json"
    if model_path.is_file() and info_path.is_file():
        log.info("feature extractor %s reused from %s", version, model_path)
        return keras.saving.load_model(model_path), json.loads(info_path.read_text())
    extractor, info = fit_extractor(model_input, config, inception_weights)
    save_model(extractor, model_path)
    atomic_write(info_path, lambda tmp: tmp.write_text(json.dumps(info, indent=2)))
    return extractor, info
