"""``python two_processes.py <index> <port> <folder>``: process ``index`` of two JAX processes
(one CPU device each, joined through ``localhost:<port>``) training the tiny GAN with
``train.distribution: multi_worker`` into ``<folder>/<index>``. Prints one JSON line: the
losses, the checkpoints written, the number of devices and whether this is the chief."""

import json
import os
import sys
from pathlib import Path


def main(index: str, port: str, folder: str) -> None:
    os.environ |= {
        "KERAS_BACKEND": "jax",
        "JAX_COORDINATOR_ADDRESS": f"localhost:{port}",
        "JAX_NUM_PROCESSES": "2",
        "JAX_PROCESS_ID": index,
    }
    from ganops.training import backend

    backend.join_cluster()  # before anything else runs JAX
    import jax

    from ganops.data.sources import load_digits
    from ganops.data.transforms import PreprocessConfig, to_model_input
    from ganops.training import checkpoint
    from ganops.training.run import train_run
    from tiny import TINY_MODELS, TINY_TRAIN

    raw = load_digits()
    raw["meta"]["dataset"] = "digits"
    data = to_model_input(raw, PreprocessConfig(image_size=16))
    train = TINY_TRAIN | {"checkpoint_every": 6, "distribution": "multi_worker"}
    own = Path(folder) / index
    run = train_run(data, "gan", TINY_MODELS["gan"], train, own / "c", own / "r")
    report = {
        "devices": len(jax.devices()),
        "chief": backend.is_chief(),
        "losses": run.losses.to_numpy().tolist(),
        "checkpoints": [p.name for p in checkpoint.list_checkpoints(own / "c")],
    }
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
