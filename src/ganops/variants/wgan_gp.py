"""WGAN-GP (book Skill 5, Gulrajani 2017): the critic's gradient norm pulled to 1.

The penalty takes each sample's gradient norm over all its axes at a random point between a
real and a fake sample, for any batch size. The book's code hard-codes a batch of 32 and uses
RMSprop; the paper uses Adam 1e-4 with betas (0, 0.9), lambda 10 and 5 critic updates.
"""

from __future__ import annotations

from pydantic import Field

from ganops.variants.base import DataSpec, OptimizerConfig, Trainable
from ganops.variants.game import Critic, game
from ganops.variants.networks import NetworksConfig, networks

DATA_KINDS = ("images", "points")
ADAM = OptimizerConfig(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)


class Config(NetworksConfig):
    gradient_penalty: float = Field(10.0, gt=0, description="lambda")
    generator_optimizer: OptimizerConfig = ADAM
    discriminator_optimizer: OptimizerConfig = ADAM


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    generator, critic = networks(config, spec)
    penalty = Critic(gradient_penalty=config.gradient_penalty)
    return game(generator, critic, config, "wasserstein", d_steps, penalty)
