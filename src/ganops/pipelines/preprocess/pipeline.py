from kedro.pipeline import Node, Pipeline

from ganops.pipelines.preprocess.nodes import dataset_card, preprocess


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(preprocess, ["raw_data", "params:preprocess"], "model_input", name="preprocess"),
            Node(
                dataset_card,
                "model_input",
                ["dataset_card", "dataset_samples"],
                name="dataset_card",
            ),
        ]
    )
