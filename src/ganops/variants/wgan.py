"""WGAN (book Skill 5, Arjovsky 2017): a critic's Wasserstein estimate, weights clipped.

The paper's settings: clip 0.01 (the book's text says [-1, 1]: too loose to constrain
anything), 5 critic updates per generator update (``train.d_steps``), RMSprop 5e-5.
"""

from __future__ import annotations

from pydantic import Field

from ganops.variants.base import DataSpec, OptimizerConfig, Trainable
from ganops.variants.game import Critic, game
from ganops.variants.networks import NetworksConfig, networks

DATA_KINDS = ("images", "points")
RMSPROP = OptimizerConfig(name="rmsprop", learning_rate=5e-5)


class Config(NetworksConfig):
    clip: float = Field(0.01, gt=0, description="every critic weight stays in [-clip, clip]")
    generator_optimizer: OptimizerConfig = RMSPROP
    discriminator_optimizer: OptimizerConfig = RMSPROP


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    generator, critic = networks(config, spec)
    return game(generator, critic, config, "wasserstein", d_steps, Critic(clip=config.clip))
