"""DiscoGAN (book Skills 8 and 9, Kim 2017): two encoder-decoder generators and two
discriminators, the logistic GAN loss and a reconstruction loss (MSE) there and back. As the
official code: the reconstruction weight (the "rate") starts small (0.01) for
``warmup_steps`` updates, then 0.5, and the GAN loss is weighted by 0.1 times 1 minus it (the
code gives the other 0.9 to a feature-matching loss, not in the paper, left out); no identity
loss, no history. The book adds an L1 between each translation and a random image of the
other domain, which is not in the paper (and pulls translations towards unrelated images):
off by default, ``book_l1`` to reproduce the book."""

from __future__ import annotations

from typing import Literal

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
    adversarial_weight: float = Field(
        0.1,
        ge=0.0,
        description="the official code's share of the GAN loss (its other 0.9 goes to a "
        "feature-matching loss, left out here)",
    )
    book_l1: float = Field(
        0.0,
        ge=0.0,
        description="the book's L1 to a random image of the other domain (not in "
        "the paper); 0: off",
    )
    generator_filters: list[int] = Field([64, 128, 256, 512], min_length=1)
    discriminator_filters: list[int] = Field([64, 128, 256, 512], min_length=1)


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    def generator(name: str):
        return conv_autoencoder(
            spec.sample_shape, config.generator_filters, config.upsampling, name=name
        )

    def discriminator(name: str):
        return patch_discriminator(
            None, spec.sample_shape, config.discriminator_filters, "batch", name=name
        )

    def schedule(iterations):
        """(adversarial, reconstruction) weights: (share (1 - rate), rate), rate small at
        first."""
        warm = ops.cast(iterations < config.warmup_steps, "float32")
        rate = warm * config.warmup_weight + (1.0 - warm) * config.cycle_weight
        return config.adversarial_weight * (1.0 - rate), rate

    def book_l1(batch, fake_b, fake_a):
        """The book's extra term: each translation against the other domain's batch (a
        random image of it, unrelated to the translated one)."""
        term = ops.mean(ops.abs(fake_b - batch["b"])) + ops.mean(ops.abs(fake_a - batch["a"]))
        return config.book_l1 * term, {"g_book_l1": term}

    return cycle_game(
        generator,
        discriminator,
        config,
        weights=schedule,
        extra=book_l1 if config.book_l1 else None,
        d_steps=d_steps,
    )
