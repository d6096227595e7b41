"""Kedro pipelines: thin nodes over the modules above."""
