"""Vanilla GAN (book Skill 2): MLP generator and discriminator.

The book's generator ends in a sigmoid on [0, 1] pixels; ganops scales images to [-1, 1] and
ends in tanh (Radford 2015), and uses a linear output for 2-D points.
"""

from __future__ import annotations

from pydantic import Field

from ganops.nets.dense import mlp_discriminator, mlp_generator
from ganops.variants.base import Adversarial, DataSpec
from ganops.variants.standard import StandardConfig, standard_game

DATA_KINDS = ("images", "points")


class Config(StandardConfig):
    """Book defaults: z of 50, generator 1200-1000, discriminator 256-128 with dropout."""

    latent_dim: int = Field(50, gt=0)
    generator_units: list[int] = Field([1200, 1000], min_length=1)
    discriminator_units: list[int] = Field([256, 128], min_length=1)
    discriminator_dropout: list[float] = [0.3, 0.5]


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Adversarial:
    """Networks sized to the data, in the standard game."""
    activation = "tanh" if spec.kind == "images" else "linear"
    generator = mlp_generator(
        config.latent_dim, spec.sample_shape, config.generator_units, activation
    )
    discriminator = mlp_discriminator(
        spec.sample_shape, config.discriminator_units, config.discriminator_dropout
    )
    return standard_game(generator, discriminator, config, d_steps)
