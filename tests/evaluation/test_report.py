import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from ganops.evaluation.evaluate import DIRECTIONS
from ganops.evaluation.glossary import describe
from ganops.evaluation.plots import gif_bytes
from ganops.evaluation.report import GIF_FRAMES, GIF_WIDTH, html_report, leaderboard

METRICS = {
    "variant": "dcgan",
    "dataset": "digits",
    "samples": 500,
    "reference_samples": 1617,
    "feature_extractor": "domain-classifier-abc",
    "primary": {"name": "fid", "value": 1.25, "better": "lower"},
    "metrics": {"fid": 1.25, "kid": 0.0123, "precision": 0.7},
}


def test_report_is_one_self_contained_page(tmp_path):
    Image.new("L", (8, 8), 128).save(tmp_path / "samples.png")
    Image.new("RGB", (8, 8)).save(tmp_path / "loss_curve.png")
    (tmp_path / "progress.gif").write_bytes(gif_bytes([np.zeros((4, 4), np.uint8)] * 2))
    page = html_report(METRICS, {"steps": 6, "best_step": 3}, tmp_path, Image.new("L", (4, 4)))
    assert "<title>dcgan on digits</title>" in page and "domain-classifier-abc" in page
    assert "<th>kid</th><td>0.0123</td>" in page and "fid = 1.25 (lower is better)" in page
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 3
    assert len(re.findall(r'src="data:image/gif;base64,', page)) == 1
    assert not re.search(r'src="(?!data:)', page)  # nothing to fetch


def test_report_gives_each_metric_its_direction_meaning_and_the_champions_value(tmp_path):
    page = html_report(METRICS, {}, tmp_path, Image.new("L", (4, 4)), ("7", {"fid": 1.5}))
    assert "<th>champion v7</th>" in page
    assert "<th>fid</th><td>1.25</td><td>↓</td><td>1.5</td>" in page
    assert "<th>precision</th><td>0.7</td><td>↑</td><td></td>" in page  # not registered then
    assert "Fréchet distance" in page
    assert "champion" not in html_report(METRICS, {}, tmp_path, Image.new("L", (4, 4)))


def test_report_embeds_a_small_progress_gif(tmp_path):
    frames = [np.full((1000, 1000), i, np.uint8) for i in range(0, 250, 10)]  # 25 frames
    (tmp_path / "progress.gif").write_bytes(gif_bytes(frames))
    page = html_report(METRICS, {}, tmp_path, Image.new("L", (4, 4)))
    (encoded,) = re.findall(r'src="data:image/gif;base64,([^"]+)"', page)
    with Image.open(io.BytesIO(base64.b64decode(encoded))) as gif:
        assert gif.width == GIF_WIDTH and gif.n_frames == GIF_FRAMES


def test_every_metric_measured_has_a_meaning_and_primaries_their_direction():
    shipped = Path(__file__).resolve().parents[2] / "reference"
    names = {
        n for f in shipped.glob("*/metrics.json") for n in json.loads(f.read_text())["metrics"]
    }
    assert len(names) > 40, "the committed reference metrics are missing"
    assert all(describe(name)[1] for name in names), [n for n in names if not describe(n)[1]]
    arrows = {"lower": "↓", "higher": "↑"}
    assert {m: describe(m)[0] for m in DIRECTIONS} == {m: arrows[d] for m, d in DIRECTIONS.items()}


def test_report_skips_missing_pictures(tmp_path):
    page = html_report(METRICS, {}, tmp_path, Image.new("L", (4, 4)))
    assert page.count("<img") == 1


