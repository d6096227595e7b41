"""A paired translation variant end to end: `kedro run --pipelines pix2pix` on the embedded
gray -> colour photo patches trains, evaluates (against the trivial baseline) and registers;
then `ganops translate` and `mlflow models serve` translate images of other sizes."""

import base64
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from e2e_requests import post

BIN = Path(sys.executable).parent
VARIANT, DATASET = "pix2pix", "photos_color"
NAME = f"ganops-{VARIANT}-{DATASET}"


@pytest.fixture(scope="module")
def project(tmp_path_factory, make_project, run_cmd) -> Path:
    project = make_project(tmp_path_factory.mktemp("paired") / "project")
    run_cmd(project, "kedro", "run", "--pipelines", VARIANT, "--params", f"dataset={DATASET}")
    return project


def test_run_measures_the_model_and_its_baseline_on_held_out_pairs(project):
    report = json.loads((project / f"data/08_reporting/{VARIANT}/metrics.json").read_text())
    assert report["primary"]["name"] == "fid" and report["primary"]["better"] == "lower"
    metrics = report["metrics"]
    for name in ("l1", "psnr", "ssim", "fid", "kid"):
        assert np.isfinite(metrics[name]) and np.isfinite(metrics[f"baseline_{name}"])
    model_input = np.load(project / f"data/05_model_input/{DATASET}.npz")
    assert report["samples"] == len(model_input["x_test"]) == len(model_input["source_test"])
    grid = np.asarray(Image.open(project / f"data/08_reporting/{VARIANT}/samples.png"))
    evaluation = np.asarray(Image.open(project / f"data/08_reporting/{VARIANT}/evaluation.png"))
    assert grid.ndim == evaluation.ndim == 3  # colour rows: source, output, (baseline), target
    assert (project / f"data/08_reporting/{VARIANT}/report.html").is_file()
    decision = json.loads((project / f"data/08_reporting/{VARIANT}/registration.json").read_text())
    assert decision["promoted"] and decision["metric"] == "fid"


@pytest.mark.slow  # the default run checks an unchanged second run
def test_an_unchanged_second_run_resumes_and_registers_nothing(project, run_cmd):
    run_cmd(project, "kedro", "run", "--pipelines", VARIANT, "--params", f"dataset={DATASET}")
    decision = json.loads((project / f"data/08_reporting/{VARIANT}/registration.json").read_text())
    assert not decision["promoted"] and decision["reason"].startswith("unchanged")


def translate(run_cmd, project: Path, source: Path, output: Path, check: bool = True):
    command = ["translate", "--model", NAME, "--input", str(source), "--output", str(output)]
    return run_cmd(project, str(BIN / "ganops"), *command, check=check)


@pytest.mark.slow  # the unpaired run checks `ganops translate` on files, both ways
def test_cli_translates_a_file_and_a_folder_of_other_sizes(project, run_cmd, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (50, 70, 3), dtype=np.uint8)).save(folder / "a.png")
    Image.fromarray(rng.integers(0, 256, (20, 20), dtype=np.uint8)).save(folder / "b.jpg")
    translate(run_cmd, project, folder / "a.png", tmp_path / "a-out.png")
    assert Image.open(tmp_path / "a-out.png").size == (70, 50)
    translate(run_cmd, project, folder, tmp_path / "out")
    sizes = {p.name: Image.open(p).size for p in (tmp_path / "out").iterdir()}
    assert sizes == {"a.png": (70, 50), "b.png": (20, 20)}
    (folder / "c.png").write_bytes(b"not a png")
    bad = translate(run_cmd, project, folder / "c.png", tmp_path / "c.png", check=False)
    assert bad.returncode == 2 and "c.png: not a readable image" in bad.stdout
    assert "Traceback" not in bad.stdout and not (tmp_path / "c.png").exists()


@pytest.mark.slow  # REST translation: the unpaired run's server test
def test_rest_server_translates_images_and_refuses_bad_ones(project, serve_model, tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((40, 24), np.uint8)).save(buffer, "PNG")
    image = base64.b64encode(buffer.getvalue()).decode()
    with serve_model(tmp_path, f"sqlite:///{project}/mlflow.db", f"models:/{NAME}@champion") as url:
        status, body = post(f"{url}/invocations", {"dataframe_records": [{"image": image}]})
        assert status == 200, body
        assert np.asarray(body["predictions"]).shape == (1, 40, 24, 3)
        status, body = post(f"{url}/invocations", {"dataframe_records": [{"image": "bm90"}]})
        assert status == 400 and "row 0: 'image'" in body["message"]
