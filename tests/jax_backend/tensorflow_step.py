"""Training steps of a variant under TensorFlow, from given variable values and batches:
``python tensorflow_step.py <case.npz> <out.npz>`` (the JAX parity test's reference).

``case.npz``: ``variant``, ``meta`` (JSON), ``var0000``… (every variable of the run, in
``Trainable.variables`` order) and ``batch/<key>``, each step's batches stacked. ``out.npz``:
each step's losses, ``<name>`` stacked."""

import json
import os
import sys

os.environ["KERAS_BACKEND"] = "tensorflow"

import numpy as np  # noqa: E402

from ganops.training import backend, checkpoint  # noqa: E402
from ganops.variants import build_variant  # noqa: E402
from ganops.variants.base import DataSpec  # noqa: E402
from tiny import TINY_MODELS  # noqa: E402


def main(case: str, out: str) -> None:
    with np.load(case) as npz:
        variant, meta = str(npz["variant"]), json.loads(str(npz["meta"]))
        values = [npz[k] for k in sorted(k for k in npz.files if k.startswith("var0"))]
        batches = {k.split("/", 1)[1]: npz[k] for k in npz.files if k.startswith("batch/")}
    gan = build_variant(variant, TINY_MODELS[variant], DataSpec.from_meta(meta))
    backend.build_optimizers(gan)
    checkpoint.restore(gan, values)
    call = backend.make_train_call(gan)
    steps = len(next(iter(batches.values())))
    logs = [call({k: v[step] for k, v in batches.items()}) for step in range(steps)]
    np.savez(out, **{k: [step[k] for step in logs] for k in logs[0]})


if __name__ == "__main__":
    main(*sys.argv[1:])
