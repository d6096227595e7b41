"""The standard adversarial game of Goodfellow et al. (2014), shared by GAN and DCGAN."""

from __future__ import annotations

from typing import Literal

import keras
from keras import ops
from pydantic import Field

from ganops.losses import GENERATOR_LOSSES, discriminator_minimax
from ganops.variants.base import Adversarial, Player, VariantConfig


class StandardConfig(VariantConfig):
    """Loss settings of the standard game."""

    loss: Literal["non_saturating", "minimax"] = "non_saturating"
    real_label: float = Field(1.0, gt=0.5, le=1.0, description="< 1: one-sided label smoothing")


def standard_game(
    generator: keras.Model, discriminator: keras.Model, config: StandardConfig, d_steps: int
) -> Adversarial:
    """Players: the discriminator (``d_steps`` updates), then the generator (one update)."""
    seed = keras.random.SeedGenerator(0)
    generator_loss = GENERATOR_LOSSES[config.loss]

    def noise(batch):
        return keras.random.normal((ops.shape(batch["x"])[0], config.latent_dim), seed=seed)

    def d_loss(batch):
        fake = generator(noise(batch), training=True)
        real_logits = discriminator(batch["x"], training=True)
        fake_logits = discriminator(fake, training=True)
        loss = discriminator_minimax(real_logits, fake_logits, config.real_label)
        return loss, {
            "d_loss": loss,
            "d_real": ops.mean(ops.sigmoid(real_logits)),
            "d_fake": ops.mean(ops.sigmoid(fake_logits)),
        }

    def g_loss(batch):
        loss = generator_loss(discriminator(generator(noise(batch), training=True), training=True))
        return loss, {"g_loss": loss}

    players = [
        Player(
            "discriminator",
            [discriminator],
            config.discriminator_optimizer.build(),
            d_loss,
            d_steps,
        ),
        Player("generator", [generator], config.generator_optimizer.build(), g_loss),
    ]
    return Adversarial(generator, players, config.latent_dim, seed)
