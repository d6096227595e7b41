"""Project pipelines.

``__default__``: ingest -> preprocess -> train the default variant (DCGAN).
``data``: ingest + preprocess.  ``train``: every variant, each in its own namespace.
``all``: data + train.  Select one variant with ``--namespaces <variant>``.
"""

from __future__ import annotations

from kedro.pipeline import Pipeline

from ganops.pipelines import ingest, preprocess, train
from ganops.variants import VARIANTS

DEFAULT_VARIANT = "dcgan"


def register_pipelines() -> dict[str, Pipeline]:
    data = ingest.create_pipeline() + preprocess.create_pipeline()
    per_variant = {name: train.create_pipeline(name) for name in VARIANTS}
    training = sum(per_variant.values(), Pipeline([]))
    return {
        "__default__": data + per_variant[DEFAULT_VARIANT],
        "ingest": ingest.create_pipeline(),
        "preprocess": preprocess.create_pipeline(),
        "data": data,
        "train": training,
        "all": data + training,
    }
