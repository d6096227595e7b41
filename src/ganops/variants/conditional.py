"""What the conditional variants share (book Skill 6): configuration, class draws, networks."""

from __future__ import annotations

from typing import Literal

import keras
from keras import ops
from pydantic import Field

from ganops.errors import ConfigError
from ganops.nets.conditional import conditional_generator
from ganops.nets.conv import dcgan_discriminator
from ganops.variants.base import DataSpec
from ganops.variants.game import Conditioning
from ganops.variants.networks import ConvConfig, conv_generator


class ConditionalConfig(ConvConfig):
    """DCGAN stacks with the book's discriminator dropout."""

    dropout: float = Field(0.3, ge=0.0, lt=1.0)


class ClassConditionalConfig(ConditionalConfig):
    """Generators given the class (CGAN, ACGAN): through a linear embedding of the one-hot."""

    loss: Literal["non_saturating", "minimax", "least_squares"] = "non_saturating"
    label_embedding: int = Field(50, gt=0, description="units of the generator's label embedding")


def require_classes(variant: str, spec: DataSpec) -> int:
    """The dataset's number of classes; a clear error for unlabelled data."""
    if spec.num_classes < 2:
        raise ConfigError(
            f"variant '{variant}' needs a labelled dataset (at least 2 classes); this one "
            f"has {spec.num_classes}"
        )
    return spec.num_classes


def random_one_hot(n, classes: int, seed: keras.random.SeedGenerator):
    """``n`` uniformly drawn classes, one-hot."""
    return ops.one_hot(keras.random.randint((n,), 0, classes, seed=seed), classes)


class LabelConditioning(Conditioning):
    """A generator asked for random classes (CGAN, ACGAN)."""

    def __init__(self, classes: int):
        self.classes = classes

    def conditions(self, n, seed) -> dict:
        return {"label": random_one_hot(n, self.classes, seed)}

    def real_one_hot(self, batch):
        return ops.one_hot(batch["y"], self.classes)


def generator(config: ConvConfig, spec: DataSpec, conditions: dict[str, int], embedding=0):
    """The DCGAN generator taking z with ``conditions`` (name -> size)."""
    width = config.latent_dim + sum(
        embedding if embedding and name == "label" else size for name, size in conditions.items()
    )
    body = conv_generator(config, spec, width)
    return conditional_generator(body, config.latent_dim, conditions, embedding)


def discriminator(config: ConvConfig, image_shape, outputs: int = 1) -> keras.Model:
    """The DCGAN discriminator with ``outputs`` logits."""
    return dcgan_discriminator(
        image_shape,
        config.discriminator_filters,
        config.kernel_size,
        config.dropout,
        minibatch_std=config.stabilizers.minibatch_std,
        outputs=outputs,
    )
