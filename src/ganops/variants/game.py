"""The adversarial game every image/point variant plays: the discriminator (or critic)
updates ``d_steps`` times, then the generator once, on an objective of ``ganops.losses``,
with the critic's extras (weight clipping, gradient penalty) and the stabilizers as switches.
Conditional variants add a ``Conditioning``: the generator's classes or codes, what the
discriminator sees beside images, its extra heads and their losses.
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
from ganops.variants.base import AdversarialConfig, Player, Trainable
from ganops.variants.stabilizers import (
    diff_augment,
    ema_copy,
    ema_update,
    instance_noise,
    mode_seeking,
)

#: name -> (discriminator loss, generator loss), on raw discriminator outputs.
OBJECTIVES: dict[str, tuple[Callable, Callable]] = {
    "non_saturating": (losses.discriminator_minimax, losses.generator_non_saturating),
    "minimax": (losses.discriminator_minimax, losses.generator_minimax),
    "least_squares": (losses.discriminator_least_squares, losses.generator_least_squares),
    "wasserstein": (losses.critic_wasserstein, losses.generator_wasserstein),
    "hinge": (losses.discriminator_hinge, losses.generator_hinge),
}
#: The translation families': their least squares is the papers' (see generator_squared_error).
TRANSLATION_OBJECTIVES = OBJECTIVES | {
    "least_squares": (losses.discriminator_least_squares, losses.generator_squared_error),
}
#: The objective whose losses the discriminator-wins rule reads: D's logistic loss sinks to 0
#: while G's non-saturating loss climbs (minimax's G loss saturates at 0 instead, least
#: squares' at 1/2, and a smoothed real label keeps D's loss above the floor).
WATCHED = "non_saturating"
LOGITS = {"non_saturating", "minimax"}  # outputs are logits: log D's probabilities
SMOOTHABLE = {*LOGITS, "least_squares"}  # objectives with a real label to smooth


@dataclass(frozen=True)
class Critic:
    """What the critic's update adds: weight clipping (WGAN) and a gradient penalty (WGAN-GP)."""

    clip: float | None = None
    gradient_penalty: float = 0.0


class Conditioning:
    """What a conditional variant adds to the game; this base adds nothing (unconditional).

    ``conditions``: the generator's inputs beside ``z`` for ``n`` fakes (name -> tensor);
    ``labels`` / ``fake_labels``: the one-hot classes the discriminator sees beside real /
    fake images (None: images only); ``split``: the discriminator's output -> (real/fake
    output, auxiliary outputs); ``d_extra`` / ``g_extra``: each player's auxiliary loss and
    its logs, or None.
    """

    def conditions(self, n, seed) -> dict:
        return {}

    def labels(self, batch):
        return None

    def fake_labels(self, conditions):
        return None

    def split(self, out):
        return out, None

    def d_extra(self, batch, real_aux, fake_aux, conditions) -> tuple | None:
        return None

    def g_extra(self, fake_aux, conditions) -> tuple | None:
        return None


def halves(tensor):
    return (None, None) if tensor is None else tuple(ops.split(tensor, 2))


def add_extra(loss, logs: dict, extra: tuple | None):
    """``loss`` plus an auxiliary ``(loss, logs)``, if any."""
    if extra is None:
        return loss, logs
    return loss + extra[0], logs | extra[1]


