"""The adversarial game every unconditional variant plays: the discriminator (or critic)
updates ``d_steps`` times, then the generator once, on an objective of ``ganops.losses``,
with the critic's extras (weight clipping, gradient penalty) and the stabilizers as switches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
from keras import ops

from ganops import losses
from ganops.errors import ConfigError
from ganops.nets.layers import normal_init, pack
from ganops.training.backend import input_gradients
from ganops.variants.base import Adversarial, Player, VariantConfig
from ganops.variants.stabilizers import ema_copy, ema_update, instance_noise

#: name -> (discriminator loss, generator loss), on raw discriminator outputs.
OBJECTIVES: dict[str, tuple[Callable, Callable]] = {
    "non_saturating": (losses.discriminator_minimax, losses.generator_non_saturating),
    "minimax": (losses.discriminator_minimax, losses.generator_minimax),
    "least_squares": (losses.discriminator_least_squares, losses.generator_least_squares),
    "wasserstein": (losses.critic_wasserstein, losses.generator_wasserstein),
    "hinge": (losses.discriminator_hinge, losses.generator_hinge),
}
LOGITS = {"non_saturating", "minimax"}  # outputs are logits: log D's probabilities
SMOOTHABLE = {*LOGITS, "least_squares"}  # objectives with a real label to smooth


@dataclass(frozen=True)
class Critic:
    """What the critic's update adds: weight clipping (WGAN) and a gradient penalty (WGAN-GP)."""

    clip: float | None = None
    gradient_penalty: float = 0.0


def game(
    generator: keras.Model,
    discriminator: keras.Model,
    config: VariantConfig,
    objective: str,
    d_steps: int = 1,
    critic: Critic = Critic(),
) -> Adversarial:
    """The players of ``objective`` with ``config.stabilizers`` applied."""
    s = config.stabilizers
    if s.real_label < 1.0 and objective not in SMOOTHABLE:
        raise ConfigError(
            f"stabilizers.real_label: label smoothing needs a labelled objective "
            f"({', '.join(sorted(SMOOTHABLE))}), not {objective}"
        )
    if s.normal_init:
        normal_init(generator)
        normal_init(discriminator, seed=1)
    sampled = ema_copy(generator) if s.ema else generator
    seed = keras.random.SeedGenerator(0)
    d_optimizer = config.discriminator_optimizer.build()
    d_objective, g_objective = OBJECTIVES[objective]
    smooth = {"real_label": s.real_label} if objective in SMOOTHABLE else {}

    def noise(batch):
        return keras.random.normal((ops.shape(batch["x"])[0], config.latent_dim), seed=seed)

    def judge(x):
        """What the discriminator sees of a batch: noisy, packed."""
        if s.instance_noise:
            x = instance_noise(
                x, s.instance_noise, s.instance_noise_steps, d_optimizer.iterations, seed
            )
        return discriminator(pack(x, s.pack) if s.pack > 1 else x, training=True)

    def judge_both(real, fake):
        if not s.mixed_batches:
            return judge(real), judge(fake)
        both = judge(ops.concatenate([real, fake]))
        return ops.split(both, 2)

    def d_loss(batch):
        real, fake = batch["x"], generator(noise(batch), training=True)
        real_out, fake_out = judge_both(real, fake)
        loss = d_objective(real_out, fake_out, **smooth)
        as_probability = ops.sigmoid if objective in LOGITS else (lambda v: v)
        logs = {
            "d_real": ops.mean(as_probability(real_out)),
            "d_fake": ops.mean(as_probability(fake_out)),
        }
        if critic.gradient_penalty:
            alpha = keras.random.uniform((ops.shape(real)[0],), seed=seed)
            between = losses.interpolate(real, ops.stop_gradient(fake), alpha)
            logs["gradient_penalty"] = losses.gradient_penalty(input_gradients(judge, between))
            loss = loss + critic.gradient_penalty * logs["gradient_penalty"]
        return loss, {"d_loss": loss, **logs}

    def g_loss(batch):
        loss = g_objective(judge(generator(noise(batch), training=True)))
        return loss, {"g_loss": loss}

    def clip_weights():
        for weight in discriminator.trainable_variables:
            weight.assign(ops.clip(weight, -critic.clip, critic.clip))

    players = [
        Player(
            "discriminator",
            [discriminator],
            d_optimizer,
            d_loss,
            d_steps,
            after_update=clip_weights if critic.clip else None,
        ),
        Player(
            "generator",
            [generator],
            config.generator_optimizer.build(),
            g_loss,
            after_update=(lambda: ema_update(sampled, generator, s.ema)) if s.ema else None,
        ),
    ]
    return Adversarial(
        sampled,
        players,
        config.latent_dim,
        seed,
        batch_multiple=s.pack,
        bounded_loss=objective != "wasserstein",
    )
