"""Context Encoder (book Skill 9, Pathak 2016): an encoder-decoder fills a hole in an image;
L2 reconstruction (0.999) plus a little adversarial loss (0.001, the paper's weights; the book
prints none); the discriminator judges the filled region (book) or the whole image. The
prediction is pasted into the hole, so every output keeps the known pixels."""

from __future__ import annotations

from typing import Literal

from keras import ops
from pydantic import Field, PositiveInt

from ganops.nets.conv import dcgan_discriminator
from ganops.nets.translation import encoder_decoder
from ganops.variants.base import DataSpec, Trainable
from ganops.variants.paired import DATA_KINDS, PairedConfig, require_task, translation_game

__all__ = ["DATA_KINDS", "Config", "build"]


class Config(PairedConfig):
    """The paper's weights; CPU-sized filters and bottleneck (the paper: 64..512, 4000)."""

    adversarial_weight: float = Field(0.001, ge=0.0)
    reconstruction_weight: float = Field(0.999, ge=0.0)
    generator_filters: list[int] = Field([32, 64, 128], min_length=1)
    bottleneck: PositiveInt = Field(256, description="units of the fully connected bottleneck")
    discriminator_filters: list[int] = Field([32, 64, 128], min_length=1)
    judged: Literal["region", "image"] = Field(
        "region", description="the discriminator sees the filled region (book) or the image"
    )


def hole(source):
    """1 inside the hole, 0 on known pixels (the source's last channel is +1/-1)."""
    return ops.cast(source[..., -1:] < 0, "float32")


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    require_task("context_encoder", spec, ("inpaint",))
    generator = encoder_decoder(
        spec.source_shape, config.generator_filters, config.bottleneck, config.upsampling
    )
    discriminator = dcgan_discriminator(
        spec.sample_shape, config.discriminator_filters, kernel_size=4, dropout=0.0
    )

    def judge(source, image):
        shown = image * hole(source) if config.judged == "region" else image
        return discriminator(shown, training=True)

    def masked_l2(source, output, target, pretraining):
        inside = hole(source)
        error = ops.sum(ops.square(output - target) * inside)
        return error / ops.maximum(ops.sum(inside) * spec.sample_shape[-1], 1.0)

    return translation_game(generator, discriminator, config, judge, masked_l2, d_steps)
