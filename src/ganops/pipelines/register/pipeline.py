from kedro.pipeline import Node, Pipeline

from ganops.pipelines.register.nodes import register_generator


def create_pipeline(variant: str, **kwargs) -> Pipeline:
    """The registration pipeline of one variant, namespaced by its name."""
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
        inputs={"model_input", "feature_extractor", "reference_features"},
        parameters={"params:evaluation": "params:evaluation"},
    )
