"""Image-to-image translation metrics (Pix2Pix, SRGAN, Context Encoder) and trivial baselines.

Images are float32 (N, H, W, C) in [-1, 1], C in {1, 3}; the metrics move them to [0, 1] and use
data_range 1. PSNR is skimage's 10 log10(1 / MSE) per image, capped at ``PSNR_CAP`` dB (identical
images, MSE 0, would give inf and make every mean over images inf). SSIM uses Wang et al. 2004's
settings (11-tap Gaussian, sigma 1.5, population covariance); on images smaller than 11 pixels
the window cropped from the mean shrinks to the largest odd size that fits (the Gaussian itself
is reflect-padded), and images under ``MIN_SSIM_SIZE`` pixels are a DataError. Super-resolution
follows the SR papers' protocol: PSNR / SSIM on the BT.601 luma (MATLAB's rgb2ycbcr) with
``factor`` pixels cropped off each side.

Baselines, from the model input's sources: gray repeated to RGB (colorize), Keys bicubic
upsampling (a = -0.5, PIL's BICUBIC on float "F" planes, as MATLAB's imresize; super_resolution)
and biharmonic inpainting (inpaint). Inpaint sources hold C + 1 channels: the image with the
hole set to 0 and a mask channel, +1 known / -1 hole.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from skimage.restoration import inpaint_biharmonic

from ganops.errors import ConfigError, DataError

PSNR_CAP = 100.0  # dB given to identical images (MSE 1e-10 on the [0, 1] scale)
SSIM_WINDOW = 11  # Wang et al. 2004: 11x11 Gaussian, sigma 1.5
MIN_SSIM_SIZE = 7  # smaller images: SSIM's local statistics would be mostly padding
RANGE_TOLERANCE = 1e-3  # beyond [-1, 1] by more than this: the images are on another scale
TASKS = ("given", "colorize", "super_resolution", "inpaint")


def check_images(images: np.ndarray, name: str, channels: tuple[int, ...] = (1, 3)) -> np.ndarray:
    """The array as float64 after checking it is (N, H, W, C) in [-1, 1] with C in ``channels``."""
    x = np.asarray(images, np.float64)
    if x.ndim != 4 or x.shape[-1] not in channels:
        raise DataError(f"{name}: expected (N, H, W, C) with C in {channels}, got {x.shape}")
    if not np.isfinite(x).all():
        raise DataError(f"{name}: contains NaN or infinite values")
    if x.size and (x.min() < -1 - RANGE_TOLERANCE or x.max() > 1 + RANGE_TOLERANCE):
        raise DataError(f"{name}: values must be in [-1, 1], got [{x.min():.3g}, {x.max():.3g}]")
    return x


def check_pair(outputs: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outputs and targets checked and moved to [0, 1]; their shapes must be equal."""
    out, tgt = check_images(outputs, "outputs"), check_images(targets, "targets")
    if out.shape != tgt.shape:
        raise DataError(f"outputs {out.shape} and targets {tgt.shape} differ in shape")
    return to_unit(out), to_unit(tgt)


def to_unit(images: np.ndarray) -> np.ndarray:
    """[-1, 1] -> [0, 1] (clipped), float64."""
    return np.clip((np.asarray(images, np.float64) + 1.0) / 2.0, 0.0, 1.0)


def psnr(target: np.ndarray, output: np.ndarray) -> float:
    """skimage's PSNR with data_range 1, capped at PSNR_CAP (identical arrays give the cap)."""
    if np.array_equal(target, output):
        return PSNR_CAP
    return float(min(peak_signal_noise_ratio(target, output, data_range=1.0), PSNR_CAP))


def ssim_window(height: int, width: int) -> int:
    """The largest odd window up to 11 that fits the image; DataError under MIN_SSIM_SIZE."""
    side = min(height, width)
    if side < MIN_SSIM_SIZE:
        raise DataError(
            f"SSIM needs images of at least {MIN_SSIM_SIZE}x{MIN_SSIM_SIZE}, got {height}x{width}"
        )
    return min(SSIM_WINDOW, side if side % 2 else side - 1)


def ssim(target: np.ndarray, output: np.ndarray) -> float:
    """SSIM of two (H, W, C) images in [0, 1] with Wang et al. 2004's settings."""
    return float(
        structural_similarity(
            target,
            output,
            data_range=1.0,
            channel_axis=-1,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            win_size=ssim_window(*target.shape[:2]),
        )
    )


