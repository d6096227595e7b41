"""Hinge loss with spectral normalization (SNGAN, Miyato 2018; hinge of Lim 2017).

Every discriminator layer is divided by its largest singular value, so the discriminator is
1-Lipschitz without clipping or penalties. Adam 2e-4 with betas (0.5, 0.999), one
discriminator update per generator update (the paper's setting C).
"""

from __future__ import annotations

from ganops.variants.base import DataSpec, Trainable
from ganops.variants.game import game
from ganops.variants.networks import NetworksConfig, networks

DATA_KINDS = ("images", "points")


class Config(NetworksConfig):
    pass


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    generator, discriminator = networks(config, spec, spectral_norm=True)
    return game(generator, discriminator, config, "hinge", d_steps)
