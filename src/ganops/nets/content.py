"""Frozen feature networks for content losses (SRGAN, CartoonGAN), all offline: the
dataset's own domain classifier (its last convolution) by default, or VGG19 from a weights
file the user supplies (the papers' networks; nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path

import keras
from keras import layers, ops

from ganops.errors import ConfigError

VGG_MIN_SIZE = 32  # Keras' VGG19 takes no smaller images


def vgg19_content(
    weights: Path, image_shape: tuple[int, ...], layer: str, setting: str
) -> keras.Model:
    """VGG19's ``layer`` features of images in [-1, 1] (gray made RGB; VGG's caffe input;
    images under 32x32 resized up to it). ``setting`` names the parameter in errors."""
    if not weights.is_file():
        raise ConfigError(f"{setting}: {weights} is not a file")
    side = max(VGG_MIN_SIZE, *image_shape[:2])
    try:
        vgg = keras.applications.VGG19(
            include_top=False, weights=str(weights), input_shape=(side, side, 3)
        )
    except Exception as error:  # noqa: BLE001 - Keras raises several kinds on a bad file
        message = str(error).splitlines()[0]
        raise ConfigError(f"{setting}: {weights}: {message}") from error
    image = keras.Input(image_shape)
    rgb = image if image_shape[-1] == 3 else layers.Concatenate()([image] * 3)
    if image_shape[0] != side or image_shape[1] != side:
        rgb = layers.Resizing(side, side)(rgb)
    bgr = ops.flip((rgb + 1.0) * 127.5, axis=-1) - ops.convert_to_tensor([103.939, 116.779, 123.68])
    body = keras.Model(vgg.input, vgg.get_layer(layer).output)
    return keras.Model(image, body(bgr), name="vgg19_content")


def classifier_content(features: keras.Model, setting: str) -> keras.Model:
    """The domain classifier's last convolutional feature map (the dataset's own network)."""
    convs = [layer for layer in features.layers if isinstance(layer, layers.Conv2D)]
    if not convs:
        raise ConfigError(f"{setting}: the feature extractor has no convolutions")
    return keras.Model(features.inputs[0], convs[-1].output, name="classifier_content")


def content_network(
    vgg19_weights: Path | None,
    layer: str,
    image_shape: tuple[int, ...],
    features: keras.Model | None,
    variant: str,
) -> keras.Model:
    """The frozen network whose features a content loss compares: VGG19's ``layer`` when
    ``vgg19_weights`` is given, else the dataset's classifier ``features``."""
    if vgg19_weights is not None:
        network = vgg19_content(vgg19_weights, image_shape, layer, f"{variant}.model.vgg19_weights")
    elif features is None:
        raise ConfigError(
            f"{variant}.model: the content loss needs the dataset's feature extractor (run the "
            "features pipeline) or model.vgg19_weights"
        )
    else:
        network = classifier_content(features, f"{variant}.model")
    network.trainable = False
    return network
