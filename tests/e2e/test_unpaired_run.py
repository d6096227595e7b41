"""An unpaired translation variant end to end: `kedro run --pipelines cyclegan` on the
embedded digits <-> digits-M trains, evaluates (against the identity) and registers one model
that translates both ways; `ganops translate` and `mlflow models serve` take the direction."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from e2e_requests import post

BIN = Path(sys.executable).parent
VARIANT, DATASET = "cyclegan", "digits_m"
NAME = f"ganops-{VARIANT}-{DATASET}"


@pytest.fixture(scope="module")
def project(tmp_path_factory, make_project, run_cmd) -> Path:
    project = make_project(tmp_path_factory.mktemp("unpaired") / "project")
    run_cmd(project, "kedro", "run", "--pipelines", VARIANT, "--params", f"dataset={DATASET}")
    return project


def test_run_measures_both_directions_against_the_identity(project):
    report = json.loads((project / f"data/08_reporting/{VARIANT}/metrics.json").read_text())
    assert report["primary"]["name"] == "fid"
    metrics = report["metrics"]
    for name in ("fid", "kid", "label_preservation"):
        for suffix in ("", "_AtoB", "_BtoA"):
            assert np.isfinite(metrics[f"{name}{suffix}"])
            assert np.isfinite(metrics[f"baseline_{name}{suffix}"])
    assert metrics["baseline_label_preservation"] == 1.0  # the identity keeps every label
    assert 0.0 <= metrics["cycle_l1"] <= 1.0 and metrics["cycle_psnr"] > 0
    assert 0.0 <= metrics["flat_share"] <= 1.0 and 0.0 <= metrics["target_flat_share"] <= 1.0
    for direction, counts in report["confusion"].items():  # classes kept, per direction
        kept = np.trace(counts) / np.sum(counts)
        assert np.isclose(kept, metrics[f"label_preservation_{direction}"])
    page = (project / f"data/08_reporting/{VARIANT}/report.html").read_text()
    assert "Classes kept by the translations" in page
    model_input = np.load(project / f"data/05_model_input/{DATASET}.npz")
    assert report["samples"] == len(model_input["x_test"])
    evaluation = np.asarray(Image.open(project / f"data/08_reporting/{VARIANT}/evaluation.png"))
    grid = np.asarray(Image.open(project / f"data/08_reporting/{VARIANT}/samples.png"))
    side = model_input["x_test"].shape[1]
    assert evaluation.ndim == grid.ndim == 3
    assert evaluation.shape[0] > 6 * side  # per direction: input, translation, reconstruction
    decision = json.loads((project / f"data/08_reporting/{VARIANT}/registration.json").read_text())
    assert decision["promoted"] and decision["metric"] == "fid"


def translate(run_cmd, project: Path, source: Path, output: Path, *more: str, check=True):
    command = ["translate", "--model", NAME, "--input", str(source), "--output", str(output)]
    return run_cmd(project, str(BIN / "ganops"), *command, *more, check=check)


@pytest.mark.slow  # in-process: tests/serving/test_unpaired_serving.py
def test_cli_translates_both_ways_and_asks_for_a_direction(project, run_cmd, tmp_path):
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)).save(tmp_path / "a.png")
    outputs = {}
    for direction in ("AtoB", "BtoA"):
        out = tmp_path / f"{direction}.png"
        translate(run_cmd, project, tmp_path / "a.png", out, "--direction", direction)
        outputs[direction] = np.asarray(Image.open(out))
        assert outputs[direction].shape == (16, 16, 3)
    assert not np.array_equal(outputs["AtoB"], outputs["BtoA"])  # two generators


@pytest.mark.slow  # each row's direction in-process: tests/serving/test_unpaired_serving.py;
# a REST server: tests/e2e/test_serve.py
def test_rest_server_takes_a_direction_column(project, serve_model, tmp_path):
    pixels = np.full((16, 16, 3), 0.5).tolist()
    with serve_model(tmp_path, f"sqlite:///{project}/mlflow.db", f"models:/{NAME}@champion") as url:
        records = [{"pixels": pixels, "direction": d} for d in ("AtoB", "BtoA")]
        status, body = post(f"{url}/invocations", {"dataframe_records": records})
        assert status == 200, body
        assert np.asarray(body["predictions"]).shape == (2, 16, 16, 3)
        wrong = [{"pixels": pixels, "direction": "AtoC"}]
        status, body = post(f"{url}/invocations", {"dataframe_records": wrong})
        assert status == 400 and "row 0: 'direction' must be AtoB or BtoA" in body["message"]
