from kedro.pipeline import Node, Pipeline

from ganops.pipelines.ingest.nodes import ingest_dataset


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                ingest_dataset,
                ["params:dataset", "params:datasets"],
                "raw_data",
                name="ingest_dataset",
            ),
        ]
    )
