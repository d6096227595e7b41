"""Unpaired images (two domains A and B, no pairs): the domain checks and pure image helpers.

An unpaired raw dataset holds the images of both domains in ``"x"`` and a ``"domain"`` array
(int64, 0: A, 1: B) aligned with it; ``meta["domains"]`` names A and B and
``meta["shared_labels"]`` says whether a label means the same in both. The helpers below build
the embedded domains (digits -> digits-M blending, photo -> cartoon stylisation) and
CartoonGAN's edge-promoting preprocessing.
"""

from __future__ import annotations

import logging

import numpy as np
from PIL import Image
from scipy import ndimage

from ganops.data.pairs import LUMA
from ganops.errors import DataError

log = logging.getLogger(__name__)

DOMAINS = (0, 1)  # 0: domain A, 1: domain B
DIRECTIONS = ("AtoB", "BtoA")  # how a two-way model translates: 0 takes A to B


def to_rgb(x: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W, C) images as RGB: a gray channel is repeated; RGB is kept."""
    return np.repeat(x, 3, axis=-1) if x.shape[-1] == 1 else x


def match_domains(
    a: np.ndarray, b: np.ndarray, where_a: str, where_b: str
) -> tuple[np.ndarray, np.ndarray]:
    """Both domains' uint8 (N, H, W, C) images, checked to share one size; a gray domain
    beside a colour one becomes RGB. ``where_a``/``where_b`` name them in messages."""
    if a.shape[1:3] != b.shape[1:3]:
        (ha, wa), (hb, wb) = a.shape[1:3], b.shape[1:3]
        raise DataError(
            f"{where_a} holds {wa}x{ha} images but {where_b} holds {wb}x{hb} (WxH); "
            "the domains must share one size"
        )
    if a.shape[-1] != b.shape[-1]:
        gray = where_a if a.shape[-1] == 1 else where_b
        log.info("%s: gray images converted to RGB to match the other domain", gray)
    return (to_rgb(a), to_rgb(b)) if a.shape[-1] != b.shape[-1] else (a, b)


def stack_domains(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A's images then B's, and the int64 domain of each (0 for A, 1 for B)."""
    domain = np.repeat(np.array(DOMAINS, np.int64), [len(a), len(b)])
    return np.concatenate([a, b]), domain


def check_domain(domain: np.ndarray, n: int, name: str) -> np.ndarray:
    """A raw dataset's ``domain`` array as int64 (n,), holding only 0 (A) and 1 (B)."""
    domain = np.asarray(domain)
    if domain.shape != (n,):
        raise DataError(f"{name}: 'domain' has shape {domain.shape}; expected ({n},) like x")
    if not np.issubdtype(domain.dtype, np.integer) or not np.isin(domain, DOMAINS).all():
        found = sorted({str(v) for v in np.unique(domain)} - {"0", "1"})[:5]
        raise DataError(f"{name}: 'domain' must hold 0 (A) or 1 (B); found {', '.join(found)}")
    return domain.astype(np.int64)


# --------------------------------------------------------------------------------------------
# digits -> digits-M (Ganin et al. 2016's MNIST -> MNIST-M construction)
# --------------------------------------------------------------------------------------------


def resize_digits(x: np.ndarray, size: int) -> np.ndarray:
    """uint8 (N, h, w, 1) gray digits resized to (N, size, size, 1): PIL bicubic on floats,
    then rounded and clipped back to uint8."""
    out = np.empty((len(x), size, size), np.float32)
    for i, img in enumerate(x[..., 0].astype(np.float32)):
        plane = Image.fromarray(img, mode="F")
        out[i] = np.asarray(plane.resize((size, size), Image.Resampling.BICUBIC))
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)[..., None]


def random_crops(
    photos: list[np.ndarray], n: int, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` size x size crops (uint8 (n, size, size, 3)) of photos picked at random, each at
    a random corner, all drawn from ``rng``; also the index of each crop's photo."""
    which = rng.integers(0, len(photos), n)
    crops = np.empty((n, size, size, 3), np.uint8)
    for i, k in enumerate(which):
        h, w = photos[k].shape[:2]
        r, c = rng.integers(0, h - size + 1), rng.integers(0, w - size + 1)
        crops[i] = photos[k][r : r + size, c : c + size]
    return crops, which.astype(np.int64)


def blend_digits(digits: np.ndarray, patches: np.ndarray) -> np.ndarray:
    """Ganin's MNIST-M blending: ``|patch - digit|`` per channel, uint8 (N, S, S, 3), of gray
    digits (N, S, S, 1) over colour patches (N, S, S, 3)."""
    return np.abs(patches.astype(np.int16) - digits.astype(np.int16)).astype(np.uint8)


# --------------------------------------------------------------------------------------------
# photo -> cartoon
# --------------------------------------------------------------------------------------------


def cartoonize(
    photo: np.ndarray,
    segments: int = 250,
    compactness: float = 10.0,
    edge_sigma: float = 2.0,
    edge_width: int = 1,
    edge_shade: float = 0.2,
) -> np.ndarray:
    """A flat-colour, dark-edged uint8 HxWx3 version of a uint8 HxWx3 photo: SLIC regions
    (``segments``, ``compactness``) filled with their mean colour, then the Canny edges of the
    gray photo (``edge_sigma``; ``edge_width`` pixels wide) darkened to ``edge_shade`` of it."""
    from skimage.color import label2rgb, rgb2gray
    from skimage.feature import canny
    from skimage.segmentation import slic

    labels = slic(photo, n_segments=segments, compactness=compactness, start_label=0)
    flat = label2rgb(labels, photo.astype(np.float64), kind="avg", bg_label=-1)
    edges = canny(rgb2gray(photo), sigma=edge_sigma)
    if edge_width > 1:
        edges = ndimage.binary_dilation(edges, iterations=edge_width - 1)
    flat[edges] *= edge_shade
    return np.clip(np.rint(flat), 0, 255).astype(np.uint8)


def edge_smooth(
    images: np.ndarray, canny_sigma: float = 1.0, radius: int = 2, blur_sigma: float = 1.0
) -> np.ndarray:
    """CartoonGAN's edge-promoting preprocessing (Chen et al. 2018) of float32 (N, H, W, C)
    images in [-1, 1]: the Canny edges of each gray image (``canny_sigma``), dilated by a
    square of side ``2 * radius + 1``, take a Gaussian-blurred (``blur_sigma``) image's pixels;
    every other pixel is kept. Same shape and dtype."""
    from skimage.feature import canny

    out = images.astype(np.float32, copy=True)
    square = np.ones((2 * radius + 1, 2 * radius + 1), bool)
    for i, img in enumerate(images):
        gray = (img @ LUMA if img.shape[-1] == 3 else img[..., 0]) * 0.5 + 0.5
        edges = canny(gray.astype(np.float64), sigma=canny_sigma, mode="nearest")
        region = ndimage.binary_dilation(edges, structure=square)
        blurred = ndimage.gaussian_filter(img, sigma=(blur_sigma, blur_sigma, 0), mode="nearest")
        out[i][region] = blurred[region]
    return out
