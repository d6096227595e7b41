import numpy as np
import pandas as pd
import pytest

from ganops.errors import ConfigError
from ganops.evaluation.study import markdown, summarize
from ganops.pipelines.mixtures.nodes import mixtures_study
from tiny import TINY_MODELS, TINY_TRAIN

DATASETS = {
    "ring8": {
        "format": "mixture",
        "layout": "ring",
        "modes": 8,
        "n": 1000,
        "std": 0.02,
        "radius": 2.0,
    },
    "digits": {"format": "digits"},
}
TINY = {
    name: {"primary_metric": "fid", "model": TINY_MODELS[name], "train": TINY_TRAIN}
    for name in ("gan", "lsgan")
}


def test_summary_gives_mean_and_standard_error_per_group():
    runs = pd.DataFrame(
        {
            "dataset": ["ring8"] * 3 + ["grid25"],
            "variant": ["gan"] * 3 + ["gan"],
            "mixture_fit": [0.9, 0.7, 0.8, 0.5],
            "modes_covered": [8, 6, 7, 20],
            "high_quality": [0.9, 0.7, 0.8, 0.5],
            "kl_from_uniform": [0.0, 0.3, 0.6, 0.1],
            "seconds": [70.0, 72.0, 74.0, 90.0],
        }
    )
    table = summarize(runs)
    ring = table.iloc[0]
    assert list(table["dataset"]) == ["ring8", "grid25"] and ring["runs"] == 3
    assert ring["modes_covered_mean"] == pytest.approx(7)
    assert ring["modes_covered_se"] == pytest.approx(1 / np.sqrt(3))  # std 1 over sqrt(3)
    assert np.isnan(table.iloc[1]["high_quality_se"])  # one run: no standard error
    row = "| ring8 | gan | 0.8 ± 0.058 | 7 ± 0.58 | 0.8 ± 0.058 | 0.3 ± 0.17 | 72 ± 1.2 | 3 |"
    assert row in markdown(table)


def test_study_trains_every_variant_and_seed_and_summarizes(tmp_path):
    study = {"datasets": ["ring8"], "variants": ["gan", "lsgan"], "seeds": [0, 1], "samples": 300}
    table, runs, text, figure, logged = mixtures_study(study, DATASETS, {}, {}, tmp_path, **TINY)
    assert len(runs) == 4 and set(runs["seed"]) == {0, 1}
    assert (runs["modes_total"] == 8).all() and runs["high_quality"].between(0, 1).all()
    assert (runs["seconds"] > 0).all()
    assert list(table["variant"]) == ["gan", "lsgan"] and (table["runs"] == 2).all()
    assert "± " in text and len(figure.axes) == 2
    assert logged["ring8_gan_modes_covered_mean"]["value"] == table.iloc[0]["modes_covered_mean"]
    assert (tmp_path / "ring8" / "lsgan" / "seed-1" / "checkpoints").is_dir()


@pytest.mark.parametrize(
    ("study", "message"),
    [
        ({"variants": ["dcgan"]}, r"mixtures_study.variants: unknown \['dcgan'\]"),
        ({"datasets": ["digits"], "variants": ["gan"]}, "'digits' is not a 2-D Gaussian mixture"),
        ({"seeds": []}, "mixtures_study.seeds"),
    ],
)
def test_bad_study_parameters_are_named(study, message, tmp_path):
    with pytest.raises(ConfigError, match=message):
        mixtures_study(study, DATASETS, {}, {}, tmp_path, **TINY)