def mean_scores(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """Mean PSNR and mean SSIM over the images of two [0, 1] batches."""
    psnrs = [psnr(t, o) for o, t in zip(outputs, targets, strict=True)]
    ssims = [ssim(t, o) for o, t in zip(outputs, targets, strict=True)]
    return float(np.mean(psnrs)), float(np.mean(ssims))


def pixel_metrics(outputs: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """L1 (mean absolute error), mean PSNR and mean SSIM on the [0, 1] scale."""
    out, tgt = check_pair(outputs, targets)
    mean_psnr, mean_ssim = mean_scores(out, tgt)
    return {"l1": float(np.abs(out - tgt).mean()), "psnr": mean_psnr, "ssim": mean_ssim}


def y_channel(images: np.ndarray) -> np.ndarray:
    """BT.601 luma (N, H, W, 1) in [16/255, 235/255], as MATLAB's rgb2ycbcr; gray is its own Y
    (moved to [0, 1])."""
    x = to_unit(check_images(images, "images"))
    if x.shape[-1] == 1:
        return x
    y = 16.0 + x @ np.array([65.481, 128.553, 24.966])
    return (y / 255.0)[..., None]


def check_factor(factor: object) -> int:
    """A scale factor: a positive integer, else ConfigError."""
    if isinstance(factor, bool) or not isinstance(factor, int | np.integer) or factor < 1:
        raise ConfigError(f"factor: expected a positive integer, got {factor!r}")
    return int(factor)


def sr_metrics(outputs: np.ndarray, targets: np.ndarray, factor: int) -> dict[str, float]:
    """PSNR and SSIM on the luma with ``factor`` pixels cropped off each side (SR protocol)."""
    f = check_factor(factor)
    check_pair(outputs, targets)
    crop = (slice(None), slice(f, -f), slice(f, -f))
    mean_psnr, mean_ssim = mean_scores(y_channel(outputs)[crop], y_channel(targets)[crop])
    return {"psnr_y": mean_psnr, "ssim_y": mean_ssim}


def split_inpaint(sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inpaint sources (N, H, W, C + 1) -> the image (N, H, W, C) and the hole (N, H, W) bool."""
    x = check_images(sources, "sources", channels=(2, 4))
    return x[..., :-1], x[..., -1] < 0


def paste(sources: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """Predictions inside the hole, the known image elsewhere (float32)."""
    image, hole = split_inpaint(sources)
    pred = check_images(predictions, "predictions")
    if pred.shape != image.shape:
        raise DataError(f"predictions {pred.shape} do not match the sources' image {image.shape}")
    return np.where(hole[..., None], pred, image).astype(np.float32)


def colorize_baseline(sources: np.ndarray) -> np.ndarray:
    """Gray sources (N, H, W, 1) repeated to three equal channels."""
    return np.repeat(check_images(sources, "sources", channels=(1,)), 3, axis=-1).astype(np.float32)


def bicubic_upsample(sources: np.ndarray, factor: int) -> np.ndarray:
    """Keys bicubic (PIL BICUBIC on "F" planes) upsampling by ``factor``, clipped to [-1, 1]."""
    x, f = check_images(sources, "sources"), check_factor(factor)
    n, h, w, c = x.shape
    out = np.empty((n, h * f, w * f, c), np.float32)
    for i in range(n):
        for ch in range(c):
            plane = Image.fromarray(x[i, :, :, ch].astype(np.float32))  # mode "F"
            out[i, :, :, ch] = np.asarray(plane.resize((w * f, h * f), Image.Resampling.BICUBIC))
    return np.clip(out, -1.0, 1.0)


def biharmonic_baseline(sources: np.ndarray) -> np.ndarray:
    """The hole filled by skimage's biharmonic inpainting, known pixels kept (float32)."""
    image, hole = split_inpaint(sources)
    if hole.all(axis=(1, 2)).any():
        raise DataError("sources: an image is all hole; biharmonic inpainting needs known pixels")
    filled = np.stack(
        [inpaint_biharmonic(im, m, channel_axis=-1) for im, m in zip(image, hole, strict=True)]
    )
    return paste(sources, np.clip(filled, -1.0, 1.0))


def baseline(
    task: str, sources: np.ndarray, target_shape: tuple[int, ...], factor: int | None = None
) -> np.ndarray | None:
    """The task's trivial baseline shaped like the targets, or None for "given" (real pairs).

    ``factor`` (super_resolution) defaults to target height / source height.
    """
    if task not in TASKS:
        raise ConfigError(f"task: expected one of {TASKS}, got {task!r}")
    if task == "given":
        return None
    if task == "colorize":
        result = colorize_baseline(sources)
    elif task == "inpaint":
        result = biharmonic_baseline(sources)
    else:
        x = check_images(sources, "sources")
        result = bicubic_upsample(x, target_shape[1] // x.shape[1] if factor is None else factor)
    if result.shape != tuple(target_shape):
        raise DataError(f"{task} baseline has shape {result.shape}, targets {tuple(target_shape)}")
    return result


def hole_metrics(outputs: np.ndarray, targets: np.ndarray, sources: np.ndarray) -> dict[str, float]:
    """L1 over every hole pixel of the batch and mean PSNR over the holes of the images that
    have one (the known pixels are left out, so pasting the outputs changes nothing)."""
    out, tgt = check_pair(outputs, targets)
    image, hole = split_inpaint(sources)
    if image.shape != tgt.shape:
        raise DataError(f"sources' image {image.shape} and targets {tgt.shape} differ in shape")
    if not hole.any():
        raise DataError("sources: the mask channel marks no hole pixel (-1)")
    psnrs = [psnr(t[m], o[m]) for o, t, m in zip(out, tgt, hole, strict=True) if m.any()]
    l1 = np.abs(out - tgt)[hole].mean()
    return {"l1_hole": float(l1), "psnr_hole": float(np.mean(psnrs))}


def translation_metrics(
    outputs: np.ndarray,
    targets: np.ndarray,
    task: str,
    factor: int | None = None,
    sources: np.ndarray | None = None,
) -> dict[str, float]:
    """pixel_metrics, plus sr_metrics for super_resolution (needs ``factor``) and hole_metrics
    for inpaint (needs the model input ``sources``)."""
    if task not in TASKS:
        raise ConfigError(f"task: expected one of {TASKS}, got {task!r}")
    result = pixel_metrics(outputs, targets)
    if task == "super_resolution":
        if factor is None:
            raise ConfigError("factor: super_resolution metrics need the scale factor")
        result |= sr_metrics(outputs, targets, factor)
    if task == "inpaint":
        if sources is None:
            raise ConfigError("sources: inpaint metrics need the model input (image + mask)")
        result |= hole_metrics(outputs, targets, sources)
    return result
