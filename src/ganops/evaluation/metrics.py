"""Sample-quality metrics as small pure functions of feature arrays (numpy/scipy only).

Definitions follow the papers: Fréchet distance (Heusel et al. 2017), KID (Bińkowski et al.
2018: unbiased MMD² with the cubic polynomial kernel), improved precision/recall (Kynkäänniemi
et al. 2019, k=3), density/coverage (Naeem et al. 2020, k=5), the Inception-Score formula
(Salimans et al. 2016), intra-class FID (Miyato & Koyama 2018), InfoGAN's code-to-class
matching and, for 2-D Gaussian mixtures, modes covered / high-quality share / KL of the mode
histogram from uniform (Srivastava et al. 2017).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg
from scipy.optimize import linear_sum_assignment

CHUNK = 1024  # rows per block of pairwise distances (bounds memory at CHUNK x N floats)


def frechet_distance(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray
) -> float:
    """||mu1 - mu2||² + Tr(S1 + S2 - 2 (S1 S2)^½) between two Gaussians."""
    with warnings.catch_warnings():  # singular products are expected (ReLU features) and handled
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():  # near-singular product: regularise (as in the paper's code)
        offset = np.eye(len(sigma1)) * 1e-6
        covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    diff = mu1 - mu2
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean.real)
    return float(max(value, 0.0))


def gaussian_stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of features (N, D), in float64."""
    f = np.asarray(features, np.float64)
    return f.mean(axis=0), np.cov(f, rowvar=False)


def fid(real: np.ndarray, fake: np.ndarray) -> float:
    """Fréchet distance between the Gaussians fitted to two feature sets."""
    return frechet_distance(*gaussian_stats(real), *gaussian_stats(fake))


def kid(
    real: np.ndarray, fake: np.ndarray, subsets: int = 100, subset_size: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """Kernel Inception Distance: mean and std of unbiased MMD² over random subsets."""
    rng = np.random.default_rng(seed)
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    m = min(subset_size, len(real), len(fake))
    d = real.shape[1]
    values = []
    for _ in range(subsets):
        x = real[rng.choice(len(real), m, replace=False)]
        y = fake[rng.choice(len(fake), m, replace=False)]
        kxx, kyy, kxy = ((a @ b.T / d + 1.0) ** 3 for a, b in ((x, x), (y, y), (x, y)))
        off_diagonal = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        values.append(off_diagonal - 2.0 * kxy.mean())
    return float(np.mean(values)), float(np.std(values))


def pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of ``a`` and ``b``."""
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0))


def knn_radii(features: np.ndarray, k: int) -> np.ndarray:
    """Distance of each row to its k-th nearest other row."""
    f = np.asarray(features, np.float64)
    radii = np.empty(len(f))
    for start in range(0, len(f), CHUNK):
        block = pairwise_distances(f[start : start + CHUNK], f)
        radii[start : start + CHUNK] = np.partition(block, k, axis=1)[:, k]  # index 0 is itself
    return radii


def count_inside(points: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """For each point, how many balls (centre, radius) contain it."""
    points, centres = np.asarray(points, np.float64), np.asarray(centres, np.float64)
    counts = np.empty(len(points), np.int64)
    for start in range(0, len(points), CHUNK):
        block = pairwise_distances(points[start : start + CHUNK], centres)
        counts[start : start + CHUNK] = (block <= radii[None, :]).sum(axis=1)
    return counts


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = 3) -> tuple[float, float]:
    """Improved precision (fakes inside the real manifold) and recall (reals inside the fake)."""
    precision = (count_inside(fake, real, knn_radii(real, k)) > 0).mean()
    recall = (count_inside(real, fake, knn_radii(fake, k)) > 0).mean()
    return float(precision), float(recall)


def density_coverage(real: np.ndarray, fake: np.ndarray, k: int = 5) -> tuple[float, float]:
    """Density (mean real balls per fake, / k) and coverage (reals whose ball holds a fake)."""
    radii = knn_radii(real, k)
    density = count_inside(fake, real, radii).sum() / (k * len(fake))
    coverage = (nearest_neighbours(real, fake)[1] <= radii).mean()
    return float(density), float(coverage)


def classifier_score(probabilities: np.ndarray, splits: int = 10) -> tuple[float, float]:
    """exp(E_x KL(p(y|x) || p(y))): the Inception-Score formula on any classifier's outputs."""
    p = np.clip(np.asarray(probabilities, np.float64), 1e-12, 1.0)
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0, keepdims=True)
        scores.append(np.exp((part * (np.log(part) - np.log(marginal))).sum(1).mean()))
    return float(np.mean(scores)), float(np.std(scores))


