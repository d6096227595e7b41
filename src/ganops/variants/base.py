"""What every variant provides: networks, players (who updates what, on which loss), sampling.

A variant module exposes ``Config`` (a pydantic model, its ``model:`` parameters),
``DATA_KINDS`` (the data it accepts) and ``build(config, spec, d_steps) -> Trainable``. The
Trainer only ever sees a ``Trainable``: players and their losses, two (a GAN), four (CycleGAN)
or one (a likelihood model: the VAE, PixelCNN). Adding a variant never touches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import keras
import numpy as np
from keras import ops
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from ganops.errors import ConfigError
from ganops.variants.stabilizers import Stabilizers

Batch = dict[str, Any]
LossFn = Callable[[Batch], tuple[Any, dict[str, Any]]]
#: Training data as named pools of aligned arrays (batch key -> array). The arrays of one pool
#: are drawn with one index (images and their labels; sources and their targets); each pool is
#: drawn independently of the others (a labelled subset; the two domains of unpaired data).
Pools = dict[str, dict[str, np.ndarray]]


def image_pool(model_input: dict[str, Any], seed: int) -> Pools:
    """The training images ``x``, with their labels ``y`` when the data has classes."""
    pool = {"x": model_input["x_train"]}
    if model_input["meta"].get("num_classes"):
        pool["y"] = model_input["y_train"]
    return {"real": pool}


@dataclass(frozen=True)
class DataSpec:
    """What a variant needs to know of its data (read from the model input's meta): its kind
    (``images``, ``points``, ``pairs`` of source and target images, or ``unpaired`` images of
    two domains), the shape of a sample (a target, for pairs), the number of classes, and for
    translation the source's shape (and for pairs the task that made them: ``colorize``,
    ``super_resolution``, ``inpaint``, ``given``)."""

    kind: str
    sample_shape: tuple[int, ...]
    num_classes: int = 0
    source_shape: tuple[int, ...] | None = None
    task: str | None = None
    factor: int | None = None

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> DataSpec:
        shape, classes = tuple(meta["sample_shape"]), int(meta.get("num_classes", 0))
        if "domains" in meta:
            return cls("unpaired", shape, classes, shape)
        if "pairs" not in meta:
            return cls(meta["kind"], shape, classes)
        pairs = meta["pairs"]
        return cls(
            "pairs",
            shape,
            classes,
            tuple(pairs["source_shape"]),
            pairs["task"],
            pairs.get("factor"),
        )


@dataclass
class Player:
    """One side of the game: ``loss(batch) -> (scalar, logs)`` minimised over ``networks``;
    ``after_update`` runs after each of its updates (weight clipping, moving averages)."""

    name: str
    networks: list[keras.Model]
    optimizer: keras.optimizers.Optimizer
    loss: LossFn
    steps: int = 1
    after_update: Callable[[], None] | None = None

    @property
    def variables(self) -> list[keras.Variable]:
        return [v for net in self.networks for v in net.trainable_variables]


@dataclass
class Trainable:
    """A built variant: the generator that is sampled, evaluated and exported (a moving
    average of the trained one when that stabilizer is on), the players in update order,
    their random state, what the batch size must be a multiple of, whether the
    discriminator's loss is bounded below by 0 (then near 0 means it wins), the pools of
    training data its players' batches are drawn from, and any other variables its resumed
    run needs (``state``: CycleGAN's history of generated images).

    Semi-supervised variants also say how they classify images; likelihood models how they
    score held-out images (``likelihood``: images -> per-image negative log-likelihoods in
    nats, ``nll`` the tightest); any variant may draw pictures of its own for the report
    (``pictures``: model input -> name -> (caption, picture); the VAE's latent space).

    ``joint`` (the adversarial game): ``batch -> ({player name: loss}, logs)``, every player's
    loss from one forward pass, for the single-pass update (``train.single_pass``)."""

    generator: keras.Model
    players: list[Player]
    latent_dim: int
    seed: keras.random.SeedGenerator
    batch_multiple: int = 1
    #: The discriminator-wins rule can fire: D's loss can sink under the monitor's floor while
    #: G's climbs (the logistic non-saturating objective, unsmoothed, D never held at 0).
    watch_d_wins: bool = True
    classify: keras.Model | None = None
    pools: Callable[[dict[str, Any], int], Pools] = image_pool
    state: list[keras.Variable] = field(default_factory=list)
    likelihood: Callable[[np.ndarray], dict[str, np.ndarray]] | None = None
    pictures: Callable[[dict[str, Any]], dict[str, tuple[str, np.ndarray]]] | None = None
    joint: Callable[[Batch], tuple[dict[str, Any], dict[str, Any]]] | None = None

    def updates_per_step(self, single_pass: bool = False) -> int:
        """Real batches one step takes: one per player update, or one for a single pass."""
        return 1 if single_pass else sum(p.steps for p in self.players)

    @property
    def networks(self) -> list[keras.Model]:
        """Every network once, generator first, in a fixed order (checkpoints rely on it)."""
        nets = [self.generator]
        for net in (n for p in self.players for n in p.networks):
            if all(net is not seen for seen in nets):
                nets.append(net)
        return nets

    @property
    def variables(self) -> list[keras.Variable]:
        """Every variable a step reads or writes and a resumed run needs (networks, optimizer
        slots, random state, ``state``), once each, in a fixed order (networks may nest: a
        two-way generator holds both of CycleGAN's)."""
        variables = [v for net in self.networks for v in net.variables]
        variables += [v for player in self.players for v in player.optimizer.variables]
        unique = {id(v): v for v in [*variables, self.seed.state, *self.state]}
        return list(unique.values())

    @property
    def model(self) -> list[keras.Model]:
        """The networks that make the trained model, whose best weights are kept: the
        generator, and for a likelihood model every network (its encoder scores images)."""
        return self.networks if self.likelihood else [self.generator]


@keras.saving.register_keras_serializable(package="ganops")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """``rate`` for the first ``start`` updates, then down in a straight line to 0 at ``end``
    (CycleGAN: 100 epochs constant, 100 decaying). A function of the optimizer's update count
    alone, which checkpoints hold: resume is exact."""

    def __init__(self, rate: float, start: int, end: int):
        self.rate, self.start, self.end = rate, start, end

    def __call__(self, step):
        left = (self.end - ops.cast(step, "float32")) / (self.end - self.start)
        return self.rate * ops.clip(left, 0.0, 1.0)

    def get_config(self):
        return {"rate": self.rate, "start": self.start, "end": self.end}


class OptimizerConfig(BaseModel):
    """Adam (the book's GANs: lr 1e-4..2e-4, beta_1 0.5, Radford 2015) or RMSprop (WGAN);
    the betas are Adam's. ``decay``: [start, end] updates of a linear decay to 0 (CycleGAN)."""

    model_config = ConfigDict(extra="forbid")

    name: Literal["adam", "rmsprop"] = "adam"
    learning_rate: PositiveFloat = 2e-4
    beta_1: float = Field(0.5, ge=0.0, lt=1.0)
    beta_2: float = Field(0.999, ge=0.0, lt=1.0)
    decay: tuple[NonNegativeInt, PositiveInt] | None = Field(
        None, description="[start, end]: constant until start, linearly to 0 at end"
    )

    @model_validator(mode="after")
    def _decay_ends_after_start(self) -> OptimizerConfig:
        if self.decay is not None and self.decay[1] <= self.decay[0]:
            raise ValueError(f"decay: end {self.decay[1]} must come after start {self.decay[0]}")
        return self

    def build(self) -> keras.optimizers.Optimizer:
        rate = (
            self.learning_rate
            if self.decay is None
            else LinearDecay(self.learning_rate, *self.decay)
        )
        if self.name == "rmsprop":
            return keras.optimizers.RMSprop(rate)
        return keras.optimizers.Adam(rate, beta_1=self.beta_1, beta_2=self.beta_2)


class ModelConfig(BaseModel):
    """What every variant's ``model:`` parameters are: settings of its own, none unknown."""

    model_config = ConfigDict(extra="forbid")


class AdversarialConfig(ModelConfig):
    """What every GAN of images or points has: a latent size, the two players' optimizers
    and the stabilizers."""

    latent_dim: int = Field(100, gt=0)
    generator_optimizer: OptimizerConfig = OptimizerConfig()
    discriminator_optimizer: OptimizerConfig = OptimizerConfig()
    stabilizers: Stabilizers = Stabilizers()


class TranslationConfig(ModelConfig):
    """Settings every image-to-image variant has: the two optimizers (Adam 2e-4, beta_1 0.5)
    and how its generator upsamples."""

    generator_optimizer: OptimizerConfig = OptimizerConfig()
    discriminator_optimizer: OptimizerConfig = OptimizerConfig()
    upsampling: Literal["transposed", "resize_conv"] = Field(
        "transposed",
        description="transposed convolutions (the papers), or nearest upsampling and a "
        "convolution (fewer checkerboard artifacts)",
    )


def one_on_one(
    generator: keras.Model,
    discriminator: keras.Model,
    config: TranslationConfig,
    d_loss: LossFn,
    g_loss: LossFn,
    g_optimizer: keras.optimizers.Optimizer,
    d_steps: int = 1,
    **fields: Any,
) -> Trainable:
    """A translation generator against one discriminator, which updates first (``d_steps``
    times); ``fields``: the rest of the ``Trainable`` (its pools...)."""
    players = [
        Player(
            "discriminator",
            [discriminator],
            config.discriminator_optimizer.build(),
            d_loss,
            d_steps,
        ),
        Player("generator", [generator], g_optimizer, g_loss),
    ]
    return Trainable(generator, players, latent_dim=0, seed=keras.random.SeedGenerator(0), **fields)


def alone(
    name: str,
    networks: list[keras.Model],
    config: ModelConfig,
    loss: LossFn,
    d_steps: int,
    **fields: Any,
) -> Trainable:
    """One player minimising ``loss`` over ``networks`` with ``config.optimizer`` (the
    likelihood baselines, SRResNet); ``d_steps`` must stay 1 (there is no discriminator to
    update more often); ``fields``: the ``Trainable``'s (its generator, latent size, seed...)."""
    if d_steps != 1:
        raise ConfigError(f"{name} has no discriminator: train.d_steps must be 1, not {d_steps}")
    player = Player(name, networks, config.optimizer.build(), loss)
    return Trainable(players=[player], watch_d_wins=False, **fields)  # no discriminator to win
