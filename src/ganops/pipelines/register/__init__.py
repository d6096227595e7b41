from ganops.pipelines.register.pipeline import create_pipeline

__all__ = ["create_pipeline"]
