import keras
import numpy as np
import pytest

from ganops.errors import ConfigError
from ganops.pipelines.semi_supervised.nodes import semi_supervised_study
from ganops.training.run import train_run
from ganops.variants import build_variant
from ganops.variants.base import DataSpec
from tiny import TINY_MODELS, TINY_TRAIN

SGAN = {"model": TINY_MODELS["sgan"], "train": TINY_TRAIN}


def test_study_trains_both_methods_per_count_and_seed_and_summarizes(digits_input, tmp_path):
    study = {
        "labelled": [10, 25],
        "seeds": [0, 1],
        "train": {"steps": 2, "checkpoint_every": 2, "sample_every": 2},
    }
    table, runs, text, figure, logged = semi_supervised_study(digits_input, study, SGAN, tmp_path)
    assert len(runs) == 8 and runs["accuracy"].between(0, 1).all()
    pairs = runs.groupby(["labelled", "seed"])["method"].apply(set)
    assert (pairs == {"sgan", "supervised"}).all() and len(pairs) == 4
    per_class = runs["per_class"].str.split("/").apply(lambda c: [int(n) for n in c])
    assert (per_class.apply(len) == 10).all()
    assert (per_class.apply(sum) == runs["labelled"]).all()
    assert runs.loc[runs["labelled"] == 25, "per_class"].iloc[0] == "3/3/3/3/3/2/2/2/2/2"
    assert list(table["labelled"]) == [10, 25] and (table["runs"] == 2).all()
    row = table.iloc[1]
    assert row["sgan_gain_mean"] == pytest.approx(
        row["sgan_accuracy_mean"] - row["supervised_accuracy_mean"]
    )
    assert "| 25 | 3/3/3/3/3/2/2/2/2/2 | " in text and "± " in text
    assert len(figure.axes) == 1 and len(figure.axes[0].lines) >= 2
    assert logged["sgan_25_accuracy_mean"]["value"] == row["sgan_accuracy_mean"]
    assert {"supervised_10_accuracy_se", "sgan_gain_10_mean"} <= logged.keys()
    assert (tmp_path / "labelled-25" / "seed-1" / "supervised" / "checkpoints").is_dir()


@pytest.mark.parametrize(
    ("labelled", "message"),
    [
        (5000, "5000 labelled examples need more than the 1617 of the training split"),
        (1610, r"1610 labelled examples need 161 of class \d, which has only \d+"),
    ],
)
def test_too_many_labelled_examples_fail_before_training(labelled, message, digits_input, tmp_path):
    study = {"labelled": [10, labelled], "seeds": [0]}
    with pytest.raises(ConfigError, match=f"semi_supervised_study.labelled: {message}"):
        semi_supervised_study(digits_input, study, SGAN, tmp_path)
    assert not any(tmp_path.iterdir())  # not even the runs that could train


def test_unlabelled_data_is_refused(digits_input, tmp_path):
    unlabelled = digits_input | {"meta": digits_input["meta"] | {"num_classes": 0}}
    with pytest.raises(ConfigError, match="'digits' has no classes to learn"):
        semi_supervised_study(unlabelled, {}, SGAN, tmp_path)


def test_the_baseline_trains_only_the_classifier(digits_input, tmp_path):
    model = TINY_MODELS["sgan"] | {"supervised_only": True}
    keras.utils.set_random_seed(TINY_TRAIN.get("seed", 0))
    initial = build_variant("sgan", model, DataSpec.from_meta(digits_input["meta"]))
    result = train_run(digits_input, "sgan", model, TINY_TRAIN, tmp_path / "c", tmp_path / "r")
    gan = result.gan
    assert [p.name for p in gan.players] == ["discriminator"]
    assert set(result.losses.columns) == {"step", "d_class_loss"}
    for before, after in zip(
        initial.generator.get_weights(), gan.generator.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(before, after)
    moved = [
        not np.array_equal(before, after)
        for before, after in zip(
            initial.classify.get_weights(), gan.classify.get_weights(), strict=True
        )
    ]
    assert any(moved)
    assert result.summary["labelled"] == 20 and 0 <= result.summary["classifier_test_accuracy"] <= 1
