from ganops.pipelines.semi_supervised.pipeline import create_pipeline

__all__ = ["create_pipeline"]
