"""Conditional GAN (book Skill 6, Mirza 2014): the class is given to both players; the
generator embeds it beside z, the discriminator sees it as one more image plane."""

from __future__ import annotations

from ganops.nets.conditional import label_plane_discriminator
from ganops.variants.base import DataSpec, Trainable
from ganops.variants.conditional import (
    ClassConditionalConfig,
    LabelConditioning,
    discriminator,
    generator,
    require_classes,
)
from ganops.variants.game import game

DATA_KINDS = ("images",)


class Config(ClassConditionalConfig):
    """Book settings scaled to the images: Adam 2e-4 (book 1e-4), beta_1 0.5."""


class ClassGiven(LabelConditioning):
    """The discriminator judges (image, class) pairs: real ones with their labels, fakes with
    the classes they were asked for."""

    def labels(self, batch):
        return self.real_one_hot(batch)

    def fake_labels(self, conditions):
        return conditions["label"]


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    classes = require_classes("cgan", spec)
    height, width, channels = spec.sample_shape
    judge = discriminator(config, (height, width, channels + 1))
    return game(
        generator(config, spec, {"label": classes}, config.label_embedding),
        label_plane_discriminator(judge, spec.sample_shape, classes),
        config,
        config.loss,
        d_steps,
        conditioning=ClassGiven(classes),
    )
