"""The variant registry: a name -> a module with ``Config``, ``DATA_KINDS`` and ``build``
(and ``USES_FEATURES = True`` when ``build`` takes the dataset's feature extractor)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import keras

from ganops.config import validate
from ganops.errors import ConfigError
from ganops.variants import (
    acgan,
    cartoongan,
    cgan,
    context_encoder,
    cyclegan,
    dcgan,
    discogan,
    gan,
    infogan,
    lsgan,
    pix2pix,
    pixelcnn,
    sgan,
    sngan,
    srgan,
    srresnet,
    vae,
    wgan,
    wgan_gp,
)
from ganops.variants.base import DataSpec, Trainable
from ganops.variants.conditional import ConditionalConfig
from ganops.variants.likelihood import LikelihoodConfig

VARIANTS: dict[str, ModuleType] = {
    "gan": gan,
    "dcgan": dcgan,
    "wgan": wgan,
    "lsgan": lsgan,
    "wgan_gp": wgan_gp,
    "sngan": sngan,
    "cgan": cgan,
    "acgan": acgan,
    "sgan": sgan,
    "infogan": infogan,
    "pix2pix": pix2pix,
    "srgan": srgan,
    "srresnet": srresnet,
    "context_encoder": context_encoder,
    "cyclegan": cyclegan,
    "discogan": discogan,
    "cartoongan": cartoongan,
    "vae": vae,
    "pixelcnn": pixelcnn,
}
#: The book's failure-mode experiments (Skill 3): the vanilla GAN under their own names, each
#: with its own parameters file, runs and reports.
EXPERIMENTS = ("mode_collapse", "convergence_failure")
VARIANTS |= dict.fromkeys(EXPERIMENTS, gan)
#: Variants that translate paired images (their own datasets: ``pairs`` in the ingest entry).
PAIRED = tuple(name for name, module in VARIANTS.items() if "pairs" in module.DATA_KINDS)
#: Variants that translate between two unpaired domains (``domains`` in the ingest entry).
UNPAIRED = tuple(name for name, module in VARIANTS.items() if "unpaired" in module.DATA_KINDS)
#: The likelihood baselines (not GANs: one player, a held-out NLL beside the GANs' metrics).
LIKELIHOOD = tuple(
    name for name, module in VARIANTS.items() if issubclass(module.Config, LikelihoodConfig)
)
#: Variants with datasets of their own: they are left out of the default dataset's pipelines.
TRANSLATION = PAIRED + UNPAIRED
HINTS = {"pairs": "photos_color", "unpaired": "mnist5k_m"}  # a dataset of each kind
#: The conditional GANs (CGAN, ACGAN, SGAN, InfoGAN): a class or code goes in with z.
CONDITIONAL = tuple(
    name for name, module in VARIANTS.items() if issubclass(module.Config, ConditionalConfig)
)
_SPECIFIC = {
    "conditional": CONDITIONAL,
    "paired_translation": PAIRED,
    "unpaired_translation": UNPAIRED,
    "likelihood": LIKELIHOOD,
}
#: The families (docs/architecture.md's table), each variant in exactly one; their names are
#: the variants' Kedro tags (``kedro run --tags conditional``, kedro-viz's tag filter). The
#: failure-mode experiments are the vanilla GAN, so unconditional (the ``failure_modes``
#: pipeline selects them apart).
FAMILIES: dict[str, tuple[str, ...]] = {
    "unconditional": tuple(
        name for name in VARIANTS if not any(name in members for members in _SPECIFIC.values())
    ),
    **_SPECIFIC,
}


def family(name: str) -> str:
    """The family (and Kedro tag) of variant ``name``."""
    get_variant(name)  # unknown names: the known ones
    return next(tag for tag, members in FAMILIES.items() if name in members)


def get_variant(name: str) -> ModuleType:
    """The variant module called ``name``; unknown names list the known ones."""
    if name not in VARIANTS:
        raise ConfigError(f"unknown variant '{name}'; known: {', '.join(sorted(VARIANTS))}")
    return VARIANTS[name]


def build_variant(
    name: str,
    model: dict[str, Any],
    spec: DataSpec,
    d_steps: int = 1,
    features: keras.Model | None = None,
) -> Trainable:
    """Validate ``model`` parameters and build the variant for data of ``spec`` (given the
    dataset's feature extractor ``features`` if it uses one)."""
    module = get_variant(name)
    if spec.kind not in module.DATA_KINDS:
        kind = module.DATA_KINDS[0]
        hint = f"; give it one, e.g. --params dataset={HINTS[kind]}" if kind in HINTS else ""
        raise ConfigError(
            f"variant '{name}' does not train on {spec.kind} "
            f"(it takes: {', '.join(module.DATA_KINDS)}){hint}"
        )
    config = validate(module.Config, model, f"{name}.model")
    if getattr(module, "USES_FEATURES", False):
        return module.build(config, spec, d_steps, features=features)
    return module.build(config, spec, d_steps)
