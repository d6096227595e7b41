"""SRGAN (book Skill 9, Ledig 2017): a residual generator upsamples the low-resolution source
by the data's factor; after a phase of pixel MSE alone (SRResNet), a strided discriminator
joins with weight 1e-3 against a content loss on the features of a network that works
offline: the dataset's own domain classifier by default (its last convolution), or VGG19
(conv5_4, as the paper and the book) from a weights file the user supplies."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import keras
from keras import layers, ops
from pydantic import Field, PositiveInt

from ganops.errors import ConfigError
from ganops.nets.translation import sr_generator, strided_discriminator
from ganops.variants.base import Adversarial, DataSpec
from ganops.variants.paired import DATA_KINDS, PairedConfig, mse, require_task, translation_game

__all__ = ["DATA_KINDS", "USES_FEATURES", "Config", "build"]
USES_FEATURES = True  # build() takes the dataset's feature extractor (content loss)


class Config(PairedConfig):
    """The paper's settings (parameters_srgan.yml sizes them for CPU)."""

    loss: Literal["least_squares", "non_saturating"] = "non_saturating"
    adversarial_weight: float = Field(1e-3, ge=0.0)
    reconstruction_weight: float = Field(1.0, ge=0.0, description="content loss weight")
    pretrain_steps: int = Field(1000, ge=0, description="SRResNet phase: pixel MSE alone")
    generator_filters: PositiveInt = 64
    residual_blocks: PositiveInt = 16
    sr_upsampling: Literal["subpixel", "upsampling"] = Field(
        "subpixel", description="sub-pixel convolution (paper) or UpSampling2D + conv (book)"
    )
    discriminator_filters: list[int] = Field([64, 128, 256, 512], min_length=1)
    discriminator_dense: PositiveInt = 1024
    content: Literal["pixel", "features"] = Field(
        "features",
        description="content loss after the SRResNet phase: pixel MSE, or MSE of features",
    )
    vgg19_weights: Path | None = Field(
        None, description="a local VGG19 weights file (no top) for the content features"
    )


VGG_MIN_SIZE = 32  # Keras' VGG19 takes no smaller images


def vgg19_content(weights: Path, image_shape: tuple[int, ...]) -> keras.Model:
    """VGG19's conv5_4 features of images in [-1, 1] (gray made RGB; VGG's caffe input;
    images under 32x32 resized up to it)."""
    if not weights.is_file():
        raise ConfigError(f"srgan.model.vgg19_weights: {weights} is not a file")
    side = max(VGG_MIN_SIZE, *image_shape[:2])
    try:
        vgg = keras.applications.VGG19(
            include_top=False, weights=str(weights), input_shape=(side, side, 3)
        )
    except Exception as error:  # noqa: BLE001 - Keras raises several kinds on a bad file
        message = str(error).splitlines()[0]
        raise ConfigError(f"srgan.model.vgg19_weights: {weights}: {message}") from error
    image = keras.Input(image_shape)
    rgb = image if image_shape[-1] == 3 else layers.Concatenate()([image] * 3)
    if image_shape[0] != side or image_shape[1] != side:
        rgb = layers.Resizing(side, side)(rgb)
    bgr = ops.flip((rgb + 1.0) * 127.5, axis=-1) - ops.convert_to_tensor([103.939, 116.779, 123.68])
    body = keras.Model(vgg.input, vgg.get_layer("block5_conv4").output)
    return keras.Model(image, body(bgr), name="vgg19_content")


def classifier_content(features: keras.Model) -> keras.Model:
    """The domain classifier's last convolutional feature map (the dataset's own network)."""
    convs = [layer for layer in features.layers if isinstance(layer, layers.Conv2D)]
    if not convs:
        raise ConfigError("srgan.model.content: the feature extractor has no convolutions")
    return keras.Model(features.inputs[0], convs[-1].output, name="classifier_content")


def content_network(
    config: Config, spec: DataSpec, features: keras.Model | None
) -> keras.Model | None:
    """The frozen network whose features the content loss compares (None: pixels)."""
    if config.content == "pixel":
        return None
    if config.vgg19_weights is not None:
        network = vgg19_content(config.vgg19_weights, spec.sample_shape)
    elif features is None:
        raise ConfigError(
            "srgan.model.content 'features' needs the dataset's feature extractor (run the "
            "features pipeline) or model.vgg19_weights; or set content: pixel"
        )
    else:
        network = classifier_content(features)
    network.trainable = False
    return network


def build(
    config: Config, spec: DataSpec, d_steps: int = 1, features: keras.Model | None = None
) -> Adversarial:
    require_task("srgan", spec, ("super_resolution",))
    generator = sr_generator(
        spec.source_shape,
        spec.sample_shape[-1],
        spec.factor,
        config.generator_filters,
        config.residual_blocks,
        config.sr_upsampling,
    )
    discriminator = strided_discriminator(
        spec.sample_shape, config.discriminator_filters, config.discriminator_dense
    )
    network = content_network(config, spec, features)

    def content(source, output, target, pretraining):
        """Pixel MSE in the SRResNet phase; then the features' MSE (or still pixels)."""
        pixels = mse(source, output, target)
        if network is None:
            return pixels
        feature = ops.mean(
            ops.square(network(output, training=False) - network(target, training=False))
        )
        return pretraining * pixels + (1.0 - pretraining) * feature

    return translation_game(
        generator,
        discriminator,
        config,
        judge=lambda source, image: discriminator(image, training=True),
        reconstruction=content,
        d_steps=d_steps,
    )
