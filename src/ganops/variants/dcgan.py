"""DCGAN (book Skill 4, Radford 2015; layout of the TensorFlow tutorial, seed 004)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ganops.nets.conv import dcgan_discriminator, dcgan_generator
from ganops.variants.base import Adversarial, DataSpec, VariantConfig
from ganops.variants.game import game
from ganops.variants.networks import discriminator_shape

DATA_KINDS = ("images",)


class Config(VariantConfig):
    """Tutorial defaults: projection 256 -> 128 -> 64 filters, discriminator 64 -> 128."""

    loss: Literal["non_saturating", "minimax"] = "non_saturating"
    generator_filters: list[int] = Field([256, 128, 64], min_length=2)
    discriminator_filters: list[int] = Field([64, 128], min_length=1)
    kernel_size: int = Field(5, gt=0)
    dropout: float = Field(0.3, ge=0.0, lt=1.0)


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Adversarial:
    """Convolutional networks sized to the image shape, in the standard game."""
    generator = dcgan_generator(
        config.latent_dim, spec.sample_shape, config.generator_filters, config.kernel_size
    )
    discriminator = dcgan_discriminator(
        discriminator_shape(config, spec),
        config.discriminator_filters,
        config.kernel_size,
        config.dropout,
        minibatch_std=config.stabilizers.minibatch_std,
    )
    return game(generator, discriminator, config, config.loss, d_steps)
