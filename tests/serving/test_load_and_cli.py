import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from PIL import Image

from ganops.console import main
from ganops.errors import GanopsError
from ganops.evaluation.plots import samples_picture
from ganops.sampling import latents
from ganops.serving import load_generator, model_uri
from ganops.serving.pyfunc import GeneratorModel


@pytest.fixture(scope="module")
def generators(tracking_uri):
    mlflow.set_tracking_uri(tracking_uri)
    return {v: load_generator(model_uri(f"ganops-{v}-digits")) for v in ("gan", "cgan", "infogan")}


def test_load_generator_gives_seeded_images(generators):
    generator = generators["gan"]
    images = generator.generate(5, seed=1)
    assert images.shape == (5, 16, 16, 1) and images.min() >= 0 and images.max() <= 1
    np.testing.assert_array_equal(images, generator.generate(5, seed=1))
    with pytest.raises(GanopsError, match="n must be between"):
        generator.generate(0)
    with pytest.raises(GanopsError, match="not conditional: it takes no labels or codes"):
        generator.generate(2, labels=[1, 2])
    z = latents(5, generator.latent_dim, seed=1)
    np.testing.assert_allclose(generator.decode(z), images, atol=1e-6)
    with pytest.raises(GanopsError, match=f"vectors of {generator.latent_dim} numbers"):
        generator.decode(z[:, :-1])


def test_generators_say_what_they_take(generators):
    described = {
        v: (g.conditional_input, g.classes, g.continuous_codes, g.latent_dim)
        for v, g in generators.items()
    }
    assert described == {
        "gan": (None, 0, 0, 4),
        "cgan": ("label", 10, 0, 8),
        "infogan": ("code", 10, 2, 8),
    }


def test_labels_steer_a_conditional_generator(generators, tracking_uri):
    cgan = generators["cgan"]
    twos = cgan.generate(4, seed=3, labels=2)
    np.testing.assert_array_equal(twos, cgan.generate(4, seed=3, labels=[2, 2, 2, 2]))
    assert not np.allclose(twos, cgan.generate(4, seed=3, labels=5), atol=1e-6)
    np.testing.assert_array_equal(cgan.generate(4, seed=3), cgan.generate(4, 3, [0, 1, 2, 3]))
    np.testing.assert_allclose(cgan.decode(latents(4, 8, seed=3), labels=2), twos, atol=1e-6)
    served = mlflow.pyfunc.load_model(cgan.uri)  # the same images as the served model
    request = pd.DataFrame({"n": [4], "seed": [3], "label": [2]})
    np.testing.assert_allclose(served.predict(request), twos, atol=1e-6)


@pytest.mark.parametrize(
    ("variant", "given", "message"),
    [
        ("cgan", {"labels": 10}, r"label 10 is out of range: this generator has 10 labels"),
        ("cgan", {"labels": [1, 2]}, r"give one label or one per sample \(4\)"),
        ("cgan", {"labels": 1.5}, "labels must be integers"),
        ("cgan", {"codes": 1}, "takes a label .*, not a code: give labels instead"),
        ("infogan", {"labels": 1}, "takes a code .*, not a label: give codes instead"),
        ("infogan", {"continuous": [0.5]}, "continuous must be 2 finite numbers"),
        ("gan", {"codes": 1}, "not conditional"),
    ],
)
def test_wrong_conditions_are_clear_errors(generators, variant, given, message):
    with pytest.raises(GanopsError, match=message):
        generators[variant].generate(4, seed=0, **given)
    with pytest.raises(GanopsError, match=message):
        generators[variant].decode(latents(4, generators[variant].latent_dim, 0), **given)


def test_infogan_takes_codes_and_continuous_codes(generators):
    infogan = generators["infogan"]
    ones = infogan.generate(4, seed=3, codes=1)
    np.testing.assert_array_equal(ones, infogan.generate(4, seed=3, codes=1))
    assert not np.allclose(ones, infogan.generate(4, seed=3, codes=6), atol=1e-6)
    fixed = infogan.generate(4, seed=3, codes=1, continuous=[0.5, -0.5])
    assert not np.allclose(fixed, ones, atol=1e-6)
    np.testing.assert_array_equal(
        fixed, infogan.generate(4, 3, codes=1, continuous=[[0.5, -0.5]] * 4)
    )


def test_grids_have_one_row_per_class(generators):
    samples, cols = generators["cgan"].grid(25, seed=0)
    assert (len(samples), cols) == (20, 2)
    rows = np.repeat(np.arange(10), 2)  # 0, 0, 1, 1, ...
    np.testing.assert_array_equal(samples, generators["cgan"].generate(20, 0, labels=rows))
    samples, cols = generators["gan"].grid(9, seed=0)
    assert (len(samples), cols) == (9, None)
    for n in (-3, 0, 1000):  # the count asked for is checked, not the grid's
        with pytest.raises(GanopsError, match=f"n must be between 1 and 256, got {n}$"):
            generators["cgan"].grid(n)


