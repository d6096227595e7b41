"""Every variant under the JAX backend, end to end (slow: `make test-all`): `kedro run`
trains, evaluates and registers each (the default dataset's variants in one run, each
translation variant on its own dataset), and each registered generator draws or translates
through `ganops` under JAX."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganops.variants import EXPERIMENTS, TRANSLATION, VARIANTS

pytestmark = pytest.mark.slow
GANOPS = Path(sys.executable).parent / "ganops"
JAX = {"KERAS_BACKEND": "jax"}
DATASETS = {  # each translation variant's embedded dataset
    "pix2pix": "photos_color",
    "srgan": "photos_sr",
    "srresnet": "photos_sr",
    "context_encoder": "mnist5k_inpaint",
    "cyclegan": "digits_m",
    "discogan": "digits_m",
    "cartoongan": "photos_cartoon",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory, make_project, run_cmd) -> Path:
    project = make_project(tmp_path_factory.mktemp("jax_all") / "project")
    run_cmd(project, "kedro", "run", "--pipelines", "sampling", env=JAX, timeout=1800)
    for variant, dataset in DATASETS.items():
        command = ["kedro", "run", "--pipelines", variant, "--params", f"dataset={dataset}"]
        run_cmd(project, *command, env=JAX)
    return project


def test_every_translation_variant_is_covered():
    assert set(DATASETS) == set(TRANSLATION)


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v not in EXPERIMENTS])
def test_every_variant_is_trained_evaluated_and_registered_under_jax(project, variant):
    reports = project / "data/08_reporting" / variant
    metrics = json.loads((reports / "metrics.json").read_text())["metrics"]
    assert metrics and all(np.isfinite(v) for v in metrics.values() if isinstance(v, float))
    assert json.loads((reports / "registration.json").read_text())["promoted"]
    checkpoint = sorted((project / "data/06_models" / variant / "checkpoints").glob("ckpt-*"))[-1]
    with np.load(checkpoint) as npz:
        assert str(npz["backend"]) == "jax"


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v not in EXPERIMENTS])
def test_every_registered_generator_runs_under_jax(project, run_cmd, variant, tmp_path):
    dataset = DATASETS.get(variant, "digits")
    model, out = f"ganops-{variant}-{dataset}", tmp_path / "out.png"
    if variant in TRANSLATION:
        source = tmp_path / "in.png"  # converted to the model's channels, tiled to its size
        pixels = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(source)
        command = ["translate", "--model", model, "--input", str(source), "--output", str(out)]
        if variant in ("cyclegan", "discogan"):
            command += ["--direction", "AtoB"]
    else:
        command = ["generate", "--model", model, "-n", "4", "--seed", "0", "--output", str(out)]
    run_cmd(project, str(GANOPS), *command, env=JAX)
    assert out.is_file() and Image.open(out).size[0] > 0
