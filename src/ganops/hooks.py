"""Project hooks: check the MLflow tracking store before kedro-mlflow starts a run, go on
without it should a tracking server stop answering during the run, and give each variant of
a run that trains several its own MLflow run."""

from __future__ import annotations

import os

import mlflow
from kedro.framework.hooks import hook_impl
from mlflow.utils.validation import MAX_PARAM_VAL_LENGTH

from ganops.tracking.guard import GUARD
from ganops.tracking.server import check_tracking_uri

MLFLOW_PATTERNS = ["mlflow*", "mlflow*/**", "**/mlflow*"]  # the ones kedro-mlflow registers


class TrackingCheck:
    """Fail fast, with one clear message, when the tracking server or database is missing;
    keep the run going when a server goes away in the middle (``tracking.guard``)."""

    @hook_impl(tryfirst=True)  # before kedro-mlflow's own hook, which fails deep in retries
    def after_context_created(self, context) -> None:
        patterns = context.config_loader.config_patterns
        patterns.setdefault("mlflow", MLFLOW_PATTERNS)
        server = context.config_loader["mlflow"].get("server", {})
        uri = server.get("mlflow_tracking_uri") or os.environ.get("MLFLOW_TRACKING_URI")
        registry = server.get("mlflow_registry_uri") or os.environ.get("MLFLOW_REGISTRY_URI")
        for store in dict.fromkeys(u for u in (uri, registry) if u):
            check_tracking_uri(store, context.project_path)
        GUARD.watch(uri)

    @hook_impl
    def before_pipeline_run(self, catalog) -> None:
        GUARD.catalog = catalog

    @hook_impl(tryfirst=True)  # before kedro-mlflow reopens the run and logs the parameters
    def before_node_run(self, node) -> None:
        GUARD.tracking(f"before node {node.name}")

    @hook_impl(tryfirst=True)  # before the node's outputs are saved (kedro-mlflow logs them)
    def after_node_run(self, node) -> None:
        GUARD.tracking(f"during node {node.name}")

    @hook_impl(tryfirst=True)  # before kedro-mlflow ends the run on the server
    def after_pipeline_run(self) -> None:
        GUARD.check()


class ParameterCheck:
    """Before any node runs: every selected variant takes the run's dataset (a translation
    variant on the digits, or a DCGAN on 2-D points, is one line at once), and its ``model``
    and ``train`` parameters are valid (a typo in the last variant of ``--pipelines sampling``
    is one line at once, not after hours of training the others; the nodes validate again,
    with the data's overrides)."""

    @hook_impl
    def before_pipeline_run(self, pipeline, catalog) -> None:
        from ganops.config import validate  # the variants import TensorFlow: when a run starts
        from ganops.training.config import TrainConfig
        from ganops.variants import VARIANTS, get_variant

        namespaces = {node.namespace for node in pipeline.nodes}
        chosen = [name for name in VARIANTS if name in namespaces]  # pix2pix before cartoongan
        if chosen and {"params:dataset", "params:datasets"} <= set(catalog.keys()):
            check_data_kinds(
                chosen, catalog.load("params:dataset"), catalog.load("params:datasets")
            )
        given = pipeline.inputs()
        for name in sorted(VARIANTS):
            if f"params:{name}.model" in given:
                model = catalog.load(f"params:{name}.model")
                validate(get_variant(name).Config, model, f"{name}.model")
            if f"params:{name}.train" in given:
                validate(TrainConfig, catalog.load(f"params:{name}.train"), f"{name}.train")


def check_data_kinds(variants: list[str], dataset: str, datasets: dict) -> None:
    """Raise ``ConfigError`` naming the ``variants`` that cannot train on ``dataset`` (an
    entry of ``datasets``: its kind is known before it is loaded), with what to run instead."""
    from ganops.data.sources import dataset_kind, select_dataset
    from ganops.errors import ConfigError
    from ganops.variants import HINTS, TRANSLATION, get_variant

    kind = dataset_kind(select_dataset(dataset, datasets))
    refused = [name for name in variants if kind not in get_variant(name).DATA_KINDS]
    if not refused:
        return
    others = "--namespaces"
    if kind == "images" and set(refused) <= set(TRANSLATION):
        others += " (or run --pipelines sampling: every variant that takes images)"
    first = get_variant(refused[0]).DATA_KINDS[0]
    example = (
        f", e.g. kedro run --pipelines {refused[0]} --params dataset={HINTS[first]}"
        if first in HINTS
        else ""
    )
    raise ConfigError(
        f"dataset {dataset!r} holds {kind}, which {', '.join(refused)} cannot train on: "
        f"select the variants that take {kind} with {others}, and train the others on a "
        f"dataset of their kind{example} (ganops variants: what each takes, and its dataset)"
    )


class VariantRuns:
    """A ``kedro run`` that trains several variants (``--pipelines sampling``, ``retrain``) gives
    each its own MLflow run, nested in the session's, named by its training
    (``<variant>-<dataset>``): its parameters, losses, artifacts, evaluation and registration
    note, as a one-variant ``kedro run`` has in the session's run itself.

    kedro-mlflow reopens the session's run before every node and logs the node's parameters
    there; this hook then enters the node's variant run (``trylast``), and ``Leave`` returns
    to the session's run before the next node (``tryfirst``), after the node's outputs were
    saved into the variant's run.
    """

    def __init__(self) -> None:
        self.variants: set[str] = set()
        self.runs: dict[str, str] = {}  # variant -> its MLflow run's id
        self.leave = Leave(self)

    @hook_impl
    def before_pipeline_run(self, pipeline) -> None:
        from ganops.variants import VARIANTS

        trained = {node.namespace for node in pipeline.nodes if node.namespace in VARIANTS}
        self.variants, self.runs = trained if len(trained) > 1 else set(), {}

    @hook_impl(trylast=True)
    def before_node_run(self, node, inputs) -> None:
        variant = node.namespace
        # (TrackingCheck has asked the server already, first thing before this node)
        if variant not in self.variants or mlflow.active_run() is None or GUARD.lost_at:
            return
        first = variant not in self.runs
        run = mlflow.start_run(
            run_id=self.runs.get(variant), run_name=variant if first else None, nested=True
        )
        self.runs[variant] = run.info.run_id
        if first:
            mlflow.set_tag("variant", variant)
        params = {
            k.removeprefix("params:"): v for k, v in inputs.items() if k.startswith("params:")
        }
        mlflow.log_params(flat(params))

    def exit(self) -> None:
        """Back to the session's run (the variant's run ends, finished, until its next node)."""
        active = mlflow.active_run()
        if active and active.info.run_id in self.runs.values() and GUARD.lost_at is None:
            mlflow.end_run()


class Leave:
    """``VariantRuns``' way back to the session's run, first thing before each node and at
    the end (before kedro-mlflow reopens or ends the session's run)."""

    def __init__(self, runs: VariantRuns) -> None:
        self.runs = runs

    @hook_impl(tryfirst=True)
    def before_node_run(self) -> None:
        self.runs.exit()

    @hook_impl(tryfirst=True)
    def after_pipeline_run(self) -> None:
        self.runs.exit()


def flat(params: dict, prefix: str = "") -> dict[str, str]:
    """Nested parameters as MLflow's flat ``a.b.c`` names (as kedro-mlflow logs them)."""
    out = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        leaf = {name: str(value)[:MAX_PARAM_VAL_LENGTH]}
        out |= flat(value, f"{name}.") if isinstance(value, dict) else leaf
    return out
