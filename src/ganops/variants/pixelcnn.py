"""The book's PixelCNN (Skill 1; van den Oord et al. 2016): the exact likelihood of a binary
image as a product of each pixel's Bernoulli given the pixels before it, computed in one pass
by masked convolutions. Sampling goes pixel by pixel: the exported generator takes seeded
``noise`` (no latent space) and draws with it."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops
from pydantic import NonNegativeInt, PositiveInt

from ganops.nets.likelihood import pixel_sampler, pixelcnn, pixelcnn_reach
from ganops.variants.base import DataSpec, OptimizerConfig, Trainable, alone
from ganops.variants.likelihood import (
    LikelihoodConfig,
    bernoulli_nll,
    binarise,
    check_gray,
    over_batches,
)

DATA_KINDS = ("images",)


class Config(LikelihoodConfig):
    """The book's sizes: 128 filters, 5 residual blocks, 2 output layers, Adam 5e-4."""

    optimizer: OptimizerConfig = OptimizerConfig(learning_rate=5e-4, beta_1=0.9)
    filters: PositiveInt = 128
    residual_blocks: NonNegativeInt = 5
    output_layers: NonNegativeInt = 2


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    check_gray(spec, "pixelcnn")
    network = pixelcnn(
        spec.sample_shape[1], config.filters, config.residual_blocks, config.output_layers
    )
    reach = pixelcnn_reach(config.residual_blocks)

    def nll(images, training: bool):
        pixels = binarise(images, config.threshold)
        return bernoulli_nll(network(pixels, training=training), pixels)

    def loss(batch):
        mean = ops.mean(nll(batch["x"], training=True))
        return mean, {"loss": mean}

    def likelihood(images: np.ndarray) -> dict[str, np.ndarray]:
        exact = lambda part, _: {"nll": ops.convert_to_numpy(nll(part, False))}  # noqa: E731
        return over_batches(exact, images)

    return alone(
        "pixelcnn",
        [network],
        config,
        loss,
        d_steps,
        generator=pixel_sampler(network, spec.sample_shape, reach),
        latent_dim=0,
        seed=keras.random.SeedGenerator(0),
        likelihood=likelihood,
    )
