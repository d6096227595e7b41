"""The reports published to reference/, the leaderboard table the DVC leaderboard plot draws,
and the offline page template."""

from __future__ import annotations

import json
import re

import pytest

from ganops.errors import DataError
from ganops.tracking.dvc_plots import (
    REFERENCE_FILES,
    latest_vega_lite_5,
    leaderboard_table,
    main,
    offline_page,
    read_metrics,
)


def evaluation(variant: str, dataset: str, primary: str, **metrics: float) -> dict:
    """A ``metrics.json`` document, as the evaluate pipeline writes it."""
    return {"variant": variant, "dataset": dataset, "primary": {"name": primary},
            "metrics": metrics}  # fmt: skip


def test_leaderboard_orders_each_dataset_best_first_in_its_metrics_direction():
    board = leaderboard_table([
        evaluation("gan", "digits", "fid", fid=3.0, precision=0.5),
        evaluation("wgan", "digits", "fid", fid=1.0, precision=0.7),
        evaluation("pix2pix", "photos", "psnr", psnr=20.0, fid=9.0),
        evaluation("srgan", "photos", "psnr", psnr=25.0, fid=12.0),
    ])  # fmt: skip
    assert board["variant"].tolist() == ["wgan", "gan", "srgan", "pix2pix"]
    assert board["primary_value"].tolist() == [1.0, 3.0, 25.0, 20.0]  # lower fid, higher psnr
    assert board["model"].tolist()[0] == "wgan (digits)"
    assert board.columns[:5].tolist() == ["dataset", "variant", "model", "primary_metric",
                                          "primary_value"]  # fmt: skip
    assert board["precision"].isna().tolist() == [False, False, True, True]


def test_leaderboard_cli_writes_the_table_from_a_reporting_folder(tmp_path, capsys):
    for doc in (
        evaluation("gan", "digits", "fid", fid=3.0),
        evaluation("vae", "digits", "fid", fid=2.0),
    ):
        (tmp_path / doc["variant"]).mkdir()
        (tmp_path / doc["variant"] / "metrics.json").write_text(json.dumps(doc))
    assert main(["leaderboard", str(tmp_path), str(tmp_path / "board.csv")]) == 0
    assert (tmp_path / "board.csv").read_text().splitlines()[1].startswith("digits,vae,")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no {folder}/*/metrics.json: evaluate a variant first"),
        ("{not json", "{folder}/gan/metrics.json: not JSON"),
        ('{"variant": "gan"}', "not an evaluation's metrics.json (no dataset, primary, metrics)"),
    ],
)
def test_bad_reporting_folder_is_one_clear_line(tmp_path, capsys, content, message):
    if content is not None:
        (tmp_path / "gan").mkdir()
        (tmp_path / "gan" / "metrics.json").write_text(content)
    with pytest.raises(DataError, match=re.escape(message.format(folder=tmp_path))):
        read_metrics(tmp_path)
    assert main(["leaderboard", str(tmp_path), str(tmp_path / "board.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ganops: ") and err.count("\n") == 1
    assert message.format(folder=tmp_path) in err
    assert not (tmp_path / "board.csv").exists()


def write_reports(folder, **metrics: float) -> None:
    """A variant's reports, as its train and evaluate stages write them."""
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps(evaluation("gan", "digits", "fid", **metrics)))
    (folder / "train_summary.json").write_text('{"steps": 6}')
    (folder / "losses.csv").write_text("step,d_loss,g_loss\n0,1.0,2.0\n")
    (folder / "scores.csv").write_text("step,fid\n0,3.0\n")


def test_publish_copies_the_reports_and_replaces_the_previous_ones(tmp_path):
    reports, reference = tmp_path / "data/08_reporting/gan", tmp_path / "reference/gan"
    write_reports(reports, fid=3.0)
    assert main(["publish", str(reports), str(reference)]) == 0
    assert sorted(p.name for p in reference.iterdir()) == sorted(REFERENCE_FILES)
    assert all((reference / n).read_bytes() == (reports / n).read_bytes() for n in REFERENCE_FILES)
    (reports / "metrics.json").write_text(json.dumps(evaluation("gan", "digits", "fid", fid=1.0)))
    assert main(["publish", str(reports), str(reference)]) == 0
    assert json.loads((reference / "metrics.json").read_text())["metrics"] == {"fid": 1.0}


@pytest.mark.parametrize(
    ("broken", "content", "message"),
    [
        ("metrics.json", "{not json", "metrics.json: not JSON"),
        ("train_summary.json", None, "train_summary.json: cannot read it"),
        ("scores.csv", None, "scores.csv: missing; train the variant first (dvc repro)"),
    ],
)
def test_publish_refuses_a_missing_or_broken_report_and_copies_nothing(
    tmp_path, capsys, broken, content, message
):
    reports, reference = tmp_path / "reports", tmp_path / "reference"
    write_reports(reports, fid=3.0)
    if content is None:
        (reports / broken).unlink()
    else:
        (reports / broken).write_text(content)
    assert main(["publish", str(reports), str(reference)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ganops: ") and err.count("\n") == 1 and message in err, err
    assert not reference.exists()


@pytest.mark.parametrize(
    "argv", [[], ["template"], ["leaderboard", "data"], ["publish", "data"], ["plot", "x"]]
)
def test_bad_arguments_print_the_usage(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("usage: python -m ganops.tracking.dvc_plots")


def test_offline_page_inlines_the_bundle_and_leaves_out_dvcs_cdn_scripts():
    page = offline_page("window.vega = 1; '</script>';")
    assert "{plot_divs}" in page and "{refresh_tag}" in page and "{scripts}" not in page
    assert "window.vega = 1; '<\\/script>';" in page and "src=" not in page


def test_latest_vega_lite_5_is_the_newest_5_release():
    assert latest_vega_lite_5(["5.8", "5.21", "5.3", "6.4"]) == "5.21"
    with pytest.raises(DataError, match="no Vega-Lite 5"):
        latest_vega_lite_5(["6.1"])