def test_a_missing_model_is_a_clear_error(tracking_uri):
    mlflow.set_tracking_uri(tracking_uri)
    with pytest.raises(GanopsError, match="ganops-nope-digits@champion.*not found"):
        load_generator(model_uri("ganops-nope-digits"))
    assert main(["generate", "--model", "ganops-nope-digits", "--tracking-uri", tracking_uri]) == 2


def log_pickled(tracking_uri: str, name: str, generator_file: Path | None) -> str:
    """Register ``generator_file`` as every version was before models were logged as code: a
    cloudpickled GeneratorModel beside the .keras file; the version's URI."""
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("ganops")
    artifacts = {"generator": str(generator_file)} if generator_file else None
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(
            name="generator",
            python_model=GeneratorModel(),
            artifacts=artifacts,
            registered_model_name=name,
            pip_requirements=[],
        )
    return f"models:/{name}/{info.registered_model_version}"


def test_a_version_registered_as_a_pickle_loads_without_unpickling(
    generators, tracking_uri, tmp_path, monkeypatch, capsys
):
    generators["gan"].model.save(tmp_path / "generator.keras")
    uri = log_pickled(tracking_uri, "ganops-pickled-digits", tmp_path / "generator.keras")
    MlflowClient().set_registered_model_alias("ganops-pickled-digits", "champion", "1")
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "false")
    with pytest.raises(MlflowException, match="pickle is disallowed"):
        mlflow.pyfunc.load_model(uri)  # it is a pickle, which load_generator never opens
    old = load_generator(uri)
    np.testing.assert_array_equal(old.generate(3, seed=1), generators["gan"].generate(3, seed=1))
    assert cli(tracking_uri, "ganops-pickled-digits", tmp_path / "old.png", "-n", "4") == 0
    assert "wrote 4 samples" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "^{uri} is not a ganops generator .*: load a version registered by ganops"),
        (
            b"not a keras",
            r"^cannot read the generator of {uri} \(.+\): retrain it .*\(kedro run\)$",
        ),
    ],
)
def test_an_unreadable_version_is_a_one_line_error(tracking_uri, tmp_path, content, message):
    path = None if content is None else tmp_path / "generator.keras"
    if path:
        path.write_bytes(content)
    name = "ganops-empty-digits" if content is None else "ganops-corrupt-digits"
    uri = log_pickled(tracking_uri, name, path)
    with pytest.raises(GanopsError, match=message.format(uri=uri)) as err:
        load_generator(uri)
    assert "\n" not in str(err.value)


def test_a_version_whose_files_are_gone_says_so(generators, tracking_uri, tmp_path):
    generators["gan"].model.save(tmp_path / "generator.keras")
    uri = log_pickled(tracking_uri, "ganops-gone-digits", tmp_path / "generator.keras")
    stored = MlflowClient().get_model_version_download_uri("ganops-gone-digits", "1")
    shutil.rmtree(urlparse(stored).path)  # the artifact store lost them
    with pytest.raises(GanopsError, match=f"^{uri}: its files are missing from the artifact st"):
        load_generator(uri)


def cli(tracking_uri: str, model: str, out: Path, *options: str) -> int:
    return main(
        ["generate", "--model", model, "--output", str(out), "--tracking-uri", tracking_uri]
        + list(options)
    )


def test_cli_draws_one_row_per_class_or_the_label_asked_for(tracking_uri, tmp_path, capsys):
    grid = tmp_path / "grid.png"
    assert cli(tracking_uri, "ganops-cgan-digits", grid, "-n", "20") == 0
    assert "wrote 20 samples" in capsys.readouterr().out
    expected = samples_picture(np.zeros((20, 16, 16, 1)), None, 2)  # 10 rows of 2
    assert Image.open(grid).size == Image.fromarray(expected).size
    assert (
        cli(tracking_uri, "ganops-cgan-digits", tmp_path / "3.png", "-n", "9", "--label", "3") == 0
    )
    assert cli(tracking_uri, "ganops-infogan-digits", tmp_path / "c.png", "--code", "2") == 0
    assert (tmp_path / "3.png").exists() and (tmp_path / "c.png").exists()


@pytest.mark.parametrize(
    ("model", "options", "message"),
    [
        ("ganops-cgan-digits", ["--label", "12"], "ganops: label 12 is out of range"),
        ("ganops-gan-digits", ["--label", "1"], "ganops: this generator is not conditional"),
        ("ganops-infogan-digits", ["--label", "1"], "not a label: give codes instead"),
    ],
)
def test_cli_refuses_wrong_labels(tracking_uri, tmp_path, capsys, model, options, message):
    assert cli(tracking_uri, model, tmp_path / "x.png", *options) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.slow  # ≈ 30 s; the command in-process above, its entry point: tests/test_cli.py
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
            "--output",
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
