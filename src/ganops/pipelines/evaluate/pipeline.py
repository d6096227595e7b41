from kedro.pipeline import Node, Pipeline

from ganops.pipelines.evaluate.nodes import evaluate_generator, report
from ganops.variants import family


def create_pipeline(variant: str, **kwargs) -> Pipeline:
    """The evaluation pipeline of one variant, namespaced by its name and
    tagged with its family."""
    template = Pipeline(
        [
            Node(
                evaluate_generator,
                [
                    "generator",
                    "model_input",
                    "feature_extractor",
                    "reference_features",
                    "params:evaluation",
                    "params:variant",
                    "params:primary_metric",
                    "params:points",
                    "train_summary",
                ],
                ["metrics", "mlflow_metrics", "evaluation_picture"],
                name="evaluate",
            ),
            Node(
                report,
                ["metrics", "train_summary", "reports", "evaluation_picture"],
                "report",
                name="report",
            ),
        ]
    )
    return Pipeline(
        template,
        namespace=variant,
        tags=family(variant),
        inputs={"model_input", "feature_extractor", "reference_features"},
        parameters={"params:evaluation", "params:points"},
    )
