"""Vanilla GAN (book Skill 2): MLP generator and discriminator.

The book's generator ends in a sigmoid on [0, 1] pixels; ganops scales images to [-1, 1] and
ends in tanh (Radford 2015), and uses a linear output for 2-D points. The book's failure-mode
experiments (Skill 3) are configurations of this variant.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ganops.nets.dense import mlp_discriminator, mlp_generator
from ganops.variants.base import AdversarialConfig, DataSpec, Trainable
from ganops.variants.game import game
from ganops.variants.networks import discriminator_shape

DATA_KINDS = ("images", "points")


class Config(AdversarialConfig):
    """Book defaults: z of 50, generator 1200-1000, discriminator 256-128 with dropout."""

    latent_dim: int = Field(50, gt=0)
    loss: Literal["non_saturating", "minimax"] = "non_saturating"
    generator_units: list[int] = Field([1200, 1000], description="[]: one linear layer")
    generator_batchnorm: bool = True
    discriminator_units: list[int] = Field([256, 128], min_length=1)
    discriminator_dropout: list[float] = [0.3, 0.5]


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    """Networks sized to the data, in the standard game (Goodfellow 2014)."""
    activation = "tanh" if spec.kind == "images" else "linear"
    generator = mlp_generator(
        config.latent_dim,
        spec.sample_shape,
        config.generator_units,
        activation,
        batchnorm=config.generator_batchnorm,
    )
    discriminator = mlp_discriminator(
        discriminator_shape(config, spec),
        config.discriminator_units,
        config.discriminator_dropout,
        minibatch_std=config.stabilizers.minibatch_std,
    )
    return game(generator, discriminator, config, config.loss, d_steps)
