"""Every selected variant's parameters are checked before any node runs."""

import pytest
from kedro.io import DataCatalog, MemoryDataset

from ganops.errors import ConfigError
from ganops.hooks import ParameterCheck
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
