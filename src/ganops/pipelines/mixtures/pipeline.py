from kedro.pipeline import Node, Pipeline

from ganops.pipelines.mixtures.nodes import mixtures_study
from ganops.variants import EXPERIMENTS, VARIANTS


def create_pipeline(**kwargs) -> Pipeline:
    """One node: the whole study (``kedro run --pipelines mixtures``)."""
    points = [n for n, m in VARIANTS.items() if "points" in m.DATA_KINDS and n not in EXPERIMENTS]
    inputs = {
        "study": "params:mixtures_study",
        "datasets": "params:datasets",
        "preprocess": "params:preprocess",
        "points": "params:points",
        "folder": "mixtures_runs",
    } | {name: f"params:{name}" for name in points}
    return Pipeline(
        [
            Node(
                mixtures_study,
                inputs,
                [
                    "mixtures_table",
                    "mixtures_runs_table",
                    "mixtures_markdown",
                    "mixtures_figure",
                    "mixtures_mlflow_metrics",
                ],
                name="mixtures_study",
            )
        ]
    )