#: Samples measured on a 2-D mixture: the protocol of VEEGAN and PacGAN.
MIXTURE_SAMPLES = 2500


def mixture_metrics(
    samples: np.ndarray,
    means: np.ndarray,
    std: float,
    threshold: float = 3.0,
    min_share: float = 0.1,
) -> dict[str, float]:
    """How well samples fit a 2-D Gaussian mixture with equal weights.

    A sample is high quality within ``threshold`` standard deviations of its nearest mode. A
    mode is covered when the high-quality samples nearest to it are at least ``min_share`` of
    its due share (1/K of the samples): the chance hits of a diffuse cloud do not count.
    ``mixture_fit`` sums each mode's high-quality share up to its due share: 1 when every
    sample is on the data and the modes are used evenly, the high-quality share at most for a
    cloud, 1/K for a collapse onto one mode. The KL divergence compares the histogram of
    high-quality samples over modes with uniform.
    """
    means = np.asarray(means, np.float64)
    distances = pairwise_distances(np.asarray(samples, np.float64), means)
    nearest = distances.argmin(axis=1)
    good = distances.min(axis=1) <= threshold * std
    counts = np.bincount(nearest[good], minlength=len(means))
    shares, due = counts / len(samples), 1.0 / len(means)
    return {
        "mixture_fit": float(np.minimum(shares, due).sum()),
        "modes_covered": int((shares >= min_share * due).sum()),
        "modes_total": len(means),
        "high_quality": float(good.mean()),
        "kl_from_uniform": kl_from_uniform(counts),
    }


def kl_from_uniform(histogram: np.ndarray) -> float:
    """KL(p || uniform) of a histogram's shares (the "reverse KL" of mode-collapse studies:
    0 when every bin is equally used, log(bins) when one bin takes all, or none: an empty
    histogram, no sample on the data, is as far from uniform as a collapse)."""
    total = float(np.sum(histogram))
    if total == 0:
        return float(np.log(len(histogram)))
    share = np.asarray(histogram, np.float64) / total
    used = share[share > 0]
    return float(np.sum(used * np.log(used * len(share))))


def class_coverage(probabilities: np.ndarray, min_share: float = 0.1) -> dict[str, float]:
    """Mode coverage of labelled images through a classifier: a class is covered when at
    least ``min_share`` of a uniform share of samples is classified as it."""
    classes = probabilities.shape[1]
    histogram = np.bincount(probabilities.argmax(axis=1), minlength=classes)
    covered = histogram >= min_share * len(probabilities) / classes
    return {
        "classes_covered": int(covered.sum()),
        "classes_total": classes,
        "class_kl_from_uniform": kl_from_uniform(histogram),
    }


def nearest_neighbours(queries: np.ndarray, pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index into ``pool`` and distance of each query's nearest neighbour (memorisation)."""
    pool64 = np.asarray(pool, np.float64)
    index, distance = [], []
    for start in range(0, len(queries), CHUNK):
        block = pairwise_distances(np.asarray(queries[start : start + CHUNK], np.float64), pool64)
        index.append(block.argmin(axis=1))
        distance.append(block.min(axis=1))
    return np.concatenate(index), np.concatenate(distance)


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose most probable class is the label: a classifier's accuracy, or a
    conditional generator's (its samples classified, against the classes asked for)."""
    return float(np.mean(np.argmax(probabilities, axis=1) == np.asarray(labels)))


def intra_class_fid(
    real: np.ndarray, real_labels: np.ndarray, fake: np.ndarray, fake_labels: np.ndarray
) -> dict[int, float]:
    """Fréchet distance per class: real features of each class against the features of the
    samples asked for that class (classes with fewer than 2 of either are left out)."""
    return {
        int(c): fid(real[real_labels == c], fake[fake_labels == c])
        for c in np.unique(fake_labels)
        if min((real_labels == c).sum(), (fake_labels == c).sum()) >= 2
    }


def code_matching(codes: np.ndarray, probabilities: np.ndarray) -> tuple[float, np.ndarray]:
    """The best one-to-one match of categorical codes to classes (Hungarian algorithm on the
    code x predicted-class counts) and the share of samples it classifies right. Returns
    (accuracy, class of each code; -1 for codes left unmatched)."""
    codes = np.asarray(codes)
    counts = np.zeros((codes.max() + 1, probabilities.shape[1]))
    np.add.at(counts, (codes, np.argmax(probabilities, axis=1)), 1)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    mapping = np.full(len(counts), -1)
    mapping[rows] = cols
    return float(counts[rows, cols].sum() / len(codes)), mapping
