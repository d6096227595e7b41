from kedro.pipeline import Node, Pipeline

from ganops.pipelines.register.nodes import register_generator
from ganops.variants import family


def create_pipeline(variant: str, **kwargs) -> Pipeline:
    """The registration pipeline of one variant, namespaced by its name and
    tagged with its family."""
    template = Pipeline(
        [
            Node(
                register_generator,
                [
                    "generator",
                    "metrics",
                    "train_summary",
                    "model_input",
                    "feature_extractor",
                    "reference_features",
                    "params:evaluation",
                ],
                "registration",
                name="register",
            ),
        ]
    )
    return Pipeline(
        template,
        namespace=variant,
        tags=family(variant),
        inputs={"model_input", "feature_extractor", "reference_features"},
        parameters={"params:evaluation": "params:evaluation"},
    )
