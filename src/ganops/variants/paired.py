"""What the paired translation variants share (book Skills 8 and 9: Pix2Pix, SRGAN, Context
Encoder): their data, configuration and game. Every training pair is a source image and its
target, drawn with one index (``pairs`` pool); the generator translates the source, the
discriminator judges images (or image pairs), and the generator also minimises a
reconstruction loss against the target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import keras
from keras import ops
from pydantic import Field, NonNegativeInt

from ganops.errors import ConfigError
from ganops.variants.base import DataSpec, Pools, Trainable, TranslationConfig, one_on_one
from ganops.variants.game import LOGITS, TRANSLATION_OBJECTIVES, WATCHED

DATA_KINDS = ("pairs",)
Judge = Callable[[Any, Any], Any]  # (source batch, image batch) -> discriminator output
#: (source, output, target, pretraining: 1.0 in the reconstruction-only phase, else 0.0) -> loss
Reconstruction = Callable[[Any, Any, Any, Any], Any]


class PairedConfig(TranslationConfig):
    """Settings every paired variant has: the adversarial objective and its weight, the
    reconstruction weight, the two optimizers (Pix2Pix's Adam 2e-4, beta_1 0.5), and an
    optional phase of reconstruction only before the adversarial game (SRGAN's SRResNet)."""

    loss: Literal["least_squares", "non_saturating"] = "non_saturating"
    adversarial_weight: float = Field(1.0, ge=0.0)
    reconstruction_weight: float = Field(100.0, ge=0.0)
    pretrain_steps: NonNegativeInt = Field(
        0, description="generator updates on the reconstruction loss alone, first"
    )


def pair_pool(model_input: dict[str, Any], seed: int) -> Pools:
    """The training pairs: ``source`` and its target ``x``, drawn with one index."""
    return {"pairs": {"source": model_input["source_train"], "x": model_input["x_train"]}}


def require_task(variant: str, spec: DataSpec, tasks: tuple[str, ...]) -> None:
    """Refuse paired data of another task, naming the ones the variant takes."""
    if spec.task not in tasks:
        raise ConfigError(
            f"variant '{variant}' translates {' or '.join(tasks)} pairs; this dataset's pairs "
            f"are {spec.task}"
        )


def translation_game(
    generator: keras.Model,
    discriminator: keras.Model,
    config: PairedConfig,
    judge: Judge,
    reconstruction: Reconstruction,
    d_steps: int = 1,
) -> Trainable:
    """Two players. The discriminator: ``config.loss`` on ``judge(source, target)`` against
    ``judge(source, generator(source))``. The generator: ``adversarial_weight`` times its side
    of the objective plus ``reconstruction_weight`` times ``reconstruction(source, output,
    target, pretraining)``. During the first ``pretrain_steps`` generator updates only the
    reconstruction counts (the discriminator's loss is multiplied by 0 too, so it does not
    move), and ``pretraining`` is 1.0."""
    d_objective, g_objective = TRANSLATION_OBJECTIVES[config.loss]
    g_optimizer = config.generator_optimizer.build()
    as_probability = ops.sigmoid if config.loss in LOGITS else (lambda v: v)

    def pretraining():
        return ops.cast(g_optimizer.iterations < config.pretrain_steps, "float32")

    def d_loss(batch):
        source, target = batch["source"], batch["x"]
        fake = ops.stop_gradient(generator(source, training=True))
        real_out, fake_out = judge(source, target), judge(source, fake)
        loss = d_objective(real_out, fake_out) * (1.0 - pretraining())
        logs = {
            "d_real": ops.mean(as_probability(real_out)),
            "d_fake": ops.mean(as_probability(fake_out)),
        }
        return loss, {"d_loss": loss, **logs}

    def g_loss(batch):
        source, target = batch["source"], batch["x"]
        fake = generator(source, training=True)
        adversarial = g_objective(judge(source, fake))
        phase = pretraining()
        recon = reconstruction(source, fake, target, phase)
        loss = (
            config.adversarial_weight * adversarial * (1.0 - phase)
            + config.reconstruction_weight * recon
        )
        return loss, {"g_loss": loss, "g_adversarial": adversarial, "g_reconstruction": recon}

    return one_on_one(
        generator,
        discriminator,
        config,
        d_loss,
        g_loss,
        g_optimizer,
        d_steps,
        watch_d_wins=config.pretrain_steps == 0 and config.loss == WATCHED,
        pools=pair_pool,
    )


def l1(source, output, target, pretraining=None):
    return ops.mean(ops.abs(output - target))


def mse(source, output, target, pretraining=None):
    return ops.mean(ops.square(output - target))
