"""Project pipelines.

``__default__``: ingest -> preprocess -> features -> train and evaluate DCGAN.
``data``: ingest + preprocess.  ``features``: the dataset's feature extractor.
``train`` / ``evaluate``: every variant, each in its own namespace.
``all``: everything.  Select variants with ``--namespaces <variant>``.
``compare``: a leaderboard of every variant and dataset evaluated so far (from MLflow).
"""

from __future__ import annotations

from kedro.pipeline import Pipeline

from ganops.pipelines import compare, evaluate, features, ingest, preprocess, train
from ganops.variants import VARIANTS

DEFAULT_VARIANT = "dcgan"


def register_pipelines() -> dict[str, Pipeline]:
    data = ingest.create_pipeline() + preprocess.create_pipeline()
    extractor = features.create_pipeline()
    trained = {name: train.create_pipeline(name) for name in VARIANTS}
    evaluated = {name: evaluate.create_pipeline(name) for name in VARIANTS}
    training = sum(trained.values(), Pipeline([]))
    evaluation = sum(evaluated.values(), Pipeline([]))
    return {
        "__default__": data + extractor + trained[DEFAULT_VARIANT] + evaluated[DEFAULT_VARIANT],
        "ingest": ingest.create_pipeline(),
        "preprocess": preprocess.create_pipeline(),
        "data": data,
        "features": extractor,
        "train": training,
        "evaluate": evaluation,
        "all": data + extractor + training + evaluation,
        "compare": compare.create_pipeline(),
    }
