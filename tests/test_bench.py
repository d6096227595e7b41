import json
from pathlib import Path

import pytest

from ganops import bench
from ganops.variants import EXPERIMENTS, TRANSLATION, VARIANTS

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # every variant compiled; the next test measures one, with every section
def test_bench_measures_every_variant_and_writes_json(tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT)  # reads the committed parameter files
    out = tmp_path / "bench.json"
    bench.main(
        ["--no-stages", "--no-book-256", "--steps", "2", "--batches", "8", "--samples", "4"]
        + ["--tutorial-batch", "0"]
        + [
            "--translation-batches",
            "2",
            "--loop-steps",
            "0",
            "--serving-requests",
            "0",
            "--output",
            str(out),
        ]
    )
    result = json.loads(out.read_text())
    expected = {f"{v}@{2 if v in TRANSLATION else 8}" for v in VARIANTS if v not in EXPERIMENTS}
    assert set(result["images_per_second"]) == expected
    assert all(v > 0 for v in result["images_per_second"].values())
    drawn = {v for v in VARIANTS if v not in EXPERIMENTS + TRANSLATION} | {"pixelcnn_book"}
    assert set(result["sampling_images_per_second"]) == drawn
    assert result["peak_memory_mib"] > 0 and result["device"]


def test_bench_measures_only_the_variants_asked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT)
    out = tmp_path / "bench.json"
    bench.main(
        ["--variants", "gan", "--no-stages", "--steps", "1", "--batches", "8", "--samples", "4"]
        + ["--loop-steps", "3", "--serving-requests", "0", "--output", str(out)]
        + ["--tutorial-batch", "4", "--steps-per-call", "1", "2", "--precisions", "float32"]
    )
    result = json.loads(out.read_text())
    loop = result["loop"]["gan"]  # the real loop beside the step, at the committed batch size
    assert loop["batch"] == 64 and loop["loop_images_per_second"] > 0
    share = loop["loop_images_per_second"] / loop["step_images_per_second"]
    assert loop["loop_share_of_step"] == pytest.approx(share, abs=0.002)  # both rounded
    assert set(result["single_pass"]["gan"]) == {"batch", "alternating", "single_pass"}
    assert set(result["images_per_second"]) == {"gan@8"} and "seconds_per_step" in result
    assert result["seconds_per_step"] == {}  # the book's 256x256 models: pix2pix, cyclegan only
    tutorial = result["tutorial_dcgan"]  # the GPU figure's model, per precision and call size
    assert tutorial["batch"] == 4 and set(tutorial["images_per_second"]) == {
        "float32, steps_per_call 1",
        "float32, steps_per_call 2",
    }
