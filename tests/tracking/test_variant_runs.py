"""The hooks that give each variant of a several-variant `kedro run` its own MLflow run, driven
in the order Kedro and kedro-mlflow call them (the e2e retrain checks them through `kedro
run`)."""

from __future__ import annotations

import mlflow
from kedro.pipeline import node, pipeline

from ganops.hooks import VariantRuns, flat
from stores import use_mlflow_store


def identity(x):
    return x


def variants_pipeline(*names: str):
    nodes = [node(identity, "model_input", "features", name="features")]
    nodes += [
        node(identity, "features", f"{v}.generator", name="train", namespace=v) for v in names
    ]
    return pipeline(nodes)


def run_node(hooks: VariantRuns, name: str, inputs: dict) -> str:
    """Before a node, as Kedro calls the hooks: ``Leave`` first, kedro-mlflow's reopening of
    the session's run, then ``VariantRuns``; the id of the run the node then writes to."""
    hooks.leave.before_node_run()
    assert mlflow.active_run() is not None  # the session's run, which kedro-mlflow keeps open
    namespace, _, short = name.rpartition(".")
    hooks.before_node_run(node(identity, "x", "y", name=short, namespace=namespace or None), inputs)
    return mlflow.active_run().info.run_id


def test_each_variant_gets_one_nested_run_and_the_session_gets_the_rest(tmp_path):
    use_mlflow_store(tmp_path)
    hooks = VariantRuns()
    with mlflow.start_run(run_name="all") as session:
        hooks.before_pipeline_run(variants_pipeline("gan", "dcgan"))
        assert run_node(hooks, "features", {}) == session.info.run_id
        gan = run_node(hooks, "gan.train", {"params:gan.train": {"steps": 3, "opt": {"lr": 1}}})
        dcgan = run_node(hooks, "dcgan.train", {"params:dcgan.train": {"steps": 4}})
        assert run_node(hooks, "gan.evaluate", {}) == gan  # the variant's run, resumed
        mlflow.log_metric("eval_fid", 1.5)
        hooks.leave.after_pipeline_run()
        assert mlflow.active_run().info.run_id == session.info.run_id
    client = mlflow.tracking.MlflowClient()
    assert len({session.info.run_id, gan, dcgan}) == 3
    for run_id, variant in ((gan, "gan"), (dcgan, "dcgan")):
        run = client.get_run(run_id)
        assert run.data.tags["mlflow.parentRunId"] == session.info.run_id
        assert run.data.tags["variant"] == variant and run.info.status == "FINISHED"
    assert client.get_run(gan).data.params == {"gan.train.steps": "3", "gan.train.opt.lr": "1"}
    assert client.get_run(gan).data.metrics == {"eval_fid": 1.5}
    assert client.get_run(session.info.run_id).data.metrics == {}


def test_a_run_of_one_variant_stays_in_the_session_run(tmp_path):
    use_mlflow_store(tmp_path)
    hooks = VariantRuns()
    with mlflow.start_run() as session:
        hooks.before_pipeline_run(variants_pipeline("dcgan"))
        assert run_node(hooks, "dcgan.train", {"params:dcgan.train": {}}) == session.info.run_id
        hooks.leave.after_pipeline_run()


def test_parameters_flatten_as_kedro_mlflow_names_them():
    assert flat({"a": {"b": {"c": 1}, "d": [1, 2]}, "e": "x"}) == {
        "a.b.c": "1",
        "a.d": "[1, 2]",
        "e": "x",
    }
