"""The book's variational autoencoder (Skill 1; Kingma & Welling 2014): a convolutional encoder
to a Gaussian over a 2-D latent space, a decoder to Bernoulli pixels, trained on the evidence
lower bound (reconstruction + KL) with the reparameterisation trick. Its decoder is the
generator: sampled, evaluated and served from ``z`` like a GAN's (each pixel's probability,
the usual picture of a VAE's samples)."""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np
from keras import ops
from pydantic import Field, PositiveInt
from scipy.special import logsumexp

from ganops.evaluation.plots import image_grid, latent_scatter
from ganops.nets.likelihood import bernoulli_means, vae_decoder, vae_encoder
from ganops.sampling import decode
from ganops.variants.base import DataSpec, Trainable, alone
from ganops.variants.likelihood import (
    LikelihoodConfig,
    bernoulli_nll,
    binarise,
    check_gray,
    over_batches,
)

DATA_KINDS = ("images",)
DECODED = 5000  # latent samples decoded at once when scoring held-out images


class Config(LikelihoodConfig):
    """The book's sizes: a 2-D latent, 64-64-32 filters, 16 hidden units, Adam 1e-3."""

    latent_dim: int = Field(2, ge=2, description="2: the book's plots; more: their first two")
    filters: list[PositiveInt] = Field([64, 64, 32], min_length=1)
    hidden: PositiveInt = 16
    importance_samples: PositiveInt = Field(
        50, description="k of the importance-weighted bound on held-out images (Burda 2016)"
    )


def kl_divergence(mean, log_variance):
    """KL(q(z|x) || N(0, I)) per image, for a diagonal Gaussian q."""
    terms = 1.0 + log_variance - ops.square(mean) - ops.exp(log_variance)
    return -0.5 * ops.sum(terms, axis=-1)


def log_normal(x: np.ndarray, mean: np.ndarray, log_variance: np.ndarray) -> np.ndarray:
    """log N(x; mean, exp(log_variance)) summed over the last axis."""
    terms = np.square(x - mean) / np.exp(log_variance) + log_variance + math.log(2 * math.pi)
    return -0.5 * terms.sum(-1)


def bounds(
    encoder: keras.Model, decoder: keras.Model, pixels: np.ndarray, k: int, seed: int
) -> dict[str, np.ndarray]:
    """Per image, -ELBO (analytic KL, reconstruction averaged over ``k`` draws of q) and
    -IWAE_k, the importance-weighted bound (tighter in expectation): upper bounds on the
    negative log-likelihood, in nats."""
    mean, log_variance = map(ops.convert_to_numpy, encoder(pixels, training=False))
    noise = np.random.default_rng(seed).standard_normal((k, *mean.shape)).astype(np.float32)
    z = mean + np.exp(0.5 * log_variance) * noise
    logits = decoder(z.reshape(-1, mean.shape[-1]), training=False)
    repeated = np.broadcast_to(pixels, (k, *pixels.shape)).reshape(-1, *pixels.shape[1:])
    log_px = -ops.convert_to_numpy(bernoulli_nll(logits, repeated)).reshape(k, -1)
    prior = log_normal(z, np.zeros_like(z), np.zeros_like(z))
    log_weights = log_px + prior - log_normal(z, mean, log_variance)
    kl = ops.convert_to_numpy(kl_divergence(mean, log_variance))
    return {
        "nll": -(logsumexp(log_weights, axis=0) - math.log(k)),
        "nll_elbo": -(log_px.mean(0) - kl),
    }


def latent_grid(generator: keras.Model, latent_dim: int, side: int = 15) -> np.ndarray:
    """Decoded images of a ``side`` x ``side`` grid over [-2, 2]^2 of the first two latent
    dimensions, the others 0 (the book's Figure 1.9)."""
    steps = np.linspace(-2.0, 2.0, side, dtype=np.float32)
    z = np.zeros((side * side, latent_dim), np.float32)
    z[:, 0] = np.repeat(steps, side)
    z[:, 1] = np.tile(steps, side)
    return decode(generator, z)


def latent_pictures(
    encoder: keras.Model, generator: keras.Model, config: Config, model_input: dict[str, Any]
) -> dict[str, tuple[str, np.ndarray]]:
    """The book's three VAE figures, on the held-out split (the training one if none)."""
    split = "held-out" if len(model_input["x_test"]) else "training"
    key = "test" if split == "held-out" else "train"
    images, labels = model_input[f"x_{key}"], model_input[f"y_{key}"]
    pixels = ops.convert_to_numpy(binarise(images, config.threshold))
    means = ops.convert_to_numpy(encoder(pixels, training=False)[0])
    shown, rebuilt = 2 * pixels[:20] - 1.0, decode(generator, means[:20])
    rows = np.concatenate([shown[:10], rebuilt[:10], shown[10:], rebuilt[10:]])
    scale = max(1, 64 // images.shape[1])
    classes = labels if model_input["meta"].get("num_classes") else None
    dimensions = f", its first 2 of {config.latent_dim} dimensions" if config.latent_dim > 2 else ""
    return {
        "reconstructions": (
            f"{split.capitalize()} images (binarised) and their reconstructions, alternate rows",
            image_grid(rows, cols=10, scale=scale),
        ),
        "latent_scatter": (
            f"The encoder's means of the {split} images{dimensions}, by class",
            latent_scatter(means, classes, f"q(z|x) of the {split} images"),
        ),
        "latent_grid": (
            "The decoder over a grid of [-2, 2] in the first two latent dimensions (others 0)",
            image_grid(latent_grid(generator, config.latent_dim), cols=15, scale=scale // 2 or 1),
        ),
    }


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    check_gray(spec, "vae")
    encoder = vae_encoder(spec.sample_shape, config.latent_dim, config.filters, config.hidden)
    decoder = vae_decoder(spec.sample_shape, config.latent_dim, config.filters)
    generator = bernoulli_means(decoder)
    seed = keras.random.SeedGenerator(0)

    def loss(batch):
        pixels = binarise(batch["x"], config.threshold)
        mean, log_variance = encoder(pixels, training=True)
        noise = keras.random.normal(ops.shape(mean), seed=seed)
        z = mean + ops.exp(0.5 * log_variance) * noise
        reconstruction = ops.mean(bernoulli_nll(decoder(z, training=True), pixels))
        kl = ops.mean(kl_divergence(mean, log_variance))
        elbo_loss = reconstruction + kl
        return elbo_loss, {"loss": elbo_loss, "reconstruction": reconstruction, "kl": kl}

    def likelihood(images: np.ndarray) -> dict[str, np.ndarray]:
        k = config.importance_samples

        def batch(part: np.ndarray, start: int) -> dict[str, np.ndarray]:
            pixels = ops.convert_to_numpy(binarise(part, config.threshold))
            return bounds(encoder, decoder, pixels, k, seed=start)

        return over_batches(batch, images, size=max(1, DECODED // k))

    return alone(
        "vae",
        [encoder, decoder],
        config,
        loss,
        d_steps,
        generator=generator,
        latent_dim=config.latent_dim,
        seed=seed,
        likelihood=likelihood,
        pictures=lambda model_input: latent_pictures(encoder, generator, config, model_input),
    )
