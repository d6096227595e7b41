from kedro.pipeline import Node, Pipeline

from ganops.pipelines.ablation.nodes import ablation_study
from ganops.variants import VARIANTS


def create_pipeline(**kwargs) -> Pipeline:
    """One node: the whole study (``kedro run --pipelines ablation``)."""
    inputs = {
        "model_input": "model_input",
        "feature_extractor": "feature_extractor",
        "reference_features": "reference_features",
        "evaluation": "params:evaluation",
        "study": "params:ablation_study",
        "folder": "ablation_runs",
    } | {name: f"params:{name}" for name in VARIANTS}
    return Pipeline(
        [
            Node(
                ablation_study,
                inputs,
                [
                    "ablation_table",
                    "ablation_runs_table",
                    "ablation_markdown",
                    "ablation_mlflow_metrics",
                ],
                name="ablation_study",
            )
        ]
    )
