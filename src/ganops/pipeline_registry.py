"""Project pipelines.

``__default__``: ingest -> preprocess -> features -> train, evaluate, register DCGAN.
``data``: ingest + preprocess.  ``features``: the dataset's feature extractor.
``prepare``: data + features (what training a variant on a new dataset needs first).
``train`` / ``evaluate`` / ``register``: every variant, each in its own namespace: select
them with ``--namespaces <variant>``. A run refuses, before any node, variants that cannot
train on its dataset (the translation variants on the digits: ``ParameterCheck``).
``sampling``: data + features + train, evaluate, register every variant that draws samples
from noise (not the translation variants), on the run's dataset (the digits by default);
``--namespaces`` and ``--tags <family>`` narrow it.
``<variant>`` (e.g. ``pix2pix``): data + features + train, evaluate, register that variant;
the translation variants run so on their own datasets
(``kedro run --pipelines pix2pix --params dataset=photos_color``).
``failure_modes``: the book's mode-collapse and convergence-failure experiments, measured.
``retrain``: the scheduled job for every variant of the default dataset but those
experiments (cron-safe; a no-op when nothing changed); paired variants retrain through their
own pipeline, with their dataset.
``compare``: a leaderboard of every variant and dataset evaluated so far (from MLflow).
``mixtures``: the mixtures study (variants x ring8/grid25 x seeds: mode coverage).
``ablation``: data + features + what each change from the book's DCGAN to the default buys
(cumulative rows x seeds: FD and training seconds).
``semi_supervised``: data + SGAN's classifier vs the same one on its labelled examples alone
(labelled counts x seeds: held-out accuracy).
"""

from __future__ import annotations

from kedro.pipeline import Pipeline

from ganops.pipelines import (
    ablation,
    compare,
    evaluate,
    features,
    ingest,
    mixtures,
    preprocess,
    register,
    semi_supervised,
    train,
)
from ganops.variants import EXPERIMENTS, TRANSLATION, VARIANTS

DEFAULT_VARIANT = "dcgan"


def register_pipelines() -> dict[str, Pipeline]:
    data = ingest.create_pipeline() + preprocess.create_pipeline()
    extractor = features.create_pipeline()
    trained = {name: train.create_pipeline(name) for name in VARIANTS}
    evaluated = {name: evaluate.create_pipeline(name) for name in VARIANTS}
    registered = {name: register.create_pipeline(name) for name in VARIANTS}
    training = sum(trained.values(), Pipeline([]))
    evaluation = sum(evaluated.values(), Pipeline([]))
    registration = sum(registered.values(), Pipeline([]))
    chains = {name: trained[name] + evaluated[name] + registered[name] for name in VARIANTS}
    sampling = [n for n in VARIANTS if n not in TRANSLATION]  # the default dataset's variants
    production = sum((chains[n] for n in sampling if n not in EXPERIMENTS), Pipeline([]))
    experiments = sum((trained[n] + evaluated[n] for n in EXPERIMENTS), Pipeline([]))
    samplers = sum((chains[n] for n in sampling), Pipeline([]))
    return {
        **{name: data + extractor + chains[name] for name in VARIANTS},
        "__default__": data + extractor + chains[DEFAULT_VARIANT],
        "ingest": ingest.create_pipeline(),
        "preprocess": preprocess.create_pipeline(),
        "data": data,
        "features": extractor,
        "prepare": data + extractor,
        "train": training,
        "evaluate": evaluation,
        "register": registration,
        "sampling": data + extractor + samplers,
        "failure_modes": data + extractor + experiments,
        # Scheduled retraining: the whole chain. Unchanged data and parameters resume the
        # finished runs and register nothing; changes retrain and go through the gate.
        "retrain": data + extractor + production,
        "compare": compare.create_pipeline(),
        "mixtures": mixtures.create_pipeline(),
        "semi_supervised": data + semi_supervised.create_pipeline(),
        "ablation": data + extractor + ablation.create_pipeline(),
    }
