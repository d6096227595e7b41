import os
import subprocess
import sys
from pathlib import Path

import mlflow
import numpy as np
import pytest
from PIL import Image

from ganops.console import main
from ganops.errors import GanopsError
from ganops.sampling import latents
from ganops.serving import load_generator, model_uri
from stores import registered_store


@pytest.fixture(scope="module")
def tracking_uri(tmp_path_factory, digits_input):
    return registered_store(tmp_path_factory.mktemp("registry"), digits_input)


def test_load_generator_gives_seeded_images(tracking_uri):
    mlflow.set_tracking_uri(tracking_uri)
    generator = load_generator(model_uri("ganops-gan-digits"))
    images = generator.generate(5, seed=1)
    assert images.shape == (5, 16, 16, 1) and images.min() >= 0 and images.max() <= 1
    np.testing.assert_array_equal(images, generator.generate(5, seed=1))
    with pytest.raises(GanopsError, match="n must be between"):
        generator.generate(0)
    with pytest.raises(GanopsError, match="not a conditional generator"):
        generator.generate(2, labels=[1, 2])
    z = latents(5, generator.latent_dim, seed=1)
    np.testing.assert_allclose(generator.decode(z), images, atol=1e-6)
    with pytest.raises(GanopsError, match=f"vectors of {generator.latent_dim} numbers"):
        generator.decode(z[:, :-1])


def test_a_missing_model_is_a_clear_error(tracking_uri):
    mlflow.set_tracking_uri(tracking_uri)
    with pytest.raises(GanopsError, match="ganops-nope-digits@champion.*not found"):
        load_generator(model_uri("ganops-nope-digits"))
    assert main(["generate", "--model", "ganops-nope-digits", "--tracking-uri", tracking_uri]) == 2


def test_cli_generates_from_the_champion_in_a_fresh_process(tracking_uri, tmp_path):
    out = tmp_path / "grid.png"
    cli = Path(sys.executable).parent / "ganops"
    proc = subprocess.run(
        [
            str(cli),
            "generate",
            "--model",
            "ganops-gan-digits",
            "--alias",
            "champion",
            "-n",
            "9",
            "--seed",
            "0",
            "--out",
            str(out),
            "--tracking-uri",
            tracking_uri,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "wrote 9 samples" in proc.stdout
    assert Image.open(out).size[0] > 16
