"""``ganops``: use registered generators from the command line.

(Not ``cli.py``: Kedro reserves ``<package>.cli`` for Kedro CLI plugins.)
"""

from __future__ import annotations

import argparse
import base64
import sys
from collections import Counter
from pathlib import Path

from PIL import Image

from ganops import __version__
from ganops.data.files import first_line
from ganops.data.sources import folder_images
from ganops.errors import GanopsError
from ganops.evaluation.plots import samples_picture
from ganops.quiet import quiet_start
from ganops.tracking.server import check_tracking_uri


def at_least(least: int):
    """An argparse type: a whole number of at least ``least``."""

    def whole(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        return value

    return whole


COUNT, INDEX = at_least(1), at_least(0)  # how many; which (seeds, positions)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ganops", description="Use generators registered in MLflow by ganops."
    )
    p.add_argument("--version", action="version", version=f"ganops {__version__}")
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
        type=COUNT,
        default=64,
        help="number of samples (default: 64); a conditional generator given no --label or "
        "--code draws a grid of about n with one row per class (or code)",
    )
    gen.add_argument("--seed", type=INDEX, default=0, help="latent seed (default: 0)")
    gen.add_argument(
        "--label", type=int, help="class of every sample (class-conditional: CGAN, ACGAN)"
    )
    gen.add_argument("--code", type=int, help="categorical code of every sample (InfoGAN)")
    gen.add_argument(
        "--truncation",
        type=float,
        help="the truncation trick: latent components beyond +-this are redrawn (e.g. 0.5)",
    )
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
        help="AtoB or BtoA: for a model that translates both ways (CycleGAN, DiscoGAN)",
    )
    tracking(tr)
    latent_commands(commands)
    return p


def latent_commands(commands) -> None:
    """``ganops latent interpolate|attribute|perturb|truncate``: latent-space figures."""
    lat = commands.add_parser(
        "latent",
        help="explore a registered generator's latent space (book Skill 4 II) into a PNG grid",
        description="Figures of a registered generator's latent space: interpolations, "
        "attribute vectors, windowed perturbations, the truncation trick.",
    )
    tools = lat.add_subparsers(dest="tool", required=True)
    helps = {
        "interpolate": "rows of interpolations between pairs of seeded latents",
        "attribute": "samples, the same plus an attribute vector, and their average",
        "perturb": "samples, then a window of their latents as noise, Hanning, zeros, ones",
        "truncate": "samples, then the same latents truncated at each threshold",
    }
    for name, text in helps.items():
        tool = tools.add_parser(name, help=text, description=text)
        tool.add_argument(
            "--model", required=True, help="registered name, e.g. ganops-dcgan-digits"
        )
        tool.add_argument("--alias", default="champion", help="registry alias (default: champion)")
        tool.add_argument("--seed", type=INDEX, default=0, help="latent seed (default: 0)")
        tool.add_argument("--columns", type=COUNT, default=8, help="images per row (default: 8)")
        tool.add_argument("--label", type=int, help="class of every image (CGAN, ACGAN)")
        tool.add_argument("--out", type=Path, default=Path(f"{name}.png"), help="output PNG")
        tracking(tool)
        if name == "interpolate":
            tool.add_argument("--rows", type=COUNT, default=4, help="interpolations (default: 4)")
            tool.add_argument("--method", choices=("slerp", "linear"), default="slerp")
        if name == "attribute":
            which = tool.add_mutually_exclusive_group(required=True)
            which.add_argument("--indices", type=int, nargs="+", help="samples that carry it")
            which.add_argument(
                "--class", dest="klass", type=int, metavar="C", help="a classifier's class"
            )
            tool.add_argument(
                "--classifier",
                type=Path,
                help="the domain classifier (.keras) for --class "
                "(default: data/04_feature/<dataset>/extractor.keras)",
            )
            tool.add_argument("--samples", type=COUNT, default=1000, help="latents drawn")
        if name == "perturb":
            tool.add_argument("--start", type=INDEX, default=0, help="first dimension")
            tool.add_argument("--width", type=COUNT, default=10, help="dimensions in the window")
        if name == "truncate":
            tool.add_argument("--thresholds", type=float, nargs="+", default=[2.0, 1.0, 0.5, 0.25])


