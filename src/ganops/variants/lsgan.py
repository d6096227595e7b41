"""LSGAN (book Skill 5, Mao 2017): least squares on a linear discriminator output.

Squares keep pushing samples that are on the right side of the boundary but far from the
data, where the sigmoid's loss has saturated. Targets a-b-c = 0-1-1; Adam 2e-4, beta_1 0.5.
"""

from __future__ import annotations

from ganops.variants.base import DataSpec, Trainable
from ganops.variants.game import game
from ganops.variants.networks import NetworksConfig, networks

DATA_KINDS = ("images", "points")


class Config(NetworksConfig):
    pass


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    generator, discriminator = networks(config, spec)
    return game(generator, discriminator, config, "least_squares", d_steps)
