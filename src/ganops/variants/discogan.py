"""DiscoGAN (book Skills 8 and 9, Kim 2017): two encoder-decoder generators and two
discriminators, the logistic GAN loss and a reconstruction loss (MSE) there and back. As the
official code: the reconstruction weight (the "rate") starts small (0.01) for
``warmup_steps`` updates, then 0.5; 1 minus it goes 0.1 to the GAN loss and 0.9 to feature
matching (the batch means of the discriminator's hidden activations on real and translated
images pulled together, layer by layer; not in the paper); no identity loss, no history.
The book adds an L1 between each translation and a random image of the other domain, which
is not in the paper (and pulls translations towards unrelated images): off by default,
``book_l1`` to reproduce the book."""

from __future__ import annotations

from typing import Literal

import keras
from keras import ops
from pydantic import Field, NonNegativeInt

from ganops.nets.translation import conv_autoencoder, patch_discriminator
from ganops.variants.base import DataSpec, Trainable
from ganops.variants.unpaired import DATA_KINDS, UnpairedConfig, cycle_game

__all__ = ["DATA_KINDS", "Config", "build"]


class Config(UnpairedConfig):
    """The paper's settings at 64x64 (parameters_discogan.yml sizes them for CPU)."""

    loss: Literal["least_squares", "non_saturating"] = "non_saturating"
    cycle_weight: float = Field(
        0.5, ge=0.0, le=1.0, description="reconstruction weight (rate) after warmup"
    )
    cycle_distance: Literal["l1", "mse"] = "mse"
    identity_weight: float = Field(0.0, ge=0.0)
    history: NonNegativeInt = 0
    warmup_weight: float = Field(0.01, ge=0.0, le=1.0, description="the rate at first")
    warmup_steps: NonNegativeInt = Field(10000, description="generator updates at warmup")
    adversarial_weight: float = Field(0.1, ge=0.0, description="the official code's GAN share")
    feature_matching: float = Field(
        0.9, ge=0.0, description="the official code's feature-matching share; 0: the paper's"
    )
    book_l1: float = Field(
        0.0,
        ge=0.0,
        description="the book's L1 to a random image of the other domain (not in "
        "the paper); 0: off",
    )
    generator_filters: list[int] = Field([64, 128, 256, 512], min_length=1)
    discriminator_filters: list[int] = Field([64, 128, 256, 512], min_length=1)


def hidden_features(discriminator: keras.Model) -> keras.Model:
    """The discriminator's activations after each normalised conv (every LeakyReLU but the
    first): the layers the official code matches."""
    acts = [
        layer.output for layer in discriminator.layers if isinstance(layer, keras.layers.LeakyReLU)
    ]
    return keras.Model(discriminator.inputs, acts[1:] or acts)


def feature_matching(features: keras.Model, real, fake):
    """Over the layers of ``features``, the mean squared gap between the batch means of the
    activations of real and of translated images (the official code's ``get_fm_loss``)."""
    real, fake = (keras.tree.flatten(features(x, training=True)) for x in (real, fake))
    pairs = zip(real, fake, strict=True)
    return sum(ops.mean(ops.square(ops.mean(r, axis=0) - ops.mean(f, axis=0))) for r, f in pairs)


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    features: dict[str, keras.Model] = {}  # each discriminator's hidden activations

    def generator(name: str):
        return conv_autoencoder(
            spec.sample_shape, config.generator_filters, config.upsampling, name=name
        )

    def discriminator(name: str):
        network = patch_discriminator(
            None, spec.sample_shape, config.discriminator_filters, "batch", name=name
        )
        features[name] = hidden_features(network)
        return network

    def rate(iterations):
        """The reconstruction weight: small at first, then ``cycle_weight``."""
        warm = ops.cast(iterations < config.warmup_steps, "float32")
        return warm * config.warmup_weight + (1.0 - warm) * config.cycle_weight

    def schedule(iterations):
        """(adversarial, reconstruction) weights: (share (1 - rate), rate)."""
        reconstruction = rate(iterations)
        return config.adversarial_weight * (1.0 - reconstruction), reconstruction

    def extra(batch, fake_b, fake_a, iterations):
        """Feature matching (its share of 1 - rate) and the book's L1: each translation
        against the other domain's batch (a random image of it, unrelated to the translated
        one)."""
        loss, logs = 0.0, {}
        if config.feature_matching:
            matched = feature_matching(features["d_b"], batch["b"], fake_b) + feature_matching(
                features["d_a"], batch["a"], fake_a
            )
            loss += config.feature_matching * (1.0 - rate(iterations)) * matched
            logs["g_feature_matching"] = matched
        if config.book_l1:
            term = ops.mean(ops.abs(fake_b - batch["b"])) + ops.mean(ops.abs(fake_a - batch["a"]))
            loss += config.book_l1 * term
            logs["g_book_l1"] = term
        return loss, logs

    return cycle_game(
        generator,
        discriminator,
        config,
        weights=schedule,
        extra=extra if config.feature_matching or config.book_l1 else None,
        d_steps=d_steps,
    )