def game(
    generator: keras.Model,
    discriminator: keras.Model,
    config: AdversarialConfig,
    objective: str,
    d_steps: int = 1,
    critic: Critic = Critic(),
    conditioning: Conditioning | None = None,
) -> Trainable:
    """The players of ``objective`` with ``config.stabilizers`` applied (and a conditional
    variant's ``conditioning``)."""
    s = config.stabilizers
    if s.real_label < 1.0 and objective not in SMOOTHABLE:
        raise ConfigError(
            f"stabilizers.real_label: label smoothing needs a labelled objective "
            f"({', '.join(sorted(SMOOTHABLE))}), not {objective}"
        )
    if s.augment and len(generator.outputs[0].shape) != 4:
        raise ConfigError("stabilizers.augment: augmentations are for images, not points")
    if s.pack > 1 and conditioning is not None:
        raise ConfigError("stabilizers.pack: packing is for unconditional variants only")
    conditioning = conditioning or Conditioning()
    if s.normal_init:
        normal_init(generator)
        normal_init(discriminator, seed=1)
    sampled = ema_copy(generator) if s.ema else generator
    seed = keras.random.SeedGenerator(0)
    d_optimizer = config.discriminator_optimizer.build()
    d_objective, g_objective = OBJECTIVES[objective]
    smooth = {"real_label": s.real_label} if objective in SMOOTHABLE else {}

    def generate(z, conditions):
        inputs = [{"z": z, **conditions}[t.name] for t in generator.inputs] if conditions else z
        return generator(inputs, training=True)

    def fakes(batch):
        """Generated samples for a batch's size, and the conditions they were asked for."""
        n = ops.shape(batch["x"])[0]
        z = keras.random.normal((n, config.latent_dim), seed=seed)
        conditions = conditioning.conditions(n, seed)
        return generate(z, conditions), conditions, z

    def judge(x, labels=None):
        """The discriminator's (real/fake, auxiliary) outputs for a batch: augmented, noisy,
        packed."""
        if s.augment:
            x = diff_augment(x, s.augment, seed)
        if s.instance_noise:
            x = instance_noise(
                x, s.instance_noise, s.instance_noise_steps, d_optimizer.iterations, seed
            )
        x = pack(x, s.pack) if s.pack > 1 else x
        return conditioning.split(
            discriminator(x if labels is None else [x, labels], training=True)
        )

    def judge_both(real, fake, real_labels, fake_labels):
        if not s.mixed_batches:
            return judge(real, real_labels), judge(fake, fake_labels)
        labels = None if real_labels is None else ops.concatenate([real_labels, fake_labels])
        out, aux = judge(ops.concatenate([real, fake]), labels)
        (real_out, fake_out), (real_aux, fake_aux) = halves(out), halves(aux)
        return (real_out, real_aux), (fake_out, fake_aux)

    def d_terms(batch, fake, conditions):
        """The discriminator's loss and logs on a batch and its fakes, and its outputs for
        the fakes (what the generator's loss reads in a single pass)."""
        real, real_labels = batch["x"], conditioning.labels(batch)
        (real_out, real_aux), (fake_out, fake_aux) = judge_both(
            real, fake, real_labels, conditioning.fake_labels(conditions)
        )
        loss = d_objective(real_out, fake_out, **smooth)
        as_probability = ops.sigmoid if objective in LOGITS else (lambda v: v)
        logs = {
            "d_real": ops.mean(as_probability(real_out)),
            "d_fake": ops.mean(as_probability(fake_out)),
        }
        if critic.gradient_penalty:
            alpha = keras.random.uniform((ops.shape(real)[0],), seed=seed)
            between = losses.interpolate(real, ops.stop_gradient(fake), alpha)
            penalty = losses.gradient_penalty(
                input_gradients(lambda v: judge(v, real_labels)[0], between)
            )
            logs["gradient_penalty"] = penalty
            loss = loss + critic.gradient_penalty * penalty
        if s.r1:
            penalty = losses.r1_penalty(input_gradients(lambda v: judge(v, real_labels)[0], real))
            loss, logs = loss + s.r1 / 2 * penalty, logs | {"r1_penalty": penalty}
        loss, logs = add_extra(
            loss, logs, conditioning.d_extra(batch, real_aux, fake_aux, conditions)
        )
        return loss, {"d_loss": loss, **logs}, (fake_out, fake_aux)

    def g_terms(fake, conditions, z, judged):
        """The generator's loss and logs from the discriminator's ``judged`` outputs."""
        out, aux = judged
        loss, logs = add_extra(g_objective(out), {}, conditioning.g_extra(aux, conditions))
        if s.mode_seeking:
            other_z = keras.random.normal(ops.shape(z), seed=seed)
            term = mode_seeking(fake, generate(other_z, conditions), z, other_z)
            loss, logs = loss + s.mode_seeking * term, logs | {"mode_seeking": term}
        return loss, {"g_loss": loss, **logs}

    def d_loss(batch):
        fake, conditions, _ = fakes(batch)
        return d_terms(batch, fake, conditions)[:2]

    def g_loss(batch):
        fake, conditions, z = fakes(batch)
        return g_terms(fake, conditions, z, judge(fake, conditioning.fake_labels(conditions)))

    def joint(batch):
        """Both losses from one generator pass and one discriminator pass (the TensorFlow
        DCGAN tutorial's update): the generator's reads the discriminator before its update."""
        fake, conditions, z = fakes(batch)
        d, d_logs, judged = d_terms(batch, fake, conditions)
        g, g_logs = g_terms(fake, conditions, z, judged)
        return {"discriminator": d, "generator": g}, d_logs | g_logs

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
    return Trainable(
        sampled,
        players,
        config.latent_dim,
        seed,
        batch_multiple=s.pack,
        watch_d_wins=objective == WATCHED and s.real_label == 1.0,
        joint=joint,
    )
