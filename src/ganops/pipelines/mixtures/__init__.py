from ganops.pipelines.mixtures.pipeline import create_pipeline

__all__ = ["create_pipeline"]
