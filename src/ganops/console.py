"""``ganops``: use registered generators from the command line, serve one, and list what
the registry, the project's variants and its datasets hold.

(Not ``cli.py``: Kedro reserves ``<package>.cli`` for Kedro CLI plugins.)
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import sys
from collections import Counter
from pathlib import Path

from PIL import Image

from ganops import __version__
from ganops.data.files import first_line
from ganops.data.sources import folder_images
from ganops.data.unpaired import DIRECTIONS
from ganops.errors import GanopsError
from ganops.evaluation.plots import samples_picture
from ganops.quiet import hide_notes, quiet_start
from ganops.tracking.server import check_tracking_uri, shown_uri

#: The project's own tracking store (conf/base/mlflow.yml), relative to the working folder.
DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"
DEFAULT_PORT = 5001


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


def port(text: str) -> int:
    """An argparse type: a TCP port number."""
    value = at_least(1)(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, got {value}")
    return value


class Formatter(argparse.HelpFormatter):
    """Descriptions wrapped to the terminal as usual; examples kept line by line."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(EXAMPLES):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


EXAMPLES = "examples:\n"


def command_parser(commands, name: str, summary: str, description: str, examples: str = ""):
    """A ``ganops`` command: ``summary`` in ``ganops --help``, ``description`` and the
    ``examples`` (lines kept as written) in its own ``--help``."""
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"{EXAMPLES}{examples}" if examples else None,
        formatter_class=Formatter,
        allow_abbrev=False,  # one spelling per flag: --out is not --output
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ganops",
        description="Use, serve and list the generators ganops registers in MLflow, and list "
        "the project's variants and datasets (training: kedro run).",
        epilog=EXAMPLES
        + """  ganops models                                  each registered model, its champion
  ganops generate --model ganops-dcgan-digits -o grid.png
  ganops serve --model ganops-dcgan-digits       REST on http://127.0.0.1:5001

Each command's options: ganops COMMAND --help""",
        formatter_class=Formatter,
        allow_abbrev=False,
    )
    p.add_argument("--version", action="version", version=f"ganops {__version__}")
    commands = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing_commands(commands)
    gen = command_parser(
        commands,
        "generate",
        "draw samples from a registered generator into a PNG grid",
        "Draw samples from a registered generator (a version of the MLflow registry, by "
        "alias) into a PNG grid.",
        """  ganops generate --model ganops-dcgan-digits -n 64 --seed 0 -o grid.png
  ganops generate --model ganops-cgan-digits -o classes.png           one row per class
  ganops generate --model ganops-cgan-digits --label 7 -n 16 -o sevens.png
  ganops generate --model ganops-infogan-digits --code 3 -n 16 -o code3.png
  ganops generate --model ganops-dcgan-digits --truncation 0.5 -o typical.png""",
    )
    model_options(gen, "ganops-dcgan-digits")
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
        metavar="T",
        help="the truncation trick: latent components beyond +-T are redrawn (e.g. 0.5)",
    )
    output_option(gen, "samples.png")
    tracking(gen)
    tr = command_parser(
        commands,
        "translate",
        "translate image files with a registered translation generator",
        "Translate an image file, or every image of a folder, with a registered "
        "translation generator (Pix2Pix, SRGAN, SRResNet, Context Encoder, CycleGAN, "
        "DiscoGAN, CartoonGAN; the two-way CycleGAN and DiscoGAN need --direction). Images "
        "of other sizes than the training one are tiled (mirror-padded to whole tiles, "
        "translated tile by tile, cropped back), never squashed. Colour images given to a "
        "gray model are converted by luma. Inpainting: the alpha channel marks the hole "
        "(transparent pixels).",
        """  ganops translate --model ganops-pix2pix-photos_color --input gray.png -o colour.png
  ganops translate --model ganops-srgan-photos_sr --input small/ -o large/   a folder
  ganops translate --model ganops-cyclegan-mnist5k_m --input digit.png --direction AtoB -o m.png""",
    )
    model_options(tr, "ganops-pix2pix-photos_color")
    tr.add_argument(
        "--input", required=True, type=Path, metavar="PATH", help="an image file or a folder"
    )
    tr.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="PATH",
        help="the output PNG file, or folder for a folder",
    )
    tr.add_argument(
        "--style",
        type=Path,
        metavar="FILE",
        help="an image of the training size whose style every translation takes (a model "
        "with a style input: the book's CartoonGAN)",
    )
    tr.add_argument(
        "--direction",
        choices=DIRECTIONS,
        help="for a model that translates both ways (CycleGAN, DiscoGAN): A to B or back",
    )
    tracking(tr)
    latent_commands(commands)
    serve_command(commands)
    return p


