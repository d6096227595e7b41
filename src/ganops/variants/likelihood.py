"""What the likelihood baselines (the VAE, PixelCNN) share: one player, no discriminator, a
Bernoulli model of statically binarised images (the book's threshold: 0.33 of the range), and
held-out negative log-likelihoods in nats per image and bits per dimension."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from keras import ops
from pydantic import Field

from ganops.errors import ConfigError
from ganops.variants.base import DataSpec, ModelConfig, OptimizerConfig

BATCH = 500  # images per likelihood batch


class LikelihoodConfig(ModelConfig):
    """One optimizer (Adam's usual betas: no adversary to keep up with) and the binarisation
    threshold."""

    optimizer: OptimizerConfig = OptimizerConfig(learning_rate=1e-3, beta_1=0.9)
    threshold: float = Field(
        0.33, gt=0.0, lt=1.0, description="a pixel is 1 at or above this share of the range"
    )


def binarise(images, threshold: float):
    """Images in [-1, 1] -> 0/1 pixels, 1 where the pixel is at least ``threshold`` of the
    range (static: the same image always gives the same pixels)."""
    return ops.cast((images + 1.0) / 2.0 >= threshold, "float32")


def bernoulli_nll(logits, pixels):
    """-log p(pixels) under independent Bernoullis of ``logits``, in nats, per image."""
    per_pixel = ops.binary_crossentropy(pixels, logits, from_logits=True)
    return ops.sum(ops.reshape(per_pixel, (ops.shape(per_pixel)[0], -1)), axis=-1)


def bits_per_dim(nats: float, shape: tuple[int, ...]) -> float:
    """Nats per image as bits per pixel value (binarised MNIST: nats / 543.4)."""
    return nats / (math.prod(shape) * math.log(2.0))


def check_gray(spec: DataSpec, name: str) -> None:
    """The Bernoulli models are of gray images (binarised); colour is refused by name."""
    if spec.kind != "images" or spec.sample_shape[-1] != 1:
        raise ConfigError(
            f"{name} models binarised gray images; this dataset's samples are shaped "
            f"{spec.sample_shape}: set preprocess.channels: 1"
        )


def over_batches(
    fn: Callable[[np.ndarray, int], dict[str, np.ndarray]], images: np.ndarray, size: int = BATCH
) -> dict[str, np.ndarray]:
    """``fn(batch, start)`` over ``images`` in batches of ``size``, the per-image results
    joined."""
    parts = [fn(images[i : i + size], i) for i in range(0, len(images), size)]
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def likelihood_summary(
    likelihood: Callable[[np.ndarray], dict[str, np.ndarray]], images: np.ndarray
) -> dict[str, float]:
    """Mean held-out NLLs (nats per image) and ``bits_per_dim`` of ``nll``, the tightest."""
    nats = {key: float(np.mean(values)) for key, values in likelihood(images).items()}
    return nats | {"bits_per_dim": bits_per_dim(nats["nll"], images.shape[1:])}
