"""Conditional inputs around the DCGAN stacks (book Skill 6): the generator takes z with a
class or codes, the CGAN discriminator an image with its class. Input names say what each
input is (``ganops.sampling``)."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from ganops.sampling import LATENT


def conditional_generator(
    body: keras.Model, latent_dim: int, conditions: dict[str, int], embedding: int = 0
) -> keras.Model:
    """``z`` and named ``conditions`` (name -> size) joined into ``body``'s input.

    With ``embedding``, a ``label`` first passes through a linear embedding of that many units
    (Mirza 2014; the book's Dense on the one-hot class); codes join z as they are (Chen 2016).
    """
    z = keras.Input((latent_dim,), name=LATENT)
    extra = [keras.Input((size,), name=name) for name, size in conditions.items()]
    joined = [z] + [
        layers.Dense(embedding, use_bias=False, name="label_embedding")(t)
        if embedding and t.name == "label"
        else t
        for t in extra
    ]
    return keras.Model([z, *extra], body(layers.Concatenate()(joined)), name="generator")


def label_plane_discriminator(
    body: keras.Model, image_shape: Sequence[int], classes: int
) -> keras.Model:
    """An image and its one-hot ``label``: the label embedded as one more image plane (the
    book's Dense to 28x28), stacked on the channels before ``body``."""
    height, width, _ = image_shape
    image = keras.Input(tuple(image_shape), name="image")
    label = keras.Input((classes,), name="label")
    plane = layers.Dense(height * width, name="label_embedding")(label)
    stacked = layers.Concatenate()([image, layers.Reshape((height, width, 1))(plane)])
    return keras.Model([image, label], body(stacked), name="discriminator")