def listing_commands(commands) -> None:
    """``ganops models|variants|datasets``: what there is to use and train."""
    models = command_parser(
        commands,
        "models",
        "list the registered models: versions, champion, its primary metric, when trained",
        "List every model of the MLflow registry: how many versions it has, which one is "
        "the champion (the alias the other commands use by default), the champion's primary "
        "metric (arrow: which way is better) and when it was trained.",
        "  ganops models\n  MLFLOW_TRACKING_URI=http://mlflow.internal:5000 ganops models",
    )
    tracking(models)
    command_parser(
        commands,
        "variants",
        "list the variants: family, the data each takes, its default dataset",
        "List the variants kedro run trains: their family (also their Kedro tag), the kind "
        "of data each takes, the dataset each trains on by default and what each is.",
        "  ganops variants\n  kedro run --pipelines wgan_gp        train one (data first)",
    )
    command_parser(
        commands,
        "datasets",
        "list the project's datasets: kind, format, size, ingested or not, source",
        "List the datasets of the project's parameters_ingest.yml (run from the project "
        "folder or below it): the kind of data, the source format, the size trained at, how "
        "many examples preprocessing kept (once ingested) and where each comes from.",
        "  ganops datasets\n  kedro run --pipelines prepare --params dataset=mnist5k   ingest one",
    )


def serve_command(commands) -> None:
    """``ganops serve``: a registered version over REST (MLflow's scoring server), safely set
    up."""
    srv = command_parser(
        commands,
        "serve",
        "serve a registered generator over REST on loopback (MLflow's scoring server)",
        "Serve a registered version (by alias) with MLflow's scoring server (what mlflow "
        "models serve runs), with the project's settings: this environment's packages, "
        "pickle loading off, request bodies of at most 32 MiB ($GANOPS_MAX_REQUEST_BYTES), "
        "the tracking store passed in the environment, not on the command line. It listens "
        "on loopback only: mlflow models serve has no authentication, so put an "
        "authenticating reverse proxy in front of it to serve others. Ctrl-C stops it.",
        """  ganops serve --model ganops-dcgan-digits
  curl -s http://127.0.0.1:5001/invocations -H 'Content-Type: application/json' \\
    -d '{"dataframe_split": {"columns": ["n", "seed"], "data": [[4, 0]]}}'""",
    )
    model_options(srv, "ganops-dcgan-digits")
    srv.add_argument(
        "--port", type=port, default=DEFAULT_PORT, help=f"TCP port (default: {DEFAULT_PORT})"
    )
    srv.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to listen on (default: 127.0.0.1; ::1 and localhost also "
        "do; any other is refused)",
    )
    tracking(srv)


def model_options(command: argparse.ArgumentParser, example: str) -> None:
    command.add_argument(
        "--model",
        required=True,
        metavar="NAME",
        help=f"registered model, e.g. {example} (ganops models lists them)",
    )
    command.add_argument(
        "--alias", default="champion", help="registry alias of the version (default: champion)"
    )


def output_option(command: argparse.ArgumentParser, default: str) -> None:
    command.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path(default),
        metavar="FILE",
        help=f"the PNG (or other image file) to write (default: {default})",
    )


def latent_commands(commands) -> None:
    """``ganops latent interpolate|attribute|perturb|truncate``: latent-space figures."""
    lat = command_parser(
        commands,
        "latent",
        "explore a registered generator's latent space (book Skill 4 II) into a PNG grid",
        "Figures of a registered generator's latent space: interpolations, attribute "
        "vectors, windowed perturbations, the truncation trick. Each TOOL's options: "
        "ganops latent TOOL --help.",
        """  ganops latent interpolate --model ganops-dcgan-digits --rows 4 -o walk.png
  ganops latent attribute --model ganops-dcgan-digits --class 1 -o ones.png
  ganops latent perturb --model ganops-dcgan-digits --start 10 --width 20 -o windows.png
  ganops latent truncate --model ganops-dcgan-digits --thresholds 2 1 0.5 -o truncated.png""",
    )
    tools = lat.add_subparsers(dest="tool", required=True, metavar="TOOL")
    helps = {
        "interpolate": "rows of interpolations between pairs of seeded latents",
        "attribute": "samples, the same plus an attribute vector, and their average",
        "perturb": "samples, then a window of their latents as noise, Hanning, zeros, ones",
        "truncate": "samples, then the same latents truncated at each threshold",
    }
    for name, text in helps.items():
        tool = tools.add_parser(
            name, help=text, description=text[0].upper() + text[1:] + ".", allow_abbrev=False
        )
        model_options(tool, "ganops-dcgan-digits")
        tool.add_argument("--seed", type=INDEX, default=0, help="latent seed (default: 0)")
        tool.add_argument("--columns", type=COUNT, default=8, help="images per row (default: 8)")
        tool.add_argument("--label", type=int, help="class of every image (CGAN, ACGAN)")
        output_option(tool, f"{name}.png")
        tracking(tool)
        if name == "interpolate":
            tool.add_argument("--rows", type=COUNT, default=4, help="interpolations (default: 4)")
            tool.add_argument(
                "--method",
                choices=("slerp", "linear"),
                default="slerp",
                help="spherical (slerp) or straight-line interpolation (default: slerp)",
            )
        if name == "attribute":
            which = tool.add_mutually_exclusive_group(required=True)
            which.add_argument(
                "--indices", type=int, nargs="+", help="samples that carry the attribute"
            )
            which.add_argument(
                "--class",
                dest="klass",
                type=int,
                metavar="C",
                help="a class of the dataset's domain classifier",
            )
            tool.add_argument(
                "--classifier",
                type=Path,
                help="the domain classifier (.keras) for --class "
                "(default: data/04_feature/<dataset>/extractor.keras)",
            )
            tool.add_argument(
                "--samples", type=COUNT, default=1000, help="latents drawn (default: 1000)"
            )
        if name == "perturb":
            tool.add_argument("--start", type=INDEX, default=0, help="first dimension (default: 0)")
            tool.add_argument(
                "--width", type=COUNT, default=10, help="dimensions in the window (default: 10)"
            )
        if name == "truncate":
            tool.add_argument(
                "--thresholds",
                type=float,
                nargs="+",
                default=[2.0, 1.0, 0.5, 0.25],
                help="the thresholds to truncate at, one row each (default: 2 1 0.5 0.25)",
            )


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
        metavar="URI",
        help=f"MLflow tracking store (default: $MLFLOW_TRACKING_URI when set, else "
        f"{DEFAULT_TRACKING_URI}, the project's, from the working folder); a URI with a "
        "password: set MLFLOW_TRACKING_URI instead, out of the process list",
    )


