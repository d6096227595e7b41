import numpy as np
import pytest

from ganops.errors import ConfigError
from ganops.pipeline_registry import register_pipelines
from ganops.pipelines.ingest.nodes import ingest_dataset
from ganops.pipelines.preprocess.nodes import dataset_card
from ganops.variants import EXPERIMENTS, TRANSLATION, VARIANTS


def test_registry_namespaces_every_variant_and_defaults_to_dcgan():
    pipes = register_pipelines()
    assert {
        "__default__",
        "data",
        "features",
        "train",
        "evaluate",
        "register",
        "sampling",
        "compare",
        "retrain",
        "prepare",
        "failure_modes",
        "ablation",
    } <= pipes.keys()
    experiments = {n.name for n in pipes["sampling"].nodes if n.namespace in EXPERIMENTS}
    assert {n.name for n in pipes["retrain"].nodes} == {n.name for n in pipes["sampling"].nodes} - (
        experiments
    )
    sampling = {n.namespace for n in pipes["sampling"].nodes} - {None}  # not data, features
    assert sampling == set(VARIANTS) - set(TRANSLATION)  # those have datasets of their own
    for variant in VARIANTS:  # data, features and one variant's chain
        assert {n.namespace for n in pipes[variant].nodes} == {None, variant}
    assert {n.namespace for n in pipes["failure_modes"].nodes} >= set(EXPERIMENTS)
    assert not any(n.name.endswith("register") for n in pipes["failure_modes"].nodes)
    default = {n.name for n in pipes["__default__"].nodes}
    assert default == {
        "ingest_dataset",
        "preprocess",
        "dataset_card",
        "fit_feature_extractor",
        "dcgan.train",
        "dcgan.evaluate",
        "dcgan.report",
        "dcgan.register",
    }
    train = pipes["train"]
    assert {n.namespace for n in train.nodes} == set(VARIANTS)
    assert train.inputs() == {
        "model_input",
        "feature_extractor",
        "reference_features",
        "params:points",  # one for every variant, not namespaced
        *(
            f"params:{v}.{k}"
            for v in VARIANTS
            for k in ("variant", "primary_metric", "model", "train")
        ),
        *(f"{v}.{k}" for v in VARIANTS for k in ("checkpoints", "reports")),
    }
    assert "gan.generator" in pipes["train"].only_nodes_with_namespaces(["gan"]).outputs()


def test_ingest_refuses_unknown_dataset_listing_the_known():
    with pytest.raises(ConfigError, match="unknown dataset 'nope'; known: digits, ring8"):
        ingest_dataset("nope", {"digits": {"format": "digits"}, "ring8": {"format": "digits"}})


def test_ingest_node_reads_the_named_source():
    raw = ingest_dataset(
        "ring8",
        {
            "ring8": {
                "format": "mixture",
                "layout": "ring",
                "modes": 8,
                "radius": 2.0,
                "std": 0.02,
                "n": 80,
            }
        },
    )
    assert raw["x"].shape == (80, 2) and raw["meta"]["dataset"] == "ring8"


def test_dataset_card_counts_classes_and_draws_samples(digits_input, ring_input):
    card, picture = dataset_card(digits_input)
    assert sum(card["class_histogram"].values()) == card["n_train"] == len(digits_input["x_train"])
    assert card["sample_shape"] == [16, 16, 1] and card["num_classes"] == 10
    assert picture.size[0] > 100
    card, picture = dataset_card(ring_input)
    assert card["kind"] == "points" and card["class_histogram"]
    assert np.asarray(picture).ndim == 3


def test_every_variant_is_evaluated_against_the_shared_extractor_and_parameters():
    evaluation = register_pipelines()["evaluate"]
    assert {n.namespace for n in evaluation.nodes} == set(VARIANTS)
    assert {"feature_extractor", "reference_features", "params:evaluation", "model_input"} <= (
        evaluation.inputs()
    )
    assert {f"{v}.generator" for v in VARIANTS} <= evaluation.inputs()
