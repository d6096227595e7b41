"""What the unpaired translation variants share (book Skills 8 and 9: CycleGAN, DiscoGAN,
CartoonGAN): two domains A and B drawn independently (``a`` and ``b`` pools, so no image is
ever paired with another by index), the cycle game of two generators and two discriminators,
the paper's history of generated images, and the two-way generator that is registered: one
model whose ``direction`` input (AtoB / BtoA) picks the generator, taken like a class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import keras
import numpy as np
from keras import layers, ops
from pydantic import Field, NonNegativeInt

from ganops.sampling import DIRECTION, DIRECTIONS, IMAGE
from ganops.variants.base import Player, Pools, Trainable, TranslationConfig
from ganops.variants.game import LOGITS, TRANSLATION_OBJECTIVES, WATCHED

DATA_KINDS = ("unpaired",)
#: (batch, translation A->B, translation B->A) -> an extra generator loss and its logs
Extra = Callable[[dict, Any, Any, Any], tuple[Any, dict]]  # (batch, fake_b, fake_a, step)


class UnpairedConfig(TranslationConfig):
    """Settings every cycle-consistent variant has (CycleGAN's by default): the adversarial
    objective, the cycle and identity weights and distance, the history of generated images
    the discriminators see, and the two optimizers (Adam 2e-4, beta_1 0.5)."""

    loss: Literal["least_squares", "non_saturating"] = "least_squares"
    cycle_weight: float = Field(10.0, ge=0.0, description="lambda: F(G(a)) ~ a, G(F(b)) ~ b")
    backward_cycle: float = Field(
        1.0,
        ge=0.0,
        description="B -> A -> B's cycle loss as a share of A -> B -> A's (the official "
        "code's lambda_B / lambda_A): below 1 when B holds what A cannot (digits-M's photo "
        "backgrounds), which F would otherwise hide in faint noise to rebuild b",
    )
    cycle_distance: Literal["l1", "mse"] = "l1"
    identity_weight: float = Field(
        5.0, ge=0.0, description="G(b) ~ b, F(a) ~ a: the paper's 0.5 lambda; the book: 3, 5"
    )
    history: NonNegativeInt = Field(
        50, description="generated images kept for the discriminators (0: the newest only)"
    )


def domain_pools(model_input: dict[str, Any], seed: int) -> Pools:
    """The training images of each domain, in two pools drawn independently."""
    x, domain = model_input["x_train"], model_input["domain_train"]
    return {"a": {"a": x[domain == 0]}, "b": {"b": x[domain == 1]}}


class History:
    """The pool of generated images a discriminator learns from (Shrivastava 2017, CycleGAN's
    ``size`` 50): while it fills, fakes are stored and shown as they are; once full, each fake
    is, with probability 1/2, swapped for a stored one (shown instead, and replaced by it).
    Its images and count are variables, so checkpoints hold them and resume is exact."""

    def __init__(self, size: int, shape: tuple[int, ...], seed: keras.random.SeedGenerator):
        self.size, self.seed = size, seed
        self.images = keras.Variable(np.zeros((max(size, 1), *shape), "float32"), trainable=False)
        self.count = keras.Variable(0, dtype="int32", trainable=False)

    @property
    def variables(self) -> list[keras.Variable]:
        return [self.images, self.count] if self.size else []

    def __call__(self, fakes):
        """The images to show for this batch of ``fakes``; updates the pool."""
        if not self.size:
            return fakes
        n, size = fakes.shape[0], self.size
        rows = ops.arange(n)
        filling = self.count < size
        # filling: fake i goes to the next free slot; full: a coin per fake, and distinct
        # random slots (a permutation), so no slot has two writers
        coin = keras.random.uniform((n,), seed=self.seed) < 0.5
        swap_slot = ops.take(keras.random.shuffle(ops.arange(size), seed=self.seed), rows % size)
        fill_slot = self.count + rows
        write = ops.where(filling, fill_slot < size, coin & (rows < size))
        slot = ops.where(filling, ops.minimum(fill_slot, size - 1), swap_slot)
        stored = ops.take(self.images, slot, axis=0)
        swapped = ops.reshape(ops.logical_and(write, ops.logical_not(filling)), (n, 1, 1, 1))
        shown = ops.where(swapped, stored, ops.cast(fakes, "float32"))
        # the written slots replaced through a one-hot (fakes x slots) matrix: no scatter
        hits = ops.one_hot(slot, size) * ops.cast(ops.expand_dims(write, 1), "float32")
        flat = ops.reshape(ops.cast(fakes, "float32"), (n, -1))
        written = ops.reshape(ops.matmul(ops.transpose(hits), flat), self.images.shape)
        kept = ops.reshape(1.0 - ops.sum(hits, axis=0), (size, 1, 1, 1))
        self.images.assign(kept * self.images + written)
        self.count.assign(ops.minimum(self.count + n, size))
        return ops.cast(shown, fakes.dtype)


@keras.saving.register_keras_serializable(package="ganops")
class ByDirection(layers.Layer):
    """(one-hot direction, A->B outputs, B->A outputs) -> each sample's output in its own
    direction."""

    def call(self, direction, ab, ba):
        to_b = ops.reshape(ops.cast(direction[:, 0], ab.dtype), (-1, 1, 1, 1))
        return to_b * ab + (1.0 - to_b) * ba

    def compute_output_shape(self, direction_shape, ab_shape, ba_shape):
        return ab_shape


def two_way_generator(g_ab: keras.Model, g_ba: keras.Model) -> keras.Model:
    """One model that translates both ways: ``image`` and a one-hot ``direction`` (AtoB,
    BtoA) in, the translation out."""
    image = keras.Input(tuple(g_ab.inputs[0].shape[1:]), name=IMAGE)
    direction = keras.Input((len(DIRECTIONS),), name=DIRECTION)
    out = ByDirection(dtype="float32")(direction, g_ab(image), g_ba(image))
    return keras.Model([image, direction], out, name="generator")


def distance(kind: str) -> Callable[[Any, Any], Any]:
    """Mean absolute (``l1``) or squared (``mse``) difference."""
    if kind == "l1":
        return lambda x, y: ops.mean(ops.abs(x - y))
    return lambda x, y: ops.mean(ops.square(x - y))


def cycle_game(
    generator: Callable[[str], keras.Model],
    discriminator: Callable[[str], keras.Model],
    config: UnpairedConfig,
    weights: Callable[[Any], tuple[Any, Any]] | None = None,
    extra: Extra | None = None,
    d_steps: int = 1,
) -> Trainable:
    """Two players of networks built by name by ``generator`` (``g_ab``, ``g_ba``) and
    ``discriminator`` (``d_a``, ``d_b``). The discriminators (one update for both):
    ``config.loss`` on real images of their domain against translations into it, taken
    through the history, halved (the paper). The generators: fooling the other domain's
    discriminator, plus the cycle weight times the distance of each image to its translation
    there and back (B's times ``config.backward_cycle``), plus the identity weight times
    that of each image to its translation into its own domain, plus ``extra``.
    ``weights(iterations) -> (adversarial, cycle)`` replaces the constant weights, 1 and
    ``config.cycle_weight`` (DiscoGAN's schedule)."""
    g_ab, g_ba = generator("g_ab"), generator("g_ba")
    d_a, d_b = discriminator("d_a"), discriminator("d_b")
    d_objective, g_objective = TRANSLATION_OBJECTIVES[config.loss]
    as_probability = ops.sigmoid if config.loss in LOGITS else (lambda v: v)
    seed = keras.random.SeedGenerator(0)
    shape = tuple(g_ab.inputs[0].shape[1:])
    history_a, history_b = (History(config.history, shape, seed) for _ in range(2))
    g_optimizer = config.generator_optimizer.build()
    dist = distance(config.cycle_distance)

    def d_loss(batch):
        a, b = batch["a"], batch["b"]
        fake_b = history_b(ops.stop_gradient(g_ab(a, training=True)))
        fake_a = history_a(ops.stop_gradient(g_ba(b, training=True)))
        real_a, real_b = d_a(a, training=True), d_b(b, training=True)
        out_a, out_b = d_a(fake_a, training=True), d_b(fake_b, training=True)
        loss = 0.5 * (d_objective(real_a, out_a) + d_objective(real_b, out_b))
        logs = {
            "d_real": ops.mean(as_probability(ops.concatenate([real_a, real_b]))),
            "d_fake": ops.mean(as_probability(ops.concatenate([out_a, out_b]))),
        }
        return loss, {"d_loss": loss, **logs}

    def g_loss(batch):
        a, b = batch["a"], batch["b"]
        fake_b, fake_a = g_ab(a, training=True), g_ba(b, training=True)
        adversarial = g_objective(d_b(fake_b, training=True)) + g_objective(
            d_a(fake_a, training=True)
        )
        cycle = dist(g_ba(fake_b, training=True), a) + config.backward_cycle * dist(
            g_ab(fake_a, training=True), b
        )
        adversarial_weight, cycle_weight = (
            (1.0, config.cycle_weight) if weights is None else weights(g_optimizer.iterations)
        )
        loss = adversarial_weight * adversarial + cycle_weight * cycle
        logs = {"g_adversarial": adversarial, "g_cycle": cycle}
        if config.identity_weight:
            identity = dist(g_ab(b, training=True), b) + dist(g_ba(a, training=True), a)
            loss += config.identity_weight * identity
            logs["g_identity"] = identity
        if extra is not None:
            more, more_logs = extra(batch, fake_b, fake_a, g_optimizer.iterations)
            loss, logs = loss + more, logs | more_logs
        return loss, {"g_loss": loss, **logs}

    players = [
        Player(
            "discriminator", [d_a, d_b], config.discriminator_optimizer.build(), d_loss, d_steps
        ),
        Player("generator", [g_ab, g_ba], g_optimizer, g_loss),
    ]
    return Trainable(
        two_way_generator(g_ab, g_ba),
        players,
        latent_dim=0,
        seed=seed,
        pools=domain_pools,
        state=history_a.variables + history_b.variables,
        watch_d_wins=config.loss == WATCHED,
    )
