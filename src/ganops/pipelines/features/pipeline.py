from kedro.pipeline import Node, Pipeline

from ganops.pipelines.features.nodes import fit_feature_extractor


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                fit_feature_extractor,
                ["model_input", "params:evaluation", "feature_cache"],
                ["feature_extractor", "reference_features"],
                name="fit_feature_extractor",
            ),
        ]
    )
