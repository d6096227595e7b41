"""Pix2Pix (book Skills 8 and 9, Isola 2017): a U-Net translates the source image, a PatchGAN
judges (source, image) pairs patch by patch, and an L1 loss (lambda 100) keeps the output
close to the target. For colourisation it may keep the gray source as the output's luma and
predict colour only (``keep_luma``), as colourisation models do (Zhang 2016, in Lab)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ganops.errors import ConfigError
from ganops.nets.translation import keep_luma, patch_discriminator, unet
from ganops.variants.base import DataSpec, Trainable
from ganops.variants.paired import DATA_KINDS, PairedConfig, l1, translation_game

__all__ = ["DATA_KINDS", "Config", "build"]


class Config(PairedConfig):
    """The paper's settings for 256x256 images (parameters_pix2pix.yml sizes them for CPU)."""

    generator_filters: list[int] = Field(
        [64, 128, 256, 512, 512, 512, 512, 512], min_length=2, description="one per level"
    )
    discriminator_filters: list[int] = Field(
        [64, 128, 256, 512], min_length=1, description="[64, 128, 256, 512]: 70x70 patches"
    )
    norm: Literal["batch", "instance"] = Field(
        "instance",
        description="instance: the book's maps model, and the same at train and test time; "
        "batch: the book's colourisation (test-time statistics differ from training's)",
    )
    dropout: float = Field(
        0.5,
        ge=0.0,
        lt=1.0,
        description="the paper's noise (which it keeps at test time; here off when sampling)",
    )
    dropout_blocks: int = Field(3, ge=0, description="first decoder blocks with dropout")
    keep_luma: bool = Field(
        False,
        description="colourisation: the output's luma is the gray source's, the network "
        "predicts colour only (other tasks ignore it)",
    )


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    if spec.source_shape[:2] != spec.sample_shape[:2]:
        raise ConfigError(
            f"variant 'pix2pix' translates images to images of the same size; this dataset's "
            f"sources are {spec.source_shape[:2]} and targets {spec.sample_shape[:2]} "
            "(super-resolution: use srgan)"
        )
    generator = unet(
        spec.source_shape,
        spec.sample_shape[-1],
        config.generator_filters,
        config.norm,
        config.dropout,
        config.dropout_blocks,
        config.upsampling,
    )
    if config.keep_luma and spec.task == "colorize":
        generator = keep_luma(generator)
    discriminator = patch_discriminator(
        spec.source_shape, spec.sample_shape, config.discriminator_filters, config.norm
    )
    return translation_game(
        generator,
        discriminator,
        config,
        judge=lambda source, image: discriminator([source, image], training=True),
        reconstruction=l1,
        d_steps=d_steps,
    )