def tracking_store(given: str | None) -> str:
    """The tracking store: ``--tracking-uri``, else ``MLFLOW_TRACKING_URI``, else the
    project's own."""
    return given or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


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
        writable = Image.registered_extensions().get(args.output.suffix.lower()) in Image.SAVE
        if args.output.is_dir() or not writable:
            raise GanopsError(f"--output {args.output}: give an image file name (.png, .jpg...)")
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
    args.output.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(samples_picture(samples * 2.0 - 1.0, None, cols)).save(args.output)
    return f"wrote {len(samples)} samples to {args.output}"


def use_generator(args: argparse.Namespace) -> int:
    """``ganops generate|translate|latent``."""
    check_output(args)
    check_tracking_uri(args.tracking_uri, reading=True)  # before the slow imports
    quiet_start()
    print(run_command(args))
    return 0


def list_models(args: argparse.Namespace) -> int:
    """``ganops models``."""
    check_tracking_uri(args.tracking_uri, reading=True)
    hide_notes()
    from ganops.overview import models_table

    print(models_table(args.tracking_uri))
    return 0


def list_variants(args: argparse.Namespace) -> int:
    """``ganops variants`` (without their default datasets outside a project)."""
    from ganops.overview import project_root, variants_table

    try:
        root = project_root()
    except GanopsError:
        root = None
    quiet_start()  # the variants import Keras
    print(variants_table(root))
    return 0


def list_datasets(args: argparse.Namespace) -> int:
    """``ganops datasets``: outside a project, one line."""
    from ganops.overview import datasets_table, project_root

    root = project_root()
    hide_notes()
    print(datasets_table(root))
    return 0


def check_port(host: str, number: int) -> None:
    """Refuse, in one line, a port something already listens on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        try:
            probe.bind((host, number))
        except OSError as err:
            raise GanopsError(
                f"--port {number}: cannot listen on {host} ({err.strerror}): give another --port"
            ) from None


def registered_version(tracking_uri: str, name: str, alias: str) -> str:
    """The version of ``name`` holding ``alias``, or a one-line error saying what is missing."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(tracking_uri)
    try:
        return str(client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        pass
    try:
        model = client.get_registered_model(name)
    except MlflowException:
        raise GanopsError(
            f"no model {name} in {shown_uri(tracking_uri)}: ganops models lists the registered ones"
        ) from None
    aliases = ", ".join(sorted(model.aliases)) or "none"
    raise GanopsError(f"{name} has no version aliased {alias!r} (its aliases: {aliases})")


def serve(args: argparse.Namespace) -> int:
    """``ganops serve``: this process becomes the server of the version (``serving.rest``),
    in the foreground until Ctrl-C, once the host, store, port and version are checked."""
    from ganops.serving.rest import become_server, check_host

    check_host(args.host)
    check_tracking_uri(args.tracking_uri, reading=True)
    check_port(args.host, args.port)
    version = registered_version(args.tracking_uri, args.model, args.alias)
    uri = f"models:/{args.model}@{args.alias}"
    where = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"serving {uri} (version {version}) at http://{where}:{args.port}: POST /invocations, "
        "GET /ping; Ctrl-C stops it"
    )
    become_server(uri, args.tracking_uri, args.port, args.host)
    return 0  # not reached: the server took over the process


COMMANDS = {
    "generate": use_generator,
    "translate": use_generator,
    "latent": use_generator,
    "models": list_models,
    "variants": list_variants,
    "datasets": list_datasets,
    "serve": serve,
}


def main(argv: list[str] | None = None) -> int:
    """The ``ganops`` command: an error ganops raises on purpose is one line and status 2."""
    args = parser().parse_args(argv)
    if "tracking_uri" in args:
        args.tracking_uri = tracking_store(args.tracking_uri)
    try:
        return COMMANDS[args.command](args)
    except GanopsError as err:
        print(f"ganops: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
