"""Auxiliary-classifier GAN (book Skill 6, Odena 2017): the generator is given the class, the
discriminator is not: it predicts it with an extra head, trained on real and fake images."""

from __future__ import annotations

from pydantic import Field

from ganops.losses import class_cross_entropy
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
    """The paper's equal weighting of the source and class losses."""

    class_weight: float = Field(1.0, gt=0.0, description="weight of the class loss")


class ClassHead(LabelConditioning):
    """Outputs: one real/fake logit, then one logit per class. Both players minimise the class
    loss of the fakes; the discriminator also that of the real images."""

    def __init__(self, classes: int, weight: float):
        super().__init__(classes)
        self.weight = weight

    def split(self, out):
        return out[:, :1], out[:, 1:]

    def d_extra(self, batch, real_aux, fake_aux, conditions):
        real = class_cross_entropy(self.real_one_hot(batch), real_aux)
        fake = class_cross_entropy(conditions["label"], fake_aux)
        return self.weight * (real + fake), {"d_class_loss": real, "d_fake_class_loss": fake}

    def g_extra(self, fake_aux, conditions):
        loss = class_cross_entropy(conditions["label"], fake_aux)
        return self.weight * loss, {"g_class_loss": loss}


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    classes = require_classes("acgan", spec)
    return game(
        generator(config, spec, {"label": classes}, config.label_embedding),
        discriminator(config, spec.sample_shape, outputs=1 + classes),
        config,
        config.loss,
        d_steps,
        conditioning=ClassHead(classes, config.class_weight),
    )
