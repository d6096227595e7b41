"""``ganops``: use registered generators from the command line.

(Not ``cli.py``: Kedro reserves ``<package>.cli`` for Kedro CLI plugins.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image

from ganops.errors import GanopsError
from ganops.evaluation.plots import samples_picture


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
    gen.add_argument(
        "--tracking-uri",
        default="sqlite:///mlflow.db",
        help="MLflow tracking URI (default: sqlite:///mlflow.db)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    import mlflow

    from ganops.serving.load import load_generator, model_uri

    mlflow.set_tracking_uri(args.tracking_uri)
    try:
        generator = load_generator(model_uri(args.model, args.alias))
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
