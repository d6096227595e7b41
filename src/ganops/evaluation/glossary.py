"""What each metric means and which way is better: the report's and the README's words."""

from __future__ import annotations

import re

HIGHER, LOWER, NEITHER = "↑", "↓", ""

#: metric -> (which way is better, what it measures)
METRICS: dict[str, tuple[str, str]] = {
    "fid": (LOWER, "Fréchet distance between real and generated features"),
    "kid": (LOWER, "kernel distance (unbiased MMD²) between real and generated features"),
    "kid_std": (NEITHER, "spread of KID over its subsets"),
    "precision": (HIGHER, "share of samples inside the real data's manifold (quality)"),
    "recall": (HIGHER, "share of real data inside the samples' manifold (diversity)"),
    "density": (HIGHER, "real neighbourhoods holding each sample, on average (≈ 1 for real)"),
    "coverage": (HIGHER, "share of real images with a sample in their neighbourhood"),
    "classifier_score": (HIGHER, "the Inception score with the domain classifier"),
    "classifier_score_std": (NEITHER, "spread of the classifier score over splits"),
    "classes_covered": (HIGHER, "classes the classifier finds among the samples"),
    "classes_total": (NEITHER, "classes of the dataset"),
    "class_kl_from_uniform": (LOWER, "KL of the samples' class histogram from uniform"),
    "nearest_train_distance": (
        NEITHER,
        "median distance of a sample to its nearest training image",
    ),
    "memorization_ratio": (
        NEITHER,
        "that distance over the held-out images' own (≈ 1; below 1: samples copy training images)",
    ),
    "intra_fid": (LOWER, "mean FD per class, between samples and real images of that class"),
    "intra_fid_class": (LOWER, "FD of one class's samples against its real images"),
    "conditional_accuracy": (HIGHER, "the classifier reads samples as the class asked for"),
    "code_matching_accuracy": (HIGHER, "accuracy of the best code-to-class matching"),
    "class_of_code": (NEITHER, "the class a categorical code matched"),
    "l1": (LOWER, "mean absolute error of outputs against their targets"),
    "l1_hole": (LOWER, "mean absolute error inside the hole"),
    "psnr": (HIGHER, "peak signal-to-noise ratio against the targets (dB)"),
    "psnr_hole": (HIGHER, "PSNR inside the hole (dB)"),
    "psnr_y": (HIGHER, "PSNR of the luma channel, border cropped (dB)"),
    "ssim": (HIGHER, "structural similarity to the targets"),
    "ssim_y": (HIGHER, "SSIM of the luma channel, border cropped"),
    "cycle_l1": (LOWER, "mean absolute error after translating there and back"),
    "cycle_psnr": (HIGHER, "PSNR after translating there and back (dB)"),
    "label_preservation": (HIGHER, "the classifier reads a translation as its input's digit"),
    "flat_share": (NEITHER, "share of pixels in flat regions (3x3 luma std under 0.02)"),
    "target_flat_share": (NEITHER, "flat_share of the target domain's training images"),
    "nll": (LOWER, "held-out negative log-likelihood, nats per image (VAE: IWAE bound)"),
    "nll_elbo": (LOWER, "held-out negative ELBO, nats per image"),
    "bits_per_dim": (LOWER, "held-out negative log-likelihood in bits per pixel"),
    "mixture_fit": (
        HIGHER,
        "share of samples on the data, each mode counted up to its due 1/K (1: perfect)",
    ),
    "modes_covered": (HIGHER, "mixture modes holding a tenth of their due share of samples"),
    "modes_total": (NEITHER, "modes of the mixture"),
    "high_quality": (HIGHER, "share of samples within 3 standard deviations of a mode"),
    "kl_from_uniform": (LOWER, "KL of the samples' mode histogram from uniform"),
}
#: What a name may add to a metric: the trivial baseline's, one direction's, one class's.
PREFIX = re.compile(r"^baseline_")
SUFFIX = re.compile(r"(_AtoB|_BtoA|_\d+)$")


def describe(name: str) -> tuple[str, str]:
    """``name``'s direction (↑, ↓ or nothing) and meaning; unknown names have neither."""
    base = SUFFIX.sub("", PREFIX.sub("", name))
    direction, meaning = METRICS.get(base, (NEITHER, ""))
    if meaning and PREFIX.match(name):
        meaning = f"trivial baseline: {meaning}"
    return direction, meaning