def test_leaderboard_keeps_the_latest_run_per_variant_and_dataset_best_first():
    runs = pd.DataFrame(
        {
            "run_name": ["gan-digits", "gan-digits", "dcgan-digits", "gan-ring8", "data"],
            "start_time": pd.to_datetime(
                ["2026-01-01", "2026-01-03", "2026-01-02", "2026-01-02", "2026-01-04"]
            ),
            "run_id": ["a", "b", "c", "d", "e"],
            "eval_fid": [9.0, 4.0, 1.0, 0.5, np.nan],
            "eval_kid": [0.9, 0.4, 0.1, 0.05, np.nan],
            "eval_intra_fid": [np.nan, np.nan, 2.0, np.nan, np.nan],
            "eval_intra_fid_class_3": [np.nan, np.nan, 2.5, np.nan, np.nan],
        }
    )
    board = leaderboard(runs)
    assert list(board["run_id"]) == ["c", "b", "d"]
    assert list(board.columns[:7]) == [
        "dataset",
        "variant",
        "primary_metric",
        "primary_value",
        "fid",
        "intra_fid",
        "kid",
    ]
    assert "intra_fid_class_3" not in board


def test_leaderboard_takes_what_a_run_evaluated_from_its_tags_before_its_name():
    runs = pd.DataFrame(
        {
            "run_name": ["evaluate", "evaluate", "gan-digits"],
            "start_time": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]),
            "run_id": ["a", "b", "c"],
            "variant": ["vae", None, None],
            "dataset": ["digits", None, None],
            "eval_fid": [5.0, 1.0, 3.0],
        }
    )
    board = leaderboard(runs)  # "b" says nothing of what it measured: left out
    assert list(board["run_id"]) == ["c", "a"] and list(board["variant"]) == ["gan", "vae"]
    assert leaderboard(runs.iloc[1:2].drop(columns=["variant", "dataset"])).empty


def test_leaderboard_orders_by_each_runs_primary_metric_in_its_direction():
    runs = pd.DataFrame(
        {
            "run_name": ["pix2pix-maps", "other-maps", "third-maps"],
            "start_time": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]),
            "run_id": ["a", "b", "c"],
            "primary_metric": ["psnr", "psnr", None],
            "eval_psnr": [20.0, 25.0, 30.0],
            "eval_fid": [1.0, 2.0, 0.5],
        }
    )
    board = leaderboard(runs)
    assert list(board["run_id"][:2]) == ["b", "a"]  # higher PSNR first
    assert board.set_index("run_id").loc["c", "primary_metric"] == "fid"


def test_report_shows_failure_modes_seen_in_training(tmp_path):
    failures = {"discriminator_wins": {"step": 144, "message": "the discriminator wins: ..."}}
    summary = {"failures": failures, "stopped_early": "discriminator_wins at step 144: ..."}
    page = html_report(METRICS, summary, tmp_path, Image.new("L", (4, 4)))
    assert "Failure modes seen in training" in page
    assert "<th>discriminator_wins</th><td>step 144: the discriminator wins" in page
    assert "No failure mode" in html_report(METRICS, {}, tmp_path, Image.new("L", (4, 4)))


def test_report_shows_a_semi_supervised_classifiers_accuracy(tmp_path):
    summary = {
        "classifier_test_accuracy": 0.8125,
        "labelled": 25,
        "labelled_per_class": {"0": 3, "1": 2},
    }
    page = html_report(METRICS, summary, tmp_path, Image.new("L", (4, 4)))
    assert "<th>classifier test accuracy</th><td>0.8125</td>" in page
    assert "<td>25 (0: 3, 1: 2)</td>" in page
    assert "classifier test accuracy" not in html_report(
        METRICS, {}, tmp_path, Image.new("L", (4, 4))
    )


def test_report_shows_a_variants_own_pictures_with_their_captions(tmp_path):
    from ganops.training.run import save_pictures

    picture, nearest = np.zeros((4, 4), np.uint8), Image.new("L", (4, 4))
    save_pictures({"latent_grid": ("The decoder over a grid", picture)}, tmp_path / "pictures")
    assert "The decoder over a grid" in html_report(METRICS, {}, tmp_path, nearest)
    save_pictures({}, tmp_path / "pictures")  # none: an empty list, the old ones gone
    assert sorted(p.name for p in (tmp_path / "pictures").iterdir()) == ["captions.json"]
    assert "The decoder over a grid" not in html_report(METRICS, {}, tmp_path, nearest)
