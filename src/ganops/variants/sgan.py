"""Semi-supervised GAN (book Skill 6, Odena 2016; Salimans 2016): the discriminator is a
K+1-way classifier (the dataset's K classes and "fake"), trained on a few labelled images, many
unlabelled ones and the generator's fakes. Its first K outputs are the classifier ganops
measures on held-out images (the book never does). With ``supervised_only`` the same classifier
learns from the labelled images alone: the baseline SGAN is compared with."""

from __future__ import annotations

from typing import Any, Literal

import keras
import numpy as np
from keras import ops
from pydantic import Field, PositiveInt

from ganops.data.transforms import hide_labels, labelled_subset
from ganops.losses import class_cross_entropy
from ganops.nets.layers import normal_init
from ganops.variants.base import DataSpec, Player, Pools, Trainable
from ganops.variants.conditional import ConditionalConfig, discriminator, require_classes
from ganops.variants.game import Conditioning, game
from ganops.variants.networks import conv_generator

DATA_KINDS = ("images",)


class Config(ConditionalConfig):
    """Labelled examples are balanced over the classes; the rest of the training split is
    used without its labels."""

    loss: Literal["non_saturating", "minimax"] = "non_saturating"
    labelled: PositiveInt = Field(100, description="labelled training examples, all classes")
    supervised_weight: float = Field(1.0, gt=0.0, description="weight of the labelled loss")
    supervised_only: bool = Field(
        False,
        description="the supervised baseline: the same classifier trained on the labelled "
        "examples alone (no generator, no unlabelled images)",
    )


class FakeClass(Conditioning):
    """Outputs: K class logits and a "fake" logit. P(real) = 1 - P(fake), so the real/fake
    logit is logsumexp(class logits) - fake logit, and the usual adversarial loss on it is the
    unsupervised K+1 loss; labelled images add their K+1-way cross-entropy."""

    def __init__(self, discriminator: keras.Model, classes: int, weight: float):
        self.discriminator, self.classes, self.weight = discriminator, classes, weight

    def split(self, out):
        k = self.classes
        return ops.logsumexp(out[:, :k], axis=-1, keepdims=True) - out[:, k:], None

    def d_extra(self, batch, real_aux, fake_aux, conditions):
        part = "_labelled" if "x_labelled" in batch else ""  # fully labelled: every batch
        logits = self.discriminator(batch[f"x{part}"], training=True)
        loss = class_cross_entropy(ops.one_hot(batch[f"y{part}"], self.classes + 1), logits)
        return self.weight * loss, {"d_class_loss": loss}


def semi_supervised_pools(labelled: int):
    """The training images with all but ``labelled`` labels hidden (-1), balanced over the
    classes and drawn with the run's seed; and, when some are hidden, the labelled examples
    as a pool of their own (``x_labelled``, ``y_labelled``), drawn independently."""

    def pools(model_input: dict[str, Any], seed: int) -> Pools:
        x, y = model_input["x_train"], model_input["y_train"]
        y = hide_labels(y, labelled_subset(y, labelled, seed))
        keep = np.flatnonzero(y >= 0)
        drawn = {"real": {"x": x, "y": y}}
        if len(keep) < len(y):
            drawn["labelled"] = {"x_labelled": x[keep], "y_labelled": y[keep]}
        return drawn

    return pools


def classifier(discriminator: keras.Model, classes: int) -> keras.Model:
    """Class probabilities from the discriminator's first K logits (the fake one ignored)."""
    logits = discriminator.outputs[0][:, :classes]
    return keras.Model(discriminator.inputs[0], ops.softmax(logits), name="classifier")


def supervised(
    generator: keras.Model, judge: keras.Model, config: Config, fake_class: FakeClass, d_steps: int
) -> Trainable:
    """The baseline: one player, the discriminator, minimising only SGAN's labelled K+1-way
    cross-entropy with the same optimizer. The generator is built (so both runs draw the same
    initial weights) but never updated."""
    if config.stabilizers.normal_init:
        normal_init(judge, seed=1)
    player = Player(
        "discriminator",
        [judge],
        config.discriminator_optimizer.build(),
        lambda batch: fake_class.d_extra(batch, None, None, None),
        d_steps,
    )
    return Trainable(generator, [player], config.latent_dim, keras.random.SeedGenerator(0))


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    classes = require_classes("sgan", spec)
    generator = conv_generator(config, spec)
    judge = discriminator(config, spec.sample_shape, outputs=classes + 1)
    fake_class = FakeClass(judge, classes, config.supervised_weight)
    if config.supervised_only:
        gan = supervised(generator, judge, config, fake_class, d_steps)
    else:
        gan = game(generator, judge, config, config.loss, d_steps, conditioning=fake_class)
    gan.classify = classifier(judge, classes)
    gan.pools = semi_supervised_pools(config.labelled)
    return gan
