"""InfoGAN (book Skill 6, Chen 2016): no labels; the generator takes a categorical code and
continuous codes beside z, and a Q head on the discriminator recovers them, maximising their
mutual information with the images. The book uses only the categorical code; ganops adds the
paper's continuous codes (``continuous_codes: 0`` gives the book's model)."""

from __future__ import annotations

from typing import Literal

import keras
from pydantic import Field

from ganops.losses import class_cross_entropy, gaussian_code_loss
from ganops.variants.base import DataSpec, Trainable
from ganops.variants.conditional import ConditionalConfig, discriminator, generator, random_one_hot
from ganops.variants.game import Conditioning, game

DATA_KINDS = ("images",)


class Config(ConditionalConfig):
    """The paper's MNIST setting: 62 noise variables, a 10-way code, 2 continuous codes,
    lambda 1."""

    latent_dim: int = Field(62, gt=0)
    loss: Literal["non_saturating", "minimax", "least_squares"] = "non_saturating"
    codes: int = Field(10, ge=2, description="values of the categorical code")
    continuous_codes: int = Field(2, ge=0, description="continuous codes, uniform on [-1, 1]")
    info_weight: float = Field(1.0, gt=0.0, description="lambda: weight of the information loss")
    continuous_weight: float = Field(1.0, ge=0.0, description="weight of the continuous part")


class QHead(Conditioning):
    """Outputs: one real/fake logit, the categorical code's logits, the continuous codes'
    means. Both players minimise the information loss of the fakes (the lower bound L_I)."""

    def __init__(self, config: Config):
        self.config = config

    def conditions(self, n, seed) -> dict:
        c = self.config
        drawn = {"code": random_one_hot(n, c.codes, seed)}
        if c.continuous_codes:
            drawn["continuous"] = keras.random.uniform(
                (n, c.continuous_codes), -1.0, 1.0, seed=seed
            )
        return drawn

    def split(self, out):
        return out[:, :1], out[:, 1:]

    def information(self, aux, conditions):
        c = self.config
        categorical = class_cross_entropy(conditions["code"], aux[:, : c.codes])
        logs = {"info_code_loss": categorical}
        loss = categorical
        if c.continuous_codes:
            continuous = gaussian_code_loss(conditions["continuous"], aux[:, c.codes :])
            logs["info_continuous_loss"] = continuous
            loss = loss + c.continuous_weight * continuous
        return c.info_weight * loss, logs

    def d_extra(self, batch, real_aux, fake_aux, conditions):
        return self.information(fake_aux, conditions)

    def g_extra(self, fake_aux, conditions):
        return self.information(fake_aux, conditions)


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    conditions = {"code": config.codes}
    if config.continuous_codes:
        conditions["continuous"] = config.continuous_codes
    return game(
        generator(config, spec, conditions),
        discriminator(
            config, spec.sample_shape, outputs=1 + config.codes + config.continuous_codes
        ),
        config,
        config.loss,
        d_steps,
        conditioning=QHead(config),
    )
