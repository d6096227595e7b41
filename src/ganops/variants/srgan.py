"""SRGAN (book Skill 9, Ledig 2017): a residual generator upsamples the low-resolution source
by the data's factor; after a phase of pixel MSE alone (SRResNet), a strided discriminator
joins with weight 1e-3 against a content loss on the features of a network that works
offline: the dataset's own domain classifier by default (its last convolution), or VGG19
(conv5_4, as the paper and the book) from a weights file the user supplies."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import keras
from keras import ops
from pydantic import Field, PositiveInt

from ganops.nets import content
from ganops.nets.translation import strided_discriminator
from ganops.variants.base import DataSpec, Trainable
from ganops.variants.paired import (
    DATA_KINDS,
    PairedConfig,
    mse,
    require_task,
    translation_game,
)
from ganops.variants.srresnet import GeneratorConfig

__all__ = ["DATA_KINDS", "USES_FEATURES", "Config", "build"]
USES_FEATURES = True  # build() takes the dataset's feature extractor (content loss)
#: The paper rescales VGG's feature maps by 1/12.75 (the VGG loss times about 0.006), to the
#: scale of pixel MSE; the domain classifier's features have no such published scale.
VGG_FEATURE_SCALE = 1 / 12.75


class Config(PairedConfig, GeneratorConfig):
    """The paper's settings (parameters_srgan.yml sizes them for CPU); the generator is
    SRResNet's."""

    loss: Literal["least_squares", "non_saturating"] = "non_saturating"
    adversarial_weight: float = Field(1e-3, ge=0.0)
    reconstruction_weight: float = Field(1.0, ge=0.0, description="content loss weight")
    pretrain_steps: int = Field(1000, ge=0, description="SRResNet phase: pixel MSE alone")
    discriminator_filters: list[int] = Field([64, 128, 256, 512], min_length=1)
    discriminator_dense: PositiveInt = 1024
    content: Literal["pixel", "features"] = Field(
        "features",
        description="content loss after the SRResNet phase: pixel MSE, or MSE of features",
    )
    vgg19_weights: Path | None = Field(
        None, description="a local VGG19 weights file (no top) for the content features"
    )


def content_network(
    config: Config, spec: DataSpec, features: keras.Model | None
) -> keras.Model | None:
    """The frozen network whose features the content loss compares (None: pixels)."""
    if config.content == "pixel":
        return None
    return content.content_network(
        config.vgg19_weights, "block5_conv4", spec.sample_shape, features, "srgan"
    )


def build(
    config: Config,
    spec: DataSpec,
    d_steps: int = 1,
    features: keras.Model | None = None,
) -> Trainable:
    require_task("srgan", spec, ("super_resolution",))
    generator = config.generator(spec)
    discriminator = strided_discriminator(
        spec.sample_shape, config.discriminator_filters, config.discriminator_dense
    )
    network = content_network(config, spec, features)
    scale = 1.0 if config.vgg19_weights is None else VGG_FEATURE_SCALE

    def content_loss(source, output, target, pretraining):
        """Pixel MSE in the SRResNet phase; then the features' MSE (or still pixels)."""
        pixels = mse(source, output, target)
        if network is None:
            return pixels
        gap = network(output, training=False) - network(target, training=False)
        feature = ops.mean(ops.square(scale * gap))
        return pretraining * pixels + (1.0 - pretraining) * feature

    return translation_game(
        generator,
        discriminator,
        config,
        judge=lambda source, image: discriminator(image, training=True),
        reconstruction=content_loss,
        d_steps=d_steps,
    )
