"""The ablation study's node: cumulative rows x seeds, measured as the evaluation does."""

import pytest

from ganops.errors import ConfigError
from ganops.pipelines.ablation.nodes import Change, ablation_study, merged, settings
from tiny import TINY_MODELS, TINY_TRAIN

MODEL = TINY_MODELS["dcgan"] | {"stabilizers": {"minibatch_std": True}}
DCGAN = {"primary_metric": "fid", "model": MODEL, "train": TINY_TRAIN}
EVALUATION = {"samples": 300, "seed": 0, "kid_subsets": 10, "kid_subset_size": 100}
BOOK = {"name": "book", "model": {"stabilizers": {"minibatch_std": False}}}
STD = {"name": "+ minibatch std", "model": {"stabilizers": {"minibatch_std": True}}}


def test_nested_settings_merge_key_by_key():
    base = {"lr": 1, "stabilizers": {"ema": 0.0, "pack": 2}}
    assert merged(base, {"stabilizers": {"ema": 0.9}}) == {
        "lr": 1,
        "stabilizers": {"ema": 0.9, "pack": 2},
    }
    assert base["stabilizers"]["ema"] == 0.0  # not changed in place


def test_rows_accumulate_the_changes_above_them():
    rows = settings(
        [
            Change(**BOOK),
            Change(**STD),
            Change(name="+ ema", model={"stabilizers": {"ema": 0.9}}, train={"steps": 4}),
        ]
    )
    assert [name for name, _, _ in rows] == ["book", "+ minibatch std", "+ ema"]
    assert rows[0][1] == {"stabilizers": {"minibatch_std": False}}
    assert rows[2][1] == {"stabilizers": {"minibatch_std": True, "ema": 0.9}}
    assert rows[1][2] == {} and rows[2][2] == {"steps": 4}


def test_study_trains_every_row_and_seed_and_reports_fd_and_seconds(
    digits_input, digits_extractor, tmp_path
):
    extractor, reference = digits_extractor
    study = {"changes": [BOOK, STD], "seeds": [0, 1]}
    table, runs, text, logged = ablation_study(
        digits_input, extractor, reference, EVALUATION, study, tmp_path, dcgan=DCGAN
    )
    assert len(runs) == 4 and list(runs["change"].unique()) == ["book", "+ minibatch std"]
    assert (runs["value"] > 0).all() and (runs["seconds"] > 0).all()
    assert list(table["change"]) == ["book", "+ minibatch std"] and (table["runs"] == 2).all()
    assert "| + minibatch std | " in text and text.startswith("| change | fid | training seconds |")
    assert logged["01_value_mean"]["value"] == pytest.approx(table["value_mean"][1])
    assert (tmp_path / "01" / "seed-1" / "checkpoints").is_dir()
    again, _, _, _ = ablation_study(  # finished runs resume: same numbers, same seconds
        digits_input, extractor, reference, EVALUATION, study, tmp_path, dcgan=DCGAN
    )
    assert again.equals(table)


def test_a_study_that_does_not_end_at_the_shipped_settings_is_refused(
    digits_input, digits_extractor, tmp_path
):
    extractor, reference = digits_extractor
    study = {"changes": [BOOK], "seeds": [0]}
    with pytest.raises(ConfigError, match="last row's model settings differ from parameters_dcgan"):
        ablation_study(digits_input, extractor, reference, EVALUATION, study, tmp_path, dcgan=DCGAN)
    assert not any(tmp_path.iterdir())


def test_an_unknown_variant_is_refused(digits_input, digits_extractor, tmp_path):
    extractor, reference = digits_extractor
    study = {"variant": "dcgann", "changes": [STD]}
    with pytest.raises(ConfigError, match="ablation_study.variant: unknown 'dcgann'"):
        ablation_study(digits_input, extractor, reference, EVALUATION, study, tmp_path, dcgan=DCGAN)
