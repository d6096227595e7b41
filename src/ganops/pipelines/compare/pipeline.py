from kedro.pipeline import Node, Pipeline

from ganops.pipelines.compare.nodes import compare


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([Node(compare, None, ["leaderboard", "leaderboard_page"], name="compare")])
