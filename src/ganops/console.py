"""``ganops``: use registered generators from the command line.

(Not ``cli.py``: Kedro reserves ``<package>.cli`` for Kedro CLI plugins.)
"""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path

from PIL import Image

from ganops.data.sources import folder_images
from ganops.errors import GanopsError
from ganops.evaluation.plots import samples_picture
from ganops.sampling import DIRECTIONS


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ganops", description="Use generators registered in MLflow by ganops."
    )
    commands = p.add_subparsers(dest="command", required=True)
    gen = commands.add_parser(
        "generate",
        help="draw samples from a registered generator into a PNG grid",
        description="Draw samples from a registered generator (MLflow registry) into a PNG.",
    )
    gen.add_argument("--model", required=True, help="registered name, e.g. ganops-dcgan-digits")
    gen.add_argument("--alias", default="champion", help="registry alias (default: champion)")
    gen.add_argument(
        "-n",
        type=int,
        default=64,
        help="number of samples (default: 64); a conditional generator given no --label or "
        "--code draws a grid of about n with one row per class (or code)",
    )
    gen.add_argument("--seed", type=int, default=0, help="latent seed (default: 0)")
    gen.add_argument(
        "--label", type=int, help="class of every sample (class-conditional: CGAN, ACGAN)"
    )
    gen.add_argument("--code", type=int, help="categorical code of every sample (InfoGAN)")
    gen.add_argument("--out", type=Path, default=Path("samples.png"), help="output PNG")
    tracking(gen)
    tr = commands.add_parser(
        "translate",
        help="translate image files with a registered translation generator",
        description="Translate an image file, or every image of a folder, with a registered "
        "translation generator (Pix2Pix, SRGAN, Context Encoder, CycleGAN, DiscoGAN, "
        "CartoonGAN; the two-way CycleGAN and DiscoGAN need --direction). Images of other "
        "sizes than "
        "the training one are tiled (mirror-padded to whole tiles, translated tile by tile, "
        "cropped back), never squashed. Colour images given to a gray model are converted "
        "by luma. Inpainting: the alpha channel marks the hole (transparent pixels).",
    )
    tr.add_argument(
        "--model", required=True, help="registered name, e.g. ganops-pix2pix-photos_color"
    )
    tr.add_argument("--alias", default="champion", help="registry alias (default: champion)")
    tr.add_argument("--input", required=True, type=Path, help="an image file or a folder of them")
    tr.add_argument(
        "--output", required=True, type=Path, help="the output PNG file, or folder for a folder"
    )
    tr.add_argument(
        "--style",
        type=Path,
        help="an image of the training size whose style every translation takes (a model "
        "with a style input: the book's CartoonGAN)",
    )
    tr.add_argument(
        "--direction",
        choices=DIRECTIONS,
        help="AtoB or BtoA: for a model that translates both ways (CycleGAN, DiscoGAN)",
    )
    tracking(tr)
    return p


def tracking(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--tracking-uri",
        default="sqlite:///mlflow.db",
        help="MLflow tracking URI (default: sqlite:///mlflow.db)",
    )


def image_files(path: Path) -> list[Path]:
    """The image files to translate: ``path`` itself, or the images in that folder."""
    if not path.exists():
        raise GanopsError(f"{path}: no such file or folder")
    return [path] if path.is_file() else folder_images(path)


def read_image(path: Path, channels: int):
    """An image file as an array in [0, 1], or an error naming the file."""
    from ganops.serving.images import decode_png

    try:
        return decode_png(path.read_bytes(), channels)
    except (GanopsError, OSError) as err:
        raise GanopsError(f"{path}: {err}") from None


def translate_files(
    generator,
    source: Path,
    output: Path,
    direction: str | None = None,
    style: Path | None = None,
) -> list[Path]:
    """Translate ``source`` (a file, or a folder's images) into ``output`` (a file, or a
    folder of PNGs of the same names), in ``direction`` for a two-way model, in the style of
    the image file ``style`` for a model that takes one; returns the files written."""
    from ganops.serving.images import encode_png, source_channels

    files = image_files(source)
    channels = source_channels(generator.model)
    style_image = None if style is None else read_image(style, channels)
    written = []
    for path in files:
        image = read_image(path, channels)
        target = output if source.is_file() else output / f"{path.stem}.png"
        translated = generator.translate(image, direction, style_image)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(encode_png(translated)))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    import mlflow

    from ganops.serving.load import load_generator, model_uri

    mlflow.set_tracking_uri(args.tracking_uri)
    try:
        generator = load_generator(model_uri(args.model, args.alias))
        if args.command == "translate":
            written = translate_files(
                generator, args.input, args.output, args.direction, args.style
            )
            print(f"wrote {len(written)} image(s): {', '.join(map(str, written[:5]))}")
            return 0
        if args.label is None and args.code is None:
            samples, cols = generator.grid(args.n, args.seed)
        else:
            samples, cols = generator.generate(args.n, args.seed, args.label, args.code), None
    except GanopsError as err:
        print(f"ganops: {err}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(samples_picture(samples * 2.0 - 1.0, None, cols)).save(args.out)
    print(f"wrote {len(samples)} samples to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
