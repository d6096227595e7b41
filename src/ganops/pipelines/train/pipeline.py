from kedro.pipeline import Node, Pipeline

from ganops.pipelines.train.nodes import train
from ganops.variants import family


def create_pipeline(variant: str, **kwargs) -> Pipeline:
    """The training pipeline of one variant, namespaced by its name and
    tagged with its family."""
    template = Pipeline(
        [
            Node(
                train,
                [
                    "model_input",
                    "feature_extractor",
                    "reference_features",
                    "params:variant",
                    "params:primary_metric",
                    "params:model",
                    "params:train",
                    "params:points",
                    "checkpoints",
                    "reports",
                ],
                ["generator", "losses", "scores", "loss_curve", "train_summary"],
                name="train",
            ),
        ]
    )
    return Pipeline(
        template,
        namespace=variant,
        tags=family(variant),
        inputs={"model_input", "feature_extractor", "reference_features"},
        parameters={"params:points"},
    )
