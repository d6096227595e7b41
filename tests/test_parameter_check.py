"""Every selected variant's data kind and parameters are checked before any node runs."""

import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.io.core import DatasetNotFoundError

from ganops.errors import ConfigError
from ganops.hooks import ParameterCheck, check_data_kinds
from ganops.pipeline_registry import register_pipelines
from ganops.pipelines.train.pipeline import create_pipeline


def catalog(**params) -> DataCatalog:
    return DataCatalog({f"params:{key}": MemoryDataset(value) for key, value in params.items()})


def test_a_typo_in_a_later_variant_is_named_before_the_first_trains():
    both = create_pipeline("gan") + create_pipeline("wgan")
    given = {"gan.model": {}, "gan.train": {}, "wgan.model": {}}
    typo = catalog(**given, **{"wgan.train": {"stepz": 4}})
    with pytest.raises(ConfigError, match=r"wgan.train.stepz: Extra inputs are not permitted"):
        ParameterCheck().before_pipeline_run(both, typo)
    bad_model = catalog(**{"gan.model": {"latent_dimm": 3}, "gan.train": {}})
    with pytest.raises(ConfigError, match=r"gan.model.latent_dimm: Extra inputs"):
        ParameterCheck().before_pipeline_run(create_pipeline("gan"), bad_model)
    ParameterCheck().before_pipeline_run(both, catalog(**given, **{"wgan.train": {"steps": 4}}))


DATASETS = {
    "digits": {"format": "digits"},
    "ring8": {"format": "mixture", "layout": "ring", "modes": 8, "std": 0.02, "radius": 2.0},
    "photos_color": {"format": "photos", "pairs": {"task": "colorize", "size": 32}},
    "mnist5k_m": {"format": "digits_m", "digits": "mnist5k"},
}


@pytest.mark.parametrize(
    ("dataset", "variants", "refused"),
    [
        ("digits", ["gan", "pix2pix", "cyclegan"], "pix2pix, cyclegan"),
        ("ring8", ["gan", "dcgan", "wgan"], "dcgan"),
        ("photos_color", ["pix2pix", "srgan", "cyclegan"], "cyclegan"),
        ("mnist5k_m", ["cyclegan", "discogan", "pix2pix", "dcgan"], "pix2pix, dcgan"),
    ],
)
def test_variants_that_cannot_take_the_dataset_are_named(dataset, variants, refused):
    with pytest.raises(ConfigError, match=f"^dataset '{dataset}' holds .*, which {refused} cannot"):
        check_data_kinds(variants, dataset, DATASETS)
    taking = [v for v in variants if v not in refused.split(", ")]
    check_data_kinds(taking, dataset, DATASETS)  # the others pass


def test_every_variant_on_the_digits_is_refused_before_any_node_runs():
    """`kedro run --pipelines train` without --namespaces: one line, what to run instead."""
    pipelines = register_pipelines()
    run = catalog(dataset="digits", datasets=DATASETS)
    with pytest.raises(ConfigError) as refused:
        ParameterCheck().before_pipeline_run(pipelines["train"], run)
    message = str(refused.value)
    assert message.startswith(
        "dataset 'digits' holds images, which pix2pix, srgan, srresnet, context_encoder, "
        "cyclegan, discogan, cartoongan cannot train on: select the variants that take images "
        "with --namespaces (or run --pipelines sampling"
    )
    assert "e.g. kedro run --pipelines pix2pix --params dataset=photos_color" in message
    assert "\n" not in message
    photos = catalog(dataset="photos_color", datasets=DATASETS, **{"pix2pix.model": {}})
    with pytest.raises(DatasetNotFoundError):  # the kinds agree: on to the parameters
        ParameterCheck().before_pipeline_run(pipelines["pix2pix"], photos)
    with pytest.raises(ConfigError, match="unknown dataset 'nope'; known: digits, "):
        ParameterCheck().before_pipeline_run(
            pipelines["pix2pix"], catalog(dataset="nope", datasets=DATASETS)
        )
