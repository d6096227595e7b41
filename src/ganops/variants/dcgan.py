"""DCGAN (book Skill 4, Radford 2015; layout of the TensorFlow tutorial, seed 004)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ganops.variants.base import DataSpec, Trainable
from ganops.variants.game import game
from ganops.variants.networks import ConvConfig, conv_networks

DATA_KINDS = ("images",)


class Config(ConvConfig):
    """Tutorial defaults, with its discriminator dropout of 0.3."""

    loss: Literal["non_saturating", "minimax"] = "non_saturating"
    dropout: float = Field(0.3, ge=0.0, lt=1.0)


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    """Convolutional networks sized to the image shape, in the standard game."""
    generator, discriminator = conv_networks(config, spec)
    return game(generator, discriminator, config, config.loss, d_steps)
