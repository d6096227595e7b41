from ganops.pipelines.compare.pipeline import create_pipeline

__all__ = ["create_pipeline"]
