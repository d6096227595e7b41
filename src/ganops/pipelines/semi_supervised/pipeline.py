from kedro.pipeline import Node, Pipeline

from ganops.pipelines.semi_supervised.nodes import semi_supervised_study


def create_pipeline(**kwargs) -> Pipeline:
    """One node: the whole study (``kedro run --pipelines semi_supervised``)."""
    return Pipeline(
        [
            Node(
                semi_supervised_study,
                {
                    "model_input": "model_input",
                    "study": "params:semi_supervised_study",
                    "sgan": "params:sgan",
                    "folder": "semi_supervised_runs",
                },
                [
                    "semi_supervised_table",
                    "semi_supervised_runs_table",
                    "semi_supervised_markdown",
                    "semi_supervised_figure",
                    "semi_supervised_mlflow_metrics",
                ],
                name="semi_supervised_study",
            )
        ]
    )
