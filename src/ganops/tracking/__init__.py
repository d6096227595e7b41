"""MLflow logging (registration and promotion come with the registry work)."""