def latent_figure(generator, args) -> tuple:
    """The (images, columns) of the ``ganops latent`` tool asked for."""
    from ganops import latent  # here: TensorFlow loads only when a command runs

    model, cols = generator.model, args.columns
    if args.tool == "interpolate":
        return latent.interpolation_grid(model, args.rows, cols, args.method, args.seed, args.label)
    if args.tool == "perturb":
        return latent.perturbation_grid(model, cols, args.start, args.width, args.seed, args.label)
    if args.tool == "truncate":
        return latent.truncation_grid(model, cols, args.thresholds, args.seed, args.label)
    if args.indices is not None:
        z = latent.latents(args.samples, latent.latent_size(model), args.seed)
        if max(args.indices) >= args.samples or min(args.indices) < 0:
            raise GanopsError(f"--indices must be samples 0 to {args.samples - 1}")
        vector = latent.attribute_vector(z, args.indices)
    else:
        classifier = args.classifier or default_classifier(args.model)
        if not classifier.is_file():
            hint = "" if args.classifier else " (give --classifier)"
            raise GanopsError(f"{classifier}: no domain classifier file there{hint}")
        vector = latent.class_vector(
            model, keras_load(classifier), args.klass, args.samples, args.seed
        )
    return latent.attribute_grid(model, vector, cols, args.seed + 1, args.label)


def default_classifier(name: str) -> Path:
    """The dataset's domain classifier of a model registered as ganops-<variant>-<dataset>."""
    dataset = name.split("-", 2)[-1]
    return Path("data/04_feature") / dataset / "extractor.keras"


def keras_load(path: Path):
    """A saved Keras model, or an error naming the file."""
    import keras

    try:
        return keras.saving.load_model(path)
    except (OSError, ValueError, TypeError) as err:
        raise GanopsError(f"{path}: not a Keras model file ({first_line(err)})") from None


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


def check_output(args: argparse.Namespace) -> None:
    """Refuse, before the model loads, an output the command could not write."""
    if args.command != "translate":
        writable = Image.registered_extensions().get(args.out.suffix.lower()) in Image.SAVE
        if args.out.is_dir() or not writable:
            raise GanopsError(f"--out {args.out}: give an image file name (.png, .jpg...)")
        return
    files = image_files(args.input)
    if args.input.is_file() and args.output.is_dir():
        raise GanopsError(f"--output {args.output}: a folder; name the file to write")
    if not args.input.is_file() and args.output.exists() and not args.output.is_dir():
        raise GanopsError(f"--output {args.output}: a file; name a folder for a folder's images")
    stems = Counter(path.stem for path in files)
    if twice := [stem for stem, count in stems.items() if count > 1]:
        raise GanopsError(
            f"{args.input}: several images named {twice[0]}.*, whose translations would all be "
            f"{twice[0]}.png: rename them"
        )


def run_command(args: argparse.Namespace) -> str:
    """Run the parsed command against the registry at ``args.tracking_uri``; what it wrote."""
    import mlflow

    from ganops.serving.load import load_generator, model_uri

    mlflow.set_tracking_uri(args.tracking_uri)
    generator = load_generator(model_uri(args.model, args.alias))
    if args.command == "translate":
        written = translate_files(generator, args.input, args.output, args.direction, args.style)
        return f"wrote {len(written)} image(s): {', '.join(map(str, written[:5]))}"
    if args.command == "latent":
        images, cols = latent_figure(generator, args)
        samples = (images + 1.0) / 2.0
    elif args.label is None and args.code is None:
        samples, cols = generator.grid(args.n, args.seed, args.truncation)
    else:
        samples = generator.generate(
            args.n, args.seed, args.label, args.code, truncation=args.truncation
        )
        cols = None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(samples_picture(samples * 2.0 - 1.0, None, cols)).save(args.out)
    return f"wrote {len(samples)} samples to {args.out}"


def main(argv: list[str] | None = None) -> int:
    """The ``ganops`` command: an error ganops raises on purpose is one line and status 2."""
    args = parser().parse_args(argv)
    try:
        check_output(args)
        check_tracking_uri(args.tracking_uri, reading=True)  # before the slow imports
        quiet_start()
        print(run_command(args))
    except GanopsError as err:
        print(f"ganops: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
