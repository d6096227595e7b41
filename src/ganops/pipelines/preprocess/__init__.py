from ganops.pipelines.preprocess.pipeline import create_pipeline

__all__ = ["create_pipeline"]
